//! Small helpers the resolving pass and the rules share: suggestions for typos, the words
//! messages use for providers and blocks, and readers of literal values.

use crate::ast::{self, BlockKind, Expr, ExprKind};
use crate::model::{IndexField, Provider, ScalarType};
use std::collections::HashMap;

/// Names seen so far, each with a value (where it was seen): a list for the few members a
/// block usually has (cheaper than hashing), a hash map beyond, so that a block of thousands
/// of members stays linear.
pub(crate) struct Seen<'a, T> {
    list: Vec<(&'a str, T)>,
    map: HashMap<&'a str, T>,
}

impl<'a, T: Copy> Seen<'a, T> {
    const LIST: usize = 16;

    /// Room for `n` names without growing (up to the list's length).
    pub(crate) fn with_capacity(n: usize) -> Self {
        Seen {
            list: Vec::with_capacity(n.min(Self::LIST)),
            map: HashMap::new(),
        }
    }

    /// Records `value` for `name`; returns the value recorded for it before, as
    /// [`HashMap::insert`] does.
    pub(crate) fn insert(&mut self, name: &'a str, value: T) -> Option<T> {
        if self.map.is_empty() {
            if let Some(slot) = self.list.iter_mut().find(|(n, _)| *n == name) {
                return Some(std::mem::replace(&mut slot.1, value));
            }
            if self.list.len() < Self::LIST {
                self.list.push((name, value));
                return None;
            }
            self.map.extend(self.list.drain(..));
        }
        self.map.insert(name, value)
    }
}

/// The scalar types, as written.
pub(crate) const SCALARS: &[&str] = &[
    "String", "Int", "BigInt", "Float", "Decimal", "Boolean", "DateTime", "Json", "Bytes",
];

/// Field attributes Prisma knows (native types aside).
pub(crate) const FIELD_ATTRS: &[&str] = &[
    "id",
    "unique",
    "default",
    "map",
    "updatedAt",
    "ignore",
    "relation",
    "shardKey",
];

/// Block attributes Prisma knows.
pub(crate) const BLOCK_ATTRS: &[&str] = &[
    "id", "unique", "index", "fulltext", "map", "ignore", "schema", "shardKey",
];

/// The provider as Prisma's messages name it.
pub(crate) fn provider_display(p: Provider) -> &'static str {
    match p {
        Provider::Sqlite => "SQLite",
        Provider::Postgresql => "Postgres",
        Provider::Mysql => "MySQL",
        Provider::Sqlserver => "SQL Server",
        Provider::Cockroachdb => "CockroachDB",
        Provider::Mongodb => "MongoDB",
    }
}

/// Every provider, quoted, for hints.
pub(crate) fn provider_list() -> String {
    Provider::ALL
        .iter()
        .map(|p| format!("\"{p}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A block kind as Prisma's messages name it.
pub(crate) fn kind_name(kind: BlockKind) -> &'static str {
    match kind {
        BlockKind::Type => "composite type",
        k => k.keyword(),
    }
}

/// A list of strings; like Prisma, a single string is a list of one (`schemas = "public"`,
/// `previewFeatures = "views"`).
pub(crate) fn string_array(e: &Expr) -> Option<Vec<String>> {
    e.as_list()
        .iter()
        .map(|x| x.as_str().map(str::to_string))
        .collect()
}

/// A value as Prisma's messages describe what they received: ``string value `"x"` ``,
/// ``numeric value `1` ``, ``literal value `meow` ``, ``array value `[a]` ``, ``functional value
/// `a(length: 10)` ``.
pub(crate) fn received(e: &Expr) -> String {
    let kind = match &e.kind {
        ExprKind::Str { .. } => "string",
        ExprKind::Number(_) => "numeric",
        ExprKind::Const(_) => "literal",
        ExprKind::Array(_) => "array",
        ExprKind::Call { .. } => "functional",
    };
    format!("{kind} value `{}`", e.render())
}

/// A non-negative integer literal.
pub(crate) fn number_u32(e: &Expr) -> Option<u32> {
    match &e.kind {
        ExprKind::Number(n) => n.parse().ok(),
        _ => None,
    }
}

/// The documentation of a block or member: its `///` and block comments, one line each.
pub(crate) fn docs(comments: &[ast::Comment]) -> Option<String> {
    if comments.is_empty() {
        return None;
    }
    Some(
        comments
            .iter()
            .map(|c| c.documentation())
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// Prisma's default client name of a compound key: the field names joined by `_`.
pub(crate) fn join_names(fields: &[IndexField]) -> String {
    fields
        .iter()
        .map(|f| f.name.as_str())
        .collect::<Vec<_>>()
        .join("_")
}

/// What a default value of this type looks like, for messages.
pub(crate) fn expected_literal(ty: &ScalarType) -> &'static str {
    match ty {
        ScalarType::Int | ScalarType::BigInt => "a numeric value",
        ScalarType::Float | ScalarType::Decimal => "a numeric value",
        ScalarType::String => "a string value",
        ScalarType::Boolean => "a boolean value",
        ScalarType::DateTime => "a datetime value",
        ScalarType::Json => "a JSON string",
        ScalarType::Bytes => "a base64 string",
        ScalarType::Enum(_) => "an enum value",
        _ => "a value",
    }
}

/// Why a string is not an RFC 3339 date-time (`2024-01-31T12:00:00Z`, with optional fractions
/// and a `+hh:mm` offset), in the words of the `chrono` parser Prisma uses; `None` when it is
/// one.
pub(crate) fn rfc3339_error(s: &str) -> Option<&'static str> {
    const SHORT: &str = "premature end of input";
    const INVALID: &str = "input contains invalid characters";
    const RANGE: &str = "input is out of range";
    let b = s.as_bytes();
    let mut i = 0;
    // A run of exactly `n` digits (too few characters left is a premature end, whatever they
    // are).
    let digits = |i: &mut usize, n: usize| -> Result<u32, &'static str> {
        if b.len() < *i + n {
            return Err(SHORT);
        }
        let mut v = 0;
        for _ in 0..n {
            match b.get(*i) {
                None => return Err(SHORT),
                Some(c) if c.is_ascii_digit() => v = v * 10 + u32::from(c - b'0'),
                Some(_) => return Err(INVALID),
            }
            *i += 1;
        }
        Ok(v)
    };
    let expect = |i: &mut usize, ok: &dyn Fn(u8) -> bool| -> Result<(), &'static str> {
        match b.get(*i) {
            None => Err(SHORT),
            Some(&c) if ok(c) => {
                *i += 1;
                Ok(())
            }
            Some(_) => Err(INVALID),
        }
    };
    let parsed = (|| -> Result<(), &'static str> {
        let year = digits(&mut i, 4)?;
        expect(&mut i, &|c| c == b'-')?;
        let month = digits(&mut i, 2)?;
        expect(&mut i, &|c| c == b'-')?;
        let day = digits(&mut i, 2)?;
        expect(&mut i, &|c| matches!(c, b'T' | b't' | b' '))?;
        let hour = digits(&mut i, 2)?;
        expect(&mut i, &|c| c == b':')?;
        let minute = digits(&mut i, 2)?;
        expect(&mut i, &|c| c == b':')?;
        let second = digits(&mut i, 2)?;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == start {
                return Err(if i == b.len() { SHORT } else { INVALID });
            }
        }
        match b.get(i) {
            None => return Err(SHORT),
            Some(b'Z' | b'z') => i += 1,
            Some(b'+' | b'-') => {
                i += 1;
                let oh = digits(&mut i, 2)?;
                expect(&mut i, &|c| c == b':')?;
                let om = digits(&mut i, 2)?;
                if oh > 23 || om > 59 {
                    return Err(RANGE);
                }
            }
            Some(_) => return Err(INVALID),
        }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Err(RANGE),
        };
        if day == 0 || day > days || hour > 23 || minute > 59 || second > 60 {
            return Err(RANGE);
        }
        Ok(())
    })();
    match parsed {
        Err(e) => Some(e),
        Ok(()) if i < b.len() => Some("trailing input"),
        Ok(()) => None,
    }
}

/// Why a string is not a decimal, in the words of the `bigdecimal` parser Prisma uses (`None`
/// when it is one): an optional sign, digits with an optional `.` (either side may be empty),
/// `_` between digits, and an optional `e`/`E` exponent.
pub(crate) fn decimal_error(s: &str) -> Option<&'static str> {
    const EMPTY: &str = "cannot parse integer from empty string";
    const INVALID: &str = "invalid digit found in string";
    if s.is_empty() {
        return Some("Failed to parse empty string");
    }
    let (base, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    if let Some(exp) = exponent {
        if let Err(e) = exp.parse::<i64>() {
            return Some(match e.kind() {
                std::num::IntErrorKind::Empty => EMPTY,
                std::num::IntErrorKind::PosOverflow => "number too large to fit in target type",
                std::num::IntErrorKind::NegOverflow => "number too small to fit in target type",
                _ => INVALID,
            });
        }
    }
    if base.is_empty() {
        return Some("Failed to parse empty string");
    }
    // The integer of all digits (num-bigint's rules: one sign, then digits and `_`).
    let digits = base.replacen('.', "", 1);
    let mut d = digits.as_str();
    if let Some(rest) = d.strip_prefix('-').filter(|r| !r.starts_with('+')) {
        d = rest;
    }
    if let Some(rest) = d.strip_prefix('+').filter(|r| !r.starts_with('+')) {
        d = rest;
    }
    if d.is_empty() {
        return Some(EMPTY);
    }
    if d.starts_with('_') || !d.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
        return Some(INVALID);
    }
    None
}

/// The closest candidate by edit distance, when it is close enough to be a likely typo. Ties go
/// to the earliest candidate, so the same input always gets the same suggestion.
pub(crate) fn suggest<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (levenshtein(&lower, &c.to_ascii_lowercase()), *c))
        .filter(|(d, c)| {
            *d <= (c.len().max(word.len()) / 3).max(1) && *d > 0 || (*d == 0 && *c != word)
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
