//! How fast the studio opens a table of 100,000 rows, against one of 10 (same columns), over
//! HTTP as the page asks: the first page of 50 rows (what opening a table waits for), the next
//! and the last page, a page sorted by the primary key descending, a filtered page, and the
//! exact counts the page asks for after it shows.
//!
//! `cargo run --release -p sovereign-cli --example studio_bench` runs SQLite (a temporary file)
//! and, when `SOVEREIGN_TEST_POSTGRES_URL` / `SOVEREIGN_TEST_MYSQL_URL` are set, PostgreSQL and
//! MySQL (in new databases, dropped at the end). Medians of 50 requests each.

#[path = "../tests/common/http.rs"]
mod http;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::json;
use sovereign::dynamic::Catalog;
use sovereign::Database;
use sovereign_cli::studio::{spawn, Source, Studio};
use sovereign_migrate::{Connection, Dialect};

const BIG: usize = 100_000;
const TINY: usize = 10;
const RUNS: usize = 50;

const SCHEMA: &str = r#"
datasource db {
  provider = "PROVIDER"
  url      = env("DATABASE_URL")
}

model Big {
  id        Int      @id @default(autoincrement())
  name      String
  email     String   @unique
  price     Decimal
  active    Boolean  @default(true)
  createdAt DateTime @default(now())
  note      String?
}

model Tiny {
  id        Int      @id @default(autoincrement())
  name      String
  email     String   @unique
  price     Decimal
  active    Boolean  @default(true)
  createdAt DateTime @default(now())
  note      String?
}
"#;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// Rows as multi-row INSERTs of 1,000.
fn inserts(table: &str, n: usize, q: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        let end = (i + 1000).min(n);
        let values: Vec<String> = (i..end)
            .map(|k| {
                format!(
                    "('Item {k}', 'item{k}@example.com', {}.{:02}, {}, {})",
                    k % 1000,
                    k % 100,
                    if k % 3 == 0 { "false" } else { "true" },
                    if k % 10 == 0 {
                        "NULL".to_string()
                    } else {
                        format!("'note {k}'")
                    }
                )
            })
            .collect();
        out.push(format!(
            "INSERT INTO {q}{table}{q} ({q}name{q}, {q}email{q}, {q}price{q}, {q}active{q}, {q}note{q}) VALUES {};",
            values.join(", ")
        ));
        i = end;
    }
    out
}

struct Target {
    label: &'static str,
    url: String,
    provider: &'static str,
    dialect: Dialect,
    drop: Option<(String, String)>,
}

async fn prepare(t: &Target) -> Catalog {
    let text = SCHEMA.replace("PROVIDER", t.provider);
    let (schema, _) = sovereign_schema::check("bench.prisma", &text).expect("valid schema");
    let mut conn = Connection::connect(&t.url).await.expect("connect");
    conn.execute_script(&sovereign_migrate::create_script(
        &sovereign_migrate::sql_schema(&schema, t.dialect),
        t.dialect,
    ))
    .await
    .expect("create tables");
    let q = if t.dialect == Dialect::Mysql {
        '`'
    } else {
        '"'
    };
    let mut script = String::new();
    if t.dialect == Dialect::Sqlite {
        script.push_str("BEGIN;\n");
    }
    for s in inserts("Big", BIG, q)
        .into_iter()
        .chain(inserts("Tiny", TINY, q))
    {
        script.push_str(&s);
        script.push('\n');
    }
    if t.dialect == Dialect::Sqlite {
        script.push_str("COMMIT;\n");
    }
    conn.execute_script(&script).await.expect("seed");
    Catalog::new(&schema)
}

fn time(addr: SocketAddr, token: &str, path: &str) -> Duration {
    // One warm-up, then the median.
    let get = || {
        let t = Instant::now();
        let r = http::http(addr, "GET", path, &[("x-studio-token", token)], None);
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        t.elapsed()
    };
    get();
    median((0..RUNS).map(|_| get()).collect())
}

fn main() {
    let mut targets = vec![Target {
        label: "sqlite",
        url: format!(
            "file:{}",
            std::env::temp_dir()
                .join(format!("sov_studio_bench_{}.db", std::process::id()))
                .display()
        ),
        provider: "sqlite",
        dialect: Dialect::Sqlite,
        drop: None,
    }];
    let name = format!("sov_studio_bench_{}", std::process::id());
    for (var, label, provider, dialect) in [
        (
            "SOVEREIGN_TEST_POSTGRES_URL",
            "postgres",
            "postgresql",
            Dialect::Postgres,
        ),
        ("SOVEREIGN_TEST_MYSQL_URL", "mysql", "mysql", Dialect::Mysql),
    ] {
        if let Ok(admin) = std::env::var(var) {
            let base = &admin[..admin.rfind('/').expect("a database in the URL")];
            targets.push(Target {
                label,
                url: format!("{base}/{name}"),
                provider,
                dialect,
                drop: Some((admin.clone(), name.clone())),
            });
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!(
        "studio: a table of {BIG} rows against one of {TINY} (medians of {RUNS} requests over HTTP)"
    );
    println!(
        "  {:<9} {:<34} {:>11} {:>11} {:>7}",
        "backend", "request", "10 rows", "100k rows", "ratio"
    );
    for t in &targets {
        if let Some((admin, name)) = &t.drop {
            rt.block_on(async {
                let mut c = Connection::connect(admin).await.unwrap();
                c.execute_script(&format!("CREATE DATABASE {name}"))
                    .await
                    .unwrap();
            });
        }
        let catalog = rt.block_on(prepare(t));
        let url = t.url.clone();
        let (addr, token) = rt.block_on(async move {
            let database = Database::connect(&url).await.unwrap();
            let studio = Studio::new(
                "bench",
                vec![Source {
                    label: "bench".into(),
                    database,
                    catalog,
                    visible: None,
                    writable: None,
                    read_only_reason: String::new(),
                }],
            )
            .unwrap();
            spawn(studio).await.unwrap()
        });
        let filter = http::enc(&json!([{"field": "name", "op": "contains", "value": "Item 7"}]));
        let requests: [(&str, String); 8] = [
            (
                "open: first page of 50",
                "/api/rows?model={M}&take=50".into(),
            ),
            (
                "open: first 10 rows (same payload)",
                "/api/rows?model={M}&take=10".into(),
            ),
            ("next page", "/api/rows?model={M}&take=50&skip=50".into()),
            (
                "last page (read from the end)",
                "/api/rows?model={M}&take=50&skip=0&reverse=1".into(),
            ),
            (
                "sorted by id, descending",
                "/api/rows?model={M}&take=50&order=id:desc".into(),
            ),
            (
                "filtered: name contains",
                format!("/api/rows?model={{M}}&take=50&filters={filter}"),
            ),
            (
                "exact count (in the background)",
                "/api/count?model={M}".into(),
            ),
            ("sidebar counts, all models", "/api/counts?source=0".into()),
        ];
        for (what, path) in &requests {
            let tiny = time(addr, &token, &path.replace("{M}", "Tiny"));
            let big = time(addr, &token, &path.replace("{M}", "Big"));
            if what.starts_with("sidebar") {
                println!("  {:<9} {:<34} {:>23} {:>7}", t.label, what, ms(big), "-");
            } else {
                println!(
                    "  {:<9} {:<34} {:>11} {:>11} {:>7.2}",
                    t.label,
                    what,
                    ms(tiny),
                    ms(big),
                    big.as_secs_f64() / tiny.as_secs_f64()
                );
            }
        }
        match &t.drop {
            Some((admin, name)) => rt.block_on(async {
                let mut c = Connection::connect(admin).await.unwrap();
                let force = if t.dialect == Dialect::Postgres {
                    " WITH (FORCE)"
                } else {
                    ""
                };
                c.execute_script(&format!("DROP DATABASE IF EXISTS {name}{force}"))
                    .await
                    .unwrap();
            }),
            None => {
                let _ = std::fs::remove_file(t.url.trim_start_matches("file:"));
            }
        }
    }
}
