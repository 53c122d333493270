//! Where field attributes may stand: `@id` on a required field, `@updatedAt` on a `DateTime`,
//! no `@ignore` where the field is ignored anyway, no scalar attributes on relation fields.

use crate::ast::{Arity, Block};
use crate::diagnostic::Code;
use crate::model::{ScalarField, ScalarType};
use crate::validate::db::{ModelEntry, ScalarEntry};
use crate::validate::sink::Sink;

/// Whether one of the attributes the resolving pass saw may be misplaced (the attributes
/// themselves are read only then).
fn may_be_misplaced(b: &Block, e: &ScalarEntry, f: &ScalarField) -> bool {
    let has = |kind| e.placed & kind != 0;
    (has(ScalarEntry::ID) && f.arity != Arity::Required)
        || (has(ScalarEntry::UPDATED_AT)
            && (f.ty != ScalarType::DateTime || f.arity == Arity::List))
        || (has(ScalarEntry::IGNORE)
            && (matches!(f.ty, ScalarType::Unsupported(_)) || b.attribute("ignore").is_some()))
        || has(ScalarEntry::RELATION)
}

/// The attributes of a scalar field of a model or view (a composite type's field has only
/// those the resolving pass let through).
pub(super) fn scalar_field(b: &Block, f: &ScalarField, e: &ScalarEntry, sink: &mut Sink) {
    if !may_be_misplaced(b, e, f) {
        return;
    }
    for a in &e.ast.attributes {
        let name = a.name.name.as_str();
        match name {
            "id" if f.arity != Arity::Required => {
                sink.attr_err(
                    Code::IdOptional,
                    a,
                    "Fields that are marked as id must be required.",
                );
            }
            "updatedAt" if f.ty != ScalarType::DateTime => {
                sink.attr_err(
                    Code::UpdatedAtType,
                    a,
                    "Fields that are marked with @updatedAt must be of type DateTime.",
                );
            }
            "updatedAt" if f.arity == Arity::List => {
                sink.attr_err(
                    Code::UpdatedAtType,
                    a,
                    "Fields that are marked with @updatedAt cannot be lists.",
                );
            }
            "ignore" if matches!(f.ty, ScalarType::Unsupported(_)) => {
                sink.attr_err(Code::IgnoreRedundant, a, "Fields of type `Unsupported` cannot take an `@ignore` attribute. They are already treated as ignored by the client due to their type.");
            }
            "ignore" if b.attribute("ignore").is_some() => {
                sink.attr_err(
                    Code::IgnoreRedundant,
                    a,
                    "Fields on an already ignored Model do not need an `@ignore` annotation.",
                );
            }
            "relation" => {
                let msg = format!(
                    "Invalid field type, not a relation: `{}` is a scalar field; `@relation` goes on a field whose type is a model.",
                    f.name
                );
                sink.attr_err(Code::AttributeMisplaced, a, msg);
            }
            _ => {}
        }
    }
}

/// Relation fields have no column: the attributes of scalar fields do not apply to them.
pub(super) fn relation_fields(m: &ModelEntry, sink: &mut Sink) {
    for rf in m.relation_fields.iter().filter(|rf| rf.scalar_attributes) {
        for a in &rf.ast.attributes {
            let name = a.name.name.as_str();
            if matches!(name, "map" | "default" | "unique" | "id" | "updatedAt")
                || name.contains('.')
            {
                let msg = format!("The attribute `@{name}` cannot be used on relation fields.");
                sink.attr_err(Code::AttributeMisplaced, a, msg).hint =
                    Some("put it on the scalar field that holds the foreign key instead".into());
            }
        }
    }
}
