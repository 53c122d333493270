//! Diagnostic codes, and follow-on errors suppressed by what the resolved schema marks (not by
//! their messages).

use sovereign_schema::{Code, Report};
use std::fs;
use std::path::Path;

fn codes(report: &Report) -> Vec<Code> {
    report.diagnostics.iter().filter_map(|d| d.code).collect()
}

fn err(text: &str) -> Report {
    sovereign_schema::check("schema.prisma", text).expect_err("the schema is invalid")
}

const PG: &str =
    "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n";

/// Every diagnostic the crate produces for the fixtures, valid or not, checked or formatted,
/// carries a code.
#[test]
fn every_diagnostic_of_the_fixtures_has_a_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut missing = Vec::new();
    let mut seen = 0;
    for kind in ["valid", "invalid", "format"] {
        for case in fs::read_dir(root.join(kind)).unwrap() {
            let path = case.unwrap().path().join("input.prisma");
            let Ok(text) = fs::read_to_string(&path) else {
                continue;
            };
            let reports = [
                sovereign_schema::check("input.prisma", &text).map_or_else(|r| r, |(_, w)| w),
                sovereign_schema::format("input.prisma", &text)
                    .err()
                    .unwrap_or_else(|| Report {
                        sources: Default::default(),
                        diagnostics: Vec::new(),
                    }),
            ];
            for d in reports.iter().flat_map(|r| &r.diagnostics) {
                seen += 1;
                if d.code.is_none() {
                    missing.push(format!("{}: {}", path.display(), d.message));
                }
            }
        }
    }
    assert!(seen > 100, "only {seen} diagnostics");
    assert!(missing.is_empty(), "{missing:#?}");
}

/// A field whose type does not resolve is reported once: an index or a relation naming it is
/// not reported again.
#[test]
fn a_field_whose_type_does_not_resolve_is_reported_once() {
    let report = err(&format!(
        "{PG}model User {{\n  id    Int    @id\n  name  Strng\n  posts Post[]\n\n  @@index([name])\n  @@unique([name, id])\n}}\n\nmodel Post {{\n  id       Int  @id\n  authorId Intt\n  author   User @relation(fields: [authorId], references: [id])\n}}\n"
    ));
    assert_eq!(
        codes(&report),
        [Code::TypeUnknown, Code::TypeUnknown],
        "{}",
        report.render()
    );
}

/// A model with a syntax error lost the lines that did not parse: that it has no unique
/// criterion is not reported too.
#[test]
fn a_block_with_a_syntax_error_gets_no_unique_criterion_error() {
    let broken = err(&format!(
        "{PG}model Log {{\n  message String\n  id Int @id @default(\n}}\n"
    ));
    assert!(
        !codes(&broken).contains(&Code::UniqueCriterionMissing),
        "{}",
        broken.render()
    );
    let whole = err(&format!("{PG}model Log {{\n  message String\n}}\n"));
    assert_eq!(codes(&whole), [Code::UniqueCriterionMissing]);
}

#[test]
fn codes_name_the_rule() {
    let report = err(&format!(
        "{PG}model User {{\n  id Int @id\n}}\n\nmodel Post {{\n  id       Int  @id\n  authorId Int\n  author   User @relation(fields: [authorId], references: [id])\n}}\n"
    ));
    let code = report.diagnostics[0].code.unwrap();
    assert_eq!(code, Code::RelationMissingOpposite);
    assert_eq!(code.as_str(), "relation-missing-opposite");
    assert_eq!(code.to_string(), "relation-missing-opposite");
    assert_eq!(Code::from_name("relation-missing-opposite"), Some(code));
}
