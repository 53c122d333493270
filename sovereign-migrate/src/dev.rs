//! `migrate dev`: replay the history in a shadow database (in memory for SQLite, a temporary
//! database for PostgreSQL and MySQL, always dropped afterwards), detect drift between the
//! history and the development database, and plan the next migration with Prisma's data-loss
//! warnings.

use crate::connection::Connection;
use crate::diff::{diff, diff_summary};
use crate::error::Error;
use crate::folder::Migration;
use crate::sql::{Dialect, SqlSchema};
use crate::url::{redact, with_database};
use std::time::{SystemTime, UNIX_EPOCH};

/// A throwaway database the history is replayed into, so that the history's schema can be
/// read without touching the development database.
///
/// Call [`Shadow::drop`] when done, whether or not the work succeeded: dropping a server's
/// database needs a connection and an `await`, which Rust's `Drop` cannot do.
pub struct Shadow {
    /// The connection to the shadow database, to replay the history into.
    pub conn: Connection,
    /// The database to drop (PostgreSQL and MySQL; SQLite's shadow is in memory and goes with
    /// the connection).
    cleanup: Option<Cleanup>,
}

/// A shadow database on a server, dropped by [`Shadow::drop`], or, if the shadow goes away
/// without it (an early return, a panic), when this guard is dropped: a shadow database is
/// never left behind on the server.
struct Cleanup {
    admin: String,
    name: String,
    done: bool,
}

impl Cleanup {
    fn sql(&self) -> String {
        if Dialect::of_url(&self.admin) == Some(Dialect::Mysql) {
            format!("DROP DATABASE IF EXISTS `{}`", self.name)
        } else {
            format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name)
        }
    }

    async fn run(&mut self) -> Result<(), Error> {
        let mut server = Connection::connect(&self.admin).await?;
        server.execute_script(&self.sql()).await?;
        self.done = true;
        Ok(())
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let (admin, sql) = (self.admin.clone(), self.sql());
        // From a thread of its own, which works inside and outside an async runtime.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let mut server = Connection::connect(&admin).await.ok()?;
                server.execute_script(&sql).await.ok()
            })
        })
        .join();
    }
}

impl Shadow {
    /// Creates the shadow database next to the development database `url`.
    ///
    /// # Errors
    /// The server refusing to create a database.
    pub async fn create(url: &str, dialect: Dialect) -> Result<Shadow, Error> {
        // The database to connect to while creating and dropping the shadow.
        let maintenance = match dialect {
            Dialect::Sqlite => {
                return Ok(Shadow {
                    conn: Connection::connect("file::memory:").await?,
                    cleanup: None,
                })
            }
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
        };
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!("prisma_migrate_shadow_db_{}_{nanos}", std::process::id());
        let admin = with_database(url, maintenance);
        let mut server = Connection::connect(&admin).await?;
        server
            .execute_script(&format!("CREATE DATABASE {}", dialect.quote(&name)))
            .await
            .map_err(|e| Error::Connect {
                url: format!("{} (creating the shadow database)", redact(&admin)),
                source: e,
            })?;
        let conn = Connection::connect(&with_database(url, &name)).await?;
        Ok(Shadow {
            conn,
            cleanup: Some(Cleanup {
                admin,
                name,
                done: false,
            }),
        })
    }

    /// The shadow database's name on the server (`None` for SQLite's, which is in memory).
    pub fn database(&self) -> Option<&str> {
        self.cleanup.as_ref().map(|c| c.name.as_str())
    }

    /// Drops the shadow database.
    ///
    /// # Errors
    /// The server refusing to drop it.
    pub async fn drop(self) -> Result<(), Error> {
        drop(self.conn);
        if let Some(mut cleanup) = self.cleanup {
            cleanup.run().await?;
        }
        Ok(())
    }
}

/// Applies every migration to a fresh database and returns the resulting schema.
///
/// # Errors
/// A migration that does not apply cleanly, named, with the database's message.
pub async fn replay(shadow: &mut Connection, migrations: &[Migration]) -> Result<SqlSchema, Error> {
    for m in migrations {
        shadow
            .execute_script(&m.sql)
            .await
            .map_err(|e| Error::Replay {
                migration: m.name.clone(),
                message: e.to_string(),
            })?;
    }
    Ok(shadow.introspect().await?)
}

/// What `migrate dev` found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DevPlan {
    /// Differences between the replayed history and the development database, when every
    /// migration of the history is applied there.
    pub drift: Vec<String>,
    /// The next migration's SQL (empty when the schema matches the history).
    pub script: String,
    /// Steps that lose data (need `--accept-data-loss`).
    pub warnings: Vec<String>,
    /// Steps that cannot run on the current data.
    pub unexecutable: Vec<String>,
}

impl DevPlan {
    /// The script with Prisma's warnings header.
    pub fn migration_sql(&self) -> String {
        if self.warnings.is_empty() && self.unexecutable.is_empty() {
            return self.script.clone();
        }
        let mut out = String::from("/*\n  Warnings:\n\n");
        for w in self.warnings.iter().chain(&self.unexecutable) {
            out.push_str(&format!("  - {w}\n"));
        }
        out.push_str("\n*/\n");
        out.push_str(&self.script);
        out
    }
}

/// Plans the next migration: replays the history in the shadow, checks drift against the
/// development database, diffs the history to `target`, and checks the steps against the data.
///
/// # Errors
/// A history that does not replay, or the database's error.
pub async fn plan(
    dev: &mut Connection,
    shadow: &mut Connection,
    migrations: &[Migration],
    target: &SqlSchema,
) -> Result<DevPlan, Error> {
    let dialect = dev.dialect();
    dev.set_namespaces(target.namespaces.clone());
    shadow.set_namespaces(target.namespaces.clone());
    let history = replay(shadow, migrations).await?;
    dev.ensure_history_table().await?;
    let applied = dev.history().await?;
    let all_applied = migrations.iter().all(|m| {
        applied
            .iter()
            .any(|a| a.name == m.name && a.finished && !a.rolled_back)
    });
    let live = dev.introspect().await?;
    let mut plan = DevPlan::default();
    if all_applied {
        plan.drift = diff_summary(&history, &live);
    }
    let steps = diff(&history, target, dialect);
    plan.script = crate::render::script(&steps, dialect);
    let checks = crate::destructive::check(dev, &live, &steps).await?;
    plan.warnings = checks.warnings;
    plan.unexecutable = checks.unexecutable;
    Ok(plan)
}
