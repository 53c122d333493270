//! Real builds: a platform crate whose build.rs calls `sovereign_build::platform().compile()` and
//! three plugin crates whose build.rs call `sovereign_build::plugin().compile()` (two shared, one
//! dedicated with a core view), built by cargo inside the test. The tree is then edited to prove
//! that the rerun rules are complete (every input reruns the build scripts that read it) and
//! minimal: a build touches only what changed.
//!
//! The plugin crates embed their generated code with `include_str!` instead of compiling it
//! against the runtime, which keeps the test's own builds to a few seconds: cargo decides what
//! to rebuild the same way either way. The target directory is kept between runs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Platform {
    root: PathBuf,
    target: PathBuf,
}

const BASE: &str = "datasource db {\n  provider = \"sqlite\"\n  url      = \"file:./dev.db\"\n}\n\ngenerator client {\n  provider = \"sovereign\"\n}\n\nmodel User {\n  id    String @id\n  email String @unique\n}\n";
const BLOG: &str = "model Post {\n  id       Int    @id\n  authorId String\n  author   User   @relation(fields: [authorId], references: [id])\n}\n";
const TASKS: &str = "model Task {\n  id Int @id\n}\n";
const NOTES: &str = "datasource db {\n  provider = \"sqlite\"\n  url      = env(\"NOTES_DATABASE_URL\")\n}\n\ngenerator client {\n  provider = \"sovereign\"\n}\n\nmodel Note {\n  id   Int    @id\n  text String\n}\n";

/// What one `cargo build` did.
#[derive(Debug)]
struct Built {
    ok: bool,
    stderr: String,
    /// Packages whose build script ran.
    ran: BTreeSet<String>,
    /// Crates compiled (build scripts' own compilation left out).
    compiled: BTreeSet<String>,
    seconds: f64,
}

impl Built {
    fn parse(out: Output, seconds: f64) -> Built {
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let mut ran = BTreeSet::new();
        let mut compiled = BTreeSet::new();
        for line in stderr.lines() {
            let Some(command) = line.trim_start().strip_prefix("Running `") else {
                continue;
            };
            let program = command.split_whitespace().next().unwrap_or("");
            let program = program.trim_end_matches('`');
            if program.ends_with("build-script-build") {
                let dir = Path::new(program).parent().and_then(Path::file_name);
                let dir = dir.map(|d| d.to_string_lossy().into_owned()).unwrap();
                ran.insert(dir.rsplit_once('-').unwrap().0.to_string());
            } else if let Some(rest) = command.split(" --crate-name ").nth(1) {
                let name = rest.split_whitespace().next().unwrap();
                if name != "build_script_build" {
                    compiled.insert(name.to_string());
                }
            }
        }
        Built {
            ok: out.status.success(),
            stderr,
            ran,
            compiled,
            seconds,
        }
    }

    /// Asserts which build scripts ran and which crates were compiled.
    fn expect(&self, what: &str, ran: &[&str], compiled: &[&str]) {
        let set = |names: &[&str]| names.iter().map(|n| n.to_string()).collect();
        assert!(self.ok, "{what}: the build failed:\n{}", self.stderr);
        assert_eq!(
            (&self.ran, &self.compiled),
            (&set(ran), &set(compiled)),
            "{what}: (build scripts run, crates compiled) differ; cargo said:\n{}",
            self.stderr
        );
        eprintln!(
            "{what}: {:.2} s, build scripts run {:?}, crates compiled {:?}",
            self.seconds, self.ran, self.compiled
        );
    }
}

impl Platform {
    fn write(&self, rel: &str, text: &str) {
        let p = self.root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = std::fs::read_to_string(self.root.join(rel)).unwrap();
        assert!(text.contains(from), "{rel} has no {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
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

    fn build_with(&self, args: &[&str], ci: bool) -> Built {
        let start = std::time::Instant::now();
        let out = self.cargo(args, ci);
        Built::parse(out, start.elapsed().as_secs_f64())
    }

    /// Builds; returns whether the platform's build script ran, and the output.
    fn build(&self) -> (bool, String) {
        let b = self.build_with(&["build"], false);
        assert!(b.ok, "build failed:\n{}", b.stderr);
        (b.ran.contains("platform"), b.stderr)
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

    /// `sovereign compose`: the committed composed schema, rewritten only when it changes.
    fn commit_composed(&self) {
        let config = sovereign_build::Config::find(&self.root).unwrap();
        let c = sovereign_build::compose_workspace(&config).unwrap();
        let path = self.root.join("platform/prisma/schema.prisma");
        sovereign_build::write_if_changed(&path, c.composed.text.as_bytes()).unwrap();
    }

    /// A plugin crate in `plugins/<ns>`, a dependency of the platform.
    fn plugin(&self, ns: &str, mode: &str, schema: (&str, &str)) {
        let helper = Path::new(env!("CARGO_MANIFEST_DIR"));
        self.write(
            &format!("plugins/{ns}/plugin.json"),
            &format!("{{\"id\": \"{ns}\", \"name\": \"{ns}\", \"version\": \"0.1.0\", \"sovereign\": {{\"database\": {{\"mode\": \"{mode}\"}}, \"platformCapabilities\": {{\"database\": true}}}}}}"),
        );
        self.write(&format!("plugins/{ns}/prisma/{}", schema.0), schema.1);
        self.write(
            &format!("plugins/{ns}/Cargo.toml"),
            &format!(
                "[package]\nname = \"{ns}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[build-dependencies]\nsovereign-build = {{ path = {:?} }}\n",
                helper.display().to_string()
            ),
        );
        self.write(
            &format!("plugins/{ns}/build.rs"),
            "fn main() -> Result<(), sovereign_build::Error> {\n    sovereign_build::plugin().compile()?;\n    Ok(())\n}\n",
        );
        let core = if mode == "dedicated" {
            format!("\npub const CORE: &str = include_str!(concat!(env!(\"OUT_DIR\"), \"/sovereign/{ns}/sovereign_core.rs\"));\n")
        } else {
            String::new()
        };
        self.write(
            &format!("plugins/{ns}/src/lib.rs"),
            &format!("pub const CLIENT: &str = include_str!(concat!(env!(\"OUT_DIR\"), \"/sovereign/{ns}/sovereign_client.rs\"));\n{core}"),
        );
        self.edit(
            "platform/Cargo.toml",
            "[dependencies]\n",
            &format!("[dependencies]\n{ns} = {{ path = \"../plugins/{ns}\" }}\n"),
        );
        self.edit(
            "Cargo.toml",
            "members = [\"platform\"",
            &format!("members = [\"platform\", \"plugins/{ns}\""),
        );
    }
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
    p.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"platform\"]\nresolver = \"2\"\n",
    );
    p.write("platform/prisma/base.prisma", BASE);
    p.write(
        "platform/Cargo.toml",
        &format!(
            "[package]\nname = \"platform\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n\n[build-dependencies]\nsovereign-build = {{ path = {:?} }}\n",
            helper.display().to_string()
        ),
    );
    p.write(
        "platform/build.rs",
        "fn main() -> Result<(), sovereign_build::Error> {\n    sovereign_build::platform().compile()\n}\n",
    );
    p.write(
        "platform/src/main.rs",
        "const SCHEMA: &str = include_str!(concat!(env!(\"OUT_DIR\"), \"/schema.prisma\"));\n\nfn main() {\n    let _ = (blog::CLIENT, tasks::CLIENT, notes::CLIENT, notes::CORE);\n    print!(\"{SCHEMA}\");\n}\n",
    );
    p.plugin("blog", "shared", ("extension.prisma", BLOG));
    p.plugin("tasks", "shared", ("extension.prisma", TASKS));
    // Dedicated, without a migrations folder yet.
    p.plugin("notes", "dedicated", ("schema.prisma", NOTES));
    p.write("README.md", "a platform\n");
    // Use the same dependency versions as this workspace (and whatever is cached).
    let lock = helper.parent().unwrap().join("Cargo.lock");
    std::fs::copy(lock, p.root.join("Cargo.lock")).unwrap();
    p.commit_composed();
    p
}

#[test]
fn rerun_rules_are_complete_and_minimal() {
    let p = setup();
    let all = ["blog", "notes", "platform", "tasks"];
    let first = p.build_with(&["build"], false);
    assert!(first.ok, "{}", first.stderr);
    assert!(
        all.iter().all(|c| first.ran.contains(*c)),
        "the first build runs every build script:\n{}",
        first.stderr
    );
    assert!(
        !first.stderr.contains("out of date"),
        "the committed schema is current:\n{}",
        first.stderr
    );
    assert!(p.composed().contains("model Post {"));

    // (a) No change: nothing rebuilt, no build script rerun; a dedicated plugin without a
    // migrations folder included (it used to watch the missing folder, which reruns every build).
    p.build_with(&["build"], false)
        .expect("(a) no change", &[], &[]);

    // (b) A plugin's Rust source: that plugin and the platform, no build script.
    p.edit(
        "plugins/blog/src/lib.rs",
        "pub const",
        "// edited\npub const",
    );
    p.build_with(&["build"], false)
        .expect("(b) blog/src/lib.rs", &[], &["blog", "platform"]);

    // (c) A shared plugin's extension, composed: that plugin and the platform. The other
    // plugins' generated code does not change, and they do not rerun.
    p.edit(
        "plugins/blog/prisma/extension.prisma",
        "  authorId String\n",
        "  title    String\n  authorId String\n",
    );
    p.commit_composed();
    p.build_with(&["build"], false).expect(
        "(c) blog's extension.prisma, composed",
        &["blog", "platform"],
        &["blog", "platform"],
    );
    assert!(p.composed().contains("  title    String\n"));

    // (d) Files in a plugin's prisma/ folder that are not inputs (a SQLite database the
    // migrate commands create there): nothing.
    p.write("plugins/blog/prisma/dev.db", "SQLite format 3");
    p.write("plugins/tasks/prisma/dev.db-journal", "");
    p.write("plugins/blog/prisma/notes.md", "scratch\n");
    p.build_with(&["build"], false)
        .expect("(d) new files in plugins/*/prisma/", &[], &[]);

    // A dedicated plugin's first migration reruns it (and only it); then its migrations folder
    // is what it watches, so a database beside the schema is not an input either.
    p.write(
        "plugins/notes/prisma/migrations/20260101000000_init/migration.sql",
        "CREATE TABLE \"Note\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"text\" TEXT NOT NULL);\n",
    );
    p.build_with(&["build"], false).expect(
        "notes' first migration",
        &["notes"],
        &["notes", "platform"],
    );
    p.write("plugins/notes/prisma/dev.db", "SQLite format 3");
    p.build_with(&["build"], false)
        .expect("(d) a database beside a dedicated schema", &[], &[]);
    p.write(
        "plugins/notes/prisma/migrations/20260102000000_more/migration.sql",
        "SELECT 1;\n",
    );
    p.build_with(&["build"], false).expect(
        "notes' second migration",
        &["notes"],
        &["notes", "platform"],
    );
    // A dedicated plugin's schema: that plugin (the platform checks dedicated schemas too).
    p.edit(
        "plugins/notes/prisma/schema.prisma",
        "  text String\n",
        "  text String\n  pinned Boolean @default(false)\n",
    );
    p.build_with(&["build"], false).expect(
        "notes' schema.prisma",
        &["notes", "platform"],
        &["notes", "platform"],
    );

    // Complete: the platform's base schema is read by every view.
    p.edit(
        "platform/prisma/base.prisma",
        "email String @unique",
        "email String @unique\n  name  String?",
    );
    p.commit_composed();
    p.build_with(&["build"], false)
        .expect("base.prisma, composed", &all, &all);
    p.edit("sovereign.toml", "\n", "\n# edited\n");
    p.build_with(&["build"], false)
        .expect("sovereign.toml", &all, &all);
    // A manifest: that plugin, and the platform (composition reads manifests).
    p.edit("plugins/tasks/plugin.json", "0.1.0", "0.2.0");
    p.build_with(&["build"], false).expect(
        "tasks/plugin.json",
        &["platform", "tasks"],
        &["platform", "tasks"],
    );

    stale_committed_schema(&p);
    adding_and_removing_a_plugin(&p);
    a_mistake_is_blamed_on_its_plugin_once(&p);
    let _ = std::fs::remove_dir_all(&p.root);
}

/// An extension edited without composing: the plugin's view follows its file; the platform
/// flags the stale committed schema, and fails under CI.
fn stale_committed_schema(p: &Platform) {
    p.edit(
        "plugins/blog/prisma/extension.prisma",
        "  title    String\n",
        "  title    String\n  body     String\n",
    );
    let (ran, out) = p.build();
    assert!(ran, "editing extension.prisma reruns the platform");
    assert!(
        out.contains("platform/prisma/schema.prisma is out of date")
            && out.contains("sovereign compose"),
        "{out}"
    );
    assert!(p.composed().contains("  body     String\n"));
    let out = p.cargo(&["build"], true);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("out of date") && err.contains("+  body     String"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    p.commit_composed();
    assert!(p.build().0, "a new committed schema reruns the comparison");
    assert!(!p.build().0, "and then nothing");

    // The client embeds the platform's migrations: the first one, and each new one, rerun it.
    p.write(
        "platform/prisma/migrations/20260101000000_init/migration.sql",
        "CREATE TABLE \"User\" (\"id\" TEXT NOT NULL PRIMARY KEY);\n",
    );
    assert!(p.build().0, "the first migration reruns");
    assert!(!p.build().0, "and then nothing");
    p.write(
        "platform/prisma/migrations/20260102000000_more/migration.sql",
        "SELECT 1;\n",
    );
    assert!(p.build().0, "a new migration reruns");
    assert!(!p.build().0, "and then nothing");
}

/// A new plugin is a new dependency of the platform (its Cargo.toml, which its build script
/// watches) and a change of the composed schema.
fn adding_and_removing_a_plugin(p: &Platform) {
    p.plugin(
        "shop",
        "shared",
        ("extension.prisma", "model Order {\n  id Int @id\n}\n"),
    );
    let b = p.build_with(&["build"], false);
    assert!(b.ok && b.ran.contains("platform"), "{}", b.stderr);
    assert!(
        b.stderr.contains("out of date"),
        "not composed yet:\n{}",
        b.stderr
    );
    assert!(
        !b.ran.contains("blog") && !b.ran.contains("tasks"),
        "the other plugins do not rerun:\n{}",
        b.stderr
    );
    assert!(p.composed().contains("model Order {"));
    p.commit_composed();
    p.build();

    p.edit(
        "platform/Cargo.toml",
        "shop = { path = \"../plugins/shop\" }\n",
        "",
    );
    p.edit("Cargo.toml", ", \"plugins/shop\"", "");
    std::fs::remove_dir_all(p.root.join("plugins/shop")).unwrap();
    let b = p.build_with(&["build"], false);
    assert!(b.ok && b.ran.contains("platform"), "{}", b.stderr);
    assert!(!p.composed().contains("model Order"));
    p.commit_composed();
    p.build();
}

/// A mistake in one plugin's schema fails that plugin's build, with the rendered diagnostic
/// shown once: not the other plugins' builds, and not the platform's again. `--keep-going` lets
/// every build script that can run, run.
fn a_mistake_is_blamed_on_its_plugin_once(p: &Platform) {
    p.edit(
        "plugins/blog/prisma/extension.prisma",
        "  title    String\n",
        "  title    Strng\n",
    );
    let b = p.build_with(&["build", "--keep-going"], false);
    let err = &b.stderr;
    assert!(!b.ok);
    assert!(
        err.contains("--> plugins/blog/prisma/extension.prisma:3:12")
            && err.contains("did you mean `String`?"),
        "{err}"
    );
    assert_eq!(
        err.matches("did you mean `String`?").count(),
        1,
        "shown once:\n{err}"
    );
    assert!(
        err.contains("failed to run custom build command for `blog"),
        "{err}"
    );
    for other in ["tasks", "notes", "platform"] {
        assert!(
            !err.contains(&format!("failed to run custom build command for `{other}")),
            "{other} is not blamed:\n{err}"
        );
    }
    assert!(
        err.contains("the schema of plugin blog has errors, reported by its crate's build"),
        "{err}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("stack backtrace"),
        "{err}"
    );

    // A mistake only the whole composition sees (two plugins, one model name) is the
    // platform's to report.
    p.edit("plugins/blog/prisma/extension.prisma", "Strng", "String");
    p.edit(
        "plugins/tasks/prisma/extension.prisma",
        "model Task {",
        "model Post {\n  id Int @id\n}\n\nmodel Task {",
    );
    let b = p.build_with(&["build", "--keep-going"], false);
    assert!(!b.ok);
    assert!(
        b.stderr
            .contains("failed to run custom build command for `platform"),
        "{}",
        b.stderr
    );
}
