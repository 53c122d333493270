use sovereign::{sovereign_plugin, PluginContext};

#[sovereign_plugin(manifest = "shop/plugin.json")]
pub struct Shop;

async fn work(ctx: &PluginContext<Shop>) -> sovereign::Result<()> {
    // A nested write from a core model: the user's update is refused, whatever it nests.
    ctx.db()
        .user()
        .update(
            db::user::id::equals(1),
            vec![db::user::orders::create(7, vec![])],
        )
        .exec()
        .await?;
    Ok(())
}

fn main() {
    let _ = work;
}
