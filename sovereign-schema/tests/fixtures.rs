//! Fixture tests. Expected outputs under `fixtures/format` and `fixtures/{valid,invalid}/*/prisma.txt`
//! were recorded from Prisma 6 itself (see fixtures/ORACLE-NOTES.md); `expected.txt` files are
//! our own rendered diagnostics, rewritten with `SOVEREIGN_BLESS=1` after a deliberate change.

use std::fs;
use std::path::{Path, PathBuf};

fn cases(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind);
    let mut out: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no fixtures in {}", dir.display());
    out
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn bless() -> bool {
    std::env::var_os("SOVEREIGN_BLESS").is_some()
}

#[test]
fn formatter_matches_prisma_format() {
    let mut failures = Vec::new();
    for case in cases("format") {
        let input = read(&case.join("input.prisma"));
        let expected = read(&case.join("expected.prisma"));
        match sovereign_schema::format("input.prisma", &input) {
            Ok(out) if out == expected => {}
            Ok(out) => failures.push(format!(
                "{}: output differs from prisma format\n--- expected\n{expected}\n--- ours\n{out}",
                case.display()
            )),
            Err(r) => failures.push(format!(
                "{}: refused to format:\n{}",
                case.display(),
                r.render()
            )),
        }
        // Idempotence: formatting Prisma's own output changes nothing, except where Prisma
        // itself is not idempotent (`expected-again.prisma`, recorded by formatting
        // `expected.prisma` with Prisma once more).
        let again_path = case.join("expected-again.prisma");
        let expected_again = if again_path.exists() {
            read(&again_path)
        } else {
            expected.clone()
        };
        match sovereign_schema::format("expected.prisma", &expected) {
            Ok(again) if again == expected_again => {}
            Ok(again) => failures.push(format!("{}: not idempotent:\n{again}", case.display())),
            Err(r) => failures.push(format!(
                "{}: refused expected.prisma:\n{}",
                case.display(),
                r.render()
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn valid_fixtures_validate() {
    let mut failures = Vec::new();
    for case in cases("valid") {
        let input = read(&case.join("input.prisma"));
        let warnings = match sovereign_schema::check("input.prisma", &input) {
            Ok((_, warnings)) => warnings,
            Err(r) => {
                failures.push(format!("{}:\n{}", case.display(), r.render()));
                continue;
            }
        };
        // Where Prisma's verdict was recorded, its warnings are ours, word for word.
        let prisma_path = case.join("prisma.txt");
        if !prisma_path.exists() {
            continue;
        }
        let mut expected = prisma_warnings(&read(&prisma_path));
        let mut ours: Vec<String> = warnings
            .diagnostics
            .iter()
            .filter(|d| !d.is_error())
            .map(|d| d.message.clone())
            .collect();
        expected.sort();
        ours.sort();
        if expected != ours {
            failures.push(format!(
                "{}: warnings differ from Prisma's\n--- Prisma\n{}\n--- ours\n{}",
                case.display(),
                expected.join("\n"),
                warnings.render()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The warnings `prisma validate` lists before its verdict (`Prisma schema warning(s):` and a
/// `- ` line each).
fn prisma_warnings(prisma: &str) -> Vec<String> {
    prisma
        .lines()
        .skip_while(|l| !l.starts_with("Prisma schema warning"))
        .skip(1)
        .map_while(|l| l.strip_prefix("- "))
        .map(|l| l.trim_end().to_string())
        .collect()
}

/// Lines Prisma's diagnostics point at (`-->  input.prisma:LINE`).
fn prisma_lines(prisma: &str) -> Vec<usize> {
    prisma
        .lines()
        .filter_map(|l| l.trim().strip_prefix("-->"))
        .filter_map(|l| l.trim().rsplit(':').next()?.parse().ok())
        .collect()
}

/// Prisma's errors: the line each points at and its message (lines after the first joined
/// with `\n`, up to the `-->` line).
fn prisma_errors(prisma: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut message: Option<String> = None;
    for l in prisma.lines() {
        if let Some(m) = l.strip_prefix("error: ") {
            message = Some(m.to_string());
        } else if let Some(at) = l.trim().strip_prefix("-->") {
            if let (Some(m), Some(line)) = (
                message.take(),
                at.trim().rsplit(':').next().and_then(|n| n.parse().ok()),
            ) {
                out.push((line, m.trim_end().to_string()));
            }
        } else if let Some(m) = &mut message {
            m.push('\n');
            m.push_str(l);
        }
    }
    out.sort();
    out
}

/// Our errors as [`prisma_errors`] reads Prisma's.
fn our_errors(report: &sovereign_schema::Report) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = report
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            (
                report.sources.location(d.span).line,
                d.message.trim_end().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// Every error Prisma reports (its line and its message) is ours too, and we report no other,
/// unless the fixture says why not in `known-difference.md`.
#[test]
fn invalid_fixtures_have_prismas_errors() {
    let mut failures = Vec::new();
    for case in cases("invalid") {
        if case.join("known-difference.md").exists() {
            continue;
        }
        let input = read(&case.join("input.prisma"));
        let prisma = prisma_errors(&read(&case.join("prisma.txt")));
        let ours = match sovereign_schema::check("input.prisma", &input) {
            Ok(_) => Vec::new(),
            Err(report) => our_errors(&report),
        };
        if ours != prisma {
            let only = |a: &[(usize, String)], b: &[(usize, String)]| {
                a.iter()
                    .filter(|x| !b.contains(x))
                    .map(|(l, m)| format!("  line {l}: {m}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            failures.push(format!(
                "{}:\n Prisma only:\n{}\n ours only:\n{}",
                case.display(),
                only(&prisma, &ours),
                only(&ours, &prisma)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn invalid_fixtures_are_rejected_where_prisma_rejects_them() {
    let mut failures = Vec::new();
    for case in cases("invalid") {
        let input = read(&case.join("input.prisma"));
        let prisma = read(&case.join("prisma.txt"));
        let rendered = match sovereign_schema::check("input.prisma", &input) {
            Ok(_) => {
                failures.push(format!(
                    "{}: accepted, but Prisma says:\n{prisma}",
                    case.display()
                ));
                continue;
            }
            Err(report) => {
                // Our first error is on a line Prisma also complains about.
                let lines = prisma_lines(&prisma);
                let first = report
                    .diagnostics
                    .iter()
                    .find(|d| d.is_error())
                    .map(|d| report.sources.location(d.span).line);
                if !lines.is_empty() && first.is_some_and(|l| !lines.contains(&l)) {
                    failures.push(format!(
                        "{}: our first error is on line {:?}, Prisma's on {lines:?}\n{}",
                        case.display(),
                        first,
                        report.render()
                    ));
                }
                report.render()
            }
        };
        let expected_path = case.join("expected.txt");
        if bless() {
            fs::write(&expected_path, &rendered).unwrap();
        } else if !expected_path.exists() {
            failures.push(format!(
                "{}: no expected.txt (run with SOVEREIGN_BLESS=1 after checking):\n{rendered}",
                case.display()
            ));
        } else if read(&expected_path) != rendered {
            failures.push(format!(
                "{}: diagnostics changed\n--- expected\n{}\n--- ours\n{rendered}",
                case.display(),
                read(&expected_path)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
