//! Rendering steps as SQL in Prisma Migrate's format: one `-- StepName` comment per step, steps
//! separated by a blank line.

use crate::sql::QualifiedName;
use crate::sql::*;
use crate::step::{Redefinition, Step, TableChange};
use sovereign_schema::model::SortOrder;
use std::fmt::Write;

/// A script of steps, as Prisma writes it: `-- Name`, then the SQL, a blank line between steps.
pub fn script(steps: &[Step], dialect: Dialect) -> String {
    let mut out = String::new();
    for (i, step) in steps.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "-- {}\n{}", step.name(), sql(step, dialect));
    }
    out
}

/// The SQL of one step (without its `-- Name` line).
pub fn sql(step: &Step, dialect: Dialect) -> String {
    let q = |s: &str| dialect.quote(s);
    // A table's or type's name, qualified in its namespace (multi-schema PostgreSQL).
    let qn = |n: &QualifiedName| n.quoted(dialect);
    let in_ns = |ns: &Option<String>, name: &str| dialect.qualified(ns.as_deref(), name);
    let values = |vs: &[String]| {
        vs.iter()
            .map(|v| dialect.string(v))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match step {
        Step::CreateSchema(ns) => format!("CREATE SCHEMA IF NOT EXISTS {};", q(ns)),
        Step::CreateEnum(e) => format!(
            "CREATE TYPE {} AS ENUM ({});",
            in_ns(&e.namespace, &e.name),
            values(&e.values)
        ),
        Step::AddEnumValues { name, values } => values
            .iter()
            .map(|v| format!("ALTER TYPE {} ADD VALUE {};", qn(name), dialect.string(v)))
            .collect::<Vec<_>>()
            .join("\n"),
        Step::RecreateEnum { new, columns } => {
            let tmp = format!("{}_new", new.name);
            let tmp_q = in_ns(&new.namespace, &tmp);
            let mut sql = vec![
                "BEGIN;".to_string(),
                format!("CREATE TYPE {} AS ENUM ({});", tmp_q, values(&new.values)),
            ];
            for c in columns {
                let array = if c.array { "[]" } else { "" };
                if c.had_default {
                    sql.push(format!(
                        "ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT;",
                        qn(&c.table),
                        q(&c.column)
                    ));
                }
                sql.push(format!(
                    "ALTER TABLE {} ALTER COLUMN {} TYPE {}{array} USING ({}::text{array}::{}{array});",
                    qn(&c.table),
                    q(&c.column),
                    tmp_q,
                    q(&c.column),
                    tmp_q
                ));
                if let (true, Some(d)) = (c.had_default, &c.default) {
                    sql.push(format!(
                        "ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {d};",
                        qn(&c.table),
                        q(&c.column)
                    ));
                }
            }
            let old = format!("{}_old", new.name);
            sql.push(format!(
                "ALTER TYPE {} RENAME TO {};",
                in_ns(&new.namespace, &new.name),
                q(&old)
            ));
            sql.push(format!("ALTER TYPE {} RENAME TO {};", tmp_q, q(&new.name)));
            sql.push(format!("DROP TYPE {};", in_ns(&new.namespace, &old)));
            sql.push("COMMIT;".to_string());
            sql.join("\n")
        }
        Step::DropForeignKey { table, name } => match dialect {
            Dialect::Mysql => format!("ALTER TABLE {} DROP FOREIGN KEY {};", qn(table), q(name)),
            _ => format!("ALTER TABLE {} DROP CONSTRAINT {};", qn(table), q(name)),
        },
        Step::DropIndex { table, name } => match dialect {
            Dialect::Mysql => format!("DROP INDEX {} ON {};", q(name), qn(table)),
            // An index lives in its table's schema.
            _ => format!("DROP INDEX {};", in_ns(&table.namespace, name)),
        },
        Step::AddColumn { table, column } => format!(
            "ALTER TABLE {} ADD COLUMN {};",
            qn(table),
            column_def(column, dialect)
        ),
        Step::AlterTable { table, changes } => {
            let changes: Vec<String> = changes
                .iter()
                .map(|c| match c {
                    TableChange::DropColumn(c) => format!("DROP COLUMN {}", q(&c.name)),
                    // PostgreSQL's renderer pads `ADD COLUMN` (Prisma's own quirk, byte for
                    // byte); MySQL's does not.
                    TableChange::AddColumn(c) if dialect == Dialect::Mysql => {
                        format!("ADD COLUMN {}", column_def(c, dialect))
                    }
                    TableChange::AddColumn(c) => {
                        format!("ADD COLUMN     {}", column_def(c, dialect))
                    }
                    TableChange::Modify { from, to } => mysql_modify(from, to),
                    TableChange::SetType { column, to, .. } => {
                        format!("ALTER COLUMN {} SET DATA TYPE {to}", q(column))
                    }
                    TableChange::SetNotNull { column, .. } => {
                        format!("ALTER COLUMN {} SET NOT NULL", q(column))
                    }
                    TableChange::DropNotNull(column) => {
                        format!("ALTER COLUMN {} DROP NOT NULL", q(column))
                    }
                    TableChange::SetDefault { column, default } => {
                        format!("ALTER COLUMN {} SET DEFAULT {default}", q(column))
                    }
                    TableChange::DropDefault(column) => {
                        format!("ALTER COLUMN {} DROP DEFAULT", q(column))
                    }
                })
                .collect();
            // MySQL's clauses are indented under the statement, PostgreSQL's are not.
            let sep = if dialect == Dialect::Mysql {
                ",\n    "
            } else {
                ",\n"
            };
            format!("ALTER TABLE {} {};", qn(table), changes.join(sep))
        }
        Step::DropTable { name } => match dialect {
            Dialect::Sqlite => format!(
                "PRAGMA foreign_keys=off;\nDROP TABLE {};\nPRAGMA foreign_keys=on;",
                qn(name)
            ),
            _ => format!("DROP TABLE {};", qn(name)),
        },
        Step::DropEnum { name } => format!("DROP TYPE {};", qn(name)),
        Step::CreateTable(t) => create_table(t, dialect),
        Step::RedefineTables(tables) => {
            let mut sql = vec![
                "PRAGMA defer_foreign_keys=ON;".to_string(),
                "PRAGMA foreign_keys=OFF;".to_string(),
            ];
            for Redefinition { old, new: t } in tables {
                let tmp = Table {
                    name: format!("new_{}", t.name),
                    ..t.clone()
                };
                sql.push(create_table(&tmp, dialect));
                let mut kept: Vec<&Column> = t
                    .columns
                    .iter()
                    .filter(|c| old.column(&c.name).is_some())
                    .collect();
                kept.sort_by(|a, b| a.name.cmp(&b.name));
                let targets: Vec<String> = kept.iter().map(|c| q(&c.name)).collect();
                let sources: Vec<String> = kept
                    .iter()
                    .map(|c| {
                        let was_nullable = old.column(&c.name).is_some_and(|o| o.nullable);
                        match (&c.default, was_nullable && !c.nullable) {
                            (Some(d), true) => {
                                format!("coalesce({}, {d}) AS {}", q(&c.name), q(&c.name))
                            }
                            _ => q(&c.name),
                        }
                    })
                    .collect();
                sql.push(format!(
                    "INSERT INTO {} ({}) SELECT {} FROM {};",
                    q(&tmp.name),
                    targets.join(", "),
                    sources.join(", "),
                    q(&t.name)
                ));
                sql.push(format!("DROP TABLE {};", q(&t.name)));
                sql.push(format!(
                    "ALTER TABLE {} RENAME TO {};",
                    q(&tmp.name),
                    q(&t.name)
                ));
                for i in &t.indexes {
                    sql.push(create_index(&q(&t.name), i, dialect));
                }
            }
            sql.push("PRAGMA foreign_keys=ON;".to_string());
            sql.push("PRAGMA defer_foreign_keys=OFF;".to_string());
            sql.join("\n")
        }
        Step::CreateIndex { table, index, .. } => create_index(&qn(table), index, dialect),
        Step::AddForeignKey {
            table,
            foreign_key: fk,
        } => {
            format!(
                "ALTER TABLE {} ADD {};",
                qn(table),
                foreign_key(fk, dialect)
            )
        }
    }
}

/// How many statements a step runs.
pub fn statements(step: &Step, dialect: Dialect) -> usize {
    sql(step, dialect)
        .lines()
        .filter(|l| l.trim_end().ends_with(';'))
        .count()
}

/// A changed MySQL column, as Prisma's MySQL renderer writes it: `DROP DEFAULT` when only the
/// default went away, else the column restated with `MODIFY` (nullability always said, the
/// default before `AUTO_INCREMENT`, unlike in `CREATE TABLE`).
fn mysql_modify(from: &Column, to: &Column) -> String {
    let q = |s: &str| Dialect::Mysql.quote(s);
    let only_default = Column {
        default: to.default.clone(),
        ..from.clone()
    } == *to;
    if only_default && to.default.is_none() {
        return format!("ALTER COLUMN {} DROP DEFAULT", q(&to.name));
    }
    let mut s = format!("MODIFY {} {}", q(&to.name), to.ty);
    s.push_str(if to.nullable { " NULL" } else { " NOT NULL" });
    if let Some(d) = &to.default {
        s.push_str(" DEFAULT ");
        s.push_str(d);
    }
    if to.autoincrement {
        s.push_str(" AUTO_INCREMENT");
    }
    s
}

fn column_def(c: &Column, dialect: Dialect) -> String {
    let mut s = format!("{} {}", dialect.quote(&c.name), c.ty);
    if !c.nullable {
        s.push_str(" NOT NULL");
    }
    if c.autoincrement && dialect == Dialect::Mysql {
        s.push_str(" AUTO_INCREMENT");
    }
    if let Some(d) = &c.default {
        s.push_str(" DEFAULT ");
        s.push_str(d);
    }
    s
}

fn columns_list(cols: &[String], dialect: Dialect, sep: &str) -> String {
    cols.iter()
        .map(|c| dialect.quote(c))
        .collect::<Vec<_>>()
        .join(sep)
}

fn index_column(c: &IndexColumn, dialect: Dialect) -> String {
    let mut s = dialect.quote(&c.name);
    if let (Some(len), Dialect::Mysql) = (c.length, dialect) {
        let _ = write!(s, "({len})");
    }
    if let (Some(ops), Dialect::Postgres) = (&c.ops, dialect) {
        s.push(' ');
        s.push_str(&ops.name);
    }
    if c.sort == Some(SortOrder::Desc) {
        s.push_str(" DESC");
    }
    s
}

pub(crate) fn foreign_key(fk: &ForeignKey, dialect: Dialect) -> String {
    let space = if dialect == Dialect::Sqlite { " " } else { "" };
    format!(
        "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {}{space}({}) ON DELETE {} ON UPDATE {}",
        dialect.quote(&fk.name),
        columns_list(&fk.columns, dialect, ", "),
        dialect.qualified(fk.referenced_namespace.as_deref(), &fk.referenced_table),
        columns_list(&fk.referenced_columns, dialect, ", "),
        fk.on_delete.sql(),
        fk.on_update.sql()
    )
}

pub(crate) fn create_table(t: &Table, dialect: Dialect) -> String {
    let single_pk = t
        .primary_key
        .as_ref()
        .filter(|pk| pk.columns.len() == 1 && dialect == Dialect::Sqlite)
        .map(|pk| pk.columns[0].name.as_str());
    let mut lines: Vec<String> = t
        .columns
        .iter()
        .map(|c| {
            let mut l = format!("    {} {}", dialect.quote(&c.name), c.ty);
            if !c.nullable {
                l.push_str(" NOT NULL");
            }
            if single_pk == Some(c.name.as_str()) {
                l.push_str(" PRIMARY KEY");
                if c.autoincrement {
                    l.push_str(" AUTOINCREMENT");
                }
            }
            if c.autoincrement && dialect == Dialect::Mysql {
                l.push_str(" AUTO_INCREMENT");
            }
            if let Some(d) = &c.default {
                let _ = write!(l, " DEFAULT {d}");
            }
            l
        })
        .collect();
    // Constraints after the columns: a blank line before a separate primary key (and MySQL's
    // inline indexes), none before SQLite's inline foreign keys.
    let mut tail: Vec<String> = Vec::new();
    match dialect {
        Dialect::Sqlite => {
            if let Some(pk) = t.primary_key.as_ref().filter(|_| single_pk.is_none()) {
                let cols: Vec<String> = pk.columns.iter().map(|c| c.name.clone()).collect();
                tail.push(format!(
                    "    PRIMARY KEY ({})",
                    columns_list(&cols, dialect, ", ")
                ));
            }
        }
        Dialect::Postgres => {
            if let Some(pk) = &t.primary_key {
                let cols: Vec<String> = pk.columns.iter().map(|c| c.name.clone()).collect();
                tail.push(format!(
                    "    CONSTRAINT {} PRIMARY KEY ({})",
                    dialect.quote(&pk.name),
                    columns_list(&cols, dialect, ",")
                ));
            }
        }
        Dialect::Mysql => {
            for i in &t.indexes {
                let kind = match i.kind {
                    IndexKind::Unique => "UNIQUE INDEX",
                    IndexKind::Normal => "INDEX",
                    IndexKind::Fulltext => "FULLTEXT INDEX",
                };
                let cols: Vec<String> =
                    i.columns.iter().map(|c| index_column(c, dialect)).collect();
                tail.push(format!(
                    "    {kind} {}({})",
                    dialect.quote(&i.name),
                    cols.join(", ")
                ));
            }
            if let Some(pk) = &t.primary_key {
                let cols: Vec<String> = pk
                    .columns
                    .iter()
                    .map(|c| index_column(c, dialect))
                    .collect();
                tail.push(format!("    PRIMARY KEY ({})", cols.join(", ")));
            }
        }
    }
    let fks: Vec<String> = if dialect == Dialect::Sqlite {
        t.foreign_keys
            .iter()
            .map(|fk| format!("    {}", foreign_key(fk, dialect)))
            .collect()
    } else {
        Vec::new()
    };
    let mut body = lines.join(",\n");
    if !tail.is_empty() {
        body.push_str(",\n\n");
        body.push_str(&tail.join(",\n"));
    }
    if !fks.is_empty() {
        body.push_str(",\n");
        body.push_str(&fks.join(",\n"));
    }
    lines.clear();
    let suffix = if dialect == Dialect::Mysql {
        " DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    } else {
        ""
    };
    format!(
        "CREATE TABLE {} (\n{body}\n){suffix};",
        dialect.qualified(t.namespace.as_deref(), &t.name)
    )
}

/// `CREATE [UNIQUE] INDEX` on `table` (already quoted, qualified where it has a namespace).
pub(crate) fn create_index(table: &str, i: &Index, dialect: Dialect) -> String {
    let kind = match i.kind {
        IndexKind::Unique => "UNIQUE INDEX",
        _ => "INDEX",
    };
    let cols: Vec<String> = i.columns.iter().map(|c| index_column(c, dialect)).collect();
    let using = match (&i.algorithm, dialect) {
        // Prisma writes a space before the column list after an index type only.
        (Some(a), Dialect::Postgres) if a != "BTree" => format!(" USING {} ", a.to_uppercase()),
        _ => String::new(),
    };
    format!(
        "CREATE {kind} {} ON {}{using}({});",
        dialect.quote(&i.name),
        table,
        cols.join(", ")
    )
}
