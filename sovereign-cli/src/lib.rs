//! The `sovereign` command line. `src/bin/sovereign.rs` only calls [`run`].

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Sovereign: Prisma schemas for Rust plugin platforms.
#[derive(Debug, Parser)]
#[command(name = "sovereign", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a schema against Prisma's rules; exit 1 with diagnostics when it is invalid.
    ///
    /// A file without a `datasource` block (a plugin's extension.prisma) is checked as a
    /// partial schema: types it does not define are taken as models of the platform.
    Validate {
        /// The schema file.
        #[arg(long, default_value = "prisma/schema.prisma")]
        schema: PathBuf,
    },
    /// Format schema files in place, as `prisma format` does.
    Format {
        /// List the files that would change and exit 1 instead of writing.
        #[arg(long)]
        check: bool,
        /// The files to format.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
}

/// Runs a parsed command line; the exit code follows the usual convention (0 ok, 1 failure).
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Validate { schema } => validate(&schema),
        Command::Format { check, paths } => format(&paths, check),
    }
}

fn read(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{} is not valid UTF-8 (first bad byte at offset {}); save it as UTF-8",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

fn validate(path: &Path) -> Result<ExitCode> {
    let text = read(path)?;
    let name = path.display().to_string();
    match sovereign_schema::check(&name, &text) {
        Ok((schema, warnings)) => {
            if !warnings.diagnostics.is_empty() {
                eprint!("{}", warnings.render());
            }
            let what = if schema.datasource.is_some() {
                "schema"
            } else {
                "partial schema"
            };
            println!(
                "The {what} at {name} is valid: {} models, {} enums, {} relations.",
                schema.models.len(),
                schema.enums.len(),
                schema.relations.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(report) => {
            eprint!("{}", report.render());
            Ok(ExitCode::from(1))
        }
    }
}

fn format(paths: &[PathBuf], check: bool) -> Result<ExitCode> {
    let mut failed = false;
    let mut changed = Vec::new();
    for path in paths {
        let text = read(path)?;
        match sovereign_schema::format(&path.display().to_string(), &text) {
            Ok(formatted) if formatted != text => {
                if !check {
                    write_atomically(path, formatted.as_bytes())?;
                }
                changed.push(path);
            }
            Ok(_) => {}
            Err(report) => {
                eprint!("{}", report.render());
                failed = true;
            }
        }
    }
    for path in &changed {
        if check {
            println!("would reformat {}", path.display());
        } else {
            println!("formatted {}", path.display());
        }
    }
    if failed || (check && !changed.is_empty()) {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes to a temporary file beside `path`, then renames it over `path`, so a reader never
/// sees a half-written file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .with_context(|| format!("{} is not a file path", path.display()))?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> Result<()> {
        let mut f = std::fs::File::create(&tmp)
            .with_context(|| format!("cannot create {}", tmp.display()))?;
        f.write_all(bytes)
            .and_then(|_| f.sync_all())
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, path)
            .with_context(|| format!("cannot replace {}", path.display()))?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
