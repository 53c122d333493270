//! Discovery, manifests and composition on fixture workspaces in temporary directories.

use sovereign_build::{compose_workspace, Config, Error, Mode};
use std::path::{Path, PathBuf};

const BASE: &str = "datasource db {\n  provider = \"sqlite\"\n  url      = \"file:./dev.db\"\n}\n\ngenerator client {\n  provider = \"sovereign\"\n}\n\nmodel User {\n  id    String @id\n  email String @unique\n}\n\nenum Role {\n  ADMIN\n}\n";
const BLOG: &str = "model Post {\n  id       Int    @id\n  authorId String\n  author   User   @relation(fields: [authorId], references: [id])\n}\n";
const DEDICATED: &str = "datasource db {\n  provider = \"sqlite\"\n  url      = env(\"ANALYTICS_DATABASE_URL\")\n}\n\ngenerator client {\n  provider = \"sovereign\"\n}\n\nmodel Event {\n  id   Int    @id\n  name String\n}\n";

struct Ws(PathBuf);

impl Ws {
    fn new(name: &str) -> Ws {
        let root = std::env::temp_dir().join(format!("sovereign-ws-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        let ws = Ws(root);
        ws.write("platform/prisma/base.prisma", BASE);
        ws
    }
    fn write(&self, rel: &str, text: &str) -> &Self {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        self
    }
    fn plugin(&self, ns: &str, json: &str, ext: Option<&str>) -> &Self {
        self.write(&format!("plugins/{ns}/plugin.json"), json);
        if let Some(e) = ext {
            self.write(&format!("plugins/{ns}/prisma/extension.prisma"), e);
        }
        self
    }
    fn shared(&self, ns: &str, ext: &str) -> &Self {
        self.plugin(ns, &manifest(ns, "shared"), Some(ext))
    }
    fn config(&self) -> Config {
        Config::find(&self.0).unwrap()
    }
    fn error(&self) -> String {
        match compose_workspace(&self.config()) {
            Ok(c) => panic!("composition succeeded:\n{}", c.composed.text),
            Err(e) => e.to_string(),
        }
    }
}

impl Drop for Ws {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn manifest(ns: &str, mode: &str) -> String {
    format!(
        "{{\n  \"id\": \"{ns}\",\n  \"name\": \"{ns}\",\n  \"version\": \"0.1.0\",\n  \"sovereign\": {{\n    \"database\": {{ \"mode\": \"{mode}\" }},\n    \"platformCapabilities\": {{ \"database\": true }}\n  }}\n}}\n"
    )
}

#[test]
fn defaults_without_sovereign_toml() {
    let ws = Ws::new("defaults");
    let c = Config::find(&ws.0.join("platform")).unwrap();
    assert_eq!(c.root, ws.0);
    assert_eq!(c.plugins_dir, ws.0.join("plugins"));
    assert!(c.file.is_none());
}

#[test]
fn sovereign_toml_paths_and_unknown_keys() {
    let ws = Ws::new("toml");
    ws.write(
        "sovereign.toml",
        "[platform]\nbase = \"core/base.prisma\"\n\n[plugins]\ndir = \"ext\"\n",
    );
    let c = Config::find(&ws.0.join("some/dir")).unwrap();
    assert_eq!(c.base, ws.0.join("core/base.prisma"));
    assert_eq!(c.schema, ws.0.join("platform/prisma/schema.prisma"));
    assert_eq!(c.plugins_dir, ws.0.join("ext"));

    ws.write("sovereign.toml", "[platform]\nbse = \"x\"\n");
    let err = Config::find(&ws.0).unwrap_err().to_string();
    assert!(
        err.contains("unknown field `bse`, expected one of `base`, `schema`, `migrations`"),
        "{err}"
    );
    assert!(err.contains("sovereign.toml:2:1"), "{err}");
}

#[test]
fn composes_shared_plugins_and_skips_dedicated_ones() {
    let ws = Ws::new("compose");
    ws.shared("blog", BLOG);
    ws.plugin("analytics", &manifest("analytics", "dedicated"), None);
    ws.write("plugins/analytics/prisma/schema.prisma", DEDICATED);
    ws.plugin("empty", &manifest("empty", "shared"), None);
    let c = compose_workspace(&ws.config()).unwrap();
    assert_eq!(c.composed.plugins, ["blog"]);
    assert_eq!(c.dedicated, ["analytics"]);
    assert_eq!(c.plugins.len(), 3);
    assert_eq!(c.plugins[0].manifest.mode, Mode::Dedicated);
    assert!(c
        .composed
        .text
        .contains("// ---- plugin \"blog\" (plugins/blog/prisma/extension.prisma) ----"));
    assert!(
        c.composed.text.contains("  posts Post[]\n"),
        "{}",
        c.composed.text
    );
    assert!(
        !c.composed.text.contains(&*ws.0.to_string_lossy()),
        "no absolute paths"
    );
    // Composing twice gives the same bytes.
    assert_eq!(
        compose_workspace(&ws.config()).unwrap().composed.text,
        c.composed.text
    );
}

#[test]
fn a_directory_without_plugin_json_is_skipped_with_a_warning() {
    let ws = Ws::new("nojson");
    ws.write("plugins/notes/README.md", "hi");
    let c = compose_workspace(&ws.config()).unwrap();
    assert!(c.plugins.is_empty());
    assert!(
        c.warnings[0].contains("plugins/notes has no plugin.json and is skipped"),
        "{:?}",
        c.warnings
    );
}

#[test]
fn two_plugins_defining_the_same_model() {
    let ws = Ws::new("samemodel");
    ws.shared("a", "model Thing {\n  id Int @id\n}\n")
        .shared("b", "model Thing {\n  id Int @id\n}\n");
    let e = ws.error();
    assert!(e.contains("The model \"Thing\" cannot be defined"), "{e}");
    assert!(
        e.contains("plugins/a/prisma/extension.prisma:1:7")
            && e.contains("plugins/b/prisma/extension.prisma:1:7"),
        "{e}"
    );
}

#[test]
fn plugin_clashing_with_core_model_enum_and_table() {
    let ws = Ws::new("coreclash");
    ws.shared("a", "model User {\n  id Int @id\n}\n");
    assert!(ws.error().contains("The model \"User\" cannot be defined"));
    ws.shared("a", "model Role {\n  id Int @id\n}\n");
    assert!(ws.error().contains(
        "The model \"Role\" cannot be defined because a enum with that name already exists."
    ));
    ws.shared(
        "a",
        "model Account {\n  id Int @id\n\n  @@map(\"User\")\n}\n",
    );
    let e = ws.error();
    assert!(
        e.contains("database name \"User\"") && e.contains("platform/prisma/base.prisma"),
        "{e}"
    );
}

#[test]
fn datasource_in_an_extension() {
    let ws = Ws::new("dsext");
    ws.shared(
        "a",
        "datasource db {\n  provider = \"sqlite\"\n  url = \"file:x\"\n}\n",
    );
    let e = ws.error();
    assert!(
        e.contains("declares a datasource") && e.contains("\"mode\": \"dedicated\""),
        "{e}"
    );
}

#[test]
fn relation_to_another_plugins_model_and_core_to_plugin() {
    let ws = Ws::new("crossplugin");
    ws.shared("blog", BLOG);
    ws.shared("comments", "model Comment {\n  id     Int  @id\n  postId Int\n  post   Post @relation(fields: [postId], references: [id])\n}\n");
    assert!(ws
        .error()
        .contains("plugin \"comments\" may not use `Post`, a model of plugin \"blog\""));

    let ws = Ws::new("coretoplugin");
    ws.shared("blog", BLOG);
    ws.write(
        "platform/prisma/base.prisma",
        &BASE.replace(
            "  email String @unique\n",
            "  email String @unique\n  posts Post[]\n",
        ),
    );
    assert!(ws
        .error()
        .contains("the core model `User` may not use `Post`"));
}

#[test]
fn bad_manifests() {
    let ws = Ws::new("badjson");
    ws.plugin(
        "a",
        "{\n  \"id\": \"a\",\n  \"name\": \"a\"\n  \"version\": \"1\"\n}\n",
        None,
    );
    let e = ws.error();
    assert!(
        e.contains("invalid plugin.json: expected `,` or `}`")
            && e.contains("plugins/a/plugin.json:4:3"),
        "{e}"
    );

    ws.plugin(
        "a",
        "{\"id\": 3, \"name\": \"a\", \"version\": \"1\"}",
        None,
    );
    let e = ws.error();
    assert!(
        e.contains("invalid type: integer `3`, expected a string") && e.contains("plugin.json:1:8"),
        "{e}"
    );

    ws.plugin("a", &manifest("a", "exclusive"), None);
    let e = ws.error();
    assert!(
        e.contains("unknown variant `exclusive`, expected `shared` or `dedicated`"),
        "{e}"
    );
    assert!(e.contains("plugin.json:6:27"), "{e}");

    ws.plugin("a", "{\"id\": \"a\", \"name\": \"a\"}", None);
    assert!(ws.error().contains("missing field `version`"));

    // A typo inside "sovereign" is not silently a shared plugin: a warning that names the key
    // meant, and under `strict = true` an error.
    let typo = "{\"id\": \"a\", \"name\": \"a\", \"version\": \"1\", \"sovereign\": {\"databse\": {\"mode\": \"dedicated\"}}}";
    ws.plugin("a", typo, None);
    let c = compose_workspace(&ws.config()).expect("a near miss is a warning");
    let warnings = c.warnings.join("\n");
    assert!(
        warnings.contains("unknown key \"databse\" inside \"sovereign\"")
            && warnings.contains("did you mean \"database\"?"),
        "{warnings}"
    );
    let mut strict = ws.config();
    strict.strict = true;
    let e = compose_workspace(&strict).unwrap_err().to_string();
    assert!(
        e.contains("error: unknown key \"databse\"") && e.contains("did you mean \"database\"?"),
        "{e}"
    );
    ws.plugin("a", "{\"id\": \"a\", \"name\": \"a\", \"version\": \"1\", \"sovereign\": {\"schemaVersion\": 99}}", None);
    assert!(ws
        .error()
        .contains("unsupported sovereign.schemaVersion 99"));
    ws.plugin("a", "\"hello\"", None);
    let e = ws.error();
    assert!(
        e.contains("expected a JSON object with \"id\", \"name\" and \"version\""),
        "{e}"
    );

    ws.plugin(
        "a",
        &manifest("a", "shared").replace("\"database\": true", "\"network\": true"),
        None,
    );
    let e = ws.error();
    assert!(
        e.contains("unknown platform capability \"network\"")
            && e.contains("known capabilities: database"),
        "{e}"
    );
}

#[test]
fn namespace_mismatch_and_path_like_namespaces() {
    let ws = Ws::new("nsmismatch");
    ws.plugin(
        "blog",
        "{\"id\": \"blog\", \"name\": \"b\", \"version\": \"1\", \"namespace\": \"news\"}",
        None,
    );
    let e = ws.error();
    assert!(
        e.contains("the namespace \"news\" does not match the plugin's directory \"blog\""),
        "{e}"
    );
    for bad in ["../x", "/etc", "Blog", "a b", "1abc", ""] {
        ws.plugin(
            "blog",
            &format!(
                "{{\"id\": \"blog\", \"name\": \"b\", \"version\": \"1\", \"namespace\": {bad:?}}}"
            ),
            None,
        );
        let e = ws.error();
        assert!(e.contains("invalid plugin namespace"), "{bad}: {e}");
    }
    let ws = Ws::new("nsdir");
    ws.plugin(
        "Bad.Dir",
        "{\"id\": \"x\", \"name\": \"b\", \"version\": \"1\"}",
        None,
    );
    assert!(ws.error().contains("invalid plugin namespace \"Bad.Dir\""));
}

#[test]
fn duplicate_ids_name_both_plugins() {
    let ws = Ws::new("dupid");
    ws.plugin(
        "a",
        "{\"id\": \"same\", \"name\": \"a\", \"version\": \"1\"}",
        None,
    );
    ws.plugin(
        "b",
        "{\"id\": \"same\", \"name\": \"b\", \"version\": \"1\"}",
        None,
    );
    let e = ws.error();
    assert!(
        e.contains(
            "two plugins have the id \"same\": plugins/a/plugin.json and plugins/b/plugin.json"
        ),
        "{e}"
    );
}

#[test]
fn shared_plugin_with_a_complete_schema() {
    let ws = Ws::new("sharedschema");
    ws.plugin("a", &manifest("a", "shared"), None);
    ws.write("plugins/a/prisma/schema.prisma", DEDICATED);
    let e = ws.error();
    assert!(
        e.contains("shared plugin \"a\" has plugins/a/prisma/schema.prisma")
            && e.contains("\"mode\": \"dedicated\""),
        "{e}"
    );
}

#[test]
fn dedicated_plugin_missing_its_schema_or_blocks() {
    let ws = Ws::new("dedicated");
    ws.plugin("a", &manifest("a", "dedicated"), None);
    assert!(ws
        .error()
        .contains("dedicated plugin \"a\" has no plugins/a/prisma/schema.prisma"));
    ws.write(
        "plugins/a/prisma/schema.prisma",
        "model Event {\n  id Int @id\n}\n",
    );
    let e = ws.error();
    assert!(
        e.contains("is missing a `datasource` block and a `generator` block"),
        "{e}"
    );
    ws.write(
        "plugins/a/prisma/schema.prisma",
        &DEDICATED.replace("generator client {\n  provider = \"sovereign\"\n}\n", ""),
    );
    let e = ws.error();
    assert!(
        e.contains("is missing a `generator` block") && !e.contains("`datasource` block"),
        "{e}"
    );
    // An extension beside a dedicated schema is ignored, with a warning.
    ws.write("plugins/a/prisma/schema.prisma", DEDICATED);
    ws.write("plugins/a/prisma/extension.prisma", BLOG);
    let c = compose_workspace(&ws.config()).unwrap();
    assert!(
        c.warnings
            .iter()
            .any(|w| w.contains("extension.prisma is ignored")),
        "{:?}",
        c.warnings
    );
    assert!(!c.composed.text.contains("Post"));
}

/// A dedicated plugin owns its migrations, recorded in its database's `_prisma_migrations`: its
/// schema may not map a model there, neither when composing nor in its build script (issue #12).
#[test]
fn a_dedicated_schema_may_not_use_the_migration_history_table() {
    let ws = Ws::new("reserved");
    ws.plugin("a", &manifest("a", "dedicated"), None);
    ws.write(
        "plugins/a/prisma/schema.prisma",
        &DEDICATED.replace(
            "  name String\n}",
            "  name String\n\n  @@map(\"_prisma_migrations\")\n}",
        ),
    );
    let e = ws.error();
    assert!(
        e.contains("the model `Event` would use the table `_prisma_migrations`, which is reserved for the migration history"),
        "{e}"
    );
    assert!(
        e.contains(" --> plugins/a/prisma/schema.prisma:14:3"),
        "{e}"
    );

    let built = sovereign_build::plugin()
        .dir(ws.0.join("plugins/a"))
        .out_dir(ws.0.join("target"))
        .emit_rerun_if_changed(false)
        .compile();
    match built {
        Err(Error::Diagnostics(r)) => assert!(
            r.render().contains("reserved for the migration history"),
            "{}",
            r.render()
        ),
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("the build script accepted it"),
    }
}

#[test]
fn errors_are_diagnostics_with_locations() {
    let ws = Ws::new("diag");
    ws.shared("blog", "model Post {\n  id Int @id\n  title Strng\n}\n");
    match compose_workspace(&ws.config()) {
        Err(Error::Diagnostics(r)) => {
            let out = r.render();
            assert!(
                out.contains("--> plugins/blog/prisma/extension.prisma:3:9"),
                "{out}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn builder_writes_out_dir_and_flags_a_stale_committed_schema() {
    let ws = Ws::new("builder");
    ws.shared("blog", BLOG);
    let out = ws.0.join("out");
    let build = || {
        sovereign_build::configure()
            .workspace_from(&ws.0)
            .out_dir(&out)
            .emit_rerun_if_changed(false)
            .compile()
    };
    // Not committed yet: a warning outside CI, an error under CI.
    std::env::remove_var("CI");
    build().unwrap();
    let composed = std::fs::read_to_string(out.join("schema.prisma")).unwrap();
    std::env::set_var("CI", "true");
    let err = build().unwrap_err().to_string();
    assert!(
        err.contains("platform/prisma/schema.prisma is out of date")
            && err.contains("run `sovereign compose`"),
        "{err}"
    );
    assert!(err.contains("+model Post {"), "{err}");
    ws.write("platform/prisma/schema.prisma", &composed);
    build().unwrap();
    std::env::remove_var("CI");
    let _ = Path::new("");
}

const NOT_EMULATED: &str = "the generated client does not emulate referential actions";

#[test]
fn relation_mode_prisma_is_said_not_to_be_emulated() {
    let prisma_mode = BASE.replace(
        "  url      = \"file:./dev.db\"\n",
        "  url      = \"file:./dev.db\"\n  relationMode = \"prisma\"\n",
    );
    let ws = Ws::new("relmode");
    ws.shared("blog", BLOG);
    // Foreign keys (the default): nothing to say.
    let c = compose_workspace(&ws.config()).unwrap();
    assert!(
        !c.warnings.join("\n").contains(NOT_EMULATED),
        "{:?}",
        c.warnings
    );
    ws.write("platform/prisma/base.prisma", &prisma_mode);
    let c = compose_workspace(&ws.config()).unwrap();
    let warnings = c.warnings.join("\n");
    assert!(warnings.contains(NOT_EMULATED), "{warnings}");
    // At the datasource, with what to do.
    assert!(
        warnings.contains("platform/prisma/base.prisma:1"),
        "{warnings}"
    );
    assert!(
        warnings.contains("delete or update the related records first"),
        "{warnings}"
    );
    // Without relations there is nothing to emulate, nor with an implicit many-to-many one
    // alone (Prisma's client leaves its rows as they are too).
    let ws = Ws::new("relmode-none");
    ws.write("platform/prisma/base.prisma", &prisma_mode);
    for tags in [
        None,
        Some("model Tag {\n  id     Int     @id\n  labels Label[]\n}\n\nmodel Label {\n  id   Int   @id\n  tags Tag[]\n}\n"),
    ] {
        if let Some(tags) = tags {
            ws.shared("tags", tags);
        }
        let c = compose_workspace(&ws.config()).unwrap();
        assert!(c.composed.plugins.len() == usize::from(tags.is_some()));
        assert!(
            !c.warnings.join("\n").contains(NOT_EMULATED),
            "{:?}",
            c.warnings
        );
    }
}

/// A dedicated plugin's own schema: its build script says it too, at the schema's datasource.
#[test]
fn relation_mode_prisma_of_a_dedicated_plugin_is_said_too() {
    let ws = Ws::new("relmode-dedicated");
    ws.plugin("analytics", &manifest("analytics", "dedicated"), None);
    let build = || {
        sovereign_build::plugin()
            .dir(ws.0.join("plugins/analytics"))
            .out_dir(ws.0.join("out"))
            .emit_rerun_if_changed(false)
            .compile()
            .unwrap()
            .warnings
            .join("\n")
    };
    ws.write("plugins/analytics/prisma/schema.prisma", DEDICATED);
    assert!(!build().contains(NOT_EMULATED));
    let related = DEDICATED.replace(
        "  url      = env(\"ANALYTICS_DATABASE_URL\")\n",
        "  url      = env(\"ANALYTICS_DATABASE_URL\")\n  relationMode = \"prisma\"\n",
    ) + "\nmodel Hit {\n  id      Int   @id\n  eventId Int\n  event   Event @relation(fields: [eventId], references: [id])\n}\n";
    let related = related.replace("  name String\n}", "  name String\n  hits Hit[]\n}");
    ws.write("plugins/analytics/prisma/schema.prisma", &related);
    let warnings = build();
    assert!(warnings.contains(NOT_EMULATED), "{warnings}");
    assert!(
        warnings.contains("plugins/analytics/prisma/schema.prisma:1"),
        "{warnings}"
    );
}
