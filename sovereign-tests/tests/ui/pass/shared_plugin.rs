// A shared plugin: its own models read and write, the core User read only, through `ctx.db()`.
use sovereign::{sovereign_plugin, PluginContext};

#[sovereign_plugin(manifest = "shop/plugin.json")]
pub struct Shop;

async fn work(ctx: &PluginContext<Shop>) -> sovereign::Result<()> {
    let client = ctx.db();
    if let Some(buyer) = client.user().find_unique(db::user::email::equals("a@b.c")).exec().await? {
        client.order().create(10, db::user::id::equals(buyer.id), vec![]).exec().await?;
    }
    let _handle: &sovereign::Database = ctx.database();
    Ok(())
}

fn main() {
    let _ = work;
    assert_eq!(<Shop as sovereign::Plugin>::MANIFEST.namespace, "shop");
    assert_eq!(<Shop as sovereign::Plugin>::MANIFEST.mode, sovereign::Mode::Shared);
}
