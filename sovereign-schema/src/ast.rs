//! The syntax tree: what the user wrote, with a span on every node and the comments the
//! formatter needs. [`crate::parse`] builds it; validation reads it into [`crate::model`].

use crate::source::{FileId, Span};

/// A name as written, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where it is.
    pub span: Span,
}

/// A `//` or `///` comment, text including its slashes, or a `/* ... */` block comment.
///
/// A block comment on its own line is kept as `prisma format` writes it (`/**`, ` * line`...,
/// ` */`, one line each); after code on its line it is kept as written, possibly over several
/// lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// The comment as written (a block comment on its own line as `prisma format` writes it).
    pub text: String,
    /// Where it is.
    pub span: Span,
}

impl Comment {
    /// Whether this is a `/* ... */` comment.
    pub fn is_block(&self) -> bool {
        self.text.starts_with("/*")
    }

    /// The text of a `///` doc comment without its slashes and the one space after them.
    pub fn doc_text(&self) -> &str {
        let t = self.text.trim_start_matches('/');
        t.strip_prefix(' ').unwrap_or(t)
    }

    /// What the comment documents: [`Comment::doc_text`], or for a block comment its lines
    /// without the delimiters and leading `*`.
    pub fn documentation(&self) -> std::borrow::Cow<'_, str> {
        if !self.is_block() {
            return self.doc_text().into();
        }
        let inner = self.text.trim_start_matches('/').trim_start_matches('*');
        let inner = inner.strip_suffix("*/").unwrap_or(inner);
        let lines: Vec<&str> = inner
            .lines()
            .map(|l| {
                let l = l.trim();
                l.strip_prefix('*').map_or(l, str::trim_start)
            })
            .filter(|l| !l.is_empty())
            .collect();
        lines.join("\n").into()
    }
}

/// One parsed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaAst {
    /// The file it was parsed from.
    pub file: FileId,
    /// Blocks, comments and blank lines, in order.
    pub items: Vec<Item>,
}

impl SchemaAst {
    /// The blocks, in order.
    pub fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.items.iter().filter_map(|i| match i {
            Item::Block(b) => Some(b),
            _ => None,
        })
    }
}

/// What a file holds at the top level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A block: `model`, `enum`, `datasource`, ...
    Block(Block),
    /// A comment on its own line.
    Comment(Comment),
    /// One or more empty lines.
    BlankLine,
}

/// The kinds of blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlockKind {
    /// `datasource`.
    Datasource,
    /// `generator`.
    Generator,
    /// `model`.
    Model,
    /// `view`.
    View,
    /// `enum`.
    Enum,
    /// A composite `type`.
    Type,
}

impl BlockKind {
    /// The keyword that starts the block.
    pub fn keyword(self) -> &'static str {
        match self {
            BlockKind::Datasource => "datasource",
            BlockKind::Generator => "generator",
            BlockKind::Model => "model",
            BlockKind::View => "view",
            BlockKind::Enum => "enum",
            BlockKind::Type => "type",
        }
    }

    /// The kind a keyword starts.
    pub fn from_keyword(s: &str) -> Option<Self> {
        Some(match s {
            "datasource" => BlockKind::Datasource,
            "generator" => BlockKind::Generator,
            "model" => BlockKind::Model,
            "view" => BlockKind::View,
            "enum" => BlockKind::Enum,
            "type" => BlockKind::Type,
            _ => return None,
        })
    }

    /// Blocks that hold `key = value` properties.
    pub fn is_config(self) -> bool {
        matches!(self, BlockKind::Datasource | BlockKind::Generator)
    }

    /// Blocks whose members are fields with types.
    pub fn has_fields(self) -> bool {
        matches!(self, BlockKind::Model | BlockKind::View | BlockKind::Type)
    }
}

/// A block: `model Name { ... }` and the like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// What kind of block.
    pub kind: BlockKind,
    /// Where the keyword is.
    pub keyword_span: Span,
    /// The block's name.
    pub name: Ident,
    /// The documentation comments (`///`, `/* */`) right above it.
    pub docs: Vec<Comment>,
    /// Its members (fields, properties, attributes, comments, blank lines), in order.
    pub members: Vec<Member>,
    /// A comment written after the closing brace, on the same line.
    pub closing_comment: Option<Comment>,
    /// From the keyword to the closing brace.
    pub span: Span,
    /// The parser reported a syntax error inside the block and skipped what it could not read:
    /// rules that would only repeat that error (a model's missing unique criterion, say) skip
    /// the block.
    pub incomplete: bool,
}

impl Block {
    /// The fields (and enum values), in order.
    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.members.iter().filter_map(|m| match m {
            Member::Field(f) => Some(f),
            _ => None,
        })
    }

    /// The `key = value` properties of a datasource or generator, in order.
    pub fn properties(&self) -> impl Iterator<Item = &Property> {
        self.members.iter().filter_map(|m| match m {
            Member::Property(p) => Some(p),
            _ => None,
        })
    }

    /// The first property of this name.
    pub fn property(&self, name: &str) -> Option<&Property> {
        self.properties().find(|p| p.name.name == name)
    }

    /// The block attributes (`@@...`), in order.
    pub fn attributes(&self) -> impl Iterator<Item = &Attribute> {
        self.members.iter().filter_map(|m| match m {
            Member::Attribute(a) => Some(&a.attribute),
            _ => None,
        })
    }

    /// The first block attribute of this name (`"index"` for `@@index`).
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes().find(|a| a.name.name == name)
    }
}

/// What a block holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    /// A model/view/type field, or an enum value (which has no type).
    Field(Field),
    /// `key = value` in a datasource or generator.
    Property(Property),
    /// `@@attribute(...)`.
    Attribute(BlockAttribute),
    /// A comment on its own line.
    Comment(Comment),
    /// One or more empty lines.
    BlankLine,
}

/// A field of a model, view or composite type, or an enum value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Its name.
    pub name: Ident,
    /// `None` for enum values.
    pub ty: Option<FieldType>,
    /// Its attributes (`@...`), in order.
    pub attributes: Vec<Attribute>,
    /// The documentation comments right above it.
    pub docs: Vec<Comment>,
    /// A comment at the end of its line.
    pub trailing: Option<Comment>,
    /// From the name to the last attribute.
    pub span: Span,
}

impl Field {
    /// The first attribute of this name (`"id"` for `@id`, `"db.Text"` for `@db.Text`).
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name.name == name)
    }
}

/// How many values a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Arity {
    /// Exactly one (`Int`).
    Required,
    /// One or none (`Int?`).
    Optional,
    /// A list (`Int[]`).
    List,
}

/// A field's type as written: `String?`, `Post[]`, `Unsupported("circle")`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldType {
    /// The type name (`String`, a model, an enum), or `Unsupported`.
    pub name: Ident,
    /// Required, optional or a list.
    pub arity: Arity,
    /// The quoted argument of `Unsupported("...")`, raw.
    pub unsupported: Option<Expr>,
    /// From the name to `?` or `[]`.
    pub span: Span,
}

impl FieldType {
    /// The type as written by the formatter: `String?`, `Post[]`, `Unsupported("circle")`.
    pub fn render(&self) -> String {
        let mut s = match &self.unsupported {
            Some(arg) => format!("Unsupported({})", arg.render()),
            None => self.name.name.clone(),
        };
        match self.arity {
            Arity::Required => {}
            Arity::Optional => s.push('?'),
            Arity::List => s.push_str("[]"),
        }
        s
    }
}

/// `key = value` in a datasource or generator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    /// The key.
    pub name: Ident,
    /// The value.
    pub value: Expr,
    /// The documentation comments right above it.
    pub docs: Vec<Comment>,
    /// A comment at the end of its line.
    pub trailing: Option<Comment>,
    /// From the key to the value.
    pub span: Span,
}

/// A block attribute (`@@index([a])`) on its own line, with its comments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockAttribute {
    /// The attribute.
    pub attribute: Attribute,
    /// The documentation comments right above it.
    pub docs: Vec<Comment>,
    /// A comment at the end of its line.
    pub trailing: Option<Comment>,
}

/// `@name(args)` or `@@name(args)`; `name` may be a path such as `db.VarChar`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// Its name without `@`: `id`, `db.VarChar`.
    pub name: Ident,
    /// Its arguments, in order.
    pub args: Vec<Arg>,
    /// Whether the attribute was written with parentheses (`@db.Text()` vs `@db.Text`).
    pub parens: bool,
    /// A block attribute (`@@`).
    pub block: bool,
    /// From `@` to the closing parenthesis.
    pub span: Span,
}

impl Attribute {
    /// The named argument `name`, or (when `position` is given) the unnamed argument at that
    /// position among the unnamed ones.
    pub fn arg(&self, name: &str, position: Option<usize>) -> Option<&Arg> {
        self.args
            .iter()
            .find(|a| a.name.as_ref().is_some_and(|n| n.name == name))
            .or_else(|| position.and_then(|p| self.args.iter().filter(|a| a.name.is_none()).nth(p)))
    }
}

/// One argument: `value` or `name: value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    /// The name, when the argument is named.
    pub name: Option<Ident>,
    /// The value.
    pub value: Expr,
    /// From the name (or value) to the end of the value.
    pub span: Span,
}

/// A value in an attribute or property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is.
    pub span: Span,
}

/// The kinds of values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExprKind {
    /// A string: its decoded value and the literal as written (quotes included).
    Str {
        /// The decoded value.
        value: String,
        /// The literal as written, quotes included.
        raw: String,
    },
    /// A number as written.
    Number(String),
    /// An identifier or dotted path: `true`, `Cascade`, `Desc`, `db.VarChar`.
    Const(String),
    /// `[a, b]`.
    Array(Vec<Expr>),
    /// `name(args)`: `env("X")`, `now()`, `uuid(7)`, `b(sort: Desc)`.
    Call {
        /// The function's name.
        name: String,
        /// Its arguments.
        args: Vec<Arg>,
    },
}

impl Expr {
    /// The value of a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Str { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The name of a constant (`Cascade`, `true`, `db.Text`).
    pub fn as_const(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Const(c) => Some(c),
            _ => None,
        }
    }

    /// The items of an array.
    pub fn as_array(&self) -> Option<&[Expr]> {
        match &self.kind {
            ExprKind::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The items of a list argument. Like Prisma, a single value where a list is expected is a
    /// list of one: `@@index(userId)` is `@@index([userId])`, `fields: authorId` is
    /// `fields: [authorId]`.
    pub fn as_list(&self) -> &[Expr] {
        match &self.kind {
            ExprKind::Array(items) => items,
            _ => std::slice::from_ref(self),
        }
    }

    /// The expression in Prisma's canonical spacing (`[a, b]`, `uuid(7)`, `sort: Desc`), as the
    /// formatter writes it and messages quote it.
    pub fn render(&self) -> String {
        match &self.kind {
            ExprKind::Str { raw, .. } => raw.clone(),
            ExprKind::Number(n) => n.clone(),
            ExprKind::Const(c) => c.clone(),
            ExprKind::Array(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(Expr::render)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ExprKind::Call { name, args } => format!("{name}({})", render_args(args)),
        }
    }

    /// A short description for messages ("a string", "a number", ...).
    pub fn describe(&self) -> &'static str {
        match &self.kind {
            ExprKind::Str { .. } => "a string",
            ExprKind::Number(_) => "a number",
            ExprKind::Const(c) if c == "true" || c == "false" => "a boolean",
            ExprKind::Const(_) => "a constant",
            ExprKind::Array(_) => "an array",
            ExprKind::Call { .. } => "a function call",
        }
    }
}

/// Arguments in Prisma's canonical spacing: `a, name: b`.
pub fn render_args(args: &[Arg]) -> String {
    args.iter()
        .map(|a| match &a.name {
            Some(n) => format!("{}: {}", n.name, a.value.render()),
            None => a.value.render(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}
