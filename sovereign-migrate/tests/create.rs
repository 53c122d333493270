//! `create_script` against scripts recorded from Prisma's schema engine
//! (`../shared/prisma-oracle/diff.mjs --from empty --to schema.prisma --raw`, with PostgreSQL's
//! leading `CREATE SCHEMA` step removed).

use std::path::Path;

#[test]
fn create_scripts_match_prisma() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/create");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 5);
    let mut failures = Vec::new();
    for case in cases {
        let text = std::fs::read_to_string(case.join("schema.prisma")).unwrap();
        let mut expected = std::fs::read_to_string(case.join("expected.sql")).unwrap();
        // Deliberate deviation: Prisma writes a SQLite Json default unquoted
        // (`DEFAULT {"a": 1}`), which SQLite rejects; we quote it like any string.
        expected = expected.replace("DEFAULT {\"a\": 1}", "DEFAULT '{\"a\": 1}'");
        let (schema, _) = sovereign_schema::check("schema.prisma", &text)
            .unwrap_or_else(|r| panic!("{}", r.render()));
        let dialect = sovereign_migrate::Dialect::of(schema.provider()).unwrap();
        let ours = sovereign_migrate::create_script(
            &sovereign_migrate::sql_schema(&schema, dialect),
            dialect,
        );
        if ours != expected {
            failures.push(format!(
                "{}:\n--- prisma\n{expected}\n--- ours\n{ours}",
                case.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
