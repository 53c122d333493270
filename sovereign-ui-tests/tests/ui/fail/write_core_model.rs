use sovereign::{sovereign_plugin, PluginContext};

#[sovereign_plugin(manifest = "shop/plugin.json")]
pub struct Shop;

async fn work(ctx: &PluginContext<Shop>) -> sovereign::Result<()> {
    // User is a core model: the plugin's view reads it but cannot write it.
    ctx.db()
        .user()
        .update(db::user::id::equals(1), vec![db::user::email::set("x@y.z")])
        .exec()
        .await?;
    ctx.db().user().delete_many(vec![]).exec().await?;
    Ok(())
}

fn main() {
    let _ = work;
}
