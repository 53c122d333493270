//! Migration benchmark (issue 6): `migrate dev` from empty for a generated 200-model schema,
//! and `deploy` of 100 migrations, on SQLite, and on PostgreSQL and MySQL when
//! SOVEREIGN_TEST_POSTGRES_URL / SOVEREIGN_TEST_MYSQL_URL are set. Goal: under 1 s each on SQLite.
//!
//! cargo run --release -p sovereign-migrate --example bench

use sovereign_migrate::dev::{plan, Shadow};
use sovereign_migrate::{deploy, sql_schema, Connection, Dialect, Migration};
use std::fmt::Write;
use std::time::Instant;

fn schema(provider: &str, models: usize) -> String {
    let mut s =
        format!("datasource db {{\n  provider = \"{provider}\"\n  url      = env(\"X\")\n}}\n");
    for i in 0..models {
        let _ = write!(
            s,
            "\nmodel M{i} {{\n  id        Int      @id @default(autoincrement())\n  name      String\n  email     String   @unique\n  score     Float?\n  createdAt DateTime @default(now())\n"
        );
        if i > 0 {
            let _ = write!(s, "  parentId  Int\n  parent    M{}     @relation(fields: [parentId], references: [id])\n", i - 1);
        }
        if i + 1 < models {
            let _ = writeln!(s, "  children  M{}[]", i + 1);
        }
        s.push_str("\n  @@index([name])\n}\n");
    }
    s
}

async fn run(url: &str, dialect: Dialect, provider: &str) {
    let text = schema(provider, 200);
    let (parsed, _) = sovereign_schema::check("bench.prisma", &text).unwrap();
    let target = sql_schema(&parsed, dialect);

    let mut dev = Connection::connect(url).await.unwrap();
    dev.drop_everything().await.unwrap();
    let start = Instant::now();
    let mut shadow = Shadow::create(url, dialect).await.unwrap();
    let p = plan(&mut dev, &mut shadow.conn, &[], &target)
        .await
        .unwrap();
    shadow.drop().await.unwrap();
    let init = Migration::new("20240101000000_init", p.migration_sql());
    deploy(&mut dev, std::slice::from_ref(&init)).await.unwrap();
    let dev_time = start.elapsed();

    dev.drop_everything().await.unwrap();
    let migrations: Vec<Migration> = (0..100)
        .map(|i| {
            Migration::new(
                format!("2024010100{i:04}_m{i}"),
                format!("CREATE TABLE t{i} (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);\nCREATE INDEX t{i}_name_idx ON t{i} (name);\n"),
            )
        })
        .collect();
    let start = Instant::now();
    let report = deploy(&mut dev, &migrations).await.unwrap();
    let deploy_time = start.elapsed();
    assert_eq!(report.applied.len(), 100);
    dev.drop_everything().await.unwrap();
    println!(
        "{provider:<10} migrate dev from empty, 200 models: {:>7.1} ms   deploy 100 migrations: {:>7.1} ms",
        dev_time.as_secs_f64() * 1e3,
        deploy_time.as_secs_f64() * 1e3
    );
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let path = std::env::temp_dir().join(format!("sovereign-bench-{}.db", std::process::id()));
    run(
        &format!("file:{}", path.display()),
        Dialect::Sqlite,
        "sqlite",
    )
    .await;
    let _ = std::fs::remove_file(&path);
    let servers = [
        (
            "SOVEREIGN_TEST_POSTGRES_URL",
            Dialect::Postgres,
            "postgresql",
            " WITH (FORCE)",
        ),
        ("SOVEREIGN_TEST_MYSQL_URL", Dialect::Mysql, "mysql", ""),
    ];
    for (var, dialect, provider, force) in servers {
        let Ok(admin) = std::env::var(var) else {
            println!("{provider} skipped: set {var}");
            continue;
        };
        let name = format!("sov_bench_{}", std::process::id());
        let mut server = Connection::connect(&admin).await.unwrap();
        server
            .execute_script(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
        run(&url, dialect, provider).await;
        server
            .execute_script(&format!("DROP DATABASE {name}{force}"))
            .await
            .unwrap();
    }
}
