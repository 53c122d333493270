#![allow(dead_code)] // each test crate uses part of this module

//! Databases for the client suite: a temporary SQLite file, or a uniquely named database on the
//! servers of `SOVEREIGN_TEST_POSTGRES_URL` / `SOVEREIGN_TEST_MYSQL_URL`, with the suite's
//! schema created by sovereign-migrate.

use sovereign_migrate::{Connection, Dialect};

pub struct TestDb {
    pub url: String,
    pub backend: sovereign::Dialect,
    /// The server database (dropped with it, also when a test panics); `None` for SQLite.
    server: Option<sovereign_test_support::TestDb>,
    name: String,
}

use sovereign_test_support::unique_name;

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
            backend: sovereign::Dialect::Sqlite,
            server: None,
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
        let server = sovereign_test_support::TestDb::create_from_var(var, label).await?;
        let (provider, dialect, backend) = match server.server {
            sovereign_test_support::Server::Mysql => {
                ("mysql", Dialect::Mysql, sovereign::Dialect::Mysql)
            }
            sovereign_test_support::Server::Postgres => (
                "postgresql",
                Dialect::Postgres,
                sovereign::Dialect::Postgres,
            ),
        };
        let mut db = Connection::connect(&server.url)
            .await
            .expect("connect to the new database");
        db.execute_script(&ddl(schema, provider, dialect))
            .await
            .expect("create the tables");
        Some(TestDb {
            url: server.url.clone(),
            name: server.name.clone(),
            backend,
            server: Some(server),
        })
    }

    pub async fn drop(self) {
        match self.server {
            None => {
                // With the WAL the runtime opens SQLite in, a file has a -wal and a -shm beside it.
                for suffix in ["", "-wal", "-shm", "-journal"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", self.name));
                }
            }
            Some(server) => server.drop().await,
        }
    }
}
