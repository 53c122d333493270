//! Where resolution and rules put their diagnostics.

use crate::ast::Attribute;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;

/// The diagnostics found so far, in the order they were found (sorted by position at the end).
#[derive(Default)]
pub(crate) struct Sink {
    diags: Vec<Diagnostic>,
}

impl Sink {
    /// Reports an error; the result takes a hint or notes.
    pub(crate) fn err(
        &mut self,
        code: Code,
        msg: impl Into<String>,
        span: Span,
    ) -> &mut Diagnostic {
        self.push(code.error(msg, span))
    }

    /// Reports a warning; the result takes a hint or notes.
    pub(crate) fn warn(
        &mut self,
        code: Code,
        msg: impl Into<String>,
        span: Span,
    ) -> &mut Diagnostic {
        self.push(code.warning(msg, span))
    }

    /// Reports an error in an attribute, in Prisma's words: `Error parsing attribute "@x": ...`.
    pub(crate) fn attr_err(
        &mut self,
        code: Code,
        attr: &Attribute,
        msg: impl AsRef<str>,
    ) -> &mut Diagnostic {
        let prefix = if attr.block { "@@" } else { "@" };
        let m = format!(
            "Error parsing attribute \"{prefix}{}\": {}",
            attr.name.name,
            msg.as_ref()
        );
        self.err(code, m, attr.span)
    }

    /// Reports a diagnostic built elsewhere.
    pub(crate) fn push(&mut self, d: Diagnostic) -> &mut Diagnostic {
        self.diags.push(d);
        self.diags.last_mut().expect("just pushed")
    }

    /// Whether an error was reported.
    pub(crate) fn has_errors(&self) -> bool {
        self.diags.iter().any(Diagnostic::is_error)
    }

    pub(crate) fn into_vec(self) -> Vec<Diagnostic> {
        self.diags
    }
}
