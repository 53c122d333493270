//! Values in and out: decoding columns into Rust types (from sqlx's rows on the servers, from
//! SQLite's own on SQLite), and binding sea-query values to sqlx.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use rust_decimal::Decimal;
use sea_query::Value;
#[allow(unused_imports)]
use sqlx::{Row, TypeInfo, ValueRef};

use crate::error::{Error, Result};
use crate::meta::Kind;

pub use sea_query::Value as SqlValue;

/// One result row being decoded, column by column in select order.
pub struct Reader<'r> {
    row: RowRef<'r>,
    idx: usize,
}

enum RowRef<'r> {
    #[cfg(feature = "sqlite")]
    Sqlite(&'r rusqlite::Row<'r>),
    #[cfg(feature = "postgres")]
    Postgres(&'r sqlx::postgres::PgRow),
    #[cfg(feature = "mysql")]
    MySql(&'r sqlx::mysql::MySqlRow),
}

#[cfg(feature = "sqlite")]
impl<'r> From<&'r rusqlite::Row<'r>> for Reader<'r> {
    fn from(r: &'r rusqlite::Row<'r>) -> Self {
        Reader {
            row: RowRef::Sqlite(r),
            idx: 0,
        }
    }
}
#[cfg(feature = "postgres")]
impl<'r> From<&'r sqlx::postgres::PgRow> for Reader<'r> {
    fn from(r: &'r sqlx::postgres::PgRow) -> Self {
        Reader {
            row: RowRef::Postgres(r),
            idx: 0,
        }
    }
}
#[cfg(feature = "mysql")]
impl<'r> From<&'r sqlx::mysql::MySqlRow> for Reader<'r> {
    fn from(r: &'r sqlx::mysql::MySqlRow) -> Self {
        Reader {
            row: RowRef::MySql(r),
            idx: 0,
        }
    }
}

fn col_err(e: sqlx::Error) -> Error {
    Error::decode(e.to_string())
}

/// Per-backend access to the current column: `$body` with `$r` bound to a sqlx row (the
/// servers), `$lite` with `$l` bound to the current SQLite value.
macro_rules! on_row {
    ($self:expr, |$r:ident| $body:expr, |$l:ident| $lite:expr) => {
        match $self.row {
            #[cfg(feature = "sqlite")]
            RowRef::Sqlite(row) => {
                let $l = lite::value(row, $self.idx)?;
                $lite
            }
            #[cfg(feature = "postgres")]
            RowRef::Postgres($r) => $body,
            #[cfg(feature = "mysql")]
            RowRef::MySql($r) => $body,
        }
    };
}

impl Reader<'_> {
    /// Decodes the next column.
    ///
    /// # Errors
    /// [`ErrorKind::Decode`](crate::ErrorKind::Decode) when the column does not hold a `T`
    /// (a `NULL` for a non-optional type, a value out of range, ...).
    #[allow(clippy::should_implement_trait)]
    #[inline]
    pub fn next<T: Decode>(&mut self) -> Result<T> {
        T::decode(self)
    }

    /// Skips `n` columns.
    pub fn skip(&mut self, n: usize) {
        self.idx += n;
    }

    #[inline]
    fn is_null(&self) -> Result<bool> {
        let i = self.idx;
        on_row!(
            self,
            |r| Ok(r.try_get_raw(i).map_err(col_err)?.is_null()),
            |v| Ok(v == rusqlite::types::ValueRef::Null)
        )
    }

    /// Calls `f` with the database's name for the current column's type (of the value, on
    /// SQLite), without allocating.
    #[inline]
    fn with_type<R>(&self, f: impl FnOnce(&str) -> R) -> Result<R> {
        let i = self.idx;
        on_row!(
            self,
            |r| Ok(f(r.try_get_raw(i).map_err(col_err)?.type_info().name())),
            |v| Ok(f(lite::storage(v)))
        )
    }

    /// The current column as `Option<T>`, looked up once.
    #[inline]
    fn get_optional<T>(&mut self, checked: bool) -> Result<Option<T>>
    where
        T: Column,
    {
        let i = self.idx;
        let v = on_row!(self, |r| optional::<_, T>(r, i, checked), |v| {
            if v == rusqlite::types::ValueRef::Null {
                Ok(None)
            } else {
                T::lite(v, checked).map(Some).map_err(|e| lite::err(i, e))
            }
        })?;
        self.idx += 1;
        Ok(v)
    }

    /// The current column as `T`, by sqlx's own decoding on the servers (with its type check
    /// when `checked`), by the same rules on SQLite.
    #[inline]
    fn get<T>(&mut self, checked: bool) -> Result<T>
    where
        T: Column,
    {
        let i = self.idx;
        let v = on_row!(
            self,
            |r| if checked {
                r.try_get::<T, _>(i)
            } else {
                r.try_get_unchecked::<T, _>(i)
            }
            .map_err(col_err),
            |v| {
                if v == rusqlite::types::ValueRef::Null {
                    Err(lite::err(i, lite::UNEXPECTED_NULL.to_string()))
                } else {
                    T::lite(v, checked).map_err(|e| lite::err(i, e))
                }
            }
        )?;
        self.idx += 1;
        Ok(v)
    }

    /// The current column of a server's row as `T`, by sqlx's own decoding: for the types
    /// only one server's columns are read as.
    #[cfg(any(feature = "postgres", feature = "mysql"))]
    #[inline]
    fn sqlx_get<T>(&mut self, checked: bool) -> Result<T>
    where
        T: SqlxDecode,
    {
        let i = self.idx;
        let v = match self.row {
            #[cfg(feature = "sqlite")]
            RowRef::Sqlite(_) => Err(Error::decode(
                "a SQLite row was read as a server's (a bug of the client)",
            )),
            #[cfg(feature = "postgres")]
            RowRef::Postgres(r) => if checked {
                r.try_get::<T, _>(i)
            } else {
                r.try_get_unchecked::<T, _>(i)
            }
            .map_err(col_err),
            #[cfg(feature = "mysql")]
            RowRef::MySql(r) => if checked {
                r.try_get::<T, _>(i)
            } else {
                r.try_get_unchecked::<T, _>(i)
            }
            .map_err(col_err),
        }?;
        self.idx += 1;
        Ok(v)
    }
}

/// A SQLite value as SQLite stored it.
#[cfg(feature = "sqlite")]
enum Stored<'r> {
    Integer(i64),
    Real(f64),
    /// Text, or anything else read as text.
    Text(&'r str),
}

impl<'r> Reader<'r> {
    /// The current SQLite column by its storage class.
    #[cfg(feature = "sqlite")]
    #[inline]
    fn sqlite_stored(&mut self, row: &'r rusqlite::Row<'r>) -> Result<Stored<'r>> {
        use rusqlite::types::ValueRef as V;
        let i = self.idx;
        let v = lite::value(row, i)?;
        self.idx += 1;
        Ok(match v {
            V::Integer(n) => Stored::Integer(n),
            V::Real(f) => Stored::Real(f),
            V::Text(t) | V::Blob(t) => {
                Stored::Text(std::str::from_utf8(t).map_err(|e| lite::err(i, e.to_string()))?)
            }
            V::Null => return Err(lite::err(i, lite::UNEXPECTED_NULL.to_string())),
        })
    }

    /// The current column as text borrowed from the row, unchecked like `String` (MySQL reports
    /// ENUM columns as their own type; PostgreSQL enums are their own types too).
    #[inline]
    fn str(&mut self) -> Result<&'r str> {
        let i = self.idx;
        let v = match self.row {
            #[cfg(feature = "sqlite")]
            RowRef::Sqlite(row) => match lite::value(row, i)? {
                rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                    std::str::from_utf8(t).map_err(|e| lite::err(i, e.to_string()))
                }
                v => Err(lite::err(
                    i,
                    format!("expected text, found {}", lite::storage(v)),
                )),
            },
            #[cfg(feature = "postgres")]
            RowRef::Postgres(r) => r.try_get_unchecked::<&'r str, _>(i).map_err(col_err),
            #[cfg(feature = "mysql")]
            RowRef::MySql(r) => r.try_get_unchecked::<&'r str, _>(i).map_err(col_err),
        }?;
        self.idx += 1;
        Ok(v)
    }
}

/// Decoding SQLite's values by the rules sqlx's SQLite driver decoded them with, so that
/// moving off it changed no answer: integers, booleans, reals and bytes are checked against
/// the value's storage class; text reads any value as text.
#[cfg(feature = "sqlite")]
mod lite {
    use rusqlite::types::ValueRef;

    use crate::error::{Error, Result};

    pub(super) const UNEXPECTED_NULL: &str = "unexpected null; try decoding as an `Option`";

    /// Value `i` of `row`.
    #[inline]
    pub(super) fn value<'r>(row: &'r rusqlite::Row<'r>, i: usize) -> Result<ValueRef<'r>> {
        row.get_ref(i).map_err(|e| err(i, e.to_string()))
    }

    pub(super) fn err(i: usize, e: String) -> Error {
        Error::decode(format!("error occurred while decoding column {i}: {e}"))
    }

    /// The name of a value's storage class.
    pub(super) fn storage(v: ValueRef<'_>) -> &'static str {
        match v {
            ValueRef::Null => "NULL",
            ValueRef::Integer(_) => "INTEGER",
            ValueRef::Real(_) => "REAL",
            ValueRef::Text(_) => "TEXT",
            ValueRef::Blob(_) => "BLOB",
        }
    }

    fn mismatch(rust: &str, v: ValueRef<'_>) -> String {
        format!(
            "mismatched types; Rust type `{rust}` is not compatible with SQL type `{}`",
            storage(v)
        )
    }

    /// A type a SQLite value (not NULL) decodes into.
    pub trait LiteDecode: Sized {
        #[doc(hidden)]
        fn lite(v: ValueRef<'_>, checked: bool) -> std::result::Result<Self, String>;
    }

    impl LiteDecode for i64 {
        fn lite(v: ValueRef<'_>, _: bool) -> std::result::Result<Self, String> {
            match v {
                ValueRef::Integer(n) => Ok(n),
                v => Err(mismatch("i64", v)),
            }
        }
    }

    impl LiteDecode for i32 {
        // SQLite integers are 64-bit; a wider value is an error, not a wrap.
        fn lite(v: ValueRef<'_>, checked: bool) -> std::result::Result<Self, String> {
            let n = i64::lite(v, checked)?;
            i32::try_from(n).map_err(|_| format!("{n} does not fit Int"))
        }
    }

    impl LiteDecode for f64 {
        fn lite(v: ValueRef<'_>, _: bool) -> std::result::Result<Self, String> {
            match v {
                ValueRef::Real(f) => Ok(f),
                ValueRef::Integer(n) => Ok(n as f64),
                v => Err(mismatch("f64", v)),
            }
        }
    }

    impl LiteDecode for bool {
        fn lite(v: ValueRef<'_>, _: bool) -> std::result::Result<Self, String> {
            match v {
                ValueRef::Integer(n) => Ok(n != 0),
                v => Err(mismatch("bool", v)),
            }
        }
    }

    impl LiteDecode for Vec<u8> {
        fn lite(v: ValueRef<'_>, _: bool) -> std::result::Result<Self, String> {
            match v {
                ValueRef::Blob(b) | ValueRef::Text(b) => Ok(b.to_vec()),
                v => Err(mismatch("Vec<u8>", v)),
            }
        }
    }

    impl LiteDecode for String {
        // Any value reads as text, as SQLite's `sqlite3_value_text` gives it.
        fn lite(v: ValueRef<'_>, _: bool) -> std::result::Result<Self, String> {
            match v {
                ValueRef::Text(t) | ValueRef::Blob(t) => std::str::from_utf8(t)
                    .map(str::to_string)
                    .map_err(|e| e.to_string()),
                ValueRef::Integer(n) => Ok(n.to_string()),
                // SQLite writes a whole real with its `.0`.
                ValueRef::Real(f) if f.fract() == 0.0 && f.abs() < 1e15 => Ok(format!("{f:.1}")),
                ValueRef::Real(f) => Ok(f.to_string()),
                ValueRef::Null => Err(super::lite::UNEXPECTED_NULL.to_string()),
            }
        }
    }
}

#[cfg(feature = "sqlite")]
pub use lite::LiteDecode;

/// Without SQLite, every type is one ([`Column`] needs it).
#[cfg(not(feature = "sqlite"))]
pub trait LiteDecode {}
#[cfg(not(feature = "sqlite"))]
impl<T> LiteDecode for T {}

/// A type every compiled-in backend decodes a column into.
pub trait Column: SqlxDecode + LiteDecode {}
impl<T: SqlxDecode + LiteDecode> Column for T {}

macro_rules! sqlx_decode_bound {
    ($cfg:meta, $($db:path),*) => {
        /// Types sqlx decodes on every compiled-in server backend.
        #[cfg($cfg)]
        pub trait SqlxDecode: $(for<'a> sqlx::Decode<'a, $db> + sqlx::Type<$db> +)* Sized {}
        #[cfg($cfg)]
        impl<T> SqlxDecode for T where T: $(for<'a> sqlx::Decode<'a, $db> + sqlx::Type<$db> +)* Sized {}
    };
}
sqlx_decode_bound!(
    all(feature = "postgres", feature = "mysql"),
    sqlx::Postgres,
    sqlx::MySql
);
sqlx_decode_bound!(
    all(feature = "postgres", not(feature = "mysql")),
    sqlx::Postgres
);
sqlx_decode_bound!(
    all(not(feature = "postgres"), feature = "mysql"),
    sqlx::MySql
);
sqlx_decode_bound!(all(not(feature = "postgres"), not(feature = "mysql")),);

/// A Rust type a column decodes into.
pub trait Decode: Sized {
    /// Decodes the reader's current column and moves to the next.
    ///
    /// # Errors
    /// A value that does not fit the type.
    fn decode(r: &mut Reader<'_>) -> Result<Self>;

    /// A column that may be NULL. By default the value is looked at twice (is it NULL? then
    /// decode it); the types sqlx decodes directly look it up once.
    #[doc(hidden)]
    #[inline]
    fn decode_optional(r: &mut Reader<'_>) -> Result<Option<Self>> {
        if r.is_null()? {
            r.idx += 1;
            Ok(None)
        } else {
            Self::decode(r).map(Some)
        }
    }
}

/// Column `i` of `row` with one lookup: `None` for NULL, else decoded as `T`. A value whose type
/// `T` does not accept (when `checked`) is left to sqlx's `try_get`, for its own error.
#[inline]
fn optional<'r, R, T>(row: &'r R, i: usize, checked: bool) -> Result<Option<T>>
where
    R: Row,
    usize: sqlx::ColumnIndex<R>,
    T: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let v = row.try_get_raw(i).map_err(col_err)?;
    if v.is_null() {
        return Ok(None);
    }
    if checked {
        let ty = v.type_info();
        if !ty.is_null() && !T::compatible(&ty) {
            return row.try_get::<T, _>(i).map(Some).map_err(col_err);
        }
    }
    // As sqlx's `try_get` reports it.
    T::decode(v).map(Some).map_err(|source| {
        col_err(sqlx::Error::ColumnDecode {
            index: format!("{i:?}"),
            source,
        })
    })
}

macro_rules! plain_decode {
    ($($t:ty),*) => {$(
        impl Decode for $t {
            #[inline]
            fn decode(r: &mut Reader<'_>) -> Result<Self> {
                // sqlx reports a NULL in a required field as an unexpected null.
                r.get::<$t>(true)
            }
            #[inline]
            fn decode_optional(r: &mut Reader<'_>) -> Result<Option<Self>> {
                r.get_optional::<$t>(true)
            }
        }
    )*};
}
plain_decode!(f64, bool, Vec<u8>);

impl Decode for String {
    #[inline]
    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        // Unchecked: MySQL reports ENUM and JSON columns as their own types.
        r.get::<String>(false)
    }
    #[inline]
    fn decode_optional(r: &mut Reader<'_>) -> Result<Option<Self>> {
        r.get_optional::<String>(false)
    }
}

impl Decode for i64 {
    #[inline]
    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        match r.row {
            // Narrower integer columns widen (raw queries often yield INT4 on PostgreSQL).
            #[cfg(feature = "postgres")]
            RowRef::Postgres(_) => match r.with_type(|t| match t {
                "INT4" => 4,
                "INT2" => 2,
                _ => 8,
            })? {
                4 => r.sqlx_get::<i32>(true).map(i64::from),
                2 => r.sqlx_get::<i16>(true).map(i64::from),
                _ => r.get::<i64>(true),
            },
            #[allow(unreachable_patterns)]
            _ => r.get::<i64>(true),
        }
    }
}

impl Decode for i32 {
    #[inline]
    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        r.get::<i32>(true)
    }
    #[inline]
    fn decode_optional(r: &mut Reader<'_>) -> Result<Option<Self>> {
        r.get_optional::<i32>(true)
    }
}

impl<T: Decode> Decode for Option<T> {
    #[inline]
    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        T::decode_optional(r)
    }
}

impl Decode for DateTime<FixedOffset> {
    #[inline]
    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        let utc = match r.row {
            #[cfg(feature = "sqlite")]
            RowRef::Sqlite(row) => match r.sqlite_stored(row)? {
                Stored::Integer(ms) => Utc
                    .timestamp_millis_opt(ms)
                    .single()
                    .ok_or_else(|| Error::decode(format!("{ms} is not a date-time")))?,
                Stored::Real(ms) => Utc
                    .timestamp_millis_opt(ms as i64)
                    .single()
                    .ok_or_else(|| Error::decode(format!("{ms} is not a date-time")))?,
                Stored::Text(s) => parse_datetime(s)?,
            },
            #[cfg(feature = "postgres")]
            RowRef::Postgres(_) => {
                if r.with_type(|t| t == "TIMESTAMPTZ")? {
                    r.sqlx_get::<DateTime<Utc>>(true)?
                } else {
                    r.sqlx_get::<NaiveDateTime>(false)?.and_utc()
                }
            }
            #[cfg(feature = "mysql")]
            RowRef::MySql(_) => r.sqlx_get::<NaiveDateTime>(false)?.and_utc(),
        };
        Ok(utc.fixed_offset())
    }
}

/// SQLite text date-times: RFC 3339, or `YYYY-MM-DD HH:MM:SS[.fff]` (CURRENT_TIMESTAMP).
fn parse_datetime(s: &str) -> Result<DateTime<Utc>> {
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Ok(d.with_timezone(&Utc));
    }
    for f in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, f) {
            return Ok(n.and_utc());
        }
    }
    if let Ok(ms) = s.parse::<i64>() {
        if let Some(d) = Utc.timestamp_millis_opt(ms).single() {
            return Ok(d);
        }
    }
    Err(Error::decode(format!("`{s}` is not a date-time")))
}

impl Decode for Decimal {
    #[inline]
    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        match r.row {
            #[cfg(feature = "sqlite")]
            RowRef::Sqlite(row) => match r.sqlite_stored(row)? {
                Stored::Integer(i) => Ok(Decimal::from(i)),
                Stored::Real(f) => Decimal::try_from(f).map_err(|e| Error::decode(e.to_string())),
                Stored::Text(s) => s
                    .parse()
                    .map_err(|_| Error::decode(format!("`{s}` is not a Decimal"))),
            },
            #[cfg(feature = "postgres")]
            RowRef::Postgres(row) => {
                let i = r.idx;
                r.idx += 1;
                row.try_get_unchecked::<Decimal, _>(i).map_err(col_err)
            }
            #[cfg(feature = "mysql")]
            RowRef::MySql(row) => {
                let i = r.idx;
                r.idx += 1;
                row.try_get_unchecked::<Decimal, _>(i).map_err(col_err)
            }
        }
    }
}

impl Decode for serde_json::Value {
    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        let text = match r.row {
            #[cfg(feature = "postgres")]
            RowRef::Postgres(_) => {
                return r
                    .sqlx_get::<sqlx::types::Json<serde_json::Value>>(false)
                    .map(|j| j.0)
            }
            #[allow(unreachable_patterns)]
            _ => r.get::<String>(false)?,
        };
        serde_json::from_str(&text).map_err(|e| Error::decode(format!("invalid JSON: {e}")))
    }
}

/// An element type of a scalar list (`String[]`, `Int[]`, ... on PostgreSQL).
pub trait ListElem: Sized {
    #[cfg(feature = "postgres")]
    #[doc(hidden)]
    fn decode_pg(row: &sqlx::postgres::PgRow, idx: usize) -> Result<Vec<Self>>;
}

macro_rules! list_elem {
    ($($t:ty),*) => {$(
        impl ListElem for $t {
            #[cfg(feature = "postgres")]
            fn decode_pg(row: &sqlx::postgres::PgRow, idx: usize) -> Result<Vec<Self>> {
                row.try_get::<Vec<$t>, _>(idx).map_err(col_err)
            }
        }
    )*};
}
list_elem!(String, i32, i64, f64, bool, Decimal);

impl ListElem for DateTime<FixedOffset> {
    #[cfg(feature = "postgres")]
    fn decode_pg(row: &sqlx::postgres::PgRow, idx: usize) -> Result<Vec<Self>> {
        Ok(row
            .try_get::<Vec<NaiveDateTime>, _>(idx)
            .map_err(col_err)?
            .into_iter()
            .map(|n| n.and_utc().fixed_offset())
            .collect())
    }
}

impl<T: ListElem> Decode for Vec<T> {
    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        match r.row {
            #[cfg(feature = "postgres")]
            RowRef::Postgres(row) => {
                let i = r.idx;
                r.idx += 1;
                if row.try_get_raw(i).map_err(col_err)?.is_null() {
                    return Ok(Vec::new());
                }
                T::decode_pg(row, i)
            }
            #[allow(unreachable_patterns)]
            _ => Err(Error::decode(
                "scalar lists exist only on PostgreSQL (and CockroachDB)",
            )),
        }
    }
}

/// An enum the generated code declares; stored by its database name.
pub trait DbEnum: Sized + Copy + 'static {
    /// The enum's type name in the database (PostgreSQL casts values to it).
    const DB_TYPE: &'static str;
    /// The value's database name (`@map`).
    fn db_name(self) -> &'static str;
    /// The value of a database name, if it is one.
    fn from_db_name(s: &str) -> Option<Self>;
    /// The value to bind for `self`.
    fn to_value(self) -> Value {
        Value::Enum(sea_query::OptionEnum::Some(Box::new(sea_query::Enum {
            type_name: Self::DB_TYPE.into(),
            value: self.db_name().into(),
        })))
    }
}

/// Decodes an enum column (used by the impls the generated code declares).
///
/// # Errors
/// [`ErrorKind::Decode`](crate::ErrorKind::Decode) when the column holds a label that is not a
/// value of `E` (the database has values the schema does not) or is not text.
#[inline]
pub fn decode_enum<E: DbEnum>(r: &mut Reader<'_>) -> Result<E> {
    // Borrowed: the label only selects a variant, so no String is allocated per row.
    let s = r.str()?;
    E::from_db_name(s)
        .ok_or_else(|| Error::decode(format!("`{s}` is not a value of enum {}", E::DB_TYPE)))
}

/// The null value of an enum column.
pub fn null_enum(type_name: &'static str) -> Value {
    Value::Enum(sea_query::OptionEnum::None(type_name.into()))
}

/// The key values a [`select!`](crate::select) struct holds for loading its relations, by field;
/// not part of what it shows (`Debug` prints `..`, any two are equal).
#[doc(hidden)]
#[derive(Clone, Default)]
pub struct LinkKeys(Vec<(usize, Value)>);

impl LinkKeys {
    /// Reads the values of `fields` of `meta`, the row's next columns.
    ///
    /// # Errors
    /// A column whose value does not fit its field's type.
    pub fn read(
        r: &mut Reader<'_>,
        meta: &crate::meta::ModelMeta,
        fields: &[usize],
    ) -> Result<LinkKeys> {
        let mut out = Vec::with_capacity(fields.len());
        for &f in fields {
            out.push((f, decode_value(r, &meta.fields[f])?));
        }
        Ok(LinkKeys(out))
    }
    /// The value of `field` (a NULL when it was not read).
    pub fn get(&self, field: usize) -> Value {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(Value::Int(None), |(_, v)| v.clone())
    }
}

impl std::fmt::Debug for LinkKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("..")
    }
}

impl PartialEq for LinkKeys {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// A comparable form of key values, for matching related rows.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Key {
    Null,
    Int(i64),
    Str(String),
    Bytes(Vec<u8>),
    Other(String),
    /// A compound key.
    Tuple(Vec<Key>),
}

impl Key {
    pub(crate) fn has_null(&self) -> bool {
        match self {
            Key::Null => true,
            Key::Tuple(parts) => parts.iter().any(Key::has_null),
            _ => false,
        }
    }
}

/// Like [`key_of`], taking the value: its text or bytes move into the key.
pub(crate) fn into_key(v: Value) -> Key {
    match v {
        Value::String(Some(s)) => Key::Str(s),
        Value::Bytes(Some(b)) => Key::Bytes(b),
        other => key_of(&other),
    }
}

pub(crate) fn key_of(v: &Value) -> Key {
    match v {
        Value::Int(Some(i)) => Key::Int(i64::from(*i)),
        Value::BigInt(Some(i)) => Key::Int(*i),
        Value::SmallInt(Some(i)) => Key::Int(i64::from(*i)),
        Value::String(Some(s)) => Key::Str(s.clone()),
        Value::Bytes(Some(b)) => Key::Bytes(b.clone()),
        Value::Enum(sea_query::OptionEnum::Some(e)) => Key::Str(e.value.to_string()),
        Value::Int(None)
        | Value::BigInt(None)
        | Value::String(None)
        | Value::Bytes(None)
        | Value::Enum(sea_query::OptionEnum::None(_)) => Key::Null,
        other => Key::Other(format!("{other:?}")),
    }
}

/// Decodes one key column of the given kind (a join table's column).
pub(crate) fn decode_key(r: &mut Reader<'_>, kind: Kind) -> Result<Key> {
    Ok(match kind {
        Kind::Int => Key::Int(i64::from(i32::decode(r)?)),
        Kind::BigInt => Key::Int(i64::decode(r)?),
        Kind::Bytes => Key::Bytes(Vec::<u8>::decode(r)?),
        _ => Key::Str(String::decode(r)?),
    })
}

/// Decodes a column of field `f` as a value to bind: the untyped rows of nested writes.
pub(crate) fn decode_value(r: &mut Reader<'_>, f: &crate::meta::FieldMeta) -> Result<Value> {
    if f.list {
        use sea_query::ArrayType as T;
        fn arr<E: Into<Value>>(ty: T, v: Vec<E>) -> Value {
            Value::Array(ty, Some(Box::new(v.into_iter().map(Into::into).collect())))
        }
        return Ok(match f.kind {
            Kind::Int => arr(T::Int, r.next::<Vec<i32>>()?),
            Kind::BigInt => arr(T::BigInt, r.next::<Vec<i64>>()?),
            Kind::Float => arr(T::Double, r.next::<Vec<f64>>()?),
            Kind::Decimal => arr(T::Decimal, r.next::<Vec<Decimal>>()?),
            Kind::Boolean => arr(T::Bool, r.next::<Vec<bool>>()?),
            Kind::DateTime => arr(
                T::ChronoDateTimeWithTimeZone,
                r.next::<Vec<DateTime<FixedOffset>>>()?,
            ),
            _ => arr(T::String, r.next::<Vec<String>>()?),
        });
    }
    Ok(match f.kind {
        Kind::Int => Value::Int(r.next()?),
        Kind::BigInt => Value::BigInt(r.next()?),
        Kind::Float => Value::Double(r.next()?),
        Kind::Decimal => Value::Decimal(r.next()?),
        Kind::String => Value::String(r.next()?),
        Kind::Boolean => Value::Bool(r.next()?),
        Kind::DateTime => Value::ChronoDateTimeWithTimeZone(r.next()?),
        Kind::Json => Value::Json(r.next::<Option<serde_json::Value>>()?.map(Box::new)),
        Kind::Bytes => Value::Bytes(r.next()?),
        Kind::Enum(t) => match r.next::<Option<String>>()? {
            Some(label) => Value::Enum(sea_query::OptionEnum::Some(Box::new(sea_query::Enum {
                type_name: t.into(),
                value: label.into(),
            }))),
            None => null_enum(t),
        },
    })
}

pub(crate) fn is_null(v: &Value) -> bool {
    match v {
        Value::Bool(x) => x.is_none(),
        Value::TinyInt(x) => x.is_none(),
        Value::SmallInt(x) => x.is_none(),
        Value::Int(x) => x.is_none(),
        Value::BigInt(x) => x.is_none(),
        Value::Double(x) => x.is_none(),
        Value::Float(x) => x.is_none(),
        Value::String(x) => x.is_none(),
        Value::Enum(x) => !x.is_some(),
        Value::Bytes(x) => x.is_none(),
        Value::Json(x) => x.is_none(),
        Value::ChronoDateTimeWithTimeZone(x) => x.is_none(),
        Value::ChronoDateTimeUtc(x) => x.is_none(),
        Value::ChronoDateTime(x) => x.is_none(),
        Value::Decimal(x) => x.is_none(),
        _ => false,
    }
}

/// Binding sea-query's values as sqlx arguments, with Prisma's storage choices per backend.
pub(crate) mod bind {
    use super::*;
    #[allow(unused_imports)]
    use sqlx::Arguments;

    fn unsupported(v: &Value) -> Error {
        Error::new(
            crate::ErrorKind::Configuration,
            format!("cannot bind {v:?}: the client does not produce this kind of value"),
        )
    }

    fn add_err(e: sqlx::error::BoxDynError) -> Error {
        Error::new(
            crate::ErrorKind::Decode,
            format!("cannot bind a value: {e}"),
        )
    }

    /// Text sent without a type (OID 0): the server infers it from the SQL around the
    /// parameter, as it does for Prisma's PostgreSQL adapter; its binary form is its text, so
    /// an inferred enum, `text` or `varchar` reads it as written.
    #[cfg(feature = "postgres")]
    struct Untyped(String);

    #[cfg(feature = "postgres")]
    impl sqlx::Type<sqlx::Postgres> for Untyped {
        fn type_info() -> sqlx::postgres::PgTypeInfo {
            sqlx::postgres::PgTypeInfo::with_oid(sqlx::postgres::types::Oid(0))
        }
        fn compatible(_: &sqlx::postgres::PgTypeInfo) -> bool {
            true
        }
    }

    #[cfg(feature = "postgres")]
    impl sqlx::Encode<'_, sqlx::Postgres> for Untyped {
        fn encode_by_ref(
            &self,
            buf: &mut sqlx::postgres::PgArgumentBuffer,
        ) -> std::result::Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
            <&str as sqlx::Encode<sqlx::Postgres>>::encode(self.0.as_str(), buf)
        }
    }

    /// `infer`: strings and enum labels go untyped ([`Untyped`]), for raw queries.
    #[cfg(feature = "postgres")]
    pub(crate) fn postgres(
        values: sea_query::Values,
        infer: bool,
    ) -> Result<sqlx::postgres::PgArguments> {
        let mut a = sqlx::postgres::PgArguments::default();
        for v in values {
            match v {
                Value::String(x) if infer => a.add(x.map(Untyped)),
                Value::Enum(sea_query::OptionEnum::Some(e)) if infer => {
                    a.add(Untyped(e.value.into_owned()))
                }
                Value::Bool(x) => a.add(x),
                Value::TinyInt(x) => a.add(x.map(i16::from)),
                Value::SmallInt(x) => a.add(x),
                Value::Int(x) => a.add(x),
                Value::BigInt(x) => a.add(x),
                Value::Unsigned(x) => a.add(x.map(i64::from)),
                Value::BigUnsigned(x) => a.add(x.map(|u| i64::try_from(u).unwrap_or(i64::MAX))),
                Value::Float(x) => a.add(x),
                Value::Double(x) => a.add(x),
                Value::String(x) => a.add(x),
                // sea-query writes the enum cast into the SQL; the value is its label.
                Value::Enum(sea_query::OptionEnum::Some(e)) => a.add(e.value.into_owned()),
                Value::Enum(sea_query::OptionEnum::None(_)) => a.add(None::<String>),
                Value::Bytes(x) => a.add(x),
                Value::Json(x) => a.add(x.map(|j| sqlx::types::Json(*j))),
                // Prisma's DateTime column is `timestamp(3)`, in UTC.
                Value::ChronoDateTimeWithTimeZone(x) => a.add(x.map(|d| d.naive_utc())),
                Value::ChronoDateTimeUtc(x) => a.add(x.map(|d| d.naive_utc())),
                Value::ChronoDateTime(x) => a.add(x),
                Value::Decimal(x) => a.add(x),
                Value::Array(ty, items) => add_pg_array(&mut a, ty, items.map(|b| *b))?,
                other => return Err(unsupported(&other)),
            }
            .map_err(add_err)?;
        }
        Ok(a)
    }

    /// A scalar list as a PostgreSQL array of the element type.
    #[cfg(feature = "postgres")]
    fn add_pg_array(
        a: &mut sqlx::postgres::PgArguments,
        ty: sea_query::ArrayType,
        items: Option<Vec<Value>>,
    ) -> Result<std::result::Result<(), sqlx::error::BoxDynError>> {
        use sea_query::ArrayType as T;
        macro_rules! typed {
            ($variant:ident, $rust:ty, $conv:expr) => {{
                let v: Option<Vec<$rust>> = items
                    .map(|xs| {
                        xs.into_iter()
                            .map(|x| match x {
                                Value::$variant(Some(v)) => Ok($conv(v)),
                                other => Err(unsupported(&other)),
                            })
                            .collect::<Result<Vec<$rust>>>()
                    })
                    .transpose()?;
                Ok(a.add(v))
            }};
        }
        match ty {
            T::String => typed!(String, String, |v| v),
            T::Int => typed!(Int, i32, |v| v),
            T::BigInt => typed!(BigInt, i64, |v| v),
            T::Double => typed!(Double, f64, |v| v),
            T::Bool => typed!(Bool, bool, |v| v),
            T::Decimal => typed!(Decimal, Decimal, |v| v),
            T::ChronoDateTimeWithTimeZone => {
                typed!(
                    ChronoDateTimeWithTimeZone,
                    NaiveDateTime,
                    |v: DateTime<FixedOffset>| v.naive_utc()
                )
            }
            other => Err(Error::new(
                crate::ErrorKind::Configuration,
                format!("lists of {other:?} are not supported"),
            )),
        }
    }

    #[cfg(feature = "mysql")]
    pub(crate) fn mysql(values: sea_query::Values) -> Result<sqlx::mysql::MySqlArguments> {
        let mut a = sqlx::mysql::MySqlArguments::default();
        for v in values {
            match v {
                Value::Bool(x) => a.add(x),
                Value::TinyInt(x) => a.add(x),
                Value::SmallInt(x) => a.add(x),
                Value::Int(x) => a.add(x),
                Value::BigInt(x) => a.add(x),
                Value::Unsigned(x) => a.add(x),
                Value::BigUnsigned(x) => a.add(x),
                Value::Float(x) => a.add(x),
                Value::Double(x) => a.add(x),
                Value::String(x) => a.add(x),
                Value::Enum(sea_query::OptionEnum::Some(e)) => a.add(e.value.into_owned()),
                Value::Enum(sea_query::OptionEnum::None(_)) => a.add(None::<String>),
                Value::Bytes(x) => a.add(x),
                Value::Json(x) => a.add(x.map(|j| j.to_string())),
                Value::ChronoDateTimeWithTimeZone(x) => a.add(x.map(|d| d.naive_utc())),
                Value::ChronoDateTimeUtc(x) => a.add(x.map(|d| d.naive_utc())),
                Value::ChronoDateTime(x) => a.add(x),
                Value::Decimal(x) => a.add(x),
                other => return Err(unsupported(&other)),
            }
            .map_err(add_err)?;
        }
        Ok(a)
    }
}
