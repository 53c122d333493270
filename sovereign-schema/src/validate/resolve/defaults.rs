//! `@default(...)`: a function (`now()`, `uuid(7)`, `autoincrement()`, ...) or a literal of the
//! field's type. Whether the provider has the function is a rule's business.

use super::attributes::opt_string_named;
use crate::ast::{Arity, Attribute, Expr, ExprKind};
use crate::diagnostic::Code;
use crate::model::{DefaultKind, DefaultValue, Literal, ScalarType};
use crate::validate::common::{decimal_error, expected_literal, rfc3339_error};
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
    // Prisma 6: functions without arguments say so; `uuid`, `cuid` and `nanoid` take one
    // number (positional or named), refused with one message when it is not a number and with
    // another when it is out of range.
    if matches!(n, "autoincrement" | "now" | "ulid" | "auto") && !args.is_empty() {
        let msg = format!("The `{n}` function does not take any argument. Consider changing this default to `{n}()`.");
        sink.attr_err(Code::DefaultFunctionArgument, a, msg);
        return None;
    }
    let version = |sink: &mut Sink, range: &str, ok: &dyn Fn(u32) -> bool| -> Option<Option<u32>> {
        let arg = match args {
            [] => return Some(None),
            [arg] => arg,
            _ => {
                let msg = format!("`{n}()` takes a single Int argument.");
                sink.attr_err(Code::DefaultFunctionArgument, a, msg);
                return None;
            }
        };
        let ExprKind::Number(text) = &arg.value.kind else {
            let msg = format!("`{n}()` takes a single Int argument.");
            sink.attr_err(Code::DefaultFunctionArgument, a, msg);
            return None;
        };
        match text.parse::<u32>() {
            Ok(v) if ok(v) => Some(Some(v)),
            _ => {
                let msg = format!(
                    "`{n}()` takes either no argument, or a single integer argument {range}."
                );
                sink.attr_err(Code::DefaultFunctionArgument, a, msg);
                None
            }
        }
    };
    Some(match n {
        "autoincrement" => DefaultKind::Autoincrement,
        "now" => DefaultKind::Now,
        "uuid" => {
            let v = version(sink, "which is either 4 or 7", &|v| matches!(v, 4 | 7))?;
            DefaultKind::Uuid(v.map_or(4, |v| v as u8))
        }
        "cuid" => {
            let v = version(sink, "which is either 1 or 2", &|v| matches!(v, 1 | 2))?;
            DefaultKind::Cuid(v.map_or(1, |v| v as u8))
        }
        "nanoid" => {
            let v = version(sink, "between 2 and 255", &|v| (2..=255).contains(&v))?;
            DefaultKind::Nanoid(v.map(|v| v as u8))
        }
        "ulid" => DefaultKind::Ulid,
        "dbgenerated" => match args {
            [] => DefaultKind::DbGenerated(None),
            [x, ..] => match x.value.as_str().filter(|_| args.len() == 1) {
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
        (ScalarType::DateTime, ExprKind::Str { value, .. }) if rfc3339_error(value).is_some() => {
            let reason = rfc3339_error(value).unwrap_or_default();
            let msg = format!(
                "Parse error: \"{value}\" is not a valid rfc3339 datetime string. ({reason})"
            );
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
