//! The generated client against hand-written sqlx doing the same work, on the same database in
//! the same run: create 1,000 rows one by one; find_many of 1,000 rows with a filter;
//! find_unique by id 10,000 times; find_many of 100 posts with their authors and comments.
//!
//! `cargo bench -p sovereign-tests --bench client` runs SQLite (a temporary file) and, when
//! `SOVEREIGN_TEST_POSTGRES_URL` is set, PostgreSQL. After criterion's report it prints the
//! ratio ours / sqlx of each workload (medians of interleaved runs).

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::TestDb;
use criterion::{criterion_group, criterion_main, Criterion};
use sovereign::{chrono, Backend, Direction};
use sovereign_tests::{comment, post, PrismaClient};
use sqlx::Row;

/// A post as hand-written code would read it.
#[allow(dead_code)]
#[derive(Debug, Clone)]
struct Post {
    id: i32,
    title: String,
    body: Option<String>,
    published: bool,
    views: i32,
    author_id: i32,
    created_at: chrono::DateTime<chrono::Utc>,
    author: Option<Author>,
    comments: Vec<Comment>,
}

/// A user with every column, as `with(post::author::fetch())` reads it.
#[allow(dead_code)]
#[derive(Debug, Clone)]
struct Author {
    id: i32,
    email: String,
    name: Option<String>,
    role: String,
    karma: i32,
    balance: rust_decimal::Decimal,
    score: f64,
    big: i64,
    active: bool,
    avatar: Option<Vec<u8>>,
    settings: Option<serde_json::Value>,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
    mentor_id: Option<i32>,
}

const USER_COLS: &str = r#""id", "email", "name", "role", "karma", "balance", "score", "big", "active", "avatar", "settings", "created_at", "updatedAt", "mentorId""#;

fn author_sqlite(r: &sqlx::sqlite::SqliteRow) -> Author {
    let ms =
        |i: usize| chrono::DateTime::from_timestamp_millis(r.get::<i64, _>(i)).unwrap_or_default();
    let settings: Option<String> = r.get(10);
    Author {
        id: r.get(0),
        email: r.get(1),
        name: r.get(2),
        role: r.get(3),
        karma: r.get(4),
        balance: rust_decimal::Decimal::from(r.get_unchecked::<i64, _>(5)),
        score: r.get_unchecked(6),
        big: r.get(7),
        active: r.get(8),
        avatar: r.get(9),
        settings: settings.map(|s| serde_json::from_str(&s).unwrap()),
        created_at: ms(11),
        updated_at: ms(12),
        mentor_id: r.get(13),
    }
}

fn author_pg(r: &sqlx::postgres::PgRow) -> Author {
    let at = |i: usize| r.get::<chrono::NaiveDateTime, _>(i).and_utc();
    Author {
        id: r.get(0),
        email: r.get(1),
        name: r.get(2),
        role: r.get_unchecked(3),
        karma: r.get(4),
        balance: r.get(5),
        score: r.get(6),
        big: r.get(7),
        active: r.get(8),
        avatar: r.get(9),
        settings: r
            .get::<Option<sqlx::types::Json<serde_json::Value>>, _>(10)
            .map(|j| j.0),
        created_at: at(11),
        updated_at: at(12),
        mentor_id: r.get(13),
    }
}

#[allow(dead_code)]
#[derive(Debug, Clone)]
struct Comment {
    id: String,
    text: String,
    post_id: i32,
    author_id: i32,
}

const POST_COLS: &str = r#""id", "title", "body", "published", "views", "author_id", "createdAt""#;

/// The two pools: hand-written code gets its own sqlx pool of the same size.
enum Raw {
    Sqlite(sqlx::SqlitePool),
    Pg(sqlx::PgPool),
}

fn post_sqlite(r: &sqlx::sqlite::SqliteRow) -> Post {
    let ms: i64 = r.get(6);
    Post {
        id: r.get(0),
        title: r.get(1),
        body: r.get(2),
        published: r.get(3),
        views: r.get(4),
        author_id: r.get(5),
        created_at: chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default(),
        author: None,
        comments: Vec::new(),
    }
}

fn post_pg(r: &sqlx::postgres::PgRow) -> Post {
    let at: chrono::NaiveDateTime = r.get(6);
    Post {
        id: r.get(0),
        title: r.get(1),
        body: r.get(2),
        published: r.get(3),
        views: r.get(4),
        author_id: r.get(5),
        created_at: at.and_utc(),
        author: None,
        comments: Vec::new(),
    }
}

impl Raw {
    fn ph(&self, n: usize) -> String {
        match self {
            Raw::Sqlite(_) => "?".to_string(),
            Raw::Pg(_) => format!("${n}"),
        }
    }

    async fn create(&self, title: &str, author: i32) -> Post {
        let sql = format!(
            r#"INSERT INTO "Post" ("title", "author_id", "createdAt") VALUES ({}, {}, {}) RETURNING {POST_COLS}"#,
            self.ph(1),
            self.ph(2),
            self.ph(3)
        );
        let now = chrono::Utc::now();
        match self {
            Raw::Sqlite(p) => {
                let r = sqlx::query(&sql)
                    .bind(title)
                    .bind(author)
                    .bind(now.timestamp_millis())
                    .fetch_one(p)
                    .await
                    .unwrap();
                post_sqlite(&r)
            }
            Raw::Pg(p) => {
                let r = sqlx::query(&sql)
                    .bind(title)
                    .bind(author)
                    .bind(now.naive_utc())
                    .fetch_one(p)
                    .await
                    .unwrap();
                post_pg(&r)
            }
        }
    }

    async fn find_many(&self, max_views: i32) -> Vec<Post> {
        let sql = format!(
            r#"SELECT {POST_COLS} FROM "Post" WHERE "views" < {}"#,
            self.ph(1)
        );
        match self {
            Raw::Sqlite(p) => sqlx::query(&sql)
                .bind(max_views)
                .fetch_all(p)
                .await
                .unwrap()
                .iter()
                .map(post_sqlite)
                .collect(),
            Raw::Pg(p) => sqlx::query(&sql)
                .bind(max_views)
                .fetch_all(p)
                .await
                .unwrap()
                .iter()
                .map(post_pg)
                .collect(),
        }
    }

    async fn find_unique(&self, id: i32) -> Option<Post> {
        let sql = format!(
            r#"SELECT {POST_COLS} FROM "Post" WHERE "id" = {}"#,
            self.ph(1)
        );
        match self {
            Raw::Sqlite(p) => sqlx::query(&sql)
                .bind(id)
                .fetch_optional(p)
                .await
                .unwrap()
                .as_ref()
                .map(post_sqlite),
            Raw::Pg(p) => sqlx::query(&sql)
                .bind(id)
                .fetch_optional(p)
                .await
                .unwrap()
                .as_ref()
                .map(post_pg),
        }
    }

    /// 100 posts, then their authors and their comments: one query each, joined in memory.
    async fn posts_with_relations(&self) -> Vec<Post> {
        let mut posts = match self {
            Raw::Sqlite(p) => sqlx::query(&format!(
                r#"SELECT {POST_COLS} FROM "Post" ORDER BY "id" LIMIT 100"#
            ))
            .fetch_all(p)
            .await
            .unwrap()
            .iter()
            .map(post_sqlite)
            .collect::<Vec<_>>(),
            Raw::Pg(p) => sqlx::query(&format!(
                r#"SELECT {POST_COLS} FROM "Post" ORDER BY "id" LIMIT 100"#
            ))
            .fetch_all(p)
            .await
            .unwrap()
            .iter()
            .map(post_pg)
            .collect::<Vec<_>>(),
        };
        let mut author_ids: Vec<i32> = posts.iter().map(|p| p.author_id).collect();
        author_ids.sort_unstable();
        author_ids.dedup();
        let post_ids: Vec<i32> = posts.iter().map(|p| p.id).collect();
        let list = |ids: &[i32], from: usize| {
            (0..ids.len())
                .map(|i| self.ph(from + i))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let authors_sql = format!(
            r#"SELECT {USER_COLS} FROM "users" WHERE "id" IN ({}) ORDER BY "id""#,
            list(&author_ids, 1)
        );
        let comments_sql = format!(
            r#"SELECT "id", "text", "postId", "authorId" FROM "Comment" WHERE "postId" IN ({}) ORDER BY "id""#,
            list(&post_ids, 1)
        );
        macro_rules! fetch {
            ($pool:expr, $author:expr) => {{
                let mut q = sqlx::query(&authors_sql);
                for id in &author_ids {
                    q = q.bind(*id);
                }
                let authors: Vec<Author> = q
                    .fetch_all($pool)
                    .await
                    .unwrap()
                    .iter()
                    .map($author)
                    .collect();
                let mut q = sqlx::query(&comments_sql);
                for id in &post_ids {
                    q = q.bind(*id);
                }
                let comments: Vec<Comment> = q
                    .fetch_all($pool)
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| Comment {
                        id: r.get(0),
                        text: r.get(1),
                        post_id: r.get(2),
                        author_id: r.get(3),
                    })
                    .collect();
                (authors, comments)
            }};
        }
        let (authors, comments) = match self {
            Raw::Sqlite(p) => fetch!(p, author_sqlite),
            Raw::Pg(p) => fetch!(p, author_pg),
        };
        let by_id: std::collections::HashMap<i32, &Author> =
            authors.iter().map(|a| (a.id, a)).collect();
        let mut by_post: std::collections::HashMap<i32, Vec<Comment>> =
            std::collections::HashMap::new();
        for c in comments {
            by_post.entry(c.post_id).or_default().push(c);
        }
        for p in &mut posts {
            p.author = by_id.get(&p.author_id).map(|a| (*a).clone());
            p.comments = by_post.remove(&p.id).unwrap_or_default();
        }
        posts
    }
}

struct Setup {
    client: PrismaClient,
    raw: Raw,
    author: i32,
    ids: Vec<i32>,
}

async fn setup(db: &TestDb) -> Setup {
    let client = PrismaClient::connect(&db.url).await.unwrap();
    let raw = match db.backend {
        Backend::Sqlite => Raw::Sqlite(
            sqlx::sqlite::SqlitePoolOptions::new()
                .max_connections(8)
                .connect(&format!("sqlite:{}", db.url.trim_start_matches("file:")))
                .await
                .unwrap(),
        ),
        _ => Raw::Pg(
            sqlx::postgres::PgPoolOptions::new()
                .max_connections(8)
                .connect(&db.url)
                .await
                .unwrap(),
        ),
    };
    // 10 authors; 2,000 posts with views 0..2000 (the first 100 with 5 comments each).
    let mut authors = Vec::new();
    for i in 0..10 {
        let u = client
            .user()
            .create(format!("author{i}@bench.io"), vec![])
            .exec()
            .await
            .unwrap();
        authors.push(u.id);
    }
    let rows = (0..2000)
        .map(|i| {
            (
                format!("post {i}"),
                authors[i % authors.len()],
                vec![post::views::set(i as i32)],
            )
        })
        .collect();
    client.post().create_many(rows).exec().await.unwrap();
    let posts = client
        .post()
        .find_many(vec![])
        .order_by(post::id::order(Direction::Asc))
        .exec()
        .await
        .unwrap();
    let ids: Vec<i32> = posts.iter().map(|p| p.id).collect();
    let comments = posts
        .iter()
        .take(100)
        .flat_map(|p| (0..5).map(move |j| (format!("comment {j}"), p.id, p.author_id, vec![])))
        .collect();
    client.comment().create_many(comments).exec().await.unwrap();
    Setup {
        client,
        raw,
        author: authors[0],
        ids,
    }
}

/// One workload, one way: ours (`sovereign == true`) or hand-written sqlx.
async fn run_one(s: &Setup, workload: &str, round: u32, sovereign: bool) -> Duration {
    let c = &s.client;
    let t = Instant::now();
    match (workload, sovereign) {
        ("create_1000", true) => {
            for i in 0..1000 {
                c.post()
                    .create_unchecked(format!("new {round} {i}"), s.author, vec![])
                    .exec()
                    .await
                    .unwrap();
            }
        }
        ("create_1000", false) => {
            for i in 0..1000 {
                s.raw.create(&format!("new {round} {i}"), s.author).await;
            }
        }
        ("find_many_1000", true) => {
            let a = c
                .post()
                .find_many(vec![post::views::lt(1000)])
                .exec()
                .await
                .unwrap();
            assert_eq!(a.len(), 1000);
        }
        ("find_many_1000", false) => assert_eq!(s.raw.find_many(1000).await.len(), 1000),
        ("find_unique_10000", true) => {
            for i in 0..10_000 {
                let id = s.ids[i % s.ids.len()];
                c.post()
                    .find_unique(post::id::equals(id))
                    .exec()
                    .await
                    .unwrap()
                    .unwrap();
            }
        }
        ("find_unique_10000", false) => {
            for i in 0..10_000 {
                s.raw.find_unique(s.ids[i % s.ids.len()]).await.unwrap();
            }
        }
        ("with_100", true) => {
            let a = c
                .post()
                .find_many(vec![])
                .order_by(post::id::order(Direction::Asc))
                .take(100)
                .with(post::author::fetch())
                .with(post::comments::fetch(vec![]).order_by(comment::id::order(Direction::Asc)))
                .exec()
                .await
                .unwrap();
            assert_eq!(a[0].comments().unwrap().len(), 5);
        }
        ("with_100", false) => {
            let b = s.raw.posts_with_relations().await;
            assert_eq!(b[0].comments.len(), 5);
        }
        other => unreachable!("{other:?}"),
    }
    let elapsed = t.elapsed();
    if workload == "create_1000" {
        // Keep the table the same size for the next round.
        c.post()
            .delete_many(vec![post::title::starts_with(format!("new {round} "))])
            .exec()
            .await
            .unwrap();
    }
    elapsed
}

const WORKLOADS: [&str; 4] = [
    "create_1000",
    "find_many_1000",
    "find_unique_10000",
    "with_100",
];

/// Interleaved runs per side behind each ratio.
const RATIO_RUNS: usize = 11;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut dbs = vec![rt.block_on(TestDb::sqlite("bench"))];
    if let Some(pg) = rt.block_on(TestDb::server("SOVEREIGN_TEST_POSTGRES_URL", "bench")) {
        dbs.push(pg);
    }
    let mut summary = Vec::new();
    for db in &dbs {
        let s = rt.block_on(setup(db));
        let label = match db.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::MySql => "mysql",
        };
        for w in WORKLOADS {
            let mut group = c.benchmark_group(format!("{label}/{w}"));
            group.sample_size(10);
            group.measurement_time(Duration::from_secs(3));
            let mut round = 0u32;
            for (name, sovereign) in [("sovereign", true), ("sqlx", false)] {
                group.bench_function(name, |b| {
                    b.iter_custom(|iters| {
                        let mut total = Duration::ZERO;
                        for _ in 0..iters {
                            round += 1;
                            total += rt.block_on(run_one(&s, w, round, sovereign));
                        }
                        total
                    })
                });
            }
            group.finish();
            // Interleaved runs for the ratio, alternating which goes first, so that both sides
            // see the same machine state.
            let mut ours = Vec::new();
            let mut theirs = Vec::new();
            for k in 0..RATIO_RUNS {
                for sovereign in [k % 2 == 0, k % 2 == 1] {
                    round += 1;
                    let d = rt.block_on(run_one(&s, w, round, sovereign));
                    if sovereign {
                        ours.push(d);
                    } else {
                        theirs.push(d);
                    }
                }
            }
            ours.sort();
            theirs.sort();
            summary.push((label, w, ours[RATIO_RUNS / 2], theirs[RATIO_RUNS / 2]));
        }
        rt.block_on(async {
            if let Some(d) = s.client.database() {
                d.close().await;
            }
        });
    }
    println!("\nratio ours / hand-written sqlx (medians of {RATIO_RUNS} interleaved runs):");
    for (label, w, ours, theirs) in &summary {
        println!(
            "  {label:<8} {w:<18} sovereign {:>9.2} ms   sqlx {:>9.2} ms   ratio {:.3}",
            ours.as_secs_f64() * 1e3,
            theirs.as_secs_f64() * 1e3,
            ours.as_secs_f64() / theirs.as_secs_f64()
        );
    }
    for db in dbs {
        rt.block_on(db.drop());
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
