//! Scalar fields: the type (a scalar, an enum, a composite type, `Unsupported`), the column
//! (`@map`), the default, native types and the flags (`@updatedAt`, `@ignore`).

use super::attributes::{duplicates, string_arg};
use super::defaults;
use crate::ast::{Attribute, Block, BlockKind, ExprKind, Field};
use crate::diagnostic::Code;
use crate::model::{DefaultKind, NativeType, ScalarField, ScalarType};
use crate::native;
use crate::validate::common::{docs, suggest, FIELD_ATTRS, SCALARS};
use crate::validate::db::{Db, ScalarEntry};
use crate::validate::sink::Sink;

/// Reads a field of a model or composite type (`composite`) whose type is not a model. `None`
/// when its type does not resolve (reported here).
pub(super) fn scalar_field<'a>(
    db: &Db,
    f: &'a Field,
    b: &Block,
    composite: bool,
    sink: &mut Sink,
) -> Option<(ScalarField, ScalarEntry<'a>)> {
    let ty_ast = f.ty.as_ref()?;
    let ty = field_type(db, f, b, composite, sink)?;
    duplicates(db, &f.attributes, false, sink);
    let mut db_name = f.name.name.clone();
    let mut native_type = None;
    let mut default = None;
    let mut provider_defaults = Vec::new();
    let mut updated_at = false;
    let mut ignored = false;
    let mut placed = 0;
    let db_prefix = format!("{}.", db.config.ds_name);
    for a in &f.attributes {
        let name = a.name.name.as_str();
        let _ = super::attributes::arguments(a, sink);
        match name {
            "map" => {
                if let Some(s) = string_arg(a, sink) {
                    db_name = s;
                }
            }
            "default" => {
                default = defaults::resolve(db, a, &ty, ty_ast.arity, sink);
                if let Some(d) = &default {
                    if matches!(d.kind, DefaultKind::Autoincrement | DefaultKind::Auto) {
                        provider_defaults.push((a, d.kind.clone()));
                    }
                }
            }
            // Composite types' fields take `@default`, `@map` and native types only; Prisma
            // reports the others as unknown (and the key attributes with a reason first).
            "id" | "unique" | "relation" | "ignore" | "updatedAt" if composite => {
                if matches!(name, "id" | "unique" | "relation") {
                    let msg = format!("Error validating: Defining `@{name}` attribute for a field in a composite type is not allowed.");
                    sink.err(Code::AttributeMisplaced, msg, a.span);
                }
                let msg = format!("Attribute not known: \"@{name}\".");
                sink.err(Code::AttributeUnknown, msg, a.span).hint = Some(
                    "a composite type's field takes `@default`, `@map` and native types".into(),
                );
            }
            "updatedAt" => {
                updated_at = true;
                placed |= ScalarEntry::UPDATED_AT;
            }
            // Already treated as ignored because of its type (a rule says so).
            "ignore" => {
                ignored |= !matches!(ty, ScalarType::Unsupported(_));
                placed |= ScalarEntry::IGNORE;
            }
            // Read by the model; where they may stand is the rules' business.
            "id" => placed |= ScalarEntry::ID,
            "unique" => placed |= ScalarEntry::UNIQUE,
            "relation" => placed |= ScalarEntry::RELATION,
            // Read by the model (shard keys).
            "shardKey" => {}
            n if n.starts_with(&db_prefix) || n.starts_with("db.") => {
                native_type = self::native_type(db, a, &ty, &db_prefix, sink);
            }
            other => {
                let msg = format!("Attribute not known: \"@{other}\".");
                let mut known: Vec<&str> = FIELD_ATTRS.to_vec();
                known.retain(|k| *k != "relation");
                let hint = suggest(other, &known)
                    .map(|s| format!("did you mean `@{s}`?"))
                    .unwrap_or_else(|| {
                        format!(
                            "known field attributes: {}, and native types as `@{}.Type`",
                            known
                                .iter()
                                .map(|a| format!("@{a}"))
                                .collect::<Vec<_>>()
                                .join(", "),
                            db.config.ds_name
                        )
                    });
                sink.err(Code::AttributeUnknown, msg, a.span).hint = Some(hint);
            }
        }
    }
    let field = ScalarField {
        name: f.name.name.clone(),
        db_name,
        ty,
        arity: ty_ast.arity,
        native_type,
        default,
        updated_at,
        ignored,
        docs: docs(&f.docs),
        span: f.span,
    };
    Some((
        field,
        ScalarEntry {
            ast: f,
            placed,
            provider_defaults,
        },
    ))
}

/// The type of a field that is not a relation: a scalar, `Unsupported`, or an enum or
/// composite type of the schema.
fn field_type(
    db: &Db,
    f: &Field,
    b: &Block,
    composite: bool,
    sink: &mut Sink,
) -> Option<ScalarType> {
    let ty_ast = f.ty.as_ref()?;
    let tname = ty_ast.name.name.as_str();
    if let Some(u) = &ty_ast.unsupported {
        return Some(ScalarType::Unsupported(
            u.as_str().unwrap_or_default().to_string(),
        ));
    }
    if let Some(s) = ScalarType::builtin(tname) {
        return Some(s);
    }
    match db.top(tname).map(|b| b.kind) {
        Some(BlockKind::Enum) => Some(ScalarType::Enum(tname.to_string())),
        Some(BlockKind::Type) => Some(ScalarType::Composite(tname.to_string())),
        Some(_) if composite => {
            let msg = format!(
                "Error validating composite type \"{}\": {} refers to a model, making this a relation field. Relation fields inside composite types are not supported.",
                b.name.name, tname
            );
            sink.err(Code::CompositeTypeRelation, msg, ty_ast.name.span);
            None
        }
        _ => {
            let msg = format!(
                "Type \"{tname}\" is neither a built-in type, nor refers to another model, composite type, or enum."
            );
            // The scalars, then the schema's types in the order they are declared.
            let mut candidates: Vec<&str> = SCALARS.to_vec();
            candidates.extend(
                db.blocks
                    .iter()
                    .zip(&db.first_definition)
                    .filter(|(b, first)| **first && !b.kind.is_config())
                    .map(|(b, _)| b.name.name.as_str()),
            );
            let hint = suggest(tname, &candidates).map(|s| format!("did you mean `{s}`?"));
            sink.err(Code::TypeUnknown, msg, ty_ast.name.span).hint = hint;
            None
        }
    }
}

/// `@db.VarChar(255)`: the native type of the provider, its arguments and whether it fits the
/// field's type.
fn native_type(
    db: &Db,
    a: &Attribute,
    ty: &ScalarType,
    prefix: &str,
    sink: &mut Sink,
) -> Option<NativeType> {
    let Some(name) = a.name.name.strip_prefix(prefix) else {
        let msg = format!(
            "The prefix `{}` does not match the datasource name `{}`.",
            a.name.name.split('.').next().unwrap_or_default(),
            db.config.ds_name
        );
        sink.err(Code::NativeTypePrefix, msg, a.name.span).hint = Some(format!(
            "write `@{}{}`",
            prefix,
            a.name.name.split_once('.').map_or("", |x| x.1)
        ));
        return None;
    };
    if db.options.partial && db.tops.is_empty() {
        return None;
    }
    let provider = db.config.provider;
    let Some(spec) = native::find(provider, name) else {
        let msg = format!("Native type {name} is not supported for {provider} connector.");
        let known: Vec<&str> = native::native_types(provider)
            .iter()
            .map(|t| t.name)
            .collect();
        let hint = suggest(name, &known).map(|s| format!("did you mean `@{prefix}{s}`?"));
        sink.err(Code::NativeTypeUnknown, msg, a.span).hint = hint;
        return None;
    };
    let read: Vec<native::Arg> = a
        .args
        .iter()
        .map(|x| match &x.value.kind {
            ExprKind::Number(n) => native::Arg::Number(n),
            ExprKind::Const(c) => native::Arg::Const(c),
            _ => native::Arg::Other,
        })
        .collect();
    if let Err(msg) = spec.check_args(&read, &crate::ast::render_args(&a.args)) {
        sink.err(Code::NativeTypeArgument, msg, a.span);
        return None;
    }
    let args: Vec<String> = a.args.iter().map(|x| x.value.render()).collect();
    if !matches!(ty, ScalarType::Unsupported(_)) && !spec.fits(ty) {
        let msg = format!(
            "Native type {name} is not compatible with declared field type {}, expected field type {}.",
            ty.name(),
            spec.scalars.join(" or ")
        );
        sink.err(Code::NativeTypeIncompatible, msg, a.span);
    } else {
        let numbers: Vec<u32> = args.iter().filter_map(|x| x.parse().ok()).collect();
        if numbers.len() == args.len() {
            if let Some(msg) = spec.check_range(provider, &numbers, ty) {
                sink.err(Code::NativeTypeArgument, msg, a.span);
            }
        }
    }
    Some(NativeType {
        name: name.to_string(),
        args,
    })
}
