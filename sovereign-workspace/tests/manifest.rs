//! `read_manifest` and `Boundary` as the build helper and `#[sovereign_plugin]` use them: one
//! reading of `plugin.json`, with the same link checks for both.

use sovereign_workspace::{read_manifest, Boundary, Config, Error, Mode};
use std::path::{Path, PathBuf};

const MANIFEST: &str = r#"{"id": "blog", "name": "Blog", "version": "0.1.0",
  "sovereign": {"database": {"mode": "dedicated"}, "platformCapabilities": {"database": true}}}"#;
/// What a file outside the workspace holds: no message may show it.
const SECRET: &str = "TOP-SECRET-CONTENT";

/// A workspace (with `sovereign.toml`) and a directory beside it.
struct Ws {
    root: PathBuf,
    outside: PathBuf,
}

impl Ws {
    fn new(name: &str) -> Ws {
        let tmp = std::env::temp_dir().join(format!("sovereign-wsm-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let ws = Ws {
            root: tmp.join("workspace"),
            outside: tmp.join("outside"),
        };
        write(
            &ws.root.join("sovereign.toml"),
            "[plugins]\ndir = \"plugins\"\n",
        );
        std::fs::create_dir_all(&ws.outside).unwrap();
        ws
    }
}

impl Drop for Ws {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(self.root.parent().unwrap());
    }
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_manifest_inside_the_workspace_is_read_with_its_directory_as_namespace() {
    let ws = Ws::new("inside");
    let dir = ws.root.join("plugins/blog");
    write(&dir.join("plugin.json"), MANIFEST);
    let m = read_manifest(
        &Boundary::of_plugin(&dir),
        &dir,
        &dir.join("plugin.json"),
        "plugin.json",
        false,
    )
    .unwrap()
    .0;
    assert_eq!(m.namespace, "blog");
    assert_eq!(m.mode, Mode::Dedicated);
    assert!(m.grants("database"));
    assert!(!m.grants("storage"));
}

#[test]
fn diagnostics_name_the_file_as_shown_with_line_and_column() {
    let ws = Ws::new("diag");
    let dir = ws.root.join("plugins/blog");
    write(
        &dir.join("plugin.json"),
        "{\n  \"id\": \"blog\",\n  \"name\": \"Blog\",\n  \"version\": \"0.1.0\",\n  \"namespace\": \"other\"\n}\n",
    );
    let e = read_manifest(
        &Boundary::of_plugin(&dir),
        &dir,
        &dir.join("plugin.json"),
        "blog/plugin.json",
        false,
    )
    .unwrap_err();
    let Error::Diagnostics(report) = &e else {
        panic!("not diagnostics: {e}")
    };
    let text = report.render();
    assert!(
        text.contains("the namespace \"other\" does not match the plugin's directory \"blog\""),
        "{text}"
    );
    assert!(text.contains("--> blog/plugin.json:5:3"), "{text}");
}

#[test]
fn a_missing_or_non_utf8_manifest_is_an_io_error() {
    let ws = Ws::new("io");
    let dir = ws.root.join("plugins/blog");
    let boundary = Boundary::of_plugin(&dir);
    let missing = read_manifest(
        &boundary,
        &dir,
        &dir.join("plugin.json"),
        "plugin.json",
        false,
    );
    assert!(matches!(missing, Err(Error::Io { .. })), "{missing:?}");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("plugin.json"), b"{\"id\": \"\xff\"}").unwrap();
    let bad = read_manifest(
        &boundary,
        &dir,
        &dir.join("plugin.json"),
        "plugin.json",
        false,
    );
    assert!(
        matches!(bad, Err(Error::NotUtf8 { offset: 8, .. })),
        "{bad:?}"
    );
}

#[cfg(unix)]
#[test]
fn a_manifest_linked_from_outside_is_refused_before_it_is_read() {
    use std::os::unix::fs::symlink;
    let ws = Ws::new("link");
    let dir = ws.root.join("plugins/blog");
    std::fs::create_dir_all(&dir).unwrap();
    let target = ws.outside.join("plugin.json");
    write(&target, &format!("{{\"id\": {SECRET}"));
    symlink(&target, dir.join("plugin.json")).unwrap();
    let e = read_manifest(
        &Boundary::of_plugin(&dir),
        &dir,
        &dir.join("plugin.json"),
        "plugin.json",
        false,
    )
    .unwrap_err();
    let message = e.to_string();
    assert!(!message.contains(SECRET), "{message}");
    match e {
        Error::LinkOutsideWorkspace { link, root, .. } => {
            assert_eq!(link, dir.join("plugin.json"));
            assert_eq!(root, ws.root);
        }
        other => panic!("not a link error: {other}"),
    }
}

#[cfg(unix)]
#[test]
fn a_directory_named_explicitly_outside_is_allowed_but_not_a_link_inside_it() {
    use std::os::unix::fs::symlink;
    let ws = Ws::new("named");
    let dir = ws.root.join("plugins/blog");
    std::fs::create_dir_all(&dir).unwrap();
    // `manifest = "../../../outside/blog/plugin.json"`: outside as written, the author's choice.
    let named = dir.join("../../../outside/blog/plugin.json");
    write(&ws.outside.join("blog/plugin.json"), MANIFEST);
    let boundary = Boundary::of_plugin(&dir);
    assert!(matches!(
        read_manifest(&boundary, &dir, &named, "named", false),
        Err(Error::LinkOutsideWorkspace { .. })
    ));
    let boundary = boundary.allowing(named.parent().unwrap());
    let m = read_manifest(&boundary, &dir, &named, "named", false)
        .unwrap()
        .0;
    assert_eq!(m.id, "blog");

    // A path written inside the workspace stays refused when a link takes it out.
    symlink(ws.outside.join("blog"), ws.root.join("plugins/linked")).unwrap();
    let linked = dir.join("../linked/plugin.json");
    let boundary = Boundary::of_plugin(&dir).allowing(linked.parent().unwrap());
    match read_manifest(&boundary, &dir, &linked, "linked", false) {
        Err(Error::LinkOutsideWorkspace { link, .. }) => {
            assert_eq!(link, dir.join("../linked"));
        }
        other => panic!("the link was followed: {other:?}"),
    }
}

#[test]
fn outside_any_workspace_a_plugin_is_bounded_by_its_own_directory() {
    let ws = Ws::new("alone");
    let dir = ws.outside.join("solo");
    write(
        &dir.join("plugin.json"),
        MANIFEST.replace("blog", "solo").as_str(),
    );
    assert!(Config::find(&dir).is_err());
    let m = read_manifest(
        &Boundary::of_plugin(&dir),
        &dir,
        &dir.join("plugin.json"),
        "plugin.json",
        false,
    )
    .unwrap()
    .0;
    assert_eq!(m.namespace, "solo");
}

/// Parses `text` as `plugins/blog/plugin.json`; the manifest and the rendered warnings, or the
/// rendered errors.
fn parse(text: &str, strict: bool) -> Result<(sovereign_workspace::Manifest, String), String> {
    let mut sources = sovereign_schema::Sources::new();
    let file = sources.add("plugins/blog/plugin.json", text);
    match sovereign_workspace::parse_manifest(text, file, "blog", strict) {
        Ok((m, warnings)) => Ok((
            m,
            sovereign_schema::diagnostic::render_all(&warnings, &sources),
        )),
        Err(errors) => Err(sovereign_schema::diagnostic::render_all(&errors, &sources)),
    }
}

#[test]
fn keys_a_platform_adds_inside_sovereign_are_kept_and_ignored() {
    // As the platform this design comes from writes them.
    let text = r#"{
  "id": "blog", "name": "Blog", "version": "1.2.0", "main": "dist/index.js",
  "sovereign": {
    "schemaVersion": 1,
    "database": { "mode": "dedicated", "pool": 4 },
    "platformCapabilities": { "database": true },
    "userCapabilities": ["blog.read", "blog.write"],
    "compat": { "platform": ">=2.0" },
    "routes": [{ "path": "/blog", "component": "BlogPage" }]
  }
}"#;
    for strict in [false, true] {
        let (m, warnings) = parse(text, strict).unwrap_or_else(|e| panic!("refused:\n{e}"));
        assert_eq!(m.mode, Mode::Dedicated);
        assert!(m.grants("database"));
        assert!(warnings.is_empty(), "{warnings}");
    }
}

#[test]
fn a_near_miss_is_a_warning_that_says_which_key_was_meant_and_an_error_when_strict() {
    let cases = [
        (
            r#"{"id": "blog", "name": "Blog", "version": "1",
  "sovereign": {"databse": {"mode": "dedicated"}}}"#,
            "unknown key \"databse\" inside \"sovereign\"",
            "did you mean \"database\"?",
            "plugins/blog/plugin.json:2:17",
        ),
        (
            r#"{"id": "blog", "name": "Blog", "version": "1",
  "sovereign": {"platformCapabilites": {"database": true}}}"#,
            "unknown key \"platformCapabilites\" inside \"sovereign\"",
            "did you mean \"platformCapabilities\"?",
            "plugins/blog/plugin.json:2:17",
        ),
        (
            r#"{"id": "blog", "name": "Blog", "version": "1",
  "sovereign": {"mode": "dedicated"}}"#,
            "\"mode\" is not read inside \"sovereign\"",
            "did you mean \"sovereign\": { \"database\": { \"mode\": ... } }?",
            "plugins/blog/plugin.json:2:17",
        ),
        (
            r#"{"id": "blog", "name": "Blog", "version": "1", "mode": "dedicated"}"#,
            "\"mode\" is not read at the top level",
            "did you mean \"sovereign\": { \"database\": { \"mode\": ... } }?",
            "plugins/blog/plugin.json:1:48",
        ),
        (
            r#"{"id": "blog", "name": "Blog", "version": "1",
  "sovereign": {"database": {"Mode": "dedicated"}}}"#,
            "unknown key \"Mode\" inside \"sovereign\": { \"database\" }",
            "did you mean \"mode\"?",
            "plugins/blog/plugin.json:2:30",
        ),
        (
            r#"{"id": "blog", "name": "Blog", "version": "1", "soverign": {}}"#,
            "unknown key \"soverign\" at the top level",
            "did you mean \"sovereign\"?",
            "plugins/blog/plugin.json:1:48",
        ),
    ];
    for (text, message, hint, at) in cases {
        let (m, warnings) = parse(text, false).unwrap_or_else(|e| panic!("refused:\n{e}"));
        assert_eq!(m.mode, Mode::Shared, "what is read is unchanged");
        assert!(
            warnings.contains(&format!("warning: {message}: it is ignored"))
                && warnings.contains(hint)
                && warnings.contains(at),
            "{warnings}"
        );
        let errors = parse(text, true).expect_err("strict refuses it");
        assert!(
            errors.contains(&format!("error: {message}"))
                && errors.contains(hint)
                && errors.contains("strict = true")
                && errors.contains(at),
            "{errors}"
        );
    }
}

#[test]
fn strict_comes_from_sovereign_toml() {
    let ws = Ws::new("strict");
    assert!(!Config::find(&ws.root).unwrap().strict);
    write(
        &ws.root.join("sovereign.toml"),
        "strict = true\n[plugins]\ndir = \"plugins\"\n",
    );
    assert!(Config::find(&ws.root).unwrap().strict);
}
