use sovereign::sovereign_plugin;

#[sovereign_plugin(manifest = "shop/plugin.json", colour = "red")]
pub struct Shop;

fn main() {}
