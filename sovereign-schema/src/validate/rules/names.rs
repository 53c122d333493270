//! Names: reserved names, and database names (tables, columns, enum types) that collide once
//! mapped.

use crate::ast::BlockKind;
use crate::diagnostic::Code;
use crate::model::{Enum, Model, ScalarField, ScalarType};
use crate::validate::common::{kind_name, Seen};
use crate::validate::db::{Db, ModelEntry};
use crate::validate::sink::Sink;
use std::collections::HashMap;

/// `PrismaClient` and `Prisma` are the client's own names; the scalar types' names and
/// `Unsupported` are the language's. (A second definition of a name is reported as such.)
pub(super) fn reserved_names(db: &Db, sink: &mut Sink) {
    for (b, _) in db
        .blocks
        .iter()
        .zip(&db.first_definition)
        .filter(|(_, f)| **f)
    {
        if matches!(b.kind, BlockKind::Model | BlockKind::View)
            && matches!(b.name.name.as_str(), "PrismaClient" | "Prisma")
        {
            let msg = format!(
                "Error validating model \"{0}\": The model name `{0}` is invalid. It is a reserved name. Please change it. Read more at https://pris.ly/d/naming-models",
                b.name.name
            );
            sink.err(Code::ReservedName, msg, b.name.span);
        }
        if !b.kind.is_config() && ScalarType::builtin(&b.name.name).is_some()
            || b.name.name == "Unsupported"
        {
            let msg = format!(
                "The {} name \"{}\" is invalid. It is a reserved name. Please change it.",
                kind_name(b.kind),
                b.name.name
            );
            sink.err(Code::ReservedName, msg, b.name.span);
        }
    }
}

/// Two fields of a model may not use one column (a field defined twice is reported as such).
pub(super) fn columns(m: &ModelEntry, sink: &mut Sink) {
    let mut columns: Seen<&ScalarField> = Seen::with_capacity(m.model.fields.len());
    for f in &m.model.fields {
        let Some(prev) = columns.insert(f.db_name.as_str(), f) else {
            continue;
        };
        if prev.name == f.name {
            continue;
        }
        let msg = format!(
            "Field \"{}\" is already defined on model \"{}\".",
            f.name, m.model.name
        );
        sink.err(Code::DuplicateColumn, msg, f.span).notes.push((
            prev.span,
            format!(
                "`{}` uses the column `{}` too (names collide once mapped with @map)",
                prev.name, f.db_name
            ),
        ));
    }
}

/// Two models or views may not use one table (in one schema).
pub(super) fn tables(db: &Db, sink: &mut Sink) {
    let mut tables: HashMap<(Option<&str>, &str), &Model> = HashMap::with_capacity(db.models.len());
    for m in db.models.iter().map(|m| &m.model) {
        let Some(prev) = tables.insert((m.schema.as_deref(), m.db_name.as_str()), m) else {
            continue;
        };
        if prev.name == m.name {
            continue; // a model defined twice
        }
        let msg = format!(
            "The model with database name \"{}\" could not be defined because another model or view with this name exists: \"{}\"",
            m.db_name, prev.name
        );
        sink.err(Code::DuplicateTable, msg, m.db_name_span)
            .notes
            .push((
                prev.span,
                format!("`{}` uses the table `{}`", prev.name, prev.db_name),
            ));
    }
}

/// Two enums may not map to one database name (in one schema).
pub(super) fn enum_db_names(db: &Db, sink: &mut Sink) {
    let mut seen: HashMap<(Option<&str>, &str), &Enum> = HashMap::new();
    for e in db.enums.iter().map(|e| &e.value) {
        let Some(prev) = seen.insert((e.schema.as_deref(), e.db_name.as_str()), e) else {
            continue;
        };
        if prev.name == e.name {
            continue; // an enum defined twice
        }
        sink.err(
            Code::DuplicateEnumDbName,
            "An enum with the same database name is already defined.",
            e.span,
        )
        .notes
        .push((
            prev.span,
            format!("`{}` is mapped to `{}` too", prev.name, e.db_name),
        ));
    }
}
