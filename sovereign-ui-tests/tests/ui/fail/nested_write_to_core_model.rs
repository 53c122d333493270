use sovereign::{sovereign_plugin, PluginContext};

#[sovereign_plugin(manifest = "shop/plugin.json")]
pub struct Shop;

async fn work(ctx: &PluginContext<Shop>) -> sovereign::Result<()> {
    // Linking an order to a core user writes the order only: allowed.
    ctx.db()
        .order()
        .create(5, db::user::id::equals(1), vec![])
        .exec()
        .await?;
    // Creating or changing the user through the relation writes User, a core model.
    ctx.db()
        .order()
        .create(
            5,
            db::user::id::equals(1),
            vec![db::order::buyer::create("ann@example.com".into(), vec![])],
        )
        .exec()
        .await?;
    ctx.db()
        .order()
        .update(
            db::order::id::equals(1),
            vec![db::order::buyer::update(vec![db::user::email::set("x@y.z")])],
        )
        .exec()
        .await?;
    Ok(())
}

fn main() {
    let _ = work;
}
