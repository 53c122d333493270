//! The arguments of a read and the SELECT they make: shared by `find_many` and friends
//! ([`read`](super::read)) and by relation loading ([`fetch`](super::fetch)), which reads the
//! related records with the same arguments.

use sea_query::{Condition, Expr, ExprTrait, Query, SelectStatement};

use crate::alias::{self, ROOT, T0};
use crate::db::Dialect;
use crate::filter::{Direction, Filter, Where};
use crate::meta::ModelMeta;
use crate::query::traits::{Load, Model};
use crate::sql::{self, col, Cond};

/// Arguments of a read.
pub(crate) struct FindArgs<M> {
    pub(crate) filters: Vec<Filter>,
    pub(crate) order: Vec<(usize, Direction)>,
    pub(crate) take: Option<i64>,
    pub(crate) skip: Option<i64>,
    pub(crate) cursor: Option<Filter>,
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
    pub(crate) fn cursor_order(&self, meta: &ModelMeta) -> Vec<(usize, Direction)> {
        let total = total_order(meta, &self.order);
        if self.backwards() {
            flip(&total)
        } else {
            total
        }
    }
}

/// `orders` with every direction reversed.
pub(crate) fn flip(orders: &[(usize, Direction)]) -> Vec<(usize, Direction)> {
    orders
        .iter()
        .map(|&(f, d)| {
            let d = match d {
                Direction::Asc => Direction::Desc,
                Direction::Desc => Direction::Asc,
            };
            (f, d)
        })
        .collect()
}

/// The untyped filters of typed ones.
pub(crate) fn filters<M>(w: Vec<Where<M>>) -> Vec<Filter> {
    w.into_iter().map(|w| w.filter).collect()
}

/// `orders`, then the primary key fields they leave out, ascending: a total order (paging and
/// cursors need one, so that a record is never seen twice or skipped).
pub(crate) fn total_order(
    meta: &ModelMeta,
    orders: &[(usize, Direction)],
) -> Vec<(usize, Direction)> {
    let mut total = orders.to_vec();
    for &pk in meta.primary_key {
        if !total.iter().any(|(f, _)| *f == pk) {
            total.push((pk, Direction::Asc));
        }
    }
    total
}

/// Records from the cursor record (included) on, in `orders` (a total order, see
/// [`FindArgs::cursor_order`]); the statement's model is [`T0`].
pub(crate) fn cursor_condition(
    meta: &ModelMeta,
    backend: Dialect,
    orders: &[(usize, Direction)],
    cursor: &Filter,
) -> Condition {
    let value_of = |field: usize| -> Expr {
        let mut q = Query::select();
        q.column((alias::CURSOR_TABLE, meta.fields[field].column))
            .from_as(meta.table, alias::CURSOR_TABLE)
            .cond_where(Cond { backend }.all(
                meta,
                alias::CURSOR_TABLE,
                alias::CURSOR,
                std::slice::from_ref(cursor),
            ));
        Expr::SubQuery(None, Box::new(q.into()))
    };
    // (o1 > c1) OR (o1 = c1 AND o2 > c2) OR ... OR (all equal).
    let mut any = Condition::any();
    for i in 0..=orders.len() {
        let mut all = Condition::all();
        for &(f, _) in &orders[..i] {
            all = all.add(col(T0, meta.fields[f].column).eq(value_of(f)));
        }
        if let Some(&(f, dir)) = orders.get(i) {
            let c = col(T0, meta.fields[f].column);
            all = all.add(match dir {
                Direction::Asc => c.gt(value_of(f)),
                Direction::Desc => c.lt(value_of(f)),
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
    sql::order(&mut q, meta, T0, &orders);
    sql::limit(&mut q, args.take, args.skip);
    q
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
