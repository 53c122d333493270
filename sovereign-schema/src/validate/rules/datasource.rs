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
    if !db.config.has_preview("postgresqlExtensions") && !db.options.partial {
        sink.err(
            Code::ExtensionsNeedPreview,
            "The `extensions` property is only available with the `postgresqlExtensions` preview feature.",
            ext.span,
        )
        .hint = Some("add `previewFeatures = [\"postgresqlExtensions\"]` to the generator block".into());
    }
}
