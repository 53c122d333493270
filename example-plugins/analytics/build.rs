//! Generates this plugin's database access from plugin.json and its schema (see lib.rs).
fn main() {
    if let Err(e) = sovereign_build::plugin().compile() {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
