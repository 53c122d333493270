//! The build-script helper of Sovereign: turns a workspace's Prisma schemas into the Rust client
//! the `sovereign` runtime drives, at build time, so schema mistakes are build errors.
//!
//! # A platform
//!
//! The platform crate's `build.rs` makes one call:
//!
//! ```no_run
//! fn main() -> Result<(), sovereign_build::Error> {
//!     sovereign_build::platform().compile()
//! }
//! ```
//!
//! It finds `sovereign.toml` above the crate, reads every plugin's `plugin.json`, composes the
//! platform's `base.prisma` with the shared plugins' `extension.prisma` files, writes the result
//! to `$OUT_DIR/schema.prisma`, and compares it with the committed `platform/prisma/schema.prisma`:
//! a stale committed file is a `cargo:warning` (run `sovereign compose`), and a build error when
//! the `CI` environment variable is set. It prints `cargo:rerun-if-changed` for every input, so
//! a no-op `cargo build` does not rerun it.
//!
//! It also generates the platform's client (every model of the composed schema) into
//! `$OUT_DIR/sovereign_client.rs`, which the crate includes in a module of its own:
//! `mod db { sovereign::include_client!(); }`. The client embeds the composed schema and the platform's migrations (`db::DATASOURCE`) and
//! the composed plugin list (`db::COMPOSED_PLUGINS`), which is what `sovereign::Host` connects
//! and deploys with. [`configure`] gives the same step with options (another output directory,
//! no comparison with the committed file, ...).
//!
//! # A plugin
//!
//! A plugin crate's `build.rs` calls [`plugin()`] instead: a shared plugin gets its view of the
//! platform schema (its own models read and write, core models read only, other plugins'
//! models left out), a dedicated plugin its own client and a read-only view of the core. The
//! plugin's `#[sovereign::sovereign_plugin]` includes them as its `db` (and `core`) module:
//!
//! ```no_run
//! fn main() -> Result<(), sovereign_build::Error> {
//!     sovereign_build::plugin().compile()?;
//!     Ok(())
//! }
//! ```
//!
//! # Any schema
//!
//! [`client`] generates the client of one standalone schema file, its migrations embedded from
//! the `migrations/` folder beside it:
//!
//! ```no_run
//! fn main() -> Result<(), sovereign_build::Error> {
//!     sovereign_build::client("prisma/schema.prisma").compile()?;
//!     Ok(())
//! }
//! ```
//!
//! Returning the [`Error`] from `main` prints the rendered diagnostics (file:line:column and the
//! source line) as the build failure, without a panic backtrace.

#![warn(missing_docs)]

pub mod codegen;

pub use codegen::{generate as generate_client, ClientOptions};
/// The workspace's files (`sovereign.toml`, `plugin.json`, discovery), as this crate reads them.
pub use sovereign_workspace as workspace;
pub use sovereign_workspace::{Config, Manifest, Mode, Plugin};

use sovereign_schema::compose::{self, Composed};
use sovereign_schema::Report;
use sovereign_workspace::{Boundary, Workspace};
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Everything that can go wrong; `Debug` is the rendered message, so `main` can return it.
#[non_exhaustive]
pub enum Error {
    /// Problems in files the user wrote, with positions.
    Diagnostics(Report),
    /// A file or directory could not be read or written.
    Io {
        /// The path.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
    /// A file the user wrote is not UTF-8.
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// The offset of its first byte that is not.
        offset: usize,
    },
    /// Neither `sovereign.toml` nor the default layout was found.
    NoWorkspace {
        /// Where the search started.
        start: PathBuf,
    },
    /// The committed composed schema differs from the inputs (an error only under `CI`).
    Stale {
        /// The committed file, relative to the workspace root.
        path: String,
        /// A unified diff from the committed text to the composed one.
        diff: String,
    },
    /// A build-script environment variable cargo should have set.
    Env(&'static str),
    /// A plugin that cannot be built as it is set up, with what to do.
    Plugin(String),
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
    /// Another problem reading the workspace's files.
    Workspace(sovereign_workspace::Error),
}

impl From<sovereign_workspace::Error> for Error {
    fn from(e: sovereign_workspace::Error) -> Error {
        use sovereign_workspace::Error as W;
        match e {
            W::Diagnostics(r) => Error::Diagnostics(r),
            W::Io { path, source } => Error::Io { path, source },
            W::NotUtf8 { path, offset } => Error::NotUtf8 { path, offset },
            W::NoWorkspace { start } => Error::NoWorkspace { start },
            W::LinkOutsideWorkspace { link, target, root } => {
                Error::LinkOutsideWorkspace { link, target, root }
            }
            other => Error::Workspace(other),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use sovereign_workspace::Error as W;
        // The workspace's errors are worded once, in sovereign-workspace.
        match self {
            Error::Diagnostics(r) => write!(f, "{r}"),
            Error::Io { path, source } => write!(f, "cannot access {}: {source}", path.display()),
            Error::NotUtf8 { path, offset } => W::NotUtf8 {
                path: path.clone(),
                offset: *offset,
            }
            .fmt(f),
            Error::NoWorkspace { start } => W::NoWorkspace {
                start: start.clone(),
            }
            .fmt(f),
            Error::Stale { path, diff } => write!(
                f,
                "{path} is out of date with the plugins and base schema; run `sovereign compose` and commit the result\n{diff}"
            ),
            Error::Env(var) => write!(f, "{var} is not set: call sovereign_build from a build script"),
            Error::Plugin(message) => f.write_str(message),
            Error::LinkOutsideWorkspace { link, target, root } => W::LinkOutsideWorkspace {
                link: link.clone(),
                target: target.clone(),
                root: root.clone(),
            }
            .fmt(f),
            Error::Workspace(e) => e.fmt(f),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `fn main() -> Result<(), Error>` prints Debug: make it the readable message.
        write!(f, "\n{self}")
    }
}

impl std::error::Error for Error {}

/// The outcome of composing a workspace.
#[derive(Debug)]
pub struct Composition {
    /// The workspace's layout, as found.
    pub config: Config,
    /// The composed platform schema: its text, its checked model and which plugin owns which
    /// model.
    pub composed: Composed,
    /// Every plugin discovered, shared and dedicated, sorted by namespace.
    pub plugins: Vec<Plugin>,
    /// Namespaces of dedicated plugins (not composed).
    pub dedicated: Vec<String>,
    /// Discovery warnings and schema warnings, rendered.
    pub warnings: Vec<String>,
    /// Every file read: a build script reruns when one changes.
    pub files_read: Vec<PathBuf>,
    /// Every directory whose listing mattered (a new plugin there changes the result): a build
    /// script reruns when one changes too.
    pub dirs_listed: Vec<PathBuf>,
}

/// Discovers the plugins of a workspace and composes the platform schema.
///
/// # Errors
/// Diagnostics for bad manifests and schemas, and I/O errors; nothing is written.
pub fn compose_workspace(config: &Config) -> Result<Composition, Error> {
    let ws = Workspace::load(config)?;
    let composed =
        compose::compose(&ws.base, &ws.extensions, &ws.dedicated).map_err(Error::Diagnostics)?;
    let mut warnings = ws.warnings;
    warnings.extend(warnings_with_client(&composed));
    Ok(Composition {
        config: ws.config,
        composed,
        plugins: ws.plugins,
        dedicated: ws.dedicated,
        warnings,
        files_read: ws.files_read,
        dirs_listed: ws.dirs_listed,
    })
}

/// A unified diff of the committed file against the freshly composed text.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("{path} (committed)"),
            &format!("{path} (composed)"),
        )
        .to_string()
}

/// What differs between a committed composed schema and a fresh composition, in words: which
/// plugins' parts are new, changed or gone, whether the base schema's part or the list of
/// dedicated plugins changed. Read from the section markers `sovereign compose` writes, so it
/// needs no parsing; empty when the texts are equal.
pub fn composition_changes(committed: Option<&str>, composed: &str) -> Vec<String> {
    let Some(committed) = committed else {
        return vec!["the file does not exist".to_string()];
    };
    if committed == composed {
        return Vec::new();
    }
    let (old, new) = (sections(committed), sections(composed));
    let mut out = Vec::new();
    if old.dedicated != new.dedicated {
        out.push("the list of dedicated plugins changed".to_string());
    }
    if old.base != new.base {
        out.push("the base schema's part changed".to_string());
    }
    for (ns, text) in &new.plugins {
        match old.plugins.get(ns) {
            None => out.push(format!("plugin \"{ns}\" is new")),
            Some(t) if t != text => out.push(format!("plugin \"{ns}\" changed")),
            Some(_) => {}
        }
    }
    for ns in old
        .plugins
        .keys()
        .filter(|ns| !new.plugins.contains_key(*ns))
    {
        out.push(format!("plugin \"{ns}\" is no longer composed"));
    }
    if out.is_empty() {
        out.push("it was edited by hand".to_string());
    }
    out
}

/// The parts of a composed schema file.
struct Sections<'a> {
    dedicated: Option<&'a str>,
    base: String,
    plugins: std::collections::BTreeMap<String, String>,
}

/// A line without its alignment (`prisma format` realigns a model's fields when one is added);
/// blank lines, which separate the parts, are left out.
fn push_line(part: &mut String, line: &str) {
    if line.trim().is_empty() {
        return;
    }
    part.push_str(&line.split_whitespace().collect::<Vec<_>>().join(" "));
    part.push('\n');
}

fn sections(text: &str) -> Sections<'_> {
    let mut s = Sections {
        dedicated: None,
        base: String::new(),
        plugins: Default::default(),
    };
    let mut current: Option<String> = None;
    // A field a plugin added to a core model (and its comment) is that plugin's part.
    let mut added_by: Option<String> = None;
    for line in text.lines() {
        if let Some(ns) = added_by.take() {
            let part = s.plugins.entry(ns).or_default();
            push_line(part, line);
        } else if let Some(rest) = line.trim_start().strip_prefix("// added by plugin \"") {
            added_by = rest.split('"').next().map(str::to_string);
        } else if let Some(rest) = line.strip_prefix("// Dedicated plugins") {
            s.dedicated = Some(rest);
        } else if let Some(rest) = line.strip_prefix("// ---- plugin \"") {
            current = rest.split('"').next().map(str::to_string);
        } else if line.starts_with("// ---- end of plugin") {
            current = None;
        } else if let Some(ns) = &current {
            let part = s.plugins.entry(ns.clone()).or_default();
            push_line(part, line);
        } else if !line.starts_with("// ") || !s.base.is_empty() {
            push_line(&mut s.base, line);
        }
    }
    s
}

/// A name for a temporary file that another local user cannot guess: 64 bits from the
/// standard library's randomly keyed hasher (seeded from the operating system once per thread),
/// mixed with the time, the process and a counter.
fn unpredictable_suffix() -> String {
    use std::hash::{BuildHasher, Hasher};
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.write_u32(std::process::id());
    h.write_u64(COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    format!("{:016x}", h.finish())
}

/// Writes to a temporary file beside `path`, then renames it over `path`, so a reader never sees
/// a half-written file and a crash leaves the old file whole. The temporary file gets an
/// unpredictable name and is created with `create_new` (`O_EXCL`), so nobody can plant a file
/// or a symbolic link there for us to write through.
///
/// # Errors
/// The directory is not writable.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    // A name already taken (by chance or by someone else) is simply another attempt.
    let (tmp, mut file) = (0..16)
        .find_map(|_| {
            let tmp = dir.join(format!(".{name}.{}.tmp", unpredictable_suffix()));
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)
            {
                Ok(f) => Some(Ok((tmp, f))),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => None,
                Err(e) => Some(Err(e)),
            }
        })
        .unwrap_or_else(|| {
            Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "no free temporary file name after 16 attempts",
            ))
        })
        .map_err(io)?;
    let result = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&tmp, path));
    drop(file);
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

/// Writes only when the content changed, so an unchanged output keeps its timestamp.
///
/// # Errors
/// The file cannot be written.
pub fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<bool, Error> {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(false);
    }
    write_atomically(path, bytes)?;
    Ok(true)
}

/// The shortcut for a platform's build script: [`configure`] with the defaults.
pub fn platform() -> Builder {
    configure()
}

/// A builder for the options, in the style of prost-build's `Config`.
pub fn configure() -> Builder {
    Builder {
        out_dir: None,
        start_dir: None,
        emit_rerun_if_changed: true,
        check_committed: true,
    }
}

/// The options of a platform's build step, from [`platform`] or [`configure`]; [`Builder::compile`]
/// runs it.
#[derive(Debug, Clone)]
pub struct Builder {
    out_dir: Option<PathBuf>,
    start_dir: Option<PathBuf>,
    emit_rerun_if_changed: bool,
    check_committed: bool,
}

impl Builder {
    /// Where to write `schema.prisma` and `sovereign_client.rs` (default: `$OUT_DIR`).
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// Where to start looking for `sovereign.toml` (default: `$CARGO_MANIFEST_DIR`).
    pub fn workspace_from(mut self, dir: impl Into<PathBuf>) -> Self {
        self.start_dir = Some(dir.into());
        self
    }

    /// Print `cargo:rerun-if-changed` lines (default: true).
    pub fn emit_rerun_if_changed(mut self, on: bool) -> Self {
        self.emit_rerun_if_changed = on;
        self
    }

    /// Compare with the committed composed schema (default: true).
    pub fn check_committed(mut self, on: bool) -> Self {
        self.check_committed = on;
        self
    }

    /// Composes and writes `schema.prisma` into the output directory.
    ///
    /// # Errors
    /// Rendered diagnostics of the user's files; a stale committed schema when `CI` is set.
    pub fn compile(self) -> Result<(), Error> {
        let in_build_script = self.start_dir.is_none();
        let start = match self.start_dir {
            Some(d) => d,
            None => PathBuf::from(
                std::env::var_os("CARGO_MANIFEST_DIR").ok_or(Error::Env("CARGO_MANIFEST_DIR"))?,
            ),
        };
        let out_dir = match self.out_dir {
            Some(d) => d,
            None => PathBuf::from(std::env::var_os("OUT_DIR").ok_or(Error::Env("OUT_DIR"))?),
        };
        let start = std::path::absolute(&start).unwrap_or(start);
        let config = Config::find(&start);
        // In a build script (no directory given), the crate's own manifest: adding a plugin as a
        // dependency is a reason to compose again, and says which plugins' builds report their
        // own mistakes.
        let manifest_dir = if in_build_script {
            std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from)
        } else {
            None
        };
        if self.emit_rerun_if_changed {
            // Even when reading fails, rerun once the user fixed the file.
            println!("cargo:rerun-if-env-changed=CI");
            if let Some(dir) = &manifest_dir {
                println!(
                    "cargo:rerun-if-changed={}",
                    dir.join("Cargo.toml").display()
                );
            }
            if let Ok(c) = &config {
                // What composition reads, file by file: not the plugins directory, which cargo
                // would watch recursively (every plugin's Rust sources, every SQLite file).
                let mut inputs = sovereign_workspace::composition_inputs(c);
                // The committed schema (compared with the composition) and the migrations
                // folder (the client embeds its list); before they exist, the folder they will
                // appear in, since a path that does not exist would rerun every build.
                for p in [&c.schema, &c.migrations] {
                    if p.exists() {
                        inputs.push(p.clone());
                    } else if let Some(parent) = p.parent().filter(|d| d.is_dir()) {
                        inputs.push(parent.to_path_buf());
                    }
                }
                inputs.dedup();
                for input in inputs {
                    println!("cargo:rerun-if-changed={}", input.display());
                }
            }
        }
        let config = config?;
        let composition = match compose_workspace(&config) {
            Ok(c) => c,
            Err(Error::Diagnostics(report)) => {
                // A mistake in a plugin's own files is reported once, by that plugin's build.
                if let Some(plugins) = manifest_dir
                    .as_deref()
                    .and_then(|dir| reported_by_plugins(&config, &report, dir))
                {
                    println!(
                        "cargo:warning=the platform schema was not composed: the schema of plugin{} {} has errors, reported by {} build",
                        if plugins.len() == 1 { "" } else { "s" },
                        plugins.join(", "),
                        if plugins.len() == 1 { "its crate's" } else { "their crates'" }
                    );
                    return Ok(());
                }
                return Err(Error::Diagnostics(report));
            }
            Err(e) => return Err(e),
        };
        for w in &composition.warnings {
            for line in w.lines() {
                println!("cargo:warning={line}");
            }
        }
        std::fs::create_dir_all(&out_dir).map_err(|source| Error::Io {
            path: out_dir.clone(),
            source,
        })?;
        write_if_changed(
            &out_dir.join("schema.prisma"),
            composition.composed.text.as_bytes(),
        )?;
        // The platform's client: every model of the composed schema, read and write.
        let options = ClientOptions {
            source: config.display(&config.schema),
            composed_plugins: Some(composition.composed.plugins.clone()),
            // The composed text just written (always current, unlike the committed copy).
            schema_path: Some(out_dir.join("schema.prisma").display().to_string()),
            migrations: codegen::migration_files(&config.migrations)?,
            ..ClientOptions::default()
        };
        let client = codegen::generate(&composition.composed.schema, &options);
        write_if_changed(&out_dir.join("sovereign_client.rs"), client.as_bytes())?;
        if self.check_committed {
            let committed = std::fs::read_to_string(&config.schema).unwrap_or_default();
            if committed != composition.composed.text {
                let path = config.display(&config.schema);
                let ci =
                    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
                if ci {
                    return Err(Error::Stale {
                        diff: unified_diff(&path, &committed, &composition.composed.text),
                        path,
                    });
                }
                let changes = composition_changes(Some(&committed), &composition.composed.text);
                println!(
                    "cargo:warning={path} is out of date with the plugins and base schema ({}): run `sovereign compose` and commit it",
                    changes.join("; ")
                );
            }
        }
        Ok(())
    }
}

/// Generates the client of one complete schema file (a dedicated plugin's `prisma/schema.prisma`,
/// or any standalone schema) into `$OUT_DIR/sovereign_client.rs`; include it with
/// `sovereign::include_client!()`.
///
/// A relative path is resolved against `$CARGO_MANIFEST_DIR`.
pub fn client(schema: impl Into<PathBuf>) -> ClientBuilder {
    ClientBuilder {
        schema: schema.into(),
        out_dir: None,
        file_name: "sovereign_client".to_string(),
        options: ClientOptions::default(),
        emit_rerun_if_changed: true,
    }
}

/// Options of [`client`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    schema: PathBuf,
    out_dir: Option<PathBuf>,
    file_name: String,
    options: ClientOptions,
    emit_rerun_if_changed: bool,
}

impl ClientBuilder {
    /// Where to write the client (default: `$OUT_DIR`).
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// The file name without `.rs` (default: `sovereign_client`), for several clients in one
    /// crate: include it with `sovereign::include_client!("name")`.
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = name.into();
        self
    }

    /// The client type's name (default: `PrismaClient`).
    pub fn client_name(mut self, name: impl Into<String>) -> Self {
        self.options.client_name = name.into();
        self
    }

    /// Print `cargo:rerun-if-changed` for the schema (default: true).
    pub fn emit_rerun_if_changed(mut self, on: bool) -> Self {
        self.emit_rerun_if_changed = on;
        self
    }

    /// Reads and checks the schema and writes the client (only when its text changed).
    ///
    /// # Errors
    /// The schema's diagnostics, rendered with positions; I/O errors.
    pub fn compile(self) -> Result<PathBuf, Error> {
        let path = if self.schema.is_absolute() {
            self.schema.clone()
        } else {
            match std::env::var_os("CARGO_MANIFEST_DIR") {
                Some(dir) => PathBuf::from(dir).join(&self.schema),
                None => self.schema.clone(),
            }
        };
        if self.emit_rerun_if_changed {
            println!("cargo:rerun-if-changed={}", path.display());
        }
        let out_dir = match self.out_dir {
            Some(d) => d,
            None => PathBuf::from(std::env::var_os("OUT_DIR").ok_or(Error::Env("OUT_DIR"))?),
        };
        let text = generate_for_file(&path, self.options)?;
        std::fs::create_dir_all(&out_dir).map_err(|source| Error::Io {
            path: out_dir.clone(),
            source,
        })?;
        let target = out_dir.join(format!("{}.rs", self.file_name));
        write_if_changed(&target, text.as_bytes())?;
        Ok(target)
    }
}

/// The client source for a schema file, as [`ClientBuilder::compile`] writes it.
///
/// # Errors
/// The schema's diagnostics; I/O errors.
pub fn generate_for_file(path: &Path, options: ClientOptions) -> Result<String, Error> {
    let (client, warnings) = generate_for_schema_file(path, options, false)?;
    print_cargo_warnings(warnings.as_deref());
    Ok(client)
}

/// `warnings` (rendered diagnostics) as `cargo:warning` lines, one per line of text.
fn print_cargo_warnings(warnings: Option<&str>) {
    for line in warnings.into_iter().flat_map(str::lines) {
        if !line.is_empty() {
            println!("cargo:warning={line}");
        }
    }
}

/// The client source for a schema file, to be written to `out` and committed (for a crate
/// without a build script): the schema and migrations are embedded by paths relative to `out`'s
/// folder, so the file names nothing of the machine that generated it and builds wherever the
/// repository is checked out. The schema's warnings, and what the client leaves undone for it
/// ([`codegen::client_warnings`]), are printed to standard error.
///
/// # Errors
/// The schema's diagnostics; I/O errors.
pub fn generate_for_file_at(
    path: &Path,
    mut options: ClientOptions,
    out: &Path,
) -> Result<String, Error> {
    let absolute = |p: &Path| {
        std::path::absolute(p).map_err(|source| Error::Io {
            path: p.to_path_buf(),
            source,
        })
    };
    let schema = absolute(path)?;
    let from = absolute(out)?;
    let from = from.parent().unwrap_or(Path::new("/"));
    let text = sovereign_workspace::read_text(&schema)?;
    let name = schema.display().to_string();
    let (checked, warnings) = sovereign_schema::check(&name, &text).map_err(Error::Diagnostics)?;
    let warnings = with_client_warnings(warnings, &checked);
    // Run by a command, not a build script: the warnings go to standard error as they are (a
    // closed standard error is no reason to fail).
    if !warnings.diagnostics.is_empty() {
        let _ = write!(std::io::stderr(), "{}", warnings.render());
    }
    let dir = schema.parent().unwrap_or(Path::new("."));
    options.schema_path = Some(relative_path(from, &schema));
    options.migrations = sovereign_workspace::migration_folders(&dir.join("migrations"))?
        .into_iter()
        .map(|f| (f.name, relative_path(from, &f.script)))
        .collect();
    options.source = schema
        .file_name()
        .map_or_else(|| name.clone(), |f| f.to_string_lossy().into_owned());
    Ok(codegen::generate(&checked, &options))
}

/// `to` relative to the directory `from` (both absolute), with `/` separators.
fn relative_path(from: &Path, to: &Path) -> String {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// [`generate_for_file`], with the schema's warnings and what the client leaves undone for it
/// rendered (`None`: none); with `owns_migrations` (a dedicated plugin's schema), a table name
/// reserved for the migration history is refused too.
fn generate_for_schema_file(
    path: &Path,
    mut options: ClientOptions,
    owns_migrations: bool,
) -> Result<(String, Option<String>), Error> {
    // Generated code embeds the schema and migrations by path: make it absolute.
    let path = &std::path::absolute(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let text = sovereign_workspace::read_text(path)?;
    let name = path.display().to_string();
    let (schema, warnings) = sovereign_schema::check(&name, &text).map_err(Error::Diagnostics)?;
    if owns_migrations {
        let reserved = sovereign_schema::compose::reserved_tables(&schema);
        if !reserved.is_empty() {
            return Err(Error::Diagnostics(Report {
                sources: warnings.sources,
                diagnostics: reserved,
            }));
        }
    }
    let warnings = with_client_warnings(warnings, &schema);
    let warnings = (!warnings.diagnostics.is_empty()).then(|| warnings.render());
    let dir = path.parent().unwrap_or(Path::new("."));
    options.schema_path = Some(path.display().to_string());
    options.migrations = codegen::migration_files(&dir.join("migrations"))?;
    options.source = path
        .file_name()
        .map_or_else(|| name.clone(), |f| f.to_string_lossy().into_owned());
    Ok((codegen::generate(&schema, &options), warnings))
}

/// The build step of a plugin crate: reads its `plugin.json` and generates its database access
/// into `$OUT_DIR/sovereign/<namespace>/`, where `#[sovereign_plugin]` includes it from.
///
/// - shared: `sovereign_client.rs`, a view of the platform schema with the plugin's own models
///   (read and write) and the core models (read only); other plugins' models are left out;
/// - dedicated: `sovereign_client.rs`, the client of its own `prisma/schema.prisma`, and, when
///   the manifest grants `database`, `sovereign_core.rs`: the core models, read only.
///
/// A plugin's generated code depends on its own files and the platform's base schema only:
/// the view is the base composed with this plugin's extension alone (other plugins' models are
/// not in it, and no plugin may relate to another's), so the build script reads, and tells cargo
/// to watch, exactly `plugin.json`, its schema (and a dedicated plugin's migrations),
/// `base.prisma` and `sovereign.toml`. Editing another plugin, any Rust source, or a database
/// file beside the schema does not rerun it; a mistake in another plugin's schema is not its
/// build's failure.
pub fn plugin() -> PluginBuilder {
    PluginBuilder {
        dir: None,
        out_dir: None,
        emit_rerun_if_changed: true,
    }
}

/// Options of [`plugin()`].
#[derive(Debug, Clone)]
pub struct PluginBuilder {
    dir: Option<PathBuf>,
    out_dir: Option<PathBuf>,
    emit_rerun_if_changed: bool,
}

/// What [`PluginBuilder::compile`] generated.
#[derive(Debug, Clone)]
pub struct PluginOutput {
    /// The plugin's `plugin.json`, as read.
    pub manifest: Manifest,
    /// `sovereign_client.rs`.
    pub client: PathBuf,
    /// `sovereign_core.rs`, for a dedicated plugin granted `database`.
    pub core: Option<PathBuf>,
    /// The warnings printed as `cargo:warning` lines, each rendered with its location: the
    /// manifest's, the schemas', and what the generated client leaves undone for them.
    pub warnings: Vec<String>,
}

/// A plugin's generated sources, before they are written.
struct PluginSources {
    manifest: Manifest,
    client: String,
    /// A shared plugin's schema (the base with its extension), which its client embeds.
    schema: Option<String>,
    core: Option<String>,
    warnings: Vec<String>,
}

impl PluginBuilder {
    /// The plugin's directory, holding `plugin.json` (default: `$CARGO_MANIFEST_DIR`).
    pub fn dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = Some(dir.into());
        self
    }

    /// Where to write (default: `$OUT_DIR`).
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// Print `cargo:rerun-if-changed` lines (default: true).
    pub fn emit_rerun_if_changed(mut self, on: bool) -> Self {
        self.emit_rerun_if_changed = on;
        self
    }

    /// Generates the plugin's client (and core view).
    ///
    /// # Errors
    /// Diagnostics of the manifest and schemas; a missing workspace; I/O errors.
    pub fn compile(self) -> Result<PluginOutput, Error> {
        let dir = match self.dir {
            Some(d) => d,
            None => PathBuf::from(
                std::env::var_os("CARGO_MANIFEST_DIR").ok_or(Error::Env("CARGO_MANIFEST_DIR"))?,
            ),
        };
        // Generated code embeds files by path: make every path absolute.
        let dir = std::path::absolute(&dir).map_err(|source| Error::Io {
            path: dir.clone(),
            source,
        })?;
        let out_dir = match self.out_dir {
            Some(d) => d,
            None => PathBuf::from(std::env::var_os("OUT_DIR").ok_or(Error::Env("OUT_DIR"))?),
        };
        let config = Config::find(&dir);
        let generated = plugin_sources(&dir, &config, Some(&out_dir));
        if self.emit_rerun_if_changed {
            let manifest = generated.as_ref().ok().map(|g| &g.manifest);
            for input in plugin_inputs(&dir, config.as_ref().ok(), manifest) {
                println!("cargo:rerun-if-changed={}", input.display());
            }
        }
        let generated = generated?;
        for w in &generated.warnings {
            print_cargo_warnings(Some(w));
        }
        // `#[sovereign_plugin]` looks for the plugin's files here.
        let out_dir = out_dir
            .join("sovereign")
            .join(&generated.manifest.namespace);
        std::fs::create_dir_all(&out_dir).map_err(|source| Error::Io {
            path: out_dir.clone(),
            source,
        })?;
        if let Some(schema) = &generated.schema {
            write_if_changed(&out_dir.join("schema.prisma"), schema.as_bytes())?;
        }
        let client = out_dir.join("sovereign_client.rs");
        write_if_changed(&client, generated.client.as_bytes())?;
        let core = match &generated.core {
            Some(text) => {
                let path = out_dir.join("sovereign_core.rs");
                write_if_changed(&path, text.as_bytes())?;
                Some(path)
            }
            None => None,
        };
        Ok(PluginOutput {
            manifest: generated.manifest,
            client,
            core,
            warnings: generated.warnings,
        })
    }
}

/// The files a plugin's generated code is made from, as far as they exist: what its build
/// script watches. Directories only where a new file matters and no file can stand for it: the
/// migrations folder (a new migration), or, before the first migration, the `prisma/` folder
/// (where the migrations folder will appear). A path that does not exist is never named: cargo
/// would rerun the build script on every build.
fn plugin_inputs(dir: &Path, config: Option<&Config>, manifest: Option<&Manifest>) -> Vec<PathBuf> {
    let mut inputs = vec![dir.join("plugin.json")];
    if let Some(file) = config.and_then(|c| c.file.clone()) {
        inputs.push(file);
    }
    let (shared, dedicated) = match manifest.map(|m| m.mode) {
        Some(Mode::Shared) => (true, false),
        Some(Mode::Dedicated) => (false, true),
        // An unreadable manifest: watch what either mode reads, until it is fixed.
        None => (true, true),
    };
    let core = shared || manifest.is_none_or(|m| m.grants("database"));
    if let (true, Some(c)) = (core, config) {
        inputs.push(c.base.clone());
    }
    let prisma = dir.join("prisma");
    if shared {
        let extension = prisma.join("extension.prisma");
        if extension.is_file() {
            inputs.push(extension);
        } else if let Some(c) = config.filter(|c| c.schema.is_file()) {
            // No extension yet: the one that is added gets composed, which rewrites this file.
            inputs.push(c.schema.clone());
        }
    }
    if dedicated {
        let schema = prisma.join("schema.prisma");
        if schema.is_file() {
            inputs.push(schema);
        }
        let migrations = prisma.join("migrations");
        if migrations.is_dir() {
            inputs.push(migrations);
        } else if prisma.is_dir() {
            inputs.push(prisma);
        }
    }
    inputs
}

/// Reads a plugin's files and generates its sources, writing nothing: what its build script
/// does, and what the platform's build script asks to learn whether a plugin's own build
/// reports a mistake.
fn plugin_sources(
    dir: &Path,
    config: &Result<Config, sovereign_workspace::Error>,
    out_dir: Option<&Path>,
) -> Result<PluginSources, Error> {
    let manifest_path = dir.join("plugin.json");
    // The plugin's files must not lead out of its workspace (or, outside any workspace, out
    // of its own directory) through a link.
    let boundary = match config {
        Ok(c) => Boundary::new(&c.root, &c.plugins_dir),
        Err(_) => Boundary::new(dir, dir),
    };
    let strict = config.as_ref().is_ok_and(|c| c.strict);
    let (manifest, manifest_warnings) = sovereign_workspace::read_manifest(
        &boundary,
        dir,
        &manifest_path,
        &manifest_path.display().to_string(),
        strict,
    )?;
    let mut warnings: Vec<String> = manifest_warnings.iter().map(Report::render).collect();
    let config = || match config {
        Ok(c) => Ok(c),
        Err(e) => Err(Error::Plugin(format!(
            "plugin \"{}\" ({}) needs its workspace: {e}",
            manifest.namespace,
            dir.display()
        ))),
    };
    let prisma = dir.join("prisma");
    let (client, schema, core) = match manifest.mode {
        Mode::Dedicated => {
            let schema = prisma.join("schema.prisma");
            boundary.check(dir, &schema)?;
            let (client, schema_warnings) =
                generate_for_schema_file(&schema, ClientOptions::default(), true)?;
            warnings.extend(schema_warnings);
            let core = if manifest.grants("database") {
                let config = config()?;
                // The core models alone: no plugin's model is in a dedicated plugin's view.
                let composed = compose_with(config, &boundary, dir, None)?;
                warnings.extend(composition_warnings(&composed));
                let options = ClientOptions {
                    client_name: "CoreClient".to_string(),
                    read_only: composed
                        .schema
                        .models
                        .iter()
                        .map(|m| m.name.clone())
                        .collect(),
                    source: config.display(&config.schema),
                    ..ClientOptions::default()
                };
                Some(codegen::generate(&composed.schema, &options))
            } else {
                None
            };
            (client, None, core)
        }
        Mode::Shared => {
            let config = config()?;
            let in_plugins_dir = dir.parent().is_some_and(|parent| {
                std::fs::canonicalize(parent).ok()
                    == std::fs::canonicalize(&config.plugins_dir).ok()
            });
            if !in_plugins_dir {
                return Err(Error::Plugin(format!(
                    "plugin \"{}\" ({}) is not part of the workspace's plugins directory {}: move it there or point sovereign.toml's [plugins] dir at its parent",
                    manifest.namespace,
                    dir.display(),
                    config.display(&config.plugins_dir)
                )));
            }
            if prisma.join("schema.prisma").is_file() {
                return Err(Error::Plugin(format!(
                    "shared plugin \"{}\" has {}: a complete schema belongs to a dedicated plugin; set \"sovereign\": {{ \"database\": {{ \"mode\": \"dedicated\" }} }} in plugin.json, or rename the file to prisma/extension.prisma and keep only models, enums, types and views",
                    manifest.namespace,
                    config.display(&prisma.join("schema.prisma"))
                )));
            }
            let extension = prisma.join("extension.prisma");
            let extension = extension.is_file().then_some(extension);
            let composed = compose_with(
                config,
                &boundary,
                dir,
                extension
                    .as_deref()
                    .map(|e| (manifest.namespace.as_str(), e)),
            )?;
            // The plugin's client writes its own models: what it leaves undone is said here too.
            warnings.extend(warnings_with_client(&composed));
            let read_only = composed
                .schema
                .models
                .iter()
                .filter(|m| !composed.owners.contains_key(&m.name))
                .map(|m| m.name.clone())
                .collect();
            // The view's schema is embedded in its `DATASOURCE` (written beside the client), so a
            // plugin's tests can push its tables to a scratch database.
            let schema_path = out_dir.map(|d| {
                d.join("sovereign")
                    .join(&manifest.namespace)
                    .join("schema.prisma")
                    .display()
                    .to_string()
            });
            let options = ClientOptions {
                read_only,
                source: config.display(&config.schema),
                schema_path,
                ..ClientOptions::default()
            };
            (
                codegen::generate(&composed.schema, &options),
                Some(composed.text),
                None,
            )
        }
    };
    Ok(PluginSources {
        manifest,
        client,
        schema,
        core,
        warnings,
    })
}

/// The platform's base schema composed with one plugin's extension (or none).
fn compose_with(
    config: &Config,
    boundary: &Boundary,
    dir: &Path,
    extension: Option<(&str, &Path)>,
) -> Result<Composed, Error> {
    let base = compose::Input {
        path: config.display(&config.base),
        text: sovereign_workspace::read_text(&config.base)?,
    };
    let mut extensions = Vec::new();
    if let Some((namespace, path)) = extension {
        boundary.check(dir, path)?;
        extensions.push(compose::Extension {
            namespace: namespace.to_string(),
            path: config.display(path),
            text: sovereign_workspace::read_text(path)?,
        });
    }
    compose::compose(&base, &extensions, &[]).map_err(Error::Diagnostics)
}

/// `report` with what the generated client leaves undone for `schema`
/// ([`codegen::client_warnings`]), in source order.
fn with_client_warnings(mut report: Report, schema: &sovereign_schema::Schema) -> Report {
    report.diagnostics.extend(codegen::client_warnings(schema));
    report
        .diagnostics
        .sort_by_key(|d| (d.span.file, d.span.start));
    report
}

/// [`composition_warnings`] with what the generated client leaves undone for the composed
/// schema, in source order (as [`with_client_warnings`] orders a report it owns).
fn warnings_with_client(composed: &Composed) -> Option<String> {
    let client = codegen::client_warnings(&composed.schema);
    if client.is_empty() {
        return composition_warnings(composed);
    }
    let mut diagnostics = composed.warnings.diagnostics.clone();
    diagnostics.extend(client);
    diagnostics.sort_by_key(|d| (d.span.file, d.span.start));
    Some(sovereign_schema::diagnostic::render_all(
        &diagnostics,
        &composed.warnings.sources,
    ))
}

fn composition_warnings(composed: &Composed) -> Option<String> {
    (!composed.warnings.diagnostics.is_empty()).then(|| composed.warnings.render())
}

/// The directories of the path dependencies of the crate whose manifest directory is `dir`
/// (`[dependencies]`, also per target, and those inherited from `[workspace.dependencies]`),
/// canonical. Unreadable manifests give none.
fn path_dependencies(dir: &Path) -> Vec<PathBuf> {
    let read = |path: &Path| -> Option<toml::Table> {
        toml::from_str(&std::fs::read_to_string(path).ok()?).ok()
    };
    let Some(manifest) = read(&dir.join("Cargo.toml")) else {
        return Vec::new();
    };
    // The workspace root: the nearest manifest above with a [workspace] table.
    let root = dir.ancestors().skip(1).find_map(|d| {
        let t = read(&d.join("Cargo.toml"))?;
        let deps = t.get("workspace")?.get("dependencies")?.as_table()?.clone();
        Some((d.to_path_buf(), deps))
    });
    let mut tables: Vec<&toml::Table> = Vec::new();
    if let Some(t) = manifest.get("dependencies").and_then(toml::Value::as_table) {
        tables.push(t);
    }
    if let Some(targets) = manifest.get("target").and_then(toml::Value::as_table) {
        for t in targets.values() {
            if let Some(d) = t.get("dependencies").and_then(toml::Value::as_table) {
                tables.push(d);
            }
        }
    }
    let mut out = Vec::new();
    for (name, spec) in tables.iter().flat_map(|t| t.iter()) {
        let path = if let Some(p) = spec.get("path").and_then(toml::Value::as_str) {
            Some(dir.join(p))
        } else if spec.get("workspace").and_then(toml::Value::as_bool) == Some(true) {
            root.as_ref().and_then(|(root, deps)| {
                let p = deps.get(name)?.get("path")?.as_str()?;
                Some(root.join(p))
            })
        } else {
            None
        };
        if let Some(p) = path.and_then(|p| std::fs::canonicalize(p).ok()) {
            out.push(p);
        }
    }
    out
}

/// When every error of a failed composition lies in the files of plugins that this crate (the
/// platform, in `manifest_dir`) depends on, and each of those plugins' own build scripts fails on
/// it, those plugins' namespaces: their builds report the errors, blamed on them, and the
/// platform's build need not repeat them (cargo does not build the platform when a dependency
/// fails). `None` when the platform must report them itself.
fn reported_by_plugins(
    config: &Config,
    report: &Report,
    manifest_dir: &Path,
) -> Option<Vec<String>> {
    let prefix = format!("{}/", config.display(&config.plugins_dir));
    let mut blamed = std::collections::BTreeSet::new();
    for d in report.diagnostics.iter().filter(|d| d.is_error()) {
        let file = report.sources.try_get(d.span.file)?.name();
        let plugin = file.strip_prefix(&prefix)?.split('/').next()?;
        blamed.insert(plugin.to_string());
    }
    if blamed.is_empty() {
        return None;
    }
    let dependencies = path_dependencies(manifest_dir);
    let found = Ok(config.clone());
    for plugin in &blamed {
        let dir = config.plugins_dir.join(plugin);
        let canonical = std::fs::canonicalize(&dir).ok()?;
        if !dependencies.contains(&canonical) || plugin_sources(&dir, &found, None).is_ok() {
            return None;
        }
    }
    Some(blamed.into_iter().collect())
}
