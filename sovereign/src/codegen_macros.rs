//! The macros generated code calls (`sovereign-build` emits `::sovereign::__field!(...)` and
//! friends): each expands to the items of one field, relation, model, enum or client, so the
//! generated source stays small and the logic stays here.
//!
//! They are hidden from the docs and not meant for hand-written code; `#[macro_export]` puts them
//! at the crate root, the paths generated code uses.

/// The functions of a scalar field's module (generated code calls this).
///
/// `$M` model data type, `$i` field number, `$T` value type, `$V` argument type (`Option<$T>`
/// for optional fields); capabilities: `eq` or `unique`, `cmp`, `str`, `num`, `null`.
#[doc(hidden)]
#[macro_export]
macro_rules! __field {
    ($M:ty, $i:expr, $T:ty, $V:ty; $($cap:ident)*) => {
        #[allow(unused_imports)]
        use super::*;
        /// The field's Rust type (what `select!` reads).
        pub type Type = $V;
        /// The field's number in the model's table description.
        pub const INDEX: usize = $i;
        /// The field differs from `v` (a NULL field does not: SQL's `<>`, as in Prisma).
        pub fn not(v: impl Into<$V>) -> $crate::Where<$M> {
            $crate::Where::field($i, $crate::Op::Not($crate::SqlValue::from(v.into())))
        }
        /// The field equals one of `v`.
        pub fn in_vec(v: Vec<$T>) -> $crate::Where<$M> {
            $crate::Where::field($i, $crate::Op::In(v.into_iter().map($crate::SqlValue::from).collect()))
        }
        /// The field equals none of `v`.
        pub fn not_in_vec(v: Vec<$T>) -> $crate::Where<$M> {
            $crate::Where::field($i, $crate::Op::NotIn(v.into_iter().map($crate::SqlValue::from).collect()))
        }
        /// Sets the field to `v`.
        pub fn set(v: impl Into<$V>) -> $crate::Set<$M> {
            $crate::Set::field($i, $crate::SetOp::Set($crate::SqlValue::from(v.into())))
        }
        /// Orders records by the field.
        pub fn order(d: $crate::Direction) -> $crate::OrderBy<$M> {
            $crate::OrderBy::new($i, d)
        }
        #[doc(hidden)]
        pub type Arg = $V;
        #[doc(hidden)]
        pub fn arg(v: Arg) -> $crate::Set<$M> {
            set(v)
        }
        /// The number of records whose field is not NULL (an aggregate).
        pub fn count() -> $crate::Agg<$M, i64> {
            $crate::Agg::count($i)
        }
        /// The field's value, to group by (`group_by((field::by(),), ...)`).
        pub fn by() -> $crate::Agg<$M, $V> {
            $crate::Agg::by($i)
        }
        /// The field, for `find_many(...).distinct(...)`.
        pub fn distinct() -> $crate::Distinct<$M> {
            $crate::Distinct::new($i)
        }
        $($crate::__field!(@$cap $M, $i, $T, $V);)*
    };
    (@eq $M:ty, $i:expr, $T:ty, $V:ty) => {
        /// The field equals `v`.
        pub fn equals(v: impl Into<$V>) -> $crate::Where<$M> {
            $crate::Where::field($i, $crate::Op::Equals($crate::SqlValue::from(v.into())))
        }
    };
    (@unique $M:ty, $i:expr, $T:ty, $V:ty) => {
        /// The record whose field equals `v` (a unique filter, or a plain one).
        pub fn equals<W: From<$crate::Unique<$M>>>(v: impl Into<$V>) -> W {
            W::from($crate::Unique::field($i, $crate::SqlValue::from(v.into())))
        }
    };
    (@cmp $M:ty, $i:expr, $T:ty, $V:ty) => {
        /// The smallest value of the field (an aggregate; `None` without records).
        pub fn min() -> $crate::Agg<$M, Option<$T>> {
            $crate::Agg::min($i)
        }
        /// The largest value of the field (an aggregate; `None` without records).
        pub fn max() -> $crate::Agg<$M, Option<$T>> {
            $crate::Agg::max($i)
        }
        /// The field is less than `v`.
        pub fn lt(v: impl Into<$T>) -> $crate::Where<$M> {
            $crate::Where::field($i, $crate::Op::Lt($crate::SqlValue::from(v.into())))
        }
        /// The field is at most `v`.
        pub fn lte(v: impl Into<$T>) -> $crate::Where<$M> {
            $crate::Where::field($i, $crate::Op::Lte($crate::SqlValue::from(v.into())))
        }
        /// The field is greater than `v`.
        pub fn gt(v: impl Into<$T>) -> $crate::Where<$M> {
            $crate::Where::field($i, $crate::Op::Gt($crate::SqlValue::from(v.into())))
        }
        /// The field is at least `v`.
        pub fn gte(v: impl Into<$T>) -> $crate::Where<$M> {
            $crate::Where::field($i, $crate::Op::Gte($crate::SqlValue::from(v.into())))
        }
    };
    (@str $M:ty, $i:expr, $T:ty, $V:ty) => {
        /// The text holds `v`.
        pub fn contains(v: impl Into<String>) -> $crate::Where<$M> {
            $crate::Where::field($i, $crate::Op::Contains(v.into()))
        }
        /// The text starts with `v`.
        pub fn starts_with(v: impl Into<String>) -> $crate::Where<$M> {
            $crate::Where::field($i, $crate::Op::StartsWith(v.into()))
        }
        /// The text ends with `v`.
        pub fn ends_with(v: impl Into<String>) -> $crate::Where<$M> {
            $crate::Where::field($i, $crate::Op::EndsWith(v.into()))
        }
        /// Full-text search (PostgreSQL, and MySQL with a `@@fulltext` index): `"cat & dog"`
        /// on PostgreSQL (`to_tsquery`), `"+cat +dog"` on MySQL (boolean mode), as Prisma's
        /// `search`.
        pub fn search(q: impl Into<String>) -> $crate::Where<$M> {
            $crate::Where::field($i, $crate::Op::Search(q.into()))
        }
    };
    (@num $M:ty, $i:expr, $T:ty, $V:ty) => {
        /// The sum of the field (an aggregate; `None` without records).
        pub fn sum() -> $crate::Agg<$M, Option<<$T as $crate::Numeric>::Sum>> {
            $crate::Agg::sum::<$T>($i)
        }
        /// The average of the field (an aggregate; `None` without records).
        pub fn avg() -> $crate::Agg<$M, Option<<$T as $crate::Numeric>::Avg>> {
            $crate::Agg::avg::<$T>($i)
        }
        /// Adds `v` to the field.
        pub fn increment(v: $T) -> $crate::Set<$M> {
            $crate::Set::field($i, $crate::SetOp::Increment($crate::SqlValue::from(v)))
        }
        /// Subtracts `v` from the field.
        pub fn decrement(v: $T) -> $crate::Set<$M> {
            $crate::Set::field($i, $crate::SetOp::Decrement($crate::SqlValue::from(v)))
        }
        /// Multiplies the field by `v`.
        pub fn multiply(v: $T) -> $crate::Set<$M> {
            $crate::Set::field($i, $crate::SetOp::Multiply($crate::SqlValue::from(v)))
        }
        /// Divides the field by `v`.
        pub fn divide(v: $T) -> $crate::Set<$M> {
            $crate::Set::field($i, $crate::SetOp::Divide($crate::SqlValue::from(v)))
        }
    };
    (@json $M:ty, $i:expr, $T:ty, $V:ty) => {
        /// The value at a path of object keys (`vec![]`: the whole value), to filter on:
        /// `path(vec!["theme"]).equals(json!("dark"))`.
        pub fn path(p: Vec<&str>) -> $crate::JsonPath<$M> {
            $crate::JsonPath::new($i, p)
        }
    };
    (@null $M:ty, $i:expr, $T:ty, $V:ty) => {
        /// The field is NULL.
        pub fn is_null() -> $crate::Where<$M> {
            $crate::Where::field($i, $crate::Op::IsNull)
        }
    };
}

/// The functions of a scalar list field's module (generated code calls this); PostgreSQL.
#[doc(hidden)]
#[macro_export]
macro_rules! __list_field {
    ($M:ty, $i:expr, $E:ty) => {
        #[allow(unused_imports)]
        use super::*;
        /// The field's Rust type (what `select!` reads).
        pub type Type = Vec<$E>;
        /// The field's number in the model's table description.
        pub const INDEX: usize = $i;
        /// The list equals `v`.
        pub fn equals(v: Vec<$E>) -> $crate::Where<$M> {
            $crate::Where::field($i, $crate::Op::Equals($crate::SqlValue::from(v)))
        }
        /// The list differs from `v`.
        pub fn not(v: Vec<$E>) -> $crate::Where<$M> {
            $crate::Where::field($i, $crate::Op::Not($crate::SqlValue::from(v)))
        }
        /// The list holds `v`.
        pub fn has(v: impl Into<$E>) -> $crate::Where<$M> {
            $crate::Where::field(
                $i,
                $crate::Op::HasEvery($crate::SqlValue::from(vec![v.into()])),
            )
        }
        /// The list holds every one of `v`.
        pub fn has_every(v: Vec<$E>) -> $crate::Where<$M> {
            $crate::Where::field($i, $crate::Op::HasEvery($crate::SqlValue::from(v)))
        }
        /// The list holds at least one of `v`.
        pub fn has_some(v: Vec<$E>) -> $crate::Where<$M> {
            $crate::Where::field($i, $crate::Op::HasSome($crate::SqlValue::from(v)))
        }
        /// The list is empty (`true`; a NULL list too) or not (`false`).
        pub fn is_empty(empty: bool) -> $crate::Where<$M> {
            $crate::Where::field($i, $crate::Op::IsEmpty(empty))
        }
        /// Sets the list to `v`.
        pub fn set(v: Vec<$E>) -> $crate::Set<$M> {
            $crate::Set::field($i, $crate::SetOp::Set($crate::SqlValue::from(v)))
        }
        /// Appends to the list.
        pub fn push(v: Vec<$E>) -> $crate::Set<$M> {
            $crate::Set::field($i, $crate::SetOp::Push($crate::SqlValue::from(v)))
        }
        /// Orders records by the field.
        pub fn order(d: $crate::Direction) -> $crate::OrderBy<$M> {
            $crate::OrderBy::new($i, d)
        }
    };
}

/// The functions of a relation field's module (generated code calls this).
///
/// The arms, by how the two models are linked: `one` (this model holds a required foreign key:
/// `post.author`), `optional` (an optional one: `user.mentor`), `back` and `back_optional` (the
/// related model holds the foreign key of a to-one relation, required or optional there:
/// `user.profile`), `many` (a one-to-many relation) and `join` (an implicit many-to-many one).
/// Then this model's data type, the relation's
/// number, the related model's module, the field, and after `;` the required arguments of a
/// nested `create` (the related model's `create` arguments but the relation back here).
///
/// Nested writes that write the related model's table are bounded by `for<'a> C: Writable`:
/// a bound without a generic parameter, checked where the function is called, so a plugin that
/// writes a core model through a relation gets `Writable`'s message there, while the module
/// itself always compiles.
#[doc(hidden)]
#[macro_export]
macro_rules! __relation {
    (one $P:ty, $r:expr, $t:ident, $field:ident; $($a:ident)*) => {
        #[allow(unused_imports)]
        use super::*;
        impl $P {
            /// The related record; an error when the query did not fetch it.
            pub fn $field(
                &self,
            ) -> ::std::result::Result<&super::super::$t::Data, $crate::RelationNotFetched> {
                $crate::fetched(&self.$field, stringify!($field)).map(|b| &**b)
            }
        }
        /// Fetches the related record with the query (`.with(...)`).
        pub fn fetch() -> $crate::Fetch<$P, super::super::$t::Data> {
            $crate::Fetch::new($r, |p, v| p.$field = v.into_iter().next().map(Box::new), vec![])
        }
        $crate::__relation!(@to_one $P, $r, $t; $($a)*);
        /// Links the record `u` selects.
        pub fn connect(u: $crate::Unique<super::super::$t::Data>) -> $crate::Set<$P> {
            $crate::Set::connect($r, vec![u])
        }
        #[doc(hidden)]
        pub fn __fetch() -> $crate::Fetch<$P, super::super::$t::Data> {
            fetch()
        }
        #[doc(hidden)]
        pub type Arg = $crate::Unique<super::super::$t::Data>;
        #[doc(hidden)]
        pub fn arg(u: Arg) -> $crate::Set<$P> {
            connect(u)
        }
    };
    (optional $P:ty, $r:expr, $t:ident, $field:ident; $($a:ident)*) => {
        $crate::__relation!(@optional $P, $r, $t, $field);
        $crate::__relation!(@to_one $P, $r, $t; $($a)*);
        /// Links the record `u` selects.
        pub fn connect(u: $crate::Unique<super::super::$t::Data>) -> $crate::Set<$P> {
            $crate::Set::connect($r, vec![u])
        }
        /// Unlinks the related record (sets the foreign key to NULL).
        pub fn disconnect() -> $crate::Set<$P> {
            $crate::Set::disconnect::<super::super::$t::Data>($r, None)
        }
        $crate::__relation!(@delete_one $P, $r, $t);
    };
    (back $P:ty, $r:expr, $t:ident, $field:ident; $($a:ident)*) => {
        $crate::__relation!(@optional $P, $r, $t, $field);
        $crate::__relation!(@to_one $P, $r, $t; $($a)*);
        $crate::__relation!(@connect_back $P, $r, $t);
        $crate::__relation!(@delete_one $P, $r, $t);
    };
    (back_optional $P:ty, $r:expr, $t:ident, $field:ident; $($a:ident)*) => {
        $crate::__relation!(@optional $P, $r, $t, $field);
        $crate::__relation!(@to_one $P, $r, $t; $($a)*);
        $crate::__relation!(@connect_back $P, $r, $t);
        $crate::__relation!(@delete_one $P, $r, $t);
        /// Unlinks the related record (sets its foreign key to NULL).
        pub fn disconnect() -> $crate::Set<$P>
        where
            for<'a> super::super::$t::Data: $crate::Writable,
        {
            $crate::Set::disconnect::<super::super::$t::Data>($r, None)
        }
    };
    (many $P:ty, $r:expr, $t:ident, $field:ident; $($a:ident)*) => {
        $crate::__relation!(@many $P, $r, $t, $field; $($a)*);
        /// Creates related records, linked to this one, in one statement.
        pub fn create_many(rows: Vec<Create>) -> $crate::Set<$P>
        where
            for<'a> super::super::$t::Data: $crate::Writable,
        {
            $crate::Set::create_many($r, rows.into_iter().map(create_row))
        }
    };
    // An implicit many-to-many relation: as in Prisma, no `create_many`.
    (join $P:ty, $r:expr, $t:ident, $field:ident; $($a:ident)*) => {
        $crate::__relation!(@many $P, $r, $t, $field; $($a)*);
    };
    (@many $P:ty, $r:expr, $t:ident, $field:ident; $($a:ident)*) => {
        #[allow(unused_imports)]
        use super::*;
        impl $P {
            /// The related records; an error when the query did not fetch them.
            pub fn $field(
                &self,
            ) -> ::std::result::Result<&Vec<super::super::$t::Data>, $crate::RelationNotFetched> {
                $crate::fetched(&self.$field, stringify!($field))
            }
        }
        /// Fetches the related records matching `w` with the query (`.with(...)`).
        pub fn fetch(
            w: Vec<$crate::Where<super::super::$t::Data>>,
        ) -> $crate::Fetch<$P, super::super::$t::Data> {
            $crate::Fetch::new($r, |p, v| p.$field = Some(v), w)
        }
        #[doc(hidden)]
        pub fn __fetch() -> $crate::Fetch<$P, super::super::$t::Data> {
            fetch(vec![])
        }
        #[doc(hidden)]
        pub type __Slot<T> = Vec<T>;
        #[doc(hidden)]
        pub fn __slot<T>(v: Vec<T>) -> Vec<T> {
            v
        }
        /// Counts the related records matching all of `w` (`_count` in a `select!`).
        #[doc(hidden)]
        pub fn __count(w: Vec<$crate::Where<super::super::$t::Data>>) -> $crate::RelationCount<$P> {
            $crate::RelationCount::new($r, w, |_, _| {})
        }
        /// Orders records by their number of related records.
        pub fn order_count(d: $crate::Direction) -> $crate::OrderBy<$P> {
            $crate::OrderBy::count($r, d)
        }
        /// At least one related record matches all of `w`.
        pub fn some(w: Vec<$crate::Where<super::super::$t::Data>>) -> $crate::Where<$P> {
            $crate::Where::relation($r, $crate::RelOp::Some, w)
        }
        /// Every related record matches all of `w` (true when there are none).
        pub fn every(w: Vec<$crate::Where<super::super::$t::Data>>) -> $crate::Where<$P> {
            $crate::Where::relation($r, $crate::RelOp::Every, w)
        }
        /// No related record matches all of `w`.
        pub fn none(w: Vec<$crate::Where<super::super::$t::Data>>) -> $crate::Where<$P> {
            $crate::Where::relation($r, $crate::RelOp::None, w)
        }
        $crate::__relation!(@create $P, $r, $t; $($a)*);
        /// Links the records `u` selects.
        pub fn connect(u: Vec<$crate::Unique<super::super::$t::Data>>) -> $crate::Set<$P>
        where
            for<'a> super::super::$t::Data: $crate::Writable,
        {
            $crate::Set::connect($r, u)
        }
        /// Links the record `u` selects, or creates it from `create` when there is none.
        pub fn connect_or_create(
            u: $crate::Unique<super::super::$t::Data>,
            create: Create,
        ) -> $crate::Set<$P>
        where
            for<'a> super::super::$t::Data: $crate::Writable,
        {
            $crate::Set::connect_or_create($r, u, create_sets(create))
        }
        /// Unlinks the records `u` selects (a required foreign key cannot be unlinked).
        pub fn disconnect(u: Vec<$crate::Unique<super::super::$t::Data>>) -> $crate::Set<$P>
        where
            for<'a> super::super::$t::Data: $crate::Writable,
        {
            $crate::Set::disconnect($r, Some(u))
        }
        /// Links exactly the records `u` selects: the others linked now are unlinked.
        pub fn set(u: Vec<$crate::Unique<super::super::$t::Data>>) -> $crate::Set<$P>
        where
            for<'a> super::super::$t::Data: $crate::Writable,
        {
            $crate::Set::set_related($r, u)
        }
        /// Changes the linked record `u` selects.
        pub fn update(
            u: $crate::Unique<super::super::$t::Data>,
            params: Vec<$crate::Set<super::super::$t::Data>>,
        ) -> $crate::Set<$P>
        where
            for<'a> super::super::$t::Data: $crate::Writable,
        {
            $crate::Set::update_related($r, Some(u), params)
        }
        /// Changes the linked record `u` selects, or creates (and links) it from `create`.
        pub fn upsert(
            u: $crate::Unique<super::super::$t::Data>,
            create: Create,
            update: Vec<$crate::Set<super::super::$t::Data>>,
        ) -> $crate::Set<$P>
        where
            for<'a> super::super::$t::Data: $crate::Writable,
        {
            $crate::Set::upsert_related($r, Some(u), create_sets(create), update)
        }
        /// Deletes the linked records `u` selects; each must be linked.
        pub fn delete(u: Vec<$crate::Unique<super::super::$t::Data>>) -> $crate::Set<$P>
        where
            for<'a> super::super::$t::Data: $crate::Writable,
        {
            $crate::Set::delete_related($r, Some(u))
        }
        /// Changes every linked record matching all of `w`.
        pub fn update_many(
            w: Vec<$crate::Where<super::super::$t::Data>>,
            params: Vec<$crate::Set<super::super::$t::Data>>,
        ) -> $crate::Set<$P>
        where
            for<'a> super::super::$t::Data: $crate::Writable,
        {
            $crate::Set::update_many_related($r, w, params)
        }
        /// Deletes every linked record matching all of `w`.
        pub fn delete_many(w: Vec<$crate::Where<super::super::$t::Data>>) -> $crate::Set<$P>
        where
            for<'a> super::super::$t::Data: $crate::Writable,
        {
            $crate::Set::delete_many_related($r, w)
        }
    };
    (@optional $P:ty, $r:expr, $t:ident, $field:ident) => {
        #[allow(unused_imports)]
        use super::*;
        #[doc(hidden)]
        pub fn __fetch() -> $crate::Fetch<$P, super::super::$t::Data> {
            fetch()
        }
        impl $P {
            /// The related record, if any; an error when the query did not fetch it.
            pub fn $field(
                &self,
            ) -> ::std::result::Result<Option<&super::super::$t::Data>, $crate::RelationNotFetched>
            {
                $crate::fetched(&self.$field, stringify!($field)).map(|o| o.as_deref())
            }
        }
        /// Fetches the related record with the query (`.with(...)`).
        pub fn fetch() -> $crate::Fetch<$P, super::super::$t::Data> {
            $crate::Fetch::new(
                $r,
                |p, v| p.$field = Some(v.into_iter().next().map(Box::new)),
                vec![],
            )
        }
    };
    (@create $P:ty, $r:expr, $t:ident; $($a:ident)*) => {
        #[doc(hidden)]
        pub const __REL: usize = $r;
        #[doc(hidden)]
        pub use super::super::$t as __target;
        /// The required arguments of a nested create, then the other setters.
        pub type Create = ($(super::super::$t::$a::Arg,)* Vec<$crate::Set<super::super::$t::Data>>);
        fn create_sets(row: Create) -> Vec<$crate::Set<super::super::$t::Data>> {
            create_row(row).collect()
        }
        /// The setters of a nested create as an iterator (a row of a nested `create_many`,
        /// without a vector of its own).
        fn create_row(
            ($($a,)* params): Create,
        ) -> impl Iterator<Item = $crate::Set<super::super::$t::Data>> {
            [$(super::super::$t::$a::arg($a)),*].into_iter().chain(params)
        }
        /// Creates a related record (linked to this one): its required fields, then setters.
        pub fn create(
            $($a: super::super::$t::$a::Arg,)*
            params: Vec<$crate::Set<super::super::$t::Data>>,
        ) -> $crate::Set<$P>
        where
            for<'a> super::super::$t::Data: $crate::Writable,
        {
            $crate::Set::create($r, create_sets(($($a,)* params)))
        }
    };
    (@to_one $P:ty, $r:expr, $t:ident; $($a:ident)*) => {
        /// Orders records by a field of the related record (`post::author::order(user::name::order(...))`).
        pub fn order(o: $crate::OrderBy<super::super::$t::Data>) -> $crate::OrderBy<$P> {
            $crate::OrderBy::related($r, o)
        }
        #[doc(hidden)]
        pub type __Slot<T> = Option<T>;
        #[doc(hidden)]
        pub fn __slot<T>(v: Vec<T>) -> Option<T> {
            v.into_iter().next()
        }
        /// The related record exists and matches all of `w`.
        pub fn is(w: Vec<$crate::Where<super::super::$t::Data>>) -> $crate::Where<$P> {
            $crate::Where::relation($r, $crate::RelOp::Is, w)
        }
        /// The related record does not match all of `w`, or there is none.
        pub fn is_not(w: Vec<$crate::Where<super::super::$t::Data>>) -> $crate::Where<$P> {
            $crate::Where::relation($r, $crate::RelOp::IsNot, w)
        }
        $crate::__relation!(@create $P, $r, $t; $($a)*);
        /// Links the record `u` selects, or creates it from `create` when there is none.
        pub fn connect_or_create(
            u: $crate::Unique<super::super::$t::Data>,
            create: Create,
        ) -> $crate::Set<$P>
        where
            for<'a> super::super::$t::Data: $crate::Writable,
        {
            $crate::Set::connect_or_create($r, u, create_sets(create))
        }
        /// Changes the related record.
        pub fn update(params: Vec<$crate::Set<super::super::$t::Data>>) -> $crate::Set<$P>
        where
            for<'a> super::super::$t::Data: $crate::Writable,
        {
            $crate::Set::update_related($r, None, params)
        }
        /// Changes the related record, or creates (and links) one from `create`.
        pub fn upsert(
            create: Create,
            update: Vec<$crate::Set<super::super::$t::Data>>,
        ) -> $crate::Set<$P>
        where
            for<'a> super::super::$t::Data: $crate::Writable,
        {
            $crate::Set::upsert_related($r, None, create_sets(create), update)
        }
    };
    (@connect_back $P:ty, $r:expr, $t:ident) => {
        /// Links the record `u` selects (the one linked before is unlinked).
        pub fn connect(u: $crate::Unique<super::super::$t::Data>) -> $crate::Set<$P>
        where
            for<'a> super::super::$t::Data: $crate::Writable,
        {
            $crate::Set::connect($r, vec![u])
        }
    };
    (@delete_one $P:ty, $r:expr, $t:ident) => {
        /// Deletes the related record.
        pub fn delete() -> $crate::Set<$P>
        where
            for<'a> super::super::$t::Data: $crate::Writable,
        {
            $crate::Set::delete_related::<super::super::$t::Data>($r, None)
        }
    };
}

/// The `Model` impl of a data struct (generated code calls this): scalar fields with their
/// numbers, in column order, then relation fields.
#[doc(hidden)]
#[macro_export]
macro_rules! __model {
    ($D:ident, $meta:path, [$($i:literal $f:ident),* $(,)?], [$($rel:ident),* $(,)?]) => {
        impl $crate::Model for $D {
            const META: &'static $crate::meta::ModelMeta = &$meta;
            fn decode(r: &mut $crate::Reader<'_>) -> $crate::Result<Self> {
                Ok($D { $($f: r.next()?,)* $($rel: None,)* })
            }
            fn value(&self, field: usize) -> $crate::SqlValue {
                match field {
                    $($i => self.$f.clone().into(),)*
                    _ => unreachable!("field {field} of {}", $meta.name),
                }
            }
        }
    };
}

/// The reads and writes of a writable model (generated code calls this, after its own
/// `impl Writable`, which stays in generated code so the compiler points a plugin that writes a
/// core model at a line that says what is writable): `Actions`, its
/// `create` (the required fields in schema order, a required relation as a connect),
/// `create_unchecked` (foreign keys as values), `create_many` and `upsert`. In the runtime, not
/// in every generated model, to keep generated code small.
#[doc(hidden)]
#[macro_export]
macro_rules! __actions {
    ($D:ident;
     create($($c:ident: $cty:ty = $cset:path),* $(,)?);
     unchecked($($u:ident: $uty:ty = $uset:path),* $(,)?)) => {
        /// Reads and writes of this model.
        #[derive(Clone, Debug)]
        pub struct Actions($crate::Actions<$D>);
        impl ::core::ops::Deref for Actions {
            type Target = $crate::Actions<$D>;
            fn deref(&self) -> &Self::Target {
                &self.0
            }
        }
        /// The required scalar fields and the setters of `create_unchecked`, `create_many`
        /// and `upsert`.
        pub type CreateUnchecked = ($($uty,)* ::std::vec::Vec<$crate::Set<$D>>);
        fn unchecked(row: CreateUnchecked) -> ::std::vec::Vec<$crate::Set<$D>> {
            unchecked_row(row).collect()
        }
        /// The setters of `create_unchecked` as an iterator (a row of `create_many`, without a
        /// vector of its own).
        fn unchecked_row(
            ($($u,)* params): CreateUnchecked,
        ) -> impl Iterator<Item = $crate::Set<$D>> {
            [$($uset($u)),*].into_iter().chain(params)
        }
        impl Actions {
            #[doc(hidden)]
            pub fn new(conn: $crate::Conn) -> Self {
                Actions($crate::Actions::new(conn))
            }
            /// Creates a record: the required fields, then optional setters.
            pub fn create(
                &self,
                $($c: $cty,)*
                mut params: ::std::vec::Vec<$crate::Set<$D>>,
            ) -> $crate::Create<$D> {
                $crate::__prepend(&mut params, [$($cset($c)),*]);
                self.0.create_from(params)
            }
            /// Creates a record from scalar fields (foreign keys as values).
            pub fn create_unchecked(
                &self,
                $($u: $uty,)*
                params: ::std::vec::Vec<$crate::Set<$D>>,
            ) -> $crate::Create<$D> {
                self.0.create_from(unchecked(($($u,)* params)))
            }
            /// Creates many records in as few statements as possible; returns how many.
            pub fn create_many(&self, rows: ::std::vec::Vec<CreateUnchecked>) -> $crate::CreateMany<$D> {
                self.0.create_many_from(rows.into_iter().map(unchecked_row))
            }
            /// Creates many records and returns them as stored (not on MySQL, which cannot).
            pub fn create_many_and_return(
                &self,
                rows: ::std::vec::Vec<CreateUnchecked>,
            ) -> $crate::CreateManyAndReturn<$D> {
                self.0.create_many_and_return_from(rows.into_iter().map(unchecked_row))
            }
            /// Updates the selected record, or creates it from `create` when there is none.
            pub fn upsert(
                &self,
                w: $crate::Unique<$D>,
                create: CreateUnchecked,
                update: ::std::vec::Vec<$crate::Set<$D>>,
            ) -> $crate::Upsert<$D> {
                self.0.upsert_from(w, unchecked(create), update)
            }
        }
    };
}

/// An enum of the schema (generated code calls this): variants with their schema names (for
/// serde, as Prisma's JSON) and database names (`@map`).
#[doc(hidden)]
#[macro_export]
macro_rules! __enum {
    ($(#[$m:meta])* $name:ident, $db:literal, { $($(#[$vm:meta])* $variant:ident = $schema:literal => $vdb:literal),* $(,)? }) => {
        $(#[$m])*
        #[allow(dead_code)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::sovereign::serde::Serialize, ::sovereign::serde::Deserialize)]
        #[serde(crate = "::sovereign::serde")]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $schema)] $variant,)*
        }
        impl $crate::DbEnum for $name {
            const DB_TYPE: &'static str = $db;
            fn db_name(self) -> &'static str {
                match self { $($name::$variant => $vdb,)* }
            }
            fn from_db_name(s: &str) -> Option<Self> {
                match s { $($vdb => Some($name::$variant),)* _ => None }
            }
        }
        impl $crate::Decode for $name {
            fn decode(r: &mut $crate::Reader<'_>) -> $crate::Result<Self> {
                $crate::decode_enum(r)
            }
        }
        impl From<$name> for $crate::SqlValue {
            fn from(v: $name) -> Self {
                <$name as $crate::DbEnum>::to_value(v)
            }
        }
        impl $crate::sea_query::Nullable for $name {
            fn null() -> $crate::SqlValue {
                $crate::null_enum($db)
            }
        }
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(<$name as $crate::DbEnum>::db_name(*self))
            }
        }
    };
}

/// The client type (generated code calls this): constructors, transactions, raw queries and
/// one accessor per model.
#[doc(hidden)]
#[macro_export]
macro_rules! __client {
    ($client:ident, $ds:path, { $($acc:ident: $ty:ty),* $(,)? }) => {
        /// The generated client: one accessor per model.
        #[derive(Clone, Debug)]
        #[allow(dead_code)]
        pub struct $client {
            conn: $crate::Conn,
        }
        impl $crate::Client for $client {
            fn from_conn(conn: $crate::Conn) -> Self {
                $client { conn }
            }
            fn conn(&self) -> &$crate::Conn {
                &self.conn
            }
        }
        #[allow(dead_code)]
        impl $client {
            /// A client over an existing database handle.
            pub fn new(db: $crate::Database) -> Self {
                $client { conn: $crate::Conn::Db(db) }
            }
            /// Connects to `url` (relative SQLite paths: against the current directory).
            pub async fn connect(url: &str) -> $crate::Result<Self> {
                Ok(Self::new($crate::Database::connect(url).await?))
            }
            /// Connects to the schema's datasource URL: the environment variable it names
            /// (after loading `.env` as Prisma does), or its literal URL. A relative SQLite
            /// path is resolved against the schema's directory, as Prisma does.
            pub async fn from_env() -> $crate::Result<Self> {
                Ok(Self::new($ds.connect().await?))
            }
            /// The database handle (pool and provider) under this client.
            pub fn database(&self) -> Option<&$crate::Database> {
                match &self.conn {
                    $crate::Conn::Db(db) => Some(db),
                    $crate::Conn::Tx(..) => None,
                }
            }
            /// This client on the primary database, for reading what was just written when
            /// the database has read replicas (a replica may lag behind). Without replicas, or
            /// inside a transaction, the same client.
            pub fn primary(&self) -> Self {
                $client { conn: self.conn.primary() }
            }
            /// Runs a closure in a transaction: `client._transaction().run(|tx| async move { ... })`.
            pub fn _transaction(&self) -> $crate::TransactionBuilder<Self> {
                $crate::TransactionBuilder::new(self.conn.clone())
            }
            /// Runs independent queries (a tuple of builders, or a `Vec` of one kind) in one
            /// transaction and returns their results: `client._batch((q1, q2)).await?`.
            pub async fn _batch<B: $crate::Batch>(&self, batch: B) -> $crate::Result<B::Output> {
                $crate::run_batch(&self.conn, batch).await
            }
            /// A raw query with bound parameters, each row decoded as `T`.
            pub async fn _query_raw<T: $crate::RawRow>(&self, raw: $crate::Raw) -> $crate::Result<Vec<T>> {
                $crate::query_raw(&self.conn, raw).await
            }
            /// A raw statement with bound parameters; returns the rows affected.
            pub async fn _execute_raw(&self, raw: $crate::Raw) -> $crate::Result<u64> {
                $crate::execute_raw(&self.conn, raw).await
            }
            $(
                /// The reads and writes of this model.
                pub fn $acc(&self) -> $ty {
                    <$ty>::new(self.conn.clone())
                }
            )*
        }
    };
}
