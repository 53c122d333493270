//! Nested writes in `create` and `update`: every operation on every kind of relation, and a
//! failure half-way that leaves nothing behind.
//!
//! Prisma is the reference (https://www.prisma.io/docs/orm/prisma-client/queries/relation-queries#nested-writes,
//! errors: https://www.prisma.io/docs/orm/reference/error-reference), checked against Prisma 7 on
//! SQLite, PostgreSQL and MariaDB: a connect that finds nothing is P2025/P2018 (here
//! `RecordNotFound`), unlinking a record whose foreign key is required is P2014
//! (`RequiredRelationViolation`), a nested delete of a record not linked is P2017
//! (`RecordsNotConnected`), disconnecting a record that is not linked is not an error.

use sovereign::{Direction, ErrorKind};
use sovereign_tests::*;

use crate::R;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// The number of rows of every table the nested writes touch.
async fn counts(c: &PrismaClient) -> Res<[i64; 7]> {
    Ok([
        c.user().count(vec![]).exec().await?,
        c.post().count(vec![]).exec().await?,
        c.profile().count(vec![]).exec().await?,
        c.comment().count(vec![]).exec().await?,
        c.category().count(vec![]).exec().await?,
        c.tag_on_post().count(vec![]).exec().await?,
        c.group().count(vec![]).exec().await?,
    ])
}

fn titles(posts: &[post::Data]) -> Vec<&str> {
    posts.iter().map(|p| p.title.as_str()).collect()
}

async fn posts_of(c: &PrismaClient, id: i32) -> Res<Vec<String>> {
    Ok(c.post()
        .find_many(vec![post::author_id::equals(id)])
        .order_by(post::id::order(Direction::Asc))
        .exec()
        .await?
        .into_iter()
        .map(|p| p.title)
        .collect())
}

async fn categories_of(c: &PrismaClient, id: i32) -> Res<Vec<String>> {
    let p = c
        .post()
        .find_unique_or_throw(post::id::equals(id))
        .with(post::categories::fetch(vec![]).order_by(category::name::order(Direction::Asc)))
        .exec()
        .await?;
    Ok(p.categories()?.iter().map(|c| c.name.clone()).collect())
}

pub(crate) async fn nested(c: &PrismaClient) -> R {
    creates(c).await.map_err(|e| format!("creates: {e}"))?;
    to_many(c).await.map_err(|e| format!("to_many: {e}"))?;
    to_one(c).await.map_err(|e| format!("to_one: {e}"))?;
    many_to_many(c)
        .await
        .map_err(|e| format!("many_to_many: {e}"))?;
    rollback(c).await.map_err(|e| format!("rollback: {e}"))?;
    // Clean up: comments and tags go with their posts and profiles with their users (cascades).
    c.group()
        .delete_many(vec![group::name::ends_with("@nest")])
        .exec()
        .await?;
    c.post()
        .delete_many(vec![post::author::is(vec![user::email::ends_with(
            "@nest.io",
        )])])
        .exec()
        .await?;
    c.category()
        .delete_many(vec![category::name::starts_with("nest ")])
        .exec()
        .await?;
    c.tag()
        .delete_many(vec![tag::label::starts_with("nest ")])
        .exec()
        .await?;
    c.user()
        .update_many(
            vec![user::email::ends_with("@nest.io")],
            vec![user::mentor::disconnect()],
        )
        .exec()
        .await?;
    c.user()
        .delete_many(vec![user::email::ends_with("@nest.io")])
        .exec()
        .await?;
    Ok(())
}

/// A create with nested writes on every kind of relation, three levels deep.
async fn creates(c: &PrismaClient) -> R {
    let cy = c.user().create("cy@nest.io".into(), vec![]).exec().await?;
    let rust = c
        .category()
        .create("nest rust".into(), vec![])
        .exec()
        .await?;
    let ann = c
        .user()
        .create(
            "ann@nest.io".into(),
            vec![
                user::name::set(Some("Ann".to_string())),
                // To-one, the related model holds the foreign key.
                user::profile::create("ann's".into(), vec![]),
                // To-one, this model holds the foreign key (a self relation).
                user::mentor::create("mentor@nest.io".into(), vec![]),
                // To-many: plain creates go in one INSERT; a create with nested writes of its
                // own goes alone, three levels deep.
                user::posts::create("a".into(), vec![post::views::set(1)]),
                user::posts::create("b".into(), vec![]),
                user::posts::create(
                    "c".into(),
                    vec![
                        post::comments::create("first".into(), user::id::equals(cy.id), vec![]),
                        post::categories::connect(vec![category::id::equals(rust.id)]),
                        post::categories::create("nest db".into(), vec![]),
                        post::categories::connect_or_create(
                            category::name::equals("nest web"),
                            ("nest web".into(), vec![]),
                        ),
                    ],
                ),
                user::posts::create_many(vec![
                    ("d".into(), vec![]),
                    ("e".into(), vec![post::published::set(true)]),
                ]),
            ],
        )
        .exec()
        .await?;
    assert_eq!(ann.name.as_deref(), Some("Ann"));
    let ann = c
        .user()
        .find_unique_or_throw(user::id::equals(ann.id))
        .with(user::profile::fetch())
        .with(user::mentor::fetch())
        .with(
            user::posts::fetch(vec![])
                .order_by(post::id::order(Direction::Asc))
                .with(post::comments::fetch(vec![]).with(comment::author::fetch()))
                .with(
                    post::categories::fetch(vec![]).order_by(category::name::order(Direction::Asc)),
                ),
        )
        .exec()
        .await?;
    assert_eq!(ann.profile()?.map(|p| p.bio.as_str()), Some("ann's"));
    assert_eq!(
        ann.mentor()?.map(|m| m.email.as_str()),
        Some("mentor@nest.io")
    );
    let posts = ann.posts()?;
    assert_eq!(titles(posts), ["a", "b", "c", "d", "e"]);
    assert_eq!((posts[0].views, posts[4].published), (1, true));
    assert_eq!(posts[2].comments()?[0].author()?.email, "cy@nest.io");
    let cats: Vec<&str> = posts[2]
        .categories()?
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(cats, ["nest db", "nest rust", "nest web"]);
    // One instant per request, as Prisma's engine takes: every record the create wrote, at every
    // level, holds the same `@default(now())` and `@updatedAt` (PostgreSQL and MySQL keep
    // microseconds, where two reads of the clock differ).
    let mentor = ann.mentor()?.expect("a mentor");
    let stamps: Vec<_> = [ann.updated_at, mentor.created_at, mentor.updated_at]
        .into_iter()
        .chain(posts.iter().map(|p| p.created_at))
        .collect();
    assert!(
        stamps.iter().all(|&t| t == ann.created_at),
        "one instant for the whole create: {} and {stamps:?}",
        ann.created_at
    );
    // Plain nested creates only, the usual nested create (on SQLite run on one connection, in
    // one future): the posts in order, linked, of the request's one instant.
    let flat = c
        .user()
        .create(
            "flat@nest.io".into(),
            vec![
                user::posts::create("f1".into(), vec![post::views::set(7)]),
                user::name::set(Some("Flat".into())),
                user::posts::create("f2".into(), vec![post::views::set(8)]),
            ],
        )
        .exec()
        .await?;
    assert_eq!(flat.name.as_deref(), Some("Flat"));
    let posts = c
        .post()
        .find_many(vec![post::author_id::equals(flat.id)])
        .order_by(post::id::order(Direction::Asc))
        .exec()
        .await?;
    assert_eq!(titles(&posts), ["f1", "f2"]);
    let seen: Vec<_> = posts.iter().map(|p| (p.views, p.created_at)).collect();
    assert_eq!(seen, [(7, flat.created_at), (8, flat.created_at)]);

    // To-one from the side that holds the foreign key: create, connect_or_create.
    let p = c
        .post()
        .create(
            "by a new author".into(),
            user::id::equals(cy.id),
            vec![post::author::create("dan@nest.io".into(), vec![])],
        )
        .exec()
        .await?;
    let dan = c
        .user()
        .find_unique_or_throw(user::email::equals("dan@nest.io"))
        .exec()
        .await?;
    assert_eq!(
        p.author_id, dan.id,
        "the nested create replaces the connect"
    );
    let p = c
        .post()
        .create(
            "by an existing author".into(),
            user::id::equals(cy.id),
            vec![post::author::connect_or_create(
                user::email::equals("dan@nest.io"),
                ("never@nest.io".into(), vec![]),
            )],
        )
        .exec()
        .await?;
    assert_eq!(p.author_id, dan.id);
    // An explicit many-to-many relation: a tag created with its link to a post.
    let tag = c
        .tag()
        .create(
            "nest t".into(),
            vec![tag::posts::create(
                post::id::equals(p.id),
                vec![tag_on_post::note::set(Some("n".to_string()))],
            )],
        )
        .exec()
        .await?;
    let links = c
        .tag_on_post()
        .find_many(vec![tag_on_post::tag_id::equals(tag.id.clone())])
        .exec()
        .await?;
    assert_eq!(links.len(), 1);
    assert_eq!(
        (links[0].post_id, links[0].note.as_deref()),
        (p.id, Some("n"))
    );
    // An implicit many-to-many relation between records with client-generated ids.
    let g = c
        .group()
        .create(
            "devs@nest".into(),
            vec![
                group::members::connect(vec![user::id::equals(ann.id)]),
                group::members::create("gm@nest.io".into(), vec![]),
            ],
        )
        .exec()
        .await?;
    let g = c
        .group()
        .find_unique_or_throw(group::id::equals(g.id))
        .with(group::members::fetch(vec![]).order_by(user::email::order(Direction::Asc)))
        .exec()
        .await?;
    let members: Vec<&str> = g.members()?.iter().map(|u| u.email.as_str()).collect();
    assert_eq!(members, ["ann@nest.io", "gm@nest.io"]);
    Ok(())
}

/// Every nested write on a one-to-many relation, in `update`.
async fn to_many(c: &PrismaClient) -> R {
    let ann = c
        .user()
        .find_unique_or_throw(user::email::equals("ann@nest.io"))
        .exec()
        .await?;
    let bob = c
        .user()
        .create(
            "bob@nest.io".into(),
            vec![user::posts::create("bob 1".into(), vec![])],
        )
        .exec()
        .await?;
    let bob1 = c
        .post()
        .find_first_or_throw(vec![post::title::equals("bob 1")])
        .exec()
        .await?;
    let a = c
        .post()
        .find_first_or_throw(vec![post::title::equals("a")])
        .exec()
        .await?;
    // connect moves a post; connect_or_create connects or creates; create; fields change too.
    let bob = c
        .user()
        .update(
            user::id::equals(bob.id),
            vec![
                user::karma::set(3),
                user::posts::connect(vec![post::id::equals(a.id)]),
                user::posts::connect_or_create(post::id::equals(a.id), ("never".into(), vec![])),
                user::posts::connect_or_create(post::id::equals(-1), ("bob 2".into(), vec![])),
                user::posts::create("bob 3".into(), vec![post::views::set(30)]),
            ],
        )
        .exec()
        .await?;
    assert_eq!(bob.karma, 3);
    assert_eq!(posts_of(c, bob.id).await?, ["a", "bob 1", "bob 2", "bob 3"]);
    assert_eq!(posts_of(c, ann.id).await?, ["b", "c", "d", "e"]);
    // A connect that finds nothing: RecordNotFound, and nothing changed.
    let e = c
        .user()
        .update(
            user::id::equals(bob.id),
            vec![
                user::karma::set(4),
                user::posts::connect(vec![post::id::equals(bob1.id), post::id::equals(-5)]),
            ],
        )
        .exec()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::RecordNotFound, "{e}");
    assert_eq!(
        c.user()
            .find_unique_or_throw(user::id::equals(bob.id))
            .exec()
            .await?
            .karma,
        3
    );
    // update and upsert of linked records; update_many; delete; delete_many.
    c.user()
        .update(
            user::id::equals(bob.id),
            vec![
                user::posts::update(post::id::equals(bob1.id), vec![post::views::set(11)]),
                user::posts::upsert(
                    post::id::equals(bob1.id),
                    ("never".into(), vec![]),
                    vec![post::views::increment(1)],
                ),
                user::posts::upsert(
                    post::id::equals(-1),
                    ("bob 4".into(), vec![]),
                    vec![post::views::increment(1)],
                ),
                user::posts::update_many(
                    vec![post::title::starts_with("bob")],
                    vec![post::published::set(true)],
                ),
                user::posts::delete(vec![post::id::equals(a.id)]),
                user::posts::delete_many(vec![post::views::gte(30)]),
            ],
        )
        .exec()
        .await?;
    let posts = c
        .post()
        .find_many(vec![post::author_id::equals(bob.id)])
        .order_by(post::id::order(Direction::Asc))
        .exec()
        .await?;
    assert_eq!(titles(&posts), ["bob 1", "bob 2", "bob 4"]);
    assert_eq!(posts[0].views, 12);
    assert!(posts.iter().all(|p| p.published));
    // A linked record that is not there, or not linked.
    let b = c
        .post()
        .find_first_or_throw(vec![post::title::equals("b")])
        .exec()
        .await?;
    let e = c
        .user()
        .update(
            user::id::equals(bob.id),
            vec![user::posts::update(
                post::id::equals(b.id),
                vec![post::views::set(1)],
            )],
        )
        .exec()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::RecordNotFound, "{e}");
    let e = c
        .user()
        .update(
            user::id::equals(bob.id),
            vec![user::posts::delete(vec![post::id::equals(b.id)])],
        )
        .exec()
        .await
        .unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::RecordsNotConnected { relation } if relation == "User.posts"),
        "{e:?}"
    );
    // A post's author is required: unlinking one is a violation, and changes nothing.
    for op in [
        user::posts::disconnect(vec![post::id::equals(bob1.id)]),
        user::posts::set(vec![]),
    ] {
        let e = c
            .user()
            .update(user::id::equals(bob.id), vec![op])
            .exec()
            .await
            .unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::RequiredRelationViolation { relation } if relation == "User.posts"),
            "{e:?}"
        );
    }
    assert_eq!(posts_of(c, bob.id).await?.len(), 3);
    // `set` with the records linked now is fine.
    let all: Vec<_> = posts
        .iter()
        .map(|p| post::id::equals(p.id))
        .collect::<Vec<_>>();
    c.user()
        .update(user::id::equals(bob.id), vec![user::posts::set(all)])
        .exec()
        .await?;
    // An optional foreign key (mentees): disconnect and set unlink.
    let [m1, m2, m3] = ["m1", "m2", "m3"].map(|n| format!("{n}@nest.io"));
    let mentor = c
        .user()
        .create(
            "teacher@nest.io".into(),
            vec![
                user::mentees::create(m1.clone(), vec![]),
                user::mentees::create(m2.clone(), vec![]),
                user::mentees::create(m3.clone(), vec![]),
            ],
        )
        .exec()
        .await?;
    let mentees = |id| async move {
        let t = c
            .user()
            .find_unique_or_throw(user::id::equals(id))
            .with(user::mentees::fetch(vec![]).order_by(user::email::order(Direction::Asc)))
            .exec()
            .await?;
        Ok::<_, Box<dyn std::error::Error>>(
            t.mentees()?
                .iter()
                .map(|u| u.email.clone())
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        mentees(mentor.id).await?,
        [m1.clone(), m2.clone(), m3.clone()]
    );
    c.user()
        .update(
            user::id::equals(mentor.id),
            vec![user::mentees::disconnect(vec![
                user::email::equals(m1.clone()),
                // Not linked: no error, as in Prisma.
                user::email::equals("ann@nest.io"),
            ])],
        )
        .exec()
        .await?;
    assert_eq!(mentees(mentor.id).await?, [m2.clone(), m3.clone()]);
    c.user()
        .update(
            user::id::equals(mentor.id),
            vec![user::mentees::set(vec![
                user::email::equals(m1.clone()),
                user::email::equals(m3.clone()),
            ])],
        )
        .exec()
        .await?;
    assert_eq!(mentees(mentor.id).await?, [m1.clone(), m3.clone()]);
    c.user()
        .update(
            user::id::equals(mentor.id),
            vec![user::mentees::set(vec![])],
        )
        .exec()
        .await?;
    assert!(mentees(mentor.id).await?.is_empty());
    Ok(())
}

/// Nested writes on to-one relations, from both sides.
async fn to_one(c: &PrismaClient) -> R {
    let bob = c
        .user()
        .find_unique_or_throw(user::email::equals("bob@nest.io"))
        .exec()
        .await?;
    let ann = c
        .user()
        .find_unique_or_throw(user::email::equals("ann@nest.io"))
        .exec()
        .await?;
    let u = c.user();
    let mentor_of = |id| async move {
        let u = c
            .user()
            .find_unique_or_throw(user::id::equals(id))
            .with(user::mentor::fetch())
            .exec()
            .await?;
        Ok::<_, Box<dyn std::error::Error>>(u.mentor()?.map(|m| (m.email.clone(), m.karma)))
    };
    // This model holds the foreign key: update, upsert, delete and disconnect.
    let e = u
        .update(
            user::id::equals(bob.id),
            vec![user::mentor::update(vec![user::karma::set(1)])],
        )
        .exec()
        .await
        .unwrap_err();
    assert_eq!(
        e.kind(),
        &ErrorKind::RecordNotFound,
        "no mentor to update: {e}"
    );
    u.update(
        user::id::equals(bob.id),
        vec![user::mentor::upsert(
            ("coach@nest.io".into(), vec![user::karma::set(5)]),
            vec![user::karma::increment(1)],
        )],
    )
    .exec()
    .await?;
    assert_eq!(mentor_of(bob.id).await?, Some(("coach@nest.io".into(), 5)));
    u.update(
        user::id::equals(bob.id),
        vec![
            user::mentor::upsert(
                ("never@nest.io".into(), vec![]),
                vec![user::karma::increment(1)],
            ),
            user::mentor::update(vec![user::karma::multiply(10)]),
        ],
    )
    .exec()
    .await?;
    assert_eq!(mentor_of(bob.id).await?, Some(("coach@nest.io".into(), 60)));
    // The record and the related record it updated share the request's `@updatedAt`.
    let bob_now = u
        .find_unique_or_throw(user::id::equals(bob.id))
        .with(user::mentor::fetch())
        .exec()
        .await?;
    assert_eq!(
        bob_now.mentor()?.map(|m| m.updated_at),
        Some(bob_now.updated_at),
        "one instant for the update and its nested update"
    );
    let bob2 = u
        .update(user::id::equals(bob.id), vec![user::mentor::delete()])
        .exec()
        .await?;
    assert_eq!(
        bob2.mentor_id, None,
        "the record read back after the delete"
    );
    assert!(u
        .find_unique(user::email::equals("coach@nest.io"))
        .exec()
        .await?
        .is_none());
    let e = u
        .update(user::id::equals(bob.id), vec![user::mentor::delete()])
        .exec()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::RecordNotFound, "{e}");
    u.update(
        user::id::equals(bob.id),
        vec![user::mentor::connect(user::id::equals(ann.id))],
    )
    .exec()
    .await?;
    let bob2 = u
        .update(user::id::equals(bob.id), vec![user::mentor::disconnect()])
        .exec()
        .await?;
    assert_eq!(bob2.mentor_id, None);

    // The related model holds the (required) foreign key: the profile.
    let bio = |id| async move {
        let u = c
            .user()
            .find_unique_or_throw(user::id::equals(id))
            .with(user::profile::fetch())
            .exec()
            .await?;
        Ok::<_, Box<dyn std::error::Error>>(u.profile()?.map(|p| p.bio.clone()))
    };
    let e = u
        .update(
            user::id::equals(bob.id),
            vec![user::profile::update(vec![profile::bio::set("x")])],
        )
        .exec()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::RecordNotFound, "{e}");
    u.update(
        user::id::equals(bob.id),
        vec![user::profile::upsert(("new".into(), vec![]), vec![])],
    )
    .exec()
    .await?;
    assert_eq!(bio(bob.id).await?.as_deref(), Some("new"));
    u.update(
        user::id::equals(bob.id),
        vec![user::profile::upsert(
            ("never".into(), vec![]),
            vec![profile::bio::set("upserted")],
        )],
    )
    .exec()
    .await?;
    assert_eq!(bio(bob.id).await?.as_deref(), Some("upserted"));
    // Replacing a profile would leave the old one without its user: a violation.
    let e = u
        .update(
            user::id::equals(bob.id),
            vec![user::profile::create("second".into(), vec![])],
        )
        .exec()
        .await
        .unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::RequiredRelationViolation { relation } if relation == "User.profile"),
        "{e:?}"
    );
    let e = u
        .update(
            user::id::equals(bob.id),
            vec![user::profile::connect(profile::user_id::equals(ann.id))],
        )
        .exec()
        .await
        .unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::RequiredRelationViolation { .. }),
        "{e:?}"
    );
    u.update(
        user::id::equals(bob.id),
        vec![user::profile::update(vec![profile::bio::set("changed")])],
    )
    .exec()
    .await?;
    assert_eq!(bio(bob.id).await?.as_deref(), Some("changed"));
    u.update(user::id::equals(bob.id), vec![user::profile::delete()])
        .exec()
        .await?;
    assert_eq!(bio(bob.id).await?, None);
    // Moving ann's profile to bob, who has none now.
    u.update(
        user::id::equals(bob.id),
        vec![user::profile::connect(profile::user_id::equals(ann.id))],
    )
    .exec()
    .await?;
    assert_eq!(bio(bob.id).await?.as_deref(), Some("ann's"));
    assert_eq!(bio(ann.id).await?, None);
    u.update(
        user::id::equals(ann.id),
        vec![user::profile::connect_or_create(
            profile::user_id::equals(ann.id),
            ("ann again".into(), vec![]),
        )],
    )
    .exec()
    .await?;
    assert_eq!(bio(ann.id).await?.as_deref(), Some("ann again"));
    Ok(())
}

/// Nested writes on implicit many-to-many relations, in `update`.
async fn many_to_many(c: &PrismaClient) -> R {
    let p = c
        .post()
        .find_first_or_throw(vec![post::title::equals("c")])
        .exec()
        .await?;
    let post = |ops| c.post().update(post::id::equals(p.id), ops).exec();
    post(vec![post::categories::set(vec![category::name::equals(
        "nest rust",
    )])])
    .await?;
    assert_eq!(categories_of(c, p.id).await?, ["nest rust"]);
    post(vec![
        post::categories::connect(vec![
            category::name::equals("nest db"),
            category::name::equals("nest db"),
        ]),
        post::categories::connect(vec![category::name::equals("nest db")]),
        post::categories::disconnect(vec![category::name::equals("nest web")]),
    ])
    .await?;
    assert_eq!(categories_of(c, p.id).await?, ["nest db", "nest rust"]);
    post(vec![
        post::categories::update(
            category::name::equals("nest db"),
            vec![category::name::set("nest data")],
        ),
        post::categories::upsert(
            category::name::equals("nest ml"),
            ("nest ml".into(), vec![]),
            vec![],
        ),
        post::categories::update_many(
            vec![category::name::equals("nest rust")],
            vec![category::name::set("nest rust!")],
        ),
    ])
    .await?;
    assert_eq!(
        categories_of(c, p.id).await?,
        ["nest data", "nest ml", "nest rust!"]
    );
    // A category that exists but is not linked: not updated, not deleted.
    let e = post(vec![post::categories::update(
        category::name::equals("nest web"),
        vec![category::name::set("x")],
    )])
    .await
    .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::RecordNotFound, "{e}");
    let e = post(vec![post::categories::delete(vec![
        category::name::equals("nest web"),
    ])])
    .await
    .unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::RecordsNotConnected { relation } if relation == "Post.categories"),
        "{e:?}"
    );
    post(vec![
        post::categories::delete(vec![category::name::equals("nest ml")]),
        post::categories::delete_many(vec![category::name::equals("nest data")]),
    ])
    .await?;
    assert_eq!(categories_of(c, p.id).await?, ["nest rust!"]);
    assert_eq!(
        c.category()
            .count(vec![category::name::in_vec(vec![
                "nest ml".into(),
                "nest data".into()
            ])])
            .exec()
            .await?,
        0,
        "deleted, not only unlinked"
    );
    post(vec![post::categories::set(vec![])]).await?;
    assert!(categories_of(c, p.id).await?.is_empty());
    Ok(())
}

/// A nested write that fails half-way leaves nothing behind.
async fn rollback(c: &PrismaClient) -> R {
    let before = counts(c).await?;
    // The last nested write fails: the user, its posts, profile and comments are not created.
    let e = c
        .user()
        .create(
            "fail@nest.io".into(),
            vec![
                user::profile::create("x".into(), vec![]),
                user::posts::create(
                    "x".into(),
                    vec![post::comments::create(
                        "x".into(),
                        user::email::equals("ann@nest.io"),
                        vec![],
                    )],
                ),
                user::posts::create_many(vec![("y".into(), vec![])]),
                user::groups::create("g@nest".into(), vec![]),
                // Fails, after everything above was written.
                user::posts::connect(vec![post::id::equals(-1)]),
            ],
        )
        .exec()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::RecordNotFound, "{e}");
    assert_eq!(counts(c).await?, before, "nothing left behind");
    // Plain nested creates only (on SQLite run on one connection, in one future, without the
    // transaction the other nested writes share), the last post's id taken: the posts' INSERT
    // fails after the user's, and neither the user nor the first post is left.
    let taken = c
        .post()
        .find_first(vec![])
        .exec()
        .await?
        .ok_or("a post")?
        .id;
    let e = c
        .user()
        .create(
            "flat-fail@nest.io".into(),
            vec![
                user::posts::create("free".into(), vec![post::id::set(taken + 1_000_000)]),
                user::posts::create("taken".into(), vec![post::id::set(taken)]),
            ],
        )
        .exec()
        .await
        .unwrap_err();
    assert!(e.is_unique_violation(), "{e:?}");
    assert_eq!(counts(c).await?, before, "nothing left behind");
    let flat = c
        .user()
        .find_unique(user::email::equals("flat-fail@nest.io"));
    assert!(flat.exec().await?.is_none(), "the user is not left");
    // A unique violation deep down: a category created twice.
    let e = c
        .post()
        .create(
            "x".into(),
            user::email::equals("ann@nest.io"),
            vec![
                post::categories::create("nest twice".into(), vec![]),
                post::categories::create("nest twice".into(), vec![]),
            ],
        )
        .exec()
        .await
        .unwrap_err();
    assert!(e.is_unique_violation(), "{e:?}");
    assert_eq!(counts(c).await?, before, "nothing left behind");
    // An update whose last nested write fails keeps its field changes and creates from
    // earlier in the plan out of the database too.
    let ann = c
        .user()
        .find_unique_or_throw(user::email::equals("ann@nest.io"))
        .exec()
        .await?;
    let e = c
        .user()
        .update(
            user::id::equals(ann.id),
            vec![
                user::karma::set(99),
                user::posts::create("z".into(), vec![]),
                user::profile::update(vec![profile::bio::set("lost")]),
                user::posts::delete(vec![post::id::equals(-1)]),
            ],
        )
        .exec()
        .await
        .unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::RecordsNotConnected { .. }),
        "{e:?}"
    );
    assert_eq!(counts(c).await?, before, "nothing left behind");
    let ann2 = c
        .user()
        .find_unique_or_throw(user::id::equals(ann.id))
        .with(user::profile::fetch())
        .exec()
        .await?;
    assert_eq!(ann2.karma, ann.karma);
    assert_eq!(ann2.profile()?.map(|p| p.bio.as_str()), Some("ann again"));
    // A nested write inside a transaction the closure rolls back.
    let r: Result<(), sovereign::Error> = c
        ._transaction()
        .run(|tx| async move {
            tx.user()
                .create(
                    "tx@nest.io".into(),
                    vec![user::posts::create("tx".into(), vec![])],
                )
                .exec()
                .await?;
            Err(sovereign::Error::not_found_with("the closure gives up"))
        })
        .await;
    assert!(r.is_err());
    assert_eq!(counts(c).await?, before, "nothing left behind");
    // Misuse found before anything is written: a nested update in a create.
    let e = c
        .user()
        .create(
            "misuse@nest.io".into(),
            vec![
                user::posts::create("m".into(), vec![]),
                user::mentor::update(vec![]),
            ],
        )
        .exec()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Configuration, "{e}");
    assert_eq!(counts(c).await?, before, "nothing left behind");
    Ok(())
}
