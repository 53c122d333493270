//! Composition: one test per rule of DESIGN.md's "Composition rules".

use sovereign_schema::compose::{compose, Composed, Extension, Input};
use sovereign_schema::Report;
use std::path::Path;

const BASE: &str = r#"datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

generator client {
  provider = "sovereign"
}

model User {
  id    String @id @default(uuid())
  email String @unique
}

model Tenant {
  id   Int    @id @default(autoincrement())
  name String
}
"#;

fn base() -> Input {
    Input {
        path: "platform/prisma/base.prisma".into(),
        text: BASE.into(),
    }
}

fn ext(ns: &str, text: &str) -> Extension {
    Extension {
        namespace: ns.into(),
        path: format!("plugins/{ns}/prisma/extension.prisma"),
        text: text.into(),
    }
}

fn ok(exts: &[Extension]) -> Composed {
    compose(&base(), exts, &[]).unwrap_or_else(|r| panic!("{}", r.render()))
}

fn err(exts: &[Extension]) -> Report {
    match compose(&base(), exts, &[]) {
        Ok(c) => panic!("composition succeeded:\n{}", c.text),
        Err(r) => r,
    }
}

const BLOG: &str = "model Post {\n  id       Int    @id @default(autoincrement())\n  title    String\n  authorId String\n  author   User   @relation(fields: [authorId], references: [id])\n}\n";
const TASKS: &str = "enum TaskState {\n  OPEN\n  DONE\n}\n\nmodel Task {\n  id    Int       @id\n  state TaskState @default(OPEN)\n}\n";

/// Rules 1, 2 and 5: order, header and markers, back-relations; the golden output was checked
/// with Prisma's own formatter (`prisma format` leaves it unchanged).
#[test]
fn composes_in_namespace_order_with_markers_and_back_relations() {
    let composed = ok(&[ext("tasks", TASKS), ext("blog", BLOG)]);
    assert_eq!(composed.plugins, ["blog", "tasks"]);
    assert_eq!(composed.back_relations.len(), 1);
    let br = &composed.back_relations[0];
    assert_eq!(
        (br.plugin.as_str(), br.model.as_str(), br.field.as_str()),
        ("blog", "User", "posts Post[]")
    );
    let golden =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/compose/expected.prisma");
    if std::env::var_os("SOVEREIGN_BLESS").is_some() {
        std::fs::write(&golden, &composed.text).unwrap();
    }
    let expected = std::fs::read_to_string(&golden).unwrap();
    assert_eq!(composed.text, expected);
    // The output is formatted, validates, and composing again gives the same bytes.
    assert_eq!(
        sovereign_schema::format("schema.prisma", &composed.text).unwrap(),
        composed.text
    );
    sovereign_schema::check("schema.prisma", &composed.text).unwrap();
    assert_eq!(
        ok(&[ext("blog", BLOG), ext("tasks", TASKS)]).text,
        composed.text
    );
    // No absolute paths.
    assert!(!composed.text.contains(env!("CARGO_MANIFEST_DIR")));
}

#[test]
fn removing_a_plugin_removes_its_section() {
    let both = ok(&[ext("tasks", TASKS), ext("blog", BLOG)]);
    let one = ok(&[ext("tasks", TASKS)]);
    assert!(both.text.contains("plugin \"blog\""));
    assert!(!one.text.contains("blog"));
    assert!(!one.text.contains("Post"));
    assert_eq!(one.text, ok(&[ext("tasks", TASKS)]).text);
}

#[test]
fn dedicated_plugins_are_listed_not_composed() {
    let c = compose(&base(), &[], &["analytics".to_string()]).unwrap();
    assert!(c
        .text
        .contains("Dedicated plugins (own database, not composed): analytics"));
}

/// Rule 3.
#[test]
fn extensions_may_not_declare_a_datasource_or_generator() {
    let r = err(&[ext(
        "bad",
        "datasource db {\n  provider = \"sqlite\"\n  url = \"file:x\"\n}\n",
    )]);
    let out = r.render();
    assert!(out.contains("declares a datasource"), "{out}");
    assert!(
        out.contains("plugins/bad/prisma/extension.prisma:1:1"),
        "{out}"
    );
    assert!(out.contains("\"mode\": \"dedicated\""), "{out}");
}

/// Rule 4: model, enum and table names are unique across base and extensions.
#[test]
fn two_plugins_defining_the_same_model_name_both_places() {
    let r = err(&[
        ext("a", "model Thing {\n  id Int @id\n}\n"),
        ext("b", "model Thing {\n  id Int @id\n}\n"),
    ]);
    let out = r.render();
    assert!(
        out.contains(
            "The model \"Thing\" cannot be defined because a model with that name already exists."
        ),
        "{out}"
    );
    assert!(
        out.contains("plugins/b/prisma/extension.prisma:1:7"),
        "{out}"
    );
    assert!(
        out.contains("plugins/a/prisma/extension.prisma:1:7"),
        "{out}"
    );
}

#[test]
fn plugin_model_clashing_with_core_model_enum_or_table() {
    let out = err(&[ext("a", "model User {\n  id Int @id\n}\n")]).render();
    assert!(
        out.contains("The model \"User\" cannot be defined"),
        "{out}"
    );
    assert!(out.contains("platform/prisma/base.prisma:10:7"), "{out}");

    let out = err(&[ext("a", "enum Tenant {\n  A\n}\n")]).render();
    assert!(
        out.contains(
            "The enum \"Tenant\" cannot be defined because a model with that name already exists."
        ),
        "{out}"
    );

    let out = err(&[ext(
        "a",
        "model Account {\n  id Int @id\n  @@map(\"User\")\n}\n",
    )])
    .render();
    assert!(out.contains("database name \"User\""), "{out}");
    assert!(out.contains("plugins/a/prisma/extension.prisma"), "{out}");
    assert!(out.contains("platform/prisma/base.prisma"), "{out}");
}

#[test]
fn constraint_names_clash_across_files() {
    let out = err(&[ext(
        "a",
        "model Account {\n  id    Int    @id\n  email String @unique(map: \"User_email_key\")\n}\n",
    )])
    .render();
    assert!(
        out.contains("The given constraint name `User_email_key` has to be unique"),
        "{out}"
    );
}

/// Rule 5: no relations from core to a plugin, nor between plugins.
#[test]
fn a_plugin_may_not_relate_to_another_plugins_model() {
    let other = "model Comment {\n  id     Int  @id\n  postId Int\n  post   Post @relation(fields: [postId], references: [id])\n}\n";
    let out = err(&[ext("blog", BLOG), ext("comments", other)]).render();
    assert!(
        out.contains("plugin \"comments\" may not use `Post`, a model of plugin \"blog\""),
        "{out}"
    );
    assert!(
        out.contains("plugins/comments/prisma/extension.prisma:4:10"),
        "{out}"
    );
}

#[test]
fn a_core_model_may_not_relate_to_a_plugin_model() {
    let base = Input {
        path: "platform/prisma/base.prisma".into(),
        text: BASE.replace(
            "  email String @unique\n",
            "  email String @unique\n  posts Post[]\n",
        ),
    };
    let r = compose(&base, &[ext("blog", BLOG)], &[]).unwrap_err();
    let out = r.render();
    assert!(
        out.contains("the core model `User` may not use `Post`, a model of plugin \"blog\""),
        "{out}"
    );
    assert!(out.contains("platform/prisma/base.prisma:13:9"), "{out}");
}

/// Rule 6: the composed schema validates, and errors point at the file the user wrote.
#[test]
fn validation_errors_point_at_the_extension_file() {
    let bad = "model Post {\n  id     Int    @id\n  title  Strng\n}\n";
    let out = err(&[ext("blog", bad)]).render();
    assert!(
        out.contains("--> plugins/blog/prisma/extension.prisma:3:10"),
        "{out}"
    );
    assert!(out.contains("did you mean `String`?"), "{out}");
}

/// Rules 5 and 6 at the edges: the plugin's model must hold the foreign key to a core model,
/// and an ambiguity is reported on the plugin's own fields, not on injected ones.
#[test]
fn plugin_relations_to_core_hold_the_foreign_key() {
    let out = err(&[ext("p", "model Post {\n  id Int @id\n  u  User\n}\n")]).render();
    assert!(out.contains("the relation field `Post.u` to the core model `User` needs `@relation(fields: [...], references: [...])`"), "{out}");
    assert!(
        out.contains(
            "`u User? @relation(fields: [userId], references: [id])` with `userId String?`"
        ),
        "{out}"
    );
    assert!(
        out.contains("plugins/p/prisma/extension.prisma:3:3"),
        "{out}"
    );

    let out = err(&[ext("p", "model Post {\n  id Int    @id\n  us User[]\n}\n")]).render();
    assert!(
        out.contains("`Post.us` is a list of the core model `User`"),
        "{out}"
    );

    let two = "model Post {\n  id Int    @id\n  a  String\n  b  String\n  ua User   @relation(fields: [a], references: [id])\n  ub User   @relation(fields: [b], references: [id])\n}\n";
    let out = err(&[ext("p", two)]).render();
    assert!(
        out.contains("The fields `ua` and `ub` in model `Post` both refer to `User`"),
        "{out}"
    );
    assert!(
        out.contains("--> plugins/p/prisma/extension.prisma:5:3"),
        "{out}"
    );
}

/// The tools own `_prisma_migrations`: no model, view or implicit many-to-many table of the
/// composed schema may take its name (issue #12). `check` still accepts such a schema alone,
/// as Prisma does.
#[test]
fn table_names_reserved_for_the_migration_history_are_refused() {
    let mapped = "model MigrationLog {\n  id Int @id\n\n  @@map(\"_prisma_migrations\")\n}\n";
    let out = err(&[ext("audit", mapped)]).render();
    assert!(
        out.contains("error: the model `MigrationLog` would use the table `_prisma_migrations`, which is reserved for the migration history"),
        "{out}"
    );
    // At the @@map, in the file the plugin author wrote.
    assert!(
        out.contains(" --> plugins/audit/prisma/extension.prisma:4:3\n"),
        "{out}"
    );
    assert!(out.contains("@@map(\"MigrationLog\")"), "{out}");

    // Whatever the case (SQLite and some MySQL setups compare table names ignoring it).
    let shouting = mapped.replace("_prisma_migrations", "_Prisma_Migrations");
    assert!(err(&[ext("audit", &shouting)])
        .render()
        .contains("would use the table `_Prisma_Migrations`"));

    // The platform's own models too.
    let base_mapped =
        format!("{BASE}\nmodel History {{\n  id Int @id\n\n  @@map(\"_prisma_migrations\")\n}}\n");
    let base_input = Input {
        path: "platform/prisma/base.prisma".into(),
        text: base_mapped.clone(),
    };
    let out = match compose(&base_input, &[], &[]) {
        Ok(_) => panic!("accepted"),
        Err(r) => r.render(),
    };
    assert!(out.contains("platform/prisma/base.prisma:"), "{out}");

    // A view.
    let with_views = BASE.replace(
        "provider = \"sovereign\"",
        "provider        = \"sovereign\"\n  previewFeatures = [\"views\"]",
    );
    let views_base = Input {
        path: "platform/prisma/base.prisma".into(),
        text: with_views,
    };
    let view = "view Migrations {\n  name String @unique\n\n  @@map(\"_prisma_migrations\")\n}\n";
    let out = match compose(&views_base, &[ext("audit", view)], &[]) {
        Ok(_) => panic!("accepted"),
        Err(r) => r.render(),
    };
    assert!(
        out.contains("the view `Migrations` would use the table"),
        "{out}"
    );

    // The join table of an implicit many-to-many relation named `prisma_migrations`.
    let m2n = "model Tag {\n  id    Int    @id\n  posts Post[] @relation(\"prisma_migrations\")\n}\n\nmodel Post {\n  id   Int   @id\n  tags Tag[] @relation(\"prisma_migrations\")\n}\n";
    let out = err(&[ext("tags", m2n)]).render();
    assert!(
        out.contains("would create the join table `_prisma_migrations`, which is reserved"),
        "{out}"
    );
    assert!(
        out.contains("plugins/tags/prisma/extension.prisma:"),
        "{out}"
    );

    // Alone, the schema is valid (Prisma 6 accepts it; `validate` agrees with Prisma).
    assert!(sovereign_schema::check("base.prisma", &base_mapped).is_ok());
    assert_eq!(sovereign_schema::RESERVED_TABLES, ["_prisma_migrations"]);
}

/// Issue #16: a type typo in a plugin's extension gets one error, with its suggestion, and
/// nothing that stems from it: not the index or the relation naming the field, and not the
/// validation of the rest of the schema (a model without a unique criterion, as Prisma reports
/// it only once the schema reads without errors).
#[test]
fn a_type_typo_in_an_extension_is_reported_once() {
    let votes = "model Vote {\n  id      Int    @id\n  voterId Strng\n  voter   User   @relation(fields: [voterId], references: [id])\n\n  @@unique([voterId, id])\n  @@index([voterId])\n}\n";
    let log = "model AuditLog {\n  message String\n}\n";
    let report = err(&[ext("votes", votes), ext("audit", log)]);
    let codes: Vec<sovereign_schema::Code> =
        report.diagnostics.iter().filter_map(|d| d.code).collect();
    assert_eq!(
        codes,
        [sovereign_schema::Code::TypeUnknown],
        "{}",
        report.render()
    );
    let d = &report.diagnostics[0];
    assert_eq!(d.hint.as_deref(), Some("did you mean `String`?"));
    assert!(report
        .render()
        .contains("plugins/votes/prisma/extension.prisma:3:11"));
    // Once the typo is fixed, the model without a unique criterion is reported.
    let fixed = votes.replace("Strng", "String");
    let report = err(&[ext("votes", &fixed), ext("audit", log)]);
    let codes: Vec<sovereign_schema::Code> =
        report.diagnostics.iter().filter_map(|d| d.code).collect();
    assert_eq!(
        codes,
        [sovereign_schema::Code::UniqueCriterionMissing],
        "{}",
        report.render()
    );
}
