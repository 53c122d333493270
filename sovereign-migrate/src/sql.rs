//! The SQL schema: tables, columns, keys, indexes, foreign keys and enums, as a database holds
//! them. Calculated from a resolved model here; introspected from a live database later, so the
//! two can be diffed.

use sovereign_schema::model::{Provider, ReferentialAction, SortOrder};

/// Which SQL database: the one vocabulary of the workspace for it. The migration engine writes
/// SQL in its dialect, and the runtime (`sovereign::Dialect`, the same type) talks to it.
/// A schema's `provider` maps onto it with [`Dialect::of`] (CockroachDB speaks PostgreSQL's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// SQLite.
    Sqlite,
    /// PostgreSQL (and CockroachDB).
    Postgres,
    /// MySQL or MariaDB.
    Mysql,
}

impl Dialect {
    /// The provider name, as a Prisma datasource writes it: `sqlite`, `postgresql`, `mysql`.
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgresql",
            Dialect::Mysql => "mysql",
        }
    }

    /// The database a URL names by its scheme (`file:`/`sqlite:`, `postgres(ql)://`,
    /// `mysql://`/`mariadb://`).
    pub fn of_url(url: &str) -> Option<Dialect> {
        match crate::url::scheme(url) {
            "file" | "sqlite" => Some(Dialect::Sqlite),
            "postgres" | "postgresql" => Some(Dialect::Postgres),
            "mysql" | "mariadb" => Some(Dialect::Mysql),
            _ => None,
        }
    }

    /// Whether `INSERT/UPDATE/DELETE ... RETURNING` exists (not on MySQL).
    pub fn returning(self) -> bool {
        self != Dialect::Mysql
    }

    /// The dialect of a Prisma provider (CockroachDB speaks PostgreSQL); `None` for providers we
    /// do not migrate (SQL Server, MongoDB).
    pub fn of(provider: Provider) -> Option<Dialect> {
        match provider {
            Provider::Sqlite => Some(Dialect::Sqlite),
            Provider::Postgresql | Provider::Cockroachdb => Some(Dialect::Postgres),
            Provider::Mysql => Some(Dialect::Mysql),
            Provider::Sqlserver | Provider::Mongodb => None,
        }
    }

    /// Quotes an identifier: the one place that does it.
    pub fn quote(self, ident: &str) -> String {
        match self {
            Dialect::Mysql => format!("`{}`", ident.replace('`', "``")),
            _ => format!("\"{}\"", ident.replace('"', "\"\"")),
        }
    }

    /// Quotes a name that may belong to a namespace (a PostgreSQL schema of a multi-schema
    /// datasource): `"auth"."User"`, or `"User"` without one.
    pub fn qualified(self, namespace: Option<&str>, name: &str) -> String {
        match namespace {
            Some(ns) => format!("{}.{}", self.quote(ns), self.quote(name)),
            None => self.quote(name),
        }
    }

    /// A SQL string literal.
    pub fn string(self, s: &str) -> String {
        let escaped = s.replace('\'', "''");
        match self {
            Dialect::Mysql => format!("'{}'", escaped.replace('\\', "\\\\")),
            _ => format!("'{escaped}'"),
        }
    }
}

/// A database's schema as SQL sees it, the common ground of the two sides of a migration: what
/// a Prisma schema implies ([`sql_schema`](crate::sql_schema)) and what a live database holds
/// are both brought to this shape, so that [`diff`](fn@crate::diff) compares like with like.
///
/// Names are database names (after `@map`/`@@map`). A calculated schema lists everything in
/// the order Prisma writes it, so that scripts come out in Prisma's order; an introspected one
/// lists it in the database's order, so the diff finds tables, columns and indexes by name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SqlSchema {
    /// The enum types, in schema order; only PostgreSQL has them (MySQL writes an enum into the
    /// column's type, SQLite stores text).
    pub enums: Vec<SqlEnum>,
    /// The tables: the models (views excluded), then the join tables of implicit many-to-many
    /// relations.
    pub tables: Vec<Table>,
    /// The namespaces (PostgreSQL schemas) of a multi-schema datasource (`schemas = [...]`), in
    /// name order; empty otherwise, when everything lives in the connection's current schema.
    pub namespaces: Vec<String>,
}

impl SqlSchema {
    /// The table with this database name, if there is one (in any namespace).
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// The table with the same namespace and name as `other`, if there is one.
    pub fn same(&self, other: &Table) -> Option<&Table> {
        self.tables
            .iter()
            .find(|t| t.name == other.name && t.namespace == other.namespace)
    }

    /// The enum with the same namespace and name as `other`, if there is one.
    pub fn same_enum(&self, other: &SqlEnum) -> Option<&SqlEnum> {
        self.enums
            .iter()
            .find(|e| e.name == other.name && e.namespace == other.namespace)
    }
}

/// A table's (or type's) name with its namespace, as migration steps name them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QualifiedName {
    /// The PostgreSQL schema of a multi-schema datasource; `None` for the current one.
    pub namespace: Option<String>,
    /// The name in the database.
    pub name: String,
}

impl QualifiedName {
    /// The name quoted for `dialect`, qualified by its namespace when it has one.
    pub fn quoted(&self, dialect: Dialect) -> String {
        dialect.qualified(self.namespace.as_deref(), &self.name)
    }
}

/// A PostgreSQL enum type (`CREATE TYPE ... AS ENUM`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlEnum {
    /// The type's name in the database.
    pub name: String,
    /// Its namespace (`@@schema`), in a multi-schema datasource.
    pub namespace: Option<String>,
    /// Its values in declaration order, which PostgreSQL keeps and compares by: a reordering is
    /// a change.
    pub values: Vec<String>,
}

/// A table with its keys, indexes and foreign keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The table's name in the database.
    pub name: String,
    /// Its namespace (`@@schema`), in a multi-schema datasource.
    pub namespace: Option<String>,
    /// The columns, in declaration order (the order `CREATE TABLE` lists them).
    pub columns: Vec<Column>,
    /// The primary key, if the table has one (an implicit many-to-many join table has none
    /// outside PostgreSQL, only a unique index).
    pub primary_key: Option<PrimaryKey>,
    /// Unique, normal and full-text indexes; calculated ones in Prisma's order (field-level
    /// uniques, then `@@index`/`@@fulltext`, then `@@unique`).
    pub indexes: Vec<Index>,
    /// The foreign keys this table holds (the owning side of each relation).
    pub foreign_keys: Vec<ForeignKey>,
}

impl Table {
    /// The table's qualified name.
    pub fn qualified(&self) -> QualifiedName {
        QualifiedName {
            namespace: self.namespace.clone(),
            name: self.name.clone(),
        }
    }

    /// The column with this database name, if there is one.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// A column as the dialect declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The column's name in the database.
    pub name: String,
    /// The type as the dialect writes it (`TEXT`, `VARCHAR(30)`, `"Role"`, `INTEGER[]`).
    pub ty: String,
    /// Whether it accepts `NULL`: an optional field, and on PostgreSQL a list field too (Prisma
    /// declares array columns nullable).
    pub nullable: bool,
    /// The `DEFAULT` expression as SQL text (`'draft'`, `CURRENT_TIMESTAMP`, `0`); `None` when the
    /// database supplies no default (including defaults the client computes, like `cuid()`).
    pub default: Option<String>,
    /// Generated by the database (`SERIAL`, `AUTO_INCREMENT`, SQLite's rowid).
    pub autoincrement: bool,
}

/// A table's primary key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrimaryKey {
    /// The constraint's name. Only PostgreSQL keeps one; MySQL calls every primary key
    /// `PRIMARY` and SQLite none, so those are given a fixed name on both sides of a diff
    /// (`PRIMARY`, `<table>_pkey`) and never compare unequal for want of a name.
    pub name: String,
    /// The key's columns, in key order (without a sort order: a key has none).
    pub columns: Vec<IndexColumn>,
}

/// One column of a key or index.
#[derive(Debug, Clone, Eq)]
pub struct IndexColumn {
    /// The column's name in the database.
    pub name: String,
    /// `Some(Desc)` for a descending column; ascending is `None`, because databases report the
    /// default order as no order at all and a diff must not see a change there.
    pub sort: Option<SortOrder>,
    /// How many leading characters are indexed (the schema's `length:`), which MySQL needs to
    /// index a long text column; only MySQL uses it.
    pub length: Option<u32>,
    /// The operator class (the schema's `ops:`; PostgreSQL).
    pub ops: Option<OperatorClass>,
}

impl IndexColumn {
    /// A column of a key or index, ascending, without prefix length or operator class.
    pub fn plain(name: impl Into<String>) -> IndexColumn {
        IndexColumn {
            name: name.into(),
            sort: None,
            length: None,
            ops: None,
        }
    }

    /// The operator class, unless it is the default one for the column's type and the index's
    /// method (which a database reports whether or not it was named).
    pub fn explicit_ops(&self) -> Option<&str> {
        self.ops
            .as_ref()
            .filter(|o| !o.default)
            .map(|o| o.name.as_str())
    }
}

/// Two columns are the same when only a default operator class tells them apart: naming the
/// default (`ops: JsonbOps` on a GIN index of a `Jsonb` column) changes nothing in the database.
impl PartialEq for IndexColumn {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.sort == other.sort
            && self.length == other.length
            && self.explicit_ops() == other.explicit_ops()
    }
}

/// A PostgreSQL operator class of an index column: `jsonb_path_ops`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorClass {
    /// Its name, as SQL writes it.
    pub name: String,
    /// Whether it is the default class for the column's type and the index's method.
    pub default: bool,
}

/// What an index is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexKind {
    /// `@@index`: for lookups only.
    Normal,
    /// `@unique`/`@@unique`: enforces uniqueness.
    Unique,
    /// `@@fulltext` (MySQL): for full-text search.
    Fulltext,
}

/// An index (including the unique indexes that back `@unique`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    /// The index's name in the database (Prisma's default or the schema's `map:`).
    pub name: String,
    /// Normal, unique or full-text.
    pub kind: IndexKind,
    /// The indexed columns, in index order.
    pub columns: Vec<IndexColumn>,
    /// `USING HASH` and the like (PostgreSQL); `None` for the default B-tree, which databases
    /// do not report.
    pub algorithm: Option<String>,
}

/// A foreign key: the database's side of a relation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKey {
    /// The constraint's name (Prisma's `<table>_<columns>_fkey` or the relation's `map:`).
    pub name: String,
    /// The referencing columns of this table, paired in order with `referenced_columns`.
    pub columns: Vec<String>,
    /// The table the key points at.
    pub referenced_table: String,
    /// The referenced table's namespace, in a multi-schema datasource.
    pub referenced_namespace: Option<String>,
    /// The columns it points at, usually the referenced table's primary key.
    pub referenced_columns: Vec<String>,
    /// What deleting the referenced row does (`onDelete`).
    pub on_delete: ReferentialAction,
    /// What changing the referenced key does (`onUpdate`).
    pub on_update: ReferentialAction,
}
