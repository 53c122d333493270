//! The `sovereign` and `plugin-db-manage` command lines, as a library: the binaries in
//! `src/bin/` only parse their arguments and call in here, so tests and other tools run the same
//! commands in-process.
//!
//! `sovereign` works on the platform, from anywhere inside its workspace (`sovereign.toml` is
//! found by walking up from the current directory):
//!
//! - `validate` and `format` check and format schema files, as `prisma validate` and
//!   `prisma format` do;
//! - `compose` writes the platform schema from `base.prisma` and the shared plugins'
//!   extensions (`--check` fails with a diff when the committed one is stale);
//! - `migrate dev|deploy|status|reset|resolve` manage the shared database's migrations
//!   ([`migrate`]), and `migrate diff` prints the SQL between two states;
//! - `studio` serves a browser interface to the data ([`studio`]).
//!
//! `plugin-db-manage <command> <namespace>` runs the migration commands on one dedicated
//! plugin's own database, `studio` on any plugin's view of the data (never another plugin's
//! models), and `generate` writes a dedicated plugin's client to a file.
//!
//! A command line is a [`Cli`], parsed with clap, and [`run`] carries it out; it returns the
//! process's exit code, so a caller decides what to do with a failing check:
//!
//! ```no_run
//! use clap::Parser;
//!
//! # fn main() -> anyhow::Result<()> {
//! let cli = sovereign_cli::Cli::try_parse_from(["sovereign", "compose", "--check"])?;
//! let code = sovereign_cli::run(cli)?;
//! println!("compose --check: {code:?}");
//! # Ok(())
//! # }
//! ```
//!
//! [`migrate::run`] runs a migration command against any schema file and migrations folder
//! (a [`migrate::Target`]), and [`studio::serve`] serves any set of databases; the two binaries
//! are built from these.

#![warn(missing_docs)]

#[macro_use]
pub mod output;
pub mod doctor;
pub mod migrate;
pub mod new;
pub mod provision;
pub mod studio;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Sovereign: Prisma schemas for Rust plugin platforms.
#[derive(Debug, Parser)]
#[command(name = "sovereign", version, about)]
pub struct Cli {
    /// Treat a key in a plugin.json that looks like a mistake for one sovereign reads
    /// (`databse`) as an error, not a warning (as `strict = true` in sovereign.toml does).
    #[arg(long, global = true)]
    pub strict: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands of `sovereign`; the doc comment of each is its `--help`.
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
    /// Compose the platform schema from base.prisma and the shared plugins' extensions.
    ///
    /// Finds sovereign.toml from the current directory and writes the composed schema
    /// (platform/prisma/schema.prisma by default) atomically; on any error nothing is written.
    Compose {
        /// Do not write: exit 1 with a unified diff when the committed file is stale.
        #[arg(long)]
        check: bool,
    },
    /// Migrations of the platform's shared database (the composed schema and its migrations
    /// folder from sovereign.toml).
    Migrate {
        /// Which migration command.
        #[command(subcommand)]
        command: MigrateOrDiff,
    },
    /// Create something in the workspace: `sovereign new plugin <namespace> [--dedicated]`.
    New {
        /// What to create.
        #[command(subcommand)]
        what: NewCommand,
    },
    /// Browse and edit the platform's database in the browser (Sovereign Studio).
    ///
    /// Serves on 127.0.0.1 with a random token in the printed URL; runs until Ctrl-C.
    Studio(StudioArgs),
    /// Give each shared plugin a database login of its own (PostgreSQL, MySQL/MariaDB).
    ///
    /// The role reads the core tables, writes its plugin's and nothing else; its URL goes to
    /// the env file as `SOVEREIGN_<NAMESPACE>_DATABASE_URL`, which the platform connects the
    /// plugin with. Run it again after migrations: it grants new tables, revokes dropped ones,
    /// and changes nothing when nothing changed. The login of a plugin no longer in the
    /// workspace (its line in the env file, which stays) loses its grants and may no longer
    /// log in.
    Provision(provision::ProvisionArgs),
    /// Check every datasource of the workspace with the URLs the platform would use: reachable,
    /// migrations applied (none failed or edited), no drift from the schema, the composed
    /// schema current, plugin logins' grants matching their tables, uninstalled plugins' logins
    /// holding nothing. Exit 0 only when all is well.
    Doctor(doctor::DoctorArgs),
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

/// What `sovereign new` creates.
#[derive(Debug, Subcommand)]
pub enum NewCommand {
    /// A plugin crate in the plugins directory: plugin.json, Cargo.toml, build.rs, src/lib.rs
    /// (an example function and its test) and its schema; added to the cargo workspace's members
    /// and to the platform's dependencies, and composed.
    Plugin {
        /// Its namespace: the directory's name, lower-case letters, digits, `_` and `-`.
        namespace: String,
        /// Give it its own database, schema and migrations instead of extending the platform's.
        #[arg(long)]
        dedicated: bool,
    },
}

/// Options of the studio commands.
#[derive(Debug, clap::Args)]
pub struct StudioArgs {
    /// The database URL (default: the datasource's `url`, with `env()` read from the
    /// environment or `.env`).
    #[arg(long)]
    pub url: Option<String>,
    /// The port on 127.0.0.1 (default: a free one).
    #[arg(long)]
    pub port: Option<u16>,
    /// Open the studio in a browser.
    #[arg(long)]
    pub browser: bool,
}

/// The commands under `sovereign migrate`: those that work on the platform's database (shared
/// with `plugin-db-manage`, which runs them on a plugin's), and `diff`, which needs no
/// workspace.
#[derive(Debug, Subcommand)]
pub enum MigrateOrDiff {
    /// `deploy`, `status`, `dev`, `reset` and `resolve`, on the platform's database.
    #[command(flatten)]
    Db(migrate::MigrateCommand),
    /// Print the SQL between two schemas (or an empty database), like `prisma migrate diff`.
    Diff(migrate::DiffArgs),
}

/// Runs a parsed command line; the exit code follows the usual convention (0 ok, 1 failure).
///
/// # Errors
/// Whatever stops a command before it can report through its exit code: no workspace, an
/// unreadable file, a database that cannot be reached. The binary hands it to
/// [`output::report`], which prints it with its causes (URLs redacted) and exits 1.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let strict = cli.strict;
    match cli.command {
        Command::Validate { schema } => validate(&schema),
        Command::Format { check, paths } => format(&paths, check),
        Command::Compose { check } => compose(check, strict),
        Command::Studio(args) => platform_studio(args, strict),
        Command::Provision(args) => provision::platform(args, strict),
        Command::Doctor(args) => doctor::run(args, strict),
        Command::New {
            what:
                NewCommand::Plugin {
                    namespace,
                    dedicated,
                },
        } => new_plugin(&namespace, dedicated, strict),
        Command::Migrate { command } => match command {
            MigrateOrDiff::Diff(args) => migrate::diff(args),
            MigrateOrDiff::Db(cmd) => {
                let config = workspace_config(strict)?;
                if matches!(cmd, migrate::MigrateCommand::Dev { .. }) {
                    // `dev` migrates to the composed schema: never to a stale one.
                    compose_before_dev(&config)?;
                }
                let target = migrate::Target {
                    schema: config.schema.clone(),
                    migrations: config.migrations.clone(),
                };
                migrate::run(&target, cmd)
            }
        },
    }
}

/// The workspace around the current directory (`sovereign.toml` found by walking up), with
/// `--strict` added to its own `strict`.
///
/// # Errors
/// No workspace, or an invalid `sovereign.toml`.
pub fn workspace_config(strict: bool) -> Result<sovereign_workspace::Config> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let mut config = sovereign_workspace::Config::find(&cwd)?;
    config.strict |= strict;
    Ok(config)
}

fn read(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut sources = sovereign_schema::Sources::new();
    match sources.add_bytes(path.display().to_string(), bytes) {
        (_, None) => Ok(String::from_utf8_lossy(
            sources.get(sovereign_schema::FileId(0)).text().as_bytes(),
        )
        .into_owned()),
        (_, Some(diag)) => {
            // Rendered with file:line:column and the line, like any other diagnostic.
            anyhow::bail!("{}", diag.render(&sources).trim_end())
        }
    }
}

fn validate(path: &Path) -> Result<ExitCode> {
    let text = read(path)?;
    let name = path.display().to_string();
    match sovereign_schema::check(&name, &text) {
        Ok((schema, warnings)) => {
            if !warnings.diagnostics.is_empty() {
                err!("{}", warnings.render());
            }
            let what = if schema.datasource.is_some() {
                "schema"
            } else {
                "partial schema"
            };
            outln!(
                "The {what} at {name} is valid: {} models, {} enums, {} relations.",
                schema.models.len(),
                schema.enums.len(),
                schema.relations.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(report) => {
            err!("{}", report.render());
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
                err!("{}", report.render());
                failed = true;
            }
        }
    }
    for path in &changed {
        if check {
            outln!("would reformat {}", path.display());
        } else {
            outln!("formatted {}", path.display());
        }
    }
    if failed || (check && !changed.is_empty()) {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes to a temporary file beside `path`, then renames it over `path`, so a reader never
/// sees a half-written file.
///
/// # Errors
/// The directory is not writable, or the rename fails; `path` is then unchanged.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    sovereign_build::write_atomically(path, bytes)?;
    Ok(())
}

fn compose(check: bool, strict: bool) -> Result<ExitCode> {
    let config = workspace_config(strict)?;
    let composition = match sovereign_build::compose_workspace(&config) {
        Ok(c) => c,
        Err(sovereign_build::Error::Diagnostics(report)) => {
            err!("{}", report.render());
            let errors = report.diagnostics.iter().filter(|d| d.is_error()).count();
            let found = format!(
                "the workspace's schemas have {errors} error{} (above)",
                if errors == 1 { "" } else { "s" }
            );
            if check {
                errln!("compose --check: {found}, so the composed schema cannot be made to compare with {}", config.display(&config.schema));
            } else {
                errln!(
                    "{found}: {} was left as it was",
                    config.display(&config.schema)
                );
            }
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    for w in &composition.warnings {
        // Rendered diagnostics say "warning:" themselves; discovery's notes do not.
        let w = w.trim_end();
        if w.starts_with("warning") {
            errln!("{w}");
        } else {
            errln!("warning: {w}");
        }
    }
    let path = config.display(&config.schema);
    let text = &composition.composed.text;
    let committed = std::fs::read_to_string(&config.schema).ok();
    let plugins = composition.composed.plugins.len();
    let composed_from = format!(
        "base schema and {plugins} shared plugin{}",
        if plugins == 1 { "" } else { "s" }
    );
    if check {
        if committed.as_deref() == Some(text.as_str()) {
            outln!("{path} is up to date (the {composed_from})");
            return Ok(ExitCode::SUCCESS);
        }
        out!(
            "{}",
            sovereign_build::unified_diff(&path, committed.as_deref().unwrap_or(""), text)
        );
        let changes = sovereign_build::composition_changes(committed.as_deref(), text);
        errln!(
            "{path} is out of date with the {composed_from}: {}; run `sovereign compose` and commit the result",
            changes.join("; ")
        );
        return Ok(ExitCode::from(1));
    }
    if committed.as_deref() != Some(text.as_str()) {
        if let Some(dir) = config.schema.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        write_atomically(&config.schema, text.as_bytes())?;
        outln!("wrote {path}");
    } else {
        outln!("{path} is up to date");
    }
    let composed = &composition.composed.plugins;
    if composed.is_empty() {
        outln!("composed: no shared plugins");
    } else {
        outln!("composed: {}", composed.join(", "));
    }
    if !composition.dedicated.is_empty() {
        outln!("skipped (dedicated): {}", composition.dedicated.join(", "));
    }
    for b in &composition.composed.back_relations {
        outln!(
            "added {}.{} (the other side of {}.{}, plugin \"{}\")",
            b.model,
            b.field,
            b.from_model,
            b.from_field,
            b.plugin
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Composes the platform schema when the committed one is out of date with the plugins, and
/// says so; `migrate dev` then plans from what the plugins declare, not from a stale file.
///
/// # Errors
/// The workspace's schemas have errors (nothing is migrated), or the file cannot be written.
fn compose_before_dev(config: &sovereign_workspace::Config) -> Result<()> {
    let composition = match sovereign_build::compose_workspace(config) {
        Ok(c) => c,
        Err(sovereign_build::Error::Diagnostics(report)) => {
            err!("{}", report.render());
            anyhow::bail!(
                "the workspace's schemas have errors (above): fix them, then run `migrate dev` again; nothing was migrated"
            );
        }
        Err(e) => return Err(e.into()),
    };
    let path = config.display(&config.schema);
    let text = &composition.composed.text;
    let committed = std::fs::read_to_string(&config.schema).ok();
    if committed.as_deref() == Some(text.as_str()) {
        return Ok(());
    }
    let changes = sovereign_build::composition_changes(committed.as_deref(), text);
    if let Some(dir) = config.schema.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    write_atomically(&config.schema, text.as_bytes())?;
    outln!(
        "Composed {path} first: it was out of date with the plugins ({}). Commit it with the migration.",
        changes.join("; ")
    );
    Ok(())
}

fn new_plugin(ns: &str, dedicated: bool, strict: bool) -> Result<ExitCode> {
    let config = workspace_config(strict)?;
    let made = new::plugin(&config, ns, dedicated)?;
    let mode = if dedicated { "dedicated" } else { "shared" };
    outln!(
        "created plugin \"{ns}\" ({mode}, package {}): {}",
        made.package,
        made.files.join(", ")
    );
    if !made.edited.is_empty() {
        outln!("added it to {}", made.edited.join(" and "));
    }
    // The composed schema names every plugin (a dedicated one in its header).
    let composed = compose(false, strict)?;
    if composed != ExitCode::SUCCESS {
        errln!("the plugin was created, but the workspace did not compose: fix the errors above, then run `sovereign compose`");
        return Ok(composed);
    }
    outln!();
    outln!("Register it in the platform (its main.rs, after the host connects):");
    outln!(
        "    let {} = host.register::<{}::{}>().await?;",
        ns.replace('-', "_"),
        made.krate,
        made.type_name
    );
    outln!("Its test: cargo test -p {}", made.package);
    outln!();
    outln!("Next, create its first migration and run the platform:");
    match &made.url_variable {
        Some(var) => outln!("    {var}=file:./dev.db plugin-db-manage migrate {ns} --name init"),
        None => outln!("    DATABASE_URL=file:./dev.db sovereign migrate dev --name add-{ns}"),
    }
    match &made.platform {
        Some(p) => outln!("    cargo run -p {p}"),
        None => outln!("    cargo run"),
    }
    Ok(ExitCode::SUCCESS)
}

fn platform_studio(args: StudioArgs, strict: bool) -> Result<ExitCode> {
    let config = workspace_config(strict)?;
    let schema = config.schema.clone();
    let url = args.url;
    studio::serve(
        config.display(&config.schema),
        async move {
            let (database, catalog) = studio::open(&schema, url).await?;
            Ok(vec![studio::Source {
                label: "Platform".into(),
                database,
                catalog,
                visible: None,
                writable: None,
                read_only_reason: String::new(),
            }])
        },
        studio::ServeOptions {
            port: args.port,
            browser: args.browser,
        },
    )
}
