//! Validation: reads one or more parsed files as one schema, applies Prisma's rules, and builds
//! the resolved [`Schema`]. Messages follow Prisma's wording where users search for them.
//!
//! Three steps, each in its own module:
//!
//! 1. `resolve` reads the files once into the resolved database (`db`): the names of the
//!    blocks, the configuration, every field's type and attributes, and the relations between
//!    models. It reports what it cannot read.
//! 2. `rules` applies the rules, small named functions grouped by subject, to the resolved
//!    database. Each diagnostic carries a stable [`Code`](crate::diagnostic::Code). What did not
//!    resolve is marked in the database and the rules skip it, so one mistake gives one error.
//! 3. `lower` turns the resolved database of a valid schema into the public [`Schema`].
//!
//! The formatter (adding missing relation fields) and composition walk the same resolved
//! database.

mod common;
pub(crate) mod db;
mod lower;
pub(crate) mod resolve;
mod rules;
pub(crate) mod sink;

pub use db::ValidateOptions;

use crate::ast::SchemaAst;
use crate::diagnostic::Diagnostic;
use crate::model::Schema;
use db::Db;
use sink::Sink;

/// The outcome of validation: the resolved schema when there were no errors, and every
/// diagnostic (errors and warnings) in source order.
#[derive(Debug, Clone)]
pub struct Validated {
    /// The resolved schema, when there were no errors.
    pub schema: Option<Schema>,
    /// Errors and warnings, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Validated {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Validates the files as one schema.
pub fn validate(files: &[SchemaAst], options: ValidateOptions) -> Validated {
    let (db, sink) = resolve::resolve(files, options);
    finish(db, sink)
}

/// Applies the rules to a resolved database and, when no error was found, lowers it.
pub(crate) fn finish(db: Db<'_>, mut sink: Sink) -> Validated {
    let verdicts = rules::check(&db, &mut sink);
    let has_errors = sink.has_errors();
    let mut diagnostics = sink.into_vec();
    crate::diagnostic::drop_follow_on(&mut diagnostics);
    crate::diagnostic::sort(&mut diagnostics);
    Validated {
        schema: (!has_errors).then(|| lower::schema(db, verdicts)),
        diagnostics,
    }
}
