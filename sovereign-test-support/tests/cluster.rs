//! The test cluster itself: the standby replays what the primary writes and refuses writes.

use sovereign_test_support::cluster::PgCluster;
use sqlx::{Connection, Executor, Row};

#[tokio::test]
async fn a_standby_follows_its_primary() {
    let Some(mut cluster) = PgCluster::start("cluster_smoke") else {
        return;
    };
    let mut primary = sqlx::PgConnection::connect(&cluster.primary.url("postgres"))
        .await
        .unwrap();
    primary
        .execute("CREATE TABLE t (id int); INSERT INTO t VALUES (1)")
        .await
        .unwrap();
    let mut standby = sqlx::PgConnection::connect(&cluster.standby.url("postgres"))
        .await
        .unwrap();
    let mut seen = 0i64;
    for _ in 0..200 {
        if let Ok(row) = sqlx::query("SELECT count(*) FROM t")
            .fetch_one(&mut standby)
            .await
        {
            seen = row.get(0);
            if seen == 1 {
                break;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(seen, 1, "the standby did not replay the primary's write");
    let refused = standby
        .execute("INSERT INTO t VALUES (2)")
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("read-only"), "{refused}");
    drop(standby);
    cluster.standby.kill();
    assert!(
        sqlx::PgConnection::connect(&cluster.standby.url("postgres"))
            .await
            .is_err()
    );
    cluster.standby.start();
    sqlx::PgConnection::connect(&cluster.standby.url("postgres"))
        .await
        .unwrap();
}
