//! Models: one id, and a way to identify each row.

use crate::diagnostic::Code;
use crate::model::ScalarField;
use crate::validate::db::ModelEntry;
use crate::validate::sink::Sink;

/// At most one `@id` or `@@id`.
pub(super) fn one_id(m: &ModelEntry, sink: &mut Sink) {
    if m.id_attrs.len() < 2 {
        return;
    }
    let b = m.block;
    let compound = b.attribute("id").map(|a| a.span);
    if !m.id_attrs.iter().any(|s| Some(*s) == compound) {
        // `@id` on two fields.
        let msg = format!(
            "Error validating model \"{}\": At most one field must be marked as the id field with the `@id` attribute.",
            b.name.name
        );
        let mut d = Code::IdMultiple.error(msg, b.keyword_span.to(b.name.span));
        for s in &m.id_attrs {
            d = d.with_note(*s, "marked `@id` here");
        }
        sink.push(d);
        return;
    }
    let msg = format!(
        "Error validating model \"{}\": Each model must have at most one id criteria. You can't have `@id` and `@@id` at the same time.",
        m.block.name.name
    );
    sink.push(
        Code::IdMultiple
            .error(msg, m.id_attrs[1])
            .with_note(m.id_attrs[0], "the other id"),
    );
}

/// The client names of compound ids and uniques (`name:`, or the fields joined by `_`) become
/// arguments of the client next to the fields: they may not be a field's name.
pub(super) fn client_names(m: &ModelEntry, sink: &mut Sink) {
    let b = m.block;
    let taken = |name: &str| {
        m.model.fields.iter().any(|f| f.name == name)
            || m.relation_fields.iter().any(|f| f.name() == name)
    };
    for a in b.attributes() {
        let attr = a.name.name.as_str();
        if !matches!(attr, "id" | "unique") {
            continue;
        }
        let custom = a.arg("name", None).and_then(|x| x.value.as_str());
        if let Some(name) = custom {
            if taken(name) {
                let msg = format!(
                    "Error validating model \"{}\": The custom name `{name}` specified for the `@@{attr}` attribute is already used as a name for a field. Please choose a different name.",
                    b.name.name
                );
                sink.err(Code::ClientNameClash, msg, b.keyword_span.to(b.name.span))
                    .hint = Some(format!("choose another `name:` for @@{attr}"));
            }
            continue;
        }
        let Some(list) = a.arg("fields", Some(0)).map(|x| x.value.as_list()) else {
            continue;
        };
        if list.len() < 2 {
            continue;
        }
        let names: Vec<String> = list
            .iter()
            .filter_map(|e| match &e.kind {
                crate::ast::ExprKind::Const(n) | crate::ast::ExprKind::Call { name: n, .. } => {
                    Some(n.replace('.', "_"))
                }
                _ => None,
            })
            .collect();
        let name = names.join("_");
        if taken(&name) {
            let what = if attr == "id" {
                "the `@@id` attribute's name"
            } else {
                "the `@@unique` name"
            };
            let msg = format!(
                "Error validating model \"{}\": The field `{name}` clashes with {what}. Please resolve the conflict by providing a custom id name: `@@{attr}([...], name: \"custom_name\")`",
                b.name.name
            );
            sink.err(Code::ClientNameClash, msg, a.span).hint =
                Some(format!("give @@{attr} a `name:` of its own"));
        }
    }
}

/// A model (not a view, not ignored) has an id or a unique criterion of required fields. A
/// block with a syntax error, or whose `@@id` did not read, was reported already.
pub(super) fn unique_criterion(m: &ModelEntry, sink: &mut Sink) {
    let b = m.block;
    if m.model.is_view || m.model.ignored || b.incomplete {
        return;
    }
    let required = |name: &str| {
        m.model
            .fields
            .iter()
            .any(|sf: &ScalarField| sf.name == name && sf.is_required())
    };
    let has_criterion = m.model.primary_key.is_some()
        || b.attribute("id").is_some()
        || m.model
            .uniques
            .iter()
            .any(|u| u.fields.iter().all(|f| required(&f.name)));
    if !has_criterion {
        let msg = format!(
            "Error validating model \"{}\": Each model must have at least one unique criteria that has only required fields. Either mark a single field with `@id`, `@unique` or add a multi field criterion with `@@id([])` or `@@unique([])` to the model.",
            b.name.name
        );
        sink.err(
            Code::UniqueCriterionMissing,
            msg,
            b.keyword_span.to(b.name.span),
        )
        .hint = Some("add `id Int @id @default(autoincrement())`, for example".into());
    }
}
