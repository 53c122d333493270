//! Generates the Rust client of a schema: per model a data struct, field modules, a static
//! table description and an accessor; the logic stays in the `sovereign` runtime.
//!
//! The output is meant to be read: every path into the runtime is `::sovereign::...` (no alias),
//! field numbers in the table descriptions are named by their field modules
//! (`user::email::INDEX`), and schema comments become `/// ...` docs. Nothing in it depends on
//! the machine that built it except the `include_str!` paths, which the compiler reads and
//! the binary does not keep.

use std::collections::BTreeSet;

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};
use sovereign_schema::ast::Arity;
use sovereign_schema::client::{client_models, ClientModel, FieldKind, Generated, Link};
use sovereign_schema::diagnostic::Diagnostic;
use sovereign_schema::model::{Provider, RelationMode, ScalarField, Schema, Url};

/// What to generate from a schema.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// The client type's name.
    pub client_name: String,
    /// Models to leave out entirely (another plugin's, in a shared plugin's view).
    pub exclude: BTreeSet<String>,
    /// Models offered read-only (core models seen from a plugin).
    pub read_only: BTreeSet<String>,
    /// Where the schema came from, for the header.
    pub source: String,
    /// For the platform's client: the plugins composed into its schema (`COMPOSED_PLUGINS`).
    pub composed_plugins: Option<Vec<String>>,
    /// The schema file, embedded in `DATASOURCE` with `include_str!` (so an edit rebuilds).
    pub schema_path: Option<String>,
    /// Migrations to embed in `DATASOURCE`: folder names and `migration.sql` paths, in order.
    pub migrations: Vec<(String, String)>,
}

/// The migrations of a `migrations/` folder, in order: `(folder name, migration.sql path)`,
/// found by the workspace's one rule for migration folders.
///
/// # Errors
/// A folder that cannot be listed, or a migration folder without its script.
pub fn migration_files(
    dir: &std::path::Path,
) -> Result<Vec<(String, String)>, sovereign_workspace::Error> {
    Ok(sovereign_workspace::migration_folders(dir)?
        .into_iter()
        .map(|f| (f.name, f.script.display().to_string()))
        .collect())
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            client_name: "PrismaClient".to_string(),
            exclude: BTreeSet::new(),
            read_only: BTreeSet::new(),
            source: "schema.prisma".to_string(),
            composed_plugins: None,
            schema_path: None,
            migrations: Vec::new(),
        }
    }
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "gen", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

fn ident(name: &str) -> Ident {
    if matches!(name, "self" | "Self" | "super" | "crate") {
        format_ident!("{}_", name)
    } else if KEYWORDS.contains(&name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// `authorId` -> `author_id`, `BlogPost` -> `blog_post`.
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev_lower = i > 0 && (chars[i - 1].is_lowercase() || chars[i - 1].is_numeric());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if i > 0 && (prev_lower || (next_lower && chars[i - 1] != '_')) {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `IN_PROGRESS` -> `InProgress`, `member` -> `Member`, `inReview` -> `InReview`.
pub fn pascal_case(name: &str) -> String {
    let shouting = !name.chars().any(|c| c.is_lowercase());
    let mut out = String::with_capacity(name.len());
    for part in name.split('_').filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            if shouting {
                out.extend(chars.flat_map(char::to_lowercase));
            } else {
                out.extend(chars);
            }
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

fn lit(s: &str) -> Literal {
    Literal::string(s)
}

fn usize_lit(n: usize) -> Literal {
    Literal::usize_unsuffixed(n)
}

/// `/// line` attributes for a schema comment, one per line, each with the space rustdoc and
/// readers expect after `///`.
fn docs(docs: Option<&str>) -> TokenStream {
    let lines = docs.into_iter().flat_map(str::lines).map(|l| {
        if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        }
    });
    quote!(#(#[doc = #lines])*)
}

/// The number of field `field` of the model whose module is reached by `prefix` (empty for the
/// current model), by name: `email::INDEX`, `super::user::email::INDEX`.
fn field_index(prefix: &TokenStream, field: &str) -> TokenStream {
    let module = ident(&snake_case(field));
    quote!(#prefix #module::INDEX)
}

struct FieldInfo<'a> {
    field: &'a ScalarField,
    /// What it holds.
    fkind: FieldKind<'a>,
    rust: TokenStream,
}

/// serde's `camelCase` spelling of a snake_case Rust name.
fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for ch in snake.chars() {
        if ch == '_' {
            upper = true;
        } else if upper {
            out.extend(ch.to_uppercase());
            upper = false;
        } else {
            out.push(ch);
        }
    }
    out
}

/// `#[serde(rename = "...")]` where `rename_all = "camelCase"` does not give the schema name.
fn serde_rename(schema_name: &str) -> TokenStream {
    let rust = snake_case(schema_name);
    if camel(&rust) == schema_name {
        quote!()
    } else {
        let n = lit(schema_name);
        quote!(#[serde(rename = #n)])
    }
}

/// The Rust type of a field's values and its kind in the table description.
fn rust_type(kind: FieldKind<'_>) -> (TokenStream, TokenStream) {
    match kind {
        FieldKind::Int => (quote!(i32), quote!(Int)),
        FieldKind::BigInt => (quote!(i64), quote!(BigInt)),
        FieldKind::Float => (quote!(f64), quote!(Float)),
        FieldKind::Decimal => (quote!(Decimal), quote!(Decimal)),
        FieldKind::String => (quote!(String), quote!(String)),
        FieldKind::Boolean => (quote!(bool), quote!(Boolean)),
        FieldKind::DateTime => (quote!(DateTime), quote!(DateTime)),
        FieldKind::Json => (quote!(Json), quote!(Json)),
        FieldKind::Bytes => (quote!(Vec<u8>), quote!(Bytes)),
        FieldKind::Enum(e) => {
            let en = ident(&e.name);
            let db = lit(&e.db_name);
            (quote!(#en), quote!(Enum(#db)))
        }
    }
}

/// What the generated client leaves undone for `schema` that Prisma's client does, as warnings
/// at the datasource, for the builds and commands that generate it to print.
///
/// One today: under `relationMode = "prisma"` the database has no foreign keys and Prisma's
/// client emulates the referential actions (on delete: `Restrict` by default for a required
/// relation, `SetNull` for an optional one; on update: `Cascade`), where ours sends the
/// statement alone. Checked with Prisma 7.10's client on SQLite: a delete refused by
/// `Restrict` fails with P2014 inside the delete's transaction, `SetNull` and `Cascade` are
/// statements of their own before it commits, a changed id is carried to the records that refer
/// to it, and the rows of an implicit many-to-many table stay. Said at every build rather than
/// refused, so that an existing Prisma project still builds.
pub fn client_warnings(schema: &Schema) -> Vec<Diagnostic> {
    let Some(ds) = &schema.datasource else {
        return Vec::new();
    };
    // MongoDB is always in this mode, and has no foreign keys to fall back on. An implicit
    // many-to-many relation has no action to emulate: Prisma's client leaves its rows too.
    if ds.relation_mode != RelationMode::Prisma
        || ds.provider == Provider::Mongodb
        || schema.relations.iter().all(|r| r.join_table.is_some())
    {
        return Vec::new();
    }
    let mut d = Diagnostic::warning(
        "relationMode = \"prisma\": the generated client does not emulate referential actions. \
         With no foreign keys, deleting a record or changing a key that others refer to leaves \
         them as they are (no Cascade, Restrict, NoAction or SetNull, the defaults included), \
         where Prisma's client applies them.",
        ds.span,
    );
    d.hint = Some(
        "delete or update the related records first (in a transaction), or drop `relationMode` \
         so that the database's foreign keys apply the actions"
            .into(),
    );
    vec![d]
}

/// Generates the client source for `schema`, formatted with prettyplease: a printer of its
/// client model ([`sovereign_schema::client`]), which decides what each model carries.
///
/// # Panics
/// Only if the printed tokens were not Rust syntax, which would be a bug of this printer.
pub fn generate(schema: &Schema, options: &ClientOptions) -> String {
    let models = client_models(schema, |m| !options.exclude.contains(&m.name));
    let mut items = Vec::new();
    for e in schema
        .enums
        .iter()
        .filter(|e| !options.exclude.contains(&e.name))
    {
        let name = ident(&e.name);
        let db = lit(&e.db_name);
        let rust: Vec<String> = e.values.iter().map(|v| pascal_case(&v.name)).collect();
        let distinct = rust.iter().collect::<BTreeSet<_>>().len() == rust.len();
        let variants = e.values.iter().zip(&rust).map(|(v, r)| {
            let vi = if distinct { ident(r) } else { ident(&v.name) };
            let schema_name = lit(&v.name);
            let vdb = lit(&v.db_name);
            let doc = docs(v.docs.as_deref());
            quote!(#doc #vi = #schema_name => #vdb)
        });
        let allow = (!distinct).then(|| quote!(#[allow(non_camel_case_types)]));
        let doc = docs(e.docs.as_deref());
        items.push(quote! {
            ::sovereign::__enum!(#doc #allow #name, #db, { #(#variants),* });
        });
    }
    for m in &models {
        items.push(model(&models, m, options));
    }
    let client = ident(&options.client_name);
    let accessors = models.iter().map(|m| {
        let acc = ident(&snake_case(&m.model.name));
        quote!(#acc: #acc::Actions)
    });
    let (url, env) = match schema.datasource.as_ref().map(|d| &d.url) {
        Some(Url::Env(v)) => (lit(""), {
            let v = lit(v);
            quote!(Some(#v))
        }),
        Some(Url::Literal(u)) => (lit(u), quote!(None)),
        None => (lit(""), quote!(Some("DATABASE_URL"))),
    };
    let provider = lit(schema.provider().as_str());
    let schema_text = match &options.schema_path {
        Some(p) => {
            let p = lit(p);
            quote!(include_str!(#p))
        }
        None => quote!(""),
    };
    let migrations = options.migrations.iter().map(|(name, path)| {
        let name = lit(name);
        let path = lit(path);
        quote!((#name, include_str!(#path)))
    });
    items.push(quote! {
        /// The datasource: where the URL comes from, the schema and its migrations. Relative
        /// SQLite paths resolve at run time (see `sovereign::Datasource::base_dir`).
        #[allow(dead_code)]
        pub static DATASOURCE: ::sovereign::Datasource = ::sovereign::Datasource {
            provider: #provider,
            env: #env,
            url: #url,
            schema: #schema_text,
            migrations: &[#(#migrations),*],
            base: ::std::sync::OnceLock::new(),
        };
        ::sovereign::__client!(#client, DATASOURCE, { #(#accessors),* });
    });
    if let Some(plugins) = &options.composed_plugins {
        let names = plugins.iter().map(|p| lit(p));
        items.push(quote! {
            /// The shared plugins composed into this schema, in composition order.
            #[allow(dead_code)]
            pub const COMPOSED_PLUGINS: &[&str] = &[#(#names),*];
        });
    }
    // Prisma's scalar types by their schema names (no model or enum may take them).
    let scalars = quote! {
        #[allow(unused_imports)]
        use ::sovereign::{DateTime, Decimal, Json};
    };
    let file: syn::File = syn::parse2(quote!(#scalars #(#items)*))
        .expect("the generated client is valid Rust syntax");
    format!(
        "// @generated by sovereign-build from {}: do not edit.\n\n{}",
        options.source,
        prettyplease::unparse(&file)
    )
}

fn model(models: &[ClientModel<'_>], cm: &ClientModel<'_>, options: &ClientOptions) -> TokenStream {
    let m = cm.model;
    let module = ident(&snake_case(&m.name));
    let read_only = options.read_only.contains(&m.name);
    let fields: Vec<FieldInfo> = cm
        .fields
        .iter()
        .map(|cf| {
            let (rust, _) = rust_type(cf.kind);
            let rust = if cf.field.arity == Arity::List {
                quote!(Vec<#rust>)
            } else {
                rust
            };
            FieldInfo {
                field: cf.field,
                fkind: cf.kind,
                rust,
            }
        })
        .collect();
    let index = |name: &str| cm.index(name);
    // Field numbers are written by name (`email::INDEX`, from the field's module), so that the
    // table description reads without counting.
    let here = quote!();
    let named = |i: usize| field_index(&here, &fields[i].field.name);

    // The table description.
    let auto_increment = cm.auto_increment;
    let pk = &cm.primary_key;
    let field_metas = cm.fields.iter().map(|cf| {
        let f = cf.field;
        let name = lit(&f.name);
        let column = lit(&f.db_name);
        let (_, kind) = rust_type(cf.kind);
        let mut chain = quote!(__F::new(#name, #column, __K::#kind));
        if f.arity == Arity::Optional {
            chain = quote!(#chain.optional());
        }
        if f.arity == Arity::List {
            chain = quote!(#chain.list());
        }
        if f.updated_at {
            chain = quote!(#chain.updated_at());
        }
        if let Some(g) = cf.default.generated {
            let g = match g {
                Generated::Now => quote!(Now),
                Generated::Uuid(v) => quote!(Uuid(#v)),
                Generated::Cuid(v) => quote!(Cuid(#v)),
                Generated::Nanoid(n) => quote!(Nanoid(#n)),
                Generated::Ulid => quote!(Ulid),
            };
            chain = quote!(#chain.generated(__G::#g));
        }
        if cf.default.database {
            chain = quote!(#chain.db_default());
        }
        chain
    });
    let field_metas: Vec<TokenStream> = field_metas.collect();
    let uniques = cm.uniques.iter().map(|u| {
        let idx = u.fields.iter().copied().map(named);
        let name = lit(u.name);
        quote!(__U::new(#name, &[#(#idx),*]))
    });
    let rel_metas = cm.relations.iter().map(|r| {
        let rf = r.field;
        let target = ident(&snake_case(&rf.target));
        let target_model = &models[r.target];
        // The model's own fields and table description are reached without a path.
        let self_relation = rf.target == m.name;
        let there = if self_relation {
            quote!()
        } else {
            quote!(super::#target::)
        };
        let target_meta = if self_relation {
            quote!(&META)
        } else {
            quote!(&super::#target::META)
        };
        let tnamed = |i: usize| field_index(&there, &target_model.fields[i].field.name);
        let name = lit(&rf.name);
        let many = r.many;
        match &r.link {
            Link::Join {
                table,
                own_column,
                other_column,
                own_key,
                other_key,
            } => {
                let table = lit(table);
                let (own_key, other_key) = (named(*own_key), tnamed(*other_key));
                quote!(__R::join(#name, #target_meta, #table, #own_column, #other_column, #own_key, #other_key))
            }
            Link::Owner { fields, references } => {
                let f = fields.iter().copied().map(named);
                let r = references.iter().copied().map(tnamed);
                quote!(__R::owner(#name, #target_meta, &[#(#f),*], &[#(#r),*]))
            }
            Link::Inverse { fields, references } => {
                let f = fields.iter().copied().map(tnamed);
                let r = references.iter().copied().map(named);
                quote!(__R::inverse(#name, #target_meta, #many, &[#(#f),*], &[#(#r),*]))
            }
        }
    });
    let rel_metas: Vec<TokenStream> = rel_metas.collect();
    let model_name = lit(&m.name);
    let table = lit(&m.db_name);
    let pk_named = pk.iter().copied().map(named);

    // The data struct.
    let struct_fields = fields.iter().map(|fi| {
        let name = ident(&snake_case(&fi.field.name));
        let ty = &fi.rust;
        let rename = serde_rename(&fi.field.name);
        let doc = docs(fi.field.docs.as_deref());
        if fi.field.arity == Arity::Optional {
            quote!(#doc #rename pub #name: Option<#ty>)
        } else {
            quote!(#doc #rename pub #name: #ty)
        }
    });
    let relations: Vec<_> = cm.relations.iter().map(|r| r.field).collect();
    let rel_struct_fields = relations.iter().map(|rf| {
        let name = ident(&snake_case(&rf.name));
        let target = ident(&snake_case(&rf.target));
        let rename = serde_rename(&rf.name);
        let ty = match rf.arity {
            Arity::List => quote!(Option<Vec<super::#target::Data>>),
            Arity::Optional => quote!(Option<Option<Box<super::#target::Data>>>),
            Arity::Required => quote!(Option<Box<super::#target::Data>>),
        };
        let doc = docs(rf.docs.as_deref());
        quote!(#doc #rename #[serde(default, skip_serializing_if = "Option::is_none")] pub #name: #ty)
    });
    let model_fields = fields.iter().enumerate().map(|(i, fi)| {
        let name = ident(&snake_case(&fi.field.name));
        let i = usize_lit(i);
        quote!(#i #name)
    });
    let model_rels = relations.iter().map(|rf| ident(&snake_case(&rf.name)));
    // Field modules.
    let unique_single: BTreeSet<&str> = m
        .primary_key
        .iter()
        .map(|p| &p.fields)
        .chain(m.uniques.iter().map(|u| &u.fields))
        .filter(|fs| fs.len() == 1)
        .map(|fs| fs[0].name.as_str())
        .collect();
    let field_mods = fields.iter().enumerate().map(|(i, fi)| {
        let f = fi.field;
        if f.arity == Arity::List {
            let name = ident(&snake_case(&f.name));
            let elem = rust_type(fi.fkind).0;
            let i = usize_lit(i);
            return quote! {
                pub mod #name { ::sovereign::__list_field!(Data, #i, #elem); }
            };
        }
        let name = ident(&snake_case(&f.name));
        let ty = &fi.rust;
        let arg = if f.arity == Arity::Optional {
            quote!(Option<#ty>)
        } else {
            quote!(#ty)
        };
        let mut caps = vec![if unique_single.contains(f.name.as_str()) {
            quote!(unique)
        } else {
            quote!(eq)
        }];
        match fi.fkind {
            FieldKind::Int | FieldKind::BigInt | FieldKind::Float | FieldKind::Decimal => {
                caps.push(quote!(cmp));
                caps.push(quote!(num));
            }
            FieldKind::String => {
                caps.push(quote!(cmp));
                caps.push(quote!(str));
            }
            FieldKind::DateTime => caps.push(quote!(cmp)),
            FieldKind::Json => caps.push(quote!(json)),
            _ => {}
        }
        if f.arity == Arity::Optional {
            caps.push(quote!(null));
        }
        let i = usize_lit(i);
        quote! {
            pub mod #name { ::sovereign::__field!(Data, #i, #ty, #arg; #(#caps)*); }
        }
    });
    let rel_mods = cm.relations.iter().enumerate().map(|(i, r)| {
        let rf = r.field;
        let name = ident(&snake_case(&rf.name));
        let target = ident(&snake_case(&rf.target));
        let target_model = &models[r.target];
        let arity = match (&r.link, rf.arity) {
            (Link::Join { .. }, _) => quote!(join),
            (_, Arity::List) => quote!(many),
            (Link::Owner { .. }, Arity::Required) => quote!(one),
            (Link::Owner { .. }, Arity::Optional) => quote!(optional),
            // The related model holds the foreign key: can it be unlinked?
            (Link::Inverse { fields, .. }, _)
                if fields
                    .iter()
                    .all(|&f| target_model.fields[f].field.arity == Arity::Optional) =>
            {
                quote!(back_optional)
            }
            _ => quote!(back),
        };
        // A nested create takes the related model's create arguments, but the relation back
        // here (the nested write links it).
        let args = create_args(target_model)
            .into_iter()
            .filter(|a| Some(a.name) != r.back)
            .map(|a| a.ident);
        let i = usize_lit(i);
        quote! {
            pub mod #name { ::sovereign::__relation!(#arity Data, #i, #target, #name; #(#args)*); }
        }
    });
    // Compound uniques (and a compound id): `user::name_email(a, b)`.
    let compound = m
        .primary_key
        .iter()
        .filter(|p| p.fields.len() > 1)
        .map(|p| (p.name.clone(), &p.fields))
        .chain(
            m.uniques
                .iter()
                .filter(|u| u.fields.len() > 1)
                .map(|u| (u.name.clone(), &u.fields)),
        )
        .filter_map(|(name, fs)| {
            let fn_name = name.unwrap_or_else(|| {
                fs.iter()
                    .map(|f| f.name.as_str())
                    .collect::<Vec<_>>()
                    .join("_")
            });
            let fn_name = ident(&snake_case(&fn_name));
            let mut args = Vec::new();
            let mut values = Vec::new();
            for f in fs.iter() {
                let i = index(&f.name)?;
                let a = ident(&snake_case(&f.name));
                let ty = &fields[i].rust;
                let i = named(i);
                args.push(quote!(#a: impl Into<#ty>));
                values.push(quote!((#i, ::sovereign::SqlValue::from(#a.into()))));
            }
            Some(quote! {
                pub fn #fn_name<W: From<UniqueWhereParam>>(#(#args),*) -> W {
                    W::from(::sovereign::Unique::fields(vec![#(#values),*]))
                }
            })
        });
    let compound: Vec<TokenStream> = compound.collect();

    let actions = if read_only {
        quote! {
            /// Read-only access: this model belongs to the platform.
            pub type Actions = ::sovereign::ReadActions<Data>;
        }
    } else {
        writable_actions(cm, &fields)
    };
    let docs = docs(m.docs.as_deref());
    quote! {
        #docs
        #[allow(dead_code)]
        pub mod #module {
            #[allow(unused_imports)]
            use super::*;
            #[allow(unused_imports)]
            use ::sovereign::meta::{FieldMeta as __F, Generated as __G, Kind as __K, RelationMeta as __R, UniqueMeta as __U};
            pub static META: ::sovereign::meta::ModelMeta = ::sovereign::meta::ModelMeta {
                name: #model_name,
                table: #table,
                fields: &[#(#field_metas),*],
                primary_key: &[#(#pk_named),*],
                uniques: &[#(#uniques),*],
                relations: &[#(#rel_metas),*],
                auto_increment: #auto_increment,
            };
            #[derive(Debug, Clone, PartialEq)]
            #[derive(::sovereign::serde::Serialize, ::sovereign::serde::Deserialize)]
            #[serde(crate = "::sovereign::serde", rename_all = "camelCase")]
            pub struct Data { #(#struct_fields,)* #(#rel_struct_fields,)* }
            ::sovereign::__model!(Data, META, [#(#model_fields),*], [#(#model_rels),*]);
            pub type WhereParam = ::sovereign::Where<Data>;
            pub type UniqueWhereParam = ::sovereign::Unique<Data>;
            pub type SetParam = ::sovereign::Set<Data>;
            pub type OrderByParam = ::sovereign::OrderBy<Data>;
            #(#field_mods)*
            #(#rel_mods)*
            #(#compound)*
            #actions
        }
    }
}

/// A required argument of `create`: a required field without a default, or a required
/// relation whose foreign key has none (given as a connect), in schema order.
struct CreateArg<'s> {
    /// Where it is in the schema (for the order).
    start: usize,
    /// The schema name.
    name: &'s str,
    ident: Ident,
    /// The field's number, or `None` for a relation.
    field: Option<usize>,
}

/// The required arguments of `cm`'s `create`, in schema order: its required fields without a
/// default, but foreign keys, which a required relation gives as a connect.
fn create_args<'s>(cm: &ClientModel<'s>) -> Vec<CreateArg<'s>> {
    let fk_fields = cm.foreign_keys();
    let mut args = Vec::new();
    for (i, cf) in cm.fields.iter().enumerate() {
        if needs_value(cf.field) && !fk_fields.contains(&i) {
            args.push(CreateArg {
                start: cf.field.span.start,
                name: &cf.field.name,
                ident: ident(&snake_case(&cf.field.name)),
                field: Some(i),
            });
        }
    }
    for r in &cm.relations {
        let Link::Owner { fields: fks, .. } = &r.link else {
            continue;
        };
        let required_fk = fks.iter().any(|&i| needs_value(cm.fields[i].field));
        if r.field.arity == Arity::Required && required_fk {
            args.push(CreateArg {
                start: r.field.span.start,
                name: &r.field.name,
                ident: ident(&snake_case(&r.field.name)),
                field: None,
            });
        }
    }
    args.sort_by_key(|a| a.start);
    args
}

/// A field a create must be given a value for.
fn needs_value(f: &ScalarField) -> bool {
    f.arity == Arity::Required && f.default.is_none() && !f.updated_at
}

/// The writable accessor: `create` takes the required fields, the rest are setters.
fn writable_actions(cm: &ClientModel<'_>, fields: &[FieldInfo]) -> TokenStream {
    let checked = create_args(cm).into_iter().map(|a| {
        let n = a.ident;
        match a.field {
            Some(i) => {
                let ty = &fields[i].rust;
                quote!(#n: #ty = #n::set)
            }
            None => {
                let target = cm
                    .relations
                    .iter()
                    .find(|r| r.field.name == a.name)
                    .map(|r| ident(&snake_case(&r.field.target)));
                quote!(#n: super::#target::UniqueWhereParam = #n::connect)
            }
        }
    });
    // Foreign keys as values: every required field without a default.
    let mut unchecked: Vec<(usize, TokenStream)> = Vec::new();
    for fi in fields {
        let f = fi.field;
        if needs_value(f) {
            let name = ident(&snake_case(&f.name));
            let ty = &fi.rust;
            unchecked.push((f.span.start, quote!(#name: #ty = #name::set)));
        }
    }
    unchecked.sort_by_key(|e| e.0);
    let u_args = unchecked.into_iter().map(|(_, t)| t);
    quote! {
        impl ::sovereign::Writable for Data {}
        ::sovereign::__actions!(Data; create(#(#checked),*); unchecked(#(#u_args),*));
    }
}

#[cfg(test)]
mod tests {
    use super::snake_case;

    #[test]
    fn snake() {
        assert_eq!(snake_case("authorId"), "author_id");
        assert_eq!(snake_case("BlogPost"), "blog_post");
        assert_eq!(snake_case("User"), "user");
        assert_eq!(snake_case("HTTPServer"), "http_server");
        assert_eq!(snake_case("userID"), "user_id");
        assert_eq!(snake_case("blog_post"), "blog_post");
    }

    #[test]
    fn pascal() {
        use super::pascal_case;
        assert_eq!(pascal_case("IN_PROGRESS"), "InProgress");
        assert_eq!(pascal_case("ADMIN"), "Admin");
        assert_eq!(pascal_case("member"), "Member");
        assert_eq!(pascal_case("inReview"), "InReview");
        assert_eq!(pascal_case("A1"), "A1");
        assert_eq!(pascal_case("1st"), "V1st");
    }
}
