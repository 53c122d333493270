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
    Sqlite,
    Postgresql,
    Mysql,
    Sqlserver,
    Cockroachdb,
    Mongodb,
}

impl Provider {
    pub const ALL: [Provider; 6] = [
        Provider::Sqlite,
        Provider::Postgresql,
        Provider::Mysql,
        Provider::Sqlserver,
        Provider::Cockroachdb,
        Provider::Mongodb,
    ];

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

    pub fn supports_composite_types(self) -> bool {
        self == Provider::Mongodb
    }

    pub fn supports_enums(self) -> bool {
        self != Provider::Sqlserver
    }

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
    pub datasource: Option<Datasource>,
    pub generators: Vec<Generator>,
    pub models: Vec<Model>,
    pub enums: Vec<Enum>,
    pub composite_types: Vec<CompositeType>,
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

    pub fn model(&self, name: &str) -> Option<&Model> {
        self.model_index.get(name).map(|&i| &self.models[i])
    }

    pub fn enum_(&self, name: &str) -> Option<&Enum> {
        self.enums.iter().find(|e| e.name == name)
    }

    pub fn relation(&self, id: RelationId) -> &Relation {
        &self.relations[id.0]
    }

    /// Implicit many-to-many join tables.
    pub fn join_tables(&self) -> impl Iterator<Item = &JoinTable> {
        self.relations.iter().filter_map(|r| r.join_table.as_ref())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datasource {
    pub name: String,
    pub provider: Provider,
    pub url: Url,
    pub direct_url: Option<Url>,
    pub shadow_database_url: Option<Url>,
    pub schemas: Vec<String>,
    pub relation_mode: RelationMode,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Url {
    Literal(String),
    /// `env("NAME")`.
    Env(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelationMode {
    ForeignKeys,
    Prisma,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generator {
    pub name: String,
    pub provider: String,
    pub output: Option<String>,
    pub preview_features: Vec<String>,
    /// Every other `key = "value"` property, as written.
    pub config: Vec<(String, String)>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enum {
    pub name: String,
    pub db_name: String,
    pub values: Vec<EnumValue>,
    pub schema: Option<String>,
    pub docs: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumValue {
    pub name: String,
    pub db_name: String,
    pub docs: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CompositeType {
    pub name: String,
    pub fields: Vec<ScalarField>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub name: String,
    /// The table (`@@map`, or the model name).
    pub db_name: String,
    /// Where the table name comes from: the `@@map` attribute, or the model's name.
    pub db_name_span: Span,
    pub is_view: bool,
    pub ignored: bool,
    pub schema: Option<String>,
    pub docs: Option<String>,
    pub fields: Vec<ScalarField>,
    pub relation_fields: Vec<RelationField>,
    pub primary_key: Option<PrimaryKey>,
    pub uniques: Vec<Index>,
    pub indexes: Vec<Index>,
    pub span: Span,
}

impl Model {
    pub fn field(&self, name: &str) -> Option<&ScalarField> {
        self.fields.iter().find(|f| f.name == name)
    }

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

#[derive(Debug, Clone, PartialEq)]
pub struct ScalarField {
    pub name: String,
    /// The column (`@map`, or the field name).
    pub db_name: String,
    pub ty: ScalarType,
    pub arity: Arity,
    pub native_type: Option<NativeType>,
    pub default: Option<DefaultValue>,
    pub updated_at: bool,
    pub ignored: bool,
    pub docs: Option<String>,
    pub span: Span,
}

impl ScalarField {
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

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ScalarType {
    Int,
    BigInt,
    Float,
    Decimal,
    String,
    Boolean,
    DateTime,
    Json,
    Bytes,
    Enum(String),
    Composite(String),
    /// `Unsupported("database type")`.
    Unsupported(String),
}

impl ScalarType {
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
    pub name: String,
    pub args: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DefaultValue {
    pub kind: DefaultKind,
    /// The constraint name given with `map:` (SQL Server).
    pub map: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DefaultKind {
    /// Generated by the database.
    Autoincrement,
    Now,
    DbGenerated(Option<String>),
    Sequence,
    /// MongoDB's `auto()`.
    Auto,
    /// Generated by the client.
    Uuid(u8),
    Cuid(u8),
    Nanoid(Option<u8>),
    Ulid,
    Value(Literal),
    List(Vec<Literal>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    String(String),
    Int(i64),
    Float(f64),
    /// A Decimal or a number too large for `i64`, as written.
    Number(String),
    Boolean(bool),
    /// An enum value (by its Prisma name).
    Enum(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortOrder {
    Asc,
    Desc,
}

/// One field of a primary key or index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexField {
    pub name: String,
    pub db_name: String,
    pub sort: Option<SortOrder>,
    pub length: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrimaryKey {
    /// The client name of a compound id (`@@id(name: ...)`, default: fields joined by `_`).
    pub name: Option<String>,
    /// The constraint name: `map:` or `{table}_pkey`.
    pub db_name: String,
    pub fields: Vec<IndexField>,
    /// Declared with `@@id` (as opposed to `@id` on one field).
    pub compound: bool,
    /// The `@id` or `@@id` attribute.
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexKind {
    Unique,
    Normal,
    Fulltext,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    pub kind: IndexKind,
    /// The client name of a compound unique (`name:`, default: fields joined by `_`).
    pub name: Option<String>,
    /// The index or constraint name: `map:` or Prisma's default.
    pub db_name: String,
    pub fields: Vec<IndexField>,
    /// `type: Hash` and the like.
    pub algorithm: Option<String>,
    pub clustered: Option<bool>,
    /// Declared on a field (`@unique`) rather than on the block.
    pub single_field: bool,
    /// The attribute that declares it.
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelationId(pub usize);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationField {
    pub name: String,
    pub target: String,
    pub arity: Arity,
    pub relation: RelationId,
    pub ignored: bool,
    pub docs: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReferentialAction {
    Cascade,
    Restrict,
    NoAction,
    SetNull,
    SetDefault,
}

impl ReferentialAction {
    pub const ALL: [ReferentialAction; 5] = [
        ReferentialAction::Cascade,
        ReferentialAction::Restrict,
        ReferentialAction::NoAction,
        ReferentialAction::SetNull,
        ReferentialAction::SetDefault,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelationKind {
    OneToOne,
    OneToMany,
    ManyToMany,
}

/// A relation between two models. For one-to-one and one-to-many, `from` is the side that holds
/// the foreign key (`fields`), `to` the referenced side. For many-to-many, `from` is the model
/// whose name sorts first (column `A` of the join table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    pub id: RelationId,
    /// The explicit name, or Prisma's default `{A}To{B}` (model names in sorted order).
    pub name: String,
    pub kind: RelationKind,
    pub from: RelationSide,
    pub to: RelationSide,
    pub fields: Vec<String>,
    pub references: Vec<String>,
    pub on_delete: ReferentialAction,
    pub on_update: ReferentialAction,
    /// The foreign key constraint name: `map:` or `{table}_{columns}_fkey`.
    pub fk_name: Option<String>,
    pub join_table: Option<JoinTable>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationSide {
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
