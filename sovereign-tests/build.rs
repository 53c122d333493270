//! Generates the suite's client from `prisma/schema.prisma`, as a user's build script would, and
//! the clients of the example workspace (platform, a shared plugin's view, a dedicated plugin
//! with its core view), so that code generation is compiled against real schemas.
use std::path::PathBuf;

fn main() {
    if let Err(e) = run() {
        eprintln!("{e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), sovereign_build::Error> {
    sovereign_build::client("prisma/schema.prisma").compile()?;
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    sovereign_build::client("prisma/lists.prisma")
        .out_dir(out.join("lists"))
        .compile()?;
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"))
        .join("..");
    sovereign_build::configure()
        .workspace_from(&root)
        .check_committed(false)
        .out_dir(out.join("platform"))
        .compile()?;
    for plugin in ["blog", "analytics"] {
        sovereign_build::plugin()
            .dir(root.join("example-plugins").join(plugin))
            .out_dir(out.join(plugin))
            .compile()?;
    }
    // The UI workspace's platform (for tests/host.rs).
    sovereign_build::configure()
        .workspace_from("tests/ui/workspace")
        .check_committed(false)
        .out_dir(out.join("ui-platform"))
        .compile()?;
    // The plugins tests/host.rs declares with #[sovereign_plugin], into OUT_DIR, where the
    // macro looks. (The compile-fail suite, in sovereign-ui-tests, generates its own.)
    let ui = PathBuf::from("tests/ui/workspace/plugins");
    for plugin in ["shop", "quiet", "solo"] {
        sovereign_build::plugin()
            .dir(ui.join(plugin))
            .out_dir(&out)
            .compile()?;
    }
    Ok(())
}
