//! Views: a view is a query, not a table.

use crate::ast::ExprKind;
use crate::diagnostic::Code;
use crate::validate::db::{Db, ModelEntry};
use crate::validate::sink::Sink;

/// Views need the `views` preview feature.
pub(super) fn preview(db: &Db, m: &ModelEntry, sink: &mut Sink) {
    if !m.model.is_view || db.config.has_preview("views") || db.options.partial {
        return;
    }
    sink.err(
        Code::ViewsNeedPreview,
        "Error validating: View definitions are only available with the `views` preview feature.",
        m.block.keyword_span.to(m.block.name.span),
    )
    .hint = Some("add `previewFeatures = [\"views\"]` to the generator block".into());
}

/// Prisma refuses primary keys and indexes on a view, and its unique criteria (which tell the
/// client what identifies a row) may not name a database constraint, be clustered, or take
/// per-field arguments.
pub(super) fn attributes(m: &ModelEntry, sink: &mut Sink) {
    const PRIMARY_KEY: &str = "Error validating: Views cannot have primary keys.";
    const MAPPED: &str = "Error validating: @@unique annotations on views are not backed by unique indexes in the database and cannot specify a mapped database name.";
    const CLUSTERED: &str = "Error validating: @@unique annotations on views are not backed by unique indexes in the database and cannot be clustered.";
    let unique_hint = "a view's unique criterion only tells the client what identifies a row: write `@unique` or `@@unique([a, b])` without arguments";
    if !m.model.is_view {
        return;
    }
    let b = m.block;
    for f in b.fields() {
        if let Some(a) = f.attribute("id") {
            sink.err(Code::ViewPrimaryKey, PRIMARY_KEY, a.span).hint =
                Some("use `@unique` to tell the client which field identifies a row".into());
        }
        if let Some(a) = f.attribute("unique") {
            if a.arg("map", None).is_some() {
                sink.err(Code::ViewUniqueArguments, MAPPED, a.span).hint = Some(unique_hint.into());
            } else if a.arg("clustered", None).is_some() {
                sink.err(Code::ViewUniqueArguments, CLUSTERED, a.span).hint =
                    Some(unique_hint.into());
            } else if a.arg("sort", None).is_some() || a.arg("length", None).is_some() {
                sink.err(
                    Code::ViewUniqueArguments,
                    "Error parsing attribute \"@unique\": Scalar fields in @@unique attributes in views cannot have arguments.",
                    a.span,
                )
                .hint = Some(unique_hint.into());
            }
        }
    }
    for a in b.attributes() {
        match a.name.name.as_str() {
            "id" => {
                sink.err(Code::ViewPrimaryKey, PRIMARY_KEY, a.span).hint = Some(
                    "use `@@unique([...])` to tell the client which fields identify a row".into(),
                );
            }
            "index" | "fulltext" => {
                sink.err(
                    Code::ViewIndex,
                    "Error validating: Views cannot have indexes.",
                    a.span,
                )
                .hint = Some("create the index on the tables the view reads".into());
            }
            "unique" => {
                let field_args = a.arg("fields", Some(0)).is_some_and(|x| {
                    x.value
                        .as_list()
                        .iter()
                        .any(|f| matches!(f.kind, ExprKind::Call { .. }))
                });
                if a.arg("map", None).is_some() {
                    sink.err(Code::ViewUniqueArguments, MAPPED, a.span).hint =
                        Some(unique_hint.into());
                } else if a.arg("clustered", None).is_some() {
                    sink.err(Code::ViewUniqueArguments, CLUSTERED, a.span).hint =
                        Some(unique_hint.into());
                } else if field_args {
                    sink.err(
                        Code::ViewUniqueArguments,
                        "Error parsing attribute \"@@unique\": Scalar fields in @@unique attributes in views cannot have arguments.",
                        a.span,
                    )
                    .hint = Some(unique_hint.into());
                }
            }
            _ => {}
        }
    }
}
