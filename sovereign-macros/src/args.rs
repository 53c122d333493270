//! The attribute's arguments: `mode = "shared" | "dedicated"` and `manifest = "path"`.

use proc_macro2::{Span, TokenStream};
use sovereign_workspace::Mode;
use syn::spanned::Spanned;

/// What the arguments say; each with the span of its value, for errors about it.
#[derive(Debug, Default)]
pub(crate) struct Args {
    /// `mode = "..."`: the mode the author expects the manifest to declare.
    pub(crate) mode: Option<(Mode, Span)>,
    /// `manifest = "..."`: the manifest's path, relative to `CARGO_MANIFEST_DIR`.
    pub(crate) manifest: Option<(String, Span)>,
}

const USAGE: &str = "#[sovereign_plugin] takes `mode = \"shared\" | \"dedicated\"` and `manifest = \"path/to/plugin.json\"`";

/// Parses the arguments. Every mistake is reported, not only the first: unknown arguments,
/// values that are not strings, an unknown mode, an empty path, an argument given twice.
///
/// # Errors
/// The mistakes, combined into one `syn::Error`.
pub(crate) fn parse_args(tokens: TokenStream) -> syn::Result<Args> {
    let mut args = Args::default();
    let mut errors: Vec<syn::Error> = Vec::new();
    let parser = syn::meta::parser(|meta| {
        let name = meta.path.get_ident().map(ToString::to_string);
        match name.as_deref() {
            Some(key @ ("mode" | "manifest")) => {
                let value: syn::Expr = meta.value()?.parse()?;
                let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) = &value
                else {
                    errors.push(syn::Error::new_spanned(
                        &value,
                        format!("`{key}` takes a string: {key} = \"...\"; {USAGE}"),
                    ));
                    return Ok(());
                };
                let taken = if key == "mode" {
                    args.mode.is_some()
                } else {
                    args.manifest.is_some()
                };
                if taken {
                    errors.push(syn::Error::new_spanned(
                        &meta.path,
                        format!("`{key}` is given twice: keep one"),
                    ));
                } else if key == "mode" {
                    match Mode::from_name(&s.value()) {
                        Some(m) => args.mode = Some((m, s.span())),
                        None => errors.push(syn::Error::new(
                            s.span(),
                            format!(
                                "unknown mode \"{}\": expected \"shared\" or \"dedicated\"",
                                s.value()
                            ),
                        )),
                    }
                } else if s.value().trim().is_empty() {
                    errors.push(syn::Error::new(
                        s.span(),
                        "`manifest` names no file: give the path of plugin.json relative to Cargo.toml, or leave the argument out to read ./plugin.json",
                    ));
                } else {
                    args.manifest = Some((s.value(), s.span()));
                }
                Ok(())
            }
            _ => {
                let shown = meta
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect::<Vec<_>>()
                    .join("::");
                errors.push(syn::Error::new(
                    meta.path.span(),
                    format!("unknown argument `{shown}`: {USAGE}"),
                ));
                // Skip its value, whatever it is, and go on to the next argument.
                if meta.input.peek(syn::Token![=]) {
                    meta.value()?.parse::<syn::Expr>()?;
                } else if meta.input.peek(syn::token::Paren) {
                    meta.input.parse::<proc_macro2::Group>()?;
                }
                Ok(())
            }
        }
    });
    if let Err(e) = syn::parse::Parser::parse2(parser, tokens) {
        errors.push(e);
    }
    match errors.into_iter().reduce(|mut all, e| {
        all.combine(e);
        all
    }) {
        Some(e) => Err(e),
        None => Ok(args),
    }
}
