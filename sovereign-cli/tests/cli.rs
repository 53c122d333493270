//! The `sovereign` binary, run as a user would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn sovereign(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sovereign"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run sovereign")
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sovereign-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const VALID: &str = "datasource db {\n  provider = \"sqlite\"\n  url      = \"file:./dev.db\"\n}\n\nmodel User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n}\n";

#[test]
fn validate_exit_codes() {
    let dir = tempdir("validate");
    std::fs::write(dir.join("ok.prisma"), VALID).unwrap();
    std::fs::write(dir.join("bad.prisma"), VALID.replace("String", "Strng")).unwrap();

    let out = sovereign(&["validate", "--schema", "ok.prisma"], &dir);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("is valid"));

    let out = sovereign(&["validate", "--schema", "bad.prisma"], &dir);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--> bad.prisma:8:9"), "{err}");
    assert!(err.contains("did you mean `String`?"), "{err}");

    let out = sovereign(&["validate", "--schema", "missing.prisma"], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read missing.prisma"));

    let out = sovereign(&["validate", "--bogus"], &dir);
    assert_eq!(out.status.code(), Some(2), "usage errors exit 2");
}

#[test]
fn validate_reads_an_extension_as_a_partial_schema() {
    let dir = tempdir("partial");
    std::fs::write(
        dir.join("extension.prisma"),
        "model Post {\n  id       Int    @id\n  authorId String\n  author   User   @relation(fields: [authorId], references: [id])\n}\n",
    )
    .unwrap();
    let out = sovereign(&["validate", "--schema", "extension.prisma"], &dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("partial schema"));
}

#[test]
fn format_check_and_rewrite() {
    let dir = tempdir("format");
    let messy = "datasource db {\n provider = \"sqlite\"\n url = \"file:x\"\n}\nmodel A {\n id Int @default(autoincrement()) @id\n name String?\n}\n";
    std::fs::write(dir.join("a.prisma"), messy).unwrap();
    std::fs::write(dir.join("b.prisma"), VALID).unwrap();

    let out = sovereign(&["format", "--check", "a.prisma", "b.prisma"], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "would reformat a.prisma\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("a.prisma")).unwrap(),
        messy,
        "--check writes nothing"
    );

    let out = sovereign(&["format", "a.prisma", "b.prisma"], &dir);
    assert_eq!(out.status.code(), Some(0));
    let formatted = std::fs::read_to_string(dir.join("a.prisma")).unwrap();
    assert!(
        formatted.contains("  id   Int     @id @default(autoincrement())\n"),
        "{formatted}"
    );
    // No temporary files left behind.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");

    let out = sovereign(&["format", "--check", "a.prisma"], &dir);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn format_refuses_invalid_schemas_and_leaves_them_untouched() {
    let dir = tempdir("format-invalid");
    let bad = "model A {\n  id Int @id\n  x\n}\n";
    std::fs::write(dir.join("bad.prisma"), bad).unwrap();
    let out = sovereign(&["format", "bad.prisma"], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.prisma:3:3"));
    assert_eq!(
        std::fs::read_to_string(dir.join("bad.prisma")).unwrap(),
        bad
    );
}

#[test]
fn the_example_schema_is_valid_and_formatted() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let out = sovereign(
        &[
            "validate",
            "--schema",
            "example-platform/prisma/base.prisma",
        ],
        root,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = sovereign(
        &["format", "--check", "example-platform/prisma/base.prisma"],
        root,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

fn compose_workspace(name: &str) -> PathBuf {
    let dir = tempdir(name);
    std::fs::create_dir_all(dir.join("platform/prisma")).unwrap();
    std::fs::create_dir_all(dir.join("plugins/blog/prisma")).unwrap();
    std::fs::write(dir.join("platform/prisma/base.prisma"), VALID).unwrap();
    std::fs::write(
        dir.join("plugins/blog/plugin.json"),
        "{\"id\": \"blog\", \"name\": \"Blog\", \"version\": \"0.1.0\"}",
    )
    .unwrap();
    std::fs::write(
        dir.join("plugins/blog/prisma/extension.prisma"),
        "model Post {\n  id       Int @id\n  authorId Int\n  author   User @relation(fields: [authorId], references: [id])\n}\n",
    )
    .unwrap();
    dir
}

#[test]
fn compose_writes_reports_and_checks() {
    let dir = compose_workspace("compose");
    let out = sovereign(&["compose", "--check"], &dir);
    assert_eq!(out.status.code(), Some(1), "missing file is stale");
    assert!(String::from_utf8_lossy(&out.stdout).contains("+model Post {"));

    let out = sovereign(&["compose"], &dir.join("plugins/blog"));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("wrote platform/prisma/schema.prisma"),
        "{stdout}"
    );
    assert!(stdout.contains("composed: blog"), "{stdout}");
    assert!(
        stdout.contains("added User.posts Post[] (the other side of Post.author, plugin \"blog\")"),
        "{stdout}"
    );
    let first = std::fs::read(dir.join("platform/prisma/schema.prisma")).unwrap();

    let out = sovereign(&["compose", "--check"], &dir);
    assert_eq!(out.status.code(), Some(0));
    let out = sovereign(&["compose"], &dir);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        std::fs::read(dir.join("platform/prisma/schema.prisma")).unwrap(),
        first,
        "composing twice gives the same bytes"
    );

    // Stale: exit 1 with a unified diff.
    std::fs::write(
        dir.join("plugins/blog/prisma/extension.prisma"),
        "model Post {\n  id Int @id\n}\n",
    )
    .unwrap();
    let out = sovereign(&["compose", "--check"], &dir);
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.contains("--- platform/prisma/schema.prisma (committed)")
            && diff.contains("-  authorId Int"),
        "{diff}"
    );

    // An error writes nothing.
    std::fs::write(
        dir.join("plugins/blog/prisma/extension.prisma"),
        "model Post {\n  id Int @id\n  x Strng\n}\n",
    )
    .unwrap();
    let out = sovereign(&["compose"], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("plugins/blog/prisma/extension.prisma:3:5")
    );
    assert_eq!(
        std::fs::read(dir.join("platform/prisma/schema.prisma")).unwrap(),
        first
    );
}

#[test]
fn the_committed_example_schema_is_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let out = sovereign(&["compose", "--check"], root);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
