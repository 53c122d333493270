//! The floor of the client benchmark: the same work against the driver underneath, with no
//! pool and no async hand-over on SQLite (rusqlite over SQLite's C API: cached prepared
//! statements, rows decoded in place) and tokio-postgres on PostgreSQL (prepared statements,
//! pipelined where the queries are independent). MySQL has none: the client runs on sqlx's
//! driver there, and the benchmark adds no other.

use super::*;

/// Statements prepared once on the tokio-postgres connection.
pub(super) struct PgFloor {
    client: tokio_postgres::Client,
    insert_user: tokio_postgres::Statement,
    insert_users: tokio_postgres::Statement,
    users_below: tokio_postgres::Statement,
    user_by_id: tokio_postgres::Statement,
    first_posts: tokio_postgres::Statement,
    users_in: tokio_postgres::Statement,
    comments_in: tokio_postgres::Statement,
    insert_posts: tokio_postgres::Statement,
    rename_user: tokio_postgres::Statement,
    aggregate: tokio_postgres::Statement,
    group_by: tokio_postgres::Statement,
}

pub(super) enum Floor {
    /// One connection, its statements cached by rusqlite (`prepare_cached`).
    Sqlite(rusqlite::Connection),
    Pg(Box<PgFloor>),
}

impl Floor {
    /// A connection of its own to the client's database, with the same settings as the
    /// client's connections (read from the pool, so both sides stay equal whatever the
    /// runtime sets); `None` on MySQL.
    pub(super) async fn open(db: &TestDb, raw: &Raw) -> Option<Floor> {
        Some(match &raw.pool {
            Pool::Sqlite(p) => {
                let path = db.url.strip_prefix("file:").expect("a file: URL");
                let conn = rusqlite::Connection::open(path).unwrap();
                let mut c = p.acquire().await.unwrap();
                for pragma in [
                    "journal_mode",
                    "synchronous",
                    "foreign_keys",
                    "busy_timeout",
                ] {
                    let r = sqlx::query(&format!("PRAGMA {pragma}"))
                        .fetch_one(&mut *c)
                        .await
                        .unwrap();
                    let theirs = r
                        .try_get::<String, _>(0)
                        .or_else(|_| r.try_get::<i64, _>(0).map(|i| i.to_string()))
                        .unwrap();
                    // Some answer with a row, others with none.
                    let mut st = conn
                        .prepare(&format!("PRAGMA {pragma} = {theirs}"))
                        .unwrap();
                    st.query([]).unwrap().next().unwrap();
                    drop(st);
                    let ours = conn
                        .query_row(&format!("PRAGMA {pragma}"), [], |r| {
                            Ok(match r.get::<_, rusqlite::types::Value>(0)? {
                                rusqlite::types::Value::Text(s) => s,
                                rusqlite::types::Value::Integer(i) => i.to_string(),
                                other => format!("{other:?}"),
                            })
                        })
                        .unwrap();
                    assert_eq!(ours, theirs, "PRAGMA {pragma} on both sides");
                }
                Floor::Sqlite(conn)
            }
            Pool::My(_) => return None,
            Pool::Pg(_) => {
                let (client, connection) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls)
                    .await
                    .unwrap();
                tokio::spawn(async move {
                    if let Err(e) = connection.await {
                        panic!("tokio-postgres connection: {e}");
                    }
                });
                let users_in = format!(
                    r#"SELECT {USER_COLS} FROM "users" WHERE "id" = ANY($1) ORDER BY "id""#
                );
                let comments_in = format!(
                    r#"SELECT {COMMENT_COLS} FROM "Comment" WHERE "postId" = ANY($1) ORDER BY "id""#
                );
                let insert_users = r#"INSERT INTO "users" ("email", "created_at", "updatedAt") SELECT e, $2, $2 FROM UNNEST($1::text[]) AS e"#;
                let prepare = |sql: String| {
                    let client = &client;
                    async move { client.prepare(&sql).await.unwrap() }
                };
                Floor::Pg(Box::new(PgFloor {
                    insert_user: prepare(raw.insert_user.clone()).await,
                    insert_users: prepare(insert_users.to_string()).await,
                    users_below: prepare(raw.users_below.clone()).await,
                    user_by_id: prepare(raw.user_by_id.clone()).await,
                    first_posts: prepare(raw.first_posts.clone()).await,
                    users_in: prepare(users_in).await,
                    comments_in: prepare(comments_in).await,
                    insert_posts: prepare(raw.insert_posts.clone()).await,
                    rename_user: prepare(raw.rename_user.clone()).await,
                    aggregate: prepare(raw.aggregate.clone()).await,
                    group_by: prepare(raw.group_by.clone()).await,
                    client,
                }))
            }
        })
    }

    pub(super) async fn create_user(&self, raw: &Raw, email: String) -> User {
        let now = Utc::now();
        match self {
            Floor::Sqlite(c) => {
                let ms = now.timestamp_millis();
                c.prepare_cached(&raw.insert_user)
                    .unwrap()
                    .query_row(rusqlite::params![email, ms, ms], user_rusqlite)
                    .unwrap()
            }
            Floor::Pg(f) => user_tpg(
                &f.client
                    .query_one(
                        &f.insert_user,
                        &[&email, &now.naive_utc(), &now.naive_utc()],
                    )
                    .await
                    .unwrap(),
            ),
        }
    }

    /// `n` users in one transaction: SQLite runs one cached INSERT of every row (measured
    /// faster than a cached single-row INSERT stepped for each row: 1,000 rows in about 1.1 ms
    /// against 1.4), PostgreSQL one INSERT of an array.
    pub(super) async fn create_users(&self, raw: &Raw, emails: Vec<String>) -> u64 {
        let now = Utc::now();
        match self {
            Floor::Sqlite(c) => {
                let ms = now.timestamp_millis();
                let sql = format!(
                    "{}{}",
                    raw.insert_user_only,
                    ", (?, ?, ?)".repeat(emails.len().saturating_sub(1))
                );
                let tx = c.unchecked_transaction().unwrap();
                let n = {
                    let mut st = tx.prepare_cached(&sql).unwrap();
                    for (i, e) in emails.iter().enumerate() {
                        st.raw_bind_parameter(3 * i + 1, e).unwrap();
                        st.raw_bind_parameter(3 * i + 2, ms).unwrap();
                        st.raw_bind_parameter(3 * i + 3, ms).unwrap();
                    }
                    st.raw_execute().unwrap() as u64
                };
                tx.commit().unwrap();
                n
            }
            Floor::Pg(f) => f
                .client
                .execute(&f.insert_users, &[&emails, &now.naive_utc()])
                .await
                .unwrap(),
        }
    }

    pub(super) async fn users_below(&self, raw: &Raw, karma: i32) -> Vec<User> {
        match self {
            Floor::Sqlite(c) => {
                let mut st = c.prepare_cached(&raw.users_below).unwrap();
                let rows = st.query_map([karma], user_rusqlite).unwrap();
                rows.map(Result::unwrap).collect()
            }
            Floor::Pg(f) => f
                .client
                .query(&f.users_below, &[&karma])
                .await
                .unwrap()
                .iter()
                .map(user_tpg)
                .collect(),
        }
    }

    pub(super) async fn user_by_id(&self, raw: &Raw, id: i32) -> Option<User> {
        match self {
            Floor::Sqlite(c) => {
                use rusqlite::OptionalExtension;
                c.prepare_cached(&raw.user_by_id)
                    .unwrap()
                    .query_row([id], user_rusqlite)
                    .optional()
                    .unwrap()
            }
            Floor::Pg(f) => f
                .client
                .query_opt(&f.user_by_id, &[&id])
                .await
                .unwrap()
                .as_ref()
                .map(user_tpg),
        }
    }

    pub(super) async fn posts_with_author_and_comments(&self, raw: &Raw, n: i64) -> Vec<Post> {
        let (mut posts, authors, mut comments) = match self {
            Floor::Sqlite(c) => {
                let posts: Vec<Post> = c
                    .prepare_cached(&raw.first_posts)
                    .unwrap()
                    .query_map([n], post_rusqlite)
                    .unwrap()
                    .map(Result::unwrap)
                    .collect();
                let mut author_ids: Vec<i32> = posts.iter().map(|p| p.author_id).collect();
                author_ids.sort_unstable();
                author_ids.dedup();
                let sql = format!(
                    r#"SELECT {USER_COLS} FROM "users" WHERE "id" IN ({}) ORDER BY "id""#,
                    raw.in_list(author_ids.len())
                );
                let authors: HashMap<i32, User> = c
                    .prepare_cached(&sql)
                    .unwrap()
                    .query_map(rusqlite::params_from_iter(&author_ids), user_rusqlite)
                    .unwrap()
                    .map(|u| {
                        let u = u.unwrap();
                        (u.id, u)
                    })
                    .collect();
                let sql = format!(
                    r#"SELECT {COMMENT_COLS} FROM "Comment" WHERE "postId" IN ({}) ORDER BY "id""#,
                    raw.in_list(posts.len())
                );
                let mut comments: HashMap<i32, Vec<Comment>> = HashMap::new();
                let mut st = c.prepare_cached(&sql).unwrap();
                let rows = st
                    .query_map(
                        rusqlite::params_from_iter(posts.iter().map(|p| p.id)),
                        comment_rusqlite,
                    )
                    .unwrap();
                for c in rows {
                    let c = c.unwrap();
                    comments.entry(c.post_id).or_default().push(c);
                }
                (posts, authors, comments)
            }
            Floor::Pg(f) => {
                let posts: Vec<Post> = f
                    .client
                    .query(&f.first_posts, &[&n])
                    .await
                    .unwrap()
                    .iter()
                    .map(post_tpg)
                    .collect();
                let mut author_ids: Vec<i32> = posts.iter().map(|p| p.author_id).collect();
                author_ids.sort_unstable();
                author_ids.dedup();
                let post_ids: Vec<i32> = posts.iter().map(|p| p.id).collect();
                // Both depend on the posts only: sent together, one round trip.
                let (a, p): ([&(dyn ToSql + Sync); 1], [&(dyn ToSql + Sync); 1]) =
                    ([&author_ids], [&post_ids]);
                let (authors, comment_rows) = tokio::join!(
                    f.client.query(&f.users_in, &a),
                    f.client.query(&f.comments_in, &p)
                );
                let authors: HashMap<i32, User> = authors
                    .unwrap()
                    .iter()
                    .map(|r| {
                        let u = user_tpg(r);
                        (u.id, u)
                    })
                    .collect();
                let mut comments: HashMap<i32, Vec<Comment>> = HashMap::new();
                for r in comment_rows.unwrap().iter() {
                    let c = comment_tpg(r);
                    comments.entry(c.post_id).or_default().push(c);
                }
                (posts, authors, comments)
            }
        };
        for p in &mut posts {
            p.author = authors.get(&p.author_id).cloned().map(Box::new);
            p.comments = comments.remove(&p.id).unwrap_or_default();
        }
        posts
    }

    pub(super) async fn create_user_with_posts(&self, raw: &Raw, email: String) -> User {
        let now = Utc::now();
        match self {
            Floor::Sqlite(c) => {
                let ms = now.timestamp_millis();
                let tx = c.unchecked_transaction().unwrap();
                let user = tx
                    .prepare_cached(&raw.insert_user)
                    .unwrap()
                    .query_row(rusqlite::params![email, ms, ms], user_rusqlite)
                    .unwrap();
                let id = user.id;
                tx.prepare_cached(&raw.insert_posts)
                    .unwrap()
                    .execute(rusqlite::params![
                        "First", id, ms, "Second", id, ms, "Third", id, ms
                    ])
                    .unwrap();
                tx.commit().unwrap();
                user
            }
            Floor::Pg(f) => {
                let t = now.naive_utc();
                f.client.batch_execute("BEGIN").await.unwrap();
                let user = user_tpg(
                    &f.client
                        .query_one(
                            &f.insert_user,
                            &[&email, &now.naive_utc(), &now.naive_utc()],
                        )
                        .await
                        .unwrap(),
                );
                let id = user.id;
                f.client
                    .execute(
                        &f.insert_posts,
                        &[&"First", &id, &t, &"Second", &id, &t, &"Third", &id, &t],
                    )
                    .await
                    .unwrap();
                f.client.batch_execute("COMMIT").await.unwrap();
                user
            }
        }
    }

    /// One transaction of updates by id. On SQLite each update takes its statement from
    /// rusqlite's cache, as the floor's other workloads do for each operation (and as a
    /// hand-written function of one update would); with `held`, the statement is taken once
    /// and held for the whole transaction (the stricter floor of `tx_100_held`: no cache
    /// lookup per update, which a client that runs each update as its own call cannot do
    /// without `unsafe`, see docs/performance.md).
    pub(super) async fn rename_users(
        &self,
        raw: &Raw,
        ids: &[i32],
        label: u64,
        held: bool,
    ) -> Vec<User> {
        let now = Utc::now();
        let mut out = Vec::with_capacity(ids.len());
        match self {
            Floor::Sqlite(c) => {
                let ms = now.timestamp_millis();
                let tx = c.unchecked_transaction().unwrap();
                let update = |st: &mut rusqlite::Statement<'_>, id: i32| {
                    let name = format!("Renamed {label}");
                    st.query_row(rusqlite::params![name, ms, id], user_rusqlite)
                        .unwrap()
                };
                if held {
                    let mut st = tx.prepare_cached(&raw.rename_user).unwrap();
                    for &id in ids {
                        out.push(update(&mut st, id));
                    }
                } else {
                    for &id in ids {
                        out.push(update(
                            &mut tx.prepare_cached(&raw.rename_user).unwrap(),
                            id,
                        ));
                    }
                }
                tx.commit().unwrap();
            }
            Floor::Pg(f) => {
                f.client.batch_execute("BEGIN").await.unwrap();
                for &id in ids {
                    let name = format!("Renamed {label}");
                    out.push(user_tpg(
                        &f.client
                            .query_one(&f.rename_user, &[&name, &now.naive_utc(), &id])
                            .await
                            .unwrap(),
                    ));
                }
                f.client.batch_execute("COMMIT").await.unwrap();
            }
        }
        out
    }

    pub(super) async fn aggregate(
        &self,
        raw: &Raw,
        author: i32,
    ) -> (i64, Option<i64>, Option<f64>, Option<DateTime<FixedOffset>>) {
        match self {
            Floor::Sqlite(c) => c
                .prepare_cached(&raw.aggregate)
                .unwrap()
                .query_row([author], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get::<_, Option<i64>>(3)?.map(sqlite_ms),
                    ))
                })
                .unwrap(),
            Floor::Pg(f) => {
                let r = f.client.query_one(&f.aggregate, &[&author]).await.unwrap();
                (
                    r.get(0),
                    r.get(1),
                    r.get(2),
                    r.get::<_, Option<NaiveDateTime>>(3)
                        .map(|n| n.and_utc().fixed_offset()),
                )
            }
        }
    }

    pub(super) async fn group_by(&self, raw: &Raw) -> Vec<(i32, i64, Option<i64>)> {
        match self {
            Floor::Sqlite(c) => c
                .prepare_cached(&raw.group_by)
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect(),
            Floor::Pg(f) => f
                .client
                .query(&f.group_by, &[])
                .await
                .unwrap()
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get(2)))
                .collect(),
        }
    }
}
