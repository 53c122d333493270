use sovereign::{sovereign_plugin, PluginContext};

#[sovereign_plugin(manifest = "shop/plugin.json")]
pub struct Shop;

async fn work(ctx: &PluginContext<Shop>) -> sovereign::Result<()> {
    // Order has no relation `seller`; a selection of it names one that does not exist.
    let _ = ctx
        .db()
        .order()
        .find_many(vec![])
        .select(sovereign::select!(db::order { total seller: select { email } }))
        .exec()
        .await?;
    Ok(())
}

fn main() {
    let _ = work;
}
