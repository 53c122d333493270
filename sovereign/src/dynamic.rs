//! Records whose types are not known at compile time: models read from a schema at run time,
//! values as JSON. The studio browses and edits databases with it.
//!
//! It shares the typed client's SQL building, value binding (Prisma's storage choices per
//! backend), client-side defaults and error mapping; only the decoding differs: a column becomes
//! a [`serde_json::Value`] by the field's type instead of a generated struct's field.
//!
//! A [`Catalog`] is built once per schema and process: it turns the schema's names into the
//! `'static` metadata the runtime reads, so its memory lives until the process ends.
//!
//! JSON forms of values, both ways: `Int` and `Float` are numbers; `BigInt` and `Decimal` are
//! strings (exact, where a JavaScript number is not); `DateTime` is an RFC 3339 string;
//! `Bytes` is base64; an enum is the Prisma name of its value; `Json` is itself; a scalar list
//! (PostgreSQL) is an array of its element's form.

use chrono::{DateTime, FixedOffset, SecondsFormat};
use rust_decimal::Decimal;
use sea_query::{Expr, Func, Query, Value};
use serde::Serialize;
use serde_json::{Map, Value as Json};
use sovereign_schema::ast::Arity;
use sovereign_schema::model::{DefaultKind, Literal};
use sovereign_schema::Schema;

use crate::alias::ALIAS;
use crate::db::{Conn, Dialect};
use crate::error::{Error, ErrorKind, Result};
use crate::filter::{Direction, Filter, Op, RelOp};
use crate::meta::{FieldMeta, Generated, Kind, ModelMeta, RelationMeta, UniqueMeta};
use crate::sql::{self, Cond};
use crate::value::Reader;

/// The models of a schema, ready for untyped reads and writes.
#[derive(Debug)]
pub struct Catalog {
    models: Vec<DynModel>,
}

/// One model of a [`Catalog`]: its runtime metadata and what a user interface shows of it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DynModel {
    /// The model's Prisma name: how [`Catalog::model`] finds it.
    pub name: String,
    /// Its table in the database (`@@map`).
    pub table: String,
    /// Scalar fields, in schema order (the order of [`ModelMeta::fields`]).
    pub fields: Vec<DynField>,
    /// Its relation fields (ignored ones, and those leading to ignored models, left out).
    pub relations: Vec<DynRelation>,
    /// The fields of the primary key (empty for a model without one, which cannot be edited).
    pub primary_key: Vec<String>,
    /// Every way to pick out one record, by its fields: the primary key first, then each unique
    /// constraint.
    pub uniques: Vec<Vec<String>>,
    /// The model's `///` comment in the schema, for a user interface to show.
    pub docs: Option<String>,
    #[serde(skip)]
    meta: &'static ModelMeta,
    #[serde(skip)]
    enums: Vec<Option<EnumValues>>,
}

/// A scalar field as a user interface shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DynField {
    /// The field's Prisma name: its key in a [`Record`].
    pub name: String,
    /// Its column in the database (`@map`).
    pub column: String,
    /// The Prisma type: `Int`, `String`, `DateTime`, an enum's name, ...
    #[serde(rename = "type")]
    pub ty: String,
    /// The native type attribute, as written (`@db.VarChar(255)`).
    pub native: Option<String>,
    /// The kind of value: `int`, `bigint`, `float`, `decimal`, `string`, `boolean`,
    /// `datetime`, `json`, `bytes` or `enum`.
    pub kind: &'static str,
    /// `Type?`: it may be `null`.
    pub optional: bool,
    /// `Type[]`: a scalar list (PostgreSQL arrays), a JSON array of the element's form.
    pub list: bool,
    /// Part of the primary key.
    pub id: bool,
    /// Alone a unique constraint.
    pub unique: bool,
    /// Part of a foreign key.
    pub foreign_key: bool,
    /// The `@default(...)`, as written.
    pub default: Option<String>,
    /// `@updatedAt`: the runtime sets it on every write, so a form need not offer it.
    pub updated_at: bool,
    /// A create may leave it out: optional, a list, defaulted or `@updatedAt`.
    pub can_omit: bool,
    /// The Prisma names of an enum's values.
    pub values: Vec<String>,
    /// The field's `///` comment in the schema, for a user interface to show.
    pub docs: Option<String>,
}

/// A relation field as a user interface shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DynRelation {
    /// The relation field's name.
    pub name: String,
    /// The Prisma name of the model it leads to.
    pub target: String,
    /// `Target[]`: it leads to any number of records.
    pub many: bool,
    /// `Target?`: it may lead to no record.
    pub optional: bool,
    /// The foreign key fields of this model, when it holds them.
    pub fields: Vec<String>,
    /// The target's fields they reference.
    pub references: Vec<String>,
    /// The relation field on the target that points back here.
    pub back: Option<String>,
}

/// An enum's values: Prisma names and database names.
#[derive(Debug, Clone)]
struct EnumValues {
    prisma: Vec<String>,
    db: Vec<&'static str>,
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

fn leak_slice<T>(v: Vec<T>) -> &'static [T] {
    Box::leak(v.into_boxed_slice())
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Int => "int",
        Kind::BigInt => "bigint",
        Kind::Float => "float",
        Kind::Decimal => "decimal",
        Kind::String => "string",
        Kind::Boolean => "boolean",
        Kind::DateTime => "datetime",
        Kind::Json => "json",
        Kind::Bytes => "bytes",
        Kind::Enum(_) => "enum",
    }
}

fn literal(l: &Literal) -> String {
    match l {
        Literal::String(s) => format!("{s:?}"),
        Literal::Int(i) => i.to_string(),
        Literal::Float(f) => f.to_string(),
        Literal::Number(n) => n.clone(),
        Literal::Boolean(b) => b.to_string(),
        Literal::Enum(e) => e.clone(),
    }
}

fn default_text(k: &DefaultKind) -> String {
    match k {
        DefaultKind::Autoincrement => "autoincrement()".into(),
        DefaultKind::Now => "now()".into(),
        DefaultKind::DbGenerated(Some(s)) => format!("dbgenerated({s:?})"),
        DefaultKind::DbGenerated(None) => "dbgenerated()".into(),
        DefaultKind::Sequence => "sequence()".into(),
        DefaultKind::Auto => "auto()".into(),
        DefaultKind::Uuid(4) => "uuid()".into(),
        DefaultKind::Uuid(v) => format!("uuid({v})"),
        DefaultKind::Cuid(1) => "cuid()".into(),
        DefaultKind::Cuid(v) => format!("cuid({v})"),
        DefaultKind::Nanoid(None) => "nanoid()".into(),
        DefaultKind::Nanoid(Some(n)) => format!("nanoid({n})"),
        DefaultKind::Ulid => "ulid()".into(),
        DefaultKind::Value(l) => literal(l),
        DefaultKind::List(items) => format!(
            "[{}]",
            items.iter().map(literal).collect::<Vec<_>>().join(", ")
        ),
    }
}

impl Catalog {
    /// The catalog of every model of `schema` (ignored models and fields, composite types and
    /// `Unsupported` columns left out): a conversion of its client model
    /// ([`sovereign_schema::client`]), the same description the generated client prints, into
    /// the runtime's `'static` metadata (leaked, once per catalog: see the SQL caches' invariant
    /// in the crate's `cache` module).
    pub fn new(schema: &Schema) -> Catalog {
        use sovereign_schema::client::{client_models, FieldKind, Generated as G, Link};
        let models = client_models(schema, |_| true);
        let field_meta = |cf: &sovereign_schema::client::ClientField<'_>| {
            let f = cf.field;
            let kind = match cf.kind {
                FieldKind::Int => Kind::Int,
                FieldKind::BigInt => Kind::BigInt,
                FieldKind::Float => Kind::Float,
                FieldKind::Decimal => Kind::Decimal,
                FieldKind::String => Kind::String,
                FieldKind::Boolean => Kind::Boolean,
                FieldKind::DateTime => Kind::DateTime,
                FieldKind::Json => Kind::Json,
                FieldKind::Bytes => Kind::Bytes,
                FieldKind::Enum(e) => Kind::Enum(leak(&e.db_name)),
            };
            let mut fm = FieldMeta::new(leak(&f.name), leak(&f.db_name), kind);
            if f.arity == Arity::Optional {
                fm = fm.optional();
            }
            if f.arity == Arity::List {
                fm = fm.list();
            }
            if f.updated_at {
                fm = fm.updated_at();
            }
            if let Some(g) = cf.default.generated {
                fm = fm.generated(match g {
                    G::Now => Generated::Now,
                    G::Uuid(v) => Generated::Uuid(v),
                    G::Cuid(v) => Generated::Cuid(v),
                    G::Nanoid(n) => Generated::Nanoid(n),
                    G::Ulid => Generated::Ulid,
                });
            }
            if cf.default.database {
                fm = fm.db_default();
            }
            fm
        };
        // Scalar metadata first; relations point at these flat copies (no relations of their
        // own), which is all a relation filter reads of its target.
        let flat: Vec<&'static ModelMeta> = models
            .iter()
            .map(|cm| {
                let uniques: Vec<UniqueMeta> = cm
                    .uniques
                    .iter()
                    .map(|u| UniqueMeta::new(leak(u.name), leak_slice(u.fields.clone())))
                    .collect();
                &*Box::leak(Box::new(ModelMeta {
                    name: leak(&cm.model.name),
                    table: leak(&cm.model.db_name),
                    fields: leak_slice(cm.fields.iter().map(field_meta).collect()),
                    primary_key: leak_slice(cm.primary_key.clone()),
                    uniques: leak_slice(uniques),
                    relations: &[],
                    auto_increment: cm.auto_increment,
                }))
            })
            .collect();
        let mut out = Vec::with_capacity(models.len());
        for (mi, cm) in models.iter().enumerate() {
            let m = cm.model;
            let name_of = |model: usize, i: usize| models[model].fields[i].field.name.clone();
            let mut rel_metas = Vec::new();
            let mut relations = Vec::new();
            for r in &cm.relations {
                let target = flat[r.target];
                let (meta, fields, references) = match &r.link {
                    Link::Join {
                        table,
                        own_column,
                        other_column,
                        own_key,
                        other_key,
                    } => (
                        RelationMeta::join(
                            leak(&r.field.name),
                            target,
                            leak(table),
                            own_column,
                            other_column,
                            *own_key,
                            *other_key,
                        ),
                        Vec::new(),
                        Vec::new(),
                    ),
                    Link::Owner { fields, references } => (
                        RelationMeta::owner(
                            leak(&r.field.name),
                            target,
                            leak_slice(fields.clone()),
                            leak_slice(references.clone()),
                        ),
                        fields.iter().map(|&i| name_of(mi, i)).collect(),
                        references.iter().map(|&i| name_of(r.target, i)).collect(),
                    ),
                    Link::Inverse { fields, references } => (
                        RelationMeta::inverse(
                            leak(&r.field.name),
                            target,
                            r.many,
                            leak_slice(fields.clone()),
                            leak_slice(references.clone()),
                        ),
                        Vec::new(),
                        Vec::new(),
                    ),
                };
                rel_metas.push(meta);
                relations.push(DynRelation {
                    name: r.field.name.clone(),
                    target: r.field.target.clone(),
                    many: r.many,
                    optional: r.field.arity == Arity::Optional,
                    fields,
                    references,
                    back: r.back.map(str::to_string),
                });
            }
            let meta: &'static ModelMeta = Box::leak(Box::new(ModelMeta {
                relations: leak_slice(rel_metas),
                ..*flat[mi]
            }));
            let fk_fields = cm.foreign_keys();
            // Unique constraints besides the primary key, alone on one field.
            let single_unique: Vec<usize> = m
                .uniques
                .iter()
                .filter(|u| u.fields.len() == 1)
                .filter_map(|u| cm.index(&u.fields[0].name))
                .collect();
            let enums: Vec<Option<EnumValues>> = cm
                .fields
                .iter()
                .map(|cf| match cf.kind {
                    FieldKind::Enum(en) => Some(EnumValues {
                        prisma: en.values.iter().map(|v| v.name.clone()).collect(),
                        db: en.values.iter().map(|v| leak(&v.db_name)).collect(),
                    }),
                    _ => None,
                })
                .collect();
            let fields = cm
                .fields
                .iter()
                .enumerate()
                .map(|(i, cf)| {
                    let f = cf.field;
                    let fm = &meta.fields[i];
                    DynField {
                        name: f.name.clone(),
                        column: f.db_name.clone(),
                        ty: f.ty.name().to_string(),
                        native: f.native_type.as_ref().map(|n| {
                            if n.args.is_empty() {
                                format!("@db.{}", n.name)
                            } else {
                                format!("@db.{}({})", n.name, n.args.join(", "))
                            }
                        }),
                        kind: kind_name(fm.kind),
                        optional: fm.optional,
                        list: fm.list,
                        id: cm.primary_key.contains(&i),
                        unique: single_unique.contains(&i),
                        foreign_key: fk_fields.contains(&i),
                        default: f.default.as_ref().map(|d| default_text(&d.kind)),
                        updated_at: fm.updated_at,
                        can_omit: fm.optional
                            || fm.list
                            || f.default.is_some()
                            || fm.updated_at
                            || fm.generated.is_some(),
                        values: enums[i]
                            .as_ref()
                            .map(|e| e.prisma.clone())
                            .unwrap_or_default(),
                        docs: f.docs.clone(),
                    }
                })
                .collect();
            let names = |idx: &[usize]| idx.iter().map(|&i| name_of(mi, i)).collect();
            out.push(DynModel {
                name: m.name.clone(),
                table: m.db_name.clone(),
                fields,
                relations,
                primary_key: names(&cm.primary_key),
                uniques: cm.uniques.iter().map(|u| names(&u.fields)).collect(),
                docs: m.docs.clone(),
                meta,
                enums,
            });
        }
        Catalog { models: out }
    }

    /// Every model, in schema order.
    pub fn models(&self) -> &[DynModel] {
        &self.models
    }

    /// The model with this Prisma name, if the catalog has it.
    pub fn model(&self, name: &str) -> Option<&DynModel> {
        self.models.iter().find(|m| m.name == name)
    }
}

/// How to read a page of records.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// Conditions every record of the page meets (all of them).
    pub filters: Vec<Filter>,
    /// Field numbers and directions; the primary key is appended, so pages are stable.
    pub order: Vec<(usize, Direction)>,
    /// At most this many records (`None`: all the rest).
    pub take: Option<i64>,
    /// Records to pass over before the page starts.
    pub skip: Option<i64>,
    /// Read from the other end: every direction flipped (`skip` then counts from the last
    /// record), the page returned in the requested order. The last pages of a large table cost
    /// what the first ones do.
    pub reverse: bool,
}

/// A record: field name to JSON value.
pub type Record = Map<String, Json>;

fn invalid(field: &str, message: impl Into<String>) -> Error {
    Error::new(
        ErrorKind::InvalidValue {
            field: field.to_string(),
        },
        message,
    )
}

impl DynModel {
    /// The runtime metadata (table, columns, relations).
    pub fn meta(&self) -> &'static ModelMeta {
        self.meta
    }

    /// The number of scalar field `name`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] when the model has no such field; the message lists those it
    /// has.
    pub fn field_index(&self, name: &str) -> Result<usize> {
        self.fields
            .iter()
            .position(|f| f.name == name)
            .ok_or_else(|| {
                invalid(
                    name,
                    format!(
                        "{} has no field `{name}` (fields: {})",
                        self.name,
                        self.fields
                            .iter()
                            .map(|f| f.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })
    }

    /// A filter on one field: `op` is one of `equals`, `not`, `lt`, `lte`, `gt`, `gte`,
    /// `contains`, `starts_with`, `ends_with` (these three ignoring case when `insensitive`),
    /// `is_null`, `is_not_null`; `value` is in the field's JSON form (a string is parsed for
    /// numbers, booleans and date-times, as a form gives them).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] for an unknown field or operator, an operator that does not
    /// apply to the field (text operators on other types, comparisons on lists), or a value
    /// that does not fit the field.
    pub fn filter(&self, field: &str, op: &str, value: &Json, insensitive: bool) -> Result<Filter> {
        let i = self.field_index(field)?;
        let f = &self.fields[i];
        let text = || -> Result<String> {
            match value {
                Json::String(s) => Ok(s.clone()),
                Json::Null => Err(invalid(field, format!("`{op}` needs a value"))),
                other => Ok(other.to_string()),
            }
        };
        let op = match op {
            "is_null" => Op::IsNull,
            "is_not_null" => Op::IsNotNull,
            "contains" | "starts_with" | "ends_with" => {
                if f.list || !matches!(f.kind, "string") {
                    return Err(invalid(
                        field,
                        format!("`{op}` applies to String fields; {field} is {}", f.ty),
                    ));
                }
                let s = text()?;
                let o = match op {
                    "contains" => Op::Contains(s),
                    "starts_with" => Op::StartsWith(s),
                    _ => Op::EndsWith(s),
                };
                if insensitive {
                    Op::Insensitive(Box::new(o))
                } else {
                    o
                }
            }
            "equals" | "not" | "lt" | "lte" | "gt" | "gte" => {
                if f.list {
                    return Err(invalid(
                        field,
                        format!("`{op}` does not apply to the list field {field}"),
                    ));
                }
                let v = self.value(i, value)?;
                match op {
                    "equals" => Op::Equals(v),
                    "not" => Op::Not(v),
                    "lt" => Op::Lt(v),
                    "lte" => Op::Lte(v),
                    "gt" => Op::Gt(v),
                    _ => Op::Gte(v),
                }
            }
            other => {
                return Err(invalid(
                    field,
                    format!(
                        "unknown filter `{other}` (equals, not, lt, lte, gt, gte, contains, starts_with, ends_with, is_null, is_not_null)"
                    ),
                ))
            }
        };
        Ok(Filter::Field(i, op))
    }

    /// Records of this model linked through relation field `relation` to the target record
    /// whose key is `key`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] for an unknown relation or a key that does not fit the
    /// target; [`ErrorKind::Configuration`] when the target has no primary key.
    pub fn related_filter(
        &self,
        relation: &str,
        target: &DynModel,
        key: &Record,
    ) -> Result<Filter> {
        let r = self
            .relations
            .iter()
            .position(|r| r.name == relation)
            .ok_or_else(|| {
                invalid(
                    relation,
                    format!("{} has no relation `{relation}`", self.name),
                )
            })?;
        let op = if self.relations[r].many {
            RelOp::Some
        } else {
            RelOp::Is
        };
        Ok(Filter::Relation(r, op, vec![target.key_filter(key)?]))
    }

    /// The filter of the record whose primary key is `key` (field name to value).
    ///
    /// # Errors
    /// [`ErrorKind::Configuration`] when the model has no primary key (its records cannot be
    /// addressed one by one); [`ErrorKind::InvalidValue`] when `key` lacks a field of it or a
    /// value does not fit.
    pub fn key_filter(&self, key: &Record) -> Result<Filter> {
        if self.primary_key.is_empty() {
            return Err(Error::new(
                ErrorKind::Configuration,
                format!(
                    "{} has no primary key: its records cannot be addressed one by one",
                    self.name
                ),
            ));
        }
        let mut parts = Vec::new();
        for name in &self.primary_key {
            let v = key
                .get(name)
                .ok_or_else(|| invalid(name, format!("the key of {} needs `{name}`", self.name)))?;
            let i = self.field_index(name)?;
            parts.push(Filter::Field(i, Op::Equals(self.value(i, v)?)));
        }
        Ok(Filter::And(parts))
    }

    /// The primary key of a record.
    pub fn key_of(&self, record: &Record) -> Record {
        self.primary_key
            .iter()
            .filter_map(|k| record.get(k).map(|v| (k.clone(), v.clone())))
            .collect()
    }

    /// Converts the JSON form of a value of field `i` into a SQL value.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] when `v` is not a form of the field's type (see the module
    /// documentation for the forms).
    pub fn value(&self, i: usize, v: &Json) -> Result<Value> {
        let f = &self.meta.fields[i];
        if f.list {
            let items = match v {
                Json::Null => return Ok(crate::query::plan::null_of(self.meta, i)),
                Json::Array(items) => items,
                _ => {
                    return Err(invalid(
                        f.name,
                        format!("{} is a list: give a JSON array", f.name),
                    ))
                }
            };
            let values = items
                .iter()
                .map(|x| self.scalar(i, x))
                .collect::<Result<Vec<_>>>()?;
            let ty = array_type(f.kind);
            return Ok(Value::Array(ty, Some(Box::new(values))));
        }
        self.scalar(i, v)
    }

    fn scalar(&self, i: usize, v: &Json) -> Result<Value> {
        let f = &self.meta.fields[i];
        if v.is_null() {
            return Ok(crate::query::plan::null_of(self.meta, i));
        }
        let name = f.name;
        let wrong = |what: &str| {
            invalid(
                name,
                format!("{name} is {what}; `{}` is not", short(&v.to_string())),
            )
        };
        let text = v.as_str();
        Ok(match f.kind {
            Kind::Int => {
                let n = match v {
                    Json::Number(n) => n.as_i64(),
                    _ => text.and_then(|s| s.trim().parse::<i64>().ok()),
                };
                Value::Int(Some(
                    n.and_then(|n| i32::try_from(n).ok())
                        .ok_or_else(|| wrong("an Int (a whole number of 32 bits)"))?,
                ))
            }
            Kind::BigInt => {
                let n = match v {
                    Json::Number(n) => n.as_i64(),
                    _ => text.and_then(|s| s.trim().parse::<i64>().ok()),
                };
                Value::BigInt(Some(
                    n.ok_or_else(|| wrong("a BigInt (a whole number of 64 bits)"))?,
                ))
            }
            Kind::Float => {
                let n = match v {
                    Json::Number(n) => n.as_f64(),
                    _ => text.and_then(|s| s.trim().parse::<f64>().ok()),
                };
                Value::Double(Some(n.ok_or_else(|| wrong("a Float (a number)"))?))
            }
            Kind::Decimal => {
                let s = match v {
                    Json::Number(n) => n.to_string(),
                    _ => text.ok_or_else(|| wrong("a Decimal"))?.trim().to_string(),
                };
                Value::Decimal(Some(
                    s.parse::<Decimal>()
                        .or_else(|_| Decimal::from_scientific(&s))
                        .map_err(|_| wrong("a Decimal (a number)"))?,
                ))
            }
            Kind::String => Value::String(Some(text.ok_or_else(|| wrong("a String"))?.into())),
            Kind::Boolean => Value::Bool(Some(match v {
                Json::Bool(b) => *b,
                _ => match text.map(str::trim) {
                    Some("true") => true,
                    Some("false") => false,
                    _ => return Err(wrong("a Boolean (true or false)")),
                },
            })),
            Kind::DateTime => {
                let s = text.ok_or_else(|| wrong("a DateTime"))?.trim();
                Value::ChronoDateTimeWithTimeZone(Some(
                    parse_datetime(s).ok_or_else(|| {
                        wrong("a DateTime (RFC 3339, such as 2026-11-29T10:30:00Z)")
                    })?,
                ))
            }
            Kind::Json => Value::Json(Some(Box::new(v.clone()))),
            Kind::Bytes => Value::Bytes(Some(
                base64_decode(text.ok_or_else(|| wrong("Bytes, as base64"))?)
                    .ok_or_else(|| wrong("Bytes, as base64"))?,
            )),
            Kind::Enum(type_name) => {
                let s = text.ok_or_else(|| wrong("an enum value"))?;
                let values = self.enums[i].as_ref();
                let db = values.and_then(|e| {
                    e.prisma
                        .iter()
                        .position(|p| p == s)
                        .map(|k| e.db[k])
                        .or_else(|| e.db.iter().copied().find(|d| *d == s))
                });
                let Some(db) = db else {
                    let names = values.map(|e| e.prisma.join(", ")).unwrap_or_default();
                    return Err(invalid(
                        name,
                        format!("`{s}` is not a value of {name} (values: {names})"),
                    ));
                };
                Value::Enum(sea_query::OptionEnum::Some(Box::new(sea_query::Enum {
                    type_name: type_name.into(),
                    value: db.into(),
                })))
            }
        })
    }

    /// Decodes the row's columns (in field order) into a record.
    fn decode(&self, r: &mut Reader<'_>) -> Result<Record> {
        let mut out = Map::with_capacity(self.fields.len());
        for (i, f) in self.meta.fields.iter().enumerate() {
            let v = if f.list {
                decode_list(r, f.kind)?
            } else {
                decode_scalar(r, f.kind, self.enums[i].as_ref())?
            };
            out.insert(f.name.to_string(), v);
        }
        Ok(out)
    }

    /// How many records match.
    ///
    /// # Errors
    /// The database's errors, with the typed client's kinds ([`ErrorKind`]).
    pub async fn count(&self, conn: &Conn, filters: &[Filter]) -> Result<i64> {
        let backend = conn.backend();
        let mut q = Query::select();
        q.expr(Func::count(Expr::val(1)))
            .from_as(self.meta.table, ALIAS[0])
            .cond_where(Cond { backend }.all(self.meta, ALIAS[0], 1, filters));
        let n = conn
            .fetch_optional(sql::build(&q, backend), Some(self.meta), |r| {
                r.next::<i64>()
            })
            .await?;
        Ok(n.unwrap_or(0))
    }

    /// How many records match, counting no further than `cap`: the cost is that of reading
    /// `cap` rows, whatever the table's size.
    ///
    /// # Errors
    /// The database's errors, with the typed client's kinds ([`ErrorKind`]).
    pub async fn count_capped(&self, conn: &Conn, filters: &[Filter], cap: u64) -> Result<i64> {
        let backend = conn.backend();
        let mut sub = Query::select();
        sub.expr(Expr::val(1))
            .from_as(self.meta.table, ALIAS[0])
            .cond_where(Cond { backend }.all(self.meta, ALIAS[0], 1, filters))
            .limit(cap);
        let mut q = Query::select();
        q.expr(Func::count(Expr::val(1)))
            .from_subquery(sub, "capped");
        let n = conn
            .fetch_optional(sql::build(&q, backend), Some(self.meta), |r| {
                r.next::<i64>()
            })
            .await?;
        Ok(n.unwrap_or(0))
    }

    /// A page of records.
    ///
    /// # Errors
    /// The database's errors, with the typed client's kinds ([`ErrorKind`]).
    pub async fn find_many(&self, conn: &Conn, page: &Page) -> Result<Vec<Record>> {
        let backend = conn.backend();
        let mut q = sql::select_all(self.meta);
        q.cond_where(Cond { backend }.all(self.meta, ALIAS[0], 1, &page.filters));
        let mut order = page.order.clone();
        for &k in self.meta.primary_key {
            if !order.iter().any(|(f, _)| *f == k) {
                order.push((k, Direction::Asc));
            }
        }
        if page.reverse {
            for (_, d) in &mut order {
                *d = match d {
                    Direction::Asc => Direction::Desc,
                    Direction::Desc => Direction::Asc,
                };
            }
        }
        sql::order(&mut q, self.meta, ALIAS[0], &order);
        sql::limit(&mut q, page.take, page.skip);
        let mut rows = conn
            .fetch(sql::build(&q, backend), Some(self.meta), |r| self.decode(r))
            .await?;
        if page.reverse {
            rows.reverse();
        }
        Ok(rows)
    }

    /// The record with primary key `key`, if any.
    ///
    /// # Errors
    /// Those of [`DynModel::key_filter`]; the database's errors.
    pub async fn find_unique(&self, conn: &Conn, key: &Record) -> Result<Option<Record>> {
        let filter = self.key_filter(key)?;
        self.find_one(conn, &filter).await
    }

    async fn find_one(&self, conn: &Conn, filter: &Filter) -> Result<Option<Record>> {
        let backend = conn.backend();
        let mut q = sql::select_all(self.meta);
        q.cond_where(Cond { backend }.all(self.meta, ALIAS[0], 1, std::slice::from_ref(filter)));
        q.limit(1);
        conn.fetch_optional(sql::build(&q, backend), Some(self.meta), |r| self.decode(r))
            .await
    }

    /// Field values of a write, with the client's defaults (ids, `now()` on SQLite,
    /// `@updatedAt`) for fields not given.
    fn assignments(
        &self,
        backend: Dialect,
        values: &Record,
        create: bool,
    ) -> Result<Vec<(usize, Value)>> {
        let mut out = Vec::new();
        for (name, v) in values {
            let i = self.field_index(name)?;
            out.push((i, self.value(i, v)?));
        }
        let now = crate::query::plan::now(backend);
        for (i, f) in self.meta.fields.iter().enumerate() {
            if out.iter().any(|(g, _)| *g == i) {
                continue;
            }
            let v = crate::query::plan::client_default(f, create, &now);
            if let Some(v) = v {
                out.push((i, v));
            } else if create && !self.fields[i].can_omit {
                return Err(invalid(
                    f.name,
                    format!("{} is required: give it a value", f.name),
                ));
            }
        }
        Ok(out)
    }

    /// Creates a record from field values (JSON forms); returns it as stored.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] for an unknown field, a value that does not fit, or a required
    /// field left out; the database's errors ([`ErrorKind::UniqueViolation`], ...).
    pub async fn create(&self, conn: &Conn, values: &Record) -> Result<Record> {
        let backend = conn.backend();
        let sets = self.assignments(backend, values, true)?;
        let mut q = Query::insert();
        q.into_table(self.meta.table);
        if sets.is_empty() {
            q.or_default_values();
        } else {
            q.columns(sets.iter().map(|(f, _)| self.meta.fields[*f].column));
            q.values(sets.iter().map(|(_, v)| Expr::val(v.clone())))
                .map_err(|e| Error::new(ErrorKind::Configuration, e.to_string()))?;
        }
        if backend.returning() {
            q.returning(Query::returning().columns(self.meta.fields.iter().map(|f| f.column)));
            return conn
                .fetch_optional(sql::build(&q, backend), Some(self.meta), |r| self.decode(r))
                .await?
                .ok_or_else(|| Error::not_found(&self.name, "create"));
        }
        let done = conn
            .execute(sql::build(&q, backend), Some(self.meta))
            .await?;
        let mut key = Vec::new();
        for &pk in self.meta.primary_key {
            let v = match sets.iter().find(|(f, _)| *f == pk) {
                Some((_, v)) => v.clone(),
                None => match self.meta.fields[pk].kind {
                    Kind::Int => {
                        Value::Int(done.last_insert_id.and_then(|i| i32::try_from(i).ok()))
                    }
                    _ => Value::BigInt(done.last_insert_id),
                },
            };
            key.push(Filter::Field(pk, Op::Equals(v)));
        }
        self.find_one(conn, &Filter::And(key))
            .await?
            .ok_or_else(|| Error::not_found(&self.name, "create"))
    }

    /// Changes the fields given in `values` of the record with primary key `key`; returns it.
    ///
    /// # Errors
    /// [`ErrorKind::RecordNotFound`] when no record has that key; those of
    /// [`DynModel::key_filter`] and [`DynModel::value`]; the database's errors.
    pub async fn update(&self, conn: &Conn, key: &Record, values: &Record) -> Result<Record> {
        let backend = conn.backend();
        let filter = self.key_filter(key)?;
        let sets = self.assignments(backend, values, false)?;
        if sets.is_empty() {
            return self
                .find_one(conn, &filter)
                .await?
                .ok_or_else(|| Error::not_found(&self.name, "update"));
        }
        let mut q = Query::update();
        q.table(self.meta.table)
            .values(
                sets.iter()
                    .map(|(f, v)| (self.meta.fields[*f].column, Expr::val(v.clone()))),
            )
            .cond_where(Cond { backend }.all(
                self.meta,
                self.meta.table,
                1,
                std::slice::from_ref(&filter),
            ));
        if backend.returning() {
            q.returning(Query::returning().columns(self.meta.fields.iter().map(|f| f.column)));
            return conn
                .fetch_optional(sql::build(&q, backend), Some(self.meta), |r| self.decode(r))
                .await?
                .ok_or_else(|| Error::not_found(&self.name, "update"));
        }
        let done = conn
            .execute(sql::build(&q, backend), Some(self.meta))
            .await?;
        // MySQL counts changed rows only: look the record up by its (possibly new) key.
        let mut new_key = key.clone();
        for (name, v) in values {
            if new_key.contains_key(name) {
                new_key.insert(name.clone(), v.clone());
            }
        }
        let found = self.find_one(conn, &self.key_filter(&new_key)?).await?;
        match found {
            Some(r) => Ok(r),
            None if done.rows == 0 => Err(Error::not_found(&self.name, "update")),
            None => Err(Error::not_found(&self.name, "update")),
        }
    }

    /// Deletes the record with primary key `key`.
    ///
    /// # Errors
    /// [`ErrorKind::RecordNotFound`] when no record has that key; those of
    /// [`DynModel::key_filter`]; the database's errors ([`ErrorKind::ForeignKeyViolation`] when
    /// other records still refer to it).
    pub async fn delete(&self, conn: &Conn, key: &Record) -> Result<()> {
        let backend = conn.backend();
        let filter = self.key_filter(key)?;
        let mut q = Query::delete();
        q.from_table(self.meta.table)
            .cond_where(Cond { backend }.all(
                self.meta,
                self.meta.table,
                1,
                std::slice::from_ref(&filter),
            ));
        let done = conn
            .execute(sql::build(&q, backend), Some(self.meta))
            .await?;
        if done.rows == 0 {
            return Err(Error::not_found(&self.name, "delete"));
        }
        Ok(())
    }
}

fn short(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{}...", s.chars().take(40).collect::<String>())
    } else {
        s.to_string()
    }
}

fn array_type(k: Kind) -> sea_query::ArrayType {
    use sea_query::ArrayType as T;
    match k {
        Kind::Int => T::Int,
        Kind::BigInt => T::BigInt,
        Kind::Float => T::Double,
        Kind::Decimal => T::Decimal,
        Kind::Boolean => T::Bool,
        Kind::DateTime => T::ChronoDateTimeWithTimeZone,
        _ => T::String,
    }
}

/// RFC 3339, or a date-time without offset (UTC), or a date alone (midnight UTC).
fn parse_datetime(s: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d);
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(n) = chrono::NaiveDateTime::parse_from_str(s, f) {
            return Some(n.and_utc().fixed_offset());
        }
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|n| n.and_utc().fixed_offset())
}

fn datetime_json(d: DateTime<FixedOffset>) -> Json {
    Json::String(d.to_utc().to_rfc3339_opts(SecondsFormat::Millis, true))
}

fn decode_scalar(r: &mut Reader<'_>, kind: Kind, enums: Option<&EnumValues>) -> Result<Json> {
    Ok(match kind {
        Kind::Int => r.next::<Option<i32>>()?.map_or(Json::Null, Json::from),
        Kind::BigInt => r
            .next::<Option<i64>>()?
            .map_or(Json::Null, |n| Json::String(n.to_string())),
        Kind::Float => r.next::<Option<f64>>()?.map_or(Json::Null, |f| {
            serde_json::Number::from_f64(f)
                .map_or_else(|| Json::String(f.to_string()), Json::Number)
        }),
        Kind::Decimal => r
            .next::<Option<Decimal>>()?
            .map_or(Json::Null, |d| Json::String(d.normalize().to_string())),
        Kind::String => r.next::<Option<String>>()?.map_or(Json::Null, Json::String),
        Kind::Boolean => r.next::<Option<bool>>()?.map_or(Json::Null, Json::Bool),
        Kind::DateTime => r
            .next::<Option<DateTime<FixedOffset>>>()?
            .map_or(Json::Null, datetime_json),
        Kind::Json => r.next::<Option<Json>>()?.unwrap_or(Json::Null),
        Kind::Bytes => r
            .next::<Option<Vec<u8>>>()?
            .map_or(Json::Null, |b| Json::String(base64_encode(&b))),
        Kind::Enum(_) => r.next::<Option<String>>()?.map_or(Json::Null, |s| {
            let name = enums
                .and_then(|e| {
                    e.db.iter()
                        .position(|d| *d == s)
                        .map(|k| e.prisma[k].clone())
                })
                .unwrap_or(s);
            Json::String(name)
        }),
    })
}

fn decode_list(r: &mut Reader<'_>, kind: Kind) -> Result<Json> {
    fn arr<T>(v: Vec<T>, f: impl Fn(T) -> Json) -> Json {
        Json::Array(v.into_iter().map(f).collect())
    }
    Ok(match kind {
        Kind::Int => arr(r.next::<Vec<i32>>()?, Json::from),
        Kind::BigInt => arr(r.next::<Vec<i64>>()?, |n| Json::String(n.to_string())),
        Kind::Float => arr(r.next::<Vec<f64>>()?, Json::from),
        Kind::Decimal => arr(r.next::<Vec<Decimal>>()?, |d| Json::String(d.to_string())),
        Kind::Boolean => arr(r.next::<Vec<bool>>()?, Json::Bool),
        Kind::DateTime => arr(r.next::<Vec<DateTime<FixedOffset>>>()?, datetime_json),
        _ => arr(r.next::<Vec<String>>()?, Json::String),
    })
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (how Prisma writes `Bytes` in JSON).
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard base64 (padding optional, whitespace ignored); `None` if it is not base64.
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace()) {
        if c == b'=' {
            break;
        }
        let v = B64.iter().position(|&x| x == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for input in [
            &b""[..],
            b"f",
            b"fo",
            b"foo",
            b"foob",
            b"fooba",
            b"foobar",
            &[0, 255, 128],
        ] {
            let e = base64_encode(input);
            assert_eq!(base64_decode(&e).as_deref(), Some(input), "{e}");
        }
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64_encode(b"fo"), "Zm8=");
        assert_eq!(base64_decode("not base64!"), None);
    }

    #[test]
    fn date_times_in_several_forms() {
        for s in [
            "2026-11-29T10:30:00Z",
            "2026-11-29T10:30:00.000",
            "2026-11-29T10:30",
            "2026-11-29 10:30:00",
        ] {
            let d = parse_datetime(s).unwrap();
            assert_eq!(d.to_utc().to_rfc3339(), "2026-11-29T10:30:00+00:00", "{s}");
        }
        assert!(parse_datetime("yesterday").is_none());
    }
}
