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
    std::fs::write(dir.join("sovereign.toml"), "").unwrap();
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
    // It ends with what it found, not with what it did not do.
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim_end(),
        "platform/prisma/schema.prisma is out of date with the base schema and 1 shared plugin: plugin \"blog\" changed; run `sovereign compose` and commit the result"
    );
    std::fs::create_dir_all(dir.join("plugins/notes/prisma")).unwrap();
    std::fs::write(
        dir.join("plugins/notes/plugin.json"),
        "{\"id\": \"notes\", \"name\": \"Notes\", \"version\": \"0.1.0\"}",
    )
    .unwrap();
    std::fs::write(
        dir.join("plugins/notes/prisma/extension.prisma"),
        "model Note {\n  id Int @id\n}\n",
    )
    .unwrap();
    let out = sovereign(&["compose", "--check"], &dir);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("2 shared plugins: plugin \"blog\" changed; plugin \"notes\" is new;"),
        "{err}"
    );
    std::fs::remove_dir_all(dir.join("plugins/notes")).unwrap();
    let out = sovereign(&["compose", "--check"], &dir);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("nothing was written"), "{err}");

    // An error writes nothing.
    std::fs::write(
        dir.join("plugins/blog/prisma/extension.prisma"),
        "model Post {\n  id Int @id\n  x Strng\n}\n",
    )
    .unwrap();
    let out = sovereign(&["compose"], &dir);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("plugins/blog/prisma/extension.prisma:3:5")
            && err.contains(
                "the workspace's schemas have 1 error (above): platform/prisma/schema.prisma was left as it was"
            ),
        "{err}"
    );
    let out = sovereign(&["compose", "--check"], &dir);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("compose --check: the workspace's schemas have 1 error (above), so the composed schema cannot be made to compare with platform/prisma/schema.prisma")
            && !err.contains("nothing was written"),
        "{err}"
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

fn plugin_db_manage(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_plugin-db-manage"));
    cmd.args(args).current_dir(cwd);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run plugin-db-manage")
}

#[test]
fn migrate_diff_script_and_exit_codes() {
    let dir = tempdir("diff");
    std::fs::write(dir.join("a.prisma"), VALID).unwrap();
    std::fs::write(
        dir.join("b.prisma"),
        VALID.replace(
            "  email String @unique\n",
            "  email String @unique\n  name  String?\n",
        ),
    )
    .unwrap();
    let out = sovereign(
        &[
            "migrate",
            "diff",
            "--from-empty",
            "--to-schema",
            "a.prisma",
            "--script",
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("-- CreateTable\nCREATE TABLE \"User\" (")
    );
    let out = sovereign(
        &[
            "migrate",
            "diff",
            "--from-schema",
            "a.prisma",
            "--to-schema",
            "b.prisma",
            "--script",
            "--exit-code",
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "-- AlterTable\nALTER TABLE \"User\" ADD COLUMN \"name\" TEXT;\n"
    );
    let out = sovereign(
        &[
            "migrate",
            "diff",
            "--from-schema",
            "a.prisma",
            "--to-schema",
            "a.prisma",
            "--exit-code",
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "No difference detected.\n"
    );
    let out = sovereign(&["migrate", "diff", "--to-schema", "a.prisma"], &dir);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a missing --from-* is a usage error"
    );
}

/// Deploy, status and resolve through both binaries, on SQLite files.
#[test]
fn deploy_status_and_plugin_db_manage() {
    let dir = compose_workspace("deploy");
    assert_eq!(sovereign(&["compose"], &dir).status.code(), Some(0));
    let init = dir.join("platform/prisma/migrations/20240101000000_init");
    std::fs::create_dir_all(&init).unwrap();
    let out = sovereign(
        &[
            "migrate",
            "diff",
            "--from-empty",
            "--to-schema",
            "platform/prisma/schema.prisma",
            "--script",
        ],
        &dir,
    );
    std::fs::write(init.join("migration.sql"), &out.stdout).unwrap();

    let out = sovereign(&["migrate", "status"], &dir);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Not yet applied:\n  20240101000000_init")
    );
    let out = sovereign(&["migrate", "deploy"], &dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Applied 1 migration:"));
    assert!(
        dir.join("platform/prisma/dev.db").is_file(),
        "file:./dev.db is relative to the schema"
    );
    let out = sovereign(&["migrate", "status"], &dir);
    assert_eq!(out.status.code(), Some(0));
    let out = sovereign(&["migrate", "resolve"], &dir);
    assert_eq!(
        out.status.code(),
        Some(2),
        "resolve needs --applied or --rolled-back"
    );
    let out = sovereign(
        &["migrate", "resolve", "--rolled-back", "20240101000000_init"],
        &dir,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not in a failed state"));

    // A dedicated plugin with its own database.
    let p = dir.join("plugins/stats");
    std::fs::create_dir_all(p.join("prisma/migrations/20240101000000_init")).unwrap();
    std::fs::write(p.join("plugin.json"), "{\"id\": \"stats\", \"name\": \"Stats\", \"version\": \"1.0.0\", \"sovereign\": {\"database\": {\"mode\": \"dedicated\"}}}").unwrap();
    std::fs::write(
        p.join("prisma/schema.prisma"),
        "datasource db {\n  provider = \"sqlite\"\n  url      = env(\"STATS_DATABASE_URL\")\n}\n\ngenerator client {\n  provider = \"sovereign\"\n}\n\nmodel Hit {\n  id Int @id\n}\n",
    )
    .unwrap();
    std::fs::write(
        p.join("prisma/migrations/20240101000000_init/migration.sql"),
        "CREATE TABLE \"Hit\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\n",
    )
    .unwrap();
    let out = plugin_db_manage(&["deploy", "stats"], &dir, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("STATS_DATABASE_URL is not set"));
    let db = dir.join("stats.db");
    let url = format!("file:{}", db.display());
    let out = plugin_db_manage(&["deploy", "stats"], &dir, &[("STATS_DATABASE_URL", &url)]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(db.is_file());
    let out = plugin_db_manage(&["status", "stats"], &dir, &[("STATS_DATABASE_URL", &url)]);
    assert_eq!(out.status.code(), Some(0));
    let out = plugin_db_manage(&["reset", "stats"], &dir, &[("STATS_DATABASE_URL", &url)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("pass --force"),
        "never waits for input"
    );
    let out = plugin_db_manage(
        &["reset", "stats", "--force"],
        &dir,
        &[("STATS_DATABASE_URL", &url)],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 migration applied"));
    let out = plugin_db_manage(&["deploy", "blog"], &dir, &[]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("plugin \"blog\" is shared"));
    // A lock file for another provider stops everything.
    std::fs::write(
        p.join("prisma/migrations/migration_lock.toml"),
        "provider = \"postgresql\"\n",
    )
    .unwrap();
    let out = plugin_db_manage(&["deploy", "stats"], &dir, &[("STATS_DATABASE_URL", &url)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("were made for \"postgresql\""));
}

/// `migrate dev` through the CLI on SQLite: create, apply, refuse data loss, detect drift.
#[test]
fn migrate_dev_creates_applies_and_guards() {
    let dir = tempdir("dev");
    std::fs::create_dir_all(dir.join("platform/prisma")).unwrap();
    std::fs::write(dir.join("sovereign.toml"), "").unwrap();
    let base = "datasource db {\n  provider = \"sqlite\"\n  url      = \"file:./dev.db\"\n}\n\nmodel User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n}\n";
    let set_base = |text: &str| {
        std::fs::write(dir.join("platform/prisma/base.prisma"), text).unwrap();
        assert_eq!(sovereign(&["compose"], &dir).status.code(), Some(0));
    };
    set_base(base);
    let out = sovereign(&["migrate", "dev"], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--name"),
        "never waits for a name"
    );
    let out = sovereign(&["migrate", "dev", "--name", "init"], &dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let migrations = dir.join("platform/prisma/migrations");
    assert!(migrations.join("migration_lock.toml").is_file());
    let out = sovereign(&["migrate", "dev", "--name", "noop"], &dir);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Already in sync"));

    // Data, then a change that drops it.
    let out = sovereign(&["migrate", "dev", "--name", "x", "--create-only"], &dir);
    assert_eq!(out.status.code(), Some(0));
    set_base(&base.replace(
        "  email String @unique\n",
        "  email String @unique\n  name  String?\n",
    ));
    let out = sovereign(
        &["migrate", "dev", "--name", "add_name", "--create-only"],
        &dir,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Not applied (--create-only)"));
    let out = sovereign(&["migrate", "status"], &dir);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the created migration is pending"
    );
    let out = sovereign(&["migrate", "deploy"], &dir);
    assert_eq!(out.status.code(), Some(0));

    // A row of data, written by a hand-made migration (the CLI has no other writer).
    let seed = migrations.join("29990101000000_seed");
    std::fs::create_dir_all(&seed).unwrap();
    std::fs::write(
        seed.join("migration.sql"),
        "INSERT INTO \"User\" (\"email\") VALUES ('a@b.c');\n",
    )
    .unwrap();
    assert_eq!(
        sovereign(&["migrate", "deploy"], &dir).status.code(),
        Some(0)
    );

    set_base(&base.replace("  email String @unique\n", "  name  String?\n"));
    let out = sovereign(&["migrate", "dev", "--name", "drop_email"], &dir);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("drop the column `email`") && err.contains("--accept-data-loss"),
        "{err}"
    );
    let count = std::fs::read_dir(&migrations).unwrap().count();
    let out = sovereign(
        &[
            "migrate",
            "dev",
            "--name",
            "drop_email",
            "--accept-data-loss",
        ],
        &dir,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_dir(&migrations).unwrap().count(), count + 1);
    let newest = std::fs::read_dir(&migrations)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("drop_email"))
        .unwrap();
    let sql = std::fs::read_to_string(newest.join("migration.sql")).unwrap();
    assert!(sql.starts_with("/*\n  Warnings:\n"), "{sql}");

    // The database, the history and the schema agree.
    let db = format!("file:{}", dir.join("platform/prisma/dev.db").display());
    let out = sovereign(&["migrate", "status"], &dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = sovereign(
        &[
            "migrate",
            "diff",
            "--from-migrations",
            "platform/prisma/migrations",
            "--to-url",
            &db,
            "--exit-code",
        ],
        &dir,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = sovereign(
        &[
            "migrate",
            "diff",
            "--from-url",
            &db,
            "--to-schema",
            "platform/prisma/schema.prisma",
            "--exit-code",
        ],
        &dir,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // Drift: a change made by hand shows in status and blocks dev.
    let hand = migrations.join("29990201000000_by_hand");
    std::fs::create_dir_all(&hand).unwrap();
    std::fs::write(
        hand.join("migration.sql"),
        "CREATE TABLE \"Extra\" (\"x\" INTEGER);\n",
    )
    .unwrap();
    assert_eq!(
        sovereign(&["migrate", "deploy"], &dir).status.code(),
        Some(0)
    );
    std::fs::remove_dir_all(&hand).unwrap();
    let out = sovereign(&["migrate", "status"], &dir);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("missing from the migrations folder"),
        "{stdout}"
    );
    let out = sovereign(
        &[
            "migrate",
            "diff",
            "--from-url",
            &db,
            "--to-schema",
            "platform/prisma/schema.prisma",
            "--script",
        ],
        &dir,
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("DROP TABLE \"Extra\""));

    // Put the history back in order, then change the database by hand: status reports drift.
    std::fs::create_dir_all(&hand).unwrap();
    std::fs::write(
        hand.join("migration.sql"),
        "CREATE TABLE \"Extra\" (\"x\" INTEGER);\n",
    )
    .unwrap();
    assert_eq!(
        sovereign(&["migrate", "status"], &dir).status.code(),
        Some(0)
    );
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(async {
            let mut conn = sovereign_migrate::Connection::connect(&db).await.unwrap();
            conn.execute_script("CREATE TABLE \"ByHand\" (\"x\" INTEGER);")
                .await
                .unwrap();
        });
    let out = sovereign(&["migrate", "status"], &dir);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Drift detected") && stdout.contains("[+] Added table ByHand"),
        "{stdout}"
    );
    let out = sovereign(&["migrate", "dev", "--name", "more"], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Drift detected"));
}

/// The README's main command, exactly as a new user types it.
#[test]
fn readme_compose_check_command_runs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let command = "cargo run -p sovereign-cli -- compose --check";
    assert!(
        readme.contains(command),
        "the README no longer names the compose check"
    );
    let out = Command::new(env!("CARGO"))
        .args([
            "run",
            "-q",
            "-p",
            "sovereign-cli",
            "--",
            "compose",
            "--check",
        ])
        .current_dir(root)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("is up to date"));
}

#[test]
fn plugin_db_manage_generate_writes_the_client() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    // Inside the repository, as a committed file would be.
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("generate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("client.rs");
    let run = plugin_db_manage(
        &["generate", "analytics", "--out", out.to_str().unwrap()],
        &root,
        &[],
    );
    assert_eq!(run.status.code(), Some(0), "{run:?}");
    assert!(
        String::from_utf8_lossy(&run.stdout).contains("wrote"),
        "{run:?}"
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.starts_with("// @generated by sovereign-build"),
        "{text}"
    );
    assert!(text.contains("pub mod page_view"), "{text}");
    // Committable: no path of this machine; the embedded files are named relative to the file.
    let workspace = std::fs::canonicalize(&root).unwrap();
    assert!(
        !text.contains(&workspace.display().to_string())
            && !text.contains(&dir.display().to_string()),
        "{text}"
    );
    let embedded: Vec<&str> = text
        .split("include_str!(")
        .skip(1)
        .map(|rest| {
            rest.trim_start()
                .trim_start_matches('"')
                .split('"')
                .next()
                .unwrap()
        })
        .collect();
    assert_eq!(embedded.len(), 2, "the schema and one migration: {text}");
    for path in embedded {
        assert!(!Path::new(path).is_absolute(), "{path}");
        assert!(dir.join(path).is_file(), "{path} does not lead to the file");
    }
    // Unchanged the second time: the file is not rewritten.
    let again = plugin_db_manage(
        &["generate", "analytics", "--out", out.to_str().unwrap()],
        &root,
        &[],
    );
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("unchanged"),
        "{again:?}"
    );
    // A shared plugin has no client of its own.
    let shared = plugin_db_manage(&["generate", "blog"], &root, &[]);
    assert_eq!(shared.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&shared.stderr).contains("plugin \"blog\" is shared"),
        "{shared:?}"
    );
}

#[test]
fn plugin_db_manage_generate_says_relation_mode_prisma_is_not_emulated() {
    let dir = compose_workspace("relmode");
    std::fs::create_dir_all(dir.join("plugins/shop/prisma")).unwrap();
    std::fs::write(
        dir.join("plugins/shop/plugin.json"),
        "{\"id\": \"shop\", \"name\": \"Shop\", \"version\": \"0.1.0\", \"sovereign\": {\"database\": {\"mode\": \"dedicated\"}}}",
    )
    .unwrap();
    std::fs::write(
        dir.join("plugins/shop/prisma/schema.prisma"),
        "datasource db {\n  provider     = \"sqlite\"\n  url          = \"file:./shop.db\"\n  relationMode = \"prisma\"\n}\n\ngenerator client {\n  provider = \"sovereign\"\n}\n\nmodel Order {\n  id    Int    @id\n  lines Line[]\n}\n\nmodel Line {\n  id      Int   @id\n  orderId Int\n  order   Order @relation(fields: [orderId], references: [id])\n\n  @@index([orderId])\n}\n",
    )
    .unwrap();
    let out = dir.join("shop_client.rs");
    let run = plugin_db_manage(
        &["generate", "shop", "--out", out.to_str().unwrap()],
        &dir,
        &[],
    );
    assert_eq!(run.status.code(), Some(0), "{run:?}");
    assert!(out.is_file());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("warning: relationMode = \"prisma\": the generated client does not emulate referential actions")
            && stderr.contains("plugins/shop/prisma/schema.prisma:1:1"),
        "{stderr}"
    );
    // A command's output, not a build script's.
    assert!(
        !stderr.contains("cargo:warning")
            && !String::from_utf8_lossy(&run.stdout).contains("cargo:warning"),
        "{run:?}"
    );
}

#[test]
fn manifest_near_misses_warn_and_strict_refuses_them() {
    let dir = compose_workspace("strict");
    // As a real platform writes it: keys of its own inside "sovereign", and one typo.
    std::fs::write(
        dir.join("plugins/blog/plugin.json"),
        "{\"id\": \"blog\", \"name\": \"Blog\", \"version\": \"0.1.0\",\n \"sovereign\": {\"routes\": [\"/blog\"], \"userCapabilities\": [\"read\"], \"platformCapabilites\": {\"database\": true}}}",
    )
    .unwrap();
    let out = sovereign(&["compose"], &dir);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains(
            "warning: unknown key \"platformCapabilites\" inside \"sovereign\": it is ignored"
        ) && err.contains("did you mean \"platformCapabilities\"?")
            && err.contains("plugins/blog/plugin.json:2:"),
        "{err}"
    );
    assert!(
        err.contains("\n1 warning"),
        "the platform's own keys are not mentioned: {err}"
    );

    for (args, toml) in [
        (&["--strict", "compose"][..], ""),
        (&["compose"][..], "strict = true\n"),
    ] {
        std::fs::write(dir.join("sovereign.toml"), toml).unwrap();
        let out = sovereign(args, &dir);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?} {toml:?}: {err}");
        assert!(
            err.contains("error: unknown key \"platformCapabilites\"")
                && err.contains("did you mean \"platformCapabilities\"?"),
            "{err}"
        );
    }
}

/// `migrate dev` after editing a plugin's extension, before `compose`: it composes first (and
/// says so), so the new field gets its migration instead of "Already in sync".
#[test]
fn migrate_dev_composes_a_stale_schema_first() {
    let dir = compose_workspace("dev-stale");
    assert_eq!(sovereign(&["compose"], &dir).status.code(), Some(0));
    let out = sovereign(&["migrate", "dev", "--name", "init"], &dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(
        dir.join("plugins/blog/prisma/extension.prisma"),
        "model Post {\n  id       Int @id\n  note     String?\n  authorId Int\n  author   User @relation(fields: [authorId], references: [id])\n}\n",
    )
    .unwrap();
    let out = sovereign(&["migrate", "dev", "--name", "add-note"], &dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("Composed platform/prisma/schema.prisma first: it was out of date with the plugins (plugin \"blog\" changed)"),
        "{stdout}"
    );
    assert!(!stdout.contains("Already in sync"), "{stdout}");
    let created: Vec<_> = std::fs::read_dir(dir.join("platform/prisma/migrations"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with("_add_note"))
        .collect();
    assert_eq!(created.len(), 1, "{stdout}");
    let sql = std::fs::read_to_string(created[0].path().join("migration.sql")).unwrap();
    assert!(sql.contains("\"note\""), "{sql}");
    assert_eq!(
        sovereign(&["compose", "--check"], &dir).status.code(),
        Some(0)
    );
    // A mistake in a schema stops it before anything is migrated.
    std::fs::write(
        dir.join("plugins/blog/prisma/extension.prisma"),
        "model Post {\n  id Int @id\n  x Strng\n}\n",
    )
    .unwrap();
    let out = sovereign(&["migrate", "dev", "--name", "broken"], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nothing was migrated"),
        "{out:?}"
    );
}

/// `sovereign new plugin` in a small workspace: the files and edits it makes, and what it
/// refuses (building and testing the result is `tests/readme.rs`'s part).
#[test]
fn new_plugin_creates_wires_and_refuses() {
    let dir = compose_workspace("new-plugin");
    std::fs::write(
        dir.join("Cargo.toml"),
        "[workspace]\nmembers = [\"platform\", \"plugins/blog\"]\nresolver = \"2\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("platform/Cargo.toml"),
        "[package]\nname = \"platform\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nsovereign = { path = \"../../sovereign\" }\n\n[build-dependencies]\nsovereign-build = { path = \"../../sovereign-build\" }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("plugins/blog/Cargo.toml"),
        "[package]\nname = \"acme-blog\"\nversion = \"0.1.0\"\n",
    )
    .unwrap();
    let out = sovereign(&["new", "plugin", "page-views"], &dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plugin = dir.join("plugins/page-views");
    for f in [
        "plugin.json",
        "Cargo.toml",
        "build.rs",
        "src/lib.rs",
        "prisma/extension.prisma",
    ] {
        assert!(plugin.join(f).is_file(), "{f} missing:\n{stdout}");
    }
    let cargo = std::fs::read_to_string(plugin.join("Cargo.toml")).unwrap();
    assert!(
        cargo.contains("name = \"acme-page-views\"")
            && cargo.contains("sovereign = { path = \"../../../sovereign\" }")
            && cargo.contains("sovereign-build = { path = \"../../../sovereign-build\" }"),
        "named like the other plugins, dependencies as the platform's, rebased:\n{cargo}"
    );
    let lib = std::fs::read_to_string(plugin.join("src/lib.rs")).unwrap();
    assert!(
        lib.contains("pub struct PageViews;")
            && lib.contains("#[tokio::test")
            && lib.contains(".page_views_item()"),
        "{lib}"
    );
    assert!(std::fs::read_to_string(dir.join("Cargo.toml"))
        .unwrap()
        .contains("members = [\"platform\", \"plugins/blog\", \"plugins/page-views\"]"));
    assert!(std::fs::read_to_string(dir.join("platform/Cargo.toml"))
        .unwrap()
        .contains("[dependencies]\nsovereign = { path = \"../../sovereign\" }\nacme-page-views = { path = \"../plugins/page-views\" }\n"));
    let composed = std::fs::read_to_string(dir.join("platform/prisma/schema.prisma")).unwrap();
    assert!(composed.contains("model PageViewsItem {"), "{composed}");
    for expected in [
        "let page_views = host.register::<acme_page_views::PageViews>().await?;",
        "DATABASE_URL=file:./dev.db sovereign migrate dev --name add-page-views",
        "cargo run -p platform",
    ] {
        assert!(stdout.contains(expected), "{expected:?} in:\n{stdout}");
    }

    let out = sovereign(&["new", "plugin", "audit", "--dedicated"], &dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let schema = std::fs::read_to_string(dir.join("plugins/audit/prisma/schema.prisma")).unwrap();
    assert!(
        schema.contains("url      = env(\"AUDIT_DATABASE_URL\")"),
        "{schema}"
    );
    assert!(
        stdout.contains(
            "AUDIT_DATABASE_URL=file:./dev.db plugin-db-manage migrate audit --name init"
        ),
        "{stdout}"
    );
    let composed = std::fs::read_to_string(dir.join("platform/prisma/schema.prisma")).unwrap();
    assert!(
        composed.contains("Dedicated plugins (own database, not composed): audit"),
        "{composed}"
    );

    // Refused, with nothing written: a namespace taken, an invalid one.
    let before = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    for (ns, message) in [
        ("blog", "plugin \"blog\" exists already: plugins/blog"),
        ("Notes", "invalid plugin namespace \"Notes\""),
        ("9lives", "invalid plugin namespace \"9lives\""),
        ("../x", "invalid plugin namespace \"../x\""),
    ] {
        let out = sovereign(&["new", "plugin", ns], &dir);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{ns}: {err}");
        assert!(err.contains(message), "{ns}: {err}");
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("Cargo.toml")).unwrap(),
        before
    );
}
