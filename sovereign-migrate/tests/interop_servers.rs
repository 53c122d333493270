//! Interop with Prisma's own history on PostgreSQL and MySQL/MariaDB: a database that
//! `prisma migrate deploy` brought up to date (its migrations' SQL plus the `_prisma_migrations`
//! table and rows Prisma writes, from `fixtures/interop/{postgres,mysql}/`) is continued by our
//! `deploy`, and a migration Prisma recorded as failed blocks us until `resolve` settles it.
//! `fixtures/interop/README.md` says which parts were recorded from Prisma's engine and which
//! were reconstructed. The servers come from `SOVEREIGN_TEST_POSTGRES_URL` /
//! `SOVEREIGN_TEST_MYSQL_URL`; each test skips loudly when its variable is unset.

use sovereign_migrate::{
    deploy, diff_script, read_migrations, resolve, sql_schema, status, Connection, Dialect, Error,
    Migration, Resolution, SqlSchema,
};
use std::path::{Path, PathBuf};

use sovereign_test_support::TestDb;

/// One server kind and its fixtures.
struct Server {
    /// The folder under `fixtures/interop/`.
    dir: &'static str,
    var: &'static str,
    label: &'static str,
    dialect: Dialect,
    /// Run by hand before Prisma's failed deploy: it makes the second migration fail.
    drift: &'static str,
    /// Undoes `drift`, so the second migration can run again.
    undo_drift: &'static str,
    /// Finishes the second migration by hand on top of `drift`.
    finish_by_hand: &'static str,
    /// The database's message for the failure, as Prisma logged it.
    failure: &'static str,
}

const POSTGRES: Server = Server {
    dir: "postgres",
    var: "SOVEREIGN_TEST_POSTGRES_URL",
    label: "postgres interop test",
    dialect: Dialect::Postgres,
    drift: "ALTER TABLE \"User\" ADD COLUMN \"name\" TEXT",
    undo_drift: "ALTER TABLE \"User\" DROP COLUMN \"name\"",
    finish_by_hand: "CREATE INDEX \"Post_title_idx\" ON \"Post\"(\"title\")",
    failure: "column \"name\" of relation \"User\" already exists",
};

const MYSQL: Server = Server {
    dir: "mysql",
    var: "SOVEREIGN_TEST_MYSQL_URL",
    label: "mysql interop test",
    dialect: Dialect::Mysql,
    drift: "ALTER TABLE `User` ADD COLUMN `name` VARCHAR(191) NULL",
    undo_drift: "ALTER TABLE `User` DROP COLUMN `name`",
    finish_by_hand: "CREATE INDEX `Post_title_idx` ON `Post`(`title`)",
    failure: "Duplicate column name 'name'",
};

const SECOND: &str = "20240102000000_add_name_and_index";
const THIRD: &str = "20240103000000_add_comments";

fn fixture(s: &Server, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/interop")
        .join(s.dir)
        .join(name)
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn schema(s: &Server, version: &str) -> SqlSchema {
    let text = read(fixture(s, &format!("schemas/{version}.prisma")));
    let (schema, _) = sovereign_schema::check("schema.prisma", &text)
        .unwrap_or_else(|r| panic!("{}", r.render()));
    sql_schema(&schema, s.dialect)
}

/// Prisma's two migrations, as read from the folder, plus our next one: the script our
/// `diff_script` makes from `schemas/v2.prisma` to `schemas/v3.prisma`.
fn migrations(s: &Server) -> Vec<Migration> {
    let mut ms = read_migrations(&fixture(s, "migrations")).unwrap();
    assert_eq!(
        ms.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
        ["20240101000000_init", SECOND]
    );
    let sql = diff_script(&schema(s, "v2"), &schema(s, "v3"), s.dialect);
    assert!(sql.contains("Comment"), "{sql}");
    ms.push(Migration::new(THIRD, sql));
    ms
}

/// Every column of `_prisma_migrations`, as text, by migration name (a name may have several
/// rows; they keep the table's `started_at` order).
type Row = Vec<Option<String>>;

async fn rows(conn: &mut Connection) -> Vec<(String, Row)> {
    use sqlx::Row as _;
    let raw = if let Some(c) = conn.postgres() {
        sqlx::query(
            "SELECT migration_name, id, checksum, finished_at::text, logs, rolled_back_at::text, started_at::text, applied_steps_count::text FROM _prisma_migrations ORDER BY started_at",
        )
        .fetch_all(&mut *c)
        .await
        .unwrap()
        .iter()
        .map(|r| (0..8).map(|i| r.try_get::<Option<String>, _>(i).unwrap()).collect::<Row>())
        .collect::<Vec<_>>()
    } else {
        let c = conn.mysql().expect("server tests only");
        sqlx::query(
            "SELECT migration_name, id, checksum, CAST(finished_at AS CHAR), logs, CAST(rolled_back_at AS CHAR), CAST(started_at AS CHAR), CAST(applied_steps_count AS CHAR) FROM _prisma_migrations ORDER BY started_at",
        )
        .fetch_all(&mut *c)
        .await
        .unwrap()
        .iter()
        .map(|r| (0..8).map(|i| r.try_get::<Option<String>, _>(i).unwrap()).collect::<Row>())
        .collect::<Vec<_>>()
    };
    raw.into_iter()
        .map(|mut r| (r.remove(0).unwrap(), r))
        .collect()
}

// Indexes into a `Row`.
const ID: usize = 0;
const CHECKSUM: usize = 1;
const FINISHED_AT: usize = 2;
const LOGS: usize = 3;
const ROLLED_BACK_AT: usize = 4;
const STEPS: usize = 6;

/// A fresh database in the state Prisma left it: the SQL Prisma ran (the first `applied`
/// migrations, then `before_history`), then `_prisma_migrations` as Prisma wrote it.
async fn as_prisma_left_it(
    s: &Server,
    db: &TestDb,
    applied: usize,
    before_history: &str,
    history: &str,
) -> Connection {
    let mut conn = Connection::connect(&db.url).await.unwrap();
    for m in &migrations(s)[..applied] {
        conn.execute_script(&m.sql)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", m.name));
    }
    if !before_history.is_empty() {
        conn.execute_script(before_history).await.unwrap();
    }
    conn.execute_script(&read(fixture(s, history)))
        .await
        .unwrap_or_else(|e| panic!("{history}: {e}"));
    conn
}

/// The third migration did run: its table and column are there.
async fn third_is_in_place(s: &Server, conn: &mut Connection) {
    let q = |t: &str| s.dialect.quote(t);
    conn.execute_script(&format!(
        "INSERT INTO {u} ({id}, {email}, {name}) VALUES (1, 'a@example.com', 'A');\n\
         INSERT INTO {p} ({id}, {title}, {author}) VALUES (1, 'T', 1);\n\
         INSERT INTO {c} ({id}, {body}, {post}) VALUES (1, 'B', 1);",
        u = q("User"),
        p = q("Post"),
        c = q("Comment"),
        id = q("id"),
        email = q("email"),
        name = q("name"),
        title = q("title"),
        author = q("authorId"),
        body = q("body"),
        post = q("postId"),
    ))
    .await
    .expect("the tables and columns of all three migrations exist");
}

async fn continue_prisma_history(s: &Server) {
    let Some(db) = TestDb::create_from_var(s.var, s.label).await else {
        return;
    };
    let all = migrations(s);
    let prisma = &all[..2];
    let mut conn = as_prisma_left_it(s, &db, 2, "", "prisma-history.sql").await;

    // Prisma's rows are read as applied, their checksums being the SHA-256 of the files' bytes.
    let st = status(&mut conn, prisma).await.unwrap();
    assert!(!st.needs_attention(), "{st:?}");
    let before = rows(&mut conn).await;
    assert_eq!(before.len(), 2);
    for ((name, row), m) in before.iter().zip(prisma) {
        assert_eq!(name, &m.name);
        let bytes = std::fs::read(fixture(s, &format!("migrations/{name}/migration.sql"))).unwrap();
        assert_eq!(
            row[CHECKSUM].as_deref(),
            Some(sovereign_migrate::folder::checksum(&bytes).as_str())
        );
        assert_eq!(row[CHECKSUM].as_deref(), Some(m.checksum.as_str()));
    }

    // Our deploy applies exactly the third migration.
    let report = deploy(&mut conn, &all).await.unwrap();
    assert_eq!(report.applied, [THIRD]);
    assert!(report.edited.is_empty(), "{report:?}");
    let st = status(&mut conn, &all).await.unwrap();
    assert!(!st.needs_attention(), "{st:?}");
    third_is_in_place(s, &mut conn).await;

    // Prisma's rows are untouched, and ours is shaped like theirs.
    let after = rows(&mut conn).await;
    assert_eq!(after.len(), 3, "{after:?}");
    for (name, row) in &before {
        assert!(
            after.contains(&(name.clone(), row.clone())),
            "{name} changed: {after:?}"
        );
    }
    let (_, ours) = after.iter().find(|(n, _)| n == THIRD).unwrap();
    assert_eq!(ours[ID].as_ref().map(String::len), Some(36), "{ours:?}");
    assert_eq!(ours[CHECKSUM].as_deref(), Some(all[2].checksum.as_str()));
    assert!(
        ours[FINISHED_AT].is_some() && ours[ROLLED_BACK_AT].is_none(),
        "{ours:?}"
    );
    assert_eq!(ours[LOGS], None);
    assert_eq!(ours[STEPS].as_deref(), Some("1"));

    // Deploying again does nothing.
    let report = deploy(&mut conn, &all).await.unwrap();
    assert!(
        report.applied.is_empty() && report.edited.is_empty(),
        "{report:?}"
    );
    drop(conn);
    db.drop().await;
}

/// A database where Prisma's deploy of the second migration failed (see the fixture's header).
async fn failed_by_prisma(s: &Server, db: &TestDb) -> (Connection, Vec<(String, Row)>) {
    let all = migrations(s);
    let mut conn = as_prisma_left_it(s, db, 1, s.drift, "prisma-history-failed.sql").await;
    let st = status(&mut conn, &all).await.unwrap();
    assert_eq!(st.failed, [SECOND], "{st:?}");
    assert_eq!(st.pending, [THIRD], "{st:?}");
    let history = conn.history().await.unwrap();
    let failed = history.iter().find(|h| h.failed()).expect("a failed row");
    assert!(
        failed.logs.as_deref().unwrap_or("").contains(s.failure),
        "{failed:?}"
    );
    match deploy(&mut conn, &all).await {
        Err(Error::Blocked { migration, .. }) => assert_eq!(migration, SECOND),
        other => panic!("{other:?}"),
    }
    let before = rows(&mut conn).await;
    assert_eq!(
        before.len(),
        2,
        "a blocked deploy writes nothing: {before:?}"
    );
    (conn, before)
}

/// The row Prisma wrote for the failed migration, after a resolve: only `rolled_back_at` set.
fn failed_row_rolled_back(before: &[(String, Row)], after: &[(String, Row)]) {
    let (_, prisma) = before.iter().find(|(n, _)| n == SECOND).unwrap();
    let (_, now) = after
        .iter()
        .find(|(n, r)| n == SECOND && r[ID] == prisma[ID])
        .expect("Prisma's failed row is kept");
    assert!(now[ROLLED_BACK_AT].is_some(), "{now:?}");
    let mut expected = prisma.clone();
    expected[ROLLED_BACK_AT] = now[ROLLED_BACK_AT].clone();
    assert_eq!(now, &expected);
    let (_, init) = &before[0];
    assert!(
        after.iter().any(|(_, r)| r == init),
        "the first row is untouched"
    );
}

async fn failed_prisma_migration_blocks_until_resolved(s: &Server) {
    let Some(db) = TestDb::create_from_var(s.var, s.label).await else {
        return;
    };
    let all = migrations(s);

    // Undone by hand and marked rolled back: the next deploy runs it again, then the third.
    let (mut conn, before) = failed_by_prisma(s, &db).await;
    conn.execute_script(s.undo_drift).await.unwrap();
    resolve(&mut conn, &all, SECOND, Resolution::RolledBack)
        .await
        .unwrap();
    let report = deploy(&mut conn, &all).await.unwrap();
    assert_eq!(report.applied, [SECOND, THIRD]);
    let st = status(&mut conn, &all).await.unwrap();
    assert!(!st.needs_attention(), "{st:?}");
    third_is_in_place(s, &mut conn).await;
    let after = rows(&mut conn).await;
    assert_eq!(after.len(), 4, "{after:?}");
    failed_row_rolled_back(&before, &after);
    drop(conn);
    db.drop().await;

    // Finished by hand and marked applied: only the third runs.
    let Some(db) = TestDb::create_from_var(s.var, s.label).await else {
        return;
    };
    let (mut conn, before) = failed_by_prisma(s, &db).await;
    conn.execute_script(s.finish_by_hand).await.unwrap();
    resolve(&mut conn, &all, SECOND, Resolution::Applied)
        .await
        .unwrap();
    let st = status(&mut conn, &all).await.unwrap();
    assert_eq!(st.pending, [THIRD], "{st:?}");
    assert!(st.failed.is_empty(), "{st:?}");
    let report = deploy(&mut conn, &all).await.unwrap();
    assert_eq!(report.applied, [THIRD]);
    let st = status(&mut conn, &all).await.unwrap();
    assert!(!st.needs_attention(), "{st:?}");
    third_is_in_place(s, &mut conn).await;
    let after = rows(&mut conn).await;
    assert_eq!(after.len(), 4, "{after:?}");
    failed_row_rolled_back(&before, &after);
    drop(conn);
    db.drop().await;
}

#[tokio::test(flavor = "current_thread")]
async fn deploy_continues_from_prisma_history_on_postgres() {
    continue_prisma_history(&POSTGRES).await;
}

#[tokio::test(flavor = "current_thread")]
async fn deploy_continues_from_prisma_history_on_mysql() {
    continue_prisma_history(&MYSQL).await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_migration_prisma_recorded_as_failed_blocks_until_resolved_on_postgres() {
    failed_prisma_migration_blocks_until_resolved(&POSTGRES).await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_migration_prisma_recorded_as_failed_blocks_until_resolved_on_mysql() {
    failed_prisma_migration_blocks_until_resolved(&MYSQL).await;
}
