//! The README's "Writing a plugin", followed step by step on a fresh copy of the repository: its
//! shell blocks are run line by line as written (`cargo run -p sovereign-cli -- ...` as this
//! crate's binaries, any other `cargo ...` as cargo itself), its manual steps (edit the schema,
//! register the plugins) are done as a person would. A shared and a dedicated plugin are added
//! with `sovereign new plugin`, their migrations created, their tests run, the platform run
//! with them, and `cargo test -p example-platform` passes afterwards.
//!
//! The copy keeps the files' modification times and the cargo target directory is kept between
//! runs (`target/tmp/readme-target`), so only what the steps change is rebuilt.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repository() -> PathBuf {
    std::fs::canonicalize(Path::new(env!("CARGO_MANIFEST_DIR")).join("..")).unwrap()
}

/// The repository's files (tracked, and new ones not ignored) copied to `to`, with their
/// modification times.
fn copy_repository(to: &Path) {
    let root = repository();
    let out = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(&root)
        .output()
        .expect("git ls-files");
    assert!(out.status.success());
    let _ = std::fs::remove_dir_all(to);
    for rel in out.stdout.split(|b| *b == 0).filter(|p| !p.is_empty()) {
        let rel = Path::new(std::str::from_utf8(rel).unwrap());
        let from = root.join(rel);
        let Ok(meta) = std::fs::metadata(&from) else {
            continue; // deleted in the work tree
        };
        let dest = to.join(rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&from, &dest).unwrap();
        let file = std::fs::File::options().write(true).open(&dest).unwrap();
        file.set_modified(meta.modified().unwrap()).unwrap();
    }
}

/// The README's section `title`, up to the next section.
fn section(readme: &str, title: &str) -> String {
    let start = readme
        .find(&format!("\n## {title}\n"))
        .unwrap_or_else(|| panic!("no section {title:?} in the README"));
    let rest = &readme[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    rest[..end].to_string()
}

/// The code blocks of `text` in `language`, in order.
fn blocks(text: &str, language: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut current: Option<Vec<String>> = None;
    for line in text.lines() {
        match &mut current {
            None if line.trim() == format!("```{language}") => current = Some(Vec::new()),
            Some(lines) if line.trim() == "```" => {
                out.push(std::mem::take(lines));
                current = None;
            }
            Some(lines) => lines.push(line.to_string()),
            None => {}
        }
    }
    out
}

struct Copy {
    root: PathBuf,
    target: PathBuf,
    log: String,
}

impl Copy {
    /// Runs one line of a README shell block.
    fn run(&mut self, line: &str) {
        let mut words: Vec<&str> = line.split_whitespace().collect();
        let mut env = Vec::new();
        while let Some((k, v)) = words.first().and_then(|w| w.split_once('=')) {
            if !k.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
                break;
            }
            env.push((k.to_string(), v.to_string()));
            words.remove(0);
        }
        let (program, args): (PathBuf, Vec<&str>) = match words.as_slice() {
            ["cargo", "run", "-p", "sovereign-cli", "--bin", "plugin-db-manage", "--", rest @ ..] => {
                (env!("CARGO_BIN_EXE_plugin-db-manage").into(), rest.to_vec())
            }
            ["cargo", "run", "-p", "sovereign-cli", "--", rest @ ..] => {
                (env!("CARGO_BIN_EXE_sovereign").into(), rest.to_vec())
            }
            ["cargo", rest @ ..] => (env!("CARGO").into(), rest.to_vec()),
            other => panic!("the README runs {other:?}: teach this test how"),
        };
        let mut cmd = Command::new(&program);
        cmd.args(&args)
            .current_dir(&self.root)
            .env("CARGO_TARGET_DIR", &self.target)
            .env_remove("DATABASE_URL")
            .env_remove("ANALYTICS_DATABASE_URL")
            .env_remove("SOVEREIGN_DATA_DIR")
            .env_remove("RUSTFLAGS")
            .env("CARGO_TERM_COLOR", "never");
        for (k, v) in &env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap_or_else(|e| panic!("{line}: {e}"));
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "the README's step `{line}` failed:\n{stdout}\n{stderr}"
        );
        self.log.push_str(&format!("$ {line}\n{stdout}"));
    }

    /// A manual step `# edit <path> ...`: a field added to the file's first model, as an author
    /// writes their own.
    fn edit(&self, rel: &str) {
        let path = self.root.join(rel);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let model = text.find("\nmodel ").expect("a model to edit");
        let close = model + text[model..].find("\n}").unwrap();
        let edited = format!("{}\n  note      String?{}", &text[..close], &text[close..]);
        std::fs::write(&path, edited).unwrap();
    }
}

#[test]
fn writing_a_plugin_as_the_readme_says() {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let root = tmp.join("readme-repository");
    copy_repository(&root);
    let mut copy = Copy {
        root,
        target: tmp.join("readme-target"),
        log: String::new(),
    };
    let readme = std::fs::read_to_string(copy.root.join("README.md")).unwrap();
    let steps = section(&readme, "Writing a plugin");
    let registrations: Vec<String> = blocks(&steps, "rust")
        .concat()
        .into_iter()
        .filter(|l| l.contains("host.register::<"))
        .collect();
    assert!(
        registrations.len() >= 2,
        "the README registers the new plugins:\n{steps}"
    );
    let shell = blocks(&steps, "sh");
    assert!(shell.len() >= 3, "{steps}");
    for (i, block) in shell.iter().enumerate() {
        if i == shell.len() - 1 {
            // The last block runs the platform: register the plugins first, as the README says.
            let main = copy.root.join("example-platform/src/main.rs");
            let text = std::fs::read_to_string(&main).unwrap();
            let anchor = "let analytics = host.register::<Analytics>().await?;\n";
            assert!(
                text.contains(anchor),
                "example-platform/src/main.rs changed"
            );
            let added: String = registrations
                .iter()
                .map(|l| {
                    format!(
                        "    {}\n    let _ = {};\n",
                        l.trim(),
                        l.split_whitespace().nth(1).unwrap()
                    )
                })
                .collect();
            std::fs::write(&main, text.replace(anchor, &format!("{anchor}{added}"))).unwrap();
        }
        for line in block {
            let line = line.trim();
            if let Some(rest) = line.strip_prefix("# edit ") {
                copy.edit(rest.split_whitespace().next().unwrap());
                continue;
            }
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            copy.run(line);
        }
    }
    let log = &copy.log;
    // The platform ran with both plugins, their migrations applied.
    for expected in [
        "notes (shared)",
        "audit (dedicated)",
        "plugin audit (sqlite): applied 1 migration",
        "add-notes",
    ] {
        assert!(log.contains(expected), "{expected:?} in:\n{log}");
    }
    // The plugins' own tests ran and passed (cargo prints their results on stdout).
    assert!(
        log.matches("test tests::add_item_counts_items ... ok")
            .count()
            >= 2,
        "{log}"
    );
    assert!(
        copy.root
            .join("example-plugins/audit/prisma/migrations")
            .is_dir(),
        "{log}"
    );
    let _ = std::fs::remove_dir_all(&copy.root);
}
