//! Prisma-Migrate-compatible migrations for Sovereign: the SQL a schema needs, and applying it
//! safely, for SQLite, PostgreSQL and MySQL.
//!
//! Most applications never call this crate themselves: the generated client's `DATASOURCE`
//! embeds the migrations and `sovereign::Host::builder().deploy_migrations(true)` (or
//! `DATASOURCE.deploy(url)`) applies them at start-up, and `sovereign migrate ...` is the
//! command line. This is the engine under both, for tools that need it directly.
//!
//! # Write a migration
//!
//! A checked schema gives its SQL schema with [`sql_schema`]; [`create_script`] is the script
//! that creates it in an empty database, and [`diff_script`] the one between two SQL schemas,
//! byte for byte as `prisma migrate diff --script` writes them, so the history stays readable
//! by Prisma's own tools:
//!
//! ```
//! let text = "datasource db {\n  provider = \"sqlite\"\n  url = \"file:dev.db\"\n}\nmodel User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n}\n";
//! let (schema, _) = sovereign_schema::check("schema.prisma", text).unwrap();
//! let dialect = sovereign_migrate::Dialect::Sqlite;
//! let sql = sovereign_migrate::create_script(&sovereign_migrate::sql_schema(&schema, dialect), dialect);
//! assert!(sql.starts_with("-- CreateTable\nCREATE TABLE \"User\" (\n    \"id\" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,"));
//! ```
//!
//! Between the two, [`diff()`] gives the steps as data ([`Step`]), which [`render`] writes as
//! SQL, [`diff_summary`] summarises, and [`destructive`] checks against the data.
//!
//! # Apply migrations
//!
//! [`read_migrations`] reads a `migrations/` folder; [`Connection::connect`] opens a database
//! from a Prisma-style URL; [`deploy()`] applies what is pending under the migration
//! [`lock`], so that several instances starting at once apply each migration exactly once,
//! and records each in Prisma's `_prisma_migrations` table together with its script where the
//! database allows it. A failed or interrupted migration blocks later deploys, with a
//! [`Diagnosis`] of what reached the database, until it is resolved ([`resolve`]).
//!
//! ```no_run
//! use sovereign_migrate::{deploy, read_migrations, Connection};
//!
//! # async fn run() -> Result<(), sovereign_migrate::Error> {
//! let migrations = read_migrations(std::path::Path::new("prisma/migrations"))?;
//! let mut conn = Connection::connect("postgresql://app@localhost:5432/app").await?;
//! let report = deploy(&mut conn, &migrations).await?;
//! println!("applied: {:?}", report.applied);
//! # Ok(())
//! # }
//! ```
//!
//! # Push a schema
//!
//! [`push()`](fn@push) brings a database to a schema without a history, as `prisma db push`
//! does; the runtime uses it when a database's provider differs from the migrations'. It never
//! drops tables the schema does not name, and refuses steps that lose data unless
//! [`MigrateOptions::accept_data_loss`] says otherwise:
//!
//! ```no_run
//! use sovereign_migrate::{push, sql_schema, Connection, Dialect, MigrateOptions};
//!
//! # async fn run(schema: &sovereign_schema::Schema) -> Result<(), sovereign_migrate::Error> {
//! let mut conn = Connection::connect("file:./dev.db").await?;
//! let target = sql_schema(schema, Dialect::Sqlite);
//! let report = push(&mut conn, &target, &MigrateOptions::default()).await?;
//! println!("{} statements; left alone: {:?}", report.statements, report.kept);
//! # Ok(())
//! # }
//! ```
//!
//! Features: `sqlite`, `postgres`, `mysql` (all by default) compile each database's driver; a
//! URL for one that is not compiled in is an error that names the feature.

#![warn(missing_docs)]

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
pub mod provision;
pub mod push;
pub mod render;
pub mod sql;
pub mod step;
pub mod url;
pub use url::resolve_url;

pub use calculate::sql_schema;
#[cfg(feature = "postgres")]
pub use connection::postgres_options;
pub use connection::{AppliedMigration, BoxFuture, Connection, ReplicaStatus};
pub use deploy::{
    deploy, deploy_with, reset, reset_with, resolve, resolve_with, status, DeployReport,
    MigrateOptions, Progress, Resolution, Status,
};
pub use diff::{diff, diff_summary};
pub use error::{Diagnosis, Error};
pub use folder::{read_migrations, Migration};
pub use lock::{MigrationLock, DEFAULT_LOCK_TIMEOUT};
pub use provision::{
    check_role, check_withdrawn, provision_owner, provision_role, withdraw_role, Access,
    OwnerReport, ProvisionReport, Withdrawal,
};
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
