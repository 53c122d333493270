//! Loading relations with `.with(...)`: one query per relation level (`WHERE key IN (...)`).

use sea_query::{Condition, ExprTrait, JoinType, SelectStatement, Value, Values};

use crate::alias::{LOAD_JOIN, ROOT, T0};
use crate::cache::{self, ModelKey};
use crate::db::{Conn, Dialect, Stmt};
use crate::error::Result;
use crate::filter::{OrderBy, Unique, Where};
use crate::meta::{Kind, Link};
use crate::query::find::{cursor_condition, total_order, FindArgs};
use crate::query::traits::{BoxFuture, Load, Model};
use crate::sql::{self, col, Cond};
use crate::value::{decode_key, into_key, Key};

/// A relation to fetch with its query arguments; what `post::comments::fetch(...)` returns.
pub struct Fetch<P, C> {
    rel: usize,
    assign: fn(&mut P, Vec<C>),
    args: FindArgs<C>,
}

impl<P: Model, C: Model> Fetch<P, C> {
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
        self.args.order.push((o.field, o.direction));
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
}

impl<P: Model, C: Model> From<Fetch<P, C>> for Box<dyn Load<P>> {
    fn from(f: Fetch<P, C>) -> Self {
        Box::new(f)
    }
}

impl<P: Model, C: Model> Fetch<P, C> {
    /// The query of the related records, with `keys` selecting them by the key column(s).
    fn select(&self, backend: Dialect, link: &Linked, keys: Condition) -> SelectStatement {
        let target = C::META;
        let mut q = sql::select_all(target);
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
        sql::order(&mut q, target, T0, &total_order(target, &args.order));
        q
    }

    /// The statement for the distinct parent keys `values` (`n` keys, one after another).
    fn statement(&self, backend: Dialect, link: &Linked, values: Vec<Value>, n: usize) -> Stmt {
        let target = C::META;
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
            P::META.fields[link.parent_fields[0]].kind,
            Kind::Int | Kind::BigInt | Kind::String
        );
        if columns.len() == 1
            && n > 0
            && plain
            && self.args.filters.is_empty()
            && self.args.cursor.is_none()
        {
            let shape = (
                ModelKey::of(P::META),
                self.rel,
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

impl<P: Model, C: Model> Fetch<P, C> {
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
    fn of<M: Model>(records: &[M], fields: &[usize]) -> Keys {
        if let [f] = fields {
            // Sized up front (collecting Options gives no size hint, and each regrowth of a
            // large vector is a reallocation that also makes malloc consolidate its free lists).
            let mut ints = Vec::with_capacity(records.len());
            for r in records {
                match r.value(*f) {
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
fn key_of_record<M: Model>(m: &M, fields: &[usize]) -> Key {
    match fields {
        [f] => into_key(m.value(*f)),
        many => Key::Tuple(many.iter().map(|&f| into_key(m.value(f))).collect()),
    }
}

impl<P: Model, C: Model> Load<P> for Fetch<P, C> {
    fn load<'a>(&'a self, conn: &'a Conn, parents: &'a mut [P]) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            if parents.is_empty() {
                return Ok(());
            }
            let meta = P::META;
            let rel = &meta.relations[self.rel];
            let link = match &rel.link {
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
            };
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
                values.extend(link.parent_fields.iter().map(|&f| parents[p].value(f)));
            }
            let backend = conn.backend();
            let stmt = self.statement(backend, &link, values, firsts.len());
            let key_kind = meta.fields[link.parent_fields[0]].kind;
            let is_join = link.join.is_some();
            let mut join_keys: Vec<Key> = Vec::new();
            let mut children: Vec<C> = conn
                .fetch(stmt, Some(C::META), |r| {
                    let c = C::decode(r)?;
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
