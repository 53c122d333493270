//! What a write reads back: a generated model's data struct, or an untyped [`Row`] for the
//! related records of a nested write, whose types the runtime does not know.

use sea_query::Value;

use crate::error::Result;
use crate::filter::{Filter, Op};
use crate::meta::ModelMeta;
use crate::query::traits::Model;
use crate::value::{decode_value, Reader};

/// A record the write engine decodes and reads field values of.
pub(crate) trait Record: Sized + Send + Sync + 'static {
    /// Decodes every scalar column of `meta`, in field order.
    fn decode_record(meta: &'static ModelMeta, r: &mut Reader<'_>) -> Result<Self>;
    /// The value of scalar field `field`.
    fn get(&self, field: usize) -> Value;
}

impl<M: Model> Record for M {
    #[inline]
    fn decode_record(_: &'static ModelMeta, r: &mut Reader<'_>) -> Result<Self> {
        M::decode(r)
    }
    #[inline]
    fn get(&self, field: usize) -> Value {
        self.value(field)
    }
}

/// A generated record on the heap, for the reads and writes of one record. Data structs are
/// wide (every field, and a slot per relation), and every layer of futures between SQLite's
/// row and the caller moved the record by value (profiled: about a tenth of the client's own
/// work in a `find_unique`); boxed, they move a pointer, and the record leaves its box once,
/// at the end.
pub(crate) struct Boxed<M>(pub(crate) Box<M>);

impl<M: Model> Record for Boxed<M> {
    #[inline]
    fn decode_record(_: &'static ModelMeta, r: &mut Reader<'_>) -> Result<Self> {
        M::decode(r).map(|m| Boxed(Box::new(m)))
    }
    #[inline]
    fn get(&self, field: usize) -> Value {
        self.0.value(field)
    }
}

/// An untyped record: every scalar field's value, in field order.
pub(crate) struct Row(pub(crate) Vec<Value>);

impl Record for Row {
    fn decode_record(meta: &'static ModelMeta, r: &mut Reader<'_>) -> Result<Self> {
        let mut values = Vec::with_capacity(meta.fields.len());
        for f in meta.fields {
            values.push(decode_value(r, f)?);
        }
        Ok(Row(values))
    }
    fn get(&self, field: usize) -> Value {
        self.0[field].clone()
    }
}

/// The filter that selects `record` (of `meta`) by its primary key.
pub(crate) fn pk_filter(meta: &ModelMeta, record: &impl Record) -> Filter {
    Filter::And(
        meta.primary_key
            .iter()
            .map(|&f| Filter::Field(f, Op::Equals(record.get(f))))
            .collect(),
    )
}
