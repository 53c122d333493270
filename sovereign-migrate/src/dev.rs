//! `migrate dev`: replay the history in a shadow database (in memory for SQLite, a temporary
//! database for PostgreSQL and MySQL, always dropped afterwards), detect drift between the history and the
//! development database, and plan the next migration with Prisma's data-loss warnings.

use crate::deploy::{redact, Connection, DeployError};
use crate::diff::{diff_script, diff_summary};
use crate::folder::Migration;
use crate::sql::{Dialect, IndexKind, SqlSchema};
use std::time::{SystemTime, UNIX_EPOCH};

/// A throwaway database the history is replayed into.
pub struct Shadow {
    pub conn: Connection,
    /// The server connection and database name to drop (PostgreSQL).
    cleanup: Option<(String, String)>,
}

fn replace_database(url: &str, db: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let start = base.find("://").map_or(0, |i| i + 3);
    let path = base[start..].find('/').map_or(base.len(), |i| start + i);
    let mut out = format!("{}/{db}", &base[..path]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

impl Shadow {
    /// Creates the shadow database next to the development database `url`.
    ///
    /// # Errors
    /// The server refusing to create a database.
    pub async fn create(url: &str, dialect: Dialect) -> Result<Shadow, DeployError> {
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
        let admin = replace_database(url, maintenance);
        let mut server = Connection::connect(&admin).await?;
        server
            .execute_script(&format!("CREATE DATABASE {}", dialect.quote(&name)))
            .await
            .map_err(|e| DeployError::Connect {
                url: format!("{} (creating the shadow database)", redact(&admin)),
                source: e,
            })?;
        let conn = Connection::connect(&replace_database(url, &name)).await?;
        Ok(Shadow {
            conn,
            cleanup: Some((admin, name)),
        })
    }

    /// Drops the shadow database.
    ///
    /// # Errors
    /// The server refusing to drop it.
    pub async fn drop(self) -> Result<(), DeployError> {
        drop(self.conn);
        if let Some((admin, name)) = self.cleanup {
            let mut server = Connection::connect(&admin).await?;
            let sql = if admin.starts_with("mysql") {
                format!("DROP DATABASE IF EXISTS `{name}`")
            } else {
                format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")
            };
            server.execute_script(&sql).await?;
        }
        Ok(())
    }
}

/// Applies every migration to a fresh database and returns the resulting schema.
///
/// # Errors
/// A migration that does not apply cleanly, named, with the database's message.
pub async fn replay(
    shadow: &mut Connection,
    migrations: &[Migration],
) -> Result<SqlSchema, DeployError> {
    for m in migrations {
        shadow
            .execute_script(&m.sql)
            .await
            .map_err(|e| DeployError::Replay {
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

async fn count(conn: &mut Connection, sql: &str) -> Result<i64, DeployError> {
    let rows = conn.strings(sql).await?;
    Ok(rows
        .first()
        .and_then(|r| r.first())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0))
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
) -> Result<DevPlan, DeployError> {
    let dialect = dev.dialect();
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
    plan.script = diff_script(&history, target, dialect);
    let q = |s: &str| dialect.quote(s);
    // Data checks run against the development database, for tables it has.
    for old in &history.tables {
        let Some(live_t) = live.table(&old.name) else {
            continue;
        };
        let rows = count(
            dev,
            &format!("SELECT CAST(COUNT(*) AS CHAR(20)) FROM {}", q(&live_t.name)),
        )
        .await?;
        match target.table(&old.name) {
            None => {
                if rows > 0 {
                    plan.warnings.push(format!(
                        "You are about to drop the `{}` table, which is not empty ({rows} rows).",
                        old.name
                    ));
                }
            }
            Some(new) => {
                for c in &old.columns {
                    match new.column(&c.name) {
                        None if rows > 0 => plan.warnings.push(format!(
                            "You are about to drop the column `{}` on the `{}` table, which still contains {rows} non-null values.",
                            c.name, old.name
                        )),
                        Some(n) if n.ty != c.ty && rows > 0 => plan.warnings.push(format!(
                            "You are about to alter the column `{}` on the `{}` table, which contains {rows} non-null values. The data in that column will be cast from `{}` to `{}`.",
                            c.name, old.name, c.ty, n.ty
                        )),
                        Some(n) if c.nullable && !n.nullable => {
                            let nulls = count(
                                dev,
                                &format!(
                                    "SELECT CAST(COUNT(*) AS CHAR(20)) FROM {} WHERE {} IS NULL",
                                    q(&old.name),
                                    q(&c.name)
                                ),
                            )
                            .await?;
                            if nulls > 0 && n.default.is_none() {
                                plan.unexecutable.push(format!(
                                    "Made the column `{}` on table `{}` required, but there are {nulls} existing NULL values.",
                                    c.name, old.name
                                ));
                            }
                        }
                        _ => {}
                    }
                }
                for c in new.columns.iter().filter(|c| old.column(&c.name).is_none()) {
                    if rows > 0 && !c.nullable && c.default.is_none() && !c.autoincrement {
                        plan.unexecutable.push(format!(
                            "Added the required column `{}` to the `{}` table without a default value. There are {rows} rows in this table, it is not possible to execute this step.",
                            c.name, new.name
                        ));
                    }
                }
                for i in new
                    .indexes
                    .iter()
                    .filter(|i| i.kind == IndexKind::Unique && !old.indexes.contains(i))
                {
                    if rows > 0 {
                        let cols: Vec<&str> = i.columns.iter().map(|c| c.name.as_str()).collect();
                        plan.warnings.push(format!(
                            "A unique constraint covering the columns `[{}]` on the table `{}` will be added. If there are existing duplicate values, this will fail.",
                            cols.join(","),
                            new.name
                        ));
                    }
                }
            }
        }
    }
    Ok(plan)
}
