//! The macro as a function over token streams: every misuse the trybuild suite pins
//! (`sovereign-ui-tests/tests/ui/fail/`), the argument edge cases, and the expansion itself, on a
//! workspace written to a temporary directory (no compiler, no build script).

use crate::expand::{checked, expand, Checked};
use crate::Env;
use proc_macro2::TokenStream;
use quote::quote;
use std::path::{Path, PathBuf};

/// A workspace like the trybuild suite's: plugins `shop` (shared, `database`), `quiet` (shared,
/// no capability), `solo` (dedicated, `database`), `lonely` (dedicated, no capability) and
/// `nobuild` (dedicated, its build script never ran), and two broken manifests outside it.
struct Fixture {
    tmp: PathBuf,
    env: Env,
}

const GOOD: &[(&str, &str, bool, bool)] = &[
    // (namespace, mode, database capability, generated)
    ("shop", "shared", true, true),
    ("quiet", "shared", false, true),
    ("solo", "dedicated", true, true),
    ("lonely", "dedicated", false, true),
    ("nobuild", "dedicated", false, false),
];

impl Fixture {
    fn new(name: &str) -> Fixture {
        let tmp =
            std::env::temp_dir().join(format!("sovereign-macros-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let ws = tmp.join("ui/workspace");
        let out = tmp.join("out");
        write(&ws.join("sovereign.toml"), "");
        for (ns, mode, db, generated) in GOOD {
            let caps = if *db {
                r#", "platformCapabilities": { "database": true }"#
            } else {
                ""
            };
            write(
                &ws.join(format!("plugins/{ns}/plugin.json")),
                &format!(
                    "{{\n  \"id\": \"{ns}\",\n  \"name\": \"The {ns}\",\n  \"version\": \"0.1.0\",\n  \"sovereign\": {{ \"database\": {{ \"mode\": \"{mode}\" }}{caps} }}\n}}\n"
                ),
            );
            if *generated {
                let dir = out.join("sovereign").join(ns);
                write(&dir.join("sovereign_client.rs"), "// client\n");
                if *mode == "dedicated" && *db {
                    write(&dir.join("sovereign_core.rs"), "// core\n");
                }
            }
        }
        // As in sovereign-tests/tests/ui/manifests.
        write(
            &tmp.join("ui/manifests/badjson/plugin.json"),
            "{\n  \"id\": \"badjson\",\n  \"name\": \"Bad\"\n  \"version\": \"0.1.0\"\n}\n",
        );
        write(
            &tmp.join("ui/manifests/badmode/plugin.json"),
            "{\n  \"id\": \"badmode\",\n  \"name\": \"Bad\",\n  \"version\": \"0.1.0\",\n  \"sovereign\": { \"database\": { \"mode\": \"exclusive\" } }\n}\n",
        );
        let env = Env {
            manifest_dir: Some(ws.join("plugins")),
            out_dir: Some(out),
        };
        Fixture { tmp, env }
    }

    fn check(&self, args: TokenStream, item: TokenStream) -> Result<Checked, Vec<String>> {
        checked(args, item, &self.env).map_err(|e| e.into_iter().map(|e| e.to_string()).collect())
    }

    /// The messages of a misuse (panics when it is accepted).
    fn errors(&self, args: TokenStream, item: TokenStream) -> Vec<String> {
        match self.check(args, item) {
            Ok(c) => panic!("accepted: {c:?}"),
            Err(e) => e,
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        std::fs::canonicalize(self.tmp.join(rel)).unwrap()
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.tmp);
    }
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn one(errors: Vec<String>) -> String {
    assert_eq!(errors.len(), 1, "{errors:#?}");
    errors.into_iter().next().unwrap()
}

fn shop() -> TokenStream {
    quote!(
        pub struct Shop;
    )
}

// The misuses of sovereign-ui-tests/tests/ui/fail, one test each.

#[test]
fn missing_manifest() {
    let f = Fixture::new("missing");
    let e = one(f.errors(
        quote!(manifest = "nowhere/plugin.json"),
        quote!(
            pub struct Lost;
        ),
    ));
    assert!(
        e.starts_with("cannot read nowhere/plugin.json: No such file or directory"),
        "{e}"
    );
    assert!(
        e.contains("help: every plugin crate has a plugin.json next to its Cargo.toml"),
        "{e}"
    );
}

#[test]
fn invalid_json() {
    let f = Fixture::new("badjson");
    let e = one(f.errors(
        quote!(manifest = "../../manifests/badjson/plugin.json"),
        quote!(
            pub struct Bad;
        ),
    ));
    assert!(
        e.starts_with("invalid plugin manifest\nerror: invalid plugin.json: expected `,` or `}`"),
        "{e}"
    );
    assert!(
        e.contains("--> ../../manifests/badjson/plugin.json:4:3"),
        "{e}"
    );
}

#[test]
fn unknown_mode_in_manifest() {
    let f = Fixture::new("badmode");
    let e = one(f.errors(
        quote!(manifest = "../../manifests/badmode/plugin.json"),
        quote!(
            pub struct Bad;
        ),
    ));
    assert!(
        e.contains(
            "invalid plugin.json: unknown variant `exclusive`, expected `shared` or `dedicated`"
        ),
        "{e}"
    );
    assert!(
        e.contains("--> ../../manifests/badmode/plugin.json:5:40"),
        "{e}"
    );
    assert!(
        e.contains("`sovereign.database.mode` is \"shared\" (the default) or \"dedicated\""),
        "{e}"
    );
}

#[test]
fn unknown_mode_argument() {
    let f = Fixture::new("modearg");
    let e = one(f.errors(
        quote!(mode = "exclusive", manifest = "shop/plugin.json"),
        shop(),
    ));
    assert_eq!(
        e,
        "unknown mode \"exclusive\": expected \"shared\" or \"dedicated\""
    );
}

#[test]
fn mode_mismatch() {
    let f = Fixture::new("mismatch");
    let e = one(f.errors(
        quote!(mode = "dedicated", manifest = "shop/plugin.json"),
        shop(),
    ));
    assert_eq!(
        e,
        "mode = \"dedicated\" does not match shop/plugin.json, which declares mode \"shared\"\nhelp: change the argument, or set \"sovereign\": { \"database\": { \"mode\": \"dedicated\" } } in shop/plugin.json"
    );
}

#[test]
fn not_a_struct() {
    let f = Fixture::new("enum");
    for item in [
        quote!(
            pub enum Shop {
                A,
            }
        ),
        quote!(
            fn shop() {}
        ),
        quote!(
            pub trait Shop {}
        ),
        quote!(
            mod shop {}
        ),
    ] {
        let e = one(f.errors(quote!(manifest = "shop/plugin.json"), item));
        assert!(e.starts_with("#[sovereign_plugin] goes on a struct"), "{e}");
    }
}

#[test]
fn unknown_argument() {
    let f = Fixture::new("unknown");
    let e = one(f.errors(
        quote!(manifest = "shop/plugin.json", colour = "red"),
        shop(),
    ));
    assert_eq!(
        e,
        "unknown argument `colour`: #[sovereign_plugin] takes `mode = \"shared\" | \"dedicated\"` and `manifest = \"path/to/plugin.json\"`"
    );
}

#[test]
fn client_not_generated() {
    let f = Fixture::new("nobuild");
    let e = one(f.errors(
        quote!(mode = "dedicated", manifest = "nobuild/plugin.json"),
        quote!(
            pub struct NoBuild;
        ),
    ));
    assert!(
        e.starts_with("the dedicated plugin \"nobuild\" has no generated client: its build script did not run `sovereign_build::plugin()`"),
        "{e}"
    );
    // Without an OUT_DIR (no build script at all) it is the same mistake.
    let mut f2 = Fixture::new("noout");
    f2.env.out_dir = None;
    let e = one(f2.errors(
        quote!(manifest = "solo/plugin.json"),
        quote!(
            pub struct Solo;
        ),
    ));
    assert!(e.contains("has no generated client"), "{e}");
}

#[test]
fn a_missing_core_view_is_reported_before_anything_is_generated() {
    let f = Fixture::new("nocore");
    std::fs::remove_file(f.tmp.join("out/sovereign/solo/sovereign_core.rs")).unwrap();
    let e = one(f.errors(
        quote!(manifest = "solo/plugin.json"),
        quote!(
            pub struct Solo;
        ),
    ));
    assert!(
        e.starts_with("the read-only core view of \"solo\" was not generated"),
        "{e}"
    );
}

/// `capability_not_granted`: without `database` there is no database access to reach, so the
/// uses fail to compile (`HasDb`, `DatabaseCapability` are not implemented). The view's types
/// are still declared, so `use db::post` resolves and the capability is the first and only
/// error, not an unresolved `db` (with rustc's advice to `cargo add db`) before it.
#[test]
fn capability_not_granted() {
    let f = Fixture::new("quiet");
    let c = f
        .check(
            quote!(manifest = "quiet/plugin.json"),
            quote!(
                pub struct Quiet;
            ),
        )
        .unwrap();
    assert!(!c.db_access && c.core.is_none());
    assert_eq!(
        c.client,
        Some(f.tmp.join("out/sovereign/quiet/sovereign_client.rs"))
    );
    let out = crate::expand::generate(&c).to_string();
    assert!(out.contains("type Db = ()"), "{out}");
    assert!(!out.contains("DatabaseCapability"), "{out}");
    assert!(!out.contains("HasDb"), "{out}");
    assert!(
        out.contains("pub mod db { include ! (") && out.contains("sovereign_client.rs"),
        "{out}"
    );
}

/// Without the capability and without a generated view, `mod db` is declared empty: a use of
/// `db::...` fails as a missing item of `db`, never as a missing crate.
#[test]
fn without_access_or_view_db_is_an_empty_module() {
    let f = Fixture::new("quiet-empty");
    std::fs::remove_file(f.tmp.join("out/sovereign/quiet/sovereign_client.rs")).unwrap();
    let c = f
        .check(
            quote!(manifest = "quiet/plugin.json"),
            quote!(
                struct Quiet;
            ),
        )
        .unwrap();
    assert!(c.client.is_none());
    let out = crate::expand::generate(&c).to_string();
    assert!(out.contains(" mod db { }"), "{out}");
    assert!(!out.contains("include !"), "{out}");
}

/// `core_without_capability`: a dedicated plugin gets its own database, not the core view.
#[test]
fn core_without_capability() {
    let f = Fixture::new("lonely");
    let c = f
        .check(
            quote!(mode = "dedicated", manifest = "lonely/plugin.json"),
            quote!(
                pub struct Lonely;
            ),
        )
        .unwrap();
    assert!(c.client.is_some() && c.core.is_none());
    let out = crate::expand::generate(&c).to_string();
    assert!(out.contains("type Core = ()"), "{out}");
    assert!(
        out.contains("HasDb") && out.contains("ctx . own_database ()"),
        "{out}"
    );
    assert!(
        !out.contains("HasCore") && !out.contains("DatabaseCapability"),
        "{out}"
    );
}

/// `write_core_model` and `other_plugins_model` are about the generated view, which comes from
/// the plugin's own namespace: the macro includes that file and no other.
#[test]
fn a_shared_plugin_includes_the_view_of_its_own_namespace() {
    let f = Fixture::new("view");
    let c = f
        .check(quote!(manifest = "shop/plugin.json"), shop())
        .unwrap();
    assert_eq!(
        c.client,
        Some(f.tmp.join("out/sovereign/shop/sovereign_client.rs"))
    );
}

// The expansion of the pass cases.

#[test]
fn shared_plugin_expansion() {
    let f = Fixture::new("shared");
    let out = expand(quote!(manifest = "shop/plugin.json"), shop(), &f.env);
    let manifest = f
        .path("ui/workspace/plugins/shop/plugin.json")
        .display()
        .to_string();
    let client = f
        .tmp
        .join("out/sovereign/shop/sovereign_client.rs")
        .display()
        .to_string();
    let expected = quote! {
        pub struct Shop;
        // Embedded so that cargo rebuilds the crate when the manifest changes.
        const _: &str = include_str!(#manifest);
        #[automatically_derived]
        impl ::sovereign::Plugin for Shop {
            const MANIFEST: ::sovereign::PluginManifest = ::sovereign::PluginManifest {
                id: "shop",
                name: "The shop",
                version: "0.1.0",
                namespace: "shop",
                mode: ::sovereign::Mode::Shared,
                capabilities: &["database"],
                datasource: ::core::option::Option::None,
            };
            type Db = db::PrismaClient;
            type Core = ();
        }
        #[automatically_derived]
        impl ::sovereign::DatabaseCapability for Shop {}
        #[doc = "The plugin's view of the platform database: its models read and write, core models read only."]
        #[allow(clippy::all, unused_imports)]
        pub mod db {
            include!(#client);
        }
        #[automatically_derived]
        impl ::sovereign::HasDb for Shop {
            fn open(ctx: &::sovereign::PluginContext<Self>) -> Self::Db {
                db::PrismaClient::new(ctx.database().clone())
            }
        }
    };
    assert_eq!(out.to_string(), expected.to_string());
}

#[test]
fn dedicated_plugin_expansion() {
    let f = Fixture::new("dedicated");
    let out = expand(
        quote!(mode = "dedicated", manifest = "solo/plugin.json"),
        quote!(
            pub(crate) struct Solo;
        ),
        &f.env,
    )
    .to_string();
    let core = f
        .tmp
        .join("out/sovereign/solo/sovereign_core.rs")
        .display()
        .to_string();
    for part in [
        "mode : :: sovereign :: Mode :: Dedicated".to_string(),
        "datasource : :: core :: option :: Option :: Some (& db :: DATASOURCE)".to_string(),
        "type Db = db :: PrismaClient ; type Core = core :: CoreClient ;".to_string(),
        "pub (crate) mod db".to_string(),
        format!("pub (crate) mod core {{ include ! ({core:?}) ; }}"),
        "impl :: sovereign :: HasCore for Solo".to_string(),
        "core :: CoreClient :: new (ctx . database () . clone ())".to_string(),
        "db :: PrismaClient :: new (ctx . own_database () . clone ())".to_string(),
    ] {
        assert!(out.contains(&part), "no `{part}` in\n{out}");
    }
}

// Argument edge cases.

#[test]
fn without_arguments_the_manifest_is_plugin_json_beside_cargo_toml() {
    let mut f = Fixture::new("noargs");
    f.env.manifest_dir = Some(f.tmp.join("ui/workspace/plugins/shop"));
    let c = f.check(quote!(), shop()).unwrap();
    assert_eq!(c.manifest.namespace, "shop");
    assert_eq!(
        c.manifest_path,
        f.path("ui/workspace/plugins/shop/plugin.json")
    );
    // and reading it names the default file
    f.env.manifest_dir = Some(f.tmp.join("ui/workspace"));
    let e = one(f.errors(quote!(), shop()));
    assert!(e.starts_with("cannot read plugin.json: "), "{e}");
}

#[test]
fn a_trailing_comma_and_either_order_are_fine() {
    let f = Fixture::new("order");
    for args in [
        quote!(manifest = "shop/plugin.json",),
        quote!(mode = "shared", manifest = "shop/plugin.json"),
        quote!(manifest = "shop/plugin.json", mode = "shared",),
    ] {
        f.check(args, shop()).unwrap();
    }
}

#[test]
fn an_argument_given_twice_is_an_error() {
    let f = Fixture::new("twice");
    let e = one(f.errors(
        quote!(
            mode = "shared",
            manifest = "shop/plugin.json",
            mode = "shared"
        ),
        shop(),
    ));
    assert_eq!(e, "`mode` is given twice: keep one");
    let e = one(f.errors(
        quote!(
            manifest = "shop/plugin.json",
            manifest = "quiet/plugin.json"
        ),
        shop(),
    ));
    assert_eq!(e, "`manifest` is given twice: keep one");
}

#[test]
fn values_must_be_strings() {
    let f = Fixture::new("strings");
    let e = one(f.errors(quote!(mode = shared, manifest = "shop/plugin.json"), shop()));
    assert!(
        e.starts_with("`mode` takes a string: mode = \"...\""),
        "{e}"
    );
    let e = one(f.errors(quote!(manifest = 1), shop()));
    assert!(e.starts_with("`manifest` takes a string"), "{e}");
    let e = one(f.errors(quote!(manifest = ""), shop()));
    assert!(e.starts_with("`manifest` names no file"), "{e}");
}

#[test]
fn a_missing_value_is_a_syntax_error() {
    let f = Fixture::new("novalue");
    let e = one(f.errors(quote!(mode), shop()));
    assert!(e.contains("expected `=`"), "{e}");
}

#[test]
fn unknown_arguments_of_any_shape_are_named_and_skipped() {
    let f = Fixture::new("shapes");
    let errors = f.errors(
        quote!(colour(red), a::b = 1, flag, manifest = "shop/plugin.json"),
        shop(),
    );
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(
        errors[0].starts_with("unknown argument `colour`"),
        "{errors:#?}"
    );
    assert!(
        errors[1].starts_with("unknown argument `a::b`"),
        "{errors:#?}"
    );
    assert!(
        errors[2].starts_with("unknown argument `flag`"),
        "{errors:#?}"
    );
}

#[test]
fn every_mistake_in_the_arguments_and_the_item_is_reported_at_once() {
    let f = Fixture::new("all");
    let errors = f.errors(
        quote!(colour = "red", mode = "exclusive", mode = "shared"),
        quote!(
            pub struct Generic<T>(T);
        ),
    );
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(errors[0].starts_with("unknown argument `colour`"));
    assert!(errors[1].starts_with("unknown mode \"exclusive\""));
    assert!(errors[2].starts_with("a plugin type cannot be generic"));
}

#[test]
fn on_error_the_item_is_still_emitted() {
    let f = Fixture::new("stub");
    let out = expand(
        quote!(manifest = "nowhere/plugin.json"),
        quote!(
            pub struct Lost;
        ),
        &f.env,
    );
    let out = out.to_string();
    assert!(out.starts_with(":: core :: compile_error !"), "{out}");
    assert!(out.contains("pub struct Lost ;"), "{out}");
}

/// On error the real message comes first; then the item and a stub of what the attribute
/// declares (an empty `mod db`, the plugin traits with `()` clients), so that the crate's uses
/// of `db::...` and `ctx.db()` add no message suggesting another fix (`cargo add db`, a missing
/// `Plugin` impl, a missing capability).
#[test]
fn on_error_the_real_message_comes_first_then_a_stub() {
    let f = Fixture::new("mismatch-stub");
    let out = expand(
        quote!(mode = "dedicated", manifest = "shop/plugin.json"),
        shop(),
        &f.env,
    )
    .to_string();
    let error = out.find("compile_error !").unwrap();
    let item = out.find("pub struct Shop ;").unwrap();
    let db = out.find("pub mod db { }").unwrap();
    assert!(error < item && item < db, "{out}");
    assert_eq!(out.matches("compile_error !").count(), 1, "{out}");
    for trait_ in ["Plugin", "DatabaseCapability", "HasDb", "HasCore"] {
        assert!(
            out.contains(&format!("impl :: sovereign :: {trait_} for Shop")),
            "{trait_}: {out}"
        );
    }
    assert!(out.contains("type Db = ()"), "{out}");
    // Not a struct: nothing to stub.
    let out = expand(
        quote!(manifest = "shop/plugin.json"),
        quote!(
            enum Shop {}
        ),
        &f.env,
    )
    .to_string();
    assert!(!out.contains("impl") && !out.contains("mod db"), "{out}");
}

#[cfg(unix)]
#[test]
fn a_manifest_linked_from_outside_the_workspace_is_refused() {
    let f = Fixture::new("link");
    let secret = f.tmp.join("secret.json");
    write(&secret, "{\"id\": \"TOP-SECRET\"}");
    let dir = f.tmp.join("ui/workspace/plugins/linked");
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(&secret, dir.join("plugin.json")).unwrap();
    let e = one(f.errors(
        quote!(manifest = "linked/plugin.json"),
        quote!(
            pub struct Linked;
        ),
    ));
    assert!(e.contains("is a symbolic link to"), "{e}");
    assert!(e.contains("outside the workspace"), "{e}");
    assert!(!e.contains("TOP-SECRET"), "{e}");
}
