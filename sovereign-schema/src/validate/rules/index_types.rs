//! Index types and operator classes (`@@index([a(ops: JsonbPathOps)], type: Gin)`): which
//! provider has which index type, and on PostgreSQL which field types and native types each
//! index type and operator class takes, as Prisma 6 checks them.

use crate::ast::Arity;
use crate::diagnostic::Code;
use crate::model::{Index, IndexKind, OperatorClass, Provider, ScalarField, ScalarType};
use crate::validate::db::{Db, ModelEntry};
use crate::validate::sink::Sink;

/// The index types a provider has beyond the default B-tree, and what each index of a model
/// may use.
pub(super) fn check(db: &Db, m: &ModelEntry, sink: &mut Sink) {
    let provider = db.config.provider;
    if db.options.partial || m.model.is_view {
        return;
    }
    for idx in &m.model.indexes {
        if idx.kind != IndexKind::Normal {
            continue;
        }
        let algo = idx.algorithm.as_deref().unwrap_or("BTree");
        match provider {
            Provider::Postgresql => postgres(m, idx, algo, sink),
            Provider::Cockroachdb if matches!(algo, "BTree" | "Gin") => {
                cockroach(m, idx, algo, sink)
            }
            _ if algo == "BTree" => {}
            _ => {
                err(
                    sink,
                    idx,
                    "The given index type is not supported with the current connector".into(),
                )
                .hint = Some(match provider {
                    Provider::Cockroachdb => "CockroachDB has the BTree and Gin index types".into(),
                    _ => "only PostgreSQL (and CockroachDB's Gin) have index types".into(),
                });
            }
        }
    }
    // PostgreSQL cannot put an `xml` column in a unique constraint.
    if provider == Provider::Postgresql {
        for u in &m.model.uniques {
            let xml = u
                .fields
                .iter()
                .filter_map(|f| m.model.field(&f.name))
                .any(|f| f.native_type.as_ref().is_some_and(|n| n.name == "Xml"));
            if xml {
                sink.err(
                    Code::IndexFieldType,
                    "Native type `Xml` cannot be unique in Postgres.",
                    u.span,
                );
            }
        }
    }
}

fn err<'s>(sink: &'s mut Sink, idx: &Index, msg: String) -> &'s mut crate::diagnostic::Diagnostic {
    sink.err(
        Code::IndexFieldType,
        format!("Error parsing attribute \"@@index\": {msg}"),
        idx.span,
    )
}

fn cockroach(m: &ModelEntry, idx: &Index, algo: &str, sink: &mut Sink) {
    if algo != "Gin" {
        return;
    }
    if idx.fields.iter().any(|f| f.ops.is_some()) {
        err(
            sink,
            idx,
            "Custom operator classes are not supported with the current connector.".into(),
        );
        return;
    }
    for f in &idx.fields {
        let Some(field) = m.model.field(&f.name) else {
            continue;
        };
        if field.arity != Arity::List && !supports_field_type(algo, &field.ty) {
            let msg = format!(
                "The {algo} index type does not support the type of the field `{}`.",
                f.name
            );
            err(sink, idx, msg);
        }
    }
}

/// Whether an index type takes a field of this type (without a native type or an operator
/// class, and lists aside for GIN).
fn supports_field_type(algo: &str, ty: &ScalarType) -> bool {
    match algo {
        "Gist" | "SpGist" => matches!(ty, ScalarType::String | ScalarType::Unsupported(_)),
        "Gin" => matches!(ty, ScalarType::Json | ScalarType::Unsupported(_)),
        "Brin" => !matches!(
            ty,
            ScalarType::Boolean | ScalarType::Json | ScalarType::Enum(_)
        ),
        _ => true,
    }
}

/// The index type an operator class belongs to.
fn opclass_fits(class: &str, algo: &str) -> bool {
    match class {
        "InetOps" => matches!(algo, "Gist" | "SpGist"),
        "JsonbOps" | "JsonbPathOps" | "ArrayOps" => algo == "Gin",
        "TextOps" => algo == "SpGist",
        _ => algo == "Brin",
    }
}

/// The name Prisma prints for an operator class (its own spelling, one slip included).
fn opclass_display(class: &str) -> &str {
    if class == "UuidMinMaxMultiOps" {
        "BitMinMaxOps"
    } else {
        class
    }
}

/// BRIN operator classes by the native type they take (`None`: the native type's default
/// class is fine too), and the Prisma type that takes them without a native type.
const BRIN: &[(&str, &[&str], Option<&str>)] = &[
    ("Bit", &["BitMinMaxOps"], None),
    ("VarBit", &["VarBitMinMaxOps"], None),
    ("Char", &["BpcharBloomOps", "BpcharMinMaxOps"], None),
    (
        "Date",
        &["DateBloomOps", "DateMinMaxOps", "DateMinMaxMultiOps"],
        None,
    ),
    (
        "Real",
        &["Float4BloomOps", "Float4MinMaxOps", "Float4MinMaxMultiOps"],
        None,
    ),
    (
        "DoublePrecision",
        &["Float8BloomOps", "Float8MinMaxOps", "Float8MinMaxMultiOps"],
        Some("Float"),
    ),
    (
        "Inet",
        &[
            "InetInclusionOps",
            "InetBloomOps",
            "InetMinMaxOps",
            "InetMinMaxMultiOps",
        ],
        None,
    ),
    (
        "SmallInt",
        &["Int2BloomOps", "Int2MinMaxOps", "Int2MinMaxMultiOps"],
        None,
    ),
    (
        "Integer",
        &["Int4BloomOps", "Int4MinMaxOps", "Int4MinMaxMultiOps"],
        Some("Int"),
    ),
    (
        "BigInt",
        &["Int8BloomOps", "Int8MinMaxOps", "Int8MinMaxMultiOps"],
        Some("BigInt"),
    ),
    (
        "Decimal",
        &[
            "NumericBloomOps",
            "NumericMinMaxOps",
            "NumericMinMaxMultiOps",
        ],
        Some("Decimal"),
    ),
    (
        "Oid",
        &["OidBloomOps", "OidMinMaxOps", "OidMinMaxMultiOps"],
        None,
    ),
    ("ByteA", &["ByteaBloomOps", "ByteaMinMaxOps"], Some("Bytes")),
    ("Text", &["TextBloomOps", "TextMinMaxOps"], Some("String")),
    ("VarChar", &["TextBloomOps", "TextMinMaxOps"], None),
    (
        "Timestamp",
        &[
            "TimestampBloomOps",
            "TimestampMinMaxOps",
            "TimestampMinMaxMultiOps",
        ],
        Some("DateTime"),
    ),
    (
        "Timestamptz",
        &[
            "TimestampTzBloomOps",
            "TimestampTzMinMaxOps",
            "TimestampTzMinMaxMultiOps",
        ],
        None,
    ),
    (
        "Time",
        &["TimeBloomOps", "TimeMinMaxOps", "TimeMinMaxMultiOps"],
        None,
    ),
    (
        "Timetz",
        &["TimeTzBloomOps", "TimeTzMinMaxOps", "TimeTzMinMaxMultiOps"],
        None,
    ),
    (
        "Uuid",
        &["UuidBloomOps", "UuidMinMaxOps", "UuidMinMaxMultiOps"],
        None,
    ),
];

fn postgres(m: &ModelEntry, idx: &Index, algo: &str, sink: &mut Sink) {
    if algo == "SpGist" && idx.fields.len() > 1 {
        err(
            sink,
            idx,
            "SpGist does not support multi-column indices.".into(),
        );
    }
    for f in &idx.fields {
        let Some(field) = m.model.field(&f.name) else {
            continue; // a path into a composite type
        };
        let class = match &f.ops {
            Some(OperatorClass::Raw(_)) => continue,
            Some(OperatorClass::Named(c)) => Some(c.as_str()),
            None => None,
        };
        if let Some(c) = class.filter(|c| !opclass_fits(c, algo)) {
            let msg = format!(
                "The given operator class `{}` is not supported with the `{algo}` index type.",
                opclass_display(c)
            );
            err(sink, idx, msg);
            continue;
        }
        if let Some(msg) = postgres_field(field, algo, class) {
            err(sink, idx, msg);
        }
    }
}

/// What is wrong with one field of a PostgreSQL index of type `algo` with operator class
/// `class` (Prisma's `generalized_index_validations`).
fn postgres_field(field: &ScalarField, algo: &str, class: Option<&str>) -> Option<String> {
    let native = field.native_type.as_ref().map(|n| n.name.as_str());
    let name = &field.name;
    let ty = &field.ty;
    let is_list = field.arity == Arity::List;
    // The message for a combination no rule below accepts.
    let mismatch = || {
        match (native, class) {
        (Some(n), Some(c)) => Some(format!(
            "The given operator class `{}` does not support native type `{n}` of field `{name}`.",
            opclass_display(c)
        )),
        (Some(n), None) => Some(format!(
            "The {algo} index field type `{n}` has no default operator class."
        )),
        (None, Some(c)) => Some(format!(
            "The given operator class `{}` expects the field `{name}` to define a valid native type.",
            opclass_display(c)
        )),
        (None, None) => (!supports_field_type(algo, ty)).then(|| {
            format!("The {algo} index type does not support the type of the field `{name}`.")
        }),
    }
    };
    let not_of = |what: &str, c: &str| {
        Some(format!(
            "The given operator class `{}` points to the field `{name}` that is not of {what} type.",
            opclass_display(c)
        ))
    };
    match algo {
        "Gist" => match (native, class) {
            (Some("Inet"), Some("InetOps")) => None,
            _ => mismatch(),
        },
        "Gin" => match (native, class) {
            (None, None) if *ty == ScalarType::Json => None,
            (_, None) if is_list => None,
            (Some("JsonB"), Some("JsonbOps" | "JsonbPathOps") | None) => None,
            (None, Some(c @ ("JsonbOps" | "JsonbPathOps"))) => {
                if *ty == ScalarType::Json {
                    None
                } else {
                    not_of("Json", c)
                }
            }
            (_, Some("ArrayOps")) => (!is_list).then(|| {
                format!("The given operator class `ArrayOps` expects the type of field `{name}` to be an array.")
            }),
            _ => mismatch(),
        },
        "SpGist" => match (native, class) {
            (Some("Inet"), Some("InetOps") | None) => None,
            (None, None) if *ty == ScalarType::String => None,
            (None, Some(c @ "TextOps")) => {
                if *ty == ScalarType::String {
                    None
                } else {
                    not_of("String", c)
                }
            }
            (Some("Text" | "VarChar" | "Char"), Some("TextOps") | None) => None,
            _ => mismatch(),
        },
        "Brin" => {
            for (nt, classes, prisma) in BRIN {
                if native == Some(*nt) && class.is_none_or(|c| classes.contains(&c)) {
                    return None;
                }
                if let (None, Some(p)) = (native, prisma) {
                    let scalar = ScalarType::builtin(p);
                    match class {
                        None if scalar.as_ref() == Some(ty) => return None,
                        Some(c) if classes.contains(&c) => {
                            return if scalar.as_ref() == Some(ty) {
                                None
                            } else {
                                not_of(p, c)
                            };
                        }
                        _ => {}
                    }
                }
            }
            mismatch()
        }
        _ => None,
    }
}
