//! Writes: `create`, `create_many`, `update`, `update_many`, `upsert`, `delete` and
//! `delete_many`, and what makes a model writable.

use std::marker::PhantomData;

use sea_query::{Expr, Query};

use crate::alias::ROOT;
use crate::cache;
use crate::db::{Conn, Dialect};
use crate::error::{Error, ErrorKind, Result};
use crate::filter::{Filter, Set};
use crate::query::mysql;
use crate::query::plan::{after, connect_error, plan, resolve_lookups, Plan};
use crate::query::read::{find_one, locate, Count};
use crate::query::traits::{BoxFuture, Model};
use crate::sql::{self, Cond};

/// Inserts the row of `plan` (its nested connects looked up first) and returns it as stored.
async fn insert<M: Model>(conn: &Conn, plan: &mut Plan) -> Result<M> {
    let meta = M::META;
    let backend = conn.backend();
    resolve_lookups::<M>(conn, plan).await?;
    let plan = &*plan;
    let returning = backend.returning();
    let build = || -> Result<crate::db::Stmt> {
        let mut q = Query::insert();
        q.into_table(meta.table);
        if plan.columns.is_empty() {
            q.or_default_values();
        } else {
            q.columns(plan.columns.iter().map(|(f, _)| meta.fields[*f].column));
            q.values(plan.columns.iter().map(|(_, e)| e.clone()))
                .map_err(|e| Error::new(ErrorKind::Configuration, e.to_string()))?;
        }
        if returning {
            q.returning(Query::returning().columns(meta.fields.iter().map(|f| f.column)));
        }
        Ok(sql::build(&q, backend))
    };
    let stmt = cache::insert_values(meta, backend, &plan.columns, build)?;
    if returning {
        let row = conn
            .fetch_optional(stmt, Some(meta), M::decode)
            .await
            .map_err(|e| connect_error(e, plan, meta.name))?;
        return row.ok_or_else(|| Error::not_found(meta.name, "create"));
    }
    let done = conn
        .execute(stmt, Some(meta))
        .await
        .map_err(|e| connect_error(e, plan, meta.name))?;
    mysql::read_back(conn, plan, &done).await
}

/// Runs `f` in a transaction unless `conn` already is one (or `needed` is false).
async fn atomically<'a, T, F>(conn: &Conn, needed: bool, f: F) -> Result<T>
where
    F: FnOnce(Conn) -> BoxFuture<'a, Result<T>>,
{
    if !needed || matches!(conn, Conn::Tx(..)) {
        return f(conn.clone()).await;
    }
    let tx = conn.begin().await?;
    match f(tx.clone()).await {
        Ok(v) => {
            tx.finish(true).await?;
            Ok(v)
        }
        Err(e) => {
            let _ = tx.finish(false).await;
            Err(e)
        }
    }
}

/// `create(...)`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct Create<M> {
    pub(crate) conn: Conn,
    pub(crate) sets: Vec<Set<M>>,
}

impl<M: Model> Create<M> {
    /// Inserts the record (and its nested connects, in one transaction) and returns it as
    /// stored.
    ///
    /// # Errors
    /// A constraint the record violates, or a nested connect that finds nothing
    /// ([`ErrorKind::RecordNotFound`]).
    pub async fn exec(self) -> Result<M> {
        let plan = plan::<M>(self.conn.backend(), self.sets, true)?;
        let needed = !plan.after.is_empty() || !plan.lookups.is_empty();
        atomically(&self.conn, needed, move |conn| {
            Box::pin(async move {
                let conn = &conn;
                let mut plan = plan;
                let row = insert::<M>(conn, &mut plan).await?;
                after(conn, &row, plan.after).await?;
                Ok(row)
            })
        })
        .await
    }
}

/// `create_many(...)`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct CreateMany<M> {
    pub(crate) conn: Conn,
    pub(crate) rows: Vec<Vec<Set<M>>>,
    pub(crate) skip_duplicates: bool,
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
    /// A constraint a row violates (none is inserted then), or a row that connects a list
    /// relation ([`ErrorKind::Configuration`]).
    pub async fn exec(self) -> Result<i64> {
        let meta = M::META;
        let backend = self.conn.backend();
        // Rows with the same columns go into one statement.
        let mut groups: Vec<(Vec<usize>, Vec<Vec<Expr>>)> = Vec::new();
        for sets in self.rows {
            let mut p = plan::<M>(backend, sets, true)?;
            if !p.after.is_empty() {
                return Err(Error::new(
                    ErrorKind::Configuration,
                    format!(
                        "create_many on {} cannot connect list relations; use create",
                        meta.name
                    ),
                ));
            }
            p.columns.sort_by_key(|(f, _)| *f);
            let cols: Vec<usize> = p.columns.iter().map(|(f, _)| *f).collect();
            let vals: Vec<Expr> = p.columns.into_iter().map(|(_, e)| e).collect();
            match groups.iter_mut().find(|(c, _)| *c == cols) {
                Some((_, rows)) => rows.push(vals),
                None => groups.push((cols, vec![vals])),
            }
        }
        let limit = match backend {
            Dialect::Sqlite => 32_766,
            _ => 65_535,
        };
        let mut total = 0i64;
        atomically(&self.conn, true, move |conn| {
            Box::pin(async move {
                let conn = &conn;
                for (cols, rows) in groups {
                    let per = (limit / cols.len().max(1)).max(1);
                    for chunk in rows.chunks(per) {
                        let mut q = Query::insert();
                        q.into_table(meta.table);
                        if cols.is_empty() {
                            q.or_default_values();
                        } else {
                            q.columns(cols.iter().map(|&f| meta.fields[f].column));
                        }
                        for r in chunk {
                            if !cols.is_empty() {
                                q.values(r.iter().cloned()).map_err(|e| {
                                    Error::new(ErrorKind::Configuration, e.to_string())
                                })?;
                            }
                        }
                        if self.skip_duplicates && backend != Dialect::Mysql {
                            q.on_conflict(sea_query::OnConflict::new().do_nothing().to_owned());
                        }
                        let stmt = if self.skip_duplicates {
                            sql::insert_ignoring(&q, backend)
                        } else {
                            sql::build(&q, backend)
                        };
                        let done = conn.execute(stmt, Some(meta)).await?;
                        total += done.rows as i64;
                    }
                }
                Ok(total)
            })
        })
        .await
    }
}

async fn update_one<M: Model>(conn: &Conn, filter: &Filter, sets: Vec<Set<M>>) -> Result<M> {
    let meta = M::META;
    let backend = conn.backend();
    let plan = plan::<M>(backend, sets, false)?;
    let needs_tx = !plan.after.is_empty() || !plan.lookups.is_empty() || !backend.returning();
    atomically(conn, needs_tx, move |conn| {
        Box::pin(async move {
            let conn = &conn;
            let mut plan = plan;
            resolve_lookups::<M>(conn, &mut plan).await?;
            let row = if plan.columns.is_empty() {
                locate::<M>(conn, filter, "update").await?
            } else {
                let mut q = Query::update();
                q.table(meta.table);
                for (f, e) in &plan.columns {
                    q.value(meta.fields[*f].column, e.clone());
                }
                if backend.returning() {
                    q.cond_where(Cond { backend }.all(
                        meta,
                        meta.table,
                        ROOT,
                        std::slice::from_ref(filter),
                    ));
                    q.returning(Query::returning().columns(meta.fields.iter().map(|f| f.column)));
                    conn.fetch_optional(sql::build(&q, backend), Some(meta), M::decode)
                        .await
                        .map_err(|e| connect_error(e, &plan, meta.name))?
                        .ok_or_else(|| Error::not_found(meta.name, "update"))?
                } else {
                    mysql::update_by_key::<M>(conn, filter, q, &plan).await?
                }
            };
            after(conn, &row, plan.after).await?;
            Ok(row)
        })
    })
    .await
}

/// `update(...)`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct Update<M> {
    pub(crate) conn: Conn,
    pub(crate) filter: Filter,
    pub(crate) sets: Vec<Set<M>>,
}

impl<M: Model> Update<M> {
    /// Changes the record and returns it as stored.
    ///
    /// # Errors
    /// [`ErrorKind::RecordNotFound`] when the filter selects no record; a constraint the
    /// change violates.
    pub async fn exec(self) -> Result<M> {
        update_one(&self.conn, &self.filter, self.sets).await
    }
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
    /// A constraint the change violates, or a setter of a list relation
    /// ([`ErrorKind::Configuration`]).
    pub async fn exec(self) -> Result<i64> {
        let meta = M::META;
        let backend = self.conn.backend();
        let plan = plan::<M>(backend, self.sets, false)?;
        if !plan.after.is_empty() {
            return Err(Error::new(
                ErrorKind::Configuration,
                format!(
                    "update_many on {} cannot change list relations; use update",
                    meta.name
                ),
            ));
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

/// `upsert(...)`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct Upsert<M> {
    pub(crate) conn: Conn,
    pub(crate) filter: Filter,
    pub(crate) create: Vec<Set<M>>,
    pub(crate) update: Vec<Set<M>>,
}

impl<M: Model> Upsert<M> {
    /// Updates the record the unique filter selects, or creates one if there is none.
    ///
    /// # Errors
    /// A constraint the write violates.
    pub async fn exec(self) -> Result<M> {
        let Upsert {
            conn,
            filter,
            create,
            update,
        } = self;
        atomically(&conn, true, move |conn| {
            Box::pin(async move {
                let conn = &conn;
                if find_one::<M>(conn, &filter, &[]).await?.is_some() {
                    update_one(conn, &filter, update).await
                } else {
                    let mut plan = plan::<M>(conn.backend(), create, true)?;
                    let row = insert::<M>(conn, &mut plan).await?;
                    after(conn, &row, plan.after).await?;
                    Ok(row)
                }
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
    pub(crate) _m: PhantomData<fn() -> M>,
}

impl<M: Model> Delete<M> {
    /// Deletes the record and returns it as it was.
    ///
    /// # Errors
    /// [`ErrorKind::RecordNotFound`] when the filter selects no record; a foreign key that
    /// still refers to it.
    pub async fn exec(self) -> Result<M> {
        let meta = M::META;
        let conn = &self.conn;
        let backend = conn.backend();
        let mut q = Query::delete();
        q.from_table(meta.table);
        if backend.returning() {
            q.cond_where(Cond { backend }.all(
                meta,
                meta.table,
                ROOT,
                std::slice::from_ref(&self.filter),
            ));
            q.returning(Query::returning().columns(meta.fields.iter().map(|f| f.column)));
            return conn
                .fetch_optional(sql::build(&q, backend), Some(meta), M::decode)
                .await?
                .ok_or_else(|| Error::not_found(meta.name, "delete"));
        }
        let filter = self.filter;
        atomically(conn, true, move |conn| {
            Box::pin(async move { mysql::delete_by_key::<M>(&conn, &filter, q).await })
        })
        .await
    }
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
