//! Generates the clients of the plugins the compile-fail cases name
//! (`sovereign-tests/tests/ui/workspace/plugins/*`, all but `nobuild`, on purpose), as their
//! own build scripts would.

fn main() {
    let plugins = std::path::Path::new("../sovereign-tests/tests/ui/workspace/plugins");
    for plugin in ["shop", "notes", "quiet", "solo", "lonely"] {
        if let Err(e) = sovereign_build::plugin()
            .dir(plugins.join(plugin))
            .compile()
        {
            eprintln!("generating the client of {plugin}: {e}");
            std::process::exit(1);
        }
    }
}
