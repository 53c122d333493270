//! Writes: `create`, `create_many`, `update`, `update_many`, `upsert`, `delete` and
//! `delete_many`. A write without nested writes is one statement; on MySQL, which has no
//! `RETURNING`, a create is two (the INSERT, then the row read back by the key it returned) and
//! an update or delete two or three in a transaction (see [`mysql`](super::mysql)); with
//! nested writes, [`nested`](super::nested) plans and runs it in one transaction.

use std::marker::PhantomData;

use sea_query::Query;

use crate::alias::{ROOT, T0};
use crate::cache;
use crate::db::{Conn, Dialect, Stmt};
use crate::error::{Error, ErrorKind, Result};
use crate::filter::{Filter, Nested, Set, SetKind, SetRows};
use crate::meta::{Link, ModelMeta};
use crate::query::mysql;
use crate::query::nested::{self, insert_many, insert_row, owner_side, update_row};
use crate::query::plan::{has_relations, now, plain_update, plan, plan_at};
use crate::query::read::{
    find_now, load_with, locate_record, select_one, Count, Select, Selection,
};
use crate::query::record::{pk_filter, Boxed};
use crate::query::traits::{BoxFuture, Load, Model};
use crate::sql::{self, Cond};

/// Runs `f` in a transaction unless `conn` already is one (or `needed` is false).
pub(crate) async fn atomically<'a, T, F>(conn: &Conn, needed: bool, f: F) -> Result<T>
where
    F: FnOnce(Conn) -> BoxFuture<'a, Result<T>>,
{
    if !needed || matches!(conn, Conn::Tx(..)) {
        return f(conn.clone()).await;
    }
    // The transaction's own statements are boxed (`f`'s future is already): this future is
    // part of every write's, moved on each call, and stays a few words.
    let tx = Box::pin(conn.begin()).await?;
    match f(tx.clone()).await {
        Ok(v) => {
            Box::pin(tx.finish(true)).await?;
            Ok(v)
        }
        Err(e) => {
            let _ = Box::pin(tx.finish(false)).await;
            Err(e)
        }
    }
}

fn kinds<M>(sets: Vec<Set<M>>) -> Vec<SetKind> {
    sets.into_iter().map(|s| s.kind).collect()
}

/// `create(...)`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct Create<M> {
    pub(crate) conn: Conn,
    pub(crate) sets: Vec<Set<M>>,
    pub(crate) with: Vec<Box<dyn Load<M>>>,
}

impl<M: Model> Create<M> {
    /// Returns the record with a relation fetched (`.with(user::posts::fetch(vec![]))`), read
    /// in the write's transaction.
    pub fn with(mut self, w: impl Into<Box<dyn Load<M>>>) -> Self {
        self.with.push(w.into());
        self
    }
    /// Returns only the fields of a [`select!`](crate::select) struct, read in the write's
    /// transaction.
    pub fn select<S: Selection<Model = M>>(self, s: Select<S>) -> WriteSelect<Self, S> {
        WriteSelect::new(self, s)
    }
    /// Inserts the record, with its nested writes in one transaction, and returns it as stored.
    ///
    /// # Errors
    /// A constraint the record violates; a nested connect that finds nothing
    /// ([`ErrorKind::RecordNotFound`]); the other errors of nested writes (see the crate's
    /// README). Nothing is written then.
    pub async fn exec(self) -> Result<M> {
        let Create { conn, sets, with } = self;
        let sets = kinds(sets);
        if with.is_empty() {
            let later = match create_now::<M>(&conn, sets) {
                Ok(row) => return row.map(|b| *b.0),
                Err(later) => later,
            };
            // Boxed: this future stays a few words, moved as it is made and awaited.
            return Ok(*Box::pin(create_later::<M>(&conn, later)).await?.0);
        }
        Box::pin(atomically(&conn, true, move |tx| {
            Box::pin(async move { loaded(&tx, &with, *create_one(&tx, sets).await?.0).await })
        }))
        .await
    }
}

/// A create without nested writes on SQLite, run at once, in the caller's poll, when nothing
/// has to be waited for ([`Conn::fetch_optional_now`]). `Err` says what is left to do
/// (everything, on the servers), for [`create_later`].
fn create_now<M: Model>(
    conn: &Conn,
    sets: Vec<SetKind>,
) -> std::result::Result<Result<Boxed<M>>, Later> {
    let meta = M::META;
    if !conn.runs_now() || has_relations(&sets) {
        return Err(Later::Sets(sets));
    }
    let backend = conn.backend();
    let mut plan = plan(meta, backend, sets, true);
    let stmt = match nested::insert_statement(meta, backend, &mut plan) {
        Ok(stmt) => stmt,
        Err(e) => return Ok(Err(e)),
    };
    nested::fetch_returned_now(conn, meta, stmt, "create").map_err(Later::Stmt)
}

/// The rest of a create that [`create_now`] could not finish.
async fn create_later<M: Model>(conn: &Conn, later: Later) -> Result<Boxed<M>> {
    match later {
        Later::Stmt(stmt) => nested::fetch_returned(conn, M::META, stmt, "create").await,
        Later::Sets(sets) => create_one::<M>(conn, sets).await,
    }
}

/// The record created (boxed: see [`Boxed`]).
async fn create_one<M: Model>(conn: &Conn, sets: Vec<SetKind>) -> Result<Boxed<M>> {
    let meta = M::META;
    if !has_relations(&sets) {
        let mut plan = plan(meta, conn.backend(), sets, true);
        return insert_row(conn, meta, &mut plan).await;
    }
    let now = now(conn.backend());
    let plan = plan_at(meta, conn.backend(), sets, true, &now);
    #[cfg(feature = "sqlite")]
    if let Some(pool) = conn.sqlite_pool() {
        if let Some(runs) = nested::flat_runs(meta, &plan.relations) {
            return nested::create_flat(pool, meta, plan, runs, &now).await;
        }
    }
    atomically(conn, true, move |conn| {
        Box::pin(async move { nested::create_planned(&conn, meta, plan, &now).await })
    })
    .await
}

/// `row` with the relations of `with` loaded.
async fn loaded<M: Model>(conn: &Conn, with: &[Box<dyn Load<M>>], row: M) -> Result<M> {
    let mut rows = [row];
    load_with(conn, with, &mut rows).await?;
    let [row] = rows;
    Ok(row)
}

/// A write that returns only the fields of a [`select!`](crate::select) struct: `create`,
/// `update`, `upsert` or `delete` followed by `.select(...)`. The selection is read in the
/// write's transaction (before the record is deleted, for `delete`).
#[must_use = "a query does nothing until `.exec().await`"]
pub struct WriteSelect<W, S> {
    write: W,
    select: Select<S>,
}

impl<W, S> WriteSelect<W, S> {
    fn new(write: W, select: Select<S>) -> Self {
        WriteSelect { write, select }
    }
}

/// The selection of the record `filter` selects; [`ErrorKind::RecordNotFound`] if none.
async fn selection<M: Model, S: Selection<Model = M>>(
    conn: &Conn,
    filter: &Filter,
    select: &Select<S>,
    action: &str,
) -> Result<S> {
    select_one::<M, S>(conn, filter, select)
        .await?
        .ok_or_else(|| Error::not_found(M::META.name, action))
}

impl<M: Model, S: Selection<Model = M>> WriteSelect<Create<M>, S> {
    /// Runs the write and returns the selected fields of the record.
    ///
    /// # Errors
    /// Those of [`Create::exec`].
    pub async fn exec(self) -> Result<S> {
        let Create { conn, sets, .. } = self.write;
        let select = self.select;
        let sets = kinds(sets);
        atomically(&conn, true, move |tx| {
            Box::pin(async move {
                let row: M = *create_one(&tx, sets).await?.0;
                selection::<M, S>(&tx, &pk_filter(M::META, &row), &select, "create").await
            })
        })
        .await
    }
}

impl<M: Model, S: Selection<Model = M>> WriteSelect<Update<M>, S> {
    /// Runs the write and returns the selected fields of the record.
    ///
    /// # Errors
    /// Those of [`Update::exec`].
    pub async fn exec(self) -> Result<S> {
        let Update {
            conn, filter, sets, ..
        } = self.write;
        let select = self.select;
        let sets = kinds(sets);
        atomically(&conn, true, move |tx| {
            Box::pin(async move {
                let row: M = *update_one(&tx, &filter, sets).await?.0;
                selection::<M, S>(&tx, &pk_filter(M::META, &row), &select, "update").await
            })
        })
        .await
    }
}

impl<M: Model, S: Selection<Model = M>> WriteSelect<Upsert<M>, S> {
    /// Runs the write and returns the selected fields of the record.
    ///
    /// # Errors
    /// Those of [`Upsert::exec`].
    pub async fn exec(self) -> Result<S> {
        let Upsert {
            conn,
            filter,
            create,
            update,
            ..
        } = self.write;
        let select = self.select;
        let (create, update) = (kinds(create), kinds(update));
        atomically(&conn, true, move |tx| {
            Box::pin(async move {
                let now = now(tx.backend());
                let row: M = nested::upsert(&tx, M::META, &filter, create, update, &now).await?;
                selection::<M, S>(&tx, &pk_filter(M::META, &row), &select, "upsert").await
            })
        })
        .await
    }
}

impl<M: Model, S: Selection<Model = M>> WriteSelect<Delete<M>, S> {
    /// Reads the selected fields of the record, then deletes it; returns them.
    ///
    /// # Errors
    /// Those of [`Delete::exec`].
    pub async fn exec(self) -> Result<S> {
        let Delete { conn, filter, .. } = self.write;
        let select = self.select;
        atomically(&conn, true, move |tx| {
            Box::pin(async move {
                let selected = selection::<M, S>(&tx, &filter, &select, "delete").await?;
                delete_one::<M>(&tx, &filter).await?;
                Ok(selected)
            })
        })
        .await
    }
}

/// `create_many(...)`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct CreateMany<M> {
    pub(crate) conn: Conn,
    /// Setters of `M`'s fields.
    pub(crate) rows: SetRows,
    pub(crate) skip_duplicates: bool,
    pub(crate) _m: PhantomData<fn() -> M>,
}

impl<M: Model> CreateMany<M> {
    /// Leaves out rows that would violate a unique constraint instead of failing.
    pub fn skip_duplicates(mut self) -> Self {
        self.skip_duplicates = true;
        self
    }

    /// Inserts the rows (in as few statements as the parameter limits allow); returns how
    /// many were inserted.
    ///
    /// # Errors
    /// A constraint a row violates (none is inserted then), or a nested write other than a
    /// connect of a relation whose foreign key the model holds ([`ErrorKind::Configuration`]).
    pub async fn exec(self) -> Result<i64> {
        let meta = M::META;
        let skip = self.skip_duplicates;
        let rows = self.rows;
        atomically(&self.conn, true, move |conn| {
            Box::pin(async move {
                let conn = &conn;
                let now = now(conn.backend());
                if rows.sets().iter().all(|s| nested::plain_set(meta, s)) {
                    let groups = nested::plain_groups(meta, rows, &[], &now);
                    return Ok(nested::insert_groups(conn, meta, groups, skip).await? as i64);
                }
                let mut plans = Vec::with_capacity(rows.len());
                for sets in rows.into_rows() {
                    let mut p = plan_at(meta, conn.backend(), sets, true, &now);
                    if !p.relations.is_empty() {
                        only_connects(meta, &p.relations, "create_many", "create")?;
                        owner_side(conn, meta, &mut p, true, None, &now).await?;
                    }
                    plans.push(p);
                }
                Ok(insert_many(conn, meta, plans, skip).await? as i64)
            })
        })
        .await
    }
}

/// Refuses nested writes other than connects and disconnects of relations whose foreign key
/// `meta` holds (what `create_many` and `update_many` can do for every row alike).
fn only_connects(
    meta: &crate::meta::ModelMeta,
    relations: &[(usize, Nested)],
    what: &str,
    instead: &str,
) -> Result<()> {
    for (r, op) in relations {
        let rel = &meta.relations[*r];
        let owner = matches!(rel.link, Link::Owner { .. });
        if !(owner && matches!(op, Nested::Connect(_) | Nested::Disconnect(_))) {
            return Err(Error::new(
                ErrorKind::Configuration,
                format!(
                    "{what} on {} can only connect or disconnect {}.{}: use {instead}",
                    meta.name, meta.name, rel.name
                ),
            ));
        }
    }
    Ok(())
}

/// The error of an `..._and_return` write on a backend without `RETURNING`.
fn no_returning(what: &str, meta: &crate::meta::ModelMeta) -> Error {
    Error::new(
        ErrorKind::Configuration,
        format!(
            "{what} on {} needs RETURNING, which MySQL does not have (neither has Prisma's on MySQL): use {}, then read the records",
            meta.name,
            what.trim_end_matches("_and_return")
        ),
    )
}

/// `create_many_and_return(...)`: as Prisma's `createManyAndReturn`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct CreateManyAndReturn<M> {
    pub(crate) many: CreateMany<M>,
    pub(crate) with: Vec<Box<dyn Load<M>>>,
}

impl<M: Model> CreateManyAndReturn<M> {
    /// Leaves out rows that would violate a unique constraint instead of failing (and does
    /// not return them).
    pub fn skip_duplicates(mut self) -> Self {
        self.many.skip_duplicates = true;
        self
    }
    /// Returns the records with a relation fetched.
    pub fn with(mut self, w: impl Into<Box<dyn Load<M>>>) -> Self {
        self.with.push(w.into());
        self
    }
    /// Inserts the rows and returns them as stored, in order (one statement per run of rows
    /// that set the same fields, as many as the parameter limits allow).
    ///
    /// # Errors
    /// [`ErrorKind::Configuration`] on MySQL; those of [`CreateMany::exec`].
    pub async fn exec(self) -> Result<Vec<M>> {
        let meta = M::META;
        let CreateMany {
            conn,
            rows,
            skip_duplicates,
            ..
        } = self.many;
        if !conn.backend().returning() {
            return Err(no_returning("create_many_and_return", meta));
        }
        let with = self.with;
        atomically(&conn, true, move |conn| {
            Box::pin(async move {
                let conn = &conn;
                let mut plans = Vec::with_capacity(rows.len());
                let now = now(conn.backend());
                for sets in rows.into_rows() {
                    let mut p = plan_at(meta, conn.backend(), sets, true, &now);
                    only_connects(meta, &p.relations, "create_many_and_return", "create")?;
                    owner_side(conn, meta, &mut p, true, None, &now).await?;
                    plans.push(p);
                }
                let mut out =
                    nested::insert_returning::<M>(conn, meta, plans, skip_duplicates).await?;
                load_with(conn, &with, &mut out).await?;
                Ok(out)
            })
        })
        .await
    }
}

/// `update(...)`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct Update<M> {
    pub(crate) conn: Conn,
    pub(crate) filter: Filter,
    pub(crate) sets: Vec<Set<M>>,
    pub(crate) with: Vec<Box<dyn Load<M>>>,
}

impl<M: Model> Update<M> {
    /// Returns the record with a relation fetched, read in the write's transaction.
    pub fn with(mut self, w: impl Into<Box<dyn Load<M>>>) -> Self {
        self.with.push(w.into());
        self
    }
    /// Returns only the fields of a [`select!`](crate::select) struct, read in the write's
    /// transaction.
    pub fn select<S: Selection<Model = M>>(self, s: Select<S>) -> WriteSelect<Self, S> {
        WriteSelect::new(self, s)
    }
    /// Changes the record, with its nested writes in one transaction, and returns it as
    /// stored.
    ///
    /// # Errors
    /// [`ErrorKind::RecordNotFound`] when the filter selects no record; a constraint the
    /// change violates; the errors of nested writes (see the crate's README). Nothing is
    /// changed then.
    pub async fn exec(self) -> Result<M> {
        let Update {
            conn,
            filter,
            sets,
            with,
        } = self;
        let sets = kinds(sets);
        if with.is_empty() {
            let later = match update_now::<M>(&conn, &filter, sets) {
                Ok(row) => return row.map(|b| *b.0),
                Err(later) => later,
            };
            // Boxed: this future stays a few words, moved as it is made and awaited.
            return Ok(*Box::pin(update_later::<M>(&conn, &filter, later)).await?.0);
        }
        Box::pin(atomically(&conn, true, move |tx| {
            Box::pin(
                async move { loaded(&tx, &with, *update_one(&tx, &filter, sets).await?.0).await },
            )
        }))
        .await
    }
}

/// What is left of a create or update that [`create_now`] or [`update_now`] could not finish.
enum Later {
    /// The changes, to plan.
    Sets(Vec<SetKind>),
    /// The statement, built, waiting for a connection or a busy database.
    Stmt(Stmt),
}

/// An update of plain values on SQLite, run at once, in the caller's poll, when nothing has to
/// be waited for ([`Conn::fetch_optional_now`]): no future is made for it. `Err` says what is
/// left to do (everything, on the servers), for [`update_later`].
fn update_now<M: Model>(
    conn: &Conn,
    filter: &Filter,
    sets: Vec<SetKind>,
) -> std::result::Result<Result<Boxed<M>>, Later> {
    let meta = M::META;
    let backend = conn.backend();
    if !conn.runs_now() || has_relations(&sets) {
        return Err(Later::Sets(sets));
    }
    let (fields, values) = plain_update(meta, backend, sets).map_err(Later::Sets)?;
    if fields.as_slice().is_empty() {
        // Nothing to set (a model without `@updatedAt` given no values): the record is only
        // located.
        return match find_now::<Boxed<M>>(conn, meta, filter) {
            Some(found) => {
                Ok(found.and_then(|r| r.ok_or_else(|| Error::not_found(meta.name, "update"))))
            }
            None => Err(Later::Sets(Vec::new())),
        };
    }
    let stmt = nested::update_values_statement(meta, backend, fields.as_slice(), values, filter);
    nested::fetch_returned_now(conn, meta, stmt, "update").map_err(Later::Stmt)
}

/// The rest of an update that [`update_now`] could not finish.
async fn update_later<M: Model>(conn: &Conn, filter: &Filter, later: Later) -> Result<Boxed<M>> {
    match later {
        Later::Sets(sets) => update_one::<M>(conn, filter, sets).await,
        Later::Stmt(stmt) => nested::fetch_returned(conn, M::META, stmt, "update").await,
    }
}

/// The record changed (boxed: see [`Boxed`]).
async fn update_one<M: Model>(
    conn: &Conn,
    filter: &Filter,
    sets: Vec<SetKind>,
) -> Result<Boxed<M>> {
    let meta = M::META;
    let backend = conn.backend();
    let sets = if has_relations(&sets) {
        sets
    } else {
        match plain_update(meta, backend, sets) {
            Ok((fields, values)) if backend.returning() => {
                return nested::update_values(conn, meta, filter, fields, values).await;
            }
            // MySQL: the UPDATE and the read of the record, in one transaction.
            Ok((fields, values)) => {
                return atomically(conn, true, move |conn| {
                    Box::pin(async move {
                        mysql::update_values(&conn, meta, filter, fields.as_slice(), values).await
                    })
                })
                .await;
            }
            Err(sets) if backend.returning() => {
                return update_row(conn, meta, filter, &plan(meta, backend, sets, false)).await;
            }
            Err(sets) => sets,
        }
    };
    atomically(conn, true, move |conn| {
        Box::pin(
            async move { nested::update(&conn, meta, filter, sets, &now(conn.backend())).await },
        )
    })
    .await
}

/// `update_many(...)`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct UpdateMany<M> {
    pub(crate) conn: Conn,
    pub(crate) filters: Vec<Filter>,
    pub(crate) sets: Vec<Set<M>>,
}

impl<M: Model> UpdateMany<M> {
    /// Changes the records; returns how many.
    ///
    /// # Errors
    /// A constraint the change violates, or a nested write other than a connect or disconnect
    /// of a relation whose foreign key the model holds ([`ErrorKind::Configuration`]).
    pub async fn exec(self) -> Result<i64> {
        let meta = M::META;
        let backend = self.conn.backend();
        let now = now(backend);
        let mut plan = plan_at(meta, backend, kinds(self.sets), false, &now);
        only_connects(meta, &plan.relations, "update_many", "update")?;
        if !plan.relations.is_empty() {
            owner_side(&self.conn, meta, &mut plan, false, None, &now).await?;
        }
        if plan.columns.is_empty() {
            return Count::<M>::new(self.conn, self.filters).exec().await;
        }
        let mut q = Query::update();
        q.table(meta.table);
        for (f, e) in plan.columns {
            q.value(meta.fields[f].column, e);
        }
        q.cond_where(Cond { backend }.all(meta, meta.table, ROOT, &self.filters));
        let done = self
            .conn
            .execute(sql::build(&q, backend), Some(meta))
            .await?;
        Ok(done.rows as i64)
    }
}

/// `update_many_and_return(...)`: as Prisma's `updateManyAndReturn`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct UpdateManyAndReturn<M> {
    pub(crate) many: UpdateMany<M>,
    pub(crate) with: Vec<Box<dyn Load<M>>>,
}

impl<M: Model> UpdateManyAndReturn<M> {
    /// Returns the records with a relation fetched.
    pub fn with(mut self, w: impl Into<Box<dyn Load<M>>>) -> Self {
        self.with.push(w.into());
        self
    }
    /// Changes the records and returns them as stored.
    ///
    /// # Errors
    /// [`ErrorKind::Configuration`] on MySQL; those of [`UpdateMany::exec`].
    pub async fn exec(self) -> Result<Vec<M>> {
        let meta = M::META;
        let UpdateMany {
            conn,
            filters,
            sets,
        } = self.many;
        let backend = conn.backend();
        if !backend.returning() {
            return Err(no_returning("update_many_and_return", meta));
        }
        let with = self.with;
        let sets = kinds(sets);
        atomically(&conn, true, move |conn| {
            Box::pin(async move {
                let conn = &conn;
                let now = now(backend);
                let mut plan = plan_at(meta, backend, sets, false, &now);
                only_connects(meta, &plan.relations, "update_many_and_return", "update")?;
                if !plan.relations.is_empty() {
                    owner_side(conn, meta, &mut plan, false, None, &now).await?;
                }
                let stmt = if plan.columns.is_empty() {
                    // Nothing to change: the records as they are.
                    let mut q = sql::select_all(meta);
                    q.cond_where(Cond { backend }.all(meta, T0, ROOT, &filters));
                    sql::build(&q, backend)
                } else {
                    let mut q = Query::update();
                    q.table(meta.table);
                    for (f, e) in plan.columns {
                        q.value(meta.fields[f].column, e);
                    }
                    q.cond_where(Cond { backend }.all(meta, meta.table, ROOT, &filters));
                    q.returning(Query::returning().columns(meta.fields.iter().map(|f| f.column)));
                    sql::build(&q, backend)
                };
                let mut out = conn.fetch(stmt, Some(meta), M::decode).await?;
                load_with(conn, &with, &mut out).await?;
                Ok(out)
            })
        })
        .await
    }
}

/// `upsert(...)`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct Upsert<M> {
    pub(crate) conn: Conn,
    pub(crate) filter: Filter,
    pub(crate) create: Vec<Set<M>>,
    pub(crate) update: Vec<Set<M>>,
    pub(crate) with: Vec<Box<dyn Load<M>>>,
}

impl<M: Model> Upsert<M> {
    /// Returns the record with a relation fetched, read in the write's transaction.
    pub fn with(mut self, w: impl Into<Box<dyn Load<M>>>) -> Self {
        self.with.push(w.into());
        self
    }
    /// Returns only the fields of a [`select!`](crate::select) struct, read in the write's
    /// transaction.
    pub fn select<S: Selection<Model = M>>(self, s: Select<S>) -> WriteSelect<Self, S> {
        WriteSelect::new(self, s)
    }
    /// Updates the record the unique filter selects, or creates one if there is none (either
    /// with its nested writes), in one transaction.
    ///
    /// # Errors
    /// A constraint the write violates; the errors of nested writes.
    pub async fn exec(self) -> Result<M> {
        let meta = M::META;
        let Upsert {
            conn,
            filter,
            create,
            update,
            with,
        } = self;
        let (create, update) = (kinds(create), kinds(update));
        atomically(&conn, true, move |tx| {
            Box::pin(async move {
                let now = now(tx.backend());
                let row = nested::upsert(&tx, meta, &filter, create, update, &now).await?;
                loaded(&tx, &with, row).await
            })
        })
        .await
    }
}

/// `delete(...)`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct Delete<M> {
    pub(crate) conn: Conn,
    pub(crate) filter: Filter,
    pub(crate) with: Vec<Box<dyn Load<M>>>,
}

impl<M: Model> Delete<M> {
    /// Returns the record with a relation fetched as it was before the delete (read first, in
    /// the write's transaction).
    pub fn with(mut self, w: impl Into<Box<dyn Load<M>>>) -> Self {
        self.with.push(w.into());
        self
    }
    /// Returns only the fields of a [`select!`](crate::select) struct, read before the delete
    /// in the write's transaction.
    pub fn select<S: Selection<Model = M>>(self, s: Select<S>) -> WriteSelect<Self, S> {
        WriteSelect::new(self, s)
    }
    /// Deletes the record and returns it as it was.
    ///
    /// # Errors
    /// [`ErrorKind::RecordNotFound`] when the filter selects no record; a foreign key that
    /// still refers to it.
    pub async fn exec(self) -> Result<M> {
        let Delete { conn, filter, with } = self;
        if with.is_empty() {
            let meta = M::META;
            if conn.runs_now() {
                // On SQLite, at once when nothing has to be waited for (see `update_now`).
                let stmt = delete_statement(meta, conn.backend(), &filter);
                let stmt = match nested::fetch_returned_now::<Boxed<M>>(&conn, meta, stmt, "delete")
                {
                    Ok(row) => return row.map(|b| *b.0),
                    Err(stmt) => stmt,
                };
                let row = nested::fetch_returned::<Boxed<M>>(&conn, meta, stmt, "delete");
                return Ok(*Box::pin(row).await?.0);
            }
            // Boxed: this future stays a few words, moved as it is made and awaited.
            return Box::pin(delete_one(&conn, &filter)).await;
        }
        Box::pin(atomically(&conn, true, move |tx| {
            Box::pin(async move {
                let found: M = locate_record(&tx, M::META, &filter, "delete").await?;
                let found = loaded(&tx, &with, found).await?;
                delete_one::<M>(&tx, &pk_filter(M::META, &found)).await?;
                Ok(found)
            })
        }))
        .await
    }
}

/// `DELETE ... WHERE <filter> RETURNING <every column>` (a backend with `RETURNING`): from the
/// cache, or built.
fn delete_statement(meta: &'static ModelMeta, backend: Dialect, filter: &Filter) -> Stmt {
    cache::unique_delete(meta, backend, filter, || {
        let mut q = Query::delete();
        q.from_table(meta.table);
        q.cond_where(Cond { backend }.all(meta, meta.table, ROOT, std::slice::from_ref(filter)));
        q.returning(Query::returning().columns(meta.fields.iter().map(|f| f.column)));
        sql::build(&q, backend)
    })
}

async fn delete_one<M: Model>(conn: &Conn, filter: &Filter) -> Result<M> {
    let meta = M::META;
    let backend = conn.backend();
    if backend.returning() {
        let stmt = delete_statement(meta, backend, filter);
        return nested::fetch_returned(conn, meta, stmt, "delete").await;
    }
    let mut q = Query::delete();
    q.from_table(meta.table);
    atomically(conn, true, move |conn| {
        Box::pin(async move { mysql::delete_by_key::<M>(&conn, meta, filter, q).await })
    })
    .await
}

/// `delete_many(...)`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct DeleteMany<M> {
    pub(crate) conn: Conn,
    pub(crate) filters: Vec<Filter>,
    pub(crate) _m: PhantomData<fn() -> M>,
}

impl<M: Model> DeleteMany<M> {
    /// Deletes the records; returns how many.
    ///
    /// # Errors
    /// A foreign key that still refers to one of them.
    pub async fn exec(self) -> Result<i64> {
        let meta = M::META;
        let backend = self.conn.backend();
        let mut q = Query::delete();
        q.from_table(meta.table).cond_where(Cond { backend }.all(
            meta,
            meta.table,
            ROOT,
            &self.filters,
        ));
        let done = self
            .conn
            .execute(sql::build(&q, backend), Some(meta))
            .await?;
        Ok(done.rows as i64)
    }
}
