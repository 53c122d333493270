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

/// A typed subset of a model's fields: `client.user().find_many(vec![]).select(select!(user { id email }))`
/// returns values of a struct with just `id` and `email`, which serializes with the schema's
/// field names (`authorId`), as the model's data struct does.
#[macro_export]
macro_rules! select {
    ($model:ident { $($field:ident)* }) => {{
        #[derive(Debug, Clone, PartialEq)]
        struct Selected {
            $(pub $field: $model::$field::Type,)*
        }
        impl $crate::serde::Serialize for Selected {
            fn serialize<S: $crate::serde::Serializer>(
                &self,
                s: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                use $crate::serde::ser::SerializeStruct;
                let fields = <$model::Data as $crate::Model>::META.fields;
                let n = <[usize]>::len(&[$($model::$field::INDEX),*]);
                let mut st = s.serialize_struct("Selected", n)?;
                $(st.serialize_field(fields[$model::$field::INDEX].name, &self.$field)?;)*
                st.end()
            }
        }
        impl $crate::Selection for Selected {
            type Model = $model::Data;
            const FIELDS: &'static [usize] = &[$($model::$field::INDEX),*];
            fn decode(r: &mut $crate::Reader<'_>) -> $crate::Result<Self> {
                Ok(Selected { $($field: r.next()?,)* })
            }
        }
        $crate::Select::<Selected>::new()
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
