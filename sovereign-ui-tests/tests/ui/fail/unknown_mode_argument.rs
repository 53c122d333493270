use sovereign::sovereign_plugin;

#[sovereign_plugin(mode = "exclusive", manifest = "shop/plugin.json")]
pub struct Shop;

fn main() {}
