//! Relations: every relation field has its other side, each relation is unambiguous, and its
//! `fields`/`references` hold a foreign key the database can enforce. The checks of one
//! relation stop at its first error; a relation whose checks failed is left out of what follows
//! (constraint names, indexes, the lowering).

use crate::ast::Arity;
use crate::diagnostic::Code;
use crate::model::{Model, Provider, ReferentialAction, RelationMode, ScalarField};
use crate::source::Span;
use crate::validate::common::suggest;
use crate::validate::db::{Db, FieldRef, ModelEntry, RelationEntry, RelationFieldEntry, Shape};
use crate::validate::sink::Sink;

/// Checks every relation; for each, whether its checks passed.
pub(super) fn check(db: &Db, sink: &mut Sink) -> Vec<bool> {
    db.relations
        .iter()
        .map(|r| relation(db, r, sink).is_some())
        .collect()
}

/// `None` when an error was reported.
fn relation(db: &Db, r: &RelationEntry, sink: &mut Sink) -> Option<()> {
    match r.shape {
        Shape::OneSided { external: true, .. } => Some(()),
        Shape::OneSided { field, .. } => missing_opposite(db, field, sink),
        Shape::Ambiguous { holder } => ambiguous(db, r, holder, sink),
        Shape::AmbiguousSelf { a, b } => ambiguous_self_relation(db, a, b, sink),
        Shape::UnnamedSelf => unnamed_self_relation(db, r, sink),
        Shape::ManyToMany { a, b } => many_to_many(db, a, b, sink),
        Shape::OneToOneUndecided { a, b, both: true } => both_sides_define(db, a, b, sink),
        Shape::OneToOneUndecided { a, b, both: false } => no_side_defines(db, a, b, sink),
        Shape::OneToMany { forward, back } => inline(db, forward, back, false, sink),
        Shape::OneToOne { forward, back } => inline(db, forward, back, true, sink),
    }
}

/// A relation field needs a field on the other model that points back (`prisma format` adds it).
fn missing_opposite(db: &Db, field: FieldRef, sink: &mut Sink) -> Option<()> {
    let f = db.rf(field);
    let model = &db.model_of(field).model.name;
    let name = f.name();
    let msg = format!(
        "Error validating field `{name}` in model `{model}`: The relation field `{name}` on model `{model}` is missing an opposite relation field on the model `{}`. Either run `prisma format` or add it manually.",
        f.target
    );
    sink.err(Code::RelationMissingOpposite, msg, f.ast.span)
        .hint = Some("run `sovereign format` to add the missing field".into());
    None
}

/// Two relations between the same models need names to tell them apart.
fn ambiguous(db: &Db, r: &RelationEntry, holder: usize, sink: &mut Sink) -> Option<()> {
    let fields: Vec<FieldRef> = r
        .fields
        .iter()
        .copied()
        .filter(|f| f.model == holder)
        .collect();
    let holder_name = &db.models[holder].model.name;
    let names: Vec<String> = fields
        .iter()
        .map(|f| format!("`{}`", db.rf(*f).name()))
        .collect();
    let msg = format!(
        "Error validating model \"{holder_name}\": Ambiguous relation detected. The fields {} in model `{holder_name}` both refer to `{}`. Please provide different relation names for them by adding `@relation(<name>).",
        names.join(" and "),
        db.rf(fields[0]).target
    );
    let mut d = Code::RelationAmbiguous
        .error(msg, db.rf(fields[0]).ast.span)
        .with_hint(
            "name each relation on both sides, e.g. `@relation(\"sent\")` and `@relation(\"received\")`",
        );
    for f in &fields[1..] {
        d = d.with_note(db.rf(*f).ast.span, "this field refers to the same model");
    }
    sink.push(d);
    None
}

/// Two fields of a model pointing at the model itself may be one relation or two: a name says.
fn ambiguous_self_relation(db: &Db, a: FieldRef, b: FieldRef, sink: &mut Sink) -> Option<()> {
    let model = &db.model_of(a).model.name;
    let msg = format!(
        "Error validating model \"{model}\": Ambiguous self relation detected. The fields `{}` and `{}` in model `{model}` both refer to `{model}`. If they are part of the same relation add the same relation name for them with `@relation(<name>)`.",
        db.rf(a).name(),
        db.rf(b).name()
    );
    let d = sink.err(Code::SelfRelationAmbiguous, msg, db.rf(a).ast.span);
    d.notes.push((db.rf(b).ast.span, "the other field".into()));
    d.hint = Some(format!(
        "if they are one relation, name it on both fields: `@relation(\"{}\")`; if they are two, give each its own name",
        db.rf(a).name()
    ));
    None
}

/// More than two such fields: they are several relations, each needs a name.
fn unnamed_self_relation(db: &Db, r: &RelationEntry, sink: &mut Sink) -> Option<()> {
    let model = &db.model_of(r.fields[0]).model.name;
    let names: Vec<String> = r
        .fields
        .iter()
        .map(|f| format!("`{}`", db.rf(*f).name()))
        .collect();
    let (last, rest) = names.split_last().expect("a group has fields");
    let msg = format!(
        "Error validating model \"{model}\": Unnamed self relation detected. The fields {} and {last} in model `{model}` have no relation name. Please provide a relation name for one of them by adding `@relation(<name>).",
        rest.join(", ")
    );
    sink.err(Code::SelfRelationUnnamed, msg, db.rf(r.fields[0]).ast.span)
        .hint = Some(
        "name each relation on both of its fields, e.g. `@relation(\"tree\")` on a parent field and on the list of its children".into(),
    );
    None
}

/// MongoDB keeps many-to-many as lists of ids on both sides; SQL databases get an implicit
/// join table, which needs a single-field id on both models.
fn many_to_many(db: &Db, a: FieldRef, b: FieldRef, sink: &mut Sink) -> Option<()> {
    let with_view = db.model_of(a).model.is_view || db.model_of(b).model.is_view;
    if with_view {
        for p in [a, b] {
            sink.err(
                Code::ViewManyToMany,
                "Error validating: Implicit many-to-many relations are not supported for views.",
                db.rf(p).ast.span,
            )
            .hint =
                Some("relate the view to a model with a foreign key (one-to-many) instead".into());
        }
        // Prisma goes on with the id check, and names both sides views in its message.
        many_to_many_ids(db, a, b, "view", "view", sink);
        return None;
    }
    if db.config.provider == Provider::Mongodb {
        return Some(());
    }
    for p in [a, b] {
        let f = db.rf(p);
        if f.has_arguments() {
            let msg = format!(
                "Error parsing attribute \"@relation\": The relation field `{}` on Model `{}` must not specify the `fields` or `references` argument in the @relation attribute: implicit many-to-many relations are managed by Prisma.",
                f.name(),
                db.model_of(p).model.name
            );
            sink.err(Code::ManyToManyArguments, msg, f.attr_span);
            return None;
        }
    }
    many_to_many_ids(db, a, b, "model", "Model", sink)
}

/// Both sides of an implicit many-to-many relation need a single-field id.
fn many_to_many_ids(
    db: &Db,
    a: FieldRef,
    b: FieldRef,
    kind: &str,
    kind_on: &str,
    sink: &mut Sink,
) -> Option<()> {
    let mut ok = true;
    for (p, other) in [(a, b), (b, a)] {
        let f = db.rf(p);
        let model = &db.model_of(p).model.name;
        let target = &db.model_of(other).model;
        let single_id = target
            .primary_key
            .as_ref()
            .is_some_and(|pk| pk.fields.len() == 1);
        if !single_id {
            let msg = format!(
                "Error validating field `{}` in {kind} `{model}`: The relation field `{}` on {kind_on} `{model}` references `{}` which does not have an `@id` field. Models without `@id` cannot be part of a many to many relation. Use an explicit intermediate Model to represent this relationship.",
                f.name(),
                f.name(),
                target.name
            );
            sink.err(Code::ManyToManyId, msg, f.ast.span);
            ok = false;
            if kind == "model" {
                return None;
            }
        }
    }
    ok.then_some(())
}

/// A one-to-one relation gives `fields`/`references` on one side only...
fn both_sides_define(db: &Db, a: FieldRef, b: FieldRef, sink: &mut Sink) -> Option<()> {
    let (fa, fb) = (db.rf(a), db.rf(b));
    let msg = format!(
        "Error parsing attribute \"@relation\": The relation fields `{}` on Model `{}` and `{}` on Model `{}` both provide the `references` argument in the @relation attribute. You have to provide it only on one of the two fields.",
        fa.name(),
        db.model_of(a).model.name,
        fb.name(),
        db.model_of(b).model.name
    );
    sink.err(Code::OneToOneBothSides, msg, fb.attr_span)
        .notes
        .push((fa.attr_span, "the other side".into()));
    None
}

/// ...and on one of them.
fn no_side_defines(db: &Db, a: FieldRef, b: FieldRef, sink: &mut Sink) -> Option<()> {
    let (fa, fb) = (db.rf(a), db.rf(b));
    let msg = format!(
        "Error parsing attribute \"@relation\": The relation fields `{}` on Model `{}` and `{}` on Model `{}` do not provide the `fields` argument in the @relation attribute. You have to provide it on one of the two fields.",
        fa.name(),
        db.model_of(a).model.name,
        fb.name(),
        db.model_of(b).model.name
    );
    sink.err(Code::OneToOneNoSide, msg, fa.ast.span).hint = Some(format!(
        "add `@relation(fields: [{}Id], references: [id])` to the side that should hold the foreign key",
        fa.name()
    ));
    None
}

/// A one-to-many or one-to-one relation: `fk` (the forward side) holds the foreign key, `back`
/// is the other side, in the referenced model.
#[derive(Clone, Copy)]
struct Inline<'d, 'a> {
    db: &'d Db<'a>,
    fk: FieldRef,
    back: FieldRef,
}

impl<'d, 'a> Inline<'d, 'a> {
    fn fk(&self) -> &'d RelationFieldEntry<'a> {
        self.db.rf(self.fk)
    }

    fn back(&self) -> &'d RelationFieldEntry<'a> {
        self.db.rf(self.back)
    }

    fn fk_model(&self) -> &'d Model {
        &self.db.model_of(self.fk).model
    }

    /// The referenced model.
    fn target(&self) -> &'d Model {
        &self.db.model_of(self.back).model
    }

    /// The names in `fields` (checked to be given before anything reads them).
    fn fields(&self) -> &'d [(String, Span)] {
        self.fk().fields.as_deref().unwrap_or_default()
    }

    fn references(&self) -> &'d [(String, Span)] {
        self.fk().references.as_deref().unwrap_or_default()
    }
}

fn inline(db: &Db, fk: FieldRef, back: FieldRef, one_to_one: bool, sink: &mut Sink) -> Option<()> {
    let r = Inline { db, fk, back };
    back_side_has_no_arguments(r, sink)?;
    back_side_has_no_actions(r, sink);
    foreign_key_is_given(r, sink)?;
    // Both are reported, as Prisma does.
    let fields = fields_exist(r, sink);
    let references = references_exist(r, sink);
    fields.and(references)?;
    same_length(r, sink)?;
    same_types(r, sink)?;
    references_are_unique(r, sink)?;
    if one_to_one {
        one_to_one_foreign_key_is_unique(r, sink)?;
        one_to_one_back_side_is_optional(r, sink)?;
    }
    optional_foreign_key_optional_field(r, sink)?;
    set_null_on_required(r, sink);
    mongodb_native_types(r, sink);
    Some(())
}

/// Only the forward side gives `fields`/`references`.
fn back_side_has_no_arguments(r: Inline, sink: &mut Sink) -> Option<()> {
    let b = r.back();
    if !b.has_arguments() {
        return Some(());
    }
    let msg = format!(
        "Error parsing attribute \"@relation\": The relation field `{}` on Model `{}` must not specify the `fields` or `references` argument in the @relation attribute. You must only specify it on the opposite field `{}` on model `{}`.",
        b.name(),
        r.target().name,
        r.fk().name(),
        r.fk_model().name
    );
    sink.err(Code::RelationBackSideArguments, msg, b.attr_span);
    None
}

/// Only the forward side gives `onDelete`/`onUpdate` (one the provider lacks was reported).
fn back_side_has_no_actions(r: Inline, sink: &mut Sink) {
    let b = r.back();
    if r.db.supported_action(b.on_delete).is_none() && r.db.supported_action(b.on_update).is_none()
    {
        return;
    }
    let msg = format!(
        "Error parsing attribute \"@relation\": The relation field `{}` on Model `{}` must not specify the `onDelete` or `onUpdate` argument in the @relation attribute. You must only specify it on the opposite field `{}` on model `{}`, or in case of a many to many relation, in an explicit join table.",
        b.name(),
        r.target().name,
        r.fk().name(),
        r.fk_model().name
    );
    sink.err(Code::RelationBackSideActions, msg, b.attr_span);
}

/// The forward side gives both `fields` and `references`.
fn foreign_key_is_given(r: Inline, sink: &mut Sink) -> Option<()> {
    let f = r.fk();
    let model = &r.fk_model().name;
    if f.fields.is_none() {
        let msg = format!(
            "Error parsing attribute \"@relation\": The relation field `{}` on Model `{model}` must specify the `fields` argument in the @relation attribute. You can run `prisma format` to fix this automatically.",
            f.name()
        );
        sink.err(Code::RelationFieldsMissing, msg, f.attr_span).hint =
            Some("e.g. `@relation(fields: [authorId], references: [id])`".into());
        return None;
    }
    if f.references.is_none() {
        let msg = format!(
            "Error parsing attribute \"@relation\": The relation field `{}` on Model `{model}` must specify the `references` argument in the @relation attribute.",
            f.name()
        );
        sink.err(Code::RelationReferencesMissing, msg, f.attr_span)
            .hint = Some("e.g. `references: [id]`".into());
        return None;
    }
    Some(())
}

/// `fields` name scalar fields of the model: neither unknown names nor relation fields. One
/// whose type did not resolve was reported where its type is named: the relation is left alone.
fn fields_exist(r: Inline, sink: &mut Sink) -> Option<()> {
    let m = r.db.model_of(r.fk);
    let (unknown, relational) = not_scalar(m, r.fields())?;
    let model = &m.model;
    if !unknown.is_empty() {
        let msg = format!(
            "Error validating: The argument fields must refer only to existing fields. The following fields do not exist in this model: {}",
            unknown.join(", ")
        );
        let names: Vec<&str> = model.fields.iter().map(|f| f.name.as_str()).collect();
        let hint = suggest(unknown[0], &names)
            .map(|s| format!("did you mean `{s}`?"))
            .unwrap_or_else(|| {
                format!(
                    "add a scalar field such as `{} Int` to `{}`",
                    unknown[0], model.name
                )
            });
        sink.err(Code::RelationFieldsUnknown, msg, r.fk().attr_span)
            .hint = Some(hint);
    }
    if !relational.is_empty() {
        let msg = format!(
            "Error validating: The argument fields must refer only to scalar fields. But it is referencing the following relation fields: {}",
            relational.join(", ")
        );
        sink.err(Code::RelationFieldsNotScalar, msg, r.fk().attr_span)
            .hint = Some(
            "name the scalar fields that hold the foreign key, e.g. `fields: [authorId]`".into(),
        );
    }
    (unknown.is_empty() && relational.is_empty()).then_some(())
}

/// `references` name scalar fields of the referenced model (see [`fields_exist`]).
fn references_exist(r: Inline, sink: &mut Sink) -> Option<()> {
    let m = r.db.model_of(r.back);
    let (unknown, relational) = not_scalar(m, r.references())?;
    let target = &m.model;
    if !unknown.is_empty() {
        let msg = format!(
            "Error validating: The argument `references` must refer only to existing fields in the related model `{}`. The following fields do not exist in the related model: {}",
            target.name,
            unknown.join(", ")
        );
        sink.err(Code::RelationReferencesUnknown, msg, r.fk().attr_span);
    }
    if !relational.is_empty() {
        let msg = format!(
            "Error validating: The argument `references` must refer only to scalar fields in the related model `{}`. But it is referencing the following relation fields: {}",
            target.name,
            relational.join(", ")
        );
        sink.err(Code::RelationReferencesNotScalar, msg, r.fk().attr_span)
            .hint =
            Some("reference the fields of the related model's id or of a unique constraint".into());
    }
    (unknown.is_empty() && relational.is_empty()).then_some(())
}

/// The names that are not scalar fields of `m`: unknown ones and relation fields. `None` when
/// one names a field whose type did not resolve (its error stands for this one).
fn not_scalar<'n>(
    m: &ModelEntry,
    names: &'n [(String, Span)],
) -> Option<(Vec<&'n str>, Vec<&'n str>)> {
    if names.iter().any(|(n, _)| m.is_unresolved(n)) {
        return None;
    }
    let mut unknown = Vec::new();
    let mut relational = Vec::new();
    for (n, _) in names {
        if m.model.field(n).is_some() {
            continue;
        }
        if m.relation_fields.iter().any(|f| f.name() == n) {
            relational.push(n.as_str());
        } else {
            unknown.push(n.as_str());
        }
    }
    Some((unknown, relational))
}

fn same_length(r: Inline, sink: &mut Sink) -> Option<()> {
    if r.fields().len() == r.references().len() {
        return Some(());
    }
    sink.err(
        Code::RelationArgumentsLength,
        "Error validating: You must specify the same number of fields in `fields` and `references`.",
        r.fk().attr_span,
    );
    None
}

/// Each foreign key field has the type (and native type, when both give one) of the field it
/// references.
fn same_types(r: Inline, sink: &mut Sink) -> Option<()> {
    let (model, target) = (r.fk_model(), r.target());
    for (f, re) in r.fields().iter().zip(r.references()) {
        let (lf, rf) = (model.field(&f.0)?, target.field(&re.0)?);
        let same = lf.ty == rf.ty
            && (lf.native_type.is_none()
                || rf.native_type.is_none()
                || lf.native_type == rf.native_type);
        if !same {
            let msg = format!(
                "Error parsing attribute \"@relation\": The type of the field `{}` in the model `{}` is not matching the type of the referenced field `{}` in model `{}`.",
                lf.name, model.name, rf.name, target.name
            );
            sink.err(Code::RelationTypeMismatch, msg, f.1).hint =
                Some(format!("declare `{}` as `{}`", lf.name, rf.ty.name()));
            return None;
        }
    }
    Some(())
}

/// `references` are a unique criterion of the referenced model (a view's rows are identified
/// as the user says).
fn references_are_unique(r: Inline, sink: &mut Sink) -> Option<()> {
    let target = r.target();
    let refs: Vec<&str> = r.references().iter().map(|x| x.0.as_str()).collect();
    let is_unique = target
        .unique_criteria()
        .any(|c| c.len() == refs.len() && c.iter().all(|f| refs.contains(&f.name.as_str())));
    if is_unique || target.is_view {
        return Some(());
    }
    let msg = format!(
        "Error parsing attribute \"@relation\": The argument `references` must refer to a unique criterion in the related model. Consider adding an `@unique` attribute to the field `{}` in the model `{}`.",
        refs.join(", "),
        target.name
    );
    sink.err(Code::RelationReferencesNotUnique, msg, r.fk().attr_span);
    None
}

/// A one-to-one relation's foreign key is unique.
fn one_to_one_foreign_key_is_unique(r: Inline, sink: &mut Sink) -> Option<()> {
    let names: Vec<&str> = r.fields().iter().map(|x| x.0.as_str()).collect();
    let unique = r
        .fk_model()
        .unique_criteria()
        .any(|c| c.len() == names.len() && c.iter().all(|f| names.contains(&f.name.as_str())));
    if unique {
        return Some(());
    }
    let msg = format!(
        "Error parsing attribute \"@relation\": A one-to-one relation must use unique fields on the defining side. Either add an `@unique` attribute to the field `{}`, or change the relation to one-to-many.",
        names.join(", ")
    );
    sink.err(Code::OneToOneNotUnique, msg, r.fk().attr_span);
    None
}

/// The back side of a one-to-one relation is optional: the database cannot enforce it.
fn one_to_one_back_side_is_optional(r: Inline, sink: &mut Sink) -> Option<()> {
    let b = r.back();
    if b.arity != Arity::Required {
        return Some(());
    }
    let fk_model = &r.fk_model().name;
    let msg = format!(
        "Error parsing attribute \"@relation\": The relation field `{}` on Model `{}` is required. This is not valid because it's not possible to enforce this constraint on the database level. Please change the field type from `{fk_model}` to `{fk_model}?` to fix this.",
        b.name(),
        r.target().name
    );
    sink.err(Code::OneToOneBackRequired, msg, b.ast.span);
    None
}

/// A relation whose foreign key may be null is optional.
fn optional_foreign_key_optional_field(r: Inline, sink: &mut Sink) -> Option<()> {
    let f = r.fk();
    let any_optional = r.db.fk_fields(r.fk).any(|x| !x.is_required());
    if !any_optional || f.arity != Arity::Required {
        return Some(());
    }
    let names: Vec<&str> = r.fields().iter().map(|x| x.0.as_str()).collect();
    let msg = format!(
        "Error validating: The relation field `{}` uses the scalar fields {}. At least one of those fields is optional. Hence the relation field must be optional as well.",
        f.name(),
        names.join(", ")
    );
    sink.err(Code::RelationOptionalForeignKey, msg, f.ast.span)
        .hint = Some(format!(
        "write `{} {}?`, or make the foreign key fields required",
        f.name(),
        r.target().name
    ));
    None
}

/// MongoDB joins collections by comparing values: an `ObjectId` never equals a string, so a
/// foreign key and the field it references need the same native type (Prisma warns).
fn mongodb_native_types(r: Inline, sink: &mut Sink) {
    if r.db.config.provider != Provider::Mongodb {
        return;
    }
    let (m, t) = (r.fk_model(), r.target());
    for ((f, _), (x, _)) in r.fields().iter().zip(r.references()) {
        let (Some(fk), Some(rf)) = (m.field(f), t.field(x)) else {
            continue;
        };
        let native = |f: &ScalarField| f.native_type.as_ref().map(|n| n.name.clone());
        let (a, b) = (native(fk), native(rf));
        if a == b {
            continue;
        }
        let (with, without, ty) = match (&a, &b) {
            (Some(n), None) => (format!("{}.{f}", m.name), format!("{}.{x}", t.name), n),
            (_, Some(n)) => (format!("{}.{x}", t.name), format!("{}.{f}", m.name), n),
            (None, None) => continue,
        };
        let msg = format!(
            "Warning validating field `{}` in model `{}`: Field {}.{f} and {}.{x} must have the same native type for MongoDB to join those collections correctly. Consider either removing {with}'s native type attribute or adding '@db.{ty}' to {without}. Beware that this will become an error in the future.",
            r.fk().name(),
            m.name,
            m.name,
            t.name
        );
        sink.warn(Code::MongodbRelationNativeType, msg, r.fk().ast.span)
            .hint = Some(format!("add `@db.{ty}` to {without}"));
    }
}

/// `SetNull` on a required foreign key cannot set NULL: Prisma refuses it, but warns only on
/// PostgreSQL with foreign keys (and in a partial schema, whose provider is not known yet).
fn set_null_on_required(r: Inline, sink: &mut Sink) {
    if !r.db.fk_fields(r.fk).any(ScalarField::is_required) {
        return;
    }
    let config = &r.db.config;
    let warning = r.db.options.partial
        || (config.provider == Provider::Postgresql
            && config.relation_mode != RelationMode::Prisma);
    let f = r.fk();
    for (action, which) in [(f.on_delete, "onDelete"), (f.on_update, "onUpdate")] {
        if let Some((ReferentialAction::SetNull, span)) = r.db.supported_action(action) {
            if warning {
                sink.warn(
                    Code::SetNullOnRequired,
                    format!("The `{which}` referential action of a relation should not be set to `SetNull` when a referenced field is required. We recommend either to choose another referential action, or to make the referenced fields optional. Read more at https://pris.ly/d/postgres-set-null"),
                    span,
                );
            } else {
                sink.err(
                    Code::SetNullOnRequired,
                    format!("Error parsing attribute \"@relation\": The `{which}` referential action of a relation must not be set to `SetNull` when a referenced field is required.\nEither choose another referential action, or make the referenced fields optional.\n"),
                    span,
                )
                .hint = Some("make the foreign key fields optional, or choose `Cascade`, `Restrict` or `NoAction`".into());
            }
        }
    }
}
