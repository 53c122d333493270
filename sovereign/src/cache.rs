//! The process-wide caches of SQL text: every static cache of the crate lives here.
//!
//! Building a statement with sea-query costs more than running a simple one on a warm
//! connection, and the text of the hottest statements depends on little besides the model. So
//! their text is built once and kept for the life of the process:
//!
//! | cache        | statement                                    | key: model, backend and ...     |
//! |--------------|----------------------------------------------|---------------------------------|
//! | `UNIQUE_SQL` | `find_unique`: `SELECT <all> WHERE f = ?...` | the filtered fields, in order   |
//! | `INSERT_SQL` | `create`: `INSERT ... [RETURNING <all>]`     | each column: field, value kind, NULL or not |
//! | `ROWS_SQL`   | nested creates, `create_many` (16 rows at most): `INSERT` of rows | columns; each cell's value kind, NULL or not |
//! | `LOAD_SQL`   | relation loads: the text around `IN (...)`   | relation number, record type, fetch's order |
//! | `AGGREGATE_SQL` | `aggregate`, `group_by` without paging or `having` | aggregates, keys, orders; the filtered fields |
//! | `DELETE_SQL` | `delete`: `DELETE ... WHERE f = ?... RETURNING <all>` | the filtered fields, in order |
//!
//! Beside them, [`filled_mask`] keeps each model's mask of the fields the client fills in.
//!
//! # Invariant: keys name models by the address of `'static` metadata
//!
//! A model enters every key as the address of its [`ModelMeta`] ([`ModelKey`]), which can
//! only be taken of `&'static` metadata. `'static` memory is never freed, so while the process
//! lives no other model can ever sit at that address: a key never aliases another model, and a
//! cached text is never served for a model it was not built for. Generated clients declare their
//! metadata as `static` items, one address per model. [`sovereign::dynamic`](crate::dynamic)
//! builds metadata at run time from a schema, and for exactly this reason leaks it
//! (`Box::leak`) once per `Catalog`, never freeing it: freed metadata could be reallocated for
//! another model at the same address and be served the first one's SQL.
//!
//! The rest of a key is everything else the text depends on: the backend (quoting,
//! placeholders, `RETURNING`, casts) and the statement's shape (above). Never a value: values are
//! always bound parameters, so a cached text holds no data, and each use binds its own values.
//! That is why it is sound to share the text between connections, transactions and threads.
//!
//! The maps only grow, by the number of distinct shapes a program uses (bounded by its schema and
//! its code, not by data), and their texts are never freed ([`Sql::Static`]: each statement
//! shares its text without counting references). A poisoned lock is not an error: the
//! statement is then built anew.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::BuildHasherDefault;
use std::sync::{Arc, OnceLock, RwLock};

use sea_query::{Expr, SelectStatement, Value, Values};

use crate::db::{Dialect, Sql, Stmt};
use crate::filter::{Filter, Op};
use crate::meta::ModelMeta;
use crate::sql;

/// A model in a cache key: the address of its `'static` metadata (see the module's invariant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ModelKey(usize);

impl ModelKey {
    /// The key of `meta`; only `'static` metadata has one.
    #[inline]
    pub(crate) fn of(meta: &'static ModelMeta) -> ModelKey {
        ModelKey(meta as *const ModelMeta as usize)
    }
}

/// A map of the SQL caches. Their keys are the client's own (model addresses, field numbers,
/// backends), never data from outside, so they need no defence against chosen keys; SipHash
/// was most of the cost of a cached `find_unique` beside the query itself.
type CacheMap<K, V> = HashMap<K, V, BuildHasherDefault<KeyHasher>>;

/// A cache: built on first use, shared by every thread.
type Cache<K, V> = OnceLock<RwLock<CacheMap<K, V>>>;

/// A multiply-rotate hasher (as rustc's FxHasher) for [`CacheMap`].
#[derive(Default)]
pub(crate) struct KeyHasher(u64);

impl KeyHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        // Whole words are loaded as they are (no copy through a buffer), the tail padded.
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            self.add(u64::from_le_bytes(
                w.try_into().expect("a chunk of 8 bytes"),
            ));
        }
        let tail = words.remainder();
        if !tail.is_empty() {
            let mut word = [0u8; 8];
            word[..tail.len()].copy_from_slice(tail);
            self.add(u64::from_le_bytes(word));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_u16(&mut self, i: u16) {
        self.add(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn write_isize(&mut self, i: isize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Places of a [`Front`].
const FRONT: usize = 64;

/// A few places read without a lock, in front of a cache's map: a key's place is fixed by its
/// hash and filled once, by the first key kept there. A lookup reads that place and compares
/// its key (on x86 a plain load, where a lock's read takes two atomic operations). The hot keys
/// of a program are few and kept first, so they nearly always sit in front.
struct Front<K, V>([OnceLock<(K, V)>; FRONT]);

impl<K: std::hash::Hash + Eq, V: Copy> Front<K, V> {
    const fn new() -> Self {
        Front([const { OnceLock::new() }; FRONT])
    }

    /// The place of `key`, or of a borrowed form of it (which hashes alike).
    fn place<Q: std::hash::Hash + ?Sized>(&self, key: &Q) -> &OnceLock<(K, V)> {
        use std::hash::{BuildHasher, BuildHasherDefault};
        let hash = BuildHasherDefault::<KeyHasher>::default().hash_one(key);
        // The multiply leaves its best bits at the top.
        &self.0[(hash >> 58) as usize % FRONT]
    }

    fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        match self.place(key).get() {
            Some((k, v)) if k.borrow() == key => Some(*v),
            _ => None,
        }
    }

    /// Keeps `v` for `key` if its place is free (else it is read from the map behind).
    fn set(&self, key: K, v: V) {
        let _ = self.place(&key).set((key, v));
    }
}

/// A cache of statement texts: a map under a lock, with a [`Front`].
pub(crate) struct Texts<K> {
    front: Front<K, &'static str>,
    map: Cache<K, &'static str>,
}

impl<K: std::hash::Hash + Eq + Clone> Texts<K> {
    const fn new() -> Self {
        Texts {
            front: Front::new(),
            map: OnceLock::new(),
        }
    }

    /// The text kept for `key`, given as it is kept or borrowed (a slice for a boxed one).
    fn get<Q>(&self, key: &Q) -> Option<&'static str>
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        if let Some(text) = self.front.get(key) {
            return Some(text);
        }
        let map = self.map.get()?;
        map.read().ok().and_then(|c| c.get(key).copied())
    }

    /// Keeps the text of `stmt` for `key`, and has `stmt` use the kept text. The text is
    /// leaked: it lives as long as the process, as the map's entries do (the maps only grow;
    /// see [`Sql::Static`]). A text another thread kept first for the same key is used
    /// instead, so that each key leaks one text.
    fn keep(&self, key: K, stmt: &mut Stmt) {
        let map = self.map.get_or_init(Default::default);
        let Ok(mut c) = map.write() else {
            return;
        };
        let text = *c
            .entry(key.clone())
            .or_insert_with(|| Box::leak(Box::<str>::from(&*stmt.sql)));
        drop(c);
        stmt.sql = Sql::Static(text);
        self.front.set(key, text);
    }
}

/// The fields of `meta` the client may fill in, as bits, worked out by `work_out` once per
/// model (kept by the model's address, in a [`Front`]; a model whose place another took works
/// it out each time).
pub(crate) fn filled_mask(meta: &'static ModelMeta, work_out: impl FnOnce() -> u64) -> u64 {
    static MASKS: Front<ModelKey, u64> = Front::new();
    let key = ModelKey::of(meta);
    MASKS.get(&key).unwrap_or_else(|| {
        let mask = work_out();
        MASKS.set(key, mask);
        mask
    })
}

// ---------------------------------------------------------------------------------------------
// find_unique
// ---------------------------------------------------------------------------------------------

/// The SQL of `SELECT <all columns> WHERE f1 = ? AND f2 = ?` by model, backend and fields (up
/// to [`UNIQUE_FIELDS`], numbered below 2^16): the text depends only on these, so it is built
/// once (`find_unique` is the hottest read).
type UniqueKey = (ModelKey, Dialect, [u16; UNIQUE_FIELDS]);
const UNIQUE_FIELDS: usize = 8;
static UNIQUE_SQL: Texts<UniqueKey> = Texts::new();

/// The statement of a unique read: from the cache when `filter` is a conjunction of equalities
/// with non-NULL values (built once by [`sql::select_equal`]), else built by `build`.
pub(crate) fn unique_select(
    meta: &'static ModelMeta,
    backend: Dialect,
    filter: &Filter,
    build: impl FnOnce() -> Stmt,
) -> Stmt {
    by_unique_filter(&UNIQUE_SQL, meta, backend, filter, |parts| match parts {
        Some(parts) => sql::select_equal(meta, backend, parts),
        None => build(),
    })
}

/// `DELETE ... WHERE f1 = ? AND f2 = ? RETURNING <all columns>` (a `delete` by unique filter on
/// a backend with `RETURNING`), keyed as [`UNIQUE_SQL`].
static DELETE_SQL: Texts<UniqueKey> = Texts::new();

/// The statement of a `delete` by unique filter: from the cache when `filter` is a conjunction
/// of equalities with non-NULL values, else built by `build`.
pub(crate) fn unique_delete(
    meta: &'static ModelMeta,
    backend: Dialect,
    filter: &Filter,
    build: impl FnOnce() -> Stmt,
) -> Stmt {
    by_unique_filter(&DELETE_SQL, meta, backend, filter, |_| build())
}

/// The statement of `filter` kept in `texts`, when `filter` is a conjunction of equalities with
/// non-NULL values; else built by `build` (given the conjunction's parts when it is one). A
/// statement built for a conjunction is kept when it binds the filter's values alone, in order.
fn by_unique_filter(
    texts: &'static Texts<UniqueKey>,
    meta: &'static ModelMeta,
    backend: Dialect,
    filter: &Filter,
    build: impl FnOnce(Option<&[Filter]>) -> Stmt,
) -> Stmt {
    let parts: &[Filter] = match filter {
        Filter::And(parts) => parts,
        one => std::slice::from_ref(one),
    };
    let mut values = Vec::with_capacity(parts.len());
    let Some(fields) = unique_fields(parts, &mut values) else {
        return build(None);
    };
    let key = (ModelKey::of(meta), backend, fields);
    if let Some(sql) = texts.get(&key) {
        return Stmt::new(sql, Values(values));
    }
    let mut stmt = build(Some(parts));
    if stmt.values.0 == values {
        texts.keep(key, &mut stmt);
    }
    stmt
}

/// The fields of `parts`, a conjunction of equalities with non-NULL values (numbered plus one:
/// 0 marks the unused places), their values pushed to `values`; `None` for any other filter.
fn unique_fields(parts: &[Filter], values: &mut Vec<Value>) -> Option<[u16; UNIQUE_FIELDS]> {
    if parts.len() > UNIQUE_FIELDS {
        return None;
    }
    let mut fields = [0u16; UNIQUE_FIELDS];
    for (slot, p) in fields.iter_mut().zip(parts) {
        match p {
            Filter::Field(f, Op::Equals(v)) if !crate::value::is_null(v) => {
                *slot = f.checked_add(1).and_then(|n| u16::try_from(n).ok())?;
                values.push(v.clone());
            }
            _ => return None,
        }
    }
    Some(fields)
}

// ---------------------------------------------------------------------------------------------
// aggregate and group_by
// ---------------------------------------------------------------------------------------------

/// `aggregate` and `group_by` by model, backend, the statement's shape (its aggregates, keys
/// and orders, as [`aggregate`](crate::query::aggregate) words them) and the filter's fields.
type AggregateKey = (ModelKey, Dialect, Vec<u64>, [u16; UNIQUE_FIELDS]);
static AGGREGATE_SQL: Texts<AggregateKey> = Texts::new();

/// The statement of an `aggregate` or `group_by` of `shape` over the records `filters` select:
/// from the cache when there is a shape and the filters are equalities with non-NULL values
/// (or none), else built by `build`.
pub(crate) fn aggregate_select(
    meta: &'static ModelMeta,
    backend: Dialect,
    shape: Option<Vec<u64>>,
    filters: &[Filter],
    build: impl FnOnce() -> Stmt,
) -> Stmt {
    let mut values = Vec::with_capacity(filters.len());
    let (Some(shape), Some(fields)) = (shape, unique_fields(filters, &mut values)) else {
        return build();
    };
    let key = (ModelKey::of(meta), backend, shape, fields);
    if let Some(sql) = AGGREGATE_SQL.get(&key) {
        return Stmt::new(sql, Values(values));
    }
    let mut stmt = build();
    // Only a statement that binds the filter's values alone, in order, is reused.
    if stmt.values.0 == values {
        AGGREGATE_SQL.keep(key, &mut stmt);
    }
    stmt
}

// ---------------------------------------------------------------------------------------------
// create
// ---------------------------------------------------------------------------------------------

/// An INSERT of plain values (RETURNING every column where the backend can): its text depends
/// only on the model, the backend, the columns and the kind of each value (PostgreSQL casts
/// enums; a NULL is marked apart to be safe), so it is built once per such shape.
type InsertKey = (ModelKey, Dialect, ValuesShape);
/// Each column's [`cell`] for the first `len` places: hashed and compared over those only (an
/// UPDATE sets a column or two of 32 places).
#[derive(Clone, Copy)]
struct ValuesShape {
    len: u8,
    cells: [u32; INSERT_COLUMNS],
}

impl ValuesShape {
    fn used(&self) -> &[u32] {
        &self.cells[..usize::from(self.len)]
    }

    /// The shape of `columns` (each a field and its value, `None` for an expression that is
    /// not a plain value); `None` for no column, too many, one that is not a plain value, or a
    /// value [`cell`] does not know.
    fn of<'a>(
        columns: impl IntoIterator<Item = Option<(usize, &'a Value)>>,
    ) -> Option<ValuesShape> {
        let mut shape = ValuesShape {
            len: 0,
            cells: [0; INSERT_COLUMNS],
        };
        for column in columns {
            let (f, v) = column?;
            let slot = shape.cells.get_mut(usize::from(shape.len))?;
            *slot = cell(f, v)?;
            shape.len += 1;
        }
        (shape.len > 0).then_some(shape)
    }
}

impl PartialEq for ValuesShape {
    fn eq(&self, other: &Self) -> bool {
        self.used() == other.used()
    }
}

impl Eq for ValuesShape {}

impl std::hash::Hash for ValuesShape {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.used().hash(state);
    }
}
const INSERT_COLUMNS: usize = 32;
static INSERT_SQL: Texts<InsertKey> = Texts::new();

/// What the text of a statement binding `v` for field `field` depends on, in one word: the
/// field (below 2^16), the kind of value and whether it is NULL. `None` for a field numbered
/// higher, or a kind of value the client does not bind (such a statement is built each time).
fn cell(field: usize, v: &Value) -> Option<u32> {
    let kind: u32 = match v {
        Value::Bool(_) => 1,
        Value::TinyInt(_) => 2,
        Value::SmallInt(_) => 3,
        Value::Int(_) => 4,
        Value::BigInt(_) => 5,
        Value::Unsigned(_) => 6,
        Value::BigUnsigned(_) => 7,
        Value::Float(_) => 8,
        Value::Double(_) => 9,
        Value::String(_) => 10,
        Value::Enum(_) => 11,
        Value::Bytes(_) => 12,
        Value::Json(_) => 13,
        Value::ChronoDateTime(_) => 14,
        Value::ChronoDateTimeUtc(_) => 15,
        Value::ChronoDateTimeWithTimeZone(_) => 16,
        Value::Decimal(_) => 17,
        Value::Array(..) => 18,
        _ => return None,
    };
    let field = u16::try_from(field).ok()?;
    Some(u32::from(field) << 16 | kind << 1 | u32::from(crate::value::is_null(v)))
}

/// The statement of an INSERT of `columns`: from the cache when every column is given a plain
/// value (no subquery of a nested connect), else built by `build` from them. A cached statement
/// takes the values out of `columns` (each left a NULL), without copying them: text and
/// date-time values are each an allocation to copy, three in a user's row.
pub(crate) fn insert_values<E>(
    meta: &'static ModelMeta,
    backend: Dialect,
    columns: &mut [(usize, Expr)],
    build: impl FnOnce(&[(usize, Expr)]) -> Result<Stmt, E>,
) -> Result<Stmt, E> {
    let plain = columns.iter().map(|(f, e)| match e {
        Expr::Value(v) => Some((*f, v)),
        _ => None,
    });
    let Some(shape) = ValuesShape::of(plain) else {
        return build(columns);
    };
    let key = (ModelKey::of(meta), backend, shape);
    if let Some(sql) = INSERT_SQL.get(&key) {
        let values = columns.iter_mut().map(|(_, e)| match e {
            Expr::Value(v) => std::mem::replace(v, Value::Bool(None)),
            _ => Value::Bool(None),
        });
        return Ok(Stmt::new(sql, Values(values.collect())));
    }
    let mut stmt = build(columns)?;
    // Only a statement that binds each value, in column order, is reused.
    if stmt.values.0.len() == columns.len() {
        INSERT_SQL.keep(key, &mut stmt);
    }
    Ok(stmt)
}

/// The shape of `columns`, their values pushed to `values`; `None` when one is not a plain
/// value (see also [`ValuesShape::of`]).
fn columns_shape(columns: &[(usize, Expr)], values: &mut Vec<Value>) -> Option<ValuesShape> {
    let start = values.len();
    for (_, e) in columns {
        let Expr::Value(v) = e else {
            return None;
        };
        values.push(v.clone());
    }
    ValuesShape::of(
        columns
            .iter()
            .map(|(f, _)| *f)
            .zip(&values[start..])
            .map(Some),
    )
}

// ---------------------------------------------------------------------------------------------
// update
// ---------------------------------------------------------------------------------------------

/// An UPDATE of plain values of one record found by unique equalities, RETURNING every column:
/// keyed like an INSERT by its set columns and their value kinds, and like a unique read by
/// the filter's fields.
type UpdateKey = (ModelKey, Dialect, ValuesShape, [u16; UNIQUE_FIELDS]);
static UPDATE_SQL: Texts<UpdateKey> = Texts::new();

/// The statement of `update` by unique filter: from the cache when every column is set to a
/// plain value and `filter` is a conjunction of equalities with non-NULL values, else built by
/// `build`. Its values are the set values, then the filter's.
pub(crate) fn update_unique(
    meta: &'static ModelMeta,
    backend: Dialect,
    columns: &[(usize, Expr)],
    filter: &Filter,
    build: impl FnOnce() -> Stmt,
) -> Stmt {
    let mut values = Vec::with_capacity(columns.len() + 2);
    match columns_shape(columns, &mut values) {
        Some(shape) => update_shaped(meta, backend, shape, values, filter, |_| build()),
        None => build(),
    }
}

/// [`update_unique`] of plain values given as they are, `values[i]` set to field `fields[i]`
/// (moved into the statement found); `build` makes the statement from them when there is none.
pub(crate) fn update_values(
    meta: &'static ModelMeta,
    backend: Dialect,
    fields: &[u16],
    values: Vec<Value>,
    filter: &Filter,
    build: impl FnOnce(&[Value]) -> Stmt,
) -> Stmt {
    match ValuesShape::of(
        fields
            .iter()
            .map(|&f| usize::from(f))
            .zip(&values)
            .map(Some),
    ) {
        Some(shape) if fields.len() == values.len() => {
            update_shaped(meta, backend, shape, values, filter, build)
        }
        _ => build(&values),
    }
}

/// The UPDATE of the set `values` of `shape` on the record `filter` selects: cached when the
/// filter is a conjunction of equalities with non-NULL values. `build` is given the set values.
fn update_shaped(
    meta: &'static ModelMeta,
    backend: Dialect,
    shape: ValuesShape,
    mut values: Vec<Value>,
    filter: &Filter,
    build: impl FnOnce(&[Value]) -> Stmt,
) -> Stmt {
    let parts: &[Filter] = match filter {
        Filter::And(parts) => parts,
        one => std::slice::from_ref(one),
    };
    let set = values.len();
    let Some(fields) = unique_fields(parts, &mut values) else {
        return build(&values[..set]);
    };
    let key = (ModelKey::of(meta), backend, shape, fields);
    if let Some(sql) = UPDATE_SQL.get(&key) {
        return Stmt::new(sql, Values(values));
    }
    let mut stmt = build(&values[..set]);
    // Only a statement that binds each value, in this order, is reused.
    if stmt.values.0.len() == values.len() {
        UPDATE_SQL.keep(key, &mut stmt);
    }
    stmt
}

/// A multi-row INSERT of plain values (nested creates of one relation, `create_many`): keyed
/// like [`insert_values`] by every cell's column and value kind, and the number of rows. The
/// key is words (see [`rows_key`]), looked up from a buffer on the stack, not from two vectors
/// allocated for each statement (a create with nested posts runs one).
type RowsKey = Box<[u32]>;
static ROWS_SQL: Texts<RowsKey> = Texts::new();
/// The most rows of a multi-row INSERT kept in [`ROWS_SQL`].
const ROWS_CACHED: usize = 16;
/// The most words of a [`RowsKey`]; a statement with more is built each time.
const ROWS_KEY_WORDS: usize = 512;

/// Writes the key of an INSERT of `values` (rows of `columns`) into `key`: the model's
/// address, the backend, `skip_duplicates`, the number of columns, each column, then each
/// cell's [`cell`]. Returns its length; `None` when it does not fit or a value has no cell.
fn rows_key(
    key: &mut [u32; ROWS_KEY_WORDS],
    model: ModelKey,
    backend: Dialect,
    skip_duplicates: bool,
    columns: &[usize],
    values: &[Value],
) -> Option<usize> {
    let width = columns.len();
    let len = 5 + width + values.len();
    if len > ROWS_KEY_WORDS {
        return None;
    }
    let address = model.0 as u64;
    key[0] = address as u32;
    key[1] = (address >> 32) as u32;
    key[2] = backend as u32;
    key[3] = u32::from(skip_duplicates);
    key[4] = width as u32;
    for (slot, &c) in key[5..].iter_mut().zip(columns) {
        *slot = u32::from(u16::try_from(c).ok()?);
    }
    for (i, (slot, v)) in key[5 + width..].iter_mut().zip(values).enumerate() {
        *slot = cell(columns[i % width], v)?;
    }
    Some(len)
}

/// The statement of an INSERT of `rows` (each a value per column of `columns`, plain values
/// only, else `build` makes it): from the cache when its shape was built before.
/// `skip_duplicates` is part of the key (`ON CONFLICT DO NOTHING`, `INSERT IGNORE`).
pub(crate) fn insert_rows<E>(
    meta: &'static ModelMeta,
    backend: Dialect,
    skip_duplicates: bool,
    columns: &[usize],
    rows: &[Vec<Expr>],
    build: impl FnOnce() -> Result<Stmt, E>,
) -> Result<Stmt, E> {
    if rows.len() > ROWS_CACHED {
        return build();
    }
    let mut values = Vec::with_capacity(columns.len() * rows.len());
    for e in rows.iter().flatten() {
        let Expr::Value(v) = e else {
            return build();
        };
        values.push(v.clone());
    }
    insert_values_rows(meta, backend, skip_duplicates, columns, values, |_| build())
}

/// [`insert_rows`] of rows of plain values, one row after another: moved into the statement
/// found, or handed to `build`.
pub(crate) fn insert_values_rows<E>(
    meta: &'static ModelMeta,
    backend: Dialect,
    skip_duplicates: bool,
    columns: &[usize],
    values: Vec<Value>,
    build: impl FnOnce(Vec<Value>) -> Result<Stmt, E>,
) -> Result<Stmt, E> {
    // The number of rows is data: only small counts are kept, so that the map stays bounded by
    // the program's shapes.
    let width = columns.len();
    if width == 0 || !values.len().is_multiple_of(width) || values.len() / width > ROWS_CACHED {
        return build(values);
    }
    let mut words = [0u32; ROWS_KEY_WORDS];
    let model = ModelKey::of(meta);
    let Some(len) = rows_key(
        &mut words,
        model,
        backend,
        skip_duplicates,
        columns,
        &values,
    ) else {
        return build(values);
    };
    let key = &words[..len];
    if let Some(sql) = ROWS_SQL.get(key) {
        return Ok(Stmt::new(sql, Values(values)));
    }
    let count = values.len();
    let mut stmt = build(values)?;
    if stmt.values.0.len() == count {
        ROWS_SQL.keep(key.into(), &mut stmt);
    }
    Ok(stmt)
}

// ---------------------------------------------------------------------------------------------
// Relation loads
// ---------------------------------------------------------------------------------------------

/// Stands for the key list while the SQL of a relation load is built; never sent.
const KEYS: &str = "/* sovereign: keys */";

/// What the SQL of a relation load depends on besides its number of keys: the parent model,
/// the relation's number, the type the related records decode into (a model's data or a
/// `select!` struct: the columns), the backend and the fetch's order.
pub(crate) type LoadShape = (
    ModelKey,
    usize,
    std::any::TypeId,
    Dialect,
    Vec<crate::filter::Ordering>,
);

/// The SQL around the key list of a relation load, by shape.
type Around = Arc<(String, String)>;
static LOAD_SQL: Cache<LoadShape, Around> = OnceLock::new();

/// The SQL of a relation load whose only bound values are its `n` keys (of one column, each a
/// plain placeholder): `build` makes the statement once per shape, given the one item to put in
/// its `IN (...)`; later loads of the shape write their placeholders into the text around it.
/// A statement with other values is not cached (`None`): the caller builds it whole.
pub(crate) fn keyed_select(
    shape: LoadShape,
    backend: Dialect,
    n: usize,
    build: impl FnOnce(Expr) -> SelectStatement,
) -> Option<String> {
    let cache = LOAD_SQL.get_or_init(Default::default);
    let cached = cache.read().ok().and_then(|c| c.get(&shape).cloned());
    let around = match cached {
        Some(a) => a,
        None => {
            let Stmt { sql, values, .. } = sql::build(&build(Expr::cust(KEYS)), backend);
            if !values.0.is_empty() {
                return None;
            }
            let (before, after) = sql.split_once(KEYS)?;
            if after.contains(KEYS) {
                return None;
            }
            let a = Arc::new((before.to_string(), after.to_string()));
            if let Ok(mut c) = cache.write() {
                c.insert(shape, a.clone());
            }
            a
        }
    };
    let (before, after) = &*around;
    let mut sql = String::with_capacity(before.len() + after.len() + n * 6);
    sql.push_str(before);
    // As sea-query writes a list of values: `$1, $2` on PostgreSQL, `?, ?` elsewhere.
    for i in 1..=n {
        if i > 1 {
            sql.push_str(", ");
        }
        if backend == Dialect::Postgres {
            let _ = write!(sql, "${i}");
        } else {
            sql.push('?');
        }
    }
    sql.push_str(after);
    Some(sql)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alias::T0;
    use crate::filter::Direction;
    use crate::meta::{FieldMeta, Kind};
    use sea_query::{Condition, ExprTrait};

    static USER: ModelMeta = ModelMeta {
        name: "User",
        table: "users",
        fields: &[
            FieldMeta::new("id", "id", Kind::Int),
            FieldMeta::new("name", "full_name", Kind::String),
        ],
        primary_key: &[0],
        uniques: &[],
        relations: &[],
        auto_increment: true,
    };

    #[test]
    #[cfg(all(feature = "sqlite", feature = "postgres", feature = "mysql"))]
    fn keyed_select_writes_what_sea_query_writes() {
        let make = |keys: Condition| {
            let mut q = sql::select_all(&USER);
            q.cond_where(keys);
            sql::order(&mut q, &USER, T0, &[(0, Direction::Desc)]);
            q
        };
        for b in [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql] {
            let shape = || {
                (
                    ModelKey::of(&USER),
                    usize::MAX,
                    std::any::TypeId::of::<()>(),
                    b,
                    Vec::new(),
                )
            };
            // The first call builds the text around the key list; the others reuse it.
            for n in [1, 2, 11, 1] {
                let sql = keyed_select(shape(), b, n, |item| {
                    make(Condition::all().add(sql::col(T0, "full_name").is_in([item])))
                })
                .expect("no other values");
                let values = (0..n).map(|i| Value::from(i as i32)).collect();
                let whole = sql::build(&make(sql::key_in(T0, &["full_name"], values)), b);
                assert_eq!(sql, &*whole.sql);
                assert_eq!(whole.values.0.len(), n);
            }
        }
    }
}
