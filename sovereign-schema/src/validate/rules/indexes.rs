//! Keys and indexes: per-field arguments the provider has, constraint names unique in their
//! namespace, and the indexes `relationMode = "prisma"` asks for.

use crate::diagnostic::Code;
use crate::model::{
    Index, IndexField, IndexKind, Model, PrimaryKey, Provider, Relation, RelationMode,
};
use crate::source::Span;
use crate::validate::common::provider_display;
use crate::validate::db::{Db, ModelEntry};
use crate::validate::sink::Sink;
use std::collections::HashMap;

/// Per-field `sort:` and `length:` where the database has them: a primary key may be sorted on
/// SQL Server only, and prefix lengths exist on MySQL only.
pub(super) fn arguments(db: &Db, m: &ModelEntry, sink: &mut Sink) {
    if db.options.partial {
        return;
    }
    let model = &m.model;
    arguments_in(
        db.config.provider,
        model.primary_key.as_ref(),
        &model.uniques,
        &model.indexes,
        sink,
    );
}

fn arguments_in(
    provider: Provider,
    pk: Option<&PrimaryKey>,
    uniques: &[Index],
    indexes: &[Index],
    sink: &mut Sink,
) {
    let sort_in_pk = provider == Provider::Sqlserver;
    let length = provider == Provider::Mysql;
    if let Some(pk) = pk {
        let label = if pk.compound { "@@id" } else { "@id" };
        for (arg, allowed, present) in [
            (
                "sort",
                sort_in_pk,
                pk.fields.iter().any(|f| f.sort.is_some()),
            ),
            (
                "length",
                length,
                pk.fields.iter().any(|f| f.length.is_some()),
            ),
        ] {
            if present && !allowed {
                let msg = format!(
                    "Error parsing attribute \"{label}\": The {arg} argument is not supported in the primary key with the current connector"
                );
                sink.err(Code::IndexArgumentUnsupported, msg, pk.span).hint = Some(format!(
                    "remove `{arg}:`; {} {}",
                    if arg == "sort" {
                        "only SQL Server sorts a primary key, not"
                    } else {
                        "only MySQL has prefix lengths, not"
                    },
                    provider_display(provider)
                ));
            }
        }
    }
    if length {
        return;
    }
    for idx in uniques.iter().chain(indexes) {
        if idx.fields.iter().any(|f| f.length.is_some()) {
            let msg = format!(
                "Error parsing attribute \"{}\": The length argument is not supported in an index definition with the current connector",
                label(idx)
            );
            sink.err(Code::IndexArgumentUnsupported, msg, idx.span).hint = Some(format!(
                "remove `length:`; only MySQL has prefix lengths, not {}",
                provider_display(provider)
            ));
        }
    }
}

/// The attribute that declares an index, as messages name it.
fn label(idx: &Index) -> &'static str {
    match (idx.kind, idx.single_field) {
        (IndexKind::Unique, true) => "@unique",
        (IndexKind::Unique, false) => "@@unique",
        (IndexKind::Fulltext, _) => "@@fulltext",
        (IndexKind::Normal, _) => "@@index",
    }
}

/// Constraint names must be unique in Prisma's namespaces: primary keys, indexes and unique
/// constraints share one namespace per schema (PostgreSQL, SQLite, CockroachDB) or per table
/// (MySQL, SQL Server, MongoDB); foreign keys one per table. `relations` are the relations
/// whose rules passed.
pub(super) fn constraint_names(db: &Db, relations: &[Relation], sink: &mut Sink) {
    let models: Vec<&Model> = db.models.iter().map(|m| &m.model).collect();
    let per_table = matches!(
        db.config.provider,
        Provider::Mysql | Provider::Sqlserver | Provider::Mongodb
    );
    // (model, constraint name, attribute, span, namespace)
    let mut entries: Vec<(&Model, &str, &str, Span, &str)> = Vec::new();
    for &m in &models {
        if let (Some(pk), false) = (&m.primary_key, per_table) {
            let label = if pk.compound { "@@id" } else { "@id" };
            entries.push((m, &pk.db_name, label, pk.span, "index"));
        }
        for idx in m.uniques.iter().chain(&m.indexes) {
            entries.push((m, &idx.db_name, label(idx), idx.span, "index"));
        }
    }
    // A name defined twice is reported as such; its last definition stands for it here.
    let by_name: HashMap<&str, usize> = db
        .models
        .iter()
        .enumerate()
        .map(|(i, m)| (m.model.name.as_str(), i))
        .collect();
    for r in relations {
        let (Some(name), Some(&mi)) = (&r.fk_name, by_name.get(r.from.model.as_str())) else {
            continue;
        };
        let m = &db.models[mi];
        let span = r
            .from
            .field
            .as_ref()
            .and_then(|f| m.relation_fields.iter().find(|x| x.name() == f))
            .map_or(m.model.span, |f| f.ast.span);
        entries.push((&m.model, name, "@relation", span, "foreign key"));
    }
    // Every constraint of a table shares that table's namespace; primary keys, indexes and
    // unique constraints also share one per schema unless the database scopes them per table.
    let mut global: HashMap<(Option<&str>, &str), (&Model, Span)> =
        HashMap::with_capacity(entries.len());
    let mut local: HashMap<(Option<&str>, &str, &str), (&Model, Span)> =
        HashMap::with_capacity(entries.len());
    for (m, name, label, span, space) in entries {
        let clash = if !per_table && space == "index" {
            global
                .insert((m.schema.as_deref(), name), (m, span))
                .map(|p| {
                    (
                        p,
                        "global for primary key, indexes and unique constraints".to_string(),
                    )
                })
        } else {
            None
        };
        let clash = clash.or_else(|| {
            local
                .insert((m.schema.as_deref(), m.db_name.as_str(), name), (m, span))
                .map(|p| {
                    (
                        p,
                        format!(
                            "on model `{}` for primary key, indexes, unique constraints and foreign keys",
                            m.name
                        ),
                    )
                })
        });
        if let Some(((prev, prev_span), namespace)) = clash {
            if prev.name == m.name && !std::ptr::eq(prev, m) {
                continue; // a model defined twice, reported as such
            }
            let msg = format!(
                "Error parsing attribute \"{label}\": The given constraint name `{name}` has to be unique in the following namespace: {namespace}. Please provide a different name using the `map` argument."
            );
            let note = format!("`{}` already uses the name `{name}` here", prev.name);
            sink.err(Code::DuplicateConstraintName, msg, span)
                .notes
                .push((prev_span, note));
        }
    }
}

/// With `relationMode = "prisma"` no foreign key (and so no index the database would add for
/// it) exists: Prisma warns when no index, unique constraint or primary key starts with a
/// relation's foreign key fields, in order.
pub(super) fn relation_mode_indexes(db: &Db, relations: &[Relation], sink: &mut Sink) {
    if db.config.relation_mode != RelationMode::Prisma
        || db.config.provider == Provider::Mongodb
        || db.options.partial
    {
        return;
    }
    for r in relations {
        if r.fields.is_empty() {
            continue;
        }
        let Some(m) = db.models.iter().find(|m| m.model.name == r.from.model) else {
            continue;
        };
        let model = &m.model;
        let starts_with_fk = |fields: &[IndexField]| {
            fields.len() >= r.fields.len()
                && fields.iter().zip(&r.fields).all(|(f, fk)| &f.name == fk)
        };
        let covered = model
            .primary_key
            .iter()
            .any(|pk| starts_with_fk(&pk.fields))
            || model
                .uniques
                .iter()
                .chain(&model.indexes)
                .any(|i| starts_with_fk(&i.fields));
        if covered {
            continue;
        }
        let span = r
            .from
            .field
            .as_ref()
            .and_then(|f| m.relation_fields.iter().find(|x| x.name() == f))
            .map_or(model.span, |f| f.ast.span);
        sink.warn(
            Code::RelationModeIndexMissing,
            "With `relationMode = \"prisma\"`, no foreign keys are used, so relation fields will not benefit from the index usually created by the relational database under the hood. This can lead to poor performance when querying these fields. We recommend adding an index manually. Learn more at https://pris.ly/d/relation-mode-prisma-indexes\"",
            span,
        )
        .hint = Some(format!(
            "add `@@index([{}])` to `{}`",
            r.fields.join(", "),
            model.name
        ));
    }
}
