//! Nothing lost, nothing leaked: the migrate commands run as processes, the way a platform's
//! deploy scripts and several instances starting at once run them. Eight concurrent deploys,
//! deploys killed with SIGKILL, schema pushes that must not destroy data, closed pipes, secrets in
//! URLs, and migration folders as Prisma reads them. SQLite always runs; PostgreSQL runs from
//! `SOVEREIGN_TEST_POSTGRES_URL` (required when `CI` is set).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique(label: &str) -> String {
    format!(
        "sov_{label}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

fn tempdir(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(unique(label));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn cmd(bin: &str, args: &[&str], cwd: &Path) -> Command {
    let mut c = Command::new(bin);
    c.args(args)
        .current_dir(cwd)
        .env_remove("DATABASE_URL")
        .env_remove("SOVEREIGN_MIGRATE_LOCK_TIMEOUT");
    c
}

fn sovereign(args: &[&str], cwd: &Path) -> Output {
    cmd(env!("CARGO_BIN_EXE_sovereign"), args, cwd)
        .output()
        .expect("run sovereign")
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A database on the PostgreSQL server of `SOVEREIGN_TEST_POSTGRES_URL` (skipped when unset,
/// a failure when `CI` is set), dropped with the value.
struct PgDb {
    db: Option<sovereign_test_support::TestDb>,
    name: String,
    url: String,
}

impl PgDb {
    fn create() -> Option<PgDb> {
        let db = rt().block_on(sovereign_test_support::TestDb::create(
            sovereign_test_support::Server::Postgres,
            "cli_safety",
        ))?;
        Some(PgDb {
            name: db.name.clone(),
            url: db.url.clone(),
            db: Some(db),
        })
    }

    fn query(&self, sql: &str) -> Vec<Vec<String>> {
        rt().block_on(async {
            let mut c = sovereign_migrate::Connection::connect(&self.url)
                .await
                .unwrap();
            let pg = c.postgres().unwrap();
            use sqlx::Row;
            sqlx::query(sql)
                .fetch_all(&mut *pg)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
                .iter()
                .map(|r| {
                    (0..r.len())
                        .map(|i| {
                            r.try_get::<Option<String>, _>(i)
                                .unwrap()
                                .unwrap_or_default()
                        })
                        .collect()
                })
                .collect()
        })
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        if let Some(db) = self.db.take() {
            rt().block_on(db.drop());
        }
    }
}

/// A platform workspace whose schema is for `provider`, with `migrations` (name, SQL).
fn workspace(label: &str, provider: &str, migrations: &[(&str, &str)]) -> PathBuf {
    let dir = tempdir(label);
    let prisma = dir.join("platform/prisma");
    std::fs::create_dir_all(&prisma).unwrap();
    std::fs::write(dir.join("sovereign.toml"), "").unwrap();
    let schema = format!(
        "datasource db {{\n  provider = \"{provider}\"\n  url      = env(\"DATABASE_URL\")\n}}\n\nmodel Item {{\n  id   Int    @id\n  name String\n}}\n"
    );
    std::fs::write(prisma.join("base.prisma"), &schema).unwrap();
    std::fs::write(prisma.join("schema.prisma"), &schema).unwrap();
    let m = prisma.join("migrations");
    std::fs::create_dir_all(&m).unwrap();
    std::fs::write(
        m.join("migration_lock.toml"),
        format!("provider = \"{provider}\"\n"),
    )
    .unwrap();
    for (name, sql) in migrations {
        std::fs::create_dir_all(m.join(name)).unwrap();
        std::fs::write(m.join(name).join("migration.sql"), sql).unwrap();
    }
    dir
}

const THREE: &[(&str, &str)] = &[
    (
        "20240101000000_init",
        "CREATE TABLE \"Item\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"name\" TEXT NOT NULL);\n",
    ),
    (
        "20240102000000_tags",
        "CREATE TABLE \"Tag\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\n",
    ),
    (
        "20240103000000_index",
        "CREATE INDEX \"Item_name_idx\" ON \"Item\"(\"name\");\n",
    ),
];

/// Eight `sovereign migrate deploy` processes started at once; each migration is applied once.
fn eight_deploys(dir: &Path, url: &str) {
    let children: Vec<_> = (0..8)
        .map(|_| {
            cmd(
                env!("CARGO_BIN_EXE_sovereign"),
                &["migrate", "deploy", "--url", url, "--lock-timeout", "60"],
                dir,
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    let mut applied = 0;
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let stdout = String::from_utf8_lossy(&out.stdout);
        applied += stdout.lines().filter(|l| l.starts_with("  2024")).count();
    }
    assert_eq!(applied, 3, "each migration applied by exactly one process");
    let out = sovereign(&["migrate", "status", "--url", url], dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn eight_concurrent_deploy_processes_apply_each_migration_once() {
    for round in 0..3 {
        let dir = workspace(&format!("eight{round}"), "sqlite", THREE);
        let db = dir.join("app.db");
        let url = format!("file:{}", db.display());
        eight_deploys(&dir, &url);
        let rows = rt().block_on(async {
            let mut c = sovereign_migrate::Connection::connect(&url).await.unwrap();
            c.history().await.unwrap()
        });
        assert_eq!(rows.len(), 3, "{rows:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }
    for round in 0..2 {
        let Some(pg) = PgDb::create() else { return };
        let dir = workspace(&format!("eight_pg{round}"), "postgresql", THREE);
        eight_deploys(&dir, &pg.url);
        let rows = pg.query("SELECT migration_name FROM _prisma_migrations");
        assert_eq!(rows.len(), 3, "{rows:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Starts `sovereign migrate deploy`, waits until `running` says the slow migration is under
/// way, and kills the process with SIGKILL.
fn deploy_and_kill(dir: &Path, url: &str, running: impl Fn() -> bool) {
    let mut child = cmd(
        env!("CARGO_BIN_EXE_sovereign"),
        &["migrate", "deploy", "--url", url],
        dir,
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let start = Instant::now();
    while !running() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the slow migration never started"
        );
        if let Ok(Some(status)) = child.try_wait() {
            panic!("deploy ended before it could be killed: {status:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
}

#[test]
fn a_deploy_killed_mid_way_on_postgres_is_finished_by_the_next_deploy() {
    let Some(pg) = PgDb::create() else { return };
    let slow: &[(&str, &str)] = &[
        THREE[0],
        (
            "20240102000000_slow",
            "CREATE TABLE \"Tag\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\nSELECT pg_sleep(30);\nCREATE TABLE \"Label\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\n",
        ),
    ];
    let dir = workspace("killed_pg", "postgresql", slow);
    let sleeping = || {
        !pg.query(&format!(
            "SELECT pid::text FROM pg_stat_activity WHERE datname = '{}' AND query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()",
            pg.name
        ))
        .is_empty()
    };
    deploy_and_kill(&dir, &pg.url, sleeping);
    // The client is gone; the server notices when it next talks to it. End its backend now, as
    // a lost connection or a server restart would.
    pg.query(&format!(
        "SELECT pg_terminate_backend(pid)::text FROM pg_stat_activity WHERE datname = '{}' AND pid <> pg_backend_pid()",
        pg.name
    ));
    let start = Instant::now();
    while sleeping() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    // Either applied and recorded, or not at all: here not at all.
    let rows = pg.query("SELECT migration_name, coalesce(finished_at::text, 'unfinished') FROM _prisma_migrations ORDER BY started_at");
    assert_eq!(
        rows.len(),
        1,
        "only the first migration is recorded: {rows:?}"
    );
    let tag = pg.query("SELECT to_regclass('\"Tag\"')::text");
    assert_eq!(
        tag,
        [[""]],
        "the killed migration's first table is not there"
    );

    // The next deploy finishes the job, with no manual step.
    let fast: Vec<(&str, &str)> = vec![
        THREE[0],
        (
            "20240102000000_slow",
            "CREATE TABLE \"Tag\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\nSELECT pg_sleep(0);\nCREATE TABLE \"Label\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\n",
        ),
    ];
    for (name, sql) in &fast {
        std::fs::write(
            dir.join("platform/prisma/migrations")
                .join(name)
                .join("migration.sql"),
            sql,
        )
        .unwrap();
    }
    let out = sovereign(&["migrate", "deploy", "--url", &pg.url], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("20240102000000_slow"));
    let rows =
        pg.query("SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL");
    assert_eq!(rows.len(), 2);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_deploy_killed_mid_way_on_sqlite_leaves_nothing_half_done() {
    let dir = workspace("killed_sqlite", "sqlite", &THREE[..1]);
    let db = dir.join("app.db");
    let url = format!("file:{}", db.display());
    let out = sovereign(&["migrate", "deploy", "--url", &url], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // A migration that keeps SQLite busy for seconds after its first statement.
    let slow = dir.join("platform/prisma/migrations/20240102000000_slow");
    std::fs::create_dir_all(&slow).unwrap();
    std::fs::write(
        slow.join("migration.sql"),
        "CREATE TABLE \"Tag\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\nCREATE TABLE \"Busy\" AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000) SELECT count(*) AS n FROM c;\n",
    )
    .unwrap();
    let started = Instant::now();
    deploy_and_kill(&dir, &url, || {
        started.elapsed() > Duration::from_millis(700)
    });
    let (history, tag) = rt().block_on(async {
        let mut c = sovereign_migrate::Connection::connect(&url).await.unwrap();
        let h = c.history().await.unwrap();
        let live = c.introspect().await.unwrap();
        (h, live.table("Tag").is_some())
    });
    assert!(
        history.len() == 1 && history.iter().all(|h| h.finished),
        "no half-recorded migration: {history:?}"
    );
    assert!(!tag, "the killed migration left no table behind");
    // The next deploy runs it (made quick now) with no manual step.
    std::fs::write(
        slow.join("migration.sql"),
        "CREATE TABLE \"Tag\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\n",
    )
    .unwrap();
    let out = sovereign(&["migrate", "deploy", "--url", &url], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("20240102000000_slow"));
    let _ = std::fs::remove_dir_all(&dir);
}

fn plugin_db_manage(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Output {
    let mut c = cmd(env!("CARGO_BIN_EXE_plugin-db-manage"), args, cwd);
    c.env_remove("STATS_DATABASE_URL");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run plugin-db-manage")
}

/// A workspace with a dedicated plugin `stats` whose migrations are SQLite's.
fn dedicated_workspace(label: &str, model: &str) -> PathBuf {
    let dir = workspace(label, "sqlite", &[]);
    let p = dir.join("plugins/stats");
    std::fs::create_dir_all(p.join("prisma/migrations/20240101000000_init")).unwrap();
    std::fs::write(
        p.join("plugin.json"),
        r#"{"id": "stats", "name": "Stats", "version": "1.0.0", "sovereign": {"database": {"mode": "dedicated"}}}"#,
    )
    .unwrap();
    std::fs::write(
        p.join("prisma/schema.prisma"),
        format!("datasource db {{\n  provider = \"sqlite\"\n  url      = env(\"STATS_DATABASE_URL\")\n}}\n\ngenerator client {{\n  provider = \"sovereign\"\n}}\n\n{model}"),
    )
    .unwrap();
    std::fs::write(
        p.join("prisma/migrations/migration_lock.toml"),
        "provider = \"sqlite\"\n",
    )
    .unwrap();
    std::fs::write(
        p.join("prisma/migrations/20240101000000_init/migration.sql"),
        "CREATE TABLE \"Hit\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"path\" TEXT NOT NULL, \"note\" TEXT);\n",
    )
    .unwrap();
    dir
}

#[test]
fn plugin_db_manage_pushes_to_a_database_of_another_provider_and_never_loses_data_silently() {
    let Some(pg) = PgDb::create() else { return };
    let v1 = "model Hit {\n  id   Int     @id\n  path String\n  note String?\n}\n";
    let dir = dedicated_workspace("push", v1);
    let env = [("STATS_DATABASE_URL", pg.url.as_str())];
    // A table that is not the plugin's, with data: it must survive everything below.
    pg.query("CREATE TABLE platform_owned (id integer primary key, v text)");
    pg.query("INSERT INTO platform_owned VALUES (1, 'keep') RETURNING id::text");

    let out = plugin_db_manage(&["status", "stats"], &dir, &env);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("written for sqlite and the database is PostgreSQL"),
        "{stdout}"
    );
    assert!(stdout.contains("CREATE TABLE \"Hit\""), "{stdout}");

    let out = plugin_db_manage(&["deploy", "stats"], &dir, &env);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("the schema was pushed instead"), "{stdout}");
    assert!(
        stdout.contains("Left alone (not in the schema): platform_owned"),
        "{stdout}"
    );
    assert_eq!(
        pg.query("SELECT coalesce(to_regclass('_prisma_migrations')::text, '')"),
        [[""]],
        "no SQLite migration ran on PostgreSQL"
    );
    let out = plugin_db_manage(&["status", "stats"], &dir, &env);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("matches the schema"));
    pg.query("INSERT INTO \"Hit\" VALUES (1, '/a', 'n') RETURNING id::text");

    // The plugin drops `note`, which holds data: refused, nothing changed.
    std::fs::write(
        dir.join("plugins/stats/prisma/schema.prisma"),
        "datasource db {\n  provider = \"sqlite\"\n  url      = env(\"STATS_DATABASE_URL\")\n}\n\ngenerator client {\n  provider = \"sovereign\"\n}\n\nmodel Hit {\n  id   Int    @id\n  path String\n}\n",
    )
    .unwrap();
    let out = plugin_db_manage(&["deploy", "stats"], &dir, &env);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("drop the column `note`"), "{stderr}");
    assert!(stderr.contains("nothing was changed"), "{stderr}");
    assert!(stderr.contains("--accept-data-loss"), "{stderr}");
    assert_eq!(pg.query("SELECT note FROM \"Hit\""), [["n"]]);

    let out = plugin_db_manage(&["deploy", "stats", "--accept-data-loss"], &dir, &env);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Data loss accepted"));
    assert_eq!(pg.query("SELECT path FROM \"Hit\""), [["/a"]]);
    assert_eq!(pg.query("SELECT v FROM platform_owned"), [["keep"]]);

    // Making or resolving SQLite migrations against PostgreSQL is refused with the way out.
    let out = plugin_db_manage(&["migrate", "stats", "--name", "x"], &dir, &env);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("migrations cannot be made or resolved here")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs a command whose stdout is a pipe nobody reads: its reading end is closed before the
/// command starts.
fn with_closed_stdout(mut c: Command) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    c.stdout(writer).stderr(Stdio::piped()).output().unwrap()
}

#[test]
fn a_closed_stdout_ends_the_command_quietly() {
    let dir = workspace("pipe", "sqlite", THREE);
    let url = format!("file:{}", dir.join("app.db").display());
    for args in [
        vec!["migrate", "deploy", "--url", url.as_str()],
        vec!["migrate", "status", "--url", url.as_str()],
        vec!["validate", "--schema", "platform/prisma/schema.prisma"],
        vec![
            "migrate",
            "diff",
            "--from-empty",
            "--to-schema",
            "platform/prisma/schema.prisma",
            "--script",
        ],
    ] {
        let out = with_closed_stdout(cmd(env!("CARGO_BIN_EXE_sovereign"), &args, &dir));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(141), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
    // migrate dev between its steps: the schema gained a model, so it writes a migration.
    std::fs::write(
        dir.join("platform/prisma/schema.prisma"),
        "datasource db {\n  provider = \"sqlite\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel Item {\n  id   Int    @id\n  name String\n}\n\nmodel Extra {\n  id Int @id\n}\n",
    )
    .unwrap();
    let out = with_closed_stdout(cmd(
        env!("CARGO_BIN_EXE_sovereign"),
        &["migrate", "dev", "--name", "extra", "--url", &url],
        &dir,
    ));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(141), "{stderr}");
    // Whatever step it stopped at, running it again finishes cleanly.
    let out = sovereign(&["migrate", "dev", "--name", "extra", "--url", &url], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = sovereign(&["migrate", "status", "--url", &url], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn no_password_reaches_any_output() {
    let dir = dedicated_workspace("secrets", "model Hit {\n  id Int @id\n}\n");
    // Unreachable servers, passwords with `@`, `:` and `/`, and a password parameter.
    let urls = [
        "postgresql://admin:s3cr@t:pa/ss@127.0.0.1:1/db",
        "postgresql://admin@127.0.0.1:1/db?sslmode=disable&password=s3cr@t",
        "mysql://root:s3cr@t@127.0.0.1:1/db",
    ];
    for url in urls {
        let deploy = sovereign(&["migrate", "deploy", "--url", url], &dir);
        let shown = String::from_utf8_lossy(&deploy.stderr).to_string();
        assert!(
            shown.contains("cannot connect to") && shown.contains("****"),
            "the message still says which server, password hidden: {shown}"
        );
        let runs = [
            deploy,
            sovereign(&["migrate", "status", "--url", url], &dir),
            sovereign(&["migrate", "dev", "--name", "x", "--url", url], &dir),
            sovereign(
                &["migrate", "resolve", "--applied", "x", "--url", url],
                &dir,
            ),
            sovereign(&["migrate", "reset", "--force", "--url", url], &dir),
            sovereign(&["migrate", "reset", "--url", url], &dir),
            sovereign(&["migrate", "diff", "--from-url", url, "--to-empty"], &dir),
            sovereign(&["studio", "--url", url], &dir),
            plugin_db_manage(&["deploy", "stats"], &dir, &[("STATS_DATABASE_URL", url)]),
            plugin_db_manage(&["status", "stats"], &dir, &[("STATS_DATABASE_URL", url)]),
            plugin_db_manage(&["diff", "stats"], &dir, &[("STATS_DATABASE_URL", url)]),
            plugin_db_manage(&["studio", "stats", "--url", url], &dir, &[]),
            cmd(
                env!("CARGO_BIN_EXE_sovereign"),
                &["migrate", "deploy"],
                &dir,
            )
            .env("DATABASE_URL", url)
            .output()
            .unwrap(),
        ];
        for out in runs {
            let all = text(&out);
            assert_eq!(out.status.code(), Some(1), "{url}: {all}");
            assert!(!all.contains("s3cr"), "{url}: {all}");
            assert!(!all.contains("pa/ss"), "{url}: {all}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn migration_folders_are_read_as_prisma_reads_them() {
    // Every subdirectory is a migration, in name order (Prisma's baselining guide names the first
    // one `0_init`; "10_..." sorts before "2_..." as plain names do).
    let dir = workspace(
        "folders",
        "sqlite",
        &[
            ("0_init", "CREATE TABLE \"Item\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"name\" TEXT NOT NULL);\n"),
            ("10_third", "CREATE TABLE \"Third\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"tagId\" INTEGER REFERENCES \"Tag\"(\"id\"));\n"),
            ("2_second", "CREATE TABLE \"Other\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\n"),
            ("1_tag", "CREATE TABLE \"Tag\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\n"),
        ],
    );
    let url = format!("file:{}", dir.join("app.db").display());
    let out = sovereign(&["migrate", "deploy", "--url", &url], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let order: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("  "))
        .collect();
    assert_eq!(
        order,
        ["0_init", "10_third", "1_tag", "2_second"],
        "{stdout}"
    );

    // An applied migration edited afterwards: deploy carries on (and says so) without running
    // it again; status reports it, as Prisma does.
    std::fs::write(
        dir.join("platform/prisma/migrations/1_tag/migration.sql"),
        "CREATE TABLE \"Tag\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"label\" TEXT);\n",
    )
    .unwrap();
    let third = dir.join("platform/prisma/migrations/3_more");
    std::fs::create_dir_all(&third).unwrap();
    std::fs::write(
        third.join("migration.sql"),
        "CREATE TABLE \"More\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\n",
    )
    .unwrap();
    let out = sovereign(&["migrate", "deploy", "--url", &url], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("migration 1_tag was modified after it was applied"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("  3_more"));
    let out = sovereign(&["migrate", "status", "--url", &url], &dir);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Modified after they were applied:\n  1_tag")
    );
    let _ = std::fs::remove_dir_all(&dir);
}
