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
    /// A Json field's value at a path of object keys (empty: the whole value), compared.
    Json(Vec<String>, JsonOp),
    /// Full-text search (PostgreSQL's `to_tsvector(...) @@ to_tsquery(...)`, MySQL's `MATCH ...
    /// AGAINST` in boolean mode, which needs a `@@fulltext` index).
    Search(String),
}

/// A comparison of a Json value (at a path), as Prisma's Json filters
/// (<https://www.prisma.io/docs/orm/prisma-client/special-fields-and-types/working-with-json-fields#filter-on-a-json-field>).
#[derive(Debug, Clone)]
pub enum JsonOp {
    /// The value equals this one.
    Equals(serde_json::Value),
    /// The value differs from this one (a missing value does not match).
    Not(serde_json::Value),
    /// The value is a string that holds this one.
    StringContains(String),
    /// The value is a string that starts with this one.
    StringStartsWith(String),
    /// The value is a string that ends with this one.
    StringEndsWith(String),
    /// The value is an array that holds every element of this array (or this value).
    ArrayContains(serde_json::Value),
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

/// A Json field's value at a path of object keys, to filter on:
/// `user::settings::path(vec!["theme"]).equals(json!("dark"))`.
pub struct JsonPath<M> {
    field: usize,
    path: Vec<String>,
    _m: PhantomData<fn() -> M>,
}

impl<M> JsonPath<M> {
    #[doc(hidden)]
    pub fn new(field: usize, path: Vec<&str>) -> Self {
        JsonPath {
            field,
            path: path.into_iter().map(str::to_string).collect(),
            _m: PhantomData,
        }
    }
    fn op(self, op: JsonOp) -> Where<M> {
        Where::field(self.field, Op::Json(self.path, op))
    }
    /// The value there equals `v`.
    pub fn equals(self, v: impl Into<serde_json::Value>) -> Where<M> {
        self.op(JsonOp::Equals(v.into()))
    }
    /// The value there differs from `v` (a record without one does not match).
    pub fn not(self, v: impl Into<serde_json::Value>) -> Where<M> {
        self.op(JsonOp::Not(v.into()))
    }
    /// The value there is a string that holds `s`.
    pub fn string_contains(self, s: impl Into<String>) -> Where<M> {
        self.op(JsonOp::StringContains(s.into()))
    }
    /// The value there is a string that starts with `s`.
    pub fn string_starts_with(self, s: impl Into<String>) -> Where<M> {
        self.op(JsonOp::StringStartsWith(s.into()))
    }
    /// The value there is a string that ends with `s`.
    pub fn string_ends_with(self, s: impl Into<String>) -> Where<M> {
        self.op(JsonOp::StringEndsWith(s.into()))
    }
    /// The value there is an array that holds every element of `v` (an array, or one value).
    pub fn array_contains(self, v: impl Into<serde_json::Value>) -> Where<M> {
        self.op(JsonOp::ArrayContains(v.into()))
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
    /// The record whose field `field` equals `value` (one field: no list to allocate).
    #[doc(hidden)]
    pub fn field(field: usize, value: Value) -> Self {
        Self::from_filter(Filter::Field(field, Op::Equals(value)))
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

/// Where NULLs go in an ordering by an optional field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Nulls {
    /// Before the values.
    First,
    /// After the values.
    Last,
}

/// What records are ordered by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum OrderKey {
    /// Scalar field number `.0`.
    Field(usize),
    /// A key of the related record of to-one relation number `.0`.
    Related(usize, Box<OrderKey>),
    /// The number of related records of list relation number `.0`.
    Count(usize),
}

/// One ordering: a key, its direction, and where NULLs go (the database's default if `None`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Ordering {
    pub(crate) key: OrderKey,
    pub(crate) direction: Direction,
    pub(crate) nulls: Option<Nulls>,
}

impl Ordering {
    pub(crate) fn field(field: usize, direction: Direction) -> Self {
        Ordering {
            key: OrderKey::Field(field),
            direction,
            nulls: None,
        }
    }
    /// The scalar field it orders by, if it is one of the model's own.
    pub(crate) fn own_field(&self) -> Option<usize> {
        match self.key {
            OrderKey::Field(f) => Some(f),
            _ => None,
        }
    }
    /// The reverse ordering (what reading backwards reads in).
    pub(crate) fn flipped(&self) -> Self {
        Ordering {
            key: self.key.clone(),
            direction: match self.direction {
                Direction::Asc => Direction::Desc,
                Direction::Desc => Direction::Asc,
            },
            nulls: self.nulls.map(|n| match n {
                Nulls::First => Nulls::Last,
                Nulls::Last => Nulls::First,
            }),
        }
    }
}

/// An ordering of records of `M`: by a field (`post::views::order(Direction::Desc)`), a field of
/// a to-one relation (`post::author::order(user::name::order(Direction::Asc))`) or the number of
/// related records of a list relation (`user::posts::order_count(Direction::Desc)`).
pub struct OrderBy<M> {
    pub(crate) order: Ordering,
    _m: PhantomData<fn() -> M>,
}

impl<M> Clone for OrderBy<M> {
    fn clone(&self) -> Self {
        OrderBy::of(self.order.clone())
    }
}

impl<M> std::fmt::Debug for OrderBy<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.order.fmt(f)
    }
}

impl<M> OrderBy<M> {
    fn of(order: Ordering) -> Self {
        OrderBy {
            order,
            _m: PhantomData,
        }
    }
    #[doc(hidden)]
    pub fn new(field: usize, direction: Direction) -> Self {
        Self::of(Ordering::field(field, direction))
    }
    #[doc(hidden)]
    pub fn related<C>(rel: usize, inner: OrderBy<C>) -> Self {
        let o = inner.order;
        Self::of(Ordering {
            key: OrderKey::Related(rel, Box::new(o.key)),
            direction: o.direction,
            nulls: o.nulls,
        })
    }
    #[doc(hidden)]
    pub fn count(rel: usize, direction: Direction) -> Self {
        Self::of(Ordering {
            key: OrderKey::Count(rel),
            direction,
            nulls: None,
        })
    }
    /// Puts NULLs first or last (`user::name::order(Direction::Asc).nulls(Nulls::Last)`), as
    /// Prisma's `{ sort, nulls }`; MySQL, which has no `NULLS FIRST`, orders by `IS NULL` first.
    #[must_use]
    pub fn nulls(mut self, n: Nulls) -> Self {
        self.order.nulls = Some(n);
        self
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
    /// A change to scalar field number `.0`.
    Field(usize, SetOp),
    /// A nested write through relation number `.0` (boxed: a nested write is several times
    /// the size of a field's change, which every setter would carry and move otherwise).
    Relation(usize, Box<Nested>),
}

/// The setters of many rows (a `create_many`'s), one row after another in one vector, with
/// where each row ends: two allocations for all the rows, where a vector per row measured about
/// a quarter of the client's own work (above SQLite's) in a `create_many` of 1,000 rows.
#[derive(Debug, Clone, Default)]
pub(crate) struct SetRows {
    sets: Vec<SetKind>,
    ends: Vec<usize>,
}

impl SetRows {
    /// The rows of `rows`, each a row's setters.
    pub(crate) fn collect<R: IntoIterator<Item = SetKind>>(
        rows: impl ExactSizeIterator<Item = R>,
    ) -> SetRows {
        let mut out = SetRows {
            sets: Vec::new(),
            ends: Vec::with_capacity(rows.len()),
        };
        for (i, row) in rows.enumerate() {
            let row = row.into_iter();
            if i == 0 {
                // Rows usually set as many fields as the first.
                out.sets
                    .reserve(row.size_hint().0.max(1).saturating_mul(out.ends.capacity()));
            }
            out.push(row);
        }
        out
    }

    /// Room for `rows` rows of about `width` setters each.
    pub(crate) fn with_capacity(rows: usize, width: usize) -> SetRows {
        SetRows {
            sets: Vec::with_capacity(rows.saturating_mul(width.max(1))),
            ends: Vec::with_capacity(rows),
        }
    }

    /// Adds a row of setters.
    pub(crate) fn push(&mut self, row: impl IntoIterator<Item = SetKind>) {
        self.sets.extend(row);
        self.ends.push(self.sets.len());
    }

    /// How many rows.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Every row's setters, one row after another.
    pub(crate) fn sets(&self) -> &[SetKind] {
        &self.sets
    }

    /// The number of setters every row has, when they all have as many; `None` otherwise (or
    /// for no rows).
    pub(crate) fn common_width(&self) -> Option<usize> {
        let n = *self.ends.first()?;
        (self.ends.iter().enumerate())
            .all(|(i, &end)| end == (i + 1) * n)
            .then_some(n)
    }

    /// Every row's setters, one row after another, to change in place.
    pub(crate) fn sets_mut(&mut self) -> &mut [SetKind] {
        &mut self.sets
    }

    /// The number of setters of each row, and all the setters one row after another.
    pub(crate) fn into_parts(self) -> (impl ExactSizeIterator<Item = usize>, Vec<SetKind>) {
        let mut start = 0;
        let lens = self.ends.into_iter().map(move |end| {
            let n = end - start;
            start = end;
            n
        });
        (lens, self.sets)
    }

    /// The rows, each in a vector of its own.
    pub(crate) fn into_rows(self) -> impl ExactSizeIterator<Item = Vec<SetKind>> {
        let (lens, sets) = self.into_parts();
        let mut sets = sets.into_iter();
        lens.map(move |n| sets.by_ref().take(n).collect())
    }
}

/// A nested write through one relation: what Prisma's nested `create`, `connect`, ... do.
/// Setters and filters are untyped, numbered in the related model's metadata.
#[derive(Debug, Clone)]
pub(crate) enum Nested {
    /// Creates a related record from its setters.
    Create(Vec<SetKind>),
    /// Creates related records in one statement (a one-to-many relation only).
    CreateMany(SetRows),
    /// Links the records the unique filters select (one, for a to-one relation).
    Connect(Vec<Filter>),
    /// Links the record the unique filter selects, or creates it from the setters.
    ConnectOrCreate(Filter, Vec<SetKind>),
    /// Unlinks the selected records of a to-many relation (`Some`), or the related record of
    /// a to-one relation (`None`).
    Disconnect(Option<Vec<Filter>>),
    /// Links exactly the selected records (a to-many relation), unlinking the others.
    Set(Vec<Filter>),
    /// Changes the related record the unique filter selects among the linked ones (`Some`), or
    /// the related record of a to-one relation (`None`).
    Update(Option<Filter>, Vec<SetKind>),
    /// Changes that related record, or creates it (and links it) when there is none.
    Upsert(Option<Filter>, Vec<SetKind>, Vec<SetKind>),
    /// Deletes the selected linked records (`Some`), or the related record of a to-one
    /// relation (`None`).
    Delete(Option<Vec<Filter>>),
    /// Changes every linked record matching all of the filters.
    UpdateMany(Vec<Filter>, Vec<SetKind>),
    /// Deletes every linked record matching all of the filters.
    DeleteMany(Vec<Filter>),
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

fn kinds<C>(sets: Vec<Set<C>>) -> Vec<SetKind> {
    sets.into_iter().map(|s| s.kind).collect()
}

fn uniques<C>(u: Vec<Unique<C>>) -> Vec<Filter> {
    u.into_iter().map(|u| u.filter).collect()
}

// The constructors the generated relation modules call (`post::author::connect(...)`): each
// takes the related model's typed setters and filters, so a nested write names the related
// model's fields, and keeps them untyped.
impl<M> Set<M> {
    fn of(kind: SetKind) -> Self {
        Set {
            kind,
            _m: PhantomData,
        }
    }
    fn nested(rel: usize, n: Nested) -> Self {
        Self::of(SetKind::Relation(rel, Box::new(n)))
    }
    #[doc(hidden)]
    pub fn field(field: usize, op: SetOp) -> Self {
        Self::of(SetKind::Field(field, op))
    }
    #[doc(hidden)]
    pub fn create<C>(rel: usize, sets: Vec<Set<C>>) -> Self {
        Self::nested(rel, Nested::Create(kinds(sets)))
    }
    /// Each row: its setters (the generated code's required arguments, then the others).
    #[doc(hidden)]
    pub fn create_many<C, R: IntoIterator<Item = Set<C>>>(
        rel: usize,
        rows: impl ExactSizeIterator<Item = R>,
    ) -> Self {
        let rows = rows.map(|r| r.into_iter().map(|s| s.kind));
        Self::nested(rel, Nested::CreateMany(SetRows::collect(rows)))
    }
    #[doc(hidden)]
    pub fn connect<C>(rel: usize, targets: Vec<Unique<C>>) -> Self {
        Self::nested(rel, Nested::Connect(uniques(targets)))
    }
    #[doc(hidden)]
    pub fn connect_or_create<C>(rel: usize, target: Unique<C>, create: Vec<Set<C>>) -> Self {
        Self::nested(rel, Nested::ConnectOrCreate(target.filter, kinds(create)))
    }
    #[doc(hidden)]
    pub fn disconnect<C>(rel: usize, targets: Option<Vec<Unique<C>>>) -> Self {
        Self::nested(rel, Nested::Disconnect(targets.map(uniques)))
    }
    #[doc(hidden)]
    pub fn set_related<C>(rel: usize, targets: Vec<Unique<C>>) -> Self {
        Self::nested(rel, Nested::Set(uniques(targets)))
    }
    #[doc(hidden)]
    pub fn update_related<C>(rel: usize, target: Option<Unique<C>>, sets: Vec<Set<C>>) -> Self {
        Self::nested(rel, Nested::Update(target.map(|u| u.filter), kinds(sets)))
    }
    #[doc(hidden)]
    pub fn upsert_related<C>(
        rel: usize,
        target: Option<Unique<C>>,
        create: Vec<Set<C>>,
        update: Vec<Set<C>>,
    ) -> Self {
        Self::nested(
            rel,
            Nested::Upsert(target.map(|u| u.filter), kinds(create), kinds(update)),
        )
    }
    #[doc(hidden)]
    pub fn delete_related<C>(rel: usize, targets: Option<Vec<Unique<C>>>) -> Self {
        Self::nested(rel, Nested::Delete(targets.map(uniques)))
    }
    #[doc(hidden)]
    pub fn update_many_related<C>(rel: usize, filters: Vec<Where<C>>, sets: Vec<Set<C>>) -> Self {
        Self::nested(
            rel,
            Nested::UpdateMany(filters.into_iter().map(|w| w.filter).collect(), kinds(sets)),
        )
    }
    #[doc(hidden)]
    pub fn delete_many_related<C>(rel: usize, filters: Vec<Where<C>>) -> Self {
        Self::nested(
            rel,
            Nested::DeleteMany(filters.into_iter().map(|w| w.filter).collect()),
        )
    }
}
