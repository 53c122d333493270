//! Reading: every filter, ordering and paging.

use sovereign::{and, not, or, Dialect, Direction, QueryMode};
use sovereign_tests::*;

use crate::R;

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

pub(crate) async fn emails(
    q: sovereign::FindMany<user::Data>,
) -> Result<Vec<String>, sovereign::Error> {
    Ok(q.order_by(user::email::order(Direction::Asc))
        .exec()
        .await?
        .into_iter()
        .map(|u| u.email)
        .collect())
}

pub(crate) async fn filters(c: &PrismaClient, backend: Dialect) -> R {
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
    // `not` on an optional field leaves NULLs out, as in Prisma (see `semantics`).
    assert_eq!(
        emails(u.find_many(vec![
            user::name::not(Some("bob".to_string())),
            user::karma::lt(30)
        ]))
        .await?,
        ["a@x.io"]
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

pub(crate) async fn paging(c: &PrismaClient) -> R {
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
