//! Applying migrations: the `_prisma_migrations` history table (Prisma's columns and checksums,
//! so the real Prisma CLI can continue from our history and we from its) and `deploy` under
//! Prisma's advisory lock.

use crate::folder::{FolderError, Migration};
use crate::sql::Dialect;
use sqlx::{Connection as _, MySqlConnection, PgConnection, Row, SqliteConnection};
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A boxed `Send` future: spelled out so callers can spawn deploys on a multi-threaded runtime.
pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// Prisma Migrate's advisory lock key on PostgreSQL.
pub const PG_LOCK_KEY: i64 = 72_707_369;

/// One open database connection (advisory locks are held per connection).
pub enum Connection {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
    Mysql(MySqlConnection),
}

macro_rules! on {
    ($self:expr, $c:ident => $body:expr) => {
        match $self {
            Connection::Sqlite($c) => $body,
            Connection::Postgres($c) => $body,
            Connection::Mysql($c) => $body,
        }
    };
}

#[derive(Debug)]
#[non_exhaustive]
pub enum DeployError {
    /// The URL's scheme names no database we speak.
    UnknownUrl {
        url: String,
    },
    Connect {
        url: String,
        source: sqlx::Error,
    },
    Database(sqlx::Error),
    Folder(FolderError),
    /// A migration failed now: it is recorded as failed, with the database's message in `logs`.
    Failed {
        migration: String,
        message: String,
    },
    /// A migration failed earlier and was not resolved.
    Blocked {
        migration: String,
    },
    /// Another process held the migration lock for too long.
    LockTimeout,
    /// Something this database does not support yet.
    Unsupported(String),
    /// A migration of the history does not apply to the shadow database.
    Replay {
        migration: String,
        message: String,
    },
}

impl fmt::Display for DeployError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeployError::UnknownUrl { url } => write!(
                f,
                "cannot tell the database from the URL `{url}`: use file:, sqlite:, postgresql:// or mysql://"
            ),
            DeployError::Connect { url, source } => write!(
                f,
                "cannot connect to {url}: {source}; check that the server runs and the URL (user, password, database) is right"
            ),
            DeployError::Database(e) => write!(f, "database error: {e}"),
            DeployError::Folder(e) => write!(f, "{e}"),
            DeployError::Failed { migration, message } => write!(
                f,
                "migration `{migration}` failed: {message}\nIt is recorded as failed in _prisma_migrations; fix the database or the script, then mark it with `resolve --rolled-back {migration}` (or `--applied` if you finished it by hand) and deploy again"
            ),
            DeployError::Blocked { migration } => write!(
                f,
                "migration `{migration}` failed in an earlier deploy and blocks further migrations; after fixing the database, run `resolve --rolled-back {migration}` or `resolve --applied {migration}`"
            ),
            DeployError::Unsupported(what) => write!(f, "{what} is not supported yet"),
            DeployError::Replay { migration, message } => write!(
                f,
                "migration `{migration}` does not apply cleanly to the shadow database: {message}\nThe history must replay from scratch; fix or remove that migration"
            ),
            DeployError::LockTimeout => write!(
                f,
                "another process holds the migration lock; wait for its deploy to finish and try again"
            ),
        }
    }
}

impl std::error::Error for DeployError {}

impl From<sqlx::Error> for DeployError {
    fn from(e: sqlx::Error) -> Self {
        DeployError::Database(e)
    }
}

impl From<FolderError> for DeployError {
    fn from(e: FolderError) -> Self {
        DeployError::Folder(e)
    }
}

/// The URL with its password replaced, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:****{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl Connection {
    /// Connects to a Prisma-style URL: `file:./dev.db` (created when missing), `postgresql://`,
    /// `postgres://` or `mysql://`.
    ///
    /// # Errors
    /// An unknown scheme or a failed connection, with the URL (password hidden).
    pub async fn connect(url: &str) -> Result<Connection, DeployError> {
        let err = |source| DeployError::Connect {
            url: redact(url),
            source,
        };
        if let Some(path) = url
            .strip_prefix("file:")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let path = path.trim_start_matches("//");
            let path = path.split('?').next().unwrap_or(path);
            let opts = if path == ":memory:" {
                sqlx::sqlite::SqliteConnectOptions::new().in_memory(true)
            } else {
                sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    .busy_timeout(Duration::from_secs(30))
            };
            return Ok(Connection::Sqlite(
                SqliteConnection::connect_with(&opts).await.map_err(err)?,
            ));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Connection::Postgres(
                PgConnection::connect(url).await.map_err(err)?,
            ));
        }
        if url.starts_with("mysql://") {
            return Ok(Connection::Mysql(
                MySqlConnection::connect(url).await.map_err(err)?,
            ));
        }
        Err(DeployError::UnknownUrl { url: redact(url) })
    }

    pub fn dialect(&self) -> Dialect {
        match self {
            Connection::Sqlite(_) => Dialect::Sqlite,
            Connection::Postgres(_) => Dialect::Postgres,
            Connection::Mysql(_) => Dialect::Mysql,
        }
    }

    /// Runs a script of several statements.
    ///
    /// # Errors
    /// The database's error.
    pub fn execute_script<'a>(
        &'a mut self,
        sql: &'a str,
    ) -> BoxFuture<'a, Result<(), sqlx::Error>> {
        Box::pin(
            async move { on!(self, c => sqlx::Executor::execute(&mut *c, sql).await.map(|_| ())) },
        )
    }

    /// `?` placeholders in the dialect's style.
    fn placeholders(&self, sql: &str) -> String {
        if !matches!(self, Connection::Postgres(_)) {
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

    fn execute<'a>(
        &'a mut self,
        sql: &str,
        args: &[&str],
    ) -> BoxFuture<'a, Result<(), sqlx::Error>> {
        let sql = self.placeholders(sql);
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        Box::pin(async move {
            on!(self, c => {
                let mut q = sqlx::query(&sql);
                for a in args.iter().cloned() {
                    q = q.bind(a);
                }
                q.execute(&mut *c).await.map(|_| ())
            })
        })
    }

    pub(crate) fn strings<'a>(
        &'a mut self,
        sql: &'a str,
    ) -> BoxFuture<'a, Result<Vec<Vec<String>>, sqlx::Error>> {
        Box::pin(async move {
            on!(self, c => {
                let rows = sqlx::query(sql).fetch_all(&mut *c).await?;
                rows.iter()
                    .map(|r| (0..r.len()).map(|i| r.try_get::<Option<String>, _>(i).map(Option::unwrap_or_default)).collect())
                    .collect()
            })
        })
    }

    /// Takes Prisma's migration lock (PostgreSQL and MySQL; SQLite serializes writers itself).
    async fn lock(&mut self) -> Result<(), DeployError> {
        match self {
            Connection::Postgres(c) => {
                sqlx::query("SELECT pg_advisory_lock($1)")
                    .bind(PG_LOCK_KEY)
                    .execute(&mut *c)
                    .await?;
            }
            Connection::Mysql(c) => {
                // GET_LOCK waits up to 10 seconds; keep asking for as long as a deploy may take.
                for _ in 0..60 {
                    let got: Option<i64> =
                        sqlx::query_scalar("SELECT GET_LOCK('prisma_migrate', 10)")
                            .fetch_one(&mut *c)
                            .await?;
                    if got == Some(1) {
                        return Ok(());
                    }
                }
                return Err(DeployError::LockTimeout);
            }
            Connection::Sqlite(_) => {}
        }
        Ok(())
    }

    async fn unlock(&mut self) -> Result<(), sqlx::Error> {
        match self {
            Connection::Postgres(c) => {
                sqlx::query("SELECT pg_advisory_unlock($1)")
                    .bind(PG_LOCK_KEY)
                    .execute(&mut *c)
                    .await?;
            }
            Connection::Mysql(c) => {
                sqlx::query("SELECT RELEASE_LOCK('prisma_migrate')")
                    .execute(&mut *c)
                    .await?;
            }
            Connection::Sqlite(_) => {}
        }
        Ok(())
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

    pub(crate) fn now(&self) -> &'static str {
        match self.dialect() {
            // Prisma stores SQLite timestamps as Unix milliseconds.
            Dialect::Sqlite => "CAST(ROUND((julianday('now') - 2440587.5) * 86400000) AS INTEGER)",
            Dialect::Postgres => "now()",
            Dialect::Mysql => "CURRENT_TIMESTAMP(3)",
        }
    }

    /// The history as recorded in `_prisma_migrations`, oldest first.
    ///
    /// # Errors
    /// The database's error.
    pub async fn history(&mut self) -> Result<Vec<AppliedMigration>, sqlx::Error> {
        let rows = self
            .strings("SELECT migration_name, checksum, CASE WHEN finished_at IS NULL THEN 'no' ELSE 'yes' END, CASE WHEN rolled_back_at IS NULL THEN 'no' ELSE 'yes' END, logs FROM _prisma_migrations ORDER BY started_at, migration_name")
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| AppliedMigration {
                name: r[0].clone(),
                checksum: r[1].clone(),
                finished: r[2] == "yes",
                rolled_back: r[3] == "yes",
                logs: Some(r[4].clone()).filter(|l| !l.is_empty()),
            })
            .collect())
    }
}

/// A row of `_prisma_migrations`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedMigration {
    pub name: String,
    pub checksum: String,
    pub finished: bool,
    pub rolled_back: bool,
    pub logs: Option<String>,
}

impl AppliedMigration {
    /// Started, never finished and not rolled back: a failed migration that blocks deploys.
    pub fn failed(&self) -> bool {
        !self.finished && !self.rolled_back
    }
}

/// What a deploy did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DeployReport {
    pub applied: Vec<String>,
    /// Applied migrations whose local `migration.sql` no longer matches the recorded checksum.
    pub edited: Vec<String>,
}

/// A random-enough UUID (v4 layout) for history rows, without another dependency.
fn uuid(seed: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let h = crate::folder::checksum(
        format!("{seed}:{nanos}:{}:{:p}", std::process::id(), &nanos).as_bytes(),
    );
    let mut b: Vec<char> = h[..32].chars().collect();
    b[12] = '4';
    b[16] = ['8', '9', 'a', 'b'][usize::from(b[16].to_digit(16).unwrap_or(0) as u8 % 4)];
    let s: String = b.into_iter().collect();
    format!(
        "{}-{}-{}-{}-{}",
        &s[..8],
        &s[8..12],
        &s[12..16],
        &s[16..20],
        &s[20..32]
    )
}

/// Applies the pending migrations in order, under the advisory lock: each is recorded before it
/// runs and marked finished after. A failure is recorded with the database's message in `logs`
/// and stops the deploy; a failed migration in the history blocks it until resolved.
///
/// # Errors
/// See [`DeployError`]; the lock is released in every case.
pub fn deploy<'a>(
    conn: &'a mut Connection,
    migrations: &'a [Migration],
) -> BoxFuture<'a, Result<DeployReport, DeployError>> {
    Box::pin(async move { deploy_with_progress(conn, migrations, &mut |_| {}).await })
}

/// Progress of a deploy: the migration about to run, its position among the pending ones.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    pub migration: &'a str,
    /// 1-based position among the pending migrations.
    pub current: usize,
    pub pending: usize,
}

/// [`deploy`], calling `progress` before each pending migration runs.
///
/// # Errors
/// See [`DeployError`].
pub fn deploy_with_progress<'a>(
    conn: &'a mut Connection,
    migrations: &'a [Migration],
    progress: &'a mut (dyn FnMut(Progress<'_>) + Send),
) -> BoxFuture<'a, Result<DeployReport, DeployError>> {
    Box::pin(async move {
        conn.lock().await?;
        let result = deploy_locked(conn, migrations, progress).await;
        let unlocked = conn.unlock().await;
        let report = result?;
        unlocked?;
        Ok(report)
    })
}

async fn deploy_locked(
    conn: &mut Connection,
    migrations: &[Migration],
    progress: &mut (dyn FnMut(Progress<'_>) + Send),
) -> Result<DeployReport, DeployError> {
    conn.ensure_history_table().await?;
    let history = conn.history().await?;
    if let Some(failed) = history.iter().find(|m| m.failed()) {
        return Err(DeployError::Blocked {
            migration: failed.name.clone(),
        });
    }
    let mut report = DeployReport::default();
    let is_applied = |m: &Migration| {
        history
            .iter()
            .any(|h| h.name == m.name && h.finished && !h.rolled_back)
    };
    let pending = migrations.iter().filter(|m| !is_applied(m)).count();
    for m in migrations {
        let applied = history
            .iter()
            .find(|h| h.name == m.name && h.finished && !h.rolled_back);
        if let Some(h) = applied {
            if h.checksum != m.checksum {
                report.edited.push(m.name.clone());
            }
            continue;
        }
        progress(Progress {
            migration: &m.name,
            current: report.applied.len() + 1,
            pending,
        });
        let id = uuid(&m.name);
        let now = conn.now();
        conn.execute(
            &format!("INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, {now}, 0)"),
            &[&id, &m.checksum, &m.name],
        )
        .await?;
        match conn.execute_script(&m.sql).await {
            Ok(()) => {
                conn.execute(
                    &format!("UPDATE _prisma_migrations SET finished_at = {now}, applied_steps_count = 1 WHERE id = ?"),
                    &[&id],
                )
                .await?;
                report.applied.push(m.name.clone());
            }
            Err(e) => {
                let message = match &e {
                    sqlx::Error::Database(d) => d.message().to_string(),
                    other => other.to_string(),
                };
                let logs = format!(
                    "Migration `{}` failed to apply cleanly.\n\nDatabase error:\n{message}\n",
                    m.name
                );
                conn.execute(
                    "UPDATE _prisma_migrations SET logs = ? WHERE id = ?",
                    &[&logs, &id],
                )
                .await?;
                return Err(DeployError::Failed {
                    migration: m.name.clone(),
                    message,
                });
            }
        }
    }
    Ok(report)
}

/// Where the history stands against the local migrations.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Status {
    /// Local migrations not applied yet.
    pub pending: Vec<String>,
    /// Started and neither finished nor rolled back.
    pub failed: Vec<String>,
    /// Applied, but the local `migration.sql` changed since.
    pub edited: Vec<String>,
    /// Applied to the database, but missing from the local folder.
    pub missing_locally: Vec<String>,
}

impl Status {
    /// Anything a user must act on (`status` exits 1).
    pub fn needs_attention(&self) -> bool {
        !(self.pending.is_empty()
            && self.failed.is_empty()
            && self.edited.is_empty()
            && self.missing_locally.is_empty())
    }
}

/// Compares the history table with the local migrations (a database without the history table
/// has every migration pending).
///
/// # Errors
/// The database's error.
pub async fn status(
    conn: &mut Connection,
    migrations: &[Migration],
) -> Result<Status, DeployError> {
    conn.ensure_history_table().await?;
    let history = conn.history().await?;
    let mut st = Status::default();
    for m in migrations {
        let rows: Vec<&AppliedMigration> = history.iter().filter(|h| h.name == m.name).collect();
        if rows.iter().any(|h| h.failed()) {
            st.failed.push(m.name.clone());
        } else if let Some(h) = rows.iter().find(|h| h.finished && !h.rolled_back) {
            if h.checksum != m.checksum {
                st.edited.push(m.name.clone());
            }
        } else {
            st.pending.push(m.name.clone());
        }
    }
    for h in &history {
        let known = migrations.iter().any(|m| m.name == h.name);
        if !known && h.finished && !h.rolled_back && !st.missing_locally.contains(&h.name) {
            st.missing_locally.push(h.name.clone());
        }
    }
    Ok(st)
}

/// How to settle a failed migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// It was completed by hand: record it as applied.
    Applied,
    /// Its changes were undone: it will run again on the next deploy.
    RolledBack,
}

/// `resolve --applied NAME` / `resolve --rolled-back NAME`, with Prisma's rules: `--rolled-back`
/// only settles a failed migration; `--applied` records a failed or never-run local migration as
/// applied (and fails for one already applied).
///
/// # Errors
/// An unknown migration, one in the wrong state, or the database's error.
pub async fn resolve(
    conn: &mut Connection,
    migrations: &[Migration],
    name: &str,
    how: Resolution,
) -> Result<(), ResolveError> {
    let Some(local) = migrations.iter().find(|m| m.name == name) else {
        return Err(ResolveError::Unknown { name: name.into() });
    };
    conn.ensure_history_table().await?;
    let history = conn.history().await?;
    let failed = history.iter().any(|h| h.name == name && h.failed());
    let applied = history
        .iter()
        .any(|h| h.name == name && h.finished && !h.rolled_back);
    let now = conn.now();
    match how {
        Resolution::RolledBack => {
            if !failed {
                return Err(ResolveError::NotFailed { name: name.into() });
            }
            conn.execute(
                &format!("UPDATE _prisma_migrations SET rolled_back_at = {now} WHERE migration_name = ? AND finished_at IS NULL AND rolled_back_at IS NULL"),
                &[name],
            )
            .await?;
        }
        Resolution::Applied => {
            if applied {
                return Err(ResolveError::AlreadyApplied { name: name.into() });
            }
            if failed {
                conn.execute(
                    &format!("UPDATE _prisma_migrations SET rolled_back_at = {now} WHERE migration_name = ? AND finished_at IS NULL AND rolled_back_at IS NULL"),
                    &[name],
                )
                .await?;
            }
            let id = uuid(name);
            conn.execute(
                &format!("INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, started_at, finished_at, applied_steps_count) VALUES (?, ?, ?, '', {now}, {now}, 0)"),
                &[&id, &local.checksum, name],
            )
            .await?;
        }
    }
    Ok(())
}

#[derive(Debug)]
#[non_exhaustive]
pub enum ResolveError {
    Unknown { name: String },
    NotFailed { name: String },
    AlreadyApplied { name: String },
    Database(sqlx::Error),
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResolveError::Unknown { name } => {
                write!(f, "there is no migration `{name}` in the migrations folder; check the name (the folder's name)")
            }
            ResolveError::NotFailed { name } => write!(
                f,
                "migration `{name}` cannot be rolled back because it is not in a failed state"
            ),
            ResolveError::AlreadyApplied { name } => {
                write!(
                    f,
                    "migration `{name}` is already recorded as applied in the database"
                )
            }
            ResolveError::Database(e) => write!(f, "database error: {e}"),
        }
    }
}

impl std::error::Error for ResolveError {}

impl From<sqlx::Error> for ResolveError {
    fn from(e: sqlx::Error) -> Self {
        ResolveError::Database(e)
    }
}

impl Connection {
    /// Drops everything in the database the connection points at (tables, views, enums, the
    /// history): PostgreSQL recreates the current schema, MySQL the current database, SQLite
    /// drops every table and view.
    ///
    /// # Errors
    /// The database's error.
    pub async fn drop_everything(&mut self) -> Result<(), sqlx::Error> {
        match self.dialect() {
            Dialect::Postgres => {
                let schema = self.strings("SELECT current_schema()").await?;
                let schema = schema
                    .first()
                    .and_then(|r| r.first())
                    .cloned()
                    .unwrap_or_else(|| "public".into());
                let q = Dialect::Postgres.quote(&schema);
                self.execute_script(&format!(
                    "DROP SCHEMA IF EXISTS {q} CASCADE;\nCREATE SCHEMA {q};"
                ))
                .await
            }
            Dialect::Mysql => {
                let db = self.strings("SELECT DATABASE()").await?;
                let Some(db) = db.first().and_then(|r| r.first()).cloned() else {
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
                sql.push_str("PRAGMA foreign_keys=ON;\n");
                self.execute_script(&sql).await
            }
        }
    }
}

/// `reset`: drops everything, then applies every migration again.
///
/// # Errors
/// See [`deploy`].
pub async fn reset(
    conn: &mut Connection,
    migrations: &[Migration],
) -> Result<DeployReport, DeployError> {
    conn.drop_everything().await?;
    deploy(conn, migrations).await
}
