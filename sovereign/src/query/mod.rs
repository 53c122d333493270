//! The generic client every generated model delegates to: reads, writes and relation loads.
//!
//! Modules, each depending only on those listed before it:
//!
//! - [`traits`]: the traits generated code implements ([`Model`](traits::Model),
//!   [`Writable`](traits::Writable), [`Load`](traits::Load));
//! - [`find`]: the arguments of a read and the SELECT they make;
//! - [`read`]: the read builders (`find_many`, `find_unique`, `count`, `select!`);
//! - [`fetch`]: relation loading (`.with(...)`), one query per relation level;
//! - [`plan`]: write planning (setters to columns, nested connects, client defaults) and the
//!   relation changes run after a write;
//! - [`mysql`]: the extra reads a backend without `RETURNING` needs around a write;
//! - [`write`](mod@write): the write builders (`create`, `update`, `upsert`, `delete`, ...).
//!
//! The crate's `model` module builds on them: one model's entry points (`ReadActions`,
//! `Actions`), whose methods return the builders. This file only declares the modules; the
//! crate root re-exports the public items.

pub(crate) mod fetch;
pub(crate) mod find;
pub(crate) mod mysql;
pub(crate) mod plan;
pub(crate) mod read;
pub(crate) mod traits;
pub(crate) mod write;
