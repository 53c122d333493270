//! Multi-schema: the datasource's `schemas`, and `@@schema` on models, views and enums.

use crate::ast::{Block, BlockKind};
use crate::diagnostic::Code;
use crate::model::Provider;
use crate::source::Span;
use crate::validate::db::{Db, EnumEntry, ModelEntry};
use crate::validate::sink::Sink;

/// `schemas = [...]` exists on PostgreSQL, CockroachDB and SQL Server only.
pub(super) fn schemas_property_supported(db: &Db, sink: &mut Sink) {
    let Some(p) = db
        .blocks
        .iter()
        .find(|b| b.kind == BlockKind::Datasource)
        .and_then(|b| b.property("schemas"))
    else {
        return;
    };
    if !matches!(
        db.config.provider,
        Provider::Postgresql | Provider::Cockroachdb | Provider::Sqlserver
    ) {
        sink.err(
            Code::SchemasUnsupported,
            "The `schemas` property is not supported on the current connector.",
            p.span,
        );
    }
}

/// An enum's `@@schema` names a schema of the datasource, and with `schemas` every enum has one.
pub(super) fn enum_schema(db: &Db, e: &EnumEntry, sink: &mut Sink) {
    schema_attributes(db, &e.schema_attrs, sink);
    if e.value.schema.is_none() {
        missing(
            db,
            e.block,
            "This enum is missing an `@@schema` attribute.",
            sink,
        );
    }
}

/// A model's `@@schema` names a schema of the datasource, and with `schemas` every model and
/// view has one.
pub(super) fn model_schema(db: &Db, m: &ModelEntry, sink: &mut Sink) {
    schema_attributes(db, &m.schema_attrs, sink);
    if m.model.schema.is_none() {
        let (kind, what) = if m.model.is_view {
            ("view", "This view")
        } else {
            ("model", "This model")
        };
        let msg = format!(
            "Error validating {kind} \"{}\": {what} is missing an `@@schema` attribute.",
            m.block.name.name
        );
        missing(db, m.block, &msg, sink);
    }
}

fn schema_attributes(db: &Db, attrs: &[(Span, String)], sink: &mut Sink) {
    for (span, s) in attrs {
        match &db.config.ds_schemas {
            Some(list) if list.contains(s) => {}
            _ if db.options.partial => {}
            _ => {
                sink.err(
                    Code::SchemaUndefined,
                    "This schema is not defined in the datasource. Read more on `@@schema` at https://pris.ly/d/multi-schema",
                    *span,
                )
                .hint = Some(format!("add \"{s}\" to `schemas` in the datasource block"));
            }
        }
    }
}

/// With `schemas` in the datasource, a block without `@@schema` (one that does not read is
/// reported as such).
fn missing(db: &Db, b: &Block, msg: &str, sink: &mut Sink) {
    if db.config.ds_schemas.is_some() && !db.options.partial && b.attribute("schema").is_none() {
        sink.err(Code::SchemaMissing, msg, b.name.span);
    }
}
