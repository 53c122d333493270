//! `deploy` against real databases: SQLite (bundled), and PostgreSQL and MySQL/MariaDB from
//! `SOVEREIGN_TEST_POSTGRES_URL` / `SOVEREIGN_TEST_MYSQL_URL` (set by `.ci/run`). Each test
//! creates its own uniquely named database and drops it afterwards.

use sovereign_migrate::{deploy, reset, resolve, status, Connection, Error, Migration, Resolution};
use std::sync::atomic::{AtomicU32, Ordering};

use sovereign_test_support::TestDb;

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique(prefix: &str) -> String {
    format!(
        "sov_{prefix}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

fn migrations() -> Vec<Migration> {
    vec![
        Migration::new("20240101000000_init", "CREATE TABLE item (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);\nCREATE INDEX item_name_idx ON item (name);\n"),
        Migration::new("20240102000000_more", "ALTER TABLE item ADD COLUMN price INTEGER;\n"),
    ]
}

async fn scenario(url: &str) {
    let mut conn = Connection::connect(url).await.unwrap();
    let report = deploy(&mut conn, &migrations()).await.unwrap();
    assert_eq!(
        report.applied,
        ["20240101000000_init", "20240102000000_more"]
    );
    let history = conn.history().await.unwrap();
    assert_eq!(history.len(), 2);
    assert!(history.iter().all(|h| h.finished && !h.rolled_back));
    assert_eq!(history[0].checksum, migrations()[0].checksum);
    conn.execute_script("INSERT INTO item (id, name, price) VALUES (1, 'a', 3)")
        .await
        .unwrap();

    // Nothing pending: nothing applied.
    let report = deploy(&mut conn, &migrations()).await.unwrap();
    assert!(report.applied.is_empty() && report.edited.is_empty());

    // An edited, already applied migration is reported, not re-run.
    let mut edited = migrations();
    edited[1] = Migration::new(
        "20240102000000_more",
        "ALTER TABLE item ADD COLUMN price BIGINT;\n",
    );
    let report = deploy(&mut conn, &edited).await.unwrap();
    assert_eq!(report.edited, ["20240102000000_more"]);

    // A failing migration is recorded as failed, with the database's message, and blocks.
    let mut broken = migrations();
    broken.push(Migration::new(
        "20240103000000_broken",
        "ALTER TABLE no_such_table ADD COLUMN x INTEGER;\n",
    ));
    broken.push(Migration::new(
        "20240104000000_after",
        "CREATE TABLE after_broken (id INTEGER);\n",
    ));
    match deploy(&mut conn, &broken).await {
        Err(Error::Failed {
            migration, message, ..
        }) => {
            assert_eq!(migration, "20240103000000_broken");
            assert!(message.contains("no_such_table"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let failed = conn
        .history()
        .await
        .unwrap()
        .into_iter()
        .find(|h| h.failed())
        .expect("recorded as failed");
    assert_eq!(failed.name, "20240103000000_broken");
    assert!(failed.logs.unwrap().contains("no_such_table"));
    match deploy(&mut conn, &broken).await {
        Err(Error::Blocked { migration, .. }) => {
            assert_eq!(migration, "20240103000000_broken")
        }
        other => panic!("{other:?}"),
    }
    let msg = Error::Blocked {
        migration: "x".into(),
        logs: None,
        diagnosis: sovereign_migrate::Diagnosis::NotApplied,
    }
    .to_string();
    assert!(msg.contains("resolve --rolled-back x"));

    // status sees the failed and the pending migration.
    let st = status(&mut conn, &broken).await.unwrap();
    assert_eq!(st.failed, ["20240103000000_broken"]);
    assert_eq!(st.pending, ["20240104000000_after"]);
    assert!(st.needs_attention());

    // resolve: a pending migration is not failed; rolling back the failed one unblocks deploy,
    // which then fails again on the same broken script.
    let err = resolve(
        &mut conn,
        &broken,
        "20240104000000_after",
        Resolution::RolledBack,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("not in a failed state"), "{err}");
    let err = resolve(&mut conn, &broken, "nope", Resolution::Applied)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no migration `nope`"), "{err}");
    resolve(
        &mut conn,
        &broken,
        "20240103000000_broken",
        Resolution::RolledBack,
    )
    .await
    .unwrap();
    assert!(matches!(
        deploy(&mut conn, &broken).await,
        Err(Error::Failed { .. })
    ));
    // Marking it applied (fixed by hand) lets the next one run.
    resolve(
        &mut conn,
        &broken,
        "20240103000000_broken",
        Resolution::Applied,
    )
    .await
    .unwrap();
    let err = resolve(
        &mut conn,
        &broken,
        "20240103000000_broken",
        Resolution::Applied,
    )
    .await
    .unwrap_err();
    assert!(
        err.to_string().contains("already recorded as applied"),
        "{err}"
    );
    let report = deploy(&mut conn, &broken).await.unwrap();
    assert_eq!(report.applied, ["20240104000000_after"]);
    let st = status(&mut conn, &broken).await.unwrap();
    assert!(!st.needs_attention(), "{st:?}");
    let st = status(&mut conn, &broken[..1]).await.unwrap();
    assert_eq!(st.missing_locally.len(), 3, "{st:?}");

    // reset drops everything (data, tables, history) and applies the migrations again.
    let report = reset(&mut conn, &migrations()).await.unwrap();
    assert_eq!(report.applied.len(), 2);
    assert_eq!(conn.history().await.unwrap().len(), 2);
    conn.execute_script("INSERT INTO item (id, name, price) VALUES (1, 'a', 3)")
        .await
        .expect("the old row is gone");
}

#[tokio::test(flavor = "current_thread")]
async fn deploy_on_sqlite() {
    let path = std::env::temp_dir().join(format!("{}.db", unique("sqlite")));
    scenario(&format!("file:{}", path.display())).await;
    let _ = std::fs::remove_file(path);
}

#[tokio::test(flavor = "current_thread")]
async fn deploy_on_postgres() {
    let Some(db) =
        TestDb::create_from_var("SOVEREIGN_TEST_POSTGRES_URL", "postgres deploy test").await
    else {
        return;
    };
    scenario(&db.url).await;
    db.drop().await;
}

#[tokio::test(flavor = "current_thread")]
async fn deploy_on_mysql() {
    let Some(db) = TestDb::create_from_var("SOVEREIGN_TEST_MYSQL_URL", "mysql deploy test").await
    else {
        return;
    };
    scenario(&db.url).await;
    db.drop().await;
}

/// Several processes deploying at once apply each migration exactly once.
async fn concurrent(url: &str) {
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let url = url.to_string();
        tasks.push(tokio::spawn(async move {
            let mut conn = Connection::connect(&url).await.unwrap();
            deploy(&mut conn, &migrations())
                .await
                .unwrap()
                .applied
                .len()
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    assert_eq!(
        total, 2,
        "each migration applied exactly once across all deployers"
    );
    let mut conn = Connection::connect(url).await.unwrap();
    assert_eq!(conn.history().await.unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_deploys_on_postgres() {
    let Some(db) =
        TestDb::create_from_var("SOVEREIGN_TEST_POSTGRES_URL", "postgres deploy test").await
    else {
        return;
    };
    concurrent(&db.url).await;
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_deploys_on_mysql() {
    let Some(db) = TestDb::create_from_var("SOVEREIGN_TEST_MYSQL_URL", "mysql deploy test").await
    else {
        return;
    };
    concurrent(&db.url).await;
    db.drop().await;
}

#[tokio::test(flavor = "current_thread")]
async fn unreachable_database_and_unknown_url() {
    let err = Connection::connect("postgresql://nobody:secret@127.0.0.1:1/db")
        .await
        .err()
        .unwrap();
    let msg = err.to_string();
    assert!(
        msg.contains("cannot connect to postgresql://nobody:****@127.0.0.1:1/db"),
        "{msg}"
    );
    assert!(!msg.contains("secret"));
    let err = Connection::connect("redis://x").await.err().unwrap();
    assert!(err
        .to_string()
        .contains("use file:, sqlite:, postgresql://, mysql:// or mariadb://"));
}

#[tokio::test(flavor = "current_thread")]
async fn deploy_reports_progress_for_pending_migrations_only() {
    let path = std::env::temp_dir().join(format!("{}.db", unique("progress")));
    let mut conn = Connection::connect(&format!("file:{}", path.display()))
        .await
        .unwrap();
    deploy(&mut conn, &migrations()[..1]).await.unwrap();
    let mut seen = Vec::new();
    let mut record = |p: sovereign_migrate::Progress<'_>| {
        seen.push((p.current, p.pending, p.migration.to_string()))
    };
    sovereign_migrate::deploy_with(
        &mut conn,
        &migrations(),
        &sovereign_migrate::MigrateOptions::default(),
        &mut record,
    )
    .await
    .unwrap();
    assert_eq!(seen, [(1, 1, "20240102000000_more".to_string())]);
    let _ = std::fs::remove_file(path);
}
