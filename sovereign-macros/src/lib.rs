//! `#[sovereign_plugin]`: the attribute on a plugin's type.
//!
//! It reads `plugin.json` (from `CARGO_MANIFEST_DIR`, or `manifest = "path"` relative to it)
//! at compile time through `sovereign-workspace`, exactly as the plugin's build script reads it
//! (a manifest reached through a symbolic link that leads out of the workspace is refused), and
//! embeds it, so an edit to the manifest rebuilds the crate. It implements `sovereign::Plugin`
//! and gives the plugin its database access, from what the plugin's build script
//! (`sovereign_build::plugin().compile()`) generated:
//!
//! - shared: `mod db`, the plugin's view of the platform database (its own models read and
//!   write, core models read only), reached with `ctx.db()` when the manifest grants `database`;
//! - dedicated: `mod db`, its own client (`ctx.db()`), with its migrations embedded
//!   (`db::DATASOURCE`), and, when the manifest grants `database`, `mod core`, the read-only
//!   view of the core tables (`ctx.core()`).
//!
//! Re-exported as `sovereign::sovereign_plugin`. The entry point only gathers the environment;
//! the work is in `expand`, a function over `proc_macro2::TokenStream` that the unit tests call
//! without a compiler (`src/tests.rs`), next to the trybuild suite in `sovereign-tests`.

#![warn(missing_docs)]

mod args;
mod expand;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

/// Declares a plugin type: see the crate documentation.
#[proc_macro_attribute]
pub fn sovereign_plugin(
    args: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    let env = Env {
        manifest_dir: std::env::var_os("SOVEREIGN_MANIFEST_DIR")
            .or_else(|| std::env::var_os("CARGO_MANIFEST_DIR"))
            .map(PathBuf::from),
        out_dir: std::env::var_os("OUT_DIR").map(PathBuf::from),
    };
    expand::expand(args.into(), item.into(), &env).into()
}

/// Where the macro looks for files.
#[derive(Debug, Clone)]
pub(crate) struct Env {
    /// Relative `manifest` paths start here (`CARGO_MANIFEST_DIR`; `SOVEREIGN_MANIFEST_DIR`
    /// overrides it, for tests).
    pub(crate) manifest_dir: Option<PathBuf>,
    /// The crate's `OUT_DIR`, where the build script wrote `sovereign/<namespace>/`.
    pub(crate) out_dir: Option<PathBuf>,
}
