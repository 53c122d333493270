//! How migrating behaves: the options every command shares.

use std::time::Duration;

/// How long to wait for the migration lock unless told otherwise: Prisma's own (10 seconds).
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// The environment variable the command-line tools read a lock timeout from (seconds).
pub const LOCK_TIMEOUT_ENV: &str = "SOVEREIGN_MIGRATE_LOCK_TIMEOUT";

/// How a deploy, a schema push, a resolve or a reset behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct MigrateOptions {
    /// How long to wait for the migration lock another process holds (default: 10 seconds,
    /// Prisma's).
    pub lock_timeout: Duration,
    /// Let a schema push run steps that lose data (dropping a non-empty column, changing the
    /// type of a column that holds values, ...). Off by default: such a push is refused and
    /// changes nothing. Migrations are not affected: their SQL is what was reviewed.
    pub accept_data_loss: bool,
}

impl Default for MigrateOptions {
    fn default() -> Self {
        MigrateOptions {
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
            accept_data_loss: false,
        }
    }
}

impl MigrateOptions {
    /// The options with another lock timeout.
    pub fn lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// The options with data loss accepted or not.
    pub fn accept_data_loss(mut self, accept: bool) -> Self {
        self.accept_data_loss = accept;
        self
    }
}
