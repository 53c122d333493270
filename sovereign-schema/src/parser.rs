//! A recovering parser: a broken line is reported and skipped, and parsing goes on, so every
//! syntax error of a file comes back at once.

use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::lexer::{lex, unescape, Token, TokenKind as T};
use crate::source::{FileId, Span};

/// Deepest nesting of arrays and calls accepted; deeper input is reported, not recursed into.
const MAX_DEPTH: usize = 64;

/// Parses one file. Always returns a tree (possibly partial) and the syntax errors found.
pub fn parse(file: FileId, text: &str) -> (SchemaAst, Vec<Diagnostic>) {
    let mut p = Parser {
        text,
        toks: lex(text),
        pos: 0,
        file,
        diags: Vec::new(),
        comment_block_end: None,
        trailing_comma: None,
        block_kind: None,
        junk_after_member: false,
    };
    let items = p.items();
    (SchemaAst { file, items }, p.diags)
}

struct Parser<'a> {
    text: &'a str,
    toks: Vec<Token>,
    pos: usize,
    file: FileId,
    diags: Vec<Diagnostic>,
    /// The token index of the last comment of the comment block being read (comments on their
    /// own lines, one after the other), if any.
    comment_block_end: Option<usize>,
    /// The first `,` right before a `)` in the attribute being read.
    trailing_comma: Option<Span>,
    /// The kind of block being read.
    block_kind: Option<BlockKind>,
    /// [`Parser::end_of_line`] found something after a member: Prisma drops such a line.
    junk_after_member: bool,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<Token> {
        self.toks.get(self.pos).copied()
    }

    fn peek_kind(&self) -> Option<T> {
        self.peek().map(|t| t.kind)
    }

    fn peek_kind_at(&self, n: usize) -> Option<T> {
        self.toks.get(self.pos + n).map(|t| t.kind)
    }

    fn bump(&mut self) -> Token {
        let t = self.toks[self.pos];
        self.pos += 1;
        t
    }

    /// Whether `.name` follows, written without spaces (`db.VarChar`): Prisma's paths are one
    /// token, so `db . VarChar` is not one.
    fn path_continues(&self) -> bool {
        match (
            self.pos.checked_sub(1).and_then(|i| self.toks.get(i)),
            self.toks.get(self.pos),
            self.toks.get(self.pos + 1),
        ) {
            (Some(prev), Some(dot), Some(name)) => {
                dot.kind == T::Dot
                    && name.kind == T::Ident
                    && prev.end == dot.start
                    && dot.end == name.start
            }
            _ => false,
        }
    }

    fn eat(&mut self, kind: T) -> Option<Token> {
        if self.peek_kind() == Some(kind) {
            Some(self.bump())
        } else {
            None
        }
    }

    fn text(&self, t: Token) -> &'a str {
        &self.text[t.start..t.end]
    }

    fn span(&self, t: Token) -> Span {
        t.span(self.file)
    }

    /// A name that starts with a digit (`1id`, lexed as a number and a name side by side):
    /// Prisma reads it as a name and refuses it in validation, so it is read as one name here.
    fn digit_led_name(&self) -> Option<(Token, Token)> {
        let (n, id) = (self.peek()?, *self.toks.get(self.pos + 1)?);
        (n.kind == T::Number
            && id.kind == T::Ident
            && id.start == n.end
            && self.text(n).bytes().all(|b| b.is_ascii_digit()))
        .then_some((n, id))
    }

    /// The name at the cursor (see [`Parser::digit_led_name`]), consumed.
    fn take_name(&mut self) -> Ident {
        if let Some((n, id)) = self.digit_led_name() {
            self.pos += 2;
            return Ident {
                name: self.text[n.start..id.end].to_string(),
                span: self.span(n).to(self.span(id)),
            };
        }
        let t = self.bump();
        self.ident(t)
    }

    fn ident(&self, t: Token) -> Ident {
        Ident {
            name: self.text(t).to_string(),
            span: self.span(t),
        }
    }

    fn comment(&self, t: Token) -> Comment {
        Comment {
            // Kept byte for byte (trailing spaces too), as `prisma format` does.
            text: self.text(t).to_string(),
            span: self.span(t),
        }
    }

    /// A comment on its own line (or after `}` or another such comment), the token just
    /// bumped. A block comment is kept as `prisma format` rewrites it.
    fn standalone_comment(&mut self, t: Token) -> Comment {
        let index = self.pos - 1;
        // Prisma reads consecutive comments as one block, and for each comment of a block but
        // the first, the whitespace before it is part of its text (see `block_comment_text`).
        let continues = index > 0
            && self.comment_block_end.is_some_and(|end| {
                end + 1 == index || (end + 2 == index && self.toks[index - 1].kind == T::Newline)
            });
        self.comment_block_end = Some(index);
        if t.kind != T::BlockComment {
            return self.comment(t);
        }
        let lead = if continues {
            &self.text[self.toks[index - 1].end..t.start]
        } else {
            ""
        };
        Comment {
            text: block_comment_text(lead, self.text(t)),
            span: self.span(t),
        }
    }

    /// A span at the end of input (or of the previous token).
    fn eof_span(&self) -> Span {
        let end = self.text.len();
        Span::new(self.file, end, end)
    }

    fn here(&self) -> Span {
        match self.peek() {
            Some(t) => self.span(t),
            None => self.eof_span(),
        }
    }

    fn error(&mut self, code: Code, message: impl Into<String>, span: Span) {
        self.diags.push(code.error(message, span));
    }

    /// Skips the rest of the line. A `{` on it skips to its matching `}` so a broken block
    /// header does not turn the block's body into a cascade of errors.
    fn skip_line(&mut self) {
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            match t.kind {
                T::Newline if depth == 0 => return,
                T::LBrace => depth += 1,
                T::RBrace if depth > 0 => {
                    depth -= 1;
                    if depth == 0 {
                        self.pos += 1;
                        return;
                    }
                }
                T::RBrace => return,
                _ => {}
            }
            self.pos += 1;
        }
    }

    /// Consumes newlines; returns how many.
    fn newlines(&mut self) -> usize {
        let mut n = 0;
        while self.eat(T::Newline).is_some() {
            n += 1;
        }
        n
    }

    fn items(&mut self) -> Vec<Item> {
        let mut items = Vec::new();
        let mut docs: Vec<Comment> = Vec::new();
        let mut at_line_start = true;
        while let Some(t) = self.peek() {
            match t.kind {
                T::Newline => {
                    let n = self.newlines();
                    if n >= 2 || (n >= 1 && !at_line_start) {
                        // A blank line (or a newline that ended a line of code).
                    }
                    if n >= 2 && !(items.is_empty() && docs.is_empty()) {
                        // Docs separated from what follows by a blank line are plain comments.
                        items.extend(docs.drain(..).map(Item::Comment));
                        items.push(Item::BlankLine);
                    }
                    at_line_start = true;
                }
                T::Comment => {
                    self.bump();
                    items.extend(docs.drain(..).map(Item::Comment));
                    let c = self.standalone_comment(t);
                    items.push(Item::Comment(c));
                    at_line_start = false;
                }
                // Prisma reads a block comment as documentation, like `///`.
                T::DocComment | T::BlockComment => {
                    self.bump();
                    let c = self.standalone_comment(t);
                    docs.push(c);
                    at_line_start = false;
                }
                T::Ident if BlockKind::from_keyword(self.text(t)).is_some() => {
                    let kind = BlockKind::from_keyword(self.text(t)).unwrap_or(BlockKind::Model);
                    if let Some(block) = self.block(kind, std::mem::take(&mut docs)) {
                        items.push(Item::Block(block));
                    }
                    at_line_start = false;
                }
                _ => {
                    let start = self.here();
                    let before = self.pos;
                    self.skip_line();
                    if self.pos == before {
                        // A stray `}`: skip_line stops in front of it.
                        self.pos += 1;
                    }
                    let end = self
                        .toks
                        .get(self.pos.saturating_sub(1))
                        .map(|t| t.end)
                        .unwrap_or(start.end)
                        .max(start.end);
                    // Text right after a block's `}` (`}x`) belongs to that block's line.
                    if let Some(Item::Block(b)) = items.last_mut() {
                        b.incomplete |= b.span.end >= start.start;
                    }
                    let hint = if self.text[start.start..].starts_with("/*") {
                        "this `/*` comment is never closed: end it with `*/`"
                    } else {
                        "a top-level line starts with `model`, `enum`, `type`, `view`, `datasource`, `generator` or a comment"
                    };
                    self.diags.push(
                        Code::SyntaxInvalidLine.error(
                            "Error validating: This line is invalid. It does not start with any known Prisma schema keyword.",
                            Span::new(self.file, start.start, end),
                        )
                        .with_hint(hint),
                    );
                    at_line_start = false;
                }
            }
        }
        items.extend(docs.drain(..).map(Item::Comment));
        while items.last() == Some(&Item::BlankLine) {
            items.pop();
        }
        items
    }

    fn block(&mut self, kind: BlockKind, docs: Vec<Comment>) -> Option<Block> {
        let errors_before = self.diags.len();
        let kw = self.bump();
        let keyword_span = self.span(kw);
        let name = match self.peek() {
            Some(t) if t.kind == T::Ident || self.digit_led_name().is_some() => self.take_name(),
            _ => {
                self.error(
                    Code::SyntaxBlockHeader,
                    format!(
                        "A {} declaration needs a name: `{} Name {{ ... }}`.",
                        kind.keyword(),
                        kind.keyword()
                    ),
                    self.here(),
                );
                self.skip_line();
                return None;
            }
        };
        if self.eat(T::LBrace).is_none() {
            let span = self.here();
            self.error(
                Code::SyntaxBlockHeader,
                format!("Expected `{{` after `{} {}`.", kind.keyword(), name.name),
                span,
            );
            self.skip_line();
            return None;
        }
        self.block_kind = Some(kind);
        // Prisma drops a comment written after the opening brace; so do we (the formatter must
        // agree byte for byte), but it must not be mistaken for a member.
        if let Some(c) = self
            .eat(T::Comment)
            .or_else(|| self.eat(T::DocComment))
            .or_else(|| self.eat(T::BlockComment))
        {
            // Prisma drops the rest of the line only: what a block comment holds on the next
            // lines is read as members, which it is not.
            if let Some(nl) = self.text(c).find('\n') {
                self.error(
                    Code::SyntaxInvalidMember,
                    "Error validating: This line is not a valid field or attribute definition.",
                    Span::new(self.file, c.start + nl + 1, c.end),
                );
            }
        }
        let mut members: Vec<Member> = Vec::new();
        let mut docs_pending: Vec<Comment> = Vec::new();
        let end;
        loop {
            let Some(t) = self.peek() else {
                self.diags.push(
                    Code::SyntaxUnclosedBlock
                        .error(
                            format!("This {} is missing its closing brace `}}`.", kind.keyword()),
                            keyword_span.to(name.span),
                        )
                        .with_hint("add `}` at the end of the block"),
                );
                end = self.text.len();
                break;
            };
            match t.kind {
                T::RBrace => {
                    // Prisma reads a block only when its `}` has a line of its own: after a
                    // member (`  id Int @id }`) or right after `{`, none of it is read.
                    if self.toks[self.pos - 1].kind != T::Newline {
                        self.diags.push(
                            Code::SyntaxInvalidLine.error(
                                "Error validating: This line is invalid. It does not start with any known Prisma schema keyword.",
                                self.span(t),
                            )
                            .with_hint(format!(
                                "the `}}` that closes `{} {}` goes on a line of its own",
                                kind.keyword(),
                                name.name
                            )),
                        );
                    }
                    self.bump();
                    end = t.end;
                    break;
                }
                T::Newline => {
                    if self.newlines() >= 2 {
                        members.extend(docs_pending.drain(..).map(Member::Comment));
                        members.push(Member::BlankLine);
                    }
                }
                T::Comment => {
                    self.bump();
                    members.extend(docs_pending.drain(..).map(Member::Comment));
                    let c = self.standalone_comment(t);
                    members.push(Member::Comment(c));
                }
                T::DocComment | T::BlockComment => {
                    self.bump();
                    let c = self.standalone_comment(t);
                    docs_pending.push(c);
                }
                T::AtAt => {
                    let docs = std::mem::take(&mut docs_pending);
                    if let Some(attribute) = self.attribute(true) {
                        let trailing = self.end_of_line();
                        if !std::mem::take(&mut self.junk_after_member) {
                            members.push(Member::Attribute(BlockAttribute {
                                attribute,
                                docs,
                                trailing,
                            }));
                        }
                    } else {
                        self.skip_line();
                    }
                }
                T::Ident if kind.is_config() => {
                    let docs = std::mem::take(&mut docs_pending);
                    match self.property(docs) {
                        Some(p) => members.push(Member::Property(p)),
                        None => self.skip_line(),
                    }
                }
                T::Ident
                    if BlockKind::from_keyword(self.text(t)).is_some()
                        && self.peek_kind_at(1) == Some(T::Ident)
                        && self.peek_kind_at(2) == Some(T::LBrace) =>
                {
                    // `model Post {` inside a block: the block above lacks its `}`.
                    let span = self.here();
                    self.diags.push(
                        Code::SyntaxInvalidMember.error(
                            "Error validating: This line is not a valid field or attribute definition.",
                            span.to(self.span(self.toks[self.pos + 2])),
                        )
                        .with_hint(format!(
                            "`{} {}` is missing its closing brace `}}` above this line",
                            kind.keyword(),
                            name.name
                        )),
                    );
                    self.skip_rest_of_member_line();
                }
                _ if t.kind == T::Ident || self.digit_led_name().is_some() => {
                    let docs = std::mem::take(&mut docs_pending);
                    match self.field(kind, &name.name, docs) {
                        Some(f) => members.push(Member::Field(f)),
                        None => self.skip_line(),
                    }
                }
                _ => {
                    let span = self.here();
                    // Prisma's words.
                    let what = if kind.is_config() {
                        format!(
                            "Error validating: This line is not a valid definition within a {}.",
                            kind.keyword()
                        )
                    } else if kind == BlockKind::Enum {
                        "Error validating: This line is not an enum value definition.".to_string()
                    } else {
                        "Error validating: This line is not a valid field or attribute definition."
                            .to_string()
                    };
                    let hint = if kind.is_config() {
                        "a datasource or generator holds `key = value` lines"
                    } else if self.text(t).starts_with('_') {
                        "a name starts with a letter; to keep a database name that starts with `_`, name the field without it and add `@map(\"_...\")`"
                    } else if kind == BlockKind::Enum {
                        "an enum holds one value name per line, and `@@map`/`@@schema`"
                    } else {
                        "a line holds a field (`name Type @attributes`) or a block attribute (`@@...`)"
                    };
                    self.diags
                        .push(Code::SyntaxInvalidMember.error(what, span).with_hint(hint));
                    self.skip_rest_of_member_line();
                }
            }
        }
        members.extend(docs_pending.drain(..).map(Member::Comment));
        // Blank lines at the start and end of a block carry no meaning.
        while members.first() == Some(&Member::BlankLine) {
            members.remove(0);
        }
        while members.last() == Some(&Member::BlankLine) {
            members.pop();
        }
        // A comment after `}` on the same line stays right below the block.
        let mut closing_comment = None;
        if let Some(t) = self.peek() {
            if matches!(t.kind, T::Comment | T::DocComment | T::BlockComment) {
                self.bump();
                closing_comment = Some(self.standalone_comment(t));
            }
        }
        Some(Block {
            kind,
            keyword_span,
            name,
            docs,
            members,
            closing_comment,
            span: Span::new(self.file, kw.start, end),
            // Every error reported while reading the block points inside it.
            incomplete: self.diags.len() > errors_before,
        })
    }

    /// What Prisma says about a line of the current block it cannot read.
    fn invalid_line_message(&self) -> String {
        match self.block_kind {
            Some(k) if k.is_config() => format!(
                "Error validating: This line is not a valid definition within a {}.",
                k.keyword()
            ),
            Some(BlockKind::Enum) => {
                "Error validating: This line is not an enum value definition.".into()
            }
            _ => "Error validating: This line is not a valid field or attribute definition.".into(),
        }
    }

    /// Skips to the end of the line, but not past a closing brace of the block.
    fn skip_rest_of_member_line(&mut self) {
        while let Some(t) = self.peek() {
            if matches!(t.kind, T::Newline | T::RBrace) {
                return;
            }
            self.pos += 1;
        }
    }

    /// After a member: an optional trailing comment, then the end of the line (or the block).
    fn end_of_line(&mut self) -> Option<Comment> {
        let mut trailing = None;
        if let Some(t) = self.peek() {
            // Kept as written, even a block comment over several lines (as Prisma does).
            if matches!(t.kind, T::Comment | T::DocComment | T::BlockComment) {
                self.bump();
                trailing = Some(self.comment(t));
            }
        }
        match self.peek_kind() {
            None | Some(T::Newline) | Some(T::RBrace) => {}
            Some(_) => {
                self.junk_after_member = true;
                let start = self.here();
                let mut end = start;
                while let Some(t) = self.peek() {
                    if matches!(t.kind, T::Newline | T::RBrace) {
                        break;
                    }
                    end = self.span(t);
                    self.pos += 1;
                }
                if trailing.is_some() {
                    // `a Int /* x */ @id`, `a Int /* x */ // y`: Prisma's grammar allows one
                    // comment at the end of a line and nothing after it.
                    self.diags.push(
                        Code::SyntaxInvalidMember.error(
                            "Error validating: This line is not a valid field or attribute definition.",
                            start.to(end),
                        )
                        .with_hint("a comment ends the line: move what follows it before it, or onto a line of its own"),
                    );
                } else {
                    let message = self.invalid_line_message();
                    let found = &self.text[start.start..end.end];
                    let found: String = found.chars().take(40).collect();
                    self.diags.push(
                        Code::SyntaxInvalidMember
                            .error(message, start.to(end))
                            .with_hint(format!("unexpected `{found}` at the end of the line")),
                    );
                }
            }
        }
        trailing
    }

    fn property(&mut self, docs: Vec<Comment>) -> Option<Property> {
        let name_tok = self.bump();
        let name = self.ident(name_tok);
        if self.eat(T::Eq).is_none() {
            self.error(
                Code::SyntaxProperty,
                format!(
                    "Expected `=` after `{}`: properties are written `key = value`.",
                    name.name
                ),
                self.here(),
            );
            return None;
        }
        self.trailing_comma = None;
        let value = self.expr(0)?;
        if let (Some(comma), ExprKind::Call { name, .. }) =
            (self.trailing_comma.take(), &value.kind)
        {
            if name == "env" {
                self.diags.push(
                    Code::SyntaxTrailingComma
                        .error(
                            "Exactly one string parameter must be passed to the env function.",
                            comma,
                        )
                        .with_hint("remove the `,` before `)`"),
                );
            }
        }
        let trailing = self.end_of_line();
        if std::mem::take(&mut self.junk_after_member) {
            return None; // the line is dropped, as Prisma drops it
        }
        let span = name.span.to(value.span);
        Some(Property {
            name,
            value,
            docs,
            trailing,
            span,
        })
    }

    fn field(&mut self, kind: BlockKind, block: &str, docs: Vec<Comment>) -> Option<Field> {
        let name = self.take_name();
        let mut ty = None;
        if kind.has_fields() {
            // Prisma 1's syntax, which Prisma still recognises to say what to write instead.
            let legacy = match (self.peek_kind(), self.peek_kind_at(1), self.peek_kind_at(2)) {
                (Some(T::Colon), _, _) => Some((
                    "Field declarations don't require a `:`.",
                    "remove the `:` after the field name",
                    0,
                )),
                (Some(T::LBracket), Some(T::Ident), Some(T::RBracket)) => Some((
                    "To specify a list, please use `Type[]` instead of `[Type]`.",
                    "write the type as `Type[]`",
                    2,
                )),
                (Some(T::Ident), Some(T::Unknown), _)
                    if self
                        .toks
                        .get(self.pos + 1)
                        .is_some_and(|t| self.text(*t) == "!") =>
                {
                    Some((
                        "Fields are required by default, `!` is no longer required.",
                        "remove the `!`",
                        1,
                    ))
                }
                _ => None,
            };
            if let Some((message, hint, last)) = legacy {
                let span = self.here().to(self.span(self.toks[self.pos + last]));
                self.diags.push(
                    Code::SyntaxPrisma1Field
                        .error(message, span)
                        .with_hint(hint),
                );
                return None;
            }
            match self.peek() {
                Some(t) if t.kind == T::Ident => {
                    ty = Some(self.field_type()?);
                }
                _ => {
                    let mut span = name.span;
                    while let Some(t) = self.peek() {
                        if matches!(t.kind, T::Newline | T::RBrace) {
                            break;
                        }
                        span = span.to(self.span(t));
                        self.pos += 1;
                    }
                    self.error(
Code::SyntaxFieldIncomplete,
                        format!(
                            "Error validating {} \"{block}\": This field declaration is invalid. It is either missing a name or a type.",
                            kind.keyword()
                        ),
                        span,
                    );
                    return None;
                }
            }
        }
        let mut attributes = Vec::new();
        while self.peek_kind() == Some(T::At) {
            attributes.push(self.attribute(false)?);
        }
        if self.peek_kind() == Some(T::AtAt) {
            let span = self.here();
            self.error(
                Code::SyntaxBlockAttributePosition,
                "Block attributes (`@@...`) go on their own line, after the fields.",
                span,
            );
            return None;
        }
        let end = attributes
            .last()
            .map(|a| a.span)
            .or(ty.as_ref().map(|t: &FieldType| t.span))
            .unwrap_or(name.span);
        let trailing = self.end_of_line();
        if std::mem::take(&mut self.junk_after_member) {
            return None; // the line is dropped, as Prisma drops it
        }
        Some(Field {
            span: name.span.to(end),
            name,
            ty,
            attributes,
            docs,
            trailing,
        })
    }

    fn field_type(&mut self) -> Option<FieldType> {
        let t = self.bump();
        let name = self.ident(t);
        let mut span = name.span;
        let mut unsupported = None;
        if name.name == "Unsupported" && self.peek_kind() == Some(T::LParen) {
            self.bump();
            let arg = self.expr(1)?;
            if arg.as_str().is_none() {
                self.error(
Code::SyntaxUnsupportedType,
                    "`Unsupported` takes one string: the database type, e.g. `Unsupported(\"circle\")`.",
                    arg.span,
                );
            }
            match self.eat(T::RParen) {
                Some(close) => span = span.to(self.span(close)),
                None => {
                    self.error(
                        Code::SyntaxUnsupportedType,
                        "Expected `)` to close `Unsupported(`.",
                        self.here(),
                    );
                    return None;
                }
            }
            unsupported = Some(arg);
        }
        let mut arity = Arity::Required;
        // `[]` is one token in Prisma's grammar: `Int[ ]` is not a list type.
        if self.peek_kind() == Some(T::LBracket)
            && self.peek_kind_at(1) == Some(T::RBracket)
            && self.toks[self.pos].end == self.toks[self.pos + 1].start
        {
            self.bump();
            let close = self.bump();
            span = span.to(self.span(close));
            arity = Arity::List;
            if let Some(q) = self.eat(T::Question) {
                self.error(
                    Code::SyntaxOptionalList,
                    "Optional lists are not supported. Use either `Type[]` or `Type?`.",
                    span.to(self.span(q)),
                );
                return None;
            }
        } else if let Some(q) = self.eat(T::Question) {
            span = span.to(self.span(q));
            arity = Arity::Optional;
            if self.peek_kind() == Some(T::LBracket) {
                self.error(
                    Code::SyntaxOptionalList,
                    "Optional lists are not supported. Use either `Type[]` or `Type?`.",
                    span.to(self.here()),
                );
                return None;
            }
        }
        Some(FieldType {
            name,
            arity,
            unsupported,
            span,
        })
    }

    /// `@name(args)` / `@@name(args)`; the current token is `@` or `@@`.
    fn attribute(&mut self, block: bool) -> Option<Attribute> {
        let at = self.bump();
        let Some(first) = self.eat(T::Ident) else {
            let prefix = if block { "@@" } else { "@" };
            self.error(
                Code::SyntaxAttributeName,
                format!("Expected an attribute name after `{prefix}`."),
                self.span(at).to(self.here()),
            );
            return None;
        };
        let mut name = self.ident(first);
        while self.path_continues() {
            self.bump();
            let part = self.bump();
            name.name.push('.');
            name.name.push_str(self.text(part));
            name.span = name.span.to(self.span(part));
        }
        let mut span = self.span(at).to(name.span);
        let mut args = Vec::new();
        let mut parens = false;
        if self.peek_kind() == Some(T::LParen) {
            parens = true;
            self.trailing_comma = None;
            let (a, close) = self.args(1)?;
            args = a;
            span = span.to(close);
            // Prisma refuses `@@index([a],)` and `@default(uuid(4,))`, but not `@db.VarChar(10,)`.
            if let Some(comma) = self
                .trailing_comma
                .take()
                .filter(|_| !name.name.contains('.'))
            {
                self.diags.push(
                    Code::SyntaxTrailingComma.error(
                        format!(
                            "Error parsing attribute \"@{}\": Trailing commas are not valid in attribute arguments, please remove the comma.",
                            name.name
                        ),
                        comma,
                    )
                    .with_hint("remove the `,` before `)`"),
                );
            }
        }
        Some(Attribute {
            name,
            args,
            parens,
            block,
            span,
        })
    }

    /// `( arg, name: arg, ... )`; the current token is `(`. Returns the args and the `)` span.
    fn args(&mut self, depth: usize) -> Option<(Vec<Arg>, Span)> {
        let open = self.bump();
        let mut args = Vec::new();
        loop {
            if let Some(close) = self.eat(T::RParen) {
                return Some((args, self.span(close)));
            }
            let name =
                if self.peek_kind() == Some(T::Ident) && self.peek_kind_at(1) == Some(T::Colon) {
                    let t = self.bump();
                    self.bump();
                    Some(self.ident(t))
                } else {
                    None
                };
            let value = self.expr(depth + 1)?;
            let span = name.as_ref().map_or(value.span, |n| n.span.to(value.span));
            args.push(Arg { name, value, span });
            if let Some(comma) = self.eat(T::Comma) {
                if self.peek_kind() == Some(T::RParen) && self.trailing_comma.is_none() {
                    self.trailing_comma = Some(self.span(comma));
                }
                continue;
            }
            if let Some(close) = self.eat(T::RParen) {
                return Some((args, self.span(close)));
            }
            let span = self.here();
            self.diags.push(
                Code::SyntaxArguments
                    .error("Expected `,` or `)` in this argument list.", span)
                    .with_note(self.span(open), "the list starts here"),
            );
            return None;
        }
    }

    fn expr(&mut self, depth: usize) -> Option<Expr> {
        if depth > MAX_DEPTH {
            let span = self.here();
            self.error(
                Code::SyntaxNesting,
                format!("This expression is nested too deeply (more than {MAX_DEPTH} levels)."),
                span,
            );
            return None;
        }
        let Some(t) = self.peek() else {
            self.error(
                Code::SyntaxValue,
                "Expected a value here, found the end of the file.",
                self.eof_span(),
            );
            return None;
        };
        let span = self.span(t);
        match t.kind {
            T::Str { terminated } => {
                self.bump();
                let raw = self.text(t).to_string();
                if !terminated {
                    // In a block, Prisma's words for the line; ours in the hint.
                    let message = match self.block_kind {
                        Some(_) => self.invalid_line_message(),
                        None => "This string is missing its closing quote `\"`.".into(),
                    };
                    self.diags.push(
                        Code::SyntaxString
                            .error(message, span)
                            .with_hint("this string is missing its closing quote `\"`: strings end on the line they start"),
                    );
                    return None;
                }
                if let Some(at) = crate::lexer::bad_escape(&raw) {
                    let start = t.start + at;
                    self.diags.push(Code::SyntaxEscape.error(
                        "Unknown escape sequence. If the value is a windows-style path, `\\` must be escaped as `\\\\`.",
                        Span::new(self.file, start, (start + 2).min(t.end)),
                    ));
                    return None;
                }
                Some(Expr {
                    kind: ExprKind::Str {
                        value: unescape(&raw),
                        raw,
                    },
                    span,
                })
            }
            T::Number => {
                self.bump();
                Some(Expr {
                    kind: ExprKind::Number(self.text(t).to_string()),
                    span,
                })
            }
            T::Ident => {
                self.bump();
                let mut name = self.text(t).to_string();
                let mut span = span;
                while self.path_continues() {
                    self.bump();
                    let part = self.bump();
                    name.push('.');
                    name.push_str(self.text(part));
                    span = span.to(self.span(part));
                }
                if self.peek_kind() == Some(T::LParen) {
                    let (args, close) = self.args(depth)?;
                    return Some(Expr {
                        kind: ExprKind::Call { name, args },
                        span: span.to(close),
                    });
                }
                Some(Expr {
                    kind: ExprKind::Const(name),
                    span,
                })
            }
            T::LBracket => {
                self.bump();
                // Like Prisma, a list stays on one line.
                let mut items = Vec::new();
                loop {
                    if let Some(close) = self.eat(T::RBracket) {
                        return Some(Expr {
                            kind: ExprKind::Array(items),
                            span: span.to(self.span(close)),
                        });
                    }
                    items.push(self.expr(depth + 1)?);
                    if let Some(comma) = self.eat(T::Comma) {
                        if self.peek_kind() == Some(T::RBracket) {
                            // Prisma's grammar has no trailing comma in a list.
                            let what = match self.block_kind {
                                Some(k) if k.is_config() => format!(
                                    "Error validating: This line is not a valid definition within a {}.",
                                    k.keyword()
                                ),
                                _ => "Error validating: This line is not a valid field or attribute definition.".to_string(),
                            };
                            self.diags.push(
                                Code::SyntaxInvalidMember
                                    .error(what, self.span(comma))
                                    .with_hint("remove the `,` before `]`"),
                            );
                            return None;
                        }
                        continue;
                    }
                    if let Some(close) = self.eat(T::RBracket) {
                        return Some(Expr {
                            kind: ExprKind::Array(items),
                            span: span.to(self.span(close)),
                        });
                    }
                    let here = self.here();
                    self.diags.push(
                        Code::SyntaxList
                            .error("Expected `,` or `]` in this list.", here)
                            .with_note(span, "the list starts here"),
                    );
                    return None;
                }
            }
            _ => {
                let what = match t.kind {
                    T::Newline => "the end of the line".to_string(),
                    _ => format!("`{}`", self.text(t)),
                };
                // In a block, Prisma's words for the line; ours in the hint.
                let (message, hint) = match self.block_kind {
                    Some(_) => (
                        self.invalid_line_message(),
                        Some(format!("expected a value here, found {what}")),
                    ),
                    None => (format!("Expected a value here, found {what}."), None),
                };
                let d = Code::SyntaxValue.error(message, span);
                self.diags.push(match hint {
                    Some(h) => d.with_hint(h),
                    None => d,
                });
                None
            }
        }
    }
}

/// A block comment as `prisma format` writes it when it stands on its own line: `/**`, then
/// ` * ` and each non-empty line of its text (a leading `*` removed), then ` */`.
///
/// Prisma cuts the delimiters off by position from the text its grammar matched, and that
/// text starts with the indentation for every comment of a comment block but the first, so
/// `lead` (that whitespace, or nothing) is put back first: `  // a` followed by `  /* b */`
/// becomes ` * /* b`, byte for byte what Prisma writes.
fn block_comment_text(lead: &str, raw: &str) -> String {
    let matched = format!("{lead}{raw}");
    let inner = matched
        .get(2..matched.len().saturating_sub(2))
        .unwrap_or_default();
    let mut out = String::from("/**");
    for line in inner.lines() {
        let line = line.trim();
        let line = line.strip_prefix('*').map_or(line, str::trim_start);
        if !line.is_empty() {
            out.push_str("\n * ");
            out.push_str(line);
        }
    }
    out.push_str("\n */");
    out
}
