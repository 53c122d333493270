//! Aggregation: `count` with paging and counts of fields, `aggregate` (`_count`, `_sum`, `_avg`,
//! `_min`, `_max`) and `group_by` with `having`, order and paging, as Prisma's
//! (<https://www.prisma.io/docs/orm/prisma-client/queries/aggregation-grouping-summarizing>).
//!
//! Each aggregate is a typed expression, [`Agg<M, T>`](Agg): `post::views::sum()` gives an
//! `Option<i64>` (no rows, no sum), `count_all()` an `i64`. A tuple of them is what a query
//! selects, and its result is the tuple of their values; `group_by` takes a tuple of the fields
//! it groups by (`post::author_id::by()`) and returns each group's values with its aggregates.
//!
//! Sums of whole numbers are 64-bit and averages `f64` (`Decimal` for a `Decimal` field) on
//! every backend: the SQL casts the database's own result types (PostgreSQL's `numeric` sum of a
//! `bigint`, MySQL's `DECIMAL` sums) to them.

use std::marker::PhantomData;

use sea_query::{Condition, Expr, ExprTrait, Func, Order, Query, SelectStatement};

use crate::alias::{ROOT, T0};
use crate::cache;
use crate::db::{Conn, Dialect};
use crate::error::Result;
use crate::filter::{Direction, Filter, OrderBy, Unique, Where};
use crate::meta::ModelMeta;
use crate::query::find::{self, filters, FindArgs};
use crate::query::traits::Model;
use crate::sql::{self, col, Cond};
use crate::value::{Decode, Reader, SqlValue};

/// What an aggregate computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AggFn {
    /// `COUNT(*)`.
    CountAll,
    /// The field's non-NULL values.
    Count,
    /// The sum, as a 64-bit whole number.
    SumInt,
    /// The sum, as the column's own type (`f64` or `Decimal` columns).
    Sum,
    /// The average, as an `f64`.
    AvgFloat,
    /// The average, as the column's own type (`Decimal`).
    Avg,
    /// The smallest value.
    Min,
    /// The largest value.
    Max,
    /// The field's value (a `group_by` key).
    Field,
}

/// A typed aggregate of records of `M` whose value is a `T`: `post::views::sum()`,
/// [`count_all`]. A tuple of them is what `aggregate`, `group_by` and `count(...).select(...)`
/// select.
pub struct Agg<M, T> {
    func: AggFn,
    field: usize,
    _m: PhantomData<fn() -> (M, T)>,
}

impl<M, T> Clone for Agg<M, T> {
    fn clone(&self) -> Self {
        Agg {
            func: self.func,
            field: self.field,
            _m: PhantomData,
        }
    }
}

impl<M, T> std::fmt::Debug for Agg<M, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Agg({:?}, {})", self.func, self.field)
    }
}

/// The number of records: Prisma's `_count: { _all: true }`.
pub fn count_all<M>() -> Agg<M, i64> {
    Agg::new(AggFn::CountAll, 0)
}

/// The types a numeric field sums and averages to.
pub trait Numeric {
    /// The sum's type: `i64` for whole numbers, else the field's.
    type Sum: Decode + Send + 'static;
    /// The average's type: `f64`, or `Decimal` for a `Decimal` field.
    type Avg: Decode + Send + 'static;
    #[doc(hidden)]
    const WHOLE: bool;
    #[doc(hidden)]
    const DECIMAL: bool = false;
}

impl Numeric for i32 {
    type Sum = i64;
    type Avg = f64;
    const WHOLE: bool = true;
}
impl Numeric for i64 {
    type Sum = i64;
    type Avg = f64;
    const WHOLE: bool = true;
}
impl Numeric for f64 {
    type Sum = f64;
    type Avg = f64;
    const WHOLE: bool = false;
}
impl Numeric for rust_decimal::Decimal {
    type Sum = rust_decimal::Decimal;
    type Avg = rust_decimal::Decimal;
    const WHOLE: bool = false;
    const DECIMAL: bool = true;
}

impl<M, T> Agg<M, T> {
    fn new(func: AggFn, field: usize) -> Self {
        Agg {
            func,
            field,
            _m: PhantomData,
        }
    }
    #[doc(hidden)]
    pub fn count(field: usize) -> Self {
        Self::new(AggFn::Count, field)
    }
    #[doc(hidden)]
    pub fn sum<N: Numeric>(field: usize) -> Self {
        Self::new(if N::WHOLE { AggFn::SumInt } else { AggFn::Sum }, field)
    }
    #[doc(hidden)]
    pub fn avg<N: Numeric>(field: usize) -> Self {
        Self::new(
            if N::DECIMAL {
                AggFn::Avg
            } else {
                AggFn::AvgFloat
            },
            field,
        )
    }
    #[doc(hidden)]
    pub fn min(field: usize) -> Self {
        Self::new(AggFn::Min, field)
    }
    #[doc(hidden)]
    pub fn max(field: usize) -> Self {
        Self::new(AggFn::Max, field)
    }
    #[doc(hidden)]
    pub fn by(field: usize) -> Self {
        Self::new(AggFn::Field, field)
    }

    /// The SQL of the aggregate over `meta`'s columns qualified by [`T0`].
    fn expr(&self, meta: &ModelMeta, backend: Dialect) -> Expr {
        let c = || col(T0, meta.fields[self.field].column);
        let cast = |e: Expr, pg: &'static str, my: &'static str| -> Expr {
            match backend {
                Dialect::Postgres => Func::cast_as(e, sea_query::Alias::new(pg)).into(),
                Dialect::Mysql => Func::cast_as(e, sea_query::Alias::new(my)).into(),
                _ => e,
            }
        };
        match self.func {
            AggFn::CountAll => Func::count(Expr::cust("*")).into(),
            AggFn::Count => Func::count(c()).into(),
            AggFn::SumInt => cast(Func::sum(c()).into(), "BIGINT", "SIGNED"),
            AggFn::Sum => Func::sum(c()).into(),
            AggFn::AvgFloat => cast(Func::avg(c()).into(), "DOUBLE PRECISION", "DOUBLE"),
            // PostgreSQL's `numeric` average has more digits than a `Decimal` holds (28):
            // rounded to 16 places there. MySQL gives the column's scale plus 4.
            AggFn::Avg if backend == Dialect::Postgres => {
                Func::round_with_precision(Func::avg(c()), 16).into()
            }
            AggFn::Avg => Func::avg(c()).into(),
            AggFn::Min => Func::min(c()).into(),
            AggFn::Max => Func::max(c()).into(),
            AggFn::Field => c(),
        }
    }

    /// Orders groups by the aggregate (in `group_by`).
    pub fn order(self, d: Direction) -> AggOrder<M> {
        AggOrder {
            key: AggKey::Agg(self.func, self.field, d),
            _m: PhantomData,
        }
    }

    fn having(self, op: fn(Expr, SqlValue) -> Expr, v: SqlValue) -> Having<M> {
        Having {
            func: self.func,
            field: self.field,
            op,
            value: v,
            _m: PhantomData,
        }
    }
    /// The group's aggregate equals `v` (in `group_by(...).having(...)`).
    pub fn equals(self, v: impl Into<SqlValue>) -> Having<M> {
        self.having(|e, v| e.eq(v), v.into())
    }
    /// The group's aggregate differs from `v`.
    pub fn not(self, v: impl Into<SqlValue>) -> Having<M> {
        self.having(|e, v| e.ne(v), v.into())
    }
    /// The group's aggregate is greater than `v`.
    pub fn gt(self, v: impl Into<SqlValue>) -> Having<M> {
        self.having(|e, v| e.gt(v), v.into())
    }
    /// The group's aggregate is at least `v`.
    pub fn gte(self, v: impl Into<SqlValue>) -> Having<M> {
        self.having(|e, v| e.gte(v), v.into())
    }
    /// The group's aggregate is less than `v`.
    pub fn lt(self, v: impl Into<SqlValue>) -> Having<M> {
        self.having(|e, v| e.lt(v), v.into())
    }
    /// The group's aggregate is at most `v`.
    pub fn lte(self, v: impl Into<SqlValue>) -> Having<M> {
        self.having(|e, v| e.lte(v), v.into())
    }
}

/// A condition on a group's aggregate, for `group_by(...).having(...)`.
pub struct Having<M> {
    func: AggFn,
    field: usize,
    op: fn(Expr, SqlValue) -> Expr,
    value: SqlValue,
    _m: PhantomData<fn() -> M>,
}

/// An ordering of groups by an aggregate (`post::views::sum().order(Direction::Desc)`) or by a
/// field they are grouped by (an [`OrderBy`]).
pub struct AggOrder<M> {
    key: AggKey,
    _m: PhantomData<fn() -> M>,
}

enum AggKey {
    Agg(AggFn, usize, Direction),
    Plain(crate::filter::Ordering),
}

impl<M> From<OrderBy<M>> for AggOrder<M> {
    fn from(o: OrderBy<M>) -> Self {
        AggOrder {
            key: AggKey::Plain(o.order),
            _m: PhantomData,
        }
    }
}

/// A tuple of aggregates of records of `M` (or one): what a query selects, decoded into
/// [`Output`](Aggregates::Output), the tuple of their values.
pub trait Aggregates<M>: Send + 'static {
    /// The values, in order.
    type Output: Send + 'static;
    #[doc(hidden)]
    fn exprs(&self, meta: &ModelMeta, backend: Dialect, out: &mut Vec<Expr>);
    #[doc(hidden)]
    fn decode(r: &mut Reader<'_>) -> Result<Self::Output>;
    /// Pushes a word per aggregate (its function and field) for the statement cache; `false`
    /// when there is none (the statement is then built every time).
    #[doc(hidden)]
    fn shape(&self, _out: &mut Vec<u64>) -> bool {
        false
    }
}

/// The word of an aggregate in a statement's shape.
fn word(func: AggFn, field: usize) -> u64 {
    (func as u64) << 32 | field as u64
}

/// The shape of `aggregate(...)` for the statement cache: its aggregates; `None` when it pages
/// (a subquery) or an aggregate has no word.
fn aggregate_shape<M, A: Aggregates<M>>(args: &FindArgs<M>, aggs: &A) -> Option<Vec<u64>> {
    let pages = args.take.is_some() || args.skip.is_some() || args.cursor.is_some();
    let mut shape = vec![0];
    (!pages && args.distinct.is_empty() && aggs.shape(&mut shape)).then_some(shape)
}

impl<M: 'static, T: Decode + Send + 'static> Aggregates<M> for Agg<M, T> {
    type Output = T;
    fn exprs(&self, meta: &ModelMeta, backend: Dialect, out: &mut Vec<Expr>) {
        out.push(self.expr(meta, backend));
    }
    fn decode(r: &mut Reader<'_>) -> Result<T> {
        T::decode(r)
    }
    fn shape(&self, out: &mut Vec<u64>) -> bool {
        out.push(word(self.func, self.field));
        true
    }
}

macro_rules! tuple_aggregates {
    ($($a:ident),*) => {
        #[allow(non_snake_case)]
        impl<M, $($a: Aggregates<M>),*> Aggregates<M> for ($($a,)*) {
            type Output = ($($a::Output,)*);
            fn exprs(&self, meta: &ModelMeta, backend: Dialect, out: &mut Vec<Expr>) {
                let ($($a,)*) = self;
                $($a.exprs(meta, backend, out);)*
            }
            fn decode(r: &mut Reader<'_>) -> Result<Self::Output> {
                Ok(($($a::decode(r)?,)*))
            }
            fn shape(&self, out: &mut Vec<u64>) -> bool {
                let ($($a,)*) = self;
                true $(&& $a.shape(out))*
            }
        }
    };
}
tuple_aggregates!(A);
tuple_aggregates!(A, B);
tuple_aggregates!(A, B, C);
tuple_aggregates!(A, B, C, D);
tuple_aggregates!(A, B, C, D, E);
tuple_aggregates!(A, B, C, D, E, F);
tuple_aggregates!(A, B, C, D, E, F, G);
tuple_aggregates!(A, B, C, D, E, F, G, H);
tuple_aggregates!(A, B, C, D, E, F, G, H, I);
tuple_aggregates!(A, B, C, D, E, F, G, H, I, J);

/// The statement whose rows an aggregate reads: the table itself, or, when paging (`take`,
/// `skip`, `cursor`) picks the records, that page as a subquery, as Prisma aggregates the page.
fn source<M: Model>(backend: Dialect, args: &FindArgs<M>) -> SelectStatement {
    let meta = M::META;
    let mut q = Query::select();
    if args.take.is_some() || args.skip.is_some() || args.cursor.is_some() {
        q.from_subquery(find::select(backend, args), T0);
    } else {
        q.from_as(meta.table, T0);
        q.cond_where(Cond { backend }.all(meta, T0, ROOT, &args.filters));
    }
    q
}

/// `aggregate(...)`: modifiers, then `.exec().await`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct Aggregate<M, A> {
    pub(crate) conn: Conn,
    pub(crate) args: FindArgs<M>,
    pub(crate) aggs: A,
}

impl<M: Model, A: Aggregates<M>> Aggregate<M, A> {
    pub(crate) fn new(conn: Conn, w: Vec<Where<M>>, aggs: A) -> Self {
        Aggregate {
            conn,
            args: FindArgs::filtered(w),
            aggs,
        }
    }
    /// Orders the records (what `take`, `skip` and `cursor` page through).
    pub fn order_by(mut self, o: OrderBy<M>) -> Self {
        self.args.order.push(o.order);
        self
    }
    /// Aggregates at most `n` records (negative: the last ones).
    pub fn take(mut self, n: i64) -> Self {
        self.args.take = Some(n);
        self
    }
    /// Skips the first `n` records.
    pub fn skip(mut self, n: i64) -> Self {
        self.args.skip = Some(n);
        self
    }
    /// Starts at the record the unique filter selects (included).
    pub fn cursor(mut self, u: Unique<M>) -> Self {
        self.args.cursor = Some(u.filter);
        self
    }
    /// Runs the query: the aggregates' values, in order.
    ///
    /// # Errors
    /// What the database reports.
    pub async fn exec(self) -> Result<A::Output> {
        let backend = self.conn.backend();
        let shape = aggregate_shape(&self.args, &self.aggs);
        let stmt = cache::aggregate_select(M::META, backend, shape, &self.args.filters, || {
            let mut q = source(backend, &self.args);
            let mut exprs = Vec::new();
            self.aggs.exprs(M::META, backend, &mut exprs);
            for e in exprs {
                q.expr(e);
            }
            sql::build(&q, backend)
        });
        let row = match self.conn.fetch_optional_now(stmt, Some(M::META), A::decode) {
            Ok(row) => row?,
            // Boxed: this future stays small, moved as it is made and awaited.
            Err(stmt) => {
                Box::pin(self.conn.reading(stmt, |conn, stmt| async move {
                    conn.fetch_optional(stmt, Some(M::META), A::decode).await
                }))
                .await?
            }
        };
        row.ok_or_else(|| crate::Error::not_found(M::META.name, "aggregate"))
    }
}

/// `group_by(...)`: modifiers, then `.exec().await`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct GroupBy<M, K, A> {
    pub(crate) conn: Conn,
    by: K,
    filters: Vec<Filter>,
    aggs: A,
    having: Vec<Having<M>>,
    order: Vec<AggOrder<M>>,
    take: Option<i64>,
    skip: Option<i64>,
}

impl<M: Model, K: Aggregates<M>, A: Aggregates<M>> GroupBy<M, K, A> {
    pub(crate) fn new(conn: Conn, by: K, w: Vec<Where<M>>, aggs: A) -> Self {
        GroupBy {
            conn,
            by,
            filters: filters(w),
            aggs,
            having: Vec::new(),
            order: Vec::new(),
            take: None,
            skip: None,
        }
    }
    /// Keeps the groups whose aggregates meet all of `h` (`post::views::sum().gt(10)`).
    pub fn having(mut self, h: Vec<Having<M>>) -> Self {
        self.having.extend(h);
        self
    }
    /// Orders the groups by a field they are grouped by (`post::author_id::order(...)`) or by
    /// an aggregate (`post::views::sum().order(...)`); call again for more.
    pub fn order_by(mut self, o: impl Into<AggOrder<M>>) -> Self {
        self.order.push(o.into());
        self
    }
    /// At most `n` groups.
    pub fn take(mut self, n: i64) -> Self {
        self.take = Some(n);
        self
    }
    /// Skips the first `n` groups.
    pub fn skip(mut self, n: i64) -> Self {
        self.skip = Some(n);
        self
    }
    /// Runs the query: each group's values of the fields grouped by, and its aggregates.
    ///
    /// # Errors
    /// What the database reports (ordering by a field the groups are not grouped by, say).
    pub async fn exec(self) -> Result<Vec<(K::Output, A::Output)>> {
        let meta = M::META;
        let backend = self.conn.backend();
        let shape = self.shape();
        let stmt = cache::aggregate_select(meta, backend, shape, &self.filters, || self.build());
        let mut decode = |r: &mut Reader<'_>| Ok((K::decode(r)?, A::decode(r)?));
        let stmt = match self.conn.fetch_now(stmt, Some(meta), &mut decode) {
            Ok(groups) => return groups,
            Err(stmt) => stmt,
        };
        // Boxed: this future stays small, moved as it is made and awaited.
        Box::pin(self.conn.reading(stmt, |conn, stmt| async move {
            conn.fetch_waiting(stmt, Some(meta), decode).await
        }))
        .await
    }

    /// The shape of the statement for the cache: keys, aggregates and orders; `None` with a
    /// `having`, paging, or an order the shape does not describe.
    fn shape(&self) -> Option<Vec<u64>> {
        const NEXT: u64 = u64::MAX;
        if !self.having.is_empty() || self.take.is_some() || self.skip.is_some() {
            return None;
        }
        let mut shape = vec![1];
        if !self.by.shape(&mut shape) {
            return None;
        }
        shape.push(NEXT);
        if !self.aggs.shape(&mut shape) {
            return None;
        }
        shape.push(NEXT);
        for o in &self.order {
            match &o.key {
                AggKey::Agg(func, field, direction) => {
                    shape.extend([0, word(*func, *field), *direction as u64]);
                }
                AggKey::Plain(o) => {
                    let field = o.own_field()?;
                    let nulls = match o.nulls {
                        None => 0,
                        Some(crate::filter::Nulls::First) => 1,
                        Some(crate::filter::Nulls::Last) => 2,
                    };
                    shape.extend([1, field as u64, o.direction as u64, nulls]);
                }
            }
        }
        Some(shape)
    }

    fn build(&self) -> crate::db::Stmt {
        let meta = M::META;
        let backend = self.conn.backend();
        let mut q = Query::select();
        q.from_as(meta.table, T0);
        q.cond_where(Cond { backend }.all(meta, T0, ROOT, &self.filters));
        let mut keys = Vec::new();
        self.by.exprs(meta, backend, &mut keys);
        let mut exprs = Vec::new();
        self.aggs.exprs(meta, backend, &mut exprs);
        for e in keys.iter().chain(&exprs) {
            q.expr(e.clone());
        }
        q.add_group_by(keys);
        let mut having = Condition::all();
        for h in &self.having {
            let e = Agg::<M, ()>::new(h.func, h.field).expr(meta, backend);
            having = having.add((h.op)(e, h.value.clone()));
        }
        q.cond_having(having);
        for o in &self.order {
            match &o.key {
                AggKey::Agg(func, field, direction) => {
                    let e = Agg::<M, ()>::new(*func, *field).expr(meta, backend);
                    let d = match direction {
                        Direction::Asc => Order::Asc,
                        Direction::Desc => Order::Desc,
                    };
                    q.order_by_expr(e, d);
                }
                AggKey::Plain(o) => sql::order_by(&mut q, meta, T0, ROOT, std::slice::from_ref(o)),
            }
        }
        sql::limit(&mut q, self.take, self.skip);
        sql::build(&q, backend)
    }
}

/// `count(...).select(...)`: counts of fields (and of records) over the counted records.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct CountSelect<M, A>(pub(crate) Aggregate<M, A>);

impl<M: Model, A: Aggregates<M>> CountSelect<M, A> {
    /// Runs the query: the counts, in order.
    ///
    /// # Errors
    /// What the database reports.
    pub async fn exec(self) -> Result<A::Output> {
        self.0.exec().await
    }
}
