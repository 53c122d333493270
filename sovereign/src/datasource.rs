//! A schema's datasource as the generated code embeds it: where its URL comes from, its schema
//! text and its migrations, and how to bring a database up to date with them.
//!
//! # Relative SQLite paths
//!
//! Prisma's CLI resolves `file:./dev.db` against the folder of the schema file. A deployed
//! binary has no such folder, and the folder of the machine that built it means nothing
//! elsewhere, so the generated `DATASOURCE` embeds no directory at all. At run time a relative
//! SQLite path resolves against [`Datasource::base_dir`]: the directory the application set
//! with [`Datasource::set_base_dir`], or else the current directory (where SQLite itself, sqlx
//! and diesel look). The same binary therefore opens the same file on every machine, given the
//! same working directory or base. `sovereign migrate` and `plugin-db-manage`, which read the
//! schema file, still resolve as Prisma does: set the base to the schema's folder (or use an
//! absolute path) when the application and the CLI must open the same file.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::db::{redact, Database};
use crate::error::{Error, ErrorKind, Result};

/// The datasource of a generated client, with the schema and migrations embedded at build time.
#[derive(Debug)]
pub struct Datasource {
    /// `sqlite`, `postgresql` or `mysql`.
    pub provider: &'static str,
    /// The environment variable of `url = env("...")`.
    pub env: Option<&'static str>,
    /// A literal `url = "..."`.
    pub url: &'static str,
    /// The schema text.
    pub schema: &'static str,
    /// `migrations/<name>/migration.sql`, in order.
    pub migrations: &'static [(&'static str, &'static str)],
    /// Where relative SQLite paths resolve, once the application sets it
    /// ([`Datasource::set_base_dir`]); generated code leaves it empty
    /// (`::std::sync::OnceLock::new()`). Read it with [`Datasource::base_dir`].
    pub base: OnceLock<PathBuf>,
}

/// What bringing a database up to date did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Deployed {
    /// Migrations applied now (none when the database was current).
    Migrations(Vec<String>),
    /// The database's provider differs from the migrations', or there are none: the schema
    /// was pushed instead, as `prisma db push` does, under the migration lock and the
    /// data-loss checks (see [`sovereign_migrate::push`](fn@sovereign_migrate::push)).
    Pushed(sovereign_migrate::PushReport),
}

impl std::fmt::Display for Deployed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Deployed::Migrations(m) if m.is_empty() => f.write_str("up to date"),
            Deployed::Migrations(m) => write!(
                f,
                "applied {} migration{} ({})",
                m.len(),
                if m.len() == 1 { "" } else { "s" },
                m.join(", ")
            ),
            Deployed::Pushed(r) => {
                match r.statements {
                    0 => f.write_str("schema already in place")?,
                    1 => f.write_str("schema pushed (1 statement)")?,
                    n => write!(f, "schema pushed ({n} statements)")?,
                }
                if !r.accepted.is_empty() {
                    write!(f, "; data loss accepted: {}", r.accepted.join(" "))?;
                }
                if !r.kept.is_empty() {
                    write!(
                        f,
                        "; tables not in the schema left alone: {}",
                        r.kept.join(", ")
                    )?;
                }
                Ok(())
            }
        }
    }
}

/// The provider a URL names (`sqlite`, `postgresql`, `mysql`).
pub(crate) fn provider_of(url: &str) -> Option<&'static str> {
    crate::Dialect::of_url(url).map(crate::Dialect::as_str)
}

impl Datasource {
    /// The URL: the environment variable, else its line in `.env` in the current directory (as
    /// Prisma reads it; the process environment is not changed), or the literal.
    ///
    /// # Errors
    /// [`ErrorKind::Configuration`] naming the variable when it is not set.
    pub fn url(&self) -> Result<String> {
        match self.env {
            Some(var) => sovereign_migrate::url::env_var(var, &[Path::new(".")])
                .ok_or_else(|| Error::missing_env(var)),
            None => Ok(self.url.to_string()),
        }
    }

    /// The directory relative SQLite paths (`file:./dev.db`, `file:dev.db`) resolve against:
    /// the one given to [`Datasource::set_base_dir`], else the current directory (`.`, read
    /// when the database is opened). Never the schema's folder, as Prisma's CLI has it: a
    /// deployed binary has no such folder, and the build machine's means nothing elsewhere.
    pub fn base_dir(&self) -> &Path {
        self.base.get().map_or(Path::new("."), PathBuf::as_path)
    }

    /// Sets the directory relative SQLite paths resolve against, for every later
    /// [`connect`](Datasource::connect) and [`deploy`](Datasource::deploy) of this datasource
    /// (and a [`Host`](crate::Host) built over it). A relative `dir` is made absolute now,
    /// against the current directory, so a later change of directory does not move the
    /// database. Setting the same directory again is allowed.
    ///
    /// ```no_run
    /// # mod db { pub static DATASOURCE: sovereign::Datasource = sovereign::Datasource {
    /// #     provider: "sqlite", env: None, url: "file:./app.db", schema: "", migrations: &[],
    /// #     base: std::sync::OnceLock::new() }; }
    /// // `file:./app.db` is now /var/lib/myapp/app.db, wherever the binary was built or started.
    /// db::DATASOURCE.set_base_dir("/var/lib/myapp")?;
    /// # Ok::<(), sovereign::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`ErrorKind::Configuration`] when the base was already set to another directory (it is
    /// set once, before the first connection), or the current directory cannot be read.
    pub fn set_base_dir(&self, dir: impl AsRef<Path>) -> Result<()> {
        let dir = std::path::absolute(dir.as_ref()).map_err(|e| {
            Error::new(
                ErrorKind::Configuration,
                format!("cannot resolve {}: {e}", dir.as_ref().display()),
            )
        })?;
        let set = self.base.get_or_init(|| dir.clone());
        if *set == dir {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::Configuration,
                format!(
                    "the SQLite base directory of this datasource is already {}; it is set once, before the first connection (asked for {})",
                    set.display(),
                    dir.display()
                ),
            ))
        }
    }

    /// Connects to [`Datasource::url`], with the read replicas listed in `<VAR>_REPLICAS`
    /// when its URL comes from `env("VAR")` (see [`Database::with_replicas`]).
    ///
    /// # Errors
    /// See [`Database::connect`] and [`Database::connect_replicas`].
    pub async fn connect(&self) -> Result<Database> {
        let db = Database::connect_relative(&self.url()?, self.base_dir()).await?;
        let replicas = crate::plugin::replicas_from_env(self.env);
        if replicas.is_empty() {
            return Ok(db);
        }
        db.connect_replicas(&replicas, self.base_dir(), &crate::ConnectOptions::new())
            .await
    }

    /// The embedded migrations that the database at `url` has not applied, in order, read from
    /// its migration history (`_prisma_migrations`): one query, no lock, nothing written. None
    /// when the database gets the schema pushed instead (another provider than the migrations',
    /// or no migrations), since it then has no history to compare.
    ///
    /// # Errors
    /// The database cannot be reached, or its history cannot be read.
    pub async fn missing_migrations(&self, url: &str) -> Result<Vec<&'static str>> {
        let url = sovereign_migrate::url::with_base(url, self.base_dir());
        if self.migrations.is_empty() || provider_of(&url).unwrap_or(self.provider) != self.provider
        {
            return Ok(Vec::new());
        }
        let read = |e: &dyn std::fmt::Display| {
            Error::new(
                ErrorKind::Connection,
                format!("reading the migration history of {}: {e}", redact(&url)),
            )
        };
        if sovereign_migrate::url::sqlite_file(&url).is_some_and(|f| !Path::new(f).exists()) {
            // A SQLite file that does not exist has applied nothing; do not create it here.
            return Ok(self.migrations.iter().map(|(name, _)| *name).collect());
        }
        let mut conn = sovereign_migrate::Connection::connect(&url)
            .await
            .map_err(|e| read(&e))?;
        let applied: Vec<String> = if conn.has_history_table().await.map_err(|e| read(&e))? {
            conn.history()
                .await
                .map_err(|e| read(&e))?
                .into_iter()
                .filter(|h| h.finished && !h.rolled_back)
                .map(|h| h.name)
                .collect()
        } else {
            Vec::new()
        };
        Ok(self
            .migrations
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| !applied.iter().any(|a| a == name))
            .collect())
    }

    /// Refuses a database that has not applied every migration this binary embeds, naming them
    /// and `command`, which applies them: the first query would otherwise fail on a missing
    /// table or column. `what` names the database in the message.
    pub(crate) async fn require_migrations(
        &self,
        url: &str,
        what: &str,
        command: &str,
    ) -> Result<()> {
        let missing = self.missing_migrations(url).await?;
        if missing.is_empty() {
            return Ok(());
        }
        let n = missing.len();
        Err(Error::new(
            ErrorKind::Configuration,
            format!(
                "{what} is behind this build: {n} migration{} the binary was built with {} not applied: {}. Apply {} with `{command}`, or start the host with `deploy_migrations(true)`",
                if n == 1 { "" } else { "s" },
                if n == 1 { "is" } else { "are" },
                missing.join(", "),
                if n == 1 { "it" } else { "them" },
            ),
        ))
    }

    /// Brings the database at `url` up to date with the default options (see
    /// [`Datasource::deploy_with`]).
    ///
    /// # Errors
    /// See [`Datasource::deploy_with`].
    pub async fn deploy(&self, url: &str) -> Result<Deployed> {
        self.deploy_with(url, &sovereign_migrate::MigrateOptions::default())
            .await
    }

    /// Brings the database at `url` up to date: applies the pending embedded migrations under
    /// Prisma's history table and the migration lock (concurrent starts apply each migration
    /// once). When `url` names another provider than the migrations were written for, or there
    /// are no migrations yet, it pushes the schema instead, as `prisma db push` does: under the
    /// same lock, refusing steps that lose data unless `options.accept_data_loss`, and never
    /// dropping tables the schema does not name.
    ///
    /// # Errors
    /// A failed or blocked migration, a refused push (what it refused and how to opt in), a lock
    /// held too long, an unreachable database.
    pub async fn deploy_with(
        &self,
        url: &str,
        options: &sovereign_migrate::MigrateOptions,
    ) -> Result<Deployed> {
        let url = sovereign_migrate::url::with_base(url, self.base_dir());
        let migrate_err = |e: sovereign_migrate::Error| {
            let kind = match e {
                sovereign_migrate::Error::Connect { .. } => ErrorKind::Connection,
                sovereign_migrate::Error::LockTimeout { .. } => ErrorKind::Timeout,
                _ => ErrorKind::Database { code: None },
            };
            Error::new(kind, format!("migrating {}: {e}", redact(&url)))
        };
        if let Some(parent) = sqlite_parent(&url) {
            std::fs::create_dir_all(&parent).map_err(|e| {
                Error::new(
                    ErrorKind::Configuration,
                    format!("cannot create {}: {e}", parent.display()),
                )
            })?;
        }
        let mut conn = sovereign_migrate::Connection::connect(&url)
            .await
            .map_err(migrate_err)?;
        let target = provider_of(&url).unwrap_or(self.provider);
        if target == self.provider && !self.migrations.is_empty() {
            let migrations: Vec<sovereign_migrate::Migration> = self
                .migrations
                .iter()
                .map(|(name, sql)| sovereign_migrate::Migration::new(*name, *sql))
                .collect();
            let report =
                sovereign_migrate::deploy_with(&mut conn, &migrations, options, &mut |_| {})
                    .await
                    .map_err(migrate_err)?;
            return Ok(Deployed::Migrations(report.applied));
        }
        // Another provider, or no migrations: the schema's tables, pushed. The schema is the
        // same; only the SQL it implies is computed for the database at hand.
        let (schema, _) = sovereign_schema::check("schema.prisma", self.schema).map_err(|r| {
            Error::new(
                ErrorKind::Configuration,
                format!("the embedded schema is invalid:\n{}", r.render()),
            )
        })?;
        let want = sovereign_migrate::sql_schema(&schema, conn.dialect());
        let report = sovereign_migrate::push(&mut conn, &want, options)
            .await
            .map_err(migrate_err)?;
        Ok(Deployed::Pushed(report))
    }
}

fn sqlite_parent(url: &str) -> Option<std::path::PathBuf> {
    let path = Path::new(sovereign_migrate::url::sqlite_file(url)?);
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn datasource() -> Datasource {
        Datasource {
            provider: "sqlite",
            env: None,
            url: "file:./app.db",
            schema: "",
            migrations: &[],
            base: OnceLock::new(),
        }
    }

    #[test]
    fn without_a_base_relative_paths_are_relative_to_the_current_directory() {
        let ds = datasource();
        assert_eq!(ds.base_dir(), Path::new("."));
        assert_eq!(
            sovereign_migrate::url::with_base(ds.url, ds.base_dir()),
            "file:./app.db"
        );
        assert_eq!(
            sovereign_migrate::url::with_base("file:app.db", ds.base_dir()),
            "file:./app.db"
        );
    }

    #[test]
    fn the_base_is_made_absolute_once_and_set_once() {
        let ds = datasource();
        ds.set_base_dir("data").unwrap();
        let expected = std::env::current_dir().unwrap().join("data");
        assert_eq!(ds.base_dir(), expected);
        ds.set_base_dir(&expected)
            .expect("the same directory again");
        let err = ds.set_base_dir("elsewhere").unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Configuration);
        assert!(err.to_string().contains("is already"), "{err}");
        assert_eq!(ds.base_dir(), expected);
    }

    #[test]
    fn only_relative_sqlite_paths_move_with_the_base() {
        let base = Path::new("/srv/app");
        assert_eq!(
            sovereign_migrate::url::with_base("file:./a.db", base),
            "file:/srv/app/a.db"
        );
        assert_eq!(
            sovereign_migrate::url::with_base("file:data/a.db?mode=rwc", base),
            "file:/srv/app/data/a.db?mode=rwc"
        );
        assert_eq!(
            sovereign_migrate::url::with_base("file:/var/a.db", base),
            "file:/var/a.db"
        );
        assert_eq!(
            sovereign_migrate::url::with_base("file::memory:", base),
            "file::memory:"
        );
        assert_eq!(
            sovereign_migrate::url::with_base("postgresql://u@h/db", base),
            "postgresql://u@h/db"
        );
    }
}
