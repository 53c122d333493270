//! `#[sovereign_plugin]`: a compile-fail case with its expected `.stderr` for every misuse, and
//! a pass case for each mode. The plugins live in `tests/ui/workspace`; build.rs generated
//! their clients into this crate's OUT_DIR (all but `nobuild`, on purpose).

#[test]
fn sovereign_plugin() {
    // The macro reads manifests relative to this directory, and generated files from OUT_DIR
    // (cargo passes both through to the compiler of trybuild's cases).
    std::env::set_var(
        "SOVEREIGN_MANIFEST_DIR",
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ui/workspace/plugins"),
    );
    std::env::set_var("OUT_DIR", concat!(env!("OUT_DIR"), "/ui"));
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
