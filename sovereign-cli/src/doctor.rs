//! `sovereign doctor`: every datasource of the workspace checked at once, with the URLs the
//! platform would use. For the platform's database and each dedicated plugin's: reachable;
//! every migration of its folder applied, none failed, none edited after it was applied; no
//! drift between the database and the schema. For the workspace: the composed schema current.
//! For each plugin that has a database login of its own (`sovereign provision`): the login
//! connects and its grants match the plugin's tables; the login of a plugin no longer in the
//! workspace may not log in and holds nothing.
//!
//! Nothing is changed: the checks only read (no history table is created, no shadow database).
//! One line per datasource and check, each problem with its fix; `--json` for scripts; exit 0
//! only when everything is well. URLs are printed without their passwords.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use serde_json::json;
use sovereign_migrate::provision::{self, Access};
use sovereign_migrate::url::{credentials, env_names, env_var, redact};
use sovereign_migrate::{Connection, Dialect};

/// Options of `sovereign doctor`.
#[derive(Debug, clap::Args)]
pub struct DoctorArgs {
    /// Print the results as JSON: `{"ok": bool, "checks": [{"datasource", "check", "result",
    /// "detail", "fix"}]}`, `result` one of `ok`, `problem`, `note`.
    #[arg(long)]
    pub json: bool,
    /// The platform database's URL (default: the platform datasource's `url`, as the platform
    /// reads it).
    #[arg(long)]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Ok,
    Problem,
    Note,
}

impl Outcome {
    fn word(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Problem => "problem",
            Outcome::Note => "note",
        }
    }
}

#[derive(Debug)]
struct Check {
    datasource: String,
    check: String,
    outcome: Outcome,
    detail: String,
    fix: Option<String>,
}

#[derive(Default)]
struct Report {
    checks: Vec<Check>,
}

impl Report {
    fn add(
        &mut self,
        datasource: &str,
        check: &str,
        outcome: Outcome,
        detail: impl Into<String>,
        fix: Option<String>,
    ) {
        self.checks.push(Check {
            datasource: datasource.to_string(),
            check: check.to_string(),
            outcome,
            // A lower layer's message may quote a URL: its password goes before anyone sees it.
            detail: sovereign_migrate::url::redact_in(&detail.into()),
            fix,
        });
    }

    fn ok(&self) -> bool {
        self.checks.iter().all(|c| c.outcome != Outcome::Problem)
    }
}

/// A database the platform uses: its schema, migrations and URL.
struct Source {
    label: String,
    schema: PathBuf,
    migrations: PathBuf,
    /// The URL, or why there is none.
    url: Result<String, String>,
    /// The command that applies its migrations.
    deploy: String,
    /// The command that writes a migration.
    dev: String,
    /// The command that settles a failed migration.
    resolve: String,
    /// Its read replicas: the variable that lists them, and their URLs.
    replicas: Option<(String, Vec<String>)>,
}

/// Runs `sovereign doctor`.
///
/// # Errors
/// No workspace; everything else is a check's result.
pub fn run(args: DoctorArgs, strict: bool) -> Result<ExitCode> {
    let config = crate::workspace_config(strict)?;
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let dirs = [cwd.as_path(), config.root.as_path()];
    let mut report = Report::default();
    let workspace = "workspace";

    // The composed schema, and what the plugins are.
    let composition = match sovereign_build::compose_workspace(&config) {
        Ok(c) => {
            let committed = std::fs::read_to_string(&config.schema).ok();
            if committed.as_deref() == Some(c.composed.text.as_str()) {
                report.add(
                    workspace,
                    "composed schema",
                    Outcome::Ok,
                    format!("{} is current", config.display(&config.schema)),
                    None,
                );
            } else {
                let changes =
                    sovereign_build::composition_changes(committed.as_deref(), &c.composed.text);
                report.add(
                    workspace,
                    "composed schema",
                    Outcome::Problem,
                    format!("{} is out of date with the plugins: {}", config.display(&config.schema), changes.join("; ")),
                    Some("sovereign compose, then commit the file and create a migration (sovereign migrate dev)".into()),
                );
            }
            Some(c)
        }
        Err(sovereign_build::Error::Diagnostics(r)) => {
            let errors = r.diagnostics.iter().filter(|d| d.is_error()).count();
            report.add(
                workspace,
                "composed schema",
                Outcome::Problem,
                format!("the workspace's schemas have {errors} error(s)"),
                Some("sovereign compose shows them with their locations".into()),
            );
            None
        }
        Err(e) => {
            report.add(
                workspace,
                "composed schema",
                Outcome::Problem,
                format!("{e:#}"),
                None,
            );
            None
        }
    };

    let mut sources = vec![Source {
        label: "platform".into(),
        schema: config.schema.clone(),
        migrations: config.migrations.clone(),
        url: match &args.url {
            Some(u) => Ok(u.clone()),
            None => url_of(&config.schema),
        },
        deploy: "sovereign migrate deploy".into(),
        dev: "sovereign migrate dev".into(),
        resolve: "sovereign migrate resolve".into(),
        replicas: replicas_of(&config.schema, &dirs),
    }];
    if let Some(c) = &composition {
        for p in &c.plugins {
            if let Some(schema) = &p.schema {
                let ns = &p.manifest.namespace;
                sources.push(Source {
                    label: format!("plugin {ns}"),
                    schema: schema.clone(),
                    migrations: p.dir.join("prisma/migrations"),
                    url: url_of(schema),
                    deploy: format!("plugin-db-manage deploy {ns}"),
                    dev: format!("plugin-db-manage migrate {ns}"),
                    resolve: format!("plugin-db-manage resolve {ns}"),
                    replicas: replicas_of(schema, &dirs),
                });
            }
        }
    }

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(async {
        let mut platform: Option<Connection> = None;
        for s in &sources {
            let conn = check_source(&mut report, s).await;
            if let Some((var, urls)) = &s.replicas {
                check_replicas(&mut report, &s.label, var, urls).await;
            }
            if s.label == "platform" {
                platform = conn;
            }
        }
        if let Some(c) = &composition {
            check_roles(&mut report, c, platform.as_mut(), &dirs).await;
        }
    });

    if args.json {
        let checks: Vec<_> = report
            .checks
            .iter()
            .map(|c| json!({"datasource": c.datasource, "check": c.check, "result": c.outcome.word(), "detail": c.detail, "fix": c.fix}))
            .collect();
        outln!(
            "{}",
            serde_json::to_string_pretty(&json!({"ok": report.ok(), "checks": checks}))?
        );
    } else {
        let w0 = report
            .checks
            .iter()
            .map(|c| c.datasource.len())
            .max()
            .unwrap_or(0)
            .max(10);
        let w1 = report
            .checks
            .iter()
            .map(|c| c.check.len())
            .max()
            .unwrap_or(0)
            .max(5);
        outln!(
            "{:w0$}  {:w1$}  {:7}  DETAIL",
            "DATASOURCE",
            "CHECK",
            "RESULT"
        );
        for c in &report.checks {
            let result = match c.outcome {
                Outcome::Problem => "PROBLEM",
                o => o.word(),
            };
            let fix = c
                .fix
                .as_ref()
                .map(|f| format!(" -> fix: {f}"))
                .unwrap_or_default();
            outln!(
                "{:w0$}  {:w1$}  {result:7}  {}{fix}",
                c.datasource,
                c.check,
                c.detail
            );
        }
        let problems = report
            .checks
            .iter()
            .filter(|c| c.outcome == Outcome::Problem)
            .count();
        if problems == 0 {
            outln!("Everything is well ({} checks).", report.checks.len());
        } else {
            outln!(
                "{problems} problem{} found.",
                if problems == 1 { "" } else { "s" }
            );
        }
    }
    Ok(if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The URL a schema's datasource names, as the platform reads it (`env()` from the environment
/// or `.env`), or why there is none.
fn url_of(schema: &Path) -> Result<String, String> {
    let loaded = crate::migrate::load_schema(schema).map_err(|e| format!("{e:#}"))?;
    let ds = loaded
        .datasource
        .as_ref()
        .ok_or_else(|| format!("{} has no datasource block", schema.display()))?;
    sovereign_migrate::resolve_url(&ds.url, schema)
}

/// The read replicas of a schema's datasource, as the platform reads them: the URLs in
/// `<VAR>_REPLICAS`, when its URL comes from `env("VAR")` and that variable is set.
fn replicas_of(schema: &Path, dirs: &[&Path]) -> Option<(String, Vec<String>)> {
    let loaded = crate::migrate::load_schema(schema).ok()?;
    let sovereign_schema::model::Url::Env(var) = &loaded.datasource.as_ref()?.url else {
        return None;
    };
    let urls = sovereign_migrate::url::replica_urls(var, dirs);
    (!urls.is_empty()).then(|| (sovereign_migrate::url::replicas_variable(var), urls))
}

/// Each read replica: reachable, and a replica (a standby, or a read-only server), with how
/// long ago a PostgreSQL standby replayed its last transaction.
async fn check_replicas(report: &mut Report, label: &str, var: &str, urls: &[String]) {
    for (i, url) in urls.iter().enumerate() {
        let check = format!("replica {}", i + 1);
        let mut conn = match Connection::connect(url).await {
            Ok(c) => c,
            Err(e) => {
                report.add(
                    label,
                    &check,
                    Outcome::Problem,
                    e.to_string(),
                    Some(format!("check that the replica runs and its URL in {var}; meanwhile reads go to the other replicas or the primary")),
                );
                continue;
            }
        };
        let shown = redact(url);
        match conn.replica_status().await {
            Ok(sovereign_migrate::ReplicaStatus::Standby { replayed_ago }) => {
                let when = match replayed_ago {
                    Some(s) => format!("its last replayed transaction committed {s:.1} s ago on the primary"),
                    None => "it has replayed no transaction yet".to_string(),
                };
                report.add(label, &check, Outcome::Ok, format!("{shown}: a standby; {when}"), None);
            }
            Ok(sovereign_migrate::ReplicaStatus::ReadOnly) => {
                report.add(label, &check, Outcome::Ok, format!("{shown}: read-only"), None);
            }
            Ok(sovereign_migrate::ReplicaStatus::Writable) => report.add(
                label,
                &check,
                Outcome::Problem,
                format!("{shown} takes writes: it is not a replica, and reads there do not follow the primary"),
                Some(format!("list standbys of the primary in {var}")),
            ),
            Err(e) => report.add(label, &check, Outcome::Problem, e.to_string(), None),
        }
    }
}

/// Reachable, migrations, drift; the connection when it was reached.
async fn check_source(report: &mut Report, s: &Source) -> Option<Connection> {
    let label = s.label.as_str();
    let url = match &s.url {
        Ok(u) => u.clone(),
        Err(why) => {
            report.add(
                label,
                "reachable",
                Outcome::Problem,
                why.clone(),
                Some("set the variable (or .env), or give --url for the platform".into()),
            );
            return None;
        }
    };
    let mut conn = match Connection::connect(&url).await {
        Ok(c) => c,
        Err(e) => {
            report.add(
                label,
                "reachable",
                Outcome::Problem,
                e.to_string(),
                Some(
                    "check that the server runs and the URL's host, port, user and database".into(),
                ),
            );
            return None;
        }
    };
    report.add(label, "reachable", Outcome::Ok, redact(&url), None);
    let schema = match crate::migrate::load_schema(&s.schema) {
        Ok(schema) => schema,
        Err(e) => {
            report.add(label, "schema", Outcome::Problem, format!("{e:#}"), None);
            return Some(conn);
        }
    };
    let dialect = conn.dialect();
    let target = sovereign_migrate::sql_schema(&schema, dialect);
    conn.set_namespaces(target.namespaces.clone());
    let provider = schema.datasource.as_ref().map(|d| d.provider);
    let pushed = provider.and_then(Dialect::of).is_some_and(|d| d != dialect);

    // Migrations (a database of another provider than the migrations' is pushed instead).
    if pushed {
        report.add(label, "migrations", Outcome::Note, format!("the migrations are for {}, the database is not: the platform pushes the schema instead", provider.map_or("", |p| p.as_str())), None);
    } else {
        match migrations(&mut conn, &s.migrations).await {
            Ok((total, st)) => {
                let mut problems = Vec::new();
                let mut fixes = Vec::new();
                if !st.pending.is_empty() {
                    problems.push(format!("not applied: {}", st.pending.join(", ")));
                    fixes.push(s.deploy.clone());
                }
                if !st.failed.is_empty() {
                    problems.push(format!("failed: {}", st.failed.join(", ")));
                    fixes.push(format!(
                        "finish or undo what the failed migration did, then {} --applied NAME or --rolled-back NAME",
                        s.resolve
                    ));
                }
                if !st.edited.is_empty() {
                    problems.push(format!(
                        "edited after they were applied: {}",
                        st.edited.join(", ")
                    ));
                    fixes.push("restore the applied migration.sql files (git), and put changes in a new migration".into());
                }
                if !st.missing_locally.is_empty() {
                    problems.push(format!(
                        "applied but missing from {}: {}",
                        s.migrations.display(),
                        st.missing_locally.join(", ")
                    ));
                    fixes.push("restore the missing migration folders".into());
                }
                if problems.is_empty() {
                    report.add(
                        label,
                        "migrations",
                        Outcome::Ok,
                        format!("{total} applied, none failed or edited"),
                        None,
                    );
                } else {
                    report.add(
                        label,
                        "migrations",
                        Outcome::Problem,
                        problems.join("; "),
                        Some(fixes.join("; ")),
                    );
                }
            }
            Err(e) => report.add(label, "migrations", Outcome::Problem, e, None),
        }
    }

    // Drift: the database against the schema.
    match conn.introspect().await {
        Ok(live) => {
            let drift = drift(&live, &target);
            if drift.is_empty() {
                report.add(
                    label,
                    "drift",
                    Outcome::Ok,
                    "the database matches the schema",
                    None,
                );
            } else {
                let shown: Vec<&str> = drift.iter().take(5).map(String::as_str).collect();
                let more = if drift.len() > 5 {
                    format!(" (and {} more)", drift.len() - 5)
                } else {
                    String::new()
                };
                report.add(
                    label,
                    "drift",
                    Outcome::Problem,
                    format!("the database differs from the schema: {}{more}", shown.join("; ")),
                    Some(format!("a schema change without a migration: {}; changes made by hand: undo them, or capture them in a migration", s.dev)),
                );
            }
        }
        Err(e) => report.add(label, "drift", Outcome::Problem, e.to_string(), None),
    }
    Some(conn)
}

/// How the database (`live`) differs from the schema (`want`), in the database's terms: what
/// it has that the schema lacks, what it lacks, and what differs, down to columns, keys,
/// indexes and foreign keys.
fn drift(live: &sovereign_migrate::SqlSchema, want: &sovereign_migrate::SqlSchema) -> Vec<String> {
    let mut out = Vec::new();
    let name = |t: &sovereign_migrate::sql::Table| match &t.namespace {
        Some(ns) => format!("{ns}.{}", t.name),
        None => t.name.clone(),
    };
    for t in &want.tables {
        let Some(have) = live.same(t) else {
            out.push(format!("table {} is missing", name(t)));
            continue;
        };
        let n = name(t);
        let before = out.len();
        for c in &t.columns {
            match have.column(&c.name) {
                None => out.push(format!("column {n}.{} is missing", c.name)),
                Some(h) if h != c => out.push(format!(
                    "column {n}.{} differs ({} in the database, {} in the schema)",
                    c.name,
                    describe(h),
                    describe(c)
                )),
                Some(_) => {}
            }
        }
        for c in have.columns.iter().filter(|c| t.column(&c.name).is_none()) {
            out.push(format!("column {n}.{} is not in the schema", c.name));
        }
        if have.primary_key != t.primary_key {
            out.push(format!("the primary key of {n} differs"));
        }
        for i in &t.indexes {
            match have.indexes.iter().find(|x| x.name == i.name) {
                None => out.push(format!("index {} on {n} is missing", i.name)),
                Some(h) if h != i => out.push(format!("index {} on {n} differs", i.name)),
                Some(_) => {}
            }
        }
        for i in have
            .indexes
            .iter()
            .filter(|i| !t.indexes.iter().any(|x| x.name == i.name))
        {
            out.push(format!("index {} on {n} is not in the schema", i.name));
        }
        for f in &t.foreign_keys {
            match have.foreign_keys.iter().find(|x| x.name == f.name) {
                None => out.push(format!("foreign key {} on {n} is missing", f.name)),
                Some(h) if h != f => out.push(format!("foreign key {} on {n} differs", f.name)),
                Some(_) => {}
            }
        }
        for f in have
            .foreign_keys
            .iter()
            .filter(|f| !t.foreign_keys.iter().any(|x| x.name == f.name))
        {
            out.push(format!(
                "foreign key {} on {n} is not in the schema",
                f.name
            ));
        }
        if out.len() == before && have != t {
            out.push(format!("table {n} differs"));
        }
    }
    for t in live.tables.iter().filter(|t| want.same(t).is_none()) {
        out.push(format!("table {} is not in the schema", name(t)));
    }
    for e in &want.enums {
        match live.same_enum(e) {
            None => out.push(format!("enum {} is missing", e.name)),
            Some(h) if h != e => out.push(format!(
                "enum {} differs (values {} in the database, {} in the schema)",
                e.name,
                h.values.join(", "),
                e.values.join(", ")
            )),
            Some(_) => {}
        }
    }
    for e in live.enums.iter().filter(|e| want.same_enum(e).is_none()) {
        out.push(format!("enum {} is not in the schema", e.name));
    }
    out
}

fn describe(c: &sovereign_migrate::sql::Column) -> String {
    let mut s = c.ty.clone();
    s.push_str(if c.nullable { " NULL" } else { " NOT NULL" });
    if let Some(d) = &c.default {
        s.push_str(&format!(" DEFAULT {d}"));
    }
    if c.autoincrement {
        s.push_str(" autoincrement");
    }
    s
}

/// The number of local migrations and their status, read without creating anything.
async fn migrations(
    conn: &mut Connection,
    dir: &Path,
) -> Result<(usize, sovereign_migrate::Status), String> {
    let list = sovereign_migrate::read_migrations(dir).map_err(|e| e.to_string())?;
    let has_history = conn.has_history_table().await.map_err(|e| e.to_string())?;
    let st = if has_history {
        sovereign_migrate::status(conn, &list)
            .await
            .map_err(|e| e.to_string())?
    } else {
        sovereign_migrate::Status {
            pending: list.iter().map(|m| m.name.clone()).collect(),
            ..Default::default()
        }
    };
    Ok((list.len(), st))
}

/// The logins of plugins no longer in the workspace (a `SOVEREIGN_<NAMESPACE>_DATABASE_URL`
/// that names the role provisioning gave that namespace, [`crate::provision::left_behind`]): a
/// problem while the role may log in or holds a grant, which `sovereign provision` takes away.
async fn withdrawn_logins(
    report: &mut Report,
    conn: &mut Connection,
    c: &sovereign_build::Composition,
    dirs: &[&Path],
) {
    let vars: Vec<(String, String)> = env_names("SOVEREIGN_", dirs)
        .into_iter()
        .filter(|v| v.ends_with("_DATABASE_URL"))
        .filter_map(|v| Some((v.clone(), env_var(&v, dirs)?)))
        .collect();
    if vars.is_empty() {
        return;
    }
    let installed: Vec<&str> = c
        .plugins
        .iter()
        .map(|p| p.manifest.namespace.as_str())
        .collect();
    let (database, login) = match (
        provision::current_database(conn).await,
        provision::current_login(conn).await,
    ) {
        (Ok(d), Ok(l)) => (d, l),
        (Err(e), _) | (_, Err(e)) => {
            report.add(
                "platform",
                "plugin logins",
                Outcome::Problem,
                e.to_string(),
                None,
            );
            return;
        }
    };
    let dialect = conn.dialect();
    for (ns, var, role) in
        crate::provision::left_behind(vars, &installed, &login, &database, dialect)
    {
        let check = format!("login of {ns}");
        match provision::check_withdrawn(conn, &role).await {
            Ok(Some(w)) if !w.unchanged() => {
                let mut what = Vec::new();
                if w.login_disabled {
                    what.push("may log in".to_string());
                }
                if !w.revoked.is_empty() {
                    what.push(format!("holds {}", w.revoked.join("; ")));
                }
                report.add(
                    "platform",
                    &check,
                    Outcome::Problem,
                    format!(
                        "plugin {ns} is not in the workspace, yet role {role} of {var} {}",
                        what.join(" and ")
                    ),
                    Some("sovereign provision takes its login and grants away".into()),
                );
            }
            Ok(w) => {
                let state = if w.is_some() {
                    "may not log in and holds no grant"
                } else {
                    "does not exist"
                };
                report.add(
                    "platform",
                    &check,
                    Outcome::Note,
                    format!("plugin {ns} is not in the workspace; role {role} of {var} {state}"),
                    Some(format!(
                        "remove {var} once no build that has the plugin runs"
                    )),
                );
            }
            Err(e) => report.add("platform", &check, Outcome::Problem, e.to_string(), None),
        }
    }
}

/// Each plugin's login on the platform database: connects, and its grants match its tables.
async fn check_roles(
    report: &mut Report,
    c: &sovereign_build::Composition,
    platform: Option<&mut Connection>,
    dirs: &[&Path],
) {
    let composed = &c.composed;
    let plugins: Vec<&str> = composed
        .plugins
        .iter()
        .map(String::as_str)
        .chain(c.dedicated.iter().map(String::as_str))
        .collect();
    let Some(conn) = platform else {
        return;
    };
    let dialect = conn.dialect();
    if dialect == Dialect::Sqlite {
        if !plugins.is_empty() {
            report.add("platform", "plugin logins", Outcome::Note, "SQLite has no roles: every plugin uses the platform's file (a dedicated plugin's own file is its isolation)", None);
        }
        return;
    }
    let mut unisolated = Vec::new();
    for &ns in &plugins {
        let var = provision::url_variable(ns);
        let Some(url) = env_var(&var, dirs) else {
            unisolated.push(ns);
            continue;
        };
        let check = format!("login of {ns}");
        let Some((role, _)) = credentials(&url) else {
            report.add(
                "platform",
                &check,
                Outcome::Problem,
                format!("{var} has no user and password"),
                Some("sovereign provision".into()),
            );
            continue;
        };
        if let Err(e) = Connection::connect(&url).await {
            report.add(
                "platform",
                &check,
                Outcome::Problem,
                format!("{var} does not connect: {e}"),
                Some("sovereign provision --rotate writes a working URL".into()),
            );
            continue;
        }
        let access = Access::for_plugin(&composed.schema, &composed.owners, ns, dialect);
        match provision::check_role(conn, &role, &access).await {
            Ok(r) if r.unchanged() => report.add(
                "platform",
                &check,
                Outcome::Ok,
                format!("role {role}: grants match the plugin's tables"),
                None,
            ),
            Ok(r) if r.created => report.add(
                "platform",
                &check,
                Outcome::Problem,
                format!("role {role} of {var} does not exist"),
                Some("sovereign provision".into()),
            ),
            Ok(r) => {
                let mut what: Vec<String> =
                    r.granted.iter().map(|g| format!("missing {g}")).collect();
                what.extend(r.revoked.iter().map(|g| format!("extra {g}")));
                report.add(
                    "platform",
                    &check,
                    Outcome::Problem,
                    format!("role {role}: {}", what.join("; ")),
                    Some("sovereign provision".into()),
                );
            }
            Err(e) => report.add("platform", &check, Outcome::Problem, e.to_string(), None),
        }
    }
    withdrawn_logins(report, conn, c, dirs).await;
    if !unisolated.is_empty() {
        report.add(
            "platform",
            "plugin logins",
            Outcome::Note,
            format!(
                "on the platform's login (no SOVEREIGN_<NAMESPACE>_DATABASE_URL): {}",
                unisolated.join(", ")
            ),
            Some("sovereign provision gives each a login of its own".into()),
        );
    }
}
