//! Golden files: the generated client of the example platform and of each example plugin
//! (`tests/goldens/`), regenerated through the public builders and compared byte for byte.
//!
//! A change to code generation shows up here as a diff to review. After a deliberate change,
//! run `UPDATE_GOLDENS=1 cargo test -p sovereign-build --test goldens` and commit the files.
//! Absolute paths (the workspace and the output directory) are written as `$WORKSPACE` and
//! `$OUT_DIR`, so the files are the same on every machine.

use std::path::{Path, PathBuf};

/// The example workspace (the repository root, canonical so that paths compare).
fn workspace() -> PathBuf {
    std::fs::canonicalize(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .expect("the workspace root")
}

/// A fresh output directory, removed at the end.
struct OutDir(PathBuf);

impl OutDir {
    fn new() -> OutDir {
        let dir = std::env::temp_dir().join(format!("sovereign-goldens-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        OutDir(std::fs::canonicalize(&dir).unwrap())
    }
}

impl Drop for OutDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Formats `text` again after its paths were replaced: the generator formats with the
/// machine's absolute paths inside string literals, so where a line wraps depends on how
/// long the checkout's path is. Formatting the normalized text makes the goldens the same
/// on every machine. The `// @generated` header (a plain comment, which the parser drops)
/// is kept as it is.
fn reformat(text: &str) -> String {
    let body_start = text
        .lines()
        .take_while(|line| line.starts_with("// ") || line.is_empty())
        .map(|line| line.len() + 1)
        .sum::<usize>()
        .min(text.len());
    let (header, body) = text.split_at(body_start);
    let file = syn::parse_file(body).unwrap_or_else(|e| panic!("generated code parses: {e}"));
    format!("{header}{}", prettyplease::unparse(&file))
}

/// Every generated file: (golden name, generated text with machine paths replaced).
fn generate(root: &Path, out: &Path) -> Vec<(String, String)> {
    let normalize = |text: String| {
        let text = text
            .replace(&out.display().to_string(), "$OUT_DIR")
            .replace(&root.display().to_string(), "$WORKSPACE");
        reformat(&text)
    };
    let mut files = Vec::new();
    let platform = out.join("platform");
    sovereign_build::configure()
        .workspace_from(root)
        .out_dir(&platform)
        .emit_rerun_if_changed(false)
        .check_committed(false)
        .compile()
        .unwrap_or_else(|e| panic!("the example platform: {e}"));
    let text = std::fs::read_to_string(platform.join("sovereign_client.rs")).unwrap();
    files.push(("example-platform.rs".to_string(), normalize(text)));
    for plugin in ["analytics", "blog", "tasks"] {
        let built = sovereign_build::plugin()
            .dir(root.join("example-plugins").join(plugin))
            .out_dir(out.join(plugin))
            .emit_rerun_if_changed(false)
            .compile()
            .unwrap_or_else(|e| panic!("the example plugin {plugin}: {e}"));
        let text = std::fs::read_to_string(&built.client).unwrap();
        files.push((format!("example-{plugin}.rs"), normalize(text)));
        if let Some(core) = &built.core {
            let text = std::fs::read_to_string(core).unwrap();
            files.push((format!("example-{plugin}-core.rs"), normalize(text)));
        }
    }
    files
}

#[test]
fn generated_clients_match_the_goldens() {
    let root = workspace();
    let out = OutDir::new();
    let goldens = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/goldens");
    let update = std::env::var_os("UPDATE_GOLDENS").is_some_and(|v| !v.is_empty() && v != "0");
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "0" && v != "false");
    // In CI a golden is checked, never rewritten: a stray variable must not make it pass.
    assert!(
        !(update && ci),
        "UPDATE_GOLDENS is set together with CI: goldens are refreshed locally and committed"
    );
    let mut stale = Vec::new();
    for (name, text) in generate(&root, &out.0) {
        let path = goldens.join(&name);
        let committed = std::fs::read_to_string(&path).ok();
        if committed.as_deref() == Some(text.as_str()) {
            continue;
        }
        if update {
            std::fs::create_dir_all(&goldens).unwrap();
            std::fs::write(&path, &text).unwrap();
            println!("updated tests/goldens/{name}");
            continue;
        }
        stale.push(match committed {
            Some(old) => similar::TextDiff::from_lines(&old, &text)
                .unified_diff()
                .context_radius(3)
                .header(&format!("tests/goldens/{name}"), "generated")
                .to_string(),
            None => format!("tests/goldens/{name} is missing"),
        });
    }
    assert!(
        stale.is_empty(),
        "generated code differs from the goldens; review the diff, then run \
         `UPDATE_GOLDENS=1 cargo test -p sovereign-build --test goldens` and commit:\n{}",
        stale.join("\n")
    );
}
