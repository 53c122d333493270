//! `plugin-db-manage <command> <namespace>`: migrations of a dedicated plugin's own database.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use sovereign_cli::migrate::{self, MigrateCommand};
use std::process::ExitCode;

/// Manage the database of a dedicated plugin (its prisma/schema.prisma and prisma/migrations).
#[derive(Debug, Parser)]
#[command(name = "plugin-db-manage", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Apply the plugin's pending migrations.
    Deploy {
        /// The plugin's namespace (its directory under the plugins folder).
        namespace: String,
        #[command(flatten)]
        url: migrate::UrlArg,
    },
    /// Show the plugin's pending, failed and edited migrations; exit 1 when anything needs attention.
    Status {
        namespace: String,
        #[command(flatten)]
        url: migrate::UrlArg,
    },
    /// Create the plugin's next migration from its schema changes and apply it (a shadow
    /// database replays the history first; drift is refused).
    Migrate {
        namespace: String,
        #[command(flatten)]
        url: migrate::UrlArg,
        /// The migration's name (required when stdin is not a terminal).
        #[arg(long)]
        name: Option<String>,
        /// Write the migration without applying it.
        #[arg(long)]
        create_only: bool,
        /// Allow steps that lose data.
        #[arg(long)]
        accept_data_loss: bool,
    },
    /// Drop everything in the plugin's database and apply its migrations again.
    Reset {
        namespace: String,
        #[command(flatten)]
        url: migrate::UrlArg,
        /// Do not ask for confirmation (required when stdin is not a terminal).
        #[arg(long)]
        force: bool,
    },
    /// Settle a failed migration of the plugin.
    Resolve {
        namespace: String,
        #[command(flatten)]
        url: migrate::UrlArg,
        #[command(flatten)]
        how: migrate::ResolveArgs,
    },
}

fn run(cli: Cli) -> Result<ExitCode> {
    let (ns, cmd) = match cli.command {
        Command::Deploy { namespace, url } => (namespace, MigrateCommand::Deploy(url)),
        Command::Status { namespace, url } => (namespace, MigrateCommand::Status(url)),
        Command::Migrate {
            namespace,
            url,
            name,
            create_only,
            accept_data_loss,
        } => (
            namespace,
            MigrateCommand::Dev {
                url,
                name,
                create_only,
                accept_data_loss,
            },
        ),
        Command::Reset {
            namespace,
            url,
            force,
        } => (namespace, MigrateCommand::Reset { url, force }),
        Command::Resolve {
            namespace,
            url,
            how,
        } => (namespace, MigrateCommand::Resolve { url, how }),
    };
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let config = sovereign_build::Config::find(&cwd)?;
    let composition = sovereign_build::compose_workspace(&config)?;
    let Some(plugin) = composition
        .plugins
        .iter()
        .find(|p| p.manifest.namespace == ns)
    else {
        let known: Vec<&str> = composition
            .plugins
            .iter()
            .map(|p| p.manifest.namespace.as_str())
            .collect();
        bail!(
            "no plugin \"{ns}\" in {} (plugins: {})",
            config.display(&config.plugins_dir),
            known.join(", ")
        );
    };
    let Some(schema) = &plugin.schema else {
        bail!(
            "plugin \"{ns}\" is shared: its data lives in the platform's database; use `sovereign migrate` (or set \"mode\": \"dedicated\" in its plugin.json)"
        );
    };
    let target = migrate::Target {
        schema: schema.clone(),
        migrations: plugin.dir.join("prisma/migrations"),
    };
    migrate::run(&target, cmd)
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(1)
        }
    }
}
