//! Write planning: the columns an INSERT or UPDATE sets, worked out from a model's setters and
//! the values the client fills in. Nested writes are kept, in the order given, for
//! [`nested`](super::nested), which turns those of relations whose foreign key this model holds
//! into columns too.

use sea_query::{Expr, ExprTrait, Value};

use crate::cache;
use crate::db::Dialect;
use crate::filter::{Nested, SetKind, SetOp};
use crate::ids;
use crate::meta::{FieldMeta, Generated, Kind, ModelMeta};

/// The pieces of an INSERT or UPDATE worked out from setters.
pub(crate) struct Plan {
    /// Column assignments of the model's own table.
    pub(crate) columns: Vec<(usize, Expr)>,
    /// Values given directly, by field (to find the primary key on MySQL).
    pub(crate) given: Vec<(usize, Value)>,
    /// Whether [`Plan::given`] is kept: only MySQL reads it (elsewhere RETURNING tells).
    pub(crate) keep_given: bool,
    /// Nested writes, by relation number, in the order given.
    pub(crate) relations: Vec<(usize, Nested)>,
}

impl Plan {
    /// Sets field `f` to `v`, replacing what the plan set it to before.
    pub(crate) fn set(&mut self, f: usize, v: Value) {
        self.columns.retain(|(g, _)| *g != f);
        if self.keep_given {
            self.given.retain(|(g, _)| *g != f);
            self.given.push((f, v.clone()));
        }
        self.columns.push((f, Expr::val(v)));
    }
}

/// The current instant, as the value the client fills `@default(now())` and `@updatedAt` with
/// on `backend`, in whole milliseconds: Prisma's client takes it from a JavaScript `Date`, which
/// has no finer part (a database would round a finer one to the column's precision, up as
/// often as down). On SQLite that is the milliseconds since the epoch, the integer Prisma
/// stores a date-time as there and the one a date-time value binds as ([`crate::sqlite`]): read
/// from the clock directly, it skips chrono's calendar conversions to a date and back
/// (profiled: about 110 instructions of each update's own work). Elsewhere it is a `DateTime`.
pub(crate) fn now(backend: Dialect) -> Value {
    let ms = ids::epoch_millis(std::time::SystemTime::now());
    if backend == Dialect::Sqlite {
        return Value::BigInt(Some(ms));
    }
    let t = chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default();
    Value::ChronoDateTimeWithTimeZone(Some(t.fixed_offset()))
}

/// Whether `sets` hold a nested write.
pub(crate) fn has_relations(sets: &[SetKind]) -> bool {
    sets.iter().any(|s| matches!(s, SetKind::Relation(..)))
}

/// The plan of a create (`create` true) or an update of `meta` with `sets`.
pub(crate) fn plan(
    meta: &'static ModelMeta,
    backend: Dialect,
    sets: Vec<SetKind>,
    create: bool,
) -> Plan {
    plan_at(meta, backend, sets, create, &now(backend))
}

/// [`plan`] with the request's instant: Prisma's engine takes one `now` per request, so a
/// record's `@default(now())` and `@updatedAt` agree, and the rows of one `create_many` share
/// it.
pub(crate) fn plan_at(
    meta: &'static ModelMeta,
    backend: Dialect,
    sets: Vec<SetKind>,
    create: bool,
    now: &Value,
) -> Plan {
    let mut plan = Plan {
        columns: Vec::with_capacity(sets.len() + 2),
        given: Vec::new(),
        keep_given: backend == Dialect::Mysql,
        relations: Vec::new(),
    };
    for s in sets {
        match s {
            SetKind::Field(f, op) => {
                let c = || Expr::col(meta.fields[f].column);
                let e = match op {
                    SetOp::Set(v) => {
                        plan.set(f, v);
                        continue;
                    }
                    SetOp::Increment(v) => c().add(v),
                    SetOp::Decrement(v) => c().sub(v),
                    SetOp::Multiply(v) => c().mul(v),
                    SetOp::Divide(v) => c().div(v),
                    SetOp::Push(v) => c().binary(sea_query::BinOper::Custom("||"), v),
                };
                plan.columns.retain(|(g, _)| *g != f);
                plan.given.retain(|(g, _)| *g != f);
                plan.columns.push((f, e));
            }
            SetKind::Relation(r, n) => plan.relations.push((r, *n)),
        }
    }
    let fill = |i: usize| {
        if plan.columns.iter().any(|(g, _)| *g == i) {
            return;
        }
        if let Some(v) = client_default(&meta.fields[i], create, now) {
            if plan.keep_given {
                plan.given.push((i, v.clone()));
            }
            plan.columns.push((i, Expr::val(v)));
        }
    };
    // Only the fields the client may fill in (a few): by the model's mask, where it has one.
    match client_filled_mask(meta) {
        Some(mask) => bits(mask).for_each(fill),
        None => (0..meta.fields.len()).for_each(fill),
    }
    plan
}

/// The numbers of the bits set in `set`, in increasing order.
pub(crate) fn bits(mut set: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        let i = set.trailing_zeros();
        (i < 64).then(|| {
            set &= set - 1;
            i as usize
        })
    })
}

/// The fields an update of plain values sets, in order, kept in place (no allocation): at
/// most [`SetFields::MAX`], as many as a cached statement has.
pub(crate) struct SetFields {
    len: u8,
    at: [u16; SetFields::MAX],
}

impl SetFields {
    pub(crate) const MAX: usize = 32;

    pub(crate) fn as_slice(&self) -> &[u16] {
        &self.at[..usize::from(self.len)]
    }

    fn push(&mut self, f: u16) {
        self.at[usize::from(self.len)] = f;
        self.len += 1;
    }
}

/// The columns of an update whose setters all give plain values, as [`plan_at`] would order
/// them (each field where it was last set, then the client's defaults in field order), with
/// their values: no plan, no expressions. `Err` gives `sets` back when one is not a plain value
/// or they set more than [`SetFields::MAX`] columns.
pub(crate) fn plain_update(
    meta: &'static ModelMeta,
    backend: Dialect,
    sets: Vec<SetKind>,
) -> Result<(SetFields, Vec<Value>), Vec<SetKind>> {
    let count = meta.fields.len();
    let plain = |s: &SetKind| matches!(s, SetKind::Field(f, SetOp::Set(_)) if *f < count);
    // At most this many columns (the setters, then defaults); more are planned.
    let Some(filled) = client_filled_mask(meta) else {
        return Err(sets);
    };
    let fits = sets.len() + filled.count_ones() as usize <= SetFields::MAX;
    if !fits || !sets.iter().all(plain) {
        return Err(sets);
    }
    let mut fields = SetFields {
        len: 0,
        at: [0; SetFields::MAX],
    };
    // Room for an `@updatedAt` and the values of the unique filter the statement adds.
    let mut values = Vec::with_capacity(sets.len() + 3);
    for s in sets {
        if let SetKind::Field(f, SetOp::Set(v)) = s {
            let f = f as u16;
            if let Some(at) = fields.as_slice().iter().position(|g| *g == f) {
                fields.at.copy_within(at + 1..usize::from(fields.len), at);
                fields.len -= 1;
                values.remove(at);
            }
            fields.push(f);
            values.push(v);
        }
    }
    let mut now_value = None;
    let mut left = filled;
    while left != 0 {
        let i = left.trailing_zeros() as usize;
        left &= left - 1;
        // The clock is read only for a field the client fills in.
        if fields.as_slice().contains(&(i as u16)) {
            continue;
        }
        let now = now_value.get_or_insert_with(|| now(backend));
        if let Some(v) = client_default(&meta.fields[i], false, now) {
            fields.push(i as u16);
            values.push(v);
        }
    }
    Ok((fields, values))
}

/// The fields of `meta` the client may fill in ([`client_filled`]), as bits; `None` for a
/// model of more than 64 fields. Worked out once per model ([`cache::filled_mask`]), rather
/// than from every field's metadata on each write (measured: 69 of the 394 instructions of a
/// plain update's own work).
pub(crate) fn client_filled_mask(meta: &'static ModelMeta) -> Option<u64> {
    if meta.fields.len() > 64 {
        return None;
    }
    Some(cache::filled_mask(meta, || {
        (meta.fields.iter().enumerate())
            .filter(|(_, f)| client_filled(f))
            .fold(0u64, |m, (i, _)| m | 1 << i)
    }))
}

/// Whether the client may fill field `f` in when a write leaves it out (see
/// [`client_default`]); the other fields are left to the database.
pub(crate) fn client_filled(f: &FieldMeta) -> bool {
    f.updated_at || f.generated.is_some()
}

/// The value the client fills in for a field a write leaves out: `@updatedAt` on every write;
/// on a create, a generated id (uuid, cuid, ...) and `@default(now())`, `now` being the
/// request's instant. Prisma's client sends `now()` on every database, though the column has a
/// database default too (checked against Prisma 7 on PostgreSQL: the INSERT names the column),
/// so that the records one request writes, nested ones included, hold the same instant.
pub(crate) fn client_default(f: &FieldMeta, create: bool, now: &Value) -> Option<Value> {
    if f.updated_at {
        return Some(now.clone());
    }
    if !create {
        return None;
    }
    match f.generated {
        Some(Generated::Now) => Some(now.clone()),
        None => None,
        Some(g) => Some(Value::String(Some(crate::ids::generate(g)))),
    }
}

/// The NULL of field `field`'s column type (typed, so that PostgreSQL accepts it for the column).
pub(crate) fn null_of(meta: &ModelMeta, field: usize) -> Value {
    let f = &meta.fields[field];
    if f.list {
        use sea_query::ArrayType as T;
        let ty = match f.kind {
            Kind::Int => T::Int,
            Kind::BigInt => T::BigInt,
            Kind::Float => T::Double,
            Kind::Decimal => T::Decimal,
            Kind::Boolean => T::Bool,
            Kind::DateTime => T::ChronoDateTimeWithTimeZone,
            _ => T::String,
        };
        return Value::Array(ty, None);
    }
    match f.kind {
        Kind::Int => Value::Int(None),
        Kind::BigInt => Value::BigInt(None),
        Kind::Float => Value::Double(None),
        Kind::Boolean => Value::Bool(None),
        Kind::Bytes => Value::Bytes(None),
        Kind::Decimal => Value::Decimal(None),
        Kind::DateTime => Value::ChronoDateTimeWithTimeZone(None),
        Kind::Json => Value::Json(None),
        Kind::Enum(t) => crate::value::null_enum(t),
        Kind::String => Value::String(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite's `now` is the millisecond timestamp a `DateTime` of the same instant binds as.
    #[test]
    fn sqlite_now_is_the_millisecond_timestamp() {
        let before = chrono::Utc::now().timestamp_millis();
        let Value::BigInt(Some(ms)) = now(Dialect::Sqlite) else {
            panic!("SQLite's now is an integer");
        };
        let after = chrono::Utc::now().timestamp_millis();
        assert!(
            (before..=after).contains(&ms),
            "{before} <= {ms} <= {after}"
        );
        // Before the epoch, rounded down as chrono rounds: 1.5 ms before is -2.
        let t = std::time::UNIX_EPOCH - std::time::Duration::from_micros(1500);
        let chrono_ms = chrono::DateTime::<chrono::Utc>::from(t).timestamp_millis();
        assert_eq!((ids::epoch_millis(t), chrono_ms), (-2, -2));
        let t = std::time::UNIX_EPOCH - std::time::Duration::from_millis(3);
        assert_eq!(ids::epoch_millis(t), -3);
        // Elsewhere a date-time of the same whole millisecond.
        for backend in [Dialect::Postgres, Dialect::Mysql] {
            let before = chrono::Utc::now().timestamp_millis();
            let Value::ChronoDateTimeWithTimeZone(Some(t)) = now(backend) else {
                panic!("a date-time on {backend:?}");
            };
            let after = chrono::Utc::now().timestamp_millis();
            assert!((before..=after).contains(&t.timestamp_millis()));
            assert_eq!(t.timestamp_subsec_nanos() % 1_000_000, 0, "{t}");
        }
    }
}
