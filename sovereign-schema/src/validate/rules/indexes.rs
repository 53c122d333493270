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

/// `clustered:` exists on SQL Server only, where a table has one clustered index: the primary
/// key, unless it says `clustered: false`, or one index or unique constraint.
pub(super) fn clustering(db: &Db, m: &ModelEntry, sink: &mut Sink) {
    if db.options.partial || m.model.is_view {
        return;
    }
    let model = &m.model;
    let keys = model.uniques.iter().chain(&model.indexes);
    if db.config.provider != Provider::Sqlserver {
        let pk = model
            .primary_key
            .as_ref()
            .filter(|pk| pk.clustered.is_some())
            .map(|pk| (pk_label(pk), pk.span));
        for (label, span) in pk.into_iter().chain(
            keys.filter(|i| i.clustered.is_some())
                .map(|i| (label(i), i.span)),
        ) {
            let msg = format!("Error parsing attribute \"{label}\": Defining clustering is not supported in the current connector.");
            sink.err(Code::ClusteringUnsupported, msg, span).hint =
                Some("remove `clustered:`; only SQL Server has clustered indexes".into());
        }
        return;
    }
    let clustered: Vec<&Index> = keys.filter(|i| i.clustered == Some(true)).collect();
    let pk = model
        .primary_key
        .as_ref()
        .filter(|pk| pk.clustered != Some(false));
    match (clustered.as_slice(), pk) {
        ([idx], Some(pk)) => {
            let msg = format!(
                "Error parsing attribute \"{}\": A model can only hold one clustered index or id.",
                pk_label(pk)
            );
            sink.err(Code::ClusteredMultiple, msg, pk.span).hint =
                Some("a primary key is clustered unless it says `clustered: false`".into());
            let msg = format!(
                "Error parsing attribute \"{}\": A model can only hold one clustered index or key.",
                label(idx)
            );
            sink.err(Code::ClusteredMultiple, msg, idx.span);
        }
        (many, _) if many.len() > 1 => {
            for idx in many {
                let msg = format!(
                    "Error parsing attribute \"{}\": A model can only hold one clustered index.",
                    label(idx)
                );
                sink.err(Code::ClusteredMultiple, msg, idx.span);
            }
        }
        _ => {}
    }
}

fn pk_label(pk: &PrimaryKey) -> &'static str {
    if pk.compound {
        "@@id"
    } else {
        "@id"
    }
}

/// MySQL indexes text and blob columns only by a prefix: keys and indexes on them need
/// `length:` (full-text indexes do not).
pub(super) fn mysql_prefix_lengths(db: &Db, m: &ModelEntry, sink: &mut Sink) {
    const NEEDS_LENGTH: &[&str] = &[
        "Text",
        "TinyText",
        "MediumText",
        "LongText",
        "Blob",
        "TinyBlob",
        "MediumBlob",
        "LongBlob",
    ];
    if db.config.provider != Provider::Mysql || db.options.partial || m.model.is_view {
        return;
    }
    let model = &m.model;
    let without_length = |fields: &[IndexField]| {
        fields.iter().find_map(|f| {
            let nt = model.field(&f.name)?.native_type.as_ref()?;
            (f.length.is_none() && NEEDS_LENGTH.contains(&nt.name.as_str()))
                .then_some(nt.name.as_str())
        })
    };
    let hint = "give the field a prefix length, e.g. `@@index([body(length: 100)])`, or use `@db.VarChar(n)`";
    for idx in &model.indexes {
        if idx.kind != IndexKind::Normal {
            continue;
        }
        if let Some(nt) = without_length(&idx.fields) {
            let msg = format!("You cannot define an index on fields with native type `{nt}` of MySQL. Please use the `length` argument to the field in the index definition to allow this.");
            sink.err(Code::IndexLengthRequired, msg, idx.span).hint = Some(hint.into());
        }
    }
    for u in &model.uniques {
        if let Some(nt) = without_length(&u.fields) {
            let msg = format!("Native type `{nt}` cannot be unique in MySQL. Please use the `length` argument to the field in the index definition to allow this.");
            sink.err(Code::IndexLengthRequired, msg, u.span).hint = Some(hint.into());
        }
    }
    if let Some(pk) = &model.primary_key {
        if let Some(nt) = without_length(&pk.fields) {
            let msg = format!("Native type `{nt}` of MySQL cannot be used on a field that is `@id` or `@@id`. Please use the `length` argument to the field in the index definition to allow this.");
            sink.err(Code::IndexLengthRequired, msg, pk.span).hint = Some(hint.into());
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

/// Names (`map:`) of primary keys (PostgreSQL, CockroachDB, SQL Server), foreign keys (all but
/// SQLite and MongoDB) and defaults (SQL Server) exist only where the database has them.
pub(super) fn names_supported(db: &Db, m: &ModelEntry, sink: &mut Sink) {
    let provider = db.config.provider;
    if db.options.partial || m.model.is_view {
        return;
    }
    let b = m.block;
    let named = |a: Option<&crate::ast::Attribute>| a.is_some_and(|a| a.arg("map", None).is_some());
    let pk_named =
        named(b.attribute("id")) || m.scalars.iter().any(|e| named(e.ast.attribute("id")));
    if pk_named
        && matches!(
            provider,
            Provider::Mysql | Provider::Sqlite | Provider::Mongodb
        )
    {
        let msg = format!("Error validating model \"{}\": You defined a database name for the primary key on the model. This is not supported by the provider.", b.name.name);
        sink.err(
            Code::ConstraintNameUnsupported,
            msg,
            b.keyword_span.to(b.name.span),
        )
        .hint = Some(format!(
            "remove `map:` from the id; {} names primary keys itself",
            provider_display(provider)
        ));
    }
    if provider != Provider::Sqlserver {
        for e in &m.scalars {
            if let Some(a) = e
                .ast
                .attribute("default")
                .filter(|a| a.arg("map", None).is_some())
            {
                sink.attr_err(Code::ConstraintNameUnsupported, a, "You defined a database name for the default value of a field on the model. This is not supported by the provider.").hint =
                    Some("remove `map:`; only SQL Server names default constraints".into());
            }
        }
    }
    if matches!(provider, Provider::Sqlite | Provider::Mongodb) {
        for rf in &m.relation_fields {
            if let Some(a) = rf
                .ast
                .attribute("relation")
                .filter(|a| a.arg("map", None).is_some())
            {
                sink.attr_err(
                    Code::ConstraintNameUnsupported,
                    a,
                    "Your provider does not support named foreign keys.",
                )
                .hint = Some("remove `map:` from @relation".into());
            }
        }
    }
}

/// What kind of constraint a name belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Constraint {
    PrimaryKey,
    Index,
    ForeignKey,
    Default,
}

/// A namespace of constraint names, as Prisma 6 scopes them per provider: global (per schema)
/// or per table, and which constraints share it.
struct Scope {
    global: bool,
    members: &'static [Constraint],
    /// How Prisma's message names it (after "global" or "on model `X`").
    label: &'static str,
}

fn scopes(provider: Provider) -> &'static [Scope] {
    use Constraint::*;
    match provider {
        Provider::Postgresql => &[
            Scope {
                global: true,
                members: &[PrimaryKey, Index],
                label: "for primary key, indexes and unique constraints",
            },
            Scope {
                global: false,
                members: &[PrimaryKey, Index, ForeignKey],
                label: "for primary key, indexes, unique constraints and foreign keys",
            },
        ],
        Provider::Cockroachdb => &[Scope {
            global: false,
            members: &[PrimaryKey, Index, ForeignKey],
            label: "for primary key, indexes, unique constraints and foreign keys",
        }],
        Provider::Mysql => &[
            Scope {
                global: true,
                members: &[ForeignKey],
                label: "for foreign keys",
            },
            Scope {
                global: false,
                members: &[Index],
                label: "for indexes and unique constraints",
            },
        ],
        Provider::Sqlite => &[Scope {
            global: true,
            members: &[Index],
            label: "for indexes and unique constraints",
        }],
        Provider::Sqlserver => &[
            Scope {
                global: true,
                members: &[PrimaryKey, ForeignKey, Default],
                label: "for primary keys, foreign keys and default constraints",
            },
            Scope {
                global: false,
                members: &[PrimaryKey, Index],
                label: "for primary key, indexes and unique constraints",
            },
        ],
        Provider::Mongodb => &[Scope {
            global: false,
            members: &[Index],
            label: "for indexes and unique constraints",
        }],
    }
}

impl Scope {
    /// Whether a clash of a constraint of this kind in this namespace is reported: always, but
    /// for indexes in a namespace they share with foreign keys (Prisma does not check those).
    fn checks(&self, c: Constraint) -> bool {
        self.members.contains(&c)
            && !(c == Constraint::Index && self.members.contains(&Constraint::ForeignKey))
    }
}

/// Constraint names must be unique in Prisma's namespaces (see [`scopes`]); every constraint of
/// a clash is reported, as Prisma does. `relations` are the relations whose rules passed.
pub(super) fn constraint_names<'a>(db: &'a Db, relations: &'a [Relation], sink: &mut Sink) {
    // (model, constraint name, kind, attribute, span)
    let mut entries: Vec<(&'a Model, &'a str, Constraint, &str, Span)> = Vec::new();
    for m in db.models.iter().map(|m| &m.model) {
        if m.is_view {
            continue;
        }
        if let Some(pk) = &m.primary_key {
            entries.push((
                m,
                &pk.db_name,
                Constraint::PrimaryKey,
                pk_label(pk),
                pk.span,
            ));
        }
        for idx in m.uniques.iter().chain(&m.indexes) {
            entries.push((m, &idx.db_name, Constraint::Index, label(idx), idx.span));
        }
    }
    for m in &db.models {
        for (f, e) in m.model.fields.iter().zip(&m.scalars) {
            if let (Some(name), Some(a)) = (
                f.default.as_ref().and_then(|d| d.map.as_deref()),
                e.ast.attribute("default"),
            ) {
                entries.push((&m.model, name, Constraint::Default, "@default", a.span));
            }
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
        entries.push((&m.model, name, Constraint::ForeignKey, "@relation", span));
    }
    for scope in scopes(db.config.provider) {
        // Per namespace (schema, and model unless global: Prisma scopes them by model, not
        // by table) and name: how many use it.
        let key = |m: &'a Model, name: &'a str| {
            (
                m.schema.as_deref(),
                (!scope.global).then_some(m.name.as_str()),
                name,
            )
        };
        let mut counts: HashMap<(Option<&str>, Option<&str>, &str), usize> =
            HashMap::with_capacity(entries.len());
        for (m, name, kind, _, _) in &entries {
            if scope.members.contains(kind) {
                *counts.entry(key(m, name)).or_default() += 1;
            }
        }
        for (m, name, kind, label, span) in &entries {
            if !scope.checks(*kind) || counts.get(&key(m, name)).copied().unwrap_or(0) < 2 {
                continue;
            }
            if db.models.iter().filter(|x| x.model.name == m.name).count() > 1 {
                continue; // a model defined twice, reported as such
            }
            let namespace = if scope.global {
                format!("global {}", scope.label)
            } else {
                format!("on model `{}` {}", m.name, scope.label)
            };
            let msg = format!(
                "Error parsing attribute \"{label}\": The given constraint name `{name}` has to be unique in the following namespace: {namespace}. Please provide a different name using the `map` argument."
            );
            sink.err(Code::DuplicateConstraintName, msg, *span).hint =
                Some(format!("give it a name of its own with `map: \"...\"`; another constraint is named `{name}`"));
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
