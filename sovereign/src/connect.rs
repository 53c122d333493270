//! Connection settings: the pool and session settings a URL carries as Prisma reads them, and a
//! builder for them ([`ConnectOptions`], which documents them).

use std::time::Duration;

use crate::error::{Error, ErrorKind, Result};

/// How SQLite keeps its journal (`PRAGMA journal_mode`, <https://sqlite.org/pragma.html#pragma_journal_mode>).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JournalMode {
    /// Write-ahead log (the default here): a persistent setting of the file.
    Wal,
    /// Rollback journal, deleted after each transaction (SQLite's and Prisma's default).
    Delete,
    /// Rollback journal, truncated after each transaction.
    Truncate,
    /// Rollback journal, its header zeroed after each transaction.
    Persist,
    /// Journal in memory: a crash mid-transaction can corrupt the file.
    Memory,
    /// No journal: no rollback, a crash mid-transaction can corrupt the file.
    Off,
}

impl JournalMode {
    /// The pragma's value.
    pub fn as_str(self) -> &'static str {
        match self {
            JournalMode::Wal => "wal",
            JournalMode::Delete => "delete",
            JournalMode::Truncate => "truncate",
            JournalMode::Persist => "persist",
            JournalMode::Memory => "memory",
            JournalMode::Off => "off",
        }
    }
}

/// When SQLite waits for the disk (`PRAGMA synchronous`, <https://sqlite.org/pragma.html#pragma_synchronous>).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synchronous {
    /// Never: an operating-system crash or power loss can corrupt the file.
    Off,
    /// At checkpoints (the default here, with WAL: durable across process crashes, never
    /// corrupt; a power loss can lose the last commits).
    Normal,
    /// At every commit (SQLite's and Prisma's default).
    Full,
    /// As `Full`, and the directory after a rollback journal is deleted.
    Extra,
}

impl Synchronous {
    /// The pragma's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Synchronous::Off => "off",
            Synchronous::Normal => "normal",
            Synchronous::Full => "full",
            Synchronous::Extra => "extra",
        }
    }
}

/// Settings for [`Database::connect_with`](crate::Database::connect_with): each one set here
/// wins over the URL's parameter of the same meaning; unset ones come from the URL, then the
/// defaults below.
///
/// Prisma's URL parameters (<https://www.prisma.io/docs/orm/overview/databases/postgresql#arguments>,
/// <https://www.prisma.io/docs/orm/prisma-client/setup-and-configuration/databases-connections/connection-pool>):
///
/// | parameter          | meaning                                               | default                  |
/// |--------------------|-------------------------------------------------------|--------------------------|
/// | `connection_limit` | connections in the pool                               | logical CPUs × 2 + 1     |
/// | `pool_timeout`     | seconds to wait for a free connection (0: no limit)   | 10                       |
/// | `connect_timeout`  | seconds to wait for a new connection (0: no limit)    | 5                        |
/// | `socket_timeout`   | seconds a statement may run (SQLite: the busy timeout)| none (SQLite: 5)         |
/// | `schema`           | PostgreSQL: the schema (the connection's search_path) | the server's             |
///
/// Prisma counts physical CPUs for the default pool size; the standard library knows the
/// logical ones, so a machine with hyper-threading gets a larger default pool here.
///
/// `socket_timeout` is enforced by the server on PostgreSQL (`statement_timeout`) and MariaDB
/// (`max_statement_time`; MySQL: `max_execution_time`, which covers `SELECT` only): the
/// statement is cancelled where it runs, so no work goes on after the client gave up, and the
/// error is [`ErrorKind::Timeout`](crate::ErrorKind::Timeout). Prisma's engine stops reading the
/// socket instead, which leaves the statement running on the server.
///
/// SQLite defaults, chosen for a server process: write-ahead logging (readers never wait for
/// the writer, and a commit is one append), `synchronous = NORMAL` (with WAL, a power loss can
/// lose the last commits but never corrupts the file; a crash of the process loses nothing),
/// foreign keys on (as Prisma), and a 5-second busy timeout (concurrent writers wait for each
/// other instead of failing at once). Prisma keeps SQLite's own defaults (a rollback journal,
/// `synchronous = FULL`); [`ConnectOptions::journal_mode`] and [`ConnectOptions::synchronous`]
/// select those.
///
/// ```no_run
/// # async fn f() -> sovereign::Result<()> {
/// use std::time::Duration;
/// let options = sovereign::ConnectOptions::new()
///     .connection_limit(4)
///     .pool_timeout(Some(Duration::from_secs(2)));
/// let db = sovereign::Database::connect_with("file:./dev.db", std::path::Path::new("."), &options).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectOptions {
    connection_limit: Option<u32>,
    pool_timeout: Option<Option<Duration>>,
    connect_timeout: Option<Option<Duration>>,
    socket_timeout: Option<Option<Duration>>,
    busy_timeout: Option<Duration>,
    journal_mode: Option<JournalMode>,
    synchronous: Option<Synchronous>,
    lazy: bool,
}

impl ConnectOptions {
    /// No setting: everything from the URL or the defaults.
    pub fn new() -> ConnectOptions {
        ConnectOptions::default()
    }

    /// Connections in the pool (at least 1; an in-memory SQLite database always has one).
    pub fn connection_limit(mut self, n: u32) -> Self {
        self.connection_limit = Some(n.max(1));
        self
    }

    /// How long a query waits for a free connection; `None`: as long as it takes.
    pub fn pool_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.pool_timeout = Some(timeout);
        self
    }

    /// How long opening a connection may take; `None`: as long as it takes.
    pub fn connect_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// How long a statement may run on PostgreSQL and MySQL/MariaDB (enforced by the server);
    /// `None`: no limit. On SQLite, the same as [`ConnectOptions::busy_timeout`].
    pub fn socket_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.socket_timeout = Some(timeout);
        self
    }

    /// SQLite: how long a statement waits for another connection's lock before failing.
    pub fn busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = Some(timeout);
        self
    }

    /// PostgreSQL and MySQL: open no connection now, and none fails now: the first query
    /// connects (and fails then, if the server does not answer). Default: one connection is
    /// opened at once, so that a wrong URL or a stopped server is reported at start-up. Read
    /// replicas are opened this way, so that a replica that is down does not stop the
    /// platform from starting. SQLite always opens its file at once.
    pub fn lazy(mut self, lazy: bool) -> Self {
        self.lazy = lazy;
        self
    }

    /// SQLite: the journal mode (default [`JournalMode::Wal`]).
    pub fn journal_mode(mut self, mode: JournalMode) -> Self {
        self.journal_mode = Some(mode);
        self
    }

    /// SQLite: when to wait for the disk (default [`Synchronous::Normal`]).
    pub fn synchronous(mut self, level: Synchronous) -> Self {
        self.synchronous = Some(level);
        self
    }

    /// These settings over the URL's parameters over the defaults.
    pub(crate) fn resolve(&self, url: &str) -> Result<Settings> {
        let from_url = UrlSettings::parse(url)?;
        let sqlite = matches!(sovereign_migrate::url::scheme(url), "file" | "sqlite");
        let default_limit = std::thread::available_parallelism()
            .map_or(1, |n| n.get() as u32)
            .saturating_mul(2)
            .saturating_add(1);
        let socket_timeout = self.socket_timeout.or(from_url.socket_timeout).flatten();
        Ok(Settings {
            connection_limit: self
                .connection_limit
                .or(from_url.connection_limit)
                .unwrap_or(default_limit),
            pool_timeout: self
                .pool_timeout
                .or(from_url.pool_timeout)
                .unwrap_or(Some(Duration::from_secs(10))),
            connect_timeout: self
                .connect_timeout
                .or(from_url.connect_timeout)
                .unwrap_or(Some(Duration::from_secs(5))),
            statement_timeout: if sqlite { None } else { socket_timeout },
            busy_timeout: self
                .busy_timeout
                .or(if sqlite { socket_timeout } else { None })
                .unwrap_or(Duration::from_secs(5)),
            journal_mode: self.journal_mode.unwrap_or(JournalMode::Wal),
            synchronous: self.synchronous.unwrap_or(Synchronous::Normal),
            lazy: self.lazy,
        })
    }
}

/// The settings a connection is opened with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Settings {
    pub connection_limit: u32,
    pub pool_timeout: Option<Duration>,
    pub connect_timeout: Option<Duration>,
    /// PostgreSQL and MySQL: the server's limit on one statement.
    pub statement_timeout: Option<Duration>,
    pub busy_timeout: Duration,
    pub journal_mode: JournalMode,
    pub synchronous: Synchronous,
    /// PostgreSQL and MySQL: no connection opened before the first query.
    pub lazy: bool,
}

/// The URL's parameters; `Some(None)`: given as 0 (no limit).
#[derive(Default)]
struct UrlSettings {
    connection_limit: Option<u32>,
    pool_timeout: Option<Option<Duration>>,
    connect_timeout: Option<Option<Duration>>,
    socket_timeout: Option<Option<Duration>>,
}

impl UrlSettings {
    fn parse(url: &str) -> Result<UrlSettings> {
        let seconds = |key: &str| -> Result<Option<Option<Duration>>> {
            match sovereign_migrate::url::query_param(url, key) {
                None => Ok(None),
                Some(v) => match v.trim().parse::<u64>() {
                    Ok(0) => Ok(Some(None)),
                    Ok(s) => Ok(Some(Some(Duration::from_secs(s)))),
                    Err(_) => Err(bad_param(
                        url,
                        key,
                        &v,
                        "a whole number of seconds (0: no limit)",
                    )),
                },
            }
        };
        let connection_limit = match sovereign_migrate::url::query_param(url, "connection_limit") {
            None => None,
            Some(v) => match v.trim().parse::<u32>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    return Err(bad_param(
                        url,
                        "connection_limit",
                        &v,
                        "a number of connections, at least 1",
                    ))
                }
            },
        };
        Ok(UrlSettings {
            connection_limit,
            pool_timeout: seconds("pool_timeout")?,
            connect_timeout: seconds("connect_timeout")?,
            socket_timeout: seconds("socket_timeout")?,
        })
    }
}

fn bad_param(url: &str, key: &str, value: &str, expected: &str) -> Error {
    Error::new(
        ErrorKind::Configuration,
        format!(
            "`{key}={value}` in the database URL `{}` is not {expected}: fix or remove the parameter",
            crate::db::redact(url)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_parameters_as_prisma_reads_them() {
        let s = ConnectOptions::new()
            .resolve("postgresql://u@h/db?connection_limit=3&pool_timeout=0&connect_timeout=2&socket_timeout=7&schema=app")
            .unwrap();
        assert_eq!(s.connection_limit, 3);
        assert_eq!(s.pool_timeout, None);
        assert_eq!(s.connect_timeout, Some(Duration::from_secs(2)));
        assert_eq!(s.statement_timeout, Some(Duration::from_secs(7)));
        assert_eq!(s.busy_timeout, Duration::from_secs(5));
    }

    #[test]
    fn defaults_and_builder_over_url() {
        let s = ConnectOptions::new()
            .resolve("postgresql://u@h/db")
            .unwrap();
        assert_eq!(s.pool_timeout, Some(Duration::from_secs(10)));
        assert_eq!(s.connect_timeout, Some(Duration::from_secs(5)));
        assert_eq!(s.statement_timeout, None);
        assert!(s.connection_limit >= 3);
        let s = ConnectOptions::new()
            .connection_limit(2)
            .socket_timeout(None)
            .resolve("mysql://u@h/db?connection_limit=9&socket_timeout=4")
            .unwrap();
        assert_eq!(s.connection_limit, 2);
        assert_eq!(s.statement_timeout, None);
    }

    #[test]
    fn sqlite_socket_timeout_is_the_busy_timeout() {
        let s = ConnectOptions::new()
            .resolve("file:./dev.db?socket_timeout=9")
            .unwrap();
        assert_eq!(s.busy_timeout, Duration::from_secs(9));
        assert_eq!(s.statement_timeout, None);
        assert_eq!(s.journal_mode, JournalMode::Wal);
        assert_eq!(s.synchronous, Synchronous::Normal);
    }

    #[test]
    fn bad_values_are_configuration_errors_without_the_password() {
        let e = ConnectOptions::new()
            .resolve("postgresql://u:secret@h/db?pool_timeout=soon")
            .unwrap_err();
        assert_eq!(e.kind(), &ErrorKind::Configuration);
        assert!(e.message().contains("pool_timeout=soon"), "{}", e.message());
        assert!(!e.message().contains("secret"), "{}", e.message());
        let e = ConnectOptions::new()
            .resolve("mysql://u@h/db?connection_limit=0")
            .unwrap_err();
        assert!(e.message().contains("at least 1"), "{}", e.message());
    }
}
