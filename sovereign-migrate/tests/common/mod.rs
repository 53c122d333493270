#![allow(dead_code)] // each test crate uses part of this module

//! Shared by the database tests.

/// A MySQL version of a PostgreSQL fixture schema: the provider switched, and what MySQL lacks
/// (scalar lists) left out.
pub fn to_mysql(s: &str) -> String {
    s.replace("provider = \"postgresql\"", "provider = \"mysql\"")
        .replace("postgresql://localhost/db", "mysql://localhost/db")
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

use sovereign_migrate::Connection;
use std::sync::atomic::{AtomicU32, Ordering};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A uniquely named database on the server of `SOVEREIGN_TEST_POSTGRES_URL` or
/// `SOVEREIGN_TEST_MYSQL_URL`, dropped by [`TestDb::drop`].
pub struct TestDb {
    admin: String,
    name: String,
    pub url: String,
}

impl TestDb {
    /// `None` (after saying so on stderr) when the variable is not set: the test skips loudly.
    pub async fn create(var: &str, label: &str) -> Option<TestDb> {
        let Ok(admin) = std::env::var(var) else {
            eprintln!("SKIPPED: {var} is not set; {label} did not run");
            return None;
        };
        let name = format!(
            "sov_{}_{}_{}",
            label
                .split_whitespace()
                .next()
                .unwrap_or("db")
                .replace('-', "_"),
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let mut conn = Connection::connect(&admin)
            .await
            .expect("connect to the test server");
        conn.execute_script(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create database");
        let (base, query) = admin
            .split_once('?')
            .map_or((admin.as_str(), None), |(b, q)| (b, Some(q)));
        let scheme_end = base.find("://").map_or(0, |i| i + 3);
        let path = base[scheme_end..]
            .find('/')
            .map_or(base.len(), |i| scheme_end + i);
        let mut url = format!("{}/{name}", &base[..path]);
        if let Some(q) = query {
            url.push('?');
            url.push_str(q);
        }
        Some(TestDb { admin, name, url })
    }

    pub async fn drop(self) {
        let mut conn = Connection::connect(&self.admin).await.unwrap();
        let force = if self.admin.starts_with("mysql") {
            ""
        } else {
            " WITH (FORCE)"
        };
        conn.execute_script(&format!("DROP DATABASE IF EXISTS {}{force}", self.name))
            .await
            .unwrap();
    }
}
