//! Diffing two SQL schemas into the script that turns one into the other, in Prisma Migrate's
//! format and step order: PostgreSQL alters tables in place and recreates enums whose values
//! were removed; SQLite, which cannot alter columns or constraints, redefines tables.

use crate::render::{create_index, create_table, foreign_key, Steps};
use crate::sql::*;
use std::collections::BTreeSet;

/// The script that migrates a database from `from` to `to` (empty when they are equal).
pub fn diff_script(from: &SqlSchema, to: &SqlSchema, dialect: Dialect) -> String {
    let mut steps = Steps::default();
    let q = |s: &str| dialect.quote(s);

    // Enums (PostgreSQL).
    let mut alter_enums = Vec::new();
    for e in &to.enums {
        match from.enums.iter().find(|x| x.name == e.name) {
            None => steps.push(
                "CreateEnum",
                format!(
                    "CREATE TYPE {} AS ENUM ({});",
                    q(&e.name),
                    e.values
                        .iter()
                        .map(|v| dialect.string(v))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            Some(old) if old.values != e.values => alter_enums.push((old, e)),
            Some(_) => {}
        }
    }
    for (old, new) in alter_enums {
        let removed = old.values.iter().any(|v| !new.values.contains(v));
        if !removed {
            let added: Vec<String> = new
                .values
                .iter()
                .filter(|v| !old.values.contains(v))
                .map(|v| {
                    format!(
                        "ALTER TYPE {} ADD VALUE {};",
                        q(&new.name),
                        dialect.string(v)
                    )
                })
                .collect();
            steps.push("AlterEnum", added.join("\n"));
            continue;
        }
        let tmp = format!("{}_new", new.name);
        let mut sql = vec![
            "BEGIN;".to_string(),
            format!(
                "CREATE TYPE {} AS ENUM ({});",
                q(&tmp),
                new.values
                    .iter()
                    .map(|v| dialect.string(v))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ];
        let enum_ty = q(&new.name);
        for t in &to.tables {
            let Some(old_t) = from.table(&t.name) else {
                continue;
            };
            for c in &t.columns {
                let base = c.ty.trim_end_matches("[]");
                if base != enum_ty || old_t.column(&c.name).is_none() {
                    continue;
                }
                let array = if c.ty.ends_with("[]") { "[]" } else { "" };
                let had_default = old_t.column(&c.name).is_some_and(|oc| oc.default.is_some());
                if had_default {
                    sql.push(format!(
                        "ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT;",
                        q(&t.name),
                        q(&c.name)
                    ));
                }
                sql.push(format!(
                    "ALTER TABLE {} ALTER COLUMN {} TYPE {}{array} USING ({}::text{array}::{}{array});",
                    q(&t.name),
                    q(&c.name),
                    q(&tmp),
                    q(&c.name),
                    q(&tmp)
                ));
                if let (true, Some(d)) = (had_default, &c.default) {
                    sql.push(format!(
                        "ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {d};",
                        q(&t.name),
                        q(&c.name)
                    ));
                }
            }
        }
        sql.push(format!(
            "ALTER TYPE {} RENAME TO {};",
            q(&new.name),
            q(&format!("{}_old", new.name))
        ));
        sql.push(format!(
            "ALTER TYPE {} RENAME TO {};",
            q(&tmp),
            q(&new.name)
        ));
        sql.push(format!("DROP TYPE {};", q(&format!("{}_old", new.name))));
        sql.push("COMMIT;".to_string());
        steps.push("AlterEnum", sql.join("\n"));
    }

    let redefined: BTreeSet<&str> = if dialect == Dialect::Sqlite {
        to.tables
            .iter()
            .filter(|t| {
                from.table(&t.name)
                    .is_some_and(|old| needs_redefine(old, t))
            })
            .map(|t| t.name.as_str())
            .collect()
    } else {
        BTreeSet::new()
    };

    // Foreign keys and indexes that go away or change.
    if dialect != Dialect::Sqlite {
        for old in &from.tables {
            let new = to.table(&old.name);
            for fk in &old.foreign_keys {
                if new.is_some_and(|t| t.foreign_keys.contains(fk)) {
                    continue;
                }
                let sql = match dialect {
                    Dialect::Mysql => format!(
                        "ALTER TABLE {} DROP FOREIGN KEY {};",
                        q(&old.name),
                        q(&fk.name)
                    ),
                    _ => format!(
                        "ALTER TABLE {} DROP CONSTRAINT {};",
                        q(&old.name),
                        q(&fk.name)
                    ),
                };
                steps.push("DropForeignKey", sql);
            }
        }
    }
    for old in &from.tables {
        let Some(new) = to.table(&old.name) else {
            continue;
        };
        if redefined.contains(old.name.as_str()) {
            continue;
        }
        for i in &old.indexes {
            if !new.indexes.contains(i) {
                let sql = match dialect {
                    Dialect::Mysql => format!("DROP INDEX {} ON {};", q(&i.name), q(&old.name)),
                    _ => format!("DROP INDEX {};", q(&i.name)),
                };
                steps.push("DropIndex", sql);
            }
        }
    }

    // Columns.
    for new in &to.tables {
        let Some(old) = from.table(&new.name) else {
            continue;
        };
        if redefined.contains(new.name.as_str()) {
            continue;
        }
        match dialect {
            Dialect::Sqlite => {
                for c in new.columns.iter().filter(|c| old.column(&c.name).is_none()) {
                    steps.push(
                        "AlterTable",
                        format!(
                            "ALTER TABLE {} ADD COLUMN {};",
                            q(&new.name),
                            column_def(c, dialect)
                        ),
                    );
                }
            }
            _ => {
                let mut changes = Vec::new();
                let mut dropped: Vec<&Column> = old
                    .columns
                    .iter()
                    .filter(|c| new.column(&c.name).is_none())
                    .collect();
                dropped.sort_by(|a, b| a.name.cmp(&b.name));
                for c in dropped {
                    changes.push(format!("DROP COLUMN {}", q(&c.name)));
                }
                let mut added: Vec<&Column> = new
                    .columns
                    .iter()
                    .filter(|c| old.column(&c.name).is_none())
                    .collect();
                added.sort_by(|a, b| a.name.cmp(&b.name));
                for c in added {
                    changes.push(format!("ADD COLUMN     {}", column_def(c, dialect)));
                }
                for c in &new.columns {
                    let Some(o) = old.column(&c.name) else {
                        continue;
                    };
                    if dialect == Dialect::Mysql {
                        // MySQL restates the whole column.
                        if o != c {
                            changes.push(format!("MODIFY {}", column_def(c, dialect)));
                        }
                        continue;
                    }
                    if o.ty != c.ty {
                        changes.push(format!(
                            "ALTER COLUMN {} SET DATA TYPE {}",
                            q(&c.name),
                            c.ty
                        ));
                    }
                    if o.nullable && !c.nullable {
                        changes.push(format!("ALTER COLUMN {} SET NOT NULL", q(&c.name)));
                    } else if !o.nullable && c.nullable {
                        changes.push(format!("ALTER COLUMN {} DROP NOT NULL", q(&c.name)));
                    }
                    if o.default != c.default {
                        match &c.default {
                            Some(d) => {
                                changes.push(format!("ALTER COLUMN {} SET DEFAULT {d}", q(&c.name)))
                            }
                            None => {
                                changes.push(format!("ALTER COLUMN {} DROP DEFAULT", q(&c.name)))
                            }
                        }
                    }
                }
                if !changes.is_empty() {
                    steps.push(
                        "AlterTable",
                        format!("ALTER TABLE {} {};", q(&new.name), changes.join(",\n")),
                    );
                }
            }
        }
    }

    // Tables that go away.
    for old in from.tables.iter().filter(|t| to.table(&t.name).is_none()) {
        let sql = match dialect {
            Dialect::Sqlite => format!(
                "PRAGMA foreign_keys=off;\nDROP TABLE {};\nPRAGMA foreign_keys=on;",
                q(&old.name)
            ),
            _ => format!("DROP TABLE {};", q(&old.name)),
        };
        steps.push("DropTable", sql);
    }
    for e in from
        .enums
        .iter()
        .filter(|e| !to.enums.iter().any(|x| x.name == e.name))
    {
        steps.push("DropEnum", format!("DROP TYPE {};", q(&e.name)));
    }

    // New tables.
    for t in to.tables.iter().filter(|t| from.table(&t.name).is_none()) {
        steps.push("CreateTable", create_table(t, dialect));
    }

    // SQLite: rebuild the tables it cannot alter.
    if !redefined.is_empty() {
        let mut sql = vec![
            "PRAGMA defer_foreign_keys=ON;".to_string(),
            "PRAGMA foreign_keys=OFF;".to_string(),
        ];
        for t in to
            .tables
            .iter()
            .filter(|t| redefined.contains(t.name.as_str()))
        {
            let old = from.table(&t.name).expect("redefined tables exist in both");
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
                sql.push(create_index(t, i, dialect));
            }
        }
        sql.push("PRAGMA foreign_keys=ON;".to_string());
        sql.push("PRAGMA defer_foreign_keys=OFF;".to_string());
        steps.push("RedefineTables", sql.join("\n"));
    }

    // New indexes and foreign keys.
    if dialect != Dialect::Mysql {
        for t in &to.tables {
            if redefined.contains(t.name.as_str()) {
                continue;
            }
            let old = from.table(&t.name);
            for i in &t.indexes {
                if !old.is_some_and(|o| o.indexes.contains(i)) {
                    steps.push("CreateIndex", create_index(t, i, dialect));
                }
            }
        }
    } else {
        for t in to.tables.iter().filter(|t| from.table(&t.name).is_some()) {
            let old = from.table(&t.name).expect("filtered");
            for i in t.indexes.iter().filter(|i| !old.indexes.contains(i)) {
                steps.push("CreateIndex", create_index(t, i, dialect));
            }
        }
    }
    if dialect != Dialect::Sqlite {
        for t in &to.tables {
            let old = from.table(&t.name);
            for fk in &t.foreign_keys {
                if !old.is_some_and(|o| o.foreign_keys.contains(fk)) {
                    steps.push(
                        "AddForeignKey",
                        format!(
                            "ALTER TABLE {} ADD {};",
                            q(&t.name),
                            foreign_key(fk, dialect)
                        ),
                    );
                }
            }
        }
    }
    steps.render()
}

/// Prisma adds only nullable columns to a SQLite table in place; anything else (a required
/// column even with a default, a changed or dropped column, a changed key) rebuilds the table.
fn needs_redefine(old: &Table, new: &Table) -> bool {
    old.primary_key != new.primary_key
        || old.foreign_keys != new.foreign_keys
        || old
            .columns
            .iter()
            .any(|c| new.column(&c.name).is_none_or(|n| n != c))
        || new
            .columns
            .iter()
            .any(|c| old.column(&c.name).is_none() && !c.nullable)
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

/// A human summary of what [`diff_script`] would do, like `prisma migrate diff` without
/// `--script`: one line per added, removed or changed table and enum.
pub fn diff_summary(from: &SqlSchema, to: &SqlSchema) -> Vec<String> {
    let mut out = Vec::new();
    for e in &to.enums {
        match from.enums.iter().find(|x| x.name == e.name) {
            None => out.push(format!("[+] Added enum {}", e.name)),
            Some(old) if old != e => out.push(format!("[*] Changed enum {}", e.name)),
            Some(_) => {}
        }
    }
    for e in from
        .enums
        .iter()
        .filter(|e| !to.enums.iter().any(|x| x.name == e.name))
    {
        out.push(format!("[-] Removed enum {}", e.name));
    }
    for t in &to.tables {
        match from.table(&t.name) {
            None => out.push(format!("[+] Added table {}", t.name)),
            Some(old) if old != t => out.push(format!("[*] Changed table {}", t.name)),
            Some(_) => {}
        }
    }
    for t in from.tables.iter().filter(|t| to.table(&t.name).is_none()) {
        out.push(format!("[-] Removed table {}", t.name));
    }
    out
}
