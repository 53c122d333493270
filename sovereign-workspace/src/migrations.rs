//! The migration folders of a `migrations/` directory, as Prisma Migrate reads them: every
//! subdirectory is a migration, in name order (its baselining guide names the first `0_init`),
//! and each holds a `migration.sql`. The one place this rule lives: the migration engine reads
//! the scripts through it, and the build helper embeds them through it.

use crate::Error;
use std::path::{Path, PathBuf};

/// The script of a migration folder.
pub const SCRIPT: &str = "migration.sql";

/// One migration folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationFolder {
    /// The folder's name, which is the migration's name (`20240101120000_init`).
    pub name: String,
    /// Its `migration.sql`.
    pub script: PathBuf,
}

/// The migration folders of `dir`, in name order. A missing `dir` has none; other files in it
/// (`migration_lock.toml`, a README) are not migrations.
///
/// # Errors
/// [`Error::Io`] when `dir` cannot be listed, [`Error::MissingMigrationScript`] for a folder
/// without its `migration.sql` (Prisma refuses it too).
pub fn migration_folders(dir: &Path) -> Result<Vec<MigrationFolder>, Error> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(dir)(e)),
    };
    let mut folders = Vec::new();
    for entry in entries {
        let path = entry.map_err(io(dir))?.path();
        if path.is_dir() {
            folders.push(path);
        }
    }
    folders.sort();
    folders
        .into_iter()
        .map(|folder| {
            let script = folder.join(SCRIPT);
            if !script.is_file() {
                return Err(Error::MissingMigrationScript { folder });
            }
            let name = folder
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            Ok(MigrationFolder { name, script })
        })
        .collect()
}
