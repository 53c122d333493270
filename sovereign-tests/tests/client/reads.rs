//! Reads beyond `find_many`: the `..._or_throw` forms.

use sovereign::{Direction, ErrorKind, Nulls};
use sovereign_tests::*;

use crate::R;

/// `find_unique_or_throw` and `find_first_or_throw`: the record, or
/// [`ErrorKind::RecordNotFound`] (Prisma's P2025) when none matches.
/// https://www.prisma.io/docs/orm/reference/prisma-client-reference#finduniqueorthrow and
/// https://www.prisma.io/docs/orm/reference/prisma-client-reference#findfirstorthrow
pub(crate) async fn or_throw(c: &PrismaClient) -> R {
    let u = c.user();
    let ada = u.create("ada@throw.io".into(), vec![]).exec().await?;
    for i in 0..3 {
        c.post()
            .create(
                format!("throw {i}"),
                user::id::equals(ada.id),
                vec![post::views::set(i)],
            )
            .exec()
            .await?;
    }
    let found = u
        .find_unique_or_throw(user::email::equals("ada@throw.io"))
        .with(user::posts::fetch(vec![]).order_by(post::views::order(Direction::Desc)))
        .exec()
        .await?;
    assert_eq!(found.id, ada.id);
    assert_eq!(found.posts()?[0].title, "throw 2");
    let e = u
        .find_unique_or_throw(user::email::equals("nobody@throw.io"))
        .exec()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::RecordNotFound, "{e}");
    assert!(e.to_string().contains("User"), "names the model: {e}");
    let email = u
        .find_unique_or_throw(user::id::equals(ada.id))
        .select(sovereign::select!(user { email }))
        .exec()
        .await?;
    assert_eq!(email.email, "ada@throw.io");
    assert!(u
        .find_unique_or_throw(user::id::equals(-1))
        .select(sovereign::select!(user { email }))
        .exec()
        .await
        .unwrap_err()
        .is_not_found());

    let p = c.post();
    let top = p
        .find_first_or_throw(vec![post::title::starts_with("throw ")])
        .order_by(post::views::order(Direction::Desc))
        .skip(1)
        .with(post::author::fetch())
        .exec()
        .await?;
    assert_eq!((top.views, top.author()?.id), (1, ada.id));
    let e = p
        .find_first_or_throw(vec![post::views::gt(100)])
        .exec()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::RecordNotFound, "{e}");
    let title = p
        .find_first_or_throw(vec![post::title::starts_with("throw ")])
        .order_by(post::views::order(Direction::Asc))
        .select(sovereign::select!(post { title }))
        .exec()
        .await?;
    assert_eq!(title.title, "throw 0");
    assert!(p
        .find_first_or_throw(vec![post::views::gt(100)])
        .select(sovereign::select!(post { title }))
        .exec()
        .await
        .unwrap_err()
        .is_not_found());
    // Plain find_first with a selection.
    let none = p
        .find_first(vec![post::views::gt(100)])
        .select(sovereign::select!(post { id }))
        .exec()
        .await?;
    assert!(none.is_none());

    // In a transaction the error rolls everything back, as any error of the closure does.
    let r = c
        ._transaction()
        .run(|tx| async move {
            tx.user()
                .update(user::id::equals(ada.id), vec![user::karma::set(5)])
                .exec()
                .await?;
            tx.post()
                .find_first_or_throw(vec![post::views::gt(100)])
                .exec()
                .await
        })
        .await;
    assert!(r.unwrap_err().is_not_found());
    assert_eq!(
        u.find_unique_or_throw(user::id::equals(ada.id))
            .exec()
            .await?
            .karma,
        0
    );

    c.post()
        .delete_many(vec![post::author_id::equals(ada.id)])
        .exec()
        .await?;
    u.delete(user::id::equals(ada.id)).exec().await?;
    Ok(())
}

/// `select!` of relation fields (nested selections with their own filters, order and paging)
/// and `_count` of relations, as Prisma's `select` of relations and `_count`
/// (https://www.prisma.io/docs/orm/prisma-client/queries/select-fields#select-specific-relation-fields,
/// https://www.prisma.io/docs/orm/prisma-client/queries/aggregation-grouping-summarizing#count-relations).
pub(crate) async fn relation_selects(c: &PrismaClient) -> R {
    let ida = c
        .user()
        .create(
            "ida@sel.io".into(),
            vec![
                user::profile::create("ida's".into(), vec![]),
                user::posts::create("draft".into(), vec![]),
                user::posts::create(
                    "rust".into(),
                    vec![
                        post::published::set(true),
                        post::categories::create("sel lang".into(), vec![]),
                    ],
                ),
                user::posts::create("sql".into(), vec![post::published::set(true)]),
            ],
        )
        .exec()
        .await?;
    let jo = c
        .user()
        .create(
            "jo@sel.io".into(),
            vec![user::mentor::connect(user::id::equals(ida.id))],
        )
        .exec()
        .await?;
    let rust = c
        .post()
        .find_first_or_throw(vec![post::title::equals("rust")])
        .exec()
        .await?;
    for text in ["rust is fast", "rust is safe", "sql"] {
        c.comment()
            .create(
                text.into(),
                post::id::equals(rust.id),
                user::id::equals(jo.id),
                vec![],
            )
            .exec()
            .await?;
    }
    let users = c
        .user()
        .find_many(vec![user::email::ends_with("@sel.io")])
        .order_by(user::email::order(Direction::Asc))
        .select(sovereign::select!(user {
            email
            posts(vec![post::published::equals(true)]).order_by(post::id::order(Direction::Desc)).take(5): select {
                title
                comments(vec![comment::text::starts_with("rust")]): select {
                    text
                    author: select { email }
                }
                categories: select { name }
                _count { comments }
            }
            profile: select { bio }
            mentor: select { email }
            _count { posts comments mentees(vec![user::email::starts_with("jo")]) }
        }))
        .exec()
        .await?;
    assert_eq!(users.len(), 2);
    let (ida_s, jo_s) = (&users[0], &users[1]);
    assert_eq!(ida_s.email, "ida@sel.io");
    let titles: Vec<&str> = ida_s.posts.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(titles, ["sql", "rust"], "published, newest first");
    let rust_s = &ida_s.posts[1];
    let texts: Vec<&str> = rust_s.comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts.len(), 2);
    assert!(texts.iter().all(|t| t.starts_with("rust")));
    assert_eq!(
        rust_s.comments[0].author.as_ref().map(|a| a.email.as_str()),
        Some("jo@sel.io")
    );
    assert_eq!(rust_s.categories[0].name, "sel lang");
    assert_eq!(
        rust_s._count.comments, 3,
        "counts are not filtered by the fetch"
    );
    assert_eq!(ida_s.posts[0]._count.comments, 0);
    assert_eq!(
        ida_s.profile.as_ref().map(|p| p.bio.as_str()),
        Some("ida's")
    );
    assert!(ida_s.mentor.is_none());
    assert_eq!(
        (
            ida_s._count.posts,
            ida_s._count.comments,
            ida_s._count.mentees
        ),
        (3, 0, 1)
    );
    assert!(jo_s.posts.is_empty() && jo_s.profile.is_none());
    assert_eq!(
        jo_s.mentor.as_ref().map(|m| m.email.as_str()),
        Some("ida@sel.io")
    );
    assert_eq!((jo_s._count.posts, jo_s._count.comments), (0, 3));
    // Serialized with the schema's names, relations and counts included.
    let json = sovereign::serde_json::to_value(ida_s)?;
    assert_eq!(
        json["posts"][1]["comments"][0]["author"]["email"],
        "jo@sel.io"
    );
    assert_eq!(json["_count"]["mentees"], 1);
    assert_eq!(json["profile"]["bio"], "ida's");
    // On one record, backwards, and after a write.
    let last = c
        .user()
        .find_unique_or_throw(user::id::equals(ida.id))
        .select(sovereign::select!(user {
            posts(vec![]).order_by(post::id::order(Direction::Asc)).take(-1): select { title }
        }))
        .exec()
        .await?;
    assert_eq!(last.posts.len(), 1);
    assert_eq!(last.posts[0].title, "sql");
    let created = c
        .post()
        .create(
            "new".into(),
            user::id::equals(jo.id),
            vec![post::categories::connect(vec![category::name::equals(
                "sel lang",
            )])],
        )
        .select(sovereign::select!(post {
            title
            author: select { email _count { posts } }
            categories: select { name _count { posts } }
        }))
        .exec()
        .await?;
    assert_eq!(created.author.as_ref().map(|a| a._count.posts), Some(1));
    assert_eq!(created.categories[0]._count.posts, 2);

    c.post()
        .delete_many(vec![post::author::is(vec![user::email::ends_with(
            "@sel.io",
        )])])
        .exec()
        .await?;
    c.category()
        .delete_many(vec![category::name::equals("sel lang")])
        .exec()
        .await?;
    c.user()
        .update_many(
            vec![user::email::ends_with("@sel.io")],
            vec![user::mentor::disconnect()],
        )
        .exec()
        .await?;
    c.user()
        .delete_many(vec![user::email::ends_with("@sel.io")])
        .exec()
        .await?;
    Ok(())
}

/// Ordering by a to-one relation's field, by a relation's count, with NULLs first or last, and
/// `distinct`, as Prisma's
/// (https://www.prisma.io/docs/orm/prisma-client/queries/filtering-and-sorting#sort-by-relation,
/// #sort-with-null-records-first-or-last, and
/// https://www.prisma.io/docs/orm/reference/prisma-client-reference#distinct: the first record
/// of each combination, in memory, `take`/`skip` after it).
pub(crate) async fn ordering(c: &PrismaClient) -> R {
    let u = c.user();
    let mut users = Vec::new();
    for (email, name, posts) in [
        ("b@ord.io", Some("Bea"), 1),
        ("a@ord.io", None, 3),
        ("d@ord.io", Some("Al"), 0),
        ("c@ord.io", None, 2),
    ] {
        let sets = (0..posts)
            .map(|i| user::posts::create(format!("ord {email} {i}"), vec![]))
            .chain([user::name::set(name.map(str::to_string))])
            .collect();
        users.push(u.create(email.into(), sets).exec().await?);
    }
    let mine = || vec![user::email::ends_with("@ord.io")];
    let emails = |v: Vec<user::Data>| v.into_iter().map(|u| u.email).collect::<Vec<_>>();
    // NULLs first or last, whatever the database's default.
    let names = u
        .find_many(mine())
        .order_by(user::name::order(Direction::Asc).nulls(Nulls::Last))
        .order_by(user::email::order(Direction::Asc))
        .exec()
        .await?;
    assert_eq!(
        emails(names),
        ["d@ord.io", "b@ord.io", "a@ord.io", "c@ord.io"]
    );
    let names = u
        .find_many(mine())
        .order_by(user::name::order(Direction::Desc).nulls(Nulls::First))
        .order_by(user::email::order(Direction::Asc))
        .exec()
        .await?;
    assert_eq!(
        emails(names),
        ["a@ord.io", "c@ord.io", "b@ord.io", "d@ord.io"]
    );
    // By the number of posts.
    let busy = u
        .find_many(mine())
        .order_by(user::posts::order_count(Direction::Desc))
        .exec()
        .await?;
    assert_eq!(
        emails(busy),
        ["a@ord.io", "c@ord.io", "b@ord.io", "d@ord.io"]
    );
    // Posts by their author's email, then their title: also with paging and backwards.
    let posts = c
        .post()
        .find_many(vec![post::title::starts_with("ord ")])
        .order_by(post::author::order(user::email::order(Direction::Desc)))
        .order_by(post::title::order(Direction::Asc))
        .take(4)
        .exec()
        .await?;
    let titles: Vec<&str> = posts.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "ord c@ord.io 0",
            "ord c@ord.io 1",
            "ord b@ord.io 0",
            "ord a@ord.io 0"
        ]
    );
    let last = c
        .post()
        .find_many(vec![post::title::starts_with("ord ")])
        .order_by(post::author::order(
            user::name::order(Direction::Asc).nulls(Nulls::First),
        ))
        .order_by(post::title::order(Direction::Asc))
        .take(-1)
        .exec()
        .await?;
    assert_eq!(last[0].title, "ord b@ord.io 0", "Bea's post is last");
    // distinct: the first user of each name (NULL is a value), then paging.
    let firsts = u
        .find_many(mine())
        .order_by(user::email::order(Direction::Asc))
        .distinct(vec![user::name::distinct()])
        .exec()
        .await?;
    assert_eq!(emails(firsts), ["a@ord.io", "b@ord.io", "d@ord.io"]);
    let page = u
        .find_many(mine())
        .order_by(user::email::order(Direction::Asc))
        .distinct(vec![user::name::distinct()])
        .skip(1)
        .take(1)
        .exec()
        .await?;
    assert_eq!(emails(page), ["b@ord.io"]);
    let back = u
        .find_many(mine())
        .order_by(user::email::order(Direction::Asc))
        .distinct(vec![user::name::distinct(), user::role::distinct()])
        .take(-2)
        .select(sovereign::select!(user { email }))
        .exec()
        .await?;
    let back: Vec<&str> = back.iter().map(|s| s.email.as_str()).collect();
    assert_eq!(back, ["b@ord.io", "d@ord.io"]);

    c.post()
        .delete_many(vec![post::title::starts_with("ord ")])
        .exec()
        .await?;
    u.delete_many(mine()).exec().await?;
    Ok(())
}

/// A `find_many` result keeps its records and no more: the room its vector grew into while
/// the rows came is given back (100,000 users kept 45 MB for 35 MB of records).
pub(crate) async fn results_fit(c: &PrismaClient) -> R {
    let u = c.user();
    let rows = (0..5).map(|i| (format!("fit{i}@fit.io"), vec![])).collect();
    u.create_many(rows).exec().await?;
    let found = u
        .find_many(vec![user::email::ends_with("@fit.io")])
        .exec()
        .await?;
    assert_eq!(found.len(), 5);
    assert_eq!(found.capacity(), found.len(), "the result keeps spare room");
    Ok(())
}
