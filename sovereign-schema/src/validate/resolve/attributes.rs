//! Reading attributes and their arguments: names (`map:`, `name:`), the field lists of keys and
//! indexes with their per-field arguments, `@@schema`. What an argument means for the schema is
//! checked by the rules; here it is read, and what cannot be read is reported.

use crate::ast::{Attribute, Block, Expr, ExprKind, Field};
use crate::diagnostic::Code;
use crate::model::{
    IndexField, OperatorClass, ScalarField, ScalarType, SortOrder, OPERATOR_CLASSES,
};
use crate::validate::common::{number_u32, received, suggest, BLOCK_ATTRS, FIELD_ATTRS};
use crate::validate::db::{Db, RelationFieldEntry};
use crate::validate::sink::Sink;

/// Reports attributes given twice (`@@unique`, `@@index` and `@@fulltext` may repeat; native
/// types count as one attribute).
pub(super) fn duplicates<'x>(
    db: &Db,
    attrs: impl IntoIterator<Item = &'x Attribute>,
    block: bool,
    sink: &mut Sink,
) {
    // A handful of attributes per field: a list beats a hash map here. Prisma reports every
    // occurrence of an attribute given twice, the first one too.
    let mut seen: Vec<(&str, &Attribute)> = Vec::new();
    let ds_name = db.config.ds_name.as_str();
    for a in attrs {
        let repeatable = block && matches!(a.name.name.as_str(), "unique" | "index" | "fulltext");
        let native = a
            .name
            .name
            .strip_prefix(ds_name)
            .is_some_and(|rest| rest.starts_with('.'));
        let key = if native { "db.*" } else { a.name.name.as_str() };
        // An unknown attribute is reported as such, not as repeated.
        let known = native
            || if block {
                BLOCK_ATTRS.contains(&key)
            } else {
                FIELD_ATTRS.contains(&key)
            };
        if !repeatable && known {
            seen.push((key, a));
        }
    }
    if seen.len() < 2 {
        return;
    }
    // Sorted by name (stably), attributes of one name stand together, in order.
    seen.sort_by_key(|(k, _)| *k);
    for group in seen.chunk_by(|x, y| x.0 == y.0).filter(|g| g.len() > 1) {
        for (i, (_, a)) in group.iter().enumerate() {
            let msg = format!("Attribute \"@{}\" can only be defined once.", a.name.name);
            let d = sink.err(Code::DuplicateAttribute, msg, a.span);
            if i > 0 {
                d.notes.push((group[0].1.span, "first defined here".into()));
            }
        }
    }
}

/// The arguments an attribute takes: the name its unnamed argument stands for, and every name.
fn argument_names(
    name: &str,
    block: bool,
) -> Option<(Option<&'static str>, &'static [&'static str])> {
    Some(match (name, block) {
        ("id" | "unique", false) => (None, &["map", "sort", "length", "clustered"]),
        ("default", false) => (Some("value"), &["value", "map"]),
        ("map", _) => (Some("name"), &["name"]),
        ("relation", false) => (
            Some("name"),
            &[
                "name",
                "fields",
                "references",
                "map",
                "onDelete",
                "onUpdate",
            ],
        ),
        ("updatedAt" | "ignore" | "shardKey", false) | ("ignore", true) => (None, &[]),
        ("id" | "unique", true) => (Some("fields"), &["fields", "name", "map", "clustered"]),
        ("index", true) => (
            Some("fields"),
            &["fields", "name", "map", "type", "clustered"],
        ),
        ("fulltext", true) => (Some("fields"), &["fields", "map"]),
        ("schema", true) => (Some("map"), &["map"]),
        ("shardKey", true) => (Some("fields"), &["fields"]),
        _ => return None,
    })
}

/// Checks the arguments of a known attribute as Prisma reads them: one unnamed argument at most
/// (where the attribute has one), no argument it does not know, none given twice. `false` when
/// the attribute has several unnamed arguments: Prisma then reads nothing more of it.
pub(super) fn arguments(a: &Attribute, sink: &mut Sink) -> bool {
    let Some((positional, names)) = argument_names(&a.name.name, a.block) else {
        return true;
    };
    if positional.is_some() && a.args.iter().filter(|x| x.name.is_none()).count() > 1 {
        let list = a
            .args
            .iter()
            .filter(|x| x.name.is_none())
            .map(|x| x.value.render())
            .collect::<Vec<_>>()
            .join(", ");
        let msg = format!(
            "Error parsing attribute \"@{}\": You provided multiple unnamed arguments. This is not possible. Did you forget the brackets? Did you mean `[{list}]`?",
            a.name.name
        );
        sink.err(Code::ArgumentUnknown, msg, a.span);
        return false;
    }
    // The arguments seen, by their index in `names` (a handful at most).
    let mut seen = 0u32;
    for x in &a.args {
        let name = match (&x.name, positional) {
            (Some(n), _) => n.name.as_str(),
            (None, Some(p)) => p,
            (None, None) => {
                sink.err(Code::ArgumentUnknown, "No such argument.", x.span)
                    .hint = Some(argument_hint(names));
                continue;
            }
        };
        let Some(i) = names.iter().position(|n| *n == name) else {
            sink.err(Code::ArgumentUnknown, "No such argument.", x.span)
                .hint = Some(argument_hint(names));
            continue;
        };
        if seen & (1 << i) != 0 {
            if x.name.is_some() {
                let msg = format!("Argument \"{name}\" is already specified.");
                sink.err(Code::ArgumentUnknown, msg, x.span);
            }
        } else {
            seen |= 1 << i;
        }
    }
    true
}

fn argument_hint(names: &[&str]) -> String {
    if names.is_empty() {
        "this attribute takes no arguments".into()
    } else {
        format!(
            "this attribute takes {}",
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// The one string argument of `@map`/`@@map` (`name:` or positional).
pub(super) fn string_arg(a: &Attribute, sink: &mut Sink) -> Option<String> {
    match a.arg("name", Some(0)).map(|x| &x.value) {
        Some(v) => match v.as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                let msg = format!("Expected a string value, but received {}.", received(v));
                sink.err(Code::ArgumentType, msg, v.span);
                None
            }
        },
        None => {
            sink.attr_err(
                Code::ArgumentMissing,
                a,
                "Expected one string argument, e.g. (\"name\").",
            );
            None
        }
    }
}

/// A named string argument, when given.
pub(super) fn opt_string_named(a: &Attribute, name: &str, sink: &mut Sink) -> Option<String> {
    let arg = a.arg(name, None)?;
    match arg.value.as_str() {
        Some(s) => Some(s.to_string()),
        None => {
            let msg = format!(
                "Expected a string value, but received {}.",
                received(&arg.value)
            );
            sink.err(Code::ArgumentType, msg, arg.value.span);
            None
        }
    }
}

/// A string argument that may not be empty (`map:`, and `name:` of indexes), as Prisma checks
/// them: `Error parsing attribute "@index": The `map` argument cannot be an empty string.`
pub(super) fn non_empty_string_named(a: &Attribute, name: &str, sink: &mut Sink) -> Option<String> {
    let s = opt_string_named(a, name, sink)?;
    if s.is_empty() {
        let msg = format!(
            "Error parsing attribute \"@{}\": The `{name}` argument cannot be an empty string.",
            a.name.name
        );
        let span = a.arg(name, None).map_or(a.span, |x| x.span);
        sink.err(Code::ArgumentEmpty, msg, span);
        return None;
    }
    Some(s)
}

/// The database name given with `map:`.
pub(super) fn mapped_name(a: &Attribute, sink: &mut Sink) -> Option<String> {
    non_empty_string_named(a, "map", sink)
}

/// The client name of `@@id` / `@@unique` (`name:`): it becomes part of the client's API, so
/// Prisma allows only `_a-zA-Z0-9`.
pub(super) fn client_name(a: &Attribute, b: &Block, sink: &mut Sink) -> Option<String> {
    let name = non_empty_string_named(a, "name", sink)?;
    if !name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric()) {
        let msg = format!(
            "Error validating model \"{}\": The `name` property within the `@@{}` attribute only allows for the following characters: `_a-zA-Z0-9`.",
            b.name.name, a.name.name
        );
        sink.err(Code::ClientNameInvalid, msg, a.span).hint = Some(format!(
            "for example `name: \"{}\"`",
            name.chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect::<String>()
        ));
        return None;
    }
    Some(name)
}

/// `sort: Asc | Desc`, read on attribute `a`.
pub(super) fn sort_order(a: &Attribute, e: &Expr, sink: &mut Sink) -> Option<SortOrder> {
    match &e.kind {
        ExprKind::Const(c) if c == "Asc" => Some(SortOrder::Asc),
        ExprKind::Const(c) if c == "Desc" => Some(SortOrder::Desc),
        ExprKind::Const(c) => {
            let msg = format!(
                "Error parsing attribute \"@{}\": The `sort` argument can only be `Asc` or `Desc` you provided: {c}.",
                a.name.name
            );
            sink.err(Code::ArgumentType, msg, e.span);
            None
        }
        _ => {
            let msg = format!("Expected a constant value, but received {}.", received(e));
            sink.err(Code::ArgumentType, msg, e.span).hint =
                Some("write `sort: Desc` (no quotes)".into());
            None
        }
    }
}

/// `length: 10`, a prefix length.
pub(super) fn prefix_length(e: &Expr, sink: &mut Sink) -> Option<u32> {
    if let Some(n) = number_u32(e) {
        return Some(n);
    }
    // Prisma reads a negative integer without complaint, and ignores it.
    if let ExprKind::Number(n) = &e.kind {
        if n.parse::<i64>().is_ok() {
            return None;
        }
    }
    let msg = format!("Expected a numeric value, but received {}.", received(e));
    sink.err(Code::ArgumentType, msg, e.span);
    None
}

/// `clustered: true | false`.
pub(super) fn boolean(e: &Expr, sink: &mut Sink) -> Option<bool> {
    match e.as_const() {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => {
            let msg = format!("Expected a boolean value, but received {}.", received(e));
            sink.err(Code::ArgumentType, msg, e.span);
            None
        }
    }
}

/// The arguments of `@id`/`@unique` on a field.
pub(super) struct FieldIndexArgs {
    pub sort: Option<SortOrder>,
    pub length: Option<u32>,
    pub map: Option<String>,
    pub clustered: Option<bool>,
}

/// `sort:`, `length:`, `map:`, `clustered:` on `@id`/`@unique`.
pub(super) fn field_index_args(a: &Attribute, sink: &mut Sink) -> FieldIndexArgs {
    let mut out = FieldIndexArgs {
        sort: None,
        length: None,
        map: None,
        clustered: None,
    };
    // Unknown and repeated arguments are reported by `arguments`.
    for arg in &a.args {
        match arg.name.as_ref().map(|n| n.name.as_str()) {
            Some("sort") => out.sort = sort_order(a, &arg.value, sink),
            Some("length") => out.length = prefix_length(&arg.value, sink),
            Some("map") => out.map = arg.value.as_str().map(str::to_string),
            Some("clustered") => out.clustered = boolean(&arg.value, sink),
            _ => {}
        }
    }
    out
}

/// `ops: JsonbOps` or `ops: raw("...")`: a PostgreSQL operator class.
fn operator_class(e: &Expr, sink: &mut Sink) -> Option<OperatorClass> {
    match &e.kind {
        ExprKind::Const(c) => match OPERATOR_CLASSES.iter().find(|o| *o == c) {
            Some(o) => Some(OperatorClass::Named((*o).to_string())),
            None => {
                let msg = format!("Unexpected token. Expected one of: Invalid operator class: {c}");
                sink.err(Code::ArgumentType, msg, e.span).hint =
                    suggest(c, OPERATOR_CLASSES).map(|s| format!("did you mean `{s}`?"));
                None
            }
        },
        ExprKind::Call { name, args } if name == "raw" => {
            match args.first().and_then(|x| x.value.as_str()) {
                Some(s) if args.len() == 1 => Some(OperatorClass::Raw(s.to_string())),
                _ => {
                    sink.err(
                        Code::ArgumentType,
                        "`raw()` takes one string, the operator class as the database names it.",
                        e.span,
                    );
                    None
                }
            }
        }
        _ => {
            let msg = format!(
                "Expected a constant or function value, but received {}.",
                received(e)
            );
            sink.err(Code::ArgumentType, msg, e.span);
            None
        }
    }
}

/// The members of the model being read, for the field lists of its block attributes.
pub(super) struct Members<'m, 'a> {
    pub fields: &'m [ScalarField],
    pub relation_fields: &'m [RelationFieldEntry<'a>],
    pub unresolved: &'m [&'a Field],
}

/// The `fields` list of `@@id`/`@@unique`/`@@index`/`@@fulltext` (first positional or
/// `fields:`). `None` when it does not read, or names a field whose type did not resolve (that
/// field's error is enough).
pub(super) fn field_list(
    a: &Attribute,
    members: &Members,
    b: &Block,
    sink: &mut Sink,
) -> Option<Vec<IndexField>> {
    let fields = members.fields;
    let Some(arg) = a.arg("fields", Some(0)) else {
        sink.attr_err(Code::ArgumentMissing, a, "Argument \"fields\" is missing.")
            .hint = Some(format!("write `@@{}([fieldA, fieldB])`", a.name.name));
        return None;
    };
    // A single field may be written without brackets: `@@index(userId)`.
    let items = arg.value.as_list();
    if !matches!(
        arg.value.kind,
        ExprKind::Array(_) | ExprKind::Const(_) | ExprKind::Call { .. }
    ) {
        sink.attr_err(
            Code::ArgumentType,
            a,
            "The `fields` argument must be a list of field names, e.g. [a, b].",
        );
        return None;
    }
    if items.is_empty() {
        sink.attr_err(
            Code::ArgumentEmpty,
            a,
            "The list of fields must not be empty.",
        );
        return None;
    }
    let mut out = Vec::new();
    let mut missing = Vec::new();
    let mut unresolved = false;
    for item in items {
        let (name, args) = match &item.kind {
            ExprKind::Const(n) => (n.as_str(), &[][..]),
            ExprKind::Call { name, args } => (name.as_str(), args.as_slice()),
            _ => {
                sink.err(Code::ArgumentType, "Expected a field name here.", item.span);
                return None;
            }
        };
        if let Some((head, _)) = name.split_once('.') {
            // A path into a composite type (MongoDB): the first segment must be one.
            if fields
                .iter()
                .any(|f| f.name == head && matches!(f.ty, ScalarType::Composite(_)))
            {
                out.push(IndexField {
                    name: name.to_string(),
                    db_name: name.to_string(),
                    sort: None,
                    length: None,
                    ops: None,
                });
                continue;
            }
        }
        let Some(f) = fields.iter().find(|f| f.name == name) else {
            if members.unresolved.iter().any(|f| f.name.name == name) {
                unresolved = true;
                continue;
            }
            let is_relation = members
                .relation_fields
                .iter()
                .any(|f| f.ast.name.name == name);
            missing.push((name.to_string(), item.span, is_relation));
            continue;
        };
        let mut sort = None;
        let mut length = None;
        let mut ops = None;
        // Prisma ignores other arguments of a field in a list.
        for x in args {
            match x.name.as_ref().map(|n| n.name.as_str()) {
                Some("sort") => sort = sort_order(a, &x.value, sink),
                Some("length") => length = prefix_length(&x.value, sink),
                Some("ops") => ops = operator_class(&x.value, sink),
                _ => {}
            }
        }
        out.push(IndexField {
            name: f.name.clone(),
            db_name: f.db_name.clone(),
            sort,
            length,
            ops,
        });
    }
    if unresolved {
        return None;
    }
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|m| m.0.as_str()).collect();
        let what = match a.name.name.as_str() {
            "id" => "The multi field id declaration",
            "unique" => "The unique index definition",
            _ => "The index definition",
        };
        let relation = missing.iter().any(|m| m.2);
        let (code, msg) = if relation && a.name.name == "id" {
            let list: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            (
                Code::IndexRelationField,
                format!(
                    "Error validating model \"{}\": The id definition refers to the relation field {}. ID definitions must reference only scalar fields.",
                    b.name.name,
                    list.join(", ")
                ),
            )
        } else if relation {
            // Prisma suggests the foreign key of the (first) relation field named.
            let fk: Option<Vec<&str>> = missing.iter().find(|m| m.2).and_then(|m| {
                let f = members
                    .relation_fields
                    .iter()
                    .find(|f| f.ast.name.name == m.0)?;
                let fields = f.fields.as_ref()?;
                Some(fields.iter().map(|(n, _)| n.as_str()).collect())
            });
            let suggestion = fk
                .map(|fk| format!(" Did you mean `@@{}([{}])`?", a.name.name, fk.join(", ")))
                .unwrap_or_default();
            (
                Code::IndexRelationField,
                format!(
                    "Error validating model \"{}\": {what} refers to the relation fields {}. Index definitions must reference only scalar fields.{suggestion}",
                    b.name.name,
                    names.join(", ")
                ),
            )
        } else if a.name.name == "id" {
            let list: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            (
                Code::IndexFieldUnknown,
                format!(
                    "Error validating model \"{}\": {what} refers to the unknown field{} {}.",
                    b.name.name,
                    if list.len() == 1 { "" } else { "s" },
                    list.join(", ")
                ),
            )
        } else {
            (
                Code::IndexFieldUnknown,
                format!(
                    "Error validating model \"{}\": {what} refers to the unknown fields: {}.",
                    b.name.name,
                    names.join(", ")
                ),
            )
        };
        sink.err(code, msg, missing[0].1).hint = suggest(
            names[0],
            &fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
        )
        .map(|s| format!("did you mean `{s}`?"));
        return None;
    }
    Some(out)
}

/// The schema `@@schema("auth")` names (its argument is named as Prisma names it: `map:`).
/// Whether the datasource lists it is a rule's business.
pub(super) fn schema_attr(a: &Attribute, sink: &mut Sink) -> Option<String> {
    match a.arg("map", Some(0)).map(|x| &x.value) {
        Some(v) => match v.as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                let msg = format!("Expected a string value, but received {}.", received(v));
                sink.err(Code::ArgumentType, msg, v.span);
                None
            }
        },
        None => {
            sink.err(
                Code::ArgumentMissing,
                "Argument \"map\" is missing.",
                a.span,
            )
            .hint = Some("write `@@schema(\"name\")`".into());
            None
        }
    }
}
