//! Parser behaviour: spans, recovery, and robustness against hostile input.

use sovereign_schema::ast::{Arity, BlockKind, ExprKind, Item, Member};
use sovereign_schema::{parse, FileId, Sources};
use std::time::{Duration, Instant};

/// A guard against super-linear blowups (these inputs took minutes, or exhausted memory, before
/// the fix; now milliseconds), generous enough that a loaded two-core CI machine never trips
/// it. Speed itself is measured by the benchmarks, not here.
const BLOWUP: Duration = Duration::from_secs(30);

fn parse_str(
    text: &str,
) -> (
    sovereign_schema::ast::SchemaAst,
    Vec<sovereign_schema::Diagnostic>,
) {
    parse(FileId(0), text)
}

#[test]
fn parses_every_block_kind_with_spans() {
    let text = r#"
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
generator client {
  provider = "sovereign"
}
/// A user.
model User {
  id    String  @id @default(uuid(7))
  name  String? @db.VarChar(255)
  tags  String[]
  geo   Unsupported("circle")?
  @@index([name(sort: Desc)], map: "by_name")
}
enum Role {
  ADMIN @map("admin")
}
type Address {
  street String
}
view V {
  id Int @unique
}
"#;
    let (ast, diags) = parse_str(text);
    assert!(diags.is_empty(), "{diags:?}");
    let kinds: Vec<BlockKind> = ast.blocks().map(|b| b.kind).collect();
    assert_eq!(
        kinds,
        [
            BlockKind::Datasource,
            BlockKind::Generator,
            BlockKind::Model,
            BlockKind::Enum,
            BlockKind::Type,
            BlockKind::View
        ]
    );
    let user = ast.blocks().nth(2).unwrap();
    assert_eq!(&text[user.name.span.start..user.name.span.end], "User");
    assert_eq!(user.docs[0].doc_text(), "A user.");
    let fields: Vec<_> = user.fields().collect();
    assert_eq!(fields[1].ty.as_ref().unwrap().arity, Arity::Optional);
    assert_eq!(fields[2].ty.as_ref().unwrap().arity, Arity::List);
    assert_eq!(
        fields[3]
            .ty
            .as_ref()
            .unwrap()
            .unsupported
            .as_ref()
            .unwrap()
            .as_str(),
        Some("circle")
    );
    let default = fields[0].attribute("default").unwrap();
    let ExprKind::Call { name, args } = &default.args[0].value.kind else {
        panic!("not a call")
    };
    assert_eq!((name.as_str(), args.len()), ("uuid", 1));
    let native = fields[1].attribute("db.VarChar").unwrap();
    assert_eq!(
        &text[native.span.start..native.span.end],
        "@db.VarChar(255)"
    );
    let index = user.attribute("index").unwrap();
    assert_eq!(
        index.arg("map", None).unwrap().value.as_str(),
        Some("by_name")
    );
}

#[test]
fn string_escapes_are_decoded_and_raw_text_kept() {
    let (ast, diags) =
        parse_str("model A {\n  id String @id @default(\"a\\\"b\\n\\u0041\\\\\")\n}\n");
    assert!(diags.is_empty(), "{diags:?}");
    let f = ast.blocks().next().unwrap().fields().next().unwrap();
    let v = &f.attribute("default").unwrap().args[0].value;
    assert_eq!(v.as_str(), Some("a\"b\nA\\"));
    let ExprKind::Str { raw, .. } = &v.kind else {
        panic!()
    };
    assert_eq!(raw, "\"a\\\"b\\n\\u0041\\\\\"");
}

#[test]
fn recovers_and_reports_every_broken_line() {
    let text = "model A {\n  id Int @id\n  broken\n  ok String\n  = nonsense\n  other Int @default(\n}\ngarbage here\nmodel B {\n  id Int @id\n}\n";
    let (ast, diags) = parse_str(text);
    let mut sources = Sources::new();
    sources.add("s.prisma", text);
    let lines: Vec<usize> = diags
        .iter()
        .map(|d| sources.location(d.span).line)
        .collect();
    assert_eq!(lines, [3, 5, 6, 8], "{diags:#?}");
    assert!(diags[0].message.contains("missing a name or a type"));
    assert!(diags[3]
        .message
        .contains("does not start with any known Prisma schema keyword"));
    // The good fields and the block after the errors survive.
    let names: Vec<&str> = ast.blocks().map(|b| b.name.name.as_str()).collect();
    assert_eq!(names, ["A", "B"]);
    let a: Vec<&str> = ast
        .blocks()
        .next()
        .unwrap()
        .fields()
        .map(|f| f.name.name.as_str())
        .collect();
    assert_eq!(a, ["id", "ok"]);
}

#[test]
fn unclosed_block_and_string_are_errors() {
    let (_, diags) = parse_str("model A {\n  id String @default(\"x)\n");
    let msgs: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
    // In a block, the message is Prisma's (the line is invalid) and the hint says why.
    let hints: Vec<&str> = diags.iter().filter_map(|d| d.hint.as_deref()).collect();
    assert!(
        hints.iter().any(|m| m.contains("closing quote")),
        "{hints:?}"
    );
    assert!(msgs.iter().any(|m| m.contains("closing brace")), "{msgs:?}");
}

#[test]
fn comments_are_kept_for_the_formatter() {
    let (ast, _) = parse_str("// top\nmodel A {\n  // inside\n  id Int @id // trailing\n}\n");
    assert!(matches!(&ast.items[0], Item::Comment(c) if c.text == "// top"));
    let block = ast.blocks().next().unwrap();
    assert!(matches!(&block.members[0], Member::Comment(c) if c.text == "// inside"));
    let f = block.fields().next().unwrap();
    assert_eq!(f.trailing.as_ref().unwrap().text, "// trailing");
}

#[test]
fn invalid_utf8_is_reported_and_the_rest_parses() {
    let mut bytes = b"model A {\n  id Int @id\n}\n// caf".to_vec();
    bytes.extend([0xff, 0xfe]);
    bytes.extend(b"\nmodel B {\n  id Int @id\n}\n");
    let mut sources = Sources::new();
    let (id, diag) = sources.add_bytes("bad.prisma", bytes);
    let diag = diag.expect("invalid UTF-8 is reported");
    assert_eq!(sources.location(diag.span).line, 4);
    let (ast, _) = parse(id, sources.get(id).text());
    assert_eq!(ast.blocks().count(), 2);
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let depth = 100_000;
    let text = format!(
        "model A {{\n  id Int @id @default({}{})\n}}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let (_, diags) = parse_str(&text);
    assert!(
        diags
            .iter()
            .any(|d| d.message.contains("nested too deeply")),
        "{diags:?}"
    );
    let text = format!(
        "model A {{\n  id Int @id @default({}1{})\n}}\n",
        "f(".repeat(depth),
        ")".repeat(depth)
    );
    let (_, diags) = parse_str(&text);
    assert!(diags
        .iter()
        .any(|d| d.message.contains("nested too deeply")));
}

#[test]
fn a_50_mb_file_parses_in_linear_time() {
    let block = "model M0 {\n  id    Int     @id @default(autoincrement())\n  name  String? @db.VarChar(255) // note\n  other String  @unique\n}\n\n";
    let mut text = String::with_capacity(50 << 20);
    let mut i = 0;
    while text.len() < 50 << 20 {
        text.push_str(&block.replace("M0", &format!("M{i}")));
        i += 1;
    }
    let start = Instant::now();
    let (ast, diags) = parse_str(&text);
    assert!(diags.is_empty());
    assert_eq!(ast.blocks().count(), i);
    // Generous for debug builds on a loaded 2-core machine; quadratic behaviour would take hours.
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "{:?}",
        start.elapsed()
    );
}

/// A small deterministic generator, so failures reproduce from the printed seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SEED_SCHEMA: &str = r#"datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id    Int     @id @default(autoincrement())
  email String  @unique @db.VarChar(255)
  posts Post[]
  role  Role    @default(USER)
  @@map("users")
}

model Post {
  id       Int   @id
  author   User  @relation(fields: [authorId], references: [id], onDelete: Cascade)
  authorId Int
  tags     String[]
  @@index([authorId(sort: Desc)])
}

enum Role {
  USER
  ADMIN @map("admin")
}
"#;

/// Random bytes and mutations of a valid schema never panic or hang, in the parser, validation
/// or the formatter.
#[test]
fn no_panic_on_random_and_mutated_input() {
    let pieces: &[&str] = &[
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        "@",
        "@@",
        "\"",
        "\\",
        "?",
        "=",
        ":",
        ",",
        ".",
        "\n",
        " ",
        "model",
        "enum",
        "//",
        "///",
        "Int",
        "String?",
        "[]",
        "@relation(",
        "fields:",
        "é",
        "\r\n",
        "\t",
        "@default(",
        "env(",
        "datasource",
        "User",
        "Post",
        "-1",
        "1.5",
    ];
    for seed in 1..=3000u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let text = if seed % 3 == 0 {
            let bytes: Vec<u8> = (0..rng.below(400)).map(|_| rng.next() as u8).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        } else {
            let mut s = SEED_SCHEMA.to_string();
            for _ in 0..1 + rng.below(8) {
                let mut at = rng.below(s.len() + 1);
                while !s.is_char_boundary(at) {
                    at -= 1;
                }
                match rng.below(3) {
                    0 => s.insert_str(at, pieces[rng.below(pieces.len())]),
                    1 => {
                        let mut end = (at + 1 + rng.below(20)).min(s.len());
                        while !s.is_char_boundary(end) {
                            end += 1;
                        }
                        s.replace_range(at..end, "");
                    }
                    _ => {
                        let piece = pieces[rng.below(pieces.len())];
                        let mut end = (at + piece.len()).min(s.len());
                        while !s.is_char_boundary(end) {
                            end += 1;
                        }
                        s.replace_range(at..end, piece);
                    }
                }
            }
            s
        };
        if std::env::var_os("FUZZ_TRACE").is_some() {
            eprintln!("seed {seed}: {text:?}");
        }
        let result = std::panic::catch_unwind(|| {
            let _ = sovereign_schema::check("fuzz.prisma", &text);
            if let Ok(formatted) = sovereign_schema::format("fuzz.prisma", &text) {
                // Whatever formats stays valid and settles after a second pass (like Prisma,
                // the first pass may leave a comment after `}` that the second pass spaces).
                let again = sovereign_schema::format("fuzz.prisma", &formatted)
                    .expect("formatted output must stay valid");
                let third = sovereign_schema::format("fuzz.prisma", &again)
                    .expect("formatted output must stay valid");
                assert_eq!(third, again, "formatter does not settle");
            }
            if let Err(report) = sovereign_schema::check("fuzz.prisma", &text) {
                let _ = report.render();
            }
        });
        assert!(result.is_ok(), "seed {seed} panicked on input:\n{text:?}");
    }
}

#[test]
fn block_comments_are_comments_and_documentation() {
    let text = "/* The user. */\nmodel User {\n  id Int @id /* kept\n  as written */\n  /** The name. */ name String\n}\n";
    let (ast, diags) = parse_str(text);
    assert!(diags.is_empty(), "{diags:?}");
    let user = ast.blocks().next().unwrap();
    assert!(user.docs[0].is_block());
    assert_eq!(user.docs[0].documentation(), "The user.");
    let fields: Vec<_> = user.fields().collect();
    assert_eq!(
        fields[0].trailing.as_ref().unwrap().text,
        "/* kept\n  as written */"
    );
    assert_eq!(fields[1].docs[0].documentation(), "The name.");
    let schema = sovereign_schema::check(
        "s.prisma",
        &format!("datasource db {{\n  provider = \"sqlite\"\n  url = \"file:x\"\n}}\n{text}"),
    )
    .unwrap()
    .0;
    assert_eq!(
        schema.model("User").unwrap().docs.as_deref(),
        Some("The user.")
    );
}

#[test]
fn unclosed_block_comments_are_errors_in_linear_time() {
    // Every `/*` without a `*/` after it: a naive search for the end would be quadratic.
    let text = format!("model A {{\n  id Int @id\n}}\n{}\n", "/* ".repeat(500_000));
    let start = Instant::now();
    let (ast, diags) = parse_str(&text);
    assert_eq!(ast.blocks().count(), 1);
    assert!(
        diags[0].message.contains("This line is invalid"),
        "{diags:?}"
    );
    assert!(start.elapsed() < BLOWUP, "{:?}", start.elapsed());
}
