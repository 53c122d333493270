//! The SQLite backend's own behaviour (SQLite's C library driven on the awaiting task): raw
//! scripts, transactions that are dropped, the pool's queue of waiting tasks (first come,
//! first served; nothing kept by a wait given up), closing, and how values decode.

#![cfg(feature = "sqlite")]

use sovereign::{execute_raw, query_raw, Client, Conn, Database, ErrorKind, Raw};
use sovereign_test_support::SqliteFile;

struct Plain(Conn);

impl Client for Plain {
    fn from_conn(conn: Conn) -> Self {
        Plain(conn)
    }
    fn conn(&self) -> &Conn {
        &self.0
    }
}

async fn exec(
    db: &Database,
    sql: &str,
    values: Vec<sovereign::SqlValue>,
) -> sovereign::Result<u64> {
    execute_raw(&Conn::Db(db.clone()), Raw::new(sql, values)).await
}

async fn count(db: &Database) -> i64 {
    let rows: Vec<(i64,)> = query_raw(
        &Conn::Db(db.clone()),
        Raw::new("SELECT COUNT(*) FROM t", vec![]),
    )
    .await
    .unwrap();
    rows[0].0
}

#[tokio::test]
async fn a_raw_script_runs_every_statement_with_its_values_in_order() {
    let file = SqliteFile::new("sqlite-script");
    let db = Database::connect(&file.url).await.unwrap();
    exec(&db, "CREATE TABLE t (x INTEGER NOT NULL, y TEXT)", vec![])
        .await
        .unwrap();
    let changed = exec(
        &db,
        "INSERT INTO t (x, y) VALUES ({}, {}); INSERT INTO t (x, y) VALUES ({}, 'b'), (3, 'c')",
        vec![1.into(), "a".into(), 2.into()],
    )
    .await
    .unwrap();
    assert_eq!(changed, 3, "rows changed by both statements");
    let rows: Vec<(i64, String)> = query_raw(
        &Conn::Db(db.clone()),
        Raw::new("SELECT x, y FROM t ORDER BY x", vec![]),
    )
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![(1, "a".into()), (2, "b".into()), (3, "c".into())]
    );
    // A read changes nothing.
    assert_eq!(exec(&db, "SELECT x FROM t", vec![]).await.unwrap(), 0);
    // A failing statement names SQLite's refusal.
    let err = exec(&db, "INSERT INTO t (x) VALUES (NULL)", vec![])
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::NullViolation { column: Some(c) } if c == "x"),
        "{err:?}"
    );
    db.close().await;
}

#[tokio::test]
async fn a_transaction_dropped_midway_is_rolled_back_and_its_connection_reused() {
    let file = SqliteFile::new("sqlite-dropped");
    // One connection: the next statement can only run once the dropped transaction gave it back.
    let db = Database::connect(&format!("{}?connection_limit=1&pool_timeout=2", file.url))
        .await
        .unwrap();
    exec(&db, "CREATE TABLE t (x INTEGER)", vec![])
        .await
        .unwrap();
    let conn = Conn::Db(db.clone());
    let work = sovereign::TransactionBuilder::<Plain>::new(conn).run(|tx| async move {
        execute_raw(tx.conn(), Raw::new("INSERT INTO t VALUES (1)", vec![])).await?;
        // Never finishes: the future is dropped here, inside the transaction.
        std::future::pending::<()>().await;
        Ok::<_, sovereign::Error>(())
    });
    let timed_out = tokio::time::timeout(std::time::Duration::from_millis(100), work).await;
    assert!(timed_out.is_err());
    assert_eq!(count(&db).await, 0, "the insert was rolled back");
    exec(&db, "INSERT INTO t VALUES (2)", vec![]).await.unwrap();
    assert_eq!(count(&db).await, 1);
    db.close().await;
}

#[tokio::test]
async fn failed_statements_and_cancelled_waits_give_their_connection_back() {
    let file = SqliteFile::new("sqlite-permits");
    // One connection: a place in the pool kept by mistake would make the last statement time
    // out.
    let db = Database::connect(&format!("{}?connection_limit=1&pool_timeout=1", file.url))
        .await
        .unwrap();
    exec(&db, "CREATE TABLE t (x INTEGER NOT NULL)", vec![])
        .await
        .unwrap();
    for _ in 0..3 {
        exec(&db, "INSERT INTO t VALUES (NULL)", vec![])
            .await
            .unwrap_err();
    }
    // A statement waiting for the connection a transaction holds, cancelled while it waits.
    let conn = Conn::Db(db.clone());
    let outside = &db;
    sovereign::TransactionBuilder::<Plain>::new(conn)
        .run(|_tx| async move {
            let waiting = exec(outside, "SELECT 1", vec![]);
            let cancelled =
                tokio::time::timeout(std::time::Duration::from_millis(50), waiting).await;
            assert!(
                cancelled.is_err(),
                "the only connection is the transaction's"
            );
            Ok::<_, sovereign::Error>(())
        })
        .await
        .unwrap();
    exec(&db, "INSERT INTO t VALUES (1)", vec![]).await.unwrap();
    assert_eq!(count(&db).await, 1);
    db.close().await;
}

/// A database of one connection (table `t (x INTEGER NOT NULL)`), and that connection held in a
/// transaction by another task until [`Held::let_go`].
async fn one_connection_held(label: &str) -> (SqliteFile, Database, Held) {
    let file = SqliteFile::new(label);
    let db = Database::connect(&format!("{}?connection_limit=1&pool_timeout=5", file.url))
        .await
        .unwrap();
    exec(&db, "CREATE TABLE t (x INTEGER NOT NULL)", vec![])
        .await
        .unwrap();
    let (held, is_held) = tokio::sync::oneshot::channel::<()>();
    let (release, released) = tokio::sync::oneshot::channel::<()>();
    let conn = Conn::Db(db.clone());
    let holder = tokio::spawn(async move {
        sovereign::TransactionBuilder::<Plain>::new(conn)
            .run(|_tx| async move {
                held.send(()).unwrap();
                released.await.unwrap();
                Ok::<_, sovereign::Error>(())
            })
            .await
            .unwrap();
    });
    is_held.await.unwrap();
    (file, db, Held { release, holder })
}

struct Held {
    release: tokio::sync::oneshot::Sender<()>,
    holder: tokio::task::JoinHandle<()>,
}

impl Held {
    /// Ends the transaction: the connection goes back to the pool.
    async fn let_go(self) {
        self.release.send(()).unwrap();
        self.holder.await.unwrap();
    }
}

/// Lets every spawned task of this (single-threaded) runtime run until it waits.
async fn settle() {
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn tasks_waiting_for_a_connection_get_it_in_the_order_they_came() {
    let (_file, db, held) = one_connection_held("sqlite-queue").await;
    // Five tasks queue one after another; a sixth gives up while it waits, in the middle.
    let mut tasks = Vec::new();
    for i in 0..6i64 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let insert = exec(&db, "INSERT INTO t VALUES ({})", vec![i.into()]);
            if i == 3 {
                let gave_up = tokio::time::timeout(std::time::Duration::from_millis(20), insert);
                assert!(gave_up.await.is_err(), "the connection is held");
            } else {
                insert.await.unwrap();
            }
        }));
        settle().await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    held.let_go().await;
    for t in tasks {
        t.await.unwrap();
    }
    let rows: Vec<(i64,)> = query_raw(
        &Conn::Db(db.clone()),
        Raw::new("SELECT x FROM t ORDER BY rowid", vec![]),
    )
    .await
    .unwrap();
    let order: Vec<i64> = rows.into_iter().map(|(x,)| x).collect();
    assert_eq!(order, vec![0, 1, 2, 4, 5], "first come, first served");
    // The given-up wait kept nothing: the connection is free.
    exec(&db, "INSERT INTO t VALUES (6)", vec![]).await.unwrap();
    db.close().await;
}

#[tokio::test]
async fn closing_waits_for_the_tasks_already_waiting_and_refuses_later_ones() {
    // Waiting in line: a statement, then `close`, then another statement.
    let (file, db, held) = one_connection_held("sqlite-close-queue").await;
    let waiter = {
        let db = db.clone();
        tokio::spawn(async move { exec(&db, "INSERT INTO t VALUES (1)", vec![]).await })
    };
    settle().await;
    let closing = {
        let db = db.clone();
        tokio::spawn(async move { db.close().await })
    };
    settle().await;
    let late = {
        let db = db.clone();
        tokio::spawn(async move { exec(&db, "SELECT 1", vec![]).await })
    };
    settle().await;
    assert!(!closing.is_finished(), "a connection is still in use");
    held.let_go().await;
    assert_eq!(waiter.await.unwrap().unwrap(), 1, "the waiting insert ran");
    closing.await.unwrap();
    let late = late.await.unwrap().unwrap_err();
    assert_eq!(late.kind(), &ErrorKind::Connection, "{late}");
    // Everything was written before the pool closed.
    let again = Database::connect(&file.url).await.unwrap();
    assert_eq!(count(&again).await, 1);
    again.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_tasks_share_few_connections_and_give_every_one_back() {
    let file = SqliteFile::new("sqlite-share");
    let db = Database::connect(&format!("{}?connection_limit=2&pool_timeout=10", file.url))
        .await
        .unwrap();
    exec(&db, "CREATE TABLE t (x INTEGER NOT NULL)", vec![])
        .await
        .unwrap();
    let tasks: Vec<_> = (0..8i64)
        .map(|t| {
            let db = db.clone();
            tokio::spawn(async move {
                for i in 0..100i64 {
                    let insert = exec(&db, "INSERT INTO t VALUES ({})", vec![(t * 100 + i).into()]);
                    if i % 10 == 9 {
                        // Some give up at once, waiting or not.
                        let _ = tokio::time::timeout(std::time::Duration::ZERO, insert).await;
                    } else {
                        insert.await.unwrap();
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let n = count(&db).await;
    assert!((720..=800).contains(&n), "{n} rows");
    // `close` waits for every connection to come back: one kept by mistake would hang it.
    tokio::time::timeout(std::time::Duration::from_secs(10), db.close())
        .await
        .expect("every connection came back");
}

#[tokio::test]
async fn a_closed_database_refuses_statements() {
    let file = SqliteFile::new("sqlite-closed");
    let db = Database::connect(&file.url).await.unwrap();
    exec(&db, "CREATE TABLE t (x INTEGER)", vec![])
        .await
        .unwrap();
    db.close().await;
    let err = exec(&db, "SELECT 1", vec![]).await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Connection, "{err}");
    assert!(err.message().contains("closed"), "{err}");
}

#[tokio::test]
async fn values_decode_by_the_rules_sqlx_used() {
    let file = SqliteFile::new("sqlite-decode");
    let db = Database::connect(&file.url).await.unwrap();
    let conn = Conn::Db(db.clone());
    // Text reads any value as text (a whole real keeps its `.0`); a float reads an integer.
    let rows: Vec<(String, String, f64, bool)> =
        query_raw(&conn, Raw::new("SELECT 42, 2.0, 7, 1", vec![]))
            .await
            .unwrap();
    assert_eq!(rows, vec![("42".into(), "2.0".into(), 7.0, true)]);
    // NULL into an Option, and into a required field as an error naming the column.
    let rows: Vec<(Option<i64>,)> = query_raw(&conn, Raw::new("SELECT NULL", vec![]))
        .await
        .unwrap();
    assert_eq!(rows, vec![(None,)]);
    let err = query_raw::<(i64, i64)>(&conn, Raw::new("SELECT 1, NULL", vec![]))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Decode);
    assert!(err.message().contains("column 1"), "{err}");
    // An integer is not a real's, nor text an integer's; a wide integer does not wrap.
    let err = query_raw::<(i64,)>(&conn, Raw::new("SELECT 'x'", vec![]))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Decode);
    assert!(err.message().contains("TEXT"), "{err}");
    let err = query_raw::<(i32,)>(&conn, Raw::new("SELECT 4294967296", vec![]))
        .await
        .unwrap_err();
    assert!(err.message().contains("does not fit Int"), "{err}");
    // Bytes, and date-times stored as Prisma stores them (milliseconds) or as text.
    let rows: Vec<(
        Vec<u8>,
        sovereign::chrono::DateTime<sovereign::chrono::FixedOffset>,
    )> = query_raw(&conn, Raw::new("SELECT x'00ff', 86400000", vec![]))
        .await
        .unwrap();
    assert_eq!(rows[0].0, vec![0, 255]);
    assert_eq!(rows[0].1.to_rfc3339(), "1970-01-02T00:00:00+00:00");
    db.close().await;
}
