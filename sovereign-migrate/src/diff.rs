//! Planning the steps between two SQL schemas, in Prisma Migrate's order: PostgreSQL alters
//! tables in place and recreates enums whose values were removed; SQLite, which cannot alter
//! columns or constraints, redefines tables. The steps are data ([`Step`]); [`crate::render`]
//! writes them as SQL.

use crate::sql::*;
use crate::step::{EnumColumn, Redefinition, Step, TableChange};
use std::collections::BTreeSet;

/// The steps that migrate a database from `from` to `to` (none when they are equal).
pub fn diff(from: &SqlSchema, to: &SqlSchema, dialect: Dialect) -> Vec<Step> {
    let mut steps = Vec::new();

    // Namespaces of a multi-schema datasource (PostgreSQL), created if missing.
    for ns in &to.namespaces {
        if !from.namespaces.contains(ns) {
            steps.push(Step::CreateSchema(ns.clone()));
        }
    }

    // Enums (PostgreSQL).
    let mut alter_enums = Vec::new();
    for e in &to.enums {
        match from.same_enum(e) {
            None => steps.push(Step::CreateEnum(e.clone())),
            Some(old) if old.values != e.values => alter_enums.push((old, e)),
            Some(_) => {}
        }
    }
    for (old, new) in alter_enums {
        let removed = old.values.iter().any(|v| !new.values.contains(v));
        if !removed {
            steps.push(Step::AddEnumValues {
                name: QualifiedName {
                    namespace: new.namespace.clone(),
                    name: new.name.clone(),
                },
                values: new
                    .values
                    .iter()
                    .filter(|v| !old.values.contains(v))
                    .cloned()
                    .collect(),
            });
            continue;
        }
        let enum_ty = dialect.qualified(new.namespace.as_deref(), &new.name);
        let mut columns = Vec::new();
        for t in &to.tables {
            let Some(old_t) = from.same(t) else {
                continue;
            };
            for c in &t.columns {
                let base = c.ty.trim_end_matches("[]");
                let Some(old_c) = old_t.column(&c.name) else {
                    continue;
                };
                if base != enum_ty {
                    continue;
                }
                columns.push(EnumColumn {
                    table: t.qualified(),
                    column: c.name.clone(),
                    array: c.ty.ends_with("[]"),
                    had_default: old_c.default.is_some(),
                    default: c.default.clone(),
                });
            }
        }
        steps.push(Step::RecreateEnum {
            new: new.clone(),
            columns,
        });
    }

    let redefined: BTreeSet<&str> = if dialect == Dialect::Sqlite {
        to.tables
            .iter()
            .filter(|t| from.same(t).is_some_and(|old| needs_redefine(old, t)))
            .map(|t| t.name.as_str())
            .collect()
    } else {
        BTreeSet::new()
    };

    // Foreign keys and indexes that go away or change.
    if dialect != Dialect::Sqlite {
        for old in &from.tables {
            let new = to.same(old);
            for fk in &old.foreign_keys {
                if !new.is_some_and(|t| t.foreign_keys.contains(fk)) {
                    steps.push(Step::DropForeignKey {
                        table: old.qualified(),
                        name: fk.name.clone(),
                    });
                }
            }
        }
    }
    for old in &from.tables {
        let Some(new) = to.same(old) else {
            continue;
        };
        if redefined.contains(old.name.as_str()) {
            continue;
        }
        for i in &old.indexes {
            if !new.indexes.contains(i) {
                steps.push(Step::DropIndex {
                    table: old.qualified(),
                    name: i.name.clone(),
                });
            }
        }
    }

    // Columns.
    for new in &to.tables {
        let Some(old) = from.same(new) else {
            continue;
        };
        if redefined.contains(new.name.as_str()) {
            continue;
        }
        if dialect == Dialect::Sqlite {
            for c in new.columns.iter().filter(|c| old.column(&c.name).is_none()) {
                steps.push(Step::AddColumn {
                    table: new.qualified(),
                    column: c.clone(),
                });
            }
            continue;
        }
        let mut changes = Vec::new();
        let mut dropped: Vec<&Column> = old
            .columns
            .iter()
            .filter(|c| new.column(&c.name).is_none())
            .collect();
        dropped.sort_by(|a, b| a.name.cmp(&b.name));
        changes.extend(dropped.into_iter().cloned().map(TableChange::DropColumn));
        let mut added: Vec<&Column> = new
            .columns
            .iter()
            .filter(|c| old.column(&c.name).is_none())
            .collect();
        added.sort_by(|a, b| a.name.cmp(&b.name));
        changes.extend(added.into_iter().cloned().map(TableChange::AddColumn));
        for c in &new.columns {
            let Some(o) = old.column(&c.name) else {
                continue;
            };
            if dialect == Dialect::Mysql {
                // MySQL restates the whole column.
                if o != c {
                    changes.push(TableChange::Modify {
                        from: o.clone(),
                        to: c.clone(),
                    });
                }
                continue;
            }
            if o.ty != c.ty {
                changes.push(TableChange::SetType {
                    column: c.name.clone(),
                    from: o.ty.clone(),
                    to: c.ty.clone(),
                });
            }
            if o.nullable && !c.nullable {
                changes.push(TableChange::SetNotNull {
                    column: c.name.clone(),
                    has_default: c.default.is_some(),
                });
            } else if !o.nullable && c.nullable {
                changes.push(TableChange::DropNotNull(c.name.clone()));
            }
            if o.default != c.default {
                changes.push(match &c.default {
                    Some(d) => TableChange::SetDefault {
                        column: c.name.clone(),
                        default: d.clone(),
                    },
                    None => TableChange::DropDefault(c.name.clone()),
                });
            }
        }
        if !changes.is_empty() {
            steps.push(Step::AlterTable {
                table: new.qualified(),
                changes,
            });
        }
    }

    // Tables and enums that go away.
    for old in from.tables.iter().filter(|t| to.same(t).is_none()) {
        steps.push(Step::DropTable {
            name: old.qualified(),
        });
    }
    for e in from.enums.iter().filter(|e| to.same_enum(e).is_none()) {
        steps.push(Step::DropEnum {
            name: QualifiedName {
                namespace: e.namespace.clone(),
                name: e.name.clone(),
            },
        });
    }

    // New tables.
    for t in to.tables.iter().filter(|t| from.same(t).is_none()) {
        steps.push(Step::CreateTable(t.clone()));
    }

    // SQLite: rebuild the tables it cannot alter.
    if !redefined.is_empty() {
        let tables = to
            .tables
            .iter()
            .filter(|t| redefined.contains(t.name.as_str()))
            .filter_map(|t| {
                Some(Redefinition {
                    old: from.same(t)?.clone(),
                    new: t.clone(),
                })
            })
            .collect();
        steps.push(Step::RedefineTables(tables));
    }

    // New indexes and foreign keys.
    for t in &to.tables {
        let old = from.same(t);
        // MySQL creates a new table's indexes inside CREATE TABLE.
        if redefined.contains(t.name.as_str()) || (dialect == Dialect::Mysql && old.is_none()) {
            continue;
        }
        for i in &t.indexes {
            if !old.is_some_and(|o| o.indexes.contains(i)) {
                steps.push(Step::CreateIndex {
                    table: t.qualified(),
                    index: i.clone(),
                    existing_table: old.is_some(),
                });
            }
        }
    }
    if dialect != Dialect::Sqlite {
        for t in &to.tables {
            let old = from.same(t);
            for fk in &t.foreign_keys {
                if !old.is_some_and(|o| o.foreign_keys.contains(fk)) {
                    steps.push(Step::AddForeignKey {
                        table: t.qualified(),
                        foreign_key: fk.clone(),
                    });
                }
            }
        }
    }
    steps
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

/// A human summary of what [`diff_script`](crate::diff_script) would do, like `prisma migrate diff` without
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
        match from.same(t) {
            None => out.push(format!("[+] Added table {}", t.name)),
            Some(old) if old != t => out.push(format!("[*] Changed table {}", t.name)),
            Some(_) => {}
        }
    }
    for t in from.tables.iter().filter(|t| to.same(t).is_none()) {
        out.push(format!("[-] Removed table {}", t.name));
    }
    out
}
