//! `sovereign migrate ...` and `plugin-db-manage ...`: deploy, status, resolve and diff, for the
//! platform's shared database or one dedicated plugin's database.

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use sovereign_migrate::{Dialect, Migration, Resolution};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The migration commands as `sovereign migrate <command>` parses them (the doc comment of each
/// is its `--help`). `plugin-db-manage` parses its own forms, with a namespace and `dev` called
/// `migrate`, and runs them through [`run`] too, on a dedicated plugin's database.
#[derive(Debug, Subcommand)]
pub enum MigrateCommand {
    /// Apply the pending migrations, under the migration lock (Prisma's advisory lock on
    /// PostgreSQL and MySQL, a file lock on SQLite).
    ///
    /// When the database's provider differs from the one the migrations were written for, the
    /// schema is pushed instead (as the platform does at start-up): steps that lose data are
    /// refused unless --accept-data-loss, and tables the schema does not name are left alone.
    Deploy {
        /// The database and the lock timeout.
        #[command(flatten)]
        url: UrlArg,
        /// When the schema is pushed, allow steps that lose data.
        #[arg(long)]
        accept_data_loss: bool,
    },
    /// Show pending, failed and edited migrations; exit 1 when anything needs attention.
    Status(UrlArg),
    /// Create a migration from the schema changes, after replaying the history in a shadow
    /// database and checking the development database for drift; then apply it.
    Dev {
        /// The development database and the lock timeout.
        #[command(flatten)]
        url: UrlArg,
        /// The migration's name (required when stdin is not a terminal).
        #[arg(long)]
        name: Option<String>,
        /// Write the migration without applying it.
        #[arg(long)]
        create_only: bool,
        /// Allow steps that lose data (dropping non-empty tables or columns, narrowing types).
        #[arg(long)]
        accept_data_loss: bool,
    },
    /// Drop everything in the database and apply every migration again.
    Reset {
        /// The database and the lock timeout.
        #[command(flatten)]
        url: UrlArg,
        /// Do not ask for confirmation (required when stdin is not a terminal).
        #[arg(long)]
        force: bool,
    },
    /// Settle a failed migration: record it as applied, or as rolled back.
    Resolve {
        /// The database and the lock timeout.
        #[command(flatten)]
        url: UrlArg,
        /// Which migration, and how it ended.
        #[command(flatten)]
        how: ResolveArgs,
    },
}

/// The options every command that talks to a database takes: which database, and how long to
/// wait for another process's migration lock.
#[derive(Debug, Args)]
pub struct UrlArg {
    /// The database URL (default: the datasource's `url`, with `env()` read from the environment
    /// or `.env`).
    #[arg(long)]
    pub url: Option<String>,
    /// Seconds to wait for the migration lock another deploy holds (default: 10, as Prisma).
    #[arg(long, value_name = "SECONDS", env = sovereign_migrate::lock::LOCK_TIMEOUT_ENV)]
    pub lock_timeout: Option<f64>,
}

impl UrlArg {
    /// The lock timeout as options.
    fn options(&self) -> Result<sovereign_migrate::MigrateOptions> {
        let mut o = sovereign_migrate::MigrateOptions::default();
        if let Some(secs) = self.lock_timeout {
            if !(secs.is_finite() && (0.0..=86_400.0).contains(&secs)) {
                bail!("--lock-timeout takes a number of seconds between 0 and 86400, not {secs}");
            }
            o = o.lock_timeout(std::time::Duration::from_secs_f64(secs));
        }
        Ok(o)
    }
}

/// `resolve`'s choice: exactly one of `--applied` and `--rolled-back`, each naming a migration.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct ResolveArgs {
    /// Record this migration as applied (you finished it by hand).
    #[arg(long, value_name = "NAME")]
    pub applied: Option<String>,
    /// Record this failed migration as rolled back (it runs again on the next deploy).
    #[arg(long, value_name = "NAME")]
    pub rolled_back: Option<String>,
}

/// `diff`: the SQL between two states, like `prisma migrate diff`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("from").required(true).args(["from_empty", "from_schema", "from_url", "from_migrations"])))]
#[command(group(clap::ArgGroup::new("to").required(true).args(["to_empty", "to_schema", "to_url"])))]
pub struct DiffArgs {
    /// Start from an empty database.
    #[arg(long)]
    pub from_empty: bool,
    /// Start from this schema.
    #[arg(long, value_name = "PATH")]
    pub from_schema: Option<PathBuf>,
    /// Start from this live database.
    #[arg(long, value_name = "URL")]
    pub from_url: Option<String>,
    /// Start from this migrations folder, replayed in a shadow database.
    #[arg(long, value_name = "DIR")]
    pub from_migrations: Option<PathBuf>,
    /// The database to replay `--from-migrations` in (PostgreSQL, MySQL; SQLite uses memory).
    #[arg(long, value_name = "URL")]
    pub shadow_database_url: Option<String>,
    /// End at this schema.
    #[arg(long, value_name = "PATH")]
    pub to_schema: Option<PathBuf>,
    /// End at this live database.
    #[arg(long, value_name = "URL")]
    pub to_url: Option<String>,
    /// End at an empty database.
    #[arg(long)]
    pub to_empty: bool,
    /// Print the SQL script instead of a summary.
    #[arg(long)]
    pub script: bool,
    /// Exit 2 when there is a difference, 0 when there is none (1 on errors).
    #[arg(long)]
    pub exit_code: bool,
}

/// A schema file and the migrations folder that belongs to it.
pub struct Target {
    /// The schema file: its datasource names the database, its models are what `dev` migrates
    /// to.
    pub schema: PathBuf,
    /// The migrations folder (`migrations/<name>/migration.sql` and `migration_lock.toml`).
    pub migrations: PathBuf,
}

/// Reads and checks a schema file.
///
/// # Errors
/// The file cannot be read, or the schema has errors (rendered with file:line:column).
pub fn load_schema(path: &Path) -> Result<sovereign_schema::Schema> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    match sovereign_schema::check(&path.display().to_string(), &text) {
        Ok((schema, _)) => Ok(schema),
        Err(report) => bail!("{}", report.render().trim_end()),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Runs a migration command on the database of `target`'s schema; the exit code is 1 when a
/// command reports a problem it could describe (pending migrations for `status`, drift, ...).
///
/// # Errors
/// A schema that does not check or has no datasource, a provider without migrations (SQL
/// Server, MongoDB), an unreadable migrations folder or lock file, a database that cannot be
/// reached, and a migration that fails.
pub fn run(target: &Target, cmd: MigrateCommand) -> Result<ExitCode> {
    let schema = load_schema(&target.schema)?;
    let Some(ds) = &schema.datasource else {
        bail!("{} has no datasource block", target.schema.display());
    };
    if Dialect::of(ds.provider).is_none() {
        bail!("migrations for provider \"{}\" are not supported (sqlite, postgresql, cockroachdb and mysql are)", ds.provider);
    }
    sovereign_migrate::folder::check_lock(&target.migrations, ds.provider)?;
    let migrations = sovereign_migrate::read_migrations(&target.migrations)?;
    let url_arg = match &cmd {
        MigrateCommand::Deploy { url, .. } | MigrateCommand::Status(url) => url,
        MigrateCommand::Reset { url, .. } | MigrateCommand::Dev { url, .. } => url,
        MigrateCommand::Resolve { url, .. } => url,
    };
    let options = url_arg.options()?;
    let url = match url_arg.url.clone() {
        Some(u) => u,
        None => {
            sovereign_migrate::resolve_url(&ds.url, &target.schema).map_err(anyhow::Error::msg)?
        }
    };
    if let MigrateCommand::Reset { force: false, .. } = &cmd {
        confirm_reset(&url)?;
    }
    // A database of another provider than the migrations': they cannot run there, and the
    // schema is pushed instead, by the same rule as the platform's runtime.
    let provider = ds.provider;
    let pushed = Dialect::of_url(&url).is_some_and(|d| Some(d) != Dialect::of(provider));
    runtime()?.block_on(async move {
        let mut conn = sovereign_migrate::Connection::connect(&url).await?;
        // A multi-schema datasource is read in its namespaces (PostgreSQL's `schemas`).
        conn.set_namespaces(sovereign_migrate::sql_schema(&schema, conn.dialect()).namespaces);
        if pushed {
            return push_instead(&mut conn, &schema, cmd, options, provider).await;
        }
        match cmd {
            MigrateCommand::Deploy { .. } => {
                deploy(&mut conn, &migrations, &target.migrations, &options).await
            }
            MigrateCommand::Status(_) => status(&mut conn, &url, &migrations).await,
            MigrateCommand::Dev {
                name,
                create_only,
                accept_data_loss,
                ..
            } => {
                dev(DevArgs {
                    conn: &mut conn,
                    url: &url,
                    schema: &schema,
                    migrations: &migrations,
                    dir: &target.migrations,
                    name,
                    create_only,
                    accept_data_loss,
                    options,
                })
                .await
            }
            MigrateCommand::Reset { .. } => {
                let report =
                    sovereign_migrate::reset_with(&mut conn, &migrations, &options).await?;
                outln!(
                    "Database reset: everything dropped, {} migration{} applied.",
                    report.applied.len(),
                    if report.applied.len() == 1 { "" } else { "s" }
                );
                Ok(ExitCode::SUCCESS)
            }
            MigrateCommand::Resolve { how, .. } => {
                let (name, how) = match (how.applied, how.rolled_back) {
                    (Some(n), _) => (n, Resolution::Applied),
                    (_, Some(n)) => (n, Resolution::RolledBack),
                    _ => bail!("give --applied NAME or --rolled-back NAME"),
                };
                sovereign_migrate::resolve_with(&mut conn, &migrations, &name, how, &options)
                    .await?;
                let what = if how == Resolution::Applied {
                    "applied"
                } else {
                    "rolled back"
                };
                outln!("Migration {name} marked as {what}.");
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}

/// The commands on a database whose provider differs from the migrations'.
async fn push_instead(
    conn: &mut sovereign_migrate::Connection,
    schema: &sovereign_schema::Schema,
    cmd: MigrateCommand,
    options: sovereign_migrate::MigrateOptions,
    provider: sovereign_schema::model::Provider,
) -> Result<ExitCode> {
    let dialect = conn.dialect();
    let db = match dialect {
        Dialect::Sqlite => "SQLite",
        Dialect::Postgres => "PostgreSQL",
        Dialect::Mysql => "MySQL",
    };
    let target = sovereign_migrate::sql_schema(schema, dialect);
    match cmd {
        MigrateCommand::Deploy {
            accept_data_loss, ..
        } => {
            let report = sovereign_migrate::push(
                conn,
                &target,
                &options.accept_data_loss(accept_data_loss),
            )
            .await?;
            outln!(
                "The migrations are written for {provider} and the database is {db}: the schema was pushed instead."
            );
            match report.statements {
                0 => outln!("The database already matches the schema."),
                n => outln!("Ran {n} statement{}.", if n == 1 { "" } else { "s" }),
            }
            for w in &report.accepted {
                outln!("Data loss accepted: {w}");
            }
            if !report.kept.is_empty() {
                outln!(
                    "Left alone (not in the schema): {}",
                    report.kept.join(", ")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        MigrateCommand::Status(_) => {
            let plan = sovereign_migrate::push::plan(conn, &target).await?;
            let (script, checks, kept) = (plan.script(dialect), plan.checks, plan.kept);
            outln!(
                "The migrations are written for {provider} and the database is {db}: `deploy` pushes the schema instead of applying them."
            );
            if !kept.is_empty() {
                outln!("Not in the schema (left alone): {}", kept.join(", "));
            }
            if script.is_empty() {
                outln!("The database matches the schema.");
                return Ok(ExitCode::SUCCESS);
            }
            outln!("The database differs from the schema; `deploy` would run:");
            out!("{script}");
            for w in &checks.warnings {
                outln!("Loses data (refused without --accept-data-loss): {w}");
            }
            for u in &checks.unexecutable {
                outln!("Cannot run on the current data: {u}");
            }
            Ok(ExitCode::from(1))
        }
        MigrateCommand::Reset { .. } => {
            let lock = conn.lock(options.lock_timeout).await?;
            let dropped = conn.drop_everything().await;
            conn.unlock(lock).await?;
            dropped?;
            let report = sovereign_migrate::push(conn, &target, &options).await?;
            outln!(
                "Database reset: everything dropped and the schema pushed ({} statements; the migrations are for {provider}, the database is {db}).",
                report.statements
            );
            Ok(ExitCode::SUCCESS)
        }
        MigrateCommand::Dev { .. } | MigrateCommand::Resolve { .. } => bail!(
            "the migrations are written for {provider} and this database is {db}: migrations cannot be made or resolved here. Use a {provider} database (its URL in --url or the datasource's variable), or `deploy`, which pushes the schema to a {db} database"
        ),
    }
}

struct DevArgs<'a> {
    conn: &'a mut sovereign_migrate::Connection,
    url: &'a str,
    schema: &'a sovereign_schema::Schema,
    migrations: &'a [Migration],
    dir: &'a Path,
    name: Option<String>,
    create_only: bool,
    accept_data_loss: bool,
    options: sovereign_migrate::MigrateOptions,
}

async fn dev(args: DevArgs<'_>) -> Result<ExitCode> {
    let dialect = args.conn.dialect();
    let target = sovereign_migrate::sql_schema(args.schema, dialect);
    let mut shadow = sovereign_migrate::dev::Shadow::create(args.url, dialect).await?;
    let planned =
        sovereign_migrate::dev::plan(args.conn, &mut shadow.conn, args.migrations, &target).await;
    // The shadow database goes away whatever happened.
    shadow.drop().await?;
    let plan = planned?;
    if !plan.drift.is_empty() {
        errln!("Drift detected: the database schema is not in sync with the migration history:");
        for d in &plan.drift {
            errln!("  {d}");
        }
        bail!("resolve the drift first: `migrate reset --force` drops all data and reapplies the history");
    }
    let report =
        sovereign_migrate::deploy_with(args.conn, args.migrations, &args.options, &mut |_| {})
            .await?;
    for name in &report.applied {
        outln!("Applied pending migration {name}");
    }
    if plan.script.is_empty() {
        outln!("Already in sync, no schema change or pending migration was found.");
        return Ok(ExitCode::SUCCESS);
    }
    if !plan.unexecutable.is_empty() {
        errln!("The migration cannot be executed on the current data:");
        for u in &plan.unexecutable {
            errln!("  - {u}");
        }
        bail!("nothing was written; add a default value, make the field optional, or fix the data first");
    }
    if !plan.warnings.is_empty() && !args.accept_data_loss {
        errln!("The migration would lose data:");
        for w in &plan.warnings {
            errln!("  - {w}");
        }
        bail!("nothing was written; pass --accept-data-loss to create it anyway");
    }
    let name = match args.name {
        Some(n) => n,
        None => ask_name()?,
    };
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let folder = args.dir.join(sovereign_migrate::folder::next_folder_name(
        secs,
        &name,
        args.migrations,
    ));
    std::fs::create_dir_all(&folder)
        .with_context(|| format!("cannot create {}", folder.display()))?;
    let lock = args.dir.join(sovereign_migrate::folder::LOCK_FILE);
    if !lock.exists() {
        crate::write_atomically(
            &lock,
            sovereign_migrate::folder::lock_file_text(args.schema.provider()).as_bytes(),
        )?;
    }
    crate::write_atomically(
        &folder.join("migration.sql"),
        plan.migration_sql().as_bytes(),
    )?;
    outln!("Created {}", folder.join("migration.sql").display());
    if args.create_only {
        outln!("Not applied (--create-only): run `migrate deploy` or `migrate dev` to apply it.");
        return Ok(ExitCode::SUCCESS);
    }
    let all = sovereign_migrate::read_migrations(args.dir)?;
    let report =
        sovereign_migrate::deploy_with(args.conn, &all, &args.options, &mut |_| {}).await?;
    for name in &report.applied {
        outln!("Applied {name}");
    }
    Ok(ExitCode::SUCCESS)
}

fn ask_name() -> Result<String> {
    use std::io::{BufRead, IsTerminal, Write};
    if !std::io::stdin().is_terminal() {
        bail!("give the migration a name with --name (stdin is not a terminal)");
    }
    out!("Name of the new migration: ");
    std::io::stdout().flush().ok();
    let mut name = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut name)
        .context("cannot read the name")?;
    let name = name.trim().to_string();
    if name.is_empty() {
        bail!("a migration needs a name");
    }
    Ok(name)
}

/// Asks before dropping data; never waits for input that cannot come.
fn confirm_reset(url: &str) -> Result<()> {
    use std::io::{BufRead, IsTerminal, Write};
    let shown = sovereign_migrate::url::redact(url);
    if !std::io::stdin().is_terminal() {
        bail!(
            "reset drops all data in {shown}; stdin is not a terminal, so pass --force to confirm"
        );
    }
    out!("Reset drops all data in {shown}. Continue? [y/N] ");
    std::io::stdout().flush().ok();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .context("cannot read the answer")?;
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        bail!("reset cancelled")
    }
}

async fn deploy(
    conn: &mut sovereign_migrate::Connection,
    migrations: &[Migration],
    dir: &Path,
    options: &sovereign_migrate::MigrateOptions,
) -> Result<ExitCode> {
    // Progress on stderr, only for a person watching; stdout stays a plain summary.
    let interactive = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let mut progress = |p: sovereign_migrate::Progress<'_>| {
        if interactive {
            errln!("Applying {}/{}: {}", p.current, p.pending, p.migration);
        }
    };
    let report = sovereign_migrate::deploy_with(conn, migrations, options, &mut progress).await?;
    for name in &report.edited {
        errln!("warning: migration {name} was modified after it was applied");
    }
    if report.applied.is_empty() {
        outln!(
            "No pending migrations to apply ({} in {}).",
            migrations.len(),
            dir.display()
        );
    } else {
        outln!(
            "Applied {} migration{}:",
            report.applied.len(),
            if report.applied.len() == 1 { "" } else { "s" }
        );
        for name in &report.applied {
            outln!("  {name}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn status(
    conn: &mut sovereign_migrate::Connection,
    url: &str,
    migrations: &[Migration],
) -> Result<ExitCode> {
    let st = sovereign_migrate::status(conn, migrations).await?;
    outln!(
        "{} migration{} found.",
        migrations.len(),
        if migrations.len() == 1 { "" } else { "s" }
    );
    let list = |title: &str, names: &[String]| {
        if !names.is_empty() {
            outln!("{title}:");
            for n in names {
                outln!("  {n}");
            }
        }
    };
    list("Not yet applied", &st.pending);
    list(
        "Failed (run `resolve --applied` or `resolve --rolled-back`)",
        &st.failed,
    );
    list("Modified after they were applied", &st.edited);
    list(
        "Applied to the database but missing from the migrations folder",
        &st.missing_locally,
    );
    if st.needs_attention() {
        return Ok(ExitCode::from(1));
    }
    // Everything is applied: compare the database with the replayed history (drift).
    let dialect = conn.dialect();
    let mut shadow = sovereign_migrate::dev::Shadow::create(url, dialect).await?;
    shadow.conn.set_namespaces(conn.namespaces().to_vec());
    let replayed = sovereign_migrate::dev::replay(&mut shadow.conn, migrations).await;
    shadow.drop().await?;
    let live = conn.introspect().await?;
    let drift = sovereign_migrate::diff_summary(&replayed?, &live);
    if !drift.is_empty() {
        outln!("Drift detected: the database schema differs from the migration history:");
        for d in drift {
            outln!("  {d}");
        }
        return Ok(ExitCode::from(1));
    }
    outln!("Database schema is up to date!");
    Ok(ExitCode::SUCCESS)
}

/// `sovereign migrate diff`: prints the script or the summary between two states; with
/// `--exit-code`, exits 2 when they differ.
///
/// # Errors
/// A schema that does not check, sides for different databases (or none that names one), a
/// database that cannot be reached, a history that does not replay, and `--from-migrations`
/// on a server without `--shadow-database-url`.
pub fn diff(args: DiffArgs) -> Result<ExitCode> {
    let from_schema = args.from_schema.as_deref().map(load_schema).transpose()?;
    let to_schema = args.to_schema.as_deref().map(load_schema).transpose()?;
    let lock_provider = args.from_migrations.as_ref().and_then(|dir| {
        let text = std::fs::read_to_string(dir.join(sovereign_migrate::folder::LOCK_FILE)).ok()?;
        text.lines()
            .filter_map(|l| l.split_once('='))
            .find(|(k, _)| k.trim() == "provider")
            .and_then(|(_, v)| sovereign_schema::model::Provider::parse(v.trim().trim_matches('"')))
    });
    let dialects: Vec<Dialect> = [
        to_schema.as_ref().and_then(|s| Dialect::of(s.provider())),
        from_schema.as_ref().and_then(|s| Dialect::of(s.provider())),
        args.to_url.as_deref().and_then(Dialect::of_url),
        args.from_url.as_deref().and_then(Dialect::of_url),
        lock_provider.and_then(Dialect::of),
    ]
    .into_iter()
    .flatten()
    .collect();
    let Some(&dialect) = dialects.first() else {
        bail!("cannot tell the database: give a schema with a sqlite, postgresql or mysql datasource, or a database URL");
    };
    if dialects.iter().any(|d| *d != dialect) {
        bail!("the two sides are for different databases");
    }
    let runtime = runtime()?;
    let live = |url: &str| -> Result<sovereign_migrate::SqlSchema> {
        runtime.block_on(async {
            let mut conn = sovereign_migrate::Connection::connect(url).await?;
            Ok(conn.introspect().await?)
        })
    };
    let a = if let Some(s) = &from_schema {
        sovereign_migrate::sql_schema(s, dialect)
    } else if let Some(url) = &args.from_url {
        live(url)?
    } else if let Some(dir) = &args.from_migrations {
        let migrations = sovereign_migrate::read_migrations(dir)?;
        let shadow_url = match (&args.shadow_database_url, dialect) {
            (Some(u), _) => u.clone(),
            (None, Dialect::Sqlite) => "file::memory:".to_string(),
            (None, _) => bail!("--from-migrations on this database needs --shadow-database-url (an empty database it may fill)"),
        };
        runtime.block_on(async {
            let mut shadow = sovereign_migrate::Connection::connect(&shadow_url).await?;
            shadow.drop_everything().await?;
            Ok::<_, anyhow::Error>(sovereign_migrate::dev::replay(&mut shadow, &migrations).await?)
        })?
    } else {
        sovereign_migrate::SqlSchema::default()
    };
    let b = if let Some(s) = &to_schema {
        sovereign_migrate::sql_schema(s, dialect)
    } else if let Some(url) = &args.to_url {
        live(url)?
    } else {
        sovereign_migrate::SqlSchema::default()
    };
    let script = sovereign_migrate::diff_script(&a, &b, dialect);
    if args.script {
        if script.is_empty() {
            outln!("-- This is an empty migration.");
        } else {
            out!("{script}");
        }
    } else {
        let summary = sovereign_migrate::diff_summary(&a, &b);
        if summary.is_empty() {
            outln!("No difference detected.");
        }
        for line in summary {
            outln!("{line}");
        }
    }
    Ok(if args.exit_code && !script.is_empty() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
