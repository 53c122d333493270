//! `diff_script` against scripts recorded from Prisma's schema engine
//! (`../shared/prisma-oracle/diff.mjs --from from.prisma --to to.prisma --raw`).

use std::path::Path;

fn sql(text: &str) -> (sovereign_migrate::SqlSchema, sovereign_migrate::Dialect) {
    let (schema, _) =
        sovereign_schema::check("schema.prisma", text).unwrap_or_else(|r| panic!("{}", r.render()));
    let dialect = sovereign_migrate::Dialect::of(schema.provider()).unwrap();
    (sovereign_migrate::sql_schema(&schema, dialect), dialect)
}

#[test]
fn diff_scripts_match_prisma() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 7);
    let mut failures = Vec::new();
    for case in cases {
        let read = |f: &str| std::fs::read_to_string(case.join(f)).unwrap();
        let (from, dialect) = sql(&read("from.prisma"));
        let (to, _) = sql(&read("to.prisma"));
        let expected = read("expected.sql");
        let ours = sovereign_migrate::diff_script(&from, &to, dialect);
        if ours != expected {
            failures.push(format!(
                "{}:\n--- prisma\n{expected}\n--- ours\n{ours}",
                case.display()
            ));
        }
        // Diffing a schema against itself gives nothing.
        assert_eq!(sovereign_migrate::diff_script(&to, &to, dialect), "");
    }
    assert!(
        failures.is_empty(),
        "{} of the cases differ:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
