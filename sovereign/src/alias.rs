//! Table aliases: the names that qualify a model's columns in a statement, by depth.
//!
//! A statement's own model is at depth [`ROOT`] and its table is aliased [`T0`] (`t0`). A
//! relation filter (`post::author::is(...)`, `user::posts::some(...)`, ...) becomes an
//! `EXISTS` subquery over the related table one depth further down, aliased `t1`, then `t2`
//! for a relation filter inside that one, and so on ([`table`]). Distinct names per depth let
//! a subquery's condition name its own table and the one around it, even when both are the
//! same table (a self-relation: a user's mentor is a user). An implicit many-to-many
//! relation's join table is aliased by the depth of the model it leads to: `jt1`, `jt2`, ...
//! ([`join_table`]).
//!
//! UPDATE and DELETE name their table without an alias: there the table's own name qualifies
//! the columns at depth [`ROOT`], and relation filters go down from it as in a SELECT.
//!
//! Subqueries of other kinds have fixed places: the lookup of a nested `connect`'s key at
//! [`LOOKUP`], the cursor record's values at [`CURSOR`] (aliased [`CURSOR_TABLE`]), and the join
//! table of a relation load [`LOAD_JOIN`].

/// How far a model is, in relation filters, from the statement's own model.
///
/// A plain number rather than a newtype: `sql::Cond::all` takes one, and `sovereign::dynamic`
/// passes its own.
pub(crate) type Depth = usize;

/// Aliases by depth; [`table`] picks one.
pub(crate) const ALIAS: [&str; DEPTHS] = [
    "t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9", "t10", "t11",
];

/// Join-table aliases by the depth of the model the join table leads to.
const JOIN_ALIAS: [&str; DEPTHS] = [
    "jt0", "jt1", "jt2", "jt3", "jt4", "jt5", "jt6", "jt7", "jt8", "jt9", "jt10", "jt11",
];

/// How many depths have their own alias. Deeper relation filters reuse the last one, `t11`,
/// which then hides the table of the level above: relation filters nested that deep are not
/// supported.
pub(crate) const DEPTHS: usize = 12;

/// The statement's own model.
pub(crate) const ROOT: Depth = 0;

/// The alias of the statement's own model in a SELECT: `t0`.
pub(crate) const T0: &str = table(ROOT);

/// A nested `connect` inside an INSERT or UPDATE: the subquery that looks up the connected
/// record's key sits one level below the written row, aliased `t1`.
pub(crate) const LOOKUP: Depth = 1;

/// The subqueries that read the cursor record's values for `cursor(...)`: aliased
/// [`CURSOR_TABLE`] and placed at depth 6, well below the levels a query usually uses, so that
/// the aliases of a relation filter inside a cursor's filter (`t7`, ...) are not names the
/// query around it uses, and the SQL reads without ambiguity.
pub(crate) const CURSOR: Depth = 6;

/// The alias of the cursor record's table: `tc`.
pub(crate) const CURSOR_TABLE: &str = "tc";

/// The join table of a relation load over an implicit many-to-many relation: `j` (the loaded
/// model is [`T0`]; the join table's column of the parent's key selects the parents).
pub(crate) const LOAD_JOIN: &str = "j";

/// The alias of the table of a model at `depth`.
pub(crate) const fn table(depth: Depth) -> &'static str {
    ALIAS[if depth < DEPTHS { depth } else { DEPTHS - 1 }]
}

/// The alias of the join table that leads to a model at `depth`.
pub(crate) const fn join_table(depth: Depth) -> &'static str {
    JOIN_ALIAS[if depth < DEPTHS { depth } else { DEPTHS - 1 }]
}
