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
use crate::deploy::MigrateOptions;
use crate::destructive::check;
use crate::diff::diff_script;
use crate::error::DeployError;
use crate::sql::SqlSchema;

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

/// Statements of a script: lines ending a statement, comments aside.
fn statements(script: &str) -> usize {
    script
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with("--"))
        .filter(|l| l.trim_end().ends_with(';'))
        .count()
}

/// Brings the database on `conn` to `target` (see the module's documentation).
///
/// # Errors
/// [`DeployError::DataLoss`] (nothing changed) when a step would lose data and the caller did
/// not opt in, or cannot run on the data at all; [`DeployError::PushFailed`] when the database
/// refuses a step; a lock timeout; the database's error.
pub async fn push(
    conn: &mut Connection,
    target: &SqlSchema,
    options: &MigrateOptions,
) -> Result<PushReport, DeployError> {
    let lock = conn.lock(options.lock_timeout).await?;
    let result = push_locked(conn, target, options).await;
    let unlocked = conn.unlock(lock).await;
    let report = result?;
    unlocked?;
    Ok(report)
}

/// The steps a push would run, and what the checker says of them, without running anything.
///
/// # Errors
/// The database's error.
pub async fn plan(
    conn: &mut Connection,
    target: &SqlSchema,
) -> Result<(String, crate::destructive::Checks, Vec<String>), DeployError> {
    let live = conn.introspect().await?;
    let (managed, kept) = managed_part(&live, target);
    let script = diff_script(&managed, target, conn.dialect());
    let checks = if script.is_empty() {
        Default::default()
    } else {
        check(conn, &live, &managed, target).await?
    };
    Ok((script, checks, kept))
}

/// The part of the live schema the target names, and the names of the tables it does not.
fn managed_part(live: &SqlSchema, target: &SqlSchema) -> (SqlSchema, Vec<String>) {
    let kept = live
        .tables
        .iter()
        .filter(|t| target.table(&t.name).is_none())
        .map(|t| t.name.clone())
        .collect();
    let managed = SqlSchema {
        enums: live
            .enums
            .iter()
            .filter(|e| target.enums.iter().any(|x| x.name == e.name))
            .cloned()
            .collect(),
        tables: live
            .tables
            .iter()
            .filter(|t| target.table(&t.name).is_some())
            .cloned()
            .collect(),
    };
    (managed, kept)
}

async fn push_locked(
    conn: &mut Connection,
    target: &SqlSchema,
    options: &MigrateOptions,
) -> Result<PushReport, DeployError> {
    let (script, checks, kept) = plan(conn, target).await?;
    let mut report = PushReport {
        kept,
        ..PushReport::default()
    };
    if script.is_empty() {
        return Ok(report);
    }
    if !checks.unexecutable.is_empty() || (!checks.warnings.is_empty() && !options.accept_data_loss)
    {
        return Err(DeployError::DataLoss {
            warnings: checks.warnings,
            unexecutable: checks.unexecutable,
        });
    }
    apply_script(conn, &script)
        .await
        .map_err(|e| DeployError::PushFailed {
            message: crate::apply::message(&e),
            rolled_back: conn.dialect() != crate::Dialect::Mysql,
        })?;
    report.statements = statements(&script);
    report.accepted = checks.warnings;
    Ok(report)
}
