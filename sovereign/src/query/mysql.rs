//! Writes on a backend without `RETURNING` (MySQL): what the others get from one statement
//! takes a read before or after it, in the transaction the caller opened.
//!
//! - `create`: after the INSERT, the row is read back by its primary key ([`read_back`]), given
//!   in the plan (a nested connect's key is looked up before, on every backend) or generated.
//! - `update` by primary key: the UPDATE, then the row read back ([`update_by_key`]).
//! - `update` by another unique filter, and `delete`: the record is found first, then changed
//!   by its primary key ([`update_by_key`], [`delete_by_key`]).

use sea_query::{DeleteStatement, Expr, UpdateStatement, Value};

use crate::alias::ROOT;
use crate::cache;
use crate::db::{Conn, Done};
use crate::error::{Error, ErrorKind, Result};
use crate::filter::{Filter, Op};
use crate::meta::{Kind, ModelMeta};
use crate::query::plan::Plan;
use crate::query::read::{find_record, locate_record};
use crate::query::record::{pk_filter, Record};
use crate::sql::{self, Cond};

/// The row an INSERT of `plan` just created, found by its primary key: given in the plan, or
/// the id the database generated.
pub(crate) async fn read_back<R: Record>(
    conn: &Conn,
    meta: &'static ModelMeta,
    plan: &Plan,
    done: &Done,
) -> Result<R> {
    let mut key = Vec::new();
    for &pk in meta.primary_key {
        let v = match plan.given.iter().find(|(f, _)| *f == pk) {
            Some((_, v)) => v.clone(),
            None if meta.auto_increment => match meta.fields[pk].kind {
                Kind::Int => Value::Int(done.last_insert_id.and_then(|i| i32::try_from(i).ok())),
                _ => Value::BigInt(done.last_insert_id),
            },
            None => {
                return Err(Error::new(
                    ErrorKind::Configuration,
                    format!(
                        "cannot read back the new {} row on MySQL: its primary key is neither given nor autoincrement",
                        meta.name
                    ),
                ))
            }
        };
        key.push(Filter::Field(pk, Op::Equals(v)));
    }
    find_record(conn, meta, &Filter::And(key))
        .await?
        .ok_or_else(|| Error::not_found(meta.name, "create"))
}

/// Runs `q` (the UPDATE of `plan`'s columns, without a WHERE) on the record `filter` selects,
/// by its primary key, and reads the record back (by its new key, if the update changed it).
pub(crate) async fn update_by_key<R: Record>(
    conn: &Conn,
    meta: &'static ModelMeta,
    filter: &Filter,
    mut q: UpdateStatement,
    plan: &Plan,
) -> Result<R> {
    let backend = conn.backend();
    if let Some(key) = primary_key_values(meta, filter) {
        // The usual `update` by id names its row already: the UPDATE goes first (its text
        // cached as on the other backends), and no row matched is the record not found (the
        // connection counts rows matched, not changed: sqlx sets CLIENT_FOUND_ROWS). Found
        // first, as other filters are, it was three statements where a person writes two.
        let stmt = cache::update_unique(meta, backend, &plan.columns, filter, || {
            q.cond_where(Cond { backend }.all(
                meta,
                meta.table,
                ROOT,
                std::slice::from_ref(filter),
            ));
            sql::build(&q, backend)
        });
        if conn.execute(stmt, Some(meta)).await?.rows == 0 {
            return Err(Error::not_found(meta.name, "update"));
        }
        let key = new_key(meta, plan, |f| key_value(meta, &key, f));
        return locate_record(conn, meta, &key, "update").await;
    }
    let found: R = locate_record(conn, meta, filter, "update").await?;
    let pk = pk_filter(meta, &found);
    q.cond_where(Cond { backend }.all(meta, meta.table, ROOT, std::slice::from_ref(&pk)));
    conn.execute(sql::build(&q, backend), Some(meta)).await?;
    let key = new_key(meta, plan, |f| found.get(f));
    locate_record(conn, meta, &key, "update").await
}

/// [`update_by_key`] of plain values (`values[i]` set to field `fields[i]`, from
/// [`plain_update`](super::plan::plain_update)): by primary key, the values move into the
/// cached UPDATE without a plan; by another filter, they are planned as usual.
pub(crate) async fn update_values<R: Record>(
    conn: &Conn,
    meta: &'static ModelMeta,
    filter: &Filter,
    fields: &[u16],
    values: Vec<Value>,
) -> Result<R> {
    let backend = conn.backend();
    let set = |f: usize| fields.iter().position(|&g| usize::from(g) == f);
    let Some(key) = primary_key_values(meta, filter).filter(|_| !fields.is_empty()) else {
        let columns = fields.iter().zip(&values);
        let plan = Plan {
            columns: (columns.clone())
                .map(|(&f, v)| (usize::from(f), Expr::val(v.clone())))
                .collect(),
            given: columns.map(|(&f, v)| (usize::from(f), v.clone())).collect(),
            keep_given: true,
            relations: Vec::new(),
        };
        return crate::query::nested::update_row(conn, meta, filter, &plan).await;
    };
    // The key the record has after the update (it may set its own key).
    let new_key = meta.primary_key.iter().map(|&pk| {
        let v = set(pk).map_or_else(|| key_value(meta, &key, pk), |i| values[i].clone());
        Filter::Field(pk, Op::Equals(v))
    });
    let new_key = Filter::And(new_key.collect());
    let stmt = cache::update_values(meta, backend, fields, values, filter, |values| {
        let columns = fields.iter().zip(values);
        let columns = columns.map(|(f, v)| (usize::from(*f), Expr::val(v.clone())));
        crate::query::nested::update_statement(meta, backend, columns, filter)
    });
    // As in `update_by_key`: no row matched is the record not found.
    if conn.execute(stmt, Some(meta)).await?.rows == 0 {
        return Err(Error::not_found(meta.name, "update"));
    }
    locate_record(conn, meta, &new_key, "update").await
}

/// The filter of the updated record's primary key: the values `plan` gives its fields (the
/// key itself may change), else `old`'s.
fn new_key(meta: &ModelMeta, plan: &Plan, old: impl Fn(usize) -> Value) -> Filter {
    let key = meta.primary_key.iter().map(|&f| {
        let v = plan
            .given
            .iter()
            .find(|(g, _)| *g == f)
            .map_or_else(|| old(f), |(_, v)| v.clone());
        Filter::Field(f, Op::Equals(v))
    });
    Filter::And(key.collect())
}

/// The values of `meta`'s primary key fields, in the key's order, when `filter` is exactly
/// equalities with non-NULL values on every primary key field (in any order) and nothing else.
fn primary_key_values<'f>(meta: &ModelMeta, filter: &'f Filter) -> Option<Vec<&'f Value>> {
    let parts: &[Filter] = match filter {
        Filter::And(parts) => parts,
        one => std::slice::from_ref(one),
    };
    if parts.len() != meta.primary_key.len() {
        return None;
    }
    let value_of = |pk: usize| {
        parts.iter().find_map(|p| match p {
            Filter::Field(f, Op::Equals(v)) if *f == pk && !crate::value::is_null(v) => Some(v),
            _ => None,
        })
    };
    meta.primary_key.iter().map(|&pk| value_of(pk)).collect()
}

/// The value `key` (from [`primary_key_values`]) gives primary key field `field`.
fn key_value(meta: &ModelMeta, key: &[&Value], field: usize) -> Value {
    let at = meta.primary_key.iter().position(|&pk| pk == field);
    at.map_or(Value::Bool(None), |i| key[i].clone())
}

/// Runs `q` (a DELETE without a WHERE) on the record `filter` selects, by its primary key;
/// returns the record as it was.
pub(crate) async fn delete_by_key<R: Record>(
    conn: &Conn,
    meta: &'static ModelMeta,
    filter: &Filter,
    mut q: DeleteStatement,
) -> Result<R> {
    let backend = conn.backend();
    let found: R = locate_record(conn, meta, filter, "delete").await?;
    let pk = pk_filter(meta, &found);
    q.cond_where(Cond { backend }.all(meta, meta.table, ROOT, std::slice::from_ref(&pk)));
    conn.execute(sql::build(&q, backend), Some(meta)).await?;
    Ok(found)
}
