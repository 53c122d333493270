//! Loading relations with `.with(...)`: one query per relation level (`WHERE key IN (...)`).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use sea_query::{ExprTrait, JoinType};

use crate::db::Conn;
use crate::error::Result;
use crate::filter::{Direction, OrderBy, Unique, Where};
use crate::meta::Link;
use crate::model::{FindArgs, Model};
use crate::sql::{self, col, Cond, ALIAS};
use crate::value::{decode_key, key_of, Key};

/// A boxed future that can cross threads.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Loads one relation for a batch of parent records.
pub trait Load<P>: Send + Sync {
    fn load<'a>(&'a self, conn: &'a Conn, parents: &'a mut [P]) -> BoxFuture<'a, Result<()>>;
}

/// A relation to fetch with its query arguments; what `post::comments::fetch(...)` returns.
pub struct Fetch<P, C> {
    rel: usize,
    assign: fn(&mut P, Vec<C>),
    args: FindArgs<C>,
}

impl<P: Model, C: Model> Fetch<P, C> {
    #[doc(hidden)]
    pub fn new(rel: usize, assign: fn(&mut P, Vec<C>), filters: Vec<Where<C>>) -> Self {
        let args = FindArgs {
            filters: filters.into_iter().map(|w| w.filter).collect(),
            ..FindArgs::default()
        };
        Fetch { rel, assign, args }
    }
    /// At most `n` related records per parent.
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

impl<P: Model, C: Model> Load<P> for Fetch<P, C> {
    fn load<'a>(&'a self, conn: &'a Conn, parents: &'a mut [P]) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            if parents.is_empty() {
                return Ok(());
            }
            let meta = P::META;
            let rel = &meta.relations[self.rel];
            let target = C::META;
            // Parent key fields, and the child columns (or join column) they match.
            let (parent_fields, child_fields, join): (Vec<usize>, Vec<usize>, _) = match &rel.link {
                Link::Owner { fields, references } => (fields.to_vec(), references.to_vec(), None),
                Link::Inverse { fields, references } => {
                    (references.to_vec(), fields.to_vec(), None)
                }
                Link::Join {
                    table,
                    own,
                    other,
                    own_key,
                    other_key,
                } => (
                    vec![*own_key],
                    Vec::new(),
                    Some((*table, *own, *other, *other_key)),
                ),
            };
            // Each parent's key, once; the distinct non-NULL ones go into `IN (...)`.
            let mut parent_keys: Vec<Key> = Vec::with_capacity(parents.len());
            let mut remaining: HashMap<Key, usize> = HashMap::new();
            let mut keys = Vec::new();
            for p in parents.iter() {
                let values: Vec<_> = parent_fields.iter().map(|&f| p.value(f)).collect();
                let k = Key::of(&values);
                let n = remaining.entry(k.clone()).or_default();
                *n += 1;
                if *n == 1 && !k.has_null() {
                    keys.push(values);
                }
                parent_keys.push(k);
            }
            let backend = conn.backend();
            let mut q = sql::select_all(target);
            let key_kind = meta.fields[parent_fields[0]].kind;
            match join {
                Some((table, own, other, other_key)) => {
                    q.expr(col("j", own));
                    q.join_as(
                        JoinType::InnerJoin,
                        table,
                        "j",
                        col("j", other).equals((ALIAS[0], target.fields[other_key].column)),
                    );
                    q.cond_where(sql::key_in("j", &[own], keys));
                }
                None => {
                    let cols: Vec<&str> = child_fields
                        .iter()
                        .map(|&f| target.fields[f].column)
                        .collect();
                    q.cond_where(sql::key_in(ALIAS[0], &cols, keys));
                }
            }
            let args = &self.args;
            q.cond_where(Cond { backend }.all(target, ALIAS[0], 0, &args.filters));
            if let Some(cursor) = &args.cursor {
                q.cond_where(crate::model::cursor_condition(
                    target, backend, args, cursor,
                ));
            }
            let mut orders = args.order.clone();
            for &pk in target.primary_key {
                if !orders.iter().any(|(f, _)| *f == pk) {
                    orders.push((pk, Direction::Asc));
                }
            }
            sql::order(&mut q, target, ALIAS[0], &orders);
            let stmt = sql::build(&q, backend);
            let is_join = join.is_some();
            let rows: Vec<(C, Key)> = conn
                .fetch(stmt, Some(target), |r| {
                    let c = C::decode(r)?;
                    let key = if is_join {
                        decode_key(r, key_kind)?
                    } else if let [f] = child_fields[..] {
                        key_of(&c.value(f))
                    } else {
                        let values: Vec<_> = child_fields.iter().map(|&f| c.value(f)).collect();
                        Key::of(&values)
                    };
                    Ok((c, key))
                })
                .await?;
            let (mut children, child_keys): (Vec<C>, Vec<Key>) = rows.into_iter().unzip();
            for w in &args.with {
                w.load(conn, &mut children).await?;
            }
            let mut groups: HashMap<Key, Vec<usize>> = HashMap::new();
            for (i, k) in child_keys.into_iter().enumerate() {
                groups.entry(k).or_default().push(i);
            }
            let skip = std::cmp::max(args.skip.unwrap_or(0), 0) as usize;
            let take = args.take.map(|t| std::cmp::max(t, 0) as usize);
            let mut slots: Vec<Option<C>> = children.into_iter().map(Some).collect();
            // A key can occur under several parents (a shared to-one target, a join partner,
            // or parents that are themselves copies): clone for all but the last.
            for (p, key) in parents.iter_mut().zip(&parent_keys) {
                let left = remaining.get_mut(key).expect("counted above");
                *left -= 1;
                let last = *left == 0;
                let picked: Vec<C> = match groups.get(key) {
                    Some(idx) => idx
                        .iter()
                        .skip(skip)
                        .take(take.unwrap_or(usize::MAX))
                        .filter_map(|&i| {
                            if last {
                                slots[i].take()
                            } else {
                                slots[i].clone()
                            }
                        })
                        .collect(),
                    None => Vec::new(),
                };
                (self.assign)(p, picked);
            }
            Ok(())
        })
    }
}
