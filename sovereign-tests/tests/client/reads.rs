//! Reads beyond `find_many`: the `..._or_throw` forms.

use sovereign::{Direction, ErrorKind};
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
