//! The files of a Sovereign workspace, read the same way by everything that reads them: the
//! build helper (`sovereign-build`), the `#[sovereign_plugin]` macro and the CLI. One reader
//! means one set of rules and one wording for each mistake, whichever tool meets it first.
//!
//! A workspace is a `sovereign.toml` (or the default layout without one), the platform's
//! `base.prisma`, and a plugins directory with one folder per plugin, each holding a
//! `plugin.json` and its schema:
//!
//! - [`Config::find`] finds `sovereign.toml` by walking up from a directory and fills in its
//!   defaults;
//! - [`Workspace::load`] then reads everything composition needs, once: the base schema, every
//!   plugin's manifest ([`Manifest`], with its [`Mode`] and capabilities), the shared plugins'
//!   extensions and the dedicated plugins' schemas (checked here, since nothing composes them);
//! - [`read_manifest`] reads one plugin's `plugin.json` on its own, as a plugin's build script
//!   and the macro do.
//!
//! ```no_run
//! use sovereign_workspace::{Config, Workspace};
//!
//! # fn main() -> Result<(), sovereign_workspace::Error> {
//! let config = Config::find(std::path::Path::new("."))?;
//! let workspace = Workspace::load(&config)?;
//! for plugin in &workspace.plugins {
//!     println!("{} ({})", plugin.manifest.namespace, plugin.manifest.mode.as_str());
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Mistakes in the user's files come back as [`Error::Diagnostics`], every one at once, pointing
//! at file:line:column. No file is read through a symbolic link that leads out of the workspace
//! ([`Boundary`]): a plugin copied in from elsewhere cannot make a build read files the
//! workspace does not hold.
//!
//! It composes nothing and generates nothing: that is `sovereign-build`'s work, which is why the
//! macro can depend on this crate without depending on the code generator.

#![warn(missing_docs)]

mod config;
mod discover;
mod manifest;
mod migrations;

pub use config::{
    Config, DEFAULT_BASE, DEFAULT_MIGRATIONS, DEFAULT_PLUGINS, DEFAULT_SCHEMA, FILE_NAME,
};
pub use discover::{
    composition_inputs, discover, discover_within, Boundary, Discovery, Plugin, Workspace,
};
pub use manifest::{
    key_span, parse_manifest, read_manifest, valid_namespace, Manifest, Mode, KNOWN_CAPABILITIES,
};
pub use migrations::{migration_folders, MigrationFolder, SCRIPT as MIGRATION_SCRIPT};

use sovereign_schema::Report;
use std::fmt;
use std::path::{Path, PathBuf};

/// What can go wrong reading a workspace; `Debug` is the rendered message, so `main` can
/// return it.
#[non_exhaustive]
pub enum Error {
    /// Problems in files the user wrote, with positions.
    Diagnostics(Report),
    /// A file or directory could not be read.
    Io {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file is not UTF-8.
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// The offset of the first byte that is not.
        offset: usize,
    },
    /// Neither `sovereign.toml` nor the default layout was found.
    NoWorkspace {
        /// Where the search started.
        start: PathBuf,
    },
    /// A migration folder without its `migration.sql`.
    MissingMigrationScript {
        /// The folder.
        folder: PathBuf,
    },
    /// A plugin's directory or file is (or is reached through) a symbolic link that leads out of
    /// the workspace: nothing was read from it.
    LinkOutsideWorkspace {
        /// The link, as found in the workspace.
        link: PathBuf,
        /// Where it leads (resolved).
        target: PathBuf,
        /// The workspace root (the directory of `sovereign.toml`).
        root: PathBuf,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Diagnostics(r) => write!(f, "{r}"),
            Error::Io { path, source } => write!(f, "cannot access {}: {source}", path.display()),
            Error::NotUtf8 { path, offset } => write!(
                f,
                "{} is not valid UTF-8 (first bad byte at offset {offset}); save it as UTF-8",
                path.display()
            ),
            Error::NoWorkspace { start } => write!(
                f,
                "no {FILE_NAME} found in {} or above it, and no {DEFAULT_BASE} either; create sovereign.toml at the workspace root",
                start.display(),
            ),
            Error::MissingMigrationScript { folder } => write!(
                f,
                "the migration folder {} has no migration.sql; restore the script or delete the folder (every folder under migrations/ is a migration, as in Prisma)",
                folder.display()
            ),
            Error::LinkOutsideWorkspace { link, target, root } => write!(
                f,
                "{} is a symbolic link to {}, outside the workspace {}: sovereign reads plugin files only from inside the workspace, so it did not follow the link; copy the files into the workspace instead (replace the link with a copy of what it points to)",
                link.display(),
                target.display(),
                root.display()
            ),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `fn main() -> Result<(), Error>` prints Debug: make it the readable message.
        write!(f, "\n{self}")
    }
}

// No `source()`: the message already ends with the cause, and anyhow's `{:#}` would repeat it.
impl std::error::Error for Error {}

/// Reads a file the user wrote as UTF-8 text.
///
/// # Errors
/// [`Error::Io`] when it cannot be read, [`Error::NotUtf8`] (with the offset) when it is not
/// text.
pub fn read_text(path: &Path) -> Result<String, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|e| Error::NotUtf8 {
        path: path.to_path_buf(),
        offset: e.utf8_error().valid_up_to(),
    })
}
