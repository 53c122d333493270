#![allow(dead_code)] // each test crate uses part of this module

//! Shared by the database tests.

/// A MySQL version of a PostgreSQL fixture schema: the provider switched, and what MySQL lacks
/// (scalar lists) left out.
pub fn to_mysql(s: &str) -> String {
    s.lines()
        .map(|l| {
            if l.trim_start().starts_with("provider") {
                l.replace("\"postgresql\"", "\"mysql\"")
            } else {
                l.replace("postgresql://localhost/db", "mysql://localhost/db")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        .lines()
        .filter(|l| {
            !l.contains("[]")
                || l.contains("@relation")
                || l.split_whitespace().nth(1).is_some_and(|t| {
                    !matches!(
                        t.trim_end_matches("[]"),
                        "String" | "Int" | "Color" | "Role"
                    )
                })
        })
        .map(|l| {
            l.replace(" @db.VarChar(10)", " @db.VarChar(20)")
                .replace(" @db.VarChar(200)", " @db.VarChar(191)")
        })
        .collect::<Vec<_>>()
        .join("\n")
}
