//! The example platform: opens its database (a SQLite file under `data/` by default), deploys
//! the shared migrations and each dedicated plugin's, registers the plugins and lets each do
//! real work, then prints a summary. Running it again finds everything in place.
//!
//! - `SOVEREIGN_DATA_DIR`: where the SQLite files go (default `data`).
//! - `DATABASE_URL`: the platform database instead (PostgreSQL or MySQL URLs work too).
//! - `ANALYTICS_DATABASE_URL`: the analytics plugin's own database instead.

use std::process::ExitCode;

use example_analytics::Analytics;
use example_blog::Blog;
use example_tasks::Tasks;
use sovereign::Host;

/// The platform's client, generated from the composed schema by build.rs.
mod db {
    sovereign::include_client!();
}

use db::{tenant, user, Role};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let data_dir = std::env::var("SOVEREIGN_DATA_DIR").unwrap_or_else(|_| "data".to_string());
    let mut host = Host::builder()
        .data_dir(&data_dir)
        .deploy_migrations(true)
        .connect(&db::DATASOURCE, db::COMPOSED_PLUGINS)
        .await?;
    let blog = host.register::<Blog>().await?;
    let tasks = host.register::<Tasks>().await?;
    let analytics = host.register::<Analytics>().await?;
    println!("databases:");
    for line in host.log() {
        println!("  {line}");
    }

    // The platform's own data: a tenant and its users (upserts, so a second run changes nothing).
    let platform = db::PrismaClient::new(host.database().clone());
    let acme = platform
        .tenant()
        .upsert(
            tenant::slug::equals("acme"),
            ("acme".to_string(), "Acme Corp".to_string(), vec![]),
            vec![],
        )
        .exec()
        .await?;
    for (email, name, role) in [
        ("ada@acme.test", "Ada", Role::Owner),
        ("linus@acme.test", "Linus", Role::Member),
    ] {
        platform
            .user()
            .upsert(
                user::email::equals(email),
                (
                    email.to_string(),
                    acme.id,
                    vec![
                        user::name::set(Some(name.to_string())),
                        user::role::set(role),
                    ],
                ),
                vec![],
            )
            .exec()
            .await?;
    }

    // blog (shared): posts that belong to core users.
    example_blog::publish(
        &blog,
        "ada@acme.test",
        "hello-sovereign",
        "Hello, Sovereign",
        "Every plugin gets its database.",
        &["intro", "rust"],
    )
    .await?;
    example_blog::publish(
        &blog,
        "linus@acme.test",
        "shared-or-dedicated",
        "Shared or dedicated?",
        "Both, per plugin.",
        &["design"],
    )
    .await?;

    // tasks (shared): an enum and a compound unique.
    example_tasks::add(
        &tasks,
        acme.id,
        1,
        "Write the README",
        Some("ada@acme.test"),
    )
    .await?;
    example_tasks::add(&tasks, acme.id, 2, "Ship 0.1", None).await?;
    example_tasks::set_state(&tasks, acme.id, 1, example_tasks::db::TaskState::Done).await?;

    // analytics (dedicated): its own database, reading core users read-only.
    let ada = platform
        .user()
        .find_unique(user::email::equals("ada@acme.test"))
        .exec()
        .await?
        .ok_or("ada was just created")?;
    example_analytics::record_view(&analytics, "/posts/hello-sovereign", Some(&ada.id)).await?;
    example_analytics::record_view(&analytics, "/", None).await?;

    println!("\nblog: latest posts");
    for post in example_blog::latest(&blog, 10).await? {
        let tags: Vec<&str> = post.tags()?.iter().map(|t| t.tag.as_str()).collect();
        println!(
            "  {:<24} by {:<16} [{}]",
            post.title,
            post.author()?.email,
            tags.join(", ")
        );
    }
    println!(
        "  authors with posts: {}",
        example_blog::authors_with_posts(&blog).await?
    );

    println!("\ntasks: board of {}", acme.name);
    for task in example_tasks::board(&tasks, acme.id).await? {
        let who = task
            .assignee()?
            .map_or("unassigned".to_string(), |u| u.email.clone());
        println!(
            "  #{} {:<18} {:<12} {who}",
            task.number,
            task.title,
            format!("{:?}", task.state)
        );
    }

    println!("\nanalytics: page views by user (own database, users read-only from the platform)");
    for (email, n) in example_analytics::views_by_email(&analytics).await? {
        println!("  {email:<18} {n}");
    }

    let users = platform.user().count(vec![]).exec().await?;
    println!(
        "\nplatform: {users} users in tenant {}; plugins:",
        acme.slug
    );
    for (ns, mode) in host.plugins() {
        println!("  {ns} ({})", mode.as_str());
    }
    Ok(())
}
