//! The compile-fail suite of `#[sovereign_plugin]`: `tests/ui/fail/<mistake>.rs` with the
//! `.stderr` rustc gives for it (`TRYBUILD=overwrite` rewrites them after a deliberate change).
//! The plugins the cases name live in `sovereign-tests/tests/ui/workspace`, with the platform
//! their views read. Nothing to use here: the crate exists so that trybuild, which builds the
//! crate under test and its dev-dependencies again in a target directory of its own, builds as
//! little as possible.
