//! The SQL we write against scripts recorded from Prisma's schema engine, one test per fixture:
//! - `create/<case>`: `create_script` of `schema.prisma` against
//!   `../shared/prisma-oracle/diff.mjs --from empty --to schema.prisma --raw` (PostgreSQL's
//!   leading `CREATE SCHEMA` step removed);
//! - `diff/<case>`: `diff_script` from `from.prisma` to `to.prisma` against
//!   `diff.mjs --from from.prisma --to to.prisma --raw`.

use sovereign_test_support::fixtures::{read, run};
use std::path::Path;

fn sql(text: &str) -> Result<(sovereign_migrate::SqlSchema, sovereign_migrate::Dialect), String> {
    let (schema, _) = sovereign_schema::check("schema.prisma", text).map_err(|r| r.render())?;
    let dialect = sovereign_migrate::Dialect::of(schema.provider()).ok_or("no SQL provider")?;
    Ok((sovereign_migrate::sql_schema(&schema, dialect), dialect))
}

fn compare(expected: &str, ours: &str) -> Result<(), String> {
    if ours == expected {
        Ok(())
    } else {
        Err(format!("--- prisma\n{expected}\n--- ours\n{ours}"))
    }
}

fn create(case: &Path) -> Result<(), String> {
    let (schema, dialect) = sql(&read(&case.join("schema.prisma"))?)?;
    // Deliberate deviation: Prisma writes a SQLite Json default unquoted
    // (`DEFAULT {"a": 1}`), which SQLite rejects; we quote it like any string.
    let expected =
        read(&case.join("expected.sql"))?.replace("DEFAULT {\"a\": 1}", "DEFAULT '{\"a\": 1}'");
    compare(
        &expected,
        &sovereign_migrate::create_script(&schema, dialect),
    )
}

fn diff(case: &Path) -> Result<(), String> {
    let (from, dialect) = sql(&read(&case.join("from.prisma"))?)?;
    let (to, _) = sql(&read(&case.join("to.prisma"))?)?;
    compare(
        &read(&case.join("expected.sql"))?,
        &sovereign_migrate::diff_script(&from, &to, dialect),
    )?;
    // Diffing a schema against itself gives nothing.
    compare("", &sovereign_migrate::diff_script(&to, &to, dialect))
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    run(&[
        ("create", &root.join("create"), create),
        ("diff", &root.join("diff"), diff),
    ])
}
