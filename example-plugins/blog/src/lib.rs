//! The blog plugin: posts written by platform users (shared mode).
//!
//! Its models live in `prisma/extension.prisma`, composed into the platform schema; it reaches
//! them, and the core `User` read-only, through the `database` capability (`ctx.db()`).

use sovereign::{sovereign_plugin, Direction, PluginContext};

#[sovereign_plugin]
pub struct Blog;

use db::{post, post_tag, user};

/// Publishes a post by the user with `author_email` (again: updates it), with its tags.
pub async fn publish(
    ctx: &PluginContext<Blog>,
    author_email: &str,
    slug: &str,
    title: &str,
    body: &str,
    tags: &[&str],
) -> sovereign::Result<post::Data> {
    ctx.db()
        ._transaction()
        .run(|tx| async move {
            let author = tx
                .user()
                .find_unique(user::email::equals(author_email))
                .exec()
                .await?
                .ok_or_else(|| missing_user(author_email))?;
            let now = sovereign::chrono::Utc::now().fixed_offset();
            let post = tx
                .post()
                .upsert(
                    post::slug::equals(slug),
                    (
                        slug.to_string(),
                        title.to_string(),
                        body.to_string(),
                        author.id.clone(),
                        vec![
                            post::published::set(true),
                            post::published_at::set(Some(now)),
                        ],
                    ),
                    vec![post::title::set(title), post::body::set(body)],
                )
                .exec()
                .await?;
            tx.post_tag()
                .create_many(
                    tags.iter()
                        .map(|t| (post.id, t.to_string(), vec![]))
                        .collect(),
                )
                .skip_duplicates()
                .exec()
                .await?;
            Ok::<_, sovereign::Error>(post)
        })
        .await
}

fn missing_user(email: &str) -> sovereign::Error {
    sovereign::Error::not_found_with(format!("no user with email {email}"))
}

/// The newest published posts with their authors and tags (one query per relation).
pub async fn latest(ctx: &PluginContext<Blog>, n: i64) -> sovereign::Result<Vec<post::Data>> {
    ctx.db()
        .post()
        .find_many(vec![post::published::equals(true)])
        .order_by(post::published_at::order(Direction::Desc))
        .take(n)
        .with(post::author::fetch())
        .with(post::tags::fetch(vec![]).order_by(post_tag::tag::order(Direction::Asc)))
        .exec()
        .await
}

/// How many posts each author has: a relation filter on the read-only core `User`.
pub async fn authors_with_posts(ctx: &PluginContext<Blog>) -> sovereign::Result<i64> {
    ctx.db()
        .user()
        .count(vec![user::posts::some(vec![])])
        .exec()
        .await
}
