//! Plugin discovery: the plugins of a workspace, the files they contribute, and the workspace's
//! boundary, which no symbolic link may lead out of.

use crate::manifest::key_span;
use crate::{parse_manifest, Config, Error, Manifest, Mode};
use sovereign_schema::compose::{Extension, Input};
use sovereign_schema::{Diagnostic, Report, Sources, Span};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A discovered plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plugin {
    /// Its directory, `<plugins dir>/<namespace>`.
    pub dir: PathBuf,
    /// Its `plugin.json`.
    pub manifest_path: PathBuf,
    /// What `plugin.json` says.
    pub manifest: Manifest,
    /// `prisma/extension.prisma` of a shared plugin, when it exists.
    pub extension: Option<PathBuf>,
    /// `prisma/schema.prisma` of a dedicated plugin.
    pub schema: Option<PathBuf>,
}

/// What discovery found: plugins (sorted by namespace), and the files and directories it read.
#[derive(Debug, Default)]
pub struct Discovery {
    /// The plugins, sorted by namespace (bytewise).
    pub plugins: Vec<Plugin>,
    /// Directories without `plugin.json`, a missing plugins directory, ignored files.
    pub warnings: Vec<String>,
    /// Every `plugin.json` read.
    pub files_read: Vec<PathBuf>,
    /// The directories whose listing mattered (a new entry there changes the result).
    pub dirs_listed: Vec<PathBuf>,
}

/// Where the files of a workspace may be: inside its root (the directory of `sovereign.toml`),
/// and inside directories named explicitly outside the root (the plugins directory
/// `sovereign.toml` may name, see [`Boundary::allowing`]). A path that resolves elsewhere
/// through a symbolic link is refused before anything is read from it.
#[derive(Debug, Clone)]
pub struct Boundary {
    root: PathBuf,
    allowed: Vec<PathBuf>,
}

impl Boundary {
    /// The boundary of a workspace rooted at `root` whose plugins live in `plugins_dir`.
    pub fn new(root: &Path, plugins_dir: &Path) -> Boundary {
        let inside = Boundary {
            root: root.to_path_buf(),
            allowed: vec![canonical_or_absolute(root)],
        };
        // A plugins directory configured outside the root (`dir = "../plugins"`) is the
        // workspace owner's choice; one that only leaves through a link is not.
        inside.allowing(plugins_dir)
    }

    /// Refuses `path` when it resolves outside the workspace, naming the first link on the way
    /// from `from` (a directory inside the workspace) to it that leads out. A path that does not
    /// exist is not refused (reading it reports that).
    ///
    /// # Errors
    /// [`Error::LinkOutsideWorkspace`].
    pub fn check(&self, from: &Path, path: &Path) -> Result<(), Error> {
        let Ok(resolved) = std::fs::canonicalize(path) else {
            return Ok(());
        };
        if self.contains(&resolved) {
            return Ok(());
        }
        let mut link = path.to_path_buf();
        let mut target = resolved;
        let mut current = from.to_path_buf();
        let below: Vec<_> = path
            .strip_prefix(from)
            .map(|rel| rel.components().collect())
            .unwrap_or_default();
        for step in std::iter::once(None).chain(below.into_iter().map(Some)) {
            if let Some(c) = step {
                current.push(c);
            }
            let is_link = std::fs::symlink_metadata(&current).is_ok_and(|m| m.is_symlink());
            if let (true, Ok(t)) = (is_link, std::fs::canonicalize(&current)) {
                if !self.contains(&t) {
                    link = current;
                    target = t;
                    break;
                }
            }
        }
        Err(Error::LinkOutsideWorkspace {
            link,
            target,
            root: self.root.clone(),
        })
    }

    /// The boundary of the plugin (crate) in `dir`: that of the workspace whose
    /// `sovereign.toml` (or default layout) is found above it, or, outside any workspace, the
    /// directory itself.
    pub fn of_plugin(dir: &Path) -> Boundary {
        match Config::find(dir) {
            Ok(c) => Boundary::new(&c.root, &c.plugins_dir),
            Err(_) => Boundary::new(dir, dir),
        }
    }

    /// Also allows `dir`, a directory the user named explicitly (like `[plugins] dir` in
    /// `sovereign.toml`, or `#[sovereign_plugin(manifest = "...")]`), when it lies outside the
    /// root as written: placing files there is the owner's choice. A path that only leaves the
    /// workspace through a link is still refused.
    pub fn allowing(mut self, dir: &Path) -> Boundary {
        if !lexically_normal(dir).starts_with(lexically_normal(&self.root)) {
            self.allowed.push(canonical_or_absolute(dir));
        }
        self
    }

    fn contains(&self, resolved: &Path) -> bool {
        self.allowed.iter().any(|a| resolved.starts_with(a))
    }
}

fn canonical_or_absolute(p: &Path) -> PathBuf {
    std::fs::canonicalize(p)
        .or_else(|_| std::path::absolute(p))
        .unwrap_or_else(|_| p.to_path_buf())
}

/// `a/b/../c` as `a/c`, without looking at the file system.
fn lexically_normal(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// Lists `<plugins dir>/<namespace>/plugin.json`. A missing plugins directory means no plugins.
/// Manifests are added to `sources`; problems go to `diags` (errors) or the warnings. With
/// `strict`, a near-miss key in a manifest is an error (see [`parse_manifest`]).
///
/// This does not check where symbolic links lead; [`discover_within`] does (and
/// [`Workspace::load`] uses it).
///
/// # Errors
/// [`Error::Io`] when a directory or manifest cannot be read.
pub fn discover(
    plugins_dir: &Path,
    display: &dyn Fn(&Path) -> String,
    sources: &mut Sources,
    diags: &mut Vec<Diagnostic>,
    strict: bool,
) -> Result<Discovery, Error> {
    discover_impl(None, plugins_dir, display, sources, diags, strict)
}

/// [`discover`], refusing a plugins directory, plugin directory, `plugin.json`,
/// `extension.prisma` or `schema.prisma` that is, or is reached through, a symbolic link
/// leading outside the workspace (see [`Boundary`]). Nothing is read from such a path.
///
/// # Errors
/// [`Error::LinkOutsideWorkspace`] for the first such link; I/O errors.
pub fn discover_within(
    boundary: &Boundary,
    plugins_dir: &Path,
    display: &dyn Fn(&Path) -> String,
    sources: &mut Sources,
    diags: &mut Vec<Diagnostic>,
    strict: bool,
) -> Result<Discovery, Error> {
    discover_impl(Some(boundary), plugins_dir, display, sources, diags, strict)
}

fn discover_impl(
    boundary: Option<&Boundary>,
    plugins_dir: &Path,
    display: &dyn Fn(&Path) -> String,
    sources: &mut Sources,
    diags: &mut Vec<Diagnostic>,
    strict: bool,
) -> Result<Discovery, Error> {
    let check = |path: &Path| match boundary {
        Some(b) => b.check(plugins_dir.parent().unwrap_or(plugins_dir), path),
        None => Ok(()),
    };
    check(plugins_dir)?;
    let mut found = Discovery::default();
    let entries = match std::fs::read_dir(plugins_dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            found.warnings.push(format!(
                "the plugins directory {} does not exist: no plugins were composed",
                display(plugins_dir)
            ));
            return Ok(found);
        }
        Err(source) => {
            return Err(Error::Io {
                path: plugins_dir.to_path_buf(),
                source,
            })
        }
    };
    found.dirs_listed.push(plugins_dir.to_path_buf());
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut by_ns: BTreeMap<String, (String, Span)> = BTreeMap::new();
    let mut by_id: BTreeMap<String, (String, Span)> = BTreeMap::new();
    for dir in dirs {
        let dir_name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if dir_name.starts_with('.') {
            continue;
        }
        check(&dir)?;
        let manifest_path = dir.join("plugin.json");
        if !manifest_path.is_file() {
            found.warnings.push(format!(
                "{} has no plugin.json and is skipped; add one to make it a plugin",
                display(&dir)
            ));
            continue;
        }
        check(&manifest_path)?;
        let text = crate::read_text(&manifest_path)?;
        found.files_read.push(manifest_path.clone());
        let file = sources.add(display(&manifest_path), text.clone());
        let manifest = match parse_manifest(&text, file, &dir_name, strict) {
            Ok((m, warnings)) => {
                if !warnings.is_empty() {
                    found
                        .warnings
                        .push(sovereign_schema::diagnostic::render_all(&warnings, sources));
                }
                m
            }
            Err(errors) => {
                diags.extend(errors);
                continue;
            }
        };
        if let Some((other, other_span)) = by_id.get(&manifest.id) {
            diags.push(
                Diagnostic::error(
                    format!(
                        "two plugins have the id \"{}\": {} and {}",
                        manifest.id,
                        other,
                        display(&manifest_path)
                    ),
                    key_span(&text, file, "id"),
                )
                .with_note(*other_span, "the other plugin")
                .with_hint("plugin ids must be unique; change one of them"),
            );
        }
        by_id.insert(
            manifest.id.clone(),
            (display(&manifest_path), key_span(&text, file, "id")),
        );
        if let Some((other, other_span)) = by_ns.get(&manifest.namespace) {
            diags.push(
                Diagnostic::error(
                    format!(
                        "two plugins have the namespace \"{}\": {} and {}",
                        manifest.namespace,
                        other,
                        display(&manifest_path)
                    ),
                    key_span(&text, file, "namespace"),
                )
                .with_note(*other_span, "the other plugin"),
            );
        }
        by_ns.insert(
            manifest.namespace.clone(),
            (display(&manifest_path), key_span(&text, file, "namespace")),
        );

        let prisma = dir.join("prisma");
        if prisma.is_dir() {
            found.dirs_listed.push(prisma.clone());
        }
        check(&prisma)?;
        let extension = prisma.join("extension.prisma");
        let schema = prisma.join("schema.prisma");
        let mode_span = key_span(&text, file, "mode");
        let mut plugin = Plugin {
            dir: dir.clone(),
            manifest_path: manifest_path.clone(),
            manifest,
            extension: None,
            schema: None,
        };
        match plugin.manifest.mode {
            Mode::Shared => {
                if schema.is_file() {
                    diags.push(
                        Diagnostic::error(
                            format!(
                                "shared plugin \"{}\" has {}: a complete schema belongs to a dedicated plugin",
                                plugin.manifest.namespace,
                                display(&schema)
                            ),
                            if mode_span.end > 0 { mode_span } else { Span::new(file, 0, 0) },
                        )
                        .with_hint(
                            "set \"sovereign\": { \"database\": { \"mode\": \"dedicated\" } } in plugin.json, or rename the file to prisma/extension.prisma and keep only models, enums, types and views",
                        ),
                    );
                    continue;
                }
                if extension.is_file() {
                    check(&extension)?;
                    plugin.extension = Some(extension);
                }
            }
            Mode::Dedicated => {
                if !schema.is_file() {
                    diags.push(
                        Diagnostic::error(
                            format!(
                                "dedicated plugin \"{}\" has no {}",
                                plugin.manifest.namespace,
                                display(&schema)
                            ),
                            mode_span,
                        )
                        .with_hint("add a complete schema with a `datasource` and a `generator` block, or make the plugin shared"),
                    );
                    continue;
                }
                if extension.is_file() {
                    found.warnings.push(format!(
                        "{} is ignored: plugin \"{}\" is dedicated and uses prisma/schema.prisma",
                        display(&extension),
                        plugin.manifest.namespace
                    ));
                }
                check(&schema)?;
                plugin.schema = Some(schema);
            }
        }
        found.plugins.push(plugin);
    }
    found.plugins.sort_by(|a, b| {
        a.manifest
            .namespace
            .as_bytes()
            .cmp(b.manifest.namespace.as_bytes())
    });
    Ok(found)
}

/// Everything composition reads from a workspace, read once and checked: the base schema, the
/// shared plugins' extensions and the dedicated plugins' schemas.
#[derive(Debug)]
pub struct Workspace {
    /// The configuration it was read with.
    pub config: Config,
    /// The platform's base schema (its path relative to the root).
    pub base: Input,
    /// The plugins, sorted by namespace.
    pub plugins: Vec<Plugin>,
    /// The extensions of the shared plugins that have one, in namespace order.
    pub extensions: Vec<Extension>,
    /// Namespaces of dedicated plugins (not composed).
    pub dedicated: Vec<String>,
    /// Discovery warnings, rendered.
    pub warnings: Vec<String>,
    /// Every file read.
    pub files_read: Vec<PathBuf>,
    /// Every directory whose listing mattered, sorted.
    pub dirs_listed: Vec<PathBuf>,
}

impl Workspace {
    /// Discovers the plugins of the workspace `config` describes (refusing links out of it)
    /// and reads its schema files. A dedicated plugin's schema is checked here, since nothing
    /// composes it: it must be complete (a `datasource` and a `generator`), valid, and leave the
    /// migration history table (`_prisma_migrations`) to the tools.
    ///
    /// # Errors
    /// [`Error::Diagnostics`] with every problem in manifests and dedicated schemas at once;
    /// [`Error::LinkOutsideWorkspace`]; I/O errors. Nothing is written.
    pub fn load(config: &Config) -> Result<Workspace, Error> {
        let mut sources = Sources::new();
        let mut diags: Vec<Diagnostic> = Vec::new();
        let display = |p: &Path| config.display(p);
        let boundary = Boundary::new(&config.root, &config.plugins_dir);
        let found = discover_within(
            &boundary,
            &config.plugins_dir,
            &display,
            &mut sources,
            &mut diags,
            config.strict,
        )?;
        let mut files_read = found.files_read;
        let mut dirs_listed = found.dirs_listed;
        if let Some(file) = &config.file {
            files_read.push(file.clone());
        }
        let base_text = crate::read_text(&config.base)?;
        files_read.push(config.base.clone());
        let mut extensions = Vec::new();
        let mut dedicated = Vec::new();
        for p in &found.plugins {
            if let Some(path) = &p.extension {
                extensions.push(Extension {
                    namespace: p.manifest.namespace.clone(),
                    path: display(path),
                    text: crate::read_text(path)?,
                });
                files_read.push(path.clone());
            }
            if let Some(schema) = &p.schema {
                dedicated.push(p.manifest.namespace.clone());
                let text = crate::read_text(schema)?;
                files_read.push(schema.clone());
                check_dedicated_schema(
                    &display(schema),
                    &text,
                    &p.manifest.namespace,
                    &mut sources,
                    &mut diags,
                );
            }
        }
        if diags.iter().any(Diagnostic::is_error) {
            sovereign_schema::diagnostic::sort(&mut diags);
            return Err(Error::Diagnostics(Report {
                sources,
                diagnostics: diags,
            }));
        }
        dirs_listed.sort();
        dirs_listed.dedup();
        Ok(Workspace {
            config: config.clone(),
            base: Input {
                path: display(&config.base),
                text: base_text,
            },
            plugins: found.plugins,
            extensions,
            dedicated,
            warnings: found.warnings,
            files_read,
            dirs_listed,
        })
    }
}

/// A dedicated plugin's schema must be complete: a datasource and a generator, and valid.
fn check_dedicated_schema(
    name: &str,
    text: &str,
    ns: &str,
    sources: &mut Sources,
    diags: &mut Vec<Diagnostic>,
) {
    let id = sources.add(name, text);
    let (ast, parse_diags) = sovereign_schema::parse(id, text);
    let has = |k| ast.blocks().any(|b| b.kind == k);
    let mut missing = Vec::new();
    if !has(sovereign_schema::ast::BlockKind::Datasource) {
        missing.push("a `datasource` block");
    }
    if !has(sovereign_schema::ast::BlockKind::Generator) {
        missing.push("a `generator` block");
    }
    if !missing.is_empty() {
        diags.push(
            Diagnostic::error(
                format!("the schema of dedicated plugin \"{ns}\" is missing {}", missing.join(" and ")),
                Span::new(id, 0, 0),
            )
            .with_hint("a dedicated plugin's prisma/schema.prisma is complete: add `datasource db { provider = \"sqlite\" url = env(\"...\") }` and `generator client { provider = \"sovereign\" }`"),
        );
        return;
    }
    if parse_diags.iter().any(Diagnostic::is_error) {
        diags.extend(parse_diags);
        return;
    }
    let validated = sovereign_schema::validate(std::slice::from_ref(&ast), Default::default());
    diags.extend(
        validated
            .diagnostics
            .into_iter()
            .filter(Diagnostic::is_error),
    );
    // Its migrations are recorded in its own database's history table.
    if let Some(schema) = &validated.schema {
        diags.extend(sovereign_schema::compose::reserved_tables(schema));
    }
}

/// The files [`Workspace::load`] reads, as far as they exist now: `sovereign.toml`, the base
/// schema, and each plugin's `plugin.json`, `prisma/extension.prisma` and `prisma/schema.prisma`.
/// Found by listing the plugins directory only, reading nothing, so a build script can name its
/// inputs to cargo even when reading them fails (it reruns once the user fixes a file).
///
/// Directories are not listed as inputs: cargo watches a directory recursively, so a plugin's
/// Rust sources or a SQLite file beside its schema would rerun the build script.
pub fn composition_inputs(config: &Config) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = config.file.iter().cloned().collect();
    out.push(config.base.clone());
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&config.plugins_dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    for dir in dirs {
        for rel in [
            "plugin.json",
            "prisma/extension.prisma",
            "prisma/schema.prisma",
        ] {
            let file = dir.join(rel);
            if file.is_file() {
                out.push(file);
            }
        }
    }
    out
}
