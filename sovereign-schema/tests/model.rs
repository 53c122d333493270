//! The resolved model: names, constraint names, relations, defaults.

use sovereign_schema::ast::Arity;
use sovereign_schema::model::*;

fn schema(text: &str) -> Schema {
    match sovereign_schema::check("schema.prisma", text) {
        Ok((s, _)) => s,
        Err(r) => panic!("{}", r.render()),
    }
}

const PG: &str = "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n}\n";

#[test]
fn datasource_and_generator() {
    let s = schema(&format!(
        "{PG}generator client {{\n  provider = \"sovereign\"\n  output = \"../gen\"\n  previewFeatures = [\"views\"]\n}}\nmodel A {{\n  id Int @id\n}}\n"
    ));
    let ds = s.datasource.as_ref().unwrap();
    assert_eq!(ds.provider, Provider::Postgresql);
    assert_eq!(ds.url, Url::Env("DATABASE_URL".into()));
    assert_eq!(s.generators[0].output.as_deref(), Some("../gen"));
    assert_eq!(s.generators[0].preview_features, ["views"]);
}

#[test]
fn default_constraint_names_use_mapped_names() {
    let s = schema(&format!(
        r#"{PG}
model User {{
  id      Int    @id @default(autoincrement())
  email   String @unique @map("email_address")
  first   String
  last    String
  tenant  Int
  @@unique([first, last])
  @@index([tenant])
  @@map("users")
}}
"#
    ));
    let u = s.model("User").unwrap();
    assert_eq!(u.db_name, "users");
    assert_eq!(u.primary_key.as_ref().unwrap().db_name, "users_pkey");
    let names: Vec<&str> = u.uniques.iter().map(|i| i.db_name.as_str()).collect();
    assert_eq!(names, ["users_email_address_key", "users_first_last_key"]);
    assert_eq!(u.uniques[1].name.as_deref(), Some("first_last"));
    assert_eq!(u.indexes[0].db_name, "users_tenant_idx");
    assert_eq!(u.field("email").unwrap().db_name, "email_address");
}

#[test]
fn constraint_names_are_truncated_to_the_identifier_limit() {
    let long = "a".repeat(70);
    let name = default_constraint_name(&long, &["b"], "idx", Provider::Postgresql);
    assert_eq!(name.len(), 63);
    assert!(name.ends_with("_idx"));
    let name = default_constraint_name(&long, &["b"], "key", Provider::Mysql);
    assert_eq!(name.len(), 64);
    let name = default_constraint_name("T", &["x", "y"], "fkey", Provider::Sqlite);
    assert_eq!(name, "T_x_y_fkey");
}

#[test]
fn relations_with_both_sides_and_default_actions() {
    let s = schema(&format!(
        r#"{PG}
model User {{
  id      Int     @id
  posts   Post[]
  profile Profile?
}}
model Post {{
  id       Int   @id
  authorId Int
  author   User  @relation(fields: [authorId], references: [id])
  editorId Int?
  editor   Editor? @relation(fields: [editorId], references: [id], onDelete: Cascade)
}}
model Editor {{
  id    Int    @id
  posts Post[]
}}
model Profile {{
  id     Int  @id
  userId Int  @unique
  user   User @relation(fields: [userId], references: [id])
}}
"#
    ));
    let r = s
        .relations
        .iter()
        .find(|r| r.from.field.as_deref() == Some("author"))
        .unwrap();
    assert_eq!(r.kind, RelationKind::OneToMany);
    assert_eq!(r.name, "PostToUser");
    assert_eq!(
        (r.from.model.as_str(), r.to.model.as_str()),
        ("Post", "User")
    );
    assert_eq!(r.to.field.as_deref(), Some("posts"));
    assert_eq!(r.on_delete, ReferentialAction::Restrict);
    assert_eq!(r.on_update, ReferentialAction::Cascade);
    assert_eq!(r.fk_name.as_deref(), Some("Post_authorId_fkey"));
    let e = s
        .relations
        .iter()
        .find(|r| r.from.field.as_deref() == Some("editor"))
        .unwrap();
    assert_eq!(e.on_delete, ReferentialAction::Cascade);
    let p = s
        .relations
        .iter()
        .find(|r| r.from.model == "Profile")
        .unwrap();
    assert_eq!(p.kind, RelationKind::OneToOne);
    // Relation fields point at their relation.
    let user = s.model("User").unwrap();
    let posts = user.relation_field("posts").unwrap();
    assert_eq!(s.relation(posts.relation).name, "PostToUser");
    assert_eq!(posts.arity, Arity::List);
}

#[test]
fn optional_foreign_keys_default_to_set_null() {
    let s = schema(&format!(
        "{PG}model A {{\n  id Int @id\n  bs B[]\n}}\nmodel B {{\n  id Int @id\n  aId Int?\n  a A? @relation(fields: [aId], references: [id])\n}}\n"
    ));
    assert_eq!(s.relations[0].on_delete, ReferentialAction::SetNull);
}

#[test]
fn implicit_many_to_many_gets_a_join_table() {
    let s = schema(&format!(
        "{PG}model Tag {{\n  id Int @id\n  posts Post[]\n}}\nmodel Post {{\n  id Int @id\n  tags Tag[]\n}}\n"
    ));
    let r = &s.relations[0];
    assert_eq!(r.kind, RelationKind::ManyToMany);
    let jt = r.join_table.as_ref().unwrap();
    assert_eq!(jt.name, "_PostToTag");
    assert_eq!((jt.a_model.as_str(), jt.b_model.as_str()), ("Post", "Tag"));
    assert_eq!(s.join_tables().count(), 1);
}

#[test]
fn self_relations_and_named_relations() {
    let s = schema(&format!(
        r#"{PG}
model Node {{
  id       Int    @id
  parentId Int?
  parent   Node?  @relation("tree", fields: [parentId], references: [id])
  children Node[] @relation("tree")
  friends  Node[] @relation("friends")
  friendOf Node[] @relation("friends")
}}
"#
    ));
    assert_eq!(s.relations.len(), 2);
    let tree = s.relations.iter().find(|r| r.name == "tree").unwrap();
    assert_eq!(tree.kind, RelationKind::OneToMany);
    assert_eq!(tree.to.field.as_deref(), Some("children"));
    let friends = s.relations.iter().find(|r| r.name == "friends").unwrap();
    assert_eq!(friends.join_table.as_ref().unwrap().name, "_friends");
}

#[test]
fn compound_ids_and_uniques_referenced_by_relations() {
    let s = schema(&format!(
        r#"{PG}
model Member {{
  orgId  Int
  userId Int
  role   String
  grants Grant[]
  @@id([orgId, userId])
}}
model Grant {{
  id     Int    @id
  orgId  Int
  userId Int
  member Member @relation(fields: [orgId, userId], references: [orgId, userId])
}}
"#
    ));
    let m = s.model("Member").unwrap();
    let pk = m.primary_key.as_ref().unwrap();
    assert!(pk.compound);
    assert_eq!(pk.name.as_deref(), Some("orgId_userId"));
    assert_eq!(
        s.relations[0].fk_name.as_deref(),
        Some("Grant_orgId_userId_fkey")
    );
}

#[test]
fn defaults_native_types_and_enums() {
    let s = schema(&format!(
        r#"{PG}
enum Role {{
  USER
  ADMIN @map("admin")
  @@map("roles")
}}
model A {{
  id      String   @id @default(uuid(7))
  c       String   @default(cuid(2))
  n       String   @default(nanoid(16))
  u       String   @default(ulid())
  at      DateTime @default(now()) @db.Timestamptz(6)
  seen    DateTime @updatedAt
  role    Role     @default(ADMIN)
  price   Decimal  @default(1.50) @db.Decimal(10, 2)
  big     BigInt   @default(9007199254740993)
  ok      Boolean  @default(true)
  gen     Int      @default(dbgenerated("1 + 1"))
  tags    String[] @default(["a", "b"])
  name    String   @db.VarChar(255)
  geo     Unsupported("circle")?
}}
"#
    ));
    let a = s.model("A").unwrap();
    let d = |n: &str| a.field(n).unwrap().default.as_ref().map(|d| d.kind.clone());
    assert_eq!(d("id"), Some(DefaultKind::Uuid(7)));
    assert_eq!(d("c"), Some(DefaultKind::Cuid(2)));
    assert_eq!(d("n"), Some(DefaultKind::Nanoid(Some(16))));
    assert_eq!(d("u"), Some(DefaultKind::Ulid));
    assert_eq!(d("at"), Some(DefaultKind::Now));
    assert_eq!(
        d("role"),
        Some(DefaultKind::Value(Literal::Enum("ADMIN".into())))
    );
    assert_eq!(
        d("price"),
        Some(DefaultKind::Value(Literal::Number("1.50".into())))
    );
    assert_eq!(
        d("big"),
        Some(DefaultKind::Value(Literal::Int(9007199254740993)))
    );
    assert_eq!(d("ok"), Some(DefaultKind::Value(Literal::Boolean(true))));
    assert_eq!(
        d("gen"),
        Some(DefaultKind::DbGenerated(Some("1 + 1".into())))
    );
    assert_eq!(
        d("tags"),
        Some(DefaultKind::List(vec![
            Literal::String("a".into()),
            Literal::String("b".into())
        ]))
    );
    assert!(a.field("seen").unwrap().updated_at);
    let nt = a.field("name").unwrap().native_type.as_ref().unwrap();
    assert_eq!(
        (nt.name.as_str(), nt.args.as_slice()),
        ("VarChar", &["255".to_string()][..])
    );
    assert_eq!(
        a.field("geo").unwrap().ty,
        ScalarType::Unsupported("circle".into())
    );
    let role = s.enum_("Role").unwrap();
    assert_eq!(role.db_name, "roles");
    assert_eq!(role.values[1].db_name, "admin");
}

#[test]
fn partial_schemas_accept_references_to_models_defined_elsewhere() {
    let text = "model Post {\n  id       Int    @id\n  authorId String\n  author   User   @relation(fields: [authorId], references: [id])\n}\n";
    let (s, _) = sovereign_schema::check("extension.prisma", text).unwrap();
    assert!(s.datasource.is_none());
    assert_eq!(s.relations[0].to.model, "User");
    // A near miss of a scalar is still a typo.
    let typo = "model Post {\n  id    Int   @id\n  title Strng\n}\n";
    let err = sovereign_schema::check("extension.prisma", typo).unwrap_err();
    assert!(
        err.render().contains("did you mean `String`?"),
        "{}",
        err.render()
    );
    // But a full schema must define it.
    let full = format!("{PG}{text}");
    let err = sovereign_schema::check("schema.prisma", &full).unwrap_err();
    assert!(
        err.render()
            .contains("Type \"User\" is neither a built-in type"),
        "{}",
        err.render()
    );
}

#[test]
fn diagnostics_render_like_rustc() {
    let text = format!("{PG}model A {{\n  id Int @id\n  b  Strin\n}}\n");
    let err = sovereign_schema::check("schema.prisma", &text).unwrap_err();
    let out = err.render();
    assert_eq!(
        out,
        "error: Type \"Strin\" is neither a built-in type, nor refers to another model, composite type, or enum.\n --> schema.prisma:7:6\n  |\n7 |   b  Strin\n  |      ^^^^^\n  |\n  = help: did you mean `String`?\n\n1 error\n"
    );
}

#[test]
fn single_fields_without_brackets_and_the_legacy_index_name() {
    let s = schema(&format!(
        r#"{PG}
model User {{
  id        Int      @id
  email     String
  createdAt DateTime
  posts     Post[]
  @@unique(email)
  @@index(createdAt(sort: Desc), name: "user_created_idx")
}}
model Post {{
  id       Int  @id
  authorId Int
  author   User @relation(fields: authorId, references: id)
  @@index(authorId)
}}
model Tag {{
  name String
  @@id(name)
}}
"#
    ));
    let user = s.model("User").unwrap();
    let unique = user.uniques.iter().find(|u| !u.single_field).unwrap();
    assert_eq!(unique.fields[0].name, "email");
    assert_eq!(unique.db_name, "User_email_key");
    // `name:` on @@index is the database name (Prisma's legacy spelling of `map:`).
    assert_eq!(user.indexes[0].db_name, "user_created_idx");
    assert_eq!(user.indexes[0].fields[0].sort, Some(SortOrder::Desc));
    let post = s.model("Post").unwrap();
    assert_eq!(post.indexes[0].fields[0].name, "authorId");
    let rel = &s.relations[0];
    assert_eq!(rel.fields, ["authorId"]);
    assert_eq!(rel.references, ["id"]);
    let tag = s.model("Tag").unwrap();
    assert_eq!(tag.primary_key.as_ref().unwrap().fields[0].name, "name");
}

#[test]
fn decimal_defaults_written_as_strings() {
    let s = schema(&format!(
        "{PG}model P {{\n  id Int @id\n  a Decimal @default(\"2.00\")\n  b Decimal @default(\"+1_000\")\n}}\n"
    ));
    let p = s.model("P").unwrap();
    let default = |name: &str| p.field(name).unwrap().default.clone().unwrap().kind;
    assert_eq!(
        default("a"),
        DefaultKind::Value(Literal::Number("2.00".into()))
    );
    // As the database will read it.
    assert_eq!(
        default("b"),
        DefaultKind::Value(Literal::Number("1000".into()))
    );
}
