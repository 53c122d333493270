//! Models, views and composite types: their fields (scalar or relation), the keys and indexes
//! their attributes declare, and the database names of all of them.

use super::attributes::{
    arguments, boolean, client_name, duplicates, field_index_args, field_list, mapped_name,
    non_empty_string_named, schema_attr, string_arg, Members,
};
use super::fields::scalar_field;
use super::relations::relation_field;
use crate::ast::{Block, BlockKind, Field};
use crate::diagnostic::Code;
use crate::model::{
    default_constraint_name, CompositeType, Index, IndexField, IndexKind, Model, PrimaryKey,
    ScalarType, INDEX_TYPES,
};
use crate::source::Span;
use crate::validate::common::{docs, join_names, suggest, Seen, BLOCK_ATTRS, SCALARS};
use crate::validate::db::{BlockLoc, CompositeEntry, Db, ModelEntry};
use crate::validate::sink::Sink;

/// Reads every composite type.
pub(super) fn composite_types<'a>(db: &Db<'a>, sink: &mut Sink) -> Vec<CompositeEntry<'a>> {
    let mut out = Vec::new();
    for &b in db.blocks.iter().filter(|b| b.kind == BlockKind::Type) {
        let n = b.fields().count();
        let mut fields = Vec::with_capacity(n);
        let mut scalars = Vec::with_capacity(n);
        let mut seen = Seen::with_capacity(n);
        for f in b.fields() {
            duplicate_field(&mut seen, f, b, sink);
            if let Some((sf, entry)) = scalar_field(db, f, b, true, sink) {
                fields.push(sf);
                scalars.push(entry);
            }
        }
        composite_block_attributes(b, sink);
        out.push(CompositeEntry {
            block: b,
            value: CompositeType {
                name: b.name.name.clone(),
                fields,
                span: b.span,
            },
            scalars,
        });
    }
    out
}

/// A composite type is stored inside its model's documents: keys, indexes and names belong to
/// the model, as Prisma says.
fn composite_block_attributes(b: &Block, sink: &mut Sink) {
    for a in b.attributes() {
        let why = match a.name.name.as_str() {
            "id" => "A composite type cannot define an id.",
            "fulltext" => "A fulltext index should be defined in the model containing the embed.",
            "index" => "An index should be defined in the model containing the embed.",
            "unique" => "A unique constraint should be defined in the model containing the embed.",
            "map" => "The name of a composite type is not persisted in the database, therefore it does not need a mapped database name.",
            _ => "A composite type cannot have block-level attributes.",
        };
        sink.err(
            Code::AttributeMisplaced,
            format!("Error validating: {why}"),
            a.span,
        )
        .hint = Some("define keys and indexes on the model that holds the composite field, with a path (`@@index([address.city])`)".into());
    }
}

/// `type: Hash`: an index type Prisma names (whether the provider has it is a rule's business).
fn index_type(e: &crate::ast::Expr, sink: &mut Sink) -> Option<String> {
    match e.as_const() {
        Some(t) if INDEX_TYPES.contains(&t) => Some(t.to_string()),
        Some(t) => {
            let msg = format!("Error parsing attribute \"@index\": Unknown index type: {t}.");
            sink.err(Code::ArgumentType, msg, e.span).hint =
                Some(format!("the index types are {}", INDEX_TYPES.join(", ")));
            None
        }
        None => {
            let msg = format!(
                "Expected a constant value, but received {}.",
                crate::validate::common::received(e)
            );
            sink.err(Code::ArgumentType, msg, e.span);
            None
        }
    }
}

/// Shard keys (`shardKeys` preview feature): one per model, `@shardKey` on a required field or
/// `@@shardKey([a, b])` of required scalar fields. Whether the provider has them is a rule's
/// business.
fn shard_keys(
    b: &Block,
    fields: &[crate::model::ScalarField],
    relation_fields: &[crate::validate::db::RelationFieldEntry],
    ignored: bool,
    sink: &mut Sink,
) {
    let model = &b.name.name;
    let mut on_fields = 0;
    for f in b.fields() {
        let Some(a) = f.attribute("shardKey") else {
            continue;
        };
        on_fields += 1;
        let optional = fields
            .iter()
            .any(|x| x.name == f.name.name && !x.is_required());
        if optional && !ignored {
            sink.attr_err(
                Code::ShardKeyInvalid,
                a,
                "Fields that are marked as shard keys must be required.",
            );
        }
    }
    let block = b.attribute("shardKey");
    let header = b.keyword_span.to(b.name.span);
    if on_fields > 1 {
        let msg = format!("Error validating model \"{model}\": At most one field must be marked as the shard key with the `@shardKey` attribute.");
        sink.err(Code::ShardKeyInvalid, msg, header);
    }
    let Some(a) = block else { return };
    if on_fields > 0 {
        let msg = format!("Error validating model \"{model}\": Each model must have at most one shard key. You can't have `@shardKey` and `@@shardKey` at the same time.");
        sink.err(Code::ShardKeyInvalid, msg, header);
    }
    let Some(list) = a.arg("fields", Some(0)).map(|x| x.value.as_list()) else {
        return;
    };
    // Names only: Prisma reads no further when an item is something else.
    let mut names = Vec::new();
    for item in list {
        match item.as_const() {
            Some(name) => names.push(name),
            None => {
                let msg = format!(
                    "Expected a constant value, but received {}.",
                    crate::validate::common::received(item)
                );
                sink.err(Code::ShardKeyInvalid, msg, item.span);
            }
        }
    }
    if names.len() < list.len() {
        return;
    }
    let mut unknown = Vec::new();
    for name in names {
        if let Some(f) = fields.iter().find(|f| f.name == name) {
            if !f.is_required() && !ignored {
                let msg = format!("Error validating model \"{model}\": The shard key definition refers to the optional field `{name}`. Shard key definitions must reference only required fields.");
                sink.err(Code::ShardKeyInvalid, msg, a.span);
            }
        } else if relation_fields.iter().any(|f| f.name() == name) {
            let msg = format!("Error validating model \"{model}\": The shard key definition refers to the relation field `{name}`. Shard key definitions must reference only scalar fields.");
            sink.err(Code::ShardKeyInvalid, msg, a.span);
        } else if b.fields().all(|f| f.name.name != name) {
            unknown.push(format!("`{name}`"));
        }
    }
    if !unknown.is_empty() {
        let msg = format!(
            "Error validating model \"{model}\": The multi field shard key declaration refers to the unknown fields {}.",
            unknown.join(", ")
        );
        sink.err(Code::ShardKeyInvalid, msg, a.span);
    }
}

/// Reads every model and view.
pub(super) fn resolve<'a>(db: &Db<'a>, locs: &[BlockLoc], sink: &mut Sink) -> Vec<ModelEntry<'a>> {
    db.blocks
        .iter()
        .zip(locs)
        .filter(|(b, _)| matches!(b.kind, BlockKind::Model | BlockKind::View))
        .map(|(b, loc)| model(db, b, *loc, sink))
        .collect()
}

fn duplicate_field<'a>(seen: &mut Seen<'a, Span>, f: &'a Field, b: &Block, sink: &mut Sink) {
    if let Some(prev) = seen.insert(f.name.name.as_str(), f.name.span) {
        let msg = format!(
            "Field \"{}\" is already defined on {} \"{}\".",
            f.name.name,
            crate::validate::common::kind_name(b.kind),
            b.name.name
        );
        sink.err(Code::DuplicateField, msg, f.name.span)
            .notes
            .push((prev, "first defined here".into()));
    }
}

/// Whether a field's type is a model: one of the schema's (`Some(Some(index))`, its first
/// definition), or (in a partial schema) a capitalized name that is not a near miss of a
/// scalar (`Some(None)`: `Strng` is a typo, `User` a model of the platform).
fn relation_target(db: &Db, f: &Field) -> Option<Option<usize>> {
    let ty = f.ty.as_ref()?;
    let target = ty.name.name.as_str();
    if ty.unsupported.is_some() || ScalarType::builtin(target).is_some() {
        return None;
    }
    match db.tops.get(target) {
        Some(&i) => db.block_models[i].map(Some),
        None => (db.options.partial
            && target.starts_with(|c: char| c.is_ascii_uppercase())
            && suggest(target, SCALARS).is_none())
        .then_some(None),
    }
}

fn model<'a>(db: &Db<'a>, b: &'a Block, loc: BlockLoc, sink: &mut Sink) -> ModelEntry<'a> {
    let provider = db.config.provider;
    let n = b.fields().count();
    let mut fields = Vec::with_capacity(n);
    let mut scalars = Vec::with_capacity(n);
    let mut relation_fields = Vec::new();
    let mut unresolved = Vec::new();
    let mut seen = Seen::with_capacity(n);
    let mut primary_key = None;
    let mut uniques = Vec::new();
    let mut id_attrs = Vec::new();

    let mut db_name = b.name.name.clone();
    let mut ignored = false;
    let mut schema = None;
    let mut schema_attrs = Vec::new();
    for a in b.attributes() {
        match a.name.name.as_str() {
            "map" => {
                if let Some(s) = string_arg(a, sink) {
                    db_name = s;
                }
            }
            "ignore" => ignored = true,
            "schema" => {
                schema = schema_attr(a, sink);
                if let Some(s) = &schema {
                    schema_attrs.push((a.span, s.clone()));
                }
            }
            _ => {}
        }
    }

    for f in b.fields() {
        duplicate_field(&mut seen, f, b, sink);
        let Some(ty) = &f.ty else { continue };
        if let Some(target_model) = relation_target(db, f) {
            let target = ty.name.name.as_str();
            relation_fields.push(relation_field(db, f, target, target_model, sink));
            continue;
        }
        let Some((sf, entry)) = scalar_field(db, f, b, false, sink) else {
            unresolved.push(f);
            continue;
        };
        if let Some(a) = f.attribute("id") {
            id_attrs.push(a.span);
            let args = field_index_args(a, sink);
            primary_key = Some(PrimaryKey {
                name: None,
                db_name: args
                    .map
                    .unwrap_or_else(|| default_constraint_name(&db_name, &[], "pkey", provider)),
                fields: vec![IndexField {
                    name: sf.name.clone(),
                    db_name: sf.db_name.clone(),
                    sort: args.sort,
                    length: args.length,
                    ops: None,
                }],
                compound: false,
                clustered: args.clustered,
                span: a.span,
            });
        }
        if let Some(a) = f.attribute("unique") {
            let args = field_index_args(a, sink);
            uniques.push(Index {
                kind: IndexKind::Unique,
                name: None,
                db_name: args.map.unwrap_or_else(|| {
                    default_constraint_name(&db_name, &[&sf.db_name], "key", provider)
                }),
                fields: vec![IndexField {
                    name: sf.name.clone(),
                    db_name: sf.db_name.clone(),
                    sort: args.sort,
                    length: args.length,
                    ops: None,
                }],
                algorithm: None,
                clustered: args.clustered,
                single_field: true,
                span: a.span,
            });
        }
        fields.push(sf);
        scalars.push(entry);
    }

    // Block attributes.
    duplicates(db, b.attributes(), true, sink);
    let broken: Vec<bool> = b.attributes().map(|a| !arguments(a, sink)).collect();
    let mut indexes = Vec::new();
    let mut unsupported_fulltext = Vec::new();
    for (a, _) in b.attributes().zip(&broken).filter(|(_, broken)| !**broken) {
        let members = Members {
            fields: &fields,
            relation_fields: &relation_fields,
            unresolved: &unresolved,
        };
        match a.name.name.as_str() {
            "id" => {
                // An @@id that does not read does not count (as in Prisma).
                if let Some(list) = field_list(a, &members, b, sink) {
                    id_attrs.push(a.span);
                    let name = client_name(a, b, sink);
                    let map = mapped_name(a, sink);
                    let clustered = a
                        .arg("clustered", None)
                        .and_then(|x| boolean(&x.value, sink));
                    primary_key = Some(PrimaryKey {
                        name: Some(name.unwrap_or_else(|| join_names(&list))),
                        db_name: map.unwrap_or_else(|| {
                            default_constraint_name(&db_name, &[], "pkey", provider)
                        }),
                        fields: list,
                        compound: true,
                        clustered,
                        span: a.span,
                    });
                }
            }
            "unique" | "index" | "fulltext" => {
                // Not read where the provider has no full-text indexes (a rule reports it).
                if a.name.name == "fulltext"
                    && !provider.supports_fulltext()
                    && !db.options.partial
                    && b.kind != BlockKind::View
                {
                    unsupported_fulltext.push(a);
                    continue;
                }
                let Some(list) = field_list(a, &members, b, sink) else {
                    continue;
                };
                let cols: Vec<&str> = list.iter().map(|f| f.db_name.as_str()).collect();
                let (kind, suffix) = match a.name.name.as_str() {
                    "unique" => (IndexKind::Unique, "key"),
                    "index" => (IndexKind::Normal, "idx"),
                    _ => (IndexKind::Fulltext, "idx"),
                };
                let mut map = mapped_name(a, sink);
                let name = match kind {
                    IndexKind::Unique => {
                        Some(client_name(a, b, sink).unwrap_or_else(|| join_names(&list)))
                    }
                    // Before Prisma 3 `name` was the index's database name; Prisma still
                    // reads it so (as an alias of `map`).
                    IndexKind::Normal => {
                        let legacy = non_empty_string_named(a, "name", sink);
                        if legacy.is_some() && a.arg("map", None).is_some() {
                            sink.err(
                                Code::IndexNameAndMap,
                                "Error parsing attribute \"@index\": The `@@index` attribute accepts the `name` argument as an alias for the `map` argument for legacy reasons. It does not accept both though. Please use the `map` argument to specify the database name of the index.",
                                a.span,
                            )
                            .hint = Some("keep only `map: \"...\"`".into());
                            map = None;
                        } else if legacy.is_some() {
                            map = legacy;
                        }
                        None
                    }
                    IndexKind::Fulltext => None,
                };
                let db_index_name = map
                    .unwrap_or_else(|| default_constraint_name(&db_name, &cols, suffix, provider));
                let algorithm = a
                    .arg("type", None)
                    .filter(|_| kind == IndexKind::Normal)
                    .and_then(|x| index_type(&x.value, sink));
                let clustered = a
                    .arg("clustered", None)
                    .filter(|_| kind != IndexKind::Fulltext)
                    .and_then(|x| boolean(&x.value, sink));
                let index = Index {
                    kind,
                    name,
                    db_name: db_index_name,
                    fields: list,
                    algorithm,
                    clustered,
                    single_field: false,
                    span: a.span,
                };
                if kind == IndexKind::Unique {
                    uniques.push(index);
                } else {
                    indexes.push(index);
                }
            }
            "map" | "ignore" | "schema" | "shardKey" => {}
            other => {
                // Prisma names an unknown block attribute with one `@`.
                let msg = format!("Attribute not known: \"@{other}\".");
                let hint = suggest(other, BLOCK_ATTRS)
                    .map(|s| format!("did you mean `@@{s}`?"))
                    .unwrap_or_else(|| {
                        format!(
                            "known block attributes: {}",
                            BLOCK_ATTRS
                                .iter()
                                .map(|a| format!("@@{a}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    });
                sink.err(Code::AttributeUnknown, msg, a.span).hint = Some(hint);
            }
        }
    }

    shard_keys(b, &fields, &relation_fields, ignored, sink);

    ModelEntry {
        block: b,
        loc,
        model: Model {
            name: b.name.name.clone(),
            db_name,
            db_name_span: b
                .attribute("map")
                .map_or(b.keyword_span.to(b.name.span), |a| a.span),
            is_view: b.kind == BlockKind::View,
            ignored,
            schema,
            docs: docs(&b.docs),
            fields,
            relation_fields: Vec::new(),
            primary_key,
            uniques,
            indexes,
            span: b.span,
        },
        scalars,
        relation_fields,
        unresolved,
        id_attrs,
        unsupported_fulltext,
        schema_attrs,
    }
}
