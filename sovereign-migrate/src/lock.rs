//! The migration lock: one deployer (or schema push, or resolve) at a time per database, on every
//! provider, with a bounded wait.
//!
//! - PostgreSQL: Prisma Migrate's session advisory lock, key 72707369, so our tools and the real
//!   Prisma CLI exclude each other.
//! - MySQL/MariaDB: Prisma's named lock `prisma_migrate` (`GET_LOCK`).
//! - SQLite: an advisory lock (`flock`) on the database file itself. SQLite's own locks are
//!   byte-range `fcntl` locks, which `flock` does not touch, so readers and writers of the
//!   database are not affected; two deployers, in one process or several, are serialized. The
//!   kernel drops the lock when its holder dies, so a killed deploy never leaves it behind.
//!   (Prisma takes no lock on SQLite; concurrent deploys there used to run migrations twice.)
//!
//! Waiting polls with a growing pause and gives up after the timeout with
//! [`Error::LockTimeout`], which names the lock, its holder where the database can tell,
//! and how to find it.

use crate::connection::{Connection, Db};
use crate::error::Error;
use crate::sql::Dialect;
use std::time::{Duration, Instant};

/// Prisma Migrate's advisory lock key on PostgreSQL.
pub const PG_LOCK_KEY: i64 = 72_707_369;

/// Prisma Migrate's lock name on MySQL.
pub const MYSQL_LOCK_NAME: &str = "prisma_migrate";

pub use crate::options::{DEFAULT_LOCK_TIMEOUT, LOCK_TIMEOUT_ENV};

/// The lock, while held. Give it back with [`Connection::unlock`]; dropping it without doing so
/// releases a SQLite lock at once and a server lock when the connection closes.
#[must_use = "the lock is held until it is given back with Connection::unlock"]
#[derive(Debug)]
pub struct MigrationLock {
    /// The locked database file (SQLite); `None` for server locks and in-memory databases.
    /// Held for its lock: dropping it releases the lock.
    #[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
    file: Option<std::fs::File>,
}

/// The lock a deploy waits for, in words, for messages.
fn lock_name(conn: &Connection) -> String {
    match conn.dialect() {
        Dialect::Postgres => {
            format!("the PostgreSQL advisory lock {PG_LOCK_KEY} (Prisma Migrate's)")
        }
        Dialect::Mysql => {
            format!("the MySQL lock '{MYSQL_LOCK_NAME}' (Prisma Migrate's, GET_LOCK)")
        }
        Dialect::Sqlite => match &conn.sqlite_file {
            Some(f) => format!("the file lock (flock) on {}", f.display()),
            None => "the in-memory database".to_string(),
        },
    }
}

/// The file whose lock is the migration lock of the SQLite database at `db`: the database file
/// itself on Unix. Windows locks are mandatory byte-range locks that would stop SQLite from
/// reading its own file, so there it is a file beside it.
fn open_lock_file(db: &std::path::Path) -> std::io::Result<std::fs::File> {
    #[cfg(unix)]
    {
        std::fs::File::open(db)
    }
    #[cfg(not(unix))]
    {
        let mut name = db.as_os_str().to_owned();
        name.push("-migrate-lock");
        std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(std::path::PathBuf::from(name))
    }
}

impl Connection {
    /// Takes the migration lock, waiting at most `timeout`.
    ///
    /// # Errors
    /// [`Error::LockTimeout`] when another process holds it for longer, with who holds it;
    /// the database's error.
    pub async fn lock(&mut self, timeout: Duration) -> Result<MigrationLock, Error> {
        let start = Instant::now();
        let mut pause = Duration::from_millis(10);
        // SQLite: the database file, opened once; its lock is per open file.
        let file = match (self.dialect(), &self.sqlite_file) {
            (Dialect::Sqlite, Some(path)) => Some(open_lock_file(path).map_err(|e| {
                Error::Unsupported(format!(
                    "locking {} for the migration ({e}); check that the file is readable",
                    path.display()
                ))
            })?),
            _ => None,
        };
        loop {
            let got = match &mut self.db {
                #[cfg(feature = "postgres")]
                Db::Postgres(c) => sqlx::query_scalar::<_, bool>("SELECT pg_try_advisory_lock($1)")
                    .bind(PG_LOCK_KEY)
                    .fetch_one(&mut *c)
                    .await?,
                #[cfg(feature = "mysql")]
                Db::Mysql(c) => {
                    let got: Option<i64> = sqlx::query_scalar("SELECT GET_LOCK(?, 0)")
                        .bind(MYSQL_LOCK_NAME)
                        .fetch_one(&mut *c)
                        .await?;
                    got == Some(1)
                }
                #[cfg(feature = "sqlite")]
                Db::Sqlite(_) => match &file {
                    Some(f) => match f.try_lock() {
                        Ok(()) => true,
                        Err(std::fs::TryLockError::WouldBlock) => false,
                        Err(std::fs::TryLockError::Error(e)) => {
                            return Err(Error::Unsupported(format!(
                                "locking {} for the migration ({e}); the file system may not support file locks",
                                self.sqlite_file.as_deref().unwrap_or(std::path::Path::new("?")).display()
                            )))
                        }
                    },
                    None => true,
                },
            };
            if got {
                return Ok(MigrationLock { file });
            }
            let waited = start.elapsed();
            if waited >= timeout {
                let holder = self.lock_holder().await;
                return Err(Error::LockTimeout {
                    lock: lock_name(self),
                    waited: timeout,
                    holder,
                    find_holder: self.find_holder_hint(),
                });
            }
            tokio::time::sleep(pause.min(timeout - waited)).await;
            pause = (pause * 2).min(Duration::from_millis(250));
        }
    }

    /// Gives the lock back.
    ///
    /// # Errors
    /// The database's error.
    pub async fn unlock(&mut self, lock: MigrationLock) -> Result<(), Error> {
        match &mut self.db {
            #[cfg(feature = "postgres")]
            Db::Postgres(c) => {
                sqlx::query("SELECT pg_advisory_unlock($1)")
                    .bind(PG_LOCK_KEY)
                    .execute(&mut *c)
                    .await?;
            }
            #[cfg(feature = "mysql")]
            Db::Mysql(c) => {
                sqlx::query("SELECT RELEASE_LOCK(?)")
                    .bind(MYSQL_LOCK_NAME)
                    .execute(&mut *c)
                    .await?;
            }
            #[cfg(feature = "sqlite")]
            Db::Sqlite(_) => {
                if let Some(f) = &lock.file {
                    f.unlock().ok();
                }
            }
        }
        drop(lock);
        Ok(())
    }

    /// Who holds the lock, as far as the database tells.
    async fn lock_holder(&mut self) -> Option<String> {
        match self.dialect() {
            Dialect::Postgres => {
                let rows = self
                    .strings(&format!(
                        "SELECT a.pid::text, coalesce(a.usename::text, ''), coalesce(a.application_name, ''), coalesce(host(a.client_addr), 'a local socket'), coalesce(a.state, ''), coalesce(to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS TZ'), '') FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = {PG_LOCK_KEY} AND l.objsubid = 1"
                    ))
                    .await
                    .ok()?;
                let r = rows.first()?;
                Some(format!(
                    "server process {} (user {}, application \"{}\", from {}, {}, connected since {})",
                    r[0], r[1], r[2], r[3], r[4], r[5]
                ))
            }
            Dialect::Mysql => {
                let id = self
                    .string(&format!(
                        "SELECT CAST(IS_USED_LOCK('{MYSQL_LOCK_NAME}') AS CHAR)"
                    ))
                    .await
                    .ok()??;
                if id.is_empty() {
                    return None;
                }
                let detail = self
                    .strings(&format!("SELECT USER, HOST, COMMAND, CAST(TIME AS CHAR) FROM information_schema.PROCESSLIST WHERE ID = {}", id.parse::<u64>().ok()?))
                    .await
                    .ok()
                    .and_then(|r| r.into_iter().next());
                Some(match detail {
                    Some(d) => format!(
                        "connection {id} (user {}, from {}, {} for {} s)",
                        d[0], d[1], d[2], d[3]
                    ),
                    None => format!("connection {id}"),
                })
            }
            Dialect::Sqlite => None,
        }
    }

    fn find_holder_hint(&self) -> String {
        match self.dialect() {
            Dialect::Postgres => format!(
                "see it with `SELECT pid, usename, application_name, state, query FROM pg_locks JOIN pg_stat_activity USING (pid) WHERE locktype = 'advisory' AND objid = {PG_LOCK_KEY};` and, if that process is stuck, end it with `SELECT pg_terminate_backend(<pid>);`"
            ),
            Dialect::Mysql => format!(
                "see it with `SELECT IS_USED_LOCK('{MYSQL_LOCK_NAME}');` and `SHOW PROCESSLIST;` and, if that connection is stuck, end it with `KILL <id>;`"
            ),
            Dialect::Sqlite => match &self.sqlite_file {
                Some(f) => format!(
                    "see which process holds it with `fuser -v {0}` or `lsof {0}`",
                    f.display()
                ),
                None => String::new(),
            },
        }
    }
}
