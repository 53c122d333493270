//! Scalar lists (PostgreSQL only), on a schema of their own.

use crate::R;

pub(crate) async fn lists(c: &sovereign_tests::lists::PrismaClient) -> R {
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
