//! What a write returns: the record with relations (`.with(...)`) or a selection of its fields
//! (`.select(select!(...))`), read in the write's transaction, as Prisma's `include` and `select`
//! on `create`, `update`, `upsert` and `delete`
//! (https://www.prisma.io/docs/orm/reference/prisma-client-reference#create, "include" and
//! "select" options; on `delete`, the record as it was).

use sovereign::{select, Dialect, Direction, ErrorKind};
use sovereign_tests::*;

use crate::R;

pub(crate) async fn returning(c: &PrismaClient) -> R {
    // create: with, and select.
    let eve = c
        .user()
        .create(
            "eve@ret.io".into(),
            vec![
                user::posts::create("one".into(), vec![]),
                user::posts::create("two".into(), vec![]),
                user::profile::create("hi".into(), vec![]),
            ],
        )
        .with(user::posts::fetch(vec![]).order_by(post::id::order(Direction::Asc)))
        .with(user::profile::fetch())
        .exec()
        .await?;
    let titles: Vec<&str> = eve.posts()?.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(titles, ["one", "two"]);
    assert_eq!(eve.profile()?.map(|p| p.bio.as_str()), Some("hi"));
    let fay = c
        .user()
        .create("fay@ret.io".into(), vec![user::karma::set(4)])
        .select(select!(user { id email karma }))
        .exec()
        .await?;
    assert_eq!((fay.email.as_str(), fay.karma), ("fay@ret.io", 4));

    // update: with, and select.
    let eve = c
        .user()
        .update(
            user::id::equals(eve.id),
            vec![
                user::karma::set(2),
                user::posts::create("three".into(), vec![]),
            ],
        )
        .with(user::posts::fetch(vec![post::title::starts_with("t")]))
        .exec()
        .await?;
    assert_eq!(eve.karma, 2);
    assert_eq!(eve.posts()?.len(), 2);
    let s = c
        .user()
        .update(user::id::equals(fay.id), vec![user::karma::increment(1)])
        .select(select!(user { karma }))
        .exec()
        .await?;
    assert_eq!(s.karma, 5);
    let e = c
        .user()
        .update(user::id::equals(-1), vec![user::karma::increment(1)])
        .select(select!(user { karma }))
        .exec()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::RecordNotFound);

    // upsert: both branches.
    for (email, karma) in [("gus@ret.io", 1), ("gus@ret.io", 2)] {
        let gus = c
            .user()
            .upsert(
                user::email::equals(email),
                (
                    email.to_string(),
                    vec![
                        user::karma::set(1),
                        user::posts::create("gus".into(), vec![]),
                    ],
                ),
                vec![user::karma::increment(1)],
            )
            .with(user::posts::fetch(vec![]))
            .exec()
            .await?;
        assert_eq!((gus.karma, gus.posts()?.len()), (karma, 1));
    }
    let gus = c
        .user()
        .upsert(
            user::email::equals("gus@ret.io"),
            ("gus@ret.io".into(), vec![]),
            vec![user::karma::increment(1)],
        )
        .select(select!(user { email karma }))
        .exec()
        .await?;
    assert_eq!(gus.karma, 3);

    // delete: the record as it was, with its relations; the selection read before the delete.
    let one = c
        .post()
        .find_first_or_throw(vec![post::title::equals("one")])
        .exec()
        .await?;
    c.comment()
        .create(
            "soon gone".into(),
            post::id::equals(one.id),
            user::id::equals(fay.id),
            vec![],
        )
        .exec()
        .await?;
    let gone = c
        .post()
        .delete(post::id::equals(one.id))
        .with(post::author::fetch())
        .with(post::comments::fetch(vec![]))
        .exec()
        .await?;
    assert_eq!(gone.author()?.email, "eve@ret.io");
    assert_eq!(gone.comments()?[0].text, "soon gone");
    assert_eq!(
        c.comment()
            .count(vec![comment::text::equals("soon gone")])
            .exec()
            .await?,
        0,
        "deleted with the post (cascade)"
    );
    let two = c
        .post()
        .find_first_or_throw(vec![post::title::equals("two")])
        .exec()
        .await?;
    let two = c
        .post()
        .delete(post::id::equals(two.id))
        .select(select!(post { title author_id }))
        .exec()
        .await?;
    assert_eq!((two.title.as_str(), two.author_id), ("two", eve.id));
    let e = c
        .post()
        .delete(post::id::equals(-1))
        .select(select!(post { title }))
        .exec()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::RecordNotFound);
    assert_eq!(
        c.post()
            .count(vec![post::author::is(vec![user::email::equals(
                "eve@ret.io"
            )])])
            .exec()
            .await?,
        1,
        "only `three` is left"
    );

    c.post()
        .delete_many(vec![post::author::is(vec![user::email::ends_with(
            "@ret.io",
        )])])
        .exec()
        .await?;
    c.user()
        .delete_many(vec![user::email::ends_with("@ret.io")])
        .exec()
        .await?;
    Ok(())
}

/// `create_many_and_return` and `update_many_and_return`: the records as stored, where the
/// database can return them (SQLite, PostgreSQL), and a clear error on MySQL, where Prisma has
/// neither (https://www.prisma.io/docs/orm/reference/prisma-client-reference#createmanyandreturn,
/// #updatemanyandreturn).
pub(crate) async fn many_and_return(c: &PrismaClient, backend: Dialect) -> R {
    let u = c.user();
    let rows = vec![
        ("r1@many.io".to_string(), vec![user::karma::set(1)]),
        ("r2@many.io".to_string(), vec![]),
        ("r3@many.io".to_string(), vec![user::karma::set(3)]),
    ];
    let created = u
        .create_many_and_return(rows.clone())
        .with(user::posts::fetch(vec![]))
        .exec()
        .await;
    if backend == Dialect::Mysql {
        let e = created.unwrap_err();
        assert_eq!(e.kind(), &ErrorKind::Configuration, "{e}");
        assert!(e.to_string().contains("use create_many"), "{e}");
        assert_eq!(
            u.count(vec![user::email::ends_with("@many.io")])
                .exec()
                .await?,
            0
        );
        let e = u
            .update_many_and_return(vec![], vec![user::karma::set(1)])
            .exec()
            .await
            .unwrap_err();
        assert_eq!(e.kind(), &ErrorKind::Configuration, "{e}");
        return Ok(());
    }
    let created = created?;
    let emails: Vec<(&str, i32)> = created
        .iter()
        .map(|u| (u.email.as_str(), u.karma))
        .collect();
    assert_eq!(
        emails,
        [("r1@many.io", 1), ("r2@many.io", 0), ("r3@many.io", 3)],
        "in order, defaults filled in"
    );
    assert!(created.iter().all(|u| u.id > 0 && u.posts().is_ok()));
    let again = u
        .create_many_and_return(rows)
        .skip_duplicates()
        .exec()
        .await?;
    assert!(again.is_empty(), "duplicates skipped, none returned");
    let updated = u
        .update_many_and_return(
            vec![user::email::ends_with("@many.io"), user::karma::gt(0)],
            vec![user::karma::increment(10)],
        )
        .exec()
        .await?;
    let mut karma: Vec<i32> = updated.iter().map(|u| u.karma).collect();
    karma.sort();
    assert_eq!(karma, [11, 13]);
    u.delete_many(vec![user::email::ends_with("@many.io")])
        .exec()
        .await?;
    Ok(())
}
