//! The rules: what a schema that reads well may still get wrong. Each is a small named
//! function over the resolved [`Db`], in a module per subject:
//!
//! | module | subject |
//! | --- | --- |
//! | `names` | reserved names; tables, columns and enum types that collide |
//! | `datasource` | datasource properties that depend on the rest of the configuration |
//! | `schemas` | multi-schema: `schemas` and `@@schema` |
//! | `types` | enums and composite types |
//! | `attributes` | where field attributes may stand |
//! | `providers` | what each provider has (enums, lists, full-text, default functions, ...) |
//! | `views` | what a view may not have |
//! | `indexes` | per-field index arguments, clustering, MySQL's prefix lengths, constraint names, relation-mode indexes |
//! | `index_types` | index types and PostgreSQL's operator classes |
//! | `models` | one id, a unique criterion |
//! | `relations` | both sides, no ambiguity, a foreign key the database can enforce |
//! | `cycles` | referential actions that loop, or meet on SQL Server |
//!
//! They run block by block (the rules about one model while it is at hand), then across
//! blocks; diagnostics are sorted by position afterwards, so the order only decides between two
//! diagnostics at one position.

mod attributes;
mod cycles;
mod datasource;
mod index_types;
mod indexes;
mod models;
mod names;
mod providers;
mod relations;
mod schemas;
mod types;
mod views;

use super::db::{Db, ScalarEntry, Verdicts};
use super::lower;
use super::sink::Sink;
use crate::ast::Block;
use crate::model::ScalarField;

/// Applies every rule: those about one block or field as each is visited, then those across
/// blocks.
pub(crate) fn check(db: &Db, sink: &mut Sink) -> Verdicts {
    names::reserved_names(db, sink);
    schemas::schemas_property_supported(db, sink);
    datasource::extensions_need_preview(db, sink);

    for e in &db.enums {
        providers::enum_supported(db, e, sink);
        types::enum_has_values(e, sink);
        schemas::enum_schema(db, e, sink);
    }

    for c in &db.composite_types {
        providers::composite_type_supported(db, c, sink);
        for (f, e) in c.value.fields.iter().zip(&c.scalars) {
            scalar_field(db, c.block, f, e, sink);
        }
    }
    types::composite_cycles(db, sink);

    for m in &db.models {
        views::preview(db, m, sink);
        schemas::model_schema(db, m, sink);
        for (f, e) in m.model.fields.iter().zip(&m.scalars) {
            scalar_field(db, m.block, f, e, sink);
        }
        attributes::relation_fields(m, sink);
        providers::referential_actions(db, m, sink);
        providers::fulltext(m, sink);
        views::attributes(m, sink);
        indexes::arguments(db, m, sink);
        indexes::clustering(db, m, sink);
        indexes::names_supported(db, m, sink);
        indexes::mysql_prefix_lengths(db, m, sink);
        index_types::check(db, m, sink);
        providers::autoincrement(db, m, sink);
        models::one_id(m, sink);
        providers::mongodb_id(db, m, sink);
        providers::mongodb_field_names(db, m, sink);
        providers::shard_keys(db, m, sink);
        models::unique_criterion(m, sink);
        models::client_names(m, sink);
        names::columns(m, sink);
    }
    names::tables(db, sink);

    let ok = relations::check(db, sink);
    cycles::check(db, &ok, sink);
    let verdicts = lower::relations(db, &ok);
    indexes::constraint_names(db, &verdicts.relations, sink);
    indexes::relation_mode_indexes(db, &verdicts.relations, sink);
    names::enum_db_names(db, sink);
    verdicts
}

/// The rules about one scalar field (of a model, view or composite type).
fn scalar_field(db: &Db, b: &Block, f: &ScalarField, e: &ScalarEntry, sink: &mut Sink) {
    providers::scalar_type(db, b, f, e, sink);
    providers::scalar_list(db, b, f, e, sink);
    attributes::scalar_field(b, f, e, sink);
    providers::default_functions(db, e, sink);
}
