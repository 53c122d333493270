//! A schema's datasource as the generated code embeds it: where its URL comes from, its schema
//! text and its migrations, and how to bring a database up to date with them.

use std::path::Path;

use crate::db::Database;
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
    /// The schema's directory at build time: relative SQLite paths resolve against it, as in
    /// Prisma.
    pub base: &'static str,
    /// The schema text.
    pub schema: &'static str,
    /// `migrations/<name>/migration.sql`, in order.
    pub migrations: &'static [(&'static str, &'static str)],
}

/// What bringing a database up to date did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deployed {
    /// Migrations applied now (none when the database was current).
    Migrations(Vec<String>),
    /// The database's provider differs from the migrations', or there are none: the schema
    /// was pushed instead (the statements run; none when the database already matched).
    Pushed(usize),
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
            Deployed::Pushed(0) => f.write_str("schema already in place"),
            Deployed::Pushed(1) => f.write_str("schema pushed (1 statement)"),
            Deployed::Pushed(n) => write!(f, "schema pushed ({n} statements)"),
        }
    }
}

/// The provider a URL names.
pub(crate) fn provider_of(url: &str) -> Option<&'static str> {
    match url.split_once(':').map(|(s, _)| s)? {
        "file" | "sqlite" => Some("sqlite"),
        "postgres" | "postgresql" => Some("postgresql"),
        "mysql" | "mariadb" => Some("mysql"),
        _ => None,
    }
}

impl Datasource {
    /// The URL: the environment variable (after loading `.env` as Prisma does) or the literal.
    ///
    /// # Errors
    /// [`ErrorKind::Configuration`] naming the variable when it is not set.
    pub fn url(&self) -> Result<String> {
        match self.env {
            Some(var) => {
                crate::db::load_dotenv(Path::new(".env"));
                std::env::var(var).map_err(|_| Error::missing_env(var))
            }
            None => Ok(self.url.to_string()),
        }
    }

    /// The directory relative SQLite paths resolve against: the schema's, where it still
    /// exists, else the current directory.
    pub fn base_dir(&self) -> &Path {
        let base = Path::new(self.base);
        if base.is_dir() {
            base
        } else {
            Path::new(".")
        }
    }

    /// Connects to [`Datasource::url`].
    ///
    /// # Errors
    /// See [`Database::connect`].
    pub async fn connect(&self) -> Result<Database> {
        Database::connect_relative(&self.url()?, self.base_dir()).await
    }

    /// Brings the database at `url` up to date: applies the pending embedded migrations under
    /// Prisma's history table and advisory lock. When `url` names another provider than the
    /// migrations were written for, or there are no migrations yet, it pushes the schema
    /// instead (creates and alters what differs, as `prisma db push` does).
    ///
    /// # Errors
    /// A failed or blocked migration, an edited history, an unreachable database.
    pub async fn deploy(&self, url: &str) -> Result<Deployed> {
        let url = absolute_sqlite(url, self.base_dir());
        let migrate_err = |e: sovereign_migrate::DeployError| {
            Error::new(
                ErrorKind::Database { code: None },
                format!("migrating {}: {e}", crate::db::redact(&url)),
            )
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
            let report = sovereign_migrate::deploy(&mut conn, &migrations)
                .await
                .map_err(migrate_err)?;
            return Ok(Deployed::Migrations(report.applied));
        }
        // Another provider: the schema's tables, created by diffing the live database.
        let text = self.schema.replacen(
            &format!("provider = \"{}\"", self.provider),
            &format!("provider = \"{target}\""),
            1,
        );
        let (schema, _) = sovereign_schema::check("schema.prisma", &text).map_err(|r| {
            Error::new(
                ErrorKind::Configuration,
                format!("the schema cannot be used with {target}:\n{}", r.render()),
            )
        })?;
        let dialect = conn.dialect();
        let live = conn
            .introspect()
            .await
            .map_err(|e| Error::from_sqlx(e, None))?;
        let want = sovereign_migrate::sql_schema(&schema, dialect);
        let script = sovereign_migrate::diff_script(&live, &want, dialect);
        let statements = script
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with("--"))
            .filter(|l| l.trim_end().ends_with(';'))
            .count();
        if statements > 0 {
            conn.execute_script(&script)
                .await
                .map_err(|e| Error::from_sqlx(e, None))?;
        }
        Ok(Deployed::Pushed(statements))
    }
}

fn absolute_sqlite(url: &str, base: &Path) -> String {
    let Some(rest) = url.strip_prefix("file:") else {
        return url.to_string();
    };
    let path = rest.split('?').next().unwrap_or(rest);
    if path.starts_with('/') || path == ":memory:" {
        return url.to_string();
    }
    format!("file:{}", base.join(path).display())
}

fn sqlite_parent(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("file:")?;
    let path = Path::new(rest.split('?').next().unwrap_or(rest));
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
}
