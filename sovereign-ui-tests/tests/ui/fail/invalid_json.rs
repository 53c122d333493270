use sovereign::sovereign_plugin;

#[sovereign_plugin(manifest = "../../manifests/badjson/plugin.json")]
pub struct Bad;

fn main() {}
