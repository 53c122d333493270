//! `@default(...)`: a function (`now()`, `uuid(7)`, `autoincrement()`, ...) or a literal of the
//! field's type. Whether the provider has the function is a rule's business.

use super::attributes::opt_string_named;
use crate::ast::{Arity, Attribute, Expr, ExprKind};
use crate::diagnostic::Code;
use crate::model::{DefaultKind, DefaultValue, Literal, ScalarType};
use crate::validate::common::{decimal_error, expected_literal, is_rfc3339, number_u32};
use crate::validate::db::Db;
use crate::validate::sink::Sink;

/// Reads a `@default` of a field of type `ty`.
pub(super) fn resolve(
    db: &Db,
    a: &Attribute,
    ty: &ScalarType,
    arity: Arity,
    sink: &mut Sink,
) -> Option<DefaultValue> {
    let Some(arg) = a.arg("value", Some(0)) else {
        sink.attr_err(Code::ArgumentMissing, a, "Argument \"value\" is missing.")
            .hint = Some("write `@default(value)`, e.g. `@default(now())`".into());
        return None;
    };
    let map = opt_string_named(a, "map", sink);
    let e = &arg.value;
    let kind = match &e.kind {
        ExprKind::Call { name, args } => function(a, name, args, ty, sink)?,
        ExprKind::Array(items) => {
            if arity != Arity::List {
                let msg = format!("Expected {}, but received an array.", expected_literal(ty));
                sink.attr_err(Code::DefaultValueType, a, msg);
                return None;
            }
            let mut list = Vec::new();
            for it in items {
                list.push(literal(db, a, it, ty, sink)?);
            }
            DefaultKind::List(list)
        }
        _ => {
            if arity == Arity::List {
                sink.attr_err(
                    Code::DefaultValueType,
                    a,
                    "The default value of a list field must be a list, e.g. `@default([])`.",
                );
                return None;
            }
            DefaultKind::Value(literal(db, a, e, ty, sink)?)
        }
    };
    Some(DefaultValue { kind, map })
}

/// A default function, and whether it fits the field's type and takes these arguments.
fn function(
    a: &Attribute,
    n: &str,
    args: &[crate::ast::Arg],
    ty: &ScalarType,
    sink: &mut Sink,
) -> Option<DefaultKind> {
    let num_arg = args.first().and_then(|x| number_u32(&x.value));
    let fits = |types: &[&str]| types.contains(&ty.name());
    let (ok, needs): (bool, &str) = match n {
        "autoincrement" => (fits(&["Int", "BigInt"]), "Int or BigInt"),
        "now" => (*ty == ScalarType::DateTime, "DateTime"),
        "uuid" | "cuid" | "nanoid" | "ulid" => (*ty == ScalarType::String, "String"),
        "dbgenerated" | "sequence" => (true, ""),
        "auto" => (true, ""),
        _ => {
            let msg = format!("The function `{n}` is not a known function. You can read about the available functions here: https://pris.ly/d/attribute-functions");
            sink.attr_err(Code::DefaultFunctionUnknown, a, msg).hint = Some(
                "known: autoincrement(), now(), uuid(), cuid(), nanoid(), ulid(), dbgenerated(\"...\")".into(),
            );
            return None;
        }
    };
    if !ok {
        let msg = format!(
            "The function `{n}()` cannot be used on fields of type `{}`.",
            ty.name()
        );
        sink.attr_err(Code::DefaultFunctionType, a, msg).hint =
            Some(format!("`{n}()` fits fields of type {needs}"));
        return None;
    }
    Some(match n {
        "autoincrement" => DefaultKind::Autoincrement,
        "now" => DefaultKind::Now,
        "uuid" => match num_arg {
            None => DefaultKind::Uuid(4),
            Some(v @ (4 | 7)) => DefaultKind::Uuid(v as u8),
            Some(_) => {
                sink.attr_err(
                    Code::DefaultFunctionArgument,
                    a,
                    "`uuid()` takes an optional version: 4 or 7.",
                );
                return None;
            }
        },
        "cuid" => match num_arg {
            None => DefaultKind::Cuid(1),
            Some(v @ (1 | 2)) => DefaultKind::Cuid(v as u8),
            Some(_) => {
                sink.attr_err(Code::DefaultFunctionArgument, a, "`cuid()` takes either no argument, or a single integer argument which is either 1 or 2.");
                return None;
            }
        },
        "nanoid" => match num_arg {
            None => DefaultKind::Nanoid(None),
            Some(v @ 2..=255) => DefaultKind::Nanoid(Some(v as u8)),
            Some(_) => {
                sink.attr_err(
                    Code::DefaultFunctionArgument,
                    a,
                    "`nanoid()` takes either no argument, or a single integer argument between 2 and 255.",
                );
                return None;
            }
        },
        "ulid" => DefaultKind::Ulid,
        "dbgenerated" => match args.first() {
            None => DefaultKind::DbGenerated(None),
            Some(x) => match x.value.as_str() {
                Some(s) => DefaultKind::DbGenerated(Some(s.to_string())),
                None => {
                    sink.attr_err(
                        Code::DefaultFunctionArgument,
                        a,
                        "`dbgenerated()` takes a single String argument",
                    );
                    return None;
                }
            },
        },
        "sequence" => DefaultKind::Sequence,
        _ => DefaultKind::Auto,
    })
}

/// A literal default value of type `ty`.
fn literal(db: &Db, a: &Attribute, e: &Expr, ty: &ScalarType, sink: &mut Sink) -> Option<Literal> {
    let wrong = |sink: &mut Sink, e: &Expr| {
        let found = match &e.kind {
            ExprKind::Str { raw, .. } => raw.clone(),
            ExprKind::Number(n) | ExprKind::Const(n) => n.clone(),
            _ => e.render(),
        };
        let msg = format!("Expected a {} value, but found `{found}`.", ty.name());
        sink.attr_err(Code::DefaultValueType, a, msg);
        None
    };
    match (ty, &e.kind) {
        (ScalarType::DateTime, ExprKind::Str { value, .. }) if !is_rfc3339(value) => {
            let msg = format!("Parse error: \"{value}\" is not a valid rfc3339 datetime string.");
            sink.attr_err(Code::DefaultValueInvalid, a, msg).hint =
                Some("write a full timestamp such as \"2024-01-31T12:00:00Z\"".into());
            None
        }
        (
            ScalarType::String | ScalarType::DateTime | ScalarType::Json | ScalarType::Bytes,
            ExprKind::Str { value, .. },
        ) => {
            if *ty == ScalarType::Json {
                if let Err(e) = serde_json::from_str::<serde_json::Value>(value) {
                    let msg = format!(
                        "Error parsing attribute \"@default\": Parse error: \"{value}\" is not a valid JSON string. ({e})"
                    );
                    sink.err(Code::DefaultValueInvalid, msg, a.span).hint =
                        Some("the string holds JSON: keys and strings in double quotes, escaped, e.g. @default(\"{\\\"theme\\\": \\\"dark\\\"}\")".into());
                    return None;
                }
            }
            Some(Literal::String(value.clone()))
        }
        // Prisma reads a Decimal default from a string too (`@default("2.00")`).
        (ScalarType::Decimal, ExprKind::Str { value, .. }) => match decimal_error(value) {
            None => Some(Literal::Number(value.replace('_', "").replacen('+', "", 1))),
            Some(reason) => {
                let msg = format!(
                    "Error parsing attribute \"default\": Parse error: \"{value}\" is not a valid decimal. ({reason})"
                );
                sink.err(Code::DefaultValueInvalid, msg, a.span).hint =
                    Some("write a number, e.g. @default(2.50) or @default(\"2.50\")".into());
                None
            }
        },
        (ScalarType::Int | ScalarType::BigInt, ExprKind::Number(n)) => match n.parse::<i64>() {
            Ok(i) => Some(Literal::Int(i)),
            Err(_) => {
                let msg = format!("Expected an integer, but found `{n}`.");
                sink.attr_err(Code::DefaultValueType, a, msg);
                None
            }
        },
        (ScalarType::Float, ExprKind::Number(n)) => n.parse::<f64>().ok().map(Literal::Float),
        (ScalarType::Decimal, ExprKind::Number(n)) => Some(Literal::Number(n.clone())),
        (ScalarType::Boolean, ExprKind::Const(c)) if c == "true" || c == "false" => {
            Some(Literal::Boolean(c == "true"))
        }
        (ScalarType::Enum(en), ExprKind::Const(c)) => {
            let exists = db
                .top(en.as_str())
                .is_some_and(|b| b.fields().any(|f| &f.name.name == c));
            if !exists {
                let msg = format!("The defined default value `{c}` is not a valid value of the enum specified for the field.");
                let values: Vec<String> = db
                    .top(en.as_str())
                    .map(|b| b.fields().map(|f| f.name.name.clone()).collect())
                    .unwrap_or_default();
                sink.attr_err(Code::DefaultEnumValue, a, msg).hint =
                    Some(format!("`{en}` has the values: {}", values.join(", ")));
                return None;
            }
            Some(Literal::Enum(c.clone()))
        }
        (ScalarType::Unsupported(_), _) => {
            sink.attr_err(
                Code::DefaultValueType,
                a,
                "Only `@default(dbgenerated(\"...\"))` can be used on Unsupported fields.",
            );
            None
        }
        (ScalarType::Composite(_), _) => {
            sink.attr_err(
                Code::DefaultValueType,
                a,
                "Composite fields cannot have a default value.",
            );
            None
        }
        _ => wrong(sink, e),
    }
}
