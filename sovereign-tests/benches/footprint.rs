//! Start-up and memory of the generated client against the driver underneath (rusqlite on
//! SQLite, tokio-postgres on PostgreSQL; none on MySQL) and hand-written sqlx:
//!
//! - start-up: a new client on an existing database, up to the answer of its first query (a
//!   user by id); the median of 21 runs. On MySQL, where there is no floor, sqlx's own (one
//!   `MySqlConnection`, then the query) is measured instead;
//! - memory: the peak of heap bytes allocated while `find_many` reads 100,000 users into owned
//!   structs, above what was allocated before, and what the result keeps. Counted by this
//!   program's global allocator, so every thread's Rust allocations count (sqlx's SQLite worker
//!   too) and SQLite's own page cache, allocated by its C code, does not.
//!
//! `cargo bench -p sovereign-tests --bench footprint` runs SQLite and, when
//! `SOVEREIGN_TEST_POSTGRES_URL` and `SOVEREIGN_TEST_MYSQL_URL` are set, PostgreSQL and MySQL.

#[path = "../tests/common/mod.rs"]
mod common;
mod hand;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use common::TestDb;
use hand::*;
use sovereign::{Database, Dialect};
use sovereign_tests::{user, PrismaClient};

/// The system allocator, counting the bytes in use and their peak.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(n: usize) {
    let now = IN_USE.fetch_add(n, Relaxed) + n;
    PEAK.fetch_max(now, Relaxed);
}

// SAFETY: every call is passed on to `System` unchanged; the counters only observe it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        IN_USE.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            if new_size > layout.size() {
                grew(new_size - layout.size());
            } else {
                IN_USE.fetch_sub(layout.size() - new_size, Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// What `f` allocated at its peak and what its result keeps, in bytes above the start.
async fn measure<T, F: std::future::Future<Output = T>>(f: F) -> (usize, usize, T) {
    let base = IN_USE.load(Relaxed);
    PEAK.store(base, Relaxed);
    let out = f.await;
    let peak = PEAK.load(Relaxed) - base;
    let kept = IN_USE.load(Relaxed).saturating_sub(base);
    (peak, kept, out)
}

/// Hand-written sqlx's read of every row: `fetch_all`, then each row decoded into a struct;
/// measured as [`measure`] does.
async fn sqlx_all<DB>(
    pool: &sqlx::Pool<DB>,
    sql: &str,
    decode: fn(&DB::Row) -> User,
) -> (usize, usize, Vec<User>)
where
    DB: sqlx::Database,
    for<'c> &'c sqlx::Pool<DB>: sqlx::Executor<'c, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
{
    measure(async {
        let rows = sqlx::query::<DB>(sql).fetch_all(pool).await.unwrap();
        rows.iter().map(decode).collect::<Vec<User>>()
    })
    .await
}

const ROWS: i32 = 100_000;
const STARTS: usize = 21;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

struct Line {
    backend: &'static str,
    side: &'static str,
    start: Duration,
    peak: usize,
    kept: usize,
}

async fn run(db: &TestDb, lines: &mut Vec<Line>) {
    let backend = match db.backend {
        Dialect::Sqlite => "sqlite",
        Dialect::Postgres => "postgres",
        Dialect::Mysql => "mysql",
    };
    let client = PrismaClient::connect(&db.url).await.unwrap();
    let rows = (0..ROWS)
        .map(|i| {
            (
                format!("user{i}@footprint.io"),
                vec![
                    user::name::set(Some(format!("User {i}"))),
                    user::karma::set(i),
                ],
            )
        })
        .collect();
    client.user().create_many(rows).exec().await.unwrap();
    let first = client
        .user()
        .find_first(vec![])
        .exec()
        .await
        .unwrap()
        .unwrap()
        .id;
    if let Some(d) = client.database() {
        d.close().await;
    }

    // Start-up, each side on its own; on MySQL the other side is sqlx.
    let mut ours = Vec::new();
    let mut other = Vec::new();
    for _ in 0..STARTS {
        let t = Instant::now();
        let c = PrismaClient::connect(&db.url).await.unwrap();
        let u = c.user().find_unique(user::id::equals(first)).exec().await;
        assert!(u.unwrap().is_some());
        ours.push(t.elapsed());
        if let Some(d) = c.database() {
            d.close().await;
        }
        let t = Instant::now();
        match db.backend {
            Dialect::Sqlite => {
                let path = db.url.strip_prefix("file:").unwrap();
                let conn = rusqlite::Connection::open(path).unwrap();
                conn.pragma_update(None, "foreign_keys", "ON").unwrap();
                conn.busy_timeout(Duration::from_secs(5)).unwrap();
                let sql = format!(r#"SELECT {USER_COLS} FROM "users" WHERE "id" = ?"#);
                let u = conn
                    .prepare_cached(&sql)
                    .unwrap()
                    .query_row([first], user_rusqlite)
                    .unwrap();
                std::hint::black_box(u);
            }
            Dialect::Postgres => {
                let (c, conn) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls)
                    .await
                    .unwrap();
                let task = tokio::spawn(conn);
                let sql = format!(r#"SELECT {USER_COLS} FROM "users" WHERE "id" = $1"#);
                let u = user_tpg(&c.query_one(&sql, &[&first]).await.unwrap());
                std::hint::black_box(u);
                drop(c);
                task.await.unwrap().unwrap();
            }
            Dialect::Mysql => {
                use sqlx::Connection as _;
                let mut c = sqlx::MySqlConnection::connect(&db.url).await.unwrap();
                let sql = format!("SELECT {MY_USER_COLS} FROM `users` WHERE `id` = ?");
                let r = sqlx::query(&sql)
                    .bind(first)
                    .fetch_one(&mut c)
                    .await
                    .unwrap();
                std::hint::black_box(user_my(&r));
                c.close().await.unwrap();
            }
        }
        other.push(t.elapsed());
    }
    let other_start = median(other);

    // Memory: the three sides read every user, one after the other.
    let c = PrismaClient::connect(&db.url).await.unwrap();
    let (peak, kept, users) =
        measure(async { c.user().find_many(vec![]).exec().await.unwrap() }).await;
    assert_eq!(users.len(), ROWS as usize);
    drop(users);
    lines.push(Line {
        backend,
        side: "sovereign",
        start: median(ours),
        peak,
        kept,
    });
    let all = match db.backend {
        Dialect::Mysql => format!("SELECT {MY_USER_COLS} FROM `users`"),
        _ => format!(r#"SELECT {USER_COLS} FROM "users""#),
    };
    let (peak, kept, users) = match c.database().unwrap() {
        Database::Sqlite(p) => sqlx_all(&sqlx_sqlite(p.path()).await, &all, user_sqlite).await,
        Database::Postgres(p) => sqlx_all(p, &all, user_pg).await,
        Database::MySql(p) => sqlx_all(p, &all, user_my).await,
        _ => unreachable!("the benchmark runs without replicas"),
    };
    assert_eq!(users.len(), ROWS as usize);
    drop(users);
    lines.push(Line {
        backend,
        side: "sqlx",
        start: if db.backend == Dialect::Mysql {
            other_start
        } else {
            Duration::ZERO
        },
        peak,
        kept,
    });
    let floor = match db.backend {
        Dialect::Sqlite => {
            let path = db.url.strip_prefix("file:").unwrap();
            let conn = rusqlite::Connection::open(path).unwrap();
            let mut st = conn.prepare(&all).unwrap();
            let m = measure(async {
                st.query_map([], user_rusqlite)
                    .unwrap()
                    .map(Result::unwrap)
                    .collect::<Vec<User>>()
            })
            .await;
            Some(("rusqlite", m))
        }
        Dialect::Postgres => {
            let (pc, conn) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(conn);
            let st = pc.prepare(&all).await.unwrap();
            let m = measure(async {
                pc.query(&st, &[])
                    .await
                    .unwrap()
                    .iter()
                    .map(user_tpg)
                    .collect::<Vec<User>>()
            })
            .await;
            Some(("tokio-postgres", m))
        }
        Dialect::Mysql => None,
    };
    if let Some((side, (peak, kept, users))) = floor {
        assert_eq!(users.len(), ROWS as usize);
        drop(users);
        lines.push(Line {
            backend,
            side,
            start: other_start,
            peak,
            kept,
        });
    }
    if let Some(d) = c.database() {
        d.close().await;
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut lines = Vec::new();
    let db = rt.block_on(TestDb::sqlite("footprint"));
    rt.block_on(run(&db, &mut lines));
    rt.block_on(db.drop());
    for var in ["SOVEREIGN_TEST_POSTGRES_URL", "SOVEREIGN_TEST_MYSQL_URL"] {
        if let Some(db) = rt.block_on(TestDb::server(var, "footprint")) {
            rt.block_on(run(&db, &mut lines));
            rt.block_on(db.drop());
        }
    }
    println!(
        "start-up: a new client up to its first query's answer (median of {STARTS}); memory: \
         find_many of {ROWS} users, heap bytes at the peak and kept by the result"
    );
    println!(
        "  {:<9} {:<15} {:>10} {:>12} {:>12} {:>10}",
        "backend", "side", "start-up", "peak", "kept", "peak/kept"
    );
    let mb = |b: usize| format!("{:.1} MB", b as f64 / 1e6);
    for l in &lines {
        println!(
            "  {:<9} {:<15} {:>10} {:>12} {:>12} {:>10.2}",
            l.backend,
            l.side,
            if l.start.is_zero() {
                "-".to_string()
            } else {
                format!("{:.2} ms", l.start.as_secs_f64() * 1e3)
            },
            mb(l.peak),
            mb(l.kept),
            l.peak as f64 / l.kept.max(1) as f64
        );
    }
}
