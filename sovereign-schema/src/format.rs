//! The formatter: renders a syntax tree exactly as `prisma format` does (column alignment within
//! groups separated by blank lines, Prisma's attribute order, one blank line between blocks,
//! comments kept), and adds missing back-relation fields like `prisma format`.

use crate::ast::*;
use crate::source::Span;
use std::collections::{HashMap, HashSet};

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
                    cols.push(render_type(ty));
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

fn render_type(ty: &FieldType) -> String {
    let mut s = match &ty.unsupported {
        Some(arg) => format!("Unsupported({})", render_expr(arg)),
        None => ty.name.name.clone(),
    };
    match ty.arity {
        Arity::Required => {}
        Arity::Optional => s.push('?'),
        Arity::List => s.push_str("[]"),
    }
    s
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

fn render_args(args: &[Arg]) -> String {
    args.iter()
        .map(|a| match &a.name {
            Some(n) => format!("{}: {}", n.name, render_expr(&a.value)),
            None => render_expr(&a.value),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Renders an expression in Prisma's canonical spacing.
pub fn render_expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Str { raw, .. } => raw.clone(),
        ExprKind::Number(n) => n.clone(),
        ExprKind::Const(c) => c.clone(),
        ExprKind::Array(items) => format!(
            "[{}]",
            items.iter().map(render_expr).collect::<Vec<_>>().join(", ")
        ),
        ExprKind::Call { name, args } => format!("{name}({})", render_args(args)),
    }
}

/// A back-relation field that [`add_missing_back_relations`] added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedField {
    /// The model that received the field.
    pub model: String,
    /// The new field's name and type as rendered (`posts Post[]`).
    pub field: String,
    /// The model (and field) that points at it.
    pub from_model: String,
    pub from_field: String,
    /// The file holding the model the relation comes from.
    pub from_file: crate::source::FileId,
}

/// The field name Prisma gives an added relation field (`XMLHttpRequest` -> `xmlhttpRequest`,
/// `user_role` -> `userRole`, `SNAKE_CASE_X` -> `snakeCaseX`, `X1Y` -> `x1Y`): a snake-case name
/// without lower-case letters is lower-cased; it is split at `_`; the first part loses its
/// leading run of capitals, the others get a capital first letter.
fn camel_case(name: &str) -> String {
    let lowered;
    let name = if name.chars().any(char::is_lowercase) || !name.contains('_') {
        name
    } else {
        lowered = name.to_lowercase();
        &lowered
    };
    let mut out = String::with_capacity(name.len());
    for part in name.split('_').filter(|p| !p.is_empty()) {
        if out.is_empty() {
            let mut leading = true;
            for c in part.chars() {
                if leading && c.is_uppercase() {
                    out.extend(c.to_lowercase());
                } else {
                    leading = false;
                    out.push(c);
                }
            }
        } else {
            let mut cs = part.chars();
            if let Some(f) = cs.next() {
                out.extend(f.to_uppercase());
                out.push_str(cs.as_str());
            }
        }
    }
    out
}

/// English plural with Rails-style inflection rules (case-sensitive, irregulars such as `people`,
/// `mice`, `data`, `sheep`): `cruet` matches every plural recorded from `prisma format`, where
/// `pluralizer` (case-insensitive: `x1Y` -> `x1ies`) and `Inflector` 0.11 (`personople`) do not.
fn plural(word: &str) -> String {
    cruet::string::pluralize::to_plural(word)
}

/// `BlogPost` -> `blogPost`, as Prisma names the foreign key it adds.
fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

fn relation_name(f: &Field) -> Option<&str> {
    f.attribute("relation")
        .and_then(|a| a.arg("name", Some(0)))
        .and_then(|a| a.value.as_str())
}

fn names_in(e: Option<&Expr>) -> Vec<String> {
    e.map(Expr::as_list)
        .unwrap_or_default()
        .iter()
        .filter_map(|x| match &x.kind {
            ExprKind::Const(c) => Some(c.clone()),
            ExprKind::Call { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect()
}

/// Whether `fields` are exactly a unique criterion (`@id`, `@unique`, `@@id`, `@@unique`) of `b`.
fn is_unique(b: &Block, fields: &[String]) -> bool {
    if fields.len() == 1
        && b.fields().any(|g| {
            g.name.name == fields[0]
                && (g.attribute("unique").is_some() || g.attribute("id").is_some())
        })
    {
        return true;
    }
    b.attributes().any(|a| {
        if !matches!(a.name.name.as_str(), "unique" | "id") {
            return false;
        }
        let names: HashSet<String> = names_in(a.arg("fields", Some(0)).map(|x| &x.value))
            .into_iter()
            .collect();
        names.len() == fields.len() && fields.iter().all(|f| names.contains(f))
    })
}

fn synthetic_attribute(name: &str, args: Vec<Arg>, span: Span) -> Attribute {
    Attribute {
        name: Ident {
            name: name.into(),
            span,
        },
        args,
        parens: true,
        block: false,
        span,
    }
}

/// An unnamed string argument: `"name"`.
fn string_arg(value: &str, span: Span) -> Arg {
    Arg {
        name: None,
        value: expr(
            ExprKind::Str {
                value: value.to_string(),
                raw: quote(value),
            },
            span,
        ),
        span,
    }
}

fn expr(kind: ExprKind, span: Span) -> Expr {
    Expr { kind, span }
}

fn synthetic_field(
    name: &str,
    ty: &str,
    arity: Arity,
    attributes: Vec<Attribute>,
    span: Span,
) -> Field {
    Field {
        name: Ident {
            name: name.into(),
            span,
        },
        ty: Some(FieldType {
            name: Ident {
                name: ty.into(),
                span,
            },
            arity,
            unsupported: None,
            span,
        }),
        attributes,
        docs: Vec::new(),
        trailing: None,
        span,
    }
}

/// Adds the opposite side of every relation that has only one side, as `prisma format` does:
///
/// - for a field holding the foreign key (`author User @relation(fields: [authorId], ...)`), a
///   field in the referenced model named after the other model in camel case, `blogPosts
///   BlogPost[]` (or `blogPost BlogPost?` when the foreign key is unique);
/// - for a list without an opposite (`posts Post[]`), a relation field with its foreign key in
///   the other model: `user User? @relation(fields: [userId], references: [id])` and
///   `userId Int?` (with the id's native type).
///
/// Where Prisma would produce an invalid schema (named and self relations, where it drops the
/// relation name), the added field carries the relation's name. Works across files: a relation
/// from a plugin's model to a core model adds the field to the core model. `comment` may return
/// a comment line to put above each added field.
pub fn add_missing_back_relations(
    files: &mut [SchemaAst],
    comment: &dyn Fn(&AddedField) -> Option<String>,
) -> Vec<AddedField> {
    let mut models: HashMap<String, (usize, usize)> = HashMap::new();
    for (fi, f) in files.iter().enumerate() {
        for (ii, item) in f.items.iter().enumerate() {
            if let Item::Block(b) = item {
                if matches!(b.kind, BlockKind::Model | BlockKind::View) {
                    models.entry(b.name.name.clone()).or_insert((fi, ii));
                }
            }
        }
    }
    complete_relation_attributes(files, &models);
    fn get(files: &[SchemaAst], (fi, ii): (usize, usize)) -> Option<&Block> {
        match &files[fi].items[ii] {
            Item::Block(b) => Some(b),
            _ => None,
        }
    }
    // (target model, description, fields to add)
    let mut additions: Vec<(String, AddedField, Vec<Field>)> = Vec::new();
    let mut order: Vec<&String> = models.keys().collect();
    order.sort_by_key(|n| models[*n]);
    for name in order {
        let Some(b) = get(files, models[name]) else {
            continue;
        };
        for f in b.fields() {
            let Some(ty) = &f.ty else { continue };
            let target_name = &ty.name.name;
            let Some(&loc) = models.get(target_name) else {
                continue;
            };
            let Some(target) = get(files, loc) else {
                continue;
            };
            let rel = f.attribute("relation");
            let rel_name = relation_name(f);
            let fk = names_in(rel.and_then(|a| a.arg("fields", None)).map(|x| &x.value));
            let self_relation = target_name == name;
            // Two unnamed (or same-named) relations to one model are ambiguous: adding back
            // fields would only hide that; validation reports it on the user's fields.
            let ambiguous = !self_relation
                && b.fields().any(|g| {
                    g.name.name != f.name.name
                        && g.ty.as_ref().is_some_and(|t| &t.name.name == target_name)
                        && relation_name(g) == rel_name
                });
            if ambiguous {
                continue;
            }
            let has_opposite = target.fields().any(|g| {
                g.ty.as_ref().is_some_and(|t| &t.name.name == name)
                    && !(self_relation && g.name.name == f.name.name)
                    && relation_name(g) == rel_name
            }) || additions.iter().any(|(m, a, _)| {
                (m == target_name && a.from_model == *name && a.from_field == f.name.name)
                    || (m == name && a.from_model == *target_name)
            });
            if has_opposite {
                continue;
            }
            let span = Span::new(files[loc.0].file, target.span.end, target.span.end);
            let taken = |n: &str| {
                target.fields().any(|g| g.name.name == n)
                    || additions
                        .iter()
                        .any(|(m, _, fs)| m == target_name && fs.iter().any(|x| x.name.name == n))
            };
            let name_attr = || {
                rel_name.map(|n| synthetic_attribute("relation", vec![string_arg(n, span)], span))
            };
            let new_fields = if ty.arity != Arity::List && !fk.is_empty() {
                let unique = is_unique(b, &fk);
                let arity = if unique { Arity::Optional } else { Arity::List };
                let mut field_name = camel_case(name);
                if arity == Arity::List {
                    field_name = plural(&field_name);
                }
                if taken(&field_name) {
                    field_name = format!("{field_name}_{}", f.name.name);
                }
                vec![synthetic_field(
                    &field_name,
                    name,
                    arity,
                    name_attr().into_iter().collect(),
                    span,
                )]
            } else if ty.arity == Arity::List && rel.is_none_or(|a| a.arg("fields", None).is_none())
            {
                // A list without its other side: the other model gets the foreign key.
                let field_name = camel_case(name);
                if taken(&field_name) || self_relation {
                    continue;
                }
                let Some((fks, refs, mut scalars)) = foreign_key_fields(b, Arity::Optional, span)
                else {
                    continue;
                };
                scalars.retain(|f| !taken(&f.name.name));
                let relation = synthetic_field(
                    &field_name,
                    name,
                    Arity::Optional,
                    vec![synthetic_attribute(
                        "relation",
                        relation_args(rel_name, &fks, &refs, span),
                        span,
                    )],
                    span,
                );
                let mut out = vec![relation];
                out.extend(scalars);
                out
            } else {
                continue;
            };
            let rendered = format!(
                "{} {}",
                new_fields[0].name.name,
                render_type(
                    new_fields[0]
                        .ty
                        .as_ref()
                        .expect("synthetic fields have types")
                )
            );
            additions.push((
                target_name.clone(),
                AddedField {
                    model: target_name.clone(),
                    field: rendered,
                    from_model: name.clone(),
                    from_field: f.name.name.clone(),
                    from_file: files[models[name].0].file,
                },
                new_fields,
            ));
        }
    }
    let mut out = Vec::new();
    for (target, added, fields) in additions {
        let (fi, ii) = models[&target];
        if let Item::Block(b) = &mut files[fi].items[ii] {
            // At the end of the fields: after the last field or comment that stays among the
            // fields (not one that moves with the block attribute below it).
            let attached = attached_to_attribute(&b.members);
            let pos = b
                .members
                .iter()
                .enumerate()
                .rposition(|(i, m)| {
                    matches!(m, Member::Field(_))
                        || (matches!(m, Member::Comment(_)) && !attached[i])
                })
                .map_or(0, |p| p + 1);
            let mut insert = Vec::new();
            if let Some(text) = comment(&added) {
                insert.push(Member::Comment(Comment {
                    text,
                    span: fields[0].span,
                }));
            }
            insert.extend(fields.into_iter().map(Member::Field));
            b.members.splice(pos..pos, insert);
        }
        out.push(added);
    }
    out
}

/// The foreign key Prisma adds to point at `referenced`: one field per id field, named
/// `{referencedModel}{IdField}` (`pairA`, `teamId`), typed like the id (with its native type).
/// Returns the foreign key names, the referenced names and the new scalar fields.
fn foreign_key_fields(
    referenced: &Block,
    arity: Arity,
    span: Span,
) -> Option<(Vec<String>, Vec<String>, Vec<Field>)> {
    let ids: Vec<String> = match referenced.fields().find(|g| g.attribute("id").is_some()) {
        Some(id) => vec![id.name.name.clone()],
        None => names_in(
            referenced
                .attribute("id")?
                .arg("fields", Some(0))
                .map(|x| &x.value),
        ),
    };
    if ids.is_empty() {
        return None;
    }
    let prefix = lower_first(&referenced.name.name);
    let mut fks = Vec::new();
    let mut scalars = Vec::new();
    for id in &ids {
        let field = referenced.fields().find(|g| &g.name.name == id)?;
        let ty = field.ty.as_ref()?;
        let mut cs = id.chars();
        let fk = match cs.next() {
            Some(c) => format!("{prefix}{}{}", c.to_uppercase(), cs.as_str()),
            None => continue,
        };
        let native: Vec<Attribute> = field
            .attributes
            .iter()
            .filter(|a| a.name.name.contains('.'))
            .cloned()
            .collect();
        scalars.push(synthetic_field(&fk, &ty.name.name, arity, native, span));
        fks.push(fk);
    }
    Some((fks, ids, scalars))
}

/// `@relation("name", fields: [...], references: [...])` arguments.
fn relation_args(
    name: Option<&str>,
    fields: &[String],
    references: &[String],
    span: Span,
) -> Vec<Arg> {
    let list = |items: &[String]| {
        expr(
            ExprKind::Array(
                items
                    .iter()
                    .map(|i| expr(ExprKind::Const(i.clone()), span))
                    .collect(),
            ),
            span,
        )
    };
    let named = |n: &str, value: Expr| Arg {
        name: Some(Ident {
            name: n.into(),
            span,
        }),
        value,
        span,
    };
    let mut args: Vec<Arg> = name.map(|n| string_arg(n, span)).into_iter().collect();
    args.push(named("fields", list(fields)));
    args.push(named("references", list(references)));
    args
}

/// The single side of a one-to-many relation that lacks `fields`/`references` gets them, with
/// new foreign key fields, as `prisma format` does (`owner Hub?` becomes `owner Hub?
/// @relation(fields: [hubCode], references: [code])` plus `hubCode String?`).
/// A relation field to complete: its name, its new `@relation` arguments, its new foreign keys.
type FieldCompletion = (String, Vec<Arg>, Vec<Field>);

fn complete_relation_attributes(files: &mut [SchemaAst], models: &HashMap<String, (usize, usize)>) {
    fn block(files: &[SchemaAst], (fi, ii): (usize, usize)) -> Option<&Block> {
        match &files[fi].items[ii] {
            Item::Block(b) => Some(b),
            _ => None,
        }
    }
    // Plan against the unchanged tree, then apply.
    let mut plans: Vec<(String, Vec<FieldCompletion>)> = Vec::new();
    let mut order: Vec<&String> = models.keys().collect();
    order.sort_by_key(|n| models[*n]);
    for name in order {
        let Some(b) = block(files, models[name]) else {
            continue;
        };
        let mut updates: Vec<FieldCompletion> = Vec::new();
        for f in b.fields() {
            let Some(ty) = &f.ty else { continue };
            if ty.arity == Arity::List || &ty.name.name == name {
                continue;
            }
            let rel = f.attribute("relation");
            if rel.is_some_and(|a| {
                a.arg("fields", None).is_some() || a.arg("references", None).is_some()
            }) {
                continue;
            }
            let Some(target) = models.get(&ty.name.name).and_then(|&l| block(files, l)) else {
                continue;
            };
            let rel_name = relation_name(f);
            let opposite_list = target.fields().any(|g| {
                g.ty.as_ref()
                    .is_some_and(|t| &t.name.name == name && t.arity == Arity::List)
                    && relation_name(g) == rel_name
            });
            if !opposite_list {
                continue;
            }
            let arity = if ty.arity == Arity::Optional {
                Arity::Optional
            } else {
                Arity::Required
            };
            let span = Span::new(b.span.file, b.span.end, b.span.end);
            let Some((fks, refs, mut scalars)) = foreign_key_fields(target, arity, span) else {
                continue;
            };
            scalars.retain(|s| !b.fields().any(|g| g.name.name == s.name.name));
            updates.push((
                f.name.name.clone(),
                relation_args(rel_name, &fks, &refs, span),
                scalars,
            ));
        }
        if !updates.is_empty() {
            plans.push((name.clone(), updates));
        }
    }
    for (name, updates) in plans {
        let (fi, ii) = models[&name];
        if let Item::Block(b) = &mut files[fi].items[ii] {
            for (field, args, scalars) in updates {
                let Some(pos) = b
                    .members
                    .iter()
                    .position(|m| matches!(m, Member::Field(f) if f.name.name == field))
                else {
                    continue;
                };
                if let Member::Field(f) = &mut b.members[pos] {
                    let span = f.span;
                    f.attributes.retain(|a| a.name.name != "relation");
                    f.attributes
                        .push(synthetic_attribute("relation", args, span));
                }
                // The foreign key goes right after the relation field.
                b.members
                    .splice(pos + 1..pos + 1, scalars.into_iter().map(Member::Field));
            }
        }
    }
}

/// For each member: whether it is a comment that the formatter moves with the block attribute
/// right below it.
fn attached_to_attribute(members: &[Member]) -> Vec<bool> {
    let mut out = vec![false; members.len()];
    let mut next_is_attribute = false;
    for (i, m) in members.iter().enumerate().rev() {
        match m {
            Member::Attribute(_) => next_is_attribute = true,
            Member::Comment(_) => out[i] = next_is_attribute,
            _ => next_is_attribute = false,
        }
    }
    out
}

fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names recorded from `prisma format` (fixtures/ORACLE-NOTES.md).
    #[test]
    fn relation_field_names_match_prisma() {
        let camel = [
            ("UserProfile", "userProfile"),
            ("user_role", "userRole"),
            ("ABTest", "abtest"),
            ("URLs", "urls"),
            ("HTTPRequest", "httprequest"),
            ("ABTestCase", "abtestCase"),
            ("UserABTest", "userABTest"),
            ("X1Y", "x1Y"),
            ("Ab_cd", "abCd"),
            ("user_ABC", "userABC"),
            ("SNAKE_CASE_X", "snakeCaseX"),
            ("LIST_SIDE", "listSide"),
            ("Foo__Bar", "fooBar"),
            ("userProfile", "userProfile"),
            ("XMLHttpRequest", "xmlhttpRequest"),
        ];
        for (model, field) in camel {
            assert_eq!(camel_case(model), field, "{model}");
        }
        let plurals = [
            ("category", "categories"),
            ("status", "statuses"),
            ("person", "people"),
            ("child", "children"),
            ("mouse", "mice"),
            ("datum", "data"),
            ("sheep", "sheep"),
            ("quiz", "quizzes"),
            ("day", "days"),
            ("knife", "knives"),
            ("wolf", "wolves"),
            ("leaf", "leaves"),
            ("hero", "heroes"),
            ("news", "news"),
            ("analysis", "analyses"),
            ("matrix", "matrices"),
            ("box", "boxes"),
            ("series", "series"),
            ("urls", "urls"),
            ("abtest", "abtests"),
            ("userABTest", "userABTests"),
            ("x1Y", "x1Ys"),
            ("snakeCaseX", "snakeCaseXs"),
            ("ox", "oxen"),
            ("cactus", "cacti"),
            ("index", "indices"),
            ("tooth", "teeth"),
            ("axis", "axes"),
            ("octopus", "octopi"),
            ("goose", "geese"),
            ("xmlhttpRequest", "xmlhttpRequests"),
        ];
        let wrong: Vec<String> = plurals
            .iter()
            .filter(|(w, p)| plural(w) != *p)
            .map(|(w, p)| format!("{w}: expected {p}, got {}", plural(w)))
            .collect();
        assert!(wrong.is_empty(), "{wrong:#?}");
    }
}
