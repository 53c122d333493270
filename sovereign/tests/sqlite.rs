//! The SQLite backend's own behaviour (SQLite's C library driven on the awaiting task): raw
//! scripts, transactions that are dropped, closing, and how values decode.

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
    // One connection: a permit kept by mistake would make the last statement time out.
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
