//! The first pass: the names of the blocks. Models, views, enums and composite types share one
//! namespace; datasources and generators another. Names are checked here as Prisma checks
//! identifiers while it reads them.

use crate::ast::{Block, BlockKind};
use crate::diagnostic::Code;
use crate::validate::common::kind_name;
use crate::validate::sink::Sink;
use std::collections::HashMap;

/// The first definition of each model, view, enum and composite type name, and for each block
/// whether it is the first definition of its name. A second definition is reported here.
pub(super) fn resolve<'a>(
    blocks: &[&'a Block],
    sink: &mut Sink,
) -> (HashMap<&'a str, usize>, Vec<bool>) {
    let mut tops: HashMap<&'a str, usize> = HashMap::with_capacity(blocks.len());
    let mut configs: HashMap<&'a str, usize> = HashMap::new();
    let mut first = Vec::with_capacity(blocks.len());
    for (i, &b) in blocks.iter().enumerate() {
        let map = if b.kind.is_config() {
            &mut configs
        } else {
            &mut tops
        };
        if let Some(prev) = map.get(b.name.name.as_str()).map(|&p| blocks[p]) {
            let msg = format!(
                "The {} \"{}\" cannot be defined because a {} with that name already exists.",
                kind_name(b.kind),
                b.name.name,
                kind_name(prev.kind)
            );
            sink.err(Code::DuplicateBlock, msg, b.name.span)
                .notes
                .push((prev.name.span, "first defined here".into()));
            first.push(false);
            continue;
        }
        map.insert(b.name.name.as_str(), i);
        first.push(true);
    }
    hyphens(blocks, sink);
    (tops, first)
}

/// Prisma's grammar lets `-` into names (and a digit at their start), and its validation then
/// refuses it in the names of
/// models, views, enums, composite types, and of model, view and enum members (a composite
/// type's fields may have one).
fn hyphens(blocks: &[&Block], sink: &mut Sink) {
    for b in blocks {
        let (block_kind, member_kind) = match b.kind {
            BlockKind::Model => ("Model", Some("Field")),
            BlockKind::View => ("view", Some("field")),
            BlockKind::Enum => ("Enum", Some("Enum Value")),
            BlockKind::Type => ("Composite type", None),
            _ => continue,
        };
        let names = std::iter::once((block_kind, &b.name)).chain(
            member_kind
                .into_iter()
                .flat_map(|k| b.fields().map(move |f| (k, &f.name))),
        );
        for (kind, name) in names {
            if name.name.starts_with(|c: char| c.is_ascii_digit()) {
                sink.err(
                    Code::NameStartsWithDigit,
                    format!("Error validating: The name of a {kind} must not start with a number."),
                    name.span,
                )
                .hint = Some(
                    "start the name with a letter (add `@map` / `@@map` to keep the database's name)"
                        .into(),
                );
            }
            if name.name.contains('-') {
                let fixed = name.name.replace('-', "_");
                sink.err(
                    Code::HyphenInName,
                    format!("Error validating: The character `-` is not allowed in {kind} names."),
                    name.span,
                )
                .hint = Some(format!(
                    "use `{fixed}` (add `@map` / `@@map` with the old name to keep the database's)"
                ));
            }
        }
    }
}
