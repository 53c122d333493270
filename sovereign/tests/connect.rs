//! Connection settings (URL parameters as Prisma reads them, and `ConnectOptions`), on SQLite,
//! PostgreSQL and MySQL/MariaDB.

use std::path::Path;
use std::time::{Duration, Instant};

use sovereign::{
    query_raw, Client, Conn, ConnectOptions, Database, ErrorKind, JournalMode, Raw, Synchronous,
};
use sovereign_test_support::SqliteFile;

async fn one<T: sovereign::RawRow>(db: &Database, sql: &str) -> sovereign::Result<T> {
    let mut rows: Vec<T> = query_raw(&Conn::Db(db.clone()), Raw::new(sql, vec![])).await?;
    Ok(rows.remove(0))
}

/// A client of the handle alone, for transactions.
struct Plain(Conn);

impl sovereign::Client for Plain {
    fn from_conn(conn: Conn) -> Self {
        Plain(conn)
    }
    fn conn(&self) -> &Conn {
        &self.0
    }
}

/// With the one connection of the pool held by a transaction, a query waits `pool_timeout` (1 s)
/// and fails with `Timeout`, naming the settings to raise.
async fn pool_is_bounded(db: &Database) {
    let pool = Conn::Db(db.clone());
    sovereign::TransactionBuilder::<Plain>::new(pool.clone())
        .run(|tx| async move {
            let _: Vec<(i64,)> = query_raw(tx.conn(), Raw::new("SELECT 1", vec![])).await?;
            let started = Instant::now();
            let err = query_raw::<(i64,)>(&pool, Raw::new("SELECT 1", vec![]))
                .await
                .expect_err("no second connection in a pool of one");
            assert_eq!(err.kind(), &ErrorKind::Timeout, "{err}");
            assert!(err.message().contains("connection_limit"), "{err}");
            let waited = started.elapsed();
            assert!(waited >= Duration::from_millis(900), "{waited:?}");
            assert!(waited < Duration::from_secs(8), "{waited:?}");
            Ok::<_, sovereign::Error>(())
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn sqlite_defaults_are_wal_normal_and_bounded() {
    let file = SqliteFile::new("connect");
    let db = Database::connect_with(
        &format!("{}?connection_limit=1&pool_timeout=1", file.url),
        Path::new("."),
        &ConnectOptions::new(),
    )
    .await
    .unwrap();
    let (mode,): (String,) = one(&db, "PRAGMA journal_mode").await.unwrap();
    assert_eq!(mode, "wal");
    // 1: NORMAL.
    let (sync,): (i64,) = one(&db, "PRAGMA synchronous").await.unwrap();
    assert_eq!(sync, 1);
    let (fk,): (i64,) = one(&db, "PRAGMA foreign_keys").await.unwrap();
    assert_eq!(fk, 1);
    pool_is_bounded(&db).await;
    db.close().await;
    let db = Database::connect(&file.url).await.unwrap();
    waits_for_writers(&file.url, &db, Duration::from_millis(300), None).await;
    db.close().await;

    // Prisma's SQLite `socket_timeout` is the busy timeout; the builder chooses SQLite's own
    // journal and synchronous defaults back, and turns a WAL file back.
    let options = ConnectOptions::new()
        .journal_mode(JournalMode::Delete)
        .synchronous(Synchronous::Full);
    let db = Database::connect_with(
        &format!("{}?socket_timeout=2", file.url),
        Path::new("."),
        &options,
    )
    .await
    .unwrap();
    let (mode,): (String,) = one(&db, "PRAGMA journal_mode").await.unwrap();
    assert_eq!(mode, "delete");
    let (sync,): (i64,) = one(&db, "PRAGMA synchronous").await.unwrap();
    assert_eq!(sync, 2);
    waits_for_writers(
        &file.url,
        &db,
        Duration::from_millis(2600),
        Some(Duration::from_secs(2)),
    )
    .await;
    db.close().await;
}

/// Another connection holds a write transaction for `hold`; a write on `db` meanwhile waits
/// for it (the busy timeout), on the same thread as the holder: it succeeds once the holder
/// commits, or fails as `database is locked` after `fails_after`.
async fn waits_for_writers(
    url: &str,
    db: &Database,
    hold: Duration,
    fails_after: Option<Duration>,
) {
    let exec = |db: &Database, sql: &'static str| {
        let conn = Conn::Db(db.clone());
        async move { sovereign::execute_raw(&conn, Raw::new(sql, vec![])).await }
    };
    exec(db, "CREATE TABLE IF NOT EXISTS held (x INTEGER)")
        .await
        .unwrap();
    let other = Database::connect(url).await.unwrap();
    let writer = db.clone();
    sovereign::TransactionBuilder::<Plain>::new(Conn::Db(other.clone()))
        .run(|tx| async move {
            sovereign::execute_raw(tx.conn(), Raw::new("INSERT INTO held VALUES (1)", vec![]))
                .await?;
            let waiting = tokio::spawn(async move {
                let started = Instant::now();
                let done = exec(&writer, "INSERT INTO held VALUES (2)").await;
                (done, started.elapsed())
            });
            tokio::time::sleep(hold).await;
            Ok::<_, sovereign::Error>(waiting)
        })
        .await
        .map(|waiting| async move {
            let (done, waited) = waiting.await.unwrap();
            match fails_after {
                None => {
                    done.unwrap_or_else(|e| {
                        panic!("the write waits for the other's commit: {e} after {waited:?}")
                    });
                    assert!(waited >= hold - Duration::from_millis(50), "{waited:?}");
                }
                Some(limit) => {
                    let err = done.expect_err("the write gives up after the busy timeout");
                    assert!(err.message().contains("locked"), "{err}");
                    assert!(waited >= limit - Duration::from_millis(50), "{waited:?}");
                    assert!(waited < hold, "{waited:?}");
                }
            }
        })
        .unwrap()
        .await;
    other.close().await;
}

#[tokio::test]
async fn sqlite_processes_starting_together_all_switch_to_wal() {
    // Switching a file to WAL needs it alone, which SQLite's busy timeout does not wait for:
    // eight pools opening one fresh file at once must all succeed.
    let file = SqliteFile::new("connect-race");
    let mut opening = Vec::new();
    for _ in 0..8 {
        let url = file.url.clone();
        opening.push(tokio::spawn(async move {
            Database::connect_with(&url, Path::new("."), &ConnectOptions::new()).await
        }));
    }
    for task in opening {
        let db = task.await.unwrap().expect("every pool opens");
        let (mode,): (String,) = one(&db, "PRAGMA journal_mode").await.unwrap();
        assert_eq!(mode, "wal");
        db.close().await;
    }
}

#[tokio::test]
async fn bad_parameters_are_refused_with_the_parameter_named() {
    let err = Database::connect("postgresql://u:hunter2@127.0.0.1:1/db?connection_limit=many")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Configuration);
    assert!(err.message().contains("connection_limit=many"), "{err}");
    assert!(!err.to_string().contains("hunter2"), "{err}");
}

// The server tests need the driver features; `cargo test --workspace` turns them on (the
// behaviour suite's crate asks for every driver).
#[cfg(feature = "postgres")]
#[tokio::test]
async fn postgres_settings() {
    let Some(test) =
        sovereign_test_support::TestDb::create_from_var("SOVEREIGN_TEST_POSTGRES_URL", "connect")
            .await
    else {
        return;
    };
    // `schema` is the connection's search_path, as Prisma reads it.
    let setup = Database::connect(&test.url).await.unwrap();
    for sql in ["CREATE SCHEMA app", "CREATE TABLE app.marker (id int)"] {
        sovereign::execute_raw(&Conn::Db(setup.clone()), Raw::new(sql, vec![]))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    setup.close().await;
    let url = sovereign_migrate::url::with_query_param(&test.url, "schema", "app");
    let url = format!("{url}&connection_limit=1&pool_timeout=1&socket_timeout=1");
    let db = Database::connect(&url).await.unwrap();
    let (path,): (String,) = one(&db, "SHOW search_path").await.unwrap();
    assert_eq!(path, "\"app\"");
    let (n,): (i64,) = one(&db, "SELECT count(*) FROM marker").await.unwrap();
    assert_eq!(n, 0);
    // `socket_timeout`: the server cancels a statement that runs longer.
    let started = Instant::now();
    let err = one::<(String,)>(&db, "SELECT pg_sleep(5)::text")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Timeout, "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    pool_is_bounded(&db).await;
    db.close().await;
    test.drop().await;
}

#[cfg(feature = "mysql")]
#[tokio::test]
async fn mysql_settings() {
    let Some(test) =
        sovereign_test_support::TestDb::create_from_var("SOVEREIGN_TEST_MYSQL_URL", "connect")
            .await
    else {
        return;
    };
    let url = format!(
        "{}?connection_limit=1&pool_timeout=1&socket_timeout=1",
        test.url
    );
    let db = Database::connect(&url).await.unwrap();
    let started = Instant::now();
    let err = one::<(i64,)>(&db, "SELECT COUNT(*) FROM information_schema.tables t1, information_schema.tables t2, information_schema.tables t3, information_schema.tables t4 WHERE SLEEP(0.001) = 0")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Timeout, "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    pool_is_bounded(&db).await;
    db.close().await;
    test.drop().await;
}

/// Connects a new client to `url`, which must fail: within 5 s (the URL's pool timeout is
/// 10 s), as a connection error naming the server. Returns the error as shown.
#[cfg(any(feature = "postgres", feature = "mysql"))]
async fn fails_at_once(url: &str) -> String {
    let started = Instant::now();
    let err = Database::connect(url)
        .await
        .expect_err("the connection is refused");
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(5), "{url}: {waited:?}");
    assert_eq!(err.kind(), &ErrorKind::Connection, "{err}");
    let shown = err.to_string();
    assert!(shown.contains("cannot connect to"), "{shown}");
    shown
}

/// A server that refuses the connection fails a new client at once, with the reason and the
/// server named (password hidden): the pool's own attempt, which sqlx retries until its
/// acquire timeout (10 s here) and then reports only as a timeout, is not waited for.
#[cfg(any(feature = "postgres", feature = "mysql"))]
#[tokio::test]
async fn a_refused_server_fails_at_once_with_its_reason() {
    let urls = [
        #[cfg(feature = "postgres")]
        "postgresql://admin:s3cret@127.0.0.1:1/db?pool_timeout=10",
        #[cfg(feature = "mysql")]
        "mysql://root:s3cret@127.0.0.1:1/db?pool_timeout=10",
    ];
    for url in urls {
        let shown = fails_at_once(url).await;
        assert!(shown.contains("127.0.0.1:1"), "{shown}");
        assert!(shown.to_lowercase().contains("refused"), "{shown}");
        assert!(!shown.contains("s3cret"), "{shown}");
    }
}

/// A server that answers but refuses the connection (here: its database does not exist) fails
/// a new client at once with the server's reason, whichever of the client's two attempts (its
/// own connection, its pool's) hears it first.
#[cfg(any(feature = "postgres", feature = "mysql"))]
#[tokio::test]
async fn a_refusing_server_fails_at_once_with_the_servers_reason() {
    let servers = [
        #[cfg(feature = "postgres")]
        ("SOVEREIGN_TEST_POSTGRES_URL", "does not exist"),
        #[cfg(feature = "mysql")]
        ("SOVEREIGN_TEST_MYSQL_URL", "Unknown database"),
    ];
    for (var, reason) in servers {
        let Some(test) = sovereign_test_support::TestDb::create_from_var(var, "refusing").await
        else {
            continue;
        };
        let missing = format!("{}_missing", test.name);
        let url = test.url.replacen(&test.name, &missing, 1);
        let shown = fails_at_once(&format!("{url}?pool_timeout=10")).await;
        assert!(shown.contains(reason), "{shown}");
        assert!(shown.contains(&missing), "{shown}");
        test.drop().await;
    }
}
