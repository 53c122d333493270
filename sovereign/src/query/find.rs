//! The arguments of a read and the SELECT they make: shared by `find_many` and friends
//! ([`read`](super::read)) and by relation loading ([`fetch`](super::fetch)), which reads the
//! related records with the same arguments.

use sea_query::{Condition, Expr, ExprTrait, Query, SelectStatement};

use crate::alias::{self, ROOT, T0};
use crate::db::Dialect;
use crate::filter::{Direction, Filter, Ordering, Where};
use crate::meta::ModelMeta;
use crate::query::traits::{Load, Model};
use crate::sql::{self, Cond};

/// Arguments of a read.
pub(crate) struct FindArgs<M> {
    pub(crate) filters: Vec<Filter>,
    pub(crate) order: Vec<Ordering>,
    pub(crate) take: Option<i64>,
    pub(crate) skip: Option<i64>,
    pub(crate) cursor: Option<Filter>,
    /// Fields whose values are distinct in the result (the first record of each combination,
    /// in the query's order).
    pub(crate) distinct: Vec<usize>,
    pub(crate) with: Vec<Box<dyn Load<M>>>,
}

impl<M> Default for FindArgs<M> {
    fn default() -> Self {
        FindArgs {
            filters: Vec::new(),
            order: Vec::new(),
            take: None,
            skip: None,
            cursor: None,
            distinct: Vec::new(),
            with: Vec::new(),
        }
    }
}

impl<M> FindArgs<M> {
    /// Arguments that select the records matching all of `w`.
    pub(crate) fn filtered(w: Vec<Where<M>>) -> Self {
        FindArgs {
            filters: filters(w),
            ..FindArgs::default()
        }
    }

    /// A negative `take` reads backwards: the last records of the order (before the cursor,
    /// which is included), `skip` counting from that end; the page keeps the query's order.
    /// https://www.prisma.io/docs/orm/prisma-client/queries/pagination ("paging backwards").
    pub(crate) fn backwards(&self) -> bool {
        self.take.is_some_and(|t| t < 0)
    }

    /// The order a cursor is read in: the total order, every direction flipped when reading
    /// backwards.
    pub(crate) fn cursor_order(&self, meta: &ModelMeta) -> Vec<Ordering> {
        let total = total_order(meta, &self.order);
        if self.backwards() {
            total.iter().map(Ordering::flipped).collect()
        } else {
            total
        }
    }
}

/// The untyped filters of typed ones.
pub(crate) fn filters<M>(w: Vec<Where<M>>) -> Vec<Filter> {
    w.into_iter().map(|w| w.filter).collect()
}

/// `orders`, then the primary key fields they leave out, ascending: a total order (paging and
/// cursors need one, so that a record is never seen twice or skipped).
pub(crate) fn total_order(meta: &ModelMeta, orders: &[Ordering]) -> Vec<Ordering> {
    let mut total = orders.to_vec();
    for &pk in meta.primary_key {
        if !total.iter().any(|o| o.own_field() == Some(pk)) {
            total.push(Ordering::field(pk, Direction::Asc));
        }
    }
    total
}

/// Records from the cursor record (included) on, in `orders` (a total order, see
/// [`FindArgs::cursor_order`]); the statement's model is [`T0`].
pub(crate) fn cursor_condition(
    meta: &ModelMeta,
    backend: Dialect,
    orders: &[Ordering],
    cursor: &Filter,
) -> Condition {
    // The cursor record's value of an ordering's key.
    let value_of = |o: &Ordering| -> Expr {
        let mut q = Query::select();
        q.expr(sql::order_expr(
            meta,
            alias::CURSOR_TABLE,
            alias::CURSOR,
            &o.key,
        ))
        .from_as(meta.table, alias::CURSOR_TABLE)
        .cond_where(Cond { backend }.all(
            meta,
            alias::CURSOR_TABLE,
            alias::CURSOR,
            std::slice::from_ref(cursor),
        ));
        Expr::SubQuery(None, Box::new(q.into()))
    };
    let own = |o: &Ordering| sql::order_expr(meta, T0, ROOT, &o.key);
    // (o1 > c1) OR (o1 = c1 AND o2 > c2) OR ... OR (all equal).
    let mut any = Condition::any();
    for i in 0..=orders.len() {
        let mut all = Condition::all();
        for o in &orders[..i] {
            all = all.add(own(o).eq(value_of(o)));
        }
        if let Some(o) = orders.get(i) {
            all = all.add(match o.direction {
                Direction::Asc => own(o).gt(value_of(o)),
                Direction::Desc => own(o).lt(value_of(o)),
            });
        }
        any = any.add(all);
    }
    any
}

/// The SELECT of `find_many` with `args`: every column, filters, cursor, order and paging.
/// Reading backwards ([`FindArgs::backwards`]), the rows come in the reverse of the query's
/// order: the caller reverses them.
pub(crate) fn select<M: Model>(backend: Dialect, args: &FindArgs<M>) -> SelectStatement {
    let meta = M::META;
    let mut q = sql::select_all(meta);
    q.cond_where(Cond { backend }.all(meta, T0, ROOT, &args.filters));
    let orders = if args.cursor.is_some() || args.take.is_some() || args.skip.is_some() {
        args.cursor_order(meta)
    } else {
        args.order.clone()
    };
    if let Some(c) = &args.cursor {
        q.cond_where(cursor_condition(meta, backend, &orders, c));
    }
    sql::order_by(&mut q, meta, T0, ROOT, &orders);
    // With `distinct`, paging happens after it, in memory (as Prisma's `distinct` does).
    if args.distinct.is_empty() {
        sql::limit(&mut q, args.take, args.skip);
    }
    q
}

/// Keeps the first record of each combination of values of `fields` (records in the query's
/// order), then pages with `take` and `skip` as the SQL would have.
pub(crate) fn distinct<R: crate::query::traits::Loaded>(
    rows: Vec<R>,
    fields: &[usize],
    take: Option<i64>,
    skip: Option<i64>,
) -> Vec<R> {
    let mut seen: Vec<Vec<crate::value::Key>> = Vec::new();
    let mut kept = Vec::new();
    for r in rows {
        let key: Vec<_> = fields
            .iter()
            .map(|&f| crate::value::key_of(&r.key(f)))
            .collect();
        if !seen.contains(&key) {
            seen.push(key);
            kept.push(r);
        }
    }
    let skip = std::cmp::max(skip.unwrap_or(0), 0) as usize;
    match take {
        Some(t) if t < 0 => {
            let end = kept.len().saturating_sub(skip);
            let start = end.saturating_sub(t.unsigned_abs() as usize);
            kept.truncate(end);
            kept.drain(..start);
            kept
        }
        _ => {
            let take = take.map_or(usize::MAX, |t| t as usize);
            kept.into_iter().skip(skip).take(take).collect()
        }
    }
}

/// Replaces the columns `q` selects with `fields` of its model, then the key fields `keys`
/// (what a `select!` struct reads: its fields, then the keys its relations need).
pub(crate) fn select_fields(
    q: &mut SelectStatement,
    meta: &ModelMeta,
    fields: &[usize],
    keys: &[usize],
) {
    q.clear_selects();
    for &f in fields.iter().chain(keys) {
        q.column((T0, meta.fields[f].column));
    }
}
