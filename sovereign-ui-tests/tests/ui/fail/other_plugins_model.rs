use sovereign::{sovereign_plugin, PluginContext};

#[sovereign_plugin(manifest = "shop/plugin.json")]
pub struct Shop;

async fn work(ctx: &PluginContext<Shop>) -> sovereign::Result<()> {
    // Note belongs to the notes plugin: it is not in shop's view.
    let _ = ctx.db().note().find_many(vec![db::note::text::contains("x")]).exec().await?;
    Ok(())
}

fn main() {
    let _ = work;
}
