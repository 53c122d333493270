//! The generic client every generated model delegates to: reads, writes and relation loads.
//!
//! Modules, each depending only on those listed before it:
//!
//! - [`traits`]: the traits generated code implements ([`Model`](traits::Model),
//!   [`Writable`](traits::Writable), [`Load`](traits::Load));
//! - [`record`]: what a write reads back (a model's data, or an untyped row of a related model);
//! - [`find`]: the arguments of a read and the SELECT they make;
//! - [`aggregate`]: aggregates and their tuples, `aggregate` and `group_by`;
//! - [`read`]: the read builders (`find_many`, `find_unique`, `count`, `select!`);
//! - [`fetch`]: relation loading (`.with(...)`), one query per relation level;
//! - [`plan`]: write planning (setters to columns, client defaults; nested writes kept in order);
//! - [`mysql`]: the extra reads a backend without `RETURNING` needs around a write;
//! - [`nested`]: writes with nested writes, planned and run in one transaction;
//! - [`write`](mod@write): the write builders (`create`, `update`, `upsert`, `delete`, ...);
//! - [`batch`]: independent queries in one transaction (`_batch`).
//!
//! The crate's `model` module builds on them: one model's entry points (`ReadActions`,
//! `Actions`), whose methods return the builders. This file only declares the modules; the
//! crate root re-exports the public items.

pub(crate) mod aggregate;
pub(crate) mod batch;
pub(crate) mod fetch;
pub(crate) mod find;
pub(crate) mod mysql;
pub(crate) mod nested;
pub(crate) mod plan;
pub(crate) mod read;
pub(crate) mod record;
pub(crate) mod traits;
pub(crate) mod write;
