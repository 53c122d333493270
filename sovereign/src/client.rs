//! What every generated client shares: transactions and raw queries.

use std::future::Future;
use std::marker::PhantomData;
use std::time::Duration;

use sea_query::Value;

use crate::db::{Conn, Stmt};
use crate::error::Result;
use crate::query::traits::Model;
use crate::value::{Decode, Reader};

/// A generated client type: built over a connection (the pool, or a transaction).
pub trait Client: Sized {
    #[doc(hidden)]
    fn from_conn(conn: Conn) -> Self;
    #[doc(hidden)]
    fn conn(&self) -> &Conn;
}

/// `client._transaction()`: runs a closure in a transaction, with Prisma's options of an
/// interactive transaction: isolation level, timeout and the longest wait for a connection
/// (<https://www.prisma.io/docs/orm/prisma-client/queries/transactions#interactive-transactions>).
/// Unlike Prisma's, the timeout and the wait are unbounded unless set; they need a Tokio runtime
/// with its time driver (`enable_time` or `enable_all`).
#[must_use = "call `.run(|tx| async move { ... })`"]
pub struct TransactionBuilder<C> {
    conn: Conn,
    isolation: Option<crate::IsolationLevel>,
    timeout: Option<Duration>,
    max_wait: Option<Duration>,
    _c: PhantomData<fn() -> C>,
}

impl<C: Client> TransactionBuilder<C> {
    #[doc(hidden)]
    pub fn new(conn: Conn) -> Self {
        TransactionBuilder {
            conn,
            isolation: None,
            timeout: None,
            max_wait: None,
            _c: PhantomData,
        }
    }

    /// The transaction's isolation level (the database's default otherwise).
    pub fn isolation_level(mut self, level: crate::IsolationLevel) -> Self {
        self.isolation = Some(level);
        self
    }

    /// The longest the transaction may run: past it, it is rolled back and `run` fails with
    /// [`ErrorKind::Timeout`](crate::ErrorKind::Timeout) (Prisma's `timeout`).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = Some(d);
        self
    }

    /// The longest to wait for a connection to begin the transaction with:
    /// [`ErrorKind::Timeout`](crate::ErrorKind::Timeout) past it (Prisma's `maxWait`).
    pub fn max_wait(mut self, d: Duration) -> Self {
        self.max_wait = Some(d);
        self
    }

    /// Begins the transaction, within `max_wait`.
    async fn begin(&self) -> Result<Conn> {
        let begin = self.conn.begin_with(self.isolation);
        match self.max_wait {
            None => begin.await,
            Some(d) => tokio::time::timeout(d, begin).await.map_err(|_| {
                crate::Error::new(
                    crate::ErrorKind::Timeout,
                    format!("no connection to begin a transaction with within {d:?} (max_wait)"),
                )
            })?,
        }
    }

    /// Runs `f` with a client bound to a new transaction: commits when it returns `Ok`, rolls
    /// back when it returns `Err` (or the commit itself fails, or the timeout passes). Inside a
    /// transaction already, `f` runs in that one.
    ///
    /// # Errors
    /// The closure's error, or a [`crate::Error`] from beginning or committing, or the timeout.
    pub async fn run<T, E, F, Fut>(self, f: F) -> std::result::Result<T, E>
    where
        F: FnOnce(C) -> Fut,
        Fut: Future<Output = std::result::Result<T, E>>,
        E: From<crate::Error>,
    {
        if matches!(self.conn, Conn::Tx(..)) && self.isolation.is_none() {
            return f(C::from_conn(self.conn)).await;
        }
        let tx = self.begin().await?;
        let work = f(C::from_conn(tx.clone()));
        let result = match self.timeout {
            None => work.await,
            Some(d) => match tokio::time::timeout(d, work).await {
                Ok(r) => r,
                Err(_) => Err(crate::Error::new(
                    crate::ErrorKind::Timeout,
                    format!(
                        "the transaction ran longer than its timeout ({d:?}) and was rolled back"
                    ),
                )
                .into()),
            },
        };
        match result {
            Ok(v) => {
                tx.finish(true).await?;
                Ok(v)
            }
            Err(e) => {
                // The closure's error is the one worth reporting.
                let _ = tx.finish(false).await;
                Err(e)
            }
        }
    }
}

/// A raw SQL statement with bound parameters; build it with [`raw!`](crate::raw).
///
/// `{}` in the text marks a parameter; it becomes `$1`, `$2`, ... on PostgreSQL and `?`
/// elsewhere. Values are always bound, never spliced into the text.
#[derive(Debug, Clone)]
pub struct Raw {
    sql: String,
    values: Vec<Value>,
}

impl Raw {
    /// A statement; running it fails with [`crate::ErrorKind::Configuration`] when the number
    /// of `{}` placeholders differs from the number of values.
    pub fn new(sql: &str, values: Vec<Value>) -> Self {
        Raw {
            sql: sql.to_string(),
            values,
        }
    }

    fn check(&self) -> Result<()> {
        let holes = self.sql.matches("{}").count();
        if holes == self.values.len() {
            Ok(())
        } else {
            Err(crate::Error::new(
                crate::ErrorKind::Configuration,
                format!(
                    "raw query with {holes} `{{}}` placeholders but {} values: {}",
                    self.values.len(),
                    self.sql
                ),
            ))
        }
    }

    pub(crate) fn stmt(self, backend: crate::Dialect) -> Stmt {
        let mut out = String::with_capacity(self.sql.len() + 8);
        let mut n = 0;
        let mut parts = self.sql.split("{}").peekable();
        while let Some(p) = parts.next() {
            out.push_str(p);
            if parts.peek().is_some() {
                n += 1;
                if backend == crate::Dialect::Postgres {
                    out.push('$');
                    out.push_str(&n.to_string());
                } else {
                    out.push('?');
                }
            }
        }
        Stmt {
            raw: true,
            ..Stmt::new(out, sea_query::Values(self.values))
        }
    }
}

/// A row type for `_query_raw`: a generated model's `Data` (columns in schema order) or a
/// tuple of column types.
pub trait RawRow: Sized {
    /// Decodes one row, its columns in select order.
    ///
    /// # Errors
    /// A column whose value does not fit its type, or fewer columns than the type reads.
    fn decode_row(r: &mut Reader<'_>) -> Result<Self>;
}

impl<M: Model> RawRow for M {
    fn decode_row(r: &mut Reader<'_>) -> Result<Self> {
        M::decode(r)
    }
}

macro_rules! tuple_row {
    ($($t:ident),*) => {
        impl<$($t: Decode),*> RawRow for ($($t,)*) {
            fn decode_row(r: &mut Reader<'_>) -> Result<Self> {
                Ok(($(r.next::<$t>()?,)*))
            }
        }
    };
}
tuple_row!(A);
tuple_row!(A, B);
tuple_row!(A, B, C);
tuple_row!(A, B, C, D);
tuple_row!(A, B, C, D, E);
tuple_row!(A, B, C, D, E, F);

/// Runs a raw query and decodes each row as `T`.
///
/// # Errors
/// [`crate::ErrorKind::Configuration`] when the number of `{}` placeholders differs from the
/// number of values (nothing is sent); [`crate::ErrorKind::Decode`] when a row does not fit
/// `T`; the database's errors.
pub async fn query_raw<T: RawRow>(conn: &Conn, raw: Raw) -> Result<Vec<T>> {
    raw.check()?;
    let stmt = raw.stmt(conn.backend());
    conn.reading(stmt, |conn, stmt| async move {
        conn.fetch(stmt, None, T::decode_row).await
    })
    .await
}

/// Runs a raw statement; returns the number of rows it affected.
///
/// # Errors
/// [`crate::ErrorKind::Configuration`] when the number of `{}` placeholders differs from the
/// number of values (nothing is sent); the database's errors.
pub async fn execute_raw(conn: &Conn, raw: Raw) -> Result<u64> {
    raw.check()?;
    let stmt = raw.stmt(conn.backend());
    Ok(conn.execute(stmt, None).await?.rows)
}
