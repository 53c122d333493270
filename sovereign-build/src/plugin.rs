//! Plugin discovery and `plugin.json` manifests.

use serde::Deserialize;
use sovereign_schema::{Diagnostic, FileId, Sources, Span};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Capabilities a plugin may ask the platform for.
pub const KNOWN_CAPABILITIES: &[&str] = &["database"];

/// How a plugin keeps its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Its `prisma/extension.prisma` is composed into the platform schema.
    #[default]
    Shared,
    /// It owns a database, a complete `prisma/schema.prisma` and its migrations.
    Dedicated,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Shared => "shared",
            Mode::Dedicated => "dedicated",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(expecting = "a JSON object with \"id\", \"name\" and \"version\"")]
struct RawManifest {
    id: String,
    name: String,
    version: String,
    namespace: Option<String>,
    #[serde(default)]
    sovereign: RawSovereign,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawSovereign {
    #[serde(default)]
    schema_version: Option<u32>,
    #[serde(default)]
    database: RawDatabase,
    #[serde(default)]
    platform_capabilities: BTreeMap<String, bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDatabase {
    #[serde(default)]
    mode: Mode,
}

/// What we read from `plugin.json` (other keys are kept in the file and ignored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub id: String,
    pub name: String,
    pub version: String,
    pub namespace: String,
    pub mode: Mode,
    /// Capability name to whether it is granted.
    pub capabilities: BTreeMap<String, bool>,
}

impl Manifest {
    pub fn grants(&self, capability: &str) -> bool {
        self.capabilities.get(capability).copied().unwrap_or(false)
    }
}

/// `^[a-z][a-z0-9_-]{0,62}$`
pub fn valid_namespace(ns: &str) -> bool {
    let b = ns.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_lowercase()
        && b[1..]
            .iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_' || *c == b'-')
}

/// The byte offset of a 1-based line and column.
fn offset(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column.saturating_sub(1)).min(text.len())
}

/// The span of the first `"key"` in the text (for messages about a key's value).
pub(crate) fn key_span(text: &str, file: FileId, key: &str) -> Span {
    let quoted = format!("\"{key}\"");
    match text.find(&quoted) {
        Some(i) => Span::new(file, i, i + quoted.len()),
        None => Span::new(file, 0, 0),
    }
}

/// The offset of the first occurrence of each JSON string in `text` (content as written, without
/// its quotes), found in one pass.
fn string_offsets(text: &str) -> std::collections::HashMap<&str, usize> {
    let bytes = text.as_bytes();
    let mut out = std::collections::HashMap::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'"' {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        while i < bytes.len() && bytes[i] != b'"' {
            i += if bytes[i] == b'\\' { 2 } else { 1 };
        }
        if i >= bytes.len() {
            break;
        }
        out.entry(&text[start + 1..i]).or_insert(start);
        i += 1;
    }
    out
}

/// Parses a manifest. `dir_name` is the plugin directory's name (the default namespace).
///
/// # Errors
/// Diagnostics with the position in the file: invalid JSON, a wrong type, an unknown mode, an
/// unknown capability, a bad or mismatched namespace.
pub fn parse_manifest(
    text: &str,
    file: FileId,
    dir_name: &str,
) -> Result<Manifest, Vec<Diagnostic>> {
    let raw: RawManifest = serde_json::from_str(text).map_err(|e| {
        let end = offset(text, e.line(), e.column());
        // For a bad value serde_json points at or just after its end; underline the whole value.
        let bytes = text.as_bytes();
        let mut at = end;
        let mut end = end;
        if e.is_data() && !bytes.is_empty() {
            let mut i = end.min(bytes.len() - 1);
            while i > 0 && matches!(bytes[i], b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                i -= 1;
            }
            end = i + 1;
            at = if bytes[i] == b'"' {
                text[..i].rfind('"').unwrap_or(i)
            } else {
                let mut j = i;
                while j > 0 && (bytes[j - 1].is_ascii_alphanumeric() || matches!(bytes[j - 1], b'.' | b'-')) {
                    j -= 1;
                }
                j
            };
        }
        let end = end.max(at + 1);
        let full = e.to_string();
        let message = full
            .rsplit_once(" at line ")
            .map_or(full.as_str(), |(m, _)| m)
            .to_string();
        let hint = if message.contains("unknown variant") {
            "`sovereign.database.mode` is \"shared\" (the default) or \"dedicated\"".to_string()
        } else if message.contains("unknown field") {
            "inside \"sovereign\" the keys are \"schemaVersion\", \"database\" (with \"mode\") and \"platformCapabilities\"".to_string()
        } else if message.contains("missing field") {
            "plugin.json needs at least \"id\", \"name\" and \"version\"".to_string()
        } else {
            "\"id\", \"name\", \"version\" and \"namespace\" are strings; \"sovereign\": { \"database\": { \"mode\": ... }, \"platformCapabilities\": { \"database\": true } }".to_string()
        };
        vec![Diagnostic::error(format!("invalid plugin.json: {message}"), Span::new(file, at, end))
            .with_hint(hint)]
    })?;
    let mut errors = Vec::new();
    if let Some(v) = raw.sovereign.schema_version.filter(|v| *v != 1) {
        errors.push(
            Diagnostic::error(
                format!("unsupported sovereign.schemaVersion {v}: this version of sovereign reads version 1"),
                key_span(text, file, "schemaVersion"),
            )
            .with_hint("set \"schemaVersion\": 1, or upgrade sovereign"),
        );
    }
    let namespace = raw
        .namespace
        .clone()
        .unwrap_or_else(|| dir_name.to_string());
    if !valid_namespace(&namespace) {
        let span = if raw.namespace.is_some() {
            key_span(text, file, "namespace")
        } else {
            Span::new(file, 0, 0)
        };
        errors.push(
            Diagnostic::error(
                format!("invalid plugin namespace \"{namespace}\": it must match ^[a-z][a-z0-9_-]{{0,62}}$"),
                span,
            )
            .with_hint("use lower-case letters, digits, `_` and `-`, starting with a letter; rename the directory to match"),
        );
    } else if namespace != dir_name {
        errors.push(
            Diagnostic::error(
                format!("the namespace \"{namespace}\" does not match the plugin's directory \"{dir_name}\""),
                key_span(text, file, "namespace"),
            )
            .with_hint(format!("rename the directory to `{namespace}`, or set \"namespace\": \"{dir_name}\"")),
        );
    }
    // One pass over the text finds every key: a manifest may name thousands of capabilities,
    // and searching the text for each would be quadratic.
    let mut strings = None;
    for name in raw.sovereign.platform_capabilities.keys() {
        if !KNOWN_CAPABILITIES.contains(&name.as_str()) {
            let strings = strings.get_or_insert_with(|| string_offsets(text));
            let span = match strings.get(name.as_str()) {
                Some(&at) => Span::new(file, at, at + name.len() + 2),
                None => key_span(text, file, name),
            };
            errors.push(
                Diagnostic::error(format!("unknown platform capability \"{name}\""), span)
                    .with_hint(format!(
                        "known capabilities: {}",
                        KNOWN_CAPABILITIES.join(", ")
                    )),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Manifest {
        id: raw.id,
        name: raw.name,
        version: raw.version,
        namespace,
        mode: raw.sovereign.database.mode,
        capabilities: raw.sovereign.platform_capabilities,
    })
}

/// A discovered plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plugin {
    pub dir: PathBuf,
    pub manifest_path: PathBuf,
    pub manifest: Manifest,
    /// `prisma/extension.prisma` of a shared plugin, when it exists.
    pub extension: Option<PathBuf>,
    /// `prisma/schema.prisma` of a dedicated plugin.
    pub schema: Option<PathBuf>,
}

/// What discovery found: plugins (sorted by namespace), and the files and directories it read.
#[derive(Debug, Default)]
pub struct Discovery {
    pub plugins: Vec<Plugin>,
    pub warnings: Vec<String>,
    pub files_read: Vec<PathBuf>,
    pub dirs_listed: Vec<PathBuf>,
}

/// Where the files of a workspace may be: inside its root (the directory of `sovereign.toml`),
/// and inside the plugins directory when `sovereign.toml` names one outside the root. A path
/// that resolves elsewhere through a symbolic link is refused before anything is read from it.
#[derive(Debug, Clone)]
pub struct Boundary {
    root: PathBuf,
    allowed: Vec<PathBuf>,
}

impl Boundary {
    /// The boundary of a workspace rooted at `root` whose plugins live in `plugins_dir`.
    pub fn new(root: &Path, plugins_dir: &Path) -> Boundary {
        let mut allowed = vec![canonical_or_absolute(root)];
        // A plugins directory configured outside the root (`dir = "../plugins"`) is the
        // workspace owner's choice; one that only leaves through a link is not.
        if !lexically_normal(plugins_dir).starts_with(lexically_normal(root)) {
            allowed.push(canonical_or_absolute(plugins_dir));
        }
        Boundary {
            root: root.to_path_buf(),
            allowed,
        }
    }

    /// Refuses `path` when it resolves outside the workspace, naming the first link on the way
    /// from `from` (a directory inside the workspace) to it that leads out. A path that does not
    /// exist is not refused (reading it reports that).
    ///
    /// # Errors
    /// [`crate::Error::LinkOutsideWorkspace`].
    pub fn check(&self, from: &Path, path: &Path) -> Result<(), crate::Error> {
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
        Err(crate::Error::LinkOutsideWorkspace {
            link,
            target,
            root: self.root.clone(),
        })
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
/// Manifests are added to `sources`; problems go to `diags` (errors) or the warnings.
///
/// This does not check where symbolic links lead; [`discover_within`] does (and
/// [`crate::compose_workspace`] uses it).
pub fn discover(
    plugins_dir: &Path,
    display: &dyn Fn(&Path) -> String,
    sources: &mut Sources,
    diags: &mut Vec<Diagnostic>,
) -> Result<Discovery, crate::Error> {
    discover_impl(None, plugins_dir, display, sources, diags)
}

/// [`discover`], refusing a plugins directory, plugin directory, `plugin.json`,
/// `extension.prisma` or `schema.prisma` that is, or is reached through, a symbolic link
/// leading outside the workspace (see [`Boundary`]). Nothing is read from such a path.
///
/// # Errors
/// [`crate::Error::LinkOutsideWorkspace`] for the first such link; I/O errors.
pub fn discover_within(
    boundary: &Boundary,
    plugins_dir: &Path,
    display: &dyn Fn(&Path) -> String,
    sources: &mut Sources,
    diags: &mut Vec<Diagnostic>,
) -> Result<Discovery, crate::Error> {
    discover_impl(Some(boundary), plugins_dir, display, sources, diags)
}

fn discover_impl(
    boundary: Option<&Boundary>,
    plugins_dir: &Path,
    display: &dyn Fn(&Path) -> String,
    sources: &mut Sources,
    diags: &mut Vec<Diagnostic>,
) -> Result<Discovery, crate::Error> {
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
            return Err(crate::Error::Io {
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
        let text = read(&manifest_path)?;
        found.files_read.push(manifest_path.clone());
        let file = sources.add(display(&manifest_path), text.clone());
        let manifest = match parse_manifest(&text, file, &dir_name) {
            Ok(m) => m,
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

pub(crate) fn read(path: &Path) -> Result<String, crate::Error> {
    let bytes = std::fs::read(path).map_err(|source| crate::Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|e| crate::Error::NotUtf8 {
        path: path.to_path_buf(),
        offset: e.utf8_error().valid_up_to(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_offsets_finds_the_first_of_each_string_in_one_pass() {
        let text = r#"{"a": "x\"y", "b": {"a": 1, "c\\": "b"}}"#;
        let found = string_offsets(text);
        assert_eq!(found["a"], 1);
        assert_eq!(found["b"], 14);
        assert_eq!(found[r#"x\"y"#], 6);
        assert_eq!(found[r"c\\"], 28);
        assert!(string_offsets("\"unclosed").is_empty());
    }
}
