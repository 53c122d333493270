//! Query logging: every statement a debug event of `sovereign::query`, slow ones a warning of
//! `sovereign::slow_query`.
//!
//! A test binary of its own: the slow-query threshold is process-wide, and while it is set the
//! statements of tests on other threads reach the warning's call site too, whose interest
//! tracing then caches for every thread (seen: the warning lost about one run in three).

use std::time::Duration;

use sovereign::{query_raw, Conn, Database, Raw};
use sovereign_test_support::trace::Events;
use sovereign_test_support::SqliteFile;

#[tokio::test(flavor = "current_thread")]
async fn queries_are_traced_and_slow_ones_warned() {
    let file = SqliteFile::new("connect-log");
    let db = Database::connect(&file.url).await.unwrap();
    let events = Events::default();
    {
        let _guard = events.set_default();
        let _: Vec<(i64,)> = query_raw(
            &Conn::Db(db.clone()),
            Raw::new("SELECT {} + 1 AS n", vec![41.into()]),
        )
        .await
        .unwrap();
        sovereign::log::set_slow_query_threshold(Some(Duration::from_nanos(1)));
        // A statement of a few milliseconds: SQLite runs a trivial one in less than the
        // threshold's microsecond.
        let slow = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000) SELECT count(*) AS slow FROM c";
        let _: Vec<(i64,)> = query_raw(&Conn::Db(db.clone()), Raw::new(slow, vec![]))
            .await
            .unwrap();
        sovereign::log::set_slow_query_threshold(None);
    }
    let seen = events.recorded();
    let query = seen
        .iter()
        .find(|e| e.target == "sovereign::query" && e.fields.contains("SELECT ? + 1"))
        .unwrap_or_else(|| panic!("the query is an event: {seen:?}"));
    assert_eq!(query.level, tracing::Level::DEBUG);
    assert_eq!(query.field("rows"), Some("1"), "{query:?}");
    assert!(query.field("duration_ms").is_some(), "{query:?}");
    // Values are bound parameters: they never reach the log (its fields but the duration,
    // whose digits may hold anything).
    let fields: Vec<&str> = query.fields.split(';').collect();
    assert!(
        fields
            .iter()
            .filter(|f| !f.starts_with("duration_ms="))
            .all(|f| !f.contains("41")),
        "{query:?}"
    );
    let slow = seen
        .iter()
        .find(|e| e.target == "sovereign::slow_query")
        .unwrap_or_else(|| panic!("the slow query is a warning: {seen:?}"));
    assert_eq!(slow.level, tracing::Level::WARN);
    assert!(slow.fields.contains("AS slow FROM c"), "{slow:?}");
    db.close().await;
}
