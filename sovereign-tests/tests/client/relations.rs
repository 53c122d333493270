//! Relations: fetching them, filtering by them, and compound keys.

use sovereign::{Direction, ErrorKind};
use sovereign_tests::*;

use crate::filters::emails;
use crate::R;

pub(crate) async fn relations(c: &PrismaClient) -> R {
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

pub(crate) async fn relation_filters(c: &PrismaClient) -> R {
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

pub(crate) async fn compound(c: &PrismaClient) -> R {
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
