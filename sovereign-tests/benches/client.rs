//! The generated client against hand-written sqlx doing the same work, on the same database (the
//! same connection pool) in the same run:
//!
//! - `create_1000`: 1,000 `User` rows created one by one (`INSERT ... RETURNING` every column);
//! - `find_many_1000`: 1,000 of 2,000 users selected by `karma < 1000`;
//! - `find_unique_10000`: a user by id, 10,000 times;
//! - `with_100`: 100 posts with their authors and their comments (three queries);
//! - `nested_create_100`: 100 users created one by one, each with three posts, in a transaction
//!   each (the user's INSERT, then one INSERT of its posts);
//! - `aggregate_100`: an author's posts counted, their views summed and averaged and their
//!   newest date, 100 times;
//! - `group_by_100`: the posts grouped by author, counted and their views summed, 100 times.
//!
//! Both sides select the same columns and decode them into owned structs with the same field
//! types. Benchmark ids read `sqlite/create_1000/sovereign` and `sqlite/create_1000/sqlx`.
//!
//! `cargo bench -p sovereign-tests --bench client` runs SQLite (a temporary file) and, when
//! `SOVEREIGN_TEST_POSTGRES_URL` is set, PostgreSQL (in a new database, dropped at the end).
//! After criterion's report it prints the ratio ours / sqlx of each workload: the medians of
//! interleaved runs (alternating which side goes first, so both see the same machine state), in
//! wall time and in CPU time of the benchmark process (the client-side cost, which a busy machine
//! disturbs less). A filter (`cargo bench ... -- sqlite/with_100`) limits those runs too.

#[path = "../tests/common/mod.rs"]
mod common;

use std::cell::Cell;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::TestDb;
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use sovereign::chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use sovereign::rust_decimal::Decimal;
use sovereign::{count_all, serde_json, Database, Dialect};
use sovereign_tests::{post, user, PrismaClient, Role};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, TypeInfo, ValueRef};

// ---------------------------------------------------------------------------------------------
// Hand-written side: plain structs, SQL strings, sqlx rows decoded by index.
// ---------------------------------------------------------------------------------------------

/// A user as hand-written code reads it: the field types of `user::Data`.
#[allow(dead_code)]
#[derive(Debug, Clone)]
struct User {
    id: i32,
    email: String,
    name: Option<String>,
    role: Role,
    karma: i32,
    balance: Decimal,
    score: f64,
    big: i64,
    active: bool,
    avatar: Option<Vec<u8>>,
    settings: Option<serde_json::Value>,
    created_at: DateTime<FixedOffset>,
    updated_at: DateTime<FixedOffset>,
    mentor_id: Option<i32>,
}

#[allow(dead_code)]
#[derive(Debug, Clone)]
struct Post {
    id: i32,
    title: String,
    body: Option<String>,
    published: bool,
    views: i32,
    author_id: i32,
    created_at: DateTime<FixedOffset>,
    author: Option<Box<User>>,
    comments: Vec<Comment>,
}

#[allow(dead_code)]
#[derive(Debug, Clone)]
struct Comment {
    id: String,
    text: String,
    post_id: i32,
    author_id: i32,
}

const USER_COLS: &str = r#""id", "email", "name", "role", "karma", "balance", "score", "big", "active", "avatar", "settings", "created_at", "updatedAt", "mentorId""#;
const POST_COLS: &str = r#""id", "title", "body", "published", "views", "author_id", "createdAt""#;
const COMMENT_COLS: &str = r#""id", "text", "postId", "authorId""#;

fn role(s: &str) -> Role {
    match s {
        "ADMIN" => Role::Admin,
        "member" => Role::Member,
        other => panic!("`{other}` is not a Role"),
    }
}

/// SQLite stores `DateTime` as milliseconds since the epoch.
fn sqlite_time(r: &SqliteRow, i: usize) -> DateTime<FixedOffset> {
    DateTime::<Utc>::from_timestamp_millis(r.get::<i64, _>(i))
        .expect("a date-time")
        .fixed_offset()
}

/// A `Decimal` column of SQLite holds an INTEGER, a REAL or TEXT, by its value.
fn sqlite_decimal(r: &SqliteRow, i: usize) -> Decimal {
    let raw = r.try_get_raw(i).unwrap();
    match raw.type_info().name() {
        "INTEGER" => Decimal::from(r.get_unchecked::<i64, _>(i)),
        "REAL" => Decimal::try_from(r.get_unchecked::<f64, _>(i)).unwrap(),
        _ => r.get_unchecked::<&str, _>(i).parse().unwrap(),
    }
}

fn user_sqlite(r: &SqliteRow) -> User {
    User {
        id: r.get(0),
        email: r.get(1),
        name: r.get(2),
        role: role(r.get::<&str, _>(3)),
        karma: r.get(4),
        balance: sqlite_decimal(r, 5),
        score: r.get(6),
        big: r.get(7),
        active: r.get(8),
        avatar: r.get(9),
        settings: r
            .get::<Option<&str>, _>(10)
            .map(|s| serde_json::from_str(s).unwrap()),
        created_at: sqlite_time(r, 11),
        updated_at: sqlite_time(r, 12),
        mentor_id: r.get(13),
    }
}

/// PostgreSQL's `DateTime` columns are `timestamp(3)`, in UTC.
fn pg_time(r: &PgRow, i: usize) -> DateTime<FixedOffset> {
    r.get::<NaiveDateTime, _>(i).and_utc().fixed_offset()
}

fn user_pg(r: &PgRow) -> User {
    User {
        id: r.get(0),
        email: r.get(1),
        name: r.get(2),
        // The column's type is the enum `"Role"`; its value is the label.
        role: role(r.get_unchecked::<&str, _>(3)),
        karma: r.get(4),
        balance: r.get(5),
        score: r.get(6),
        big: r.get(7),
        active: r.get(8),
        avatar: r.get(9),
        settings: r
            .get::<Option<sqlx::types::Json<serde_json::Value>>, _>(10)
            .map(|j| j.0),
        created_at: pg_time(r, 11),
        updated_at: pg_time(r, 12),
        mentor_id: r.get(13),
    }
}

fn post_sqlite(r: &SqliteRow) -> Post {
    Post {
        id: r.get(0),
        title: r.get(1),
        body: r.get(2),
        published: r.get(3),
        views: r.get(4),
        author_id: r.get(5),
        created_at: sqlite_time(r, 6),
        author: None,
        comments: Vec::new(),
    }
}

fn post_pg(r: &PgRow) -> Post {
    Post {
        id: r.get(0),
        title: r.get(1),
        body: r.get(2),
        published: r.get(3),
        views: r.get(4),
        author_id: r.get(5),
        created_at: pg_time(r, 6),
        author: None,
        comments: Vec::new(),
    }
}

fn comment_sqlite(r: &SqliteRow) -> Comment {
    Comment {
        id: r.get(0),
        text: r.get(1),
        post_id: r.get(2),
        author_id: r.get(3),
    }
}

fn comment_pg(r: &PgRow) -> Comment {
    Comment {
        id: r.get(0),
        text: r.get(1),
        post_id: r.get(2),
        author_id: r.get(3),
    }
}

/// The pool of the client's database, used directly.
enum Pool {
    Sqlite(sqlx::SqlitePool),
    Pg(sqlx::PgPool),
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
}

impl Raw {
    fn new(pool: Pool) -> Raw {
        let pg = matches!(pool, Pool::Pg(_));
        let p = |n: usize| if pg { format!("${n}") } else { "?".into() };
        // The columns the client inserts: the email, `createdAt` on SQLite (Prisma sets it in
        // the client there; PostgreSQL's default is `now()`), and `updatedAt`.
        let insert_user = if pg {
            format!(
                r#"INSERT INTO "users" ("email", "updatedAt") VALUES ({}, {}) RETURNING {USER_COLS}"#,
                p(1),
                p(2)
            )
        } else {
            format!(
                r#"INSERT INTO "users" ("email", "created_at", "updatedAt") VALUES (?, ?, ?) RETURNING {USER_COLS}"#
            )
        };
        Raw {
            insert_user,
            users_below: format!(
                r#"SELECT {USER_COLS} FROM "users" WHERE "karma" < {}"#,
                p(1)
            ),
            user_by_id: format!(r#"SELECT {USER_COLS} FROM "users" WHERE "id" = {}"#, p(1)),
            first_posts: format!(
                r#"SELECT {POST_COLS} FROM "Post" ORDER BY "id" LIMIT {}"#,
                p(1)
            ),
            // Three posts of a new author; on SQLite `createdAt` comes from the client.
            insert_posts: if pg {
                r#"INSERT INTO "Post" ("title", "author_id") VALUES ($1, $2), ($3, $4), ($5, $6)"#
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

    fn in_list(&self, n: usize) -> String {
        let mut s = String::with_capacity(n * 5);
        for i in 1..=n {
            if i > 1 {
                s.push_str(", ");
            }
            match self.pool {
                Pool::Sqlite(_) => s.push('?'),
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
                    .fetch_one(p)
                    .await
                    .unwrap();
                user_pg(&r)
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
                let sql = format!(
                    r#"SELECT {USER_COLS} FROM "users" WHERE "id" IN ({}) ORDER BY "id""#,
                    self.in_list(author_ids.len())
                );
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
                let sql = format!(
                    r#"SELECT {COMMENT_COLS} FROM "Comment" WHERE "postId" IN ({}) ORDER BY "id""#,
                    self.in_list(posts.len())
                );
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
                    .fetch_one(&mut *tx)
                    .await
                    .unwrap();
                let user = user_pg(&r);
                let mut q = sqlx::query(&self.insert_posts);
                for t in titles {
                    q = q.bind(t).bind(user.id);
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
        }
    }

    /// Removes the users `create_1000` and `nested_create_100` added, and their posts (outside
    /// the timed part).
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
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Data and workloads.
// ---------------------------------------------------------------------------------------------

struct Setup {
    client: PrismaClient,
    raw: Raw,
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
    let client = PrismaClient::connect(&db.url).await.unwrap();
    let pool = match client.database().expect("not a transaction") {
        Database::Sqlite(p) => Pool::Sqlite(p.clone()),
        Database::Postgres(p) => Pool::Pg(p.clone()),
        Database::MySql(_) => unreachable!("the benchmark runs SQLite and PostgreSQL"),
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
    Setup {
        client,
        raw: Raw::new(pool),
        user_ids,
        counter: Cell::new(0),
    }
}

/// Both sides read the same values: a user, and 100 posts with authors and comments.
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
    assert_eq!(ours.len(), theirs.len());
    for (o, t) in ours.iter().zip(&theirs) {
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
    let ours = c
        .post()
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
        .unwrap();
    assert_eq!(ours, s.raw.aggregate(author).await);
    let ours: Vec<(i32, i64, Option<i64>)> = c
        .post()
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
        .collect();
    assert_eq!(ours, s.raw.group_by().await);
}

#[derive(Clone, Copy, PartialEq)]
enum Workload {
    Create1000,
    FindMany1000,
    FindUnique10000,
    With100,
    NestedCreate100,
    Aggregate100,
    GroupBy100,
}

const WORKLOADS: [Workload; 7] = [
    Workload::Create1000,
    Workload::FindMany1000,
    Workload::FindUnique10000,
    Workload::With100,
    Workload::NestedCreate100,
    Workload::Aggregate100,
    Workload::GroupBy100,
];

impl Workload {
    fn name(self) -> &'static str {
        match self {
            Workload::Create1000 => "create_1000",
            Workload::FindMany1000 => "find_many_1000",
            Workload::FindUnique10000 => "find_unique_10000",
            Workload::With100 => "with_100",
            Workload::NestedCreate100 => "nested_create_100",
            Workload::Aggregate100 => "aggregate_100",
            Workload::GroupBy100 => "group_by_100",
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Side {
    Sovereign,
    Sqlx,
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
    let c = &s.client;
    let cpu = cpu_time();
    let t = Instant::now();
    match (w, side) {
        (Workload::Create1000, _) => {
            let first = s.counter.get();
            s.counter.set(first + 1000);
            for n in first..first + 1000 {
                let email = format!("new{n}@bench.io");
                let id = match side {
                    Side::Sovereign => c.user().create(email, vec![]).exec().await.unwrap().id,
                    Side::Sqlx => s.raw.create_user(email).await.id,
                };
                std::hint::black_box(id);
            }
        }
        (Workload::FindMany1000, Side::Sovereign) => {
            let users = c
                .user()
                .find_many(vec![user::karma::lt(1000)])
                .exec()
                .await
                .unwrap();
            assert_eq!(std::hint::black_box(users).len(), 1000);
        }
        (Workload::FindMany1000, Side::Sqlx) => {
            let users = s.raw.users_below(1000).await;
            assert_eq!(std::hint::black_box(users).len(), 1000);
        }
        (Workload::FindUnique10000, Side::Sovereign) => {
            for i in 0..10_000 {
                let id = s.user_ids[i % s.user_ids.len()];
                let u = c.user().find_unique(user::id::equals(id)).exec().await;
                std::hint::black_box(u.unwrap().expect("the user exists"));
            }
        }
        (Workload::FindUnique10000, Side::Sqlx) => {
            for i in 0..10_000 {
                let id = s.user_ids[i % s.user_ids.len()];
                std::hint::black_box(s.raw.user_by_id(id).await.expect("the user exists"));
            }
        }
        (Workload::With100, Side::Sovereign) => {
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
            assert_eq!(posts.len(), POSTS);
            assert_eq!(posts[0].comments().unwrap().len(), COMMENTS_PER_POST);
            assert!(posts[0].author().is_ok());
        }
        (Workload::With100, Side::Sqlx) => {
            let posts = s.raw.posts_with_author_and_comments(POSTS as i64).await;
            let posts = std::hint::black_box(posts);
            assert_eq!(posts.len(), POSTS);
            assert_eq!(posts[0].comments.len(), COMMENTS_PER_POST);
            assert!(posts[0].author.is_some());
        }
        (Workload::NestedCreate100, _) => {
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
                    Side::Sqlx => s.raw.create_user_with_posts(email).await.id,
                };
                std::hint::black_box(id);
            }
        }
        (Workload::Aggregate100, _) => {
            for i in 0..100 {
                let author = s.user_ids[i % AUTHORS];
                let r = match side {
                    Side::Sovereign => c
                        .post()
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
                        .unwrap(),
                    Side::Sqlx => s.raw.aggregate(author).await,
                };
                assert_eq!(std::hint::black_box(r).0, (POSTS / AUTHORS) as i64);
            }
        }
        (Workload::GroupBy100, _) => {
            for _ in 0..100 {
                let groups: Vec<(i32, i64, Option<i64>)> = match side {
                    Side::Sovereign => c
                        .post()
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
                        .collect(),
                    Side::Sqlx => s.raw.group_by().await,
                };
                assert_eq!(std::hint::black_box(groups).len(), AUTHORS);
            }
        }
    }
    let took = Took {
        wall: t.elapsed(),
        cpu: cpu_time().saturating_sub(cpu),
    };
    if matches!(w, Workload::Create1000 | Workload::NestedCreate100) {
        // Back to the seeded users, for the next run and the other workloads.
        s.raw.delete_users_above(*s.user_ids.last().unwrap()).await;
    }
    took
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
    workload: &'static str,
    runs: usize,
    ours: Took,
    sqlx: Took,
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

fn bench(c: &mut Criterion) {
    let filter = filter();
    let selected = |backend: &str, w: Workload| {
        filter.as_deref().is_none_or(|f| {
            ["sovereign", "sqlx"]
                .iter()
                .any(|side| format!("{backend}/{}/{side}", w.name()).contains(f))
        })
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut dbs = Vec::new();
    if WORKLOADS.iter().any(|&w| selected("sqlite", w)) {
        dbs.push(rt.block_on(TestDb::sqlite("bench")));
    }
    if WORKLOADS.iter().any(|&w| selected("postgres", w)) {
        if let Some(pg) = rt.block_on(TestDb::server("SOVEREIGN_TEST_POSTGRES_URL", "bench")) {
            dbs.push(pg);
        }
    }
    let mut ratios = Vec::new();
    for db in &dbs {
        let s = rt.block_on(setup(db));
        rt.block_on(check_same(&s));
        let backend = match db.backend {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
        };
        for w in WORKLOADS.into_iter().filter(|&w| selected(backend, w)) {
            // A warm-up run of each side, which also sizes the rest.
            let pilot = [Side::Sovereign, Side::Sqlx]
                .map(|side| rt.block_on(run_once(&s, w, side)).wall)
                .into_iter()
                .max()
                .unwrap();
            // Interleaved runs for the ratio: about 3 s per side, 5 to 51 runs.
            let runs = (3.0 / pilot.as_secs_f64()).clamp(5.0, 51.0) as usize;
            let mut ours = Vec::new();
            let mut theirs = Vec::new();
            for k in 0..runs {
                let order = if k % 2 == 0 {
                    [Side::Sovereign, Side::Sqlx]
                } else {
                    [Side::Sqlx, Side::Sovereign]
                };
                for side in order {
                    let d = rt.block_on(run_once(&s, w, side));
                    match side {
                        Side::Sovereign => ours.push(d),
                        Side::Sqlx => theirs.push(d),
                    }
                }
            }
            ratios.push(Ratio {
                backend,
                workload: w.name(),
                runs,
                ours: medians(&ours),
                sqlx: medians(&theirs),
            });

            let mut group = c.benchmark_group(format!("{backend}/{}", w.name()));
            group.sample_size(10);
            group.sampling_mode(SamplingMode::Flat);
            group.warm_up_time(Duration::from_millis(500));
            // Flat sampling: ten samples of one run each for the slow workloads.
            group.measurement_time(Duration::from_secs(3).max(pilot.mul_f64(8.0)));
            for (id, side) in [("sovereign", Side::Sovereign), ("sqlx", Side::Sqlx)] {
                let s = &s;
                group.bench_function(id, |b| {
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
        "\nours / hand-written sqlx: medians of interleaved runs (wall time; CPU time of this \
         process, which excludes the PostgreSQL server)"
    );
    println!(
        "  {:<9} {:<18} {:>4}  {:>12} {:>12} {:>6}  {:>12} {:>12} {:>6}",
        "backend",
        "workload",
        "runs",
        "wall ours",
        "wall sqlx",
        "ratio",
        "cpu ours",
        "cpu sqlx",
        "ratio"
    );
    let ms = |d: Duration| format!("{:.3} ms", d.as_secs_f64() * 1e3);
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    for r in &ratios {
        let wall = ratio(r.ours.wall, r.sqlx.wall);
        let cpu = ratio(r.ours.cpu, r.sqlx.cpu);
        println!(
            "  {:<9} {:<18} {:>4}  {:>12} {:>12} {:>6.3}  {:>12} {:>12} {:>6.3}{}",
            r.backend,
            r.workload,
            r.runs,
            ms(r.ours.wall),
            ms(r.sqlx.wall),
            wall,
            ms(r.ours.cpu),
            ms(r.sqlx.cpu),
            cpu,
            if wall > 1.10 { "  wall > 1.10" } else { "" }
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
