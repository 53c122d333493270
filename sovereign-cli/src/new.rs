//! `sovereign new plugin <namespace> [--dedicated]`: a working plugin crate in the workspace's
//! plugins directory, a member of the cargo workspace and a dependency of the platform crate,
//! composed into the platform schema.

use anyhow::{bail, Context, Result};
use sovereign_workspace::Config;
use std::path::{Component, Path, PathBuf};

/// What [`plugin`] made, for its report.
#[derive(Debug)]
pub struct NewPlugin {
    /// The plugin's directory.
    pub dir: PathBuf,
    /// Its package name.
    pub package: String,
    /// Its crate as Rust names it (`-` as `_`).
    pub krate: String,
    /// The plugin type `#[sovereign_plugin]` goes on.
    pub type_name: String,
    /// The files written, relative to the workspace root.
    pub files: Vec<String>,
    /// Other files changed (workspace members, the platform's dependencies).
    pub edited: Vec<String>,
    /// The platform crate's package name, when it was found.
    pub platform: Option<String>,
    /// The variable of a dedicated plugin's datasource URL.
    pub url_variable: Option<String>,
}

/// `page-views` -> `PageViews`.
fn pascal_case(ns: &str) -> String {
    ns.split(['-', '_'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// `PageViewsItem` -> `page_views_item`, as the generated client names a model's accessor.
fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `a/b/../c` as `a/c`, without looking at the file system.
fn normal(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// `to` relative to the directory `from` (both absolute), with `/` separators.
fn relative(from: &Path, to: &Path) -> String {
    let (from, to) = (normal(from), normal(to));
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

fn read_toml(path: &Path) -> Option<toml::Table> {
    toml::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// The nearest directory at or above `start` whose `Cargo.toml` satisfies `test`.
fn find_manifest(start: &Path, test: impl Fn(&toml::Table) -> bool) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|d| read_toml(&d.join("Cargo.toml")).is_some_and(|t| test(&t)))
        .map(Path::to_path_buf)
}

/// A TOML value written inline (the subset dependency specifications use).
fn inline(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => format!("{s:?}"),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::Array(a) => {
            format!("[{}]", a.iter().map(inline).collect::<Vec<_>>().join(", "))
        }
        toml::Value::Table(t) => format!(
            "{{ {} }}",
            t.iter()
                .map(|(k, v)| format!("{k} = {}", inline(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The platform's specification of dependency `name` in `section`, for a crate in `to` (a
/// relative `path` rebased), or `fallback`.
fn dependency_like(
    platform: Option<&(PathBuf, toml::Table)>,
    section: &str,
    name: &str,
    to: &Path,
    fallback: &str,
) -> String {
    let spec = platform.and_then(|(dir, t)| {
        let mut spec = t.get(section)?.get(name)?.clone();
        if let Some(table) = spec.as_table_mut() {
            if let Some(p) = table.get("path").and_then(toml::Value::as_str) {
                let rebased = relative(to, &dir.join(p));
                table.insert("path".into(), toml::Value::String(rebased));
            }
        }
        Some(inline(&spec))
    });
    format!("{name} = {}", spec.unwrap_or_else(|| fallback.to_string()))
}

/// Inserts `line` at the end of the `[section]` table of a manifest's text (the table is added
/// when missing).
fn add_to_section(text: &str, section: &str, line: &str) -> String {
    let header = format!("[{section}]");
    let lines: Vec<&str> = text.lines().collect();
    let Some(start) = lines.iter().position(|l| l.trim() == header) else {
        let sep = if text.ends_with('\n') { "" } else { "\n" };
        return format!("{text}{sep}\n{header}\n{line}\n");
    };
    let end = lines[start + 1..]
        .iter()
        .position(|l| l.trim_start().starts_with('['))
        .map_or(lines.len(), |i| start + 1 + i);
    // After the section's last entry, before the blank lines that end it.
    let mut at = end;
    while at > start + 1 && lines[at - 1].trim().is_empty() {
        at -= 1;
    }
    let mut out: Vec<&str> = lines[..at].to_vec();
    out.push(line);
    out.extend(&lines[at..]);
    out.join("\n") + "\n"
}

/// Adds `member` to `[workspace] members = [...]`.
fn add_member(text: &str, member: &str) -> Option<String> {
    let start = text.find("members")?;
    let open = start + text[start..].find('[')?;
    let close = open + text[open..].find(']')?;
    let inside = text[open + 1..close].trim_end();
    let entry = format!("{member:?}");
    let new_inside = if inside.trim().is_empty() {
        entry
    } else if inside.ends_with(',') {
        format!("{inside} {entry}")
    } else {
        format!("{inside}, {entry}")
    };
    Some(format!(
        "{}[{new_inside}]{}",
        &text[..open],
        &text[close + 1..]
    ))
}

/// Whether a `[workspace] members` entry (maybe a glob `dir/*`) covers `member`.
fn covered(members: &[String], member: &str) -> bool {
    members.iter().any(|m| {
        m == member
            || m.strip_suffix("/*").is_some_and(|dir| {
                member
                    .strip_prefix(dir)
                    .is_some_and(|rest| rest.starts_with('/') && !rest[1..].contains('/'))
            })
    })
}

/// Creates plugin `ns` in the workspace `config` describes, writes nothing when it refuses.
///
/// # Errors
/// An invalid namespace, a plugin directory or id that exists already, a workspace without a
/// cargo workspace manifest, and I/O errors.
pub fn plugin(config: &Config, ns: &str, dedicated: bool) -> Result<NewPlugin> {
    if !sovereign_workspace::valid_namespace(ns) {
        bail!(
            "invalid plugin namespace \"{ns}\": a namespace is 1 to 63 lower-case letters, digits, `_` and `-`, starting with a letter (it is the plugin's directory name and a prefix of its tables), for example `notes` or `page-views`"
        );
    }
    let dir = config.plugins_dir.join(ns);
    if dir.exists() {
        bail!(
            "plugin \"{ns}\" exists already: {} (choose another namespace, or edit that plugin)",
            config.display(&dir)
        );
    }
    let workspace = sovereign_workspace::Workspace::load(config).ok();
    if let Some(other) = workspace
        .iter()
        .flat_map(|w| &w.plugins)
        .find(|p| p.manifest.id == ns)
    {
        bail!(
            "a plugin with the id \"{ns}\" exists already: {} (ids are unique; choose another namespace)",
            config.display(&other.manifest_path)
        );
    }
    let plugins_dir = std::path::absolute(&config.plugins_dir)?;
    let cargo_root = find_manifest(&plugins_dir, |t| t.contains_key("workspace"))
        .context("no cargo workspace (a Cargo.toml with [workspace]) above the plugins directory: the plugin crate must be a member of one")?;
    let base_dir = config.base.parent().unwrap_or(&config.root);
    let platform = find_manifest(&std::path::absolute(base_dir)?, |t| {
        t.contains_key("package")
    })
    .and_then(|d| Some((d.clone(), read_toml(&d.join("Cargo.toml"))?)));
    let platform_name = platform
        .as_ref()
        .and_then(|(_, t)| Some(t.get("package")?.get("name")?.as_str()?.to_string()));

    // Package names follow the other plugins' (`example-blog` for `blog`).
    let prefix = workspace.as_ref().and_then(|w| {
        let prefixes: Vec<String> = w
            .plugins
            .iter()
            .filter_map(|p| {
                let t = read_toml(&p.dir.join("Cargo.toml"))?;
                let name = t.get("package")?.get("name")?.as_str()?.to_string();
                Some(name.strip_suffix(&p.manifest.namespace)?.to_string())
            })
            .collect();
        let first = prefixes.first()?.clone();
        prefixes.iter().all(|p| *p == first).then_some(first)
    });
    let package = format!("{}{ns}", prefix.unwrap_or_default());
    let krate = package.replace('-', "_");
    let type_name = pascal_case(ns);
    let model = format!("{type_name}Item");
    let accessor = snake_case(&model);
    let provider = std::fs::read_to_string(&config.base)
        .ok()
        .and_then(|text| {
            let (schema, _) = sovereign_schema::check("base.prisma", &text).ok()?;
            Some(schema.provider().as_str().to_string())
        })
        .unwrap_or_else(|| "sqlite".to_string());
    let variable = format!("{}_DATABASE_URL", ns.to_ascii_uppercase().replace('-', "_"));

    let name = ns
        .split(['-', '_'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ");
    let mode = if dedicated { "dedicated" } else { "shared" };
    let manifest = format!(
        "{{\n  \"id\": \"{ns}\",\n  \"name\": \"{name}\",\n  \"version\": \"0.1.0\",\n  \"namespace\": \"{ns}\",\n  \"sovereign\": {{\n    \"schemaVersion\": 1,\n    \"database\": {{ \"mode\": \"{mode}\" }},\n    \"platformCapabilities\": {{ \"database\": true }}\n  }}\n}}\n"
    );
    let sovereign_dep = dependency_like(
        platform.as_ref(),
        "dependencies",
        "sovereign",
        &dir,
        "\"0.1\"",
    );
    let build_dep = dependency_like(
        platform.as_ref(),
        "build-dependencies",
        "sovereign-build",
        &dir,
        "\"0.1\"",
    );
    let root_toml = read_toml(&cargo_root.join("Cargo.toml"));
    let tokio = if root_toml
        .as_ref()
        .and_then(|t| t.get("workspace")?.get("dependencies")?.get("tokio"))
        .is_some()
    {
        "tokio = { workspace = true, features = [\"rt\", \"macros\"] }"
    } else {
        "tokio = { version = \"1\", features = [\"rt\", \"macros\"] }"
    };
    let cargo_toml = format!(
        "[package]\nname = \"{package}\"\ndescription = \"The {name} plugin\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\n{sovereign_dep}\n\n[build-dependencies]\n{build_dep}\n\n[dev-dependencies]\n{tokio}\n"
    );
    let build_rs = "//! Generates this plugin's database access from plugin.json and its schema (see lib.rs).\nfn main() {\n    if let Err(e) = sovereign_build::plugin().compile() {\n        eprintln!(\"{e}\");\n        std::process::exit(1);\n    }\n}\n";
    let (schema_file, schema, what, attribute, context) = if dedicated {
        (
            "prisma/schema.prisma",
            format!(
                "// The {name} plugin owns its database: its migrations are in prisma/migrations.\n\ndatasource db {{\n  provider = \"{provider}\"\n  url      = env(\"{variable}\")\n}}\n\ngenerator client {{\n  provider = \"sovereign\"\n}}\n\nmodel {model} {{\n  id        Int      @id @default(autoincrement())\n  title     String\n  createdAt DateTime @default(now())\n}}\n"
            ),
            format!("dedicated mode: its own database (`{variable}`), schema, migrations and client; it reads the platform's core models read-only through `ctx.core()`"),
            "#[sovereign_plugin(mode = \"dedicated\")]",
            "PluginContext::new_for_tests(None, Some(database.clone()))",
        )
    } else {
        (
            "prisma/extension.prisma",
            format!(
                "// The {name} plugin's models, composed into the platform schema (`sovereign compose`).\n// They may relate to core models; model names are unique across the platform.\n\nmodel {model} {{\n  id        Int      @id @default(autoincrement())\n  title     String\n  createdAt DateTime @default(now())\n}}\n"
            ),
            "shared mode: its models in `prisma/extension.prisma` are composed into the platform schema; it reaches them, and the core models read-only, through `ctx.db()`".to_string(),
            "#[sovereign_plugin]",
            "PluginContext::new_for_tests(Some(database.clone()), None)",
        )
    };
    let lib_rs = format!(
        r#"//! The {name} plugin ({what}).

use sovereign::{{sovereign_plugin, PluginContext}};

{attribute}
pub struct {type_name};

use db::{accessor};

/// Adds an item (`create` takes the required fields in schema order, then the optional ones as
/// setters) and returns how many there are.
pub async fn add_item(ctx: &PluginContext<{type_name}>, title: &str) -> sovereign::Result<i64> {{
    ctx.db()
        .{accessor}()
        .create(title.to_string(), vec![])
        .exec()
        .await?;
    ctx.db().{accessor}().count(vec![]).exec().await
}}

#[cfg(test)]
mod tests {{
    use super::*;

    #[tokio::test(flavor = "current_thread")]
    async fn add_item_counts_items() -> sovereign::Result<()> {{
        let file = std::env::temp_dir().join(format!("{ns}-test-{{}}.db", std::process::id()));
        let _ = std::fs::remove_file(&file);
        let url = format!("file:{{}}", file.display());
        // The tables of the schema this plugin's client was generated from, in a scratch database.
        db::DATASOURCE.deploy(&url).await?;
        let database = sovereign::Database::connect(&url).await?;
        let ctx = {context};
        assert_eq!(add_item(&ctx, "first").await?, 1);
        assert_eq!(add_item(&ctx, "second").await?, 2);
        // Closing the pool ends SQLite's write-ahead log; then the scratch files go.
        database.close().await;
        for suffix in ["", "-wal", "-shm"] {{
            let _ = std::fs::remove_file(format!("{{}}{{suffix}}", file.display()));
        }}
        Ok(())
    }}
}}
"#
    );

    // Check the edits of the existing manifests before writing anything.
    let member = relative(&cargo_root, &std::path::absolute(&dir)?);
    let root_manifest = cargo_root.join("Cargo.toml");
    let root_text = std::fs::read_to_string(&root_manifest)
        .with_context(|| format!("cannot read {}", root_manifest.display()))?;
    let members: Vec<String> = root_toml
        .as_ref()
        .and_then(|t| t.get("workspace")?.get("members")?.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let new_root = if covered(&members, &member) {
        None
    } else {
        let text = add_member(&root_text, &member)
            .filter(|t| toml::from_str::<toml::Table>(t).is_ok())
            .with_context(|| {
                format!(
                    "cannot add \"{member}\" to the members of {}: add it by hand",
                    root_manifest.display()
                )
            })?;
        Some(text)
    };
    let new_platform = match &platform {
        Some((pdir, _)) => {
            let path = pdir.join("Cargo.toml");
            let text = std::fs::read_to_string(&path)?;
            let line = format!(
                "{package} = {{ path = \"{}\" }}",
                relative(pdir, &std::path::absolute(&dir)?)
            );
            let edited = add_to_section(&text, "dependencies", &line);
            let ok = toml::from_str::<toml::Table>(&edited)
                .ok()
                .is_some_and(|t| {
                    t.get("dependencies")
                        .and_then(|d| d.get(&package))
                        .is_some()
                });
            if !ok {
                bail!(
                    "cannot add {package} to the dependencies of {}: add it by hand",
                    path.display()
                );
            }
            Some((path, edited))
        }
        None => None,
    };

    let files = [
        ("plugin.json", manifest),
        ("Cargo.toml", cargo_toml),
        ("build.rs", build_rs.to_string()),
        ("src/lib.rs", lib_rs),
        (schema_file, schema),
    ];
    let mut written = Vec::new();
    for (rel, text) in &files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        crate::write_atomically(&path, text.as_bytes())?;
        written.push(config.display(&path));
    }
    let mut edited = Vec::new();
    if let Some(text) = new_root {
        crate::write_atomically(&root_manifest, text.as_bytes())?;
        edited.push(config.display(&root_manifest));
    }
    if let Some((path, text)) = new_platform {
        crate::write_atomically(&path, text.as_bytes())?;
        edited.push(config.display(&path));
    }
    Ok(NewPlugin {
        dir,
        package,
        krate,
        type_name,
        files: written,
        edited,
        platform: platform_name,
        url_variable: dedicated.then_some(variable),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(pascal_case("page-views"), "PageViews");
        assert_eq!(pascal_case("notes"), "Notes");
        assert_eq!(snake_case("PageViewsItem"), "page_views_item");
        assert_eq!(
            relative(
                Path::new("/w/example-plugins/notes"),
                Path::new("/w/sovereign")
            ),
            "../../sovereign"
        );
        assert_eq!(
            relative(Path::new("/w"), Path::new("/w/plugins/a")),
            "plugins/a"
        );
    }

    #[test]
    fn manifest_edits() {
        assert_eq!(
            add_member("[workspace]\nmembers = [\"a\", \"b\"]\n", "p/c").unwrap(),
            "[workspace]\nmembers = [\"a\", \"b\", \"p/c\"]\n"
        );
        assert_eq!(
            add_member("[workspace]\nmembers = [\n  \"a\",\n]\n", "p/c").unwrap(),
            "[workspace]\nmembers = [\n  \"a\", \"p/c\"]\n"
        );
        assert!(covered(&["plugins/*".into()], "plugins/notes"));
        assert!(!covered(&["plugins/*".into()], "other/notes"));
        assert_eq!(
            add_to_section("[package]\nname = \"p\"\n\n[dependencies]\na = \"1\"\n\n[build-dependencies]\nb = \"1\"\n", "dependencies", "c = { path = \"../c\" }"),
            "[package]\nname = \"p\"\n\n[dependencies]\na = \"1\"\nc = { path = \"../c\" }\n\n[build-dependencies]\nb = \"1\"\n"
        );
        assert_eq!(
            add_to_section("[package]\nname = \"p\"\n", "dependencies", "c = \"1\""),
            "[package]\nname = \"p\"\n\n[dependencies]\nc = \"1\"\n"
        );
    }
}
