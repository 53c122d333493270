//! Plugins, their capabilities, and the host that connects their databases.
//!
//! `#[sovereign_plugin]` implements [`Plugin`] (and [`HasDb`], [`HasCore`], [`DatabaseCapability`]
//! as the manifest allows); the platform builds a [`Host`] and registers each plugin to get its
//! [`PluginContext`].

use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::path::PathBuf;

use crate::datasource::{provider_of, Datasource};
use crate::db::Database;
use crate::error::Error;

/// How a plugin keeps its data: the workspace's one `Mode`, as `plugin.json` names it.
pub use sovereign_workspace::Mode;

/// A plugin's `plugin.json`, as the macro embedded it.
#[derive(Debug)]
pub struct PluginManifest {
    /// `"id"`: unique among the platform's plugins.
    pub id: &'static str,
    /// `"name"`, for people.
    pub name: &'static str,
    /// `"version"`.
    pub version: &'static str,
    /// The plugin's namespace (its directory's name): how the host knows it, whether the
    /// composed schema includes it, and the stem of its SQLite file in the data directory.
    pub namespace: &'static str,
    /// Whether its models live in the platform's database or in its own.
    pub mode: Mode,
    /// The capabilities the manifest grants.
    pub capabilities: &'static [&'static str],
    /// A dedicated plugin's own datasource (URL source, schema, migrations).
    pub datasource: Option<&'static Datasource>,
}

impl PluginManifest {
    /// Whether the manifest grants `capability` (`"database"`).
    pub fn grants(&self, capability: &str) -> bool {
        self.capabilities.contains(&capability)
    }
}

/// A plugin type; implemented by `#[sovereign_plugin]`.
pub trait Plugin: Send + Sync + 'static {
    /// The plugin's `plugin.json`, embedded at compile time: what the host checks a
    /// registration against.
    const MANIFEST: PluginManifest;
    /// What `ctx.db()` returns: the generated client (`()` without database access).
    type Db;
    /// What `ctx.core()` returns: a dedicated plugin's read-only core view (`()` without it).
    type Core;
}

/// The plugin's manifest grants the `database` capability.
#[diagnostic::on_unimplemented(
    message = "plugin `{Self}` does not have the `database` capability",
    label = "needs the `database` capability",
    note = "grant it in plugin.json: \"sovereign\": {{ \"platformCapabilities\": {{ \"database\": true }} }}"
)]
pub trait DatabaseCapability: Plugin {}

/// The plugin's typed client: a shared plugin's view of the platform database, or a dedicated
/// plugin's own client.
#[diagnostic::on_unimplemented(
    message = "plugin `{Self}` has no database access: its plugin.json does not grant the `database` capability",
    label = "`db()` needs the `database` capability",
    note = "a shared plugin reaches its tables through the `database` capability: add \"platformCapabilities\": {{ \"database\": true }} under \"sovereign\" in plugin.json"
)]
pub trait HasDb: Plugin + Sized {
    #[doc(hidden)]
    fn open(ctx: &PluginContext<Self>) -> Self::Db;
}

/// A dedicated plugin's read-only view of the platform's core tables.
#[diagnostic::on_unimplemented(
    message = "plugin `{Self}` has no read-only view of the core tables",
    label = "`core()` needs a dedicated plugin with the `database` capability",
    note = "a dedicated plugin reads core tables when plugin.json grants \"platformCapabilities\": {{ \"database\": true }}; a shared plugin reads them through `db()`"
)]
pub trait HasCore: Plugin + Sized {
    #[doc(hidden)]
    fn open_core(ctx: &PluginContext<Self>) -> Self::Core;
}

/// What a registered plugin is handed: its databases, as its manifest allows.
pub struct PluginContext<P> {
    shared: Option<Database>,
    own: Option<Database>,
    _p: PhantomData<fn() -> P>,
}

impl<P> Clone for PluginContext<P> {
    fn clone(&self) -> Self {
        PluginContext {
            shared: self.shared.clone(),
            own: self.own.clone(),
            _p: PhantomData,
        }
    }
}

impl<P: Plugin> std::fmt::Debug for PluginContext<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginContext")
            .field("plugin", &P::MANIFEST.namespace)
            .finish()
    }
}

impl<P: Plugin> PluginContext<P> {
    /// The plugin's manifest.
    pub fn manifest(&self) -> &'static PluginManifest {
        &P::MANIFEST
    }

    /// Whether the manifest grants `capability`.
    pub fn has_capability(&self, capability: &str) -> bool {
        P::MANIFEST.grants(capability)
    }

    /// Checks a capability by name; an undeclared one is refused.
    ///
    /// # Errors
    /// [`ErrorKind::CapabilityNotGranted`](crate::ErrorKind::CapabilityNotGranted), saying
    /// which key to add to plugin.json.
    pub fn require(&self, capability: &str) -> Result<(), Error> {
        if self.has_capability(capability) {
            Ok(())
        } else {
            let namespace = P::MANIFEST.namespace;
            Err(Error::new(
                crate::ErrorKind::CapabilityNotGranted {
                    namespace: namespace.to_string(),
                    capability: capability.to_string(),
                },
                format!(
                    "plugin \"{namespace}\" does not declare the `{capability}` capability: add \"platformCapabilities\": {{ \"{capability}\": true }} under \"sovereign\" in its plugin.json"
                ),
            ))
        }
    }

    /// The platform's shared database handle (the `database` capability).
    ///
    /// # Panics
    /// Only for a context from [`PluginContext::new_for_tests`] given no shared handle: a host
    /// gives one to every plugin granted `database`.
    pub fn database(&self) -> &Database
    where
        P: DatabaseCapability,
    {
        self.shared
            .as_ref()
            .expect("the host gives the shared handle to every plugin granted `database`")
    }

    /// The plugin's typed client.
    pub fn db(&self) -> P::Db
    where
        P: HasDb,
    {
        P::open(self)
    }

    /// A dedicated plugin's read-only view of the core tables.
    pub fn core(&self) -> P::Core
    where
        P: HasCore,
    {
        P::open_core(self)
    }

    /// A dedicated plugin's own database handle.
    #[doc(hidden)]
    pub fn own_database(&self) -> &Database {
        self.own
            .as_ref()
            .expect("the host connects a dedicated plugin's database when it registers it")
    }

    /// A context over given handles, for tests of a plugin without a host.
    pub fn new_for_tests(shared: Option<Database>, own: Option<Database>) -> Self {
        PluginContext {
            shared,
            own,
            _p: PhantomData,
        }
    }
}

/// The runtime host: the shared database, and each registered plugin's.
pub struct Host {
    shared: Database,
    /// The platform database's URL and base directory, for plugins' own logins on it.
    shared_dialect: Option<crate::Dialect>,
    base: PathBuf,
    plugin_urls: BTreeMap<String, String>,
    /// The platform database's read replicas (URLs with the platform's login).
    replica_urls: Vec<String>,
    composed: &'static [&'static str],
    data_dir: Option<PathBuf>,
    deploy: bool,
    check: bool,
    migrate: sovereign_migrate::MigrateOptions,
    registered: BTreeMap<&'static str, Mode>,
    /// The pools opened for the plugins registered (their own logins, dedicated databases),
    /// which [`Host::close`] closes with the shared one.
    opened: Vec<Database>,
    log: Vec<String>,
}

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host")
            .field("composed", &self.composed)
            .field("registered", &self.registered)
            .finish()
    }
}

/// Options of a [`Host`].
#[derive(Debug, Default)]
pub struct HostBuilder {
    url: Option<String>,
    data_dir: Option<PathBuf>,
    deploy: bool,
    skip_migration_check: bool,
    migrate: sovereign_migrate::MigrateOptions,
    plugin_urls: BTreeMap<String, String>,
    replicas: Option<Vec<String>>,
}

/// The read replicas listed in `<var>_REPLICAS` (environment, else `.env`), if any.
pub(crate) fn replicas_from_env(var: Option<&str>) -> Vec<String> {
    var.map(|v| sovereign_migrate::url::replica_urls(v, &[std::path::Path::new(".")]))
        .unwrap_or_default()
}

impl HostBuilder {
    /// The shared database's URL (default: the platform datasource's, from its variable; or a
    /// SQLite file `platform.db` in the data directory when the variable is unset).
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// Where SQLite files go when a database's variable is not set: `platform.db` and
    /// `<namespace>.db`. Created if absent.
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// Apply the embedded migrations of the platform and of each dedicated plugin as they are
    /// connected (default: false).
    ///
    /// Without it, each database is checked instead (one read of its migration history): one
    /// that has not applied every migration the binary embeds is refused, with the missing
    /// migrations and the command that applies them, before a query fails on a missing column.
    pub fn deploy_migrations(mut self, on: bool) -> Self {
        self.deploy = on;
        self
    }

    /// Check at start-up that each database has applied the migrations the binary embeds
    /// (default: true; see [`HostBuilder::deploy_migrations`]). Turn it off for a database whose
    /// history lives elsewhere.
    pub fn check_migrations(mut self, on: bool) -> Self {
        self.skip_migration_check = !on;
        self
    }

    /// When a database gets its schema pushed (its provider differs from its migrations', or
    /// it has none), let the push run steps that lose data: dropping a non-empty column,
    /// changing the type of a column that holds values. Off by default: such a push is refused,
    /// nothing is changed, and the error lists the steps. Tables the schema does not name are
    /// never dropped either way.
    pub fn accept_data_loss(mut self, accept: bool) -> Self {
        self.migrate.accept_data_loss = accept;
        self
    }

    /// How long a deploy waits for the migration lock another process holds before it fails
    /// with a message naming the lock and its holder (default: 10 seconds, Prisma's).
    pub fn migration_lock_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.migrate.lock_timeout = timeout;
        self
    }

    /// The URL plugin `namespace` reaches the platform database with: a login of its own that
    /// reads the core tables and writes only its plugin's (`sovereign provision` makes it).
    /// Default: `SOVEREIGN_<NAMESPACE>_DATABASE_URL` (upper-cased, `-` as `_`) from the
    /// environment or `.env`; without either, the plugin shares the platform's login, and the
    /// host's [`log`](Host::log) says which plugins run so. A dedicated plugin's is its login
    /// for `ctx.core()`.
    pub fn plugin_url(mut self, namespace: impl Into<String>, url: impl Into<String>) -> Self {
        self.plugin_urls.insert(namespace.into(), url.into());
        self
    }

    /// Read replicas of the platform database: read operations outside transactions run on
    /// them, round robin, and writes and transactions on the primary (see
    /// [`Database::with_replicas`]). Default: the URLs in `<VAR>_REPLICAS` (the platform
    /// datasource's variable, e.g. `DATABASE_URL_REPLICAS`), separated by commas. A plugin with
    /// a login of its own reaches the same replicas with its login.
    pub fn replicas<I, S>(mut self, urls: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.replicas = Some(urls.into_iter().map(Into::into).collect());
        self
    }

    /// Connects the shared database of the platform whose client embedded `datasource` and
    /// `composed_plugins` (the generated `DATASOURCE` and `COMPOSED_PLUGINS`).
    ///
    /// # Errors
    /// The database's error when it cannot be reached or migrated (a refused schema push, a
    /// blocked migration, a lock held too long), its message saying what the host was doing.
    pub async fn connect(
        self,
        datasource: &'static Datasource,
        composed_plugins: &'static [&'static str],
    ) -> Result<Host, Error> {
        let mut log = Vec::new();
        let url = resolve_url(
            self.url,
            datasource,
            self.data_dir.as_deref(),
            "platform",
            "platform",
        )?;
        if self.deploy {
            let done = datasource
                .deploy_with(&url, &self.migrate)
                .await
                .map_err(|e| e.context("migrating the platform database"))?;
            log.push(format!("platform database: {done}"));
        } else if !self.skip_migration_check {
            datasource
                .require_migrations(&url, "the platform database", "sovereign migrate deploy")
                .await?;
        }
        let mut shared = Database::connect_relative(&url, datasource.base_dir())
            .await
            .map_err(|e| e.context("connecting the platform database"))?;
        let replica_urls = self
            .replicas
            .unwrap_or_else(|| replicas_from_env(datasource.env));
        if !replica_urls.is_empty() {
            shared = shared
                .connect_replicas(
                    &replica_urls,
                    datasource.base_dir(),
                    &crate::ConnectOptions::new(),
                )
                .await
                .map_err(|e| e.context("connecting the platform database's replicas"))?;
            log.push(format!(
                "platform database: {} read replica{}",
                replica_urls.len(),
                if replica_urls.len() == 1 { "" } else { "s" }
            ));
        }
        let shared_dialect = crate::Dialect::of_url(&url);
        let mut plugin_urls = self.plugin_urls;
        for ns in composed_plugins {
            if !plugin_urls.contains_key(*ns) {
                if let Some(u) = sovereign_migrate::url::env_var(
                    &sovereign_migrate::provision::url_variable(ns),
                    &[std::path::Path::new(".")],
                ) {
                    plugin_urls.insert(ns.to_string(), u);
                }
            }
        }
        // SQLite has no logins to give: nothing to say there.
        let unisolated: Vec<&str> = composed_plugins
            .iter()
            .copied()
            .filter(|ns| !plugin_urls.contains_key(*ns))
            .collect();
        if !unisolated.is_empty() && shared_dialect.is_some_and(|d| d != crate::Dialect::Sqlite) {
            log.push(format!(
                "unisolated: {} use{} the platform's database login (no SOVEREIGN_<NAMESPACE>_DATABASE_URL); `sovereign provision` gives each plugin a login of its own",
                unisolated.join(", "),
                if unisolated.len() == 1 { "s" } else { "" }
            ));
        }
        Ok(Host {
            shared,
            shared_dialect,
            base: datasource.base_dir().to_path_buf(),
            plugin_urls,
            replica_urls,
            composed: composed_plugins,
            data_dir: self.data_dir,
            deploy: self.deploy,
            check: !self.skip_migration_check,
            migrate: self.migrate,
            registered: BTreeMap::new(),
            opened: Vec::new(),
            log,
        })
    }
}

fn resolve_url(
    given: Option<String>,
    ds: &Datasource,
    data_dir: Option<&std::path::Path>,
    file_stem: &str,
    namespace: &str,
) -> Result<String, Error> {
    if let Some(u) = given {
        return Ok(u);
    }
    match ds.url() {
        Ok(u) => Ok(u),
        Err(e) => match (data_dir, ds.provider) {
            (Some(dir), "sqlite") => {
                std::fs::create_dir_all(dir).map_err(|err| {
                    Error::new(
                        crate::ErrorKind::Configuration,
                        format!("creating {}: {err}", dir.display()),
                    )
                })?;
                let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
                Ok(format!(
                    "file:{}",
                    dir.join(format!("{file_stem}.db")).display()
                ))
            }
            _ => match ds.env {
                Some(var) => Err(Error::new(
                    crate::ErrorKind::Configuration,
                    format!(
                        "plugin \"{namespace}\" has its own database, but `{var}` is not set: set it (or .env), or give the host a data directory for SQLite files"
                    ),
                )),
                None => Err(e.context(format!("the database of {namespace}"))),
            },
        },
    }
}

impl Host {
    /// The options of a host; [`HostBuilder::connect`] makes it.
    pub fn builder() -> HostBuilder {
        HostBuilder::default()
    }

    /// The shared database.
    pub fn database(&self) -> &Database {
        &self.shared
    }

    /// What connecting and migrating did, one line per database.
    pub fn log(&self) -> &[String] {
        &self.log
    }

    /// The namespaces registered so far, with their modes.
    pub fn plugins(&self) -> impl Iterator<Item = (&'static str, Mode)> + '_ {
        self.registered.iter().map(|(n, m)| (*n, *m))
    }

    /// The platform database as plugin `ns` reaches it: with its own login when it has one (a
    /// pool of its own: `true`), else the platform's pool.
    async fn plugin_database(&mut self, ns: &'static str) -> Result<(Database, bool), Error> {
        let url = match self.plugin_urls.get(ns) {
            Some(u) => Some(u.clone()),
            None => sovereign_migrate::url::env_var(
                &sovereign_migrate::provision::url_variable(ns),
                &[std::path::Path::new(".")],
            ),
        };
        let Some(url) = url else {
            return Ok((self.shared.clone(), false));
        };
        let var = sovereign_migrate::provision::url_variable(ns);
        if crate::Dialect::of_url(&url) != self.shared_dialect {
            return Err(Error::new(
                crate::ErrorKind::Configuration,
                format!("plugin \"{ns}\"'s login ({var}) is for another kind of database than the platform's: it must reach the platform database"),
            ));
        }
        let mut db = Database::connect_relative(&url, &self.base)
            .await
            .map_err(|e| {
                e.context(format!(
                    "connecting plugin \"{ns}\" with its own login ({var})"
                ))
            })?;
        self.log
            .push(format!("plugin {ns}: its own database login ({var})"));
        if !self.replica_urls.is_empty() {
            // The plugin's login on the replicas: they replay the primary, roles included.
            let Some((user, password)) = sovereign_migrate::url::credentials(&url) else {
                return Err(Error::new(
                    crate::ErrorKind::Configuration,
                    format!("plugin \"{ns}\"'s login ({var}) names no user: the platform database has read replicas, which the plugin reaches with its own login"),
                ));
            };
            let urls: Vec<String> = self
                .replica_urls
                .iter()
                .map(|r| sovereign_migrate::url::with_credentials(r, &user, &password))
                .collect();
            db = db
                .connect_replicas(&urls, &self.base, &crate::ConnectOptions::new())
                .await
                .map_err(|e| {
                    e.context(format!(
                        "connecting plugin \"{ns}\" to the read replicas with its own login ({var})"
                    ))
                })?;
        }
        Ok((db, true))
    }

    /// Registers plugin `P`: checks it against the composed schema (shared) or connects (and,
    /// when asked, migrates) its own database (dedicated), and hands back its context.
    ///
    /// # Errors
    /// [`ErrorKind::PluginAlreadyRegistered`](crate::ErrorKind::PluginAlreadyRegistered),
    /// [`ErrorKind::PluginNotComposed`](crate::ErrorKind::PluginNotComposed) (run
    /// `sovereign compose`), a missing URL, or the database's error connecting or migrating.
    pub async fn register<P: Plugin>(&mut self) -> Result<PluginContext<P>, Error> {
        let m = &P::MANIFEST;
        if self.registered.contains_key(m.namespace) {
            return Err(Error::new(
                crate::ErrorKind::PluginAlreadyRegistered {
                    namespace: m.namespace.to_string(),
                },
                format!("plugin \"{}\" is registered twice", m.namespace),
            ));
        }
        let (shared, has_login) = if m.grants("database") {
            let (db, own) = self.plugin_database(m.namespace).await?;
            (Some(db), own)
        } else {
            (None, false)
        };
        let own = match (m.mode, m.datasource) {
            (Mode::Shared, _) => {
                if !self.composed.contains(&m.namespace) {
                    return Err(Error::new(
                        crate::ErrorKind::PluginNotComposed {
                            namespace: m.namespace.to_string(),
                        },
                        format!(
                            "plugin \"{}\" is shared but not part of this platform's composed schema: run `sovereign compose`, commit prisma/schema.prisma and rebuild the platform",
                            m.namespace
                        ),
                    ));
                }
                None
            }
            (Mode::Dedicated, Some(ds)) => {
                let url =
                    resolve_url(None, ds, self.data_dir.as_deref(), m.namespace, m.namespace)?;
                if self.deploy {
                    let done = ds.deploy_with(&url, &self.migrate).await.map_err(|e| {
                        e.context(format!(
                            "migrating the database of plugin \"{}\"",
                            m.namespace
                        ))
                    })?;
                    self.log.push(format!(
                        "plugin {} ({}): {done}",
                        m.namespace,
                        provider_of(&url).unwrap_or(ds.provider)
                    ));
                } else if self.check {
                    ds.require_migrations(
                        &url,
                        &format!("the database of plugin \"{}\"", m.namespace),
                        &format!("plugin-db-manage deploy {}", m.namespace),
                    )
                    .await?;
                }
                let db = Database::connect_relative(&url, ds.base_dir())
                    .await
                    .map_err(|e| {
                        e.context(format!(
                            "connecting the database of plugin \"{}\"",
                            m.namespace
                        ))
                    })?;
                // Its own replicas: `<VAR>_REPLICAS` of its datasource's variable.
                let replicas = replicas_from_env(ds.env);
                let db = if replicas.is_empty() {
                    db
                } else {
                    self.log.push(format!(
                        "plugin {}: {} read replica{}",
                        m.namespace,
                        replicas.len(),
                        if replicas.len() == 1 { "" } else { "s" }
                    ));
                    db.connect_replicas(&replicas, ds.base_dir(), &crate::ConnectOptions::new())
                        .await
                        .map_err(|e| {
                            e.context(format!(
                                "connecting the read replicas of plugin \"{}\"",
                                m.namespace
                            ))
                        })?
                };
                Some(db)
            }
            (Mode::Dedicated, None) => None,
        };
        // Registered: the pools opened for it are closed with the host's (a failed registration
        // drops its own as it returns).
        let own_login = shared.as_ref().filter(|_| has_login);
        self.opened
            .extend(own_login.into_iter().chain(&own).cloned());
        self.registered.insert(m.namespace, m.mode);
        Ok(PluginContext {
            shared,
            own,
            _p: PhantomData,
        })
    }

    /// Closes every pool the host opened, waiting for connections in use to be returned: the
    /// shared database's and those of the plugins it registered (a plugin's own login on the
    /// platform database, a dedicated plugin's database, their replicas). For a graceful
    /// shutdown: a plugin context used afterwards gets
    /// [`ErrorKind::Connection`](crate::ErrorKind::Connection) errors.
    pub async fn close(&self) {
        self.shared.close().await;
        for db in &self.opened {
            db.close().await;
        }
    }
}
