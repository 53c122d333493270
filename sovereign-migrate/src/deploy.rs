//! Applying migrations: `deploy` under the migration lock, `status`, `resolve` and `reset`, over
//! Prisma's `_prisma_migrations` history table.

use crate::apply::apply_migration;
use crate::connection::{AppliedMigration, BoxFuture, Connection};
pub use crate::error::{Diagnosis, Error};
use crate::folder::Migration;
pub use crate::options::MigrateOptions;

/// What a deploy did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DeployReport {
    /// Migrations applied now, in order.
    pub applied: Vec<String>,
    /// Applied migrations whose local `migration.sql` no longer matches the recorded checksum.
    /// They are not run again (Prisma's `migrate deploy` carries on the same way); `status`
    /// and `migrate dev` report them.
    pub edited: Vec<String>,
}

/// Applies the pending migrations in order, under the migration lock (see [`deploy_with`]).
///
/// # Errors
/// See [`Error`]; the lock is released in every case.
pub fn deploy<'a>(
    conn: &'a mut Connection,
    migrations: &'a [Migration],
) -> BoxFuture<'a, Result<DeployReport, Error>> {
    Box::pin(
        async move { deploy_with(conn, migrations, &MigrateOptions::default(), &mut |_| {}).await },
    )
}

/// Progress of a deploy: the migration about to run, its position among the pending ones.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    /// The migration's folder name.
    pub migration: &'a str,
    /// 1-based position among the pending migrations.
    pub current: usize,
    /// How many are pending.
    pub pending: usize,
}

/// Applies the pending migrations in order, calling `progress` before each. The migration lock
/// is taken before the history is read and held until the last migration is recorded, so
/// concurrent deployers apply each migration exactly once. Each migration and its history row
/// are written together where the database allows it: in one transaction on PostgreSQL and
/// SQLite (unless the script manages transactions itself); MySQL commits every DDL statement on
/// its own, so there the row is written before the script and completed after it. A failure is
/// recorded with the database's message in `logs` and stops the deploy; a failed or interrupted
/// migration in the history blocks it until resolved, with a [`Diagnosis`] of what reached the
/// database.
///
/// # Errors
/// See [`Error`]; the lock is released in every case.
pub fn deploy_with<'a>(
    conn: &'a mut Connection,
    migrations: &'a [Migration],
    options: &'a MigrateOptions,
    progress: &'a mut (dyn FnMut(Progress<'_>) + Send),
) -> BoxFuture<'a, Result<DeployReport, Error>> {
    Box::pin(async move {
        let lock = conn.lock(options.lock_timeout).await?;
        let result = deploy_locked(conn, migrations, progress).await;
        let unlocked = conn.unlock(lock).await;
        let report = result?;
        unlocked?;
        Ok(report)
    })
}

async fn deploy_locked(
    conn: &mut Connection,
    migrations: &[Migration],
    progress: &mut (dyn FnMut(Progress<'_>) + Send),
) -> Result<DeployReport, Error> {
    // Prisma's P3005: a database with tables and no history was not made by these migrations.
    if !conn.has_history_table().await? {
        let live = conn.introspect().await?;
        if !live.tables.is_empty() || !live.enums.is_empty() {
            return Err(Error::NotEmpty);
        }
    }
    conn.ensure_history_table().await?;
    let history = conn.history().await?;
    if let Some(failed) = history.iter().find(|m| m.failed()) {
        let diagnosis = crate::diagnose::diagnose(conn, migrations, &failed.name).await;
        return Err(Error::Blocked {
            migration: failed.name.clone(),
            logs: failed.logs.clone(),
            diagnosis,
        });
    }
    let mut report = DeployReport::default();
    let applied = |m: &Migration| {
        history
            .iter()
            .find(|h| h.name == m.name && h.finished && !h.rolled_back)
    };
    let pending = migrations.iter().filter(|m| applied(m).is_none()).count();
    for m in migrations {
        if let Some(h) = applied(m) {
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
        apply_migration(conn, m).await?;
        report.applied.push(m.name.clone());
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
pub async fn status(conn: &mut Connection, migrations: &[Migration]) -> Result<Status, Error> {
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
) -> Result<(), Error> {
    resolve_with(conn, migrations, name, how, &MigrateOptions::default()).await
}

/// [`resolve`] with options (the lock timeout).
///
/// # Errors
/// See [`resolve`].
pub async fn resolve_with(
    conn: &mut Connection,
    migrations: &[Migration],
    name: &str,
    how: Resolution,
    options: &MigrateOptions,
) -> Result<(), Error> {
    let lock = conn.lock(options.lock_timeout).await?;
    let result = resolve_locked(conn, migrations, name, how).await;
    let unlocked = conn.unlock(lock).await;
    result?;
    unlocked
}

async fn resolve_locked(
    conn: &mut Connection,
    migrations: &[Migration],
    name: &str,
    how: Resolution,
) -> Result<(), Error> {
    let Some(local) = migrations.iter().find(|m| m.name == name) else {
        return Err(Error::UnknownMigration { name: name.into() });
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
                return Err(Error::NotFailed { name: name.into() });
            }
            conn.execute(
                &format!("UPDATE _prisma_migrations SET rolled_back_at = {now} WHERE migration_name = ? AND finished_at IS NULL AND rolled_back_at IS NULL"),
                &[name],
            )
            .await?;
        }
        Resolution::Applied => {
            if applied {
                return Err(Error::AlreadyApplied { name: name.into() });
            }
            if failed {
                conn.execute(
                    &format!("UPDATE _prisma_migrations SET rolled_back_at = {now} WHERE migration_name = ? AND finished_at IS NULL AND rolled_back_at IS NULL"),
                    &[name],
                )
                .await?;
            }
            let id = crate::apply::uuid(name);
            conn.execute(
                &format!("INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, started_at, finished_at, applied_steps_count) VALUES (?, ?, ?, '', {now}, {now}, 0)"),
                &[&id, &local.checksum, name],
            )
            .await?;
        }
    }
    Ok(())
}

/// `reset`: drops everything, then applies every migration again, under the migration lock.
///
/// # Errors
/// See [`deploy`].
pub async fn reset(conn: &mut Connection, migrations: &[Migration]) -> Result<DeployReport, Error> {
    reset_with(conn, migrations, &MigrateOptions::default()).await
}

/// [`reset`] with options (the lock timeout).
///
/// # Errors
/// See [`reset`].
pub async fn reset_with(
    conn: &mut Connection,
    migrations: &[Migration],
    options: &MigrateOptions,
) -> Result<DeployReport, Error> {
    let lock = conn.lock(options.lock_timeout).await?;
    let result = async {
        conn.drop_everything().await?;
        deploy_locked(conn, migrations, &mut |_| {}).await
    }
    .await;
    let unlocked = conn.unlock(lock).await;
    let report = result?;
    unlocked?;
    Ok(report)
}
