use sovereign::sovereign_plugin;

#[sovereign_plugin(manifest = "shop/plugin.json")]
pub enum Shop {
    A,
}

fn main() {}
