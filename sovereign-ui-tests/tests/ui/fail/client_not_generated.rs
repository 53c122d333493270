use sovereign::sovereign_plugin;

#[sovereign_plugin(mode = "dedicated", manifest = "nobuild/plugin.json")]
pub struct NoBuild;

fn main() {}
