//! Writing: creates, updates, upserts and deletes, the errors a caller can match, transactions
//! and raw SQL.

use sovereign::{raw, Dialect, ErrorKind};
use sovereign_tests::*;

use crate::R;

pub(crate) async fn writes(c: &PrismaClient) -> R {
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
    // One instant per request, as Prisma's engine takes it: the rows share their @updatedAt.
    let made = u
        .find_many(vec![user::email::in_vec(vec![
            "m1@x.io".into(),
            "m2@x.io".into(),
        ])])
        .exec()
        .await?;
    assert_eq!(made.len(), 2);
    assert_eq!(made[0].updated_at, made[1].updated_at);
    // Past 16 rows, one row's statement is repeated for all: an enum (cast on PostgreSQL) in
    // every row, then rows whose shapes differ (a NULL among names) going the other way.
    let rows = |from: usize, name: fn(usize) -> Option<String>| -> Vec<user::CreateUnchecked> {
        (from..from + 20)
            .map(|i| {
                let sets = vec![user::role::set(Role::Admin), user::name::set(name(i))];
                (format!("shape{i}@x.io"), sets)
            })
            .collect()
    };
    assert_eq!(
        u.create_many(rows(0, |i| Some(format!("n{i}"))))
            .exec()
            .await?,
        20
    );
    let every_other = |i: usize| i.is_multiple_of(2).then(|| format!("n{i}"));
    assert_eq!(u.create_many(rows(20, every_other)).exec().await?, 20);
    let shaped = u
        .find_many(vec![user::email::starts_with("shape")])
        .exec()
        .await?;
    assert_eq!(shaped.len(), 40);
    assert!(shaped.iter().all(|s| s.role == Role::Admin));
    let named = |s: &&user::Data| s.name.is_some();
    assert_eq!(shaped.iter().filter(named).count(), 30);
    assert_eq!(
        u.delete_many(vec![user::email::starts_with("shape")])
            .exec()
            .await?,
        40
    );
    // Rows of plain values go without a plan each: a field set twice keeps the last value, a
    // given `@updatedAt` is kept, and generated ids differ row by row, past the 16 rows whose
    // statement is cached whole too.
    let stamp = sovereign::chrono::DateTime::parse_from_rfc3339("2020-01-02T03:04:05.006Z")?;
    let plain: Vec<user::CreateUnchecked> = (0..20)
        .map(|i| {
            let sets = vec![
                user::karma::set(-1),
                user::updated_at::set(stamp),
                user::karma::set(i),
            ];
            (format!("plain{i}@x.io"), sets)
        })
        .collect();
    assert_eq!(u.create_many(plain).exec().await?, 20);
    let plain = u
        .find_many(vec![user::email::starts_with("plain")])
        .order_by(user::karma::order(sovereign::Direction::Asc))
        .exec()
        .await?;
    let karma: Vec<i32> = plain.iter().map(|p| p.karma).collect();
    assert_eq!(karma, (0..20).collect::<Vec<_>>());
    assert!(plain.iter().all(|p| p.updated_at == stamp));
    u.delete_many(vec![user::email::starts_with("plain")])
        .exec()
        .await?;
    let tags: Vec<tag::CreateUnchecked> = (0..20).map(|i| (format!("t{i}"), vec![])).collect();
    assert_eq!(c.tag().create_many(tags).exec().await?, 20);
    let mut ids: Vec<String> = (c.tag().find_many(vec![]).exec().await?)
        .into_iter()
        .map(|t| t.id)
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20, "every row has its own nanoid");
    c.tag().delete_many(vec![]).exec().await?;
    // A nested create_many past 16 rows: the link to the parent goes into every row beside the
    // rows' own values (on SQLite bound from where they are kept).
    let posts = (0..20)
        .map(|i| (format!("p{i}"), vec![post::views::set(i)]))
        .collect();
    let author = u
        .create(
            "nested-many@x.io".into(),
            vec![user::posts::create_many(posts)],
        )
        .exec()
        .await?;
    let mine = vec![post::author_id::equals(author.id)];
    let posts = c
        .post()
        .find_many(mine.clone())
        .order_by(post::views::order(sovereign::Direction::Asc))
        .exec()
        .await?;
    let got: Vec<(String, i32)> = posts.into_iter().map(|p| (p.title, p.views)).collect();
    let want: Vec<(String, i32)> = (0..20).map(|i| (format!("p{i}"), i)).collect();
    assert_eq!(got, want);
    assert_eq!(c.post().delete_many(mine).exec().await?, 20);
    u.delete(user::id::equals(author.id)).exec().await?;
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
    // Past the parameter limit of one statement (SQLite's 32,766: one column a row here), the
    // rows go in several statements of one transaction, a duplicate among them failing them
    // all.
    let cats = c.category();
    let bulk = |range: std::ops::Range<usize>| -> Vec<category::CreateUnchecked> {
        range.map(|i| (format!("bulk{i}"), vec![])).collect()
    };
    let mut rows = bulk(0..40_000);
    rows.push(("bulk3".into(), vec![]));
    let err = cats.create_many(rows).exec().await.unwrap_err();
    assert!(err.is_unique_violation(), "{err}");
    assert_eq!(
        cats.count(vec![]).exec().await?,
        0,
        "nothing of a failed create_many stays"
    );
    assert_eq!(cats.create_many(bulk(0..40_000)).exec().await?, 40_000);
    let last = category::name::equals("bulk39999".to_string());
    assert_eq!(cats.count(vec![last]).exec().await?, 1);
    assert_eq!(cats.delete_many(vec![]).exec().await?, 40_000);
    // An update by primary key (on MySQL the UPDATE goes first, then the row is read back): a
    // value set to what it was still finds the record, a missing key is not found, and a
    // changed key is read back by its new value.
    let cat = cats.create("same".into(), vec![]).exec().await?;
    let set_name = |n: &str| vec![category::name::set(n)];
    let same = cats.update(category::id::equals(cat.id), set_name("same"));
    assert_eq!(same.exec().await?.id, cat.id);
    let gone = cats.update(category::id::equals(cat.id + 1000), set_name("x"));
    let gone = gone.exec().await.unwrap_err();
    assert!(gone.is_not_found(), "{gone}");
    let moved = cats
        .update(
            category::id::equals(cat.id),
            vec![category::id::set(cat.id + 500)],
        )
        .exec()
        .await?;
    assert_eq!((moved.id, moved.name.as_str()), (cat.id + 500, "same"));
    cats.delete_many(vec![]).exec().await?;
    // Updates of plain values go without a plan: a field set twice keeps the last value (and
    // the same statement serves the next such update), a given `@updatedAt` is kept, an omitted
    // one moves, and a filter on another unique field (on MySQL, found first) works alike.
    let p = u.create("plainup@x.io".into(), vec![]).exec().await?;
    for k in [3, 4] {
        let twice = vec![
            user::karma::set(-1),
            user::name::set(None),
            user::karma::set(k),
        ];
        let twice = u.update(user::id::equals(p.id), twice).exec().await?;
        assert_eq!((twice.karma, twice.name), (k, None));
        assert!(twice.updated_at >= p.updated_at);
    }
    let kept = vec![user::updated_at::set(stamp), user::score::set(2.5)];
    let kept = u.update(user::id::equals(p.id), kept).exec().await?;
    assert_eq!((kept.updated_at, kept.score, kept.karma), (stamp, 2.5, 4));
    let by_email = user::email::equals("plainup@x.io".to_string());
    let moved = u.update(by_email, vec![user::karma::set(9)]).exec().await?;
    assert_eq!((moved.id, moved.karma), (p.id, 9));
    assert!(moved.updated_at > stamp, "an omitted @updatedAt moves");
    let stored = u.find_unique(user::id::equals(p.id)).exec().await?;
    assert_eq!(stored.map(|s| (s.karma, s.score)), Some((9, 2.5)));
    let nobody = user::email::equals("nobody@x.io".to_string());
    let nobody = u.update(nobody, vec![user::karma::set(1)]).exec().await;
    assert!(nobody.unwrap_err().is_not_found());
    u.delete(user::id::equals(p.id)).exec().await?;
    Ok(())
}

pub(crate) async fn errors(c: &PrismaClient) -> R {
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

pub(crate) async fn transactions(c: &PrismaClient) -> R {
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

pub(crate) async fn raw_queries(c: &PrismaClient, backend: Dialect) -> R {
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

/// Batch transactions and the options of the closure form, as Prisma's `$transaction([...])`
/// and interactive transactions' `isolationLevel`, `timeout`, `maxWait`
/// (https://www.prisma.io/docs/orm/prisma-client/queries/transactions).
pub(crate) async fn batches(c: &PrismaClient, backend: Dialect) -> R {
    use sovereign::IsolationLevel;
    use std::time::Duration;
    let u = c.user();
    // Independent queries, one transaction, results in the same shape.
    let (created, n, changed, found) = c
        ._batch((
            u.create("b1@batch.io".into(), vec![]),
            u.count(vec![user::email::ends_with("@batch.io")]),
            u.update_many(
                vec![user::email::ends_with("@batch.io")],
                vec![user::karma::set(7)],
            ),
            u.find_first(vec![user::email::equals("b1@batch.io")]),
        ))
        .await?;
    assert_eq!(created.email, "b1@batch.io");
    assert_eq!((n, changed), (1, 1), "each query sees the ones before it");
    assert_eq!(found.map(|u| u.karma), Some(7));
    let many = c
        ._batch(vec![
            u.create("b2@batch.io".into(), vec![]),
            u.create("b3@batch.io".into(), vec![]),
        ])
        .await?;
    assert_eq!(many.len(), 2);
    // A failure rolls the whole batch back.
    let e = c
        ._batch((
            u.create("b4@batch.io".into(), vec![]),
            u.create("b1@batch.io".into(), vec![]),
        ))
        .await
        .unwrap_err();
    assert!(e.is_unique_violation(), "{e}");
    assert_eq!(
        u.count(vec![user::email::ends_with("@batch.io")])
            .exec()
            .await?,
        3,
        "b4 rolled back"
    );

    // Isolation levels: serializable everywhere; the others where the database has them.
    let level = c
        ._transaction()
        .isolation_level(IsolationLevel::Serializable)
        .max_wait(Duration::from_secs(10))
        .run(|tx| async move {
            tx.user()
                .update(
                    user::email::equals("b2@batch.io"),
                    vec![user::karma::increment(1)],
                )
                .exec()
                .await?;
            if backend == Dialect::Postgres {
                let level: Vec<(String,)> = tx
                    ._query_raw(sovereign::raw!("SHOW transaction_isolation"))
                    .await?;
                return Ok::<_, sovereign::Error>(Some(level[0].0.clone()));
            }
            Ok(None)
        })
        .await?;
    if backend == Dialect::Postgres {
        assert_eq!(level.as_deref(), Some("serializable"));
    }
    let r = c
        ._transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .run(|tx| async move { tx.user().count(vec![]).exec().await })
        .await;
    match backend {
        Dialect::Sqlite => assert_eq!(r.unwrap_err().kind(), &sovereign::ErrorKind::Configuration),
        _ => {
            r?;
        }
    }
    // A transaction past its timeout is rolled back.
    let r: Result<(), sovereign::Error> = c
        ._transaction()
        .timeout(Duration::from_millis(100))
        .run(|tx| async move {
            tx.user()
                .create("late@batch.io".into(), vec![])
                .exec()
                .await?;
            tokio::time::sleep(Duration::from_secs(2)).await;
            Ok(())
        })
        .await;
    assert_eq!(
        r.unwrap_err().kind(),
        &sovereign::ErrorKind::Timeout,
        "past its timeout"
    );
    assert!(u
        .find_unique(user::email::equals("late@batch.io"))
        .exec()
        .await?
        .is_none());
    u.delete_many(vec![user::email::ends_with("@batch.io")])
        .exec()
        .await?;
    Ok(())
}
