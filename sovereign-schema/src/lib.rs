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
//! Errors come back as a [`Report`]: all diagnostics at once, rendered like rustc's, each with a
//! stable [`Code`] naming the rule it comes from.
//!
//! How it fits together: [`parse`] builds the syntax tree ([`ast`]); [`validate`](mod@validate) reads it once
//! into a resolved database (names, types, attributes, relations), applies the rules to it and
//! lowers it to the resolved [`model`]; [`format`](mod@format) prints a tree as `prisma format` does,
//! adding missing relation fields from the resolved relations; [`compose`] puts the platform's
//! schema and the plugins' extensions together.

#![warn(missing_docs)]

pub mod ast;
pub mod client;
pub mod code;
pub mod compose;
pub mod diagnostic;
pub mod format;
mod lexer;
pub mod model;
mod native;
mod parser;
pub mod source;
pub mod validate;

pub use code::Code;
pub use compose::RESERVED_TABLES;
pub use diagnostic::{Diagnostic, Report, Severity};
pub use model::Schema;
pub use parser::parse;
pub use source::{FileId, Sources, Span};
pub use validate::{validate, ValidateOptions, Validated};

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
    // A block with a syntax error is marked by the parser (`Block::incomplete`): the rules
    // that would only repeat that error skip it.
    let validated = validate(std::slice::from_ref(&ast), options);
    diagnostics.extend(validated.diagnostics);
    // A syntax error, like a reading error, leaves only the errors of reading (Prisma's order).
    diagnostic::drop_follow_on(&mut diagnostics);
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
    let options = ValidateOptions {
        partial: !has_datasource(&ast),
    };
    let mut files = vec![ast];
    let (_, validated) = format::add_and_validate(&mut files, options, &|_| None, &mut |_| true)
        .expect("the first pass does not stop");
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
