// A dedicated plugin: its own client and migrations, and the core tables read only.
use sovereign::{sovereign_plugin, PluginContext};

#[sovereign_plugin(mode = "dedicated", manifest = "solo/plugin.json")]
pub struct Solo;

async fn work(ctx: &PluginContext<Solo>) -> sovereign::Result<()> {
    ctx.db().event().create("signed in".to_string(), vec![]).exec().await?;
    let users = ctx.core().user().count(vec![]).exec().await?;
    let _ = (users, db::DATASOURCE.migrations.len());
    Ok(())
}

fn main() {
    let _ = work;
    assert_eq!(<Solo as sovereign::Plugin>::MANIFEST.mode, sovereign::Mode::Dedicated);
    assert!(<Solo as sovereign::Plugin>::MANIFEST.datasource.is_some());
}
