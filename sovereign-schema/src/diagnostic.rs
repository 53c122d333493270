//! Diagnostics rendered like rustc's: severity, message, `file:line:column`, the source line with
//! an underline, secondary notes, and a hint. Each diagnostic this crate produces carries a
//! stable [`Code`] (the list, with what each means, is [`Code`]'s documentation).

pub use crate::code::Code;
use crate::source::{FileId, Sources, Span};
use std::fmt::{self, Write};

/// How bad a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The schema is refused.
    Error,
    /// The schema is accepted, but something deserves attention.
    Warning,
}

/// One problem found in a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Whether it is an error or a warning.
    pub severity: Severity,
    /// What rule it comes from. Every diagnostic of this crate has one; diagnostics other crates
    /// build with [`Diagnostic::error`] or [`Diagnostic::warning`] have none unless they set it.
    pub code: Option<Code>,
    /// What is wrong, in Prisma's words where users search for them.
    pub message: String,
    /// Where.
    pub span: Span,
    /// Other places that matter (the first definition of a duplicate, the other side of a relation).
    pub notes: Vec<(Span, String)>,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error without a code (for diagnostics of other crates; this crate's come from
    /// [`Code::error`]).
    pub fn error(message: impl Into<String>, span: Span) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code: None,
            message: message.into(),
            span,
            notes: Vec::new(),
            hint: None,
        }
    }

    /// A warning without a code (see [`Diagnostic::error`]).
    pub fn warning(message: impl Into<String>, span: Span) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message, span)
        }
    }

    /// The same diagnostic with a code.
    pub fn with_code(mut self, code: Code) -> Self {
        self.code = Some(code);
        self
    }

    /// The same diagnostic with a hint (what to do about it).
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The same diagnostic with one more note pointing at another place.
    pub fn with_note(mut self, span: Span, note: impl Into<String>) -> Self {
        self.notes.push((span, note.into()));
        self
    }

    /// Whether it is an error (as opposed to a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders the diagnostic with the source lines it points at. Its size does not depend on
    /// the input's: a long line is cut to a window around the span, a long message (which may
    /// quote the input) is shortened.
    pub fn render(&self, sources: &Sources) -> String {
        let mut out = String::new();
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(out, "{label}: {}", clip(&self.message));
        render_snippet(&mut out, sources, self.span, "-->", None);
        for (span, note) in &self.notes {
            render_snippet(&mut out, sources, *span, "-->", Some(note));
        }
        if let Some(hint) = &self.hint {
            let pad = sources
                .try_get(self.span.file)
                .map_or(1, |f| f.line_col(self.span.start).0.to_string().len());
            let pad = " ".repeat(pad);
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{pad} = help: {}", clip(hint));
        }
        out
    }
}

/// The longest message, note or hint rendered, in characters. Messages quote names from the
/// input, which may be of any length.
const MAX_TEXT: usize = 400;

/// How much of a long source line is shown: characters before the span's start and in all.
const WINDOW_BEFORE: usize = 40;
const WINDOW: usize = 120;

/// How many diagnostics of one file are rendered; the rest are counted.
pub const MAX_PER_FILE: usize = 50;

fn clip(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(MAX_TEXT) {
        None => text.into(),
        Some((cut, _)) => format!("{}...", &text[..cut]).into(),
    }
}

fn render_snippet(
    out: &mut String,
    sources: &Sources,
    span: Span,
    arrow: &str,
    note: Option<&str>,
) {
    let Some(file) = sources.try_get(span.file) else {
        return;
    };
    let (line, col) = file.line_col(span.start);
    if let Some(note) = note {
        let _ = writeln!(out, "note: {}", clip(note));
    }
    let gutter = line.to_string().len();
    let pad = " ".repeat(gutter);
    let _ = writeln!(out, "{pad}{arrow} {}:{line}:{col}", file.name());
    let text = file.line_text(line);
    // The part of the line shown: all of it when it is short, else a window around the span,
    // found by walking characters from the span's start (never the whole line).
    let at = crate::source::floor_char_boundary(
        text,
        span.start
            .saturating_sub(file.line_start(line))
            .min(text.len()),
    );
    let (from, to) = if text.chars().nth(WINDOW).is_none() {
        (0, text.len())
    } else {
        let from = text[..at]
            .char_indices()
            .rev()
            .nth(WINDOW_BEFORE - 1)
            .map_or(0, |(i, _)| i);
        let before = text[from..at].chars().count();
        let to = text[at..]
            .char_indices()
            .nth(WINDOW - before)
            .map_or(text.len(), |(i, _)| at + i);
        (from, to)
    };
    let (prefix, suffix) = (
        if from > 0 { "..." } else { "" },
        if to < text.len() { "..." } else { "" },
    );
    let shown = &text[from..to];
    let _ = writeln!(out, "{pad} |");
    let _ = writeln!(out, "{line} | {prefix}{shown}{suffix}");
    // Underline to the end of the span or of the shown part of the line, whichever comes first.
    let line_start = file.line_start(line);
    let end = span.end.max(span.start);
    let width = if end <= line_start + text.len() {
        let end = crate::source::floor_char_boundary(text, end - line_start).clamp(at, to);
        text[at..end].chars().count()
    } else {
        text[at..to].chars().count()
    }
    .max(1);
    let lead: String = prefix
        .chars()
        .chain(text[from..at].chars())
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let _ = writeln!(out, "{pad} | {lead}{}", "^".repeat(width));
}

/// Renders several diagnostics, errors first in source order, with a closing count like rustc's.
/// At most [`MAX_PER_FILE`] diagnostics are rendered per file; the others are counted in a line
/// `... and N more errors in FILE`.
pub fn render_all(diagnostics: &[Diagnostic], sources: &Sources) -> String {
    let mut out = String::new();
    // Per file: (rendered, errors left out, warnings left out).
    let mut per_file: std::collections::BTreeMap<FileId, (usize, usize, usize)> =
        Default::default();
    for d in diagnostics {
        let counts = per_file.entry(d.span.file).or_default();
        if counts.0 >= MAX_PER_FILE {
            if d.is_error() {
                counts.1 += 1;
            } else {
                counts.2 += 1;
            }
            continue;
        }
        counts.0 += 1;
        out.push_str(&d.render(sources));
        out.push('\n');
    }
    for (file, (_, errors, warnings)) in per_file {
        let name = sources.try_get(file).map_or("", |f| f.name());
        let more = match (errors, warnings) {
            (0, 0) => continue,
            (e, 0) => format!("{e} more error{}", plural(e)),
            (0, w) => format!("{w} more warning{}", plural(w)),
            (e, w) => format!(
                "{e} more error{} and {w} more warning{}",
                plural(e),
                plural(w)
            ),
        };
        let _ = writeln!(out, "... and {more} in {name}\n");
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    match (errors, warnings) {
        (0, 0) => {}
        (0, w) => {
            let _ = writeln!(out, "{w} warning{}", plural(w));
        }
        (e, 0) => {
            let _ = writeln!(out, "{e} error{}", plural(e));
        }
        (e, w) => {
            let _ = writeln!(out, "{e} error{}, {w} warning{}", plural(e), plural(w));
        }
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Sorts diagnostics by file and position, errors and warnings interleaved.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|d| (d.span.file, d.span.start, d.severity));
}

impl Code {
    /// An error with this code.
    pub fn error(self, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic::error(message, span).with_code(self)
    }

    /// A warning with this code.
    pub fn warning(self, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic::warning(message, span).with_code(self)
    }
}

/// Drops the diagnostics Prisma would not report: when syntax, configuration or reading found
/// an error, the diagnostics of validation ([`Code::is_validation`]), errors and warnings, are
/// dropped, as Prisma validates only a schema that read without errors. What remains is the
/// error to fix first; the rest appears, if it still applies, once it is fixed.
pub(crate) fn drop_follow_on(diags: &mut Vec<Diagnostic>) {
    let validation = |d: &Diagnostic| d.code.is_some_and(Code::is_validation);
    if diags.iter().any(|d| d.is_error() && !validation(d)) {
        diags.retain(|d| !validation(d));
    }
}

/// Diagnostics together with the sources they point into.
#[derive(Clone)]
pub struct Report {
    /// The files the diagnostics point into.
    pub sources: Sources,
    /// Errors and warnings, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// All diagnostics rendered, followed by a count.
    pub fn render(&self) -> String {
        render_all(&self.diagnostics, &self.sources)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.render().trim_end())
    }
}

/// The rendered diagnostics (bounded in size, like [`Report::render`]), not the sources: a
/// report of a megabyte file must not print a megabyte when a caller unwraps it.
impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Report {{ {} diagnostics }}", self.diagnostics.len())?;
        f.write_str(self.render().trim_end())
    }
}

impl std::error::Error for Report {}

/// Reading a file as bytes reports a diagnostic, so it is defined here: [`crate::source`]
/// stays free of diagnostics (and of a module cycle with this one).
impl Sources {
    /// Adds a file read as bytes. Invalid UTF-8 is replaced (so the rest still parses) and
    /// reported as an error at the first bad byte.
    pub fn add_bytes(
        &mut self,
        name: impl Into<String>,
        bytes: Vec<u8>,
    ) -> (FileId, Option<Diagnostic>) {
        match String::from_utf8(bytes) {
            Ok(text) => (self.add(name, text), None),
            Err(err) => {
                let valid = err.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
                let id = self.add(name, text);
                let diag = Code::InvalidUtf8
                    .error(
                        "the file is not valid UTF-8",
                        Span::new(id, valid, valid + 1),
                    )
                    .with_hint("save the schema file as UTF-8");
                (id, Some(diag))
            }
        }
    }
}
