//! The one error type of the migration crate: reading migrations, connecting, deploying,
//! pushing, resolving and planning.

use sovereign_schema::model::Provider;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What went wrong while reading migrations or migrating a database. Every message says what to
/// do next.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The URL's scheme names no database we speak.
    UnknownUrl {
        /// The URL, password hidden.
        url: String,
    },
    /// The database cannot be reached.
    Connect {
        /// The URL, password hidden.
        url: String,
        /// The driver's error.
        source: sqlx::Error,
    },
    /// The database's error outside a migration script.
    Database(sqlx::Error),
    /// A file or folder of the migrations cannot be read.
    Io {
        /// The path.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
    /// A migration folder without `migration.sql`.
    MissingScript {
        /// The folder.
        folder: PathBuf,
    },
    /// A migration script that is not UTF-8.
    NotUtf8 {
        /// The script.
        path: PathBuf,
    },
    /// `migration_lock.toml` names another provider than the schema.
    ProviderMismatch {
        /// The lock file.
        lock: PathBuf,
        /// The provider it names.
        locked: String,
        /// The schema's provider.
        schema: Provider,
    },
    /// `migration_lock.toml` is not what Prisma writes.
    BadLock {
        /// The lock file.
        lock: PathBuf,
    },
    /// `resolve` of a migration the folder does not have.
    UnknownMigration {
        /// The name given.
        name: String,
    },
    /// `resolve --rolled-back` of a migration that did not fail.
    NotFailed {
        /// The migration.
        name: String,
    },
    /// `resolve --applied` of a migration already applied.
    AlreadyApplied {
        /// The migration.
        name: String,
    },
    /// A migration failed now (Prisma's P3018): it is recorded as failed, with the database's
    /// message in `logs`.
    Failed {
        /// The migration's folder name.
        migration: String,
        /// The failure log written to `_prisma_migrations.logs`: P3018's text.
        logs: String,
        /// The database's message.
        message: String,
        /// The script ran in a transaction that was rolled back: nothing of it was applied.
        rolled_back: bool,
    },
    /// A migration failed or was interrupted in an earlier deploy and was not resolved (Prisma's
    /// P3009).
    Blocked {
        /// The migration's folder name.
        migration: String,
        /// The failure log, when it failed (`None`: the deploy applying it was interrupted).
        logs: Option<String>,
        /// What of it is in the database, as far as it can be told.
        diagnosis: Diagnosis,
    },
    /// `deploy` on a database that has tables but no migration history (Prisma's P3005): it
    /// was made by hand or with a schema push, and must be baselined first.
    NotEmpty,
    /// Another process held the migration lock for longer than the timeout.
    LockTimeout {
        /// The lock, in words.
        lock: String,
        /// How long this process waited.
        waited: Duration,
        /// Who holds it, where the database can tell.
        holder: Option<String>,
        /// How to find (and, if stuck, stop) the holder.
        find_holder: String,
    },
    /// A schema push would lose data, or cannot run on the data there is; nothing was changed.
    DataLoss {
        /// Steps that lose data: allowed only when the caller opts in to data loss.
        warnings: Vec<String>,
        /// Steps that cannot run on the current data at all.
        unexecutable: Vec<String>,
    },
    /// The database refused a step of a schema push.
    PushFailed {
        /// The database's message.
        message: String,
        /// The push ran in one transaction, which was rolled back.
        rolled_back: bool,
    },
    /// Something this database does not support yet.
    Unsupported(String),
    /// A migration of the history does not apply to the shadow database.
    Replay {
        /// The migration's folder name.
        migration: String,
        /// The database's message.
        message: String,
    },
}

/// What of a failed or interrupted migration reached the database, found by replaying the history
/// before and after it in a shadow database and comparing both with the live schema.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Diagnosis {
    /// None of its schema changes are in the database: it can run again.
    NotApplied,
    /// All of its schema changes are in the database.
    Applied,
    /// Some of them are.
    Partial {
        /// Changes of the migration that are in the database.
        done: Vec<String>,
        /// Changes of the migration that are not.
        missing: Vec<String>,
        /// The SQL that brings the database to the state after the migration.
        finish_sql: String,
    },
    /// It cannot be told (the reason says why).
    Unknown(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, source } => write!(f, "cannot read {}: {source}", path.display()),
            Error::MissingScript { folder } => write!(
                f,
                "the migration folder {} has no migration.sql; add the script or remove the folder",
                folder.display()
            ),
            Error::NotUtf8 { path } => write!(f, "{} is not valid UTF-8", path.display()),
            Error::ProviderMismatch { lock, locked, schema } => write!(
                f,
                "the migrations in {} were made for \"{locked}\", but the schema's provider is \"{schema}\"; start a new migrations folder for {schema} (move the old one away) or change the datasource back",
                lock.parent().unwrap_or(Path::new(".")).display()
            ),
            Error::BadLock { lock } => write!(
                f,
                "{} has no `provider = \"...\"` line; restore it (it is generated: delete it to have it written again)",
                lock.display()
            ),
            Error::UnknownMigration { name } => write!(
                f,
                "there is no migration `{name}` in the migrations folder; check the name (the folder's name)"
            ),
            Error::NotFailed { name } => write!(
                f,
                "migration `{name}` cannot be rolled back because it is not in a failed state"
            ),
            Error::AlreadyApplied { name } => write!(
                f,
                "migration `{name}` is already recorded as applied in the database"
            ),
            Error::UnknownUrl { url } => write!(
                f,
                "cannot tell the database from the URL `{url}`: use file:, sqlite:, postgresql://, mysql:// or mariadb://"
            ),
            Error::Connect { url, source } => write!(
                f,
                "cannot connect to {url}: {}; check that the server runs and the URL (user, password, database) is right",
                crate::url::redact_in(&source.to_string())
            ),
            Error::Database(e) => {
                write!(f, "database error: {}", crate::url::redact_in(&e.to_string()))
            }
            Error::Failed {
                migration,
                logs,
                rolled_back: true,
                ..
            } => write!(
                f,
                "P3018: {}\nIt ran in one transaction, which was rolled back: none of its changes were applied. It is recorded as failed in _prisma_migrations (as Prisma records it); fix the script, then run `resolve --rolled-back {migration}` and deploy again",
                logs.trim_end()
            ),
            Error::Failed {
                migration: _,
                logs,
                rolled_back: false,
                ..
            } => write!(
                f,
                "P3018: {}\nIt is recorded as failed in _prisma_migrations. This database applies schema changes one statement at a time, so the statements before the failing one may have been applied; deploy again to see which, and what to do",
                logs.trim_end()
            ),
            Error::NotEmpty => f.write_str(
                "P3005: The database schema is not empty. Read more about how to baseline an existing production database: https://pris.ly/d/migrate-baseline\nIt has tables but no migration history (_prisma_migrations): it was made by hand or with a schema push. Baseline it: for each migration it already reflects, run `resolve --applied <migration>`, then deploy the rest.",
            ),
            Error::Blocked {
                migration,
                logs,
                diagnosis,
            } => {
                f.write_str("P3009: migrate found failed migrations in the target database, new migrations will not be applied. Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve\n")?;
                match logs {
                    Some(logs) => write!(
                        f,
                        "The `{migration}` migration failed in an earlier deploy:\n{}",
                        logs.trim_end()
                    )?,
                    None => write!(
                        f,
                        "The `{migration}` migration was interrupted in an earlier deploy (the process applying it stopped before recording its end)."
                    )?,
                }
                match diagnosis {
                    Diagnosis::NotApplied => write!(
                        f,
                        "\nNone of its changes are in the database, so it can run again: {}run `resolve --rolled-back {migration}`, then deploy again.",
                        if logs.is_some() { "fix the script if it is wrong, " } else { "" }
                    ),
                    Diagnosis::Applied => write!(
                        f,
                        "\nAll of its schema changes are in the database: record it with `resolve --applied {migration}` (check first any data changes the script makes; they cannot be inspected)."
                    ),
                    Diagnosis::Partial {
                        done,
                        missing,
                        finish_sql,
                    } => {
                        write!(f, "\nPart of it is in the database.\n  Already there:")?;
                        for d in done {
                            write!(f, "\n    {d}")?;
                        }
                        write!(f, "\n  Missing:")?;
                        for m in missing {
                            write!(f, "\n    {m}")?;
                        }
                        write!(
                            f,
                            "\nEither finish it by running this SQL, then `resolve --applied {migration}`:\n\n{}\n\nor undo what is already there by hand, then `resolve --rolled-back {migration}` and deploy again.",
                            finish_sql.trim_end()
                        )
                    }
                    Diagnosis::Unknown(why) => write!(
                        f,
                        "\nWhat of it reached the database cannot be told ({why}). Look at the database: if none of its changes are there, run `resolve --rolled-back {migration}` and deploy again; if all are, run `resolve --applied {migration}`; otherwise finish or undo it by hand first."
                    ),
                }
            }
            Error::PushFailed {
                message,
                rolled_back,
            } => write!(
                f,
                "the schema push failed: {message}\n{}",
                if *rolled_back {
                    "It ran in one transaction, which was rolled back: nothing was changed."
                } else {
                    "This database applies schema changes one statement at a time: the steps before the failing one were applied. Fix the cause and start again; the push resumes from what is there."
                }
            ),
            Error::Unsupported(what) => write!(f, "{what}"),
            Error::Replay { migration, message } => write!(
                f,
                "migration `{migration}` does not apply cleanly to the shadow database: {message}\nThe history must replay from scratch; fix or remove that migration"
            ),
            Error::LockTimeout {
                lock,
                waited,
                holder,
                find_holder,
            } => {
                write!(
                    f,
                    "gave up after {} waiting for {lock}: another deploy, schema push or resolve holds it",
                    human(*waited)
                )?;
                if let Some(h) = holder {
                    write!(f, " ({h})")?;
                }
                write!(f, ".\nWait for it to finish and try again, or give it longer (`--lock-timeout SECONDS`, or the {} environment variable)", crate::options::LOCK_TIMEOUT_ENV)?;
                if !find_holder.is_empty() {
                    write!(f, "; {find_holder}")?;
                }
                Ok(())
            }
            Error::DataLoss {
                warnings,
                unexecutable,
            } => {
                f.write_str("the schema push was refused; nothing was changed.")?;
                if !unexecutable.is_empty() {
                    f.write_str("\nThese steps cannot run on the data in the database:")?;
                    for u in unexecutable {
                        write!(f, "\n  - {u}")?;
                    }
                }
                if !warnings.is_empty() {
                    f.write_str("\nThese steps would lose data:")?;
                    for w in warnings {
                        write!(f, "\n  - {w}")?;
                    }
                }
                if unexecutable.is_empty() {
                    f.write_str("\nTo apply them anyway, opt in to data loss: `--accept-data-loss` on the command line, `HostBuilder::accept_data_loss(true)` in a platform.")
                } else {
                    f.write_str("\nAdd a default value, make the field optional, or fix the data first.")
                }
            }
        }
    }
}

/// `10 s`, `1.5 s`, `250 ms`.
fn human(d: Duration) -> String {
    if d.as_millis() < 1000 {
        format!("{} ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        Error::Database(e)
    }
}
