//! One model's entry points: what a client's accessor (`client.post()`) returns.
//!
//! [`ReadActions`] offers the reads (all a read-only view of core models has); [`Actions`]
//! adds the writes, for models that are [`Writable`]. Each method returns a builder of
//! [`query`](crate::query), which runs when its `.exec().await` is called.

use std::marker::PhantomData;

use crate::db::Conn;
use crate::filter::{Set, SetRows, Unique, Where};
use crate::query::aggregate::{Aggregate, Aggregates, GroupBy};
use crate::query::find::{filters, FindArgs};
use crate::query::read::{
    Count, FindFirst, FindFirstOrThrow, FindMany, FindUnique, FindUniqueOrThrow,
};
use crate::query::traits::{Model, Writable};
use crate::query::write::{
    Create, CreateMany, CreateManyAndReturn, Delete, DeleteMany, Update, UpdateMany,
    UpdateManyAndReturn, Upsert,
};

/// Reads of one model; what a read-only view offers.
pub struct ReadActions<M> {
    conn: Conn,
    _m: PhantomData<fn() -> M>,
}

impl<M> Clone for ReadActions<M> {
    fn clone(&self) -> Self {
        ReadActions {
            conn: self.conn.clone(),
            _m: PhantomData,
        }
    }
}

impl<M> std::fmt::Debug for ReadActions<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadActions")
            .field("conn", &self.conn)
            .finish()
    }
}

impl<M: Model> ReadActions<M> {
    #[doc(hidden)]
    pub fn new(conn: Conn) -> Self {
        ReadActions {
            conn,
            _m: PhantomData,
        }
    }
    /// The record the unique filter selects, if any.
    pub fn find_unique(&self, w: Unique<M>) -> FindUnique<M> {
        FindUnique {
            conn: self.conn.clone(),
            filter: w.filter,
            with: Vec::new(),
        }
    }
    /// The record the unique filter selects;
    /// [`ErrorKind::RecordNotFound`](crate::ErrorKind::RecordNotFound) if none.
    pub fn find_unique_or_throw(&self, w: Unique<M>) -> FindUniqueOrThrow<M> {
        FindUniqueOrThrow(self.find_unique(w))
    }
    /// The first record matching all filters, in the given order.
    pub fn find_first(&self, w: Vec<Where<M>>) -> FindFirst<M> {
        FindFirst(self.find_many(w))
    }
    /// The first record matching all filters, in the given order;
    /// [`ErrorKind::RecordNotFound`](crate::ErrorKind::RecordNotFound) if none.
    pub fn find_first_or_throw(&self, w: Vec<Where<M>>) -> FindFirstOrThrow<M> {
        FindFirstOrThrow(self.find_first(w))
    }
    /// Every record matching all filters.
    pub fn find_many(&self, w: Vec<Where<M>>) -> FindMany<M> {
        FindMany {
            conn: self.conn.clone(),
            args: FindArgs::filtered(w),
        }
    }
    /// How many records match all filters.
    pub fn count(&self, w: Vec<Where<M>>) -> Count<M> {
        Count::new(self.conn.clone(), filters(w))
    }
    /// Aggregates of the records matching all filters: `aggs` is one aggregate or a tuple of
    /// them (`(sovereign::count_all(), post::views::sum(), post::views::avg())`), and so is
    /// the result.
    pub fn aggregate<A: Aggregates<M>>(&self, w: Vec<Where<M>>, aggs: A) -> Aggregate<M, A> {
        Aggregate::new(self.conn.clone(), w, aggs)
    }
    /// Groups the records matching all filters by the fields of `by` (`(post::author_id::by(),)`)
    /// and aggregates each group: one `(key, aggregates)` pair per group.
    pub fn group_by<K: Aggregates<M>, A: Aggregates<M>>(
        &self,
        by: K,
        w: Vec<Where<M>>,
        aggs: A,
    ) -> GroupBy<M, K, A> {
        GroupBy::new(self.conn.clone(), by, w, aggs)
    }
}

// Writes on a read-only view: they exist so that calling one reports the missing `Writable`
// bound, with its message, instead of "no method named `update`".
impl<M: Model> ReadActions<M> {
    /// Not available: this model is read-only in this client.
    #[doc(hidden)]
    pub fn update(&self, _: Unique<M>, _: Vec<Set<M>>) -> Update<M>
    where
        M: Writable,
    {
        unreachable!("writable models use Actions::update")
    }
    /// Not available: this model is read-only in this client.
    #[doc(hidden)]
    pub fn delete(&self, _: Unique<M>) -> Delete<M>
    where
        M: Writable,
    {
        unreachable!("writable models use Actions::delete")
    }
    /// Not available: this model is read-only in this client.
    #[doc(hidden)]
    pub fn update_many(&self, _: Vec<Where<M>>, _: Vec<Set<M>>) -> UpdateMany<M>
    where
        M: Writable,
    {
        unreachable!("writable models use Actions::update_many")
    }
    /// Not available: this model is read-only in this client.
    #[doc(hidden)]
    pub fn delete_many(&self, _: Vec<Where<M>>) -> DeleteMany<M>
    where
        M: Writable,
    {
        unreachable!("writable models use Actions::delete_many")
    }
}

/// Reads and writes of one model.
pub struct Actions<M>(ReadActions<M>);

impl<M> Clone for Actions<M> {
    fn clone(&self) -> Self {
        Actions(self.0.clone())
    }
}

impl<M> std::fmt::Debug for Actions<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Actions").field(&self.0.conn).finish()
    }
}

impl<M> std::ops::Deref for Actions<M> {
    type Target = ReadActions<M>;
    fn deref(&self) -> &ReadActions<M> {
        &self.0
    }
}

impl<M: Writable> Actions<M> {
    #[doc(hidden)]
    pub fn new(conn: Conn) -> Self {
        Actions(ReadActions::new(conn))
    }
    /// Creates a record from setters (the generated `create` passes the required fields).
    #[doc(hidden)]
    pub fn create_from(&self, sets: Vec<Set<M>>) -> Create<M> {
        Create {
            conn: self.0.conn.clone(),
            sets,
            with: Vec::new(),
        }
    }
    #[doc(hidden)]
    pub fn create_many_and_return_from<R: IntoIterator<Item = Set<M>>>(
        &self,
        rows: impl ExactSizeIterator<Item = R>,
    ) -> CreateManyAndReturn<M> {
        CreateManyAndReturn {
            many: self.create_many_from(rows),
            with: Vec::new(),
        }
    }
    /// Each row: its setters (the generated code's required arguments, then the others).
    #[doc(hidden)]
    pub fn create_many_from<R: IntoIterator<Item = Set<M>>>(
        &self,
        rows: impl ExactSizeIterator<Item = R>,
    ) -> CreateMany<M> {
        let rows = rows.map(|r| r.into_iter().map(|s| s.kind));
        CreateMany {
            conn: self.0.conn.clone(),
            rows: SetRows::collect(rows),
            skip_duplicates: false,
            _m: PhantomData,
        }
    }
    #[doc(hidden)]
    pub fn upsert_from(&self, w: Unique<M>, create: Vec<Set<M>>, update: Vec<Set<M>>) -> Upsert<M> {
        Upsert {
            conn: self.0.conn.clone(),
            filter: w.filter,
            create,
            update,
            with: Vec::new(),
        }
    }
    /// Changes the record the unique filter selects;
    /// [`ErrorKind::RecordNotFound`](crate::ErrorKind::RecordNotFound) if none.
    pub fn update(&self, w: Unique<M>, sets: Vec<Set<M>>) -> Update<M> {
        Update {
            conn: self.0.conn.clone(),
            filter: w.filter,
            sets,
            with: Vec::new(),
        }
    }
    /// Changes every record matching all filters; returns how many.
    pub fn update_many(&self, w: Vec<Where<M>>, sets: Vec<Set<M>>) -> UpdateMany<M> {
        UpdateMany {
            conn: self.0.conn.clone(),
            filters: filters(w),
            sets,
        }
    }
    /// Changes every record matching all filters and returns them as stored (not on MySQL,
    /// which cannot).
    pub fn update_many_and_return(
        &self,
        w: Vec<Where<M>>,
        sets: Vec<Set<M>>,
    ) -> UpdateManyAndReturn<M> {
        UpdateManyAndReturn {
            many: self.update_many(w, sets),
            with: Vec::new(),
        }
    }
    /// Deletes the record the unique filter selects and returns it.
    pub fn delete(&self, w: Unique<M>) -> Delete<M> {
        Delete {
            conn: self.0.conn.clone(),
            filter: w.filter,
            with: Vec::new(),
        }
    }
    /// Deletes every record matching all filters; returns how many.
    pub fn delete_many(&self, w: Vec<Where<M>>) -> DeleteMany<M> {
        DeleteMany {
            conn: self.0.conn.clone(),
            filters: filters(w),
            _m: PhantomData,
        }
    }
}
