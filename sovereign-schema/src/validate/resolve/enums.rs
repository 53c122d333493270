//! Enums: their values (with `@map`) and their block attributes.

use super::attributes::{arguments, duplicates, schema_attr, string_arg};
use crate::ast::{Block, BlockKind};
use crate::diagnostic::Code;
use crate::model::{Enum, EnumValue};
use crate::source::Span;
use crate::validate::common::docs;
use crate::validate::db::{Db, EnumEntry};
use crate::validate::sink::Sink;
use std::collections::HashMap;

/// Reads every enum.
pub(super) fn resolve<'a>(db: &Db<'a>, sink: &mut Sink) -> Vec<EnumEntry<'a>> {
    db.blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Enum)
        .map(|b| enum_(db, b, sink))
        .collect()
}

fn enum_<'a>(db: &Db<'a>, b: &'a Block, sink: &mut Sink) -> EnumEntry<'a> {
    let mut values = Vec::new();
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for f in b.fields() {
        if let Some(prev) = seen.insert(f.name.name.as_str(), f.name.span) {
            let msg = format!(
                "Value \"{}\" is already defined on enum \"{}\".",
                f.name.name, b.name.name
            );
            sink.err(Code::DuplicateEnumValue, msg, f.name.span)
                .notes
                .push((prev, "first defined here".into()));
        }
        let mut db_name = f.name.name.clone();
        duplicates(db, &f.attributes, false, sink);
        for a in &f.attributes {
            match a.name.name.as_str() {
                "map" => {
                    let _ = arguments(a, sink);
                    if let Some(s) = string_arg(a, sink) {
                        db_name = s;
                    }
                }
                _ => {
                    let msg = format!("Attribute not known: \"@{}\".", a.name.name);
                    sink.err(Code::AttributeUnknown, msg, a.span).hint =
                        Some("enum values accept only `@map(\"name\")`".into());
                }
            }
        }
        values.push(EnumValue {
            name: f.name.name.clone(),
            db_name,
            docs: docs(&f.docs),
        });
    }
    let mut db_name = b.name.name.clone();
    let mut schema = None;
    let mut schema_attrs = Vec::new();
    duplicates(db, b.attributes(), true, sink);
    for a in b.attributes() {
        if matches!(a.name.name.as_str(), "map" | "schema") {
            let _ = arguments(a, sink);
        }
        match a.name.name.as_str() {
            "map" => {
                if let Some(s) = string_arg(a, sink) {
                    db_name = s;
                }
            }
            "schema" => {
                schema = schema_attr(a, sink);
                if let Some(s) = &schema {
                    schema_attrs.push((a.span, s.clone()));
                }
            }
            _ => {
                // Prisma names an unknown block attribute with one `@`.
                let msg = format!("Attribute not known: \"@{}\".", a.name.name);
                sink.err(Code::AttributeUnknown, msg, a.span).hint =
                    Some("enums accept `@@map(\"name\")` and `@@schema(\"name\")`".into());
            }
        }
    }
    EnumEntry {
        block: b,
        value: Enum {
            name: b.name.name.clone(),
            db_name,
            values,
            schema,
            docs: docs(&b.docs),
            span: b.span,
        },
        schema_attrs,
    }
}
