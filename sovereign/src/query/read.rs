//! Reads: the builders of `find_unique`, `find_first`, `find_many`, `count` and `select!`.

use std::marker::PhantomData;

use sea_query::{Expr, Func, Query};

use crate::alias::{ROOT, T0};
use crate::cache;
use crate::db::{Conn, Dialect, Stmt};
use crate::error::{Error, Result};
use crate::filter::{Filter, OrderBy, Unique};
use crate::meta::ModelMeta;
use crate::query::aggregate::{Aggregate, Aggregates, CountSelect};
use crate::query::find::{self, select_fields, FindArgs};
use crate::query::record::{Boxed, Record};
use crate::query::traits::{Load, Loaded, Model};
use crate::sql::{self, Cond};
use crate::value::Reader;

/// Loads each relation of `with` into `rows`.
pub(crate) async fn load_with<M>(
    conn: &Conn,
    with: &[Box<dyn Load<M>>],
    rows: &mut [M],
) -> Result<()> {
    for w in with {
        w.load(conn, rows).await?;
    }
    Ok(())
}

/// `find_many(...)`: modifiers, then `.exec().await`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct FindMany<M> {
    pub(crate) conn: Conn,
    pub(crate) args: FindArgs<M>,
}

impl<M: Model> FindMany<M> {
    /// Orders the records by a field (`post::id::order(Direction::Desc)`); call again to
    /// order by more fields.
    pub fn order_by(mut self, o: OrderBy<M>) -> Self {
        self.args.order.push(o.order);
        self
    }
    /// At most `n` records; a negative `n` reads backwards (the last records, or those before
    /// the cursor), returned in the query's order.
    pub fn take(mut self, n: i64) -> Self {
        self.args.take = Some(n);
        self
    }
    /// Skips the first `n` records.
    pub fn skip(mut self, n: i64) -> Self {
        self.args.skip = Some(n);
        self
    }
    /// Starts at the record the unique filter selects (included), in this query's order.
    pub fn cursor(mut self, u: Unique<M>) -> Self {
        self.args.cursor = Some(u.filter);
        self
    }
    /// Fetches a relation with the records: `.with(post::comments::fetch(vec![]))`.
    pub fn with(mut self, w: impl Into<Box<dyn Load<M>>>) -> Self {
        self.args.with.push(w.into());
        self
    }
    /// Keeps the first record of each combination of values of `fields`, in this query's
    /// order, as Prisma's `distinct` (which, as here, is applied in memory, with `take` and
    /// `skip` after it): `.distinct(vec![user::name::distinct()])`.
    pub fn distinct(mut self, fields: Vec<Distinct<M>>) -> Self {
        self.args
            .distinct
            .extend(fields.into_iter().map(|d| d.field));
        self
    }
    /// Runs the query.
    ///
    /// # Errors
    /// What the database reports, or a row that does not decode.
    pub async fn exec(self) -> Result<Vec<M>> {
        let backend = self.conn.backend();
        let stmt = sql::build(&find::select(backend, &self.args), backend);
        let args = &self.args;
        let stmt = match self.conn.fetch_now(stmt, Some(M::META), &mut M::decode) {
            Ok(rows) => {
                let mut rows = paged(rows?, args);
                if !args.with.is_empty() {
                    Box::pin(load_with(&self.conn, &args.with, &mut rows)).await?;
                }
                return Ok(rows);
            }
            Err(stmt) => stmt,
        };
        // Boxed: this future stays small, moved as it is made and awaited.
        Box::pin(self.conn.reading(stmt, |conn, stmt| async move {
            let rows = conn.fetch_waiting(stmt, Some(M::META), M::decode).await?;
            let mut rows = paged(rows, args);
            load_with(&conn, &args.with, &mut rows).await?;
            Ok(rows)
        }))
        .await
    }
}

/// A field whose values are to be distinct: what `post::title::distinct()` returns.
pub struct Distinct<M> {
    field: usize,
    _m: PhantomData<fn() -> M>,
}

impl<M> Distinct<M> {
    #[doc(hidden)]
    pub fn new(field: usize) -> Self {
        Distinct {
            field,
            _m: PhantomData,
        }
    }
}

/// A struct of some of a model's fields, and of its relations; [`select!`](crate::select)
/// declares one.
pub trait Selection: Loaded {
    /// The model the fields belong to.
    type Model: Model;
    /// The selected fields' numbers, in decoding order.
    const FIELDS: &'static [usize];
    /// The relations the selection loads (related records or their counts), by number.
    const RELATIONS: &'static [usize] = &[];
    /// Decodes the selected columns, in [`FIELDS`](Selection::FIELDS) order.
    ///
    /// # Errors
    /// A column whose value does not fit the field's type.
    fn decode(r: &mut Reader<'_>) -> Result<Self>;
}

/// The key fields the relations a selection loads read of its records: `relations`' fields on
/// the side of `meta`.
#[doc(hidden)]
pub fn own_keys(meta: &ModelMeta, relations: &[usize]) -> Vec<usize> {
    use crate::meta::Link;
    let mut keys = Vec::new();
    for &r in relations {
        let fields: &[usize] = match &meta.relations[r].link {
            Link::Owner { fields, .. } => fields,
            Link::Inverse { references, .. } => references,
            Link::Join { own_key, .. } => std::slice::from_ref(own_key),
        };
        for &f in fields {
            if !keys.contains(&f) {
                keys.push(f);
            }
        }
    }
    keys
}

/// What [`select!`](crate::select) returns: the selection to pass to `.select(...)`, with the
/// loads of its relations.
pub struct Select<S> {
    pub(crate) with: Vec<Box<dyn Load<S>>>,
}

impl<S: Selection> Select<S> {
    #[doc(hidden)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Select { with: Vec::new() }
    }
    /// Loads a relation into the selected records too (what `select!` does for a relation).
    #[doc(hidden)]
    pub fn fetch<C: Loaded>(mut self, f: crate::Fetch<S, C>) -> Self {
        self.with.push(Box::new(f));
        self
    }
    /// Loads counts of related records into the selected records too (`_count`).
    #[doc(hidden)]
    pub fn count(mut self, c: crate::RelationCount<S>) -> Self {
        self.with.push(Box::new(c));
        self
    }
}

/// Reads the selections `q` selects (its columns replaced by the selection's) and loads their
/// relations.
async fn read_selections<S: Selection, M>(
    conn: &Conn,
    mut q: sea_query::SelectStatement,
    select: &Select<S>,
    args: Option<&FindArgs<M>>,
) -> Result<Vec<S>> {
    let backend = conn.backend();
    let meta = S::meta();
    let mut keys = S::own_keys();
    let distinct = args.map_or(&[][..], |a| &a.distinct[..]);
    keys.extend(
        distinct
            .iter()
            .filter(|f| !keys.contains(f))
            .collect::<Vec<_>>(),
    );
    select_fields(&mut q, meta, S::FIELDS, &keys);
    let mut rows = conn
        .fetch(sql::build(&q, backend), Some(meta), |r| {
            S::decode_with(r, &keys)
        })
        .await?;
    if let Some(a) = args {
        rows = paged(rows, a);
    }
    load_with(conn, &select.with, &mut rows).await?;
    Ok(rows)
}

/// The rows of [`find::select`] in the query's order, with `distinct` and its paging applied.
fn paged<R: Loaded, M>(mut rows: Vec<R>, args: &FindArgs<M>) -> Vec<R> {
    if args.backwards() {
        rows.reverse();
    }
    if args.distinct.is_empty() {
        rows
    } else {
        find::distinct(rows, &args.distinct, args.take, args.skip)
    }
}

impl<M: Model> FindMany<M> {
    /// Reads only the fields of a [`select!`](crate::select) struct (and the relations it
    /// selects, one query per relation level).
    pub fn select<S: Selection<Model = M>>(self, s: Select<S>) -> FindManySelect<M, S> {
        FindManySelect {
            inner: self,
            select: s,
        }
    }
}

/// `find_many(...).select(...)`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct FindManySelect<M, S> {
    inner: FindMany<M>,
    select: Select<S>,
}

impl<M: Model, S: Selection<Model = M>> FindManySelect<M, S> {
    /// Runs the query.
    ///
    /// # Errors
    /// What the database reports, or a row that does not decode.
    pub async fn exec(self) -> Result<Vec<S>> {
        let q = find::select(self.inner.conn.backend(), &self.inner.args);
        let (select, args) = (&self.select, &self.inner.args);
        self.inner
            .conn
            .reading(q, |conn, q| async move {
                read_selections(&conn, q, select, Some(args)).await
            })
            .await
    }
}

/// `find_first(...)`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct FindFirst<M>(pub(crate) FindMany<M>);

impl<M: Model> FindFirst<M> {
    /// Orders the records by a field; the first in this order is returned.
    pub fn order_by(self, o: OrderBy<M>) -> Self {
        FindFirst(self.0.order_by(o))
    }
    /// Skips the first `n` records.
    pub fn skip(self, n: i64) -> Self {
        FindFirst(self.0.skip(n))
    }
    /// Starts at the record the unique filter selects (included), in this query's order.
    pub fn cursor(self, u: Unique<M>) -> Self {
        FindFirst(self.0.cursor(u))
    }
    /// Fetches a relation with the record.
    pub fn with(self, w: impl Into<Box<dyn Load<M>>>) -> Self {
        FindFirst(self.0.with(w))
    }
    /// Reads only the fields of a [`select!`](crate::select) struct.
    pub fn select<S: Selection<Model = M>>(self, s: Select<S>) -> FindFirstSelect<M, S> {
        FindFirstSelect(self.0.take(1).select(s))
    }
    /// Runs the query.
    ///
    /// # Errors
    /// What the database reports, or a row that does not decode.
    pub async fn exec(self) -> Result<Option<M>> {
        Ok(self.0.take(1).exec().await?.pop())
    }
}

/// `find_first(...).select(...)`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct FindFirstSelect<M, S>(FindManySelect<M, S>);

impl<M: Model, S: Selection<Model = M>> FindFirstSelect<M, S> {
    /// Runs the query.
    ///
    /// # Errors
    /// What the database reports, or a row that does not decode.
    pub async fn exec(self) -> Result<Option<S>> {
        Ok(self.0.exec().await?.pop())
    }
}

/// `find_first_or_throw(...)`: [`FindFirst`] whose `exec` fails with
/// [`ErrorKind::RecordNotFound`](crate::ErrorKind::RecordNotFound) when no record matches, as
/// Prisma's `findFirstOrThrow` does
/// (<https://www.prisma.io/docs/orm/reference/prisma-client-reference#findfirstorthrow>).
#[must_use = "a query does nothing until `.exec().await`"]
pub struct FindFirstOrThrow<M>(pub(crate) FindFirst<M>);

impl<M: Model> FindFirstOrThrow<M> {
    /// Orders the records by a field; the first in this order is returned.
    pub fn order_by(self, o: OrderBy<M>) -> Self {
        FindFirstOrThrow(self.0.order_by(o))
    }
    /// Skips the first `n` records.
    pub fn skip(self, n: i64) -> Self {
        FindFirstOrThrow(self.0.skip(n))
    }
    /// Starts at the record the unique filter selects (included), in this query's order.
    pub fn cursor(self, u: Unique<M>) -> Self {
        FindFirstOrThrow(self.0.cursor(u))
    }
    /// Fetches a relation with the record.
    pub fn with(self, w: impl Into<Box<dyn Load<M>>>) -> Self {
        FindFirstOrThrow(self.0.with(w))
    }
    /// Reads only the fields of a [`select!`](crate::select) struct.
    pub fn select<S: Selection<Model = M>>(self, s: Select<S>) -> OrThrow<FindFirstSelect<M, S>> {
        OrThrow(self.0.select(s), "find_first_or_throw")
    }
    /// Runs the query.
    ///
    /// # Errors
    /// [`ErrorKind::RecordNotFound`](crate::ErrorKind::RecordNotFound) when no record matches;
    /// what the database reports.
    pub async fn exec(self) -> Result<M> {
        self.0
            .exec()
            .await?
            .ok_or_else(|| not_found::<M>("find_first_or_throw"))
    }
}

/// The error of a read `..._or_throw` that found nothing.
fn not_found<M: Model>(action: &str) -> Error {
    Error::not_found_with(format!(
        "{action} on {}: no record matches the query",
        M::META.name
    ))
}

/// `find_unique(...)`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct FindUnique<M> {
    pub(crate) conn: Conn,
    pub(crate) filter: Filter,
    pub(crate) with: Vec<Box<dyn Load<M>>>,
}

impl<M: Model> FindUnique<M> {
    /// Reads only the fields of a [`select!`](crate::select) struct.
    pub fn select<S: Selection<Model = M>>(self, s: Select<S>) -> SelectOne<M, S> {
        SelectOne {
            conn: self.conn,
            filter: self.filter,
            select: s,
            _m: PhantomData,
        }
    }

    /// Fetches a relation with the record.
    pub fn with(mut self, w: impl Into<Box<dyn Load<M>>>) -> Self {
        self.with.push(w.into());
        self
    }
    /// Runs the query.
    ///
    /// # Errors
    /// What the database reports, or a row that does not decode.
    pub async fn exec(self) -> Result<Option<M>> {
        if self.with.is_empty() {
            if let Some(found) = find_now::<Boxed<M>>(&self.conn, M::META, &self.filter) {
                return found.map(|row| row.map(|b| *b.0));
            }
        }
        let (filter, with) = (&self.filter, &self.with);
        // Boxed: this future stays a few words, moved as it is made and awaited.
        let found = Box::pin(self.conn.reading((), |conn, ()| async move {
            find_one(&conn, filter, with).await
        }))
        .await?;
        Ok(found.map(|b| *b))
    }
}

/// `find_unique_or_throw(...)`: [`FindUnique`] whose `exec` fails with
/// [`ErrorKind::RecordNotFound`](crate::ErrorKind::RecordNotFound) when no record matches, as
/// Prisma's `findUniqueOrThrow` does
/// (<https://www.prisma.io/docs/orm/reference/prisma-client-reference#finduniqueorthrow>).
#[must_use = "a query does nothing until `.exec().await`"]
pub struct FindUniqueOrThrow<M>(pub(crate) FindUnique<M>);

impl<M: Model> FindUniqueOrThrow<M> {
    /// Fetches a relation with the record.
    pub fn with(self, w: impl Into<Box<dyn Load<M>>>) -> Self {
        FindUniqueOrThrow(self.0.with(w))
    }
    /// Reads only the fields of a [`select!`](crate::select) struct.
    pub fn select<S: Selection<Model = M>>(self, s: Select<S>) -> OrThrow<SelectOne<M, S>> {
        OrThrow(self.0.select(s), "find_unique_or_throw")
    }
    /// Runs the query.
    ///
    /// # Errors
    /// [`ErrorKind::RecordNotFound`](crate::ErrorKind::RecordNotFound) when no record matches;
    /// what the database reports.
    pub async fn exec(self) -> Result<M> {
        self.0
            .exec()
            .await?
            .ok_or_else(|| not_found::<M>("find_unique_or_throw"))
    }
}

/// A selection read `..._or_throw`: its `exec` fails with
/// [`ErrorKind::RecordNotFound`](crate::ErrorKind::RecordNotFound) when no record matches.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct OrThrow<Q>(Q, &'static str);

impl<M: Model, S: Selection<Model = M>> OrThrow<SelectOne<M, S>> {
    /// Runs the query.
    ///
    /// # Errors
    /// [`ErrorKind::RecordNotFound`](crate::ErrorKind::RecordNotFound) when no record matches;
    /// what the database reports.
    pub async fn exec(self) -> Result<S> {
        let action = self.1;
        self.0.exec().await?.ok_or_else(|| not_found::<M>(action))
    }
}

impl<M: Model, S: Selection<Model = M>> OrThrow<FindFirstSelect<M, S>> {
    /// Runs the query.
    ///
    /// # Errors
    /// [`ErrorKind::RecordNotFound`](crate::ErrorKind::RecordNotFound) when no record matches;
    /// what the database reports.
    pub async fn exec(self) -> Result<S> {
        let action = self.1;
        self.0.exec().await?.ok_or_else(|| not_found::<M>(action))
    }
}

/// The record `filter` selects, with the relations of `with`; writes read records back with
/// it too.
pub(crate) async fn find_one<M: Model>(
    conn: &Conn,
    filter: &Filter,
    with: &[Box<dyn Load<M>>],
) -> Result<Option<Box<M>>> {
    // Boxed from the row on: records are wide, and each move is a copy (see `Boxed`).
    let Some(Boxed(mut row)) = find_record::<Boxed<M>>(conn, M::META, filter).await? else {
        return Ok(None);
    };
    if !with.is_empty() {
        load_with(conn, with, std::slice::from_mut(&mut *row)).await?;
    }
    Ok(Some(row))
}

/// The record of `meta` that `filter` selects (a unique filter, or the first match), typed or
/// untyped.
pub(crate) async fn find_record<R: Record>(
    conn: &Conn,
    meta: &'static ModelMeta,
    filter: &Filter,
) -> Result<Option<R>> {
    let stmt = find_record_statement(meta, conn.backend(), filter);
    conn.fetch_optional(stmt, Some(meta), |r| R::decode_record(meta, r))
        .await
}

/// [`find_record`] at once, in the caller's poll, on SQLite when nothing has to be waited for
/// ([`Conn::fetch_optional_now`]); `None` otherwise (always on the servers), for `find_record`.
pub(crate) fn find_now<R: Record>(
    conn: &Conn,
    meta: &'static ModelMeta,
    filter: &Filter,
) -> Option<Result<Option<R>>> {
    if !conn.runs_now() {
        return None;
    }
    let stmt = find_record_statement(meta, conn.backend(), filter);
    conn.fetch_optional_now(stmt, Some(meta), |r| R::decode_record(meta, r))
        .ok()
}

/// The statement of [`find_record`]: from the cache, or built.
fn find_record_statement(meta: &'static ModelMeta, backend: Dialect, filter: &Filter) -> Stmt {
    cache::unique_select(meta, backend, filter, || {
        let mut q = sql::select_all(meta);
        q.cond_where(Cond { backend }.all(meta, T0, ROOT, std::slice::from_ref(filter)));
        sql::build(&q, backend)
    })
}

/// The record a unique write selects (an `update` with nothing to set, or on MySQL before
/// the write); [`ErrorKind::RecordNotFound`](crate::ErrorKind::RecordNotFound) if none.
pub(crate) async fn locate_record<R: Record>(
    conn: &Conn,
    meta: &'static ModelMeta,
    filter: &Filter,
    action: &str,
) -> Result<R> {
    find_record(conn, meta, filter)
        .await?
        .ok_or_else(|| Error::not_found(meta.name, action))
}

/// `find_unique(...).select(...)`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct SelectOne<M, S> {
    conn: Conn,
    filter: Filter,
    select: Select<S>,
    _m: PhantomData<fn() -> M>,
}

impl<M: Model, S: Selection<Model = M>> SelectOne<M, S> {
    /// Runs the query.
    ///
    /// # Errors
    /// What the database reports, or a row that does not decode.
    pub async fn exec(self) -> Result<Option<S>> {
        let (filter, select) = (&self.filter, &self.select);
        self.conn
            .reading((), |conn, ()| async move {
                select_one(&conn, filter, select).await
            })
            .await
    }
}

/// The selected fields of the record `filter` selects, if any; writes read selections back
/// with it too.
pub(crate) async fn select_one<M: Model, S: Selection<Model = M>>(
    conn: &Conn,
    filter: &Filter,
    select: &Select<S>,
) -> Result<Option<S>> {
    let backend = conn.backend();
    let mut q = sql::select_all(M::META);
    q.cond_where(Cond { backend }.all(M::META, T0, ROOT, std::slice::from_ref(filter)));
    q.limit(1);
    Ok(read_selections::<S, M>(conn, q, select, None).await?.pop())
}

/// `count(...)`: modifiers, then `.exec().await`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct Count<M> {
    pub(crate) conn: Conn,
    args: FindArgs<M>,
}

impl<M: Model> Count<M> {
    /// Counts the records matching all of `filters`.
    pub(crate) fn new(conn: Conn, filters: Vec<Filter>) -> Self {
        Count {
            conn,
            args: FindArgs {
                filters,
                ..FindArgs::default()
            },
        }
    }
    /// Orders the records (what `take`, `skip` and `cursor` page through).
    pub fn order_by(mut self, o: OrderBy<M>) -> Self {
        self.args.order.push(o.order);
        self
    }
    /// Counts at most `n` records (negative: the last ones), as Prisma's `count({ take })`.
    pub fn take(mut self, n: i64) -> Self {
        self.args.take = Some(n);
        self
    }
    /// Skips the first `n` records.
    pub fn skip(mut self, n: i64) -> Self {
        self.args.skip = Some(n);
        self
    }
    /// Counts from the record the unique filter selects (included).
    pub fn cursor(mut self, u: Unique<M>) -> Self {
        self.args.cursor = Some(u.filter);
        self
    }
    /// Counts fields' non-NULL values too, as Prisma's `count({ select: { _all, name } })`:
    /// `.select((sovereign::count_all(), user::name::count()))` gives `(i64, i64)`.
    pub fn select<A: Aggregates<M>>(self, counts: A) -> CountSelect<M, A> {
        CountSelect(Aggregate {
            conn: self.conn,
            args: self.args,
            aggs: counts,
        })
    }

    /// Runs the query.
    ///
    /// # Errors
    /// What the database reports.
    pub async fn exec(self) -> Result<i64> {
        let a = self.args;
        let paged = a.take.is_some() || a.skip.is_some() || a.cursor.is_some();
        if paged {
            return Aggregate {
                conn: self.conn,
                args: a,
                aggs: crate::count_all::<M>(),
            }
            .exec()
            .await;
        }
        let backend = self.conn.backend();
        let meta = M::META;
        let mut q = Query::select();
        q.expr(Func::count(Expr::cust("*")))
            .from_as(meta.table, T0)
            .cond_where(Cond { backend }.all(meta, T0, ROOT, &a.filters));
        let stmt = sql::build(&q, backend);
        let decode = |r: &mut Reader<'_>| r.next::<i64>();
        let n = match self.conn.fetch_optional_now(stmt, Some(meta), decode) {
            Ok(n) => n?,
            Err(stmt) => {
                Box::pin(self.conn.reading(stmt, |conn, stmt| async move {
                    conn.fetch_optional(stmt, Some(meta), decode).await
                }))
                .await?
            }
        };
        Ok(n.unwrap_or(0))
    }
}
