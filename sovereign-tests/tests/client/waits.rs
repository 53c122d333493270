//! Statements that cannot run at once wait, and then run: for the pool's only connection, held
//! by a transaction; for a record another connection's transaction has changed (on SQLite the
//! database is busy, on the servers the row is locked); and for their own transaction's
//! connection, when several of its statements are polled together. On SQLite a statement
//! normally runs in its first poll, without a future of its own; these are the ways back to
//! the waiting path.

use std::time::{Duration, Instant};

use sovereign::{count_all, Direction};
use sovereign_tests::*;

use crate::R;

/// How long a transaction holds what the statements wait for.
const HOLD: Duration = Duration::from_millis(150);

/// `url` with the parameter `p` added.
fn with_param(url: &str, p: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{p}")
}

/// `user` `id` renamed `name`.
fn rename(c: &PrismaClient, id: i32, name: &str) -> sovereign::Update<user::Data> {
    c.user().update(
        user::id::equals(id),
        vec![user::name::set(Some(name.to_string()))],
    )
}

/// Runs a transaction of `holder` that renames user `id` "held" and keeps its connection (and
/// its lock) for [`HOLD`], beside `wait`, started once the transaction holds them; returns
/// what `wait` returned and how long it took.
async fn beside<W, T>(
    holder: &PrismaClient,
    id: i32,
    wait: W,
) -> Result<(T, Duration), sovereign::Error>
where
    W: std::future::Future<Output = Result<T, sovereign::Error>>,
{
    let (held, holding) = tokio::sync::oneshot::channel();
    let hold = holder._transaction().run(|tx| async move {
        rename(&tx, id, "held").exec().await?;
        let _ = held.send(());
        tokio::time::sleep(HOLD).await;
        Ok::<_, sovereign::Error>(())
    });
    let waiting = async {
        holding.await.expect("the holding transaction signals");
        let started = Instant::now();
        let out = wait.await?;
        Ok::<_, sovereign::Error>((out, started.elapsed()))
    };
    let (held, out) = tokio::join!(hold, waiting);
    held?;
    out
}

pub(crate) async fn waits(url: &str) -> R {
    let one = PrismaClient::connect(&with_param(url, "connection_limit=1")).await?;
    let other = PrismaClient::connect(url).await?;
    let id = one
        .user()
        .create("held@waits.io".into(), vec![])
        .exec()
        .await?
        .id;
    // The pool's only connection is a transaction's: a read, an update and a create outside it
    // wait for its commit, then see it.
    let ((found, updated, created), waited) = beside(&one, id, async {
        let found = one.user().find_unique(user::id::equals(id)).exec().await?;
        let updated = rename(&one, id, "after").exec().await?;
        let created = one
            .user()
            .create("created@waits.io".into(), vec![])
            .exec()
            .await?;
        Ok((found, updated, created))
    })
    .await?;
    assert!(
        waited >= HOLD / 2,
        "the statements ran while the only connection was a transaction's ({waited:?})"
    );
    let found = found.ok_or("the user is gone")?;
    assert_eq!(found.name.as_deref(), Some("held"));
    assert_eq!(updated.name.as_deref(), Some("after"));
    assert_eq!(created.email, "created@waits.io");

    // The reads of many records, counts and aggregates wait the same way, then see the commit.
    let mine = || vec![user::email::ends_with("@waits.io")];
    let ((names, n, (all, karma), groups), waited) = beside(&one, id, async {
        let names: Vec<_> = one
            .user()
            .find_many(mine())
            .order_by(user::id::order(Direction::Asc))
            .exec()
            .await?
            .into_iter()
            .map(|u| u.name)
            .collect();
        let n = one.user().count(mine()).exec().await?;
        let agg = one
            .user()
            .aggregate(mine(), (count_all(), user::karma::sum()))
            .exec()
            .await?;
        let groups = one
            .user()
            .group_by((user::name::by(),), mine(), count_all())
            .exec()
            .await?;
        Ok((names, n, agg, groups))
    })
    .await?;
    assert!(
        waited >= HOLD / 2,
        "the reads ran while the only connection was a transaction's ({waited:?})"
    );
    assert_eq!(names, [Some("held".to_string()), None]);
    assert_eq!((n, all, karma), (2, 2, Some(0)));
    let mut groups = groups;
    groups.sort();
    assert_eq!(groups, [((None,), 1), ((Some("held".to_string()),), 1)]);

    // Another connection's transaction has changed the record: an update waits for its commit,
    // and its change comes after; a create polled beside it waits for the update (on SQLite for
    // the pool's connection, which the update holds while it waits).
    // So does a create with plain nested creates (on SQLite its own transaction on one
    // connection, whose first INSERT is refused as busy until the other commits).
    let ((updated, created, nested), waited) = beside(&other, id, async {
        let posts = vec![
            user::posts::create("waited 1".into(), vec![]),
            user::posts::create("waited 2".into(), vec![]),
        ];
        let (updated, created, nested) = tokio::join!(
            rename(&one, id, "last").exec(),
            one.user().create("beside@waits.io".into(), vec![]).exec(),
            one.user().create("nested@waits.io".into(), posts).exec(),
        );
        Ok((updated?, created?, nested?))
    })
    .await?;
    assert!(
        waited >= HOLD / 2,
        "the update did not wait for the other transaction ({waited:?})"
    );
    assert_eq!(updated.name.as_deref(), Some("last"));
    assert_eq!(created.email, "beside@waits.io");
    let posts = one
        .post()
        .find_many(vec![post::author_id::equals(nested.id)])
        .order_by(post::id::order(Direction::Asc))
        .exec()
        .await?;
    let titles: Vec<_> = posts.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(titles, ["waited 1", "waited 2"]);

    // On SQLite, a raw query of several statements refused as busy at its second (another
    // connection's transaction holds the write lock; the first writes only this connection's
    // temporary table) resumes there once the lock is free: the one before it ran once, as
    // under SQLite's own busy handler, which waits inside the statement refused.
    if one.database().map(|d| d.backend()) == Some(sovereign::Dialect::Sqlite) {
        // The pool's only connection, so the same temporary table throughout.
        one._execute_raw(sovereign::Raw::new(
            "CREATE TEMP TABLE seen (n INTEGER)",
            vec![],
        ))
        .await?;
        let (changed, waited) = beside(&other, id, async {
            one._execute_raw(sovereign::raw!(
                "INSERT INTO seen (n) VALUES (1); UPDATE users SET name = 'raw' WHERE id = {}",
                id
            ))
            .await
        })
        .await?;
        assert!(
            waited >= HOLD / 2,
            "the UPDATE did not wait for the other transaction ({waited:?})"
        );
        assert_eq!(changed, 2, "the INSERT's row and the UPDATE's");
        let seen: Vec<(i64,)> = one
            ._query_raw(sovereign::Raw::new("SELECT count(*) FROM seen", vec![]))
            .await?;
        assert_eq!(
            seen,
            [(1,)],
            "the statements before the refused one ran again"
        );
        let renamed = one.user().find_unique(user::id::equals(id)).exec().await?;
        assert_eq!(renamed.and_then(|u| u.name).as_deref(), Some("raw"));
    }

    // Statements of one transaction polled together take turns on its connection.
    let (updated, found, created) = one
        ._transaction()
        .run(|tx| async move {
            let (updated, found, created, many, n) = tokio::join!(
                rename(&tx, id, "together").exec(),
                tx.user().find_unique(user::id::equals(id)).exec(),
                tx.user().create("together@waits.io".into(), vec![]).exec(),
                tx.user().find_many(mine()).exec(),
                tx.user().count(mine()).exec(),
            );
            assert!(many?.len() >= 3, "the users made so far");
            assert!(n? >= 3);
            Ok::<_, sovereign::Error>((updated?, found?, created?))
        })
        .await?;
    assert_eq!(updated.name.as_deref(), Some("together"));
    assert!(found.is_some());
    assert_eq!(created.email, "together@waits.io");

    for c in [&one, &other] {
        if let Some(d) = c.database() {
            d.close().await;
        }
    }
    Ok(())
}
