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

// Keys the structs below do not name are ignored by serde (real platforms' manifests carry
// `userCapabilities`, `compat`, `routes`, ... inside "sovereign"); `near_misses` looks at them
// on its own, over the JSON value, so that serde's errors keep their exact positions.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSovereign {
    #[serde(default)]
    schema_version: Option<u32>,
    #[serde(default)]
    database: RawDatabase,
    #[serde(default)]
    platform_capabilities: BTreeMap<String, bool>,
}

#[derive(Debug, Default, Deserialize)]
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
/// Keys it does not read are ignored, wherever they are: platforms put their own keys in
/// `plugin.json`, inside `"sovereign"` too. A key that looks like a mistake for one it reads
/// (`databse`, `platformCapabilites`, `mode` outside `"database"`) is a warning saying which
/// key was meant, returned beside the manifest; with `strict` (`--strict`, or `strict = true`
/// in `sovereign.toml`) it is an error.
///
/// # Errors
/// Diagnostics with the position in the file: invalid JSON, a wrong type, an unknown mode, an
/// unknown capability, a bad or mismatched namespace, and under `strict` a near-miss key.
pub fn parse_manifest(
    text: &str,
    file: FileId,
    dir_name: &str,
    strict: bool,
) -> Result<(Manifest, Vec<Diagnostic>), Vec<Diagnostic>> {
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
        } else if message.contains("missing field") {
            "plugin.json needs at least \"id\", \"name\" and \"version\"".to_string()
        } else {
            "\"id\", \"name\", \"version\" and \"namespace\" are strings; \"sovereign\": { \"database\": { \"mode\": ... }, \"platformCapabilities\": { \"database\": true } }".to_string()
        };
        vec![Diagnostic::error(format!("invalid plugin.json: {message}"), Span::new(file, at, end))
            .with_hint(hint)]
    })?;
    let (mut errors, warnings): (Vec<_>, Vec<_>) = near_misses(text, file, strict)
        .into_iter()
        .partition(Diagnostic::is_error);
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
    let manifest = Manifest {
        id: raw.id,
        name: raw.name,
        version: raw.version,
        namespace,
        mode: raw.sovereign.database.mode,
        capabilities: raw.sovereign.platform_capabilities,
    };
    Ok((manifest, warnings))
}

/// The keys read at the top level of `plugin.json`.
const TOP_KEYS: &[&str] = &["id", "name", "version", "namespace", "sovereign"];
/// The keys read inside `"sovereign"`.
const SOVEREIGN_KEYS: &[&str] = &["schemaVersion", "database", "platformCapabilities"];

/// Where a key is read, written as the JSON a user would type.
fn path_of(key: &str) -> &'static str {
    match key {
        "mode" => "\"sovereign\": { \"database\": { \"mode\": ... } }",
        "schemaVersion" => "\"sovereign\": { \"schemaVersion\": 1 }",
        "database" => "\"sovereign\": { \"database\": { ... } }",
        "platformCapabilities" => "\"sovereign\": { \"platformCapabilities\": { ... } }",
        "namespace" => "\"namespace\" at the top level",
        _ => "",
    }
}

/// One level of `plugin.json`: how it is named, its keys, the keys read there, and the keys
/// read elsewhere that a user may put there.
type Level<'a> = (
    &'a str,
    Option<serde_json::Map<String, serde_json::Value>>,
    &'a [&'a str],
    &'a [&'a str],
);

/// Unknown keys that look like mistakes for keys `plugin.json` is read for: close to a key read
/// at the same level (`databse`), or a key read at another level (`mode` directly inside
/// `"sovereign"`). Other unknown keys are the platform's own and are not mentioned. Warnings,
/// or errors when `strict`.
fn near_misses(text: &str, file: FileId, strict: bool) -> Vec<Diagnostic> {
    let Ok(serde_json::Value::Object(top)) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let object = |v: Option<&serde_json::Value>| match v {
        Some(serde_json::Value::Object(o)) => Some(o.clone()),
        _ => None,
    };
    let sovereign = object(top.get("sovereign"));
    let database = sovereign.as_ref().and_then(|s| object(s.get("database")));
    let levels: [Level; 3] = [
        (
            "at the top level",
            Some(top.clone()),
            TOP_KEYS,
            &["mode", "schemaVersion", "database", "platformCapabilities"],
        ),
        (
            "inside \"sovereign\"",
            sovereign,
            SOVEREIGN_KEYS,
            &["mode", "namespace"],
        ),
        (
            "inside \"sovereign\": { \"database\" }",
            database,
            &["mode"],
            &["schemaVersion", "platformCapabilities", "namespace"],
        ),
    ];
    let strings = string_offsets(text);
    let mut out = Vec::new();
    for (level, keys, read, elsewhere) in levels {
        let Some(keys) = keys else { continue };
        for key in keys.keys() {
            if read.contains(&key.as_str()) {
                continue;
            }
            let (message, hint) =
                if let Some(other) = elsewhere.iter().find(|e| e.eq_ignore_ascii_case(key)) {
                    (
                        format!("\"{key}\" is not read {level}"),
                        format!("did you mean {}?", path_of(other)),
                    )
                } else if let Some(close) = closest(key, read) {
                    (
                        format!("unknown key \"{key}\" {level}"),
                        format!("did you mean \"{close}\"?"),
                    )
                } else {
                    continue;
                };
            let span = match strings.get(key.as_str()) {
                Some(&at) => Span::new(file, at, at + key.len() + 2),
                None => key_span(text, file, key),
            };
            let (diag, hint) = if strict {
                (
                    Diagnostic::error(message, span),
                    format!("{hint} (an error because of `strict = true` in sovereign.toml or `--strict`; keys sovereign does not read are otherwise ignored)"),
                )
            } else {
                (
                    Diagnostic::warning(format!("{message}: it is ignored"), span),
                    hint,
                )
            };
            out.push(diag.with_hint(hint));
        }
    }
    out
}

/// The candidate a key is most likely a typo of: the same ignoring case, or within an edit
/// distance of a third of its length (at least one).
fn closest<'c>(key: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let lower = key.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (edit_distance(&lower, &c.to_ascii_lowercase()), *c))
        .filter(|(d, c)| *d <= (c.len().max(key.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Reads and parses the manifest at `path`, as the build helper and `#[sovereign_plugin]` both
/// do: a `path` that is, or is reached from `from` through, a symbolic link leading outside
/// `boundary` is refused before it is read (see [`Boundary::check`]). The namespace defaults to
/// the name of the directory holding the file; `shown` is the name diagnostics give the file.
/// Returns the manifest and, when [`parse_manifest`] has warnings, their report.
///
/// # Errors
/// [`Error::LinkOutsideWorkspace`]; [`Error::Io`] or [`Error::NotUtf8`] when the file cannot be
/// read; [`Error::Diagnostics`] for what [`parse_manifest`] finds.
pub fn read_manifest(
    boundary: &Boundary,
    from: &Path,
    path: &Path,
    shown: &str,
    strict: bool,
) -> Result<(Manifest, Option<Report>), Error> {
    boundary.check(from, path)?;
    let text = crate::read_text(path)?;
    let mut sources = Sources::new();
    let file = sources.add(shown, text.clone());
    let dir_name = path
        .parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match parse_manifest(&text, file, &dir_name, strict) {
        Ok((manifest, warnings)) if warnings.is_empty() => Ok((manifest, None)),
        Ok((manifest, warnings)) => Ok((
            manifest,
            Some(Report {
                sources,
                diagnostics: warnings,
            }),
        )),
        Err(diagnostics) => Err(Error::Diagnostics(Report {
            sources,
            diagnostics,
        })),
    }
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
