//! Filters, orderings and setters, typed by the model they apply to.
//!
//! The generated field modules build these (`post::title::contains("rust")`); the runtime
//! turns them into SQL.

use std::marker::PhantomData;

use sea_query::Value;

/// A comparison on one scalar field.
#[derive(Debug, Clone)]
pub enum Op {
    /// Equal to the value (a NULL value: the field is NULL).
    Equals(Value),
    /// Not equal to the value; a NULL field does not match, as in Prisma (a NULL value: not
    /// NULL).
    Not(Value),
    /// Equal to one of the values.
    In(Vec<Value>),
    /// Equal to none of the values.
    NotIn(Vec<Value>),
    /// Less than the value.
    Lt(Value),
    /// Less than or equal to the value.
    Lte(Value),
    /// Greater than the value.
    Gt(Value),
    /// Greater than or equal to the value.
    Gte(Value),
    /// The text holds the string (`LIKE '%s%'`, with the string's wildcards escaped).
    Contains(String),
    /// The text starts with the string.
    StartsWith(String),
    /// The text ends with the string.
    EndsWith(String),
    /// The field is NULL.
    IsNull,
    /// The field is not NULL.
    IsNotNull,
    /// A scalar list holds every element of the array value (`has`, `has_every`).
    HasEvery(Value),
    /// A scalar list holds at least one element of the array value.
    HasSome(Value),
    /// A scalar list is empty (`true`) or not.
    IsEmpty(bool),
    /// The inner comparison, ignoring case.
    Insensitive(Box<Op>),
}

/// How a relation filter quantifies over related records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelOp {
    /// At least one related record matches (to-many).
    Some,
    /// Every related record matches (to-many; true when there are none).
    Every,
    /// No related record matches (to-many).
    None,
    /// The related record exists and matches (to-one).
    Is,
    /// The related record does not match, or there is none (to-one).
    IsNot,
}

/// An untyped filter; field and relation numbers index the model's metadata.
#[derive(Debug, Clone)]
pub enum Filter {
    /// A comparison on scalar field number `.0`.
    Field(usize, Op),
    /// All of the filters.
    And(Vec<Filter>),
    /// Any of the filters (an empty list matches nothing, as in Prisma).
    Or(Vec<Filter>),
    /// None of the filters.
    Not(Vec<Filter>),
    /// Related records of relation number `.0` matching the filters, quantified by `.1`.
    Relation(usize, RelOp, Vec<Filter>),
}

/// Case sensitivity of string filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueryMode {
    /// The database's own comparison: case-sensitive on PostgreSQL; SQLite's `LIKE` ignores
    /// the case of ASCII letters; MySQL follows the column's collation.
    #[default]
    Default,
    /// Ignore case (`ILIKE` on PostgreSQL, `LOWER(...)` elsewhere).
    Insensitive,
}

/// A filter on records of model `M`.
pub struct Where<M> {
    pub(crate) filter: Filter,
    _m: PhantomData<fn() -> M>,
}

impl<M> std::fmt::Debug for Where<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.filter.fmt(f)
    }
}

impl<M> Clone for Where<M> {
    fn clone(&self) -> Self {
        Where::from_filter(self.filter.clone())
    }
}

impl<M> Where<M> {
    #[doc(hidden)]
    pub fn from_filter(filter: Filter) -> Self {
        Where {
            filter,
            _m: PhantomData,
        }
    }
    #[doc(hidden)]
    pub fn field(field: usize, op: Op) -> Self {
        Self::from_filter(Filter::Field(field, op))
    }
    #[doc(hidden)]
    pub fn relation<C>(rel: usize, op: RelOp, inner: Vec<Where<C>>) -> Self {
        Self::from_filter(Filter::Relation(
            rel,
            op,
            inner.into_iter().map(|w| w.filter).collect(),
        ))
    }
    /// All of the filters (what `and!` builds).
    pub fn and(all: Vec<Where<M>>) -> Self {
        Self::from_filter(Filter::And(all.into_iter().map(|w| w.filter).collect()))
    }
    /// Any of the filters (what `or!` builds).
    pub fn or(any: Vec<Where<M>>) -> Self {
        Self::from_filter(Filter::Or(any.into_iter().map(|w| w.filter).collect()))
    }
    /// None of the filters (what `not!` builds).
    pub fn not(none: Vec<Where<M>>) -> Self {
        Self::from_filter(Filter::Not(none.into_iter().map(|w| w.filter).collect()))
    }
    /// Sets the case mode of a string filter: `title::contains("rust").mode(QueryMode::Insensitive)`.
    #[must_use]
    pub fn mode(mut self, mode: QueryMode) -> Self {
        if mode == QueryMode::Insensitive {
            if let Filter::Field(_, op) = &mut self.filter {
                let inner = std::mem::replace(op, Op::IsNull);
                *op = match inner {
                    Op::Insensitive(i) => Op::Insensitive(i),
                    other => Op::Insensitive(Box::new(other)),
                };
            }
        }
        self
    }
}

/// A filter that selects at most one record of `M`: a unique field or compound unique.
pub struct Unique<M> {
    pub(crate) filter: Filter,
    _m: PhantomData<fn() -> M>,
}

impl<M> std::fmt::Debug for Unique<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.filter.fmt(f)
    }
}

impl<M> Clone for Unique<M> {
    fn clone(&self) -> Self {
        Unique::from_filter(self.filter.clone())
    }
}

impl<M> Unique<M> {
    #[doc(hidden)]
    pub fn from_filter(filter: Filter) -> Self {
        Unique {
            filter,
            _m: PhantomData,
        }
    }
    #[doc(hidden)]
    pub fn fields(values: Vec<(usize, Value)>) -> Self {
        Self::from_filter(Filter::And(
            values
                .into_iter()
                .map(|(f, v)| Filter::Field(f, Op::Equals(v)))
                .collect(),
        ))
    }
}

impl<M> From<Unique<M>> for Where<M> {
    fn from(u: Unique<M>) -> Self {
        Where::from_filter(u.filter)
    }
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Direction {
    /// Smallest first.
    #[default]
    Asc,
    /// Largest first.
    Desc,
}

/// An ordering of records of `M` by one field.
pub struct OrderBy<M> {
    pub(crate) field: usize,
    pub(crate) direction: Direction,
    _m: PhantomData<fn() -> M>,
}

impl<M> Clone for OrderBy<M> {
    fn clone(&self) -> Self {
        OrderBy::new(self.field, self.direction)
    }
}

impl<M> std::fmt::Debug for OrderBy<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OrderBy({}, {:?})", self.field, self.direction)
    }
}

impl<M> OrderBy<M> {
    #[doc(hidden)]
    pub fn new(field: usize, direction: Direction) -> Self {
        OrderBy {
            field,
            direction,
            _m: PhantomData,
        }
    }
}

/// What a setter does to a scalar field.
#[derive(Debug, Clone)]
pub enum SetOp {
    /// Sets the field to the value.
    Set(Value),
    /// Adds the value.
    Increment(Value),
    /// Subtracts the value.
    Decrement(Value),
    /// Multiplies by the value.
    Multiply(Value),
    /// Divides by the value.
    Divide(Value),
    /// Appends the elements of an array value to a scalar list.
    Push(Value),
}

#[derive(Debug, Clone)]
pub(crate) enum SetKind {
    Field(usize, SetOp),
    /// Link to the record the filter selects (or several, for to-many relations).
    Connect(usize, Vec<Filter>),
    /// Unlink: a to-one relation entirely; the selected records of a to-many relation.
    Disconnect(usize, Option<Vec<Filter>>),
}

/// A change to one field or relation of `M`, for `create`, `update` and friends.
pub struct Set<M> {
    pub(crate) kind: SetKind,
    _m: PhantomData<fn() -> M>,
}

impl<M> Clone for Set<M> {
    fn clone(&self) -> Self {
        Set {
            kind: self.kind.clone(),
            _m: PhantomData,
        }
    }
}

impl<M> std::fmt::Debug for Set<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.kind.fmt(f)
    }
}

impl<M> Set<M> {
    fn of(kind: SetKind) -> Self {
        Set {
            kind,
            _m: PhantomData,
        }
    }
    #[doc(hidden)]
    pub fn field(field: usize, op: SetOp) -> Self {
        Self::of(SetKind::Field(field, op))
    }
    #[doc(hidden)]
    pub fn connect<C>(rel: usize, targets: Vec<Unique<C>>) -> Self {
        Self::of(SetKind::Connect(
            rel,
            targets.into_iter().map(|u| u.filter).collect(),
        ))
    }
    #[doc(hidden)]
    pub fn disconnect<C>(rel: usize, targets: Option<Vec<Unique<C>>>) -> Self {
        Self::of(SetKind::Disconnect(
            rel,
            targets.map(|t| t.into_iter().map(|u| u.filter).collect()),
        ))
    }
}
