//! Aggregation, as Prisma's `count`, `aggregate` and `groupBy`
//! (https://www.prisma.io/docs/orm/prisma-client/queries/aggregation-grouping-summarizing):
//! sums and averages over the matching records (or the page `take`/`skip`/`cursor` picks),
//! `null` (`None`) without records, and groups with `having`, order and paging.

use sovereign::rust_decimal::Decimal;
use sovereign::{count_all, Direction};
use sovereign_tests::*;

use crate::R;

pub(crate) async fn aggregates(c: &PrismaClient) -> R {
    // Three authors: views 1, 2, 3 (ann, published 1 and 3), 10, 20 (bo), none (cy).
    let mut ids = Vec::new();
    for (i, (email, balance, score, big)) in [
        ("ann@agg.io", "1.25", 1.5, 10_000_000_000i64),
        ("bo@agg.io", "2.50", 2.5, 20_000_000_000),
        ("cy@agg.io", "0.25", 0.5, 1),
    ]
    .into_iter()
    .enumerate()
    {
        let u = c
            .user()
            .create(
                email.into(),
                vec![
                    user::balance::set(balance.parse::<Decimal>()?),
                    user::score::set(score),
                    user::big::set(big),
                    user::name::set((i < 2).then(|| format!("n{i}"))),
                ],
            )
            .exec()
            .await?;
        ids.push(u.id);
    }
    for (author, views, published) in [
        (0, 1, true),
        (0, 2, false),
        (0, 3, true),
        (1, 10, true),
        (1, 20, false),
    ] {
        c.post()
            .create(
                format!("agg {views}"),
                user::id::equals(ids[author]),
                vec![post::views::set(views), post::published::set(published)],
            )
            .exec()
            .await?;
    }
    let mine = || post::title::starts_with("agg ");
    let p = c.post();

    // aggregate: count, sum, avg, min, max, with filters.
    let (n, sum, avg, min, max, titles) = p
        .aggregate(
            vec![mine()],
            (
                count_all(),
                post::views::sum(),
                post::views::avg(),
                post::views::min(),
                post::views::max(),
                post::title::count(),
            ),
        )
        .exec()
        .await?;
    assert_eq!(
        (n, sum, min, max, titles),
        (5, Some(36), Some(1), Some(20), 5)
    );
    assert_eq!(avg, Some(7.2));
    let (sum, avg) = p
        .aggregate(
            vec![mine(), post::published::equals(true)],
            (post::views::sum(), post::views::avg()),
        )
        .exec()
        .await?;
    assert_eq!((sum, avg), (Some(14), Some(14.0 / 3.0)));
    // No records: a count of 0, no sum.
    let (n, sum, max) = p
        .aggregate(
            vec![mine(), post::views::gt(100)],
            (count_all(), post::views::sum(), post::title::max()),
        )
        .exec()
        .await?;
    assert_eq!((n, sum, max), (0, None, None));
    // Over a page: the two records with the most views.
    let (n, sum) = p
        .aggregate(vec![mine()], (count_all(), post::views::sum()))
        .order_by(post::views::order(Direction::Desc))
        .take(2)
        .exec()
        .await?;
    assert_eq!((n, sum), (2, Some(30)));
    let sum = p
        .aggregate(vec![mine()], post::views::sum())
        .order_by(post::views::order(Direction::Asc))
        .skip(1)
        .take(-2)
        .exec()
        .await?;
    assert_eq!(sum, Some(13), "backwards: the last two before the last one");
    // Every numeric type: Decimal sums and averages stay decimal, BigInt sums are 64-bit.
    let u = c.user();
    let agg_users = || vec![user::email::ends_with("@agg.io")];
    let (balance, avg_balance, score, big, first, names) = u
        .aggregate(
            agg_users(),
            (
                user::balance::sum(),
                user::balance::avg(),
                user::score::avg(),
                user::big::sum(),
                user::created_at::min(),
                user::name::count(),
            ),
        )
        .exec()
        .await?;
    assert_eq!(balance, Some("4.00".parse::<Decimal>()?));
    assert_eq!(
        avg_balance.map(|d| d.round_dp(4)),
        Some("1.3333".parse::<Decimal>()?)
    );
    assert_eq!(score, Some(1.5));
    assert_eq!(big, Some(30_000_000_001));
    assert!(first.is_some());
    assert_eq!(names, 2, "NULLs are not counted");

    // count: paged, and with counts of fields.
    assert_eq!(p.count(vec![mine()]).take(3).exec().await?, 3);
    assert_eq!(p.count(vec![mine()]).skip(4).exec().await?, 1);
    let third = p
        .find_first_or_throw(vec![post::title::equals("agg 3")])
        .exec()
        .await?;
    assert_eq!(
        p.count(vec![mine()])
            .order_by(post::id::order(Direction::Asc))
            .cursor(post::id::equals(third.id))
            .exec()
            .await?,
        3
    );
    let (all, named) = u
        .count(agg_users())
        .select((count_all(), user::name::count()))
        .exec()
        .await?;
    assert_eq!((all, named), (3, 2));

    // group_by: per author, with having, order and paging.
    let groups = p
        .group_by(
            (post::author_id::by(),),
            vec![mine()],
            (count_all(), post::views::sum(), post::views::max()),
        )
        .order_by(post::author_id::order(Direction::Asc))
        .exec()
        .await?;
    assert_eq!(
        groups,
        [
            ((ids[0],), (3, Some(6), Some(3))),
            ((ids[1],), (2, Some(30), Some(20)))
        ]
    );
    let groups = p
        .group_by(
            (post::author_id::by(), post::published::by()),
            vec![mine()],
            post::views::sum(),
        )
        .having(vec![post::views::sum().gt(2)])
        .order_by(post::views::sum().order(Direction::Desc))
        .exec()
        .await?;
    assert_eq!(
        groups,
        [
            ((ids[1], false), Some(20)),
            ((ids[1], true), Some(10)),
            ((ids[0], true), Some(4)),
        ]
    );
    let page = p
        .group_by((post::author_id::by(),), vec![mine()], count_all())
        .having(vec![count_all().gte(2)])
        .order_by(count_all().order(Direction::Desc))
        .take(1)
        .skip(1)
        .exec()
        .await?;
    assert_eq!(page, [((ids[1],), 2)]);
    // Groups by an optional field: NULL is a group of its own.
    let by_name = u
        .group_by((user::name::by(),), agg_users(), count_all())
        .order_by(user::name::order(Direction::Asc))
        .exec()
        .await?;
    assert_eq!(by_name.len(), 3);
    assert!(by_name.iter().any(|((n,), c)| n.is_none() && *c == 1));

    // Statements of equality filters are cached by shape: the same shape with other values,
    // and the same group_by in the other order, read what they ask for.
    for (i, want) in [(0, 3), (1, 2), (2, 0)] {
        let one = vec![post::author_id::equals(ids[i])];
        assert_eq!(p.aggregate(one, count_all()).exec().await?, want);
    }
    let by = |d| {
        p.group_by(
            (post::author_id::by(),),
            vec![post::published::equals(true)],
            post::views::sum(),
        )
        .order_by(post::author_id::order(d))
        .exec()
    };
    let ours = |g: Vec<((i32,), Option<i64>)>| -> Vec<((i32,), Option<i64>)> {
        g.into_iter().filter(|((a,), _)| ids.contains(a)).collect()
    };
    let up = ours(by(Direction::Asc).await?);
    let down = ours(by(Direction::Desc).await?);
    assert_eq!(up, [((ids[0],), Some(4)), ((ids[1],), Some(10))]);
    assert_eq!(down, [((ids[1],), Some(10)), ((ids[0],), Some(4))]);

    p.delete_many(vec![mine()]).exec().await?;
    u.delete_many(agg_users()).exec().await?;
    Ok(())
}
