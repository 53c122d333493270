use sovereign::sovereign_plugin;

#[sovereign_plugin(mode = "dedicated", manifest = "shop/plugin.json")]
pub struct Shop;

fn main() {}
