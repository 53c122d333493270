//! `migrate dev` planning on real databases: the history replays in a shadow database (dropped
//! afterwards), drift is detected, and data-loss checks read the development data.

use sovereign_migrate::dev::{plan, Shadow};
use sovereign_migrate::{deploy, sql_schema, Connection, Dialect, Migration};

use sovereign_test_support::TestDb;

const V1: &str = "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"X\")\n}\n\nmodel User {\n  id    Int     @id @default(autoincrement())\n  email String  @unique\n  bio   String?\n}\n";

fn target(text: &str, dialect: Dialect) -> sovereign_migrate::SqlSchema {
    sql_schema(
        &sovereign_schema::check("s.prisma", text).unwrap().0,
        dialect,
    )
}

async fn scenario(url: &str, dialect: Dialect, provider_text: &str) {
    let v1 = V1.replace("postgresql", provider_text);
    let init = sovereign_migrate::create_script(&target(&v1, dialect), dialect);
    let history = vec![Migration::new("20240101000000_init", init)];
    let mut dev = Connection::connect(url).await.unwrap();
    deploy(&mut dev, &history).await.unwrap();
    dev.execute_script(&format!(
        "INSERT INTO {} (email, bio) VALUES ('a@b.c', NULL)",
        dialect.quote("User")
    ))
    .await
    .unwrap();

    // No change: nothing to do.
    let mut shadow = Shadow::create(url, dialect).await.unwrap();
    let p = plan(&mut dev, &mut shadow.conn, &history, &target(&v1, dialect))
        .await
        .unwrap();
    shadow.drop().await.unwrap();
    assert!(p.drift.is_empty() && p.script.is_empty(), "{p:?}");

    // Dropping a column that holds data warns; making a column with NULLs required cannot run.
    let v2 = v1.replace(
        "  email String  @unique\n  bio   String?\n",
        "  bio   String\n",
    );
    let mut shadow = Shadow::create(url, dialect).await.unwrap();
    let p = plan(&mut dev, &mut shadow.conn, &history, &target(&v2, dialect))
        .await
        .unwrap();
    shadow.drop().await.unwrap();
    assert!(
        p.warnings.iter().any(|w| w.contains(
            "drop the column `email` on the `User` table, which still contains 1 non-null values"
        )),
        "{p:?}"
    );
    assert!(
        p.unexecutable.iter().any(|w| w.contains(
            "Made the column `bio` on table `User` required, but there are 1 existing NULL values"
        )),
        "{p:?}"
    );
    assert!(p
        .migration_sql()
        .starts_with("/*\n  Warnings:\n\n  - You are about to drop the column `email`"));

    // Drift: a table made by hand.
    dev.execute_script("CREATE TABLE handmade (x INTEGER)")
        .await
        .unwrap();
    let mut shadow = Shadow::create(url, dialect).await.unwrap();
    let p = plan(&mut dev, &mut shadow.conn, &history, &target(&v1, dialect))
        .await
        .unwrap();
    shadow.drop().await.unwrap();
    assert_eq!(p.drift, ["[+] Added table handmade"]);

    // A history that does not replay is named.
    let broken = vec![Migration::new(
        "20240101000000_bad",
        "CREATE TABLE t (x INTEGER);\nINSERT INTO missing VALUES (1);\n",
    )];
    let mut shadow = Shadow::create(url, dialect).await.unwrap();
    let err = plan(&mut dev, &mut shadow.conn, &broken, &target(&v1, dialect))
        .await
        .unwrap_err();
    shadow.drop().await.unwrap();
    assert!(
        err.to_string().contains(
            "migration `20240101000000_bad` does not apply cleanly to the shadow database"
        ),
        "{err}"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn dev_on_sqlite() {
    let path = std::env::temp_dir().join(format!("sov_dev_{}.db", std::process::id()));
    scenario(
        &format!("file:{}", path.display()),
        Dialect::Sqlite,
        "sqlite",
    )
    .await;
    let _ = std::fs::remove_file(path);
}

#[tokio::test(flavor = "current_thread")]
async fn dev_on_postgres_drops_its_shadow_database() {
    let Some(db) = TestDb::create_from_var("SOVEREIGN_TEST_POSTGRES_URL", "pg dev test").await
    else {
        return;
    };
    scenario(&db.url, Dialect::Postgres, "postgresql").await;
    // Every shadow database this process made is gone.
    let check = format!(
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_{}_%') THEN RAISE EXCEPTION 'a shadow database was left behind'; END IF; END $$;",
        std::process::id()
    );
    let mut conn = Connection::connect(&db.url).await.unwrap();
    conn.execute_script(&check).await.unwrap();
    drop(conn);
    db.drop().await;
}

#[tokio::test(flavor = "current_thread")]
async fn dev_on_mysql() {
    let Some(db) = TestDb::create_from_var("SOVEREIGN_TEST_MYSQL_URL", "my dev test").await else {
        return;
    };
    scenario(&db.url, Dialect::Mysql, "mysql").await;
    db.drop().await;
}

/// A shadow database that goes away without `Shadow::drop` (an early return, a panic) is still
/// dropped on the server.
#[tokio::test(flavor = "current_thread")]
async fn a_forgotten_shadow_database_is_dropped_anyway() {
    let Some(db) = sovereign_test_support::TestDb::create(
        sovereign_test_support::Server::Postgres,
        "forgotten shadow",
    )
    .await
    else {
        return;
    };
    async fn exists(conn: &mut Connection, name: &str) -> bool {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM pg_database WHERE datname = $1")
            .bind(name)
            .fetch_one(conn.postgres().unwrap())
            .await
            .unwrap()
            == 1
    }
    let mut admin = Connection::connect(&db.url).await.unwrap();
    let shadow = Shadow::create(&db.url, Dialect::Postgres).await.unwrap();
    let name = shadow.database().unwrap().to_string();
    assert!(exists(&mut admin, &name).await);
    drop(shadow); // not Shadow::drop
    assert!(!exists(&mut admin, &name).await, "{name} is left behind");
    drop(admin);
    db.drop().await;
}
