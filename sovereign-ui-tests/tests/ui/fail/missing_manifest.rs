use sovereign::sovereign_plugin;

#[sovereign_plugin(manifest = "nowhere/plugin.json")]
pub struct Lost;

fn main() {}
