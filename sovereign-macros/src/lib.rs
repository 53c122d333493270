//! `#[sovereign_plugin]`: the attribute on a plugin's type.
//!
//! It reads `plugin.json` (from `CARGO_MANIFEST_DIR`, or `manifest = "path"` relative to it)
//! at compile time and embeds it, so an edit to the manifest rebuilds the crate. It implements
//! `sovereign::Plugin` and gives the plugin its database access, from what the plugin's build
//! script (`sovereign_build::plugin().compile()`) generated:
//!
//! - shared: `mod db`, the plugin's view of the platform database (its own models read and
//!   write, core models read only), reached with `ctx.db()` when the manifest grants `database`;
//! - dedicated: `mod db`, its own client (`ctx.db()`), with its migrations embedded
//!   (`db::DATASOURCE`), and, when the manifest grants `database`, `mod core`, the read-only
//!   view of the core tables (`ctx.core()`).
//!
//! Re-exported as `sovereign::sovereign_plugin`. The logic is in `expand`, testable without a
//! compiler (its unit tests call it directly).

use proc_macro2::{Span, TokenStream};
use quote::quote;
use std::path::{Path, PathBuf};
use syn::spanned::Spanned;

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
    match expand(args.into(), item.into(), &env) {
        Ok(t) => t.into(),
        Err(e) => e.to_compile_error().into(),
    }
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

struct Args {
    mode: Option<(String, Span)>,
    manifest: Option<(String, Span)>,
}

fn parse_args(args: TokenStream) -> syn::Result<Args> {
    let mut out = Args {
        mode: None,
        manifest: None,
    };
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("mode") {
            let v: syn::LitStr = meta.value()?.parse()?;
            if !matches!(v.value().as_str(), "shared" | "dedicated") {
                return Err(syn::Error::new(
                    v.span(),
                    format!(
                        "unknown mode \"{}\": expected \"shared\" or \"dedicated\"",
                        v.value()
                    ),
                ));
            }
            out.mode = Some((v.value(), v.span()));
            Ok(())
        } else if meta.path.is_ident("manifest") {
            let v: syn::LitStr = meta.value()?.parse()?;
            out.manifest = Some((v.value(), v.span()));
            Ok(())
        } else {
            let name = meta
                .path
                .get_ident()
                .map_or_else(|| "?".to_string(), ToString::to_string);
            Err(meta.error(format!(
                "unknown argument `{name}`: #[sovereign_plugin] takes `mode = \"shared\" | \"dedicated\"` and `manifest = \"path/to/plugin.json\"`"
            )))
        }
    });
    syn::parse::Parser::parse2(parser, args)?;
    Ok(out)
}

/// Expands the attribute; errors carry the span they are about.
///
/// # Errors
/// Every misuse the crate documents, as a `syn::Error` to turn into `compile_error!`.
pub(crate) fn expand(args: TokenStream, item: TokenStream, env: &Env) -> syn::Result<TokenStream> {
    let args = parse_args(args)?;
    let item: syn::Item = syn::parse2(item)?;
    let syn::Item::Struct(st) = &item else {
        return Err(syn::Error::new(
            item_span(&item),
            "#[sovereign_plugin] goes on a struct (the plugin's type), for example `pub struct Blog;`",
        ));
    };
    if !st.generics.params.is_empty() {
        return Err(syn::Error::new(
            st.generics.span(),
            "a plugin type cannot be generic: `#[sovereign_plugin]` implements `sovereign::Plugin` for one concrete type",
        ));
    }
    let base = env
        .manifest_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from("."));
    let (path, path_span, shown) = match &args.manifest {
        Some((p, span)) => (base.join(p), *span, p.clone()),
        None => (
            base.join("plugin.json"),
            Span::call_site(),
            "plugin.json".to_string(),
        ),
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        syn::Error::new(
            path_span,
            format!(
                "cannot read {shown}: {e}\nhelp: every plugin crate has a plugin.json next to its Cargo.toml (see example-plugins/blog/plugin.json), or name it with `manifest = \"path\"`"
            ),
        )
    })?;
    let mut sources = sovereign_schema::Sources::new();
    let file = sources.add(shown.clone(), text.clone());
    let dir_name = path
        .parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let manifest =
        sovereign_build::plugin::parse_manifest(&text, file, &dir_name).map_err(|diagnostics| {
            let report = sovereign_schema::Report {
                sources,
                diagnostics,
            };
            syn::Error::new(
                path_span,
                format!("invalid plugin manifest\n{}", report.render()),
            )
        })?;
    let mode = manifest.mode.as_str();
    if let Some((m, span)) = &args.mode {
        if m != mode {
            return Err(syn::Error::new(
                *span,
                format!(
                    "mode = \"{m}\" does not match {shown}, which declares mode \"{mode}\"\nhelp: change the argument, or set \"sovereign\": {{ \"database\": {{ \"mode\": \"{m}\" }} }} in {shown}"
                ),
            ));
        }
    }
    let granted = manifest.grants("database");
    let dedicated = manifest.mode == sovereign_build::Mode::Dedicated;
    let ident = &st.ident;
    let vis = &st.vis;
    let ns = &manifest.namespace;
    let generated = env.out_dir.as_ref().map(|d| d.join("sovereign").join(ns));
    let client = generated.as_ref().map(|d| d.join("sovereign_client.rs"));
    let needs_client = dedicated || granted;
    let client = match client {
        Some(c) if c.is_file() && needs_client => Some(c),
        _ if needs_client => {
            return Err(syn::Error::new(
                args.mode.as_ref().map_or(Span::call_site(), |m| m.1),
                format!(
                    "the {mode} plugin \"{ns}\" has no generated client: its build script did not run `sovereign_build::plugin()`\nhelp: add build.rs with `fn main() {{ if let Err(e) = sovereign_build::plugin().compile() {{ panic!(\"{{e}}\") }} }}` and `sovereign-build` under [build-dependencies] in Cargo.toml"
                ),
            ));
        }
        _ => None,
    };
    let path_lit = path.display().to_string();
    let strs = |s: &str| quote!(#s);
    let id = strs(&manifest.id);
    let name = strs(&manifest.name);
    let version = strs(&manifest.version);
    let ns_lit = strs(ns);
    let caps: Vec<&String> = manifest
        .capabilities
        .iter()
        .filter(|(_, on)| **on)
        .map(|(k, _)| k)
        .collect();
    let mode_tokens = if dedicated {
        quote!(::sovereign::Mode::Dedicated)
    } else {
        quote!(::sovereign::Mode::Shared)
    };
    let datasource = if dedicated {
        quote!(Some(&db::DATASOURCE))
    } else {
        quote!(None)
    };
    let db_type = if needs_client {
        quote!(db::PrismaClient)
    } else {
        quote!(())
    };
    let core_type = if dedicated && granted {
        quote!(core::CoreClient)
    } else {
        quote!(())
    };
    let mut out = quote! {
        #item
        // Embedded so that cargo rebuilds the crate when the manifest changes.
        const _: &str = include_str!(#path_lit);
        impl ::sovereign::Plugin for #ident {
            const MANIFEST: ::sovereign::PluginManifest = ::sovereign::PluginManifest {
                id: #id,
                name: #name,
                version: #version,
                namespace: #ns_lit,
                mode: #mode_tokens,
                capabilities: &[#(#caps),*],
                datasource: #datasource,
            };
            type Db = #db_type;
            type Core = #core_type;
        }
    };
    if granted {
        out.extend(quote!(impl ::sovereign::DatabaseCapability for #ident {}));
    }
    if let Some(client) = client {
        let client = client.display().to_string();
        let doc = if dedicated {
            "The plugin's own database: its generated client, schema and migrations."
        } else {
            "The plugin's view of the platform database: its models read and write, core models read only."
        };
        out.extend(quote! {
            #[doc = #doc]
            #[allow(clippy::all, unused_imports)]
            #vis mod db {
                include!(#client);
            }
        });
        let handle = if dedicated {
            quote!(ctx.own_database())
        } else {
            quote!(ctx.database())
        };
        out.extend(quote! {
            impl ::sovereign::HasDb for #ident {
                fn open(ctx: &::sovereign::PluginContext<Self>) -> Self::Db {
                    db::PrismaClient::new(#handle.clone())
                }
            }
        });
    }
    if dedicated && granted {
        let core = generated
            .as_ref()
            .map(|d| d.join("sovereign_core.rs"))
            .filter(|c| c.is_file())
            .ok_or_else(|| {
                syn::Error::new(
                    Span::call_site(),
                    format!("the read-only core view of \"{ns}\" was not generated: rebuild so that build.rs runs `sovereign_build::plugin()` again"),
                )
            })?;
        let core = core.display().to_string();
        out.extend(quote! {
            /// The platform's core models, read only.
            #[allow(clippy::all, unused_imports)]
            #vis mod core {
                include!(#core);
            }
            impl ::sovereign::HasCore for #ident {
                fn open_core(ctx: &::sovereign::PluginContext<Self>) -> Self::Core {
                    core::CoreClient::new(ctx.database().clone())
                }
            }
        });
    }
    Ok(out)
}

fn item_span(item: &syn::Item) -> Span {
    match item {
        syn::Item::Enum(e) => e.enum_token.span,
        syn::Item::Fn(f) => f.sig.fn_token.span,
        syn::Item::Union(u) => u.union_token.span,
        syn::Item::Trait(t) => t.trait_token.span,
        syn::Item::Impl(i) => i.impl_token.span,
        syn::Item::Mod(m) => m.mod_token.span,
        other => other.span(),
    }
}
