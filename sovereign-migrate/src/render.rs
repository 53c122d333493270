//! Rendering SQL in Prisma Migrate's format: one `-- StepName` comment per step, steps separated
//! by a blank line, in Prisma's order (enums, tables, indexes, foreign keys).

use crate::sql::*;
use sovereign_schema::model::SortOrder;
use std::fmt::Write;

/// Steps of a script, rendered as Prisma does: `-- Name` then the SQL, a blank line between.
#[derive(Default)]
pub(crate) struct Steps(Vec<(&'static str, String)>);

impl Steps {
    pub(crate) fn push(&mut self, name: &'static str, sql: String) {
        self.0.push((name, sql));
    }

    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        for (i, (name, sql)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            let _ = writeln!(out, "-- {name}\n{sql}");
        }
        out
    }
}

/// The script that creates `schema` in an empty database, byte for byte what
/// `prisma migrate diff --from-empty --to-schema ... --script` writes (without PostgreSQL's
/// leading `CREATE SCHEMA` step, which `prisma migrate dev` does not put in migrations).
pub fn create_script(schema: &SqlSchema, dialect: Dialect) -> String {
    crate::diff::diff_script(&SqlSchema::default(), schema, dialect)
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
        dialect.quote(&fk.referenced_table),
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
        dialect.quote(&t.name)
    )
}

pub(crate) fn create_index(t: &Table, i: &Index, dialect: Dialect) -> String {
    let kind = match i.kind {
        IndexKind::Unique => "UNIQUE INDEX",
        _ => "INDEX",
    };
    let cols: Vec<String> = i.columns.iter().map(|c| index_column(c, dialect)).collect();
    let using = match (&i.algorithm, dialect) {
        (Some(a), Dialect::Postgres) if a != "BTree" => format!(" USING {}", a.to_uppercase()),
        _ => String::new(),
    };
    format!(
        "CREATE {kind} {} ON {}{using}({});",
        dialect.quote(&i.name),
        dialect.quote(&t.name),
        cols.join(", ")
    )
}
