//! `sovereign.toml`: where the platform's schema files and the plugins live.

use crate::Error;
use serde::Deserialize;
use sovereign_schema::{Diagnostic, Report, Sources, Span};
use std::path::{Path, PathBuf};

/// The configuration file's name.
pub const FILE_NAME: &str = "sovereign.toml";
/// `[platform] base`: the hand-written platform schema.
pub const DEFAULT_BASE: &str = "platform/prisma/base.prisma";
/// `[platform] schema`: the composed schema (generated, committed).
pub const DEFAULT_SCHEMA: &str = "platform/prisma/schema.prisma";
/// `[platform] migrations`: the shared database's migrations.
pub const DEFAULT_MIGRATIONS: &str = "platform/prisma/migrations";
/// `[plugins] dir`: one directory per plugin.
pub const DEFAULT_PLUGINS: &str = "plugins";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    strict: bool,
    #[serde(default)]
    platform: RawPlatform,
    #[serde(default)]
    plugins: RawPlugins,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlatform {
    base: Option<PathBuf>,
    schema: Option<PathBuf>,
    migrations: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlugins {
    dir: Option<PathBuf>,
}

/// The workspace layout. Every path is joined to `root`, so all are absolute when the search
/// started from an absolute directory (the build helper and the CLI start from one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The directory paths are relative to: the one holding `sovereign.toml`.
    pub root: PathBuf,
    /// `sovereign.toml`, when there is one.
    pub file: Option<PathBuf>,
    /// `[platform] base`.
    pub base: PathBuf,
    /// `[platform] schema`.
    pub schema: PathBuf,
    /// `[platform] migrations`.
    pub migrations: PathBuf,
    /// `[plugins] dir`.
    pub plugins_dir: PathBuf,
    /// `strict = true`: a key in `plugin.json` that looks like a mistake for one sovereign
    /// reads (`databse`) is an error instead of a warning. The CLI's `--strict` sets it too.
    pub strict: bool,
}

impl Config {
    /// The layout a workspace has without `sovereign.toml` (the `DEFAULT_*` paths), relative
    /// to `root`.
    pub fn defaults(root: &Path) -> Config {
        Config {
            root: root.to_path_buf(),
            file: None,
            base: root.join(DEFAULT_BASE),
            schema: root.join(DEFAULT_SCHEMA),
            migrations: root.join(DEFAULT_MIGRATIONS),
            plugins_dir: root.join(DEFAULT_PLUGINS),
            strict: false,
        }
    }

    /// Finds `sovereign.toml` in `start` or the nearest directory above it. Without one, the
    /// defaults apply, relative to the nearest directory above `start` that holds
    /// `platform/prisma/base.prisma`.
    ///
    /// # Errors
    /// An unreadable or invalid `sovereign.toml` (unknown keys list the allowed ones), or no
    /// workspace at all.
    pub fn find(start: &Path) -> Result<Config, Error> {
        for dir in start.ancestors() {
            let file = dir.join(FILE_NAME);
            if file.is_file() {
                return Config::load(&file);
            }
        }
        for dir in start.ancestors() {
            if dir.join(DEFAULT_BASE).is_file() {
                return Ok(Config::defaults(dir));
            }
        }
        Err(Error::NoWorkspace {
            start: start.to_path_buf(),
        })
    }

    /// Reads one `sovereign.toml`.
    ///
    /// # Errors
    /// The file cannot be read, is not TOML, or has keys we do not know.
    pub fn load(file: &Path) -> Result<Config, Error> {
        let text = crate::read_text(file)?;
        let root = file.parent().unwrap_or(Path::new(".")).to_path_buf();
        let raw: RawConfig = toml::from_str(&text).map_err(|e| {
            let mut sources = Sources::new();
            let id = sources.add(file.display().to_string(), text.clone());
            let span = e.span().unwrap_or(0..0);
            let mut message = e.message().to_string();
            if message.starts_with("unknown field") {
                message = format!("{message} (in {FILE_NAME})");
            }
            let diag = Diagnostic::error(message, Span::new(id, span.start, span.end)).with_hint(
                "sovereign.toml knows `strict`, [platform] base, schema, migrations and [plugins] dir",
            );
            Error::Diagnostics(Report {
                sources,
                diagnostics: vec![diag],
            })
        })?;
        let mut c = Config::defaults(&root);
        c.file = Some(file.to_path_buf());
        let rel = |p: Option<PathBuf>, d: PathBuf| p.map(|p| root.join(p)).unwrap_or(d);
        c.base = rel(raw.platform.base, c.base);
        c.schema = rel(raw.platform.schema, c.schema);
        c.migrations = rel(raw.platform.migrations, c.migrations);
        c.plugins_dir = rel(raw.plugins.dir, c.plugins_dir);
        c.strict = raw.strict;
        Ok(c)
    }

    /// A path as shown to users and written into generated files: relative to the root, with
    /// `/` separators, so it is the same on every machine.
    pub fn display(&self, path: &Path) -> String {
        let Ok(rel) = path.strip_prefix(&self.root) else {
            // Outside the workspace: shown as configured.
            return path.display().to_string();
        };
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }
}
