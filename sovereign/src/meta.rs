//! Static descriptions of models that the generated code emits and the runtime reads.
//!
//! The generated code is mostly these tables; all SQL is built from them at run time.

/// The storage kind of a scalar field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `Int`: `i32`.
    Int,
    /// `BigInt`: `i64`.
    BigInt,
    /// `Float`: `f64`.
    Float,
    /// `Decimal`: [`rust_decimal::Decimal`].
    Decimal,
    /// `String`.
    String,
    /// `Boolean`.
    Boolean,
    /// `DateTime`: an instant with its offset.
    DateTime,
    /// `Json`: a [`serde_json::Value`].
    Json,
    /// `Bytes`: `Vec<u8>`.
    Bytes,
    /// An enum, with its database type name (PostgreSQL casts to it).
    Enum(&'static str),
}

/// A default value the client fills in when the caller gives none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generated {
    /// `uuid()` (version 4) or `uuid(7)`.
    Uuid(u8),
    /// `cuid()` (version 1) or `cuid(2)`.
    Cuid(u8),
    /// `nanoid()` of the given length (0: the default, 21).
    Nanoid(u8),
    /// `ulid()`.
    Ulid,
    /// `now()`: by the database on PostgreSQL and MySQL; by the client on SQLite, which stores
    /// date-times as Prisma does (milliseconds since the epoch).
    Now,
}

/// A scalar field: its names, its type and what fills it in when a write leaves it out.
#[derive(Debug)]
pub struct FieldMeta {
    /// The schema name.
    pub name: &'static str,
    /// The column name (`@map`).
    pub column: &'static str,
    /// The storage kind.
    pub kind: Kind,
    /// The field may be NULL (`String?`).
    pub optional: bool,
    /// A scalar list (`String[]`, PostgreSQL).
    pub list: bool,
    /// A value the client generates on create (`@default(uuid())`, ...).
    pub generated: Option<Generated>,
    /// `@updatedAt`.
    pub updated_at: bool,
    /// Filled in by the database (`autoincrement()`, `dbgenerated()`, a literal default).
    pub db_default: bool,
}

impl FieldMeta {
    /// A required scalar field without defaults; the builder methods add the rest.
    pub const fn new(name: &'static str, column: &'static str, kind: Kind) -> Self {
        FieldMeta {
            name,
            column,
            kind,
            optional: false,
            list: false,
            generated: None,
            updated_at: false,
            db_default: false,
        }
    }
    /// The field may be NULL.
    pub const fn optional(mut self) -> Self {
        self.optional = true;
        self
    }
    /// The field is a scalar list.
    pub const fn list(mut self) -> Self {
        self.list = true;
        self
    }
    /// The client generates the field's value on create.
    pub const fn generated(mut self, g: Generated) -> Self {
        self.generated = Some(g);
        self
    }
    /// The field is `@updatedAt`.
    pub const fn updated_at(mut self) -> Self {
        self.updated_at = true;
        self
    }
    /// The database fills the field in when a create leaves it out.
    pub const fn db_default(mut self) -> Self {
        self.db_default = true;
        self
    }
}

/// How two models are linked; field numbers index [`ModelMeta::fields`] of the model named.
#[derive(Debug)]
pub enum Link {
    /// This model holds the foreign key: `fields` here reference `references` on the target.
    Owner {
        /// This model's foreign key fields.
        fields: &'static [usize],
        /// The target's fields they reference, in the same order.
        references: &'static [usize],
    },
    /// The target holds the foreign key: its `fields` reference `references` here.
    Inverse {
        /// The target's foreign key fields.
        fields: &'static [usize],
        /// This model's fields they reference, in the same order.
        references: &'static [usize],
    },
    /// An implicit many-to-many relation through `table`: `own` is the column that holds this
    /// model's id (field `own_key`), `other` the target's (field `other_key` of the target).
    Join {
        /// The join table (`_CategoryToPost`).
        table: &'static str,
        /// Its column that holds this model's id (`A` or `B`).
        own: &'static str,
        /// Its column that holds the target's id.
        other: &'static str,
        /// This model's id field.
        own_key: usize,
        /// The target's id field.
        other_key: usize,
    },
}

/// A relation field: its target model and how the two are linked.
#[derive(Debug)]
pub struct RelationMeta {
    /// The relation field's name.
    pub name: &'static str,
    /// The related model.
    pub target: &'static ModelMeta,
    /// A list relation (`Post[]`).
    pub many: bool,
    /// Which columns link the two models.
    pub link: Link,
}

/// A unique constraint or index, or the primary key: what names a unique violation's fields.
#[derive(Debug)]
pub struct UniqueMeta {
    /// The constraint or index name in the database.
    pub constraint: &'static str,
    /// Its fields.
    pub fields: &'static [usize],
}

/// A model's table description: generated code declares one `static` per model.
///
/// The runtime builds all SQL from it, and caches SQL by its address; see the invariant of the
/// SQL caches: it must be `'static` and never freed.
#[derive(Debug)]
pub struct ModelMeta {
    /// The schema name.
    pub name: &'static str,
    /// The table name (`@@map`).
    pub table: &'static str,
    /// Scalar fields, in the order their columns are selected and decoded.
    pub fields: &'static [FieldMeta],
    /// The primary key's fields.
    pub primary_key: &'static [usize],
    /// Primary key and unique constraints.
    pub uniques: &'static [UniqueMeta],
    /// Relation fields, numbered in this order.
    pub relations: &'static [RelationMeta],
    /// The primary key is filled in by the database (`autoincrement()`).
    pub auto_increment: bool,
}

impl ModelMeta {
    pub(crate) fn unique_fields(&self, constraint: &str) -> Option<Vec<String>> {
        self.uniques
            .iter()
            .find(|u| u.constraint == constraint)
            .map(|u| {
                u.fields
                    .iter()
                    .map(|&f| self.fields[f].name.to_string())
                    .collect()
            })
    }

    pub(crate) fn field_name_of_column<'a>(&'a self, column: &'a str) -> &'a str {
        self.fields
            .iter()
            .find(|f| f.column == column)
            .map_or(column, |f| f.name)
    }
}

impl RelationMeta {
    /// This model holds the foreign key.
    pub const fn owner(
        name: &'static str,
        target: &'static ModelMeta,
        fields: &'static [usize],
        references: &'static [usize],
    ) -> Self {
        RelationMeta {
            name,
            target,
            many: false,
            link: Link::Owner { fields, references },
        }
    }
    /// The target holds the foreign key.
    pub const fn inverse(
        name: &'static str,
        target: &'static ModelMeta,
        many: bool,
        fields: &'static [usize],
        references: &'static [usize],
    ) -> Self {
        RelationMeta {
            name,
            target,
            many,
            link: Link::Inverse { fields, references },
        }
    }
    /// An implicit many-to-many relation.
    pub const fn join(
        name: &'static str,
        target: &'static ModelMeta,
        table: &'static str,
        own: &'static str,
        other: &'static str,
        own_key: usize,
        other_key: usize,
    ) -> Self {
        RelationMeta {
            name,
            target,
            many: true,
            link: Link::Join {
                table,
                own,
                other,
                own_key,
                other_key,
            },
        }
    }
}

impl UniqueMeta {
    /// A constraint named `constraint` over `fields`.
    pub const fn new(constraint: &'static str, fields: &'static [usize]) -> Self {
        UniqueMeta { constraint, fields }
    }
}
