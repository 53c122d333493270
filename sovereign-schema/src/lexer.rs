//! Tokens of the Prisma Schema Language. Newlines are tokens: the grammar is line based.

use crate::source::{FileId, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Ident,
    /// A string literal, quotes included. `terminated` is false when the line ended first.
    Str {
        terminated: bool,
    },
    Number,
    LBrace,
    RBrace,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Eq,
    Question,
    Comma,
    Colon,
    Dot,
    At,
    AtAt,
    Newline,
    /// `// ...` (text includes the slashes).
    Comment,
    /// `/// ...`
    DocComment,
    /// `/* ... */` (text includes the delimiters; may span lines).
    BlockComment,
    /// Any other character.
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
}

impl Token {
    pub fn span(&self, file: FileId) -> Span {
        Span::new(file, self.start, self.end)
    }
}

/// Like Prisma's grammar, a name starts with a letter (digits start numbers; `_` starts
/// nothing, so `_count Int` is an invalid line, as in Prisma).
fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic()
}

fn is_ident_continue(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

/// Splits `text` into tokens. Never fails: unknown characters become [`TokenKind::Unknown`].
pub fn lex(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::with_capacity(text.len() / 4);
    let mut i = 0;
    let mut unclosed_from = usize::MAX;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let kind = match c {
            b' ' | b'\t' | b'\r' | 0x0c => {
                i += 1;
                continue;
            }
            b'\n' => {
                i += 1;
                TokenKind::Newline
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let doc = bytes.get(i + 2) == Some(&b'/');
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                // Keep the `\r` of a CRLF line out of the comment.
                let mut end = i;
                if end > start && bytes[end - 1] == b'\r' {
                    end -= 1;
                }
                tokens.push(Token {
                    kind: if doc {
                        TokenKind::DocComment
                    } else {
                        TokenKind::Comment
                    },
                    start,
                    end,
                });
                continue;
            }
            // `/* ... */`, possibly over several lines. Without its `*/` it is no comment: like
            // Prisma, the line is then reported as invalid.
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                // Once no `*/` follows some position, none follows a later one: remembering
                // that keeps a file full of `/*` linear.
                let end = if i >= unclosed_from {
                    None
                } else {
                    text[i + 2..].find("*/")
                };
                match end {
                    Some(end) => {
                        i += 2 + end + 2;
                        TokenKind::BlockComment
                    }
                    None => {
                        unclosed_from = unclosed_from.min(i);
                        i += 1;
                        TokenKind::Unknown
                    }
                }
            }
            b'"' => {
                i += 1;
                let mut terminated = false;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' if i + 1 < bytes.len() && bytes[i + 1] != b'\n' => i += 2,
                        b'"' => {
                            i += 1;
                            terminated = true;
                            break;
                        }
                        b'\n' => break,
                        _ => i += 1,
                    }
                }
                TokenKind::Str { terminated }
            }
            b'-' | b'0'..=b'9'
                if c != b'-' || bytes.get(i + 1).is_some_and(|b| b.is_ascii_digit()) =>
            {
                i += 1;
                while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                    i += 1;
                }
                TokenKind::Number
            }
            c if is_ident_start(c) || unicode_letter_at(text, i) => {
                i += char_len(text, i);
                loop {
                    // ASCII fast path; other letters (`é`, `日`) one character at a time.
                    while i < bytes.len() && is_ident_continue(bytes[i]) {
                        i += 1;
                    }
                    if i < bytes.len() && unicode_letter_at(text, i) {
                        i += char_len(text, i);
                    } else {
                        break;
                    }
                }
                TokenKind::Ident
            }
            b'{' => single(&mut i, TokenKind::LBrace),
            b'}' => single(&mut i, TokenKind::RBrace),
            b'(' => single(&mut i, TokenKind::LParen),
            b')' => single(&mut i, TokenKind::RParen),
            b'[' => single(&mut i, TokenKind::LBracket),
            b']' => single(&mut i, TokenKind::RBracket),
            b'=' => single(&mut i, TokenKind::Eq),
            b'?' => single(&mut i, TokenKind::Question),
            b',' => single(&mut i, TokenKind::Comma),
            b':' => single(&mut i, TokenKind::Colon),
            b'.' => single(&mut i, TokenKind::Dot),
            b'@' => {
                if bytes.get(i + 1) == Some(&b'@') {
                    i += 2;
                    TokenKind::AtAt
                } else {
                    single(&mut i, TokenKind::At)
                }
            }
            _ => {
                // One whole (possibly multi-byte) character.
                i += 1;
                while i < bytes.len() && !text.is_char_boundary(i) {
                    i += 1;
                }
                TokenKind::Unknown
            }
        };
        tokens.push(Token {
            kind,
            start,
            end: i,
        });
    }
    tokens
}

/// A non-ASCII letter or digit at byte `i` (Prisma accepts `Café`, `日本` as names).
fn unicode_letter_at(text: &str, i: usize) -> bool {
    text.as_bytes()[i] >= 0x80
        && text.is_char_boundary(i)
        && text[i..].chars().next().is_some_and(char::is_alphanumeric)
}

fn char_len(text: &str, i: usize) -> usize {
    if text.as_bytes()[i] < 0x80 {
        1
    } else {
        text[i..].chars().next().map_or(1, char::len_utf8)
    }
}

fn single(i: &mut usize, kind: TokenKind) -> TokenKind {
    *i += 1;
    kind
}

/// The byte offset (in `raw`) of the first escape Prisma does not know, if any. Known: `\"`,
/// `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`, `\0` and `\uXXXX` (a valid character).
pub fn bad_escape(raw: &str) -> Option<usize> {
    let bytes = raw.as_bytes();
    let mut i = 1;
    while i + 1 < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        match bytes[i + 1] {
            b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' | b'0' => i += 2,
            b'u' => {
                let valid = raw
                    .get(i + 2..i + 6)
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .and_then(char::from_u32)
                    .is_some();
                if !valid {
                    return Some(i);
                }
                i += 6;
            }
            _ => return Some(i),
        }
    }
    None
}

/// Decodes the escapes of a string literal (quotes included in `raw`).
pub fn unescape(raw: &str) -> String {
    let inner = raw.strip_prefix('"').unwrap_or(raw);
    let inner = inner.strip_suffix('"').unwrap_or(inner);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('u') => {
                let hex: String = chars.clone().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) if hex.len() == 4 => {
                        out.push(ch);
                        for _ in 0..4 {
                            chars.next();
                        }
                    }
                    _ => out.push_str("\\u"),
                }
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}
