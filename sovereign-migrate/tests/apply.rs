//! Our scripts run on real databases: for every recorded diff fixture, the create script of
//! `from` and then the diff script to `to` apply cleanly on SQLite and PostgreSQL; MySQL versions
//! of the same schemas apply on MySQL/MariaDB (Prisma's MySQL output cannot be recorded offline,
//! so executing it is the check).

use sovereign_migrate::{create_script, diff_script, sql_schema, Connection, Dialect};
use std::path::Path;

mod common;
use common::to_mysql;

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

async fn server_db(var: &str, kind: &str, case: &str) -> Option<(String, String, String)> {
    let Ok(admin) = std::env::var(var) else {
        eprintln!("SKIPPED: {var} is not set; {kind} scripts were not applied");
        return None;
    };
    let name = unique(kind, case);
    let mut conn = Connection::connect(&admin).await.unwrap();
    conn.execute_script(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let base = admin.rsplit_once('/').unwrap().0.to_string();
    Some((admin, name.clone(), format!("{base}/{name}")))
}

async fn drop_db(admin: &str, name: &str) {
    let mut conn = Connection::connect(admin).await.unwrap();
    let force = if admin.starts_with("mysql") {
        ""
    } else {
        " WITH (FORCE)"
    };
    conn.execute_script(&format!("DROP DATABASE IF EXISTS {name}{force}"))
        .await
        .unwrap();
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
        let Some((admin, name, url)) = server_db("SOVEREIGN_TEST_POSTGRES_URL", "pg", &case).await
        else {
            return;
        };
        apply(&url, &from, &to, &case).await;
        drop_db(&admin, &name).await;
    }
}

#[tokio::test(flavor = "current_thread")]
async fn scripts_apply_on_mysql() {
    // The PostgreSQL fixtures without what MySQL lacks (scalar lists, native PG types).
    for (case, from, to) in fixtures()
        .into_iter()
        .filter(|c| c.0.ends_with("postgresql"))
    {
        let (from, to) = (to_mysql(&from), to_mysql(&to));
        if sovereign_schema::check("m.prisma", &from).is_err()
            || sovereign_schema::check("m.prisma", &to).is_err()
        {
            eprintln!("{case}: no MySQL version");
            continue;
        }
        let Some((admin, name, url)) = server_db("SOVEREIGN_TEST_MYSQL_URL", "my", &case).await
        else {
            return;
        };
        apply(&url, &from, &to, &case).await;
        drop_db(&admin, &name).await;
    }
}
