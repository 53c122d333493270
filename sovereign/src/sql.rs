//! SQL statements built with sea-query from model metadata and filters.
//!
//! Every value is a bound parameter; no SQL text is ever built from a value.

#[cfg(feature = "postgres")]
use sea_query::extension::postgres::PgExpr;
use sea_query::{
    Condition, Expr, ExprTrait, Func, JoinType, LikeExpr, Order, Query, QueryStatementBuilder,
    SelectStatement, Value,
};

use std::fmt::Write as _;

use crate::db::{Backend, Sql, Stmt};
use crate::filter::{Direction, Filter, Op, RelOp};
use crate::meta::{Link, ModelMeta};

/// Table aliases by nesting depth.
pub(crate) const ALIAS: [&str; 12] = [
    "t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9", "t10", "t11",
];

pub(crate) fn build(stmt: &impl QueryStatementBuilder, backend: Backend) -> Stmt {
    let (sql, values) = match backend {
        #[cfg(feature = "sqlite")]
        Backend::Sqlite => stmt.build_any(&sea_query::SqliteQueryBuilder),
        #[cfg(feature = "postgres")]
        Backend::Postgres => stmt.build_any(&sea_query::PostgresQueryBuilder),
        #[cfg(feature = "mysql")]
        Backend::MySql => stmt.build_any(&sea_query::MysqlQueryBuilder),
        #[allow(unreachable_patterns)]
        _ => unreachable!("a connection exists only for compiled-in backends"),
    };
    Stmt {
        sql: sql.into(),
        values,
    }
}

/// `"qualifier"."column"`; names are static, so no allocation.
pub(crate) fn col(qualifier: &'static str, column: &'static str) -> Expr {
    Expr::col((qualifier, column))
}

/// Join-table aliases, by the alias of the model they join.
const JOIN_ALIAS: [&str; 12] = [
    "jt0", "jt1", "jt2", "jt3", "jt4", "jt5", "jt6", "jt7", "jt8", "jt9", "jt10", "jt11",
];

/// Builds conditions; `outer` qualifies the current model's columns (an alias, or the table
/// name in UPDATE and DELETE), `depth` picks the alias of the next nested model.
pub(crate) struct Cond {
    pub backend: Backend,
}

impl Cond {
    pub(crate) fn all(
        &self,
        meta: &ModelMeta,
        outer: &'static str,
        depth: usize,
        filters: &[Filter],
    ) -> Condition {
        let mut c = Condition::all();
        for f in filters {
            c = c.add(self.one(meta, outer, depth, f));
        }
        c
    }

    fn one(&self, meta: &ModelMeta, outer: &'static str, depth: usize, f: &Filter) -> Condition {
        match f {
            Filter::Field(i, op) => {
                let field = &meta.fields[*i];
                Condition::all().add(self.op(col(outer, field.column), op))
            }
            Filter::And(v) => self.all(meta, outer, depth, v),
            Filter::Or(v) => {
                let mut c = Condition::any();
                for f in v {
                    c = c.add(self.one(meta, outer, depth, f));
                }
                if v.is_empty() {
                    // Prisma: an empty OR matches nothing.
                    c = c.add(Expr::val(1).eq(0));
                }
                c
            }
            Filter::Not(v) => {
                let mut c = Condition::any();
                for f in v {
                    c = c.add(self.one(meta, outer, depth, f));
                }
                if v.is_empty() {
                    c = c.add(Expr::val(1).eq(0));
                }
                c.not()
            }
            Filter::Relation(r, op, inner) => {
                let rel = &meta.relations[*r];
                let alias = ALIAS[(depth + 1).min(ALIAS.len() - 1)];
                let mut sub = related(meta, outer, rel, alias);
                let inner_cond = self.all(rel.target, alias, depth + 1, inner);
                let exists = match op {
                    RelOp::Some | RelOp::Is => {
                        sub.cond_where(inner_cond);
                        Expr::exists(sub)
                    }
                    RelOp::None | RelOp::IsNot => {
                        sub.cond_where(inner_cond);
                        Expr::exists(sub).not()
                    }
                    RelOp::Every => {
                        if !inner.is_empty() {
                            sub.cond_where(inner_cond.not());
                        }
                        Expr::exists(sub).not()
                    }
                };
                Condition::all().add(exists)
            }
        }
    }

    fn op(&self, c: Expr, op: &Op) -> Expr {
        match op {
            Op::Equals(v) if crate::value::is_null(v) => c.is_null(),
            Op::Equals(v) => c.eq(v.clone()),
            Op::Not(v) if crate::value::is_null(v) => c.is_not_null(),
            // Prisma: `not` also matches NULLs of an optional field.
            Op::Not(v) => c.clone().ne(v.clone()).or(c.is_null()),
            Op::In(vs) => c.is_in(vs.iter().cloned()),
            Op::NotIn(vs) => c.is_not_in(vs.iter().cloned()),
            Op::Lt(v) => c.lt(v.clone()),
            Op::Lte(v) => c.lte(v.clone()),
            Op::Gt(v) => c.gt(v.clone()),
            Op::Gte(v) => c.gte(v.clone()),
            Op::Contains(s) => c.like(self.like(&format!("%{}%", escape_like(s)))),
            Op::StartsWith(s) => c.like(self.like(&format!("{}%", escape_like(s)))),
            Op::EndsWith(s) => c.like(self.like(&format!("%{}", escape_like(s)))),
            Op::IsNull => c.is_null(),
            Op::IsNotNull => c.is_not_null(),
            Op::HasEvery(v) => c.binary(sea_query::BinOper::Custom("@>"), v.clone()),
            Op::HasSome(v) => c.binary(sea_query::BinOper::Custom("&&"), v.clone()),
            Op::IsEmpty(empty) => {
                // A list column that was never set is NULL: empty too.
                let n = Expr::from(Func::cust("cardinality").arg(c.clone()));
                if *empty {
                    c.is_null().or(n.eq(0))
                } else {
                    n.gt(0)
                }
            }
            Op::Insensitive(inner) => self.insensitive(c, inner),
        }
    }

    fn insensitive(&self, c: Expr, op: &Op) -> Expr {
        let pattern = match op {
            Op::Contains(s) => format!("%{}%", escape_like(s)),
            Op::StartsWith(s) => format!("{}%", escape_like(s)),
            Op::EndsWith(s) => format!("%{}", escape_like(s)),
            Op::Equals(Value::String(Some(s))) => {
                return Expr::from(Func::lower(c)).eq(Func::lower(Expr::val(s.clone())));
            }
            other => return self.op(c, other),
        };
        #[cfg(feature = "postgres")]
        if self.backend == Backend::Postgres {
            return c.ilike(self.like(&pattern));
        }
        Expr::from(Func::lower(c)).like(self.like(&pattern.to_lowercase()))
    }

    /// A LIKE pattern escaped with backslashes: the default escape character of PostgreSQL and
    /// MySQL; SQLite has none, so it is named there.
    fn like(&self, pattern: &str) -> LikeExpr {
        let l = LikeExpr::new(pattern);
        if self.backend == Backend::Sqlite {
            l.escape('\\')
        } else {
            l
        }
    }
}

fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// `SELECT 1 FROM target AS alias [JOIN ...] WHERE <linked to the outer row>`.
fn related(
    meta: &ModelMeta,
    outer: &'static str,
    rel: &crate::meta::RelationMeta,
    alias: &'static str,
) -> SelectStatement {
    let target = rel.target;
    let mut sub = Query::select();
    sub.expr(Expr::val(1)).from_as(target.table, alias);
    match &rel.link {
        Link::Owner { fields, references } => {
            for (f, r) in fields.iter().zip(references.iter()) {
                sub.and_where(
                    col(alias, target.fields[*r].column).equals((outer, meta.fields[*f].column)),
                );
            }
        }
        Link::Inverse { fields, references } => {
            for (f, r) in fields.iter().zip(references.iter()) {
                sub.and_where(
                    col(alias, target.fields[*f].column).equals((outer, meta.fields[*r].column)),
                );
            }
        }
        Link::Join {
            table,
            own,
            other,
            own_key,
            other_key,
        } => {
            let j = JOIN_ALIAS[ALIAS.iter().position(|a| *a == alias).unwrap_or(0)];
            sub.join_as(
                JoinType::InnerJoin,
                *table,
                j,
                col(j, other).equals((alias, target.fields[*other_key].column)),
            );
            sub.and_where(col(j, own).equals((outer, meta.fields[*own_key].column)));
        }
    }
    sub
}

/// A map of the SQL caches. Their keys are the client's own (model addresses, field numbers,
/// backends), never data from outside, so they need no defence against chosen keys; SipHash
/// was most of the cost of a cached `find_unique` beside the query itself.
type CacheMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<KeyHasher>>;

/// A multiply-rotate hasher (as rustc's FxHasher) for [`CacheMap`].
#[derive(Default)]
pub(crate) struct KeyHasher(u64);

impl KeyHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn write_isize(&mut self, i: isize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// The SQL of `SELECT <all columns> WHERE f1 = ? AND f2 = ?` by model, backend and fields (up
/// to [`UNIQUE_FIELDS`], numbered below 2^16): the text depends only on these, so it is built
/// once (`find_unique` is the hottest read).
type UniqueKey = (usize, Backend, [u16; UNIQUE_FIELDS]);
const UNIQUE_FIELDS: usize = 8;
static UNIQUE_SQL: std::sync::OnceLock<
    std::sync::RwLock<CacheMap<UniqueKey, std::sync::Arc<str>>>,
> = std::sync::OnceLock::new();

/// The statement of a unique read: from the cache when `filter` is a conjunction of equalities
/// with non-NULL values, else built by `build`.
pub(crate) fn unique_select(
    meta: &'static ModelMeta,
    backend: Backend,
    filter: &Filter,
    build: impl FnOnce() -> Stmt,
) -> Stmt {
    let parts: &[Filter] = match filter {
        Filter::And(parts) => parts,
        one => std::slice::from_ref(one),
    };
    if parts.len() > UNIQUE_FIELDS {
        return build();
    }
    // Field numbers plus one: 0 marks the unused places.
    let mut fields = [0u16; UNIQUE_FIELDS];
    let mut values = Vec::with_capacity(parts.len());
    for (slot, p) in fields.iter_mut().zip(parts) {
        match p {
            Filter::Field(f, Op::Equals(v)) if !crate::value::is_null(v) => {
                let Some(n) = f.checked_add(1).and_then(|n| u16::try_from(n).ok()) else {
                    return build();
                };
                *slot = n;
                values.push(v.clone());
            }
            _ => return build(),
        }
    }
    let key = (meta as *const ModelMeta as usize, backend, fields);
    let cache = UNIQUE_SQL.get_or_init(Default::default);
    if let Some(sql) = cache.read().ok().and_then(|c| c.get(&key).cloned()) {
        return Stmt {
            sql: Sql::Shared(sql),
            values: sea_query::Values(values),
        };
    }
    let stmt = build();
    if let Ok(mut c) = cache.write() {
        c.insert(key, std::sync::Arc::from(&*stmt.sql));
    }
    stmt
}

/// An INSERT of plain values (RETURNING every column where the backend can): its text depends
/// only on the model, the backend, the columns and the kind of each value (PostgreSQL casts
/// enums; a NULL is marked apart to be safe), so it is built once per such shape.
type InsertKey = (
    usize,
    Backend,
    [Option<(u16, std::mem::Discriminant<Value>, bool)>; INSERT_COLUMNS],
);
const INSERT_COLUMNS: usize = 32;
static INSERT_SQL: std::sync::OnceLock<
    std::sync::RwLock<CacheMap<InsertKey, std::sync::Arc<str>>>,
> = std::sync::OnceLock::new();

/// The statement of an INSERT of `columns`: from the cache when every column is given a plain
/// value (no subquery of a nested connect), else built by `build`.
pub(crate) fn insert_values<E>(
    meta: &'static ModelMeta,
    backend: Backend,
    columns: &[(usize, Expr)],
    build: impl FnOnce() -> Result<Stmt, E>,
) -> Result<Stmt, E> {
    if columns.is_empty() || columns.len() > INSERT_COLUMNS {
        return build();
    }
    let mut shape = [None; INSERT_COLUMNS];
    let mut values = Vec::with_capacity(columns.len());
    for (slot, (f, e)) in shape.iter_mut().zip(columns) {
        let (Expr::Value(v), Ok(f)) = (e, u16::try_from(*f)) else {
            return build();
        };
        *slot = Some((f, std::mem::discriminant(v), crate::value::is_null(v)));
        values.push(v.clone());
    }
    let key = (meta as *const ModelMeta as usize, backend, shape);
    let cache = INSERT_SQL.get_or_init(Default::default);
    if let Some(sql) = cache.read().ok().and_then(|c| c.get(&key).cloned()) {
        return Ok(Stmt {
            sql: Sql::Shared(sql),
            values: sea_query::Values(values),
        });
    }
    let stmt = build()?;
    // Only a statement that binds each value, in column order, is reused.
    if stmt.values.0.len() == values.len() {
        if let Ok(mut c) = cache.write() {
            c.insert(key, std::sync::Arc::from(&*stmt.sql));
        }
    }
    Ok(stmt)
}

/// Selects every scalar column of `meta` from `table AS t0`.
pub(crate) fn select_all(meta: &ModelMeta) -> SelectStatement {
    let mut q = Query::select();
    q.from_as(meta.table, ALIAS[0]);
    for f in meta.fields {
        q.column((ALIAS[0], f.column));
    }
    q
}

pub(crate) fn order(
    q: &mut SelectStatement,
    meta: &ModelMeta,
    qualifier: &'static str,
    orders: &[(usize, Direction)],
) {
    for &(field, dir) in orders {
        q.order_by_expr(
            col(qualifier, meta.fields[field].column),
            match dir {
                Direction::Asc => Order::Asc,
                Direction::Desc => Order::Desc,
            },
        );
    }
}

pub(crate) fn limit(q: &mut SelectStatement, take: Option<i64>, skip: Option<i64>) {
    if let Some(t) = take {
        q.limit(t.unsigned_abs());
    }
    if let Some(s) = skip.filter(|&s| s > 0) {
        if take.is_none() {
            // SQLite and MySQL accept OFFSET only after a LIMIT.
            q.limit(i64::MAX as u64);
        }
        q.offset(s as u64);
    }
}

/// `(cols) IN (keys)`, written as `col IN (...)` for one column; `values` holds the keys one
/// after another, a value per column each.
pub(crate) fn key_in(
    qualifier: &'static str,
    columns: &[&'static str],
    values: Vec<Value>,
) -> Condition {
    if columns.len() == 1 {
        return Condition::all().add(col(qualifier, columns[0]).is_in(values));
    }
    let mut any = Condition::any();
    let mut values = values.into_iter();
    while values.len() > 0 {
        let mut all = Condition::all();
        for (c, v) in columns.iter().zip(values.by_ref()) {
            all = all.add(col(qualifier, c).eq(v));
        }
        any = any.add(all);
    }
    if any.is_empty() {
        any = any.add(Expr::val(1).eq(0));
    }
    any
}

/// Stands for the key list while the SQL of a relation load is built; never sent.
const KEYS: &str = "/* sovereign: keys */";

/// What the SQL of a relation load depends on besides its number of keys: the parent model,
/// the relation's number, the backend and the fetch's order.
pub(crate) type LoadShape = (usize, usize, Backend, Vec<(usize, Direction)>);

/// The SQL around the key list of a relation load, by shape.
type Around = std::sync::Arc<(String, String)>;
static LOAD_SQL: std::sync::OnceLock<std::sync::RwLock<CacheMap<LoadShape, Around>>> =
    std::sync::OnceLock::new();

/// The SQL of a relation load whose only bound values are its `n` keys (of one column, each a
/// plain placeholder): `build` makes the statement once per shape, given the one item to put in
/// its `IN (...)`; later loads of the shape write their placeholders into the text around it.
/// A statement with other values is not cached (`None`): the caller builds it whole.
pub(crate) fn keyed_select(
    shape: LoadShape,
    backend: Backend,
    n: usize,
    build: impl FnOnce(Expr) -> SelectStatement,
) -> Option<String> {
    let cache = LOAD_SQL.get_or_init(Default::default);
    let cached = cache.read().ok().and_then(|c| c.get(&shape).cloned());
    let around = match cached {
        Some(a) => a,
        None => {
            let Stmt { sql, values } = self::build(&build(Expr::cust(KEYS)), backend);
            if !values.0.is_empty() {
                return None;
            }
            let (before, after) = sql.split_once(KEYS)?;
            if after.contains(KEYS) {
                return None;
            }
            let a = std::sync::Arc::new((before.to_string(), after.to_string()));
            if let Ok(mut c) = cache.write() {
                c.insert(shape, a.clone());
            }
            a
        }
    };
    let (before, after) = &*around;
    let mut sql = String::with_capacity(before.len() + after.len() + n * 6);
    sql.push_str(before);
    // As sea-query writes a list of values: `$1, $2` on PostgreSQL, `?, ?` elsewhere.
    for i in 1..=n {
        if i > 1 {
            sql.push_str(", ");
        }
        if backend == Backend::Postgres {
            let _ = write!(sql, "${i}");
        } else {
            sql.push('?');
        }
    }
    sql.push_str(after);
    Some(sql)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::{FieldMeta, Kind};

    static USER: ModelMeta = ModelMeta {
        name: "User",
        table: "users",
        fields: &[
            FieldMeta::new("id", "id", Kind::Int),
            FieldMeta::new("name", "full_name", Kind::String),
        ],
        primary_key: &[0],
        uniques: &[],
        relations: &[],
        auto_increment: true,
    };

    fn render(backend: Backend, filters: &[Filter]) -> (String, Vec<Value>) {
        let mut q = select_all(&USER);
        q.cond_where(Cond { backend }.all(&USER, ALIAS[0], 0, filters));
        let s = build(&q, backend);
        (s.sql.to_string(), s.values.0)
    }

    #[test]
    #[cfg(all(feature = "sqlite", feature = "postgres", feature = "mysql"))]
    fn values_are_parameters() {
        let evil = "x' OR '1'='1";
        let f = [Filter::Field(1, Op::Contains(evil.into()))];
        for b in [Backend::Sqlite, Backend::Postgres, Backend::MySql] {
            let (sql, values) = render(b, &f);
            assert!(!str::contains(&sql, "OR '1'"), "{sql}");
            assert_eq!(values.len(), 1, "{sql}");
        }
        let (sql, _) = render(Backend::Postgres, &f);
        assert_eq!(
            sql,
            r#"SELECT "t0"."id", "t0"."full_name" FROM "users" AS "t0" WHERE "t0"."full_name" LIKE $1"#
        );
    }

    #[test]
    #[cfg(all(feature = "sqlite", feature = "postgres", feature = "mysql"))]
    fn keyed_select_writes_what_sea_query_writes() {
        let make = |keys: Condition| {
            let mut q = select_all(&USER);
            q.cond_where(keys);
            order(&mut q, &USER, ALIAS[0], &[(0, Direction::Desc)]);
            q
        };
        for b in [Backend::Sqlite, Backend::Postgres, Backend::MySql] {
            let shape = || {
                (
                    &USER as *const ModelMeta as usize,
                    usize::MAX,
                    b,
                    Vec::new(),
                )
            };
            // The first call builds the text around the key list; the others reuse it.
            for n in [1, 2, 11, 1] {
                let sql = keyed_select(shape(), b, n, |item| {
                    make(Condition::all().add(col(ALIAS[0], "full_name").is_in([item])))
                })
                .expect("no other values");
                let values = (0..n).map(|i| Value::from(i as i32)).collect();
                let whole = build(&make(key_in(ALIAS[0], &["full_name"], values)), b);
                assert_eq!(sql, &*whole.sql);
                assert_eq!(whole.values.0.len(), n);
            }
        }
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(escape_like(r"50%_a\b"), r"50\%\_a\\b");
    }
}
