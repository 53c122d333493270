//! The destructive-change checker: which steps between two SQL schemas lose data, or cannot run
//! at all, given the data in the database. `migrate dev` writes its findings into the new
//! migration's header (Prisma's wording) and needs `--accept-data-loss` for the first kind; a
//! schema push refuses both unless the user opts in to the first.

use crate::connection::Connection;
use crate::error::DeployError;
use crate::sql::{IndexKind, SqlSchema};

/// What the checker found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Checks {
    /// Steps that lose data (dropping a non-empty table or column, changing a column's type
    /// when it holds values, adding a unique constraint over existing rows).
    pub warnings: Vec<String>,
    /// Steps that cannot run on the current data (a required column without a default added to
    /// a non-empty table, a column made required while it holds NULLs).
    pub unexecutable: Vec<String>,
}

impl Checks {
    /// Nothing lost and nothing that cannot run.
    pub fn is_empty(&self) -> bool {
        self.warnings.is_empty() && self.unexecutable.is_empty()
    }
}

async fn count(conn: &mut Connection, sql: &str) -> Result<i64, DeployError> {
    Ok(conn
        .string(sql)
        .await?
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0))
}

/// Checks the steps from `from` to `to` against the data of the database on `conn`, whose
/// current schema is `live` (tables of `from` that the database lacks hold no data).
///
/// # Errors
/// The database's error.
pub async fn check(
    conn: &mut Connection,
    live: &SqlSchema,
    from: &SqlSchema,
    to: &SqlSchema,
) -> Result<Checks, DeployError> {
    let dialect = conn.dialect();
    let q = |s: &str| dialect.quote(s);
    let mut out = Checks::default();
    for old in &from.tables {
        let Some(live_t) = live.table(&old.name) else {
            continue;
        };
        let rows = count(
            conn,
            &format!("SELECT CAST(COUNT(*) AS CHAR(20)) FROM {}", q(&live_t.name)),
        )
        .await?;
        let Some(new) = to.table(&old.name) else {
            if rows > 0 {
                out.warnings.push(format!(
                    "You are about to drop the `{}` table, which is not empty ({rows} rows).",
                    old.name
                ));
            }
            continue;
        };
        for c in &old.columns {
            match new.column(&c.name) {
                None if rows > 0 => out.warnings.push(format!(
                    "You are about to drop the column `{}` on the `{}` table, which still contains {rows} non-null values.",
                    c.name, old.name
                )),
                Some(n) if n.ty != c.ty && rows > 0 => out.warnings.push(format!(
                    "You are about to alter the column `{}` on the `{}` table, which contains {rows} non-null values. The data in that column will be cast from `{}` to `{}`.",
                    c.name, old.name, c.ty, n.ty
                )),
                Some(n) if c.nullable && !n.nullable => {
                    let nulls = count(
                        conn,
                        &format!(
                            "SELECT CAST(COUNT(*) AS CHAR(20)) FROM {} WHERE {} IS NULL",
                            q(&old.name),
                            q(&c.name)
                        ),
                    )
                    .await?;
                    if nulls > 0 && n.default.is_none() {
                        out.unexecutable.push(format!(
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
                out.unexecutable.push(format!(
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
                out.warnings.push(format!(
                    "A unique constraint covering the columns `[{}]` on the table `{}` will be added. If there are existing duplicate values, this will fail.",
                    cols.join(","),
                    new.name
                ));
            }
        }
    }
    Ok(out)
}
