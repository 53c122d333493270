//! The lowering: the resolved database of a valid schema becomes the public
//! [`Schema`](crate::model::Schema), the one model code generation and migrations read.
//! Relations get their final form here: Prisma's default referential actions, the foreign
//! key's constraint name, the implicit many-to-many join table.

use super::common::docs;
use super::db::{Db, RelationEntry, Shape, Verdicts};
use crate::ast::Arity;
use crate::model::{
    default_constraint_name, JoinTable, Provider, ReferentialAction, Relation, RelationField,
    RelationId, RelationKind, RelationSide, Schema,
};

/// The relations whose rules passed (`ok`, one per [`Db::relations`]), numbered in order.
pub(crate) fn relations(db: &Db, ok: &[bool]) -> Verdicts {
    let mut relations = Vec::new();
    let mut relation_ids = Vec::with_capacity(db.relations.len());
    for (r, ok) in db.relations.iter().zip(ok) {
        let lowered = ok
            .then(|| relation(db, r, RelationId(relations.len())))
            .flatten();
        relation_ids.push(lowered.as_ref().map(|_| relations.len()));
        relations.extend(lowered);
    }
    Verdicts {
        relations,
        relation_ids,
    }
}

fn names(list: &Option<Vec<(String, crate::source::Span)>>) -> Vec<String> {
    list.iter().flatten().map(|x| x.0.clone()).collect()
}

/// One relation in its final form (`None` for the shapes no valid schema has).
fn relation(db: &Db, r: &RelationEntry, id: RelationId) -> Option<Relation> {
    let name = db.relation_name(r);
    let provider = db.config.provider;
    let emulated = provider == Provider::Mongodb;
    match r.shape {
        // One side only (partial schema): the side with `fields` is the foreign key side.
        Shape::OneSided { field, .. } => {
            let a = db.rf(field);
            Some(Relation {
                id,
                name,
                kind: if a.arity == Arity::List {
                    RelationKind::OneToMany
                } else {
                    RelationKind::OneToOne
                },
                from: RelationSide {
                    model: db.model_of(field).model.name.clone(),
                    field: Some(a.name().to_string()),
                },
                to: RelationSide {
                    model: a.target.to_string(),
                    field: None,
                },
                fields: names(&a.fields),
                references: names(&a.references),
                on_delete: db
                    .supported_action(a.on_delete)
                    .map_or(ReferentialAction::Restrict, |x| x.0),
                on_update: db
                    .supported_action(a.on_update)
                    .map_or(ReferentialAction::Cascade, |x| x.0),
                fk_name: a.map.clone(),
                join_table: None,
            })
        }
        // From the model whose name sorts first (column `A` of the join table).
        Shape::ManyToMany { a, b } => {
            let (first, second) = if db.model_of(a).model.name <= db.model_of(b).model.name {
                (a, b)
            } else {
                (b, a)
            };
            let (first_model, second_model) = (
                &db.model_of(first).model.name,
                &db.model_of(second).model.name,
            );
            let action = if emulated {
                ReferentialAction::NoAction
            } else {
                ReferentialAction::Cascade
            };
            Some(Relation {
                id,
                kind: RelationKind::ManyToMany,
                from: RelationSide {
                    model: first_model.clone(),
                    field: Some(db.rf(first).name().to_string()),
                },
                to: RelationSide {
                    model: second_model.clone(),
                    field: Some(db.rf(second).name().to_string()),
                },
                fields: names(&db.rf(first).fields),
                references: names(&db.rf(first).references),
                on_delete: action,
                on_update: action,
                fk_name: None,
                join_table: (!emulated).then(|| JoinTable {
                    name: format!("_{name}"),
                    a_model: first_model.clone(),
                    b_model: second_model.clone(),
                }),
                name,
            })
        }
        Shape::OneToMany { forward, back } | Shape::OneToOne { forward, back } => {
            let kind = if matches!(r.shape, Shape::OneToOne { .. }) {
                RelationKind::OneToOne
            } else {
                RelationKind::OneToMany
            };
            let fk = db.rf(forward);
            let fk_model = &db.model_of(forward).model;
            let fk_fields: Vec<_> = db.fk_fields(forward).collect();
            let any_required = fk_fields.iter().any(|f| f.is_required());
            let default_delete = if !any_required {
                ReferentialAction::SetNull
            } else if provider == Provider::Sqlserver || emulated {
                ReferentialAction::NoAction
            } else {
                ReferentialAction::Restrict
            };
            let default_update = if emulated {
                ReferentialAction::NoAction
            } else {
                ReferentialAction::Cascade
            };
            let fk_name = (!emulated).then(|| {
                fk.map.clone().unwrap_or_else(|| {
                    let columns: Vec<&str> = fk_fields.iter().map(|f| f.db_name.as_str()).collect();
                    default_constraint_name(&fk_model.db_name, &columns, "fkey", provider)
                })
            });
            Some(Relation {
                id,
                name,
                kind,
                from: RelationSide {
                    model: fk_model.name.clone(),
                    field: Some(fk.name().to_string()),
                },
                to: RelationSide {
                    model: db.model_of(back).model.name.clone(),
                    field: Some(db.rf(back).name().to_string()),
                },
                fields: names(&fk.fields),
                references: names(&fk.references),
                on_delete: db
                    .supported_action(fk.on_delete)
                    .map_or(default_delete, |x| x.0),
                on_update: db
                    .supported_action(fk.on_update)
                    .map_or(default_update, |x| x.0),
                fk_name,
                join_table: None,
            })
        }
        Shape::Ambiguous { .. }
        | Shape::AmbiguousSelf { .. }
        | Shape::UnnamedSelf
        | Shape::OneToOneUndecided { .. } => None,
    }
}

/// The public schema of a valid resolved database.
pub(crate) fn schema(db: Db, verdicts: Verdicts) -> Schema {
    // Each relation field's relation, all models' relation fields one after the other.
    let mut offsets = Vec::with_capacity(db.models.len());
    let mut count = 0;
    for m in &db.models {
        offsets.push(count);
        count += m.relation_fields.len();
    }
    let mut ids = vec![RelationId(usize::MAX); count];
    for (r, id) in db.relations.iter().zip(&verdicts.relation_ids) {
        if let Some(id) = id {
            for f in &r.fields {
                ids[offsets[f.model] + f.field] = RelationId(*id);
            }
        }
    }
    // (Collected in place: the models stay where the resolved database put them.)
    let models = db
        .models
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            let offset = offsets[i];
            let mut model = m.model;
            model.relation_fields = m
                .relation_fields
                .iter()
                .zip(&ids[offset..])
                .map(|(rf, &relation)| RelationField {
                    name: rf.name().to_string(),
                    target: rf.target.to_string(),
                    arity: rf.arity,
                    relation,
                    ignored: rf.ignored,
                    docs: docs(&rf.ast.docs),
                    span: rf.ast.span,
                })
                .collect();
            model
        })
        .collect();
    Schema::new(
        db.datasource,
        db.generators,
        models,
        db.enums.into_iter().map(|e| e.value).collect(),
        db.composite_types.into_iter().map(|c| c.value).collect(),
        verdicts.relations,
    )
}
