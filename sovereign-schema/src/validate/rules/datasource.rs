//! The datasource's properties that depend on the rest of the configuration.

use crate::ast::BlockKind;
use crate::diagnostic::Code;
use crate::validate::db::Db;
use crate::validate::sink::Sink;

/// `extensions = [...]` needs the `postgresqlExtensions` preview feature.
pub(super) fn extensions_need_preview(db: &Db, sink: &mut Sink) {
    let Some(ext) = db
        .blocks
        .iter()
        .find(|b| b.kind == BlockKind::Datasource)
        .and_then(|b| b.property("extensions"))
    else {
        return;
    };
    if db.config.has_preview("postgresqlExtensions") && db.config.extensions_read {
        // Names follow Prisma's rules for names.
        for item in ext.value.as_list() {
            let name = match &item.kind {
                crate::ast::ExprKind::Const(n) | crate::ast::ExprKind::Call { name: n, .. } => n,
                _ => continue,
            };
            let why = if name.is_empty() {
                "The name of an extension must not be empty."
            } else if name.starts_with(|c: char| c.is_numeric()) {
                "The name of an extension must not start with a number."
            } else if name.contains('-') {
                "The character `-` is not allowed in extension names."
            } else {
                continue;
            };
            sink.err(
                Code::ExtensionInvalid,
                format!("Error validating: {why}"),
                item.span,
            )
            .hint = Some(format!(
                "write `{}(map: \"{name}\")`: `map` gives the database's name",
                name.replace('-', "_")
            ));
        }
    } else if !db.options.partial {
        sink.err(
            Code::ExtensionsNeedPreview,
            "The `extensions` property is only available with the `postgresqlExtensions` preview feature.",
            ext.span,
        )
        .hint = Some("add `previewFeatures = [\"postgresqlExtensions\"]` to the generator block".into());
    }
}
