//! Enums and composite types.

use crate::ast::Arity;
use crate::diagnostic::Code;
use crate::model::{CompositeType, ScalarType};
use crate::source::Span;
use crate::validate::db::{Db, EnumEntry};
use crate::validate::sink::Sink;
use std::collections::HashSet;

/// An enum has at least one value.
pub(super) fn enum_has_values(e: &EnumEntry, sink: &mut Sink) {
    if e.value.values.is_empty() {
        sink.err(
            Code::EnumEmpty,
            "Error validating: An enum must have at least one value.",
            e.block.keyword_span.to(e.block.name.span),
        );
    }
}

/// A required composite field that leads back to its own type can never be written.
pub(super) fn composite_cycles(db: &Db, sink: &mut Sink) {
    let types: Vec<&CompositeType> = db.composite_types.iter().map(|c| &c.value).collect();
    let required = |t: &CompositeType| -> Vec<(String, String, Span)> {
        t.fields
            .iter()
            .filter(|f| f.arity == Arity::Required)
            .filter_map(|f| match &f.ty {
                ScalarType::Composite(n) => Some((f.name.clone(), n.clone(), f.span)),
                _ => None,
            })
            .collect()
    };
    for t in &types {
        for (field, target, span) in required(t) {
            if target == t.name {
                let msg = format!(
                    "Error validating field `{field}` in composite type `{}`: The type is the same as the parent and causes an endless cycle. Please change the field to be either optional or a list.",
                    t.name
                );
                sink.err(Code::CompositeTypeCycle, msg, span);
                continue;
            }
            // Follow required composite fields from the target; a path back is a cycle.
            let mut path = vec![t.name.clone(), target.clone()];
            let mut current = target;
            let mut seen = HashSet::new();
            while let Some(next) = types.iter().find(|x| x.name == current) {
                if !seen.insert(current.clone()) {
                    break;
                }
                let Some((_, n, _)) = required(next).into_iter().next() else {
                    break;
                };
                path.push(n.clone());
                if n == t.name {
                    let msg = format!(
                        "Error validating field `{field}` in composite type `{}`: The types cause an endless cycle in the path {}. Please change one of the fields to be either optional or a list to break the cycle.",
                        t.name,
                        path.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(" → ")
                    );
                    sink.err(Code::CompositeTypeCycle, msg, span);
                    break;
                }
                current = n;
            }
        }
    }
}
