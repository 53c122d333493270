//! Reading attributes and their arguments: names (`map:`, `name:`), the field lists of keys and
//! indexes with their per-field arguments, `@@schema`. What an argument means for the schema is
//! checked by the rules; here it is read, and what cannot be read is reported.

use crate::ast::{Attribute, Block, Expr, ExprKind, Field};
use crate::diagnostic::Code;
use crate::model::{IndexField, ScalarField, ScalarType, SortOrder};
use crate::source::Span;
use crate::validate::common::{number_u32, suggest};
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
    // A handful of attributes per field: a list beats a hash map here.
    let mut seen: Vec<(&str, Span)> = Vec::new();
    let ds_name = db.config.ds_name.as_str();
    for a in attrs {
        let repeatable = block && matches!(a.name.name.as_str(), "unique" | "index" | "fulltext");
        let native = a
            .name
            .name
            .strip_prefix(ds_name)
            .is_some_and(|rest| rest.starts_with('.'));
        let key = if native { "db.*" } else { a.name.name.as_str() };
        if repeatable {
            continue;
        }
        let prev = seen.iter().find(|(k, _)| *k == key).map(|(_, s)| *s);
        seen.push((key, a.span));
        if let Some(prev) = prev {
            let msg = format!("Attribute \"@{}\" can only be defined once.", a.name.name);
            sink.err(Code::DuplicateAttribute, msg, a.span)
                .notes
                .push((prev, "first defined here".into()));
        }
    }
}

/// The one string argument of `@map`/`@@map` (`name:` or positional).
pub(super) fn string_arg(a: &Attribute, sink: &mut Sink) -> Option<String> {
    match a.arg("name", Some(0)).map(|x| &x.value) {
        Some(v) => match v.as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                let msg = format!("Expected a string value, but received {}.", v.describe());
                sink.attr_err(Code::ArgumentType, a, msg);
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
            let msg = format!("The `{name}` argument must be a string.");
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

/// `sort: Asc | Desc`.
pub(super) fn sort_order(e: &Expr, sink: &mut Sink) -> Option<SortOrder> {
    match e.as_const() {
        Some("Asc") => Some(SortOrder::Asc),
        Some("Desc") => Some(SortOrder::Desc),
        _ => {
            sink.err(
                Code::ArgumentType,
                "`sort` must be `Asc` or `Desc`.",
                e.span,
            );
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
    for arg in &a.args {
        let name = arg.name.as_ref().map(|n| n.name.as_str());
        match name {
            Some("sort") => out.sort = sort_order(&arg.value, sink),
            Some("length") => out.length = number_u32(&arg.value),
            Some("map") => out.map = arg.value.as_str().map(str::to_string),
            Some("clustered") => out.clustered = arg.value.as_const().map(|c| c == "true"),
            Some(other) => {
                let msg = format!("No such argument: `{other}`.");
                sink.attr_err(Code::ArgumentUnknown, a, msg).hint =
                    Some("this attribute takes `map`, `sort`, `length` and `clustered`".into());
            }
            None => {
                sink.attr_err(Code::ArgumentUnknown, a, "This attribute takes named arguments only (`map:`, `sort:`, `length:`, `clustered:`).");
            }
        }
    }
    out
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
        for x in args {
            match x.name.as_ref().map(|n| n.name.as_str()) {
                Some("sort") => sort = sort_order(&x.value, sink),
                Some("length") => length = number_u32(&x.value),
                Some("ops") => {}
                _ => {
                    sink.err(
                        Code::ArgumentUnknown,
                        "Unknown argument: a field in an index takes `sort:`, `length:` or `ops:`.",
                        x.span,
                    );
                }
            }
        }
        out.push(IndexField {
            name: f.name.clone(),
            db_name: f.db_name.clone(),
            sort,
            length,
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
        let (code, msg) = if relation {
            (
                Code::IndexRelationField,
                format!(
                    "Error validating model \"{}\": {what} refers to the relation fields {}. Index definitions must reference only scalar fields.",
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
                let msg = format!("Expected a string value, but received {}.", v.describe());
                sink.attr_err(Code::ArgumentType, a, msg);
                None
            }
        },
        None => {
            sink.attr_err(Code::ArgumentMissing, a, "Argument \"map\" is missing.")
                .hint = Some("write `@@schema(\"name\")`".into());
            None
        }
    }
}
