//! The SQLite backend: SQLite's C library (through rusqlite), driven on the task that awaits the
//! statement.
//!
//! SQLite runs inside the process, on a local file: a `find_unique` by id is a few microseconds
//! of work. sqlx's SQLite driver runs each connection on a worker thread and hands every
//! statement, and every row, across a channel; those hand-overs cost several times the work
//! itself. Here a statement runs where it is awaited, with its prepared statement taken from the
//! connection's cache and its rows decoded in place. Most go further: when a connection is free
//! and the database not busy, a statement runs in its future's first poll, through plain calls,
//! without the futures of the layers between the client and the connection, each moved as it is
//! made and awaited (`Conn::fetch_optional_now` for a `find_unique`, `create`, `update` or
//! `delete` without nested writes, a `count` or an `aggregate`; `Conn::fetch_now` for a
//! `find_many`, `find_first` or `group_by`, and inside `Conn::fetch` for relation loads and
//! selections; a raw query, which may hold several statements, goes the waiting way). A create
//! whose nested writes are all plain to-many creates (the usual nested create) runs its
//! transaction on one connection it holds, in one future (`query::nested::create_flat`).
//! Profiled, a `find_unique` took 4% fewer instructions and missed the instruction cache 8%
//! less often; an `aggregate` 1.7% fewer and 13% less often. A statement falls back to the
//! waiting path below otherwise.
//!
//! What must not block the task is waiting, and there are two waits: for a free connection
//! (one of `connection_limit`, in a queue served first come, first served, within
//! `pool_timeout`) and for a lock another
//! connection holds (`SQLITE_BUSY`). SQLite's own busy handler would sleep the thread; here
//! the connection has none, and a statement that finds the database busy is retried after an
//! asynchronous sleep until `busy_timeout` has passed, as the busy handler would retry it
//! (with the same back-off); a raw query of several statements resumes at the statement
//! refused, as the busy handler waits inside it, without running the ones before it again
//! (`Progress`). Two tasks of one thread, one holding a write transaction, the
//! other waiting to write, therefore both get on. One difference remains: in a rollback
//! journal (not WAL, the default), two transactions that both read and then both write
//! deadlock; SQLite's busy handler sees it and fails one at once, while here both wait up to
//! the busy timeout before one fails (a busy snapshot, WAL's form of it, fails at once as
//! before).

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rusqlite::Connection;
use sea_query::Value;
use tokio::sync::oneshot;

use crate::connect::{JournalMode, Synchronous};
use crate::db::{Done, Stmt, Visit};
use crate::error::{Error, ErrorKind, Result};
use crate::meta::ModelMeta;
use crate::value::Reader;

/// Prepared statements each connection keeps (sqlx's default for its own cache).
const STATEMENT_CACHE: usize = 100;

/// A pool of connections to one SQLite file (or one in-memory database).
#[derive(Clone)]
pub struct SqlitePool(Arc<Pool>);

struct Pool {
    path: PathBuf,
    busy_timeout: Duration,
    synchronous: Synchronous,
    acquire_timeout: Duration,
    size: u32,
    /// Everything that changes, under one lock: taking a connection and giving it back take
    /// it once each. A semaphore beside a list of idle connections took five atomic
    /// operations more per statement; sampled, the pool fell from 3.3% of a `find_unique`'s
    /// time to 1.5% (about the same instructions: atomic operations are what cost here).
    state: Mutex<State>,
}

struct State {
    idle: Vec<Connection>,
    /// Connections out of the pool: in use, or being opened by the task that took the place.
    out: u32,
    /// Tasks waiting for a connection, and `close` calls, in the order they came.
    queue: VecDeque<Waiter>,
    closed: bool,
}

/// What [`Pool::take`] found.
enum Taken {
    /// An idle connection.
    Idle(Connection),
    /// Room for a new connection, for the caller to open.
    Open,
    /// A place in the queue.
    Wait(oneshot::Receiver<Result<Option<Connection>>>),
}

/// A place in the pool's queue.
enum Waiter {
    /// A task waiting for a connection: given one (`Some`), or a place to open one in
    /// (`None`), or refused because the pool closed.
    Task(oneshot::Sender<Result<Option<Connection>>>),
    /// A `close` call: it completes once every connection is back.
    Close(oneshot::Sender<()>),
}

impl State {
    /// Takes a place for a statement now, if one is free and nobody waits before it: an idle
    /// connection (`Some(Some)`), or room for a new one (`Some(None)`).
    fn take(&mut self, size: u32) -> Option<Option<Connection>> {
        if !self.queue.is_empty() {
            return None;
        }
        if let Some(c) = self.idle.pop() {
            self.out += 1;
            return Some(Some(c));
        }
        (self.out < size).then(|| {
            self.out += 1;
            None
        })
    }

    /// An idle connection, taken now if nobody waits before it (no place for a new one: that
    /// is opened on the way that may wait).
    fn take_idle(&mut self) -> Option<Connection> {
        if self.closed || !self.queue.is_empty() {
            return None;
        }
        let c = self.idle.pop()?;
        self.out += 1;
        Some(c)
    }

    /// A place given back, with its connection (`None`: closed, or never opened): to the first
    /// task waiting, else idle. A `close` at the head of the queue completes once nothing is
    /// out; the tasks behind it are then refused.
    fn give_back(&mut self, mut conn: Option<Connection>) {
        while matches!(self.queue.front(), Some(Waiter::Task(_))) {
            if let Some(Waiter::Task(tx)) = self.queue.pop_front() {
                // A task that gave up has dropped its receiver: the next one.
                match tx.send(Ok(conn)) {
                    Ok(()) => return,
                    Err(back) => conn = back.ok().flatten(),
                }
            }
        }
        self.out -= 1;
        if let Some(c) = conn {
            if !self.closed {
                self.idle.push(c);
            }
        }
        if self.out == 0 && matches!(self.queue.front(), Some(Waiter::Close(_))) {
            self.close_now();
        }
    }

    /// Closes the pool, nothing being out: its connections close, `close` calls in the queue
    /// complete, and the tasks waiting are refused.
    fn close_now(&mut self) {
        self.closed = true;
        self.idle.clear();
        for w in self.queue.drain(..) {
            match w {
                Waiter::Task(tx) => {
                    let _ = tx.send(Err(closed_pool()));
                }
                Waiter::Close(tx) => {
                    let _ = tx.send(());
                }
            }
        }
    }
}

impl std::fmt::Debug for SqlitePool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlitePool")
            .field("path", &self.0.path)
            .field("size", &self.0.size)
            .finish_non_exhaustive()
    }
}

/// How a pool opens its connections.
pub(crate) struct Options {
    pub path: PathBuf,
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    pub busy_timeout: Duration,
    pub synchronous: Synchronous,
    /// Set on the file once, when the pool opens (`None` for an in-memory database).
    pub journal_mode: Option<JournalMode>,
}

impl SqlitePool {
    /// Opens the pool and its first connection (creating the file if absent), and sets the
    /// file's journal mode.
    pub(crate) async fn open(options: Options) -> Result<SqlitePool> {
        let size = options.max_connections.max(1);
        let pool = SqlitePool(Arc::new(Pool {
            path: options.path,
            busy_timeout: options.busy_timeout,
            synchronous: options.synchronous,
            acquire_timeout: options.acquire_timeout,
            size,
            state: Mutex::new(State {
                idle: Vec::new(),
                out: 0,
                queue: VecDeque::new(),
                closed: false,
            }),
        }));
        let mut first = pool.acquire().await?;
        if let Some(mode) = options.journal_mode {
            set_journal_mode(&mut first, mode, pool.0.busy_timeout).await?;
        }
        drop(first);
        Ok(pool)
    }

    /// The database file (`:memory:` for an in-memory database).
    pub fn path(&self) -> &Path {
        &self.0.path
    }

    /// A connection of the pool for as long as the pool lives (a transaction's), waiting
    /// within `pool_timeout` for one to be free.
    pub(crate) async fn acquire(&self) -> Result<Pooled<'static>> {
        Owner::Shared(self.0.clone()).acquire().await
    }

    /// [`SqlitePool::acquire`] for the length of a borrow of the pool (one statement's): the
    /// guard holds no count of the pool's own.
    pub(crate) async fn acquire_here(&self) -> Result<Pooled<'_>> {
        Owner::Here(&self.0).acquire().await
    }

    /// [`SqlitePool::acquire_here`] when an idle connection can be taken without waiting
    /// (`None`: none is idle, somebody waits before, or the pool is closed).
    pub(crate) fn try_acquire_here(&self) -> Option<Pooled<'_>> {
        let conn = self.0.lock().take_idle()?;
        Some(Pooled::new(Owner::Here(&self.0), Some(conn)))
    }

    /// Closes the pool: waits for the tasks already waiting to be served and for every
    /// connection to come back, then closes them all. Later statements fail with
    /// [`ErrorKind::Connection`].
    pub async fn close(&self) {
        let rx = {
            let mut state = self.0.lock();
            if state.closed {
                return;
            }
            if state.out == 0 && state.queue.is_empty() {
                state.close_now();
                return;
            }
            let (tx, rx) = oneshot::channel();
            state.queue.push_back(Waiter::Close(tx));
            rx
        };
        // Sent when the pool closes; a sender dropped unsent cannot happen while the pool
        // lives (this call holds it), and would mean it closed anyway.
        let _ = rx.await;
    }
}

impl Pool {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A place for a statement, taken at once when one is free and nobody waits before it,
    /// else a place in the queue (first come, first served). The place is the caller's, to
    /// give back with [`State::give_back`] (a [`Pooled`] does when it drops).
    fn take(&self) -> Result<Taken> {
        let mut state = self.lock();
        if state.closed {
            return Err(closed_pool());
        }
        Ok(match state.take(self.size) {
            Some(Some(conn)) => Taken::Idle(conn),
            Some(None) => Taken::Open,
            None => {
                let (tx, rx) = oneshot::channel();
                state.queue.push_back(Waiter::Task(tx));
                Taken::Wait(rx)
            }
        })
    }

    /// Waits for the place the queue gives `rx`. A wait given up (timed out, or its future
    /// dropped) keeps nothing: a place given to it meanwhile goes back to the pool.
    async fn wait(
        &self,
        rx: oneshot::Receiver<Result<Option<Connection>>>,
    ) -> Result<Option<Connection>> {
        struct Waiting<'p> {
            pool: &'p Pool,
            rx: oneshot::Receiver<Result<Option<Connection>>>,
            done: bool,
        }
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                if self.done {
                    return;
                }
                // Given up: no place can come after `close`; one that came before goes back.
                self.rx.close();
                if let Ok(Ok(place)) = self.rx.try_recv() {
                    self.pool.lock().give_back(place);
                }
            }
        }
        let mut waiting = Waiting {
            pool: self,
            rx,
            done: false,
        };
        let got = tokio::time::timeout(self.acquire_timeout, &mut waiting.rx).await;
        match got {
            Ok(Ok(place)) => {
                waiting.done = true;
                place
            }
            // The sender dropped unsent: only a pool being dropped does that.
            Ok(Err(_)) => {
                waiting.done = true;
                Err(closed_pool())
            }
            Err(_) => Err(Error::pool_timed_out()),
        }
    }

    /// Opens a connection: foreign keys on, `synchronous` as set, no busy handler (waits are
    /// asynchronous, see the module's documentation), a cache of prepared statements.
    async fn connect(&self) -> Result<Connection> {
        let path = &self.path;
        let conn = Connection::open(path).map_err(|e| {
            Error::new(
                ErrorKind::Connection,
                format!(
                    "cannot open the SQLite database {}: {}",
                    path.display(),
                    Error::from_sqlite(e, None).message()
                ),
            )
        })?;
        // rusqlite gives each connection a busy handler of 5 s: none here.
        conn.busy_timeout(Duration::ZERO)
            .map_err(|e| Error::from_sqlite(e, None).context("setting up a SQLite connection"))?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        // Some pragmas read the schema, which waits for a writer holding the file alone (a
        // deploy's exclusive transaction).
        let setup = format!(
            "PRAGMA foreign_keys = ON; PRAGMA synchronous = {};",
            self.synchronous.as_str()
        );
        let mut conn = conn;
        retry(self.busy_timeout, None, || {
            // Borrowed mutably: a connection is not shared across the waits.
            let conn: &mut Connection = &mut conn;
            conn.execute_batch(&setup).map_err(Failure::from_sqlite)
        })
        .await
        .map_err(|e| e.context("setting up a SQLite connection"))?;
        Ok(conn)
    }
}

fn closed_pool() -> Error {
    Error::new(
        ErrorKind::Connection,
        "the SQLite database has been closed (`Database::close`)",
    )
}

/// The pool a [`Pooled`] goes back to: shared by a transaction, which outlives any borrow;
/// borrowed by a statement, for no count of its own.
enum Owner<'p> {
    Shared(Arc<Pool>),
    Here(&'p Pool),
}

impl<'p> Owner<'p> {
    /// A connection for a guard going back to this pool. An idle connection is taken without
    /// a future of its own (the usual case); a wait or a new connection is boxed, so that every
    /// statement's future, which holds this one, stays small.
    async fn acquire(self) -> Result<Pooled<'p>> {
        match self.take()? {
            Taken::Idle(conn) => Ok(Pooled::new(self, Some(conn))),
            Taken::Open => Box::pin(Pooled::new(self, None).opened()).await,
            Taken::Wait(rx) => Box::pin(Pooled::waited(self, rx)).await,
        }
    }
}

impl std::ops::Deref for Owner<'_> {
    type Target = Pool;
    fn deref(&self) -> &Pool {
        match self {
            Owner::Shared(p) => p,
            Owner::Here(p) => p,
        }
    }
}

/// A connection taken from the pool, with its place; both back to it when dropped (a
/// transaction left open is rolled back first). `conn` is `None` only while the connection
/// is being opened.
#[doc(hidden)]
pub struct Pooled<'p> {
    conn: Option<Connection>,
    pool: Owner<'p>,
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        // A transaction dropped without commit or rollback (its future cancelled, say) is
        // rolled back, as sqlx's transactions are; a connection that cannot is closed.
        let conn = self
            .conn
            .take()
            .filter(|c| c.is_autocommit() || c.execute_batch("ROLLBACK").is_ok());
        self.pool.lock().give_back(conn);
    }
}

impl<'p> Pooled<'p> {
    /// The guard of a place: from here the place is its own, given back when it drops,
    /// after an error or with a cancelled future as well.
    fn new(pool: Owner<'p>, conn: Option<Connection>) -> Pooled<'p> {
        Pooled { conn, pool }
    }

    /// The guard with its connection opened (a place that came without one).
    async fn opened(mut self) -> Result<Pooled<'p>> {
        if self.conn.is_none() {
            self.conn = Some(self.pool.connect().await?);
        }
        Ok(self)
    }

    /// The guard of the place the queue gives `rx` (a wait given up keeps nothing).
    async fn waited(
        pool: Owner<'p>,
        rx: oneshot::Receiver<Result<Option<Connection>>>,
    ) -> Result<Pooled<'p>> {
        let conn = pool.wait(rx).await?;
        Pooled::new(pool, conn).opened().await
    }

    fn conn(&mut self) -> &mut Connection {
        self.conn
            .as_mut()
            .expect("a pooled connection is present until dropped")
    }

    pub(crate) async fn fetch<T>(
        &mut self,
        stmt: &Stmt,
        model: Option<&ModelMeta>,
        mut decode: impl FnMut(&mut Reader<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let busy = self.pool.busy_timeout;
        let (mut progress, mut out) = (Progress::default(), Vec::new());
        retry(busy, model, || {
            all_rows(self.conn(), stmt, &mut progress, &mut out, &mut decode)
        })
        .await?;
        Ok(out)
    }

    /// The first attempt of [`Pooled::fetch`], in the caller's poll: `None` when the database
    /// is busy, for the caller to wait with `fetch` (which reads from the first row again, as
    /// its own attempts do). A raw query is left to `fetch` at once: it may hold several
    /// statements, and a refusal after the first must be resumed where it was refused
    /// ([`Progress`]).
    pub(crate) fn fetch_now<T>(
        &mut self,
        stmt: &Stmt,
        model: Option<&ModelMeta>,
        decode: &mut impl FnMut(&mut Reader<'_>) -> Result<T>,
    ) -> Option<Result<Vec<T>>> {
        if stmt.raw {
            return None;
        }
        let mut out = Vec::new();
        let done = all_rows(
            self.conn(),
            stmt,
            &mut Progress::default(),
            &mut out,
            decode,
        );
        first_attempt(done.map(|()| out), model)
    }

    pub(crate) async fn fetch_optional<T>(
        &mut self,
        stmt: &Stmt,
        model: Option<&ModelMeta>,
        decode: impl FnOnce(&mut Reader<'_>) -> Result<T>,
    ) -> Result<Option<T>> {
        let busy = self.pool.busy_timeout;
        let mut decode = Some(decode);
        let mut progress = Progress::default();
        retry(busy, model, || {
            first_row(self.conn(), stmt, &mut progress, &mut decode)
        })
        .await
    }

    /// The first attempt of [`Pooled::fetch_optional`], in the caller's poll: `None` when the
    /// database is busy, for the caller to wait with `fetch_optional` (nothing was changed).
    pub(crate) fn fetch_optional_now<T>(
        &mut self,
        stmt: &Stmt,
        model: Option<&ModelMeta>,
        decode: impl FnOnce(&mut Reader<'_>) -> Result<T>,
    ) -> Option<Result<Option<T>>> {
        if stmt.raw {
            return None;
        }
        let row = first_row(
            self.conn(),
            stmt,
            &mut Progress::default(),
            &mut Some(decode),
        );
        first_attempt(row, model)
    }

    pub(crate) async fn execute(&mut self, stmt: &Stmt, model: Option<&ModelMeta>) -> Result<Done> {
        let busy = self.pool.busy_timeout;
        let mut progress = Progress::default();
        retry(busy, model, || {
            let conn = self.conn();
            let rows = each_row(conn, stmt, &mut progress, |_| Ok(true))?;
            Ok(Done {
                rows,
                last_insert_id: Some(conn.last_insert_rowid()),
            })
        })
        .await
    }

    /// Runs `sql` (one statement the client built) with the values `visit` hands over, each
    /// bound as it comes ([`crate::db::Conn::execute_visiting`]).
    pub(crate) async fn execute_visiting(
        &mut self,
        sql: &str,
        visit: Visit<'_>,
        model: Option<&ModelMeta>,
    ) -> Result<Done> {
        let busy = self.pool.busy_timeout;
        retry(busy, model, || {
            let conn = self.conn();
            let fail = Failure::from_sqlite;
            let mut st = conn.prepare_cached(sql).map_err(fail)?;
            let (mut i, mut failed) = (0, None);
            visit(&mut |v| {
                i += 1;
                if failed.is_none() {
                    failed = bind(&mut st, i, v).err();
                }
            });
            if let Some(e) = failed {
                return Err(fail(e));
            }
            if i != st.parameter_count() {
                // Never the case (the text is written for the rows visited): a NULL for each
                // parameter left unbound would be inserted otherwise.
                return Err(Failure::Other(Error::new(
                    ErrorKind::Configuration,
                    format!(
                        "{i} values given for the {} parameters of a statement",
                        st.parameter_count()
                    ),
                )));
            }
            let rows = run(&mut st, &[], &mut |_| Ok(true), conn)?;
            Ok(Done {
                rows,
                last_insert_id: Some(conn.last_insert_rowid()),
            })
        })
        .await
    }

    /// Runs a statement without values (`BEGIN`, `COMMIT`, `ROLLBACK`), prepared once per
    /// connection, as the client's statements are: parsed each time (as rusqlite's own
    /// transactions parse them), a transaction's `BEGIN` and `COMMIT` took about 1,500
    /// instructions more (a nested create of a user and three posts is about 91,000 in all).
    pub(crate) async fn batch(&mut self, sql: &str) -> Result<()> {
        let busy = self.pool.busy_timeout;
        retry(busy, None, || {
            let fail = Failure::from_sqlite;
            let mut st = self.conn().prepare_cached(sql).map_err(fail)?;
            st.raw_execute().map(|_| ()).map_err(fail)
        })
        .await
    }
}

/// Why an attempt failed: the database was busy (try again), refused the statement (an error
/// to map with the model's names), or anything else.
enum Failure {
    Busy(rusqlite::Error),
    Sqlite(rusqlite::Error),
    Other(Error),
}

impl Failure {
    fn from_sqlite(e: rusqlite::Error) -> Failure {
        match &e {
            // A busy snapshot (a read transaction's snapshot is stale) does not clear by
            // waiting: SQLite's busy handler is not called for it either.
            rusqlite::Error::SqliteFailure(c, _)
                if c.code == rusqlite::ErrorCode::DatabaseBusy
                    && c.extended_code != rusqlite::ffi::SQLITE_BUSY_SNAPSHOT =>
            {
                Failure::Busy(e)
            }
            _ => Failure::Sqlite(e),
        }
    }

    /// The error of a failure that is not a refusal to wait on.
    fn into_error(self, model: Option<&ModelMeta>) -> Error {
        match self {
            Failure::Other(e) => e,
            Failure::Sqlite(e) | Failure::Busy(e) => Error::from_sqlite(e, model),
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::Other(e)
    }
}

/// The outcome of a first attempt made in the caller's poll: `None` when it was refused as
/// busy (nothing was changed), for the caller to wait.
fn first_attempt<T>(
    attempt: std::result::Result<T, Failure>,
    model: Option<&ModelMeta>,
) -> Option<Result<T>> {
    match attempt {
        Ok(v) => Some(Ok(v)),
        Err(Failure::Busy(_)) => None,
        Err(f) => Some(Err(f.into_error(model))),
    }
}

/// Runs `attempt` until it is not refused as busy, sleeping between attempts as SQLite's busy
/// handler does (1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, then 100 ms), until `busy_timeout`.
///
/// The first attempt runs before any future is made: a statement nearly always runs at once,
/// and the waits' future (boxed) would otherwise be part of every statement's, moved on each
/// call.
async fn retry<T>(
    busy_timeout: Duration,
    model: Option<&ModelMeta>,
    mut attempt: impl FnMut() -> std::result::Result<T, Failure>,
) -> Result<T> {
    match attempt() {
        Ok(v) => Ok(v),
        Err(Failure::Busy(e)) => Box::pin(wait_busy(busy_timeout, model, attempt, e)).await,
        Err(f) => Err(f.into_error(model)),
    }
}

/// [`retry`] after a first refusal (`first`): the clock is read from here, not before every
/// statement, and the wait counted from here, as SQLite's busy handler counts it.
async fn wait_busy<T>(
    busy_timeout: Duration,
    model: Option<&ModelMeta>,
    mut attempt: impl FnMut() -> std::result::Result<T, Failure>,
    first: rusqlite::Error,
) -> Result<T> {
    const DELAYS_MS: [u64; 12] = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100];
    let started = Instant::now();
    let mut refused = first;
    let mut tries = 0;
    loop {
        let waited = started.elapsed();
        if waited >= busy_timeout {
            return Err(Error::from_sqlite(refused, model));
        }
        let delay = Duration::from_millis(DELAYS_MS[tries.min(DELAYS_MS.len() - 1)]);
        tries += 1;
        tokio::time::sleep(delay.min(busy_timeout - waited)).await;
        match attempt() {
            Ok(v) => return Ok(v),
            Err(Failure::Busy(e)) => refused = e,
            Err(f) => return Err(f.into_error(model)),
        }
    }
}

/// Runs `stmt` and decodes its first row, if any, with `decode` (taken from its option, so that
/// an attempt refused as busy leaves it for the next). The client's statements come here, never
/// a raw query.
fn first_row<T>(
    conn: &Connection,
    stmt: &Stmt,
    progress: &mut Progress,
    decode: &mut Option<impl FnOnce(&mut Reader<'_>) -> Result<T>>,
) -> std::result::Result<Option<T>, Failure> {
    let mut out = None;
    each_row(conn, stmt, progress, |row| {
        if let Some(d) = decode.take() {
            out = Some(d(&mut Reader::from(row))?);
        }
        Ok(false)
    })
    .map(|_| out)
}

/// Runs `stmt` and decodes every row with `decode` into `out`, after the rows that the
/// statements an earlier attempt finished handed over (`progress`).
fn all_rows<T>(
    conn: &Connection,
    stmt: &Stmt,
    progress: &mut Progress,
    out: &mut Vec<T>,
    decode: &mut impl FnMut(&mut Reader<'_>) -> Result<T>,
) -> std::result::Result<(), Failure> {
    out.truncate(progress.rows);
    each_row(conn, stmt, progress, |row| {
        out.push(decode(&mut Reader::from(row))?);
        Ok(true)
    })
    .map(|_| ())
}

/// How far the attempts at a raw query of several statements have got. Each of its statements
/// runs on its own (outside a transaction, each commits as it ends), so an attempt refused as
/// busy at a later statement resumes there, as SQLite's own busy handler waits inside the
/// statement refused, instead of running the ones before it again (an INSERT twice, say).
#[derive(Default)]
struct Progress {
    /// Statements run to their end.
    done: usize,
    /// The rows they handed over.
    rows: usize,
    /// The rows they changed.
    changed: u64,
}

/// Runs `stmt` and calls `row` with each row while it returns `true`; returns the number of
/// rows the statement changed (0 for a read). A statement the client built is one statement,
/// prepared once per connection; a raw query may hold several, run in turn with the values
/// bound in order, as sqlx runs them, from the first that `progress` does not count as done.
fn each_row(
    conn: &Connection,
    stmt: &Stmt,
    progress: &mut Progress,
    mut row: impl FnMut(&rusqlite::Row<'_>) -> Result<bool>,
) -> std::result::Result<u64, Failure> {
    let fail = Failure::from_sqlite;
    if !stmt.raw {
        let mut st = conn.prepare_cached(&stmt.sql).map_err(fail)?;
        return run(&mut st, &stmt.values.0, &mut row, conn);
    }
    let mut batch = rusqlite::Batch::new(conn, &stmt.sql);
    let mut values: &[Value] = &stmt.values.0;
    let mut index = 0;
    while let Some(mut st) = batch.next().map_err(fail)? {
        let n = st.parameter_count().min(values.len());
        // The statements before are prepared again (which changes nothing), not run.
        if index == progress.done {
            let mut rows = 0;
            let mut counted = |r: &rusqlite::Row<'_>| {
                rows += 1;
                row(r)
            };
            let changed = run(&mut st, &values[..n], &mut counted, conn)?;
            progress.done += 1;
            progress.rows += rows;
            progress.changed += changed;
        }
        values = &values[n..];
        index += 1;
    }
    Ok(progress.changed)
}

fn run(
    st: &mut rusqlite::Statement<'_>,
    values: &[Value],
    row: &mut impl FnMut(&rusqlite::Row<'_>) -> Result<bool>,
    conn: &Connection,
) -> std::result::Result<u64, Failure> {
    let fail = Failure::from_sqlite;
    for (i, v) in values.iter().enumerate() {
        bind(st, i + 1, v).map_err(fail)?;
    }
    let readonly = st.readonly();
    let mut rows = st.raw_query();
    while let Some(r) = rows.next().map_err(fail)? {
        if !row(r)? {
            break;
        }
    }
    Ok(if readonly { 0 } else { conn.changes() })
}

/// Binds a value with Prisma's storage choices for SQLite: date-times as milliseconds since
/// the epoch, decimals and JSON as text, booleans as 0 and 1.
fn bind(st: &mut rusqlite::Statement<'_>, i: usize, v: &Value) -> rusqlite::Result<()> {
    use rusqlite::types::Null;
    match v {
        Value::Bool(x) => st.raw_bind_parameter(i, x),
        Value::TinyInt(x) => st.raw_bind_parameter(i, x.map(i64::from)),
        Value::SmallInt(x) => st.raw_bind_parameter(i, x.map(i64::from)),
        Value::Int(x) => st.raw_bind_parameter(i, x),
        Value::BigInt(x) => st.raw_bind_parameter(i, x),
        Value::Unsigned(x) => st.raw_bind_parameter(i, x.map(i64::from)),
        Value::BigUnsigned(x) => {
            st.raw_bind_parameter(i, x.map(|u| i64::try_from(u).unwrap_or(i64::MAX)))
        }
        Value::Float(x) => st.raw_bind_parameter(i, x.map(f64::from)),
        Value::Double(x) => st.raw_bind_parameter(i, x),
        Value::String(x) => st.raw_bind_parameter(i, x.as_deref()),
        Value::Enum(sea_query::OptionEnum::Some(e)) => st.raw_bind_parameter(i, &*e.value),
        Value::Enum(sea_query::OptionEnum::None(_)) => st.raw_bind_parameter(i, Null),
        Value::Bytes(x) => st.raw_bind_parameter(i, x.as_deref()),
        Value::Json(x) => st.raw_bind_parameter(i, x.as_ref().map(|j| j.to_string())),
        Value::ChronoDateTimeWithTimeZone(x) => {
            st.raw_bind_parameter(i, x.map(|d| d.timestamp_millis()))
        }
        Value::ChronoDateTimeUtc(x) => st.raw_bind_parameter(i, x.map(|d| d.timestamp_millis())),
        Value::ChronoDateTime(x) => {
            st.raw_bind_parameter(i, x.map(|d| d.and_utc().timestamp_millis()))
        }
        Value::Decimal(x) => st.raw_bind_parameter(i, x.map(|d| d.to_string())),
        other => Err(rusqlite::Error::ToSqlConversionFailure(
            format!("cannot bind {other:?}: the client does not produce this kind of value").into(),
        )),
    }
}

/// Sets the file's journal mode (a setting of the file, kept across connections). Switching to
/// or from WAL needs a moment alone with the file, which SQLite does not wait for with its
/// busy handler: retried within `busy_timeout`, for processes starting together.
async fn set_journal_mode(conn: &mut Pooled<'_>, mode: JournalMode, busy: Duration) -> Result<()> {
    let read = |conn: &mut Pooled<'_>, sql: &str| -> std::result::Result<String, Failure> {
        conn.conn()
            .query_row(sql, [], |r| r.get::<_, String>(0))
            .map_err(Failure::from_sqlite)
    };
    let current = retry(busy, None, || read(conn, "PRAGMA journal_mode")).await?;
    if current.eq_ignore_ascii_case(mode.as_str()) {
        return Ok(());
    }
    let sql = format!("PRAGMA journal_mode = {}", mode.as_str());
    retry(busy, None, || read(conn, &sql))
        .await
        .map_err(|e| e.context("setting the SQLite journal mode"))?;
    Ok(())
}
