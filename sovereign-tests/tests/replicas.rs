//! Read replicas against a real PostgreSQL streaming replica that the test starts itself (a
//! primary and a hot standby on private ports): reads outside transactions go to the replica,
//! writes, transactions and `.primary()` to the primary; a lagging replica shows its lag, a lost
//! one is left out and reads go on, and it is used again once back.

use std::time::{Duration, Instant};

use sovereign::{query_raw, Client, Conn, ConnectOptions, Database, Raw};
use sovereign_migrate::Dialect;
use sovereign_test_support::cluster::PgCluster;
use sovereign_tests::{user, PrismaClient};

async fn one<T: sovereign::RawRow>(conn: &Conn, sql: &str) -> T {
    let mut rows: Vec<T> = query_raw(conn, Raw::new(sql, vec![]))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.remove(0)
}

/// Whether the statement ran on the standby.
async fn on_replica(conn: &Conn) -> bool {
    one::<(bool,)>(conn, "SELECT pg_is_in_recovery()").await.0
}

/// Waits until `check` holds, for at most 20 seconds.
async fn until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !check().await {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{what}: not within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn reads_go_to_the_replica_and_survive_losing_it() {
    let Some(mut cluster) = PgCluster::start("replicas") else {
        return;
    };
    let primary_url = cluster.primary.url("postgres");
    let standby_url = cluster.standby.url("postgres");

    // The suite's tables, on the primary; the standby replays them.
    let text = sovereign_tests::SCHEMA.to_string();
    let (schema, _) = sovereign_schema::check("schema.prisma", &text).unwrap();
    let ddl = sovereign_migrate::create_script(
        &sovereign_migrate::sql_schema(&schema, Dialect::Postgres),
        Dialect::Postgres,
    );
    let mut setup = sovereign_migrate::Connection::connect(&primary_url)
        .await
        .unwrap();
    setup.execute_script(&ddl).await.unwrap();
    let standby_db = Database::connect(&standby_url).await.unwrap();
    let standby = Conn::Db(standby_db.clone());
    until("the standby has the tables", async || {
        query_raw::<(i64,)>(&standby, Raw::new("SELECT count(*) FROM users", vec![]))
            .await
            .is_ok()
    })
    .await;

    let db = Database::connect(&primary_url)
        .await
        .unwrap()
        .connect_replicas(
            std::slice::from_ref(&standby_url),
            std::path::Path::new("."),
            &ConnectOptions::new(),
        )
        .await
        .unwrap();
    let client = PrismaClient::new(db.clone());
    let conn = client.conn().clone();

    // The datasource's own connection takes its replicas from `<VAR>_REPLICAS`; this test
    // binary has this one test, so the variables are its own.
    std::env::set_var("SOVEREIGN_SUITE_URL", &primary_url);
    std::env::set_var("SOVEREIGN_SUITE_URL_REPLICAS", &standby_url);
    let from_env = PrismaClient::from_env().await.unwrap();
    assert!(
        on_replica(from_env.conn()).await,
        "from_env() reads the replica"
    );
    assert!(!on_replica(from_env.primary().conn()).await);
    from_env.database().unwrap().close().await;

    // A replica that is down at start-up stops nothing: it is left out at the first read,
    // which the next replica serves.
    let with_down = Database::connect(&primary_url)
        .await
        .unwrap()
        .connect_replicas(
            &[
                "postgresql://postgres@127.0.0.1:1/postgres".to_string(),
                standby_url.clone(),
            ],
            std::path::Path::new("."),
            &ConnectOptions::new(),
        )
        .await
        .expect("a replica that is down does not stop start-up");
    assert!(on_replica(&Conn::Db(with_down.clone())).await);
    with_down.close().await;

    // Reads on the replica, the rest on the primary.
    assert!(on_replica(&conn).await, "a raw read outside a transaction");
    assert!(!on_replica(&conn.primary()).await, "`.primary()`");
    assert!(!on_replica(&Conn::Db(db.primary().clone())).await);
    client
        ._transaction()
        .run(|tx| async move {
            assert!(!on_replica(tx.conn()).await, "inside a transaction");
            Ok::<_, sovereign::Error>(())
        })
        .await
        .unwrap();
    // A write through the replicated handle: the standby would refuse it (read-only).
    let ann = client
        .user()
        .create("ann@r.io".into(), vec![])
        .exec()
        .await
        .unwrap();
    until("the standby has Ann", async || {
        client.user().count(vec![]).exec().await.unwrap() == 1
    })
    .await;

    // A lagging replica: replay paused, a write is not there yet for reads, but is for
    // `.primary()`.
    one::<(String,)>(&standby, "SELECT pg_wal_replay_pause()::text").await;
    client
        .user()
        .create("bob@r.io".into(), vec![])
        .exec()
        .await
        .unwrap();
    assert_eq!(
        client.user().count(vec![]).exec().await.unwrap(),
        1,
        "the replica lags"
    );
    assert_eq!(
        client.user().find_many(vec![]).exec().await.unwrap().len(),
        1,
        "find_many reads the replica"
    );
    assert!(client
        .user()
        .find_unique(user::email::equals("bob@r.io"))
        .exec()
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        client.primary().user().count(vec![]).exec().await.unwrap(),
        2
    );
    assert!(client
        .primary()
        .user()
        .find_unique(user::email::equals("bob@r.io"))
        .exec()
        .await
        .unwrap()
        .is_some());
    // A write reads its record back on the primary, even though the replica lags.
    let updated = client
        .user()
        .update(user::id::equals(ann.id), vec![user::karma::set(7)])
        .exec()
        .await
        .unwrap();
    assert_eq!(updated.karma, 7);
    one::<(String,)>(&standby, "SELECT pg_wal_replay_resume()::text").await;
    until("the replica catches up", async || {
        client.user().count(vec![]).exec().await.unwrap() == 2
    })
    .await;

    // The replica goes away: the next read waits at most its pool timeout (1 s) and is served by
    // the primary; the replica is then left out, and reads are fast.
    standby_db.close().await;
    cluster.standby.kill();
    let started = Instant::now();
    assert_eq!(client.user().count(vec![]).exec().await.unwrap(), 2);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    let started = Instant::now();
    for _ in 0..20 {
        assert!(!on_replica(&conn).await, "the primary serves the reads");
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    // Back: after the time it is left out, reads go to it again.
    cluster.standby.start();
    until("reads on the replica again", async || {
        query_raw::<(bool,)>(&conn, Raw::new("SELECT pg_is_in_recovery()", vec![]))
            .await
            .is_ok_and(|r| r[0].0)
    })
    .await;
    db.close().await;
}
