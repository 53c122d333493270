//! Sovereign's runtime: the generic client that generated code delegates to.
//!
//! `sovereign-build` generates, from a Prisma schema, a small Rust module per model (its data
//! struct, its field modules and a static description of its table). Everything else lives
//! here: SQL building with [sea-query](https://docs.rs/sea-query), execution with
//! [sqlx](https://docs.rs/sqlx) on PostgreSQL and MySQL and with SQLite's C library (through
//! [rusqlite](https://docs.rs/rusqlite), see [`sqlite`]) on SQLite, relation loading,
//! transactions, raw queries and errors.
//!
//! # Generate a client
//!
//! Depend on `sovereign` and, for the build script, `sovereign-build`:
//!
//! ```toml
//! [dependencies]
//! sovereign = { version = "0.1", features = ["sqlite", "postgres"] }
//!
//! [build-dependencies]
//! sovereign-build = "0.1"
//! ```
//!
//! `build.rs` generates the client of the platform's schema into `OUT_DIR` with
//! `sovereign_build::platform().compile()`, and the crate includes it in a module of its own:
//! `mod db { sovereign::include_client!(); }`.
//!
//! # Query
//!
//! The client has one accessor per model; filters, setters and orderings are functions of
//! each field's module; `.with(...)` fetches relations (one query per relation level):
//!
//! ```no_run
//! # mod db {
//! #     use ::sovereign as __s;
//! #     use __s::meta::{FieldMeta as F, Kind as K, ModelMeta, RelationMeta as R};
//! #     pub struct Datasource;
//! #     impl Datasource {
//! #         pub async fn connect(&self) -> __s::Result<__s::Database> {
//! #             __s::Database::connect("file:dev.db").await
//! #         }
//! #     }
//! #     pub static DATASOURCE: Datasource = Datasource;
//! #     pub mod user {
//! #         use super::*;
//! #         pub static META: ModelMeta = ModelMeta {
//! #             name: "User", table: "User", primary_key: &[0], uniques: &[], auto_increment: true,
//! #             fields: &[F::new("id", "id", K::Int), F::new("name", "name", K::String)],
//! #             relations: &[R::inverse("posts", &super::post::META, true, &[2], &[0])],
//! #         };
//! #         #[derive(Debug, Clone)]
//! #         pub struct Data { pub id: i32, pub name: String, pub posts: Option<Vec<super::post::Data>> }
//! #         __s::__model!(Data, META, [0 id, 1 name], [posts]);
//! #         impl __s::Writable for Data {}
//! #         pub type Actions = __s::Actions<Data>;
//! #         pub mod id { ::sovereign::__field!(Data, 0, i32, i32; unique cmp num); }
//! #         pub mod name { ::sovereign::__field!(Data, 1, String, String; eq cmp str); }
//! #     }
//! #     pub mod post {
//! #         use super::*;
//! #         pub static META: ModelMeta = ModelMeta {
//! #             name: "Post", table: "Post", primary_key: &[0], uniques: &[], auto_increment: true,
//! #             fields: &[
//! #                 F::new("id", "id", K::Int),
//! #                 F::new("title", "title", K::String),
//! #                 F::new("authorId", "authorId", K::Int),
//! #             ],
//! #             relations: &[R::owner("author", &super::user::META, &[2], &[0])],
//! #         };
//! #         #[derive(Debug, Clone)]
//! #         pub struct Data {
//! #             pub id: i32, pub title: String, pub author_id: i32,
//! #             pub author: Option<Box<super::user::Data>>,
//! #         }
//! #         __s::__model!(Data, META, [0 id, 1 title, 2 author_id], [author]);
//! #         impl __s::Writable for Data {}
//! #         pub type Actions = __s::Actions<Data>;
//! #         pub mod id { ::sovereign::__field!(Data, 0, i32, i32; unique cmp num); }
//! #         pub mod title { ::sovereign::__field!(Data, 1, String, String; eq cmp str); }
//! #         pub mod author_id { ::sovereign::__field!(Data, 2, i32, i32; eq cmp num); }
//! #         pub mod author {
//! #             ::sovereign::__relation!(one Data, 0, user, author; name);
//! #         }
//! #     }
//! #     __s::__client!(PrismaClient, DATASOURCE, { user: user::Actions, post: post::Actions });
//! # }
//! use db::{post, PrismaClient};
//! use sovereign::Direction;
//!
//! # async fn run() -> sovereign::Result<()> {
//! // The URL the schema's datasource names (`env("DATABASE_URL")`, read from `.env` too).
//! let client = PrismaClient::from_env().await?;
//! let posts = client
//!     .post()
//!     .find_many(vec![post::title::contains("rust")])
//!     .order_by(post::id::order(Direction::Desc))
//!     .take(10)
//!     .with(post::author::fetch())
//!     .exec()
//!     .await?;
//! for p in &posts {
//!     println!("{} by {}", p.title, p.author()?.name);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Writes (`create`, `update`, `upsert`, `delete`, their `_many` forms), transactions
//! (`client._transaction().run(|tx| async move { ... })`) and raw SQL with bound parameters
//! ([`raw!`]) go through the same client; every failure is an [`Error`] whose
//! [`kind`](Error::kind) a caller can match.
//!
//! Features: `sqlite` (default; SQLite is bundled), `postgres`, `mysql`. One generated client
//! runs on every compiled-in backend; the URL picks one at run time.
//!
//! # Plugins
//!
//! [`sovereign_plugin`] implements [`Plugin`] for a plugin's type and declares its `db`
//! module; a platform builds a [`Host`] over its generated `DATASOURCE` and
//! `COMPOSED_PLUGINS`, registers each plugin and hands it a [`PluginContext`]:
//!
//! ```no_run
//! # mod db {
//! #     use ::sovereign as __s;
//! #     use __s::meta::{FieldMeta as F, Kind as K, ModelMeta};
//! #     pub mod post {
//! #         use super::*;
//! #         pub static META: ModelMeta = ModelMeta {
//! #             name: "Post", table: "Post", primary_key: &[0], uniques: &[], auto_increment: true,
//! #             fields: &[F::new("id", "id", K::Int)], relations: &[],
//! #         };
//! #         #[derive(Debug, Clone)]
//! #         pub struct Data { pub id: i32 }
//! #         __s::__model!(Data, META, [0 id], []);
//! #         impl __s::Writable for Data {}
//! #         pub type Actions = __s::Actions<Data>;
//! #     }
//! #     pub struct Datasource;
//! #     impl Datasource {
//! #         pub async fn connect(&self) -> __s::Result<__s::Database> { unimplemented!() }
//! #     }
//! #     pub static DATASOURCE: Datasource = Datasource;
//! #     __s::__client!(PrismaClient, DATASOURCE, { post: post::Actions });
//! # }
//! # mod example_blog {
//! #     /// What `#[sovereign::sovereign_plugin]` generates from the plugin's plugin.json.
//! #     pub struct Blog;
//! #     impl sovereign::Plugin for Blog {
//! #         const MANIFEST: sovereign::PluginManifest = sovereign::PluginManifest {
//! #             id: "blog", name: "Blog", version: "0.1.0", namespace: "blog",
//! #             mode: sovereign::Mode::Shared, capabilities: &["database"], datasource: None,
//! #         };
//! #         type Db = super::db::PrismaClient;
//! #         type Core = ();
//! #     }
//! #     impl sovereign::DatabaseCapability for Blog {}
//! #     impl sovereign::HasDb for Blog {
//! #         fn open(ctx: &sovereign::PluginContext<Self>) -> Self::Db {
//! #             super::db::PrismaClient::new(ctx.database().clone())
//! #         }
//! #     }
//! # }
//! use sovereign::{Datasource, Host};
//!
//! /// Starts the platform: `datasource` and `plugins` are its client's generated
//! /// `db::DATASOURCE` and `db::COMPOSED_PLUGINS`.
//! async fn start(
//!     datasource: &'static Datasource,
//!     plugins: &'static [&'static str],
//! ) -> Result<(), Box<dyn std::error::Error>> {
//!     let mut host = Host::builder()
//!         .data_dir("data")
//!         .deploy_migrations(true)
//!         .connect(datasource, plugins)
//!         .await?;
//!     let blog = host.register::<example_blog::Blog>().await?;
//!     let posts = blog.db().post().find_many(vec![]).exec().await?;
//!     println!("{} posts", posts.len());
//!     Ok(())
//! }
//! # fn main() {}
//! ```

#![warn(missing_docs)]
// Helpers of a backend that is compiled out are unused, not wrong.
#![cfg_attr(
    not(all(feature = "sqlite", feature = "postgres", feature = "mysql")),
    allow(dead_code, unused_imports, unused_variables)
)]

#[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
compile_error!("enable at least one of the features `sqlite`, `postgres`, `mysql` of `sovereign`");

mod alias;
mod cache;
mod client;
mod codegen_macros;
mod connect;
mod datasource;
mod db;
pub mod dynamic;
mod error;
mod filter;
mod ids;
pub mod log;
mod macros;
pub mod meta;
mod model;
mod plugin;
mod query;
pub mod replica;
mod sql;
#[cfg(feature = "sqlite")]
pub mod sqlite;
mod value;

pub use client::{execute_raw, query_raw, Client, Raw, RawRow, TransactionBuilder};
pub use connect::{ConnectOptions, JournalMode, Synchronous};
pub use datasource::{Datasource, Deployed};
pub use db::{Conn, Database, Dialect, IsolationLevel};
pub use error::{Error, ErrorKind, RelationNotFetched, Result};
pub use filter::{
    Direction, Filter, JsonOp, JsonPath, Nulls, Op, OrderBy, QueryMode, RelOp, Set, SetOp, Unique,
    Where,
};
pub use model::{Actions, ReadActions};
pub use plugin::{
    DatabaseCapability, HasCore, HasDb, Host, HostBuilder, Mode, Plugin, PluginContext,
    PluginManifest,
};
pub use query::aggregate::{
    count_all, Agg, AggOrder, Aggregate, Aggregates, CountSelect, GroupBy, Having, Numeric,
};
pub use query::batch::{run_batch, Batch, BatchQuery};
pub use query::fetch::{Fetch, RelationCount};
#[doc(hidden)]
pub use query::read::own_keys;
pub use query::read::{
    Count, Distinct, FindFirst, FindFirstOrThrow, FindFirstSelect, FindMany, FindManySelect,
    FindUnique, FindUniqueOrThrow, OrThrow, Select, SelectOne, Selection,
};
pub use query::traits::{BoxFuture, Load, Loaded, Model, Writable};
pub use query::write::{
    Create, CreateMany, CreateManyAndReturn, Delete, DeleteMany, Update, UpdateMany,
    UpdateManyAndReturn, Upsert, WriteSelect,
};
pub use sovereign_macros::sovereign_plugin;
pub use value::{decode_enum, null_enum, DbEnum, Decode, LinkKeys, ListElem, Reader, SqlValue};

#[doc(hidden)]
pub use {chrono, rust_decimal, sea_query, serde, serde_json};

/// Puts `first` (the required fields' setters) before `params` (the generated code's
/// `create`): one allocation, where `Vec::splice` measured a tenth of a `create_many`.
#[doc(hidden)]
#[inline]
pub fn __prepend<T, const N: usize>(params: &mut Vec<T>, first: [T; N]) {
    if N == 0 {
        return;
    }
    let mut out = Vec::with_capacity(N + params.len());
    out.extend(first);
    out.append(params);
    *params = out;
}

/// The type of `DateTime` fields: an instant with its offset (UTC when read back).
pub type DateTime = chrono::DateTime<chrono::FixedOffset>;
/// The type of `Decimal` fields.
pub type Decimal = rust_decimal::Decimal;
/// The type of `Json` fields.
pub type Json = serde_json::Value;

/// Reads a relation's slot: the value, or the error that says it was not fetched.
#[doc(hidden)]
pub fn fetched<'a, T>(
    slot: &'a Option<T>,
    relation: &'static str,
) -> std::result::Result<&'a T, RelationNotFetched> {
    slot.as_ref().ok_or(RelationNotFetched { relation })
}
