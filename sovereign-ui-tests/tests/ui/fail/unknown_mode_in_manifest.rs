use sovereign::sovereign_plugin;

#[sovereign_plugin(manifest = "../../manifests/badmode/plugin.json")]
pub struct Bad;

fn main() {}
