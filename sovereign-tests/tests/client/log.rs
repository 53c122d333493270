//! The query log of the generated client's writes: every statement a nested create sends is an
//! event of `sovereign::query`, on SQLite's own path for the usual nested create (nested to-many
//! creates only: one transaction on one connection, in the query's own future) as on the
//! general one (a transaction through `Conn::begin`).
//!
//! SQLite only: the other backends' statements go through the general path, which the
//! `sovereign` crate's own log test covers with the statement runner they share.

use sovereign_test_support::trace::{Event, Events};
use sovereign_tests::*;

use crate::common::TestDb;
use crate::R;

/// The `sovereign::query` events of `events`, as (statement, rows), forgetting them.
fn statements(events: &Events) -> Vec<(String, String)> {
    let seen: Vec<Event> = events.recorded();
    events.clear();
    seen.iter()
        .filter(|e| e.target == "sovereign::query")
        .map(|e| {
            let sql = e.field("sql").unwrap_or_default().to_string();
            (sql, e.field("rows").unwrap_or_default().to_string())
        })
        .collect()
}

/// Whether `statements` are, in order, the INSERTs `expected` names: (table, rows).
fn inserts(statements: &[(String, String)], expected: &[(&str, &str)]) -> bool {
    statements.len() == expected.len()
        && statements
            .iter()
            .zip(expected)
            .all(|((sql, rows), (table, n))| {
                sql.starts_with(&format!("INSERT INTO \"{table}\"")) && rows == n
            })
}

pub async fn nested_creates(db: &TestDb) -> R {
    let c = PrismaClient::connect(&db.url).await?;
    // The log's call sites reached on this thread first ([`Events::set_default`]): the suites
    // on the other threads reach them too, at any moment.
    c.user().count(vec![]).exec().await?;
    let events = Events::default();
    let guard = events.set_default();
    // Should another thread still have registered a call site with the interest it found
    // before, computing the interest again mends it.
    let mut probed = false;
    for _ in 0..10 {
        c.user().count(vec![]).exec().await?;
        probed = !statements(&events).is_empty();
        if probed {
            break;
        }
        events.recompute_interest();
    }
    assert!(probed, "a count is an event of the log");

    // The usual nested create: the user, then its two posts in one INSERT.
    c.user()
        .create(
            "logged-flat@nest.io".into(),
            vec![
                user::posts::create("secret title 1".into(), vec![]),
                user::posts::create("secret title 2".into(), vec![]),
            ],
        )
        .exec()
        .await?;
    let seen = statements(&events);
    assert!(
        inserts(&seen, &[("users", "1"), ("Post", "2")]),
        "the flat path logs its statements: {seen:?}"
    );
    // Values are bound parameters: neither the email nor the titles reach the log.
    assert!(
        seen.iter()
            .all(|(sql, _)| !sql.contains("logged-flat") && !sql.contains("secret")),
        "{seen:?}"
    );

    // A to-one nested create takes the general path: the same events.
    c.user()
        .create(
            "logged-tx@nest.io".into(),
            vec![user::profile::create("secret bio".into(), vec![])],
        )
        .exec()
        .await?;
    let seen = statements(&events);
    assert!(
        inserts(&seen, &[("users", "1"), ("Profile", "1")]),
        "the general path logs its statements: {seen:?}"
    );

    drop(guard);
    if let Some(d) = c.database() {
        d.close().await;
    }
    Ok(())
}
