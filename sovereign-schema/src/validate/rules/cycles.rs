//! Referential actions that loop or meet: where the database (SQL Server) or Prisma's emulation
//! (`relationMode = "prisma"`) cannot apply them, a cascade that comes back to its table, and
//! on SQL Server one that reaches a table along two paths, are refused, as Prisma 6 does.

use crate::diagnostic::Code;
use crate::model::{Provider, ReferentialAction, RelationMode};
use crate::validate::db::{Db, FieldRef, Shape};
use crate::validate::sink::Sink;

/// A relation that holds a foreign key: its field, the models on both ends, its actions.
struct Edge {
    field: FieldRef,
    from: usize,
    to: usize,
    on_delete: ReferentialAction,
    on_update: ReferentialAction,
    /// The actions not written, with the value they take (for messages).
    implicit: Vec<(&'static str, ReferentialAction)>,
}

impl Edge {
    /// Whether a change on the referenced side changes rows on this side.
    fn triggers(&self) -> bool {
        [self.on_delete, self.on_update].iter().any(|a| {
            matches!(
                a,
                ReferentialAction::Cascade
                    | ReferentialAction::SetNull
                    | ReferentialAction::SetDefault
            )
        })
    }

    /// ` (Implicit default `onUpdate`: `Cascade`)`, for the actions not written that change rows.
    fn implicit_note(&self) -> String {
        let parts: Vec<String> = self
            .implicit
            .iter()
            .filter(|(_, a)| {
                matches!(
                    a,
                    ReferentialAction::Cascade
                        | ReferentialAction::SetNull
                        | ReferentialAction::SetDefault
                )
            })
            .map(|(w, a)| format!("`{w}`: `{}`", a.as_str()))
            .collect();
        if parts.is_empty() {
            String::new()
        } else {
            format!(" (Implicit default {})", parts.join(", and "))
        }
    }
}

const READ_MORE: &str = "Read more at https://pris.ly/d/cyclic-referential-actions";

/// The relations whose rules passed (`ok`, by index in [`Db::relations`]) that hold a foreign
/// key, with Prisma's default actions where none is written.
fn edges(db: &Db, ok: &[bool]) -> Vec<Edge> {
    let provider = db.config.provider;
    let mut out = Vec::new();
    for (r, _) in db.relations.iter().zip(ok).filter(|(_, ok)| **ok) {
        let (Shape::OneToMany { forward, back } | Shape::OneToOne { forward, back }) = r.shape
        else {
            continue;
        };
        let f = db.rf(forward);
        let optional = db.fk_fields(forward).any(|x| !x.is_required());
        let mut implicit = Vec::new();
        let on_delete = match db.supported_action(f.on_delete) {
            Some((a, _)) => a,
            None => {
                let a = if optional {
                    ReferentialAction::SetNull
                } else if provider == Provider::Sqlserver {
                    ReferentialAction::NoAction
                } else {
                    ReferentialAction::Restrict
                };
                implicit.push(("onDelete", a));
                a
            }
        };
        let on_update = match db.supported_action(f.on_update) {
            Some((a, _)) => a,
            None => {
                implicit.push(("onUpdate", ReferentialAction::Cascade));
                ReferentialAction::Cascade
            }
        };
        out.push(Edge {
            field: forward,
            from: forward.model,
            to: back.model,
            on_delete,
            on_update,
            implicit,
        });
    }
    out
}

/// Self-relations and cycles (SQL Server, and every provider under `relationMode = "prisma"`),
/// and cascades along several paths (SQL Server).
pub(super) fn check(db: &Db, ok: &[bool], sink: &mut Sink) {
    let emulated =
        db.config.relation_mode == RelationMode::Prisma || db.config.provider == Provider::Mongodb;
    let sqlserver = db.config.provider == Provider::Sqlserver && !emulated;
    if db.options.partial || !(emulated || sqlserver) {
        return;
    }
    let edges = edges(db, ok);
    let triggering: Vec<&Edge> = edges.iter().filter(|e| e.triggers()).collect();
    for e in &triggering {
        let span = db.rf(e.field).ast.span;
        if e.from == e.to {
            let msg = format!(
                "Error validating: A self-relation must have `onDelete` and `onUpdate` referential actions set to `NoAction` in one of the @relation attributes.{} {READ_MORE}",
                e.implicit_note()
            );
            sink.err(Code::ReferentialActionCycle, msg, span).hint =
                Some("set `onDelete: NoAction, onUpdate: NoAction` on this relation".into());
            continue;
        }
        if let Some(path) = cycle(&triggering, e) {
            let path: Vec<String> = path
                .iter()
                .map(|x| {
                    format!(
                        "{}.{}",
                        db.model_of(x.field).model.name,
                        db.rf(x.field).name()
                    )
                })
                .collect();
            let msg = format!(
                "Error validating: Reference causes a cycle. One of the @relation attributes in this cycle must have `onDelete` and `onUpdate` referential actions set to `NoAction`. Cycle path: {}.{} {READ_MORE}",
                path.join(" → "),
                e.implicit_note()
            );
            sink.err(Code::ReferentialActionCycle, msg, span).hint = Some(
                "set `onDelete: NoAction, onUpdate: NoAction` on one relation of the cycle".into(),
            );
        }
    }
    if sqlserver {
        multiple_paths(db, &triggering, sink);
    }
}

/// A path of triggering relations from `start`'s referenced model back to its model, `start`
/// first (depth first, as Prisma walks them).
fn cycle<'e>(edges: &[&'e Edge], start: &'e Edge) -> Option<Vec<&'e Edge>> {
    let mut stack: Vec<Vec<&'e Edge>> = vec![vec![start]];
    let mut seen = vec![start.to];
    while let Some(path) = stack.pop() {
        let at = path.last().expect("a path has an edge").to;
        if at == start.from {
            return Some(path);
        }
        for e in edges.iter().filter(|e| e.from == at) {
            if e.to == start.from || !seen.contains(&e.to) {
                seen.push(e.to);
                let mut next = path.clone();
                next.push(e);
                stack.push(next);
            }
        }
    }
    None
}

/// SQL Server refuses a change that cascades to one table along two paths: for each model,
/// the models whose changes reach it through two of its relations.
fn multiple_paths(db: &Db, edges: &[&Edge], sink: &mut Sink) {
    for m in 0..db.models.len() {
        let own: Vec<&&Edge> = edges.iter().filter(|e| e.from == m && e.to != m).collect();
        if own.len() < 2 {
            continue;
        }
        // The models whose changes reach `m` through each of its relations, nearest first.
        let sources: Vec<Vec<usize>> = own
            .iter()
            .map(|e| {
                let mut found = vec![e.to];
                let mut i = 0;
                while i < found.len() {
                    let at = found[i];
                    for x in edges.iter().filter(|x| x.from == at) {
                        if !found.contains(&x.to) && x.to != m {
                            found.push(x.to);
                        }
                    }
                    i += 1;
                }
                found
            })
            .collect();
        for (i, e) in own.iter().enumerate() {
            let common = sources[i].iter().find(|s| {
                sources
                    .iter()
                    .enumerate()
                    .any(|(j, other)| j != i && other.contains(s))
            });
            let Some(&source) = common else { continue };
            let msg = format!(
                "Error validating: When any of the records in model `{}` is updated or deleted, the referential actions on the relations cascade to model `{}` through multiple paths. Please break one of these paths by setting the `onUpdate` and `onDelete` to `NoAction`.{} {READ_MORE}",
                db.models[source].model.name,
                db.models[m].model.name,
                e.implicit_note()
            );
            sink.err(Code::ReferentialActionCycle, msg, db.rf(e.field).ast.span)
                .hint =
                Some("set `onDelete: NoAction, onUpdate: NoAction` on one of the relations".into());
        }
    }
}
