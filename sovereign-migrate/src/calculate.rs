//! The SQL schema a resolved model implies, per dialect: Prisma's default column types, native
//! types, defaults, keys, indexes in Prisma's order, foreign keys and implicit join tables.

use crate::sql::*;
use sovereign_schema::ast::Arity;
use sovereign_schema::model::{
    self, DefaultKind, Literal, Model, ReferentialAction, RelationKind, ScalarField, ScalarType,
    Schema, SortOrder,
};

/// Calculates the SQL schema of `schema` in `dialect`.
pub fn sql_schema(schema: &Schema, dialect: Dialect) -> SqlSchema {
    // A multi-schema datasource (PostgreSQL's `schemas = [...]`) qualifies every name by its
    // `@@schema`; otherwise everything is in the connection's current schema, unqualified.
    let multi = dialect == Dialect::Postgres
        && schema
            .datasource
            .as_ref()
            .is_some_and(|d| !d.schemas.is_empty());
    let ns = |s: &Option<String>| if multi { s.clone() } else { None };
    // The type of an enum column: the enum's database name, qualified in its namespace.
    let enum_db = |name: &str| match schema.enum_(name) {
        Some(e) => dialect.qualified(ns(&e.schema).as_deref(), &e.db_name),
        None => dialect.quote(name),
    };
    let mut out = SqlSchema::default();
    if multi {
        let mut names: Vec<String> = schema
            .datasource
            .as_ref()
            .map(|d| d.schemas.clone())
            .unwrap_or_default();
        names.sort();
        names.dedup();
        out.namespaces = names;
    }
    if dialect == Dialect::Postgres {
        for e in &schema.enums {
            out.enums.push(SqlEnum {
                name: e.db_name.clone(),
                namespace: ns(&e.schema),
                values: e.values.iter().map(|v| v.db_name.clone()).collect(),
            });
        }
    }
    for m in schema.models.iter().filter(|m| !m.is_view) {
        let mut t = table(schema, m, dialect, &enum_db);
        t.namespace = ns(&m.schema);
        for fk in &mut t.foreign_keys {
            fk.referenced_namespace = ns(&fk.referenced_namespace);
        }
        out.tables.push(t);
    }
    for r in &schema.relations {
        let Some(jt) = &r.join_table else { continue };
        let (Some(a), Some(b)) = (schema.model(&jt.a_model), schema.model(&jt.b_model)) else {
            continue;
        };
        let id_column = |m: &Model| -> Option<(String, String)> {
            let pk = m.primary_key.as_ref()?;
            let f = m.field(&pk.fields[0].name)?;
            Some((f.db_name.clone(), base_type(schema, f, dialect, &enum_db)))
        };
        let (Some((a_id, a_ty)), Some((b_id, b_ty))) = (id_column(a), id_column(b)) else {
            continue;
        };
        let col = |name: &str, ty: String| Column {
            name: name.into(),
            ty,
            nullable: false,
            default: None,
            autoincrement: false,
        };
        let ic = |name: &str| IndexColumn {
            name: name.into(),
            sort: None,
            length: None,
            ops: None,
        };
        let fk = |col: &str, target: &Model, id: String| ForeignKey {
            referenced_namespace: ns(&target.schema),
            name: format!("{}_{col}_fkey", jt.name),
            columns: vec![col.into()],
            referenced_table: target.db_name.clone(),
            referenced_columns: vec![id],
            on_delete: ReferentialAction::Cascade,
            on_update: ReferentialAction::Cascade,
        };
        let (primary_key, mut indexes) = if dialect == Dialect::Postgres {
            (
                Some(PrimaryKey {
                    name: format!("{}_AB_pkey", jt.name),
                    columns: vec![ic("A"), ic("B")],
                }),
                Vec::new(),
            )
        } else {
            (
                None,
                vec![Index {
                    name: format!("{}_AB_unique", jt.name),
                    kind: IndexKind::Unique,
                    columns: vec![ic("A"), ic("B")],
                    algorithm: None,
                }],
            )
        };
        indexes.push(Index {
            name: format!("{}_B_index", jt.name),
            kind: IndexKind::Normal,
            columns: vec![ic("B")],
            algorithm: None,
        });
        out.tables.push(Table {
            // Prisma puts the join table beside the relation's first model (`A`).
            namespace: ns(&a.schema),
            name: jt.name.clone(),
            columns: vec![col("A", a_ty), col("B", b_ty)],
            primary_key,
            indexes,
            foreign_keys: if foreign_keys(schema) {
                vec![fk("A", a, a_id), fk("B", b, b_id)]
            } else {
                Vec::new()
            },
        });
    }
    out
}

fn index_columns(fields: &[model::IndexField], algorithm: Option<&str>) -> Vec<IndexColumn> {
    fields
        .iter()
        .map(|f| IndexColumn {
            name: f.db_name.clone(),
            // Ascending is the default: databases report it as no order at all.
            sort: f.sort.filter(|s| *s == SortOrder::Desc),
            length: f.length,
            ops: f.ops.as_ref().map(|o| operator_class(o, algorithm)),
        })
        .collect()
}

/// A schema's `ops:` as SQL names it (`JsonbPathOps` is `jsonb_path_ops`), and whether it is
/// the default class of the index's method, which PostgreSQL uses whether or not it is named.
fn operator_class(ops: &model::OperatorClass, algorithm: Option<&str>) -> OperatorClass {
    match ops {
        model::OperatorClass::Raw(name) => OperatorClass {
            name: name.clone(),
            default: false,
        },
        model::OperatorClass::Named(n) => {
            let stem = n.strip_suffix("Ops").unwrap_or(n);
            let mut sql = stem
                .replace("MinMaxMulti", "_minmax_multi")
                .replace("MinMax", "_minmax")
                .replace("Bloom", "_bloom")
                .replace("Inclusion", "_inclusion")
                .replace("Path", "_path")
                .to_ascii_lowercase();
            sql.push_str("_ops");
            let default = match algorithm {
                Some("Gin") => matches!(n.as_str(), "JsonbOps" | "ArrayOps"),
                Some("SpGist") => matches!(n.as_str(), "InetOps" | "TextOps"),
                // BRIN's default for a type is its minmax class, but inet's is inclusion.
                Some("Brin") => {
                    (n.ends_with("MinMaxOps") && n != "InetMinMaxOps") || n == "InetInclusionOps"
                }
                _ => false,
            };
            OperatorClass { name: sql, default }
        }
    }
}

fn table(schema: &Schema, m: &Model, dialect: Dialect, enum_db: &dyn Fn(&str) -> String) -> Table {
    let columns = m
        .fields
        .iter()
        .map(|f| column(schema, m, f, dialect, enum_db))
        .collect();
    let primary_key = m.primary_key.as_ref().map(|pk| PrimaryKey {
        // SQLite keeps no name for a primary key.
        name: match dialect {
            Dialect::Sqlite => format!("{}_pkey", m.db_name),
            // MySQL names every primary key PRIMARY.
            Dialect::Mysql => "PRIMARY".to_string(),
            Dialect::Postgres => pk.db_name.clone(),
        },
        columns: index_columns(&pk.fields, None)
            .into_iter()
            .map(|c| IndexColumn { sort: None, ..c })
            .collect(),
    });
    // Prisma's order: field-level uniques, then @@index/@@fulltext, then @@unique.
    let to_index = |i: &model::Index| Index {
        name: i.db_name.clone(),
        kind: match i.kind {
            model::IndexKind::Unique => IndexKind::Unique,
            model::IndexKind::Normal => IndexKind::Normal,
            model::IndexKind::Fulltext => IndexKind::Fulltext,
        },
        columns: index_columns(&i.fields, i.algorithm.as_deref()),
        algorithm: i.algorithm.clone().filter(|a| a != "BTree"),
    };
    let mut indexes: Vec<Index> = m
        .uniques
        .iter()
        .filter(|u| u.single_field)
        .map(to_index)
        .collect();
    indexes.extend(m.indexes.iter().map(to_index));
    indexes.extend(m.uniques.iter().filter(|u| !u.single_field).map(to_index));
    let mut foreign_keys = Vec::new();
    for r in &schema.relations {
        if r.kind == RelationKind::ManyToMany
            || r.from.model != m.name
            || !self::foreign_keys(schema)
        {
            continue;
        }
        let (Some(name), Some(target)) = (&r.fk_name, schema.model(&r.to.model)) else {
            continue;
        };
        let db = |model: &Model, names: &[String]| -> Vec<String> {
            names
                .iter()
                .map(|n| {
                    model
                        .field(n)
                        .map_or_else(|| n.clone(), |f| f.db_name.clone())
                })
                .collect()
        };
        foreign_keys.push(ForeignKey {
            referenced_namespace: target.schema.clone(),
            name: name.clone(),
            columns: db(m, &r.fields),
            referenced_table: target.db_name.clone(),
            referenced_columns: db(target, &r.references),
            on_delete: r.on_delete,
            on_update: r.on_update,
        });
    }
    Table {
        name: m.db_name.clone(),
        namespace: None,
        columns,
        primary_key,
        indexes,
        foreign_keys,
    }
}

/// Whether the database enforces relations with foreign keys: not with `relationMode =
/// "prisma"`, where Prisma's client emulates referential actions (ours does not yet; the
/// builds say so, see `sovereign_build::codegen::client_warnings`) and Prisma's migrations
/// create no foreign key (the indexes on relation fields are the schema's own `@@index`es;
/// Prisma only warns when one is missing).
fn foreign_keys(schema: &Schema) -> bool {
    schema
        .datasource
        .as_ref()
        .is_none_or(|d| d.relation_mode == model::RelationMode::ForeignKeys)
}

fn column(
    schema: &Schema,
    m: &Model,
    f: &ScalarField,
    dialect: Dialect,
    enum_db: &dyn Fn(&str) -> String,
) -> Column {
    let auto = matches!(
        f.default.as_ref().map(|d| &d.kind),
        Some(DefaultKind::Autoincrement)
    );
    // SQLite makes a single integer primary key an alias of the rowid: Prisma writes it as
    // AUTOINCREMENT whether or not the schema says autoincrement().
    let sqlite_rowid = dialect == Dialect::Sqlite
        && f.ty == ScalarType::Int
        && m.primary_key
            .as_ref()
            .is_some_and(|pk| pk.fields.len() == 1 && pk.fields[0].name == f.name);
    let mut ty = base_type(schema, f, dialect, enum_db);
    if auto && dialect == Dialect::Postgres {
        ty = match ty.as_str() {
            "SMALLINT" => "SMALLSERIAL".into(),
            "BIGINT" => "BIGSERIAL".into(),
            _ => "SERIAL".into(),
        };
    }
    Column {
        name: f.db_name.clone(),
        ty,
        nullable: f.arity == Arity::Optional
            || (f.arity == Arity::List && dialect == Dialect::Postgres),
        default: f
            .default
            .as_ref()
            .and_then(|d| default_sql(schema, f, &d.kind, dialect, enum_db)),
        autoincrement: auto || sqlite_rowid,
    }
}

/// The column type, without autoincrement: the one place mapping a Prisma scalar to SQL.
pub fn base_type(
    schema: &Schema,
    f: &ScalarField,
    dialect: Dialect,
    enum_db: &dyn Fn(&str) -> String,
) -> String {
    let _ = schema;
    let scalar = if let Some(nt) = &f.native_type {
        native_type(&nt.name, &nt.args, dialect)
    } else {
        match (&f.ty, dialect) {
            (ScalarType::Int, _) => "INTEGER".into(),
            (ScalarType::BigInt, _) => "BIGINT".into(),
            (ScalarType::Float, Dialect::Sqlite) => "REAL".into(),
            (ScalarType::Float, Dialect::Postgres) => "DOUBLE PRECISION".into(),
            (ScalarType::Float, Dialect::Mysql) => "DOUBLE".into(),
            (ScalarType::Decimal, Dialect::Sqlite) => "DECIMAL".into(),
            (ScalarType::Decimal, _) => "DECIMAL(65,30)".into(),
            (ScalarType::String, Dialect::Mysql) => "VARCHAR(191)".into(),
            (ScalarType::String, _) => "TEXT".into(),
            (ScalarType::Boolean, _) => "BOOLEAN".into(),
            (ScalarType::DateTime, Dialect::Sqlite) => "DATETIME".into(),
            (ScalarType::DateTime, Dialect::Postgres) => "TIMESTAMP(3)".into(),
            (ScalarType::DateTime, Dialect::Mysql) => "DATETIME(3)".into(),
            (ScalarType::Json, Dialect::Sqlite) => "JSONB".into(),
            (ScalarType::Json, Dialect::Postgres) => "JSONB".into(),
            (ScalarType::Json, Dialect::Mysql) => "JSON".into(),
            (ScalarType::Bytes, Dialect::Sqlite) => "BLOB".into(),
            (ScalarType::Bytes, Dialect::Postgres) => "BYTEA".into(),
            (ScalarType::Bytes, Dialect::Mysql) => "LONGBLOB".into(),
            (ScalarType::Enum(e), Dialect::Postgres) => enum_db(e),
            (ScalarType::Enum(e), Dialect::Mysql) => {
                let values = schema_enum_values(schema, e);
                format!(
                    "ENUM({})",
                    values
                        .iter()
                        .map(|v| dialect.string(v))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
            (ScalarType::Enum(_), Dialect::Sqlite) => "TEXT".into(),
            (ScalarType::Composite(_), _) => "JSONB".into(),
            (ScalarType::Unsupported(t), _) => t.clone(),
        }
    };
    if f.arity == Arity::List && dialect == Dialect::Postgres {
        format!("{scalar}[]")
    } else {
        scalar
    }
}

fn schema_enum_values(schema: &Schema, name: &str) -> Vec<String> {
    schema
        .enum_(name)
        .map(|e| e.values.iter().map(|v| v.db_name.clone()).collect())
        .unwrap_or_default()
}

/// `@db.VarChar(30)` -> `VARCHAR(30)`.
fn native_type(name: &str, args: &[String], dialect: Dialect) -> String {
    let base = match (name, dialect) {
        ("DoublePrecision", _) => "DOUBLE PRECISION".to_string(),
        ("UnsignedInt", Dialect::Mysql) => "INTEGER UNSIGNED".to_string(),
        ("Int", Dialect::Mysql) => "INTEGER".to_string(),
        (n, Dialect::Mysql) if n.starts_with("Unsigned") => {
            format!("{} UNSIGNED", n["Unsigned".len()..].to_uppercase())
        }
        (n, _) => n.to_uppercase(),
    };
    if args.is_empty() {
        base
    } else if let Some((head, tail)) = base.split_once(' ') {
        format!("{head}({}) {tail}", args.join(","))
    } else {
        format!("{base}({})", args.join(","))
    }
}

fn literal_sql(
    l: &Literal,
    f: &ScalarField,
    dialect: Dialect,
    enum_db: &dyn Fn(&str) -> String,
    schema: &Schema,
) -> String {
    match l {
        Literal::String(s) => dialect.string(s),
        Literal::Int(i) => i.to_string(),
        Literal::Float(x) => x.to_string(),
        Literal::Number(n) => n.clone(),
        Literal::Boolean(b) => b.to_string(),
        Literal::Enum(v) => {
            let db = match &f.ty {
                ScalarType::Enum(e) => schema
                    .enum_(e)
                    .and_then(|en| en.values.iter().find(|x| &x.name == v))
                    .map_or_else(|| v.clone(), |x| x.db_name.clone()),
                _ => v.clone(),
            };
            let _ = enum_db;
            dialect.string(&db)
        }
    }
}

fn default_sql(
    schema: &Schema,
    f: &ScalarField,
    kind: &DefaultKind,
    dialect: Dialect,
    enum_db: &dyn Fn(&str) -> String,
) -> Option<String> {
    Some(match kind {
        DefaultKind::Now => match dialect {
            Dialect::Mysql => "CURRENT_TIMESTAMP(3)".into(),
            _ => "CURRENT_TIMESTAMP".into(),
        },
        DefaultKind::DbGenerated(Some(expr)) => expr.clone(),
        DefaultKind::Value(l) => literal_sql(l, f, dialect, enum_db, schema),
        DefaultKind::List(items) if dialect == Dialect::Postgres => {
            let scalar = base_type(schema, f, dialect, enum_db);
            let items: Vec<String> = items
                .iter()
                .map(|l| literal_sql(l, f, dialect, enum_db, schema))
                .collect();
            format!("ARRAY[{}]::{scalar}", items.join(", "))
        }
        _ => return None,
    })
}
