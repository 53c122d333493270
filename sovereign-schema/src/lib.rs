//! The Prisma Schema Language for Sovereign: parser, validation, formatter, composition, and the
//! resolved model that code generation and migrations read.
//!
//! ```
//! let text = r#"
//! datasource db {
//!   provider = "sqlite"
//!   url      = "file:./dev.db"
//! }
//!
//! model User {
//!   id    Int    @id @default(autoincrement())
//!   email String @unique
//! }
//! "#;
//! let (schema, _warnings) = sovereign_schema::check("schema.prisma", text).unwrap();
//! let user = schema.model("User").unwrap();
//! assert_eq!(user.uniques[0].db_name, "User_email_key");
//!
//! let formatted = sovereign_schema::format("schema.prisma", "model A {\n id Int @id\n}\n");
//! // A file without a datasource is read as a partial schema (a plugin's extension).
//! assert_eq!(formatted.unwrap(), "model A {\n  id Int @id\n}\n");
//! ```
//!
//! Every function here is pure: it reads what it is given and never touches the file system.
//! Errors come back as a [`Report`]: all diagnostics at once, rendered like rustc's.

pub mod ast;
pub mod compose;
pub mod diagnostic;
pub mod format;
mod lexer;
pub mod model;
mod native;
mod parser;
pub mod source;
pub mod validate;

pub use compose::RESERVED_TABLES;
pub use diagnostic::{Diagnostic, Severity};
pub use model::Schema;
pub use parser::parse;
pub use source::{FileId, Sources, Span};
pub use validate::{validate, ValidateOptions, Validated};

use std::fmt;

/// Diagnostics together with the sources they point into.
#[derive(Clone)]
pub struct Report {
    pub sources: Sources,
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// All diagnostics rendered, followed by a count.
    pub fn render(&self) -> String {
        diagnostic::render_all(&self.diagnostics, &self.sources)
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

/// Whether a parsed file declares a datasource (otherwise it is read as a partial schema).
pub fn has_datasource(ast: &ast::SchemaAst) -> bool {
    ast.blocks().any(|b| b.kind == ast::BlockKind::Datasource)
}

/// Parses and validates one schema. A file without a datasource is validated as a partial
/// schema (see [`ValidateOptions::partial`]).
///
/// # Errors
/// A [`Report`] with every syntax and validation error (and any warnings).
pub fn check(name: &str, text: &str) -> Result<(Schema, Report), Report> {
    let mut sources = Sources::new();
    let file = sources.add(name, text);
    let (ast, mut diagnostics) = parse(file, text);
    let options = ValidateOptions {
        partial: !has_datasource(&ast),
    };
    let validated = validate(std::slice::from_ref(&ast), options);
    // A block with a syntax error lost the lines that did not parse: its "no unique criterion"
    // would only be a follow-on error of those. (Sorted offsets: a file with thousands of
    // errors must not cost blocks times errors.)
    let mut syntax_errors: Vec<usize> = diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.span.start)
        .collect();
    syntax_errors.sort_unstable();
    let broken: Vec<Span> = ast
        .blocks()
        .map(|b| b.span)
        .filter(|s| {
            let first = syntax_errors.partition_point(|&o| o < s.start);
            syntax_errors.get(first).is_some_and(|&o| o <= s.end)
        })
        .collect();
    diagnostics.extend(validated.diagnostics.into_iter().filter(|d| {
        !(d.message
            .contains("Each model must have at least one unique criteria")
            && broken
                .iter()
                .any(|s| d.span.start >= s.start && d.span.start <= s.end))
    }));
    diagnostic::sort(&mut diagnostics);
    let report = Report {
        sources,
        diagnostics,
    };
    match validated.schema {
        Some(schema) if !report.has_errors() => Ok((schema, report)),
        _ => Err(report),
    }
}

/// Formats a schema as `prisma format` does, adding missing back-relation fields. Like
/// `prisma format`, it refuses a schema that does not validate.
///
/// # Errors
/// A [`Report`] with the syntax or validation errors.
pub fn format(name: &str, text: &str) -> Result<String, Report> {
    let mut sources = Sources::new();
    let file = sources.add(name, text);
    let (ast, mut diagnostics) = parse(file, text);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(Report {
            sources,
            diagnostics,
        });
    }
    let mut files = vec![ast];
    format::add_missing_back_relations(&mut files, &|_| None);
    let options = ValidateOptions {
        partial: !has_datasource(&files[0]),
    };
    let validated = validate(&files, options);
    diagnostics.extend(validated.diagnostics);
    if diagnostics.iter().any(Diagnostic::is_error) {
        diagnostic::sort(&mut diagnostics);
        return Err(Report {
            sources,
            diagnostics,
        });
    }
    Ok(format::render(&files[0]))
}
