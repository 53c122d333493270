//! `sovereign provision` and `plugin-db-manage provision`: one database login per plugin, so the
//! database itself enforces what the type system promises (core tables read-only, another
//! plugin's tables out of reach), raw SQL included.
//!
//! Each plugin's URL goes to an env file (default `.env` in the current directory, where the
//! platform reads its variables), created or rewritten with mode 0600; the output names the
//! variables and the file, never a password. A password already in the file is kept, so
//! running the command again changes nothing; a role whose password the file does not hold
//! gets a new one (`--rotate` gives every role a new one).
//!
//! A plugin no longer in the workspace keeps nothing: `sovereign provision` finds its login by
//! its line in the env file (`SOVEREIGN_<NAMESPACE>_DATABASE_URL` with the login this command
//! names for that namespace on this database) and takes away the role's login and every
//! privilege it holds on the database's tables. The line stays: a build that still has the
//! plugin then fails to connect it, where without its variable the host would give it the
//! platform's own login.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use sovereign_migrate::provision::{self, Access, ProvisionReport};
use sovereign_migrate::url::{credentials, redact, with_credentials, with_database};
use sovereign_migrate::{Connection, Dialect};

/// Options of `sovereign provision`.
#[derive(Debug, clap::Args)]
pub struct ProvisionArgs {
    /// A URL of the platform database as its owner, a login that may create roles (default:
    /// the platform datasource's `url`). The plugins' URLs are this URL with their own login.
    #[arg(long)]
    pub admin_url: Option<String>,
    /// The file the plugins' URLs are written to, with mode 0600 (default: `.env` in the current
    /// directory, where the platform reads its variables). Other lines are kept.
    #[arg(long)]
    pub env_file: Option<PathBuf>,
    /// Give every role a new password, even one the env file holds.
    #[arg(long)]
    pub rotate: bool,
}

/// Options of `plugin-db-manage provision <namespace>`.
#[derive(Debug, clap::Args)]
pub struct DedicatedArgs {
    /// A URL of the server the plugin's database goes to, as a login that may create databases
    /// and roles.
    #[arg(long)]
    pub admin_url: String,
    /// A URL of the platform database as its owner, for the plugin's read-only role on the core
    /// tables (default: the platform datasource's `url`).
    #[arg(long)]
    pub core_admin_url: Option<String>,
    /// Create a schema named after the plugin in the admin URL's database instead of a database
    /// of its own (PostgreSQL); the plugin's URL then carries `?schema=`.
    #[arg(long)]
    pub schema: bool,
    /// The name of the plugin's database or schema (default: its namespace, `-` as `_`).
    #[arg(long)]
    pub database: Option<String>,
    /// The file the URLs are written to, with mode 0600 (default: `.env` in the current
    /// directory).
    #[arg(long)]
    pub env_file: Option<PathBuf>,
    /// Give the roles new passwords, even ones the env file holds.
    #[arg(long)]
    pub rotate: bool,
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// The composition of the workspace, its schema errors rendered.
fn composition(
    strict: bool,
) -> Result<(sovereign_workspace::Config, sovereign_build::Composition)> {
    let config = crate::workspace_config(strict)?;
    match sovereign_build::compose_workspace(&config) {
        Ok(c) => Ok((config, c)),
        Err(sovereign_build::Error::Diagnostics(report)) => {
            err!("{}", report.render());
            bail!("the workspace's schemas have errors (above): fix them first; nothing was provisioned")
        }
        Err(e) => Err(e.into()),
    }
}

/// The URL of the platform datasource, as the migrate commands read it.
fn platform_url(
    config: &sovereign_workspace::Config,
    schema: &sovereign_schema::Schema,
) -> Result<String> {
    let ds = schema
        .datasource
        .as_ref()
        .with_context(|| format!("{} has no datasource block", config.display(&config.schema)))?;
    sovereign_migrate::resolve_url(&ds.url, &config.schema).map_err(|e| {
        anyhow::anyhow!("{e}; or give the platform database's owner URL with --admin-url")
    })
}

/// Runs `sovereign provision`: a role per shared plugin on the platform database.
///
/// # Errors
/// No workspace, schema errors, an unreachable database, a login that may not create roles,
/// or an env file that cannot be written (the roles provisioned so far are in it).
pub fn platform(args: ProvisionArgs, strict: bool) -> Result<ExitCode> {
    let (config, composition) = composition(strict)?;
    let composed = &composition.composed;
    let admin = match args.admin_url {
        Some(u) => u,
        None => platform_url(&config, &composed.schema)?,
    };
    let env_path = args.env_file.unwrap_or_else(|| PathBuf::from(".env"));
    runtime()?.block_on(async {
        let mut conn = Connection::connect(&admin).await?;
        if conn.dialect() == Dialect::Sqlite {
            return Ok(sqlite_has_no_roles(&composition.dedicated));
        }
        let dialect = conn.dialect();
        let database = provision::current_database(&mut conn).await?;
        let mut env = EnvFile::open(&env_path)?;
        outln!("Provisioning plugin roles on {}:", redact(&admin));
        if composed.plugins.is_empty() {
            outln!("  no shared plugins are composed into the platform schema");
        }
        let mut variables = Vec::new();
        for ns in &composed.plugins {
            let role = provision::role_name(&database, ns, dialect);
            let var = provision::url_variable(ns);
            let access = Access::for_plugin(&composed.schema, &composed.owners, ns, dialect);
            let (password, rotate) = env.password_for(&var, &role, args.rotate)?;
            let report =
                provision::provision_role(&mut conn, &role, &password, rotate, &access)
                    .await
                    .with_context(|| format!("provisioning role \"{role}\" of plugin \"{ns}\""))?;
            print_report(ns, &role, &report);
            // Written as soon as the role has it: a failure with the next plugin loses nothing.
            env.set(&var, &with_credentials(&admin, &role, &password));
            env.write()?;
            variables.push(var);
        }
        for d in &composition.dedicated {
            outln!("  {d}: dedicated, its own database: `plugin-db-manage provision {d} --admin-url URL`");
        }
        // Plugins no longer in the workspace: their logins keep nothing.
        let installed: Vec<&str> = composition
            .plugins
            .iter()
            .map(|p| p.manifest.namespace.as_str())
            .collect();
        let admin_login = provision::current_login(&mut conn).await?;
        let lines = env.plugin_logins();
        for (ns, var, role) in left_behind(lines, &installed, &admin_login, &database, dialect) {
            let withdrawn = provision::withdraw_role(&mut conn, &role)
                .await
                .with_context(|| format!("withdrawing role \"{role}\" of plugin \"{ns}\", no longer in the workspace"))?;
            let state = match &withdrawn {
                Some(w) if w.unchanged() => "withdrawn before",
                Some(_) => "withdrawn: it may no longer log in, and holds no grant",
                None => "does not exist",
            };
            outln!("  {ns}: no longer in the workspace ({var}): role {role} {state}");
            if let Some(w) = &withdrawn {
                for r in &w.revoked {
                    outln!("    revoked {r}");
                }
            }
        }
        if !variables.is_empty() {
            outln!(
                "{} in {} (mode 0600; the passwords are there and nowhere else)",
                variables.join(", "),
                env.path.display()
            );
            outln!("The platform connects each plugin with its variable; run `sovereign provision` again after migrations that add or drop tables.");
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// Runs `plugin-db-manage provision <namespace>`: the dedicated plugin's database (or schema)
/// and owner role on the admin URL's server, and its read-only role on the platform database.
///
/// # Errors
/// As [`platform`]; also a shared plugin (its role comes from `sovereign provision`), and a
/// database or schema that exists under another owner.
pub fn dedicated(ns: &str, args: DedicatedArgs, strict: bool) -> Result<ExitCode> {
    let (config, composition) = composition(strict)?;
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
    let Some(schema_path) = &plugin.schema else {
        bail!("plugin \"{ns}\" is shared: its tables are in the platform database, and `sovereign provision` gives it its role there");
    };
    let plugin_schema = crate::migrate::load_schema(schema_path)?;
    let own_var = plugin_schema
        .datasource
        .as_ref()
        .and_then(|d| match &d.url {
            sovereign_schema::model::Url::Env(v) => Some(v.clone()),
            _ => None,
        });
    let env_path = args
        .env_file
        .clone()
        .unwrap_or_else(|| PathBuf::from(".env"));
    let composed = &composition.composed;
    let core_admin = match &args.core_admin_url {
        Some(u) => Some(u.clone()),
        None => platform_url(&config, &composed.schema).ok(),
    };
    let name = args
        .database
        .clone()
        .unwrap_or_else(|| ns.replace('-', "_"));
    check_identifier(&name)?;
    runtime()?.block_on(async {
        let mut env = EnvFile::open(&env_path)?;
        let mut conn = Connection::connect(&args.admin_url).await?;
        let dialect = conn.dialect();
        if dialect == Dialect::Sqlite {
            errln!("plugin \"{ns}\" would get a SQLite file of its own, and SQLite has no roles: a dedicated plugin's file is already its isolation (its schema's datasource names it). Give a PostgreSQL or MySQL server's URL to provision a database with its own login.");
            return Ok(ExitCode::from(1));
        }
        if args.schema && dialect != Dialect::Postgres {
            bail!("--schema needs PostgreSQL: on MySQL a schema is a database; leave out --schema");
        }
        // The owner: a login that owns the plugin's database (or schema), migrations included.
        let server_db = provision::current_database(&mut conn).await?;
        let owner = provision::role_name(if args.schema { &server_db } else { &name }, &format!("{ns}_owner"), dialect);
        let owner_var = own_var.clone().unwrap_or_else(|| format!("SOVEREIGN_{}_OWN_DATABASE_URL", ns.to_ascii_uppercase().replace('-', "_")));
        let (password, rotate) = env.password_for(&owner_var, &owner, args.rotate)?;
        let made = provision::provision_owner(&mut conn, &owner, &password, rotate, &name, args.schema)
            .await
            .with_context(|| format!("provisioning the database of plugin \"{ns}\""))?;
        let own_url = if args.schema {
            sovereign_migrate::url::with_query_param(&with_credentials(&args.admin_url, &owner, &password), "schema", &name)
        } else {
            with_database(&with_credentials(&args.admin_url, &owner, &password), &name)
        };
        env.set(&owner_var, &own_url);
        env.write()?;
        let what = if args.schema { "schema" } else { "database" };
        outln!(
            "plugin {ns}: {what} \"{name}\" {} on {}, owned by role {owner}{}",
            if made.created { "created" } else { "already there" },
            redact(&args.admin_url),
            match (made.password_set, made.login_enabled) {
                (true, true) => " (password set, may log in again)",
                (true, false) => " (password set)",
                (false, true) => " (may log in again)",
                (false, false) => "",
            }
        );
        if own_var.is_none() {
            errln!("note: {}'s datasource names no variable (url = env(\"...\")), so its URL went to {owner_var}: point the datasource at it", schema_path.display());
        }
        let mut variables = vec![owner_var];
        // The read-only role on the platform database, for `ctx.core()`.
        match core_admin {
            Some(core_admin) => {
                let mut core = Connection::connect(&core_admin).await?;
                if core.dialect() == Dialect::Sqlite {
                    outln!("plugin {ns}: the platform database is SQLite, which has no roles: its core access is not isolated");
                } else {
                    let d = core.dialect();
                    let database = provision::current_database(&mut core).await?;
                    let role = provision::role_name(&database, ns, d);
                    let var = provision::url_variable(ns);
                    let access = Access::for_plugin(&composed.schema, &composed.owners, ns, d);
                    let (password, rotate) = env.password_for(&var, &role, args.rotate)?;
                    let report = provision::provision_role(&mut core, &role, &password, rotate, &access)
                        .await
                        .with_context(|| format!("provisioning the core role \"{role}\" of plugin \"{ns}\""))?;
                    print_report(ns, &role, &report);
                    env.set(&var, &with_credentials(&core_admin, &role, &password));
                    env.write()?;
                    variables.push(var);
                }
            }
            None => outln!("plugin {ns}: no platform database URL (give --core-admin-url), so no read-only core role was made"),
        }
        outln!(
            "{} in {} (mode 0600; the passwords are there and nowhere else)",
            variables.join(", "),
            env.path.display()
        );
        outln!("Apply the plugin's migrations as its owner: `plugin-db-manage deploy {ns}` with that variable set.");
        Ok(ExitCode::SUCCESS)
    })
}

/// The logins of plugins no longer in the workspace among `vars` (name, value): each
/// `SOVEREIGN_<NAMESPACE>_DATABASE_URL` whose login is the role provisioning names for that
/// namespace on `database` ([`provision::plugin_login`]), as (namespace, variable, role). Never
/// one of an `installed` plugin (a dedicated plugin's owner login included, which `--schema`
/// names `<database>_<namespace>_owner`), nor `admin`, the login provisioning runs as.
pub(crate) fn left_behind(
    vars: Vec<(String, String)>,
    installed: &[&str],
    admin: &str,
    database: &str,
    dialect: Dialect,
) -> Vec<(String, String, String)> {
    let theirs = |ns: &str| {
        installed.iter().any(|i| {
            let i = i.to_ascii_lowercase().replace('-', "_");
            ns == i || ns == format!("{i}_owner")
        })
    };
    vars.into_iter()
        .filter_map(|(var, url)| {
            let (ns, role) = provision::plugin_login(&var, &url, database, dialect)?;
            (!theirs(&ns) && role != admin).then_some((ns, var, role))
        })
        .collect()
}

fn sqlite_has_no_roles(dedicated: &[String]) -> ExitCode {
    errln!("SQLite has no database roles: every connection to the file may read and write every table, so there is nothing to provision.");
    errln!("What isolation SQLite offers is a file of its own: a dedicated plugin (\"database\": {{ \"mode\": \"dedicated\" }} in its plugin.json) keeps its tables in its own file.");
    if !dedicated.is_empty() {
        errln!("Dedicated here: {}.", dedicated.join(", "));
    }
    ExitCode::from(1)
}

fn check_identifier(name: &str) -> Result<()> {
    if name.is_empty()
        || name.len() > 63
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        bail!("`{name}` cannot name a database or schema here: use letters, digits and `_` (at most 63); give another with --database");
    }
    Ok(())
}

fn print_report(ns: &str, role: &str, report: &ProvisionReport) {
    let state = if report.created {
        "created"
    } else if report.unchanged() {
        "unchanged"
    } else {
        "updated"
    };
    let password = if report.password_set && !report.created {
        ", new password"
    } else {
        ""
    };
    let login = if report.login_enabled {
        ", may log in again"
    } else {
        ""
    };
    outln!("  {ns}: role {role} {state}{password}{login}");
    for g in &report.granted {
        outln!("    granted {g}");
    }
    for r in &report.revoked {
        outln!("    revoked {r}");
    }
}

/// An env file: `NAME=value` lines, others kept as they are.
struct EnvFile {
    path: PathBuf,
    lines: Vec<String>,
    changed: bool,
}

impl EnvFile {
    fn open(path: &Path) -> Result<EnvFile> {
        let lines = match std::fs::symlink_metadata(path) {
            Ok(m) if m.is_dir() => bail!(
                "{} is a directory; give a file with --env-file",
                path.display()
            ),
            Ok(m) if m.len() > 1 << 20 => bail!(
                "{} is larger than 1 MiB; it is not an env file (give another with --env-file)",
                path.display()
            ),
            Ok(_) => std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?
                .lines()
                .map(str::to_string)
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        Ok(EnvFile {
            path: path.to_path_buf(),
            lines,
            changed: false,
        })
    }

    fn key(line: &str) -> Option<&str> {
        let line = line.trim_start();
        let line = line.strip_prefix("export ").unwrap_or(line);
        line.split_once('=').map(|(k, _)| k.trim())
    }

    fn get(&self, var: &str) -> Option<String> {
        self.lines
            .iter()
            .rev()
            .find(|l| Self::key(l) == Some(var))
            .map(|l| {
                let v = l.split_once('=').map_or("", |(_, v)| v).trim();
                v.strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                    .unwrap_or(v)
                    .to_string()
            })
    }

    /// The password `role` has in the file (kept), or a new one to set (`true`).
    fn password_for(&self, var: &str, role: &str, rotate: bool) -> Result<(String, bool)> {
        let known = self
            .get(var)
            .and_then(|u| credentials(&u))
            .filter(|(user, _)| user == role)
            .map(|(_, p)| p);
        match known {
            Some(p) if !rotate => Ok((p, false)),
            _ => {
                let mut b = [0u8; 24];
                getrandom::fill(&mut b)
                    .map_err(|e| anyhow::anyhow!("no randomness for a password: {e}"))?;
                Ok((b.iter().map(|x| format!("{x:02x}")).collect(), true))
            }
        }
    }

    /// Its `SOVEREIGN_*_DATABASE_URL` variables, with their values, each once.
    fn plugin_logins(&self) -> Vec<(String, String)> {
        let mut vars: Vec<&str> = self
            .lines
            .iter()
            .filter_map(|l| Self::key(l))
            .filter(|k| k.starts_with("SOVEREIGN_") && k.ends_with("_DATABASE_URL"))
            .collect();
        vars.sort_unstable();
        vars.dedup();
        vars.into_iter()
            .filter_map(|v| Some((v.to_string(), self.get(v)?)))
            .collect()
    }

    fn set(&mut self, var: &str, value: &str) {
        let line = format!("{var}={value}");
        match self.lines.iter().position(|l| Self::key(l) == Some(var)) {
            Some(i) if self.lines[i] == line => {}
            Some(i) => {
                self.lines[i] = line;
                self.lines.retain({
                    let mut seen = 0;
                    move |l| {
                        if Self::key(l) == Some(var) {
                            seen += 1;
                            seen == 1
                        } else {
                            true
                        }
                    }
                });
                self.changed = true;
            }
            None => {
                self.lines.push(line);
                self.changed = true;
            }
        }
    }

    /// Writes the file when it changed, atomically and with mode 0600 from its first byte; an
    /// unchanged file is only narrowed to 0600.
    fn write(&mut self) -> Result<()> {
        if !self.changed {
            restrict(&self.path)?;
            return Ok(());
        }
        let mut text = self.lines.join("\n");
        text.push('\n');
        write_secret(&self.path, text.as_bytes())?;
        self.changed = false;
        Ok(())
    }
}

#[cfg(unix)]
fn restrict(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    match std::fs::metadata(path) {
        Ok(m) if m.permissions().mode() & 0o077 != 0 => {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
                .with_context(|| format!("cannot make {} private (mode 0600)", path.display()))
        }
        _ => Ok(()),
    }
}

#[cfg(not(unix))]
fn restrict(_: &Path) -> Result<()> {
    Ok(())
}

/// Writes `bytes` to a new file beside `path` that only its owner may read, then renames it
/// over `path`: a reader never sees half a file, and the secrets are never readable by others.
fn write_secret(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for _ in 0..16 {
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
        let suffix: String = b.iter().map(|x| format!("{x:02x}")).collect();
        let tmp = dir.join(format!(".{name}.{suffix}.tmp"));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = match options.open(&tmp) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot write {}", path.display())),
        };
        let done = file
            .write_all(bytes)
            .and_then(|()| file.sync_all())
            .and_then(|()| std::fs::rename(&tmp, path));
        if let Err(e) = done {
            let _ = std::fs::remove_file(&tmp);
            return Err(e).with_context(|| format!("cannot write {}", path.display()));
        }
        return Ok(());
    }
    bail!(
        "cannot write {}: no free temporary name beside it",
        path.display()
    )
}
