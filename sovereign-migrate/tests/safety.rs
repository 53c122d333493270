//! Data safety of deploys and pushes on real databases: concurrent deployers, the lock's bounded
//! wait, atomic migrations, interrupted migrations diagnosed with advice that works, and schema
//! pushes that never lose data silently. SQLite always runs; PostgreSQL and MySQL/MariaDB run
//! from `SOVEREIGN_TEST_POSTGRES_URL` / `SOVEREIGN_TEST_MYSQL_URL` (set by `.ci/run`).

use sovereign_migrate::{
    deploy_with, push, sql_schema, Connection, Diagnosis, Error, MigrateOptions, Migration,
    Resolution,
};
use std::time::{Duration, Instant};

use sovereign_test_support::TestDb;

fn temp_sqlite(label: &str) -> (String, std::path::PathBuf) {
    let path = std::env::temp_dir().join(format!(
        "sov_{label}_{}_{}.db",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    (format!("file:{}", path.display()), path)
}

fn remove_sqlite(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(p));
    }
}

/// Runs `f` on SQLite, then on each server whose variable is set.
macro_rules! on_every_database {
    ($label:literal, $f:expr) => {{
        let (url, path) = temp_sqlite($label);
        $f(url).await;
        remove_sqlite(&path);
        for var in ["SOVEREIGN_TEST_POSTGRES_URL", "SOVEREIGN_TEST_MYSQL_URL"] {
            if let Some(db) = TestDb::create_from_var(var, concat!($label, " test")).await {
                $f(db.url.clone()).await;
                db.drop().await;
            }
        }
    }};
}

/// Generous lock waits: MySQL's lock (Prisma's `GET_LOCK('prisma_migrate')`) is server-wide,
/// so the tests on other databases of the server running at the same time queue behind it.
fn patient() -> MigrateOptions {
    MigrateOptions::default().lock_timeout(Duration::from_secs(120))
}

async fn deploy(
    conn: &mut Connection,
    ms: &[Migration],
) -> Result<sovereign_migrate::DeployReport, Error> {
    deploy_with(conn, ms, &patient(), &mut |_| {}).await
}

async fn resolve(conn: &mut Connection, ms: &[Migration], name: &str, how: Resolution) {
    sovereign_migrate::resolve(conn, ms, name, how)
        .await
        .unwrap()
}

/// Three migrations, the second slow enough that deployers overlap.
fn migrations() -> Vec<Migration> {
    vec![
        Migration::new(
            "20240101000000_init",
            "CREATE TABLE item (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);\n",
        ),
        Migration::new(
            "20240102000000_more",
            "CREATE TABLE tag (id INTEGER PRIMARY KEY);\nCREATE INDEX item_name_idx ON item (name);\n",
        ),
        Migration::new(
            "20240103000000_last",
            "ALTER TABLE item ADD COLUMN price INTEGER;\n",
        ),
    ]
}

async fn concurrent_round(url: &str, deployers: usize) {
    let mut tasks = Vec::new();
    for _ in 0..deployers {
        let url = url.to_string();
        tasks.push(tokio::spawn(async move {
            let mut conn = Connection::connect(&url).await.unwrap();
            let options = MigrateOptions::default().lock_timeout(Duration::from_secs(60));
            deploy_with(&mut conn, &migrations(), &options, &mut |_| {})
                .await
                .map(|r| r.applied.len())
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap().expect("no deployer fails");
    }
    assert_eq!(total, 3, "each migration applied exactly once");
    let mut conn = Connection::connect(url).await.unwrap();
    let history = conn.history().await.unwrap();
    assert_eq!(history.len(), 3, "{history:?}");
    assert!(history.iter().all(|h| h.finished && !h.failed()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_concurrent_deployers_apply_each_migration_once() {
    for round in 0..3 {
        let (url, path) = temp_sqlite(&format!("concurrent{round}"));
        concurrent_round(&url, 8).await;
        remove_sqlite(&path);
    }
    for var in ["SOVEREIGN_TEST_POSTGRES_URL", "SOVEREIGN_TEST_MYSQL_URL"] {
        for _ in 0..2 {
            if let Some(db) = TestDb::create_from_var(var, "concurrent test").await {
                concurrent_round(&db.url, 8).await;
                db.drop().await;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_lock_times_out_with_a_message_that_finds_its_holder() {
    on_every_database!("locktimeout", |url: String| async move {
        let mut holder = Connection::connect(&url).await.unwrap();
        let lock = holder.lock(Duration::from_secs(5)).await.unwrap();
        let mut conn = Connection::connect(&url).await.unwrap();
        let options = MigrateOptions::default().lock_timeout(Duration::from_millis(400));
        let start = Instant::now();
        let err = deploy_with(&mut conn, &migrations(), &options, &mut |_| {})
            .await
            .unwrap_err();
        let waited = start.elapsed();
        assert!(
            waited >= Duration::from_millis(400) && waited < Duration::from_secs(5),
            "{waited:?}"
        );
        let msg = err.to_string();
        assert!(matches!(err, Error::LockTimeout { .. }), "{msg}");
        assert!(msg.contains("gave up after 400 ms waiting for"), "{msg}");
        assert!(msg.contains("--lock-timeout"), "{msg}");
        match conn.dialect() {
            sovereign_migrate::Dialect::Postgres => {
                assert!(msg.contains("advisory lock 72707369"), "{msg}");
                assert!(msg.contains("server process"), "{msg}");
                assert!(msg.contains("pg_terminate_backend"), "{msg}");
            }
            sovereign_migrate::Dialect::Mysql => {
                assert!(msg.contains("'prisma_migrate'"), "{msg}");
                assert!(msg.contains("connection "), "{msg}");
                assert!(msg.contains("SHOW PROCESSLIST"), "{msg}");
            }
            sovereign_migrate::Dialect::Sqlite => {
                assert!(msg.contains("file lock (flock)"), "{msg}");
                assert!(msg.contains("fuser -v"), "{msg}");
            }
        }
        // Nothing was applied while waiting; once released, the deploy goes through.
        assert!(conn.history().await.is_err() || conn.history().await.unwrap().is_empty());
        holder.unlock(lock).await.unwrap();
        assert_eq!(
            deploy(&mut conn, &migrations())
                .await
                .unwrap()
                .applied
                .len(),
            3
        );
    });
}

#[tokio::test(flavor = "current_thread")]
async fn a_failing_migration_leaves_nothing_behind_where_ddl_is_transactional() {
    on_every_database!("atomic", |url: String| async move {
        let mut conn = Connection::connect(&url).await.unwrap();
        let mut ms = migrations();
        ms.push(Migration::new(
            "20240104000000_half",
            "CREATE TABLE first_half (id INTEGER PRIMARY KEY);\nALTER TABLE no_such_table ADD COLUMN x INTEGER;\n",
        ));
        let err = deploy(&mut conn, &ms).await.unwrap_err();
        let Error::Failed { rolled_back, .. } = &err else {
            panic!("{err}")
        };
        let live = conn.introspect().await.unwrap();
        match conn.dialect() {
            sovereign_migrate::Dialect::Mysql => {
                // MySQL commits each DDL statement: the first half stays, and the next deploy
                // says so, with the SQL that would finish the migration.
                assert!(!rolled_back);
                assert!(live.table("first_half").is_some());
                let err = deploy(&mut conn, &ms).await.unwrap_err();
                let msg = err.to_string();
                assert!(msg.contains("failed in an earlier deploy"), "{msg}");
                // The broken script cannot replay on an empty database either.
                assert!(msg.contains("fails on an empty database too"), "{msg}");
            }
            _ => {
                assert!(rolled_back, "{err}");
                assert!(live.table("first_half").is_none(), "rolled back");
                assert!(err.to_string().contains("none of its changes were applied"));
                // The advice works: rolled back, fixed, deployed.
                resolve(
                    &mut conn,
                    &ms,
                    "20240104000000_half",
                    Resolution::RolledBack,
                )
                .await;
                ms[3] = Migration::new(
                    "20240104000000_half",
                    "CREATE TABLE first_half (id INTEGER PRIMARY KEY);\n",
                );
                assert_eq!(deploy(&mut conn, &ms).await.unwrap().applied.len(), 1);
            }
        }
    });
}

/// Writes the history row a killed deploy leaves (started, never finished, no logs) and runs
/// `partial` of the migration's statements, as a process killed between them would have.
async fn interrupt(conn: &mut Connection, m: &Migration, partial: &str) {
    let now = match conn.dialect() {
        sovereign_migrate::Dialect::Sqlite => "0",
        sovereign_migrate::Dialect::Postgres => "now()",
        sovereign_migrate::Dialect::Mysql => "CURRENT_TIMESTAMP(3)",
    };
    conn.execute_script(&format!(
        "INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES ('{}-0000-4000-8000-000000000000', '{}', '{}', {now}, 0)",
        &m.checksum[..8],
        m.checksum,
        m.name
    ))
    .await
    .unwrap();
    if !partial.is_empty() {
        conn.execute_script(partial).await.unwrap();
    }
}

#[tokio::test(flavor = "current_thread")]
async fn an_interrupted_migration_is_diagnosed_and_the_advice_works() {
    on_every_database!("interrupted", |url: String| async move {
        let two = Migration::new(
            "20240104000000_two_tables",
            "CREATE TABLE alpha (id INTEGER PRIMARY KEY);\nCREATE TABLE beta (id INTEGER PRIMARY KEY);\n",
        );
        let mut ms = migrations();
        ms.push(two.clone());
        let mut conn = Connection::connect(&url).await.unwrap();
        deploy(&mut conn, &ms[..3]).await.unwrap();

        // Killed before any statement ran: nothing there, so rolling back and deploying works.
        interrupt(&mut conn, &two, "").await;
        match deploy(&mut conn, &ms).await.unwrap_err() {
            Error::Blocked {
                logs: None,
                diagnosis: Diagnosis::NotApplied,
                ..
            } => {}
            other => panic!("{other}"),
        }
        let msg = deploy(&mut conn, &ms).await.unwrap_err().to_string();
        assert!(
            msg.contains("was interrupted in an earlier deploy"),
            "{msg}"
        );
        assert!(
            msg.contains("None of its changes are in the database"),
            "{msg}"
        );
        resolve(&mut conn, &ms, &two.name, Resolution::RolledBack).await;
        assert_eq!(
            deploy(&mut conn, &ms).await.unwrap().applied,
            [two.name.as_str()]
        );

        // Killed after the first statement: the diagnosis gives the SQL that finishes it.
        let three = Migration::new(
            "20240105000000_three",
            "CREATE TABLE gamma (id INTEGER PRIMARY KEY);\nCREATE TABLE delta (id INTEGER PRIMARY KEY);\n",
        );
        ms.push(three.clone());
        interrupt(
            &mut conn,
            &three,
            "CREATE TABLE gamma (id INTEGER PRIMARY KEY);",
        )
        .await;
        let err = deploy(&mut conn, &ms).await.unwrap_err();
        let Error::Blocked {
            diagnosis:
                Diagnosis::Partial {
                    finish_sql,
                    done,
                    missing,
                },
            ..
        } = &err
        else {
            panic!("{err}")
        };
        assert!(done.iter().any(|d| d.contains("gamma")), "{done:?}");
        assert!(missing.iter().any(|d| d.contains("delta")), "{missing:?}");
        assert!(
            finish_sql.contains("delta") && !finish_sql.contains("gamma"),
            "{finish_sql}"
        );
        assert!(err
            .to_string()
            .contains("resolve --applied 20240105000000_three"));
        conn.execute_script(finish_sql).await.unwrap();
        resolve(&mut conn, &ms, &three.name, Resolution::Applied).await;
        assert!(deploy(&mut conn, &ms).await.unwrap().applied.is_empty());

        // Killed after the last statement, before the row was completed: applied.
        let four = Migration::new(
            "20240106000000_four",
            "CREATE TABLE epsilon (id INTEGER PRIMARY KEY);\n",
        );
        ms.push(four.clone());
        interrupt(&mut conn, &four, &four.sql).await;
        let err = deploy(&mut conn, &ms).await.unwrap_err();
        assert!(
            matches!(
                &err,
                Error::Blocked {
                    diagnosis: Diagnosis::Applied,
                    ..
                }
            ),
            "{err}"
        );
        resolve(&mut conn, &ms, &four.name, Resolution::Applied).await;
        assert!(deploy(&mut conn, &ms).await.unwrap().applied.is_empty());
    });
}

const V1: &str = r#"datasource db {
  provider = "sqlite"
  url      = "file:dev.db"
}

model Item {
  id    Int     @id
  name  String
  price Int?
}
"#;

/// V1 with `price` dropped and `name` now an Int: both lose data when rows exist.
const V2: &str = r#"datasource db {
  provider = "sqlite"
  url      = "file:dev.db"
}

model Item {
  id   Int @id
  name Int
}
"#;

/// V1 with `price` dropped.
const V2_DROP_ONLY: &str = r#"datasource db {
  provider = "sqlite"
  url      = "file:dev.db"
}

model Item {
  id   Int    @id
  name String
}
"#;

/// V1 with a required column without a default: cannot run on a non-empty table.
const V3: &str = r#"datasource db {
  provider = "sqlite"
  url      = "file:dev.db"
}

model Item {
  id    Int    @id
  name  String
  price Int?
  sku   String
}
"#;

fn target(text: &str, dialect: sovereign_migrate::Dialect) -> sovereign_migrate::SqlSchema {
    let (schema, _) = sovereign_schema::check("schema.prisma", text).unwrap();
    sql_schema(&schema, dialect)
}

#[tokio::test(flavor = "current_thread")]
async fn a_push_never_drops_other_tables_and_refuses_data_loss() {
    on_every_database!("push", |url: String| async move {
        let mut conn = Connection::connect(&url).await.unwrap();
        let d = conn.dialect();
        // A table the schema does not know, with data: it must survive every push.
        conn.execute_script("CREATE TABLE other_app (id INTEGER PRIMARY KEY, note VARCHAR(20));\nINSERT INTO other_app (id, note) VALUES (1, 'keep me');")
            .await
            .unwrap();
        let report = push(&mut conn, &target(V1, d), &patient()).await.unwrap();
        assert!(report.statements > 0);
        assert_eq!(report.kept, ["other_app"]);
        // Pushing the same schema again does nothing.
        let again = push(&mut conn, &target(V1, d), &patient()).await.unwrap();
        assert_eq!(again.statements, 0, "{again:?}");
        conn.execute_script(&format!(
            "INSERT INTO {} (id, name, price) VALUES (1, 'a', 5)",
            d.quote("Item")
        ))
        .await
        .unwrap();

        // Data loss: refused, nothing changed, and the message says how to opt in.
        let err = push(&mut conn, &target(V2, d), &patient())
            .await
            .unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, Error::DataLoss { .. }), "{msg}");
        assert!(msg.contains("drop the column `price`"), "{msg}");
        assert!(msg.contains("alter the column `name`"), "{msg}");
        assert!(msg.contains("nothing was changed"), "{msg}");
        assert!(msg.contains("--accept-data-loss"), "{msg}");
        assert!(msg.contains("accept_data_loss(true)"), "{msg}");
        let live = conn.introspect().await.unwrap();
        assert!(live.table("Item").unwrap().column("price").is_some());

        // Cannot run at all, even with the opt-in.
        let err = push(&mut conn, &target(V3, d), &patient().accept_data_loss(true))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("required column `sku`"), "{err}");

        // With the opt-in, the data-losing push runs and says what it accepted.
        let report = push(
            &mut conn,
            &target(V2_DROP_ONLY, d),
            &patient().accept_data_loss(true),
        )
        .await
        .unwrap();
        assert_eq!(report.accepted.len(), 1, "{report:?}");
        let rows = conn
            .execute_script("SELECT note FROM other_app WHERE note = 'keep me'")
            .await;
        assert!(rows.is_ok());
        let live = conn.introspect().await.unwrap();
        assert!(live.table("other_app").is_some(), "other tables survive");
        assert!(live.table("Item").unwrap().column("price").is_none());
    });
}

#[tokio::test(flavor = "current_thread")]
async fn deploy_refuses_a_database_with_tables_and_no_history_as_prisma_does() {
    on_every_database!("p3005", |url: String| async move {
        let mut conn = Connection::connect(&url).await.unwrap();
        conn.execute_script("CREATE TABLE made_by_hand (id INTEGER PRIMARY KEY)")
            .await
            .unwrap();
        let err = deploy(&mut conn, &migrations()).await.unwrap_err();
        assert!(matches!(err, Error::NotEmpty), "{err}");
        let msg = err.to_string();
        assert!(
            msg.starts_with("P3005: The database schema is not empty."),
            "{msg}"
        );
        assert!(msg.contains("resolve --applied"), "{msg}");
        assert!(
            !conn.has_history_table().await.unwrap(),
            "nothing was written"
        );
        // Baselined (the first migration marked applied), the rest deploys.
        let ms = [
            Migration::new(
                "0_baseline",
                "CREATE TABLE made_by_hand (id INTEGER PRIMARY KEY);\n",
            ),
            Migration::new("1_more", "CREATE TABLE more (id INTEGER PRIMARY KEY);\n"),
        ];
        resolve(&mut conn, &ms, "0_baseline", Resolution::Applied).await;
        assert_eq!(deploy(&mut conn, &ms).await.unwrap().applied, ["1_more"]);
    });
}

#[tokio::test(flavor = "current_thread")]
async fn a_failed_migration_is_logged_in_prismas_p3018_words() {
    on_every_database!("p3018", |url: String| async move {
        let mut conn = Connection::connect(&url).await.unwrap();
        let ms = [Migration::new(
            "0_broken",
            "ALTER TABLE no_such_table ADD COLUMN x INTEGER;\n",
        )];
        let err = deploy(&mut conn, &ms).await.unwrap_err();
        assert!(err.to_string().starts_with("P3018: A migration failed to apply. New migrations cannot be applied before the error is recovered from."), "{err}");
        let logs = conn.history().await.unwrap()[0].logs.clone().unwrap();
        assert!(logs.starts_with("A migration failed to apply. New migrations cannot be applied before the error is recovered from. Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve\n\nMigration name: 0_broken\n\nDatabase error code: "), "{logs}");
        let code = match conn.dialect() {
            sovereign_migrate::Dialect::Postgres => "42P01",
            sovereign_migrate::Dialect::Mysql => "1146",
            sovereign_migrate::Dialect::Sqlite => "1",
        };
        assert!(
            logs.contains(&format!("Database error code: {code}\n\nDatabase error:\n")),
            "{logs}"
        );
        assert!(logs.contains("no_such_table"), "{logs}");
        let blocked = deploy(&mut conn, &ms).await.unwrap_err().to_string();
        assert!(
            blocked.starts_with("P3009: migrate found failed migrations in the target database"),
            "{blocked}"
        );
    });
}
