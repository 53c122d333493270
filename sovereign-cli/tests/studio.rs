//! The studio: its HTTP API on SQLite, PostgreSQL and MySQL, the command line, and the page in a
//! real headless browser (Debian's chromium and chromedriver, driven over WebDriver); and what
//! keeps its data to its user (issue #12): the token handed to a browser by a private file, kept
//! by the page in `sessionStorage` and sent in a header (never a cookie, which every other
//! server on 127.0.0.1 would receive), the security headers, the origin check on writes, a
//! plugin's view limited to its own and the core models, and bounded paging parameters.
//!
//! The browser test keeps screenshots of the main views in `target/studio-screenshots/`. It
//! runs when `chromedriver` is on the PATH (or at `CHROMEDRIVER`); with
//! `SOVEREIGN_REQUIRE_BROWSER=1` (as `.ci/run` sets) a missing browser is a failure, not a skip.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sovereign::dynamic::{Catalog, Record};
use sovereign::{Conn, Database};
use sovereign_cli::studio::{spawn, Source, Studio, MAX_SKIP, MAX_TAKE, SIDEBAR_COUNT_CAP};
use sovereign_migrate::{Connection, Dialect};

#[path = "common/http.rs"]
mod http;

use http::{enc, http, Reply};

fn workspace() -> PathBuf {
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

struct TestDb {
    url: String,
    /// The server database (dropped with it, also on a panic); `None` for SQLite.
    server: Option<sovereign_test_support::TestDb>,
    name: String,
    provider: &'static str,
}

impl TestDb {
    async fn create(provider: &'static str) -> Option<TestDb> {
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

    fn catalog(&self) -> Catalog {
        let (schema, _) =
            sovereign_schema::check("schema.prisma", &platform_schema(self.provider)).unwrap();
        Catalog::new(&schema)
    }

    async fn drop(self) {
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

struct Running {
    addr: SocketAddr,
    token: String,
    _runtime: tokio::runtime::Runtime,
}

/// Serves `sources` on a free port, on a runtime of its own.
fn start(build: impl std::future::Future<Output = Vec<Source>> + Send + 'static) -> Running {
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
    fn get(&self, path: &str) -> Reply {
        http(
            self.addr,
            "GET",
            path,
            &[("x-studio-token", &self.token)],
            None,
        )
    }
    fn post(&self, path: &str, body: Value) -> Reply {
        http(
            self.addr,
            "POST",
            path,
            &[("x-studio-token", &self.token)],
            Some(&body.to_string()),
        )
    }
    fn url(&self) -> String {
        format!("http://{}/?token={}", self.addr, self.token)
    }
}

// ---------------------------------------------------------------------------------------------
// The API on each database

fn api_suite(s: &Running) {
    // The token is checked on every API request, and the host name on every request.
    let r = http(s.addr, "GET", "/api/schema", &[], None);
    assert_eq!(r.status, 401);
    assert!(r.body.contains("needs its token"), "{}", r.body);
    assert_eq!(r.json()["error"]["kind"], json!("token"));
    let r = http(
        s.addr,
        "GET",
        "/api/schema",
        &[("x-studio-token", "0123")],
        None,
    );
    assert_eq!(r.status, 401);
    let r = http(s.addr, "GET", &format!("/?token={}", s.token), &[], None);
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Sovereign Studio"));
    let mut sock = TcpStream::connect(s.addr).unwrap();
    write!(
        sock,
        "GET /api/schema HTTP/1.1\r\nHost: evil.example:80\r\nx-studio-token: {}\r\nConnection: close\r\n\r\n",
        s.token
    )
    .unwrap();
    let mut answer = String::new();
    sock.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");

    // Models with counts; the second source is read-only.
    let schema = s.get("/api/schema").json();
    let models = &schema["sources"][0]["models"];
    let user = models
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "User")
        .unwrap();
    let counts = s.get("/api/counts?source=0").json();
    assert_eq!(counts["counts"]["User"], json!(120));
    assert_eq!(counts["counts"]["Tenant"], json!(2));
    assert_eq!(user["writable"], json!(true));
    assert_eq!(user["primaryKey"], json!(["id"]));
    let ro_user = schema["sources"][1]["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "User")
        .unwrap();
    assert_eq!(ro_user["writable"], json!(false));
    let ro_names: Vec<&Value> = schema["sources"][1]["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["name"])
        .collect();
    assert_eq!(
        ro_names,
        CORE_MODELS.map(|m| json!(m)).iter().collect::<Vec<_>>()
    );
    assert_eq!(s.get("/api/rows?source=1&model=Post").status, 404);

    // Pages, sorting and filters, on the server.
    let r = s
        .get("/api/rows?source=0&model=User&take=50&skip=100&order=email:asc")
        .json();
    assert_eq!(r["total"], json!(120));
    assert_eq!(r["rows"].as_array().unwrap().len(), 20);
    assert_eq!(r["rows"][0]["email"], json!("user100@acme.io"));
    assert_eq!(r["exact"], json!(true));
    // The last page read from the end comes back in the requested order.
    let r = s
        .get("/api/rows?model=User&take=5&skip=0&reverse=1&order=email:asc")
        .json();
    let emails: Vec<&str> = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        emails,
        [
            "user115@acme.io",
            "user116@acme.io",
            "user117@acme.io",
            "user118@acme.io",
            "user119@acme.io"
        ]
    );
    let filters = json!([{"field": "role", "op": "equals", "value": "MEMBER"}]);
    let r = s
        .get(&format!("/api/count?model=User&filters={}", enc(&filters)))
        .json();
    assert_eq!(r["total"], json!(119));
    let filters = json!([{"field": "email", "op": "contains", "value": "USER11"}]);
    let r = s
        .get(&format!(
            "/api/rows?model=User&filters={}&order=email:desc",
            enc(&filters)
        ))
        .json();
    assert_eq!(r["total"], json!(10), "insensitive contains");
    assert_eq!(r["rows"][0]["email"], json!("user119@acme.io"));
    let filters = json!([{"field": "name", "op": "is_null"}]);
    let r = s
        .get(&format!("/api/rows?model=User&filters={}", enc(&filters)))
        .json();
    assert_eq!(r["total"], json!(17));
    let bad = json!([{"field": "nope", "op": "equals", "value": 1}]);
    let r = s.get(&format!("/api/rows?model=User&filters={}", enc(&bad)));
    assert_eq!(r.status, 422);
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("User has no field `nope`"));

    // Following a relation: Ada's posts.
    let ada = s
        .get(&format!(
            "/api/rows?model=User&filters={}",
            enc(&json!([{"field": "email", "op": "equals", "value": "ada@acme.io"}]))
        ))
        .json()["rows"][0]
        .clone();
    let related = json!({"relation": "author", "model": "User", "key": {"id": ada["id"]}});
    let r = s
        .get(&format!("/api/rows?model=Post&related={}", enc(&related)))
        .json();
    assert_eq!(r["total"], json!(3));

    // Create, with the database's objections in words.
    let r = s.post(
        "/api/create",
        json!({"model": "Tenant", "values": {"slug": "acme", "name": "Again"}}),
    );
    assert_eq!(r.status, 409);
    let e = &r.json()["error"];
    assert_eq!(e["kind"], json!("unique_violation"));
    assert_eq!(e["fields"], json!(["slug"]));
    assert!(e["message"]
        .as_str()
        .unwrap()
        .contains("Another Tenant already has this slug"));
    let r = s.post(
        "/api/create",
        json!({"model": "Tenant", "values": {"slug": "initech"}}),
    );
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["error"]["fields"], json!(["name"]));
    let r = s.post(
        "/api/create",
        json!({"model": "Post", "values": {"slug": "x", "title": "x", "body": "x", "authorId": "no-such-user"}}),
    );
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["error"]["kind"], json!("foreign_key_violation"));
    let r = s.post(
        "/api/create",
        json!({"model": "Tenant", "values": {"slug": "initech", "name": "Initech", "createdAt": "last tuesday"}}),
    );
    assert_eq!(r.status, 422);
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("createdAt is a DateTime"));
    let created = s.post(
        "/api/create",
        json!({"model": "Tenant", "values": {"slug": "initech", "name": "Initech"}}),
    );
    assert_eq!(created.status, 200, "{}", created.body);
    let initech = created.json()["record"].clone();

    // Edit, read back, delete.
    let r = s.post(
        "/api/update",
        json!({"model": "Tenant", "key": {"id": initech["id"]}, "values": {"name": "Initech Inc."}}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = s
        .get(&format!(
            "/api/record?model=Tenant&key={}",
            enc(&json!({"id": initech["id"]}))
        ))
        .json();
    assert_eq!(r["record"]["name"], json!("Initech Inc."));
    let r = s.post(
        "/api/delete",
        json!({"model": "Tenant", "key": {"id": initech["id"]}}),
    );
    assert_eq!(r.status, 200);
    let r = s.post(
        "/api/delete",
        json!({"model": "Tenant", "key": {"id": initech["id"]}}),
    );
    assert_eq!(r.status, 404);
    // Deleting a record others refer to: Ada's session blocks nothing (cascade), but a
    // read-only source refuses every write.
    let r = s.post(
        "/api/update",
        json!({"source": 1, "model": "User", "key": {"id": ada["id"]}, "values": {"name": "x"}}),
    );
    assert_eq!(r.status, 403);
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("User is read-only here"));
}

/// The example platform's core (base schema) models.
const CORE_MODELS: [&str; 3] = ["Tenant", "User", "Session"];

/// A studio over `db`, seeded: the platform's view (editable) and a plugin's view of the core
/// tables (read-only, for `reason`).
fn start_seeded(db: &TestDb, reason: &'static str) -> Running {
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

fn run_api(provider: &'static str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(db) = rt.block_on(TestDb::create(provider)) else {
        return;
    };
    let s = start_seeded(&db, "plugins read core tables");
    api_suite(&s);
    drop(s);
    rt.block_on(db.drop());
}

#[test]
fn studio_api_on_sqlite() {
    run_api("sqlite");
}

#[test]
fn studio_api_on_postgres() {
    run_api("postgresql");
}

#[test]
fn studio_api_on_mysql() {
    run_api("mysql");
}

// ---------------------------------------------------------------------------------------------
// The command line

/// Starts a studio command, returns it with its address and token (from the printed URL).
fn spawn_studio(
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

fn sqlite_script(path: &Path, script: &str) {
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
fn cli_workspace(tag: &str) -> PathBuf {
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
fn cli_platform_db(dir: &Path) {
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

#[test]
fn studio_commands_for_the_platform_and_a_dedicated_plugin() {
    let dir = cli_workspace("cli");
    let sovereign = env!("CARGO_BIN_EXE_sovereign");
    let manage = env!("CARGO_BIN_EXE_plugin-db-manage");

    // No database file yet: said, with the fix.
    let out = Command::new(sovereign)
        .arg("studio")
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("does not exist") && err.contains("sovereign migrate deploy"),
        "{err}"
    );

    cli_platform_db(&dir);
    let (mut child, addr, token) = spawn_studio(sovereign, &["studio", "--port", "0"], &dir, &[]);
    let t = [("x-studio-token", token.as_str())];
    assert_eq!(http(addr, "GET", "/api/schema", &[], None).status, 401);
    let r = http(addr, "GET", "/api/counts?source=0", &t, None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["counts"], json!({"Author": 1, "Note": 1}));
    // A record still in use is not deleted, and the page is told why.
    let r = http(
        addr,
        "POST",
        "/api/delete",
        &t,
        Some(&json!({"model": "Author", "key": {"id": 1}}).to_string()),
    );
    assert_eq!(r.status, 409, "{}", r.body);
    let e = &r.json()["error"];
    assert_eq!(e["kind"], json!("foreign_key_violation"));
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("This Author is still in use"),
        "{e}"
    );
    child.kill().unwrap();
    child.wait().unwrap();

    // A dedicated plugin: its own database editable, the core tables beside it read-only.
    let p = dir.join("plugins/stats");
    std::fs::create_dir_all(p.join("prisma")).unwrap();
    std::fs::write(
        p.join("plugin.json"),
        "{\"id\": \"stats\", \"name\": \"Stats\", \"version\": \"1.0.0\", \"sovereign\": {\"database\": {\"mode\": \"dedicated\"}}}",
    )
    .unwrap();
    std::fs::write(
        p.join("prisma/schema.prisma"),
        "datasource db {\n  provider = \"sqlite\"\n  url      = env(\"STATS_DATABASE_URL\")\n}\n\ngenerator client {\n  provider = \"sovereign\"\n}\n\nmodel Hit {\n  id   Int    @id @default(autoincrement())\n  path String\n}\n",
    )
    .unwrap();
    let stats_db = dir.join("stats.db");
    std::fs::write(&stats_db, "").unwrap();
    sqlite_script(
        &stats_db,
        "CREATE TABLE \"Hit\" (\"id\" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, \"path\" TEXT NOT NULL);",
    );
    let out = Command::new(manage)
        .args(["studio", "stats"])
        .current_dir(&dir)
        .env_remove("STATS_DATABASE_URL")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("STATS_DATABASE_URL is not set"), "{err}");
    let url = format!("file:{}", stats_db.display());
    let (mut child, addr, token) = spawn_studio(
        manage,
        &["studio", "stats", "--port", "0"],
        &dir,
        &[("STATS_DATABASE_URL", &url)],
    );
    let t = [("x-studio-token", token.as_str())];
    let schema = http(addr, "GET", "/api/schema", &t, None).json();
    let sources = schema["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 2, "{schema}");
    assert_eq!(sources[0]["label"], json!("Plugin stats"));
    assert_eq!(sources[0]["models"][0]["writable"], json!(true));
    assert_eq!(sources[1]["label"], json!("Core (read-only)"));
    assert!(sources[1]["models"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["writable"] == json!(false)));
    let r = http(
        addr,
        "POST",
        "/api/create",
        &t,
        Some(&json!({"source": 0, "model": "Hit", "values": {"path": "/"}}).to_string()),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = http(
        addr,
        "POST",
        "/api/create",
        &t,
        Some(&json!({"source": 1, "model": "Author", "values": {"name": "Eve"}}).to_string()),
    );
    assert_eq!(r.status, 403);
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("plugin \"stats\" reads core tables"));
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------------
// The page in a real browser

/// A W3C WebDriver session on chromedriver.
struct Browser {
    driver: Child,
    addr: SocketAddr,
    session: String,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Browser {
    fn start() -> Option<Browser> {
        let chromedriver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = match Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        {
            Ok(c) => c,
            Err(e) => {
                let msg = format!("cannot start {chromedriver}: {e} (install Debian's chromium and chromium-driver)");
                if std::env::var("SOVEREIGN_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
                    panic!("{msg}");
                }
                sovereign_test_support::skipped(&msg);
                return None;
            }
        };
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(addr).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1440,900", "--force-device-scale-factor=1"]
            }
        }}});
        let r = http(addr, "POST", "/session", &[], Some(&caps.to_string()));
        assert_eq!(r.status, 200, "new session: {}", r.body);
        let session = r.json()["value"]["sessionId"].as_str().unwrap().to_string();
        Some(Browser {
            driver,
            addr,
            session,
        })
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        let body = body.map(|b| b.to_string());
        let r = http(self.addr, method, &path, &[], body.as_deref());
        assert_eq!(r.status, 200, "{method} {path}: {}", r.body);
        r.json()["value"].clone()
    }

    fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    fn script(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
    }

    /// Waits until `cond` (a JavaScript expression) is truthy.
    fn wait(&self, what: &str, cond: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if self.script(&format!("return !!({cond});"), json!([])) == json!(true) {
                return;
            }
            if Instant::now() > deadline {
                let text = self.script("return document.body.innerText;", json!([]));
                panic!("timed out waiting for {what} ({cond}); the page says:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn find(&self, css: &str) -> String {
        let v = self.call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_string()
    }

    fn click(&self, css: &str) {
        self.wait(css, &format!("document.querySelector({css:?})"));
        let e = self.find(css);
        self.call("POST", &format!("/element/{e}/click"), Some(json!({})));
    }

    fn clear(&self, css: &str) {
        let e = self.find(css);
        self.call("POST", &format!("/element/{e}/clear"), Some(json!({})));
    }

    fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.call("POST", &format!("/element/{e}/clear"), Some(json!({})));
        self.call(
            "POST",
            &format!("/element/{e}/value"),
            Some(json!({ "text": text })),
        );
    }

    fn text(&self, css: &str) -> String {
        let e = self.find(css);
        self.call("GET", &format!("/element/{e}/text"), None)
            .as_str()
            .unwrap()
            .to_string()
    }

    fn screenshot(&self, name: &str) {
        let b64 = self.call("GET", "/screenshot", None);
        let png = sovereign::dynamic::base64_decode(b64.as_str().unwrap()).unwrap();
        let dir = workspace().join("target/studio-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = http(
            self.addr,
            "DELETE",
            &format!("/session/{}", self.session),
            &[],
            None,
        );
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

#[test]
fn studio_in_a_headless_browser() {
    let Some(browser) = Browser::start() else {
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = rt.block_on(TestDb::create("sqlite")).unwrap();
    let s = start_seeded(
        &db,
        "plugin \"blog\" reads core tables; only the platform writes them",
    );
    let b = &browser;

    let studio = format!("http://{}", s.addr);
    let kept = "return [sessionStorage.getItem('sovereign-studio-token'), sessionStorage.length, document.cookie];";

    // Without the token: no data, and the page says what to open.
    b.goto(&format!("{studio}/"));
    b.wait(
        "the refusal",
        "!document.getElementById('main-error').hidden && document.getElementById('main-error').innerText.includes('open the URL the command printed')",
    );
    assert_eq!(b.script(kept, json!([])), json!([null, 0, ""]));
    assert_eq!(b.text("#sources"), "");
    b.screenshot("0-no-token");

    // A wrong token: refused in words too, taken out of the address bar, the view left in it,
    // and not kept.
    b.goto(&format!(
        "{studio}/?token={}#source=0&model=User",
        "0".repeat(48)
    ));
    b.wait(
        "the wrong token refused",
        "document.getElementById('main-error').innerText.includes('not this studio') && document.getElementById('main-error').innerText.includes('open the URL the command printed')",
    );
    assert_eq!(
        b.script("return [location.search, location.hash];", json!([])),
        json!(["", "#source=0&model=User"])
    );
    assert_eq!(b.script(kept, json!([])), json!([null, 0, ""]));

    // The printed URL, with a view in its hash: the token kept by the page for this origin and
    // tab (no cookie), out of the address bar, the view kept; the models with their counts.
    b.goto(&format!("{}#source=0&model=Tenant", s.url()));
    b.wait(
        "the page without the token in its address",
        "location.pathname === '/' && location.search === '' && document.querySelectorAll('#grid-body tr').length === 2",
    );
    assert_eq!(
        b.script("return location.href;", json!([])),
        json!(format!("{studio}/#source=0&model=Tenant"))
    );
    assert_eq!(b.script(kept, json!([])), json!([s.token, 1, ""]));
    assert_eq!(b.text("#studio-title"), "test");
    assert_eq!(
        b.script("return document.title;", json!([])),
        json!("test · Sovereign Studio")
    );

    // Reloaded in the same tab, the page still reads and writes, with the token it kept.
    b.call("POST", "/refresh", Some(json!({})));
    b.wait(
        "the tenants after a reload",
        "document.querySelectorAll('#grid-body tr').length === 2 && [...document.querySelectorAll('[data-source=\"0\"][data-model=\"User\"] .n')].some(n => n.innerText === '120')",
    );
    assert_eq!(b.script(kept, json!([])), json!([s.token, 1, ""]));

    // Another server on 127.0.0.1 (another user's, on another port) that the browser visits
    // gets no cookie and no token, and its page cannot read the studio's storage.
    let other = TcpListener::bind("127.0.0.1:0").unwrap();
    let other_addr = other.local_addr().unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    {
        let seen = seen.clone();
        std::thread::spawn(move || {
            for conn in other.incoming() {
                let Ok(mut conn) = conn else { continue };
                let mut head = String::new();
                let mut r = BufReader::new(conn.try_clone().unwrap());
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    head.push_str(&line);
                }
                seen.lock().unwrap().push(head);
                let body = "<!doctype html><title>elsewhere</title><p>another server</p>";
                let _ = write!(
                    conn,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
    }
    b.goto(&format!("http://{other_addr}/"));
    b.wait(
        "the other server's page",
        "document.body.innerText.includes('another server')",
    );
    assert_eq!(b.script(kept, json!([])), json!([null, 0, ""]));
    let heads = seen.lock().unwrap().clone();
    assert!(!heads.is_empty());
    for head in &heads {
        assert!(!head.contains(&s.token), "the token sent elsewhere: {head}");
        assert!(
            !head.to_ascii_lowercase().contains("\ncookie:"),
            "a cookie sent elsewhere: {head}"
        );
    }

    // Back to the studio's address without the token, in the same tab: the token kept for this
    // tab opens it. A new tab has no token.
    b.goto(&format!("{studio}/#source=0&model=Tenant"));
    b.wait(
        "the studio again, by the kept token",
        "document.querySelectorAll('#grid-body tr').length === 2",
    );
    let first_tab = b.call("GET", "/window", None);
    let tab = b.call("POST", "/window/new", Some(json!({"type": "tab"})))["handle"].clone();
    b.call("POST", "/window", Some(json!({ "handle": tab })));
    b.goto(&format!("{studio}/"));
    b.wait(
        "the refusal in a new tab",
        "document.getElementById('main-error').innerText.includes('open the URL the command printed')",
    );
    assert_eq!(b.script(kept, json!([])), json!([null, 0, ""]));
    b.call("DELETE", "/window", None);
    b.call("POST", "/window", Some(json!({ "handle": first_tab })));
    b.wait(
        "the model list with counts",
        "[...document.querySelectorAll('[data-source=\"0\"][data-model=\"User\"] .n')].some(n => n.innerText === '120')",
    );
    assert_eq!(b.text("[data-source=\"0\"][data-model=\"User\"] .n"), "120");
    b.click("[data-source=\"0\"][data-model=\"User\"]");
    b.wait(
        "the user table",
        "document.querySelectorAll('#grid-body tr').length === 50",
    );
    assert_eq!(b.text("#page-info"), "Rows 1–50 of 120");
    b.screenshot("1-table");

    // Page, sort, filter.
    b.click("#next-page");
    b.wait(
        "page 2",
        "document.getElementById('page-info').innerText === 'Rows 51–100 of 120'",
    );
    b.click("#last-page");
    b.wait(
        "the last page",
        "document.getElementById('page-info').innerText === 'Rows 101–120 of 120' && document.querySelectorAll('#grid-body tr').length === 20",
    );
    b.click("#first-page");
    b.wait(
        "the first page",
        "document.getElementById('page-info').innerText === 'Rows 1–50 of 120'",
    );
    b.click("#grid-head th[data-field=\"email\"]");
    b.wait(
        "ascending emails",
        "document.querySelector('#grid-body td[data-field=\"email\"]').innerText === 'ada@acme.io'",
    );
    b.click("#grid-head th[data-field=\"email\"]");
    b.wait("descending emails", "document.querySelector('#grid-body td[data-field=\"email\"]').innerText === 'user119@acme.io'");
    b.click("#filter-field option[value=\"email\"]");
    b.click("#filter-op option[value=\"contains\"]");
    b.type_into("#filter-value", "user11");
    b.click("#filter-apply");
    b.wait(
        "the filtered table",
        "document.getElementById('page-info').innerText === 'Rows 1–10 of 10'",
    );
    b.screenshot("2-filtered");

    // Create: a unique violation shown inline, then a record created.
    b.click("[data-source=\"0\"][data-model=\"Tenant\"]");
    b.wait(
        "tenants",
        "document.querySelectorAll('#grid-body tr').length === 2",
    );
    b.click("#add-record");
    b.wait(
        "the new-record form",
        "document.querySelector('#record-form [name=\"slug\"]')",
    );
    // A required field left empty, then a value of the wrong type: said next to the field.
    b.type_into("#record-form [name=\"slug\"]", "acme");
    b.click("#save");
    b.wait(
        "the missing name",
        "!document.querySelector('.field-error[data-field=\"name\"]').hidden",
    );
    assert!(b
        .text(".field-error[data-field=\"name\"]")
        .contains("name is required"));
    b.type_into("#record-form [name=\"name\"]", "Acme again");
    b.type_into("#record-form [name=\"createdAt\"]", "last tuesday");
    b.click("#save");
    b.wait(
        "the wrong date",
        "!document.querySelector('.field-error[data-field=\"createdAt\"]').hidden",
    );
    assert!(b
        .text(".field-error[data-field=\"createdAt\"]")
        .contains("createdAt is a DateTime"));
    b.clear("#record-form [name=\"createdAt\"]");
    b.click("#save");
    b.wait(
        "the unique violation",
        "!document.getElementById('panel-error').hidden",
    );
    let msg = b.text("#panel-error");
    assert!(
        msg.contains("Another Tenant already has this slug"),
        "{msg}"
    );
    assert!(b
        .text(".field-error[data-field=\"slug\"]")
        .contains("must be unique"));
    b.screenshot("3-create-error");
    b.type_into("#record-form [name=\"slug\"]", "initech");
    b.type_into("#record-form [name=\"name\"]", "Initech");
    b.click("#save");
    b.wait(
        "the created record",
        "!document.getElementById('panel-ok').hidden",
    );
    b.wait(
        "three tenants",
        "document.querySelectorAll('#grid-body tr').length === 3",
    );

    // Edit it.
    b.type_into("#record-form [name=\"name\"]", "Initech Inc.");
    b.click("#save");
    b.wait(
        "the saved record",
        "document.getElementById('panel-ok').innerText === 'Saved.'",
    );
    b.wait("the edited row", "[...document.querySelectorAll('#grid-body td[data-field=\"name\"]')].some(td => td.innerText === 'Initech Inc.')");
    b.screenshot("4-edit");

    // Follow a relation: Ada's posts, then back to their author.
    b.click("[data-source=\"0\"][data-model=\"User\"]");
    b.wait(
        "users",
        "document.querySelectorAll('#grid-body tr').length === 50",
    );
    b.click("#grid-head th[data-field=\"email\"]");
    b.wait(
        "emails in order",
        "document.querySelector('#grid-body td[data-field=\"email\"]').innerText === 'ada@acme.io'",
    );
    b.click("#grid-body tr:first-child");
    b.wait(
        "Ada's record",
        "document.querySelector('#relations [data-relation=\"posts\"]')",
    );
    b.click("#relations [data-relation=\"posts\"]");
    b.wait(
        "Ada's posts",
        "document.getElementById('page-info').innerText === 'Rows 1–3 of 3'",
    );
    b.screenshot("5-related");
    b.click("#grid-body tr:first-child");
    b.wait(
        "a post",
        "document.querySelector('#relations [data-relation=\"author\"]')",
    );
    b.click("#relations [data-relation=\"author\"]");
    b.wait("the author", "document.querySelector('#grid-body td[data-field=\"email\"]') && document.querySelector('#grid-body td[data-field=\"email\"]').innerText === 'ada@acme.io'");

    // Delete: a tenant still in use is refused in words; the new one goes.
    b.click("[data-source=\"0\"][data-model=\"Post\"]");
    b.wait(
        "posts",
        "document.querySelectorAll('#grid-body tr').length === 3",
    );
    b.click("[data-source=\"0\"][data-model=\"Tenant\"]");
    // Posts have three rows too: wait for the tenants' own column, not just the row count.
    b.wait(
        "tenants",
        "document.querySelectorAll('#grid-body tr').length === 3 && document.querySelector('#grid-body td[data-field=\"name\"]')",
    );
    b.click("#grid-body tr:last-child");
    b.wait(
        "Initech",
        "document.getElementById('panel-title').innerText.startsWith('Tenant')",
    );
    b.click("#delete");
    b.click("#delete");
    b.wait("two tenants", "document.querySelectorAll('#grid-body tr').length === 2 && document.getElementById('panel').hidden");

    // The read-only core: the core models only, no add button, disabled inputs.
    let listed = b.script(
        "return [...document.querySelectorAll('[data-source=\"1\"]')].map(a => a.dataset.model);",
        json!([]),
    );
    assert_eq!(listed, json!(CORE_MODELS));
    b.click("[data-source=\"1\"][data-model=\"User\"]");
    b.wait(
        "read-only users",
        "!document.getElementById('read-only').hidden",
    );
    assert_eq!(
        b.script(
            "return document.getElementById('add-record').hidden;",
            json!([])
        ),
        json!(true)
    );
    b.click("#grid-body tr:first-child");
    b.wait(
        "a read-only record",
        "document.querySelector('#record-form [name=\"email\"]')",
    );
    assert_eq!(
        b.script("return document.querySelector('#record-form [name=\"email\"]').disabled && document.getElementById('save').hidden;", json!([])),
        json!(true)
    );
    b.screenshot("6-read-only");

    // The database afterwards.
    let tenants = s.get("/api/rows?model=Tenant&order=slug:asc").json();
    let slugs: Vec<&Value> = tenants["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["slug"])
        .collect();
    assert_eq!(slugs, [&json!("acme"), &json!("globex")]);
    drop(s);
    rt.block_on(db.drop());
}

// ---------------------------------------------------------------------------------------------
// Nothing lost, nothing leaked (issue #12)

/// A whole HTTP/1.1 answer: status, headers (names in lower case) and body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One request (the `Host` header as given), the whole answer.
fn exchange(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Answer {
    let mut sock = TcpStream::connect(addr).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let body = body.unwrap_or("");
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        req.push_str(&format!("Host: {addr}\r\n"));
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    sock.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    sock.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = raw.split_once("\r\n\r\n").unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (k, v) = l.split_once(':').unwrap();
            (k.trim().to_ascii_lowercase(), v.trim().to_string())
        })
        .collect();
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v == "chunked");
    let body = if chunked {
        let mut out = String::new();
        let mut rest = rest;
        loop {
            let (size, tail) = rest.split_once("\r\n").unwrap();
            let n = usize::from_str_radix(size.trim(), 16).unwrap();
            if n == 0 {
                break;
            }
            out.push_str(&tail[..n]);
            rest = &tail[n + 2..];
        }
        out
    } else {
        rest.to_string()
    };
    Answer {
        status,
        headers,
        body,
    }
}

/// The headers every answer of the studio carries, whatever its status.
fn assert_security_headers(what: &str, a: &Answer) {
    assert_eq!(
        a.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    let csp = a
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no Content-Security-Policy"));
    assert!(csp.contains("script-src 'self'"), "{what}: {csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(csp.contains("default-src 'none'"), "{what}: {csp}");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{what}: {csp}"
    );
    assert_eq!(a.header("referrer-policy"), Some("no-referrer"), "{what}");
    assert_eq!(a.header("cache-control"), Some("no-store"), "{what}");
    assert_eq!(a.header("x-frame-options"), Some("DENY"), "{what}");
}

#[test]
fn studio_security_headers_on_every_answer_and_writes_only_from_its_own_origin() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = rt.block_on(TestDb::create("sqlite")).unwrap();
    let s = start_seeded(&db, "plugins read core tables");
    let t = ("x-studio-token", s.token.as_str());

    let evil_host = [t, ("Host", "evil.example")];
    /// What, method, path, headers, body, the status expected.
    type Case<'a> = (
        &'a str,
        &'a str,
        &'a str,
        Vec<(&'a str, &'a str)>,
        Option<&'a str>,
        u16,
    );
    let with_token = format!("/?token={}", s.token);
    let cases: Vec<Case> = vec![
        ("the page", "GET", "/", vec![t], None, 200),
        ("the page, without the token", "GET", "/", vec![], None, 200),
        (
            "the printed URL",
            "GET",
            with_token.as_str(),
            vec![],
            None,
            200,
        ),
        ("the script", "GET", "/studio.js", vec![t], None, 200),
        ("the style sheet", "GET", "/studio.css", vec![], None, 200),
        ("an API answer", "GET", "/api/schema", vec![t], None, 200),
        ("the counts", "GET", "/api/counts", vec![t], None, 200),
        ("no token", "GET", "/api/schema", vec![], None, 401),
        ("no token, no page", "GET", "/nowhere", vec![], None, 401),
        (
            "no token, a write",
            "POST",
            "/api/create",
            vec![("Content-Type", "application/json")],
            Some(r#"{"model": "Tenant", "values": {"slug": "x", "name": "X"}}"#),
            401,
        ),
        (
            "another host name",
            "GET",
            "/api/schema",
            evil_host.to_vec(),
            None,
            403,
        ),
        ("no such page", "GET", "/nowhere", vec![t], None, 404),
        (
            "no such model",
            "GET",
            "/api/rows?model=Nope",
            vec![t],
            None,
            404,
        ),
        (
            "a bad parameter",
            "GET",
            "/api/rows?model=User&skip=-1",
            vec![t],
            None,
            400,
        ),
        ("a wrong method", "GET", "/api/create", vec![t], None, 405),
        (
            "a database objection",
            "POST",
            "/api/create",
            vec![t, ("Content-Type", "application/json")],
            Some(r#"{"model": "Tenant", "values": {"slug": "acme", "name": "Again"}}"#),
            409,
        ),
        ("no JSON", "POST", "/api/create", vec![t], Some("{"), 415),
    ];
    for (what, method, path, headers, body, status) in &cases {
        let a = exchange(s.addr, method, path, headers, *body);
        assert_eq!(a.status, *status, "{what}: {}", a.body);
        assert_security_headers(what, &a);
        assert_eq!(a.header("set-cookie"), None, "{what}");
    }

    // The page runs no inline script: scripts come from files, handlers are attached by them.
    let page = exchange(s.addr, "GET", "/", &[t], None).body;
    let lower = page.to_ascii_lowercase();
    assert_eq!(
        lower.matches("<script").count(),
        lower
            .matches("<script src=\"/studio.js\"></script>")
            .count(),
        "{page}"
    );
    assert!(!lower.contains("javascript:"), "{page}");
    for tag in lower.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap();
        assert!(
            !tag.split_whitespace()
                .skip(1)
                .any(|attr| attr.starts_with("on")),
            "an inline handler in <{tag}>"
        );
    }
    assert!(
        !page.contains(&s.token),
        "the page does not carry the token"
    );

    // Writes from another origin are refused, before anything is written; the studio's own
    // origin, by either name, and requests without an Origin (not from a browser) go through.
    let port = s.addr.port();
    let other_port = format!("http://127.0.0.1:{}", port.wrapping_add(1).max(1));
    let json_type = ("Content-Type", "application/json");
    for origin in [
        "http://evil.example",
        "https://127.0.0.1",
        other_port.as_str(),
        "http://localhost",
        "null",
    ] {
        for (method, path) in [
            ("POST", "/api/create"),
            ("POST", "/api/delete"),
            ("PUT", "/api/create"),
            ("DELETE", "/api/delete"),
            ("PATCH", "/api/update"),
        ] {
            let a = exchange(
                s.addr,
                method,
                path,
                &[t, json_type, ("Origin", origin)],
                Some(r#"{"model": "Tenant", "values": {"slug": "evil", "name": "Evil"}}"#),
            );
            assert_eq!(a.status, 403, "{method} {path} from {origin}: {}", a.body);
            assert!(a.body.contains("only from its own page"), "{}", a.body);
            assert_security_headers("a refused write", &a);
        }
    }
    let own = format!("http://127.0.0.1:{port}");
    let own_by_name = format!("http://localhost:{port}");
    for (i, origin) in [own.as_str(), own_by_name.as_str()].iter().enumerate() {
        let body = json!({"model": "Tenant", "values": {"slug": format!("own{i}"), "name": "Own"}});
        let a = exchange(
            s.addr,
            "POST",
            "/api/create",
            &[t, json_type, ("Origin", origin)],
            Some(&body.to_string()),
        );
        assert_eq!(a.status, 200, "from {origin}: {}", a.body);
    }
    assert_eq!(s.get("/api/count?model=Tenant").json()["total"], json!(4));
    // Reads are not refused by origin (a GET changes nothing, and another origin's page cannot
    // send the token's header).
    let a = exchange(
        s.addr,
        "GET",
        "/api/schema",
        &[t, ("Origin", "http://evil.example")],
        None,
    );
    assert_eq!(a.status, 200);
    drop(s);
    rt.block_on(db.drop());
}

#[test]
fn studio_takes_its_token_in_a_header_only_and_sets_no_cookie() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = rt.block_on(TestDb::create("sqlite")).unwrap();
    let s = start_seeded(&db, "plugins read core tables, says the reason");
    let port = s.addr.port();
    let t = ("x-studio-token", s.token.as_str());
    let json_type = ("Content-Type", "application/json");
    let own = format!("http://127.0.0.1:{port}");
    let wrong = "0".repeat(48);

    // The printed URL answers the page, as it is without the token or with a wrong one: the same
    // bytes for every studio, no token, no title, no label, no model, no cookie. The page's
    // script takes the token from the address.
    let page = exchange(s.addr, "GET", "/", &[], None);
    assert_eq!(page.status, 200);
    for path in [format!("/?token={}", s.token), format!("/?token={wrong}")] {
        let a = exchange(s.addr, "GET", &path, &[], None);
        assert_eq!(a.status, 200, "{path}: {}", a.body);
        assert_eq!(a.body, page.body, "{path}");
        assert_eq!(a.header("set-cookie"), None, "{path}");
        assert_security_headers(&path, &a);
    }
    for secret in [
        s.token.as_str(),
        "test",
        "Platform",
        "Core (read-only)",
        "says the reason",
        "Tenant",
        "Session",
        "{{",
    ] {
        assert!(!page.body.contains(secret), "the page shows {secret:?}");
    }
    for asset in ["/studio.js", "/studio.css"] {
        let a = exchange(s.addr, "GET", asset, &[], None);
        assert_eq!(a.status, 200, "{asset}");
        assert!(!a.body.contains(&s.token), "{asset}");
    }

    // The API takes the token in the header, and only there: not without it, not with a wrong
    // one, not from a cookie (the one 2bfb1f6 set, or any other), not from the query.
    let old_cookie = format!("sovereign_studio_{port}={}", s.token);
    let any_cookie = format!("token={0}; x-studio-token={0}", s.token);
    let schema_in_query = format!("/api/schema?token={}", s.token);
    let rows_in_query = format!("/api/rows?model=Tenant&token={}", s.token);
    let refused: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("/api/schema", vec![]),
        ("/api/counts?source=0", vec![]),
        ("/api/rows?model=Tenant", vec![]),
        ("/api/count?model=Tenant", vec![]),
        ("/api/record?model=Tenant&key=%7B%22id%22%3A1%7D", vec![]),
        ("/api/schema", vec![("x-studio-token", &wrong)]),
        ("/api/schema", vec![("x-studio-token", "")]),
        ("/api/schema", vec![("Cookie", &old_cookie)]),
        ("/api/schema", vec![("Cookie", &any_cookie)]),
        ("/api/schema", vec![("Authorization", &s.token)]),
        (&schema_in_query, vec![]),
        (&rows_in_query, vec![]),
    ];
    for (path, headers) in &refused {
        let a = exchange(s.addr, "GET", path, headers, None);
        assert_eq!(a.status, 401, "{path} {headers:?}: {}", a.body);
        let body: Value = serde_json::from_str(&a.body).unwrap();
        assert_eq!(body["error"]["kind"], json!("token"), "{}", a.body);
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("open the"),
            "{}",
            a.body
        );
        assert!(a.header("www-authenticate").is_some());
        assert_eq!(a.header("set-cookie"), None);
        assert_security_headers(path, &a);
    }
    for path in ["/api/create", "/api/update", "/api/delete"] {
        for headers in [
            vec![json_type, ("Origin", own.as_str())],
            vec![json_type, ("Origin", own.as_str()), ("Cookie", &old_cookie)],
        ] {
            let a = exchange(
                s.addr,
                "POST",
                path,
                &headers,
                Some(
                    r#"{"model": "Tenant", "key": {"id": 1}, "values": {"slug": "nope", "name": "Nope"}}"#,
                ),
            );
            assert_eq!(a.status, 401, "{path}: {}", a.body);
        }
    }
    assert_eq!(s.get("/api/count?model=Tenant").json()["total"], json!(2));

    // With the header: reads and writes, and still no cookie.
    for path in [
        "/api/schema",
        "/api/counts?source=0",
        "/api/rows?model=Tenant",
    ] {
        let a = exchange(s.addr, "GET", path, &[t], None);
        assert_eq!(a.status, 200, "{path}: {}", a.body);
        assert_eq!(a.header("set-cookie"), None, "{path}");
    }
    let created = exchange(
        s.addr,
        "POST",
        "/api/create",
        &[t, json_type, ("Origin", &own)],
        Some(r#"{"model": "Tenant", "values": {"slug": "header", "name": "By header"}}"#),
    );
    assert_eq!(created.status, 200, "{}", created.body);
    assert_eq!(created.header("set-cookie"), None);
    assert_eq!(s.get("/api/count?model=Tenant").json()["total"], json!(3));
    drop(s);
    rt.block_on(db.drop());
}

/// Starts `sovereign studio --browser` in `dir` with `BROWSER` set to a script that records
/// what it was started with in `record/` (its arguments, its environment, the mode of the file
/// and of its directory, and a copy of the file) and temporary files under `tmp/`.
fn studio_with_recording_browser(dir: &Path) -> (Child, SocketAddr, String, PathBuf) {
    let record = dir.join("record");
    let tmp = dir.join("tmp");
    let _ = std::fs::remove_dir_all(&record);
    std::fs::create_dir_all(&record).unwrap();
    std::fs::create_dir_all(&tmp).unwrap();
    let script = dir.join("record-browser.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nout='{}'\nprintf '%s\\n' \"$0\" \"$@\" > \"$out/argv.part\"\nenv > \"$out/env\"\n\
             stat -c %a \"$1\" > \"$out/mode\"\nstat -c %a \"$(dirname \"$1\")\" > \"$out/dirmode\"\n\
             cp \"$1\" \"$out/page.html\"\nmv \"$out/argv.part\" \"$out/argv\"\n",
            record.display()
        ),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let (child, addr, token) = spawn_studio(
        env!("CARGO_BIN_EXE_sovereign"),
        &["studio", "--port", "0", "--browser"],
        dir,
        &[
            ("BROWSER", script.to_str().unwrap()),
            ("TMPDIR", tmp.to_str().unwrap()),
        ],
    );
    let argv = record.join("argv");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !argv.exists() {
        assert!(Instant::now() < deadline, "the browser was not started");
        std::thread::sleep(Duration::from_millis(20));
    }
    (child, addr, token, record)
}

/// The hand-off directories under `tmp`.
fn handoffs(tmp: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(tmp)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("sovereign-studio-")
        })
        .collect()
}

fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn studio_browser_gets_the_token_from_a_private_file_not_its_command_line() {
    let dir = cli_workspace("handoff");
    cli_platform_db(&dir);
    let tmp = dir.join("tmp");
    let (mut child, addr, token, record) = studio_with_recording_browser(&dir);

    // The browser's command line and environment: no token; a file, in a private directory.
    let argv = std::fs::read_to_string(record.join("argv")).unwrap();
    let env = std::fs::read_to_string(record.join("env")).unwrap();
    assert!(
        !argv.contains(&token),
        "the token on the command line: {argv}"
    );
    assert!(!env.contains(&token), "the token in the environment");
    let args: Vec<&str> = argv.lines().collect();
    assert_eq!(args.len(), 2, "{argv}");
    let page = PathBuf::from(args[1]);
    assert!(page.starts_with(&tmp), "{argv}");
    let private = page.parent().unwrap().to_path_buf();
    let name = private.file_name().unwrap().to_string_lossy().into_owned();
    let suffix = name.strip_prefix("sovereign-studio-").unwrap();
    assert!(
        suffix.len() >= 32 && suffix.bytes().all(|b| b.is_ascii_hexdigit()),
        "an unpredictable name: {name}"
    );
    assert_eq!(
        std::fs::read_to_string(record.join("mode")).unwrap().trim(),
        "600"
    );
    assert_eq!(
        std::fs::read_to_string(record.join("dirmode"))
            .unwrap()
            .trim(),
        "700"
    );
    {
        use std::os::unix::fs::MetadataExt;
        assert_eq!(std::fs::metadata(&page).unwrap().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(&private).unwrap().mode() & 0o777, 0o700);
    }

    // The file leads to the token URL with a meta refresh, without a script.
    let html = std::fs::read_to_string(record.join("page.html")).unwrap();
    let target = format!("http://{addr}/?token={token}");
    assert!(
        html.contains(&format!(
            "<meta http-equiv=\"refresh\" content=\"0; url={target}\">"
        )),
        "{html}"
    );
    assert!(!html.to_ascii_lowercase().contains("<script"), "{html}");

    // Following it answers the page (no cookie), whose script sends the token in a header;
    // then the file is gone. A wrong token in the address leaves it in place.
    let a = exchange(
        addr,
        "GET",
        &format!("/?token={}", "0".repeat(48)),
        &[],
        None,
    );
    assert_eq!(a.status, 200);
    assert!(private.exists());
    let a = exchange(addr, "GET", &format!("/?token={token}"), &[], None);
    assert_eq!(a.status, 200);
    assert_eq!(a.header("set-cookie"), None);
    let a = exchange(
        addr,
        "GET",
        "/api/counts?source=0",
        &[("x-studio-token", &token)],
        None,
    );
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        serde_json::from_str::<Value>(&a.body).unwrap()["counts"],
        json!({"Author": 1, "Note": 1})
    );
    wait_until("the hand-off file to go", || !private.exists());

    // In a real browser: the copy of the file opens the studio, the token kept by the page
    // (not in a cookie) and gone from the address bar.
    if let Some(b) = Browser::start() {
        let copy = dir.join("copy.html");
        std::fs::copy(record.join("page.html"), &copy).unwrap();
        b.goto(&format!("file://{}", copy.display()));
        b.wait(
            "the studio, through the hand-off page",
            "location.href === 'http://' + location.host + '/' + location.hash && document.querySelector('[data-model=\"Author\"] .n') && document.querySelector('[data-model=\"Author\"] .n').innerText === '1'",
        );
        assert_eq!(b.script("return document.cookie;", json!([])), json!(""));
        assert_eq!(
            b.script(
                "return location.href.includes(arguments[0]);",
                json!([token])
            ),
            json!(false)
        );
        b.screenshot("0-handoff");
    }
    child.kill().unwrap();
    child.wait().unwrap();

    // Stopped before a browser used it (SIGTERM), the studio removes the file too.
    let (mut child, _, _, _) = studio_with_recording_browser(&dir);
    assert_eq!(handoffs(&tmp).len(), 1);
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
    assert_eq!(handoffs(&tmp), Vec::<PathBuf>::new());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn plugin_studios_show_their_own_and_the_core_models_never_another_plugins() {
    let dir = std::env::temp_dir().join(format!("sov_studio_plugins_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let write = |path: &str, text: &str| {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write("sovereign.toml", "");
    write(
        "platform/prisma/base.prisma",
        "datasource db {\n  provider = \"sqlite\"\n  url      = \"file:./dev.db\"\n}\n\nmodel Member {\n  id   Int    @id @default(autoincrement())\n  name String\n}\n",
    );
    let shared = |ns: &str| {
        format!("{{\"id\": \"{ns}\", \"name\": \"{ns}\", \"version\": \"1.0.0\", \"sovereign\": {{\"database\": {{\"mode\": \"shared\"}}, \"platformCapabilities\": {{\"database\": true}}}}}}")
    };
    write("plugins/blog/plugin.json", &shared("blog"));
    write(
        "plugins/blog/prisma/extension.prisma",
        "model Article {\n  id       Int    @id @default(autoincrement())\n  title    String\n  authorId Int\n  author   Member @relation(fields: [authorId], references: [id])\n}\n",
    );
    write("plugins/payroll/plugin.json", &shared("payroll"));
    write(
        "plugins/payroll/prisma/extension.prisma",
        "enum PayGrade {\n  LOW\n  HIGH\n}\n\nmodel Salary {\n  id       Int      @id @default(autoincrement())\n  amount   Int\n  grade    PayGrade\n  memberId Int\n  member   Member   @relation(fields: [memberId], references: [id])\n}\n",
    );
    write(
        "plugins/stats/plugin.json",
        "{\"id\": \"stats\", \"name\": \"Stats\", \"version\": \"1.0.0\", \"sovereign\": {\"database\": {\"mode\": \"dedicated\"}, \"platformCapabilities\": {\"database\": true}}}",
    );
    write(
        "plugins/stats/prisma/schema.prisma",
        "datasource db {\n  provider = \"sqlite\"\n  url      = env(\"STATS_DATABASE_URL\")\n}\n\ngenerator client {\n  provider = \"sovereign\"\n}\n\nmodel Hit {\n  id   Int    @id @default(autoincrement())\n  path String\n}\n",
    );
    let sovereign = env!("CARGO_BIN_EXE_sovereign");
    let manage = env!("CARGO_BIN_EXE_plugin-db-manage");
    let out = Command::new(sovereign)
        .arg("compose")
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The shared database, from the composed schema, with a salary in it.
    let composed = std::fs::read_to_string(dir.join("platform/prisma/schema.prisma")).unwrap();
    assert!(composed.contains("model Salary"), "{composed}");
    let (schema, _) = sovereign_schema::check("schema.prisma", &composed).unwrap();
    let platform_db = dir.join("platform.db");
    std::fs::write(&platform_db, "").unwrap();
    sqlite_script(
        &platform_db,
        &sovereign_migrate::create_script(
            &sovereign_migrate::sql_schema(&schema, Dialect::Sqlite),
            Dialect::Sqlite,
        ),
    );
    sqlite_script(
        &platform_db,
        "INSERT INTO \"Member\" (\"name\") VALUES ('Ada');
         INSERT INTO \"Article\" (\"title\", \"authorId\") VALUES ('Notes', 1);
         INSERT INTO \"Salary\" (\"amount\", \"grade\", \"memberId\") VALUES (123456, 'HIGH', 1);",
    );
    let stats_db = dir.join("stats.db");
    std::fs::write(&stats_db, "").unwrap();
    sqlite_script(
        &stats_db,
        "CREATE TABLE \"Hit\" (\"id\" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, \"path\" TEXT NOT NULL);",
    );
    let platform_url = format!("file:{}", platform_db.display());
    let stats_url = format!("file:{}", stats_db.display());

    // What a plugin's studio must never answer with data: every route, for `model` of `source`.
    let hidden = |addr: SocketAddr, token: &str, source: usize, model: &str| {
        let t = [("x-studio-token", token)];
        let key = enc(&json!({"id": 1}));
        for path in [
            format!("/api/rows?source={source}&model={model}"),
            format!("/api/rows?source={source}&model={model}&take=1&skip=0&reverse=1"),
            format!("/api/count?source={source}&model={model}"),
            format!("/api/record?source={source}&model={model}&key={key}"),
            // Records of a shown model related to a hidden one's: the hidden one is not found.
            format!(
                "/api/rows?source={source}&model=Member&related={}",
                enc(&json!({"relation": "member", "model": model, "key": {"id": 1}}))
            ),
        ] {
            let r = http(addr, "GET", &path, &t, None);
            assert_eq!(r.status, 404, "{path}: {}", r.body);
            assert!(
                !r.body.contains("123456") && !r.body.contains("Notes"),
                "{}",
                r.body
            );
        }
        for (path, body) in [
            (
                "/api/create",
                json!({"source": source, "model": model, "values": {"amount": 1, "grade": "LOW", "memberId": 1, "title": "x", "authorId": 1}}),
            ),
            (
                "/api/update",
                json!({"source": source, "model": model, "key": {"id": 1}, "values": {"amount": 0, "title": "x"}}),
            ),
            (
                "/api/delete",
                json!({"source": source, "model": model, "key": {"id": 1}}),
            ),
        ] {
            let r = http(addr, "POST", path, &t, Some(&body.to_string()));
            assert_eq!(r.status, 404, "{path} {model}: {}", r.body);
        }
    };
    let names = |schema: &Value, source: usize| -> Vec<String> {
        schema["sources"][source]["models"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap().to_string())
            .collect()
    };

    // A shared plugin: the core model (read-only) and its own (editable); nothing of payroll's,
    // not even the back-relation payroll added to the core model.
    let (mut child, addr, token) = spawn_studio(
        manage,
        &["studio", "blog", "--port", "0", "--url", &platform_url],
        &dir,
        &[],
    );
    let t = [("x-studio-token", token.as_str())];
    let r = http(addr, "GET", "/api/schema", &t, None);
    let schema = r.json();
    assert_eq!(schema["sources"].as_array().unwrap().len(), 1);
    assert_eq!(names(&schema, 0), ["Member", "Article"]);
    let lower = r.body.to_ascii_lowercase();
    assert!(
        !lower.contains("salar") && !lower.contains("paygrade"),
        "payroll's models in blog's studio: {}",
        r.body
    );
    let writable: Vec<&Value> = schema["sources"][0]["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["writable"])
        .collect();
    assert_eq!(writable, [&json!(false), &json!(true)]);
    let counts = http(addr, "GET", "/api/counts?source=0", &t, None).json();
    assert_eq!(counts["counts"], json!({"Member": 1, "Article": 1}));
    hidden(addr, &token, 0, "Salary");
    // Its own and the core's still answer.
    let r = http(addr, "GET", "/api/rows?model=Article", &t, None);
    assert_eq!(r.json()["total"], json!(1), "{}", r.body);
    let r = http(
        addr,
        "GET",
        &format!(
            "/api/rows?model=Article&related={}",
            enc(&json!({"relation": "author", "model": "Member", "key": {"id": 1}}))
        ),
        &t,
        None,
    );
    assert_eq!(r.json()["total"], json!(1), "{}", r.body);
    child.kill().unwrap();
    child.wait().unwrap();

    // The other shared plugin: the mirror image.
    let (mut child, addr, token) = spawn_studio(
        manage,
        &["studio", "payroll", "--port", "0", "--url", &platform_url],
        &dir,
        &[],
    );
    let r = http(
        addr,
        "GET",
        "/api/schema",
        &[("x-studio-token", &token)],
        None,
    );
    assert_eq!(names(&r.json(), 0), ["Member", "Salary"]);
    assert!(
        !r.body.to_ascii_lowercase().contains("article"),
        "{}",
        r.body
    );
    hidden(addr, &token, 0, "Article");
    child.kill().unwrap();
    child.wait().unwrap();

    // A dedicated plugin: its own database, and of the shared one the core model only.
    let (mut child, addr, token) = spawn_studio(
        manage,
        &[
            "studio",
            "stats",
            "--port",
            "0",
            "--url",
            &stats_url,
            "--core-url",
            &platform_url,
        ],
        &dir,
        &[],
    );
    let t = [("x-studio-token", token.as_str())];
    let r = http(addr, "GET", "/api/schema", &t, None);
    let schema = r.json();
    assert_eq!(names(&schema, 0), ["Hit"]);
    assert_eq!(names(&schema, 1), ["Member"]);
    let lower = r.body.to_ascii_lowercase();
    assert!(
        !lower.contains("salar") && !lower.contains("article"),
        "{}",
        r.body
    );
    let counts = http(addr, "GET", "/api/counts?source=1", &t, None).json();
    assert_eq!(counts["counts"], json!({"Member": 1}));
    hidden(addr, &token, 1, "Salary");
    hidden(addr, &token, 1, "Article");
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn studio_paging_parameters_are_bounded() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = rt.block_on(TestDb::create("sqlite")).unwrap();
    let s = start_seeded(&db, "plugins read core tables");

    // Out of range, negative, not a number: a 400 that says the range.
    for (param, value) in [
        ("skip", "9223372036854775807"),
        ("skip", "18446744073709551616"),
        ("skip", "1000000000001"),
        ("skip", "-1"),
        ("skip", "abc"),
        ("skip", "1.5"),
        ("skip", ""),
        ("take", "0"),
        ("take", "1001"),
        ("take", "-5"),
        ("take", "9223372036854775807"),
        ("take", "ten"),
    ] {
        let r = s.get(&format!("/api/rows?model=User&{param}={value}"));
        assert_eq!(r.status, 400, "{param}={value}: {}", r.body);
        let e = &r.json()["error"];
        assert_eq!(e["kind"], json!("bad_request"));
        let range = if param == "skip" {
            format!("from 0 to {MAX_SKIP}")
        } else {
            format!("from 1 to {MAX_TAKE}")
        };
        let message = e["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("`{param}` must be a whole number {range}")),
            "{message}"
        );
    }
    for path in [
        "/api/rows?model=User&reverse=maybe",
        "/api/rows?model=User&order=email:sideways",
        "/api/rows?model=User&source=-1",
        "/api/counts?source=x",
    ] {
        assert_eq!(s.get(path).status, 400, "{path}");
    }

    // The bounds themselves are fine, and the arithmetic after them does not overflow.
    let r = s.get(&format!(
        "/api/rows?model=User&skip={MAX_SKIP}&take={MAX_TAKE}"
    ));
    assert_eq!(r.status, 200, "{}", r.body);
    let r = r.json();
    assert_eq!(r["rows"], json!([]));
    assert_eq!(r["total"], json!(120));
    assert_eq!(r["exact"], json!(true));
    assert_eq!(r["skip"], json!(MAX_SKIP));
    let r = s
        .get(&format!("/api/rows?model=User&skip={MAX_SKIP}&reverse=1"))
        .json();
    assert_eq!(r["total"], json!(120));
    let r = s
        .get("/api/rows?model=User&take=1&skip=119&order=email:asc")
        .json();
    assert_eq!(r["rows"].as_array().unwrap().len(), 1);
    assert_eq!(r["total"], json!(120));
    drop(s);
    rt.block_on(db.drop());

    // The sidebar's counts stop at the cap: "more than" beyond it.
    let path = std::env::temp_dir().join(format!("sov_studio_cap_{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    std::fs::write(&path, "").unwrap();
    let text = "datasource db {\n  provider = \"sqlite\"\n  url      = \"file:x.db\"\n}\n\nmodel Big {\n  id   Int    @id @default(autoincrement())\n  name String\n}\n\nmodel Small {\n  id   Int    @id @default(autoincrement())\n  name String\n}\n";
    let (schema, _) = sovereign_schema::check("schema.prisma", text).unwrap();
    let over = SIDEBAR_COUNT_CAP + 50;
    sqlite_script(
        &path,
        &format!(
            "{}\nWITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {over})
             INSERT INTO \"Big\" (\"name\") SELECT 'row ' || i FROM n;
             INSERT INTO \"Small\" (\"name\") VALUES ('a'), ('b'), ('c');",
            sovereign_migrate::create_script(
                &sovereign_migrate::sql_schema(&schema, Dialect::Sqlite),
                Dialect::Sqlite,
            )
        ),
    );
    let url = format!("file:{}", path.display());
    let s = start(async move {
        vec![Source {
            label: "Big".into(),
            database: Database::connect(&url).await.unwrap(),
            catalog: Catalog::new(&schema),
            visible: None,
            writable: None,
            read_only_reason: String::new(),
        }]
    });
    let c = s.get("/api/counts?source=0").json();
    assert_eq!(c["counts"], json!({"Big": SIDEBAR_COUNT_CAP, "Small": 3}));
    assert_eq!(c["more"], json!(["Big"]));
    assert_eq!(c["cap"], json!(SIDEBAR_COUNT_CAP));
    // A table's first page counts a thousand past itself; the exact count is its own request.
    let r = s.get("/api/rows?model=Big").json();
    assert_eq!(r["total"], json!(1050));
    assert_eq!(r["exact"], json!(false));
    assert_eq!(s.get("/api/count?model=Big").json()["total"], json!(over));
    drop(s);
    let _ = std::fs::remove_file(&path);
}
