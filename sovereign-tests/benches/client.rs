//! The generated client against the same work hand-written twice, on the same database in the
//! same run: with sqlx (on the client's own connection pool), and on the driver underneath, the
//! floor: SQLite's C API through rusqlite (one connection, cached prepared statements, rows
//! decoded in place, no async hand-over) and tokio-postgres (prepared statements, independent
//! queries pipelined). MySQL (MariaDB) has no floor: there the client is compared with sqlx
//! only. The workloads:
//!
//! - `create_1000`: 1,000 `User` rows created one by one (`INSERT ... RETURNING` every column;
//!   on MySQL, which has no RETURNING, the INSERT then the row selected by the id it generated,
//!   two statements on the pool as the client sends them);
//! - `create_many_1000`: 1,000 users in one `create_many` (the floor on SQLite: one cached
//!   single-row INSERT per row in a transaction; on PostgreSQL one INSERT of an array);
//! - `find_many_1000`: 1,000 of 2,000 users selected by `karma < 1000`;
//! - `find_unique_10000`: a user by id, 10,000 times;
//! - `with_100`: 100 posts with their authors and their comments (three queries);
//! - `tx_100`: one interactive transaction of 100 updates by id, each returning the row (on
//!   MySQL by hand the UPDATE, then the row selected by its id; on SQLite the floor takes the
//!   UPDATE from rusqlite's statement cache for each update, as it takes every workload's
//!   statement for each operation);
//! - `tx_100_held` (SQLite only): the same, with the floor's UPDATE taken once and held for
//!   the transaction, a stricter floor no per-call client can reach without `unsafe` (a
//!   statement borrows its connection); reported beside the goal, not flagged;
//! - `nested_create_100`: 100 users created one by one, each with three posts, in a transaction
//!   each (the user's INSERT, read back on MySQL, then one INSERT of its posts);
//! - `aggregate_100`: an author's posts counted, their views summed and averaged and their
//!   newest date, 100 times;
//! - `group_by_100`: the posts grouped by author, counted and their views summed, 100 times.
//!
//! Every side selects the same columns and decodes them into owned structs with the same field
//! types. Benchmark ids read `sqlite/create_1000/sovereign`, `.../sqlx`, `.../rusqlite`,
//! `postgres/create_1000/tokio-postgres` and `mysql/create_1000/sovereign` (and `.../sqlx`).
//!
//! On SQLite the floor's connection reads the settings of the client's connections back (the
//! runtime's: WAL, `synchronous=NORMAL`, foreign keys on, a 5 s busy timeout) and takes the
//! same, and every run of a workload that writes starts from the same write-ahead log
//! (`Raw::checkpoint`). On PostgreSQL,
//! `SOVEREIGN_BENCH_SYNCHRONOUS_COMMIT=off` sets `synchronous_commit` for the benchmark's
//! database (every side), so that single writes stop waiting for the server's commit flush.
//!
//! `cargo bench -p sovereign-tests --bench client` runs SQLite (a temporary file), when
//! `SOVEREIGN_TEST_POSTGRES_URL` is set PostgreSQL, and when `SOVEREIGN_TEST_MYSQL_URL` is set
//! MySQL or MariaDB (each server in a new database, dropped at the end). After criterion's
//! report it prints the ratios ours / sqlx, ours / floor and sqlx / floor of each workload (`-`
//! where there is no floor): the medians of interleaved runs (the side that goes first turns
//! each run, so all see the same machine state; where a floor is there, sqlx, the slower side
//! on SQLite, takes part in fewer of them, as many as about 3 s of its own hold), in wall time
//! and in CPU time of the benchmark process (the client-side cost, which a busy machine
//! disturbs less). A filter (`cargo bench ... -- sqlite/with_100`, `-- mysql/`) limits those
//! runs too.
//!
//! `sovereign-tests/benches/instructions.sh` counts instructions instead, with callgrind: it
//! runs this benchmark's binary with `SOVEREIGN_BENCH_RUNS=N` and a filter, which makes it run
//! the sides selected (one warm-up run, then `N`) without timing anything, and has callgrind
//! count [`work`] only.

#[path = "../tests/common/mod.rs"]
mod common;

use std::cell::Cell;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use common::TestDb;
use criterion::{criterion_group, Criterion, SamplingMode};
use sovereign::chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use sovereign::{count_all, Database, Dialect};
use sovereign_tests::{post, user, PrismaClient};
use sqlx::Row;
use tokio_postgres::types::ToSql;

mod floor;
mod hand;
use floor::Floor;
use hand::*;

/// The pool of the client's database, used directly.
enum Pool {
    Sqlite(sqlx::SqlitePool),
    Pg(sqlx::PgPool),
    My(sqlx::MySqlPool),
}

/// Hand-written queries: fixed SQL strings written once, as `sqlx::query!` would hold them.
struct Raw {
    pool: Pool,
    insert_user: String,
    users_below: String,
    user_by_id: String,
    first_posts: String,
    insert_posts: String,
    aggregate: String,
    group_by: String,
    rename_user: String,
    /// The user INSERT without RETURNING (SQLite; the floor's `create_many`).
    insert_user_only: String,
}

impl Raw {
    fn new(pool: Pool) -> Raw {
        if let Pool::My(_) = pool {
            return Raw::mysql(pool);
        }
        let pg = matches!(pool, Pool::Pg(_));
        let p = |n: usize| if pg { format!("${n}") } else { "?".into() };
        // The columns the client inserts, as Prisma's client does: the email, `createdAt`
        // (`@default(now())`, filled in by the client on every database, though the column
        // has a default) and `updatedAt`.
        let insert_user = format!(
            r#"INSERT INTO "users" ("email", "created_at", "updatedAt") VALUES ({}, {}, {}) RETURNING {USER_COLS}"#,
            p(1),
            p(2),
            p(3)
        );
        Raw {
            insert_user_only:
                r#"INSERT INTO "users" ("email", "created_at", "updatedAt") VALUES (?, ?, ?)"#
                    .to_string(),
            insert_user,
            rename_user: format!(
                r#"UPDATE "users" SET "name" = {}, "updatedAt" = {} WHERE "id" = {} RETURNING {USER_COLS}"#,
                p(1),
                p(2),
                p(3)
            ),
            users_below: format!(
                r#"SELECT {USER_COLS} FROM "users" WHERE "karma" < {}"#,
                p(1)
            ),
            user_by_id: format!(r#"SELECT {USER_COLS} FROM "users" WHERE "id" = {}"#, p(1)),
            first_posts: format!(
                r#"SELECT {POST_COLS} FROM "Post" ORDER BY "id" LIMIT {}"#,
                p(1)
            ),
            // Three posts of a new author, `createdAt` from the client.
            insert_posts: if pg {
                r#"INSERT INTO "Post" ("title", "author_id", "createdAt") VALUES ($1, $2, $3), ($4, $5, $6), ($7, $8, $9)"#
                    .to_string()
            } else {
                r#"INSERT INTO "Post" ("title", "author_id", "createdAt") VALUES (?, ?, ?), (?, ?, ?), (?, ?, ?)"#
                    .to_string()
            },
            aggregate: if pg {
                r#"SELECT COUNT(*), CAST(SUM("views") AS BIGINT), CAST(AVG("views") AS DOUBLE PRECISION), MAX("createdAt") FROM "Post" WHERE "author_id" = $1"#
                    .to_string()
            } else {
                r#"SELECT COUNT(*), SUM("views"), AVG("views"), MAX("createdAt") FROM "Post" WHERE "author_id" = ?"#
                    .to_string()
            },
            group_by: if pg {
                r#"SELECT "author_id", COUNT(*), CAST(SUM("views") AS BIGINT) FROM "Post" GROUP BY "author_id" ORDER BY "author_id""#
                    .to_string()
            } else {
                r#"SELECT "author_id", COUNT(*), SUM("views") FROM "Post" GROUP BY "author_id" ORDER BY "author_id""#
                    .to_string()
            },
            pool,
        }
    }

    /// MySQL has no RETURNING: a write is the statement, then the row read back by its key
    /// (`user_by_id`), as the client does there. Identifiers are quoted with backticks.
    fn mysql(pool: Pool) -> Raw {
        Raw {
            insert_user_only: String::new(),
            // As the client's: the email, `created_at` and `updatedAt`.
            insert_user: "INSERT INTO `users` (`email`, `created_at`, `updatedAt`) VALUES (?, ?, ?)"
                .to_string(),
            rename_user: "UPDATE `users` SET `name` = ?, `updatedAt` = ? WHERE `id` = ?"
                .to_string(),
            users_below: format!("SELECT {MY_USER_COLS} FROM `users` WHERE `karma` < ?"),
            user_by_id: format!("SELECT {MY_USER_COLS} FROM `users` WHERE `id` = ?"),
            first_posts: format!("SELECT {MY_POST_COLS} FROM `Post` ORDER BY `id` LIMIT ?"),
            insert_posts:
                "INSERT INTO `Post` (`title`, `author_id`, `createdAt`) VALUES (?, ?, ?), (?, ?, ?), (?, ?, ?)"
                    .to_string(),
            // A sum of INT columns is DECIMAL on MySQL, an average too: cast as the client
            // casts them, to the types both decode.
            aggregate: "SELECT COUNT(*), CAST(SUM(`views`) AS SIGNED), CAST(AVG(`views`) AS DOUBLE), MAX(`createdAt`) FROM `Post` WHERE `author_id` = ?"
                .to_string(),
            group_by: "SELECT `author_id`, COUNT(*), CAST(SUM(`views`) AS SIGNED) FROM `Post` GROUP BY `author_id` ORDER BY `author_id`"
                .to_string(),
            pool,
        }
    }

    /// The authors of `n` posts: `SELECT ... WHERE "id" IN (...)`.
    fn users_in(&self, n: usize) -> String {
        self.select_in(USER_COLS, MY_USER_COLS, "users", "id", n)
    }

    /// The comments of `n` posts.
    fn comments_in(&self, n: usize) -> String {
        self.select_in(COMMENT_COLS, MY_COMMENT_COLS, "Comment", "postId", n)
    }

    /// `SELECT cols FROM table WHERE key IN (n values) ORDER BY id`, quoted for the backend
    /// (MySQL's columns in `my_cols`).
    fn select_in(&self, cols: &str, my_cols: &str, table: &str, key: &str, n: usize) -> String {
        let (cols, q) = match self.pool {
            Pool::My(_) => (my_cols, '`'),
            _ => (cols, '"'),
        };
        format!(
            "SELECT {cols} FROM {q}{table}{q} WHERE {q}{key}{q} IN ({}) ORDER BY {q}id{q}",
            self.in_list(n)
        )
    }

    fn in_list(&self, n: usize) -> String {
        let mut s = String::with_capacity(n * 5);
        for i in 1..=n {
            if i > 1 {
                s.push_str(", ");
            }
            match self.pool {
                Pool::Sqlite(_) | Pool::My(_) => s.push('?'),
                Pool::Pg(_) => {
                    s.push('$');
                    s.push_str(&i.to_string());
                }
            }
        }
        s
    }

    async fn create_user(&self, email: String) -> User {
        let now = Utc::now();
        match &self.pool {
            Pool::Sqlite(p) => {
                let ms = now.timestamp_millis();
                let r = sqlx::query(&self.insert_user)
                    .bind(email)
                    .bind(ms)
                    .bind(ms)
                    .fetch_one(p)
                    .await
                    .unwrap();
                user_sqlite(&r)
            }
            Pool::Pg(p) => {
                let r = sqlx::query(&self.insert_user)
                    .bind(email)
                    .bind(now.naive_utc())
                    .bind(now.naive_utc())
                    .fetch_one(p)
                    .await
                    .unwrap();
                user_pg(&r)
            }
            Pool::My(p) => {
                // Two statements on the pool, as the client's `create` sends them (no
                // transaction: the id comes back with the INSERT's result).
                let id = sqlx::query(&self.insert_user)
                    .bind(email)
                    .bind(now.naive_utc())
                    .bind(now.naive_utc())
                    .execute(p)
                    .await
                    .unwrap()
                    .last_insert_id();
                let r = sqlx::query(&self.user_by_id)
                    .bind(id)
                    .fetch_one(p)
                    .await
                    .unwrap();
                user_my(&r)
            }
        }
    }

    async fn users_below(&self, karma: i32) -> Vec<User> {
        match &self.pool {
            Pool::Sqlite(p) => sqlx::query(&self.users_below)
                .bind(karma)
                .fetch_all(p)
                .await
                .unwrap()
                .iter()
                .map(user_sqlite)
                .collect(),
            Pool::Pg(p) => sqlx::query(&self.users_below)
                .bind(karma)
                .fetch_all(p)
                .await
                .unwrap()
                .iter()
                .map(user_pg)
                .collect(),
            Pool::My(p) => sqlx::query(&self.users_below)
                .bind(karma)
                .fetch_all(p)
                .await
                .unwrap()
                .iter()
                .map(user_my)
                .collect(),
        }
    }

    async fn user_by_id(&self, id: i32) -> Option<User> {
        match &self.pool {
            Pool::Sqlite(p) => sqlx::query(&self.user_by_id)
                .bind(id)
                .fetch_optional(p)
                .await
                .unwrap()
                .as_ref()
                .map(user_sqlite),
            Pool::Pg(p) => sqlx::query(&self.user_by_id)
                .bind(id)
                .fetch_optional(p)
                .await
                .unwrap()
                .as_ref()
                .map(user_pg),
            Pool::My(p) => sqlx::query(&self.user_by_id)
                .bind(id)
                .fetch_optional(p)
                .await
                .unwrap()
                .as_ref()
                .map(user_my),
        }
    }

    /// The first `n` posts; then their authors, and their comments: one query each, assembled
    /// in memory.
    async fn posts_with_author_and_comments(&self, n: i64) -> Vec<Post> {
        macro_rules! run {
            ($p:expr, $post:expr, $user:expr, $comment:expr) => {{
                let mut posts: Vec<Post> = sqlx::query(&self.first_posts)
                    .bind(n)
                    .fetch_all($p)
                    .await
                    .unwrap()
                    .iter()
                    .map($post)
                    .collect();
                let mut author_ids: Vec<i32> = posts.iter().map(|p| p.author_id).collect();
                author_ids.sort_unstable();
                author_ids.dedup();
                let sql = self.users_in(author_ids.len());
                let mut q = sqlx::query(&sql);
                for id in &author_ids {
                    q = q.bind(*id);
                }
                let authors: HashMap<i32, User> = q
                    .fetch_all($p)
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| {
                        let u: User = $user(r);
                        (u.id, u)
                    })
                    .collect();
                let sql = self.comments_in(posts.len());
                let mut q = sqlx::query(&sql);
                for p in &posts {
                    q = q.bind(p.id);
                }
                let mut comments: HashMap<i32, Vec<Comment>> = HashMap::new();
                for r in q.fetch_all($p).await.unwrap().iter() {
                    let c: Comment = $comment(r);
                    comments.entry(c.post_id).or_default().push(c);
                }
                for p in &mut posts {
                    p.author = authors.get(&p.author_id).cloned().map(Box::new);
                    p.comments = comments.remove(&p.id).unwrap_or_default();
                }
                posts
            }};
        }
        match &self.pool {
            Pool::Sqlite(p) => run!(p, post_sqlite, user_sqlite, comment_sqlite),
            Pool::Pg(p) => run!(p, post_pg, user_pg, comment_pg),
            Pool::My(p) => run!(p, post_my, user_my, comment_my),
        }
    }

    /// A user with three posts, in a transaction: the user (returned), then its posts.
    async fn create_user_with_posts(&self, email: String) -> User {
        let now = Utc::now();
        let titles = ["First", "Second", "Third"];
        match &self.pool {
            Pool::Sqlite(p) => {
                let ms = now.timestamp_millis();
                let mut tx = p.begin().await.unwrap();
                let r = sqlx::query(&self.insert_user)
                    .bind(email)
                    .bind(ms)
                    .bind(ms)
                    .fetch_one(&mut *tx)
                    .await
                    .unwrap();
                let user = user_sqlite(&r);
                let mut q = sqlx::query(&self.insert_posts);
                for t in titles {
                    q = q.bind(t).bind(user.id).bind(ms);
                }
                q.execute(&mut *tx).await.unwrap();
                tx.commit().await.unwrap();
                user
            }
            Pool::Pg(p) => {
                let mut tx = p.begin().await.unwrap();
                let r = sqlx::query(&self.insert_user)
                    .bind(email)
                    .bind(now.naive_utc())
                    .bind(now.naive_utc())
                    .fetch_one(&mut *tx)
                    .await
                    .unwrap();
                let user = user_pg(&r);
                let mut q = sqlx::query(&self.insert_posts);
                for t in titles {
                    q = q.bind(t).bind(user.id).bind(now.naive_utc());
                }
                q.execute(&mut *tx).await.unwrap();
                tx.commit().await.unwrap();
                user
            }
            Pool::My(p) => {
                // The user, read back by its new id, then its posts.
                let mut tx = p.begin().await.unwrap();
                let id = sqlx::query(&self.insert_user)
                    .bind(email)
                    .bind(now.naive_utc())
                    .bind(now.naive_utc())
                    .execute(&mut *tx)
                    .await
                    .unwrap()
                    .last_insert_id();
                let r = sqlx::query(&self.user_by_id)
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await
                    .unwrap();
                let user = user_my(&r);
                let mut q = sqlx::query(&self.insert_posts);
                for t in titles {
                    q = q.bind(t).bind(user.id).bind(now.naive_utc());
                }
                q.execute(&mut *tx).await.unwrap();
                tx.commit().await.unwrap();
                user
            }
        }
    }

    /// An author's post count, views summed and averaged, and newest date.
    async fn aggregate(
        &self,
        author: i32,
    ) -> (i64, Option<i64>, Option<f64>, Option<DateTime<FixedOffset>>) {
        match &self.pool {
            Pool::Sqlite(p) => {
                let r = sqlx::query(&self.aggregate)
                    .bind(author)
                    .fetch_one(p)
                    .await
                    .unwrap();
                let newest = r.get::<Option<i64>, _>(3).map(|ms| {
                    DateTime::<Utc>::from_timestamp_millis(ms)
                        .unwrap()
                        .fixed_offset()
                });
                (r.get(0), r.get(1), r.get(2), newest)
            }
            Pool::Pg(p) => {
                let r = sqlx::query(&self.aggregate)
                    .bind(author)
                    .fetch_one(p)
                    .await
                    .unwrap();
                let newest = r
                    .get::<Option<NaiveDateTime>, _>(3)
                    .map(|n| n.and_utc().fixed_offset());
                (r.get(0), r.get(1), r.get(2), newest)
            }
            Pool::My(p) => {
                let r = sqlx::query(&self.aggregate)
                    .bind(author)
                    .fetch_one(p)
                    .await
                    .unwrap();
                let newest = r
                    .get::<Option<NaiveDateTime>, _>(3)
                    .map(|n| n.and_utc().fixed_offset());
                (r.get(0), r.get(1), r.get(2), newest)
            }
        }
    }

    /// The posts grouped by author: the author, the count and the views summed.
    async fn group_by(&self) -> Vec<(i32, i64, Option<i64>)> {
        match &self.pool {
            Pool::Sqlite(p) => sqlx::query(&self.group_by)
                .fetch_all(p)
                .await
                .unwrap()
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get(2)))
                .collect(),
            Pool::Pg(p) => sqlx::query(&self.group_by)
                .fetch_all(p)
                .await
                .unwrap()
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get(2)))
                .collect(),
            Pool::My(p) => sqlx::query(&self.group_by)
                .fetch_all(p)
                .await
                .unwrap()
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get(2)))
                .collect(),
        }
    }

    /// `n` users in one transaction and one multi-row INSERT (as the client's `create_many`
    /// does while the rows fit SQLite's and PostgreSQL's parameter limits).
    async fn create_users(&self, emails: Vec<String>) -> u64 {
        let now = Utc::now();
        let rows = emails.len();
        match &self.pool {
            Pool::Sqlite(p) => {
                let ms = now.timestamp_millis();
                let sql = format!(
                    r#"INSERT INTO "users" ("email", "created_at", "updatedAt") VALUES {}"#,
                    vec!["(?, ?, ?)"; rows].join(", ")
                );
                let mut tx = p.begin().await.unwrap();
                let mut q = sqlx::query(&sql);
                for e in emails {
                    q = q.bind(e).bind(ms).bind(ms);
                }
                let n = q.execute(&mut *tx).await.unwrap().rows_affected();
                tx.commit().await.unwrap();
                n
            }
            Pool::Pg(p) => {
                let values: Vec<String> = (0..rows)
                    .map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3))
                    .collect();
                let sql = format!(
                    r#"INSERT INTO "users" ("email", "created_at", "updatedAt") VALUES {}"#,
                    values.join(", ")
                );
                let mut tx = p.begin().await.unwrap();
                let mut q = sqlx::query(&sql);
                for e in emails {
                    q = q.bind(e).bind(now.naive_utc()).bind(now.naive_utc());
                }
                let n = q.execute(&mut *tx).await.unwrap().rows_affected();
                tx.commit().await.unwrap();
                n
            }
            Pool::My(p) => {
                let sql = format!(
                    "INSERT INTO `users` (`email`, `created_at`, `updatedAt`) VALUES {}",
                    vec!["(?, ?, ?)"; rows].join(", ")
                );
                // In a transaction because the client's `create_many` opens one (as on the
                // other backends here). By hand one statement would not need it (autocommit
                // commits it alone): the BEGIN and COMMIT are two round trips both sides pay.
                let mut tx = p.begin().await.unwrap();
                let mut q = sqlx::query(&sql);
                for e in emails {
                    q = q.bind(e).bind(now.naive_utc()).bind(now.naive_utc());
                }
                let n = q.execute(&mut *tx).await.unwrap().rows_affected();
                tx.commit().await.unwrap();
                n
            }
        }
    }

    /// One transaction of updates by id, each returning the updated row.
    async fn rename_users(&self, ids: &[i32], label: u64) -> Vec<User> {
        let now = Utc::now();
        let mut out = Vec::with_capacity(ids.len());
        match &self.pool {
            Pool::Sqlite(p) => {
                let ms = now.timestamp_millis();
                let mut tx = p.begin().await.unwrap();
                for &id in ids {
                    let r = sqlx::query(&self.rename_user)
                        .bind(format!("Renamed {label}"))
                        .bind(ms)
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await
                        .unwrap();
                    out.push(user_sqlite(&r));
                }
                tx.commit().await.unwrap();
            }
            Pool::Pg(p) => {
                let mut tx = p.begin().await.unwrap();
                for &id in ids {
                    let r = sqlx::query(&self.rename_user)
                        .bind(format!("Renamed {label}"))
                        .bind(now.naive_utc())
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await
                        .unwrap();
                    out.push(user_pg(&r));
                }
                tx.commit().await.unwrap();
            }
            Pool::My(p) => {
                // Without RETURNING: each UPDATE by id, then the row read back by the id, the
                // two statements the client sends for an update by primary key.
                let mut tx = p.begin().await.unwrap();
                for &id in ids {
                    sqlx::query(&self.rename_user)
                        .bind(format!("Renamed {label}"))
                        .bind(now.naive_utc())
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .unwrap();
                    let r = sqlx::query(&self.user_by_id)
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await
                        .unwrap();
                    out.push(user_my(&r));
                }
                tx.commit().await.unwrap();
            }
        }
        out
    }

    /// Removes the users `create_1000` and `nested_create_100` added, and their posts (outside
    /// the timed part).
    /// On SQLite, moves the write-ahead log into the database file (`wal_checkpoint(RESTART)`),
    /// then writes once (the header's `user_version`), which starts the log over from its
    /// beginning; nothing elsewhere. Before each run of a workload that writes, so that every
    /// run starts from the same log and its own writes never fill it: SQLite checkpoints by
    /// itself once the log reaches 1,000 pages, inside whichever run's commit crosses the mark,
    /// and with the clean-up's deletes between runs that fell on one side more often than on
    /// the others (the same code measured `nested_create_100` at 0.49 and 1.29 of the floor).
    /// The first write after a checkpoint pays for starting the log over (measured: a run of
    /// `tx_100` took 430 µs instead of 240), which is why that write is not left to a run.
    async fn checkpoint(&self) {
        if let Pool::Sqlite(p) = &self.pool {
            sqlx::query("PRAGMA wal_checkpoint(RESTART)")
                .execute(p)
                .await
                .unwrap();
            sqlx::query("PRAGMA user_version = 1")
                .execute(p)
                .await
                .unwrap();
        }
    }

    async fn delete_users_above(&self, id: i32) {
        match &self.pool {
            Pool::Sqlite(p) => {
                sqlx::query(r#"DELETE FROM "Post" WHERE "author_id" > ?"#)
                    .bind(id)
                    .execute(p)
                    .await
                    .unwrap();
                sqlx::query(r#"DELETE FROM "users" WHERE "id" > ?"#)
                    .bind(id)
                    .execute(p)
                    .await
                    .unwrap();
            }
            Pool::Pg(p) => {
                sqlx::query(r#"DELETE FROM "Post" WHERE "author_id" > $1"#)
                    .bind(id)
                    .execute(p)
                    .await
                    .unwrap();
                sqlx::query(r#"DELETE FROM "users" WHERE "id" > $1"#)
                    .bind(id)
                    .execute(p)
                    .await
                    .unwrap();
            }
            Pool::My(p) => {
                sqlx::query("DELETE FROM `Post` WHERE `author_id` > ?")
                    .bind(id)
                    .execute(p)
                    .await
                    .unwrap();
                sqlx::query("DELETE FROM `users` WHERE `id` > ?")
                    .bind(id)
                    .execute(p)
                    .await
                    .unwrap();
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Data and workloads.
// ---------------------------------------------------------------------------------------------

struct Setup {
    client: PrismaClient,
    raw: Raw,
    /// `None` on MySQL.
    floor: Option<Floor>,
    /// The seeded users' ids, in order.
    user_ids: Vec<i32>,
    /// Emails of created users are unique across iterations and sides.
    counter: Cell<u64>,
}

const USERS: i32 = 2000;
const AUTHORS: usize = 10;
const POSTS: usize = 100;
const COMMENTS_PER_POST: usize = 5;

async fn setup(db: &TestDb) -> Setup {
    if let (Dialect::Postgres, Ok(v)) = (
        db.backend,
        std::env::var("SOVEREIGN_BENCH_SYNCHRONOUS_COMMIT"),
    ) {
        // For every session of the benchmark's database, all sides alike.
        assert!(
            ["on", "off", "local", "remote_write", "remote_apply"].contains(&v.as_str()),
            "SOVEREIGN_BENCH_SYNCHRONOUS_COMMIT={v}: on or off"
        );
        let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&db.url)
            .await
            .unwrap();
        sqlx::query(&format!(
            "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET synchronous_commit = {v}', current_database()); END $$"
        ))
        .execute(&mut c)
        .await
        .unwrap();
    }
    let client = PrismaClient::connect(&db.url).await.unwrap();
    let pool = match client.database().expect("not a transaction") {
        Database::Sqlite(p) => Pool::Sqlite(sqlx_sqlite(p.path()).await),
        Database::Postgres(p) => Pool::Pg(p.clone()),
        Database::MySql(p) => Pool::My(p.clone()),
        _ => unreachable!("the benchmark runs without replicas"),
    };
    // 2,000 users with karma 0..2000; the first 10 write 100 posts, each with 5 comments.
    let rows = (0..USERS)
        .map(|i| {
            (
                format!("user{i}@bench.io"),
                vec![
                    user::name::set(Some(format!("User {i}"))),
                    user::karma::set(i),
                ],
            )
        })
        .collect();
    client.user().create_many(rows).exec().await.unwrap();
    let users = client
        .user()
        .find_many(vec![])
        .order_by(user::id::order(sovereign::Direction::Asc))
        .exec()
        .await
        .unwrap();
    let user_ids: Vec<i32> = users.iter().map(|u| u.id).collect();
    let posts = (0..POSTS)
        .map(|i| {
            (
                format!("Post {i}"),
                user_ids[i % AUTHORS],
                vec![post::body::set(Some(format!(
                    "The body of post {i}, a few words long."
                )))],
            )
        })
        .collect();
    client.post().create_many(posts).exec().await.unwrap();
    let posts = client.post().find_many(vec![]).exec().await.unwrap();
    let comments = posts
        .iter()
        .flat_map(|p| {
            (0..COMMENTS_PER_POST).map(move |j| {
                (
                    format!("Comment {j} on post {}", p.id),
                    p.id,
                    p.author_id,
                    vec![],
                )
            })
        })
        .collect();
    client.comment().create_many(comments).exec().await.unwrap();
    let raw = Raw::new(pool);
    Setup {
        floor: Floor::open(db, &raw).await,
        client,
        raw,
        user_ids,
        counter: Cell::new(0),
    }
}

/// Every side reads the same values: a user, 100 posts with authors and comments, an
/// aggregate and a group-by.
async fn check_same(s: &Setup) {
    let c = &s.client;
    let id = s.user_ids[7];
    let ours = c
        .user()
        .find_unique(user::id::equals(id))
        .exec()
        .await
        .unwrap()
        .unwrap();
    let theirs = s.raw.user_by_id(id).await.unwrap();
    let same_user = |u: &user::Data, t: &User| {
        assert_eq!(
            (&u.id, &u.email, &u.name, &u.role, &u.karma, &u.balance),
            (&t.id, &t.email, &t.name, &t.role, &t.karma, &t.balance)
        );
        assert_eq!(
            (&u.score, &u.big, &u.active, &u.avatar, &u.settings),
            (&t.score, &t.big, &t.active, &t.avatar, &t.settings)
        );
        assert_eq!(
            (&u.created_at, &u.updated_at, &u.mentor_id),
            (&t.created_at, &t.updated_at, &t.mentor_id)
        );
    };
    same_user(&ours, &theirs);
    if let Some(f) = &s.floor {
        same_user(&ours, &f.user_by_id(&s.raw, id).await.unwrap());
    }
    let ours = c
        .post()
        .find_many(vec![])
        .take(POSTS as i64)
        .with(post::author::fetch())
        .with(post::comments::fetch(vec![]))
        .exec()
        .await
        .unwrap();
    let theirs = s.raw.posts_with_author_and_comments(POSTS as i64).await;
    let floor = match &s.floor {
        Some(f) => f.posts_with_author_and_comments(&s.raw, POSTS as i64).await,
        None => theirs.clone(),
    };
    assert_eq!(ours.len(), theirs.len());
    assert_eq!(ours.len(), floor.len());
    for (o, t) in ours.iter().zip(&theirs).chain(ours.iter().zip(&floor)) {
        assert_eq!(
            (
                &o.id,
                &o.title,
                &o.body,
                &o.published,
                &o.views,
                &o.author_id
            ),
            (
                &t.id,
                &t.title,
                &t.body,
                &t.published,
                &t.views,
                &t.author_id
            )
        );
        assert_eq!(o.created_at, t.created_at);
        same_user(o.author().unwrap(), t.author.as_deref().unwrap());
        let oc: Vec<_> = o
            .comments()
            .unwrap()
            .iter()
            .map(|c| (&c.id, &c.text))
            .collect();
        let tc: Vec<_> = t.comments.iter().map(|c| (&c.id, &c.text)).collect();
        assert_eq!(oc, tc);
    }
    let author = s.user_ids[3];
    let ours = aggregate(c, author).await;
    assert_eq!(ours, s.raw.aggregate(author).await);
    if let Some(f) = &s.floor {
        assert_eq!(ours, f.aggregate(&s.raw, author).await);
    }
    let ours = group_by(c).await;
    assert_eq!(ours, s.raw.group_by().await);
    if let Some(f) = &s.floor {
        assert_eq!(ours, f.group_by(&s.raw).await);
    }
}

/// The client's aggregate of the `aggregate_100` workload: an author's post count, views summed
/// and averaged, and newest date (as [`Raw::aggregate`] and the floor's give them).
async fn aggregate(
    c: &PrismaClient,
    author: i32,
) -> (i64, Option<i64>, Option<f64>, Option<DateTime<FixedOffset>>) {
    c.post()
        .aggregate(
            vec![post::author_id::equals(author)],
            (
                count_all(),
                post::views::sum(),
                post::views::avg(),
                post::created_at::max(),
            ),
        )
        .exec()
        .await
        .unwrap()
}

/// The client's group_by of the `group_by_100` workload: posts counted and their views summed
/// by author, in author order.
async fn group_by(c: &PrismaClient) -> Vec<(i32, i64, Option<i64>)> {
    c.post()
        .group_by(
            (post::author_id::by(),),
            vec![],
            (count_all(), post::views::sum()),
        )
        .order_by(post::author_id::order(sovereign::Direction::Asc))
        .exec()
        .await
        .unwrap()
        .into_iter()
        .map(|((a,), (n, v))| (a, n, v))
        .collect()
}

#[derive(Clone, Copy, PartialEq)]
enum Workload {
    Create1000,
    CreateMany1000,
    FindMany1000,
    FindUnique10000,
    With100,
    Tx100,
    /// `tx_100` against the floor holding its statement (SQLite only).
    Tx100Held,
    NestedCreate100,
    Aggregate100,
    GroupBy100,
}

const WORKLOADS: [Workload; 10] = [
    Workload::Create1000,
    Workload::CreateMany1000,
    Workload::FindMany1000,
    Workload::FindUnique10000,
    Workload::With100,
    Workload::Tx100,
    Workload::Tx100Held,
    Workload::NestedCreate100,
    Workload::Aggregate100,
    Workload::GroupBy100,
];

impl Workload {
    fn name(self) -> &'static str {
        match self {
            Workload::Create1000 => "create_1000",
            Workload::CreateMany1000 => "create_many_1000",
            Workload::FindMany1000 => "find_many_1000",
            Workload::FindUnique10000 => "find_unique_10000",
            Workload::With100 => "with_100",
            Workload::Tx100 => "tx_100",
            Workload::Tx100Held => "tx_100_held",
            Workload::NestedCreate100 => "nested_create_100",
            Workload::Aggregate100 => "aggregate_100",
            Workload::GroupBy100 => "group_by_100",
        }
    }

    /// Whether a run writes (each starts from an empty write-ahead log on SQLite).
    fn writes(self) -> bool {
        self.creates() || matches!(self, Workload::Tx100 | Workload::Tx100Held)
    }

    /// Whether the backend runs it: `tx_100_held` differs from `tx_100` only in the SQLite
    /// floor (tokio-postgres holds every statement it prepared in both).
    fn runs_on(self, backend: &str) -> bool {
        self != Workload::Tx100Held || backend == "sqlite"
    }

    /// Whether a run adds users, removed after it.
    fn creates(self) -> bool {
        matches!(
            self,
            Workload::Create1000 | Workload::CreateMany1000 | Workload::NestedCreate100
        )
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Side {
    Sovereign,
    Sqlx,
    /// rusqlite on SQLite, tokio-postgres on PostgreSQL; none on MySQL.
    Floor,
}

const SIDES: [Side; 3] = [Side::Sovereign, Side::Sqlx, Side::Floor];

impl Side {
    /// The sides a backend runs: all three, or on MySQL the client and sqlx.
    fn of(backend: &str) -> &'static [Side] {
        if backend == "mysql" {
            &SIDES[..2]
        } else {
            &SIDES
        }
    }

    fn id(self, backend: &str) -> &'static str {
        match (self, backend) {
            (Side::Sovereign, _) => "sovereign",
            (Side::Sqlx, _) => "sqlx",
            (Side::Floor, "sqlite") => "rusqlite",
            (Side::Floor, "postgres") => "tokio-postgres",
            (Side::Floor, other) => unreachable!("no floor on {other}"),
        }
    }
}

/// The wall time and the CPU time of a run.
#[derive(Clone, Copy)]
struct Took {
    wall: Duration,
    cpu: Duration,
}

/// One run of a workload by one side; returns the time of the work itself (set-up and clean-up
/// excluded).
async fn run_once(s: &Setup, w: Workload, side: Side) -> Took {
    let raw = &s.raw;
    if w.writes() {
        raw.checkpoint().await;
    }
    let cpu = cpu_time();
    let t = Instant::now();
    work(s, w, side).await;
    let took = Took {
        wall: t.elapsed(),
        cpu: cpu_time().saturating_sub(cpu),
    };
    if w.creates() {
        // Back to the seeded users, for the next run and the other workloads.
        raw.delete_users_above(*s.user_ids.last().unwrap()).await;
    }
    took
}

/// The work of one run, timed by [`run_once`]. Boxed, so that its body is a function of its
/// own (`client::work::{{closure}}`, polled through the box), never inlined into its caller:
/// `instructions.sh` has callgrind count that function's instructions only (see
/// [`count_runs`]).
fn work(s: &Setup, w: Workload, side: Side) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        let c = &s.client;
        let raw = &s.raw;
        // Only a backend with a floor runs its side (see `Side::of`).
        let floor = || s.floor.as_ref().expect("a floor on this backend");
        match w {
            Workload::Create1000 => {
                let first = s.counter.get();
                s.counter.set(first + 1000);
                for n in first..first + 1000 {
                    let email = format!("new{n}@bench.io");
                    let id = match side {
                        Side::Sovereign => c.user().create(email, vec![]).exec().await.unwrap().id,
                        Side::Sqlx => raw.create_user(email).await.id,
                        Side::Floor => floor().create_user(raw, email).await.id,
                    };
                    std::hint::black_box(id);
                }
            }
            Workload::CreateMany1000 => {
                let first = s.counter.get();
                s.counter.set(first + 1000);
                let emails = (first..first + 1000).map(|n| format!("many{n}@bench.io"));
                let n = match side {
                    Side::Sovereign => {
                        let rows = emails.map(|e| (e, vec![])).collect();
                        c.user().create_many(rows).exec().await.unwrap() as u64
                    }
                    Side::Sqlx => raw.create_users(emails.collect()).await,
                    Side::Floor => floor().create_users(raw, emails.collect()).await,
                };
                assert_eq!(std::hint::black_box(n), 1000);
            }
            Workload::FindMany1000 => {
                let n = match side {
                    Side::Sovereign => std::hint::black_box(
                        c.user()
                            .find_many(vec![user::karma::lt(1000)])
                            .exec()
                            .await
                            .unwrap(),
                    )
                    .len(),
                    Side::Sqlx => std::hint::black_box(raw.users_below(1000).await).len(),
                    Side::Floor => std::hint::black_box(floor().users_below(raw, 1000).await).len(),
                };
                assert_eq!(n, 1000);
            }
            Workload::FindUnique10000 => {
                for i in 0..10_000 {
                    let id = s.user_ids[i % s.user_ids.len()];
                    match side {
                        Side::Sovereign => {
                            let u = c.user().find_unique(user::id::equals(id)).exec().await;
                            std::hint::black_box(u.unwrap().expect("the user exists"));
                        }
                        Side::Sqlx => {
                            std::hint::black_box(
                                raw.user_by_id(id).await.expect("the user exists"),
                            );
                        }
                        Side::Floor => {
                            let u = floor().user_by_id(raw, id).await;
                            std::hint::black_box(u.expect("the user exists"));
                        }
                    }
                }
            }
            Workload::With100 => {
                let (n, comments, author) = match side {
                    Side::Sovereign => {
                        let posts = c
                            .post()
                            .find_many(vec![])
                            .take(POSTS as i64)
                            .with(post::author::fetch())
                            .with(post::comments::fetch(vec![]))
                            .exec()
                            .await
                            .unwrap();
                        let posts = std::hint::black_box(posts);
                        (
                            posts.len(),
                            posts[0].comments().unwrap().len(),
                            posts[0].author().is_ok(),
                        )
                    }
                    Side::Sqlx | Side::Floor => {
                        let posts = if side == Side::Sqlx {
                            raw.posts_with_author_and_comments(POSTS as i64).await
                        } else {
                            floor()
                                .posts_with_author_and_comments(raw, POSTS as i64)
                                .await
                        };
                        let posts = std::hint::black_box(posts);
                        (
                            posts.len(),
                            posts[0].comments.len(),
                            posts[0].author.is_some(),
                        )
                    }
                };
                assert_eq!((n, comments, author), (POSTS, COMMENTS_PER_POST, true));
            }
            Workload::Tx100 | Workload::Tx100Held => {
                let label = s.counter.get();
                s.counter.set(label + 1);
                let ids = &s.user_ids[..100];
                let n = match side {
                    Side::Sovereign => c
                        ._transaction()
                        .run(|tx| async move {
                            let mut out = Vec::with_capacity(ids.len());
                            for &id in ids {
                                let u = tx
                                    .user()
                                    .update(
                                        user::id::equals(id),
                                        vec![user::name::set(Some(format!("Renamed {label}")))],
                                    )
                                    .exec()
                                    .await?;
                                out.push(u);
                            }
                            Ok::<_, sovereign::Error>(std::hint::black_box(out).len())
                        })
                        .await
                        .unwrap(),
                    Side::Sqlx => std::hint::black_box(raw.rename_users(ids, label).await).len(),
                    Side::Floor => {
                        let held = w == Workload::Tx100Held;
                        std::hint::black_box(floor().rename_users(raw, ids, label, held).await)
                            .len()
                    }
                };
                assert_eq!(n, 100);
            }
            Workload::NestedCreate100 => {
                let first = s.counter.get();
                s.counter.set(first + 100);
                for n in first..first + 100 {
                    let email = format!("nested{n}@bench.io");
                    let id = match side {
                        Side::Sovereign => {
                            c.user()
                                .create(
                                    email,
                                    vec![
                                        user::posts::create("First".into(), vec![]),
                                        user::posts::create("Second".into(), vec![]),
                                        user::posts::create("Third".into(), vec![]),
                                    ],
                                )
                                .exec()
                                .await
                                .unwrap()
                                .id
                        }
                        Side::Sqlx => raw.create_user_with_posts(email).await.id,
                        Side::Floor => floor().create_user_with_posts(raw, email).await.id,
                    };
                    std::hint::black_box(id);
                }
            }
            Workload::Aggregate100 => {
                for i in 0..100 {
                    let author = s.user_ids[i % AUTHORS];
                    let r = match side {
                        Side::Sovereign => aggregate(c, author).await,
                        Side::Sqlx => raw.aggregate(author).await,
                        Side::Floor => floor().aggregate(raw, author).await,
                    };
                    assert_eq!(std::hint::black_box(r).0, (POSTS / AUTHORS) as i64);
                }
            }
            Workload::GroupBy100 => {
                for _ in 0..100 {
                    let groups: Vec<(i32, i64, Option<i64>)> = match side {
                        Side::Sovereign => group_by(c).await,
                        Side::Sqlx => raw.group_by().await,
                        Side::Floor => floor().group_by(raw).await,
                    };
                    assert_eq!(std::hint::black_box(groups).len(), AUTHORS);
                }
            }
        }
    })
}

/// CPU time of this process so far, every thread (sqlx's SQLite workers too; not the
/// PostgreSQL server): the client-side cost, steadier than wall time on a busy machine.
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
fn cpu_time() -> Duration {
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    extern "C" {
        fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
    }
    const CLOCK_PROCESS_CPUTIME_ID: i32 = 2;
    let mut ts = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec (64-bit Linux layout).
    let rc = unsafe { clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
fn cpu_time() -> Duration {
    Duration::ZERO
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

// ---------------------------------------------------------------------------------------------
// Criterion, then the ratio table.
// ---------------------------------------------------------------------------------------------

struct Ratio {
    backend: &'static str,
    workload: Workload,
    /// The number of runs and the medians of each side, in the order of `SIDES`; `None` for a
    /// side the backend does not run (the floor on MySQL).
    took: [Option<(usize, Took)>; 3],
}

/// The medians of wall and CPU times.
fn medians(runs: &[Took]) -> Took {
    Took {
        wall: median(runs.iter().map(|t| t.wall).collect()),
        cpu: median(runs.iter().map(|t| t.cpu).collect()),
    }
}

/// The benchmark filter given on the command line (`cargo bench ... -- sqlite/with_100`), so
/// that workloads criterion skips skip their ratio runs too. A plain substring, where criterion
/// takes a regular expression.
fn filter() -> Option<String> {
    // Criterion's options that take a value.
    const WITH_VALUE: [&str; 15] = [
        "--save-baseline",
        "--baseline",
        "--baseline-lenient",
        "--load-baseline",
        "--sample-size",
        "--warm-up-time",
        "--measurement-time",
        "--nresamples",
        "--noise-threshold",
        "--confidence-level",
        "--significance-level",
        "--profile-time",
        "--format",
        "--color",
        "--plotting-backend",
    ];
    let args: Vec<String> = std::env::args().skip(1).collect();
    args.iter()
        .enumerate()
        .find(|(i, a)| {
            !a.starts_with('-') && (*i == 0 || !WITH_VALUE.contains(&args[i - 1].as_str()))
        })
        .map(|(_, a)| a.clone())
}

/// Whether `filter` selects `side` of workload `w` on `backend` (with no filter, every side of
/// every workload the backend runs).
fn selects(filter: Option<&str>, backend: &str, w: Workload, side: Side) -> bool {
    w.runs_on(backend)
        && filter.is_none_or(|f| format!("{backend}/{}/{}", w.name(), side.id(backend)).contains(f))
}

/// Whether `filter` selects some side of workload `w` on `backend`.
fn selects_any(filter: Option<&str>, backend: &str, w: Workload) -> bool {
    (Side::of(backend).iter()).any(|&side| selects(filter, backend, w, side))
}

/// The databases of the backends `filter` selects a workload of: a new SQLite file, and a new
/// database on each server whose URL is set.
fn databases(rt: &tokio::runtime::Runtime, filter: Option<&str>) -> Vec<TestDb> {
    let wanted = |backend: &str| WORKLOADS.iter().any(|&w| selects_any(filter, backend, w));
    let mut dbs = Vec::new();
    if wanted("sqlite") {
        dbs.push(rt.block_on(TestDb::sqlite("bench")));
    }
    if wanted("postgres") {
        if let Some(pg) = rt.block_on(TestDb::server("SOVEREIGN_TEST_POSTGRES_URL", "bench")) {
            dbs.push(pg);
        }
    }
    if wanted("mysql") {
        if let Some(my) = rt.block_on(TestDb::server("SOVEREIGN_TEST_MYSQL_URL", "bench")) {
            dbs.push(my);
        }
    }
    dbs
}

fn backend_name(db: &TestDb) -> &'static str {
    match db.backend {
        Dialect::Sqlite => "sqlite",
        Dialect::Postgres => "postgres",
        Dialect::Mysql => "mysql",
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// With `SOVEREIGN_BENCH_RUNS=N` (set by `instructions.sh`), the benchmark neither times nor
/// compares: each side of each workload the filter selects runs once to warm up, then `N`
/// times, one side after the other, for callgrind to count the instructions of [`work`].
/// `None` when the variable is unset.
fn count_runs() -> Option<usize> {
    let n = std::env::var("SOVEREIGN_BENCH_RUNS").ok()?;
    Some(
        n.parse()
            .unwrap_or_else(|_| panic!("SOVEREIGN_BENCH_RUNS is a number of runs, not `{n}`")),
    )
}

fn run_counted(n: usize) {
    let filter = filter();
    let rt = runtime();
    let dbs = databases(&rt, filter.as_deref());
    for db in &dbs {
        let s = rt.block_on(setup(db));
        let backend = backend_name(db);
        for w in WORKLOADS {
            for &side in Side::of(backend) {
                if selects(filter.as_deref(), backend, w, side) {
                    for _ in 0..=n {
                        rt.block_on(run_once(&s, w, side));
                    }
                    println!("{backend}/{}/{}: 1 + {n} runs", w.name(), side.id(backend));
                }
            }
        }
        rt.block_on(async {
            if let Some(d) = s.client.database() {
                d.close().await;
            }
        });
    }
    for db in dbs {
        rt.block_on(db.drop());
    }
}

fn bench(c: &mut Criterion) {
    let filter = filter();
    let selected = |backend: &str, w: Workload| selects_any(filter.as_deref(), backend, w);
    let rt = runtime();
    let dbs = databases(&rt, filter.as_deref());
    let mut ratios = Vec::new();
    for db in &dbs {
        let s = rt.block_on(setup(db));
        rt.block_on(check_same(&s));
        let backend = backend_name(db);
        let sides = Side::of(backend);
        for w in WORKLOADS.into_iter().filter(|&w| selected(backend, w)) {
            // A warm-up run of each side, which also sizes the rest.
            let pilot: Vec<Duration> = sides
                .iter()
                .map(|&side| rt.block_on(run_once(&s, w, side)).wall)
                .collect();
            // Interleaved runs for the ratios: about 3 s per side, 11 to 201 runs (a median of
            // 5 moved find_unique's ratio from 0.8 to 1.4 between two runs of the same code, and
            // 51 runs of the millisecond workloads spanned a quarter of a second, which one busy
            // moment of the machine could cover whole: create_many gave 1.13 and 1.31 of the
            // floor). The count is the one of the sides of the goal, ours and the floor (ours
            // and sqlx on MySQL): sqlx, where a floor is there, takes part in every `every`-th
            // run only, as many as its own 3 s hold, so that its slower runs (SQLite's worker
            // thread made find_unique's 0.7 s) do not cut the runs of the other two. The order
            // of the sides in a run turns with each run of the same sides, so each goes first as
            // often and all see the same machine.
            let count = |d: Duration| (3.0 / d.as_secs_f64()).clamp(11.0, 201.0) as usize;
            let secondary = |side: Side| sides.len() == 3 && side == Side::Sqlx;
            let runs = sides
                .iter()
                .zip(&pilot)
                .filter(|(&side, _)| !secondary(side))
                .map(|(_, &d)| count(d))
                .min()
                .unwrap();
            let every: Vec<usize> = sides
                .iter()
                .zip(&pilot)
                .map(|(&side, &d)| {
                    if secondary(side) {
                        (runs / count(d).min(runs)).max(1)
                    } else {
                        1
                    }
                })
                .collect();
            let mut took: [Vec<Took>; 3] = Default::default();
            // How many runs of two sides and of three have been, for the turn of the order.
            let mut turns = [0usize; 4];
            for k in 0..runs {
                let present: Vec<usize> = (0..sides.len()).filter(|&i| k % every[i] == 0).collect();
                let turn = &mut turns[present.len()];
                for j in 0..present.len() {
                    let i = present[(j + *turn) % present.len()];
                    took[i].push(rt.block_on(run_once(&s, w, sides[i])));
                }
                *turn += 1;
            }
            ratios.push(Ratio {
                backend,
                workload: w,
                took: took
                    .each_ref()
                    .map(|t| (!t.is_empty()).then(|| (t.len(), medians(t)))),
            });

            let pilot = pilot.into_iter().max().unwrap();
            let mut group = c.benchmark_group(format!("{backend}/{}", w.name()));
            group.sample_size(10);
            group.sampling_mode(SamplingMode::Flat);
            group.warm_up_time(Duration::from_millis(500));
            // Flat sampling: ten samples of one run each for the slow workloads.
            group.measurement_time(Duration::from_secs(3).max(pilot.mul_f64(8.0)));
            for &side in sides {
                let s = &s;
                group.bench_function(side.id(backend), |b| {
                    b.to_async(&rt).iter_custom(|iters| async move {
                        let mut total = Duration::ZERO;
                        for _ in 0..iters {
                            total += run_once(s, w, side).await.wall;
                        }
                        total
                    })
                });
            }
            group.finish();
        }
        rt.block_on(async {
            if let Some(d) = s.client.database() {
                d.close().await;
            }
        });
    }
    for db in dbs {
        rt.block_on(db.drop());
    }

    println!(
        "\nmedians of interleaved runs; floor = rusqlite on SQLite, tokio-postgres on \
         PostgreSQL, none on MySQL (-); CPU time is this process's (not the database server's)"
    );
    println!(
        "  {:<9} {:<18} {:>7}  {:>10} {:>10} {:>10}  {:>9} {:>10} {:>10}  {:>9} {:>10} {:>10}",
        "backend",
        "workload",
        "runs",
        "wall ours",
        "wall sqlx",
        "wall floor",
        "ours/sqlx",
        "ours/floor",
        "sqlx/floor",
        "cpu o/s",
        "cpu o/f",
        "cpu s/f"
    );
    // A side a backend does not run prints as `-`.
    let ms = |d: Option<Duration>| {
        d.map_or_else(
            || "-".into(),
            |d| format!("{:.2} ms", d.as_secs_f64() * 1e3),
        )
    };
    let ratio = |a: Option<Duration>, b: Option<Duration>| {
        a.zip(b).map(|(a, b)| a.as_secs_f64() / b.as_secs_f64())
    };
    let x = |r: Option<f64>| r.map_or_else(|| "-".into(), |r| format!("{r:.3}"));
    for r in &ratios {
        // The runs of ours (and of the floor), then those of sqlx where they are fewer.
        let runs = match r.took {
            [Some((n, _)), Some((m, _)), _] if m != n => format!("{n}/{m}"),
            [n, ..] => n.map_or(0, |(n, _)| n).to_string(),
        };
        let [ours, sqlx, floor] = r.took.map(|t| t.map(|(_, t)| t));
        let wall = |t: Option<Took>| t.map(|t| t.wall);
        let cpu = |t: Option<Took>| t.map(|t| t.cpu);
        let ours_sqlx = ratio(wall(ours), wall(sqlx));
        let ours_floor = ratio(wall(ours), wall(floor));
        let mut flags = String::new();
        if ours_sqlx.is_some_and(|r| r > 1.10) {
            flags.push_str("  ours/sqlx > 1.10");
        }
        if r.backend == "sqlite"
            && r.workload != Workload::Tx100Held
            && ours_floor.is_some_and(|r| r > 1.25)
        {
            flags.push_str("  ours/rusqlite > 1.25");
        }
        println!(
            "  {:<9} {:<18} {:>7}  {:>10} {:>10} {:>10}  {:>9} {:>10} {:>10}  {:>9} {:>10} {:>10}{flags}",
            r.backend,
            r.workload.name(),
            runs,
            ms(wall(ours)),
            ms(wall(sqlx)),
            ms(wall(floor)),
            x(ours_sqlx),
            x(ours_floor),
            x(ratio(wall(sqlx), wall(floor))),
            x(ratio(cpu(ours), cpu(sqlx))),
            x(ratio(cpu(ours), cpu(floor))),
            x(ratio(cpu(sqlx), cpu(floor))),
        );
    }
}

criterion_group!(benches, bench);

// `criterion_main!`, with the counted runs beside it.
fn main() {
    if let Some(n) = count_runs() {
        run_counted(n);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
