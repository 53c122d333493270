//! Writes with nested writes (`create` and `update` given `post::author::connect(...)`,
//! `user::posts::create(...)`, ...): one plan, run statement by statement in the caller's
//! transaction, so that a failure anywhere leaves nothing behind.
//!
//! The order, for a record of model `M`:
//!
//! 1. the nested writes of relations whose foreign key `M` holds (`post.author`): each becomes
//!    the foreign key's columns of `M`'s own row, so they run first (a connect looks its record
//!    up, a create inserts it, ...); an update reads the record first, to know its current
//!    foreign keys;
//! 2. `M`'s own INSERT or UPDATE;
//! 3. the nested writes of the other relations (`user.posts`, many-to-many), in the order given:
//!    they need the record's key. Consecutive creates of plain related records (no nested writes
//!    of their own) go into one multi-row INSERT.
//!
//! On SQLite, outside a transaction, a create whose nested writes are all such plain creates
//! on to-many relations (the usual nested create) runs the same statements on one connection
//! it holds, in one future ([`create_flat`]), not through the transaction the general path
//! shares between its statements.
//!
//! Prisma's behaviour is the reference, checked against Prisma 7 on SQLite, PostgreSQL and
//! MariaDB (<https://www.prisma.io/docs/orm/prisma-client/queries/relation-queries#nested-writes>
//! and <https://www.prisma.io/docs/orm/reference/error-reference#prisma-client-query-engine>):
//!
//! - a connect that finds nothing is P2025 (to-one) or P2018 (to-many): here
//!   [`ErrorKind::RecordNotFound`];
//! - unlinking a record whose foreign key is required (a `disconnect`, a `set` that leaves it
//!   out, a to-one `create` or `connect` replacing it) is P2014:
//!   [`ErrorKind::RequiredRelationViolation`];
//! - a nested `delete` of a record that is not linked is P2017:
//!   [`ErrorKind::RecordsNotConnected`]; a nested to-one `update` or `delete` with no related
//!   record is P2025;
//! - disconnecting a record that is not linked (an optional foreign key, or many-to-many) is
//!   not an error, nor is connecting one twice.

use sea_query::{Condition, Expr, ExprTrait, Query, Value};

use crate::alias::{self, LOOKUP, ROOT, T0};
use crate::cache;
use crate::db::{Conn, Dialect};
use crate::error::{Error, ErrorKind, Result};
use crate::filter::{Filter, Nested, Op, SetKind, SetOp, SetRows};
use crate::meta::{Generated, Link, ModelMeta, RelationMeta};
use crate::query::mysql;
use crate::query::plan::{
    bits, client_default, client_filled_mask, has_relations, null_of, plan_at, Plan, SetFields,
};
use crate::query::read::{find_record, locate_record};
use crate::query::record::{pk_filter, Record, Row};
use crate::query::traits::BoxFuture;
use crate::sql::{self, col, Cond};
use crate::value::{decode_value, is_null};

/// `Model.relation`, for messages.
fn named(meta: &ModelMeta, rel: &RelationMeta) -> String {
    format!("{}.{}", meta.name, rel.name)
}

fn not_found(message: String) -> Error {
    Error::new(ErrorKind::RecordNotFound, message)
}

fn not_allowed(what: &str, meta: &ModelMeta, rel: &RelationMeta, why: &str) -> Error {
    Error::new(
        ErrorKind::Configuration,
        format!("{what} on {} {why}", named(meta, rel)),
    )
}

fn required_violation(meta: &ModelMeta, rel: &RelationMeta) -> Error {
    Error::new(
        ErrorKind::RequiredRelationViolation {
            relation: named(meta, rel),
        },
        format!(
            "the change would violate the required relation {}: a {} record would be left without its {}",
            named(meta, rel),
            rel.target.name,
            meta.name
        ),
    )
}

/// The name of a nested write, for messages.
fn op_name(n: &Nested) -> &'static str {
    match n {
        Nested::Create(_) => "create",
        Nested::CreateMany(_) => "create_many",
        Nested::Connect(_) => "connect",
        Nested::ConnectOrCreate(..) => "connect_or_create",
        Nested::Disconnect(_) => "disconnect",
        Nested::Set(_) => "set",
        Nested::Update(..) => "update",
        Nested::Upsert(..) => "upsert",
        Nested::Delete(_) => "delete",
        Nested::UpdateMany(..) => "update_many",
        Nested::DeleteMany(_) => "delete_many",
    }
}

// ---------------------------------------------------------------------------------------------
// The record's own row
// ---------------------------------------------------------------------------------------------

/// Inserts the row of `plan` and returns it as stored (RETURNING, or read back on MySQL). The
/// values of `plan.columns` may be taken (moved into the statement): only `plan.given` and
/// `plan.relations` are read afterwards.
pub(crate) async fn insert_row<R: Record>(
    conn: &Conn,
    meta: &'static ModelMeta,
    plan: &mut Plan,
) -> Result<R> {
    let backend = conn.backend();
    let stmt = insert_statement(meta, backend, plan)?;
    if backend.returning() {
        return fetch_returned(conn, meta, stmt, "create").await;
    }
    let done = conn.execute(stmt, Some(meta)).await?;
    mysql::read_back(conn, meta, plan, &done).await
}

/// The INSERT of [`insert_row`] (with `RETURNING` every column where the backend has it): from
/// the cache, or built.
pub(crate) fn insert_statement(
    meta: &'static ModelMeta,
    backend: Dialect,
    plan: &mut Plan,
) -> Result<crate::db::Stmt> {
    let returning = backend.returning();
    let build = |columns: &[(usize, Expr)]| -> Result<crate::db::Stmt> {
        let mut q = Query::insert();
        q.into_table(meta.table);
        if columns.is_empty() {
            q.or_default_values();
        } else {
            q.columns(columns.iter().map(|(f, _)| meta.fields[*f].column));
            q.values(columns.iter().map(|(_, e)| e.clone()))
                .map_err(|e| Error::new(ErrorKind::Configuration, e.to_string()))?;
        }
        if returning {
            q.returning(Query::returning().columns(meta.fields.iter().map(|f| f.column)));
        }
        Ok(sql::build(&q, backend))
    };
    cache::insert_values(meta, backend, &mut plan.columns, build)
}

/// Runs the UPDATE of `plan`'s columns on the record `filter` selects and returns it as stored;
/// [`ErrorKind::RecordNotFound`] if there is none. On MySQL the caller provides the transaction
/// (the record is found first, then changed by its key).
pub(crate) async fn update_row<R: Record>(
    conn: &Conn,
    meta: &'static ModelMeta,
    filter: &Filter,
    plan: &Plan,
) -> Result<R> {
    let backend = conn.backend();
    if plan.columns.is_empty() {
        return locate_record(conn, meta, filter, "update").await;
    }
    if !backend.returning() {
        let mut q = Query::update();
        q.table(meta.table);
        for (f, e) in &plan.columns {
            q.value(meta.fields[*f].column, e.clone());
        }
        // Boxed: its future is several times the size of the others', and every update's
        // future would carry it (moved on each call) for a path of several round trips.
        return Box::pin(mysql::update_by_key(conn, meta, filter, q, plan)).await;
    }
    let stmt = cache::update_unique(meta, backend, &plan.columns, filter, || {
        update_statement(meta, backend, plan.columns.iter().cloned(), filter)
    });
    conn.fetch_optional(stmt, Some(meta), |r| R::decode_record(meta, r))
        .await?
        .ok_or_else(|| Error::not_found(meta.name, "update"))
}

/// [`update_row`] of plain values on a backend with `RETURNING` (`values[i]` set to field
/// `fields[i]`, from [`plain_update`](super::plan::plain_update)): the values move into the
/// cached statement, without a plan.
pub(crate) async fn update_values<R: Record>(
    conn: &Conn,
    meta: &'static ModelMeta,
    filter: &Filter,
    fields: SetFields,
    values: Vec<Value>,
) -> Result<R> {
    let backend = conn.backend();
    let fields = fields.as_slice();
    if fields.is_empty() {
        // Rare (a model without `@updatedAt` given no values): boxed, see `update_row`.
        return Box::pin(locate_record(conn, meta, filter, "update")).await;
    }
    let stmt = update_values_statement(meta, backend, fields, values, filter);
    fetch_returned(conn, meta, stmt, "update").await
}

/// The statement of [`update_values`] (`fields` not empty): from the cache, or built.
pub(crate) fn update_values_statement(
    meta: &'static ModelMeta,
    backend: Dialect,
    fields: &[u16],
    values: Vec<Value>,
    filter: &Filter,
) -> crate::db::Stmt {
    cache::update_values(meta, backend, fields, values, filter, |values| {
        let columns = fields.iter().zip(values);
        let columns = columns.map(|(f, v)| (usize::from(*f), Expr::val(v.clone())));
        update_statement(meta, backend, columns, filter)
    })
}

/// Runs `stmt`, an INSERT or UPDATE of one record of `meta` RETURNING every column, and
/// decodes the record; [`ErrorKind::RecordNotFound`] for `action` when there is none.
pub(crate) async fn fetch_returned<R: Record>(
    conn: &Conn,
    meta: &'static ModelMeta,
    stmt: crate::db::Stmt,
    action: &'static str,
) -> Result<R> {
    conn.fetch_optional(stmt, Some(meta), |r| R::decode_record(meta, r))
        .await?
        .ok_or_else(|| Error::not_found(meta.name, action))
}

/// [`fetch_returned`] at once, in the caller's poll ([`Conn::fetch_optional_now`]); `Err`
/// gives the statement back when it has to wait.
pub(crate) fn fetch_returned_now<R: Record>(
    conn: &Conn,
    meta: &'static ModelMeta,
    stmt: crate::db::Stmt,
    action: &'static str,
) -> std::result::Result<Result<R>, crate::db::Stmt> {
    let row = conn.fetch_optional_now(stmt, Some(meta), |r| R::decode_record(meta, r))?;
    Ok(row.and_then(|r| r.ok_or_else(|| Error::not_found(meta.name, action))))
}

/// `UPDATE <table> SET <columns> WHERE <filter>`, and `RETURNING <every column>` on a backend
/// that has it.
pub(crate) fn update_statement(
    meta: &'static ModelMeta,
    backend: Dialect,
    columns: impl IntoIterator<Item = (usize, Expr)>,
    filter: &Filter,
) -> crate::db::Stmt {
    let mut q = Query::update();
    q.table(meta.table);
    for (f, e) in columns {
        q.value(meta.fields[f].column, e);
    }
    q.cond_where(Cond { backend }.all(meta, meta.table, ROOT, std::slice::from_ref(filter)));
    if backend.returning() {
        q.returning(Query::returning().columns(meta.fields.iter().map(|f| f.column)));
    }
    sql::build(&q, backend)
}

// ---------------------------------------------------------------------------------------------
// Create and update with nested writes
// ---------------------------------------------------------------------------------------------

/// Creates a record of `meta` from `sets`, nested writes included, and returns it as stored.
/// Runs several statements: the caller provides the transaction. `now` is the request's
/// instant ([`now`](super::plan::now)), which every record the request writes takes for its
/// `@default(now())` and `@updatedAt`, nested ones included, as Prisma's client takes one
/// instant per request.
pub(crate) async fn create<R: Record>(
    conn: &Conn,
    meta: &'static ModelMeta,
    sets: Vec<SetKind>,
    now: &Value,
) -> Result<R> {
    let plan = plan_at(meta, conn.backend(), sets, true, now);
    create_planned(conn, meta, plan, now).await
}

/// [`create`] of the plan of its setters ([`plan_at`] with `now`).
pub(crate) async fn create_planned<R: Record>(
    conn: &Conn,
    meta: &'static ModelMeta,
    mut plan: Plan,
    now: &Value,
) -> Result<R> {
    owner_side(conn, meta, &mut plan, true, None, now).await?;
    let row: R = insert_row(conn, meta, &mut plan).await?;
    if plan.relations.is_empty() {
        return Ok(row);
    }
    if after(conn, meta, &row, plan.relations, true, now).await? {
        return locate_record(conn, meta, &pk_filter(meta, &row), "create").await;
    }
    Ok(row)
}

/// Changes the record of `meta` that `filter` selects with `sets`, nested writes included, and
/// returns it as stored. Runs several statements: the caller provides the transaction. `now`:
/// the request's instant, as for [`create`].
pub(crate) async fn update<R: Record>(
    conn: &Conn,
    meta: &'static ModelMeta,
    filter: &Filter,
    sets: Vec<SetKind>,
    now: &Value,
) -> Result<R> {
    let mut plan = plan_at(meta, conn.backend(), sets, false, now);
    if plan.relations.is_empty() {
        return update_row(conn, meta, filter, &plan).await;
    }
    let current: Row = locate_record(conn, meta, filter, "update").await?;
    let deletes = owner_side(conn, meta, &mut plan, false, Some(&current), now).await?;
    let row: R = update_row(conn, meta, &pk_filter(meta, &current), &plan).await?;
    for (r, key) in deletes {
        let rel = &meta.relations[r];
        let Link::Owner { references, .. } = &rel.link else {
            continue;
        };
        let cond = equal(rel.target, rel.target.table, references, &key);
        delete_where(conn, rel.target, cond).await?;
    }
    if plan.relations.is_empty() {
        return Ok(row);
    }
    if after(conn, meta, &row, plan.relations, false, now).await? {
        return locate_record(conn, meta, &pk_filter(meta, &row), "update").await;
    }
    Ok(row)
}

/// Updates the record `filter` selects, or creates one when there is none.
pub(crate) async fn upsert<R: Record>(
    conn: &Conn,
    meta: &'static ModelMeta,
    filter: &Filter,
    create_sets: Vec<SetKind>,
    update_sets: Vec<SetKind>,
    now: &Value,
) -> Result<R> {
    match find_record::<Row>(conn, meta, filter).await? {
        Some(found) => update(conn, meta, &pk_filter(meta, &found), update_sets, now).await,
        None => create(conn, meta, create_sets, now).await,
    }
}

// ---------------------------------------------------------------------------------------------
// The usual nested create on SQLite
// ---------------------------------------------------------------------------------------------

/// A run of nested creates on one relation that [`create_flat`] inserts in one statement.
pub(crate) struct FlatRun {
    target: &'static ModelMeta,
    /// The related model's foreign key fields, and the fields of the record they reference.
    fields: &'static [usize],
    references: &'static [usize],
    shape: FewRows,
    /// How many nested creates.
    count: usize,
}

/// The runs of nested writes `relations` (a create's plan's) when every one is a plain create
/// on a to-many relation whose foreign key the related model holds, of another table, in runs
/// of at most [`ROWS_REPEATED`] on one relation that [`FewRows`] takes: the usual nested
/// create, which [`create_flat`] runs. `None` otherwise.
pub(crate) fn flat_runs(
    meta: &'static ModelMeta,
    relations: &[(usize, Nested)],
) -> Option<Vec<FlatRun>> {
    let mut runs = Vec::with_capacity(relations.len());
    let mut rest = relations;
    while let [(r, first), more @ ..] = rest {
        let rel = meta.relations.get(*r)?;
        let (Link::Inverse { fields, references }, Nested::Create(first)) = (&rel.link, first)
        else {
            return None;
        };
        if !rel.many || rel.target.table == meta.table {
            return None;
        }
        let count = 1 + more.iter().take_while(|(r2, _)| r2 == r).count();
        if count > ROWS_REPEATED {
            return None;
        }
        let shape = FewRows::of(rel.target, first, more[..count - 1].iter(), fields)?;
        runs.push(FlatRun {
            target: rel.target,
            fields,
            references,
            shape,
            count,
        });
        rest = &more[count - 1..];
    }
    Some(runs)
}

/// A create of `meta` with nested writes that are all plain creates ([`flat_runs`] gave
/// `runs` for `plan`'s), on SQLite outside a transaction: the record's INSERT, then one
/// INSERT per run, in a transaction on one connection, in this one future. The general path
/// ([`create_planned`] in [`Conn::begin`]'s transaction) runs the same statements, through a
/// transaction shared with its statements (each takes its lock), futures boxed at each level
/// and the rows gathered for any number of them; measured, a nested create of a user and
/// three posts took about 3% more instructions there (2,500). A failure rolls back: the
/// connection does, as it goes back to the pool (a cancelled future's too).
#[cfg(feature = "sqlite")]
pub(crate) async fn create_flat<R: Record>(
    pool: &crate::sqlite::SqlitePool,
    meta: &'static ModelMeta,
    mut plan: Plan,
    runs: Vec<FlatRun>,
    now: &Value,
) -> Result<R> {
    let backend = Dialect::Sqlite;
    let mut c = pool.acquire_here().await?;
    c.batch("BEGIN").await?;
    let stmt = insert_statement(meta, backend, &mut plan)?;
    let watch = crate::log::Watch::start(&stmt.sql);
    let row = (c.fetch_optional(&stmt, Some(meta), |r| R::decode_record(meta, r))).await?;
    if let Some(w) = watch {
        w.finish(u64::from(row.is_some()));
    }
    let row = row.ok_or_else(|| Error::not_found(meta.name, "create"))?;
    let mut ops = plan.relations.into_iter();
    for run in runs {
        let Some((_, mut first)) = ops.next() else {
            break;
        };
        let key: Vec<Value> = run.references.iter().map(|&f| row.get(f)).collect();
        let rest = &mut ops.as_mut_slice()[..run.count - 1];
        let sets = match &mut first {
            Nested::Create(sets) => &mut sets[..],
            _ => &mut [],
        };
        let stmt = run
            .shape
            .insert(run.target, backend, sets, rest, run.fields, &key, now)?;
        ops.by_ref().take(run.count - 1).for_each(drop);
        let watch = crate::log::Watch::start(&stmt.sql);
        let done = c.execute(&stmt, Some(run.target)).await?;
        if let Some(w) = watch {
            w.finish(done.rows);
        }
    }
    c.batch("COMMIT").await?;
    Ok(row)
}

/// [`create`] of an untyped related record, boxed: nested writes recurse.
fn create_related<'a>(
    conn: &'a Conn,
    meta: &'static ModelMeta,
    sets: Vec<SetKind>,
    now: &'a Value,
) -> BoxFuture<'a, Result<Row>> {
    Box::pin(create::<Row>(conn, meta, sets, now))
}

/// [`update`] of an untyped related record, boxed: nested writes recurse.
fn update_related<'a>(
    conn: &'a Conn,
    meta: &'static ModelMeta,
    filter: Filter,
    sets: Vec<SetKind>,
    now: &'a Value,
) -> BoxFuture<'a, Result<Row>> {
    Box::pin(async move { update::<Row>(conn, meta, &filter, sets, now).await })
}

// ---------------------------------------------------------------------------------------------
// Relations whose foreign key the record holds
// ---------------------------------------------------------------------------------------------

/// Runs the nested writes of relations whose foreign key `meta` holds and sets the foreign key
/// columns of `plan` from them; the others stay in `plan.relations`. `current` is the record
/// before an update (`None` for a create, and for `update_many`, which changes records it does
/// not read: there a nested `update`, `upsert` or `delete` finds no related record). Returns the related records to delete once the
/// record no longer refers to them (relation number, their referenced key).
pub(crate) async fn owner_side(
    conn: &Conn,
    meta: &'static ModelMeta,
    plan: &mut Plan,
    creating: bool,
    current: Option<&Row>,
    now: &Value,
) -> Result<Vec<(usize, Vec<Value>)>> {
    let owns = |(r, _): &(usize, Nested)| matches!(meta.relations[*r].link, Link::Owner { .. });
    if !plan.relations.iter().any(owns) {
        return Ok(Vec::new());
    }
    // Boxed: its future is the size of several statements' (a nested write of each kind), and
    // every write that may have nested writes would carry it, moved on each call (a create with
    // nested posts has none of these).
    Box::pin(owner_writes(conn, meta, plan, creating, current, now)).await
}

/// [`owner_side`] of a plan with at least one nested write to run.
async fn owner_writes(
    conn: &Conn,
    meta: &'static ModelMeta,
    plan: &mut Plan,
    creating: bool,
    current: Option<&Row>,
    now: &Value,
) -> Result<Vec<(usize, Vec<Value>)>> {
    let mut deletes = Vec::new();
    for (r, op) in std::mem::take(&mut plan.relations) {
        let rel = &meta.relations[r];
        let Link::Owner { fields, references } = &rel.link else {
            plan.relations.push((r, op));
            continue;
        };
        let target = rel.target;
        // The related record's key the record refers to now, if any.
        let linked = || -> Option<Vec<Value>> {
            let current = current?;
            let key: Vec<Value> = fields.iter().map(|&f| current.get(f)).collect();
            (!key.iter().any(is_null)).then_some(key)
        };
        let name = op_name(&op);
        let key: Vec<Value> = match op {
            Nested::Connect(filters) => {
                let Some(filter) = filters.into_iter().next() else {
                    continue;
                };
                lookup(conn, target, references, &filter)
                    .await?
                    .ok_or_else(|| {
                        not_found(format!(
                            "no {} record found for a nested connect on {}",
                            target.name,
                            named(meta, rel)
                        ))
                    })?
            }
            Nested::Create(sets) => {
                let row = create_related(conn, target, sets, now).await?;
                references.iter().map(|&f| row.get(f)).collect()
            }
            Nested::ConnectOrCreate(filter, sets) => {
                match lookup(conn, target, references, &filter).await? {
                    Some(key) => key,
                    None => {
                        let row = create_related(conn, target, sets, now).await?;
                        references.iter().map(|&f| row.get(f)).collect()
                    }
                }
            }
            // Nothing to unlink in a create.
            Nested::Disconnect(_) if creating => continue,
            Nested::Disconnect(_) => fields.iter().map(|&f| null_of(meta, f)).collect(),
            Nested::Update(_, sets) if !creating => {
                let key = linked().ok_or_else(|| {
                    not_found(format!(
                        "no {} record found for a nested update on {}",
                        target.name,
                        named(meta, rel)
                    ))
                })?;
                let filter = equal_filter(references, &key);
                update_related(conn, target, filter, sets, now).await?;
                continue;
            }
            Nested::Upsert(_, create_sets, update_sets) if !creating => {
                let existing = match linked() {
                    Some(key) => find_record::<Row>(conn, target, &equal_filter(references, &key))
                        .await?
                        .map(|_| key),
                    None => None,
                };
                match existing {
                    Some(key) => {
                        update_related(
                            conn,
                            target,
                            equal_filter(references, &key),
                            update_sets,
                            now,
                        )
                        .await?;
                        continue;
                    }
                    None => {
                        let row = create_related(conn, target, create_sets, now).await?;
                        references.iter().map(|&f| row.get(f)).collect()
                    }
                }
            }
            Nested::Delete(None) if !creating => {
                let key = linked().ok_or_else(|| {
                    not_found(format!(
                        "no {} record found for a nested delete on {}",
                        target.name,
                        named(meta, rel)
                    ))
                })?;
                deletes.push((r, key));
                fields.iter().map(|&f| null_of(meta, f)).collect()
            }
            Nested::Update(..) | Nested::Upsert(..) | Nested::Delete(None) => {
                return Err(not_allowed(
                    name,
                    meta,
                    rel,
                    "is for an update: a new record has no related record to change yet",
                ))
            }
            _ => {
                return Err(not_allowed(
                    name,
                    meta,
                    rel,
                    "is not available: the relation leads to one record",
                ))
            }
        };
        for (&f, v) in fields.iter().zip(key) {
            plan.set(f, v);
        }
    }
    Ok(deletes)
}

/// The values of `fields` of the `target` record `filter` selects, if any.
async fn lookup(
    conn: &Conn,
    target: &'static ModelMeta,
    fields: &[usize],
    filter: &Filter,
) -> Result<Option<Vec<Value>>> {
    let backend = conn.backend();
    let t = alias::table(LOOKUP);
    let mut q = Query::select();
    q.from_as(target.table, t);
    for &f in fields {
        q.column((t, target.fields[f].column));
    }
    q.cond_where(Cond { backend }.all(target, t, LOOKUP, std::slice::from_ref(filter)));
    q.limit(1);
    conn.fetch_optional(sql::build(&q, backend), Some(target), |r| {
        fields
            .iter()
            .map(|&f| decode_value(r, &target.fields[f]))
            .collect()
    })
    .await
}

/// `fields[i] = values[i]` for all `i`.
fn equal_filter(fields: &[usize], values: &[Value]) -> Filter {
    Filter::And(
        fields
            .iter()
            .zip(values)
            .map(|(&f, v)| Filter::Field(f, Op::Equals(v.clone())))
            .collect(),
    )
}

/// `fields[i] = values[i]` for all `i`, on `meta`'s columns qualified by `q`.
fn equal(meta: &ModelMeta, q: &'static str, fields: &[usize], values: &[Value]) -> Condition {
    let mut c = Condition::all();
    for (&f, v) in fields.iter().zip(values) {
        c = c.add(col(q, meta.fields[f].column).eq(v.clone()));
    }
    c
}

// ---------------------------------------------------------------------------------------------
// The other relations, once the record exists
// ---------------------------------------------------------------------------------------------

/// How a related record is linked to the record written.
enum Linking<'a> {
    /// Its foreign key `fields` hold the record's `values`.
    Key {
        fields: &'a [usize],
        values: Vec<Value>,
        /// A foreign key field is required: unlinking is a violation.
        required: bool,
    },
    /// A row of the join `table` pairs the record's `value` (column `own`) with the related
    /// record's field `other_key` (column `other`).
    Join {
        table: &'static str,
        own: &'static str,
        other: &'static str,
        other_key: usize,
        value: Value,
    },
}

impl Linking<'_> {
    /// The related records linked to the record, on `target`'s columns qualified by `q`.
    fn linked(&self, target: &ModelMeta, q: &'static str) -> Condition {
        match self {
            Linking::Key { fields, values, .. } => equal(target, q, fields, values),
            Linking::Join {
                table,
                own,
                other,
                other_key,
                value,
            } => {
                let mut sub = Query::select();
                sub.column(*other)
                    .from(*table)
                    .and_where(Expr::col(*own).eq(value.clone()));
                Condition::all()
                    .add(col(q, target.fields[*other_key].column).in_subquery(sub.to_owned()))
            }
        }
    }

    /// The setters that link a new related record.
    fn sets(&self) -> Vec<SetKind> {
        match self {
            Linking::Key { fields, values, .. } => fields
                .iter()
                .zip(values)
                .map(|(&f, v)| SetKind::Field(f, SetOp::Set(v.clone())))
                .collect(),
            Linking::Join { .. } => Vec::new(),
        }
    }
}

/// Runs the nested writes of relations whose foreign key `meta` does not hold, in order, for
/// the record `row` (`new`: just created). Returns whether one of them changed `meta`'s own
/// table (a self relation), so that the caller reads the record again.
async fn after<R: Record>(
    conn: &Conn,
    meta: &'static ModelMeta,
    row: &R,
    relations: Vec<(usize, Nested)>,
    new: bool,
    now: &Value,
) -> Result<bool> {
    let mut touched = false;
    let mut ops = relations.into_iter();
    while let Some((r, op)) = ops.next() {
        let rel = &meta.relations[r];
        let target = rel.target;
        touched |= target.table == meta.table;
        let linking = match &rel.link {
            Link::Inverse { fields, references } => Linking::Key {
                fields,
                values: references.iter().map(|&f| row.get(f)).collect(),
                required: fields.iter().any(|&f| !target.fields[f].optional),
            },
            Link::Join {
                table,
                own,
                other,
                own_key,
                other_key,
            } => Linking::Join {
                table,
                own,
                other,
                other_key: *other_key,
                value: row.get(*own_key),
            },
            Link::Owner { .. } => unreachable!("run before the record's own write"),
        };
        // Plain creates of a to-many relation, one after another: one INSERT.
        let plain_create = matches!(&op, Nested::Create(sets) if !has_relations(sets));
        if rel.many && plain_create && matches!(linking, Linking::Key { .. }) {
            let more = ops.as_slice().iter().take_while(|(r2, next)| {
                *r2 == r && matches!(next, Nested::Create(sets) if !has_relations(sets))
            });
            let count = more.count() + 1;
            // A few rows (the usual nested create): their values moved straight into the
            // statement, without the rows' own vector and grouping that many rows take.
            let mut op = op;
            if let (true, Nested::Create(first), Linking::Key { fields, values, .. }) =
                (count <= ROWS_REPEATED, &mut op, &linking)
            {
                let rest = &mut ops.as_mut_slice()[..count - 1];
                if let Some(shape) = FewRows::of(target, first, rest.iter(), fields) {
                    let stmt =
                        shape.insert(target, conn.backend(), first, rest, fields, values, now);
                    // Their setters, emptied, go.
                    ops.by_ref().take(count - 1).for_each(drop);
                    conn.execute(stmt?, Some(target)).await?;
                    continue;
                }
            }
            let first = op_sets(op);
            // Sized up front, from the first row's setters.
            let mut rows = SetRows::with_capacity(count, first.len());
            rows.push(first);
            for _ in 1..count {
                let Some((_, op)) = ops.next() else { break };
                rows.push(op_sets(op));
            }
            create_many(conn, meta, rel, &linking, rows, now).await?;
            continue;
        }
        // Boxed, as `owner_side`'s writes are: the plain creates above are the usual case.
        Box::pin(related(conn, meta, rel, &linking, op, new, now)).await?;
    }
    Ok(touched)
}

fn op_sets(op: Nested) -> Vec<SetKind> {
    match op {
        Nested::Create(sets) => sets,
        _ => Vec::new(),
    }
}

/// One nested write on a relation whose foreign key the related model holds (or a join table).
async fn related(
    conn: &Conn,
    meta: &'static ModelMeta,
    rel: &RelationMeta,
    linking: &Linking<'_>,
    op: Nested,
    new: bool,
    now: &Value,
) -> Result<()> {
    let target = rel.target;
    let backend = conn.backend();
    let name = op_name(&op);
    let matching = |filters: &[Filter], q: &'static str, depth| {
        let mut any = Condition::any();
        for f in filters {
            any = any.add(Cond { backend }.all(target, q, depth, std::slice::from_ref(f)));
        }
        if filters.is_empty() {
            any = any.add(Expr::val(1).eq(0));
        }
        any
    };
    match op {
        Nested::Create(mut sets) => {
            if !rel.many && !new {
                unlink(conn, meta, rel, linking, Condition::all()).await?;
            }
            sets.extend(linking.sets());
            let created = create_related(conn, target, sets, now).await?;
            link_join(conn, linking, &created).await?;
        }
        Nested::CreateMany(rows) => {
            if !matches!(linking, Linking::Key { .. }) {
                return Err(not_allowed(
                    name,
                    meta,
                    rel,
                    "is not available on a many-to-many relation, as in Prisma: use create",
                ));
            }
            create_many(conn, meta, rel, linking, rows, now).await?;
        }
        Nested::Connect(filters) => connect(conn, meta, rel, linking, &filters, new).await?,
        Nested::ConnectOrCreate(filter, mut sets) => {
            match find_record::<Row>(conn, target, &filter).await? {
                Some(found) => {
                    connect(conn, meta, rel, linking, &[pk_filter(target, &found)], new).await?
                }
                None => {
                    if !rel.many && !new {
                        unlink(conn, meta, rel, linking, Condition::all()).await?;
                    }
                    sets.extend(linking.sets());
                    let created = create_related(conn, target, sets, now).await?;
                    link_join(conn, linking, &created).await?;
                }
            }
        }
        Nested::Disconnect(filters) => match linking {
            Linking::Join {
                table,
                own,
                other,
                other_key,
                value,
            } => {
                let mut sub = Query::select();
                sub.column((T0, target.fields[*other_key].column))
                    .from_as(target.table, T0)
                    .cond_where(matching(filters.as_deref().unwrap_or(&[]), T0, ROOT));
                let mut del = Query::delete();
                del.from_table(*table)
                    .and_where(Expr::col(*own).eq(value.clone()))
                    .and_where(Expr::col(*other).in_subquery(sub));
                conn.execute(sql::build(&del, backend), Some(target))
                    .await?;
            }
            Linking::Key { .. } => {
                let only = match &filters {
                    Some(filters) => matching(filters, target.table, ROOT),
                    None => Condition::all(),
                };
                unlink(conn, meta, rel, linking, only).await?;
            }
        },
        Nested::Set(filters) => {
            if let Linking::Join {
                table, own, value, ..
            } = linking
            {
                let mut del = Query::delete();
                del.from_table(*table)
                    .and_where(Expr::col(*own).eq(value.clone()));
                conn.execute(sql::build(&del, backend), Some(target))
                    .await?;
            } else if !new {
                let others = if filters.is_empty() {
                    Condition::all()
                } else {
                    matching(&filters, target.table, ROOT).not()
                };
                unlink(conn, meta, rel, linking, others).await?;
            }
            connect(conn, meta, rel, linking, &filters, true).await?;
        }
        Nested::Update(filter, sets) => {
            let cond = linked_and(target, linking, filter.as_ref(), backend);
            update_linked(conn, meta, rel, cond, sets, now).await?;
        }
        Nested::Upsert(filter, create_sets, update_sets) => {
            let cond = linked_and(target, linking, filter.as_ref(), backend);
            match first_row(conn, target, cond).await? {
                Some(found) => {
                    update_related(conn, target, pk_filter(target, &found), update_sets, now)
                        .await?;
                }
                None => {
                    let mut sets = create_sets;
                    sets.extend(linking.sets());
                    let created = create_related(conn, target, sets, now).await?;
                    link_join(conn, linking, &created).await?;
                }
            }
        }
        Nested::Delete(None) => {
            let cond = linking.linked(target, target.table);
            if delete_where(conn, target, cond).await? == 0 {
                return Err(not_found(format!(
                    "no {} record found for a nested delete on {}",
                    target.name,
                    named(meta, rel)
                )));
            }
        }
        Nested::Delete(Some(filters)) => {
            for f in &filters {
                let cond = linked_and(target, linking, Some(f), backend);
                if delete_where(conn, target, cond).await? == 0 {
                    return Err(Error::new(
                        ErrorKind::RecordsNotConnected {
                            relation: named(meta, rel),
                        },
                        format!(
                            "nested delete on {}: the {} record is not linked to this {}",
                            named(meta, rel),
                            target.name,
                            meta.name
                        ),
                    ));
                }
            }
        }
        Nested::UpdateMany(filters, sets) => {
            let plan = plan_at(target, backend, sets, false, now);
            if !plan.relations.is_empty() {
                return Err(not_allowed(
                    name,
                    meta,
                    rel,
                    "changes fields only: nested writes go in update",
                ));
            }
            let cond = linking
                .linked(target, target.table)
                .add(Cond { backend }.all(target, target.table, ROOT, &filters));
            update_where(conn, target, cond, &plan).await?;
        }
        Nested::DeleteMany(filters) => {
            let cond = linking
                .linked(target, target.table)
                .add(Cond { backend }.all(target, target.table, ROOT, &filters));
            delete_where(conn, target, cond).await?;
        }
    }
    Ok(())
}

/// The linked records matching `filter` (all linked ones for `None`), on the target's table.
fn linked_and(
    target: &ModelMeta,
    linking: &Linking<'_>,
    filter: Option<&Filter>,
    backend: Dialect,
) -> Condition {
    let mut c = linking.linked(target, target.table);
    if let Some(f) = filter {
        c = c.add(Cond { backend }.all(target, target.table, ROOT, std::slice::from_ref(f)));
    }
    c
}

/// Adds the join table's row for a related record just created (many-to-many).
async fn link_join(conn: &Conn, linking: &Linking<'_>, created: &Row) -> Result<()> {
    if let Linking::Join { other_key, .. } = linking {
        insert_join(conn, linking, created.get(*other_key)).await?;
    }
    Ok(())
}

/// Pairs the record with a related one in the join table; pairing twice is not an error (Prisma
/// ignores it too).
async fn insert_join(conn: &Conn, linking: &Linking<'_>, other_value: Value) -> Result<()> {
    let Linking::Join {
        table,
        own,
        other,
        value,
        ..
    } = linking
    else {
        return Ok(());
    };
    let backend = conn.backend();
    let mut ins = Query::insert();
    ins.into_table(*table)
        .columns([*own, *other])
        .values_panic([Expr::val(value.clone()), Expr::val(other_value)]);
    if backend != Dialect::Mysql {
        ins.on_conflict(
            sea_query::OnConflict::columns([*own, *other])
                .do_nothing()
                .to_owned(),
        );
    }
    conn.execute(sql::insert_ignoring(&ins, backend), None)
        .await?;
    Ok(())
}

/// Links the records the unique `filters` select; each must exist.
async fn connect(
    conn: &Conn,
    meta: &'static ModelMeta,
    rel: &RelationMeta,
    linking: &Linking<'_>,
    filters: &[Filter],
    new: bool,
) -> Result<()> {
    let target = rel.target;
    let backend = conn.backend();
    let missing = |found: usize, wanted: usize| {
        not_found(format!(
            "connect on {}: {} of {wanted} {} records were not found",
            named(meta, rel),
            wanted - found,
            target.name
        ))
    };
    match linking {
        Linking::Join { other_key, .. } => {
            for f in filters {
                let key = lookup(conn, target, std::slice::from_ref(other_key), f)
                    .await?
                    .and_then(|k| k.into_iter().next())
                    .ok_or_else(|| missing(0, 1))?;
                insert_join(conn, linking, key).await?;
            }
        }
        Linking::Key { fields, values, .. } => {
            if filters.is_empty() {
                return Ok(());
            }
            let mut link = Plan {
                columns: Vec::new(),
                given: Vec::new(),
                keep_given: true,
                relations: Vec::new(),
            };
            for (&f, v) in fields.iter().zip(values) {
                link.set(f, v.clone());
            }
            if !rel.many {
                // One related record: the one linked before (another) is unlinked first.
                let filter = &filters[0];
                let found = find_record::<Row>(conn, target, filter)
                    .await?
                    .ok_or_else(|| missing(0, 1))?;
                let pk = pk_filter(target, &found);
                if !new {
                    let others = Cond { backend }
                        .all(target, target.table, ROOT, std::slice::from_ref(&pk))
                        .not();
                    unlink(conn, meta, rel, linking, others).await?;
                }
                let cond = Cond { backend }.all(target, target.table, ROOT, &[pk]);
                update_where(conn, target, cond, &link).await?;
                return Ok(());
            }
            let mut any = Condition::any();
            for f in filters {
                any = any.add(Cond { backend }.all(
                    target,
                    target.table,
                    ROOT,
                    std::slice::from_ref(f),
                ));
            }
            // MySQL reports matched rows, not changed ones (sqlx asks for FOUND_ROWS), so the
            // count is that of the records found on every backend.
            let n = update_where(conn, target, any, &link).await?;
            if (n as usize) < filters.len() {
                return Err(missing(n as usize, filters.len()));
            }
        }
    }
    Ok(())
}

/// Unlinks the linked records matching `only` (a foreign key set to NULL); with a required
/// foreign key, that there are any is a violation.
async fn unlink(
    conn: &Conn,
    meta: &'static ModelMeta,
    rel: &RelationMeta,
    linking: &Linking<'_>,
    only: Condition,
) -> Result<()> {
    let target = rel.target;
    let Linking::Key {
        fields, required, ..
    } = linking
    else {
        return Ok(());
    };
    let cond = linking.linked(target, target.table).add(only);
    if *required {
        let mut q = Query::select();
        q.expr(Expr::val(1))
            .from(target.table)
            .cond_where(cond)
            .limit(1);
        let backend = conn.backend();
        let any = conn
            .fetch_optional(sql::build(&q, backend), Some(target), |_| Ok(()))
            .await?;
        if any.is_some() {
            return Err(required_violation(meta, rel));
        }
        return Ok(());
    }
    let mut nulls = Plan {
        columns: Vec::new(),
        given: Vec::new(),
        keep_given: true,
        relations: Vec::new(),
    };
    for &f in fields.iter() {
        nulls.set(f, null_of(target, f));
    }
    update_where(conn, target, cond, &nulls).await?;
    Ok(())
}

/// The first linked record matching `cond` (on the target's table), if any.
async fn first_row(
    conn: &Conn,
    target: &'static ModelMeta,
    cond: Condition,
) -> Result<Option<Row>> {
    let backend = conn.backend();
    let mut q = Query::select();
    q.from(target.table);
    for f in target.fields {
        q.column((target.table, f.column));
    }
    q.cond_where(cond).limit(1);
    conn.fetch_optional(sql::build(&q, backend), Some(target), |r| {
        Row::decode_record(target, r)
    })
    .await
}

/// A nested `update` of the linked record matching `cond`: [`ErrorKind::RecordNotFound`] when
/// there is none.
async fn update_linked(
    conn: &Conn,
    meta: &'static ModelMeta,
    rel: &RelationMeta,
    cond: Condition,
    sets: Vec<SetKind>,
    now: &Value,
) -> Result<()> {
    let target = rel.target;
    let missing = || {
        not_found(format!(
            "no {} record found for a nested update on {}",
            target.name,
            named(meta, rel)
        ))
    };
    if has_relations(&sets) {
        let found = first_row(conn, target, cond).await?.ok_or_else(missing)?;
        update_related(conn, target, pk_filter(target, &found), sets, now).await?;
        return Ok(());
    }
    let plan = plan_at(target, conn.backend(), sets, false, now);
    if plan.columns.is_empty() {
        return first_row(conn, target, cond)
            .await?
            .map(|_| ())
            .ok_or_else(missing);
    }
    if update_where(conn, target, cond, &plan).await? == 0 {
        return Err(missing());
    }
    Ok(())
}

/// `UPDATE target SET <plan's columns> WHERE cond`; returns the rows matched.
async fn update_where(
    conn: &Conn,
    target: &'static ModelMeta,
    cond: Condition,
    plan: &Plan,
) -> Result<u64> {
    if plan.columns.is_empty() {
        return Ok(0);
    }
    let backend = conn.backend();
    let mut q = Query::update();
    q.table(target.table);
    for (f, e) in &plan.columns {
        q.value(target.fields[*f].column, e.clone());
    }
    q.cond_where(cond);
    Ok(conn
        .execute(sql::build(&q, backend), Some(target))
        .await?
        .rows)
}

/// `DELETE FROM target WHERE cond`; returns the rows deleted.
async fn delete_where(conn: &Conn, target: &'static ModelMeta, cond: Condition) -> Result<u64> {
    let backend = conn.backend();
    let mut q = Query::delete();
    q.from_table(target.table).cond_where(cond);
    Ok(conn
        .execute(sql::build(&q, backend), Some(target))
        .await?
        .rows)
}

/// Creates related records of a one-to-many relation in as few statements as possible, each
/// linked to the record.
async fn create_many(
    conn: &Conn,
    meta: &'static ModelMeta,
    rel: &RelationMeta,
    linking: &Linking<'_>,
    rows: SetRows,
    now: &Value,
) -> Result<u64> {
    let target = rel.target;
    let backend = conn.backend();
    let link = linking.sets();
    if rows
        .sets()
        .iter()
        .chain(&link)
        .all(|s| plain_set(target, s))
    {
        let groups = plain_groups(target, rows, &link, now);
        return insert_groups(conn, target, groups, false).await;
    }
    let mut plans = Vec::with_capacity(rows.len());
    for mut sets in rows.into_rows() {
        sets.extend(link.iter().cloned());
        let mut p = plan_at(target, backend, sets, true, now);
        owner_side(conn, target, &mut p, true, None, now).await?;
        if let Some((r, op)) = p.relations.first() {
            return Err(not_allowed(
                op_name(op),
                target,
                &target.relations[*r],
                &format!(
                    "cannot be nested in create_many on {}: use create",
                    named(meta, rel)
                ),
            ));
        }
        plans.push(p);
    }
    insert_many(conn, target, plans, false).await
}

/// Inserts the rows of `plans` (their columns only) in as few statements as the parameter
/// limits allow; returns how many were inserted. `skip_duplicates` leaves out the rows that
/// would violate a unique constraint.
pub(crate) async fn insert_many(
    conn: &Conn,
    meta: &'static ModelMeta,
    plans: Vec<Plan>,
    skip_duplicates: bool,
) -> Result<u64> {
    // Rows with the same columns go into one statement.
    let count = plans.len();
    let mut groups: Vec<(Vec<usize>, Rows)> = Vec::new();
    for mut p in plans {
        p.columns.sort_unstable_by_key(|(f, _)| *f);
        let same = |c: &Vec<usize>| c.iter().copied().eq(p.columns.iter().map(|(f, _)| *f));
        let group = match groups.iter().position(|(c, _)| same(c)) {
            Some(g) => g,
            None => {
                let cols = p.columns.iter().map(|(f, _)| *f).collect();
                // The first group is usually every row's.
                let room = if groups.is_empty() { count } else { 0 };
                groups.push((cols, Rows::Exprs(Vec::with_capacity(room))));
                groups.len() - 1
            }
        };
        if let Rows::Exprs(rows) = &mut groups[group].1 {
            rows.push(p.columns.into_iter().map(|(_, e)| e).collect());
        }
    }
    insert_groups(conn, meta, groups, skip_duplicates).await
}

/// Whether `set` gives a field of `meta` a plain value: what [`plain_groups`] takes (for
/// models of 64 fields at most, whose fields a row's bit set holds).
pub(crate) fn plain_set(meta: &ModelMeta, set: &SetKind) -> bool {
    meta.fields.len() <= 64
        && matches!(set, SetKind::Field(f, SetOp::Set(_)) if *f < meta.fields.len())
}

/// The rows of a `create_many` whose setters all give plain values ([`plain_set`]), as
/// [`insert_groups`] takes them: each row's values in field order, after them those of
/// `common` (the link to a parent record), the client's defaults filled in (as
/// [`plan_at`](super::plan::plan_at) fills them, with the request's instant `now`), grouped
/// by the fields they set. The plan of each row, its columns as expressions
/// and their sorting are skipped: measured, they were a third of the client's own work in a
/// `create_many` of 1,000 rows.
pub(crate) fn plain_groups(
    meta: &'static ModelMeta,
    rows: SetRows,
    common: &[SetKind],
    now: &Value,
) -> Vec<(Vec<usize>, Rows)> {
    let rows = match uniform_group(meta, rows, common, now) {
        Ok(group) => return vec![group],
        Err(rows) => rows,
    };
    let count = rows.len();
    let (lens, sets) = rows.into_parts();
    let mut sets = sets.into_iter();
    // Models of 64 fields at most come here (`plain_set`).
    let defaults = client_filled_mask(meta).unwrap_or(0);
    let mut slots: Vec<Option<Value>> = Vec::new();
    slots.resize_with(meta.fields.len(), || None);
    let mut groups: Vec<(u64, Vec<usize>, Vec<Value>)> = Vec::new();
    let mut rows_of_nothing = 0;
    for n in lens {
        let mut given = 0u64;
        for s in sets.by_ref().take(n).chain(common.iter().cloned()) {
            if let SetKind::Field(f, SetOp::Set(v)) = s {
                // A field set twice takes the last value, as in a plan.
                slots[f] = Some(v);
                given |= 1 << f;
            }
        }
        for i in bits(defaults & !given) {
            if let Some(v) = client_default(&meta.fields[i], true, now) {
                slots[i] = Some(v);
                given |= 1 << i;
            }
        }
        let group = match groups.iter().position(|(g, ..)| *g == given) {
            Some(g) => g,
            None => {
                let cols: Vec<usize> = bits(given).collect();
                // The first group is usually every row's.
                let room = if groups.is_empty() {
                    count * cols.len()
                } else {
                    0
                };
                groups.push((given, cols, Vec::with_capacity(room)));
                groups.len() - 1
            }
        };
        let (_, cols, values) = &mut groups[group];
        if cols.is_empty() {
            rows_of_nothing += 1;
        }
        for &i in cols.iter() {
            // Every column of the group has its slot filled (`given`).
            if let Some(v) = slots[i].take() {
                values.push(v);
            }
        }
    }
    groups
        .into_iter()
        .map(|(_, cols, values)| {
            if cols.is_empty() {
                // Rows of the database's defaults only: counted by their (empty) rows.
                (cols, Rows::Exprs(vec![Vec::new(); rows_of_nothing]))
            } else {
                (cols, Rows::Values(values))
            }
        })
        .collect()
}

/// Where each row takes the value of a column of [`InPlace`] rows from.
enum Source {
    /// The row's setter of this number.
    Row(usize),
    /// This value of `common` (the link to a parent record), the same in every row.
    Common(Value),
    /// The request's instant (`@updatedAt`, `@default(now())`), the same in every row.
    Now,
    /// The field's generated default ([`client_default`]: uuid, cuid, ...), new in each row.
    Generated(usize),
}

/// The rows of a `create_many` that all set the same fields in the same order, none twice,
/// and `common` others (the usual case), with their values left in their setters: each
/// column's value comes from its [`Source`]. On SQLite they are bound from where they are
/// ([`InPlace::visit`]): the vector of every row's values that the general path gathers is
/// never made, moved and dropped, nor is the request's instant copied into each row (measured
/// on a `create_many` of 1,000 rows of one setter and two defaults: 7,190 instructions a row
/// where it took 7,660, SQLite's own work included). Elsewhere they move into such a vector
/// ([`InPlace::into_values`]).
pub(crate) struct InPlace {
    meta: &'static ModelMeta,
    rows: SetRows,
    /// The setters of each row.
    per_row: usize,
    /// Each column's source, in the order of the columns.
    sources: Vec<Source>,
    now: Value,
}

/// What a setter's place holds once its value has moved out, or a setter that is not a plain
/// value gives (never: [`uniform_group`] takes plain values only).
const MOVED: Value = Value::Bool(None);

impl InPlace {
    fn len(&self) -> usize {
        self.rows.len()
    }

    /// The value of setter `k` of row `r`.
    fn set(&self, r: usize, k: usize) -> &Value {
        match &self.rows.sets()[r * self.per_row + k] {
            SetKind::Field(_, SetOp::Set(v)) => v,
            _ => &MOVED,
        }
    }

    /// Calls `f` with the values of rows `rows`, row after row, each row's in column order.
    pub(crate) fn visit(&self, rows: std::ops::Range<usize>, f: &mut dyn FnMut(&Value)) {
        for r in rows {
            for source in &self.sources {
                match source {
                    Source::Row(k) => f(self.set(r, *k)),
                    Source::Common(v) => f(v),
                    Source::Now => f(&self.now),
                    Source::Generated(field) => {
                        let v = client_default(&self.meta.fields[*field], true, &self.now);
                        f(v.as_ref().unwrap_or(&MOVED));
                    }
                }
            }
        }
    }

    /// The values of row `r`, in column order.
    fn row(&self, r: usize) -> Vec<Value> {
        let mut out = Vec::with_capacity(self.sources.len());
        self.visit(r..r + 1, &mut |v| out.push(v.clone()));
        out
    }

    /// Whether every value a row's setter gives is of the kind (and NULL-ness) of the first
    /// row's in its column (the other sources give the same kind in every row).
    fn same_shape(&self) -> bool {
        let kind = |v: &Value| (std::mem::discriminant(v), is_null(v));
        let from_rows: Vec<usize> = (self.sources.iter())
            .filter_map(|s| match s {
                Source::Row(k) => Some(*k),
                _ => None,
            })
            .collect();
        let first: Vec<_> = from_rows.iter().map(|&k| kind(self.set(0, k))).collect();
        (1..self.len()).all(|r| {
            from_rows
                .iter()
                .zip(&first)
                .all(|(&k, shape)| kind(self.set(r, k)) == *shape)
        })
    }

    /// The values, one row after another, moved out of their setters.
    fn into_values(mut self) -> Vec<Value> {
        let count = self.len();
        let mut values = Vec::with_capacity(count * self.sources.len());
        let (n, meta) = (self.per_row, self.meta);
        let sets = self.rows.sets_mut();
        for r in 0..count {
            // Rows of no setter (every column from `common` or a default) are empty slices.
            let row = &mut sets[r * n..(r + 1) * n];
            for source in &self.sources {
                values.push(match source {
                    Source::Row(k) => match &mut row[*k] {
                        SetKind::Field(_, SetOp::Set(v)) => std::mem::replace(v, MOVED),
                        _ => MOVED,
                    },
                    Source::Common(v) => v.clone(),
                    Source::Now => self.now.clone(),
                    Source::Generated(field) => {
                        client_default(&meta.fields[*field], true, &self.now).unwrap_or(MOVED)
                    }
                });
            }
        }
        values
    }
}

/// [`plain_groups`] when every row sets the same fields in the same order, none twice, and
/// `common` others: one group of [`InPlace`] rows. `Err` gives the rows back otherwise.
fn uniform_group(
    meta: &'static ModelMeta,
    rows: SetRows,
    common: &[SetKind],
    now: &Value,
) -> std::result::Result<(Vec<usize>, Rows), SetRows> {
    let Some(n) = rows.common_width() else {
        return Err(rows);
    };
    let field = |s: &SetKind| match s {
        SetKind::Field(f, SetOp::Set(_)) => Some(*f),
        _ => None,
    };
    let first: Option<Vec<usize>> = rows.sets()[..n].iter().map(field).collect();
    let Some(first) = first else {
        return Err(rows);
    };
    let same_fields = rows
        .sets()
        .chunks(n.max(1))
        .all(|row| row.iter().zip(&first).all(|(s, &f)| field(s) == Some(f)));
    if !same_fields {
        return Err(rows);
    }
    // Each field set once in a row, `common` included (a field set twice takes the last value:
    // the general path's).
    let mut given = 0u64;
    // Sized for the client's defaults too: growing it (a reallocation) and unzipping it into
    // two vectors grown from empty took a third of a nested create's grouping of its rows.
    let filled = client_filled_mask(meta).unwrap_or(0);
    let room = first.len() + common.len() + filled.count_ones() as usize;
    let mut sources: Vec<(usize, Source)> = Vec::with_capacity(room);
    for (k, &f) in first.iter().enumerate() {
        if f >= 64 || given & (1 << f) != 0 {
            return Err(rows);
        }
        given |= 1 << f;
        sources.push((f, Source::Row(k)));
    }
    for s in common {
        match s {
            SetKind::Field(f, SetOp::Set(v)) if *f < 64 && given & (1 << f) == 0 => {
                given |= 1 << f;
                sources.push((*f, Source::Common(v.clone())));
            }
            _ => return Err(rows),
        }
    }
    // Every field the client fills in has a default on a create (`client_default`): the
    // request's instant, or a generated id.
    let defaults = filled & !given;
    sources.extend(bits(defaults).map(|f| {
        let field = &meta.fields[f];
        let now = field.updated_at || matches!(field.generated, Some(Generated::Now));
        (
            f,
            if now {
                Source::Now
            } else {
                Source::Generated(f)
            },
        )
    }));
    if sources.is_empty() {
        // Rows of the database's defaults only: the general path counts them.
        return Err(rows);
    }
    sources.sort_unstable_by_key(|(f, _)| *f);
    let mut cols = Vec::with_capacity(sources.len());
    let sources = (sources.into_iter())
        .map(|(f, source)| {
            cols.push(f);
            source
        })
        .collect();
    Ok((
        cols,
        Rows::InPlace(InPlace {
            meta,
            rows,
            per_row: n,
            sources,
            now: now.clone(),
        }),
    ))
}

/// Where the values of a few nested creates' rows come from ([`FewRows::of`]).
struct FewRows {
    /// The fields the rows' setters give, a bit each.
    given: u64,
    /// Where a row's setters give each of those fields.
    at: [u8; 64],
    /// The fields of the link.
    linked: u64,
    /// Every column: given, linked, or filled in by the client.
    all: u64,
}

impl FewRows {
    /// The shape of a few nested creates, `first` and `rest` (plain creates, as [`after`] finds
    /// them), linked by the foreign key `link`: each row sets the same fields in the same order,
    /// none twice nor a field of the link. `None` for rows of another kind, which the general
    /// path takes ([`uniform_group`]), and for rows of the database's defaults only (the general
    /// path counts them).
    fn of<'s>(
        meta: &'static ModelMeta,
        first: &[SetKind],
        mut rest: impl Iterator<Item = &'s (usize, Nested)>,
        link: &[usize],
    ) -> Option<FewRows> {
        let width = meta.fields.len();
        let field = |s: &SetKind| match s {
            SetKind::Field(f, SetOp::Set(_)) if *f < width => Some(*f),
            _ => None,
        };
        // Models of more than 64 fields go the general way.
        let filled = client_filled_mask(meta)?;
        let mut shape = FewRows {
            given: 0,
            at: [0; 64],
            linked: 0,
            all: 0,
        };
        for (k, s) in first.iter().enumerate() {
            let f = field(s)?;
            if shape.given & (1 << f) != 0 {
                return None;
            }
            shape.given |= 1 << f;
            // At most 64 setters: each a field of its own.
            shape.at[f] = k as u8;
        }
        let same = |(_, n): &(usize, Nested)| match n {
            Nested::Create(sets) => {
                sets.len() == first.len()
                    && sets.iter().zip(first).all(|(s, t)| field(s) == field(t))
            }
            _ => false,
        };
        if !rest.all(same) {
            return None;
        }
        for &f in link {
            if f >= width || (shape.given | shape.linked) & (1 << f) != 0 {
                return None;
            }
            shape.linked |= 1 << f;
        }
        let set = shape.given | shape.linked;
        shape.all = set | (filled & !set);
        (shape.all != 0).then_some(shape)
    }

    /// The INSERT of the rows `first` and `rest` (nested creates of this shape), linked by the
    /// foreign key `link` holding `key`, the client's defaults filled in with the request's
    /// instant `now`: the statement cached by shape, the values moved out of the setters into
    /// it, one row after another. The rows of [`uniform_group`] and [`InPlace::into_values`],
    /// without the rows gathered first.
    #[allow(clippy::too_many_arguments)]
    fn insert(
        &self,
        meta: &'static ModelMeta,
        backend: Dialect,
        first: &mut [SetKind],
        rest: &mut [(usize, Nested)],
        link: &[usize],
        key: &[Value],
        now: &Value,
    ) -> Result<crate::db::Stmt> {
        let cols: Vec<usize> = bits(self.all).collect();
        let mut values = Vec::with_capacity(cols.len() * (1 + rest.len()));
        let rest = rest.iter_mut().map(|(_, n)| match n {
            Nested::Create(sets) => &mut sets[..],
            _ => &mut [],
        });
        for sets in std::iter::once(first).chain(rest) {
            for &f in &cols {
                let bit = 1u64 << f;
                values.push(if self.given & bit != 0 {
                    match sets.get_mut(usize::from(self.at[f])) {
                        Some(SetKind::Field(_, SetOp::Set(v))) => std::mem::replace(v, MOVED),
                        _ => MOVED,
                    }
                } else if self.linked & bit != 0 {
                    let i = link.iter().position(|&l| l == f);
                    i.and_then(|i| key.get(i)).cloned().unwrap_or(MOVED)
                } else {
                    client_default(&meta.fields[f], true, now).unwrap_or(MOVED)
                });
            }
        }
        cache::insert_values_rows(meta, backend, false, &cols, values, |v| {
            let q = insert_of(meta, &cols, &exprs_of(&v, cols.len()))?;
            Ok(sql::build(&q, backend))
        })
    }
}

/// The rows of one INSERT: expressions row by row, or plain values one row after another.
pub(crate) enum Rows {
    Exprs(Vec<Vec<Expr>>),
    Values(Vec<Value>),
    /// Plain values left in their setters.
    InPlace(InPlace),
}

/// How many rows of `width` values `values` holds.
fn rows_len(values: &[Value], width: usize) -> usize {
    values.len().checked_div(width).unwrap_or(0)
}

impl Rows {
    fn len(&self, width: usize) -> usize {
        match self {
            Rows::Exprs(rows) => rows.len(),
            Rows::Values(values) => rows_len(values, width),
            Rows::InPlace(rows) => rows.len(),
        }
    }

    /// Whether every cell is a plain value of the kind (and NULL-ness) of the first row's in
    /// its column: what makes one row's SQL stand for every row's.
    fn same_shape(&self, width: usize) -> bool {
        let kind = |v: &Value| (std::mem::discriminant(v), is_null(v));
        match self {
            Rows::Exprs(rows) => same_shape(rows),
            Rows::InPlace(rows) => width > 0 && rows.same_shape(),
            Rows::Values(values) => {
                width > 0
                    && values.len().is_multiple_of(width)
                    && values.chunks(width).all(|row| {
                        row.iter()
                            .zip(&values[..width])
                            .all(|(v, first)| kind(v) == kind(first))
                    })
            }
        }
    }

    /// The values one row after another, when each is a plain value (no SQL expression); else
    /// the rows as expressions.
    fn plain(self) -> std::result::Result<Vec<Value>, Vec<Vec<Expr>>> {
        match self {
            Rows::Exprs(rows) => plain_rows(rows),
            Rows::Values(values) => Ok(values),
            Rows::InPlace(rows) => Ok(rows.into_values()),
        }
    }

    fn into_exprs(self, width: usize) -> Vec<Vec<Expr>> {
        match self {
            Rows::Exprs(rows) => rows,
            Rows::Values(values) => exprs_of(&values, width),
            Rows::InPlace(rows) => exprs_of(&rows.into_values(), width),
        }
    }
}

/// Rows of `width` plain values as expressions.
fn exprs_of(values: &[Value], width: usize) -> Vec<Vec<Expr>> {
    values
        .chunks(width.max(1))
        .map(|r| r.iter().cloned().map(Expr::val).collect())
        .collect()
}

/// Inserts `groups` (each: the fields set, in field order, and the rows' values for them) in
/// as few statements as the parameter limits allow; returns how many rows were inserted.
pub(crate) async fn insert_groups(
    conn: &Conn,
    meta: &'static ModelMeta,
    groups: Vec<(Vec<usize>, Rows)>,
    skip_duplicates: bool,
) -> Result<u64> {
    let backend = conn.backend();
    let mut total = 0;
    'groups: for (cols, rows) in groups {
        let build = |chunk: &[Vec<Expr>]| -> Result<crate::db::Stmt> {
            let mut q = insert_of(meta, &cols, chunk)?;
            if skip_duplicates && backend != Dialect::Mysql {
                q.on_conflict(sea_query::OnConflict::new().do_nothing().to_owned());
            }
            Ok(if skip_duplicates {
                sql::insert_ignoring(&q, backend)
            } else {
                sql::build(&q, backend)
            })
        };
        let width = cols.len();
        let per = rows_per_statement(backend, width);
        let rows = match rows {
            Rows::InPlace(rows) if backend != Dialect::Sqlite || rows.len() <= ROWS_REPEATED => {
                Rows::Values(rows.into_values())
            }
            rows => rows,
        };
        // Many rows left in their setters, on SQLite, of one shape: bound from there into the
        // statement of one row repeated (below), without a vector of their values.
        if let Rows::InPlace(in_place) = &rows {
            if in_place.same_shape() {
                let first = exprs_of(&in_place.row(0), width);
                let one =
                    cache::insert_rows(meta, backend, skip_duplicates, &cols, &first, || {
                        build(&first)
                    })?;
                if one.values.0.len() == width {
                    if let Some(texts) =
                        repeated_texts(&one.sql, width, in_place.len(), per, backend)
                    {
                        for (range, text) in texts {
                            let visit =
                                |f: &mut dyn FnMut(&Value)| in_place.visit(range.clone(), f);
                            total += conn
                                .execute_visiting(text.into(), &visit, Some(meta))
                                .await?
                                .rows;
                        }
                        continue;
                    }
                }
            }
        }
        // A few rows of plain values: their statement, cached whole by shape, takes the values
        // as they are.
        let rows = match rows {
            Rows::Values(values) if rows_len(&values, width) <= ROWS_REPEATED => {
                let stmt = cache::insert_values_rows(
                    meta,
                    backend,
                    skip_duplicates,
                    &cols,
                    values,
                    |v| build(&exprs_of(&v, width)),
                )?;
                total += conn.execute(stmt, Some(meta)).await?.rows;
                continue;
            }
            rows => rows,
        };
        // Many rows of plain values of one shape: sea-query writes (and the cache keeps) the
        // statement of one row, whose VALUES tuple is repeated for the others (placeholders
        // renumbered on PostgreSQL). The values move into the statement instead of being copied
        // into sea-query's and out again, and the same number of rows gives the same text, whose
        // prepared statement the connection keeps.
        let rows = 'rows: {
            if !(rows.len(width) > ROWS_REPEATED && rows.same_shape(width)) {
                break 'rows rows.into_exprs(width);
            }
            match rows.plain() {
                Ok(values) => {
                    let first = exprs_of(&values[..width], width);
                    let one =
                        cache::insert_rows(meta, backend, skip_duplicates, &cols, &first, || {
                            build(&first)
                        })?;
                    let count = values.len() / width;
                    let texts = (one.values.0.len() == width)
                        .then(|| repeated_texts(&one.sql, width, count, per, backend))
                        .flatten();
                    let Some(texts) = texts else {
                        break 'rows exprs_of(&values, width);
                    };
                    // Each statement takes its rows' values moved, not copied: all of them, as
                    // they are, in the usual case of one statement.
                    let mut values = values;
                    for (range, text) in texts {
                        let rest = values.split_off(range.len() * width);
                        let chunk = std::mem::replace(&mut values, rest);
                        let stmt = crate::db::Stmt::new(text, sea_query::Values(chunk));
                        total += conn.execute(stmt, Some(meta)).await?.rows;
                    }
                    continue 'groups;
                }
                Err(rows) => rows,
            }
        };
        for chunk in rows.chunks(per) {
            let stmt = if cols.is_empty() {
                build(chunk)?
            } else {
                cache::insert_rows(meta, backend, skip_duplicates, &cols, chunk, || {
                    build(chunk)
                })?
            };
            total += conn.execute(stmt, Some(meta)).await?.rows;
        }
    }
    Ok(total)
}

/// The INSERT of `rows` into `cols` of `meta`'s table (the default values for no column).
fn insert_of(
    meta: &ModelMeta,
    cols: &[usize],
    rows: &[Vec<Expr>],
) -> Result<sea_query::InsertStatement> {
    let mut q = Query::insert();
    q.into_table(meta.table);
    if cols.is_empty() {
        q.or_default_values();
    } else {
        q.columns(cols.iter().map(|&f| meta.fields[f].column));
        for r in rows {
            q.values(r.iter().cloned())
                .map_err(|e| Error::new(ErrorKind::Configuration, e.to_string()))?;
        }
    }
    Ok(q)
}

/// How many rows of `width` values one statement may bind (SQLite's 32,766 parameters, the
/// servers' 65,535); one row of no column.
fn rows_per_statement(backend: Dialect, width: usize) -> usize {
    let limit: usize = match backend {
        Dialect::Sqlite => 32_766,
        _ => 65_535,
    };
    limit.checked_div(width).map_or(1, |n| n.max(1))
}

/// Rows up to this many go through sea-query as a whole (their text cached by shape).
const ROWS_REPEATED: usize = 16;

/// Whether every cell of `rows` is a plain value of the kind (and NULL-ness) of the first
/// row's in its column: what makes one row's SQL stand for every row's.
fn same_shape(rows: &[Vec<Expr>]) -> bool {
    let kind = |e: &Expr| match e {
        Expr::Value(v) => Some((std::mem::discriminant(v), is_null(v))),
        _ => None,
    };
    let Some(first) = rows.first() else {
        return false;
    };
    let shape: Option<Vec<_>> = first.iter().map(kind).collect();
    let Some(shape) = shape else {
        return false;
    };
    rows.iter().all(|r| {
        r.len() == shape.len()
            && r.iter()
                .zip(&shape)
                .all(|(e, s)| kind(e).as_ref() == Some(s))
    })
}

/// The values of `rows`, one after another, when each is a plain value (no SQL expression);
/// else the rows back.
fn plain_rows(rows: Vec<Vec<Expr>>) -> std::result::Result<Vec<Value>, Vec<Vec<Expr>>> {
    if !rows.iter().flatten().all(|e| matches!(e, Expr::Value(_))) {
        return Err(rows);
    }
    // Sized up front: a flattened iterator gives no exact size, and growing copies them all.
    let mut out = Vec::with_capacity(rows.iter().map(Vec::len).sum());
    for row in rows {
        for e in row {
            if let Expr::Value(v) = e {
                out.push(v);
            }
        }
    }
    Ok(out)
}

/// The statements of `count` rows, at most `per` in each, from the INSERT `one` of one row of
/// `width` values ([`repeat_rows`]): each with the range of the rows it takes. `None` when
/// `one`'s tuple cannot be repeated.
fn repeated_texts(
    one: &str,
    width: usize,
    count: usize,
    per: usize,
    backend: Dialect,
) -> Option<Vec<(std::ops::Range<usize>, String)>> {
    let mut out = Vec::with_capacity(count.div_ceil(per.max(1)));
    let mut from = 0;
    while from < count {
        let n = (count - from).min(per.max(1));
        out.push((from..from + n, repeat_rows(one, width, n, backend)?));
        from += n;
    }
    Some(out)
}

/// The INSERT `one` (of one row of `width` values, as sea-query wrote it) for `rows` rows: its
/// VALUES tuple written `rows` times, PostgreSQL's `$n` placeholders renumbered. `None` when
/// the tuple cannot be told apart (a text literal in it).
fn repeat_rows(one: &str, width: usize, rows: usize, backend: Dialect) -> Option<String> {
    let start = one.find(" VALUES (")? + " VALUES ".len();
    let bytes = one.as_bytes();
    // The closing parenthesis of the tuple (quoted identifiers, as in a cast to an enum type,
    // skipped).
    let mut depth = 0usize;
    let mut i = start;
    let end = loop {
        match *bytes.get(i)? {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    break i;
                }
            }
            b'"' | b'`' => {
                let q = bytes[i];
                i += 1;
                while *bytes.get(i)? != q {
                    i += 1;
                }
            }
            b'\'' => return None,
            _ => {}
        }
        i += 1;
    };
    let tuple = &one[start..=end];
    let mut out = String::with_capacity(one.len() + rows * (tuple.len() + 8));
    out.push_str(&one[..start]);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        if backend == Dialect::Postgres {
            let mut chars = tuple.char_indices().peekable();
            let mut quoted = false;
            while let Some((_, c)) = chars.next() {
                if c == '"' {
                    quoted = !quoted;
                }
                if c != '$' || quoted {
                    out.push(c);
                    continue;
                }
                let mut n = 0usize;
                while let Some(d) = chars.peek().and_then(|(_, d)| d.to_digit(10)) {
                    n = n * 10 + d as usize;
                    chars.next();
                }
                out.push('$');
                out.push_str(&(n + r * width).to_string());
            }
        } else {
            out.push_str(tuple);
        }
    }
    out.push_str(&one[end + 1..]);
    Some(out)
}

/// Inserts the rows of `plans` and returns them as stored, in order: one INSERT ... RETURNING
/// per run of consecutive rows that set the same columns (split by the parameter limits).
pub(crate) async fn insert_returning<R: Record>(
    conn: &Conn,
    meta: &'static ModelMeta,
    plans: Vec<Plan>,
    skip_duplicates: bool,
) -> Result<Vec<R>> {
    let backend = conn.backend();
    let mut runs: Vec<(Vec<usize>, Vec<Vec<Expr>>)> = Vec::new();
    for mut p in plans {
        p.columns.sort_by_key(|(f, _)| *f);
        let cols: Vec<usize> = p.columns.iter().map(|(f, _)| *f).collect();
        let vals: Vec<Expr> = p.columns.into_iter().map(|(_, e)| e).collect();
        match runs.last_mut() {
            Some((c, rows)) if *c == cols => rows.push(vals),
            _ => runs.push((cols, vec![vals])),
        }
    }
    let mut out = Vec::new();
    for (cols, rows) in runs {
        for chunk in rows.chunks(rows_per_statement(backend, cols.len())) {
            let mut q = insert_of(meta, &cols, chunk)?;
            if skip_duplicates {
                q.on_conflict(sea_query::OnConflict::new().do_nothing().to_owned());
            }
            q.returning(Query::returning().columns(meta.fields.iter().map(|f| f.column)));
            let rows = conn
                .fetch(sql::build(&q, backend), Some(meta), |r| {
                    R::decode_record(meta, r)
                })
                .await?;
            out.extend(rows);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rows_statement_repeats_with_renumbered_placeholders() {
        let pg = r#"INSERT INTO "users" ("email", "role") VALUES ($1, CAST($2 AS "Ro$le")) ON CONFLICT DO NOTHING"#;
        assert_eq!(
            repeat_rows(pg, 2, 3, Dialect::Postgres).unwrap(),
            r#"INSERT INTO "users" ("email", "role") VALUES ($1, CAST($2 AS "Ro$le")), ($3, CAST($4 AS "Ro$le")), ($5, CAST($6 AS "Ro$le")) ON CONFLICT DO NOTHING"#
        );
        let my = "INSERT IGNORE INTO `users` (`email`, `a)`) VALUES (?, ?)";
        assert_eq!(
            repeat_rows(my, 2, 2, Dialect::Mysql).unwrap(),
            "INSERT IGNORE INTO `users` (`email`, `a)`) VALUES (?, ?), (?, ?)"
        );
        // A text literal in the tuple: not repeated.
        assert_eq!(
            repeat_rows("INSERT INTO t (a) VALUES ('x')", 1, 2, Dialect::Sqlite),
            None
        );
    }
}
