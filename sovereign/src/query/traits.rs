//! The traits generated code implements: a model's data type, whether a client may write it,
//! and the loading of a relation.
//!
//! They sit below everything else in [`query`](super) so that reads, writes and relation loads
//! all depend on them and never on each other.

use std::future::Future;
use std::pin::Pin;

use sea_query::Value;

use crate::db::Conn;
use crate::error::Result;
use crate::meta::ModelMeta;
use crate::value::Reader;

/// A generated model's data type (`post::Data`); `__model!` implements it.
pub trait Model: Sized + Send + Sync + Clone + 'static {
    /// The model's table description.
    const META: &'static ModelMeta;
    /// Decodes the scalar columns, in [`ModelMeta::fields`] order; relations start unfetched.
    ///
    /// # Errors
    /// A column whose value does not fit the field's type.
    fn decode(r: &mut Reader<'_>) -> Result<Self>;
    /// The value of scalar field `field`.
    fn value(&self, field: usize) -> Value;
}

/// A boxed future that can cross threads.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Loads one relation for a batch of parent records; [`Fetch`](crate::Fetch) implements it.
pub trait Load<P>: Send + Sync {
    /// Fetches the related records of every parent (one query) and gives each parent its own.
    fn load<'a>(&'a self, conn: &'a Conn, parents: &'a mut [P]) -> BoxFuture<'a, Result<()>>;
}

/// A model a client may write; the generated code implements it for every model outside
/// read-only views.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is read-only here: a plugin reads the platform's core models but cannot write them",
    label = "read-only model",
    note = "write core records from the platform (its client), or move the data into the plugin's own models"
)]
pub trait Writable: Model {}
