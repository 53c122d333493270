//! What the studio tests share: test databases seeded with the example platform's schema, a
//! studio running on a runtime of its own, and the command lines' workspaces and processes.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};
use sovereign::dynamic::{Catalog, Record};
use sovereign::{Conn, Database};
use sovereign_cli::studio::{spawn, Source, Studio};
use sovereign_migrate::{Connection, Dialect};

use crate::http::{http, Reply};

pub(crate) fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The example platform's composed schema, for `provider`.
fn platform_schema(provider: &str) -> String {
    let text =
        std::fs::read_to_string(workspace().join("example-platform/prisma/schema.prisma")).unwrap();
    text.replace(
        "provider = \"sqlite\"",
        &format!("provider = \"{provider}\""),
    )
}

// ---------------------------------------------------------------------------------------------
// Databases

pub(crate) struct TestDb {
    pub(crate) url: String,
    /// The server database (dropped with it, also on a panic); `None` for SQLite.
    server: Option<sovereign_test_support::TestDb>,
    name: String,
    provider: &'static str,
}

impl TestDb {
    pub(crate) async fn create(provider: &'static str) -> Option<TestDb> {
        let (url, server, dialect) = match provider {
            "sqlite" => {
                let path = std::env::temp_dir().join(format!(
                    "{}.db",
                    sovereign_test_support::unique_name("studio")
                ));
                let _ = std::fs::remove_file(&path);
                (format!("file:{}", path.display()), None, Dialect::Sqlite)
            }
            _ => {
                let (server, dialect) = if provider == "mysql" {
                    (sovereign_test_support::Server::Mysql, Dialect::Mysql)
                } else {
                    (sovereign_test_support::Server::Postgres, Dialect::Postgres)
                };
                let db = sovereign_test_support::TestDb::create(
                    server,
                    &format!("studio on {provider}"),
                )
                .await?;
                (db.url.clone(), Some(db), dialect)
            }
        };
        let text = platform_schema(provider);
        let (schema, _) = sovereign_schema::check("schema.prisma", &text).unwrap();
        let mut conn = Connection::connect(&url).await.unwrap();
        conn.execute_script(&sovereign_migrate::create_script(
            &sovereign_migrate::sql_schema(&schema, dialect),
            dialect,
        ))
        .await
        .unwrap();
        let name = match &server {
            None => url.trim_start_matches("file:").to_string(),
            Some(db) => db.name.clone(),
        };
        Some(TestDb {
            url,
            server,
            name,
            provider,
        })
    }

    pub(crate) fn catalog(&self) -> Catalog {
        let (schema, _) =
            sovereign_schema::check("schema.prisma", &platform_schema(self.provider)).unwrap();
        Catalog::new(&schema)
    }

    pub(crate) async fn drop(self) {
        match self.server {
            None => {
                let _ = std::fs::remove_file(&self.name);
            }
            Some(db) => db.drop().await,
        }
    }
}

fn rec(v: Value) -> Record {
    v.as_object().unwrap().clone()
}

/// Two tenants, 120 users (the first is Ada), posts by Ada.
async fn seed(db: &Database, catalog: &Catalog) {
    let conn = Conn::Db(db.clone());
    let tenant = catalog.model("Tenant").unwrap();
    let user = catalog.model("User").unwrap();
    let post = catalog.model("Post").unwrap();
    let acme = tenant
        .create(&conn, &rec(json!({"slug": "acme", "name": "Acme Corp"})))
        .await
        .unwrap();
    tenant
        .create(&conn, &rec(json!({"slug": "globex", "name": "Globex"})))
        .await
        .unwrap();
    let ada = user
        .create(
            &conn,
            &rec(json!({"email": "ada@acme.io", "name": "Ada Lovelace", "role": "OWNER", "tenantId": acme["id"]})),
        )
        .await
        .unwrap();
    for i in 1..120 {
        user.create(
            &conn,
            &rec(json!({
                "email": format!("user{i:03}@acme.io"),
                "name": if i % 7 == 0 { Value::Null } else { json!(format!("User {i:03}")) },
                "tenantId": acme["id"],
            })),
        )
        .await
        .unwrap();
    }
    for (i, title) in [
        "Notes on the Analytical Engine",
        "Sketch of the Engine",
        "On Bernoulli numbers",
    ]
    .iter()
    .enumerate()
    {
        post.create(
            &conn,
            &rec(json!({
                "slug": format!("post-{i}"),
                "title": title,
                "body": "Lorem ipsum, \"quoted\" and O'Reilly's.",
                "published": i != 2,
                "authorId": ada["id"],
            })),
        )
        .await
        .unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// A running studio, and plain HTTP/1.1 to it (and to chromedriver)

pub(crate) struct Running {
    pub(crate) addr: SocketAddr,
    pub(crate) token: String,
    _runtime: tokio::runtime::Runtime,
}

/// Serves `sources` on a free port, on a runtime of its own.
pub(crate) fn start(
    build: impl std::future::Future<Output = Vec<Source>> + Send + 'static,
) -> Running {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (addr, token) = runtime.block_on(async move {
        spawn(Studio::new("test", build.await).unwrap())
            .await
            .unwrap()
    });
    Running {
        addr,
        token,
        _runtime: runtime,
    }
}

impl Running {
    pub(crate) fn get(&self, path: &str) -> Reply {
        http(
            self.addr,
            "GET",
            path,
            &[("x-studio-token", &self.token)],
            None,
        )
    }
    pub(crate) fn post(&self, path: &str, body: Value) -> Reply {
        http(
            self.addr,
            "POST",
            path,
            &[("x-studio-token", &self.token)],
            Some(&body.to_string()),
        )
    }
    pub(crate) fn url(&self) -> String {
        format!("http://{}/?token={}", self.addr, self.token)
    }
}

/// The example platform's core (base schema) models.
pub(crate) const CORE_MODELS: [&str; 3] = ["Tenant", "User", "Session"];

/// A studio over `db`, seeded: the platform's view (editable) and a plugin's view of the core
/// tables (read-only, for `reason`).
pub(crate) fn start_seeded(db: &TestDb, reason: &'static str) -> Running {
    let url = db.url.clone();
    let catalog = db.catalog();
    let core = db.catalog();
    start(async move {
        let database = Database::connect(&url).await.unwrap();
        seed(&database, &catalog).await;
        vec![
            Source {
                label: "Platform".into(),
                database: database.clone(),
                catalog,
                visible: None,
                writable: None,
                read_only_reason: String::new(),
            },
            // As a dedicated plugin sees the platform: the core models only.
            Source {
                label: "Core (read-only)".into(),
                database,
                catalog: core,
                visible: Some(CORE_MODELS.iter().map(|m| m.to_string()).collect()),
                writable: Some(Vec::new()),
                read_only_reason: reason.into(),
            },
        ]
    })
}

// ---------------------------------------------------------------------------------------------
// The command line

/// Starts a studio command, returns it with its address and token (from the printed URL).
pub(crate) fn spawn_studio(
    program: &str,
    args: &[&str],
    dir: &Path,
    env: &[(&str, &str)],
) -> (Child, SocketAddr, String) {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let Some(url) = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .map(str::to_string)
    else {
        let _ = child.kill();
        let mut err = String::new();
        let _ = child.stderr.take().unwrap().read_to_string(&mut err);
        panic!("no URL in {line:?}; stderr: {err}");
    };
    // Keep reading stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = out.read_to_string(&mut rest);
    });
    let rest = url.trim_start_matches("http://");
    let (host, query) = rest.split_once('/').unwrap();
    let token = query.trim_start_matches("?token=").to_string();
    assert_eq!(token.len(), 48, "{url}");
    (child, host.parse().unwrap(), token)
}

pub(crate) fn sqlite_script(path: &Path, script: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut c = Connection::connect(&format!("file:{}", path.display()))
            .await
            .unwrap();
        c.execute_script(script).await.unwrap();
    });
}

/// A workspace in a new temporary directory named after `tag`: a platform of authors and notes
/// (no database file yet).
pub(crate) fn cli_workspace(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sov_studio_{tag}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("platform/prisma")).unwrap();
    let schema = "datasource db {\n  provider = \"sqlite\"\n  url      = \"file:./dev.db\"\n}\n\nmodel Author {\n  id    Int    @id @default(autoincrement())\n  name  String\n  notes Note[]\n}\n\nmodel Note {\n  id       Int    @id @default(autoincrement())\n  text     String\n  authorId Int\n  author   Author @relation(fields: [authorId], references: [id])\n}\n";
    std::fs::write(dir.join("platform/prisma/base.prisma"), schema).unwrap();
    std::fs::write(dir.join("platform/prisma/schema.prisma"), schema).unwrap();
    std::fs::write(dir.join("sovereign.toml"), "").unwrap();
    dir
}

/// The platform database of [`cli_workspace`]: one author with one note.
pub(crate) fn cli_platform_db(dir: &Path) {
    let platform_db = dir.join("platform/prisma/dev.db");
    std::fs::write(&platform_db, "").unwrap();
    sqlite_script(
        &platform_db,
        "PRAGMA foreign_keys = ON;
         CREATE TABLE \"Author\" (\"id\" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, \"name\" TEXT NOT NULL);
         CREATE TABLE \"Note\" (\"id\" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, \"text\" TEXT NOT NULL, \"authorId\" INTEGER NOT NULL,
           CONSTRAINT \"Note_authorId_fkey\" FOREIGN KEY (\"authorId\") REFERENCES \"Author\" (\"id\") ON DELETE RESTRICT ON UPDATE CASCADE);
         INSERT INTO \"Author\" (\"name\") VALUES ('Ada');
         INSERT INTO \"Note\" (\"text\", \"authorId\") VALUES ('hello', 1);",
    );
}
