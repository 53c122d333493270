//! Loading relations with `.with(...)`: one query per relation level (`WHERE key IN (...)`).

use sea_query::{Condition, ExprTrait, JoinType, SelectStatement, Value, Values};

use crate::alias::{LOAD_JOIN, ROOT, T0};
use crate::cache::{self, ModelKey};
use crate::db::{Conn, Dialect, Stmt};
use crate::error::Result;
use crate::filter::{Filter, OrderBy, Unique, Where};
use crate::meta::{Kind, Link};
use crate::query::find::{cursor_condition, total_order, FindArgs};
use crate::query::traits::{BoxFuture, Load, Loaded};
use crate::sql::{self, col, Cond};
use crate::value::{decode_key, decode_value, into_key, Key};

/// A relation to fetch with its query arguments; what `post::comments::fetch(...)` returns.
pub struct Fetch<P, C> {
    rel: usize,
    assign: fn(&mut P, Vec<C>),
    args: FindArgs<C>,
}

impl<P: Loaded, C: Loaded> Fetch<P, C> {
    #[doc(hidden)]
    pub fn new(rel: usize, assign: fn(&mut P, Vec<C>), filters: Vec<Where<C>>) -> Self {
        Fetch {
            rel,
            assign,
            args: FindArgs::filtered(filters),
        }
    }
    /// At most `n` related records per parent; a negative `n`: each parent's last ones.
    #[must_use]
    pub fn take(mut self, n: i64) -> Self {
        self.args.take = Some(n);
        self
    }
    /// Skips `n` related records per parent.
    #[must_use]
    pub fn skip(mut self, n: i64) -> Self {
        self.args.skip = Some(n);
        self
    }
    /// Orders each parent's related records by a field.
    #[must_use]
    pub fn order_by(mut self, o: OrderBy<C>) -> Self {
        self.args.order.push(o.order);
        self
    }
    /// Related records from the one the unique filter selects on, in the fetch's order.
    #[must_use]
    pub fn cursor(mut self, u: Unique<C>) -> Self {
        self.args.cursor = Some(u.filter);
        self
    }
    /// Fetches a relation of the related records too (one more query for the level).
    #[must_use]
    pub fn with(mut self, w: impl Into<Box<dyn Load<C>>>) -> Self {
        self.args.with.push(w.into());
        self
    }
    /// The same relation and arguments, loading [`select!`](crate::select) structs into a
    /// selection (what `select!` does with a relation field): `assign` stores them, `inner`
    /// loads their own relations. Relations fetched with `.with(...)` are left out.
    #[doc(hidden)]
    pub fn __reselect<SP: Loaded, SC: Loaded>(
        self,
        assign: fn(&mut SP, Vec<SC>),
        inner: crate::Select<SC>,
    ) -> Fetch<SP, SC> {
        debug_assert!(std::ptr::eq(P::meta(), SP::meta()) && std::ptr::eq(C::meta(), SC::meta()));
        let a = self.args;
        Fetch {
            rel: self.rel,
            assign,
            args: FindArgs {
                filters: a.filters,
                order: a.order,
                take: a.take,
                skip: a.skip,
                cursor: a.cursor,
                distinct: Vec::new(),
                with: inner.with,
            },
        }
    }
}

impl<P: Loaded, C: Loaded> From<Fetch<P, C>> for Box<dyn Load<P>> {
    fn from(f: Fetch<P, C>) -> Self {
        Box::new(f)
    }
}

impl<P: Loaded, C: Loaded> Fetch<P, C> {
    /// The key fields a child record of a selection decodes besides its own (those of its own
    /// relations, and those that hold its parent's key); none for a model's data.
    fn extra(link: &Linked) -> Vec<usize> {
        if C::fields().is_none() {
            return Vec::new();
        }
        let mut keys = C::own_keys();
        keys.extend_from_slice(link.child_fields);
        keys
    }

    /// The query of the related records, with `keys` selecting them by the key column(s).
    fn select(&self, backend: Dialect, link: &Linked, keys: Condition) -> SelectStatement {
        let target = C::meta();
        let mut q = sql::select_all(target);
        if let Some(fields) = C::fields() {
            crate::query::find::select_fields(&mut q, target, fields, &Self::extra(link));
        }
        if let Some((table, own, other, other_key)) = link.join {
            q.expr(col(LOAD_JOIN, own));
            q.join_as(
                JoinType::InnerJoin,
                table,
                LOAD_JOIN,
                col(LOAD_JOIN, other).equals((T0, target.fields[other_key].column)),
            );
        }
        q.cond_where(keys);
        let args = &self.args;
        q.cond_where(Cond { backend }.all(target, T0, ROOT, &args.filters));
        if let Some(cursor) = &args.cursor {
            q.cond_where(cursor_condition(
                target,
                backend,
                &args.cursor_order(target),
                cursor,
            ));
        }
        // In the fetch's order even when reading backwards: `assign` takes each parent's last
        // records then.
        sql::order_by(&mut q, target, T0, ROOT, &total_order(target, &args.order));
        q
    }

    /// The statement for the distinct parent keys `values` (`n` keys, one after another).
    fn statement(&self, backend: Dialect, link: &Linked, values: Vec<Value>, n: usize) -> Stmt {
        let target = C::meta();
        let (qualifier, columns): (&'static str, Vec<&'static str>) = match link.join {
            Some((_, own, _, _)) => (LOAD_JOIN, vec![own]),
            None => (
                T0,
                link.child_fields
                    .iter()
                    .map(|&f| target.fields[f].column)
                    .collect(),
            ),
        };
        // The usual load (one key column of plain placeholders, no filter or cursor, so the
        // keys are the only values): the SQL differs between loads only by the number of keys.
        let plain = matches!(
            P::meta().fields[link.parent_fields[0]].kind,
            Kind::Int | Kind::BigInt | Kind::String
        );
        if columns.len() == 1
            && n > 0
            && plain
            && self.args.filters.is_empty()
            && self.args.cursor.is_none()
        {
            let shape = (
                ModelKey::of(P::meta()),
                self.rel,
                std::any::TypeId::of::<C>(),
                backend,
                self.args.order.clone(),
            );
            let column = columns[0];
            let sql = cache::keyed_select(shape, backend, n, |item| {
                let keys = Condition::all().add(col(qualifier, column).is_in([item]));
                self.select(backend, link, keys)
            });
            if let Some(sql) = sql {
                return Stmt::new(sql, Values(values));
            }
        }
        let keys = sql::key_in(qualifier, &columns, values);
        sql::build(&self.select(backend, link, keys), backend)
    }
}

/// How parents and children of a relation match.
struct Linked {
    /// The parent's key fields.
    parent_fields: &'static [usize],
    /// The child's fields that hold the parent's key (none for a join table).
    child_fields: &'static [usize],
    /// A join table: its name, its columns of this side and the other, the target's key field.
    join: Option<(&'static str, &'static str, &'static str, usize)>,
}

impl<P: Loaded, C: Loaded> Fetch<P, C> {
    /// Gives each parent its children: `by_key` lists the parents in key order; the children
    /// are put in key order too (stable: each key's children stay in the fetch's order), then
    /// both lists are walked together.
    fn assign<K: Ord>(
        &self,
        parents: &mut [P],
        parent_keys: &[K],
        by_key: &[usize],
        children: Vec<C>,
        child_keys: &[K],
    ) {
        let mut order: Vec<usize> = (0..children.len()).collect();
        order.sort_by(|&a, &b| child_keys[a].cmp(&child_keys[b]));
        let args = &self.args;
        let skip = std::cmp::max(args.skip.unwrap_or(0), 0) as usize;
        let take = args.take.map_or(usize::MAX, |t| t.unsigned_abs() as usize);
        let backwards = args.backwards();
        let mut slots: Vec<Option<C>> = children.into_iter().map(Some).collect();
        let mut c = 0;
        let mut i = 0;
        while i < by_key.len() {
            let key = &parent_keys[by_key[i]];
            let mut end = i + 1;
            while end < by_key.len() && parent_keys[by_key[end]] == *key {
                end += 1;
            }
            while c < order.len() && child_keys[order[c]] < *key {
                c += 1;
            }
            let start = c;
            while c < order.len() && child_keys[order[c]] == *key {
                c += 1;
            }
            let group = &order[start..c];
            let group = if backwards {
                // The last `take` before the `skip` last, in the fetch's order.
                let group = &group[..group.len().saturating_sub(skip)];
                &group[group.len().saturating_sub(take)..]
            } else {
                let group = &group[skip.min(group.len())..];
                &group[..take.min(group.len())]
            };
            // A key can occur under several parents (a shared to-one target, a join partner,
            // or parents that are themselves copies): clone for all but the last.
            for (j, &p) in by_key[i..end].iter().enumerate() {
                let picked: Vec<C> = if j + 1 == end - i {
                    group.iter().filter_map(|&k| slots[k].take()).collect()
                } else {
                    group.iter().filter_map(|&k| slots[k].clone()).collect()
                };
                (self.assign)(&mut parents[p], picked);
            }
            i = end;
        }
    }
}

/// The keys of records, in the records' order: plain integers when every key is one (the
/// usual case: compared and dropped without a look at an enum), else [`Key`]s.
enum Keys {
    Int(Vec<i64>),
    Any(Vec<Key>),
}

impl Keys {
    fn of<M: Loaded>(records: &[M], fields: &[usize]) -> Keys {
        if let [f] = fields {
            // Sized up front (collecting Options gives no size hint, and each regrowth of a
            // large vector is a reallocation that also makes malloc consolidate its free lists).
            let mut ints = Vec::with_capacity(records.len());
            for r in records {
                match r.key(*f) {
                    Value::Int(Some(i)) => ints.push(i64::from(i)),
                    Value::BigInt(Some(i)) => ints.push(i),
                    _ => break,
                }
            }
            if ints.len() == records.len() {
                return Keys::Int(ints);
            }
        }
        Keys::Any(records.iter().map(|r| key_of_record(r, fields)).collect())
    }

    /// As [`Key`]s, which order integers as `i64` does.
    fn into_any(self) -> Vec<Key> {
        match self {
            Keys::Int(v) => v.into_iter().map(Key::Int).collect(),
            Keys::Any(v) => v,
        }
    }
}

/// A key that may be NULL, which matches no row.
trait Nullable: Ord {
    fn has_null(&self) -> bool;
}

impl Nullable for i64 {
    fn has_null(&self) -> bool {
        false
    }
}

impl Nullable for Key {
    fn has_null(&self) -> bool {
        Key::has_null(self)
    }
}

/// The indices of `keys` in key order (stable), and the first index of each distinct non-NULL
/// key.
fn sorted_and_distinct<K: Nullable>(keys: &[K]) -> (Vec<usize>, Vec<usize>) {
    let mut by_key: Vec<usize> = (0..keys.len()).collect();
    by_key.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
    let mut firsts = Vec::with_capacity(keys.len());
    for (i, &p) in by_key.iter().enumerate() {
        let k = &keys[p];
        if (i == 0 || keys[by_key[i - 1]] != *k) && !k.has_null() {
            firsts.push(p);
        }
    }
    (by_key, firsts)
}

/// The key of a record's `fields` (a single field is not wrapped in a tuple).
fn key_of_record<M: Loaded>(m: &M, fields: &[usize]) -> Key {
    match fields {
        [f] => into_key(m.key(*f)),
        many => Key::Tuple(many.iter().map(|&f| into_key(m.key(f))).collect()),
    }
}

/// How relation `rel` of `meta` links parents and children.
fn linked(meta: &'static crate::meta::ModelMeta, rel: usize) -> Linked {
    match &meta.relations[rel].link {
        Link::Owner { fields, references } => Linked {
            parent_fields: fields,
            child_fields: references,
            join: None,
        },
        Link::Inverse { fields, references } => Linked {
            parent_fields: references,
            child_fields: fields,
            join: None,
        },
        Link::Join {
            table,
            own,
            other,
            own_key,
            other_key,
        } => Linked {
            parent_fields: std::slice::from_ref(own_key),
            child_fields: &[],
            join: Some((*table, *own, *other, *other_key)),
        },
    }
}

impl<P: Loaded, C: Loaded> Load<P> for Fetch<P, C> {
    fn load<'a>(&'a self, conn: &'a Conn, parents: &'a mut [P]) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            if parents.is_empty() {
                return Ok(());
            }
            let meta = P::meta();
            let link = linked(meta, self.rel);
            // Each parent's key, once; parents in key order, so that equal keys are neighbours:
            // the distinct keys, and later each key's parents, come from one pass (no hashing).
            let parent_keys = Keys::of(parents, link.parent_fields);
            let (by_key, firsts) = match &parent_keys {
                Keys::Int(k) => sorted_and_distinct(k),
                Keys::Any(k) => sorted_and_distinct(k),
            };
            // The distinct non-NULL keys go into `IN (...)`.
            let mut values = Vec::with_capacity(firsts.len() * link.parent_fields.len());
            for &p in &firsts {
                values.extend(link.parent_fields.iter().map(|&f| parents[p].key(f)));
            }
            let backend = conn.backend();
            let stmt = self.statement(backend, &link, values, firsts.len());
            let key_kind = meta.fields[link.parent_fields[0]].kind;
            let is_join = link.join.is_some();
            let mut join_keys: Vec<Key> = Vec::new();
            let extra = Self::extra(&link);
            let mut children: Vec<C> = conn
                .fetch(stmt, Some(C::meta()), |r| {
                    let c = C::decode_with(r, &extra)?;
                    if is_join {
                        join_keys.push(decode_key(r, key_kind)?);
                    }
                    Ok(c)
                })
                .await?;
            let child_keys = if is_join {
                Keys::Any(join_keys)
            } else {
                Keys::of(&children, link.child_fields)
            };
            for w in &self.args.with {
                w.load(conn, &mut children).await?;
            }
            match (parent_keys, child_keys) {
                (Keys::Int(p), Keys::Int(c)) => self.assign(parents, &p, &by_key, children, &c),
                (p, c) => self.assign(parents, &p.into_any(), &by_key, children, &c.into_any()),
            }
            Ok(())
        })
    }
}

/// The number of related records of each parent, with filters: what `_count { posts }` in a
/// [`select!`](crate::select) loads (one query per relation: `GROUP BY` the parent's key), as
/// Prisma's `_count` of a list relation
/// (<https://www.prisma.io/docs/orm/prisma-client/queries/aggregation-grouping-summarizing#count-relations>).
pub struct RelationCount<P> {
    rel: usize,
    filters: Vec<Filter>,
    assign: fn(&mut P, i64),
}

impl<P: Loaded> RelationCount<P> {
    #[doc(hidden)]
    pub fn new<C>(rel: usize, filters: Vec<Where<C>>, assign: fn(&mut P, i64)) -> Self {
        RelationCount {
            rel,
            filters: filters.into_iter().map(|w| w.filter).collect(),
            assign,
        }
    }
    /// The same count, stored into a selection by `assign`.
    #[doc(hidden)]
    pub fn __reselect<SP: Loaded>(self, assign: fn(&mut SP, i64)) -> RelationCount<SP> {
        RelationCount {
            rel: self.rel,
            filters: self.filters,
            assign,
        }
    }
}

impl<P: Loaded> From<RelationCount<P>> for Box<dyn Load<P>> {
    fn from(c: RelationCount<P>) -> Self {
        Box::new(c)
    }
}

impl<P: Loaded> Load<P> for RelationCount<P> {
    fn load<'a>(&'a self, conn: &'a Conn, parents: &'a mut [P]) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            if parents.is_empty() {
                return Ok(());
            }
            let meta = P::meta();
            let target = meta.relations[self.rel].target;
            let link = linked(meta, self.rel);
            let parent_keys = Keys::of(parents, link.parent_fields).into_any();
            let (_, firsts) = sorted_and_distinct(&parent_keys);
            let mut values = Vec::with_capacity(firsts.len() * link.parent_fields.len());
            for &p in &firsts {
                values.extend(link.parent_fields.iter().map(|&f| parents[p].key(f)));
            }
            let backend = conn.backend();
            let mut q = sea_query::Query::select();
            q.from_as(target.table, T0);
            let (qualifier, columns): (&'static str, Vec<&'static str>) = match link.join {
                Some((table, own, other, other_key)) => {
                    q.join_as(
                        JoinType::InnerJoin,
                        table,
                        LOAD_JOIN,
                        col(LOAD_JOIN, other).equals((T0, target.fields[other_key].column)),
                    );
                    (LOAD_JOIN, vec![own])
                }
                None => (
                    T0,
                    link.child_fields
                        .iter()
                        .map(|&f| target.fields[f].column)
                        .collect(),
                ),
            };
            for c in &columns {
                q.column((qualifier, *c));
                q.add_group_by([col(qualifier, c)]);
            }
            q.expr(sea_query::Func::count(sea_query::Expr::cust("*")));
            q.cond_where(sql::key_in(qualifier, &columns, values));
            q.cond_where(Cond { backend }.all(target, T0, ROOT, &self.filters));
            let kinds: Vec<_> = link
                .parent_fields
                .iter()
                .map(|&f| &meta.fields[f])
                .collect();
            let counts: Vec<(Key, i64)> = conn
                .fetch(sql::build(&q, backend), Some(target), |r| {
                    let key = if let [f] = kinds.as_slice() {
                        if link.join.is_some() {
                            decode_key(r, f.kind)?
                        } else {
                            into_key(decode_value(r, f)?)
                        }
                    } else {
                        let mut parts = Vec::with_capacity(kinds.len());
                        for f in &kinds {
                            parts.push(into_key(decode_value(r, f)?));
                        }
                        Key::Tuple(parts)
                    };
                    Ok((key, r.next::<i64>()?))
                })
                .await?;
            for (p, key) in parents.iter_mut().zip(&parent_keys) {
                let n = counts.iter().find(|(k, _)| k == key).map_or(0, |(_, n)| *n);
                (self.assign)(p, n);
            }
            Ok(())
        })
    }
}
