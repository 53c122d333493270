//! The expansion: check the item, the arguments and the manifest, then generate. Every check
//! happens before generation, so generation cannot fail.

use crate::args::{parse_args, Args};
use crate::Env;
use proc_macro2::{Span, TokenStream};
use quote::quote;
use sovereign_workspace::{Boundary, Manifest, Mode};
use std::path::PathBuf;
use syn::spanned::Spanned;

/// Expands the attribute. On error the errors come first, then the item and a stub of what
/// the attribute declares (see [`stub`]), so the user reads the mistake first and not a
/// cascade after it that suggests another fix (`cargo add db`, "implement `Plugin`").
pub(crate) fn expand(args: TokenStream, item: TokenStream, env: &Env) -> TokenStream {
    match checked(args, item.clone(), env) {
        Ok(plugin) => generate(&plugin),
        Err(e) => {
            let mut out = e.into_compile_error();
            out.extend(item.clone());
            out.extend(stub(item));
            out
        }
    }
}

/// What the rest of the crate names when the attribute failed: an empty `mod db` and impls of
/// the plugin traits whose clients are `()`. Uses of `db::...` and `ctx.db()` then fail without
/// a message of their own that points elsewhere (an unresolved crate `db`, a missing
/// capability). Nothing for an item that is not a plain struct: the error says what it must be.
fn stub(item: TokenStream) -> TokenStream {
    let Ok(st) = syn::parse2::<syn::ItemStruct>(item) else {
        return TokenStream::new();
    };
    if !st.generics.params.is_empty() {
        return TokenStream::new();
    }
    let (ident, vis) = (&st.ident, &st.vis);
    quote! {
        /// Empty: `#[sovereign_plugin]` failed (see the error above), so nothing was generated.
        #vis mod db {}
        #[automatically_derived]
        impl ::sovereign::Plugin for #ident {
            const MANIFEST: ::sovereign::PluginManifest = ::sovereign::PluginManifest {
                id: "",
                name: "",
                version: "",
                namespace: "",
                mode: ::sovereign::Mode::Shared,
                capabilities: &[],
                datasource: ::core::option::Option::None,
            };
            type Db = ();
            type Core = ();
        }
        #[automatically_derived]
        impl ::sovereign::DatabaseCapability for #ident {}
        #[automatically_derived]
        impl ::sovereign::HasDb for #ident {
            fn open(_: &::sovereign::PluginContext<Self>) -> Self::Db {}
        }
        #[automatically_derived]
        impl ::sovereign::HasCore for #ident {
            fn open_core(_: &::sovereign::PluginContext<Self>) -> Self::Core {}
        }
    }
}

/// Everything generation needs, checked.
pub(crate) struct Checked {
    pub(crate) item: syn::ItemStruct,
    pub(crate) manifest: Manifest,
    /// The manifest file, canonical (embedded with `include_str!` so an edit rebuilds).
    pub(crate) manifest_path: PathBuf,
    /// `sovereign_client.rs`: always for a plugin with database access; for a shared plugin
    /// without it, when its build script generated the view (its types are then there, and
    /// `ctx.db()` is refused by the capability alone).
    pub(crate) client: Option<PathBuf>,
    /// Whether `ctx.db()` is offered: a dedicated plugin, or one granted `database`.
    pub(crate) db_access: bool,
    /// `sovereign_core.rs`, for a dedicated plugin with the `database` capability.
    pub(crate) core: Option<PathBuf>,
}

impl std::fmt::Debug for Checked {
    // syn's types implement Debug only with its `extra-traits` feature: name the type instead.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checked")
            .field("item", &self.item.ident.to_string())
            .field("manifest", &self.manifest)
            .field("manifest_path", &self.manifest_path)
            .field("client", &self.client)
            .field("db_access", &self.db_access)
            .field("core", &self.core)
            .finish()
    }
}

/// Parses and checks the arguments, the item and the manifest.
///
/// # Errors
/// Every misuse the crate documents, as `syn::Error`s on the offending tokens; mistakes in the
/// arguments and the item are reported together.
pub(crate) fn checked(args: TokenStream, item: TokenStream, env: &Env) -> syn::Result<Checked> {
    let args = parse_args(args);
    let item = plugin_type(item);
    let (args, item) = match (args, item) {
        (Ok(a), Ok(i)) => (a, i),
        (Err(mut a), Err(i)) => {
            a.combine(i);
            return Err(a);
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    let (manifest, manifest_path, shown) = load_manifest(&args, env)?;
    let mode = manifest.mode;
    if let Some((expected, span)) = args.mode {
        if expected != mode {
            let (m, declared) = (expected.as_str(), mode.as_str());
            return Err(syn::Error::new(
                span,
                format!(
                    "mode = \"{m}\" does not match {shown}, which declares mode \"{declared}\"\nhelp: change the argument, or set \"sovereign\": {{ \"database\": {{ \"mode\": \"{m}\" }} }} in {shown}"
                ),
            ));
        }
    }
    let granted = manifest.grants("database");
    let dedicated = mode == Mode::Dedicated;
    let ns = &manifest.namespace;
    // Where the plugin's build script (`sovereign_build::plugin()`) wrote its files.
    let generated = env.out_dir.as_ref().map(|d| d.join("sovereign").join(ns));
    let existing = |name: &str| {
        generated
            .as_ref()
            .map(|d| d.join(name))
            .filter(|p| p.is_file())
    };
    let db_access = dedicated || granted;
    let client = if db_access {
        let Some(client) = existing("sovereign_client.rs") else {
            return Err(syn::Error::new(
                args.mode.map_or(Span::call_site(), |m| m.1),
                format!(
                    "the {} plugin \"{ns}\" has no generated client: its build script did not run `sovereign_build::plugin()`\nhelp: add build.rs with `fn main() {{ if let Err(e) = sovereign_build::plugin().compile() {{ panic!(\"{{e}}\") }} }}` and `sovereign-build` under [build-dependencies] in Cargo.toml",
                    mode.as_str()
                ),
            ));
        };
        Some(client)
    } else {
        existing("sovereign_client.rs")
    };
    let core = if dedicated && granted {
        let Some(core) = existing("sovereign_core.rs") else {
            return Err(syn::Error::new(
                Span::call_site(),
                format!("the read-only core view of \"{ns}\" was not generated: rebuild so that build.rs runs `sovereign_build::plugin()` again"),
            ));
        };
        Some(core)
    } else {
        None
    };
    Ok(Checked {
        item,
        manifest,
        manifest_path,
        client,
        db_access,
        core,
    })
}

/// The plugin's type: a struct without generics.
fn plugin_type(item: TokenStream) -> syn::Result<syn::ItemStruct> {
    let item: syn::Item = syn::parse2(item)?;
    let syn::Item::Struct(st) = item else {
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
    Ok(st)
}

/// Reads the manifest through `sovereign_workspace`, as the plugin's build script does (with the
/// same refusal of links out of the workspace). Returns it, its canonical path and the name it
/// is shown by (as the author wrote it).
fn load_manifest(args: &Args, env: &Env) -> syn::Result<(Manifest, PathBuf, String)> {
    let base = env
        .manifest_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from("."));
    let (path, span, shown) = match &args.manifest {
        Some((p, span)) => (base.join(p), *span, p.clone()),
        None => (
            base.join("plugin.json"),
            Span::call_site(),
            "plugin.json".to_string(),
        ),
    };
    let mut boundary = Boundary::of_plugin(&base);
    if args.manifest.is_some() {
        // A manifest the author names outside the workspace is their choice; a link out of it
        // is not.
        boundary = boundary.allowing(path.parent().unwrap_or(&base));
    }
    // Strictness is the workspace's (`strict = true` in sovereign.toml); warnings cannot be
    // shown from a macro, and the plugin's build script, which reads the same file, shows them.
    let strict = sovereign_workspace::Config::find(&base).is_ok_and(|c| c.strict);
    let manifest = sovereign_workspace::read_manifest(&boundary, &base, &path, &shown, strict).map(|(m, _)| m).map_err(|e| {
        let message = match e {
            sovereign_workspace::Error::Io { source, .. } => format!(
                "cannot read {shown}: {source}\nhelp: every plugin crate has a plugin.json next to its Cargo.toml (see example-plugins/blog/plugin.json), or name it with `manifest = \"path\"`"
            ),
            sovereign_workspace::Error::Diagnostics(report) => {
                format!("invalid plugin manifest\n{}", report.render())
            }
            other => other.to_string(),
        };
        syn::Error::new(span, message)
    })?;
    let canonical = std::fs::canonicalize(&path).unwrap_or(path);
    Ok((manifest, canonical, shown))
}

/// The impl of `sovereign::Plugin`, the capability impls and the database modules.
pub(crate) fn generate(p: &Checked) -> TokenStream {
    let item = &p.item;
    let ident = &item.ident;
    let vis = &item.vis;
    let m = &p.manifest;
    let dedicated = m.mode == Mode::Dedicated;
    let granted = m.grants("database");
    let path = p.manifest_path.display().to_string();
    let (id, name, version, ns) = (&m.id, &m.name, &m.version, &m.namespace);
    let caps = m.capabilities.iter().filter(|(_, on)| **on).map(|(k, _)| k);
    let (mode, datasource) = if dedicated {
        (
            quote!(::sovereign::Mode::Dedicated),
            quote!(::core::option::Option::Some(&db::DATASOURCE)),
        )
    } else {
        (
            quote!(::sovereign::Mode::Shared),
            quote!(::core::option::Option::None),
        )
    };
    let db_type = if p.db_access {
        quote!(db::PrismaClient)
    } else {
        quote!(())
    };
    let core_type = match p.core {
        Some(_) => quote!(core::CoreClient),
        None => quote!(()),
    };
    let mut out = quote! {
        #item
        // Embedded so that cargo rebuilds the crate when the manifest changes.
        const _: &str = include_str!(#path);
        #[automatically_derived]
        impl ::sovereign::Plugin for #ident {
            const MANIFEST: ::sovereign::PluginManifest = ::sovereign::PluginManifest {
                id: #id,
                name: #name,
                version: #version,
                namespace: #ns,
                mode: #mode,
                capabilities: &[#(#caps),*],
                datasource: #datasource,
            };
            type Db = #db_type;
            type Core = #core_type;
        }
    };
    if granted {
        out.extend(quote! {
            #[automatically_derived]
            impl ::sovereign::DatabaseCapability for #ident {}
        });
    }
    // `mod db` is always declared, so a use of `db::...` never reads as a missing crate.
    if p.client.is_none() {
        out.extend(quote! {
            /// Empty: the plugin has no database access (its plugin.json does not grant the
            /// `database` capability) and its build script generated no view.
            #vis mod db {}
        });
    }
    if let (Some(client), false) = (&p.client, p.db_access) {
        let client = client.display().to_string();
        out.extend(quote! {
            /// The plugin's view of the platform database (its models and the core models),
            /// without access: `ctx.db()` needs the `database` capability in plugin.json.
            #[allow(clippy::all, unused_imports, dead_code)]
            #vis mod db {
                include!(#client);
            }
        });
    }
    if let (Some(client), true) = (&p.client, p.db_access) {
        let client = client.display().to_string();
        let doc = if dedicated {
            "The plugin's own database: its generated client, schema and migrations."
        } else {
            "The plugin's view of the platform database: its models read and write, core models read only."
        };
        let handle = if dedicated {
            quote!(ctx.own_database())
        } else {
            quote!(ctx.database())
        };
        out.extend(quote! {
            #[doc = #doc]
            #[allow(clippy::all, unused_imports)]
            #vis mod db {
                include!(#client);
            }
            #[automatically_derived]
            impl ::sovereign::HasDb for #ident {
                fn open(ctx: &::sovereign::PluginContext<Self>) -> Self::Db {
                    db::PrismaClient::new(#handle.clone())
                }
            }
        });
    }
    if let Some(core) = &p.core {
        let core = core.display().to_string();
        out.extend(quote! {
            /// The platform's core models, read only.
            #[allow(clippy::all, unused_imports)]
            #vis mod core {
                include!(#core);
            }
            #[automatically_derived]
            impl ::sovereign::HasCore for #ident {
                fn open_core(ctx: &::sovereign::PluginContext<Self>) -> Self::Core {
                    core::CoreClient::new(ctx.database().clone())
                }
            }
        });
    }
    out
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
