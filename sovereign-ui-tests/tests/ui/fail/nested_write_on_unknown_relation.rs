use sovereign::{sovereign_plugin, PluginContext};

#[sovereign_plugin(manifest = "shop/plugin.json")]
pub struct Shop;

async fn work(ctx: &PluginContext<Shop>) -> sovereign::Result<()> {
    // Order has no relation `seller`.
    ctx.db()
        .order()
        .update(
            db::order::id::equals(1),
            vec![db::order::seller::connect(db::user::id::equals(2))],
        )
        .exec()
        .await?;
    Ok(())
}

fn main() {
    let _ = work;
}
