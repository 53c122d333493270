//! A real build: a platform crate whose build.rs calls `sovereign_build::platform().compile()`,
//! built by cargo inside the test. The tree is then edited to prove the rerun rules are complete
//! (every input reruns the build script) and minimal (a no-op build and unrelated edits do not).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Platform {
    root: PathBuf,
    target: PathBuf,
}

const BASE: &str = "datasource db {\n  provider = \"sqlite\"\n  url      = \"file:./dev.db\"\n}\n\ngenerator client {\n  provider = \"sovereign\"\n}\n\nmodel User {\n  id    String @id\n  email String @unique\n}\n";

impl Platform {
    fn write(&self, rel: &str, text: &str) {
        let p = self.root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn cargo(&self, args: &[&str], ci: bool) -> Output {
        // Timestamps must move forward between edits and builds.
        std::thread::sleep(std::time::Duration::from_millis(20));
        let mut cmd = Command::new(env!("CARGO"));
        cmd.args(args)
            .arg("-v")
            .current_dir(self.root.join("platform"))
            .env("CARGO_TARGET_DIR", &self.target)
            .env_remove("RUSTFLAGS")
            .env("CARGO_TERM_COLOR", "never");
        if ci {
            cmd.env("CI", "true");
        } else {
            cmd.env_remove("CI");
        }
        cmd.output().expect("run cargo")
    }

    /// Builds; returns whether the build script ran, and the output.
    fn build(&self) -> (bool, String) {
        let out = self.cargo(&["build"], false);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "build failed:\n{stderr}");
        let ran = stderr
            .lines()
            .any(|l| l.trim_start().starts_with("Running") && l.contains("build-script-build"));
        (ran, stderr)
    }

    fn composed(&self) -> String {
        let out = self.cargo(&["run"], false);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn commit_composed(&self) {
        let config = sovereign_build::Config::find(&self.root).unwrap();
        let c = sovereign_build::compose_workspace(&config).unwrap();
        self.write("platform/prisma/schema.prisma", &c.composed.text);
    }
}

fn plugin_json(ns: &str) -> String {
    format!("{{\"id\": \"{ns}\", \"name\": \"{ns}\", \"version\": \"0.1.0\"}}")
}

fn setup() -> Platform {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("build-script-platform");
    let _ = std::fs::remove_dir_all(&root);
    let p = Platform {
        target: PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("build-script-target"),
        root,
    };
    let helper = Path::new(env!("CARGO_MANIFEST_DIR"));
    p.write("sovereign.toml", "[plugins]\ndir = \"plugins\"\n");
    p.write("platform/prisma/base.prisma", BASE);
    p.write(
        "platform/Cargo.toml",
        &format!(
            "[package]\nname = \"platform\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[build-dependencies]\nsovereign-build = {{ path = {:?} }}\n\n[workspace]\n",
            helper.display().to_string()
        ),
    );
    p.write(
        "platform/build.rs",
        "fn main() -> Result<(), sovereign_build::Error> {\n    sovereign_build::platform().compile()\n}\n",
    );
    p.write(
        "platform/src/main.rs",
        "const SCHEMA: &str = include_str!(concat!(env!(\"OUT_DIR\"), \"/schema.prisma\"));\n\nfn main() {\n    print!(\"{SCHEMA}\");\n}\n",
    );
    p.write("plugins/blog/plugin.json", &plugin_json("blog"));
    p.write(
        "plugins/blog/prisma/extension.prisma",
        "model Post {\n  id       Int    @id\n  authorId String\n  author   User   @relation(fields: [authorId], references: [id])\n}\n",
    );
    p.write("README.md", "a platform\n");
    // Use the same dependency versions as this workspace (and whatever is cached).
    let lock = helper.parent().unwrap().join("Cargo.lock");
    std::fs::copy(lock, p.root.join("platform/Cargo.lock")).unwrap();
    p.commit_composed();
    p
}

#[test]
fn rerun_rules_are_complete_and_minimal() {
    let p = setup();
    let (ran, out) = p.build();
    assert!(ran, "first build runs the build script:\n{out}");
    assert!(
        !out.contains("out of date"),
        "the committed schema is current:\n{out}"
    );
    assert!(p.composed().contains("model Post {"));

    // No-op build: zero reruns.
    let (ran, out) = p.build();
    assert!(
        !ran,
        "a no-op build must not rerun the build script:\n{out}"
    );

    // Unrelated files: no rerun.
    p.write("README.md", "edited\n");
    p.write(
        "platform/src/main.rs",
        &std::fs::read_to_string(p.root.join("platform/src/main.rs"))
            .unwrap()
            .replace("fn main", "// edited\nfn main"),
    );
    let (ran, out) = p.build();
    assert!(
        !ran,
        "unrelated edits must not rerun the build script:\n{out}"
    );

    // Editing a plugin's schema reruns, updates the output, and flags the stale commit.
    p.write(
        "plugins/blog/prisma/extension.prisma",
        "model Post {\n  id       Int    @id\n  title    String\n  authorId String\n  author   User   @relation(fields: [authorId], references: [id])\n}\n",
    );
    let (ran, out) = p.build();
    assert!(ran, "editing extension.prisma reruns");
    assert!(
        out.contains("platform/prisma/schema.prisma is out of date")
            && out.contains("sovereign compose"),
        "{out}"
    );
    assert!(p.composed().contains("  title    String\n"));
    p.commit_composed();

    // Under CI a stale committed schema fails the build, with the diff and no panic.
    p.write(
        "plugins/blog/prisma/extension.prisma",
        &std::fs::read_to_string(p.root.join("plugins/blog/prisma/extension.prisma"))
            .unwrap()
            .replace("title", "headline"),
    );
    let out = p.cargo(&["build"], true);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("out of date") && err.contains("+  headline String"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    p.commit_composed();
    p.build();

    // Adding, editing the manifest of, and removing a plugin rerun.
    p.write("plugins/tasks/plugin.json", &plugin_json("tasks"));
    p.write(
        "plugins/tasks/prisma/extension.prisma",
        "model Task {\n  id Int @id\n}\n",
    );
    let (ran, _) = p.build();
    assert!(ran, "adding a plugin reruns");
    assert!(p.composed().contains("model Task {"));
    p.write(
        "plugins/tasks/plugin.json",
        &plugin_json("tasks").replace("0.1.0", "0.2.0"),
    );
    assert!(p.build().0, "editing a manifest reruns");
    std::fs::remove_dir_all(p.root.join("plugins/tasks")).unwrap();
    assert!(p.build().0, "removing a plugin reruns");
    assert!(!p.composed().contains("model Task"));

    // base.prisma and sovereign.toml rerun.
    p.write(
        "platform/prisma/base.prisma",
        &BASE.replace(
            "email String @unique",
            "email String @unique\n  name  String?",
        ),
    );
    assert!(p.build().0, "editing base.prisma reruns");
    p.write("sovereign.toml", "[plugins]\ndir = \"plugins\"\n# edited\n");
    assert!(p.build().0, "editing sovereign.toml reruns");
    p.commit_composed();
    assert!(p.build().0, "a new committed schema reruns the comparison");
    assert!(!p.build().0, "and then nothing");

    // The client embeds the migrations: once the folder exists (here it comes with the
    // committed schema, as `sovereign migrate dev` makes it), a new migration reruns.
    p.write(
        "platform/prisma/migrations/20260101000000_init/migration.sql",
        "CREATE TABLE \"User\" (\"id\" TEXT NOT NULL PRIMARY KEY);\n",
    );
    p.write("sovereign.toml", "[plugins]\ndir = \"plugins\"\n");
    assert!(p.build().0, "editing sovereign.toml reruns");
    assert!(!p.build().0, "and then nothing");
    p.write(
        "platform/prisma/migrations/20260102000000_more/migration.sql",
        "SELECT 1;\n",
    );
    assert!(p.build().0, "a new migration reruns");
    assert!(!p.build().0, "and then nothing");

    // A mistake in a plugin fails the build with the rendered diagnostic, not a backtrace.
    p.write(
        "plugins/blog/prisma/extension.prisma",
        "model Post {\n  id Int @id\n  title Strng\n}\n",
    );
    let out = p.cargo(&["build"], false);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("--> plugins/blog/prisma/extension.prisma:3:9")
            && err.contains("did you mean `String`?"),
        "{err}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("stack backtrace"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&p.root);
}
