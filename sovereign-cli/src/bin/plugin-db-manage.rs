//! `plugin-db-manage <command> <namespace>`: migrations of a dedicated plugin's own database.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use sovereign_cli::migrate::{self, MigrateCommand};
use sovereign_cli::{errln, outln};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

/// Manage the database of a dedicated plugin (its prisma/schema.prisma and prisma/migrations).
#[derive(Debug, Parser)]
#[command(name = "plugin-db-manage", version)]
struct Cli {
    /// Treat a key in a plugin.json that looks like a mistake for one sovereign reads
    /// (`databse`) as an error, not a warning (as `strict = true` in sovereign.toml does).
    #[arg(long, global = true)]
    strict: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write the plugin's generated Rust client to a file to commit, for a crate without a build
    /// script (one calling `sovereign_build::plugin()` generates it on every build instead). The
    /// schema and migrations are embedded by paths relative to the file, so it builds on any
    /// machine; generate it again after a schema change or a new migration.
    Generate {
        namespace: String,
        /// Where to write: default the schema's `generator` block `output` (relative to the
        /// schema), else `<plugin>/src/sovereign_client.rs`.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Apply the plugin's pending migrations, under the migration lock.
    ///
    /// When the database's provider differs from the one the migrations were written for, the
    /// schema is pushed instead (as the platform does at start-up): steps that lose data are
    /// refused unless --accept-data-loss, and tables the schema does not name are left alone.
    Deploy {
        /// The plugin's namespace (its directory under the plugins folder).
        namespace: String,
        #[command(flatten)]
        url: migrate::UrlArg,
        /// When the schema is pushed, allow steps that lose data.
        #[arg(long)]
        accept_data_loss: bool,
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
    /// Print the SQL from the plugin's database to its schema (what `migrate` would write).
    Diff {
        namespace: String,
        #[command(flatten)]
        url: migrate::UrlArg,
        /// Print the SQL script instead of a summary.
        #[arg(long)]
        script: bool,
        /// Exit 2 when there is a difference, 0 when there is none.
        #[arg(long)]
        exit_code: bool,
    },
    /// Browse and edit the plugin's data in the browser (Sovereign Studio): a dedicated
    /// plugin's own database beside the core tables, or a shared plugin's models in the
    /// platform's database; core models are read-only.
    Studio {
        namespace: String,
        #[command(flatten)]
        args: sovereign_cli::StudioArgs,
        /// The platform database's URL, for the core tables beside a dedicated plugin's own
        /// (default: the platform datasource's `url`).
        #[arg(long)]
        core_url: Option<String>,
    },
    /// Give a dedicated plugin a database (or, with --schema, a schema) of its own on a
    /// PostgreSQL or MySQL server, owned by a login of its own, and a read-only login on the
    /// platform database for its core tables; both URLs go to the env file (mode 0600).
    Provision {
        namespace: String,
        #[command(flatten)]
        args: sovereign_cli::provision::DedicatedArgs,
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

/// `--strict`, for every command that reads the workspace.
static STRICT: AtomicBool = AtomicBool::new(false);

fn run(cli: Cli) -> Result<ExitCode> {
    STRICT.store(cli.strict, Ordering::Relaxed);
    let (ns, cmd) = match cli.command {
        Command::Generate { namespace, out } => return generate(&namespace, out),
        Command::Provision { namespace, args } => {
            return sovereign_cli::provision::dedicated(
                &namespace,
                args,
                STRICT.load(Ordering::Relaxed),
            )
        }
        Command::Studio {
            namespace,
            args,
            core_url,
        } => return studio(&namespace, args, core_url),
        Command::Diff {
            namespace,
            url,
            script,
            exit_code,
        } => return diff(&namespace, url, script, exit_code),
        Command::Deploy {
            namespace,
            url,
            accept_data_loss,
        } => (
            namespace,
            MigrateCommand::Deploy {
                url,
                accept_data_loss,
            },
        ),
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
    let (dir, schema) = dedicated_plugin(&ns)?;
    let target = migrate::Target {
        schema,
        migrations: dir.join("prisma/migrations"),
    };
    migrate::run(&target, cmd)
}

/// Writes the plugin's client; prints where.
fn generate(ns: &str, out: Option<std::path::PathBuf>) -> Result<ExitCode> {
    let (dir, schema) = dedicated_plugin(ns)?;
    let out = match out {
        Some(o) => o,
        None => {
            let loaded = migrate::load_schema(&schema)?;
            let output = loaded.generators.iter().find_map(|g| g.output.clone());
            match output {
                Some(o) => {
                    let p = schema.parent().unwrap_or(std::path::Path::new(".")).join(o);
                    if p.extension().is_some_and(|e| e == "rs") {
                        p
                    } else {
                        p.join("sovereign_client.rs")
                    }
                }
                None => dir.join("src").join("sovereign_client.rs"),
            }
        }
    };
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    // Paths relative to the file: it is committed and builds on other machines.
    let text = sovereign_build::generate_for_file_at(
        &schema,
        sovereign_build::ClientOptions::default(),
        &out,
    )?;
    let changed = sovereign_build::write_if_changed(&out, text.as_bytes())?;
    outln!(
        "{} {} ({} bytes) from {}",
        if changed { "wrote" } else { "unchanged:" },
        out.display(),
        text.len(),
        schema.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// From the plugin's live database to its schema.
fn diff(ns: &str, url: migrate::UrlArg, script: bool, exit_code: bool) -> Result<ExitCode> {
    let (_, schema) = dedicated_plugin(ns)?;
    let url = match url.url {
        Some(u) => u,
        None => {
            let loaded = migrate::load_schema(&schema)?;
            let ds = loaded
                .datasource
                .as_ref()
                .context("the plugin's schema has no datasource")?;
            sovereign_migrate::resolve_url(&ds.url, &schema).map_err(anyhow::Error::msg)?
        }
    };
    migrate::diff(migrate::DiffArgs {
        from_empty: false,
        from_schema: None,
        from_url: Some(url),
        from_migrations: None,
        shadow_database_url: None,
        to_schema: Some(schema),
        to_url: None,
        to_empty: false,
        script,
        exit_code,
    })
}

/// The studio of plugin `ns`: its own models editable, the core ones read-only.
fn studio(ns: &str, args: sovereign_cli::StudioArgs, core_url: Option<String>) -> Result<ExitCode> {
    use sovereign_cli::studio;
    let config = sovereign_cli::workspace_config(STRICT.load(Ordering::Relaxed))?;
    let composition = sovereign_build::compose_workspace(&config)?;
    let plugin = find_plugin(&config, &composition, ns)?;
    let read_only = format!("plugin \"{ns}\" reads core tables; only the platform writes them");
    let options = studio::ServeOptions {
        port: args.port,
        browser: args.browser,
    };
    let platform_schema = config.schema.clone();
    let title = format!("plugin {ns}");
    // Of the composed schema: the core models and this plugin's own, never another plugin's.
    let visible = studio::plugin_models(&composition.composed, ns);
    match plugin.schema.clone() {
        Some(schema) => studio::serve(
            title,
            async move {
                let (database, catalog) = studio::open(&schema, args.url).await?;
                let mut sources = vec![studio::Source {
                    label: format!("Plugin {ns}"),
                    database,
                    catalog,
                    visible: None,
                    writable: None,
                    read_only_reason: String::new(),
                }];
                match studio::open(&platform_schema, core_url).await {
                    Ok((database, catalog)) => sources.push(studio::Source {
                        label: "Core (read-only)".into(),
                        database,
                        catalog,
                        visible: Some(visible),
                        writable: Some(Vec::new()),
                        read_only_reason: read_only,
                    }),
                    Err(e) => errln!(
                        "note: the core tables are not shown: {e:#} (give --core-url to show them)"
                    ),
                }
                Ok(sources)
            },
            options,
        ),
        None => {
            let own: Vec<String> = composition
                .composed
                .owners
                .iter()
                .filter(|(_, owner)| owner.as_str() == ns)
                .map(|(block, _)| block.clone())
                .collect();
            studio::serve(
                title,
                async move {
                    let (database, catalog) = studio::open(&platform_schema, args.url).await?;
                    Ok(vec![studio::Source {
                        label: format!("Plugin {ns} (shared database)"),
                        database,
                        catalog,
                        visible: Some(visible),
                        writable: Some(own),
                        read_only_reason: read_only,
                    }])
                },
                options,
            )
        }
    }
}

fn find_plugin<'a>(
    config: &sovereign_workspace::Config,
    composition: &'a sovereign_build::Composition,
    ns: &str,
) -> Result<&'a sovereign_workspace::Plugin> {
    composition
        .plugins
        .iter()
        .find(|p| p.manifest.namespace == ns)
        .with_context(|| {
            let known: Vec<&str> = composition
                .plugins
                .iter()
                .map(|p| p.manifest.namespace.as_str())
                .collect();
            format!(
                "no plugin \"{ns}\" in {} (plugins: {})",
                config.display(&config.plugins_dir),
                known.join(", ")
            )
        })
}

/// The directory and schema of dedicated plugin `ns`; a shared plugin is refused, saying why.
fn dedicated_plugin(ns: &str) -> Result<(std::path::PathBuf, std::path::PathBuf)> {
    let config = sovereign_cli::workspace_config(STRICT.load(Ordering::Relaxed))?;
    let composition = sovereign_build::compose_workspace(&config)?;
    let plugin = find_plugin(&config, &composition, ns)?;
    let Some(schema) = &plugin.schema else {
        bail!(
            "plugin \"{ns}\" is shared: the platform manages its migrations; use `sovereign migrate dev|deploy|status` (or set \"mode\": \"dedicated\" in its plugin.json)"
        );
    };
    Ok((plugin.dir.clone(), schema.clone()))
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(err) => sovereign_cli::output::report(&err),
    }
}
