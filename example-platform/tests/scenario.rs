//! The README's main command, run end to end: on SQLite files (the default), then on
//! PostgreSQL when `SOVEREIGN_TEST_POSTGRES_URL` is set; each twice, to show setup is idempotent.

use std::process::Command;

fn run(env: &[(&str, String)]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_example-platform"));
    cmd.env_remove("DATABASE_URL")
        .env_remove("ANALYTICS_DATABASE_URL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run example-platform");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{stdout}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn check_work(out: &str) {
    for expected in [
        "Hello, Sovereign         by ada@acme.test    [intro, rust]",
        "Shared or dedicated?     by linus@acme.test  [design]",
        "authors with posts: 2",
        "#1 Write the README   Done         ada@acme.test",
        "#2 Ship 0.1           Open         unassigned",
        "platform: 2 users in tenant acme",
        "analytics (dedicated)",
        "blog (shared)",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
}

#[test]
fn scenario_on_sqlite_files() {
    let dir = std::env::temp_dir().join(format!("sov-example-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let env = [("SOVEREIGN_DATA_DIR", dir.display().to_string())];
    let first = run(&env);
    // However many migrations an author has added since (the README's steps add some).
    assert!(first.contains("platform database: applied "), "{first}");
    assert!(
        first.contains("plugin analytics (sqlite): applied "),
        "{first}"
    );
    check_work(&first);
    assert!(first.contains("ada@acme.test      1"), "{first}");
    assert!(dir.join("platform.db").is_file() && dir.join("analytics.db").is_file());

    let second = run(&env);
    assert!(second.contains("platform database: up to date"), "{second}");
    assert!(
        second.contains("plugin analytics (sqlite): up to date"),
        "{second}"
    );
    check_work(&second);
    // Setup is idempotent; page views accumulate, one per run.
    assert!(second.contains("ada@acme.test      2"), "{second}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn scenario_on_postgres() {
    use sovereign_test_support::{Server, TestDb};
    let Some(platform) = TestDb::create(Server::Postgres, "example_platform").await else {
        return;
    };
    let Some(analytics) = TestDb::create(Server::Postgres, "example_analytics").await else {
        return;
    };
    // A data directory of its own: the platform's and analytics' SQLite files must not appear
    // there (a dedicated plugin an author added, without its variable, may put its file there).
    let data = std::env::temp_dir().join(format!("sov-example-pg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let env = [
        ("DATABASE_URL", platform.url.clone()),
        ("ANALYTICS_DATABASE_URL", analytics.url.clone()),
        ("SOVEREIGN_DATA_DIR", data.display().to_string()),
    ];
    let first = std::panic::catch_unwind(|| run(&env));
    let second = std::panic::catch_unwind(|| run(&env));
    platform.drop().await;
    analytics.drop().await;
    let untouched = !data.join("platform.db").exists() && !data.join("analytics.db").exists();
    let _ = std::fs::remove_dir_all(&data);
    assert!(untouched, "no SQLite file for the databases given by URL");
    let (first, second) = (first.expect("first run"), second.expect("second run"));
    assert!(
        first.contains("platform database: schema pushed"),
        "{first}"
    );
    assert!(
        first.contains("plugin analytics (postgresql): schema pushed"),
        "{first}"
    );
    check_work(&first);
    assert!(
        second.contains("platform database: schema already in place"),
        "{second}"
    );
    check_work(&second);
}

/// The README's main command, exactly as written, from the repository root.
#[test]
fn readme_main_command() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let command = "cargo run -p example-platform";
    assert!(
        readme.contains(&format!("{command}\n")),
        "the README's main command changed"
    );
    let dir = std::env::temp_dir().join(format!("sov-readme-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(env!("CARGO"))
        .args(["run", "-q", "-p", "example-platform"])
        .current_dir(&root)
        .env("SOVEREIGN_DATA_DIR", &dir)
        .env_remove("DATABASE_URL")
        .env_remove("ANALYTICS_DATABASE_URL")
        .output()
        .expect("cargo run");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    check_work(&stdout);
    let _ = std::fs::remove_dir_all(&dir);
}
