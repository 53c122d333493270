//! The syntax tree: what the user wrote, with a span on every node and the comments the
//! formatter needs. [`crate::parse`] builds it; validation reads it into [`crate::model`].

use crate::source::{FileId, Span};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A `//` or `///` comment, text including its slashes, or a `/* ... */` block comment.
///
/// A block comment on its own line is kept as `prisma format` writes it (`/**`, ` * line`...,
/// ` */`, one line each); after code on its line it is kept as written, possibly over several
/// lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub text: String,
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
    pub file: FileId,
    pub items: Vec<Item>,
}

impl SchemaAst {
    pub fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.items.iter().filter_map(|i| match i {
            Item::Block(b) => Some(b),
            _ => None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Block(Block),
    Comment(Comment),
    /// One or more empty lines.
    BlankLine,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlockKind {
    Datasource,
    Generator,
    Model,
    View,
    Enum,
    /// A composite `type`.
    Type,
}

impl BlockKind {
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    pub keyword_span: Span,
    pub name: Ident,
    pub docs: Vec<Comment>,
    pub members: Vec<Member>,
    /// A comment written after the closing brace, on the same line.
    pub closing_comment: Option<Comment>,
    /// From the keyword to the closing brace.
    pub span: Span,
}

impl Block {
    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.members.iter().filter_map(|m| match m {
            Member::Field(f) => Some(f),
            _ => None,
        })
    }

    pub fn properties(&self) -> impl Iterator<Item = &Property> {
        self.members.iter().filter_map(|m| match m {
            Member::Property(p) => Some(p),
            _ => None,
        })
    }

    pub fn property(&self, name: &str) -> Option<&Property> {
        self.properties().find(|p| p.name.name == name)
    }

    pub fn attributes(&self) -> impl Iterator<Item = &Attribute> {
        self.members.iter().filter_map(|m| match m {
            Member::Attribute(a) => Some(&a.attribute),
            _ => None,
        })
    }

    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes().find(|a| a.name.name == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    /// A model/view/type field, or an enum value (which has no type).
    Field(Field),
    /// `key = value` in a datasource or generator.
    Property(Property),
    /// `@@attribute(...)`.
    Attribute(BlockAttribute),
    Comment(Comment),
    BlankLine,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: Ident,
    /// `None` for enum values.
    pub ty: Option<FieldType>,
    pub attributes: Vec<Attribute>,
    pub docs: Vec<Comment>,
    pub trailing: Option<Comment>,
    pub span: Span,
}

impl Field {
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name.name == name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Arity {
    Required,
    Optional,
    List,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldType {
    /// The type name (`String`, a model, an enum), or `Unsupported`.
    pub name: Ident,
    pub arity: Arity,
    /// The quoted argument of `Unsupported("...")`, raw.
    pub unsupported: Option<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    pub name: Ident,
    pub value: Expr,
    pub docs: Vec<Comment>,
    pub trailing: Option<Comment>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockAttribute {
    pub attribute: Attribute,
    pub docs: Vec<Comment>,
    pub trailing: Option<Comment>,
}

/// `@name(args)` or `@@name(args)`; `name` may be a path such as `db.VarChar`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub name: Ident,
    pub args: Vec<Arg>,
    /// Whether the attribute was written with parentheses (`@db.Text()` vs `@db.Text`).
    pub parens: bool,
    /// A block attribute (`@@`).
    pub block: bool,
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    pub name: Option<Ident>,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExprKind {
    /// A string: its decoded value and the literal as written (quotes included).
    Str {
        value: String,
        raw: String,
    },
    /// A number as written.
    Number(String),
    /// An identifier or dotted path: `true`, `Cascade`, `Desc`, `db.VarChar`.
    Const(String),
    Array(Vec<Expr>),
    /// `name(args)`: `env("X")`, `now()`, `uuid(7)`, `b(sort: Desc)`.
    Call {
        name: String,
        args: Vec<Arg>,
    },
}

impl Expr {
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Str { value, .. } => Some(value),
            _ => None,
        }
    }

    pub fn as_const(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Const(c) => Some(c),
            _ => None,
        }
    }

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
