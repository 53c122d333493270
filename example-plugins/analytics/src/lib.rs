//! The analytics plugin: page views in its own database (dedicated mode), with its own schema,
//! migrations and client; it reads the platform's users read-only through the `database`
//! capability (`ctx.core()`).

use std::collections::BTreeMap;

use sovereign::{sovereign_plugin, PluginContext};

#[sovereign_plugin(mode = "dedicated")]
pub struct Analytics;

use db::page_view;

/// Records that `user_id` (a platform user) viewed `path`.
pub async fn record_view(
    ctx: &PluginContext<Analytics>,
    path: &str,
    user_id: Option<&str>,
) -> sovereign::Result<page_view::Data> {
    ctx.db()
        .page_view()
        .create(
            path.to_string(),
            vec![page_view::user_id::set(user_id.map(str::to_string))],
        )
        .exec()
        .await
}

/// Views per user email: page views from the plugin's database, emails from the core `User`
/// table (read only), joined in memory.
pub async fn views_by_email(
    ctx: &PluginContext<Analytics>,
) -> sovereign::Result<BTreeMap<String, usize>> {
    let views = ctx.db().page_view().find_many(vec![]).exec().await?;
    let ids: Vec<String> = views.iter().filter_map(|v| v.user_id.clone()).collect();
    let users = ctx
        .core()
        .user()
        .find_many(vec![core::user::id::in_vec(ids)])
        .exec()
        .await?;
    let email: BTreeMap<&str, &str> = users
        .iter()
        .map(|u| (u.id.as_str(), u.email.as_str()))
        .collect();
    let mut out = BTreeMap::new();
    for v in &views {
        let who = v
            .user_id
            .as_deref()
            .and_then(|id| email.get(id).copied())
            .unwrap_or("(anonymous)");
        *out.entry(who.to_string()).or_insert(0) += 1;
    }
    Ok(out)
}
