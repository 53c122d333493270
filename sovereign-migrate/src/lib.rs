//! Prisma-Migrate-compatible migrations for Sovereign: the SQL schema a resolved model implies
//! ([`sql_schema`]), the script between two SQL schemas ([`diff_script`]) and the script that
//! creates one from nothing ([`create_script`]), in Prisma's format and step order for SQLite,
//! PostgreSQL and MySQL; and applying them safely: [`deploy`] under the migration lock
//! ([`lock`]) with each migration and its `_prisma_migrations` row written together where the
//! database allows it, a [`Diagnosis`] of failed or interrupted ones, and [`push`], which never
//! drops what the schema does not name and refuses data loss unless asked.
//!
//! ```
//! let text = "datasource db {\n  provider = \"sqlite\"\n  url = \"file:dev.db\"\n}\nmodel User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n}\n";
//! let (schema, _) = sovereign_schema::check("schema.prisma", text).unwrap();
//! let dialect = sovereign_migrate::Dialect::Sqlite;
//! let sql = sovereign_migrate::create_script(&sovereign_migrate::sql_schema(&schema, dialect), dialect);
//! assert!(sql.starts_with("-- CreateTable\nCREATE TABLE \"User\" (\n    \"id\" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,"));
//! ```

mod apply;
mod calculate;
mod connection;
pub mod deploy;
pub mod destructive;
pub mod dev;
pub mod diagnose;
pub mod diff;
mod error;
pub mod folder;
mod introspect;
pub mod lock;
mod options;
pub mod push;
pub mod render;
pub mod sql;
pub mod step;
pub mod url;
pub use url::resolve_url;

pub use calculate::sql_schema;
pub use connection::{AppliedMigration, BoxFuture, Connection};
pub use deploy::{
    deploy, deploy_with, reset, reset_with, resolve, resolve_with, status, DeployReport,
    MigrateOptions, Progress, Resolution, Status,
};
pub use diff::{diff, diff_summary};
pub use error::{Diagnosis, Error};
pub use folder::{read_migrations, Migration};
pub use lock::{MigrationLock, DEFAULT_LOCK_TIMEOUT};
pub use push::{push, PushReport};
pub use step::{Step, TableChange};

/// The script that migrates a database from `from` to `to` (empty when they are equal): the
/// steps of [`diff()`] rendered as Prisma writes them.
pub fn diff_script(from: &SqlSchema, to: &SqlSchema, dialect: Dialect) -> String {
    render::script(&diff(from, to, dialect), dialect)
}

/// The script that creates `schema` in an empty database, byte for byte what
/// `prisma migrate diff --from-empty --to-schema ... --script` writes (without PostgreSQL's
/// leading `CREATE SCHEMA` step, which `prisma migrate dev` does not put in migrations).
pub fn create_script(schema: &SqlSchema, dialect: Dialect) -> String {
    diff_script(&SqlSchema::default(), schema, dialect)
}
pub use sql::{Dialect, SqlSchema};
