//! Interop with Prisma's own history: databases whose `_prisma_migrations` rows were written by
//! Prisma's schema engine (fixtures/interop/README.md says how). We continue from them: applied
//! migrations are recognised by name and checksum, failed ones block, resolved ones do not.

use sovereign_migrate::{
    deploy, read_migrations, resolve, status, Connection, Error, Migration, Resolution,
};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/interop")
        .join(name)
}

/// A private copy of a recorded database.
fn copy(db: &str) -> PathBuf {
    let to = std::env::temp_dir().join(format!("sov_interop_{}_{db}", std::process::id()));
    std::fs::copy(fixture(db), &to).unwrap();
    to
}

async fn open(path: &Path) -> Connection {
    Connection::connect(&format!("file:{}", path.display()))
        .await
        .unwrap()
}

fn with_third(mut ms: Vec<Migration>) -> Vec<Migration> {
    ms.push(Migration::new(
        "20240104000000_ours",
        "CREATE TABLE \"Ours\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\n",
    ));
    ms
}

#[tokio::test(flavor = "current_thread")]
async fn deploy_continues_from_prisma_history() {
    let local = read_migrations(&fixture("migrations")).unwrap();
    for db in ["prisma-history.db", "prisma-history-unixepoch-ms.db"] {
        let path = copy(db);
        let mut conn = open(&path).await;
        // Prisma's rows are read whatever the timestamp format: nothing is pending.
        let st = status(&mut conn, &local).await.unwrap();
        assert!(!st.needs_attention(), "{db}: {st:?}");
        let history = conn.history().await.unwrap();
        assert_eq!(history.len(), 2, "{db}");
        assert_eq!(
            history[0].checksum, local[0].checksum,
            "{db}: the same SHA-256 checksums"
        );
        // Our next migration goes on top.
        let report = deploy(&mut conn, &with_third(local.clone())).await.unwrap();
        assert_eq!(report.applied, ["20240104000000_ours"], "{db}");
        assert!(report.edited.is_empty());
        assert_eq!(conn.history().await.unwrap().len(), 3);
        let _ = std::fs::remove_file(path);
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_migration_prisma_recorded_as_failed_blocks_until_resolved() {
    let local = read_migrations(&fixture("migrations-with-broken")).unwrap();
    let path = copy("prisma-history-failed.db");
    let mut conn = open(&path).await;
    let st = status(&mut conn, &local).await.unwrap();
    assert_eq!(st.failed, ["20240103000000_broken"]);
    match deploy(&mut conn, &local).await {
        Err(Error::Blocked { migration, .. }) => {
            assert_eq!(migration, "20240103000000_broken")
        }
        other => panic!("{other:?}"),
    }
    // Fixed by hand (Prisma left table Post behind): mark it applied, as Prisma's resolve does.
    resolve(
        &mut conn,
        &local,
        "20240103000000_broken",
        Resolution::Applied,
    )
    .await
    .unwrap();
    let st = status(&mut conn, &local).await.unwrap();
    assert!(!st.needs_attention(), "{st:?}");
    let _ = std::fs::remove_file(path);

    // Prisma's own resolution is understood too.
    let path = copy("prisma-history-resolved.db");
    let mut conn = open(&path).await;
    let st = status(&mut conn, &local).await.unwrap();
    assert!(st.failed.is_empty(), "{st:?}");
    let _ = std::fs::remove_file(path);
}
