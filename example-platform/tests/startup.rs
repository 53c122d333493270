//! The start-up check of a host that does not deploy: a database missing migrations the binary
//! embeds is refused with their names and the command that applies them, before any query can
//! fail on a missing column.

use std::sync::OnceLock;

use sovereign::{Datasource, Host};

const SCHEMA: &str = include_str!("../prisma/schema.prisma");
const INIT: (&str, &str) = (
    "20261128170000_init",
    include_str!("../prisma/migrations/20261128170000_init/migration.sql"),
);
const NOTE: (&str, &str) = (
    "20261201000000_add_note",
    "ALTER TABLE \"Post\" ADD COLUMN \"note\" TEXT;\n",
);

/// What the database was deployed with.
static BEFORE: Datasource = Datasource {
    provider: "sqlite",
    env: None,
    url: "",
    schema: SCHEMA,
    migrations: &[INIT],
    base: OnceLock::new(),
};
/// What the binary was built with: one migration more.
static BUILT: Datasource = Datasource {
    provider: "sqlite",
    env: None,
    url: "",
    schema: SCHEMA,
    migrations: &[INIT, NOTE],
    base: OnceLock::new(),
};

#[tokio::test]
async fn a_database_behind_the_binary_is_refused_at_start_up() {
    let dir = std::env::temp_dir().join(format!("sov-startup-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("file:{}", dir.join("platform.db").display());
    BEFORE
        .deploy(&url)
        .await
        .expect("deploy the first migration");
    assert_eq!(
        BUILT.missing_migrations(&url).await.unwrap(),
        vec!["20261201000000_add_note"]
    );

    let err = Host::builder()
        .url(&url)
        .connect(&BUILT, &["blog", "tasks"])
        .await
        .expect_err("the database lacks a migration");
    assert_eq!(
        err.to_string(),
        "the platform database is behind this build: 1 migration the binary was built with is not applied: 20261201000000_add_note. Apply it with `sovereign migrate deploy`, or start the host with `deploy_migrations(true)`"
    );

    // Turned off, it starts (and the first query on the new column would fail).
    Host::builder()
        .url(&url)
        .check_migrations(false)
        .connect(&BUILT, &["blog", "tasks"])
        .await
        .expect("unchecked")
        .close()
        .await;
    // Deployed, it is complete.
    Host::builder()
        .url(&url)
        .deploy_migrations(true)
        .connect(&BUILT, &["blog", "tasks"])
        .await
        .expect("deploy")
        .close()
        .await;
    assert!(BUILT.missing_migrations(&url).await.unwrap().is_empty());
    let mut host = Host::builder()
        .url(&url)
        .data_dir(&dir)
        .connect(&BUILT, &["blog", "tasks"])
        .await
        .expect("a complete database starts without deploying");

    // A dedicated plugin's own database is checked when it is registered.
    let err = host
        .register::<example_analytics::Analytics>()
        .await
        .expect_err("its database has no migration applied");
    let msg = err.to_string();
    assert!(
        msg.contains("the database of plugin \"analytics\" is behind this build: 1 migration the binary was built with is not applied: 20261128170000_init")
            && msg.contains("`plugin-db-manage deploy analytics`"),
        "{msg}"
    );
    host.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
