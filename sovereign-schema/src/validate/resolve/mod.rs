//! The resolving pass: reads the files once into the [`Db`], pass by pass as Prisma's parser
//! database does: the names of the blocks, the configuration, enums, composite types, models
//! (their fields' types and attributes), then the relations between them.
//!
//! It reports what it cannot read (an unknown type or attribute, an argument of the wrong
//! shape, a name defined twice); what a well-read schema may still get wrong is for
//! [`super::rules`].

mod attributes;
mod config;
mod defaults;
mod enums;
mod fields;
mod models;
mod names;
mod relations;

use super::db::{Db, ValidateOptions};
use super::sink::Sink;
use crate::ast::{BlockKind, Item, SchemaAst};

/// Reads the files as one schema.
pub(crate) fn resolve(files: &[SchemaAst], options: ValidateOptions) -> (Db<'_>, Sink) {
    let mut sink = Sink::default();
    let mut blocks = Vec::new();
    let mut locs = Vec::new();
    for (fi, f) in files.iter().enumerate() {
        for (ii, item) in f.items.iter().enumerate() {
            if let Item::Block(b) = item {
                blocks.push(b);
                locs.push((fi, ii));
            }
        }
    }
    let (tops, first_definition) = names::resolve(&blocks, &mut sink);
    let mut models = 0;
    let block_models = blocks
        .iter()
        .map(|b| {
            matches!(b.kind, BlockKind::Model | BlockKind::View).then(|| {
                models += 1;
                models - 1
            })
        })
        .collect();
    let (config, datasource, generators) = config::resolve(&blocks, options, &mut sink);
    let mut db = Db {
        options,
        blocks,
        first_definition,
        tops,
        block_models,
        config,
        datasource,
        generators,
        enums: Vec::new(),
        composite_types: Vec::new(),
        models: Vec::new(),
        relations: Vec::new(),
    };
    db.enums = enums::resolve(&db, &mut sink);
    db.composite_types = models::composite_types(&db, &mut sink);
    db.models = models::resolve(&db, &locs, &mut sink);
    db.relations = relations::pair(&db);
    (db, sink)
}
