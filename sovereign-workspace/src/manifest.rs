//! `plugin.json`: what a plugin declares, parsed with diagnostics that point into the file.

use crate::{Boundary, Error};
use serde::Deserialize;
use sovereign_schema::{Diagnostic, FileId, Report, Sources, Span};
use std::collections::BTreeMap;
use std::path::Path;

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
    /// Every mode, the default first.
    pub const ALL: [Mode; 2] = [Mode::Shared, Mode::Dedicated];

    /// `"shared"` or `"dedicated"`, as `plugin.json` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Shared => "shared",
            Mode::Dedicated => "dedicated",
        }
    }

    /// The mode `plugin.json` spells `name`, if any.
    pub fn from_name(name: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.as_str() == name)
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
    /// `"id"`: unique among the workspace's plugins.
    pub id: String,
    /// `"name"`, for people.
    pub name: String,
    /// `"version"`.
    pub version: String,
    /// `"namespace"`, or the plugin directory's name; always equal to the latter.
    pub namespace: String,
    /// `"sovereign": { "database": { "mode": ... } }`.
    pub mode: Mode,
    /// Capability name to whether it is granted.
    pub capabilities: BTreeMap<String, bool>,
}

impl Manifest {
    /// Whether `"platformCapabilities"` grants `capability`.
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
pub fn key_span(text: &str, file: FileId, key: &str) -> Span {
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

/// Reads and parses the manifest at `path`, as the build helper and `#[sovereign_plugin]` both
/// do: a `path` that is, or is reached from `from` through, a symbolic link leading outside
/// `boundary` is refused before it is read (see [`Boundary::check`]). The namespace defaults to
/// the name of the directory holding the file; `shown` is the name diagnostics give the file.
///
/// # Errors
/// [`Error::LinkOutsideWorkspace`]; [`Error::Io`] or [`Error::NotUtf8`] when the file cannot be
/// read; [`Error::Diagnostics`] for what [`parse_manifest`] finds.
pub fn read_manifest(
    boundary: &Boundary,
    from: &Path,
    path: &Path,
    shown: &str,
) -> Result<Manifest, Error> {
    boundary.check(from, path)?;
    let text = crate::read_text(path)?;
    let mut sources = Sources::new();
    let file = sources.add(shown, text.clone());
    let dir_name = path
        .parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    parse_manifest(&text, file, &dir_name).map_err(|diagnostics| {
        Error::Diagnostics(Report {
            sources,
            diagnostics,
        })
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
