//! The runtime's deploy at start-up (`HostBuilder::deploy_migrations`): several platform
//! instances starting on one fresh database, and the schema push that a database of another
//! provider gets, which must never lose data silently.

use sovereign::Host;
use sovereign_test_support::{Server, TestDb};
use sovereign_tests::example_platform::{COMPOSED_PLUGINS, DATASOURCE};

fn temp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sov-deploy-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn platform_instances_starting_at_once_deploy_each_migration_once() {
    for round in 0..3 {
        let dir = temp(&format!("instances{round}"));
        let url = format!("file:{}", dir.join("platform.db").display());
        let starts: Vec<_> = (0..8)
            .map(|_| {
                let url = url.clone();
                tokio::spawn(async move {
                    let host = Host::builder()
                        .url(url)
                        .deploy_migrations(true)
                        .migration_lock_timeout(std::time::Duration::from_secs(60))
                        .connect(&DATASOURCE, COMPOSED_PLUGINS)
                        .await?;
                    let log = host.log().join("\n");
                    host.close().await;
                    Ok::<_, sovereign::Error>(log)
                })
            })
            .collect();
        let mut applied = 0;
        for s in starts {
            let log = s.await.unwrap().expect("every instance starts");
            if log.contains("applied 1 migration") {
                applied += 1;
            } else {
                assert!(log.contains("up to date"), "{log}");
            }
        }
        assert_eq!(applied, 1, "one instance applied the migration");
        let mut conn = sovereign_migrate::Connection::connect(&url).await.unwrap();
        let history = conn.history().await.unwrap();
        assert_eq!(history.len(), DATASOURCE.migrations.len(), "{history:?}");
        assert!(history.iter().all(|h| h.finished));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_at_start_up_keeps_other_tables_and_refuses_data_loss() {
    // The example platform's migrations are SQLite's; on PostgreSQL its schema is pushed.
    let Some(db) = TestDb::create(Server::Postgres, "startup_push").await else {
        return;
    };
    let url = db.url.clone();
    let mut conn = sovereign_migrate::Connection::connect(&url).await.unwrap();
    conn.execute_script("CREATE TABLE billing_ledger (id integer primary key, amount integer); INSERT INTO billing_ledger VALUES (1, 100);")
        .await
        .unwrap();
    let start = |accept: bool| {
        let url = url.clone();
        async move {
            Host::builder()
                .url(url)
                .deploy_migrations(true)
                .accept_data_loss(accept)
                .connect(&DATASOURCE, COMPOSED_PLUGINS)
                .await
        }
    };
    let host = start(false)
        .await
        .expect("the first start pushes the schema");
    let log = host.log().join("\n");
    assert!(log.contains("schema pushed"), "{log}");
    assert!(log.contains("left alone: billing_ledger"), "{log}");
    host.close().await;
    // Starting again changes nothing.
    let host = start(false).await.unwrap();
    assert!(
        host.log().join("\n").contains("schema already in place"),
        "{:?}",
        host.log()
    );
    host.close().await;

    // A column the schema no longer has, holding data: the start is refused, nothing changes.
    conn.execute_script("ALTER TABLE \"Tenant\" ADD COLUMN legacy TEXT; INSERT INTO \"Tenant\" (name, slug, legacy) VALUES ('t', 't', 'old data');")
        .await
        .unwrap();
    let err = start(false).await.unwrap_err().to_string();
    assert!(err.contains("drop the column `legacy`"), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
    assert!(err.contains("accept_data_loss(true)"), "{err}");
    let kept: Vec<(Option<String>,)> = sqlx::query_as("SELECT legacy FROM \"Tenant\"")
        .fetch_all(conn.postgres().unwrap())
        .await
        .unwrap();
    assert_eq!(kept, [(Some("old data".to_string()),)]);
    // Opted in, it runs; the other application's table is still there.
    let host = start(true).await.expect("data loss accepted");
    assert!(
        host.log().join("\n").contains("data loss accepted"),
        "{:?}",
        host.log()
    );
    host.close().await;
    let ledger: Vec<(i32,)> = sqlx::query_as("SELECT amount FROM billing_ledger")
        .fetch_all(conn.postgres().unwrap())
        .await
        .unwrap();
    assert_eq!(ledger, [(100,)]);
    drop(conn);
    db.drop().await;
}

#[tokio::test]
async fn connection_errors_hide_passwords() {
    for url in [
        "postgresql://admin:s3cr@t:pa/ss@127.0.0.1:1/db",
        "postgresql://admin@127.0.0.1:1/db?password=s3cr3t",
    ] {
        let err = Host::builder()
            .url(url)
            .deploy_migrations(true)
            .connect(&DATASOURCE, COMPOSED_PLUGINS)
            .await
            .unwrap_err();
        let msg = format!("{err} {err:?}");
        assert!(!msg.contains("s3cr") && !msg.contains("pa/ss"), "{msg}");
        let err = sovereign::Database::connect(url).await.unwrap_err();
        let msg = format!("{err} {err:?}");
        assert!(!msg.contains("s3cr") && !msg.contains("pa/ss"), "{msg}");
    }
}
