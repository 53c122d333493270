//! What a build costs after one plugin's Rust source changed, with the platform warm: real
//! `cargo build`s of generated platforms of 5 and 50 shared plugins (each a crate whose build
//! script calls `sovereign_build::plugin()`, all dependencies of the platform crate). Only that
//! plugin and the platform are rebuilt and no build script runs, so the time stays flat as
//! plugins are added (issue 16, figure (b)); every measured build checks that.
//!
//! cargo bench -p sovereign-build --bench rebuild
//!
//! The first run builds the generated crates once (about a minute for 50 plugins); the target
//! directory under `target/tmp` is kept for the next run.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const BASE: &str = "datasource db {\n  provider = \"sqlite\"\n  url      = env(\"DATABASE_URL\")\n}\n\ngenerator client {\n  provider = \"sovereign\"\n}\n\nmodel User {\n  id    String @id\n  email String @unique\n}\n";

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    sovereign_build::write_if_changed(path, text.as_bytes()).unwrap();
}

/// A platform of `plugins` shared plugins, each with two models (one relating to `User`).
/// Files are rewritten only when their content differs, so a second run starts warm.
fn generate(root: &Path, plugins: usize) {
    let helper = Path::new(env!("CARGO_MANIFEST_DIR"));
    let helper = format!("{:?}", helper.display().to_string());
    let names: Vec<String> = (0..plugins).map(|p| format!("p{p:03}")).collect();
    write(
        &root.join("sovereign.toml"),
        "[plugins]\ndir = \"plugins\"\n",
    );
    let members: Vec<String> = std::iter::once("\"platform\"".to_string())
        .chain(names.iter().map(|n| format!("\"plugins/{n}\"")))
        .collect();
    write(
        &root.join("Cargo.toml"),
        &format!(
            "[workspace]\nmembers = [{}]\nresolver = \"2\"\n",
            members.join(", ")
        ),
    );
    write(&root.join("platform/prisma/base.prisma"), BASE);
    let deps: String = names
        .iter()
        .map(|n| format!("{n} = {{ path = \"../plugins/{n}\" }}\n"))
        .collect();
    write(
        &root.join("platform/Cargo.toml"),
        &format!("[package]\nname = \"platform\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n{deps}\n[build-dependencies]\nsovereign-build = {{ path = {helper} }}\n"),
    );
    write(
        &root.join("platform/build.rs"),
        "fn main() -> Result<(), sovereign_build::Error> {\n    sovereign_build::platform().compile()\n}\n",
    );
    let uses: String = names
        .iter()
        .map(|n| format!("    n += {n}::CLIENT.len();\n"))
        .collect();
    write(
        &root.join("platform/src/main.rs"),
        &format!("fn main() {{\n    let mut n = 0;\n{uses}    println!(\"{{n}}\");\n}}\n"),
    );
    for (p, n) in names.iter().enumerate() {
        let dir = root.join("plugins").join(n);
        write(
            &dir.join("plugin.json"),
            &format!("{{\"id\": \"{n}\", \"name\": \"P{p}\", \"version\": \"1.0.0\", \"sovereign\": {{\"platformCapabilities\": {{\"database\": true}}}}}}"),
        );
        write(
            &dir.join("prisma/extension.prisma"),
            &format!("model P{p}Item {{\n  id      Int    @id @default(autoincrement())\n  title   String\n  ownerId String\n  owner   User   @relation(fields: [ownerId], references: [id])\n}}\n\nmodel P{p}Tag {{\n  id   Int    @id\n  name String @unique\n}}\n"),
        );
        write(
            &dir.join("Cargo.toml"),
            &format!("[package]\nname = \"{n}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[build-dependencies]\nsovereign-build = {{ path = {helper} }}\n"),
        );
        write(
            &dir.join("build.rs"),
            "fn main() -> Result<(), sovereign_build::Error> {\n    sovereign_build::plugin().compile()?;\n    Ok(())\n}\n",
        );
        write(
            &dir.join("src/lib.rs"),
            &format!("pub const CLIENT: &str = include_str!(concat!(env!(\"OUT_DIR\"), \"/sovereign/{n}/sovereign_client.rs\"));\n"),
        );
    }
    let lock = helper_root().join("Cargo.lock");
    if !root.join("Cargo.lock").exists() {
        std::fs::copy(lock, root.join("Cargo.lock")).unwrap();
    }
    let config = sovereign_build::Config::find(root).unwrap();
    let composed = sovereign_build::compose_workspace(&config).unwrap();
    write(
        &root.join("platform/prisma/schema.prisma"),
        &composed.composed.text,
    );
}

fn helper_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// `cargo build -v` of the platform; the crates compiled and the build scripts run.
fn build(root: &Path, target: &Path) -> (BTreeSet<String>, BTreeSet<String>) {
    let out = Command::new(env!("CARGO"))
        .args(["build", "-v"])
        .current_dir(root.join("platform"))
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .env_remove("CI")
        .output()
        .expect("run cargo");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let (mut compiled, mut ran) = (BTreeSet::new(), BTreeSet::new());
    for line in stderr.lines() {
        let Some(command) = line.trim_start().strip_prefix("Running `") else {
            continue;
        };
        let program = command.split_whitespace().next().unwrap_or("");
        if program
            .trim_end_matches('`')
            .ends_with("build-script-build")
        {
            ran.insert(program.to_string());
        } else if let Some(rest) = command.split(" --crate-name ").nth(1) {
            let name = rest.split_whitespace().next().unwrap();
            if name != "build_script_build" {
                compiled.insert(name.to_string());
            }
        }
    }
    (compiled, ran)
}

fn bench(c: &mut Criterion) {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let target = tmp.join("bench-rebuild-target");
    let mut group = c.benchmark_group("touch_one_plugin_lib_rs");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(10));
    for plugins in [5, 50] {
        let root = tmp.join(format!("bench-rebuild-{plugins}"));
        generate(&root, plugins);
        build(&root, &target);
        let lib = root.join("plugins/p000/src/lib.rs");
        let text = std::fs::read_to_string(&lib).unwrap();
        let mut edits = 0u64;
        group.bench_with_input(BenchmarkId::from_parameter(plugins), &plugins, |b, _| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    edits += 1;
                    std::fs::write(&lib, format!("{text}// edit {edits}\n")).unwrap();
                    let start = Instant::now();
                    let (compiled, ran) = build(&root, &target);
                    total += start.elapsed();
                    let expected: BTreeSet<String> =
                        ["p000", "platform"].iter().map(|s| s.to_string()).collect();
                    assert_eq!(
                        compiled, expected,
                        "rebuilt more than the plugin and the platform"
                    );
                    assert!(ran.is_empty(), "a build script ran: {ran:?}");
                }
                total
            })
        });
        std::fs::write(&lib, &text).unwrap();
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
