//! Static descriptions of models that the generated code emits and the runtime reads.
//!
//! The generated code is mostly these tables; all SQL is built from them at run time.

/// The storage kind of a scalar field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    BigInt,
    Float,
    Decimal,
    String,
    Boolean,
    DateTime,
    Json,
    Bytes,
    /// An enum, with its database type name (PostgreSQL casts to it).
    Enum(&'static str),
}

/// A default value the client fills in when the caller gives none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generated {
    Uuid(u8),
    Cuid(u8),
    Nanoid(u8),
    Ulid,
    /// `now()`: by the database on PostgreSQL and MySQL; by the client on SQLite, which stores
    /// date-times as Prisma does (milliseconds since the epoch).
    Now,
}

#[derive(Debug)]
pub struct FieldMeta {
    /// The schema name.
    pub name: &'static str,
    /// The column name (`@map`).
    pub column: &'static str,
    pub kind: Kind,
    pub optional: bool,
    pub list: bool,
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
    pub const fn optional(mut self) -> Self {
        self.optional = true;
        self
    }
    pub const fn list(mut self) -> Self {
        self.list = true;
        self
    }
    pub const fn generated(mut self, g: Generated) -> Self {
        self.generated = Some(g);
        self
    }
    pub const fn updated_at(mut self) -> Self {
        self.updated_at = true;
        self
    }
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
        fields: &'static [usize],
        references: &'static [usize],
    },
    /// The target holds the foreign key: its `fields` reference `references` here.
    Inverse {
        fields: &'static [usize],
        references: &'static [usize],
    },
    /// An implicit many-to-many relation through `table`: `own` is the column that holds this
    /// model's id (field `own_key`), `other` the target's (field `other_key` of the target).
    Join {
        table: &'static str,
        own: &'static str,
        other: &'static str,
        own_key: usize,
        other_key: usize,
    },
}

#[derive(Debug)]
pub struct RelationMeta {
    /// The relation field's name.
    pub name: &'static str,
    pub target: &'static ModelMeta,
    /// A list relation (`Post[]`).
    pub many: bool,
    pub link: Link,
}

#[derive(Debug)]
pub struct UniqueMeta {
    /// The constraint or index name in the database.
    pub constraint: &'static str,
    pub fields: &'static [usize],
}

#[derive(Debug)]
pub struct ModelMeta {
    pub name: &'static str,
    pub table: &'static str,
    /// Scalar fields, in the order their columns are selected and decoded.
    pub fields: &'static [FieldMeta],
    pub primary_key: &'static [usize],
    /// Primary key and unique constraints.
    pub uniques: &'static [UniqueMeta],
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
    pub const fn new(constraint: &'static str, fields: &'static [usize]) -> Self {
        UniqueMeta { constraint, fields }
    }
}
