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

/// A record that relation loading reads and fills in: a model's data struct (every model is
/// one) or a [`select!`](crate::select) struct, which holds the key values its relations need
/// besides its fields.
#[doc(hidden)]
pub trait Loaded: Sized + Clone + Send + Sync + 'static {
    /// The model it is a record of.
    fn meta() -> &'static ModelMeta;
    /// The fields it decodes itself, in order; `None`: all of them (a model's data).
    fn fields() -> Option<&'static [usize]>;
    /// The key fields its relation loads read (a selection's).
    fn own_keys() -> Vec<usize>;
    /// Decodes a row: its own columns, then the values of the key fields `keys`.
    ///
    /// # Errors
    /// A column whose value does not fit its field's type.
    fn decode_with(r: &mut Reader<'_>, keys: &[usize]) -> Result<Self>;
    /// The value of a field (of a selection: a key field it was decoded with).
    fn key(&self, field: usize) -> Value;
}

impl<M: Model> Loaded for M {
    #[inline]
    fn meta() -> &'static ModelMeta {
        M::META
    }
    #[inline]
    fn fields() -> Option<&'static [usize]> {
        None
    }
    fn own_keys() -> Vec<usize> {
        Vec::new()
    }
    #[inline]
    fn decode_with(r: &mut Reader<'_>, _: &[usize]) -> Result<Self> {
        M::decode(r)
    }
    #[inline]
    fn key(&self, field: usize) -> Value {
        self.value(field)
    }
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
