//! Edge semantics where Prisma is the reference: each case here once gave another answer than
//! Prisma's. The Prisma behaviour each relies on is named with its documentation page, and was
//! checked against Prisma 7 on SQLite, PostgreSQL and MariaDB
//! (`/work/shared/prisma-oracle/client-peer`).

use sovereign::{raw, Dialect, Direction};
use sovereign_tests::*;

use crate::R;

/// Users of this part of the suite: `s0@sem.io` ... in id order, names `None` for `s2`.
async fn seed(c: &PrismaClient) -> Result<Vec<user::Data>, sovereign::Error> {
    let mut out = Vec::new();
    for (i, name) in [Some("Alice"), Some("bob"), None, Some("cy"), Some("dee")]
        .into_iter()
        .enumerate()
    {
        out.push(
            c.user()
                .create(
                    format!("s{i}@sem.io"),
                    vec![
                        user::name::set(name.map(str::to_string)),
                        user::karma::set(i as i32),
                    ],
                )
                .exec()
                .await?,
        );
    }
    Ok(out)
}

fn ids(users: &[user::Data]) -> Vec<i32> {
    users.iter().map(|u| u.id).collect()
}

pub(crate) async fn semantics(c: &PrismaClient, backend: Dialect) -> R {
    let users = seed(c).await?;
    let mine = || user::email::ends_with("@sem.io");
    let u = c.user();

    // `not` compares like SQL's `<>`: a NULL is not "not equal", so rows whose field is NULL are
    // left out. https://www.prisma.io/docs/orm/reference/prisma-client-reference#not
    // (`{ name: { not: "bob" } }` returns the named users other than bob, not the unnamed one).
    let not_bob = u
        .find_many(vec![mine(), user::name::not(Some("bob".to_string()))])
        .order_by(user::id::order(Direction::Asc))
        .exec()
        .await?;
    assert_eq!(
        ids(&not_bob),
        [users[0].id, users[3].id, users[4].id],
        "`not` leaves out NULLs"
    );
    // `not: null` is "is not NULL".
    assert_eq!(
        u.count(vec![mine(), user::name::not(None)]).exec().await?,
        4
    );

    // A negative `take` pages backwards from the cursor (included), and the page keeps the
    // query's order. https://www.prisma.io/docs/orm/prisma-client/queries/pagination
    // (cursor `{ id: 5 }`, `take: -2` gives 4 and 5; `skip: 1` then skips the cursor: 3 and 4).
    let by_id = |q: sovereign::FindMany<user::Data>| q.order_by(user::id::order(Direction::Asc));
    let back = by_id(u.find_many(vec![mine()]))
        .cursor(user::id::equals(users[3].id))
        .take(-2)
        .exec()
        .await?;
    assert_eq!(
        ids(&back),
        [users[2].id, users[3].id],
        "take -2 from a cursor"
    );
    let back = by_id(u.find_many(vec![mine()]))
        .cursor(user::id::equals(users[3].id))
        .take(-2)
        .skip(1)
        .exec()
        .await?;
    assert_eq!(
        ids(&back),
        [users[1].id, users[2].id],
        "skip 1 leaves the cursor out"
    );
    let back = u
        .find_many(vec![mine()])
        .order_by(user::karma::order(Direction::Desc))
        .cursor(user::id::equals(users[3].id))
        .take(-2)
        .exec()
        .await?;
    assert_eq!(
        ids(&back),
        [users[4].id, users[3].id],
        "backwards in a descending order"
    );
    // Without a cursor: the last records.
    let last = by_id(u.find_many(vec![mine()])).take(-2).exec().await?;
    assert_eq!(
        ids(&last),
        [users[3].id, users[4].id],
        "take -2: the last two"
    );
    let last = by_id(u.find_many(vec![mine()]))
        .take(-2)
        .skip(1)
        .exec()
        .await?;
    assert_eq!(ids(&last), [users[2].id, users[3].id]);
    // The same per parent in a relation load: the last post of each author.
    for (i, author) in users.iter().take(2).enumerate() {
        for j in 0..3 {
            c.post()
                .create(format!("sem {i}.{j}"), user::id::equals(author.id), vec![])
                .exec()
                .await?;
        }
    }
    let authors = by_id(u.find_many(vec![mine()]))
        .take(2)
        .with(
            user::posts::fetch(vec![])
                .order_by(post::id::order(Direction::Asc))
                .take(-1),
        )
        .exec()
        .await?;
    let titles: Vec<Vec<&str>> = authors
        .iter()
        .map(|a| Ok(a.posts()?.iter().map(|p| p.title.as_str()).collect()))
        .collect::<Result<_, sovereign::Error>>()?;
    assert_eq!(titles, [vec!["sem 0.2"], vec!["sem 1.2"]]);

    // Selected fields serialize with the schema's names, as the data structs do.
    // https://www.prisma.io/docs/orm/prisma-client/queries/select-fields
    let picked = c
        .post()
        .find_first(vec![post::title::equals("sem 0.0")])
        .exec()
        .await?
        .ok_or("sem 0.0")?;
    let selected = c
        .post()
        .find_unique(post::id::equals(picked.id))
        .select(sovereign::select!(post { author_id created_at }))
        .exec()
        .await?
        .ok_or("selected")?;
    let json = sovereign::serde_json::to_value(&selected)?;
    assert_eq!(
        json.as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["authorId".to_string(), "createdAt".to_string()]),
        "{json}"
    );
    assert_eq!(json["authorId"], users[0].id);

    // A raw query may compare an enum column with a string: PostgreSQL infers the parameter's
    // type, as with Prisma's PostgreSQL adapter, which sends parameters untyped.
    // https://www.prisma.io/docs/orm/prisma-client/using-raw-sql/raw-queries
    let sql = if backend == Dialect::Mysql {
        "SELECT `email` FROM `users` WHERE `role` = {} AND `email` LIKE {} ORDER BY `id`"
    } else {
        r#"SELECT "email" FROM "users" WHERE "role" = {} AND "email" LIKE {} ORDER BY "id""#
    };
    u.update(
        user::id::equals(users[1].id),
        vec![user::role::set(Role::Admin)],
    )
    .exec()
    .await?;
    let admins: Vec<(String,)> = c
        ._query_raw(sovereign::Raw::new(
            sql,
            vec!["ADMIN".into(), "%@sem.io".into()],
        ))
        .await?;
    assert_eq!(admins, [("s1@sem.io".to_string(),)]);
    let members: Vec<(String,)> = c
        ._query_raw(sovereign::Raw::new(
            sql,
            vec![Role::Member.into(), "%@sem.io".into()],
        ))
        .await?;
    assert_eq!(members.len(), 4);
    let n = c
        ._execute_raw(raw!(
            "UPDATE users SET karma = 7 WHERE role = {} AND email = {}",
            "ADMIN",
            "s1@sem.io"
        ))
        .await?;
    assert_eq!(n, 1);

    // A create that connects a missing record fails as not found and writes nothing: Prisma
    // looks the record up first, so no id is used up and the next create gets the next one.
    // https://www.prisma.io/docs/orm/reference/error-reference#p2025
    let first = c
        .post()
        .create("seq a".into(), user::id::equals(users[0].id), vec![])
        .exec()
        .await?;
    for missing in [-7, -8] {
        let e = c
            .post()
            .create("seq x".into(), user::id::equals(missing), vec![])
            .exec()
            .await
            .unwrap_err();
        assert!(e.is_not_found(), "{e:?}");
    }
    let e = c
        .user()
        .create(
            "seq@sem.io".into(),
            vec![user::mentor::connect(user::id::equals(-9))],
        )
        .exec()
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "an optional relation too: {e:?}");
    assert_eq!(
        u.count(vec![user::email::equals("seq@sem.io")])
            .exec()
            .await?,
        0
    );
    // An update that connects a missing record fails the same way, and changes nothing.
    let e = u
        .update(
            user::id::equals(users[4].id),
            vec![
                user::karma::set(99),
                user::mentor::connect(user::id::equals(-9)),
            ],
        )
        .exec()
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
    let unchanged = u
        .find_unique(user::id::equals(users[4].id))
        .exec()
        .await?
        .ok_or("s4")?;
    assert_eq!((unchanged.karma, unchanged.mentor_id), (4, None));
    let next = c
        .post()
        .create("seq b".into(), user::id::equals(users[0].id), vec![])
        .exec()
        .await?;
    assert_eq!(next.id, first.id + 1, "no id used up by the failed creates");

    c.post()
        .delete_many(vec![post::author::is(vec![mine()])])
        .exec()
        .await?;
    u.delete_many(vec![mine()]).exec().await?;
    Ok(())
}
