//! The resolved model: a typed view of a valid schema that code generation and migrations read.
//! Every name here is final: database names (`db_name`) are the mapped ones, constraint names
//! are Prisma's defaults (truncated to the provider's identifier limit) unless the user chose one.

use crate::ast::Arity;
use crate::source::Span;
use std::collections::HashMap;
use std::fmt;

/// The database behind a datasource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    /// SQLite (`sqlite`).
    Sqlite,
    /// PostgreSQL (`postgresql`, also `postgres`).
    Postgresql,
    /// MySQL and MariaDB (`mysql`).
    Mysql,
    /// SQL Server (`sqlserver`).
    Sqlserver,
    /// CockroachDB (`cockroachdb`).
    Cockroachdb,
    /// MongoDB (`mongodb`).
    Mongodb,
}

impl Provider {
    /// Every provider, in the order of Prisma's documentation.
    pub const ALL: [Provider; 6] = [
        Provider::Sqlite,
        Provider::Postgresql,
        Provider::Mysql,
        Provider::Sqlserver,
        Provider::Cockroachdb,
        Provider::Mongodb,
    ];

    /// The provider a datasource's `provider = "..."` names.
    pub fn parse(s: &str) -> Option<Provider> {
        Some(match s {
            "sqlite" => Provider::Sqlite,
            "postgresql" | "postgres" => Provider::Postgresql,
            "mysql" => Provider::Mysql,
            "sqlserver" => Provider::Sqlserver,
            "cockroachdb" => Provider::Cockroachdb,
            "mongodb" => Provider::Mongodb,
            _ => return None,
        })
    }

    /// The name `provider = "..."` uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Sqlite => "sqlite",
            Provider::Postgresql => "postgresql",
            Provider::Mysql => "mysql",
            Provider::Sqlserver => "sqlserver",
            Provider::Cockroachdb => "cockroachdb",
            Provider::Mongodb => "mongodb",
        }
    }

    /// Whether columns may hold lists of scalars (`String[]`).
    pub fn supports_scalar_lists(self) -> bool {
        matches!(
            self,
            Provider::Postgresql | Provider::Cockroachdb | Provider::Mongodb
        )
    }

    /// Whether composite types (`type`) exist (MongoDB only).
    pub fn supports_composite_types(self) -> bool {
        self == Provider::Mongodb
    }

    /// Whether enums exist (all but SQL Server).
    pub fn supports_enums(self) -> bool {
        self != Provider::Sqlserver
    }

    /// Whether `@@fulltext` indexes exist (MySQL and MongoDB).
    pub fn supports_fulltext(self) -> bool {
        matches!(self, Provider::Mysql | Provider::Mongodb)
    }

    /// Longest identifier the database accepts; Prisma truncates default constraint names to it.
    pub fn max_identifier_length(self) -> usize {
        match self {
            Provider::Postgresql | Provider::Cockroachdb => 63,
            Provider::Mysql => 64,
            Provider::Sqlserver => 128,
            Provider::Sqlite | Provider::Mongodb => 10_000,
        }
    }

    /// Referential actions the provider accepts (relationMode = "foreignKeys").
    pub fn referential_actions(self) -> &'static [ReferentialAction] {
        use ReferentialAction::*;
        match self {
            Provider::Sqlserver => &[Cascade, NoAction, SetNull, SetDefault],
            Provider::Mongodb => &[Cascade, Restrict, NoAction, SetNull],
            Provider::Cockroachdb => &[Cascade, Restrict, NoAction, SetNull, SetDefault],
            _ => &[Cascade, Restrict, NoAction, SetNull, SetDefault],
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The fully resolved schema.
#[derive(Debug, Clone)]
pub struct Schema {
    /// The datasource (none in a partial schema).
    pub datasource: Option<Datasource>,
    /// The generators, in order.
    pub generators: Vec<Generator>,
    /// Models and views, in order.
    pub models: Vec<Model>,
    /// Enums, in order.
    pub enums: Vec<Enum>,
    /// Composite types (MongoDB), in order.
    pub composite_types: Vec<CompositeType>,
    /// Relations, numbered by [`RelationId`].
    pub relations: Vec<Relation>,
    model_index: HashMap<String, usize>,
}

impl Schema {
    pub(crate) fn new(
        datasource: Option<Datasource>,
        generators: Vec<Generator>,
        models: Vec<Model>,
        enums: Vec<Enum>,
        composite_types: Vec<CompositeType>,
        relations: Vec<Relation>,
    ) -> Self {
        let model_index = models
            .iter()
            .enumerate()
            .map(|(i, m)| (m.name.clone(), i))
            .collect();
        Schema {
            datasource,
            generators,
            models,
            enums,
            composite_types,
            relations,
            model_index,
        }
    }

    /// The provider of the datasource (PostgreSQL for a partial schema without one).
    pub fn provider(&self) -> Provider {
        self.datasource
            .as_ref()
            .map_or(Provider::Postgresql, |d| d.provider)
    }

    /// A model or view by name.
    pub fn model(&self, name: &str) -> Option<&Model> {
        self.model_index.get(name).map(|&i| &self.models[i])
    }

    /// An enum by name.
    pub fn enum_(&self, name: &str) -> Option<&Enum> {
        self.enums.iter().find(|e| e.name == name)
    }

    /// A relation by id.
    pub fn relation(&self, id: RelationId) -> &Relation {
        &self.relations[id.0]
    }

    /// Implicit many-to-many join tables.
    pub fn join_tables(&self) -> impl Iterator<Item = &JoinTable> {
        self.relations.iter().filter_map(|r| r.join_table.as_ref())
    }
}

/// The `datasource` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datasource {
    /// The block's name (the prefix of native types: `db` in `@db.Text`).
    pub name: String,
    /// The database.
    pub provider: Provider,
    /// `url`.
    pub url: Url,
    /// `directUrl`, a URL that bypasses a connection pooler.
    pub direct_url: Option<Url>,
    /// `shadowDatabaseUrl`, the database `migrate dev` may reset.
    pub shadow_database_url: Option<Url>,
    /// `schemas` (multi-schema), empty without.
    pub schemas: Vec<String>,
    /// `relationMode` (`referentialIntegrity` before Prisma 4.5).
    pub relation_mode: RelationMode,
    /// The whole block.
    pub span: Span,
}

/// A connection URL as the schema gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Url {
    /// Written in the schema.
    Literal(String),
    /// `env("NAME")`.
    Env(String),
}

/// Who keeps relations consistent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelationMode {
    /// The database, with foreign keys (the default).
    ForeignKeys,
    /// The client, without foreign keys (`relationMode = "prisma"`; always on MongoDB).
    Prisma,
}

/// A `generator` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generator {
    /// The block's name.
    pub name: String,
    /// `provider` (`env:NAME` when given as `env("NAME")`).
    pub provider: String,
    /// `output`.
    pub output: Option<String>,
    /// `previewFeatures`, as written.
    pub preview_features: Vec<String>,
    /// Every other `key = "value"` property, as written.
    pub config: Vec<(String, String)>,
    /// The whole block.
    pub span: Span,
}

/// An enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enum {
    /// Its name.
    pub name: String,
    /// The database type's name (`@@map`, or the name).
    pub db_name: String,
    /// Its values, in order.
    pub values: Vec<EnumValue>,
    /// `@@schema`.
    pub schema: Option<String>,
    /// Its documentation comments.
    pub docs: Option<String>,
    /// The whole block.
    pub span: Span,
}

/// A value of an enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumValue {
    /// Its name.
    pub name: String,
    /// The value in the database (`@map`, or the name).
    pub db_name: String,
    /// Its documentation comments.
    pub docs: Option<String>,
}

/// A composite type (MongoDB's embedded documents).
#[derive(Debug, Clone, PartialEq)]
pub struct CompositeType {
    /// Its name.
    pub name: String,
    /// Its fields.
    pub fields: Vec<ScalarField>,
    /// The whole block.
    pub span: Span,
}

/// A model or view.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Its name.
    pub name: String,
    /// The table (`@@map`, or the model name).
    pub db_name: String,
    /// Where the table name comes from: the `@@map` attribute, or the model's name.
    pub db_name_span: Span,
    /// Declared with `view`.
    pub is_view: bool,
    /// `@@ignore`: the clients leave it out.
    pub ignored: bool,
    /// `@@schema`.
    pub schema: Option<String>,
    /// Its documentation comments.
    pub docs: Option<String>,
    /// Its scalar fields, in order.
    pub fields: Vec<ScalarField>,
    /// Its relation fields, in order.
    pub relation_fields: Vec<RelationField>,
    /// `@id` or `@@id`.
    pub primary_key: Option<PrimaryKey>,
    /// `@unique` and `@@unique`, in order (field attributes first).
    pub uniques: Vec<Index>,
    /// `@@index` and `@@fulltext`, in order.
    pub indexes: Vec<Index>,
    /// The whole block.
    pub span: Span,
}

impl Model {
    /// A scalar field by name.
    pub fn field(&self, name: &str) -> Option<&ScalarField> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// A relation field by name.
    pub fn relation_field(&self, name: &str) -> Option<&RelationField> {
        self.relation_fields.iter().find(|f| f.name == name)
    }

    /// Every way to identify one row: the primary key first, then each unique constraint.
    pub fn unique_criteria(&self) -> impl Iterator<Item = &[IndexField]> {
        self.primary_key
            .iter()
            .map(|p| p.fields.as_slice())
            .chain(self.uniques.iter().map(|u| u.fields.as_slice()))
    }
}

/// A field with a column (or, in a composite type, a value).
#[derive(Debug, Clone, PartialEq)]
pub struct ScalarField {
    /// Its name.
    pub name: String,
    /// The column (`@map`, or the field name).
    pub db_name: String,
    /// Its type.
    pub ty: ScalarType,
    /// Required, optional or a list.
    pub arity: Arity,
    /// `@db.*`.
    pub native_type: Option<NativeType>,
    /// `@default`.
    pub default: Option<DefaultValue>,
    /// `@updatedAt`.
    pub updated_at: bool,
    /// `@ignore`: the clients leave it out.
    pub ignored: bool,
    /// Its documentation comments.
    pub docs: Option<String>,
    /// The whole field.
    pub span: Span,
}

impl ScalarField {
    /// Whether it must hold a value.
    pub fn is_required(&self) -> bool {
        self.arity == Arity::Required
    }

    /// The field has a column the clients read and write: not ignored, not a composite or
    /// `Unsupported` type, and a scalar list only of the element types the clients decode.
    /// The generated client and the untyped runtime both go by this.
    pub fn in_client(&self) -> bool {
        !self.ignored
            && !matches!(
                self.ty,
                ScalarType::Composite(_) | ScalarType::Unsupported(_)
            )
            && (self.arity != Arity::List
                || matches!(
                    self.ty,
                    ScalarType::String
                        | ScalarType::Int
                        | ScalarType::BigInt
                        | ScalarType::Float
                        | ScalarType::Boolean
                        | ScalarType::Decimal
                        | ScalarType::DateTime
                ))
    }
}

/// The type of a scalar field.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ScalarType {
    /// `Int`.
    Int,
    /// `BigInt`.
    BigInt,
    /// `Float`.
    Float,
    /// `Decimal`.
    Decimal,
    /// `String`.
    String,
    /// `Boolean`.
    Boolean,
    /// `DateTime`.
    DateTime,
    /// `Json`.
    Json,
    /// `Bytes`.
    Bytes,
    /// An enum of the schema, by name.
    Enum(String),
    /// A composite type of the schema, by name.
    Composite(String),
    /// `Unsupported("database type")`.
    Unsupported(String),
}

impl ScalarType {
    /// The scalar type a name denotes (`"Int"`), when it is one.
    pub fn builtin(name: &str) -> Option<ScalarType> {
        Some(match name {
            "Int" => ScalarType::Int,
            "BigInt" => ScalarType::BigInt,
            "Float" => ScalarType::Float,
            "Decimal" => ScalarType::Decimal,
            "String" => ScalarType::String,
            "Boolean" => ScalarType::Boolean,
            "DateTime" => ScalarType::DateTime,
            "Json" => ScalarType::Json,
            "Bytes" => ScalarType::Bytes,
            _ => return None,
        })
    }

    /// The name as written in a schema.
    pub fn name(&self) -> &str {
        match self {
            ScalarType::Int => "Int",
            ScalarType::BigInt => "BigInt",
            ScalarType::Float => "Float",
            ScalarType::Decimal => "Decimal",
            ScalarType::String => "String",
            ScalarType::Boolean => "Boolean",
            ScalarType::DateTime => "DateTime",
            ScalarType::Json => "Json",
            ScalarType::Bytes => "Bytes",
            ScalarType::Enum(n) | ScalarType::Composite(n) => n,
            ScalarType::Unsupported(_) => "Unsupported",
        }
    }
}

/// `@db.VarChar(255)`: the name after the datasource prefix and the arguments as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NativeType {
    /// The type's name (`VarChar`).
    pub name: String,
    /// Its arguments as written (`255`, `Max`).
    pub args: Vec<String>,
}

/// A field's `@default`.
#[derive(Debug, Clone, PartialEq)]
pub struct DefaultValue {
    /// The value or function.
    pub kind: DefaultKind,
    /// The constraint name given with `map:` (SQL Server).
    pub map: Option<String>,
}

/// What a default is.
#[derive(Debug, Clone, PartialEq)]
pub enum DefaultKind {
    /// Generated by the database.
    Autoincrement,
    /// `now()`.
    Now,
    /// `dbgenerated("...")`: an expression of the database.
    DbGenerated(Option<String>),
    /// `sequence()` (CockroachDB).
    Sequence,
    /// MongoDB's `auto()`.
    Auto,
    /// Generated by the client.
    Uuid(u8),
    /// `cuid(1)` or `cuid(2)`.
    Cuid(u8),
    /// `nanoid()`, with an optional length.
    Nanoid(Option<u8>),
    /// `ulid()`.
    Ulid,
    /// A literal.
    Value(Literal),
    /// A list of literals (for list fields).
    List(Vec<Literal>),
}

/// A literal default value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// A string (also for `DateTime`, `Json` and `Bytes`).
    String(String),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A Decimal or a number too large for `i64`, as written.
    Number(String),
    /// `true` or `false`.
    Boolean(bool),
    /// An enum value (by its Prisma name).
    Enum(String),
}

/// The order of a field in an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortOrder {
    /// Ascending.
    Asc,
    /// Descending.
    Desc,
}

/// One field of a primary key or index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexField {
    /// The field's name.
    pub name: String,
    /// Its column.
    pub db_name: String,
    /// `sort:`.
    pub sort: Option<SortOrder>,
    /// `length:` (MySQL's prefix length).
    pub length: Option<u32>,
    /// `ops:` (a PostgreSQL operator class).
    pub ops: Option<OperatorClass>,
}

/// A PostgreSQL operator class of an index field (`ops:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperatorClass {
    /// One Prisma names ([`OPERATOR_CLASSES`]): `JsonbPathOps`.
    Named(String),
    /// `raw("gist_trgm_ops")`: the database's own name, not checked.
    Raw(String),
}

/// The operator classes Prisma 6 names, for GiST (`InetOps`), GIN (`JsonbOps`,
/// `JsonbPathOps`, `ArrayOps`), SP-GiST (`InetOps`, `TextOps`) and BRIN (the others).
pub const OPERATOR_CLASSES: &[&str] = &[
    "InetOps",
    "JsonbOps",
    "JsonbPathOps",
    "ArrayOps",
    "TextOps",
    "BitMinMaxOps",
    "VarBitMinMaxOps",
    "BpcharBloomOps",
    "BpcharMinMaxOps",
    "ByteaBloomOps",
    "ByteaMinMaxOps",
    "DateBloomOps",
    "DateMinMaxOps",
    "DateMinMaxMultiOps",
    "Float4BloomOps",
    "Float4MinMaxOps",
    "Float4MinMaxMultiOps",
    "Float8BloomOps",
    "Float8MinMaxOps",
    "Float8MinMaxMultiOps",
    "InetInclusionOps",
    "InetBloomOps",
    "InetMinMaxOps",
    "InetMinMaxMultiOps",
    "Int2BloomOps",
    "Int2MinMaxOps",
    "Int2MinMaxMultiOps",
    "Int4BloomOps",
    "Int4MinMaxOps",
    "Int4MinMaxMultiOps",
    "Int8BloomOps",
    "Int8MinMaxOps",
    "Int8MinMaxMultiOps",
    "NumericBloomOps",
    "NumericMinMaxOps",
    "NumericMinMaxMultiOps",
    "OidBloomOps",
    "OidMinMaxOps",
    "OidMinMaxMultiOps",
    "TextBloomOps",
    "TextMinMaxOps",
    "TimestampBloomOps",
    "TimestampMinMaxOps",
    "TimestampMinMaxMultiOps",
    "TimestampTzBloomOps",
    "TimestampTzMinMaxOps",
    "TimestampTzMinMaxMultiOps",
    "TimeBloomOps",
    "TimeMinMaxOps",
    "TimeMinMaxMultiOps",
    "TimeTzBloomOps",
    "TimeTzMinMaxOps",
    "TimeTzMinMaxMultiOps",
    "UuidBloomOps",
    "UuidMinMaxOps",
    "UuidMinMaxMultiOps",
];

/// The index types PostgreSQL has (`type:` of `@@index`), as Prisma names them.
pub const INDEX_TYPES: &[&str] = &["BTree", "Hash", "Gist", "Gin", "SpGist", "Brin"];

/// A primary key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrimaryKey {
    /// The client name of a compound id (`@@id(name: ...)`, default: fields joined by `_`).
    pub name: Option<String>,
    /// The constraint name: `map:` or `{table}_pkey`.
    pub db_name: String,
    /// Its fields, in order.
    pub fields: Vec<IndexField>,
    /// Declared with `@@id` (as opposed to `@id` on one field).
    pub compound: bool,
    /// `clustered:` (SQL Server, where a primary key is clustered unless it says otherwise).
    pub clustered: Option<bool>,
    /// The `@id` or `@@id` attribute.
    pub span: Span,
}

/// What an index is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexKind {
    /// A unique constraint (`@unique`, `@@unique`).
    Unique,
    /// An index (`@@index`).
    Normal,
    /// A full-text index (`@@fulltext`).
    Fulltext,
}

/// A unique constraint or an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    /// What it is.
    pub kind: IndexKind,
    /// The client name of a compound unique (`name:`, default: fields joined by `_`).
    pub name: Option<String>,
    /// The index or constraint name: `map:` or Prisma's default.
    pub db_name: String,
    /// Its fields, in order.
    pub fields: Vec<IndexField>,
    /// `type: Hash` and the like.
    pub algorithm: Option<String>,
    /// `clustered:` (SQL Server).
    pub clustered: Option<bool>,
    /// Declared on a field (`@unique`) rather than on the block.
    pub single_field: bool,
    /// The attribute that declares it.
    pub span: Span,
}

/// A relation's index in [`Schema::relations`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelationId(pub usize);

/// A field whose type is a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationField {
    /// Its name.
    pub name: String,
    /// The model it points at.
    pub target: String,
    /// One, optional, or a list.
    pub arity: Arity,
    /// Its relation.
    pub relation: RelationId,
    /// `@ignore`.
    pub ignored: bool,
    /// Its documentation comments.
    pub docs: Option<String>,
    /// The whole field.
    pub span: Span,
}

/// What the database does to the rows that point at a deleted or updated row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReferentialAction {
    /// Delete or update them too.
    Cascade,
    /// Refuse the change.
    Restrict,
    /// Refuse the change at the end of the statement.
    NoAction,
    /// Set their foreign keys to NULL.
    SetNull,
    /// Set their foreign keys to their defaults.
    SetDefault,
}

impl ReferentialAction {
    /// Every action.
    pub const ALL: [ReferentialAction; 5] = [
        ReferentialAction::Cascade,
        ReferentialAction::Restrict,
        ReferentialAction::NoAction,
        ReferentialAction::SetNull,
        ReferentialAction::SetDefault,
    ];

    /// The action a name (`Cascade`) denotes.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// Its name in a schema.
    pub fn as_str(self) -> &'static str {
        match self {
            ReferentialAction::Cascade => "Cascade",
            ReferentialAction::Restrict => "Restrict",
            ReferentialAction::NoAction => "NoAction",
            ReferentialAction::SetNull => "SetNull",
            ReferentialAction::SetDefault => "SetDefault",
        }
    }

    /// The SQL words (`ON DELETE CASCADE`).
    pub fn sql(self) -> &'static str {
        match self {
            ReferentialAction::Cascade => "CASCADE",
            ReferentialAction::Restrict => "RESTRICT",
            ReferentialAction::NoAction => "NO ACTION",
            ReferentialAction::SetNull => "SET NULL",
            ReferentialAction::SetDefault => "SET DEFAULT",
        }
    }
}

/// How many rows a relation connects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelationKind {
    /// One to one.
    OneToOne,
    /// One to many.
    OneToMany,
    /// Many to many.
    ManyToMany,
}

/// A relation between two models. For one-to-one and one-to-many, `from` is the side that holds
/// the foreign key (`fields`), `to` the referenced side. For many-to-many, `from` is the model
/// whose name sorts first (column `A` of the join table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    /// Its id.
    pub id: RelationId,
    /// The explicit name, or Prisma's default `{A}To{B}` (model names in sorted order).
    pub name: String,
    /// One-to-one, one-to-many or many-to-many.
    pub kind: RelationKind,
    /// The foreign key side (many-to-many: the model whose name sorts first).
    pub from: RelationSide,
    /// The referenced side.
    pub to: RelationSide,
    /// The foreign key fields (`fields:`).
    pub fields: Vec<String>,
    /// The referenced fields (`references:`).
    pub references: Vec<String>,
    /// `onDelete`, or Prisma's default.
    pub on_delete: ReferentialAction,
    /// `onUpdate`, or Prisma's default.
    pub on_update: ReferentialAction,
    /// The foreign key constraint name: `map:` or `{table}_{columns}_fkey`.
    pub fk_name: Option<String>,
    /// The implicit join table of a many-to-many relation.
    pub join_table: Option<JoinTable>,
}

/// One side of a relation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationSide {
    /// The model.
    pub model: String,
    /// `None` when the field is missing (only in partial schemas).
    pub field: Option<String>,
}

/// The table behind an implicit many-to-many relation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinTable {
    /// `_{relation name}`.
    pub name: String,
    /// Column `A` references this model's id.
    pub a_model: String,
    /// Column `B` references this model's id.
    pub b_model: String,
}

/// Prisma's default constraint name: `{table}_{columns}{suffix}`, with the prefix cut so the
/// whole name fits the provider's identifier limit.
pub fn default_constraint_name(
    table: &str,
    columns: &[&str],
    suffix: &str,
    provider: Provider,
) -> String {
    let mut name = String::with_capacity(table.len() + 16);
    name.push_str(table);
    if !columns.is_empty() {
        name.push('_');
        name.push_str(&columns.join("_"));
    }
    let limit = provider
        .max_identifier_length()
        .saturating_sub(suffix.len() + 1);
    if name.len() > limit {
        let mut cut = limit;
        while cut > 0 && !name.is_char_boundary(cut) {
            cut -= 1;
        }
        name.truncate(cut);
    }
    name.push('_');
    name.push_str(suffix);
    name
}
