//! Relation fields and relations: what `@relation(...)` says, then the fields paired into
//! relations (the fields between the same two models with the same relation name), and what
//! each pair amounts to: one-to-one, one-to-many, many-to-many, or a field without its other
//! side.

use super::attributes::duplicates;
use crate::ast::{Arity, Attribute, Expr, ExprKind, Field};
use crate::diagnostic::Code;
use crate::model::ReferentialAction;
use crate::source::Span;
use crate::validate::db::{Db, FieldRef, RelationEntry, RelationFieldEntry, Shape};
use crate::validate::sink::Sink;
use std::collections::HashMap;

/// Reads a field whose type is the model `target` (`target_model`: its first definition).
pub(super) fn relation_field<'a>(
    db: &Db,
    f: &'a Field,
    target: &'a str,
    target_model: Option<usize>,
    sink: &mut Sink,
) -> RelationFieldEntry<'a> {
    let arity = f.ty.as_ref().map_or(Arity::Required, |t| t.arity);
    let mut p = RelationFieldEntry {
        ast: f,
        target,
        target_model,
        arity,
        name: None,
        fields: None,
        references: None,
        on_delete: None,
        on_update: None,
        map: None,
        attr_span: f.span,
        ignored: false,
        scalar_attributes: false,
    };
    duplicates(db, &f.attributes, false, sink);
    for a in &f.attributes {
        let _ = super::attributes::arguments(a, sink);
        match a.name.name.as_str() {
            "relation" => {
                p.attr_span = a.span;
                for arg in &a.args {
                    let name = arg.name.as_ref().map(|n| n.name.as_str());
                    match name {
                        None | Some("name") => match arg.value.as_str() {
                            Some(s) => p.name = Some(s.to_string()),
                            None => {
                                sink.attr_err(Code::ArgumentType, a, "The relation name must be a string, e.g. @relation(\"authored\").");
                            }
                        },
                        Some("fields") => p.fields = name_list(a, &arg.value, "fields", sink),
                        Some("references") => {
                            p.references = name_list(a, &arg.value, "references", sink)
                        }
                        Some("onDelete") => p.on_delete = referential_action(db, &arg.value, sink),
                        Some("onUpdate") => p.on_update = referential_action(db, &arg.value, sink),
                        Some("map") => p.map = arg.value.as_str().map(str::to_string),
                        // Reported by `arguments`.
                        Some(_) => {}
                    }
                }
            }
            "ignore" => p.ignored = true,
            // Attributes of scalar fields: a rule says they do not belong here.
            other
                if matches!(other, "map" | "default" | "unique" | "id" | "updatedAt")
                    || other.contains('.') =>
            {
                p.scalar_attributes = true
            }
            other => {
                let msg = format!("Attribute not known: \"@{other}\".");
                sink.err(Code::AttributeUnknown, msg, a.span);
            }
        }
    }
    p
}

/// `fields:` / `references:`: a list of field names (one name is a list of one).
fn name_list(a: &Attribute, e: &Expr, what: &str, sink: &mut Sink) -> Option<Vec<(String, Span)>> {
    let items = match &e.kind {
        ExprKind::Array(items) => items.as_slice(),
        ExprKind::Const(_) => std::slice::from_ref(e),
        _ => {
            let msg =
                format!("The `{what}` argument must be a list of field names, e.g. [authorId].");
            sink.attr_err(Code::ArgumentType, a, msg);
            return None;
        }
    };
    let mut out = Vec::new();
    for it in items {
        match it.as_const() {
            Some(n) => out.push((n.to_string(), it.span)),
            None => {
                sink.err(Code::ArgumentType, "Expected a field name here.", it.span);
                return None;
            }
        }
    }
    Some(out)
}

/// `onDelete:` / `onUpdate:`: the name of a referential action. Whether the provider and the
/// relation mode allow it is a rule's business.
fn referential_action(db: &Db, e: &Expr, sink: &mut Sink) -> Option<(ReferentialAction, Span)> {
    if let Some(a) = e.as_const().and_then(ReferentialAction::parse) {
        return Some((a, e.span));
    }
    let written = match &e.kind {
        ExprKind::Const(c) => c.clone(),
        _ => e.describe().to_string(),
    };
    let msg =
        format!("Error parsing attribute \"@relation\": Invalid referential action: `{written}`");
    sink.err(Code::ReferentialActionUnknown, msg, e.span).hint =
        Some(format!("allowed here: {}", db.allowed_action_list()));
    None
}

/// Pairs the relation fields of all models into relations.
pub(super) fn pair(db: &Db) -> Vec<RelationEntry> {
    // Group the fields by (pair of models, relation name), in the order they appear.
    let mut groups: Vec<Vec<FieldRef>> = Vec::new();
    let fields: usize = db.models.iter().map(|m| m.relation_fields.len()).sum();
    let mut group_of: HashMap<(&str, &str, &str), usize> = HashMap::with_capacity(fields);
    for (mi, m) in db.models.iter().enumerate() {
        for (fi, p) in m.relation_fields.iter().enumerate() {
            let a = m.model.name.as_str();
            let b = p.target;
            let key = if a <= b { (a, b) } else { (b, a) };
            let key = (key.0, key.1, p.name.as_deref().unwrap_or(""));
            let g = *group_of.entry(key).or_insert_with(|| {
                groups.push(Vec::new());
                groups.len() - 1
            });
            groups[g].push(FieldRef {
                model: mi,
                field: fi,
            });
        }
    }
    groups
        .into_iter()
        .map(|fields| RelationEntry {
            shape: shape(db, &fields),
            fields,
        })
        .collect()
}

fn shape(db: &Db, group: &[FieldRef]) -> Shape {
    let first = db.rf(group[0]);
    if group.len() == 1 {
        // Only a partial schema may point at a model it does not define.
        let known_target = first.target_model.is_some();
        return Shape::OneSided {
            field: group[0],
            external: !known_target && db.options.partial,
        };
    }
    // A self relation needs a name as soon as it has two fields (Prisma 6).
    let model = &db.models[group[0].model].model;
    if first.name.is_none()
        && model.name == first.target
        && group.iter().all(|f| f.model == group[0].model)
    {
        return match group {
            [a, b] => Shape::AmbiguousSelf { a: *a, b: *b },
            _ => Shape::UnnamedSelf,
        };
    }
    let same_model_pair = group.len() == 2
        && group[0].model == group[1].model
        && db.models[group[0].model].model.name != first.target;
    if group.len() > 2 || same_model_pair {
        // Name the fields of the first model that holds several of them, as Prisma does.
        let holder = group
            .iter()
            .map(|f| f.model)
            .find(|m| group.iter().filter(|f| f.model == *m).count() > 1)
            .unwrap_or(group[0].model);
        return Shape::Ambiguous { holder };
    }
    let (a, b) = (group[0], group[1]);
    let (ra, rb) = (db.rf(a), db.rf(b));
    match (ra.arity == Arity::List, rb.arity == Arity::List) {
        (true, true) => Shape::ManyToMany { a, b },
        (false, true) => Shape::OneToMany {
            forward: a,
            back: b,
        },
        (true, false) => Shape::OneToMany {
            forward: b,
            back: a,
        },
        (false, false) => match (ra.has_arguments(), rb.has_arguments()) {
            (true, false) => Shape::OneToOne {
                forward: a,
                back: b,
            },
            (false, true) => Shape::OneToOne {
                forward: b,
                back: a,
            },
            (both, _) => Shape::OneToOneUndecided { a, b, both },
        },
    }
}
