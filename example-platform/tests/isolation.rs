//! Isolation the database enforces: the example platform on PostgreSQL and MariaDB, its shared
//! plugins given logins of their own (as `sovereign provision` makes them), connected by the
//! host with those logins. The plugins' real work runs through the typed client; raw SQL that
//! writes a core table or touches another plugin's table is refused by the database, and the
//! error says so. Without the logins, the host's log names the plugins that run unisolated.

use std::sync::OnceLock;

use sovereign::{query_raw, raw, Conn, Database, Datasource, ErrorKind, Host};
use sovereign_migrate::provision::{provision_role, role_name, Access};
use sovereign_migrate::url::with_credentials;
use sovereign_migrate::{Connection, Dialect};
use sovereign_test_support::{Server, TestDb};

const SCHEMA: &str = include_str!("../prisma/schema.prisma");
const COMPOSED: &[&str] = &["blog", "tasks"];

/// The platform's datasource as its build embeds it (SQLite migrations: on these servers the
/// host pushes the schema).
static PLATFORM: Datasource = Datasource {
    provider: "sqlite",
    env: None,
    url: "",
    schema: SCHEMA,
    migrations: &[(
        "20261128170000_init",
        include_str!("../prisma/migrations/20261128170000_init/migration.sql"),
    )],
    base: OnceLock::new(),
};

/// Drops the test's roles (server-wide) after revoking what they hold in the test database.
struct Roles {
    server: Server,
    url: String,
    names: Vec<String>,
}

impl Drop for Roles {
    fn drop(&mut self) {
        let sql: Vec<String> = self
            .names
            .iter()
            .flat_map(|r| match self.server {
                Server::Postgres => vec![
                    format!("DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{r}') THEN DROP OWNED BY \"{r}\"; END IF; END $$"),
                    format!("DROP ROLE IF EXISTS \"{r}\""),
                ],
                Server::Mysql => vec![format!("DROP USER IF EXISTS '{r}'@'%'")],
            })
            .collect();
        let url = self.url.clone();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let mut c = Connection::connect(&url).await.ok()?;
                for s in &sql {
                    c.execute_script(s).await.ok()?;
                }
                Some(())
            })
        })
        .join();
    }
}

/// How many sessions `role` has on the server.
async fn sessions(watch: &Database, server: Server, role: &str) -> i64 {
    let sql = match server {
        Server::Postgres => raw!(
            "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE usename = {}",
            role
        ),
        Server::Mysql => raw!(
            "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = {}",
            role
        ),
    };
    let rows: Vec<(i64,)> = query_raw(&Conn::Db(watch.clone()), sql).await.unwrap();
    rows[0].0
}

async fn isolation(server: Server) {
    let Some(db) = TestDb::create(server, "isolation").await else {
        return;
    };
    let dialect = match server {
        Server::Postgres => Dialect::Postgres,
        Server::Mysql => Dialect::Mysql,
    };
    // The platform starts on its own login: the schema is pushed, and the log says the
    // plugins are not isolated.
    let host = Host::builder()
        .url(&db.url)
        .deploy_migrations(true)
        .connect(&PLATFORM, COMPOSED)
        .await
        .unwrap();
    assert!(
        host.log()
            .iter()
            .any(|l| l.starts_with("unisolated: blog, tasks use the platform's database login")),
        "{:?}",
        host.log()
    );
    host.close().await;
    let mut admin = Connection::connect(&db.url).await.unwrap();
    let seed = match server {
        Server::Postgres => "INSERT INTO \"Tenant\" (slug, name) VALUES ('acme', 'Acme'); INSERT INTO \"users\" (id, email, \"tenantId\", \"updatedAt\") VALUES ('u1', 'ada@acme.test', 1, now())",
        Server::Mysql => "INSERT INTO `Tenant` (slug, name) VALUES ('acme', 'Acme'); INSERT INTO `users` (id, email, tenantId, updatedAt) VALUES ('u1', 'ada@acme.test', 1, NOW(3))",
    };
    admin.execute_script(seed).await.unwrap();

    // Each plugin's login, with the grants `sovereign provision` gives it.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let config = sovereign_workspace::Config::find(&root).unwrap();
    let composition = sovereign_build::compose_workspace(&config).unwrap();
    let composed = &composition.composed;
    let roles = Roles {
        server,
        url: db.url.clone(),
        names: COMPOSED
            .iter()
            .map(|ns| role_name(&db.name, ns, dialect))
            .collect(),
    };
    let mut urls = Vec::new();
    for (ns, role) in COMPOSED.iter().zip(&roles.names) {
        let access = Access::for_plugin(&composed.schema, &composed.owners, ns, dialect);
        let password = format!("{ns}-secret");
        provision_role(&mut admin, role, &password, false, &access)
            .await
            .unwrap();
        urls.push(with_credentials(&db.url, role, &password));
    }

    let mut host = Host::builder()
        .url(&db.url)
        .plugin_url("blog", &urls[0])
        .plugin_url("tasks", &urls[1])
        .connect(&PLATFORM, COMPOSED)
        .await
        .unwrap();
    let blog = host.register::<example_blog::Blog>().await.unwrap();
    let tasks = host.register::<example_tasks::Tasks>().await.unwrap();
    let log = host.log().join("\n");
    assert!(!log.contains("unisolated"), "{log}");
    assert!(
        log.contains("plugin blog: its own database login (SOVEREIGN_BLOG_DATABASE_URL)"),
        "{log}"
    );

    // The plugins' real work, through the typed client on their own logins.
    let post = example_blog::publish(
        &blog,
        "ada@acme.test",
        "hello",
        "Hello",
        "Isolated.",
        &["rust"],
    )
    .await
    .unwrap();
    assert_eq!(post.title, "Hello");
    example_tasks::add(&tasks, 1, 1, "Ship", Some("ada@acme.test"))
        .await
        .unwrap();
    assert_eq!(example_blog::latest(&blog, 5).await.unwrap().len(), 1);

    // Raw SQL past the type system: refused by the database, and said so.
    let (write_core, touch_other) = match server {
        Server::Postgres => (
            raw!("UPDATE \"users\" SET name = 'eve'"),
            raw!("DELETE FROM \"Task\""),
        ),
        Server::Mysql => (
            raw!("UPDATE `users` SET name = 'eve'"),
            raw!("DELETE FROM `Task`"),
        ),
    };
    let err = blog.db()._execute_raw(write_core).await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::PermissionDenied, "{err}");
    assert!(err.is_permission_denied());
    assert!(
        err.to_string()
            .contains("a plugin's own login reads the core tables and writes only its plugin's"),
        "{err}"
    );
    let err = blog.db()._execute_raw(touch_other).await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::PermissionDenied, "{err}");
    let other_way = match server {
        Server::Postgres => raw!("DELETE FROM \"Post\""),
        Server::Mysql => raw!("DELETE FROM `Post`"),
    };
    let err = tasks.db()._execute_raw(other_way).await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::PermissionDenied, "{err}");

    // The host closes the plugins' pools with its own: their sessions leave the server.
    let watch = Database::connect(&db.url).await.unwrap();
    for role in &roles.names {
        assert!(
            sessions(&watch, server, role).await > 0,
            "{role} has sessions"
        );
    }
    host.close().await;
    let err = example_blog::latest(&blog, 5).await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Connection, "{err}");
    for role in &roles.names {
        // A server ends a session a moment after its client says goodbye.
        let mut left = i64::MAX;
        for _ in 0..100 {
            left = sessions(&watch, server, role).await;
            if left == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(left, 0, "sessions of {role} left after Host::close");
    }
    watch.close().await;
    drop((blog, tasks));
    drop(admin);
    drop(roles);
    db.drop().await;
}

#[tokio::test]
async fn postgres_plugins_are_isolated_by_their_logins() {
    isolation(Server::Postgres).await;
}

#[tokio::test]
async fn mysql_plugins_are_isolated_by_their_logins() {
    isolation(Server::Mysql).await;
}

/// The analytics plugin's own database on a second PostgreSQL server (one the test starts on a
/// private port), the platform's on the test server: the example runs as on one server, and
/// each database holds only its own tables.
#[tokio::test]
async fn a_dedicated_plugin_on_a_server_of_its_own() {
    let Some(db) = TestDb::create(Server::Postgres, "two_servers").await else {
        return;
    };
    let Some(second) = sovereign_test_support::cluster::PgServer::start_new("analytics_server")
    else {
        return;
    };
    Connection::connect(&second.url("postgres"))
        .await
        .unwrap()
        .execute_script("CREATE DATABASE analytics")
        .await
        .unwrap();
    let data = std::env::temp_dir().join(sovereign_test_support::unique_name("two_servers"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_example-platform"))
        .env("DATABASE_URL", &db.url)
        .env("ANALYTICS_DATABASE_URL", second.url("analytics"))
        .env("SOVEREIGN_DATA_DIR", &data)
        .env_remove("SOVEREIGN_BLOG_DATABASE_URL")
        .env_remove("SOVEREIGN_TASKS_DATABASE_URL")
        .env_remove("SOVEREIGN_ANALYTICS_DATABASE_URL")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("plugin analytics (postgresql): schema pushed"),
        "{stdout}"
    );
    assert!(stdout.contains("ada@acme.test      1"), "{stdout}");
    let count = |url: String, table: &'static str| async move {
        let mut c = Connection::connect(&url).await.unwrap();
        c.execute_script(&format!("SELECT 1 FROM \"{table}\" LIMIT 1"))
            .await
            .is_ok()
    };
    assert!(count(second.url("analytics"), "PageView").await);
    assert!(!count(second.url("analytics"), "Post").await);
    assert!(count(db.url.clone(), "Post").await);
    assert!(!count(db.url.clone(), "PageView").await);
    let _ = std::fs::remove_dir_all(&data);
    drop(second);
    db.drop().await;
}

/// The platform on a primary with a streaming replica (both started by the test): the host
/// reads through the replica, and a plugin with a login of its own reaches the replica with
/// that login (roles replicate with the data); writes go to the primary.
#[tokio::test]
async fn plugins_read_the_replicas_with_their_own_logins() {
    let Some(cluster) = sovereign_test_support::cluster::PgCluster::start("host_replicas") else {
        return;
    };
    let primary = cluster.primary.url("postgres");
    let standby = cluster.standby.url("postgres");
    let host = Host::builder()
        .url(&primary)
        .deploy_migrations(true)
        .connect(&PLATFORM, COMPOSED)
        .await
        .unwrap();
    host.close().await;
    let mut admin = Connection::connect(&primary).await.unwrap();
    admin
        .execute_script("INSERT INTO \"Tenant\" (slug, name) VALUES ('acme', 'Acme'); INSERT INTO \"users\" (id, email, \"tenantId\", \"updatedAt\") VALUES ('u1', 'ada@acme.test', 1, now())")
        .await
        .unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let config = sovereign_workspace::Config::find(&root).unwrap();
    let composition = sovereign_build::compose_workspace(&config).unwrap();
    let composed = &composition.composed;
    let access = Access::for_plugin(
        &composed.schema,
        &composed.owners,
        "blog",
        Dialect::Postgres,
    );
    provision_role(&mut admin, "replica_blog", "blog-secret", false, &access)
        .await
        .unwrap();
    let blog_url = with_credentials(&primary, "replica_blog", "blog-secret");

    let mut host = Host::builder()
        .url(&primary)
        .replicas([standby.clone()])
        .plugin_url("blog", &blog_url)
        .connect(&PLATFORM, COMPOSED)
        .await
        .unwrap();
    assert!(
        host.log()
            .iter()
            .any(|l| l == "platform database: 1 read replica"),
        "{:?}",
        host.log()
    );
    let blog = host.register::<example_blog::Blog>().await.unwrap();
    let platform = sovereign::Conn::Db(host.database().clone());
    let who = raw!("SELECT pg_is_in_recovery(), current_user::text");
    // The replica replays the seed and the role.
    let started = std::time::Instant::now();
    loop {
        match blog.db()._query_raw::<(bool, String)>(who.clone()).await {
            Ok(rows) if rows[0].0 => {
                assert_eq!(rows[0].1, "replica_blog", "the plugin's own login");
                break;
            }
            other => assert!(
                started.elapsed() < std::time::Duration::from_secs(20),
                "the plugin does not read the replica: {other:?}"
            ),
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let rows: Vec<(bool, String)> = sovereign::query_raw(&platform, who.clone()).await.unwrap();
    assert_eq!(
        rows[0],
        (true, "postgres".to_string()),
        "the platform reads the replica"
    );
    let rows: Vec<(bool, String)> = sovereign::query_raw(&platform.primary(), who)
        .await
        .unwrap();
    assert!(!rows[0].0, "`.primary()` reads the primary");
    // A write through the plugin's client goes to the primary.
    let post = example_blog::publish(&blog, "ada@acme.test", "hi", "Hi", "Replicated.", &[])
        .await
        .unwrap();
    assert_eq!(post.title, "Hi");
    drop(blog);
    host.close().await;
}
