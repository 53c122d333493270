//! Rendered diagnostics stay small and fast whatever the input: a capped number per file, long
//! lines cut to a window around the span, long messages shortened (data-safety issue #12).

use sovereign_schema::{Diagnostic, Sources, Span};
use std::time::{Duration, Instant};

/// A guard against super-linear blowups (these inputs took minutes, or exhausted memory, before
/// the fix; now milliseconds), generous enough that a loaded two-core CI machine never trips
/// it. Speed itself is measured by the benchmarks, not here.
const BLOWUP: Duration = Duration::from_secs(30);

const MB: usize = 1 << 20;

/// A megabyte on one line, with an error every ~40 bytes (26 000 of them).
fn one_line_of_errors() -> String {
    "model A { id Int @id @default(\"\\q\") } ".repeat(MB / 40)
}

#[test]
fn a_megabyte_line_with_thousands_of_errors_renders_a_few_kilobytes() {
    let text = one_line_of_errors();
    let start = Instant::now();
    let report = report_of("one-line.prisma", &text);
    let out = report.render();
    let elapsed = start.elapsed();
    assert!(
        report.diagnostics.len() > 20_000,
        "{}",
        report.diagnostics.len()
    );
    assert!(out.len() < 64 * 1024, "{} bytes", out.len());
    assert!(elapsed < BLOWUP, "{elapsed:?}");
    // 50 rendered, the others counted, and the total still right.
    assert_eq!(out.matches("\nerror: ").count() + 1, 50, "{}", &out[..2000]);
    let more = report.diagnostics.len() - 50;
    assert!(
        out.contains(&format!(
            "\n... and {more} more errors in one-line.prisma\n"
        )),
        "{}",
        &out[out.len() - 300..]
    );
    assert!(out.ends_with(&format!("\n{} errors\n", report.diagnostics.len())));
    // Every source line shown is a window, not the megabyte.
    assert!(
        out.lines().all(|l| l.len() < 200),
        "a long line was printed"
    );
}

/// The `^` under a span stays under it when the line is cut: find the column of the caret and
/// check that the shown line has the span's text there.
fn caret_points_at(out: &str, expected: &str) {
    let lines: Vec<&str> = out.lines().collect();
    let caret = lines
        .iter()
        .position(|l| l.trim_start_matches([' ', '|']).starts_with('^'))
        .expect("a caret line");
    let column = lines[caret].chars().take_while(|c| *c != '^').count();
    let width = lines[caret].matches('^').count();
    let under: String = lines[caret - 1].chars().skip(column).take(width).collect();
    assert_eq!(under, expected, "\n{out}");
}

/// The error report of a schema that must be invalid (without printing a megabyte otherwise).
fn report_of(name: &str, text: &str) -> sovereign_schema::Report {
    match sovereign_schema::check(name, text) {
        Ok(_) => panic!("{name} was accepted"),
        Err(report) => report,
    }
}

#[test]
fn long_lines_are_cut_around_the_span_with_the_caret_under_it() {
    let mut sources = Sources::new();
    // Far into a long line, near its start, and at its end.
    let text = format!(
        "{}BAD{}NEAR{}",
        "a".repeat(5000),
        "b".repeat(5000),
        "c".repeat(60)
    );
    let file = sources.add("long.prisma", text.clone());
    let bad = text.find("BAD").unwrap();
    let d = Diagnostic::error("bad", Span::new(file, bad, bad + 3));
    let out = d.render(&sources);
    assert!(out.contains(" --> long.prisma:1:5001\n"), "{out}");
    assert!(out.contains("| ...aaaa"), "{out}");
    assert!(out.contains("bbbb...\n"), "{out}");
    caret_points_at(&out, "BAD");
    assert!(out.len() < 400, "{out}");

    let d = Diagnostic::error("start", Span::new(file, 2, 4));
    let out = d.render(&sources);
    assert!(
        out.contains("1 | aaaa"),
        "no `...` before the start of the line: {out}"
    );
    caret_points_at(&out, "aa");

    let near = text.find("NEAR").unwrap();
    let d = Diagnostic::error("end", Span::new(file, near, text.len()));
    let out = d.render(&sources);
    assert!(
        out.contains("cccc\n"),
        "no `...` after the end of the line: {out}"
    );
    caret_points_at(&out, &text[near..]);

    // A span longer than the window is underlined to the window's end.
    let d = Diagnostic::error("wide", Span::new(file, 10, text.len()));
    let out = d.render(&sources);
    assert!(out.lines().all(|l| l.len() < 200), "{out}");
}

#[test]
fn columns_count_characters_on_long_non_ascii_lines() {
    let mut sources = Sources::new();
    let text = format!("{}XY\n日本\u{e9}Z", "é日".repeat(100_000));
    let file = sources.add("wide.prisma", text.clone());
    let x = text.find("XY").unwrap();
    let start = Instant::now();
    for _ in 0..10_000 {
        assert_eq!(sources.get(file).line_col(x), (1, 200_001));
    }
    // Each lookup counts at most a few kilobytes, not the line.
    assert!(start.elapsed() < BLOWUP, "{:?}", start.elapsed());
    let z = text.find('Z').unwrap();
    assert_eq!(sources.get(file).line_col(z), (2, 4));
    let out = Diagnostic::error("xy", Span::new(file, x, x + 2)).render(&sources);
    assert!(out.contains("wide.prisma:1:200001"), "{out}");
    caret_points_at(&out, "XY");
}

#[test]
fn long_messages_are_shortened() {
    // A type name of a megabyte is quoted by the message.
    let text = format!(
        "datasource db {{\n  provider = \"sqlite\"\n  url = \"file:x\"\n}}\nmodel A {{\n  id Int @id\n  b {}\n}}\n",
        "T".repeat(MB)
    );
    let report = report_of("s.prisma", &text);
    let out = report.render();
    assert!(out.len() < 4096, "{} bytes", out.len());
    assert!(out.contains("TTT..."), "{out}");
    // Neither does a report's Debug print the sources.
    assert!(format!("{report:?}").len() < 64 * 1024);
}

#[test]
fn deep_nesting_in_an_attribute_neither_overflows_nor_hangs() {
    for (open, close) in [("(", ")"), ("[", "]"), ("f(", ")")] {
        let text = format!(
            "model A {{\n  id Int @id @default({}1{})\n}}\n",
            open.repeat(MB / open.len()),
            close.repeat(MB)
        );
        let start = Instant::now();
        let report = report_of("deep.prisma", &text);
        let out = report.render();
        assert!(out.len() < 64 * 1024, "{open}: {} bytes", out.len());
        assert!(start.elapsed() < BLOWUP, "{open}: {:?}", start.elapsed());
    }
}
