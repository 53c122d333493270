//! Round trip: create a schema's tables with our script on a real database, introspect the
//! database, and get back exactly the SQL schema we calculated (SQLite and PostgreSQL).

use sovereign_migrate::{create_script, sql_schema, Connection, Dialect, SqlSchema};
use std::path::Path;

mod common;
use sovereign_test_support::TestDb;

fn schemas(suffix: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    for (kind, file) in [
        ("create", "schema.prisma"),
        ("diff", "from.prisma"),
        ("diff", "to.prisma"),
    ] {
        for e in std::fs::read_dir(root.join(kind)).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(suffix) {
                out.push((
                    format!("{kind}/{name}/{file}"),
                    std::fs::read_to_string(p.join(file)).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

fn normalized(mut s: SqlSchema) -> SqlSchema {
    s.tables.sort_by(|a, b| a.name.cmp(&b.name));
    s.enums.sort_by(|a, b| a.name.cmp(&b.name));
    for t in &mut s.tables {
        t.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        t.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
    }
    s
}

async fn round_trip(url: &str, text: &str, case: &str) {
    let (schema, _) = sovereign_schema::check("schema.prisma", text).unwrap();
    let dialect = Dialect::of(schema.provider()).unwrap();
    let calculated = sql_schema(&schema, dialect);
    let mut conn = Connection::connect(url).await.unwrap();
    conn.set_namespaces(calculated.namespaces.clone());
    conn.drop_everything().await.unwrap();
    conn.execute_script(&create_script(&calculated, dialect))
        .await
        .unwrap();
    conn.ensure_history_table().await.unwrap();
    let introspected = conn.introspect().await.unwrap();
    let (a, b) = (normalized(calculated), normalized(introspected));
    if a != b {
        for (x, y) in a.tables.iter().zip(&b.tables) {
            assert_eq!(x, y, "{case}: table {}", x.name);
        }
        assert_eq!(a, b, "{case}");
    }
    // Nothing to migrate between the database and the schema it was made from.
    assert_eq!(
        sovereign_migrate::diff_script(&b, &a, dialect),
        "",
        "{case}"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn sqlite_round_trip() {
    for (case, text) in schemas("sqlite") {
        let path = std::env::temp_dir().join(format!(
            "sov_introspect_{}_{}.db",
            std::process::id(),
            case.replace('/', "_")
        ));
        round_trip(&format!("file:{}", path.display()), &text, &case).await;
        let _ = std::fs::remove_file(path);
    }
}

#[tokio::test(flavor = "current_thread")]
async fn postgres_round_trip() {
    let Some(db) = TestDb::create_from_var("SOVEREIGN_TEST_POSTGRES_URL", "pg introspection").await
    else {
        return;
    };
    for (case, text) in schemas("postgresql") {
        round_trip(&db.url, &text, &case).await;
    }
    db.drop().await;
}

#[tokio::test(flavor = "current_thread")]
async fn mysql_round_trip() {
    let Some(db) = TestDb::create_from_var("SOVEREIGN_TEST_MYSQL_URL", "my introspection").await
    else {
        return;
    };
    for (case, text) in schemas("postgresql") {
        let text = common::to_mysql(&text);
        if sovereign_schema::check("m.prisma", &text).is_err() {
            continue;
        }
        round_trip(&db.url, &text, &format!("{case} (as MySQL)")).await;
    }
    db.drop().await;
}

/// A multi-schema datasource (PostgreSQL `schemas = [...]`, `@@schema`): the script creates the
/// schemas and qualified tables, introspection of those namespaces reads back exactly the
/// calculated schema, and a schema push of the next version brings the database there.
#[tokio::test(flavor = "current_thread")]
async fn multi_schema_round_trips_on_postgres() {
    let Some(db) = TestDb::create(sovereign_test_support::Server::Postgres, "multi schema").await
    else {
        return;
    };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/diff/multi-schema-postgresql");
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    let calc = |text: &str| {
        let (schema, _) = sovereign_schema::check("s.prisma", text).unwrap();
        sql_schema(&schema, Dialect::Postgres)
    };
    let (v1, v2) = (calc(&read("from.prisma")), calc(&read("to.prisma")));
    assert_eq!(v1.namespaces, ["auth", "base"]);
    let mut conn = Connection::connect(&db.url).await.unwrap();
    conn.execute_script(&create_script(&v1, Dialect::Postgres))
        .await
        .unwrap();
    conn.set_namespaces(v1.namespaces.clone());
    let live = conn.introspect().await.unwrap();
    assert_eq!(
        sovereign_migrate::diff_script(&live, &v1, Dialect::Postgres),
        "",
        "{live:#?}"
    );
    // The next version, pushed: a new schema, enum value, table and foreign key.
    let report = sovereign_migrate::push(&mut conn, &v2, &Default::default())
        .await
        .unwrap();
    assert!(report.statements > 0);
    conn.set_namespaces(v2.namespaces.clone());
    let live = conn.introspect().await.unwrap();
    assert_eq!(
        sovereign_migrate::diff_script(&live, &v2, Dialect::Postgres),
        ""
    );
    drop(conn);
    db.drop().await;
}
