use sovereign::{sovereign_plugin, PluginContext};

#[sovereign_plugin(mode = "dedicated", manifest = "lonely/plugin.json")]
pub struct Lonely;

fn work(ctx: &PluginContext<Lonely>) {
    // Its own database is fine; the core tables need the `database` capability.
    let _own = ctx.db();
    let _core = ctx.core();
}

fn main() {
    let _ = work;
}
