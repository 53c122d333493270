#![allow(dead_code)] // each test crate uses part of this module

//! Databases for the client suite: a temporary SQLite file, or a uniquely named database on the
//! servers of `SOVEREIGN_TEST_POSTGRES_URL` / `SOVEREIGN_TEST_MYSQL_URL`, with the suite's
//! schema created by sovereign-migrate.

use std::sync::atomic::{AtomicU32, Ordering};

use sovereign_migrate::{Connection, Dialect};

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub struct TestDb {
    pub url: String,
    pub backend: sovereign::Backend,
    admin: Option<String>,
    name: String,
}

fn unique_name(label: &str) -> String {
    format!(
        "sov_{label}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

/// A schema for one provider.
pub fn schema_for(schema: &str, provider: &str) -> String {
    let s = schema.replace(
        "provider = \"postgresql\"",
        &format!("provider = \"{provider}\""),
    );
    if provider == "sqlite" {
        // SQLite has no native type attributes; its TEXT holds any length.
        s.replace(" @db.Text", "")
    } else {
        s
    }
}

fn ddl(schema: &str, provider: &str, dialect: Dialect) -> String {
    let text = schema_for(schema, provider);
    let (schema, _) =
        sovereign_schema::check("schema.prisma", &text).expect("the suite schema is valid");
    sovereign_migrate::create_script(&sovereign_migrate::sql_schema(&schema, dialect), dialect)
}

impl TestDb {
    /// A new SQLite file with the suite's tables.
    pub async fn sqlite(label: &str) -> TestDb {
        let name = unique_name(label);
        let path = std::env::temp_dir().join(format!("{name}.db"));
        let _ = std::fs::remove_file(&path);
        let url = format!("file:{}", path.display());
        let mut conn = Connection::connect(&url)
            .await
            .expect("create the SQLite file");
        conn.execute_script(&ddl(sovereign_tests::SCHEMA, "sqlite", Dialect::Sqlite))
            .await
            .expect("create the tables");
        TestDb {
            url,
            backend: sovereign::Backend::Sqlite,
            admin: None,
            name: path.display().to_string(),
        }
    }

    /// A new database on the server named by `var` with the suite's tables, or `None` (said on
    /// stderr) when the variable is unset.
    pub async fn server(var: &str, label: &str) -> Option<TestDb> {
        Self::server_with_schema(var, label, sovereign_tests::SCHEMA).await
    }

    /// Like [`TestDb::server`], with the tables of another schema (its provider replaced by the
    /// server's).
    pub async fn server_with_schema(var: &str, label: &str, schema: &str) -> Option<TestDb> {
        let Ok(admin) = std::env::var(var) else {
            eprintln!("SKIPPED: {var} is not set; {label} did not run");
            return None;
        };
        let name = unique_name(label);
        let mysql = admin.starts_with("mysql");
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
        let (provider, dialect, backend) = if mysql {
            ("mysql", Dialect::Mysql, sovereign::Backend::MySql)
        } else {
            (
                "postgresql",
                Dialect::Postgres,
                sovereign::Backend::Postgres,
            )
        };
        let mut db = Connection::connect(&url)
            .await
            .expect("connect to the new database");
        db.execute_script(&ddl(schema, provider, dialect))
            .await
            .expect("create the tables");
        Some(TestDb {
            url,
            backend,
            admin: Some(admin),
            name,
        })
    }

    pub async fn drop(self) {
        match self.admin {
            None => {
                let _ = std::fs::remove_file(&self.name);
            }
            Some(admin) => {
                let mut conn = Connection::connect(&admin).await.unwrap();
                let force = if admin.starts_with("mysql") {
                    ""
                } else {
                    " WITH (FORCE)"
                };
                conn.execute_script(&format!("DROP DATABASE IF EXISTS {}{force}", self.name))
                    .await
                    .unwrap();
            }
        }
    }
}
