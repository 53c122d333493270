//! The resolved database: every block, field, attribute and relation of the schema, read once,
//! with what it resolves to (like Prisma's `ParserDatabase`). The rules, the formatter,
//! composition and the lowering to the public [`Schema`](crate::model::Schema) walk it; none
//! of them reads names out of the syntax tree again.
//!
//! What could not be resolved is marked rather than dropped silently: a field whose type names
//! nothing is kept in [`ModelEntry::unresolved`], a relation is a [`Shape`] even when its other
//! side is missing, a `@@fulltext` the provider lacks is kept in
//! [`ModelEntry::unsupported_fulltext`]. Rules skip what is marked, so one mistake gives one
//! error.

use crate::ast::{Arity, Attribute, Block, Field};
use crate::model::{
    CompositeType, Datasource, DefaultKind, Enum, Generator, Model, Provider, ReferentialAction,
    RelationMode, ScalarField,
};
use crate::source::Span;
use std::collections::{HashMap, HashSet};

/// How to read the files.
#[derive(Debug, Clone, Copy, Default)]
pub struct ValidateOptions {
    /// A partial schema (a plugin's `extension.prisma`): no datasource is required, and types
    /// that name no block of these files are taken as models defined elsewhere.
    pub partial: bool,
}

/// What the configuration blocks say, as the rest of the schema reads it.
pub(crate) struct Config {
    /// The datasource's provider, or PostgreSQL when there is none (a partial schema).
    pub provider: Provider,
    /// The datasource's provider, when the schema names one.
    pub ds_provider: Option<Provider>,
    /// The datasource's name: the prefix of native types (`@db.Text`).
    pub ds_name: String,
    /// The datasource's `schemas`, when it has the property.
    pub ds_schemas: Option<Vec<String>>,
    /// `relationMode` (MongoDB: always emulated).
    pub relation_mode: RelationMode,
    /// The preview features enabled, lower-cased (Prisma matches them ignoring case).
    pub preview: HashSet<String>,
    /// `extensions` read without errors (the rules check the names then).
    pub extensions_read: bool,
}

impl Config {
    /// Whether a preview feature is enabled.
    pub(crate) fn has_preview(&self, feature: &str) -> bool {
        self.preview.contains(&feature.to_ascii_lowercase())
    }
}

/// Where a block is in the files read: file index, item index (the formatter edits it there).
pub(crate) type BlockLoc = (usize, usize);

/// The schema, resolved.
pub(crate) struct Db<'a> {
    pub options: ValidateOptions,
    /// Every block of every file, in order.
    pub blocks: Vec<&'a Block>,
    /// For each of [`Db::blocks`]: whether it is the first definition of its name (a second one
    /// is reported once, and rules about the names skip it).
    pub first_definition: Vec<bool>,
    /// Models, views, enums and composite types by name: the first definition of each (an
    /// index in [`Db::blocks`]; see [`Db::top`]).
    pub tops: HashMap<&'a str, usize>,
    /// For each of [`Db::blocks`]: its index in [`Db::models`], when it is a model or view.
    pub block_models: Vec<Option<usize>>,
    pub config: Config,
    pub datasource: Option<Datasource>,
    pub generators: Vec<Generator>,
    pub enums: Vec<EnumEntry<'a>>,
    pub composite_types: Vec<CompositeEntry<'a>>,
    /// Models and views, in order.
    pub models: Vec<ModelEntry<'a>>,
    /// The relation fields paired into relations, in the order their first field appears.
    pub relations: Vec<RelationEntry>,
}

/// A resolved enum.
pub(crate) struct EnumEntry<'a> {
    pub block: &'a Block,
    pub value: Enum,
    /// Every `@@schema` read, with its attribute's span.
    pub schema_attrs: Vec<(Span, String)>,
}

/// A resolved composite type.
pub(crate) struct CompositeEntry<'a> {
    pub block: &'a Block,
    pub value: CompositeType,
    /// For each of `value.fields`.
    pub scalars: Vec<ScalarEntry<'a>>,
}

/// What the resolved [`ScalarField`] of the same index came from.
pub(crate) struct ScalarEntry<'a> {
    pub ast: &'a Field,
    /// Which of the attributes whose place the rules check it has ([`ScalarEntry::ID`], ...),
    /// so that the rules read its attributes again only when one may be misplaced.
    pub placed: u8,
    /// `@default(autoincrement())` and `@default(auto())`, whose support depends on the provider,
    /// with their attributes.
    pub provider_defaults: Vec<(&'a Attribute, DefaultKind)>,
}

impl ScalarEntry<'_> {
    /// `@id`.
    pub(crate) const ID: u8 = 1;
    /// `@unique`.
    pub(crate) const UNIQUE: u8 = 2;
    /// `@updatedAt`.
    pub(crate) const UPDATED_AT: u8 = 4;
    /// `@ignore`.
    pub(crate) const IGNORE: u8 = 8;
    /// `@relation`.
    pub(crate) const RELATION: u8 = 16;
}

/// A resolved model or view.
pub(crate) struct ModelEntry<'a> {
    pub block: &'a Block,
    pub loc: BlockLoc,
    /// Its scalar fields, primary key, unique criteria and indexes (relation fields are in
    /// [`ModelEntry::relation_fields`] until the lowering numbers the relations).
    pub model: Model,
    /// For each of `model.fields`.
    pub scalars: Vec<ScalarEntry<'a>>,
    pub relation_fields: Vec<RelationFieldEntry<'a>>,
    /// Fields whose type did not resolve (reported where the type is named): index and
    /// relation arguments naming them are not checked again.
    pub unresolved: Vec<&'a Field>,
    /// Every `@id` (of a resolved field) and `@@id`, in order.
    pub id_attrs: Vec<Span>,
    /// `@@fulltext` attributes that were not read because the provider has no full-text indexes.
    pub unsupported_fulltext: Vec<&'a Attribute>,
    /// Every `@@schema` read, with its attribute's span.
    pub schema_attrs: Vec<(Span, String)>,
}

impl ModelEntry<'_> {
    /// Whether a field of this name exists but its type did not resolve.
    pub(crate) fn is_unresolved(&self, name: &str) -> bool {
        self.unresolved.iter().any(|f| f.name.name == name)
    }
}

/// A field whose type is a model, with its `@relation` read.
pub(crate) struct RelationFieldEntry<'a> {
    pub ast: &'a Field,
    /// The model it points at, as written.
    pub target: &'a str,
    /// The first definition of the target in [`Db::models`] (`None`: defined elsewhere, in a
    /// partial schema).
    pub target_model: Option<usize>,
    pub arity: Arity,
    /// The relation name (`@relation("name")`).
    pub name: Option<String>,
    /// `fields:`, when it reads as a list of names.
    pub fields: Option<Vec<(String, Span)>>,
    /// `references:`, when it reads as a list of names.
    pub references: Option<Vec<(String, Span)>>,
    /// `onDelete:`, when it names a referential action (supported or not: see
    /// [`Db::supported_action`]).
    pub on_delete: Option<(ReferentialAction, Span)>,
    pub on_update: Option<(ReferentialAction, Span)>,
    /// `map:`, the foreign key's name.
    pub map: Option<String>,
    /// The `@relation` attribute, or the field when it has none.
    pub attr_span: Span,
    pub ignored: bool,
    /// Whether it has an attribute of scalar fields (`@map`, `@default`, `@db.*`, ...).
    pub scalar_attributes: bool,
}

impl RelationFieldEntry<'_> {
    /// Whether `fields` or `references` are given.
    pub(crate) fn has_arguments(&self) -> bool {
        self.fields.is_some() || self.references.is_some()
    }

    /// Whether its `@relation` writes the argument `name` (`fields`, `references`), whether or
    /// not it reads.
    pub(crate) fn writes(&self, name: &str) -> bool {
        self.ast
            .attribute("relation")
            .is_some_and(|a| a.arg(name, None).is_some())
    }

    /// The field's name.
    pub(crate) fn name(&self) -> &str {
        &self.ast.name.name
    }
}

/// A relation field: its model and its index among the model's relation fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FieldRef {
    pub model: usize,
    pub field: usize,
}

/// Relation fields paired: the fields between the same two models with the same relation name.
pub(crate) struct RelationEntry {
    /// Every field of the group, in order.
    pub fields: Vec<FieldRef>,
    pub shape: Shape,
}

/// What a group of relation fields amounts to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Shape {
    /// One field without an opposite: a relation to a model of another file (`external`, in a
    /// partial schema), or a missing opposite field.
    OneSided { field: FieldRef, external: bool },
    /// More fields than a relation has (or two of one model pointing at another): `holder` is
    /// the model that holds several.
    Ambiguous { holder: usize },
    /// Two fields of a model pointing at the model itself, without a relation name.
    AmbiguousSelf { a: FieldRef, b: FieldRef },
    /// More than two fields of a model pointing at the model itself, without a relation name.
    UnnamedSelf,
    /// Two lists.
    ManyToMany { a: FieldRef, b: FieldRef },
    /// A list and a single field; `forward` (the single one) holds the foreign key.
    OneToMany { forward: FieldRef, back: FieldRef },
    /// Two single fields; `forward` is the one with `fields`/`references`.
    OneToOne { forward: FieldRef, back: FieldRef },
    /// Two single fields of which both (`both`) or neither give `fields`/`references`.
    OneToOneUndecided {
        a: FieldRef,
        b: FieldRef,
        both: bool,
    },
}

/// What the rules decided, for the lowering.
pub(crate) struct Verdicts {
    /// The relations whose rules passed, lowered, numbered in order.
    pub relations: Vec<crate::model::Relation>,
    /// For each of [`Db::relations`]: its index in `relations`, when its rules passed.
    pub relation_ids: Vec<Option<usize>>,
}

impl<'a> Db<'a> {
    /// The first definition of a model, view, enum or composite type.
    pub(crate) fn top(&self, name: &str) -> Option<&'a Block> {
        self.tops.get(name).map(|&i| self.blocks[i])
    }

    /// A relation field.
    pub(crate) fn rf(&self, r: FieldRef) -> &RelationFieldEntry<'a> {
        &self.models[r.model].relation_fields[r.field]
    }

    /// The model holding a relation field.
    pub(crate) fn model_of(&self, r: FieldRef) -> &ModelEntry<'a> {
        &self.models[r.model]
    }

    /// The referential actions `onDelete`/`onUpdate` may name, by relation mode and provider.
    pub(crate) fn allowed_actions(&self) -> &'static [ReferentialAction] {
        let c = &self.config;
        if c.relation_mode == RelationMode::Prisma
            && matches!(c.provider, Provider::Postgresql | Provider::Sqlite)
        {
            // Prisma's emulation does not implement `NoAction` there.
            &[
                ReferentialAction::Cascade,
                ReferentialAction::Restrict,
                ReferentialAction::SetNull,
            ]
        } else if c.relation_mode == RelationMode::Prisma && c.provider != Provider::Mongodb {
            &[
                ReferentialAction::Cascade,
                ReferentialAction::Restrict,
                ReferentialAction::NoAction,
                ReferentialAction::SetNull,
            ]
        } else {
            c.provider.referential_actions()
        }
    }

    /// [`Db::allowed_actions`], quoted for messages.
    pub(crate) fn allowed_action_list(&self) -> String {
        self.allowed_actions()
            .iter()
            .map(|a| format!("`{}`", a.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A referential action as the relation uses it: `None` when the provider does not support
    /// it (reported by its own rule; the relation then gets the default).
    pub(crate) fn supported_action(
        &self,
        action: Option<(ReferentialAction, Span)>,
    ) -> Option<(ReferentialAction, Span)> {
        action.filter(|(a, _)| self.options.partial || self.allowed_actions().contains(a))
    }

    /// The relation's name: the one given, or Prisma's default `{A}To{B}` (model names sorted).
    pub(crate) fn relation_name(&self, r: &RelationEntry) -> String {
        let a = self.rf(r.fields[0]);
        if let Some(name) = &a.name {
            return name.clone();
        }
        let model = self.model_of(r.fields[0]).model.name.as_str();
        let (x, y) = if model <= a.target {
            (model, a.target)
        } else {
            (a.target, model)
        };
        format!("{x}To{y}")
    }

    /// The scalar fields a relation field names in `fields:`, resolved in its model.
    pub(crate) fn fk_fields(&self, r: FieldRef) -> impl Iterator<Item = &ScalarField> {
        let m = &self.model_of(r).model;
        self.rf(r)
            .fields
            .iter()
            .flatten()
            .filter_map(|(n, _)| m.field(n))
    }
}
