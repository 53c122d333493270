//! The macros applications write: `include_client!`, `raw!`, `select!`, `and!`, `or!`, `not!`.
//!
//! `#[macro_export]` puts them at the crate root (`sovereign::select!`), whatever module they
//! are written in.

/// Includes the client `sovereign-build` generated into `OUT_DIR`.
///
/// `include_client!()` includes `sovereign_client.rs`; `include_client!("name")` includes
/// `name.rs` (a build script can generate several clients).
#[macro_export]
macro_rules! include_client {
    () => {
        include!(concat!(env!("OUT_DIR"), "/sovereign_client.rs"));
    };
    ($name:literal) => {
        include!(concat!(env!("OUT_DIR"), "/", $name, ".rs"));
    };
}

/// A raw statement with bound parameters: `raw!("SELECT ... WHERE id = {}", id)`.
#[macro_export]
macro_rules! raw {
    ($sql:literal $(, $v:expr)* $(,)?) => {
        $crate::Raw::new($sql, vec![$($crate::SqlValue::from($v)),*])
    };
}

/// A typed subset of a model's fields and relations:
/// `client.user().find_many(vec![]).select(select!(user { id email }))` returns values of a struct
/// with just `id` and `email`, which serializes with the schema's field names (`authorId`), as
/// the model's data struct does.
///
/// A relation field takes a nested selection, with the arguments of its `fetch` (filters, then
/// `order_by`, `take`, `skip`, `cursor`): a `Vec` of them for a list relation, an `Option` for a
/// to-one relation. `_count { ... }` counts related records, with filters:
///
/// ```ignore
/// select!(user {
///     email
///     posts(vec![post::published::equals(true)]).order_by(post::id::order(Direction::Desc)).take(3): select { id title }
///     profile: select { bio }
///     _count { posts comments(vec![comment::text::contains("rust")]) }
/// })
/// ```
///
/// Relations are read one query per relation level, as `.with(...)` does.
#[macro_export]
macro_rules! select {
    ($($model:ident)::+ { $($body:tt)* }) => {
        $crate::select!(@munch [$($model)::+] [] [] [] $($body)*)
    };
    // Sorting the fields: scalars, relations (name, fetch, inner selection), counts.
    (@munch $m:tt [$($s:tt)*] [$($r:tt)*] [] _count { $($c:tt)* } $($rest:tt)*) => {
        $crate::select!(@munch $m [$($s)*] [$($r)*] [$($c)*] $($rest)*)
    };
    (@munch $m:tt [$($s:tt)*] [$($r:tt)*] [$($c:tt)*]
        $f:ident ( $($a:tt)* ) $(. $mm:ident ( $($ma:tt)* ))* : select { $($inner:tt)* } $($rest:tt)*) => {
        $crate::select!(@munch $m [$($s)*]
            [$($r)* [$f [fetch($($a)*) $(.$mm($($ma)*))*] [$($inner)*]]] [$($c)*] $($rest)*)
    };
    (@munch $m:tt [$($s:tt)*] [$($r:tt)*] [$($c:tt)*] $f:ident : select { $($inner:tt)* } $($rest:tt)*) => {
        $crate::select!(@munch $m [$($s)*] [$($r)* [$f [__fetch()] [$($inner)*]]] [$($c)*] $($rest)*)
    };
    (@munch $m:tt [$($s:tt)*] [$($r:tt)*] [$($c:tt)*] $f:ident $($rest:tt)*) => {
        $crate::select!(@munch $m [$($s)* $f] [$($r)*] [$($c)*] $($rest)*)
    };
    // The selected model's module, as `__m` in the selection's block.
    (@use [$($seg:ident)::+]) => {
        #[allow(unused_imports)]
        use $($seg)::+ as __m;
    };
    (@sub [$($seg:ident)::+] $rf:ident [$($inner:tt)*]) => {
        $crate::select!($($seg)::+ :: $rf :: __target { $($inner)* })
    };
    (@counts_struct [$($cr:ident)*]) => {
        /// The counts of related records the selection asked for (`_count { ... }`).
        #[allow(non_snake_case)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ::sovereign::serde::Serialize)]
        #[serde(crate = "::sovereign::serde", rename_all = "camelCase")]
        struct __Counts {
            $(pub $cr: i64,)*
        }
    };
    (@ser_counts $st:ident $this:tt []) => {};
    (@ser_counts $st:ident $this:tt [$($cr:ident)+]) => {
        $st.serialize_field("_count", &$this._count)?;
    };
    (@count_args) => { ::std::vec::Vec::new() };
    (@count_args $($a:tt)+) => { $($a)+ };
    (@munch $m:tt [$($s:ident)*] [$([$rf:ident [$($fetch:tt)*] [$($inner:tt)*]])*]
        [$($cr:ident $(( $($ca:tt)* ))?)*]) => {{
        $crate::select!(@use $m);
        $crate::select!(@counts_struct [$($cr)*]);
        #[allow(non_camel_case_types)]
        #[derive(Debug, Clone, PartialEq)]
        struct Selected<$($rf),*> {
            $(pub $s: __m::$s::Type,)*
            $(pub $rf: __m::$rf::__Slot<$rf>,)*
            pub _count: __Counts,
            #[doc(hidden)]
            pub __keys: $crate::LinkKeys,
        }
        #[allow(non_camel_case_types)]
        impl<$($rf: $crate::Selection),*> $crate::Selection for Selected<$($rf),*> {
            type Model = __m::Data;
            const FIELDS: &'static [usize] = &[$(__m::$s::INDEX),*];
            const RELATIONS: &'static [usize] =
                &[$(__m::$rf::__REL,)* $(__m::$cr::__REL,)*];
            fn decode(r: &mut $crate::Reader<'_>) -> $crate::Result<Self> {
                Ok(Selected {
                    $($s: r.next()?,)*
                    $($rf: ::core::default::Default::default(),)*
                    _count: ::core::default::Default::default(),
                    __keys: ::core::default::Default::default(),
                })
            }
        }
        #[allow(non_camel_case_types)]
        impl<$($rf: $crate::Selection),*> $crate::Loaded for Selected<$($rf),*> {
            fn meta() -> &'static $crate::meta::ModelMeta {
                <__m::Data as $crate::Model>::META
            }
            fn fields() -> ::core::option::Option<&'static [usize]> {
                ::core::option::Option::Some(<Self as $crate::Selection>::FIELDS)
            }
            fn own_keys() -> ::std::vec::Vec<usize> {
                $crate::own_keys(
                    <Self as $crate::Loaded>::meta(),
                    <Self as $crate::Selection>::RELATIONS,
                )
            }
            fn decode_with(r: &mut $crate::Reader<'_>, keys: &[usize]) -> $crate::Result<Self> {
                let mut s = <Self as $crate::Selection>::decode(r)?;
                s.__keys = $crate::LinkKeys::read(r, <Self as $crate::Loaded>::meta(), keys)?;
                Ok(s)
            }
            fn key(&self, field: usize) -> $crate::SqlValue {
                self.__keys.get(field)
            }
        }
        #[allow(non_camel_case_types)]
        impl<$($rf: $crate::serde::Serialize),*> $crate::serde::Serialize for Selected<$($rf),*> {
            fn serialize<__S: $crate::serde::Serializer>(
                &self,
                s: __S,
            ) -> ::std::result::Result<__S::Ok, __S::Error> {
                use $crate::serde::ser::SerializeStruct;
                let meta = <__m::Data as $crate::Model>::META;
                let n = <[usize]>::len(&[$(__m::$s::INDEX,)* $(__m::$rf::__REL,)*])
                    + <[usize]>::len(&[$(__m::$cr::__REL),*]).min(1);
                let mut st = s.serialize_struct("Selected", n)?;
                $(st.serialize_field(meta.fields[__m::$s::INDEX].name, &self.$s)?;)*
                $(st.serialize_field(meta.relations[__m::$rf::__REL].name, &self.$rf)?;)*
                $crate::select!(@ser_counts st self [$($cr)*]);
                st.end()
            }
        }
        // Names the nested selections' types, so that each relation's load can store them.
        #[allow(non_camel_case_types)]
        fn __make<$($rf: $crate::Selection),*>(
            $($rf: ($crate::Select<$rf>, $crate::Fetch<__m::Data, __m::$rf::__target::Data>),)*
            counts: ::std::vec::Vec<$crate::RelationCount<__m::Data>>,
        ) -> $crate::Select<Selected<$($rf),*>> {
            let s: $crate::Select<Selected<$($rf),*>> = $crate::Select::new();
            $(let s = s.fetch($rf.1.__reselect(|p, v| p.$rf = __m::$rf::__slot(v), $rf.0));)*
            #[allow(unused_mut, unused_variables)]
            let mut counts = counts.into_iter();
            $(let s = match counts.next() {
                ::core::option::Option::Some(c) => s.count(c.__reselect(|p, n| p._count.$cr = n)),
                ::core::option::Option::None => s,
            };)*
            s
        }
        __make(
            $((
                $crate::select!(@sub $m $rf [$($inner)*]),
                __m::$rf::$($fetch)*,
            ),)*
            ::std::vec![$(__m::$cr::__count($crate::select!(@count_args $($($ca)*)?))),*],
        )
    }};
}

/// All of the filters: `and![post::published::equals(true), post::title::contains("x")]`.
#[macro_export]
macro_rules! and {
    ($($w:expr),* $(,)?) => { $crate::Where::and(vec![$($w.into()),*]) };
}

/// Any of the filters.
#[macro_export]
macro_rules! or {
    ($($w:expr),* $(,)?) => { $crate::Where::or(vec![$($w.into()),*]) };
}

/// None of the filters.
#[macro_export]
macro_rules! not {
    ($($w:expr),* $(,)?) => { $crate::Where::not(vec![$($w.into()),*]) };
}
