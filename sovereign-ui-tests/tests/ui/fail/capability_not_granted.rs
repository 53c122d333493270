use sovereign::{sovereign_plugin, PluginContext};

#[sovereign_plugin(manifest = "quiet/plugin.json")]
pub struct Quiet;

fn work(ctx: &PluginContext<Quiet>) {
    let _client = ctx.db();
    let _handle = ctx.database();
}

fn main() {
    let _ = work;
}
