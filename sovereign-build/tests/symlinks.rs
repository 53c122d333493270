//! Symbolic links in a workspace (data-safety issue #12): a plugin directory or file that leads
//! out of the workspace is refused before anything is read from it; a link that stays inside is
//! followed.
#![cfg(unix)]

use sovereign_build::{compose_workspace, Config, Error};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

const BASE: &str = "datasource db {\n  provider = \"sqlite\"\n  url      = \"file:./dev.db\"\n}\n\nmodel User {\n  id Int @id\n}\n";
const MANIFEST: &str = r#"{"id": "blog", "name": "Blog", "version": "0.1.0"}"#;
const DEDICATED: &str = r#"{"id": "blog", "name": "Blog", "version": "0.1.0", "sovereign": {"database": {"mode": "dedicated"}}}"#;
const EXTENSION: &str = "model Post {\n  id Int @id\n}\n";
/// What a file outside the workspace holds: no message may show it.
const SECRET: &str = "TOP-SECRET-CONTENT";

/// A workspace (with `sovereign.toml`) and a directory outside it.
struct Ws {
    root: PathBuf,
    outside: PathBuf,
}

impl Ws {
    fn new(name: &str) -> Ws {
        let tmp =
            std::env::temp_dir().join(format!("sovereign-links-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let ws = Ws {
            root: tmp.join("workspace"),
            outside: tmp.join("outside"),
        };
        ws.write("sovereign.toml", "");
        ws.write("platform/prisma/base.prisma", BASE);
        std::fs::create_dir_all(&ws.outside).unwrap();
        ws
    }

    fn write(&self, rel: &str, text: &str) {
        write(&self.root.join(rel), text);
    }

    fn write_outside(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.outside.join(rel);
        write(&p, text);
        p
    }

    /// `rel` (in the workspace) becomes a link to `target`.
    fn link(&self, target: &Path, rel: &str) {
        let p = self.root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        symlink(target, p).unwrap();
    }

    fn compose(&self) -> Result<sovereign_build::Composition, Error> {
        compose_workspace(&Config::find(&self.root).unwrap())
    }

    /// The refusal: the link and where it leads, and the rendered message.
    fn refused(&self) -> (PathBuf, PathBuf, String) {
        match self.compose() {
            Ok(_) => panic!("a link out of the workspace was followed"),
            Err(e) => {
                let message = e.to_string();
                assert!(!message.contains(SECRET), "{message}");
                match e {
                    Error::LinkOutsideWorkspace { link, target, root } => {
                        assert_eq!(root, self.root);
                        (link, target, message)
                    }
                    other => panic!("not a link error: {other}"),
                }
            }
        }
    }
}

impl Drop for Ws {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(self.root.parent().unwrap());
    }
}

fn write(p: &Path, text: &str) {
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[test]
fn a_plugin_directory_linked_from_outside_is_refused() {
    let ws = Ws::new("dir");
    ws.write_outside("blog/plugin.json", &format!("{{\"id\": {SECRET}"));
    ws.write_outside("blog/prisma/extension.prisma", SECRET);
    ws.link(&ws.outside.join("blog"), "plugins/blog");
    let (link, target, message) = ws.refused();
    assert_eq!(link, ws.root.join("plugins/blog"));
    assert_eq!(target, ws.outside.join("blog").canonicalize().unwrap());
    assert!(message.contains("is a symbolic link to"), "{message}");
    assert!(message.contains(&link.display().to_string()), "{message}");
    assert!(message.contains(&target.display().to_string()), "{message}");
    assert!(
        message.contains("copy the files into the workspace"),
        "{message}"
    );
}

#[test]
fn plugin_files_linked_from_outside_are_refused() {
    // plugin.json, extension.prisma, a dedicated plugin's schema.prisma, and the prisma directory.
    let cases: [(&str, &str, &str); 4] = [
        ("plugins/blog/plugin.json", "plugin.json", MANIFEST),
        (
            "plugins/blog/prisma/extension.prisma",
            "extension.prisma",
            MANIFEST,
        ),
        (
            "plugins/blog/prisma/schema.prisma",
            "schema.prisma",
            DEDICATED,
        ),
        ("plugins/blog/prisma", "prisma", MANIFEST),
    ];
    for (rel, outside_name, manifest) in cases {
        let ws = Ws::new(outside_name);
        if rel != "plugins/blog/plugin.json" {
            ws.write("plugins/blog/plugin.json", manifest);
        }
        let target = if outside_name == "prisma" {
            ws.write_outside("prisma/extension.prisma", &format!("model {SECRET} {{"));
            ws.outside.join("prisma")
        } else {
            // Invalid content: were it read, its diagnostics would quote it.
            ws.write_outside(outside_name, &format!("{{ {SECRET} model {SECRET} {{"))
        };
        ws.link(&target, rel);
        let (link, resolved, _) = ws.refused();
        assert_eq!(link, ws.root.join(rel), "{rel}");
        assert_eq!(resolved, target.canonicalize().unwrap(), "{rel}");
    }
}

#[test]
fn a_plugins_directory_linked_from_outside_is_refused() {
    let ws = Ws::new("plugins");
    ws.write_outside("plugins/blog/plugin.json", SECRET);
    ws.link(&ws.outside.join("plugins"), "plugins");
    let (link, _, _) = ws.refused();
    assert_eq!(link, ws.root.join("plugins"));
}

#[test]
fn a_chain_of_links_is_named_by_its_first_link() {
    // plugins/blog -> shared/blog (inside) -> outside/blog.
    let ws = Ws::new("chain");
    ws.write_outside("blog/plugin.json", SECRET);
    ws.link(&ws.outside.join("blog"), "shared/blog");
    ws.link(&ws.root.join("shared/blog"), "plugins/blog");
    let (link, target, _) = ws.refused();
    assert_eq!(link, ws.root.join("plugins/blog"));
    assert_eq!(target, ws.outside.join("blog").canonicalize().unwrap());
}

#[test]
fn links_that_stay_inside_the_workspace_are_followed() {
    let ws = Ws::new("inside");
    ws.write("shared/blog/plugin.json", MANIFEST);
    ws.write("shared/models/post.prisma", EXTENSION);
    ws.link(&ws.root.join("shared/blog"), "plugins/blog");
    // A relative link, as `ln -s` would usually be made.
    ws.link(
        Path::new("../../../shared/models/post.prisma"),
        "shared/blog/prisma/extension.prisma",
    );
    let composition = ws.compose().unwrap_or_else(|e| panic!("{e}"));
    assert!(composition.composed.text.contains("model Post {"));
    assert_eq!(composition.composed.plugins, ["blog"]);
}

#[test]
fn a_plugin_build_script_refuses_a_manifest_linked_from_outside() {
    let ws = Ws::new("build");
    ws.write("plugins/blog/prisma/extension.prisma", EXTENSION);
    let target = ws.write_outside("plugin.json", &format!("{{\"id\": {SECRET}"));
    ws.link(&target, "plugins/blog/plugin.json");
    let result = sovereign_build::plugin()
        .dir(ws.root.join("plugins/blog"))
        .out_dir(ws.root.join("target"))
        .emit_rerun_if_changed(false)
        .compile();
    match result {
        Err(Error::LinkOutsideWorkspace { link, .. }) => {
            assert_eq!(link, ws.root.join("plugins/blog/plugin.json"));
        }
        Err(e) => panic!("not a link error: {e}"),
        Ok(_) => panic!("the linked manifest was read"),
    }
}
