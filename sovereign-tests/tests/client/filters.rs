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

/// Case-insensitive mode on every string filter, Json filters and full-text search, as Prisma's
/// (https://www.prisma.io/docs/orm/prisma-client/queries/case-sensitivity,
/// https://www.prisma.io/docs/orm/prisma-client/special-fields-and-types/working-with-json-fields#filter-on-a-json-field,
/// https://www.prisma.io/docs/orm/prisma-client/queries/full-text-search).
pub(crate) async fn more_filters(c: &PrismaClient, backend: Dialect) -> R {
    use sovereign::serde_json::json;
    let u = c.user();
    for (email, name, settings) in [
        (
            "a@mf.io",
            "Alice",
            json!({"theme": "dark", "tags": ["a", "b"], "n": {"x": 1}}),
        ),
        (
            "b@mf.io",
            "bob",
            json!({"theme": "light", "tags": ["b"], "n": {"x": 2}}),
        ),
        ("c@mf.io", "ALICIA", json!({"theme": "darker", "tags": []})),
    ] {
        u.create(
            email.into(),
            vec![
                user::name::set(Some(name.to_string())),
                user::settings::set(Some(settings)),
            ],
        )
        .exec()
        .await?;
    }
    let mine = || user::email::ends_with("@mf.io");
    let i = QueryMode::Insensitive;
    let find = |w: sovereign::Where<user::Data>| emails(u.find_many(vec![mine(), w]));
    // Insensitive: every string filter.
    assert_eq!(
        find(user::name::equals(Some("ALICE".into())).mode(i)).await?,
        ["a@mf.io"]
    );
    assert_eq!(
        find(user::name::not(Some("ALICE".into())).mode(i)).await?,
        ["b@mf.io", "c@mf.io"]
    );
    assert_eq!(
        find(user::name::in_vec(vec!["BOB".into(), "alicia".into()]).mode(i)).await?,
        ["b@mf.io", "c@mf.io"]
    );
    assert_eq!(
        find(user::name::not_in_vec(vec!["BOB".into()]).mode(i)).await?,
        ["a@mf.io", "c@mf.io"]
    );
    assert_eq!(find(user::name::gt("B").mode(i)).await?, ["b@mf.io"]);
    assert_eq!(
        find(user::name::lte("alicia").mode(i)).await?,
        ["a@mf.io", "c@mf.io"]
    );
    assert_eq!(
        find(user::name::ends_with("CIA").mode(i)).await?,
        ["c@mf.io"]
    );
    // Json: at a path, nested, whole values, strings and arrays.
    let s = |p: Vec<&'static str>| user::settings::path(p);
    assert_eq!(find(s(vec!["theme"]).equals("dark")).await?, ["a@mf.io"]);
    assert_eq!(find(s(vec!["n", "x"]).equals(2)).await?, ["b@mf.io"]);
    assert_eq!(
        find(s(vec!["theme"]).not("dark")).await?,
        ["b@mf.io", "c@mf.io"]
    );
    assert_eq!(
        find(s(vec!["theme"]).string_starts_with("dar")).await?,
        ["a@mf.io", "c@mf.io"]
    );
    assert_eq!(
        find(s(vec!["theme"]).string_contains("igh")).await?,
        ["b@mf.io"]
    );
    assert_eq!(
        find(s(vec!["theme"]).string_ends_with("er")).await?,
        ["c@mf.io"]
    );
    assert_eq!(
        find(s(vec!["tags"]).array_contains(json!(["b"]))).await?,
        ["a@mf.io", "b@mf.io"]
    );
    assert_eq!(
        find(s(vec!["tags"]).array_contains("a")).await?,
        ["a@mf.io"]
    );
    assert_eq!(
        find(s(vec![]).equals(json!({"theme": "darker", "tags": []}))).await?,
        ["c@mf.io"]
    );
    // Full-text search: PostgreSQL; MySQL with a FULLTEXT index; SQLite has none (an error).
    let ann = u.find_first_or_throw(vec![mine()]).exec().await?;
    for body in [
        "ferris the rustacean crab",
        "a crab of the sea",
        "nothing here",
    ] {
        c.post()
            .create(
                "mf".into(),
                user::id::equals(ann.id),
                vec![post::body::set(Some(body.to_string()))],
            )
            .exec()
            .await?;
    }
    if backend == Dialect::Mysql {
        c._execute_raw(sovereign::raw!(
            "ALTER TABLE `Post` ADD FULLTEXT INDEX `Post_body_ft` (`body`)"
        ))
        .await?;
    }
    let q = match backend {
        Dialect::Mysql => "+crab +rustacean",
        _ => "crab & rustacean",
    };
    let found = c
        .post()
        .find_many(vec![post::title::equals("mf"), post::body::search(q)])
        .exec()
        .await;
    if backend == Dialect::Sqlite {
        assert!(found.is_err(), "no full-text search on SQLite");
    } else {
        let found = found?;
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].body.as_deref(), Some("ferris the rustacean crab"));
        let crabs = c
            .post()
            .count(vec![post::title::equals("mf"), post::body::search("crab")])
            .exec()
            .await?;
        assert_eq!(crabs, 2);
    }
    c.post()
        .delete_many(vec![post::title::equals("mf")])
        .exec()
        .await?;
    u.delete_many(vec![mine()]).exec().await?;
    Ok(())
}
