//! Query logging: every statement a debug event of `sovereign::query`, slow ones a warning of
//! `sovereign::slow_query`.
//!
//! A test binary of its own: the slow-query threshold is process-wide, and while it is set the
//! statements of tests on other threads reach the warning's call site too, whose interest
//! tracing then caches for every thread (seen: the warning lost about one run in three).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sovereign::{query_raw, Conn, Database, Raw};
use sovereign_test_support::SqliteFile;

/// Every event of the `sovereign::*` targets, as (target, level, fields).
#[derive(Clone, Default)]
struct Events(Arc<Mutex<Vec<(String, tracing::Level, String)>>>);

impl tracing::Subscriber for Events {
    fn enabled(&self, meta: &tracing::Metadata<'_>) -> bool {
        meta.target().starts_with("sovereign::")
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        struct Fields(String);
        impl tracing::field::Visit for Fields {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                self.0.push_str(&format!("{}={:?};", field.name(), value));
            }
        }
        let mut fields = Fields(String::new());
        event.record(&mut fields);
        self.0.lock().unwrap().push((
            event.metadata().target().to_string(),
            *event.metadata().level(),
            fields.0,
        ));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test(flavor = "current_thread")]
async fn queries_are_traced_and_slow_ones_warned() {
    let file = SqliteFile::new("connect-log");
    let db = Database::connect(&file.url).await.unwrap();
    let events = Events::default();
    {
        let _guard = tracing::subscriber::set_default(events.clone());
        // Another test's thread may register the log's call sites while this default is being
        // set, caching "no subscriber wants them": computed again with it in place.
        tracing::callsite::rebuild_interest_cache();
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
    let seen = events.0.lock().unwrap().clone();
    let query = seen
        .iter()
        .find(|(t, _, f)| t == "sovereign::query" && f.contains("SELECT ? + 1"))
        .unwrap_or_else(|| panic!("the query is an event: {seen:?}"));
    assert_eq!(query.1, tracing::Level::DEBUG);
    assert!(query.2.contains("rows=1"), "{query:?}");
    assert!(query.2.contains("duration_ms="), "{query:?}");
    // Values are bound parameters: they never reach the log (its fields but the duration,
    // whose digits may hold anything).
    let fields: Vec<&str> = query.2.split(';').collect();
    assert!(
        fields
            .iter()
            .filter(|f| !f.starts_with("duration_ms="))
            .all(|f| !f.contains("41")),
        "{query:?}"
    );
    let slow = seen
        .iter()
        .find(|(t, _, _)| t == "sovereign::slow_query")
        .unwrap_or_else(|| panic!("the slow query is a warning: {seen:?}"));
    assert_eq!(slow.1, tracing::Level::WARN);
    assert!(slow.2.contains("AS slow FROM c"), "{slow:?}");
    db.close().await;
}
