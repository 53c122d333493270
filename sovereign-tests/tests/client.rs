//! The generated client's behaviour, the same suite on SQLite, PostgreSQL and MySQL/MariaDB.

mod common;

use common::TestDb;
use sovereign::{and, not, or, raw, Dialect, Direction, ErrorKind, QueryMode};
use sovereign_tests::*;

type R = Result<(), Box<dyn std::error::Error>>;

async fn run(db: TestDb) {
    let client = PrismaClient::connect(&db.url).await.expect("connect");
    let backend = db.backend;
    let result = suite(&client, backend).await;
    if let Some(d) = client.database() {
        d.close().await;
    }
    db.drop().await;
    if let Err(e) = result {
        panic!("{backend:?}: {e}");
    }
}

#[tokio::test]
async fn sqlite() {
    run(TestDb::sqlite("client").await).await;
}

#[tokio::test]
async fn postgres() {
    if let Some(db) = TestDb::server("SOVEREIGN_TEST_POSTGRES_URL", "client").await {
        run(db).await;
    }
}

#[tokio::test]
async fn mysql() {
    if let Some(db) = TestDb::server("SOVEREIGN_TEST_MYSQL_URL", "client").await {
        run(db).await;
    }
}

fn assert_send<T: Send>(_: &T) {}

async fn suite(c: &PrismaClient, backend: Dialect) -> R {
    // Every query future can move to another thread (tokio::spawn, axum handlers).
    assert_send(
        &c.user()
            .find_many(vec![])
            .with(user::posts::fetch(vec![]))
            .exec(),
    );
    assert_send(&c.user().create("x".into(), vec![]).exec());
    assert_send(
        &c._transaction()
            .run(|tx| async move { tx.user().count(vec![]).exec().await }),
    );
    scalars(c).await.map_err(|e| format!("scalars: {e}"))?;
    filters(c, backend)
        .await
        .map_err(|e| format!("filters: {e}"))?;
    paging(c).await.map_err(|e| format!("paging: {e}"))?;
    writes(c).await.map_err(|e| format!("writes: {e}"))?;
    relations(c).await.map_err(|e| format!("relations: {e}"))?;
    relation_filters(c)
        .await
        .map_err(|e| format!("relation filters: {e}"))?;
    compound(c).await.map_err(|e| format!("compound: {e}"))?;
    errors(c).await.map_err(|e| format!("errors: {e}"))?;
    transactions(c)
        .await
        .map_err(|e| format!("transactions: {e}"))?;
    raw_queries(c, backend)
        .await
        .map_err(|e| format!("raw: {e}"))?;
    strings(c).await.map_err(|e| format!("strings: {e}"))?;
    Ok(())
}

/// Defaults, every scalar type, enums and client-generated ids.
async fn scalars(c: &PrismaClient) -> R {
    let before =
        sovereign::chrono::Utc::now().fixed_offset() - sovereign::chrono::Duration::seconds(5);
    let u = c
        .user()
        .create("ann@example.com".into(), vec![])
        .exec()
        .await?;
    assert!(u.id > 0);
    assert_eq!(u.role, Role::Member);
    assert_eq!((u.karma, u.active, u.name.clone()), (0, true, None));
    assert!(u.created_at > before, "createdAt {:?}", u.created_at);
    assert!(u.updated_at > before);
    let when = sovereign::chrono::DateTime::parse_from_rfc3339("2024-02-29T12:34:56.789+02:00")?;
    let json =
        sovereign::serde_json::json!({"theme": "dark", "n": [1, 2.5, null], "q": "it's \"x\""});
    let dec: sovereign::rust_decimal::Decimal = "12345.678".parse()?;
    let v = c
        .user()
        .create(
            "bob@example.com".into(),
            vec![
                user::name::set(Some("Bob".to_string())),
                user::role::set(Role::Admin),
                user::karma::set(7),
                user::balance::set(dec),
                user::score::set(2.5),
                user::big::set(9_007_199_254_740_993i64),
                user::active::set(false),
                user::avatar::set(Some(vec![0u8, 1, 2, 255])),
                user::settings::set(Some(json.clone())),
                user::created_at::set(when),
            ],
        )
        .exec()
        .await?;
    let back = c
        .user()
        .find_unique(user::id::equals(v.id))
        .exec()
        .await?
        .ok_or("created user not found")?;
    assert_eq!(back.name.as_deref(), Some("Bob"));
    assert_eq!(back.role, Role::Admin);
    assert_eq!(back.balance, dec);
    assert_eq!(back.score, 2.5);
    assert_eq!(back.big, 9_007_199_254_740_993);
    assert!(!back.active);
    assert_eq!(back.avatar, Some(vec![0, 1, 2, 255]));
    assert_eq!(back.settings, Some(json));
    assert_eq!(back.created_at, when, "DateTime keeps the instant");
    let by_email = c
        .user()
        .find_unique(user::email::equals("bob@example.com"))
        .exec()
        .await?;
    assert_eq!(by_email.map(|u| u.id), Some(v.id));
    // Enum filters, and the mapped enum value.
    let members = c
        .user()
        .find_many(vec![user::role::equals(Role::Member)])
        .exec()
        .await?;
    assert_eq!(members.len(), 1);
    assert_eq!(
        Role::Member.to_string(),
        "member",
        "the database name (@map)"
    );
    assert_eq!(
        sovereign::serde_json::to_value(Role::Member)?,
        "MEMBER",
        "JSON uses schema names"
    );
    // Client-generated ids.
    let p = c
        .profile()
        .create("hi".into(), user::id::equals(u.id), vec![])
        .exec()
        .await?;
    assert_eq!(p.id.len(), 36, "uuid {}", p.id);
    let g = c.group().create("g".into(), vec![]).exec().await?;
    assert_eq!(g.id.len(), 26, "ulid {}", g.id);
    let t = c.tag().create("rust".into(), vec![]).exec().await?;
    assert_eq!(t.id.len(), 21, "nanoid {}", t.id);
    // Serde: the data struct serializes with schema names, unfetched relations left out.
    let s = sovereign::serde_json::to_value(&back)?;
    assert_eq!(s["email"], "bob@example.com");
    assert_eq!(s["role"], "ADMIN");
    assert!(s.get("posts").is_none());
    c.profile().delete_many(vec![]).exec().await?;
    c.group().delete_many(vec![]).exec().await?;
    c.tag().delete_many(vec![]).exec().await?;
    c.user().delete_many(vec![]).exec().await?;
    Ok(())
}

async fn seed_users(c: &PrismaClient) -> Result<Vec<user::Data>, Box<dyn std::error::Error>> {
    let mut out = Vec::new();
    for (i, (email, name)) in [
        ("a@x.io", Some("Alice")),
        ("b@x.io", Some("bob")),
        ("c@x.io", None),
        ("d@y.io", Some("Dora_50%")),
        ("e@y.io", Some("ALICIA")),
    ]
    .into_iter()
    .enumerate()
    {
        out.push(
            c.user()
                .create(
                    email.to_string(),
                    vec![
                        user::name::set(name.map(str::to_string)),
                        user::karma::set(i as i32 * 10),
                    ],
                )
                .exec()
                .await?,
        );
    }
    Ok(out)
}

async fn emails(q: sovereign::FindMany<user::Data>) -> Result<Vec<String>, sovereign::Error> {
    Ok(q.order_by(user::email::order(Direction::Asc))
        .exec()
        .await?
        .into_iter()
        .map(|u| u.email)
        .collect())
}

async fn filters(c: &PrismaClient, backend: Dialect) -> R {
    seed_users(c).await?;
    let u = c.user();
    assert_eq!(
        emails(u.find_many(vec![user::karma::equals(20)])).await?,
        ["c@x.io"]
    );
    assert_eq!(
        emails(u.find_many(vec![user::karma::gt(20)])).await?,
        ["d@y.io", "e@y.io"]
    );
    assert_eq!(
        emails(u.find_many(vec![user::karma::gte(30)])).await?,
        ["d@y.io", "e@y.io"]
    );
    assert_eq!(
        emails(u.find_many(vec![user::karma::lt(10)])).await?,
        ["a@x.io"]
    );
    assert_eq!(
        emails(u.find_many(vec![user::karma::lte(10)])).await?,
        ["a@x.io", "b@x.io"]
    );
    assert_eq!(
        emails(u.find_many(vec![user::karma::in_vec(vec![0, 40])])).await?,
        ["a@x.io", "e@y.io"]
    );
    assert_eq!(
        emails(u.find_many(vec![user::karma::not_in_vec(vec![0, 10, 20])])).await?,
        ["d@y.io", "e@y.io"]
    );
    assert_eq!(
        u.find_many(vec![user::karma::in_vec(vec![])])
            .exec()
            .await?
            .len(),
        0
    );
    assert_eq!(
        emails(u.find_many(vec![user::email::ends_with("@y.io")])).await?,
        ["d@y.io", "e@y.io"]
    );
    assert_eq!(
        emails(u.find_many(vec![user::email::starts_with("a@")])).await?,
        ["a@x.io"]
    );
    assert_eq!(
        emails(u.find_many(vec![user::name::contains("50%")])).await?,
        ["d@y.io"]
    );
    // `%` and `_` are literal characters, not wildcards.
    assert_eq!(
        u.find_many(vec![user::name::contains("a_5")])
            .exec()
            .await?
            .len(),
        1
    );
    assert_eq!(
        u.find_many(vec![user::name::contains("%%")])
            .exec()
            .await?
            .len(),
        0
    );
    assert_eq!(
        emails(u.find_many(vec![
            user::name::starts_with("ali").mode(QueryMode::Insensitive)
        ]))
        .await?,
        ["a@x.io", "e@y.io"]
    );
    assert_eq!(
        emails(u.find_many(vec![
            user::name::equals(Some("BOB".to_string())).mode(QueryMode::Insensitive)
        ]))
        .await?,
        ["b@x.io"]
    );
    if backend == Dialect::Postgres {
        // Case-sensitive by default where the database is.
        assert_eq!(
            u.find_many(vec![user::name::starts_with("ali")])
                .exec()
                .await?
                .len(),
            0
        );
    }
    assert_eq!(
        emails(u.find_many(vec![user::name::is_null()])).await?,
        ["c@x.io"]
    );
    assert_eq!(
        emails(u.find_many(vec![user::name::equals(None)])).await?,
        ["c@x.io"]
    );
    assert_eq!(
        u.find_many(vec![user::name::not(None)]).exec().await?.len(),
        4
    );
    // `not` on an optional field also matches NULL, as in Prisma.
    assert_eq!(
        emails(u.find_many(vec![
            user::name::not(Some("bob".to_string())),
            user::karma::lt(30)
        ]))
        .await?,
        ["a@x.io", "c@x.io"]
    );
    assert_eq!(
        emails(u.find_many(vec![or![user::karma::equals(0), user::karma::equals(40)]])).await?,
        ["a@x.io", "e@y.io"]
    );
    assert_eq!(
        emails(u.find_many(vec![and![user::karma::gt(0), user::karma::lt(30)]])).await?,
        ["b@x.io", "c@x.io"]
    );
    assert_eq!(
        emails(u.find_many(vec![not![user::email::ends_with("@x.io")]])).await?,
        ["d@y.io", "e@y.io"]
    );
    assert_eq!(
        emails(u.find_many(vec![or![
            and![user::karma::gte(10), user::karma::lte(20)],
            not![user::name::not(Some("ALICIA".to_string()))]
        ]]))
        .await?,
        ["b@x.io", "c@x.io", "e@y.io"]
    );
    assert_eq!(u.count(vec![]).exec().await?, 5);
    assert_eq!(u.count(vec![user::email::contains("@x.")]).exec().await?, 3);
    // A typed subset of fields.
    let picked = u
        .find_many(vec![user::karma::gte(30)])
        .order_by(user::karma::order(Direction::Asc))
        .select(sovereign::select!(user { email name }))
        .exec()
        .await?;
    assert_eq!(picked.len(), 2);
    assert_eq!(
        (picked[0].email.as_str(), picked[0].name.as_deref()),
        ("d@y.io", Some("Dora_50%"))
    );
    let one = u
        .find_unique(user::email::equals("e@y.io"))
        .select(sovereign::select!(user { karma }))
        .exec()
        .await?;
    assert_eq!(one.map(|s| s.karma), Some(40));
    let first = u
        .find_first(vec![user::karma::gt(0)])
        .order_by(user::karma::order(Direction::Desc))
        .exec()
        .await?;
    assert_eq!(first.map(|u| u.email).as_deref(), Some("e@y.io"));
    assert!(u
        .find_first(vec![user::karma::gt(1000)])
        .exec()
        .await?
        .is_none());
    assert!(u
        .find_unique(user::email::equals("nobody@x.io"))
        .exec()
        .await?
        .is_none());
    u.delete_many(vec![]).exec().await?;
    Ok(())
}

async fn paging(c: &PrismaClient) -> R {
    let users = seed_users(c).await?;
    let u = c.user();
    let page = u
        .find_many(vec![])
        .order_by(user::karma::order(Direction::Desc))
        .skip(1)
        .take(2)
        .exec()
        .await?;
    assert_eq!(page.iter().map(|u| u.karma).collect::<Vec<_>>(), [30, 20]);
    let skipped = u
        .find_many(vec![])
        .order_by(user::karma::order(Direction::Asc))
        .skip(3)
        .exec()
        .await?;
    assert_eq!(
        skipped.iter().map(|u| u.karma).collect::<Vec<_>>(),
        [30, 40]
    );
    // Several orderings: the second breaks ties of the first.
    u.update_many(vec![user::karma::lt(20)], vec![user::karma::set(5)])
        .exec()
        .await?;
    let ordered = u
        .find_many(vec![])
        .order_by(user::karma::order(Direction::Asc))
        .order_by(user::email::order(Direction::Desc))
        .exec()
        .await?;
    assert_eq!(
        ordered.iter().map(|u| u.email.as_str()).collect::<Vec<_>>(),
        ["b@x.io", "a@x.io", "c@x.io", "d@y.io", "e@y.io"]
    );
    // A cursor starts at its record (included), in the query's order.
    let after = u
        .find_many(vec![])
        .order_by(user::id::order(Direction::Asc))
        .cursor(user::id::equals(users[2].id))
        .take(2)
        .exec()
        .await?;
    assert_eq!(
        after.iter().map(|u| u.id).collect::<Vec<_>>(),
        [users[2].id, users[3].id]
    );
    let before = u
        .find_many(vec![])
        .order_by(user::id::order(Direction::Desc))
        .cursor(user::email::equals("c@x.io"))
        .exec()
        .await?;
    assert_eq!(
        before.iter().map(|u| u.id).collect::<Vec<_>>(),
        [users[2].id, users[1].id, users[0].id]
    );
    u.delete_many(vec![]).exec().await?;
    Ok(())
}

async fn writes(c: &PrismaClient) -> R {
    let u = c.user();
    let a = u
        .create(
            "w@x.io".into(),
            vec![user::karma::set(10), user::score::set(1.5)],
        )
        .exec()
        .await?;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let b = u
        .update(
            user::id::equals(a.id),
            vec![
                user::karma::increment(5),
                user::score::multiply(4.0),
                user::name::set(Some("W".to_string())),
            ],
        )
        .exec()
        .await?;
    assert_eq!((b.karma, b.score, b.name.as_deref()), (15, 6.0, Some("W")));
    assert!(b.updated_at > a.updated_at, "@updatedAt moves on update");
    let b = u
        .update(
            user::email::equals("w@x.io"),
            vec![user::karma::decrement(3), user::score::divide(2.0)],
        )
        .exec()
        .await?;
    assert_eq!((b.karma, b.score), (12, 3.0));
    let none = u
        .update(user::id::equals(-1), vec![user::karma::set(1)])
        .exec()
        .await
        .unwrap_err();
    assert_eq!(none.kind(), &ErrorKind::RecordNotFound);
    // upsert: creates, then updates.
    let up = u
        .upsert(
            user::email::equals("up@x.io"),
            ("up@x.io".into(), vec![user::karma::set(1)]),
            vec![user::karma::increment(1)],
        )
        .exec()
        .await?;
    assert_eq!(up.karma, 1);
    let up = u
        .upsert(
            user::email::equals("up@x.io"),
            ("up@x.io".into(), vec![user::karma::set(1)]),
            vec![user::karma::increment(1)],
        )
        .exec()
        .await?;
    assert_eq!(up.karma, 2);
    // create_many, and skip_duplicates.
    let n = u
        .create_many(vec![
            ("m1@x.io".into(), vec![]),
            ("m2@x.io".into(), vec![user::karma::set(3)]),
        ])
        .exec()
        .await?;
    assert_eq!(n, 2);
    let n = u
        .create_many(vec![("m2@x.io".into(), vec![]), ("m3@x.io".into(), vec![])])
        .skip_duplicates()
        .exec()
        .await?;
    assert_eq!(n, 1, "the duplicate is skipped");
    let dup = u
        .create_many(vec![("m3@x.io".into(), vec![])])
        .exec()
        .await
        .unwrap_err();
    assert!(dup.is_unique_violation(), "{dup}");
    assert_eq!(u.count(vec![]).exec().await?, 5);
    let n = u
        .update_many(
            vec![user::email::starts_with("m")],
            vec![user::active::set(false)],
        )
        .exec()
        .await?;
    assert_eq!(n, 3);
    let gone = u.delete(user::email::equals("m1@x.io")).exec().await?;
    assert_eq!(gone.email, "m1@x.io");
    assert!(u
        .delete(user::email::equals("m1@x.io"))
        .exec()
        .await
        .unwrap_err()
        .is_not_found());
    assert_eq!(
        u.delete_many(vec![user::active::equals(false)])
            .exec()
            .await?,
        2
    );
    assert_eq!(u.delete_many(vec![]).exec().await?, 2);
    Ok(())
}

async fn relations(c: &PrismaClient) -> R {
    let ann = c.user().create("ann@r.io".into(), vec![]).exec().await?;
    let ben = c
        .user()
        .create(
            "ben@r.io".into(),
            vec![user::mentor::connect(user::id::equals(ann.id))],
        )
        .exec()
        .await?;
    assert_eq!(ben.mentor_id, Some(ann.id));
    let cy = c
        .user()
        .create_unchecked("cy@r.io".into(), vec![user::mentor_id::set(Some(ann.id))])
        .exec()
        .await?;
    c.profile()
        .create("ann's".into(), user::email::equals("ann@r.io"), vec![])
        .exec()
        .await?;
    let rust = c.category().create("rust".into(), vec![]).exec().await?;
    let db = c.category().create("db".into(), vec![]).exec().await?;
    let mut post_ids = Vec::new();
    for i in 0..4 {
        let author = if i < 3 { ann.id } else { ben.id };
        let p = c
            .post()
            .create(
                format!("post {i}"),
                user::id::equals(author),
                vec![
                    post::views::set(i * 10),
                    post::categories::connect(vec![category::id::equals(rust.id)]),
                ],
            )
            .exec()
            .await?;
        for j in 0..=i {
            c.comment()
                .create(
                    format!("c{i}.{j}"),
                    post::id::equals(p.id),
                    user::id::equals(cy.id),
                    vec![],
                )
                .exec()
                .await?;
        }
        post_ids.push(p.id);
    }
    c.post()
        .update(
            post::id::equals(post_ids[0]),
            vec![post::categories::connect(vec![category::name::equals(
                "db",
            )])],
        )
        .exec()
        .await?;
    let tag = c.tag().create("t1".into(), vec![]).exec().await?;
    c.tag_on_post()
        .create(
            post::id::equals(post_ids[1]),
            tag::id::equals(tag.id.clone()),
            vec![tag_on_post::note::set(Some("n".to_string()))],
        )
        .exec()
        .await?;

    // Not fetched is an error, not an empty value.
    let plain = c
        .post()
        .find_unique(post::id::equals(post_ids[0]))
        .exec()
        .await?
        .ok_or("post")?;
    let err = plain.author().unwrap_err();
    assert_eq!(err.relation, "author");
    assert!(plain.comments().is_err());

    // One query per level: posts, authors, comments (ordered, limited per post), nested author.
    let posts = c
        .post()
        .find_many(vec![])
        .order_by(post::id::order(Direction::Asc))
        .with(post::author::fetch().with(user::profile::fetch()))
        .with(
            post::comments::fetch(vec![])
                .order_by(comment::text::order(Direction::Desc))
                .take(2)
                .with(comment::author::fetch()),
        )
        .with(post::categories::fetch(vec![]).order_by(category::name::order(Direction::Asc)))
        .with(post::tags::fetch(vec![]).with(tag_on_post::tag::fetch()))
        .exec()
        .await?;
    assert_eq!(posts.len(), 4);
    assert_eq!(posts[0].author()?.email, "ann@r.io");
    assert_eq!(posts[3].author()?.email, "ben@r.io");
    assert_eq!(
        posts[0].author()?.profile()?.map(|p| p.bio.as_str()),
        Some("ann's")
    );
    assert_eq!(posts[3].author()?.profile()?, None, "fetched and absent");
    let texts: Vec<&str> = posts[2]
        .comments()?
        .iter()
        .map(|c| c.text.as_str())
        .collect();
    assert_eq!(texts, ["c2.2", "c2.1"]);
    assert_eq!(posts[0].comments()?.len(), 1);
    assert_eq!(posts[1].comments()?[0].author()?.email, "cy@r.io");
    let cats: Vec<&str> = posts[0]
        .categories()?
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(cats, ["db", "rust"]);
    assert_eq!(posts[3].categories()?.len(), 1);
    assert_eq!(posts[1].tags()?[0].tag()?.label, "t1");
    assert_eq!(posts[1].tags()?[0].note.as_deref(), Some("n"));
    assert!(posts[0].tags()?.is_empty());

    // The other direction, self relations and filtered fetches.
    let ann_full = c
        .user()
        .find_unique(user::id::equals(ann.id))
        .with(
            user::posts::fetch(vec![post::views::gte(10)])
                .order_by(post::views::order(Direction::Desc)),
        )
        .with(user::mentees::fetch(vec![]).order_by(user::email::order(Direction::Asc)))
        .with(user::mentor::fetch())
        .exec()
        .await?
        .ok_or("ann")?;
    assert_eq!(
        ann_full
            .posts()?
            .iter()
            .map(|p| p.views)
            .collect::<Vec<_>>(),
        [20, 10]
    );
    assert_eq!(
        ann_full
            .mentees()?
            .iter()
            .map(|u| u.email.as_str())
            .collect::<Vec<_>>(),
        ["ben@r.io", "cy@r.io"]
    );
    assert!(ann_full.mentor()?.is_none());
    let db_posts = c
        .category()
        .find_unique(category::id::equals(db.id))
        .with(category::posts::fetch(vec![]))
        .exec()
        .await?
        .ok_or("db")?;
    assert_eq!(db_posts.posts()?.len(), 1);

    // Implicit m:n disconnect; optional to-one disconnect; 1:n connect from the other side.
    c.post()
        .update(
            post::id::equals(post_ids[0]),
            vec![post::categories::disconnect(vec![category::id::equals(
                rust.id,
            )])],
        )
        .exec()
        .await?;
    let p0 = c
        .post()
        .find_unique(post::id::equals(post_ids[0]))
        .with(post::categories::fetch(vec![]))
        .exec()
        .await?
        .ok_or("p0")?;
    assert_eq!(
        p0.categories()?
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["db"]
    );
    let ben2 = c
        .user()
        .update(user::id::equals(ben.id), vec![user::mentor::disconnect()])
        .exec()
        .await?;
    assert_eq!(ben2.mentor_id, None);
    c.user()
        .update(
            user::id::equals(ben.id),
            vec![user::posts::connect(vec![post::id::equals(post_ids[0])])],
        )
        .exec()
        .await?;
    let moved = c
        .post()
        .find_unique(post::id::equals(post_ids[0]))
        .exec()
        .await?
        .ok_or("p0")?;
    assert_eq!(moved.author_id, ben.id);
    let bad = c
        .user()
        .update(
            user::id::equals(ben.id),
            vec![user::posts::connect(vec![post::id::equals(-5)])],
        )
        .exec()
        .await
        .unwrap_err();
    assert!(bad.is_not_found(), "{bad}");
    let bad = c
        .post()
        .create("x".into(), user::id::equals(-7), vec![])
        .exec()
        .await
        .unwrap_err();
    assert!(
        bad.is_not_found() || bad.is_foreign_key_violation(),
        "{bad:?}"
    );
    // Group members: m:n with ulid ids on one side.
    let g = c
        .group()
        .create(
            "devs".into(),
            vec![group::members::connect(vec![
                user::id::equals(ann.id),
                user::id::equals(ben.id),
            ])],
        )
        .exec()
        .await?;
    let g = c
        .group()
        .find_unique(group::id::equals(g.id))
        .with(
            group::members::fetch(vec![])
                .order_by(user::id::order(Direction::Asc))
                .with(user::groups::fetch(vec![])),
        )
        .exec()
        .await?
        .ok_or("group")?;
    assert_eq!(g.members()?.len(), 2);
    assert_eq!(g.members()?[1].groups()?[0].name, "devs");
    Ok(())
}

async fn relation_filters(c: &PrismaClient) -> R {
    let u = c.user();
    // ann: posts with views 10 and 20; ben: 0 (moved from ann) and 30; cy: none.
    let with_popular = u.find_many(vec![user::posts::some(vec![post::views::gte(25)])]);
    assert_eq!(emails(with_popular).await?, ["ben@r.io"]);
    let all_small = u.find_many(vec![
        user::posts::every(vec![post::views::lt(25)]),
        user::email::ends_with("@r.io"),
    ]);
    assert_eq!(emails(all_small).await?, ["ann@r.io", "cy@r.io"]);
    let no_posts = u.find_many(vec![
        user::posts::none(vec![]),
        user::email::ends_with("@r.io"),
    ]);
    assert_eq!(emails(no_posts).await?, ["cy@r.io"]);
    let by_author = c
        .post()
        .find_many(vec![post::author::is(vec![user::email::starts_with(
            "ben",
        )])])
        .exec()
        .await?;
    assert_eq!(by_author.len(), 2);
    let not_ann = c
        .post()
        .count(vec![post::author::is_not(vec![user::email::equals(
            "ann@r.io",
        )])])
        .exec()
        .await?;
    assert_eq!(not_ann, 2);
    // Two levels: users with a post that has a comment by cy.
    let nested = u.find_many(vec![user::posts::some(vec![post::comments::some(vec![
        comment::author::is(vec![user::email::equals("cy@r.io")]),
    ])])]);
    assert_eq!(emails(nested).await?, ["ann@r.io", "ben@r.io"]);
    // Through an implicit m:n relation.
    let in_db = c
        .post()
        .count(vec![post::categories::some(vec![category::name::equals(
            "db",
        )])])
        .exec()
        .await?;
    assert_eq!(in_db, 1);
    // Self relation.
    let mentored = u.find_many(vec![user::mentor::is(vec![user::email::equals(
        "ann@r.io",
    )])]);
    assert_eq!(emails(mentored).await?, ["cy@r.io"]);
    Ok(())
}

async fn compound(c: &PrismaClient) -> R {
    let m = c
        .membership()
        .create("acme".into(), "ann".into(), 1, vec![])
        .exec()
        .await?;
    c.membership()
        .create("acme".into(), "ben".into(), 2, vec![])
        .exec()
        .await?;
    let by_unique = c
        .membership()
        .find_unique(membership::tenant_handle("acme", "ben"))
        .exec()
        .await?;
    assert_eq!(by_unique.map(|m| m.level), Some(2));
    let by_id = c
        .membership()
        .find_unique(membership::tenant_level("acme", 1))
        .exec()
        .await?;
    assert_eq!(by_id, Some(m));
    let up = c
        .membership()
        .update(
            membership::tenant_handle("acme", "ann"),
            vec![membership::handle::set("anna")],
        )
        .exec()
        .await?;
    assert_eq!(up.handle, "anna");
    let dup = c
        .membership()
        .create("acme".into(), "anna".into(), 3, vec![])
        .exec()
        .await
        .unwrap_err();
    match dup.kind() {
        ErrorKind::UniqueViolation { fields, .. } => assert_eq!(fields, &["tenant", "handle"]),
        other => panic!("expected a unique violation, got {other:?}: {dup}"),
    }
    let posts = c
        .post()
        .find_many(vec![])
        .order_by(post::id::order(Direction::Asc))
        .exec()
        .await?;
    let tag = c.tag().find_first(vec![]).exec().await?.ok_or("tag")?;
    let link = c
        .tag_on_post()
        .find_unique(tag_on_post::post_id_tag_id(posts[1].id, tag.id.clone()))
        .exec()
        .await?;
    assert!(link.is_some());
    assert_eq!(
        c.membership()
            .delete(membership::tenant_level("acme", 2))
            .exec()
            .await?
            .handle,
        "ben"
    );
    Ok(())
}

async fn errors(c: &PrismaClient) -> R {
    let e = c
        .user()
        .create("ann@r.io".into(), vec![])
        .exec()
        .await
        .unwrap_err();
    match e.kind() {
        ErrorKind::UniqueViolation { fields, .. } => assert_eq!(fields, &["email"], "{e}"),
        other => panic!("expected a unique violation, got {other:?}: {e}"),
    }
    let e = c
        .post()
        .create_unchecked("x".into(), 99_999, vec![])
        .exec()
        .await
        .unwrap_err();
    assert!(e.is_foreign_key_violation(), "{e:?}");
    let ann = c
        .user()
        .find_unique(user::email::equals("ann@r.io"))
        .exec()
        .await?
        .ok_or("ann")?;
    // Posts still refer to ann: deleting her is refused.
    let e = c
        .user()
        .delete(user::id::equals(ann.id))
        .exec()
        .await
        .unwrap_err();
    assert!(e.is_foreign_key_violation(), "{e:?}");
    let e = c
        .user()
        .delete(user::id::equals(-1))
        .exec()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::RecordNotFound);
    let e = PrismaClient::connect("postgresql://nobody@127.0.0.1:1/none")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Connection, "{e}");
    assert!(
        !e.to_string().contains("nobody:"),
        "passwords never printed"
    );
    let e = PrismaClient::connect("oracle://x").await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Configuration);
    Ok(())
}

async fn transactions(c: &PrismaClient) -> R {
    let before = c.user().count(vec![]).exec().await?;
    let r: Result<(), sovereign::Error> = c
        ._transaction()
        .run(|tx| async move {
            tx.user().create("tx1@x.io".into(), vec![]).exec().await?;
            // Fails: duplicate email; the whole transaction rolls back.
            tx.user().create("tx1@x.io".into(), vec![]).exec().await?;
            Ok(())
        })
        .await;
    assert!(r.unwrap_err().is_unique_violation());
    assert_eq!(c.user().count(vec![]).exec().await?, before, "rolled back");
    let id = c
        ._transaction()
        .run(|tx| async move {
            let u = tx.user().create("tx2@x.io".into(), vec![]).exec().await?;
            tx.post()
                .create("in tx".into(), user::id::equals(u.id), vec![])
                .exec()
                .await?;
            Ok::<_, sovereign::Error>(u.id)
        })
        .await?;
    let u = c
        .user()
        .find_unique(user::id::equals(id))
        .with(user::posts::fetch(vec![]))
        .exec()
        .await?;
    assert_eq!(u.ok_or("committed")?.posts()?.len(), 1);
    // A user error type rolls back too.
    #[derive(Debug)]
    enum AppError {
        Db(sovereign::Error),
        Refused,
    }
    impl From<sovereign::Error> for AppError {
        fn from(e: sovereign::Error) -> Self {
            AppError::Db(e)
        }
    }
    let r = c
        ._transaction()
        .run(|tx| async move {
            tx.user().create("tx3@x.io".into(), vec![]).exec().await?;
            Err::<(), _>(AppError::Refused)
        })
        .await;
    assert!(matches!(r, Err(AppError::Refused)));
    assert!(c
        .user()
        .find_unique(user::email::equals("tx3@x.io"))
        .exec()
        .await?
        .is_none());
    if let Err(AppError::Db(e)) = r {
        return Err(e.into());
    }
    Ok(())
}

async fn raw_queries(c: &PrismaClient, backend: Dialect) -> R {
    let q = |s: &str| {
        if backend == Dialect::Mysql {
            format!("`{s}`")
        } else {
            format!("\"{s}\"")
        }
    };
    let sql = format!(
        "SELECT {}, {} FROM {} WHERE {} = {{}}",
        q("id"),
        q("email"),
        q("users"),
        q("email")
    );
    let rows: Vec<(i32, String)> = c
        ._query_raw(sovereign::Raw::new(&sql, vec!["ann@r.io".into()]))
        .await?;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].1, "ann@r.io");
    // A value that looks like SQL stays a value.
    let evil = "x' OR '1'='1";
    let rows: Vec<(i32, String)> = c
        ._query_raw(sovereign::Raw::new(&sql, vec![evil.into()]))
        .await?;
    assert!(rows.is_empty());
    let upd = format!(
        "UPDATE {} SET {} = {{}} WHERE {} LIKE {{}}",
        q("users"),
        q("karma"),
        q("email")
    );
    let n = c
        ._execute_raw(sovereign::Raw::new(&upd, vec![77.into(), "%@r.io".into()]))
        .await?;
    assert_eq!(n, 3);
    let all: Vec<user::Data> = c
        ._query_raw(sovereign::Raw::new(
            &format!("SELECT * FROM {} WHERE {} = {{}}", q("users"), q("karma")),
            vec![77.into()],
        ))
        .await?;
    assert_eq!(all.len(), 3);
    let fixed: Vec<(i64,)> = c._query_raw(raw!("SELECT 40 + 2")).await?;
    assert_eq!(fixed[0].0, 42);
    let wrong = c._execute_raw(raw!("SELECT {}, {}", 1)).await.unwrap_err();
    assert_eq!(wrong.kind(), &ErrorKind::Configuration, "{wrong}");
    Ok(())
}

async fn strings(c: &PrismaClient) -> R {
    let values = [
        "it's a \"quote\"".to_string(),
        "back\\slash \\' \\\" end\\".to_string(),
        "unicode: ünïcödé ✓ 日本語 🦀".to_string(),
        "semi; DROP TABLE users; --".to_string(),
        "%_[]^$".to_string(),
        "x".repeat(60_000),
    ];
    let ann = c
        .user()
        .find_unique(user::email::equals("ann@r.io"))
        .exec()
        .await?
        .ok_or("ann")?;
    for v in values {
        // Titles are VARCHAR(191) on MySQL; bodies are TEXT.
        let title: String = v.chars().take(150).collect();
        let p = c
            .post()
            .create(
                title.clone(),
                user::id::equals(ann.id),
                vec![post::body::set(Some(v.clone()))],
            )
            .exec()
            .await?;
        assert_eq!(p.title, title);
        let found = c
            .post()
            .find_first(vec![post::body::equals(Some(v.clone()))])
            .exec()
            .await?;
        assert_eq!(
            found.map(|p| p.body),
            Some(Some(v.clone())),
            "round trip of {:?}",
            &v[..v.len().min(40)]
        );
        let short: String = v.chars().take(12).collect();
        let n = c
            .post()
            .count(vec![post::title::contains(short.clone())])
            .exec()
            .await?;
        assert!(n >= 1, "contains {short:?}");
    }
    Ok(())
}

/// Scalar lists: PostgreSQL only.
#[tokio::test]
async fn lists_on_postgres() {
    let Some(db) = TestDb::server_with_schema(
        "SOVEREIGN_TEST_POSTGRES_URL",
        "lists",
        sovereign_tests::lists::SCHEMA,
    )
    .await
    else {
        return;
    };
    let c = sovereign_tests::lists::PrismaClient::connect(&db.url)
        .await
        .expect("connect");
    let result = lists(&c).await;
    if let Some(d) = c.database() {
        d.close().await;
    }
    db.drop().await;
    if let Err(e) = result {
        panic!("lists: {e}");
    }
}

async fn lists(c: &sovereign_tests::lists::PrismaClient) -> R {
    use sovereign_tests::lists::article;
    let when = sovereign::chrono::DateTime::parse_from_rfc3339("2025-01-02T03:04:05.678Z")?;
    let a = c
        .article()
        .create(
            "a".into(),
            vec![
                article::tags::set(vec!["rust".into(), "db".into()]),
                article::scores::set(vec![3, 1, 2]),
                article::seen::set(vec![when]),
            ],
        )
        .exec()
        .await?;
    assert_eq!(a.tags, ["rust", "db"]);
    assert_eq!(a.scores, [3, 1, 2]);
    assert_eq!(a.seen, [when]);
    let b = c.article().create("b".into(), vec![]).exec().await?;
    assert!(b.tags.is_empty() && b.scores.is_empty());
    let titles = |v: Vec<article::Data>| v.into_iter().map(|a| a.title).collect::<Vec<_>>();
    let a_ = || c.article();
    assert_eq!(
        titles(
            a_().find_many(vec![article::tags::has("rust")])
                .exec()
                .await?
        ),
        ["a"]
    );
    assert_eq!(
        titles(
            a_().find_many(vec![article::tags::has_every(vec![
                "db".into(),
                "rust".into()
            ])])
            .exec()
            .await?
        ),
        ["a"]
    );
    assert!(a_()
        .find_many(vec![article::tags::has_every(vec![
            "db".into(),
            "go".into()
        ])])
        .exec()
        .await?
        .is_empty());
    assert_eq!(
        titles(
            a_().find_many(vec![article::scores::has_some(vec![9, 2])])
                .exec()
                .await?
        ),
        ["a"]
    );
    assert_eq!(
        titles(
            a_().find_many(vec![article::tags::is_empty(true)])
                .exec()
                .await?
        ),
        ["b"]
    );
    assert_eq!(
        titles(
            a_().find_many(vec![article::tags::equals(vec![
                "rust".into(),
                "db".into()
            ])])
            .exec()
            .await?
        ),
        ["a"]
    );
    let a = a_()
        .update(
            article::id::equals(a.id),
            vec![article::tags::push(vec!["sql".into()])],
        )
        .exec()
        .await?;
    assert_eq!(a.tags, ["rust", "db", "sql"]);
    let b = a_()
        .update(
            article::id::equals(b.id),
            vec![article::scores::push(vec![7])],
        )
        .exec()
        .await?;
    assert_eq!(b.scores, [7], "pushing onto an empty list");
    Ok(())
}
