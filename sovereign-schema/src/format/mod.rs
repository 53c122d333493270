//! The formatter: renders a syntax tree exactly as `prisma format` does (column alignment within
//! groups separated by blank lines, Prisma's attribute order, one blank line between blocks,
//! comments kept), and adds missing relation fields like `prisma format` (in `relations`,
//! which reads the resolved relations).

mod relations;

pub(crate) use relations::add_and_validate;
pub use relations::{add_missing_back_relations, AddedField};

use crate::ast::*;

/// Order of field attributes in Prisma's formatter; others keep their place after these.
const FIELD_ORDER: &[&str] = &[
    "id",
    "unique",
    "default",
    "updatedAt",
    "map",
    "relation",
    "ignore",
];
/// Order of block attributes in Prisma's formatter.
/// `@@schema` and unknown attributes keep their relative order after these.
const BLOCK_ORDER: &[&str] = &["id", "unique", "index", "fulltext", "map", "ignore"];

fn rank(order: &[&str], name: &str) -> usize {
    // Native types (`db.*`) and unknown attributes share the last rank: the sort is stable.
    order.iter().position(|n| *n == name).unwrap_or(order.len())
}

/// Renders a parsed file. The tree should be free of syntax errors (the formatter renders what
/// was understood; a line the parser skipped would be lost).
pub fn render(ast: &SchemaAst) -> String {
    let mut out = render_items(ast);
    // Like `prisma format`, an empty schema is one empty line.
    if out.is_empty() {
        out.push('\n');
    }
    out
}

fn render_items(ast: &SchemaAst) -> String {
    let mut out = String::new();
    let mut pending_blank = false;
    let mut after_block = false;
    for item in &ast.items {
        match item {
            Item::BlankLine => pending_blank = !out.is_empty(),
            Item::Comment(c) => {
                if after_block || pending_blank {
                    out.push('\n');
                }
                out.push_str(&c.text);
                out.push('\n');
                pending_blank = false;
                after_block = false;
            }
            Item::Block(b) => {
                if after_block || pending_blank {
                    out.push('\n');
                }
                render_block(&mut out, b);
                pending_blank = false;
                // A comment after `}` ends the block's output; what follows is not separated.
                after_block = b.closing_comment.is_none();
            }
        }
    }
    out
}

fn render_block(out: &mut String, b: &Block) {
    for d in &b.docs {
        out.push_str(&d.text);
        out.push('\n');
    }
    out.push_str(b.kind.keyword());
    out.push(' ');
    out.push_str(&b.name.name);
    out.push_str(" {\n");

    // Fields, properties and comments in their order; block attributes gathered at the end.
    let mut rows: Vec<Row> = Vec::new();
    // Block attributes, each with the comment lines written right above it (Prisma moves them
    // together to the end of the block).
    let mut attrs: Vec<(Vec<String>, &BlockAttribute)> = Vec::new();
    // Rows before this index were written before the previous block attribute: they never move.
    let mut floor = 0;
    for m in &b.members {
        match m {
            Member::Field(f) => {
                for d in &f.docs {
                    rows.push(Row::Line(d.text.clone()));
                }
                let mut cols = vec![f.name.name.clone()];
                if let Some(ty) = &f.ty {
                    cols.push(ty.render());
                }
                let mut sorted: Vec<&Attribute> = f.attributes.iter().collect();
                sorted.sort_by_key(|a| rank(FIELD_ORDER, &a.name.name));
                let attrs: Vec<String> = sorted.iter().map(|a| render_attribute(a)).collect();
                if !attrs.is_empty() {
                    cols.push(attrs.join(" "));
                }
                rows.push(Row::Cells {
                    cols,
                    trailing: f.trailing.as_ref().map(|c| c.text.clone()),
                    property: false,
                });
            }
            Member::Property(p) => {
                for d in &p.docs {
                    rows.push(Row::Line(d.text.clone()));
                }
                rows.push(Row::Cells {
                    cols: vec![p.name.name.clone(), render_expr(&p.value)],
                    trailing: p.trailing.as_ref().map(|c| c.text.clone()),
                    property: true,
                });
            }
            Member::Comment(c) => rows.push(Row::Line(c.text.clone())),
            Member::BlankLine => {
                if !matches!(rows.last(), None | Some(Row::Blank)) {
                    rows.push(Row::Blank);
                }
            }
            Member::Attribute(a) => {
                // A blank line right above an attribute goes with it; comments right above it
                // move with it (but not those separated from it by a blank line).
                let mut leading = Vec::new();
                let after_blank = rows.len() > floor && matches!(rows.last(), Some(Row::Blank));
                if after_blank {
                    rows.pop();
                }
                while let (false, true, Some(Row::Line(_))) =
                    (after_blank, rows.len() > floor, rows.last())
                {
                    if let Some(Row::Line(text)) = rows.pop() {
                        leading.push(text);
                    }
                }
                // A blank line above the moved comments goes too.
                if !leading.is_empty()
                    && rows.len() > floor
                    && matches!(rows.last(), Some(Row::Blank))
                {
                    rows.pop();
                }
                floor = rows.len();
                leading.reverse();
                attrs.push((leading, a));
            }
        }
    }
    while matches!(rows.last(), Some(Row::Blank)) {
        rows.pop();
    }
    render_rows(out, &rows);
    if !attrs.is_empty() {
        if !rows.is_empty() {
            out.push('\n');
        }
        attrs.sort_by_key(|(_, a)| rank(BLOCK_ORDER, &a.attribute.name.name));
        for (leading, a) in attrs {
            for text in leading {
                push_indented(out, &text);
            }
            for d in &a.docs {
                push_indented(out, &d.text);
            }
            out.push_str("  ");
            out.push_str(&render_attribute(&a.attribute));
            if let Some(c) = &a.trailing {
                out.push(' ');
                out.push_str(&c.text);
            }
            out.push('\n');
        }
    }
    out.push_str("}\n");
    if let Some(c) = &b.closing_comment {
        out.push_str(&c.text);
        out.push('\n');
    }
}

enum Row {
    Cells {
        cols: Vec<String>,
        trailing: Option<String>,
        property: bool,
    },
    /// A comment on its own line: kept in place, not part of the alignment.
    Line(String),
    Blank,
}

fn render_rows(out: &mut String, rows: &[Row]) {
    let mut start = 0;
    while start < rows.len() {
        let end = rows[start..]
            .iter()
            .position(|r| matches!(r, Row::Blank))
            .map_or(rows.len(), |p| start + p);
        let group = &rows[start..end];
        let mut widths: Vec<usize> = Vec::new();
        for r in group {
            if let Row::Cells { cols, .. } = r {
                // Prisma pads by bytes, not characters (`日本` counts 6).
                for (i, c) in cols.iter().enumerate() {
                    let w = c.len();
                    if widths.len() <= i {
                        widths.push(w);
                    } else {
                        widths[i] = widths[i].max(w);
                    }
                }
            }
        }
        for r in group {
            match r {
                Row::Cells {
                    cols,
                    trailing,
                    property,
                } => {
                    out.push_str("  ");
                    let mut line = String::new();
                    for (i, c) in cols.iter().enumerate() {
                        line.push_str(c);
                        if i + 1 < cols.len() {
                            let pad = widths[i] - c.len();
                            line.extend(std::iter::repeat_n(' ', pad));
                            line.push_str(if *property { " = " } else { " " });
                        }
                    }
                    // Padding never trails; a trailing comment is kept byte for byte.
                    let mut line = line.trim_end().to_string();
                    if let Some(t) = trailing {
                        line.push(' ');
                        line.push_str(t);
                    }
                    out.push_str(&line);
                    out.push('\n');
                }
                Row::Line(text) => push_indented(out, text),
                Row::Blank => {}
            }
        }
        if end < rows.len() {
            out.push('\n');
        }
        start = end + 1;
    }
}

/// A comment on its own line(s) inside a block: each line indented (a block comment has
/// several).
fn push_indented(out: &mut String, text: &str) {
    for line in text.split('\n') {
        out.push_str("  ");
        out.push_str(line);
        out.push('\n');
    }
}

fn render_attribute(a: &Attribute) -> String {
    let mut s = String::from(if a.block { "@@" } else { "@" });
    s.push_str(&a.name.name);
    if a.parens {
        s.push('(');
        s.push_str(&render_args(&a.args));
        s.push(')');
    }
    s
}

/// Renders an expression in Prisma's canonical spacing (see [`Expr::render`]).
pub fn render_expr(e: &Expr) -> String {
    e.render()
}
