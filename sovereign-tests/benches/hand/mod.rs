#![allow(dead_code)] // each benchmark uses part of this module

//! The hand-written side of the benchmarks: plain structs with the field types of the
//! generated client's data, and their decoding from sqlx rows (by index; SQLite, PostgreSQL,
//! MySQL), rusqlite rows (in place) and tokio-postgres rows.

use sovereign::chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use sovereign::rust_decimal::Decimal;
use sovereign::serde_json;
use sovereign_tests::Role;
use sqlx::mysql::MySqlRow;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, TypeInfo, ValueRef};

/// The hand-written sqlx side's pool on the client's SQLite file, with the client's settings
/// (WAL, synchronous NORMAL, foreign keys on, no test before each acquire).
pub async fn sqlx_sqlite(path: &std::path::Path) -> sqlx::SqlitePool {
    use sqlx::sqlite::{
        SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
    };
    let options = SqliteConnectOptions::new()
        .filename(path)
        .foreign_keys(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(std::time::Duration::from_secs(5));
    SqlitePoolOptions::new()
        .test_before_acquire(false)
        .connect_with(options)
        .await
        .unwrap()
}

/// A user as hand-written code reads it: the field types of `user::Data`.
#[allow(dead_code)]
#[derive(Debug, Clone)]
pub struct User {
    pub id: i32,
    pub email: String,
    pub name: Option<String>,
    pub role: Role,
    pub karma: i32,
    pub balance: Decimal,
    pub score: f64,
    pub big: i64,
    pub active: bool,
    pub avatar: Option<Vec<u8>>,
    pub settings: Option<serde_json::Value>,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
    pub mentor_id: Option<i32>,
}

#[allow(dead_code)]
#[derive(Debug, Clone)]
pub struct Post {
    pub id: i32,
    pub title: String,
    pub body: Option<String>,
    pub published: bool,
    pub views: i32,
    pub author_id: i32,
    pub created_at: DateTime<FixedOffset>,
    pub author: Option<Box<User>>,
    pub comments: Vec<Comment>,
}

#[allow(dead_code)]
#[derive(Debug, Clone)]
pub struct Comment {
    pub id: String,
    pub text: String,
    pub post_id: i32,
    pub author_id: i32,
}

pub const USER_COLS: &str = r#""id", "email", "name", "role", "karma", "balance", "score", "big", "active", "avatar", "settings", "created_at", "updatedAt", "mentorId""#;
pub const POST_COLS: &str =
    r#""id", "title", "body", "published", "views", "author_id", "createdAt""#;
pub const COMMENT_COLS: &str = r#""id", "text", "postId", "authorId""#;
/// The same columns quoted for MySQL, whose session (sqlx's default `sql_mode`, without
/// `ANSI_QUOTES`) reads `"..."` as a string: backticks, as the client quotes them there.
pub const MY_USER_COLS: &str = "`id`, `email`, `name`, `role`, `karma`, `balance`, `score`, `big`, `active`, `avatar`, `settings`, `created_at`, `updatedAt`, `mentorId`";
pub const MY_POST_COLS: &str =
    "`id`, `title`, `body`, `published`, `views`, `author_id`, `createdAt`";
pub const MY_COMMENT_COLS: &str = "`id`, `text`, `postId`, `authorId`";

pub fn role(s: &str) -> Role {
    match s {
        "ADMIN" => Role::Admin,
        "member" => Role::Member,
        other => panic!("`{other}` is not a Role"),
    }
}

/// SQLite stores `DateTime` as milliseconds since the epoch.
pub fn sqlite_time(r: &SqliteRow, i: usize) -> DateTime<FixedOffset> {
    DateTime::<Utc>::from_timestamp_millis(r.get::<i64, _>(i))
        .expect("a date-time")
        .fixed_offset()
}

/// A `Decimal` column of SQLite holds an INTEGER, a REAL or TEXT, by its value.
pub fn sqlite_decimal(r: &SqliteRow, i: usize) -> Decimal {
    let raw = r.try_get_raw(i).unwrap();
    match raw.type_info().name() {
        "INTEGER" => Decimal::from(r.get_unchecked::<i64, _>(i)),
        "REAL" => Decimal::try_from(r.get_unchecked::<f64, _>(i)).unwrap(),
        _ => r.get_unchecked::<&str, _>(i).parse().unwrap(),
    }
}

pub fn user_sqlite(r: &SqliteRow) -> User {
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
pub fn pg_time(r: &PgRow, i: usize) -> DateTime<FixedOffset> {
    r.get::<NaiveDateTime, _>(i).and_utc().fixed_offset()
}

pub fn user_pg(r: &PgRow) -> User {
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

/// MySQL's `DateTime` columns are `DATETIME(3)`, in UTC (sqlx sets the session's time zone
/// to `+00:00`); the client decodes them as `NaiveDateTime` too.
pub fn my_time(r: &MySqlRow, i: usize) -> DateTime<FixedOffset> {
    r.get::<NaiveDateTime, _>(i).and_utc().fixed_offset()
}

pub fn user_my(r: &MySqlRow) -> User {
    User {
        id: r.get(0),
        email: r.get(1),
        name: r.get(2),
        // An ENUM column, which sqlx reports as its own type; its value is the label.
        role: role(r.get_unchecked::<&str, _>(3)),
        karma: r.get(4),
        balance: r.get(5),
        score: r.get(6),
        big: r.get(7),
        // `TINYINT(1)`.
        active: r.get(8),
        avatar: r.get(9),
        // `JSON`, which MariaDB stores as `LONGTEXT` (checked as JSON): the text, parsed.
        settings: r
            .get_unchecked::<Option<&str>, _>(10)
            .map(|s| serde_json::from_str(s).unwrap()),
        created_at: my_time(r, 11),
        updated_at: my_time(r, 12),
        mentor_id: r.get(13),
    }
}

pub fn post_sqlite(r: &SqliteRow) -> Post {
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

pub fn post_pg(r: &PgRow) -> Post {
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

pub fn post_my(r: &MySqlRow) -> Post {
    Post {
        id: r.get(0),
        title: r.get(1),
        body: r.get(2),
        published: r.get(3),
        views: r.get(4),
        author_id: r.get(5),
        created_at: my_time(r, 6),
        author: None,
        comments: Vec::new(),
    }
}

pub fn comment_sqlite(r: &SqliteRow) -> Comment {
    Comment {
        id: r.get(0),
        text: r.get(1),
        post_id: r.get(2),
        author_id: r.get(3),
    }
}

pub fn comment_pg(r: &PgRow) -> Comment {
    Comment {
        id: r.get(0),
        text: r.get(1),
        post_id: r.get(2),
        author_id: r.get(3),
    }
}

pub fn comment_my(r: &MySqlRow) -> Comment {
    Comment {
        id: r.get(0),
        text: r.get(1),
        post_id: r.get(2),
        author_id: r.get(3),
    }
}

pub fn sqlite_ms(ms: i64) -> DateTime<FixedOffset> {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .expect("a date-time")
        .fixed_offset()
}

pub fn user_rusqlite(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    use rusqlite::types::ValueRef;
    Ok(User {
        id: r.get(0)?,
        email: r.get(1)?,
        name: r.get(2)?,
        role: role(r.get_ref(3)?.as_str()?),
        karma: r.get(4)?,
        balance: match r.get_ref(5)? {
            ValueRef::Integer(i) => Decimal::from(i),
            ValueRef::Real(f) => Decimal::try_from(f).unwrap(),
            v => v.as_str()?.parse().unwrap(),
        },
        score: r.get(6)?,
        big: r.get(7)?,
        active: r.get(8)?,
        avatar: r.get(9)?,
        settings: r
            .get_ref(10)?
            .as_str_or_null()?
            .map(|s| serde_json::from_str(s).unwrap()),
        created_at: sqlite_ms(r.get(11)?),
        updated_at: sqlite_ms(r.get(12)?),
        mentor_id: r.get(13)?,
    })
}

pub fn post_rusqlite(r: &rusqlite::Row<'_>) -> rusqlite::Result<Post> {
    Ok(Post {
        id: r.get(0)?,
        title: r.get(1)?,
        body: r.get(2)?,
        published: r.get(3)?,
        views: r.get(4)?,
        author_id: r.get(5)?,
        created_at: sqlite_ms(r.get(6)?),
        author: None,
        comments: Vec::new(),
    })
}

pub fn comment_rusqlite(r: &rusqlite::Row<'_>) -> rusqlite::Result<Comment> {
    Ok(Comment {
        id: r.get(0)?,
        text: r.get(1)?,
        post_id: r.get(2)?,
        author_id: r.get(3)?,
    })
}

/// The label of a PostgreSQL enum value, read as text whatever the enum's type.
pub struct Label<'a>(pub &'a str);

impl<'a> tokio_postgres::types::FromSql<'a> for Label<'a> {
    fn from_sql(
        _: &tokio_postgres::types::Type,
        raw: &'a [u8],
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Label(std::str::from_utf8(raw)?))
    }

    fn accepts(_: &tokio_postgres::types::Type) -> bool {
        true
    }
}

pub fn user_tpg(r: &tokio_postgres::Row) -> User {
    User {
        id: r.get(0),
        email: r.get(1),
        name: r.get(2),
        role: role(r.get::<_, Label<'_>>(3).0),
        karma: r.get(4),
        balance: r.get(5),
        score: r.get(6),
        big: r.get(7),
        active: r.get(8),
        avatar: r.get(9),
        settings: r.get(10),
        created_at: r.get::<_, NaiveDateTime>(11).and_utc().fixed_offset(),
        updated_at: r.get::<_, NaiveDateTime>(12).and_utc().fixed_offset(),
        mentor_id: r.get(13),
    }
}

pub fn post_tpg(r: &tokio_postgres::Row) -> Post {
    Post {
        id: r.get(0),
        title: r.get(1),
        body: r.get(2),
        published: r.get(3),
        views: r.get(4),
        author_id: r.get(5),
        created_at: r.get::<_, NaiveDateTime>(6).and_utc().fixed_offset(),
        author: None,
        comments: Vec::new(),
    }
}

pub fn comment_tpg(r: &tokio_postgres::Row) -> Comment {
    Comment {
        id: r.get(0),
        text: r.get(1),
        post_id: r.get(2),
        author_id: r.get(3),
    }
}
