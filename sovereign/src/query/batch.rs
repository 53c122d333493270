//! Batch transactions: `client._batch((q1, q2, ...))` runs independent queries one after another
//! in one transaction, committed once, and returns their results: Prisma's
//! `$transaction([...])`, prisma-client-rust's `_batch`
//! (<https://www.prisma.io/docs/orm/prisma-client/queries/transactions#the-transaction-api>).

use crate::db::Conn;
use crate::error::Result;
use crate::query::aggregate::{Aggregate, Aggregates, GroupBy};
use crate::query::read::{
    Count, FindFirst, FindFirstOrThrow, FindMany, FindUnique, FindUniqueOrThrow,
};
use crate::query::traits::{BoxFuture, Model};
use crate::query::write::{Create, CreateMany, Delete, DeleteMany, Update, UpdateMany, Upsert};

/// A query that can run in a batch: every builder of the client, before `.exec()`.
pub trait BatchQuery: Send + 'static {
    /// What `.exec().await` returns on success.
    type Output: Send + 'static;
    /// Runs the query on `conn` (the batch's transaction).
    #[doc(hidden)]
    fn run_on(self, conn: Conn) -> BoxFuture<'static, Result<Self::Output>>;
}

macro_rules! batch_query {
    ($ty:ident, $out:ty, |$q:ident| $conn:expr) => {
        impl<M: Model> BatchQuery for $ty<M> {
            type Output = $out;
            fn run_on(mut self, conn: Conn) -> BoxFuture<'static, Result<$out>> {
                let $q = &mut self;
                *$conn = conn;
                Box::pin(self.exec())
            }
        }
    };
}

batch_query!(FindMany, Vec<M>, |q| &mut q.conn);
batch_query!(FindFirst, Option<M>, |q| &mut q.0.conn);
batch_query!(FindFirstOrThrow, M, |q| &mut q.0 .0.conn);
batch_query!(FindUnique, Option<M>, |q| &mut q.conn);
batch_query!(FindUniqueOrThrow, M, |q| &mut q.0.conn);
batch_query!(Count, i64, |q| &mut q.conn);
batch_query!(Create, M, |q| &mut q.conn);
batch_query!(CreateMany, i64, |q| &mut q.conn);
batch_query!(Update, M, |q| &mut q.conn);
batch_query!(UpdateMany, i64, |q| &mut q.conn);
batch_query!(Upsert, M, |q| &mut q.conn);
batch_query!(Delete, M, |q| &mut q.conn);
batch_query!(DeleteMany, i64, |q| &mut q.conn);

impl<M: Model, A: Aggregates<M>> BatchQuery for Aggregate<M, A> {
    type Output = A::Output;
    fn run_on(mut self, conn: Conn) -> BoxFuture<'static, Result<A::Output>> {
        self.conn = conn;
        Box::pin(self.exec())
    }
}

impl<M: Model, K: Aggregates<M>, A: Aggregates<M>> BatchQuery for GroupBy<M, K, A> {
    type Output = Vec<(K::Output, A::Output)>;
    fn run_on(mut self, conn: Conn) -> BoxFuture<'static, Result<Self::Output>> {
        self.conn = conn;
        Box::pin(self.exec())
    }
}

/// Queries to run in one transaction: a tuple of [`BatchQuery`]s (up to ten) or a `Vec` of one
/// kind; their results come back in the same shape.
pub trait Batch: Send + 'static {
    /// The queries' results.
    type Output: Send + 'static;
    #[doc(hidden)]
    fn run_all(self, conn: Conn) -> BoxFuture<'static, Result<Self::Output>>;
}

impl<Q: BatchQuery> Batch for Vec<Q> {
    type Output = Vec<Q::Output>;
    fn run_all(self, conn: Conn) -> BoxFuture<'static, Result<Self::Output>> {
        Box::pin(async move {
            let mut out = Vec::with_capacity(self.len());
            for q in self {
                out.push(q.run_on(conn.clone()).await?);
            }
            Ok(out)
        })
    }
}

macro_rules! batch_tuple {
    ($($q:ident),*) => {
        #[allow(non_snake_case)]
        impl<$($q: BatchQuery),*> Batch for ($($q,)*) {
            type Output = ($($q::Output,)*);
            fn run_all(self, conn: Conn) -> BoxFuture<'static, Result<Self::Output>> {
                let ($($q,)*) = self;
                Box::pin(async move { Ok(($($q.run_on(conn.clone()).await?,)*)) })
            }
        }
    };
}
batch_tuple!(A);
batch_tuple!(A, B);
batch_tuple!(A, B, C);
batch_tuple!(A, B, C, D);
batch_tuple!(A, B, C, D, E);
batch_tuple!(A, B, C, D, E, F);
batch_tuple!(A, B, C, D, E, F, G);
batch_tuple!(A, B, C, D, E, F, G, H);
batch_tuple!(A, B, C, D, E, F, G, H, I);
batch_tuple!(A, B, C, D, E, F, G, H, I, J);

/// Runs `batch` in one transaction on `conn` (in the open one, inside a transaction): all of it
/// is committed, or none of it.
///
/// # Errors
/// The first query's error (the transaction is rolled back), or beginning or committing.
pub async fn run_batch<B: Batch>(conn: &Conn, batch: B) -> Result<B::Output> {
    crate::query::write::atomically(conn, true, move |tx| batch.run_all(tx)).await
}
