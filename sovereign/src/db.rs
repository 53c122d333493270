//! The database handle, connections inside and outside transactions, and statement execution.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sea_query::Values;

use crate::connect::ConnectOptions;
use crate::error::{Error, ErrorKind, Result};
use crate::meta::ModelMeta;
use crate::replica::Replicated;
use crate::value::{bind, Reader};

/// Which database a handle talks to: the workspace's one vocabulary for it, shared with the
/// migration engine.
pub use sovereign_migrate::Dialect;

/// A cheap-to-clone handle to a database: a connection pool and its provider.
///
/// New kinds of handle may come (a replicated one did), so a `match` on it outside this crate
/// needs a `_` arm.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Database {
    /// A SQLite pool.
    #[cfg(feature = "sqlite")]
    Sqlite(crate::sqlite::SqlitePool),
    /// A PostgreSQL pool.
    #[cfg(feature = "postgres")]
    Postgres(sqlx::PgPool),
    /// A MySQL or MariaDB pool.
    #[cfg(feature = "mysql")]
    MySql(sqlx::MySqlPool),
    /// A primary with read replicas: reads outside transactions go to a replica, everything
    /// else to the primary (see [`Database::with_replicas`]).
    Replicated(Arc<Replicated>),
}

impl Database {
    /// Connects to a URL as a Prisma datasource writes it: `file:./dev.db` (relative to the
    /// current directory; created if absent), `postgresql://...`, `mysql://...`.
    ///
    /// # Errors
    /// [`ErrorKind::Configuration`] for a URL whose provider is not compiled in (see the crate
    /// features) or not known; [`ErrorKind::Connection`] when the server cannot be reached.
    pub async fn connect(url: &str) -> Result<Database> {
        Self::connect_relative(url, Path::new(".")).await
    }

    /// Like [`Database::connect`], with relative SQLite paths resolved against `base`: how a
    /// datasource opens its database under [`Datasource::base_dir`](crate::Datasource::base_dir).
    ///
    /// # Errors
    /// As [`Database::connect`].
    pub async fn connect_relative(url: &str, base: &Path) -> Result<Database> {
        Self::connect_with(url, base, &ConnectOptions::new()).await
    }

    /// Like [`Database::connect_relative`], with pool and session settings: those set in
    /// `options` win over the URL's parameters (`connection_limit`, `pool_timeout`,
    /// `connect_timeout`, `socket_timeout`, as Prisma reads them), which win over the defaults
    /// (see [`ConnectOptions`]).
    ///
    /// # Errors
    /// As [`Database::connect`]; [`ErrorKind::Configuration`] for a URL parameter that is not
    /// a number.
    pub async fn connect_with(
        url: &str,
        base: &Path,
        options: &ConnectOptions,
    ) -> Result<Database> {
        let settings = options.resolve(url)?;
        let scheme = url.split_once(':').map_or("", |(s, _)| s);
        let redacted = redact(url);
        let connect_err = |e: sqlx::Error| {
            let mut err = Error::from_sqlx(e, None);
            if matches!(
                err.kind(),
                ErrorKind::Connection | ErrorKind::Timeout | ErrorKind::Database { .. }
            ) {
                err = Error::new(
                    ErrorKind::Connection,
                    format!("cannot connect to {redacted}: {}", err.message()),
                );
            }
            err
        };
        // sqlx waits on a deadline computed from the timeout: "no limit" is a distant one.
        let pool_timeout = settings
            .pool_timeout
            .unwrap_or(Duration::from_secs(10 * 365 * 24 * 3600));
        match scheme {
            "file" | "sqlite" => {
                #[cfg(feature = "sqlite")]
                {
                    let path = sqlite_path(url, base);
                    let in_memory = path.as_os_str() == ":memory:";
                    if let Some(dir) = path.parent().filter(|d| !in_memory && !d.as_os_str().is_empty()) {
                        std::fs::create_dir_all(dir).map_err(|e| {
                            Error::new(
                                ErrorKind::Configuration,
                                format!("cannot create the directory of {}: {e}", path.display()),
                            )
                        })?;
                    }
                    let pool = crate::sqlite::SqlitePool::open(crate::sqlite::Options {
                        path,
                        // One connection for an in-memory database, or each would see its own.
                        max_connections: if in_memory { 1 } else { settings.connection_limit },
                        acquire_timeout: pool_timeout,
                        busy_timeout: settings.busy_timeout,
                        synchronous: settings.synchronous,
                        journal_mode: (!in_memory).then_some(settings.journal_mode),
                    })
                    .await
                    .map_err(|e| {
                        if e.kind() == &ErrorKind::Connection {
                            e
                        } else {
                            Error::new(
                                ErrorKind::Connection,
                                format!("cannot connect to {redacted}: {}", e.message()),
                            )
                        }
                    })?;
                    Ok(Database::Sqlite(pool))
                }
                #[cfg(not(feature = "sqlite"))]
                Err(missing_feature("sqlite", url))
            }
            "postgres" | "postgresql" => {
                #[cfg(feature = "postgres")]
                {
                    let mut options = sovereign_migrate::postgres_options(url).map_err(connect_err)?;
                    if let Some(limit) = settings.statement_timeout {
                        options = options.options([("statement_timeout", limit.as_millis().to_string())]);
                    }
                    let pool_options = sqlx::postgres::PgPoolOptions::new()
                        .max_connections(settings.connection_limit)
                        .acquire_timeout(pool_timeout)
                        .test_before_acquire(false)
                        .before_acquire(|conn, meta| Box::pin(test_if_idle(conn, meta)));
                    if settings.lazy {
                        return Ok(Database::Postgres(pool_options.connect_lazy_with(options)));
                    }
                    let pool = open_pool(pool_options, options, settings.connect_timeout, &redacted, &connect_err).await?;
                    Ok(Database::Postgres(pool))
                }
                #[cfg(not(feature = "postgres"))]
                Err(missing_feature("postgres", url))
            }
            "mysql" | "mariadb" => {
                #[cfg(feature = "mysql")]
                {
                    use std::str::FromStr;
                    let driver_url = sovereign_migrate::url::without_prisma_params(url).replacen("mariadb:", "mysql:", 1);
                    let options = sqlx::mysql::MySqlConnectOptions::from_str(&driver_url).map_err(connect_err)?;
                    let limit = settings.statement_timeout;
                    let pool_options = sqlx::mysql::MySqlPoolOptions::new()
                        .max_connections(settings.connection_limit)
                        .acquire_timeout(pool_timeout)
                        .test_before_acquire(false)
                        .before_acquire(|conn, meta| Box::pin(test_if_idle(conn, meta)))
                        .after_connect(move |conn, _| {
                            Box::pin(async move {
                                if let Some(limit) = limit {
                                    mysql_statement_timeout(conn, limit).await?;
                                }
                                Ok(())
                            })
                        });
                    if settings.lazy {
                        return Ok(Database::MySql(pool_options.connect_lazy_with(options)));
                    }
                    let pool = open_pool(pool_options, options, settings.connect_timeout, &redacted, &connect_err).await?;
                    Ok(Database::MySql(pool))
                }
                #[cfg(not(feature = "mysql"))]
                Err(missing_feature("mysql", url))
            }
            _ => Err(Error::new(
                ErrorKind::Configuration,
                format!(
                    "cannot tell the database from the URL `{redacted}`: it should start with file:, postgresql:// or mysql://"
                ),
            )),
        }
    }

    /// Reads the URL from the environment variable `var`, else from its line in `.env` in the
    /// current directory (as Prisma reads it; the process environment is not changed), and
    /// connects.
    ///
    /// # Errors
    /// [`ErrorKind::Configuration`] naming the variable when it is not set.
    pub async fn from_env(var: &str) -> Result<Database> {
        let url = sovereign_migrate::url::env_var(var, &[Path::new(".")]).ok_or_else(|| {
            Error::new(
                ErrorKind::Configuration,
                format!(
                    "environment variable `{var}` is not set: the datasource reads its URL from it; set it or add `{var}=...` to .env"
                ),
            )
        })?;
        Database::connect(&url).await
    }

    /// Which database this handle talks to.
    pub fn backend(&self) -> Dialect {
        match self {
            #[cfg(feature = "sqlite")]
            Database::Sqlite(_) => Dialect::Sqlite,
            #[cfg(feature = "postgres")]
            Database::Postgres(_) => Dialect::Postgres,
            #[cfg(feature = "mysql")]
            Database::MySql(_) => Dialect::Mysql,
            Database::Replicated(r) => r.primary.backend(),
        }
    }

    /// This database with read replicas: read operations outside transactions run on one of
    /// `replicas` (round robin, skipping one that cannot give a connection), writes and
    /// transactions on this one. An empty list gives this database back unchanged.
    ///
    /// # Errors
    /// [`ErrorKind::Configuration`] when a replica is another kind of database.
    pub fn with_replicas(self, replicas: Vec<Database>) -> Result<Database> {
        if replicas.is_empty() {
            return Ok(self);
        }
        Ok(Database::Replicated(Arc::new(Replicated::new(
            self, replicas,
        )?)))
    }

    /// Connects to each of `urls` (read replicas) and returns this database with them, as
    /// [`Database::with_replicas`]. A replica's pool waits at most one second for a connection
    /// unless its URL sets `pool_timeout`, so that a lost replica is soon left out; its pool
    /// opens no connection before its first read ([`ConnectOptions::lazy`]), so that a replica
    /// that is down does not stop the platform from starting.
    ///
    /// # Errors
    /// As [`Database::connect_with`] for each replica; as [`Database::with_replicas`].
    pub async fn connect_replicas(
        self,
        urls: &[String],
        base: &Path,
        options: &ConnectOptions,
    ) -> Result<Database> {
        let mut replicas = Vec::with_capacity(urls.len());
        for url in urls {
            let mut options = options.clone().lazy(true);
            if sovereign_migrate::url::query_param(url, "pool_timeout").is_none() {
                options = options.pool_timeout(Some(Duration::from_secs(1)));
            }
            let replica = Database::connect_with(url, base, &options)
                .await
                .map_err(|e| e.context("connecting a read replica"))?;
            replicas.push(replica);
        }
        self.with_replicas(replicas)
    }

    /// The primary: this database itself unless it has read replicas.
    pub fn primary(&self) -> &Database {
        match self {
            Database::Replicated(r) => &r.primary,
            db => db,
        }
    }

    /// Closes the pool, waiting for connections in use to be returned.
    pub async fn close(&self) {
        match self {
            #[cfg(feature = "sqlite")]
            Database::Sqlite(p) => p.close().await,
            #[cfg(feature = "postgres")]
            Database::Postgres(p) => p.close().await,
            #[cfg(feature = "mysql")]
            Database::MySql(p) => p.close().await,
            Database::Replicated(r) => {
                Box::pin(r.primary.close()).await;
                for replica in r.replicas() {
                    Box::pin(replica.close()).await;
                }
            }
        }
    }
}

/// A server connection idle for less than this is handed out without a test, as HikariCP's
/// `aliveBypassWindowMs` does: sqlx's test before every acquire is a round trip to the server,
/// which doubled the cost of a `find_unique`. One that was in use a moment ago is alive; one
/// idle longer is pinged (and replaced when the server does not answer).
#[cfg(any(feature = "postgres", feature = "mysql"))]
const ALIVE_WITHOUT_TEST: Duration = Duration::from_millis(500);

#[cfg(any(feature = "postgres", feature = "mysql"))]
async fn test_if_idle<C: sqlx::Connection>(
    conn: &mut C,
    meta: sqlx::pool::PoolConnectionMetadata,
) -> std::result::Result<bool, sqlx::Error> {
    if meta.idle_for >= ALIVE_WITHOUT_TEST {
        conn.ping().await?;
    }
    Ok(true)
}

/// Opens a server's pool, with a connection of its own attempted beside the pool's first: a
/// refused connection then fails at once with its reason, where sqlx's pool retries it until its
/// acquire timeout and reports only the timeout. The two attempts run at the same time (one
/// after the other, a new client's first answer took 6.2 ms on PostgreSQL against 4.1 ms for
/// `tokio-postgres`, and 0.88 ms on MySQL against 0.39 ms for one sqlx connection); the pool
/// is returned once both have connected, the other connection being closed.
#[cfg(any(feature = "postgres", feature = "mysql"))]
async fn open_pool<DB: sqlx::Database>(
    pool_options: sqlx::pool::PoolOptions<DB>,
    options: <DB::Connection as sqlx::Connection>::Options,
    connect_timeout: Option<Duration>,
    redacted: &str,
    connect_err: &(dyn Fn(sqlx::Error) -> Error + Sync),
) -> Result<sqlx::Pool<DB>> {
    use futures_util::future::{select, Either};
    let direct = std::pin::pin!(within(
        connect_timeout,
        redacted,
        <DB::Connection as sqlx::Connection>::connect_with(&options),
    ));
    let pooled = std::pin::pin!(pool_options.connect_with(options.clone()));
    let (first, pool) = match select(direct, pooled).await {
        // The direct attempt's failure is returned at once, the pool's attempt dropped.
        Either::Left((first, pooled)) => (first?.map_err(connect_err)?, pooled.await),
        // The pool connected, or failed for a reason it does not retry (the direct attempt
        // then fails for it too, and its error is the one returned, as when it ends first).
        Either::Right((pool, direct)) => (direct.await?.map_err(connect_err)?, pool),
    };
    let _ = sqlx::Connection::close(first).await;
    pool.map_err(connect_err)
}

/// Runs `connecting` within `timeout` (`connect_timeout`), if any.
#[allow(dead_code)]
async fn within<T>(
    timeout: Option<Duration>,
    redacted: &str,
    connecting: impl std::future::Future<Output = T>,
) -> Result<T> {
    match timeout {
        None => Ok(connecting.await),
        Some(limit) => tokio::time::timeout(limit, connecting).await.map_err(|_| {
            Error::new(
                ErrorKind::Connection,
                format!(
                    "cannot connect to {redacted}: no answer within {} s (raise `connect_timeout` in the URL, 0 for no limit)",
                    limit.as_secs_f64()
                ),
            )
        }),
    }
}

/// Limits each statement of a MySQL or MariaDB session to `limit` (`socket_timeout`): MariaDB's
/// `max_statement_time` (seconds, every statement) or MySQL's `max_execution_time`
/// (milliseconds, `SELECT` only).
#[cfg(feature = "mysql")]
async fn mysql_statement_timeout(
    conn: &mut sqlx::MySqlConnection,
    limit: Duration,
) -> std::result::Result<(), sqlx::Error> {
    use sqlx::Row;
    let version: String = sqlx::query("SELECT VERSION()")
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    let sql = if version.to_ascii_lowercase().contains("mariadb") {
        format!("SET SESSION max_statement_time = {}", limit.as_secs_f64())
    } else {
        format!("SET SESSION max_execution_time = {}", limit.as_millis())
    };
    sqlx::query(&sql).execute(&mut *conn).await?;
    Ok(())
}

#[allow(dead_code)]
fn missing_feature(feature: &str, url: &str) -> Error {
    Error::new(
        ErrorKind::Configuration,
        format!(
            "`{}` needs the `{feature}` feature of the `sovereign` crate: add `features = [\"{feature}\"]` to its dependency",
            redact(url)
        ),
    )
}

/// The URL with its password replaced, for messages: the workspace's one redaction.
pub(crate) use sovereign_migrate::url::redact;

/// The file of a SQLite URL, a relative path joined to `base`.
#[cfg(feature = "sqlite")]
fn sqlite_path(url: &str, base: &Path) -> PathBuf {
    let url = sovereign_migrate::url::with_base(url, base);
    PathBuf::from(sovereign_migrate::url::sqlite_file(&url).unwrap_or(":memory:"))
}

/// An open transaction of any backend.
#[doc(hidden)]
pub enum AnyTx {
    #[cfg(feature = "sqlite")]
    Sqlite(crate::sqlite::Pooled<'static>),
    #[cfg(feature = "postgres")]
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
    #[cfg(feature = "mysql")]
    MySql(sqlx::Transaction<'static, sqlx::MySql>),
}

/// A transaction's isolation level, as Prisma's `isolationLevel`
/// (<https://www.prisma.io/docs/orm/prisma-client/queries/transactions#transaction-isolation-level>).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IsolationLevel {
    /// `READ UNCOMMITTED`.
    ReadUncommitted,
    /// `READ COMMITTED`.
    ReadCommitted,
    /// `REPEATABLE READ`.
    RepeatableRead,
    /// `SERIALIZABLE` (the only one SQLite has).
    Serializable,
}

impl IsolationLevel {
    fn sql(self) -> &'static str {
        match self {
            IsolationLevel::ReadUncommitted => "READ UNCOMMITTED",
            IsolationLevel::ReadCommitted => "READ COMMITTED",
            IsolationLevel::RepeatableRead => "REPEATABLE READ",
            IsolationLevel::Serializable => "SERIALIZABLE",
        }
    }
}

/// Where a client sends its statements: the pool, or one open transaction.
#[derive(Clone)]
pub enum Conn {
    /// The pool: each statement takes a connection of its own.
    Db(Database),
    /// An open transaction (`None` once it has ended), shared by the clones of a
    /// transaction's client. Each statement holds its lock while it runs: `futures-util`'s
    /// lock, which costs two atomic operations when nobody waits (tokio's also takes its list
    /// of waiters' lock on every release), a few per cent of a SQLite statement.
    Tx(Arc<futures_util::lock::Mutex<Option<AnyTx>>>, Dialect),
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Conn::Db(db) => write!(f, "Conn({})", db.backend().as_str()),
            Conn::Tx(_, b) => write!(f, "Conn({} transaction)", b.as_str()),
        }
    }
}

/// A built statement: SQL text and its bound values.
#[derive(Clone)]
pub(crate) struct Stmt {
    pub sql: Sql,
    pub values: Values,
    /// A raw query, as the user wrote it: on PostgreSQL its text values (strings and enum
    /// labels) are sent without a type, for the server to infer from the SQL around them, as
    /// Prisma's PostgreSQL adapter sends them, so that `WHERE role = $1` compares an enum
    /// column with a string; on SQLite it may hold several statements.
    pub raw: bool,
}

impl Stmt {
    pub(crate) fn new(sql: impl Into<Sql>, values: Values) -> Stmt {
        Stmt {
            sql: sql.into(),
            values,
            raw: false,
        }
    }
}

/// The values of a statement, handed over in order by a call to the function, where they are
/// kept: [`Conn::execute_visiting`].
pub(crate) type Visit<'a> = &'a (dyn Fn(&mut dyn FnMut(&sea_query::Value)) + Sync);

/// SQL text: built for one statement, or kept for the life of the process by a cache of
/// [`cache`](crate::cache).
#[derive(Clone)]
pub(crate) enum Sql {
    Owned(String),
    /// A cached text, never freed: shared by every statement of its shape with no count of
    /// references to keep (an `Arc`'s two atomic operations per statement).
    Static(&'static str),
}

impl std::ops::Deref for Sql {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            Sql::Owned(s) => s,
            Sql::Static(s) => s,
        }
    }
}

impl From<&'static str> for Sql {
    fn from(s: &'static str) -> Sql {
        Sql::Static(s)
    }
}

impl From<String> for Sql {
    fn from(s: String) -> Sql {
        Sql::Owned(s)
    }
}

/// What `execute` reports.
pub(crate) struct Done {
    pub rows: u64,
    pub last_insert_id: Option<i64>,
}

/// The end of [`Conn::fetch`]: the rows lose the room they grew into, and the statement's
/// log line is written.
fn all_read<T>(out: &mut Result<Vec<T>>, watch: Option<crate::log::Watch>) {
    if let Ok(rows) = out {
        // The vector grew by doubling; the records are kept as long as the caller keeps them,
        // without the room they grew into (100,000 users kept 45 MB for 35 MB of records).
        // glibc shrinks a block in place (a large one with `mremap`), without a copy; a vector
        // read whole into another (relation loads) is shrunk needlessly, which measured nothing
        // on `with_100`.
        rows.shrink_to_fit();
        if let Some(w) = watch {
            w.finish(rows.len() as u64);
        }
    }
}

fn closed() -> Error {
    Error::new(
        ErrorKind::TransactionClosed,
        "this client belongs to a transaction that has already been committed or rolled back",
    )
}

/// Awaits a server's statement (`$body`, sqlx's futures) in a future of its own, boxed: each
/// statement's future holds the largest of its backends' futures inline, and sqlx's made every
/// SQLite statement's future larger (a `find_unique`'s from 1,104 bytes to 1,200), copied as
/// it moves. One allocation beside a round trip over the network is not measurable.
#[cfg(any(feature = "postgres", feature = "mysql"))]
macro_rules! server {
    ($body:expr) => {
        Box::pin(async move { $body }).await
    };
}

/// Runs `$body` with `$q` (a prepared sqlx query) against the pool or the transaction, or on
/// SQLite `$lite` with `$c` (a connection of the pool or the transaction's) and `$s` (the
/// statement).
macro_rules! dispatch {
    ($conn:expr, $stmt:expr, |$q:ident, $ex:ident| $body:expr, |$c:ident, $s:ident| $lite:expr) => {{
        let stmt: Stmt = $stmt;
        // Statements outside `Conn::reading` go to the primary.
        let primary;
        let conn: &Conn = match $conn {
            Conn::Db(Database::Replicated(r)) => {
                primary = Conn::Db(r.primary.clone());
                &primary
            }
            conn => conn,
        };
        match conn {
            #[cfg(feature = "sqlite")]
            Conn::Db(Database::Sqlite(pool)) => {
                let mut pooled = pool.acquire_here().await?;
                let $c = &mut pooled;
                let $s = &stmt;
                $lite
            }
            #[cfg(feature = "postgres")]
            Conn::Db(Database::Postgres(pool)) => {
                let Stmt { sql, values, raw } = stmt;
                let $q = sqlx::query_with(&sql, bind::postgres(values, raw)?);
                let $ex = pool;
                server!($body)
            }
            #[cfg(feature = "mysql")]
            Conn::Db(Database::MySql(pool)) => {
                let Stmt { sql, values, .. } = stmt;
                let $q = sqlx::query_with(&sql, bind::mysql(values)?);
                let $ex = pool;
                server!($body)
            }
            // The primary of a replicated database is never replicated itself.
            Conn::Db(Database::Replicated(_)) => Err(Error::new(
                ErrorKind::Configuration,
                "a read replica's primary has read replicas of its own",
            )),
            Conn::Tx(tx, _) => {
                let mut guard = tx.lock().await;
                match guard.as_mut().ok_or_else(closed)? {
                    #[cfg(feature = "sqlite")]
                    AnyTx::Sqlite(pooled) => {
                        let $c = pooled;
                        let $s = &stmt;
                        $lite
                    }
                    #[cfg(feature = "postgres")]
                    AnyTx::Postgres(t) => {
                        let Stmt { sql, values, raw } = stmt;
                        let $q = sqlx::query_with(&sql, bind::postgres(values, raw)?);
                        let $ex = &mut **t;
                        server!($body)
                    }
                    #[cfg(feature = "mysql")]
                    AnyTx::MySql(t) => {
                        let Stmt { sql, values, .. } = stmt;
                        let $q = sqlx::query_with(&sql, bind::mysql(values)?);
                        let $ex = &mut **t;
                        server!($body)
                    }
                }
            }
        }
    }};
}

impl Conn {
    /// Which database the statements go to.
    pub fn backend(&self) -> Dialect {
        match self {
            Conn::Db(db) => db.backend(),
            Conn::Tx(_, b) => *b,
        }
    }

    /// Runs the read operation `op` with `input` (its built statement, say) where reads go: on
    /// a replica when this is a replicated database outside a transaction (the next one, then
    /// the primary, when a replica cannot give a connection), else here. `input` is cloned only
    /// for an attempt that may be followed by another, so a database without replicas runs `op`
    /// once on `input` itself.
    pub(crate) async fn reading<I, T, F, Fut>(&self, input: I, mut op: F) -> Result<T>
    where
        I: Clone,
        F: FnMut(Conn, I) -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        match self {
            // Boxed, as the servers' statements are (see `server!`): replicas are servers.
            Conn::Db(Database::Replicated(r)) => Box::pin(r.read(input, op)).await,
            conn => op(conn.clone(), input).await,
        }
    }

    /// The same, on the primary: a replicated database's primary, else itself.
    pub fn primary(&self) -> Conn {
        match self {
            Conn::Db(db) => Conn::Db(db.primary().clone()),
            tx => tx.clone(),
        }
    }

    /// Runs a query and decodes every row with `decode`: on SQLite in the first poll when it
    /// can ([`Conn::fetch_now`]), so that relation loads and `select!` reads do not wait on a
    /// future's layers either.
    pub(crate) async fn fetch<T>(
        &self,
        stmt: Stmt,
        model: Option<&ModelMeta>,
        mut decode: impl FnMut(&mut Reader<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        match self.fetch_now(stmt, model, &mut decode) {
            Ok(out) => out,
            Err(stmt) => self.fetch_waiting(stmt, model, decode).await,
        }
    }

    /// [`Conn::fetch`] after its first-poll attempt ([`Conn::fetch_now`]) could not finish: a
    /// caller that made that attempt itself goes on here, rather than through `fetch`'s, which
    /// would take the statement to SQLite once more before waiting.
    pub(crate) async fn fetch_waiting<T>(
        &self,
        stmt: Stmt,
        model: Option<&ModelMeta>,
        mut decode: impl FnMut(&mut Reader<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let err = |e| Error::from_sqlx(e, model);
        // On the servers each row is decoded as it arrives and dropped, so the driver's rows
        // are never all held beside the records (with `fetch_all` the peak of reading 100,000
        // users was 2.5 times what the records keep on PostgreSQL and 2.65 times on MySQL; now
        // it is what they keep); on SQLite each row is decoded in place, where SQLite's C
        // library holds it.
        let watch = crate::log::Watch::start(&stmt.sql);
        let mut out: Result<Vec<T>> = dispatch!(
            self,
            stmt,
            |q, ex| {
                #[allow(clippy::needless_borrow)]
                let mut rows = q.fetch(ex);
                let mut out = Vec::new();
                while let Some(r) = std::future::poll_fn(|cx| rows.as_mut().poll_next(cx)).await {
                    out.push(decode(&mut Reader::from(&r.map_err(err)?))?);
                }
                Ok(out)
            },
            |c, s| c.fetch(s, model, &mut decode).await
        );
        all_read(&mut out, watch);
        out
    }

    /// Runs a query and decodes the first row, if any.
    pub(crate) async fn fetch_optional<T>(
        &self,
        stmt: Stmt,
        model: Option<&ModelMeta>,
        decode: impl FnOnce(&mut Reader<'_>) -> Result<T>,
    ) -> Result<Option<T>> {
        let err = |e| Error::from_sqlx(e, model);
        let watch = crate::log::Watch::start(&stmt.sql);
        let out: Result<Option<T>> = dispatch!(
            self,
            stmt,
            |q, ex| {
                match q.fetch_optional(ex).await.map_err(err)? {
                    Some(r) => decode(&mut Reader::from(&r)).map(Some),
                    None => Ok(None),
                }
            },
            |c, s| c.fetch_optional(s, model, decode).await
        );
        if let (Some(w), Ok(row)) = (watch, &out) {
            w.finish(u64::from(row.is_some()));
        }
        out
    }

    /// Whether statements may run at once, in the caller's poll ([`Conn::fetch_optional_now`]):
    /// on SQLite, outside or inside a transaction.
    #[inline]
    pub(crate) fn runs_now(&self) -> bool {
        match self {
            #[cfg(feature = "sqlite")]
            Conn::Db(Database::Sqlite(_)) => true,
            Conn::Tx(_, backend) => *backend == Dialect::Sqlite,
            _ => false,
        }
    }

    /// [`Conn::fetch_optional`] at once, in the caller's poll, when nothing has to be waited
    /// for: on SQLite, with an idle connection of the pool or the transaction's connection (its
    /// lock free), the database not busy. Otherwise `Err` gives the statement back, for
    /// `fetch_optional`. Finished in one call, a statement needs no future of its own, nor do
    /// the layers above it (see the [`sqlite`](crate::sqlite) module).
    #[cfg_attr(not(feature = "sqlite"), allow(unused_variables))]
    pub(crate) fn fetch_optional_now<T>(
        &self,
        stmt: Stmt,
        model: Option<&ModelMeta>,
        decode: impl FnOnce(&mut Reader<'_>) -> Result<T>,
    ) -> std::result::Result<Result<Option<T>>, Stmt> {
        #[cfg(feature = "sqlite")]
        {
            let out = self.sqlite_now(|c| {
                let watch = crate::log::Watch::start(&stmt.sql);
                let out = c.fetch_optional_now(&stmt, model, decode)?;
                if let (Some(w), Ok(row)) = (watch, &out) {
                    w.finish(u64::from(row.is_some()));
                }
                Some(out)
            });
            if let Some(out) = out {
                return Ok(out);
            }
        }
        Err(stmt)
    }

    /// [`Conn::fetch`] at once, in the caller's poll, as [`Conn::fetch_optional_now`] runs
    /// its statement; `Err` gives the statement back, for `fetch`.
    #[cfg_attr(not(feature = "sqlite"), allow(unused_variables))]
    pub(crate) fn fetch_now<T>(
        &self,
        stmt: Stmt,
        model: Option<&ModelMeta>,
        decode: &mut impl FnMut(&mut Reader<'_>) -> Result<T>,
    ) -> std::result::Result<Result<Vec<T>>, Stmt> {
        #[cfg(feature = "sqlite")]
        {
            let out = self.sqlite_now(|c| {
                let watch = crate::log::Watch::start(&stmt.sql);
                let mut out = c.fetch_now(&stmt, model, decode)?;
                all_read(&mut out, watch);
                Some(out)
            });
            if let Some(out) = out {
                return Ok(out);
            }
        }
        Err(stmt)
    }

    /// The SQLite pool this is, outside a transaction (`None` in one, on a replicated database
    /// and on the servers).
    #[cfg(feature = "sqlite")]
    pub(crate) fn sqlite_pool(&self) -> Option<&crate::sqlite::SqlitePool> {
        match self {
            Conn::Db(Database::Sqlite(pool)) => Some(pool),
            _ => None,
        }
    }

    /// Runs `run` with a SQLite connection taken without waiting: an idle one of the pool, or
    /// the transaction's when its lock is free; `None` when there is none (or on the servers),
    /// or when `run` gives none (the database was busy).
    #[cfg(feature = "sqlite")]
    fn sqlite_now<T>(
        &self,
        run: impl FnOnce(&mut crate::sqlite::Pooled<'_>) -> Option<T>,
    ) -> Option<T> {
        match self {
            Conn::Db(Database::Sqlite(pool)) => {
                pool.try_acquire_here().and_then(|mut c| run(&mut c))
            }
            Conn::Tx(tx, Dialect::Sqlite) => {
                tx.try_lock().and_then(|mut guard| match guard.as_mut() {
                    Some(AnyTx::Sqlite(c)) => run(c),
                    _ => None,
                })
            }
            _ => None,
        }
    }

    pub(crate) async fn execute(&self, stmt: Stmt, model: Option<&ModelMeta>) -> Result<Done> {
        let err = |e| Error::from_sqlx(e, model);
        let watch = crate::log::Watch::start(&stmt.sql);
        let out: Result<Done> = dispatch!(
            self,
            stmt,
            |q, ex| {
                #[allow(unused_imports)]
                use crate::db::done::IntoDone;
                q.execute(ex).await.map_err(err).map(|r| r.into_done())
            },
            |c, s| c.execute(s, model).await
        );
        if let (Some(w), Ok(done)) = (watch, &out) {
            w.finish(done.rows);
        }
        out
    }

    /// Runs `sql` with the values `visit` hands over, in order. On SQLite each is bound where
    /// it is kept (a `create_many`'s, in its setters), with no vector of them made, moved and
    /// dropped; elsewhere (and on a replicated SQLite database, whose writes go to the primary
    /// through [`Conn::execute`]) they are cloned into one.
    pub(crate) async fn execute_visiting(
        &self,
        sql: Sql,
        visit: Visit<'_>,
        model: Option<&ModelMeta>,
    ) -> Result<Done> {
        #[cfg(feature = "sqlite")]
        if self.backend() == Dialect::Sqlite {
            let watch = crate::log::Watch::start(&sql);
            let out = match self {
                Conn::Db(Database::Sqlite(pool)) => {
                    let mut pooled = pool.acquire_here().await?;
                    Some(pooled.execute_visiting(&sql, visit, model).await)
                }
                Conn::Tx(tx, _) => {
                    let mut guard = tx.lock().await;
                    match guard.as_mut().ok_or_else(closed)? {
                        AnyTx::Sqlite(pooled) => {
                            Some(pooled.execute_visiting(&sql, visit, model).await)
                        }
                        #[allow(unreachable_patterns)]
                        _ => None,
                    }
                }
                _ => None,
            };
            if let Some(out) = out {
                if let (Some(w), Ok(done)) = (watch, &out) {
                    w.finish(done.rows);
                }
                return out;
            }
        }
        let mut values = Vec::new();
        visit(&mut |v| values.push(v.clone()));
        self.execute(Stmt::new(sql, Values(values)), model).await
    }

    /// Begins a transaction on the pool (a nested call runs inside the open one).
    pub(crate) async fn begin(&self) -> Result<Conn> {
        self.begin_with(None).await
    }

    /// Begins a transaction at an isolation level (the database's default for `None`): PostgreSQL
    /// `BEGIN ISOLATION LEVEL ...`, MySQL `SET TRANSACTION ISOLATION LEVEL ...` then `START
    /// TRANSACTION`; SQLite's transactions are serializable, and it has no other level.
    ///
    /// # Errors
    /// [`ErrorKind::Configuration`] for a level other than `Serializable` on SQLite, or a level
    /// asked of a nested transaction; the database's errors.
    pub(crate) async fn begin_with(&self, level: Option<IsolationLevel>) -> Result<Conn> {
        if let (Conn::Tx(..), Some(_)) = (self, level) {
            return Err(Error::new(
                ErrorKind::Configuration,
                "an isolation level is set when a transaction begins, not inside one",
            ));
        }
        let statement = |pg: bool| -> Option<String> {
            level.map(|l| {
                if pg {
                    format!("BEGIN ISOLATION LEVEL {}", l.sql())
                } else {
                    format!(
                        "SET TRANSACTION ISOLATION LEVEL {}; START TRANSACTION",
                        l.sql()
                    )
                }
            })
        };
        let tx = match self {
            Conn::Tx(..) => return Ok(self.clone()),
            // Transactions run on the primary.
            Conn::Db(Database::Replicated(r)) => {
                return Box::pin(Conn::Db(r.primary.clone()).begin_with(level)).await;
            }
            #[cfg(feature = "sqlite")]
            Conn::Db(Database::Sqlite(p)) => {
                if level.is_some_and(|l| l != IsolationLevel::Serializable) {
                    return Err(Error::new(
                        ErrorKind::Configuration,
                        "SQLite transactions are serializable: it has no other isolation level",
                    ));
                }
                let mut conn = p.acquire().await?;
                conn.batch("BEGIN").await?;
                AnyTx::Sqlite(conn)
            }
            // sqlx's futures of a BEGIN are boxed: a round trip to the server, they would
            // otherwise make every client future that may begin a transaction (and which
            // is moved on each call) four times larger.
            #[cfg(feature = "postgres")]
            Conn::Db(Database::Postgres(p)) => AnyTx::Postgres(
                match statement(true) {
                    Some(s) => Box::pin(p.begin_with(s)).await,
                    None => Box::pin(p.begin()).await,
                }
                .map_err(sql_err)?,
            ),
            #[cfg(feature = "mysql")]
            Conn::Db(Database::MySql(p)) => AnyTx::MySql(
                match statement(false) {
                    Some(s) => Box::pin(p.begin_with(s)).await,
                    None => Box::pin(p.begin()).await,
                }
                .map_err(sql_err)?,
            ),
        };
        Ok(Conn::Tx(
            Arc::new(futures_util::lock::Mutex::new(Some(tx))),
            self.backend(),
        ))
    }

    /// Commits (`commit == true`) or rolls back a transaction begun with [`Conn::begin`].
    pub(crate) async fn finish(&self, commit: bool) -> Result<()> {
        let Conn::Tx(tx, _) = self else {
            return Ok(());
        };
        let Some(tx) = tx.lock().await.take() else {
            return Err(closed());
        };
        #[allow(unused_macros)]
        macro_rules! end {
            ($t:expr) => {
                if commit {
                    $t.commit().await
                } else {
                    $t.rollback().await
                }
            };
        }
        match tx {
            // A commit that fails leaves the transaction open: the connection rolls it back
            // when it goes back to the pool.
            #[cfg(feature = "sqlite")]
            AnyTx::Sqlite(mut c) => c.batch(if commit { "COMMIT" } else { "ROLLBACK" }).await,
            #[cfg(feature = "postgres")]
            AnyTx::Postgres(t) => end!(t).map_err(sql_err),
            #[cfg(feature = "mysql")]
            AnyTx::MySql(t) => end!(t).map_err(sql_err),
        }
    }
}

fn sql_err(e: sqlx::Error) -> Error {
    Error::from_sqlx(e, None)
}

pub(crate) mod done {
    use super::Done;

    pub trait IntoDone {
        fn into_done(self) -> Done;
    }
    #[cfg(feature = "postgres")]
    impl IntoDone for sqlx::postgres::PgQueryResult {
        fn into_done(self) -> Done {
            Done {
                rows: self.rows_affected(),
                last_insert_id: None,
            }
        }
    }
    #[cfg(feature = "mysql")]
    impl IntoDone for sqlx::mysql::MySqlQueryResult {
        fn into_done(self) -> Done {
            Done {
                rows: self.rows_affected(),
                last_insert_id: i64::try_from(self.last_insert_id()).ok(),
            }
        }
    }
}
