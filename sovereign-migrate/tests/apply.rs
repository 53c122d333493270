//! Our scripts run on real databases: for every recorded diff fixture, the create script of
//! `from` and then the diff script to `to` apply cleanly on SQLite and PostgreSQL; MySQL versions
//! of the same schemas apply on MySQL/MariaDB (Prisma's MySQL output cannot be recorded offline,
//! so executing it is the check).

use sovereign_migrate::{create_script, diff_script, sql_schema, Connection, Dialect};
use std::path::Path;

mod common;
use common::to_mysql;
use sovereign_test_support::TestDb;

fn fixtures() -> Vec<(String, String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff");
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let read = |f: &str| std::fs::read_to_string(p.join(f)).unwrap();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                read("from.prisma"),
                read("to.prisma"),
            )
        })
        .collect();
    out.sort();
    out
}

fn schema(text: &str) -> sovereign_schema::Schema {
    sovereign_schema::check("schema.prisma", text)
        .unwrap_or_else(|r| panic!("{}", r.render()))
        .0
}

async fn apply(url: &str, from: &str, to: &str, name: &str) {
    let (a, b) = (schema(from), schema(to));
    let dialect = Dialect::of(a.provider()).unwrap();
    let (sa, sb) = (sql_schema(&a, dialect), sql_schema(&b, dialect));
    let mut conn = Connection::connect(url).await.unwrap();
    let create = create_script(&sa, dialect);
    conn.execute_script(&create)
        .await
        .unwrap_or_else(|e| panic!("{name}: create failed: {e}\n{create}"));
    let diff = diff_script(&sa, &sb, dialect);
    // Step by step: PostgreSQL refuses to use an enum value added in the same transaction, and a
    // multi-statement string is one implicit transaction. Prisma's identical script has the same
    // limit (see the enums-and-drops fixture); deploying such a change takes two migrations.
    for (i, step) in diff.split("\n\n-- ").enumerate() {
        let step = if i == 0 {
            step.to_string()
        } else {
            format!("-- {step}")
        };
        conn.execute_script(&step).await.unwrap_or_else(|e| {
            panic!("{name}: diff failed: {e}\n{step}\n\nwhole script:\n{diff}")
        });
    }
}

fn unique(kind: &str, case: &str) -> String {
    format!(
        "sov_apply_{kind}_{}_{}",
        std::process::id(),
        case.replace('-', "_")
    )
}

#[tokio::test(flavor = "current_thread")]
async fn scripts_apply_on_sqlite() {
    for (case, from, to) in fixtures().into_iter().filter(|c| c.0.ends_with("sqlite")) {
        let path = std::env::temp_dir().join(format!("{}.db", unique("sqlite", &case)));
        apply(&format!("file:{}", path.display()), &from, &to, &case).await;
        let _ = std::fs::remove_file(path);
    }
}

#[tokio::test(flavor = "current_thread")]
async fn scripts_apply_on_postgres() {
    for (case, from, to) in fixtures()
        .into_iter()
        .filter(|c| c.0.ends_with("postgresql"))
    {
        let Some(db) =
            TestDb::create_from_var("SOVEREIGN_TEST_POSTGRES_URL", "pg apply test").await
        else {
            return;
        };
        apply(&db.url, &from, &to, &case).await;
        db.drop().await;
    }
}

#[tokio::test(flavor = "current_thread")]
async fn scripts_apply_on_mysql() {
    // The MySQL fixtures as they are, and the PostgreSQL ones without what MySQL lacks (scalar
    // lists, native PG types).
    for (case, from, to) in fixtures()
        .into_iter()
        .filter(|c| c.0.ends_with("postgresql") || c.0.ends_with("mysql"))
    {
        let (from, to) = if case.ends_with("mysql") {
            (from, to)
        } else {
            (to_mysql(&from), to_mysql(&to))
        };
        if sovereign_schema::check("m.prisma", &from).is_err()
            || sovereign_schema::check("m.prisma", &to).is_err()
        {
            eprintln!("{case}: no MySQL version");
            continue;
        }
        let Some(db) = TestDb::create_from_var("SOVEREIGN_TEST_MYSQL_URL", "my apply test").await
        else {
            return;
        };
        apply(&db.url, &from, &to, &case).await;
        db.drop().await;
    }
}
