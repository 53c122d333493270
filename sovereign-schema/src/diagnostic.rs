//! Diagnostics rendered like rustc's: severity, message, `file:line:column`, the source line with
//! an underline, secondary notes, and a hint.

use crate::source::{Sources, Span};
use std::fmt::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    /// Other places that matter (the first definition of a duplicate, the other side of a relation).
    pub notes: Vec<(Span, String)>,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>, span: Span) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span,
            notes: Vec::new(),
            hint: None,
        }
    }

    pub fn warning(message: impl Into<String>, span: Span) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message, span)
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_note(mut self, span: Span, note: impl Into<String>) -> Self {
        self.notes.push((span, note.into()));
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders the diagnostic with the source lines it points at.
    pub fn render(&self, sources: &Sources) -> String {
        let mut out = String::new();
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(out, "{label}: {}", self.message);
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
            let _ = writeln!(out, "{pad} = help: {hint}");
        }
        out
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
        let _ = writeln!(out, "note: {note}");
    }
    let gutter = line.to_string().len();
    let pad = " ".repeat(gutter);
    let _ = writeln!(out, "{pad}{arrow} {}:{line}:{col}", file.name());
    let text = file.line_text(line);
    let _ = writeln!(out, "{pad} |");
    let _ = writeln!(out, "{line} | {text}");
    // Underline to the end of the span or of the line, whichever comes first.
    let (end_line, end_col) = file.line_col(span.end.max(span.start));
    let width = if end_line == line {
        end_col.saturating_sub(col).max(1)
    } else {
        (text.chars().count() + 1).saturating_sub(col).max(1)
    };
    let lead: String = text
        .chars()
        .take(col - 1)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let _ = writeln!(out, "{pad} | {lead}{}", "^".repeat(width));
}

/// Renders several diagnostics, errors first in source order, with a closing count like rustc's.
pub fn render_all(diagnostics: &[Diagnostic], sources: &Sources) -> String {
    let mut out = String::new();
    for d in diagnostics {
        out.push_str(&d.render(sources));
        out.push('\n');
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
