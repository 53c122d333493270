//! The generated client's behaviour, the same suite on SQLite, PostgreSQL and MySQL/MariaDB.
//!
//! One test binary: the tests and the suite's order are here, each part of the suite in a module
//! of its own ([`scalars`], [`filters`], [`writes`], [`relations`], [`lists`], [`semantics`],
//! [`reads`], [`nested`], [`returning`], [`aggregates`]), then [`waits`] with clients of its own;
//! [`log`], the query log of nested creates, on SQLite.

#[path = "../common/mod.rs"]
mod common;

mod aggregates;
mod filters;
mod lists;
mod log;
mod nested;
mod reads;
mod relations;
mod returning;
mod scalars;
mod semantics;
mod waits;
mod writes;

use aggregates::aggregates;
use common::TestDb;
use filters::{filters, more_filters, paging};
use lists::lists;
use nested::nested;
use reads::{or_throw, ordering, relation_selects, results_fit};
use relations::{compound, relation_filters, relations};
use returning::{many_and_return, returning};
use scalars::{scalars, strings};
use semantics::semantics;
use sovereign::Dialect;
use sovereign_tests::*;
use writes::{batches, errors, raw_queries, transactions, writes};

type R = Result<(), Box<dyn std::error::Error>>;

async fn run(db: TestDb) {
    let client = PrismaClient::connect(&db.url).await.expect("connect");
    let backend = db.backend;
    let mut result = suite(&client, backend).await;
    if result.is_ok() {
        result = waits::waits(&db.url).await;
    }
    if let Some(d) = client.database() {
        d.close().await;
    }
    db.drop().await;
    if let Err(e) = result {
        panic!("{backend:?}: {e}");
    }
}

#[tokio::test]
async fn sqlite() {
    run(TestDb::sqlite("client").await).await;
}

/// On a thread of its own: the log's subscriber is this thread's.
#[tokio::test(flavor = "current_thread")]
async fn sqlite_log() {
    let db = TestDb::sqlite("client-log").await;
    let result = log::nested_creates(&db).await;
    db.drop().await;
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[tokio::test]
async fn postgres() {
    if let Some(db) = TestDb::server("SOVEREIGN_TEST_POSTGRES_URL", "client").await {
        run(db).await;
    }
}

#[tokio::test]
async fn mysql() {
    if let Some(db) = TestDb::server("SOVEREIGN_TEST_MYSQL_URL", "client").await {
        run(db).await;
    }
}

fn assert_send<T: Send>(_: &T) {}

async fn suite(c: &PrismaClient, backend: Dialect) -> R {
    // Every query future can move to another thread (tokio::spawn, axum handlers).
    assert_send(
        &c.user()
            .find_many(vec![])
            .with(user::posts::fetch(vec![]))
            .exec(),
    );
    assert_send(&c.user().create("x".into(), vec![]).exec());
    assert_send(
        &c.user()
            .update(
                user::id::equals(1),
                vec![user::posts::create("p".into(), vec![])],
            )
            .with(user::posts::fetch(vec![]))
            .exec(),
    );
    assert_send(
        &c.user()
            .delete(user::id::equals(1))
            .select(sovereign::select!(user { email }))
            .exec(),
    );
    assert_send(
        &c._transaction()
            .run(|tx| async move { tx.user().count(vec![]).exec().await }),
    );
    scalars(c).await.map_err(|e| format!("scalars: {e}"))?;
    filters(c, backend)
        .await
        .map_err(|e| format!("filters: {e}"))?;
    paging(c).await.map_err(|e| format!("paging: {e}"))?;
    writes(c).await.map_err(|e| format!("writes: {e}"))?;
    relations(c).await.map_err(|e| format!("relations: {e}"))?;
    relation_filters(c)
        .await
        .map_err(|e| format!("relation filters: {e}"))?;
    compound(c).await.map_err(|e| format!("compound: {e}"))?;
    errors(c).await.map_err(|e| format!("errors: {e}"))?;
    transactions(c)
        .await
        .map_err(|e| format!("transactions: {e}"))?;
    raw_queries(c, backend)
        .await
        .map_err(|e| format!("raw: {e}"))?;
    strings(c).await.map_err(|e| format!("strings: {e}"))?;
    semantics(c, backend)
        .await
        .map_err(|e| format!("semantics: {e}"))?;
    or_throw(c).await.map_err(|e| format!("or_throw: {e}"))?;
    relation_selects(c)
        .await
        .map_err(|e| format!("relation selects: {e}"))?;
    aggregates(c)
        .await
        .map_err(|e| format!("aggregates: {e}"))?;
    ordering(c).await.map_err(|e| format!("ordering: {e}"))?;
    results_fit(c)
        .await
        .map_err(|e| format!("results fit: {e}"))?;
    more_filters(c, backend)
        .await
        .map_err(|e| format!("more filters: {e}"))?;
    many_and_return(c, backend)
        .await
        .map_err(|e| format!("many and return: {e}"))?;
    batches(c, backend)
        .await
        .map_err(|e| format!("batches: {e}"))?;
    nested(c).await.map_err(|e| format!("nested: {e}"))?;
    returning(c).await.map_err(|e| format!("returning: {e}"))?;
    Ok(())
}

/// Scalar lists: PostgreSQL only.
#[tokio::test]
async fn lists_on_postgres() {
    let Some(db) = TestDb::server_with_schema(
        "SOVEREIGN_TEST_POSTGRES_URL",
        "lists",
        sovereign_tests::lists::SCHEMA,
    )
    .await
    else {
        return;
    };
    let c = sovereign_tests::lists::PrismaClient::connect(&db.url)
        .await
        .expect("connect");
    let result = lists(&c).await;
    if let Some(d) = c.database() {
        d.close().await;
    }
    db.drop().await;
    if let Err(e) = result {
        panic!("lists: {e}");
    }
}
