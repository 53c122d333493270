//! `#[sovereign_plugin]`: a compile-fail case with its expected `.stderr` for every misuse. The
//! plugins are `sovereign-tests/tests/ui/workspace/plugins/*`; build.rs generated their clients
//! into this crate's OUT_DIR.

#[test]
fn sovereign_plugin_misuses() {
    // The macro reads manifests relative to this directory and generated files from OUT_DIR;
    // cargo passes both through to the compiler of trybuild's cases.
    std::env::set_var(
        "SOVEREIGN_MANIFEST_DIR",
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../sovereign-tests/tests/ui/workspace/plugins"
        ),
    );
    std::env::set_var("OUT_DIR", env!("OUT_DIR"));
    trybuild::TestCases::new().compile_fail("tests/ui/fail/*.rs");
}
