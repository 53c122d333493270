//! Migration steps as data: what [`diff`](fn@crate::diff) plans between two SQL schemas, before it is
//! rendered as SQL ([`crate::render`]), summarised, or checked for data loss
//! ([`crate::destructive`]). One step is one `-- Name` block of a Prisma migration script.

use crate::sql::{Column, ForeignKey, Index, QualifiedName, SqlEnum, Table};

/// One step of a migration, in Prisma Migrate's vocabulary.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Step {
    /// `CREATE SCHEMA IF NOT EXISTS` (a namespace of a multi-schema PostgreSQL datasource).
    CreateSchema(String),
    /// `CREATE TYPE ... AS ENUM` (PostgreSQL).
    CreateEnum(SqlEnum),
    /// `ALTER TYPE ... ADD VALUE`, one per value (PostgreSQL).
    AddEnumValues {
        /// The enum.
        name: QualifiedName,
        /// The values added, in order.
        values: Vec<String>,
    },
    /// Values were removed: a new type, the columns moved to it, the old one dropped
    /// (PostgreSQL).
    RecreateEnum {
        /// The enum as it will be.
        new: SqlEnum,
        /// The columns of that type in tables that exist before and after.
        columns: Vec<EnumColumn>,
    },
    /// A foreign key that goes away or changes (not SQLite, where tables are redefined).
    DropForeignKey {
        /// Its table.
        table: QualifiedName,
        /// The constraint's name.
        name: String,
    },
    /// An index that goes away or changes.
    DropIndex {
        /// Its table.
        table: QualifiedName,
        /// The index's name.
        name: String,
    },
    /// A nullable column added in place (SQLite).
    AddColumn {
        /// The table.
        table: QualifiedName,
        /// The new column.
        column: Column,
    },
    /// Columns added, dropped or changed in place (PostgreSQL, MySQL).
    AlterTable {
        /// The table.
        table: QualifiedName,
        /// The changes, in Prisma's order.
        changes: Vec<TableChange>,
    },
    /// `DROP TABLE`.
    DropTable {
        /// The table.
        name: QualifiedName,
    },
    /// `DROP TYPE` (PostgreSQL).
    DropEnum {
        /// The enum.
        name: QualifiedName,
    },
    /// `CREATE TABLE`.
    CreateTable(Table),
    /// Tables SQLite cannot alter, rebuilt: created anew, rows copied, renamed.
    RedefineTables(Vec<Redefinition>),
    /// `CREATE [UNIQUE] INDEX`.
    CreateIndex {
        /// Its table.
        table: QualifiedName,
        /// The index.
        index: Index,
        /// The table existed before this migration (so rows may break a unique index).
        existing_table: bool,
    },
    /// `ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY`.
    AddForeignKey {
        /// Its table.
        table: QualifiedName,
        /// The constraint.
        foreign_key: ForeignKey,
    },
}

/// A column whose enum type is recreated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumColumn {
    /// The table.
    pub table: QualifiedName,
    /// The column.
    pub column: String,
    /// A list of the enum (`"Role"[]`).
    pub array: bool,
    /// The column had a default before: it is dropped while the type changes.
    pub had_default: bool,
    /// The column's default after the change.
    pub default: Option<String>,
}

/// One table rebuilt by [`Step::RedefineTables`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redefinition {
    /// The table before.
    pub old: Table,
    /// The table after.
    pub new: Table,
}

/// One change of [`Step::AlterTable`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TableChange {
    /// `DROP COLUMN`.
    DropColumn(Column),
    /// `ADD COLUMN`.
    AddColumn(Column),
    /// MySQL restates a changed column whole (`MODIFY`).
    Modify {
        /// The column before.
        from: Column,
        /// The column after.
        to: Column,
    },
    /// `ALTER COLUMN ... SET DATA TYPE` (PostgreSQL).
    SetType {
        /// The column.
        column: String,
        /// The type before.
        from: String,
        /// The type after.
        to: String,
    },
    /// `ALTER COLUMN ... SET NOT NULL` (PostgreSQL).
    SetNotNull {
        /// The column.
        column: String,
        /// It gets a default at the same time (NULLs are then not a blocker Prisma reports).
        has_default: bool,
    },
    /// `ALTER COLUMN ... DROP NOT NULL` (PostgreSQL).
    DropNotNull(String),
    /// `ALTER COLUMN ... SET DEFAULT` (PostgreSQL).
    SetDefault {
        /// The column.
        column: String,
        /// The default, as SQL.
        default: String,
    },
    /// `ALTER COLUMN ... DROP DEFAULT` (PostgreSQL).
    DropDefault(String),
}

impl Step {
    /// The step's name in a Prisma migration script (`-- CreateTable`).
    pub fn name(&self) -> &'static str {
        match self {
            Step::CreateSchema(_) => "CreateSchema",
            Step::CreateEnum(_) => "CreateEnum",
            Step::AddEnumValues { .. } | Step::RecreateEnum { .. } => "AlterEnum",
            Step::DropForeignKey { .. } => "DropForeignKey",
            Step::DropIndex { .. } => "DropIndex",
            Step::AddColumn { .. } | Step::AlterTable { .. } => "AlterTable",
            Step::DropTable { .. } => "DropTable",
            Step::DropEnum { .. } => "DropEnum",
            Step::CreateTable(_) => "CreateTable",
            Step::RedefineTables(_) => "RedefineTables",
            Step::CreateIndex { .. } => "CreateIndex",
            Step::AddForeignKey { .. } => "AddForeignKey",
        }
    }

    /// The table it changes, if one.
    pub fn table(&self) -> Option<QualifiedName> {
        match self {
            Step::DropForeignKey { table, .. }
            | Step::DropIndex { table, .. }
            | Step::AddColumn { table, .. }
            | Step::AlterTable { table, .. }
            | Step::CreateIndex { table, .. }
            | Step::AddForeignKey { table, .. } => Some(table.clone()),
            Step::DropTable { name } => Some(name.clone()),
            Step::CreateTable(t) => Some(t.qualified()),
            _ => None,
        }
    }
}
