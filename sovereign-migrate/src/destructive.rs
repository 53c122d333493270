//! The destructive-change checker: which [`Step`]s lose data, or cannot run at all, given the
//! data in the database. `migrate dev` writes its findings into the new
//! migration's header (Prisma's wording) and needs `--accept-data-loss` for the first kind; a
//! schema push refuses both unless the user opts in to the first.

use crate::connection::Connection;
use crate::error::Error;
use crate::sql::{Column, Index, IndexKind, QualifiedName, SqlSchema};
use crate::step::{Redefinition, Step, TableChange};

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

async fn count(conn: &mut Connection, sql: &str) -> Result<i64, Error> {
    Ok(conn
        .string(sql)
        .await?
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0))
}

/// Row counts, read once per table.
struct Rows<'a> {
    conn: &'a mut Connection,
    live: &'a SqlSchema,
    counted: Vec<(QualifiedName, i64)>,
}

impl Rows<'_> {
    /// Rows of `table` in the database (0 for a table it does not have).
    async fn of(&mut self, table: &QualifiedName) -> Result<i64, Error> {
        if let Some((_, n)) = self.counted.iter().find(|(t, _)| t == table) {
            return Ok(*n);
        }
        let present = self
            .live
            .tables
            .iter()
            .any(|t| t.name == table.name && t.namespace == table.namespace);
        let n = match present {
            false => 0,
            true => {
                let q = table.quoted(self.conn.dialect());
                count(
                    self.conn,
                    &format!("SELECT CAST(COUNT(*) AS CHAR(20)) FROM {q}"),
                )
                .await?
            }
        };
        self.counted.push((table.clone(), n));
        Ok(n)
    }

    /// NULLs in a column.
    async fn nulls(&mut self, table: &QualifiedName, column: &str) -> Result<i64, Error> {
        if self.of(table).await? == 0 {
            return Ok(0);
        }
        let d = self.conn.dialect();
        count(
            self.conn,
            &format!(
                "SELECT CAST(COUNT(*) AS CHAR(20)) FROM {} WHERE {} IS NULL",
                table.quoted(d),
                d.quote(column)
            ),
        )
        .await
    }
}

/// Checks `steps` against the data of the database on `conn`, whose current schema is `live`
/// (tables it lacks hold no data). The messages are Prisma's.
///
/// # Errors
/// The database's error.
pub async fn check(
    conn: &mut Connection,
    live: &SqlSchema,
    steps: &[Step],
) -> Result<Checks, Error> {
    let mut rows = Rows {
        conn,
        live,
        counted: Vec::new(),
    };
    let mut out = Checks::default();
    for step in steps {
        match step {
            Step::DropTable { name } => {
                let n = rows.of(name).await?;
                if n > 0 {
                    out.warnings.push(format!(
                        "You are about to drop the `{}` table, which is not empty ({n} rows).",
                        name.name
                    ));
                }
            }
            Step::AddColumn { table, column } => {
                added(&mut rows, &mut out, table, column).await?;
            }
            Step::AlterTable { table, changes } => {
                for change in changes {
                    match change {
                        TableChange::DropColumn(c) => {
                            dropped(&mut rows, &mut out, table, &c.name).await?
                        }
                        TableChange::AddColumn(c) => added(&mut rows, &mut out, table, c).await?,
                        TableChange::SetType { column, from, to } => {
                            retyped(&mut rows, &mut out, table, column, from, to).await?
                        }
                        TableChange::SetNotNull {
                            column,
                            has_default,
                        } => required(&mut rows, &mut out, table, column, *has_default).await?,
                        TableChange::Modify { from, to } => {
                            if from.ty != to.ty {
                                retyped(&mut rows, &mut out, table, &to.name, &from.ty, &to.ty)
                                    .await?;
                            } else if from.nullable && !to.nullable {
                                required(
                                    &mut rows,
                                    &mut out,
                                    table,
                                    &to.name,
                                    to.default.is_some(),
                                )
                                .await?;
                            }
                        }
                        _ => {}
                    }
                }
            }
            Step::RedefineTables(tables) => {
                for Redefinition { old, new } in tables {
                    for c in &old.columns {
                        match new.column(&c.name) {
                            None => dropped(&mut rows, &mut out, &old.qualified(), &c.name).await?,
                            Some(n) if n.ty != c.ty => {
                                retyped(
                                    &mut rows,
                                    &mut out,
                                    &old.qualified(),
                                    &c.name,
                                    &c.ty,
                                    &n.ty,
                                )
                                .await?
                            }
                            Some(n) if c.nullable && !n.nullable => {
                                required(
                                    &mut rows,
                                    &mut out,
                                    &old.qualified(),
                                    &c.name,
                                    n.default.is_some(),
                                )
                                .await?
                            }
                            _ => {}
                        }
                    }
                    for c in new.columns.iter().filter(|c| old.column(&c.name).is_none()) {
                        added(&mut rows, &mut out, &new.qualified(), c).await?;
                    }
                    for i in new
                        .indexes
                        .iter()
                        .filter(|i| i.kind == IndexKind::Unique && !old.indexes.contains(i))
                    {
                        unique(&mut rows, &mut out, &new.qualified(), i).await?;
                    }
                }
            }
            Step::CreateIndex {
                table,
                index,
                existing_table: true,
            } if index.kind == IndexKind::Unique => {
                unique(&mut rows, &mut out, table, index).await?;
            }
            _ => {}
        }
    }
    Ok(out)
}

async fn dropped(
    rows: &mut Rows<'_>,
    out: &mut Checks,
    table: &QualifiedName,
    column: &str,
) -> Result<(), Error> {
    let n = rows.of(table).await?;
    if n > 0 {
        out.warnings.push(format!(
            "You are about to drop the column `{column}` on the `{}` table, which still contains {n} non-null values.",
            table.name
        ));
    }
    Ok(())
}

async fn retyped(
    rows: &mut Rows<'_>,
    out: &mut Checks,
    table: &QualifiedName,
    column: &str,
    from: &str,
    to: &str,
) -> Result<(), Error> {
    let n = rows.of(table).await?;
    if n > 0 {
        out.warnings.push(format!(
            "You are about to alter the column `{column}` on the `{}` table, which contains {n} non-null values. The data in that column will be cast from `{from}` to `{to}`.",
            table.name
        ));
    }
    Ok(())
}

async fn required(
    rows: &mut Rows<'_>,
    out: &mut Checks,
    table: &QualifiedName,
    column: &str,
    has_default: bool,
) -> Result<(), Error> {
    let nulls = rows.nulls(table, column).await?;
    if nulls > 0 && !has_default {
        out.unexecutable.push(format!(
            "Made the column `{column}` on table `{}` required, but there are {nulls} existing NULL values.",
            table.name
        ));
    }
    Ok(())
}

async fn added(
    rows: &mut Rows<'_>,
    out: &mut Checks,
    table: &QualifiedName,
    c: &Column,
) -> Result<(), Error> {
    if !c.nullable && c.default.is_none() && !c.autoincrement {
        let n = rows.of(table).await?;
        if n > 0 {
            out.unexecutable.push(format!(
                "Added the required column `{}` to the `{}` table without a default value. There are {n} rows in this table, it is not possible to execute this step.",
                c.name,
                table.name
            ));
        }
    }
    Ok(())
}

async fn unique(
    rows: &mut Rows<'_>,
    out: &mut Checks,
    table: &QualifiedName,
    i: &Index,
) -> Result<(), Error> {
    if rows.of(table).await? > 0 {
        let cols: Vec<&str> = i.columns.iter().map(|c| c.name.as_str()).collect();
        out.warnings.push(format!(
            "A unique constraint covering the columns `[{}]` on the table `{}` will be added. If there are existing duplicate values, this will fail.",
            cols.join(","),
            table.name
        ));
    }
    Ok(())
}
