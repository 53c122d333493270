//! Test support shared by the workspace's tests: one way to get a database on the test servers
//! (below), fixture folders as tests ([`fixtures`]) and the query log's events recorded
//! ([`trace`]).
//!
//! Tests that need PostgreSQL or MySQL/MariaDB read `SOVEREIGN_TEST_POSTGRES_URL` and
//! `SOVEREIGN_TEST_MYSQL_URL` (`.ci/run` sets both). With the variable set, [`TestDb::create`]
//! makes a uniquely named database and drops it when the value goes away, also when the test
//! panics. Without it:
//!
//! - with `CI` set, the test fails: a database test never passes by not running;
//! - otherwise it is reported as skipped, on the test's stderr directly (libtest captures
//!   `eprintln!`, not writes to the handle), so `cargo test` shows it.
//!
//! ```no_run
//! # async fn demo() {
//! use sovereign_test_support::{Server, TestDb};
//! let Some(db) = TestDb::create(Server::Postgres, "my test").await else { return };
//! // ... connect to db.url ...
//! db.drop().await;
//! # }
//! ```

#![warn(missing_docs)]

pub mod cluster;
pub mod trace;

use sqlx::Connection as _;
use std::io::Write as _;
use std::sync::atomic::{AtomicU32, Ordering};

/// A database server the tests may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Server {
    /// `SOVEREIGN_TEST_POSTGRES_URL`.
    Postgres,
    /// `SOVEREIGN_TEST_MYSQL_URL` (MySQL or MariaDB).
    Mysql,
}

impl Server {
    /// Both servers.
    pub const ALL: [Server; 2] = [Server::Postgres, Server::Mysql];

    /// The environment variable with the server's URL.
    pub fn var(self) -> &'static str {
        match self {
            Server::Postgres => "SOVEREIGN_TEST_POSTGRES_URL",
            Server::Mysql => "SOVEREIGN_TEST_MYSQL_URL",
        }
    }

    /// The server of a variable name, for tests that loop over names.
    pub fn of_var(var: &str) -> Option<Server> {
        Server::ALL.into_iter().find(|s| s.var() == var)
    }

    /// The provider as a Prisma schema names it.
    pub fn provider(self) -> &'static str {
        match self {
            Server::Postgres => "postgresql",
            Server::Mysql => "mysql",
        }
    }

    /// The server's admin URL, or `None` after reporting the skip (a panic when `CI` is set).
    pub fn admin_url(self, what: &str) -> Option<String> {
        match std::env::var(self.var()) {
            Ok(url) if !url.is_empty() => Some(url),
            _ => {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "{} is not set while CI is: {what} must run against a real server",
                    self.var()
                );
                skipped(&format!("{} is not set; {what} did not run", self.var()));
                None
            }
        }
    }
}

/// Reports a skipped test on stderr, where `cargo test` shows it.
pub fn skipped(what: &str) {
    let _ = writeln!(std::io::stderr(), "SKIPPED: {what}");
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A name no other test of any process uses now: `sov_<label>_<pid>_<n>`.
pub fn unique_name(label: &str) -> String {
    let label: String = label
        .split_whitespace()
        .next()
        .unwrap_or("db")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(24)
        .collect();
    format!(
        "sov_{label}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

/// The same server URL naming another database.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let start = base.find("://").map_or(0, |i| i + 3);
    let host = base[start..].rfind('@').map_or(start, |i| start + i + 1);
    let end = base[host..].find('/').map_or(base.len(), |i| host + i);
    let mut out = format!("{}/{db}", &base[..end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

async fn execute(server: Server, url: &str, sql: &str) -> Result<(), sqlx::Error> {
    match server {
        Server::Postgres => {
            let mut c = sqlx::PgConnection::connect(url).await?;
            sqlx::Executor::execute(&mut c, sql).await?;
            c.close().await
        }
        Server::Mysql => {
            let mut c = sqlx::MySqlConnection::connect(url).await?;
            sqlx::Executor::execute(&mut c, sql).await?;
            c.close().await
        }
    }
}

/// A uniquely named, empty database on a test server, dropped by [`TestDb::drop`] or, if the
/// test ends without it (a panic), when the value is dropped.
#[derive(Debug)]
pub struct TestDb {
    /// The database's URL.
    pub url: String,
    /// Its name.
    pub name: String,
    /// Its server.
    pub server: Server,
    admin: String,
    dropped: bool,
}

impl TestDb {
    /// Creates the database, or reports the test as skipped (`None`) when the server's variable
    /// is unset; with `CI` set that, and an unreachable server, fail the test.
    ///
    /// # Panics
    /// When `CI` is set and the variable is not, or when the server cannot be reached.
    pub async fn create(server: Server, label: &str) -> Option<TestDb> {
        let admin = server.admin_url(label)?;
        let name = unique_name(label);
        if let Err(e) = execute(server, &admin, &format!("CREATE DATABASE {name}")).await {
            panic!(
                "cannot create a test database on the server of {} ({e}); is it running?",
                server.var()
            );
        }
        Some(TestDb {
            url: with_database(&admin, &name),
            name,
            server,
            admin,
            dropped: false,
        })
    }

    /// [`TestDb::create`] with the server named by its variable (`SOVEREIGN_TEST_..._URL`).
    ///
    /// # Panics
    /// See [`TestDb::create`]; also for a variable that names no server.
    pub async fn create_from_var(var: &str, label: &str) -> Option<TestDb> {
        let server =
            Server::of_var(var).unwrap_or_else(|| panic!("no test server is read from {var}"));
        Self::create(server, label).await
    }

    fn drop_sql(&self) -> String {
        match self.server {
            Server::Postgres => format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            Server::Mysql => format!("DROP DATABASE IF EXISTS {}", self.name),
        }
    }

    /// Drops the database.
    ///
    /// # Panics
    /// When the server refuses.
    pub async fn drop(mut self) {
        self.dropped = true;
        execute(self.server, &self.admin, &self.drop_sql())
            .await
            .unwrap_or_else(|e| panic!("cannot drop the test database {}: {e}", self.name));
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        // The test ended without dropping it (it panicked): drop it from a thread of its own,
        // which works inside and outside an async runtime.
        let (server, admin, sql) = (self.server, self.admin.clone(), self.drop_sql());
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(execute(server, &admin, &sql)).ok()
        })
        .join();
    }
}

/// A SQLite file in the temporary directory, removed (with its `-wal`, `-shm` and `-journal`)
/// when the value goes away.
#[derive(Debug)]
pub struct SqliteFile {
    /// `file:<path>`.
    pub url: String,
    /// The file.
    pub path: std::path::PathBuf,
}

impl SqliteFile {
    /// A new, not yet existing file.
    pub fn new(label: &str) -> SqliteFile {
        let path = std::env::temp_dir().join(format!("{}.db", unique_name(label)));
        let _ = std::fs::remove_file(&path);
        SqliteFile {
            url: format!("file:{}", path.display()),
            path,
        }
    }
}

impl Drop for SqliteFile {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut p = self.path.as_os_str().to_owned();
            p.push(suffix);
            let _ = std::fs::remove_file(std::path::PathBuf::from(p));
        }
    }
}

/// Expected-output fixtures as tests of their own: one test per fixture directory.
///
/// A fixture test is a `harness = false` test whose `main` calls [`fixtures::run`]; each
/// subdirectory of the fixture folder becomes a test named after it, so a failure names its
/// case, `cargo test NAME` runs one, and a new folder is a new test without touching code.
pub mod fixtures {
    use std::path::{Path, PathBuf};

    /// The fixture directories of `dir`, in name order.
    ///
    /// # Panics
    /// When `dir` cannot be read or holds no fixture.
    pub fn cases(dir: &Path) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .map(|e| e.expect("a directory entry").path())
            .filter(|p| p.is_dir())
            .collect();
        out.sort();
        assert!(!out.is_empty(), "no fixtures in {}", dir.display());
        out
    }

    /// Checks one fixture directory.
    pub type Check = fn(&Path) -> Result<(), String>;

    /// Runs `check` on every fixture directory of each `(prefix, dir)` as a test named
    /// `prefix::<directory name>`, with the command line of the built-in harness, and exits.
    pub fn run(suites: &[(&str, &Path, Check)]) -> ! {
        let args = libtest_mimic::Arguments::from_args();
        let mut trials = Vec::new();
        for &(prefix, dir, check) in suites {
            for case in cases(dir) {
                let name = case
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                trials.push(libtest_mimic::Trial::test(
                    format!("{prefix}::{name}"),
                    move || check(&case).map_err(Into::into),
                ));
            }
        }
        libtest_mimic::run(&args, trials).exit()
    }

    /// `path` read as text, or an error naming it.
    ///
    /// # Errors
    /// The file cannot be read.
    pub fn read(path: &Path) -> Result<String, String> {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_names() {
        assert_eq!(
            with_database("postgres://u:p/w@h:5432/postgres?x=1", "t"),
            "postgres://u:p/w@h:5432/t?x=1"
        );
        assert_eq!(with_database("mysql://root@h", "t"), "mysql://root@h/t");
        let a = unique_name("My Test");
        assert!(a.starts_with("sov_my_"), "{a}");
        assert_ne!(a, unique_name("My Test"));
    }
}
