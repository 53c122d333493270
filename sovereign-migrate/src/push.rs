//! Schema push, as `prisma db push` does it, made safe to run on every start: it takes the
//! migration lock, computes the steps from the live database to the schema, checks them against
//! the data, refuses what would lose data unless the caller opted in, and runs the rest in one
//! transaction where the database allows it.
//!
//! One deliberate difference from `prisma db push`: tables (and PostgreSQL enums) in the
//! database that the schema does not name are never dropped, with or without the opt-in. A push
//! is what the runtime does when a database's provider differs from the migrations', and such a
//! database may well hold other tables; they are listed in the report instead.

use crate::apply::apply_script;
use crate::connection::Connection;
use crate::destructive::{check, Checks};
use crate::diff::diff;
use crate::error::Error;
use crate::options::MigrateOptions;
use crate::sql::SqlSchema;
use crate::step::Step;

/// What a push did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PushReport {
    /// Statements run (none when the database already matched).
    pub statements: usize,
    /// Data-loss steps that ran because the caller opted in.
    pub accepted: Vec<String>,
    /// Tables in the database that the schema does not name, left alone.
    pub kept: Vec<String>,
}

/// Brings the database on `conn` to `target` (see the module's documentation).
///
/// # Errors
/// [`Error::DataLoss`] (nothing changed) when a step would lose data and the caller did
/// not opt in, or cannot run on the data at all; [`Error::PushFailed`] when the database
/// refuses a step; a lock timeout; the database's error.
pub async fn push(
    conn: &mut Connection,
    target: &SqlSchema,
    options: &MigrateOptions,
) -> Result<PushReport, Error> {
    let lock = conn.lock(options.lock_timeout).await?;
    let result = push_locked(conn, target, options).await;
    let unlocked = conn.unlock(lock).await;
    let report = result?;
    unlocked?;
    Ok(report)
}

/// What a push would do, without doing it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushPlan {
    /// The steps, in order (none when the database matches).
    pub steps: Vec<Step>,
    /// What the destructive-change checker says of them.
    pub checks: Checks,
    /// Tables in the database that the schema does not name (left alone).
    pub kept: Vec<String>,
}

impl PushPlan {
    /// The steps as a script.
    pub fn script(&self, dialect: crate::Dialect) -> String {
        crate::render::script(&self.steps, dialect)
    }
}

/// The steps a push would run, and what the checker says of them, without running anything.
///
/// # Errors
/// The database's error.
pub async fn plan(conn: &mut Connection, target: &SqlSchema) -> Result<PushPlan, Error> {
    conn.set_namespaces(target.namespaces.clone());
    let live = conn.introspect().await?;
    let (managed, kept) = managed_part(&live, target);
    let steps = diff(&managed, target, conn.dialect());
    let checks = check(conn, &live, &steps).await?;
    Ok(PushPlan {
        steps,
        checks,
        kept,
    })
}

/// The part of the live schema the target names, and the names of the tables it does not.
fn managed_part(live: &SqlSchema, target: &SqlSchema) -> (SqlSchema, Vec<String>) {
    let kept = live
        .tables
        .iter()
        .filter(|t| target.same(t).is_none())
        .map(|t| t.name.clone())
        .collect();
    let managed = SqlSchema {
        namespaces: live.namespaces.clone(),
        enums: live
            .enums
            .iter()
            .filter(|e| target.same_enum(e).is_some())
            .cloned()
            .collect(),
        tables: live
            .tables
            .iter()
            .filter(|t| target.same(t).is_some())
            .cloned()
            .collect(),
    };
    (managed, kept)
}

async fn push_locked(
    conn: &mut Connection,
    target: &SqlSchema,
    options: &MigrateOptions,
) -> Result<PushReport, Error> {
    let PushPlan {
        steps,
        checks,
        kept,
    } = plan(conn, target).await?;
    let mut report = PushReport {
        kept,
        ..PushReport::default()
    };
    if steps.is_empty() {
        return Ok(report);
    }
    let dialect = conn.dialect();
    if !checks.unexecutable.is_empty() || (!checks.warnings.is_empty() && !options.accept_data_loss)
    {
        return Err(Error::DataLoss {
            warnings: checks.warnings,
            unexecutable: checks.unexecutable,
        });
    }
    apply_script(conn, &crate::render::script(&steps, dialect))
        .await
        .map_err(|e| Error::PushFailed {
            message: crate::apply::message(&e),
            rolled_back: dialect != crate::Dialect::Mysql,
        })?;
    report.statements = steps
        .iter()
        .map(|s| crate::render::statements(s, dialect))
        .sum();
    report.accepted = checks.warnings;
    Ok(report)
}
