//! One open connection to the database being migrated, and the `_prisma_migrations` history
//! table on it (Prisma's columns and checksums, so the real Prisma CLI can continue from our
//! history and we from its).

use crate::error::Error;
use crate::sql::Dialect;
use crate::url::redact;
#[allow(unused_imports)]
use sqlx::Connection as _;
#[cfg(feature = "mysql")]
use sqlx::MySqlConnection;
#[cfg(feature = "postgres")]
use sqlx::PgConnection;
use sqlx::Row;
#[cfg(feature = "sqlite")]
use sqlx::SqliteConnection;
use std::path::{Path, PathBuf};
#[cfg(feature = "sqlite")]
use std::time::Duration;

/// A boxed `Send` future: spelled out so callers can spawn deploys on a multi-threaded runtime.
pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

#[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
compile_error!("sovereign-migrate needs at least one of its features: sqlite, postgres, mysql");

/// The driver connection inside a [`Connection`]; a database's variant exists only with its
/// cargo feature, so a SQLite-only build compiles no PostgreSQL or MySQL driver.
pub(crate) enum Db {
    #[cfg(feature = "sqlite")]
    Sqlite(SqliteConnection),
    #[cfg(feature = "postgres")]
    Postgres(PgConnection),
    #[cfg(feature = "mysql")]
    Mysql(MySqlConnection),
}

/// `$body` with `$c` bound to the driver connection, whichever database it is.
macro_rules! on {
    ($db:expr, $c:ident => $body:expr) => {
        match $db {
            #[cfg(feature = "sqlite")]
            Db::Sqlite($c) => $body,
            #[cfg(feature = "postgres")]
            Db::Postgres($c) => $body,
            #[cfg(feature = "mysql")]
            Db::Mysql($c) => $body,
        }
    };
}

/// The error for a URL whose database this build leaves out.
#[allow(dead_code)]
fn not_compiled(url: &str, feature: &str) -> Error {
    Error::Unsupported(format!(
        "`{}` needs the `{feature}` feature of sovereign-migrate (or of sovereign, which passes it on); add it to the dependency's `features`",
        redact(url)
    ))
}

/// One open database connection (advisory locks are held per connection).
pub struct Connection {
    pub(crate) db: Db,
    /// The URL it was opened with: the shadow database of a diagnosis is made next to it. Never
    /// shown without [`redact`].
    pub(crate) url: String,
    /// The database file (SQLite, not in memory): the migration lock is a lock on it.
    pub(crate) sqlite_file: Option<PathBuf>,
    /// The namespaces (PostgreSQL schemas) introspection reads: a multi-schema datasource's
    /// `schemas`; empty for the connection's current schema.
    pub(crate) namespaces: Vec<String>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("url", &redact(&self.url))
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// Connects to a Prisma-style URL: `file:./dev.db` (created when missing), `postgresql://`,
    /// `postgres://`, `mysql://` or `mariadb://`.
    ///
    /// SQLite connections start with foreign keys off, as Prisma's schema engine opens them:
    /// migration scripts switch them on and off themselves (`PRAGMA foreign_keys=OFF` around
    /// table redefinitions), and a `DROP TABLE` with them on would cascade into other tables.
    ///
    /// # Errors
    /// An unknown scheme or a failed connection, with the URL (password hidden).
    pub async fn connect(url: &str) -> Result<Connection, Error> {
        let err = |source| Error::Connect {
            url: redact(url),
            source,
        };
        if let Some(path) = crate::url::sqlite_file(url) {
            #[cfg(not(feature = "sqlite"))]
            {
                let _ = path;
                return Err(not_compiled(url, "sqlite"));
            }
            #[cfg(feature = "sqlite")]
            let (opts, file) = if path == ":memory:" || path.is_empty() {
                (
                    sqlx::sqlite::SqliteConnectOptions::new().in_memory(true),
                    None,
                )
            } else {
                (
                    sqlx::sqlite::SqliteConnectOptions::new()
                        .filename(path)
                        .create_if_missing(true)
                        .busy_timeout(Duration::from_secs(30)),
                    Some(PathBuf::from(path)),
                )
            };
            #[cfg(feature = "sqlite")]
            let opts = opts.foreign_keys(false);
            #[cfg(feature = "sqlite")]
            return Ok(Connection {
                db: Db::Sqlite(SqliteConnection::connect_with(&opts).await.map_err(err)?),
                url: url.to_string(),
                sqlite_file: file,
                namespaces: Vec::new(),
            });
        }
        #[allow(unreachable_code, unused_variables)]
        let db = match crate::url::scheme(url) {
            #[cfg(feature = "postgres")]
            "postgres" | "postgresql" => {
                let opts = postgres_options(url).map_err(err)?;
                Db::Postgres(PgConnection::connect_with(&opts).await.map_err(err)?)
            }
            #[cfg(feature = "mysql")]
            "mysql" | "mariadb" => {
                let url = crate::url::mysql_scheme(url);
                Db::Mysql(MySqlConnection::connect(&url).await.map_err(err)?)
            }
            #[cfg(not(feature = "postgres"))]
            "postgres" | "postgresql" => return Err(not_compiled(url, "postgres")),
            #[cfg(not(feature = "mysql"))]
            "mysql" | "mariadb" => return Err(not_compiled(url, "mysql")),
            _ => return Err(Error::UnknownUrl { url: redact(url) }),
        };
        #[allow(unreachable_code)]
        Ok(Connection {
            db,
            url: url.to_string(),
            sqlite_file: None,
            namespaces: Vec::new(),
        })
    }

    /// Reads (introspects) these namespaces, the `schemas` of a multi-schema PostgreSQL
    /// datasource, instead of the connection's current schema. Names in them are qualified.
    pub fn set_namespaces(&mut self, namespaces: Vec<String>) {
        self.namespaces = namespaces;
    }

    /// The namespaces introspection reads (empty: the current schema).
    pub fn namespaces(&self) -> &[String] {
        &self.namespaces
    }

    /// The dialect of the connected database.
    pub fn dialect(&self) -> Dialect {
        match self.db {
            #[cfg(feature = "sqlite")]
            Db::Sqlite(_) => Dialect::Sqlite,
            #[cfg(feature = "postgres")]
            Db::Postgres(_) => Dialect::Postgres,
            #[cfg(feature = "mysql")]
            Db::Mysql(_) => Dialect::Mysql,
        }
    }

    /// The URL, password hidden: for messages.
    pub fn display_url(&self) -> String {
        redact(&self.url)
    }

    /// The SQLite database file (`None` in memory and on servers).
    pub fn sqlite_file(&self) -> Option<&Path> {
        self.sqlite_file.as_deref()
    }

    /// The PostgreSQL driver connection, for tests and tools that need raw access.
    #[cfg(feature = "postgres")]
    pub fn postgres(&mut self) -> Option<&mut PgConnection> {
        match &mut self.db {
            Db::Postgres(c) => Some(c),
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }

    /// The MySQL driver connection.
    #[cfg(feature = "mysql")]
    pub fn mysql(&mut self) -> Option<&mut MySqlConnection> {
        match &mut self.db {
            Db::Mysql(c) => Some(c),
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }

    /// The SQLite driver connection.
    #[cfg(feature = "sqlite")]
    pub fn sqlite(&mut self) -> Option<&mut SqliteConnection> {
        match &mut self.db {
            Db::Sqlite(c) => Some(c),
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }

    /// Runs a script of several statements (PostgreSQL runs it as one implicit transaction,
    /// unless the script has its own `BEGIN`/`COMMIT`).
    ///
    /// # Errors
    /// The database's error.
    pub fn execute_script<'a>(
        &'a mut self,
        sql: &'a str,
    ) -> BoxFuture<'a, Result<(), sqlx::Error>> {
        Box::pin(async move {
            on!(&mut self.db, c => sqlx::Executor::execute(&mut *c, sql).await.map(|_| ()))
        })
    }

    /// `?` placeholders in the dialect's style.
    fn placeholders(&self, sql: &str) -> String {
        if self.dialect() != Dialect::Postgres {
            return sql.to_string();
        }
        let mut out = String::with_capacity(sql.len());
        let mut n = 0;
        for ch in sql.chars() {
            if ch == '?' {
                n += 1;
                out.push_str(&format!("${n}"));
            } else {
                out.push(ch);
            }
        }
        out
    }

    /// One statement with `?` placeholders bound to text values; the number of rows it changed.
    pub(crate) fn execute<'a>(
        &'a mut self,
        sql: &str,
        args: &[&str],
    ) -> BoxFuture<'a, Result<u64, sqlx::Error>> {
        let sql = self.placeholders(sql);
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        Box::pin(async move {
            on!(&mut self.db, c => {
                let mut q = sqlx::query(&sql);
                for a in args.iter().cloned() {
                    q = q.bind(a);
                }
                q.execute(&mut *c).await.map(|r| r.rows_affected())
            })
        })
    }

    /// Every row of a query, each column read as text (NULL as the empty string).
    pub(crate) fn strings<'a>(
        &'a mut self,
        sql: &'a str,
    ) -> BoxFuture<'a, Result<Vec<Vec<String>>, sqlx::Error>> {
        Box::pin(async move {
            on!(&mut self.db, c => {
                let rows = sqlx::query(sql).fetch_all(&mut *c).await?;
                rows.iter()
                    .map(|r| (0..r.len()).map(|i| r.try_get::<Option<String>, _>(i).map(Option::unwrap_or_default)).collect())
                    .collect()
            })
        })
    }

    /// The first column of the first row, as text.
    pub(crate) async fn string(&mut self, sql: &str) -> Result<Option<String>, sqlx::Error> {
        Ok(self
            .strings(sql)
            .await?
            .into_iter()
            .next()
            .and_then(|r| r.into_iter().next()))
    }

    /// What this server is as a read replica: a PostgreSQL standby (and how long ago the last
    /// transaction it replayed was committed on the primary), a read-only MySQL/MariaDB server,
    /// or a server that takes writes.
    ///
    /// # Errors
    /// The database's error.
    pub async fn replica_status(&mut self) -> Result<ReplicaStatus, sqlx::Error> {
        match self.dialect() {
            Dialect::Postgres => {
                let row = self
                    .strings("SELECT pg_is_in_recovery()::text, EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::text")
                    .await?;
                let row = row.into_iter().next().unwrap_or_default();
                if row.first().map(String::as_str) != Some("true") {
                    return Ok(ReplicaStatus::Writable);
                }
                Ok(ReplicaStatus::Standby {
                    replayed_ago: row.get(1).and_then(|s| s.parse::<f64>().ok()),
                })
            }
            Dialect::Mysql => {
                let ro = self
                    .string("SELECT CAST(@@global.read_only AS CHAR)")
                    .await?;
                Ok(if ro.as_deref() == Some("1") {
                    ReplicaStatus::ReadOnly
                } else {
                    ReplicaStatus::Writable
                })
            }
            Dialect::Sqlite => Ok(ReplicaStatus::Writable),
        }
    }

    /// Whether `_prisma_migrations` exists (in the current schema or database).
    ///
    /// # Errors
    /// The database's error.
    pub async fn has_history_table(&mut self) -> Result<bool, sqlx::Error> {
        let sql = match self.dialect() {
            Dialect::Sqlite => "SELECT CAST(COUNT(*) AS TEXT) FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'",
            Dialect::Postgres => "SELECT COUNT(*)::text FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '_prisma_migrations'",
            Dialect::Mysql => "SELECT CAST(COUNT(*) AS CHAR) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '_prisma_migrations'",
        };
        Ok(self.string(sql).await?.is_some_and(|n| n != "0"))
    }

    /// Creates `_prisma_migrations` if it is missing, with Prisma's columns.
    ///
    /// # Errors
    /// The database's error.
    pub async fn ensure_history_table(&mut self) -> Result<(), sqlx::Error> {
        let sql = match self.dialect() {
            Dialect::Sqlite => "CREATE TABLE IF NOT EXISTS \"_prisma_migrations\" (\n    \"id\"                    TEXT PRIMARY KEY NOT NULL,\n    \"checksum\"              TEXT NOT NULL,\n    \"finished_at\"           DATETIME,\n    \"migration_name\"        TEXT NOT NULL,\n    \"logs\"                  TEXT,\n    \"rolled_back_at\"        DATETIME,\n    \"started_at\"            DATETIME NOT NULL DEFAULT current_timestamp,\n    \"applied_steps_count\"   INTEGER UNSIGNED NOT NULL DEFAULT 0\n)",
            Dialect::Postgres => "CREATE TABLE IF NOT EXISTS \"_prisma_migrations\" (\n    \"id\"                    VARCHAR(36) PRIMARY KEY NOT NULL,\n    \"checksum\"              VARCHAR(64) NOT NULL,\n    \"finished_at\"           TIMESTAMPTZ,\n    \"migration_name\"        VARCHAR(255) NOT NULL,\n    \"logs\"                  TEXT,\n    \"rolled_back_at\"        TIMESTAMPTZ,\n    \"started_at\"            TIMESTAMPTZ NOT NULL DEFAULT now(),\n    \"applied_steps_count\"   INTEGER NOT NULL DEFAULT 0\n)",
            Dialect::Mysql => "CREATE TABLE IF NOT EXISTS `_prisma_migrations` (\n    `id`                    VARCHAR(36) PRIMARY KEY NOT NULL,\n    `checksum`              VARCHAR(64) NOT NULL,\n    `finished_at`           DATETIME(3),\n    `migration_name`        VARCHAR(255) NOT NULL,\n    `logs`                  TEXT,\n    `rolled_back_at`        DATETIME(3),\n    `started_at`            DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),\n    `applied_steps_count`   INTEGER UNSIGNED NOT NULL DEFAULT 0\n) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
        };
        self.execute_script(sql).await
    }

    /// The current time in the history table's format.
    pub(crate) fn now(&self) -> &'static str {
        match self.dialect() {
            // Prisma stores SQLite timestamps as Unix milliseconds.
            Dialect::Sqlite => "CAST(ROUND((julianday('now') - 2440587.5) * 86400000) AS INTEGER)",
            // The wall clock, not the transaction's start: a migration's row is written in the
            // same transaction as its script, and `finished_at` must come after `started_at`.
            Dialect::Postgres => "clock_timestamp()",
            Dialect::Mysql => "CURRENT_TIMESTAMP(3)",
        }
    }

    /// The history as recorded in `_prisma_migrations`, oldest first.
    ///
    /// # Errors
    /// The database's error.
    pub async fn history(&mut self) -> Result<Vec<AppliedMigration>, sqlx::Error> {
        let rows = self
            .strings("SELECT migration_name, checksum, CASE WHEN finished_at IS NULL THEN 'no' ELSE 'yes' END, CASE WHEN rolled_back_at IS NULL THEN 'no' ELSE 'yes' END, logs, CASE WHEN logs IS NULL THEN 'no' ELSE 'yes' END FROM _prisma_migrations ORDER BY started_at, migration_name")
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| AppliedMigration {
                name: r[0].clone(),
                checksum: r[1].clone(),
                finished: r[2] == "yes",
                rolled_back: r[3] == "yes",
                logs: (r[5] == "yes").then(|| r[4].clone()),
            })
            .collect())
    }

    /// Drops everything in the database the connection points at (tables, views, enums, the
    /// history): PostgreSQL recreates the current schema (and drops the namespaces of a
    /// multi-schema datasource), MySQL the current database, SQLite drops every table and view.
    ///
    /// # Errors
    /// The database's error.
    pub async fn drop_everything(&mut self) -> Result<(), sqlx::Error> {
        match self.dialect() {
            Dialect::Postgres => {
                let schema = self
                    .string("SELECT current_schema()")
                    .await?
                    .unwrap_or_else(|| "public".into());
                let q = Dialect::Postgres.quote(&schema);
                // A multi-schema datasource's namespaces go too (they are created again by the
                // first migration, as Prisma's reset does).
                let mut sql = String::new();
                for ns in self.namespaces.iter().filter(|n| **n != schema) {
                    sql.push_str(&format!(
                        "DROP SCHEMA IF EXISTS {} CASCADE;\n",
                        Dialect::Postgres.quote(ns)
                    ));
                }
                sql.push_str(&format!(
                    "DROP SCHEMA IF EXISTS {q} CASCADE;\nCREATE SCHEMA {q};"
                ));
                self.execute_script(&sql).await
            }
            Dialect::Mysql => {
                let Some(db) = self
                    .string("SELECT DATABASE()")
                    .await?
                    .filter(|d| !d.is_empty())
                else {
                    return Ok(());
                };
                let q = Dialect::Mysql.quote(&db);
                self.execute_script(&format!(
                    "DROP DATABASE {q};\nCREATE DATABASE {q};\nUSE {q};"
                ))
                .await
            }
            Dialect::Sqlite => {
                let objects = self
                    .strings("SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'")
                    .await?;
                let mut sql = String::from("PRAGMA foreign_keys=OFF;\n");
                for o in objects {
                    let kind = if o[0] == "view" { "VIEW" } else { "TABLE" };
                    sql.push_str(&format!(
                        "DROP {kind} IF EXISTS {};\n",
                        Dialect::Sqlite.quote(&o[1])
                    ));
                }
                self.execute_script(&sql).await
            }
        }
    }
}

/// A row of `_prisma_migrations`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedMigration {
    /// The migration's folder name.
    pub name: String,
    /// SHA-256 of the script that ran.
    pub checksum: String,
    /// `finished_at` is set.
    pub finished: bool,
    /// `rolled_back_at` is set.
    pub rolled_back: bool,
    /// The failure log (`None` when the column is NULL: never failed, or interrupted).
    pub logs: Option<String>,
}

impl AppliedMigration {
    /// Started, never finished and not rolled back: a failed migration that blocks deploys.
    pub fn failed(&self) -> bool {
        !self.finished && !self.rolled_back
    }

    /// Started and never finished, with no failure recorded: the process applying it stopped
    /// (was killed, lost its connection) between the start and the end.
    pub fn interrupted(&self) -> bool {
        self.failed() && self.logs.is_none()
    }
}

/// What a server is as a read replica ([`Connection::replica_status`]).
#[derive(Debug, Clone, PartialEq)]
pub enum ReplicaStatus {
    /// A PostgreSQL standby: `replayed_ago` is how many seconds ago the last transaction it
    /// replayed committed on the primary (`None`: none replayed yet). With a primary that has
    /// written nothing since, it grows without any delay in replication.
    Standby {
        /// Seconds since the last replayed commit.
        replayed_ago: Option<f64>,
    },
    /// A MySQL/MariaDB server with `read_only` set, as replicas are.
    ReadOnly,
    /// A server that takes writes: not a replica.
    Writable,
}

/// The connection options of a PostgreSQL URL as Prisma reads it: `?schema=NAME` makes `NAME`
/// the schema everything is created in and read from (the connection's `search_path`), which
/// the driver alone would ignore and use `public`.
///
/// # Errors
/// A URL the driver cannot parse, or a schema name with whitespace or a backslash.
#[cfg(feature = "postgres")]
pub fn postgres_options(url: &str) -> Result<sqlx::postgres::PgConnectOptions, sqlx::Error> {
    use std::str::FromStr;
    // Prisma's own parameters are not the driver's: sqlx would log each as unknown.
    let opts = sqlx::postgres::PgConnectOptions::from_str(&crate::url::without_prisma_params(url))?;
    match crate::url::query_param(url, "schema") {
        Some(s) if !s.is_empty() => {
            if s.chars().any(|c| c.is_whitespace() || c == '\\') {
                return Err(sqlx::Error::Configuration(
                    format!("the schema `{s}` of the URL has whitespace or a backslash, which the connection's search_path cannot carry").into(),
                ));
            }
            Ok(opts.options([("search_path", format!("\"{}\"", s.replace('"', "\"\"")))]))
        }
        _ => Ok(opts),
    }
}
