//! What each provider has: enums, composite types, scalar lists, full-text indexes, the
//! default functions, referential actions, `autoincrement()`'s limits, MongoDB's `_id`.
//! A partial schema has no provider of its own and is checked against none of these.

use crate::ast::{Arity, ExprKind};
use crate::ast::{Block, BlockKind};
use crate::diagnostic::Code;
use crate::model::{
    DefaultKind, Provider, ReferentialAction, RelationMode, ScalarField, ScalarType,
};
use crate::validate::common::{kind_name, provider_display};
use crate::validate::db::{CompositeEntry, Db, EnumEntry, ModelEntry, ScalarEntry};
use crate::validate::sink::Sink;

/// Enums exist everywhere but on SQL Server.
pub(super) fn enum_supported(db: &Db, e: &EnumEntry, sink: &mut Sink) {
    if db.config.provider.supports_enums() || db.options.partial {
        return;
    }
    let msg = format!(
        "Error validating: You defined the enum `{}`. But the current connector does not support enums.",
        e.block.name.name
    );
    sink.err(Code::EnumsUnsupported, msg, e.block.name.span);
}

/// Composite types exist on MongoDB only.
pub(super) fn composite_type_supported(db: &Db, c: &CompositeEntry, sink: &mut Sink) {
    let provider = db.config.provider;
    if provider.supports_composite_types() || db.options.partial {
        return;
    }
    let msg = format!(
        "Error validating: Composite types are not supported on {}.",
        provider_display(provider)
    );
    sink.err(
        Code::CompositeTypesUnsupported,
        msg,
        c.block.keyword_span.to(c.block.name.span),
    );
}

/// Lists of scalars (`String[]`) exist on PostgreSQL, CockroachDB and MongoDB.
pub(super) fn scalar_list(db: &Db, b: &Block, f: &ScalarField, e: &ScalarEntry, sink: &mut Sink) {
    if f.arity != Arity::List
        || matches!(f.ty, ScalarType::Composite(_))
        || db.config.provider.supports_scalar_lists()
        || db.options.partial
    {
        return;
    }
    let Some(ty) = &e.ast.ty else { return };
    let msg = format!(
        "Field \"{}\" in model \"{}\" can't be a list. The current connector does not support lists of primitive types.",
        f.name, b.name.name
    );
    sink.err(Code::ScalarListsUnsupported, msg, ty.span);
}

/// Scalar types some providers lack: `Json` on SQL Server, `Decimal` on MongoDB, lists of
/// `Json` everywhere but on PostgreSQL and MongoDB (composite types' fields are not checked, as
/// Prisma does not check them).
pub(super) fn scalar_type(db: &Db, b: &Block, f: &ScalarField, e: &ScalarEntry, sink: &mut Sink) {
    let provider = db.config.provider;
    if db.options.partial || b.kind == BlockKind::Type {
        return;
    }
    let Some(ty) = &e.ast.ty else { return };
    let missing = match (provider, &f.ty) {
        (Provider::Sqlserver, ScalarType::Json) => Some("Json"),
        (Provider::Mongodb, ScalarType::Decimal) => Some("Decimal"),
        _ => None,
    };
    let json_list = f.arity == Arity::List
        && f.ty == ScalarType::Json
        && !matches!(provider, Provider::Postgresql | Provider::Mongodb);
    if missing.is_none() && !json_list {
        return;
    }
    let what = kind_name(b.kind);
    let prefix = format!(
        "Error validating field `{}` in {what} `{}`: Field `{}` in {what} `{}`",
        f.name, b.name.name, f.name, b.name.name
    );
    if let Some(name) = missing {
        let msg = format!("{prefix} can't be of type {name}. The current connector does not support the {name} type.");
        sink.err(Code::ScalarTypeUnsupported, msg, ty.span);
    }
    if json_list {
        let msg = format!("{prefix} can't be of type Json[]. The current connector does not support the Json List type.");
        sink.err(Code::ScalarTypeUnsupported, msg, ty.span);
    }
}

/// `autoincrement()` does not exist on MongoDB, `auto()` exists only there.
pub(super) fn default_functions(db: &Db, e: &ScalarEntry, sink: &mut Sink) {
    let provider = db.config.provider;
    for (a, kind) in &e.provider_defaults {
        match kind {
            DefaultKind::Autoincrement if provider == Provider::Mongodb => {
                sink.attr_err(
                    Code::DefaultFunctionUnsupported,
                    a,
                    "The `autoincrement()` default value is used with a datasource that does not support it.",
                );
            }
            DefaultKind::Auto if provider != Provider::Mongodb && !db.options.partial => {
                sink.attr_err(
                    Code::DefaultFunctionUnsupported,
                    a,
                    "The current connector does not support the `auto()` function.",
                );
            }
            _ => {}
        }
    }
}

/// The referential actions of the provider and relation mode; `SetDefault` on MySQL warns.
pub(super) fn referential_actions(db: &Db, m: &ModelEntry, sink: &mut Sink) {
    let allowed = db.allowed_actions();
    for rf in &m.relation_fields {
        for (action, span) in [rf.on_delete, rf.on_update].into_iter().flatten() {
            if !allowed.contains(&action) && !db.options.partial {
                let list = db.allowed_action_list();
                let mut msg = format!(
                    "Error validating: Invalid referential action: `{}`. Allowed values: ({list})",
                    action.as_str()
                );
                if action == ReferentialAction::NoAction
                    && db.config.relation_mode == RelationMode::Prisma
                {
                    let name = match db.config.provider {
                        Provider::Sqlite => "sqlite",
                        _ => "Postgres",
                    };
                    msg.push_str(&format!(". `NoAction` is not implemented for {name} when using `relationMode = \"prisma\"`, you could try using `Restrict` instead. Learn more at https://pris.ly/d/relation-mode"));
                }
                sink.err(Code::ReferentialActionUnsupported, msg, span).hint =
                    Some(format!("allowed here: {list}"));
            } else if action == ReferentialAction::SetDefault
                && db.config.provider == Provider::Mysql
            {
                sink.warn(
                    Code::MysqlSetDefault,
                    "MySQL does not actually support the `SetDefault` referential action, so using it may result in unexpected errors. Read more at https://pris.ly/d/mysql-set-default",
                    span,
                );
            }
        }
    }
}

/// Full-text indexes exist on MySQL and MongoDB.
pub(super) fn fulltext(m: &ModelEntry, sink: &mut Sink) {
    for a in &m.unsupported_fulltext {
        sink.attr_err(
            Code::FulltextUnsupported,
            a,
            "Defining fulltext indexes is not supported with the current connector.",
        );
    }
}

/// SQLite allows `autoincrement()` only on the id, MySQL only once per table and on an
/// indexed column.
pub(super) fn autoincrement(db: &Db, m: &ModelEntry, sink: &mut Sink) {
    let provider = db.config.provider;
    if !matches!(provider, Provider::Sqlite | Provider::Mysql) || db.options.partial {
        return;
    }
    let b = m.block;
    let auto: Vec<&ScalarField> = m
        .model
        .fields
        .iter()
        .filter(|f| {
            matches!(
                f.default.as_ref().map(|d| &d.kind),
                Some(DefaultKind::Autoincrement)
            )
        })
        .collect();
    let attr_span = |f: &ScalarField| {
        b.fields()
            .find(|x| x.name.name == f.name)
            .and_then(|x| x.attribute("default"))
            .map_or(f.span, |a| a.span)
    };
    if auto.len() > 1 {
        sink.err(
            Code::AutoincrementMultiple,
            "Error parsing attribute \"@default\": The `autoincrement()` default value is used multiple times on this model even though the underlying datasource only supports one instance per table.",
            b.keyword_span.to(b.name.span),
        );
    }
    let pk = m.model.primary_key.as_ref();
    for f in auto {
        let is_id = pk.is_some_and(|p| p.fields.first().is_some_and(|x| x.name == f.name));
        if provider == Provider::Sqlite && !is_id {
            sink.err(
                Code::AutoincrementNotId,
                "Error parsing attribute \"@default\": The `autoincrement()` default value is used on a non-id field even though the datasource does not support this.",
                attr_span(f),
            );
        }
        let indexed = is_id
            || m.model
                .uniques
                .iter()
                .any(|u| u.fields.first().is_some_and(|x| x.name == f.name))
            || b.attributes().any(|a| {
                a.name.name == "index"
                    && a.arg("fields", Some(0))
                        .and_then(|x| x.value.as_list().first())
                        .is_some_and(|x| matches!(&x.kind, ExprKind::Const(c) | ExprKind::Call { name: c, .. } if *c == f.name))
            });
        if !indexed {
            sink.err(
                Code::AutoincrementNotIndexed,
                "Error parsing attribute \"@default\": The `autoincrement()` default value is used on a non-indexed field even though the datasource does not support this.",
                attr_span(f),
            );
        }
    }
}

/// MongoDB reads `.` in a field name as a path and `$` at its start as an operator: a model's
/// field may not be mapped to such a name (composite types' fields are not checked, as Prisma
/// does not check them).
pub(super) fn mongodb_field_names(db: &Db, m: &ModelEntry, sink: &mut Sink) {
    if db.config.provider != Provider::Mongodb || db.options.partial {
        return;
    }
    for e in &m.scalars {
        let Some(a) = e.ast.attribute("map") else {
            continue;
        };
        let Some(name) = a.arg("name", Some(0)).and_then(|x| x.value.as_str()) else {
            continue;
        };
        let why = if name.contains('.') {
            "The field name cannot contain a `.` character"
        } else if name.starts_with('$') {
            "The field name cannot start with a `$` character"
        } else {
            continue;
        };
        sink.attr_err(Code::MongodbFieldName, a, why).hint = Some(
            "MongoDB reads `.` as a path into a document and a leading `$` as an operator".into(),
        );
    }
}

/// Shard keys need the `shardKeys` preview feature, and exist on MySQL (PlanetScale) only.
pub(super) fn shard_keys(db: &Db, m: &ModelEntry, sink: &mut Sink) {
    if db.options.partial {
        return;
    }
    let b = m.block;
    let attrs = b
        .fields()
        .filter_map(|f| f.attribute("shardKey"))
        .chain(b.attribute("shardKey"));
    for a in attrs {
        let mut why = Vec::new();
        if !db.config.has_preview("shardKeys") {
            why.push(
                "Defining shard keys requires enabling the `shardKeys` preview feature".to_string(),
            );
        }
        if db.config.provider != Provider::Mysql {
            why.push(format!(
                "Shard keys are not currently supported for provider {}",
                db.config.provider
            ));
        }
        for msg in why {
            sink.attr_err(Code::ShardKeyUnsupported, a, msg).hint = Some(
                "shard keys exist on MySQL (PlanetScale), with `previewFeatures = [\"shardKeys\"]`"
                    .into(),
            );
        }
    }
}

/// MongoDB's ids are the `_id` field.
pub(super) fn mongodb_id(db: &Db, m: &ModelEntry, sink: &mut Sink) {
    if db.config.provider != Provider::Mongodb || db.options.partial {
        return;
    }
    let Some(pk) = &m.model.primary_key else {
        return;
    };
    let mapped = pk.fields.len() == 1 && pk.fields[0].db_name == "_id";
    if !mapped {
        let msg = format!(
            "Error validating field `{}` in model `{}`: MongoDB model IDs must have an @map(\"_id\") annotation.",
            pk.fields[0].name, m.block.name.name
        );
        sink.err(Code::MongodbIdMap, msg, pk.span).hint =
            Some("write `id String @id @default(auto()) @map(\"_id\") @db.ObjectId`".into());
    }
}
