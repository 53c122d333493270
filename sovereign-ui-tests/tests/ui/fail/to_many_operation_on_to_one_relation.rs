use sovereign::{sovereign_plugin, PluginContext};

#[sovereign_plugin(manifest = "shop/plugin.json")]
pub struct Shop;

async fn work(ctx: &PluginContext<Shop>) -> sovereign::Result<()> {
    // An order has one buyer: no list of them to connect, set or create many of.
    ctx.db()
        .order()
        .update(
            db::order::id::equals(1),
            vec![
                db::order::buyer::connect(vec![db::user::id::equals(2)]),
                db::order::buyer::set(vec![db::user::id::equals(2)]),
                db::order::buyer::create_many(vec![]),
                db::order::buyer::disconnect(),
            ],
        )
        .exec()
        .await?;
    Ok(())
}

fn main() {
    let _ = work;
}
