//! SQL statements built with sea-query from model metadata and filters.
//!
//! Every value is a bound parameter; no SQL text is ever built from a value.

#[cfg(feature = "postgres")]
use sea_query::extension::postgres::PgExpr;
use sea_query::{
    Condition, Expr, ExprTrait, Func, InsertStatement, JoinType, LikeExpr, Order, Query,
    QueryStatementBuilder, SelectStatement, Value,
};

use crate::alias::{self, Depth, T0};
use crate::db::{Dialect, Stmt};
use crate::filter::{Direction, Filter, Op, RelOp};
use crate::meta::{Link, ModelMeta, RelationMeta};

/// Renders a statement in `backend`'s dialect: its text and its bound values.
pub(crate) fn build(stmt: &impl QueryStatementBuilder, backend: Dialect) -> Stmt {
    let (sql, values) = match backend {
        #[cfg(feature = "sqlite")]
        Dialect::Sqlite => stmt.build_any(&sea_query::SqliteQueryBuilder),
        #[cfg(feature = "postgres")]
        Dialect::Postgres => stmt.build_any(&sea_query::PostgresQueryBuilder),
        #[cfg(feature = "mysql")]
        Dialect::Mysql => stmt.build_any(&sea_query::MysqlQueryBuilder),
        #[allow(unreachable_patterns)]
        _ => unreachable!("a connection exists only for compiled-in backends"),
    };
    Stmt::new(sql, values)
}

/// `"qualifier"."column"`; names are static, so no allocation.
pub(crate) fn col(qualifier: &'static str, column: &'static str) -> Expr {
    Expr::col((qualifier, column))
}

/// Builds the conditions of filters for one backend (string matching differs between them).
pub(crate) struct Cond {
    pub backend: Dialect,
}

impl Cond {
    /// All of `filters` on model `meta`, whose columns `outer` qualifies (its alias, or its
    /// table's name in UPDATE and DELETE) at `depth`: relation filters go one depth down and
    /// take the alias of that depth (see [`alias`]).
    pub(crate) fn all(
        &self,
        meta: &ModelMeta,
        outer: &'static str,
        depth: Depth,
        filters: &[Filter],
    ) -> Condition {
        let mut c = Condition::all();
        for f in filters {
            c = c.add(self.one(meta, outer, depth, f));
        }
        c
    }

    fn one(&self, meta: &ModelMeta, outer: &'static str, depth: Depth, f: &Filter) -> Condition {
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
                let nested = depth + 1;
                let mut sub = related(meta, outer, rel, nested);
                let inner_cond = self.all(rel.target, alias::table(nested), nested, inner);
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

    pub(crate) fn op(&self, c: Expr, op: &Op) -> Expr {
        match op {
            Op::Equals(v) if crate::value::is_null(v) => c.is_null(),
            Op::Equals(v) => c.eq(v.clone()),
            Op::Not(v) if crate::value::is_null(v) => c.is_not_null(),
            // SQL's `<>`: a NULL is not "not equal", so NULLs are left out, as Prisma does
            // (https://www.prisma.io/docs/orm/reference/prisma-client-reference#not).
            Op::Not(v) => c.ne(v.clone()),
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
            Op::Json(path, op) => self.json(c, path, op),
            Op::Search(q) => match self.backend {
                Dialect::Postgres => Expr::cust_with_exprs(
                    "to_tsvector($1) @@ to_tsquery($2)",
                    [c, Expr::val(q.clone())],
                ),
                // (Placeholders of custom SQL are `?` outside PostgreSQL.)
                Dialect::Mysql => Expr::cust_with_exprs(
                    "MATCH (?) AGAINST (? IN BOOLEAN MODE)",
                    [c, Expr::val(q.clone())],
                ),
                // As in Prisma, SQLite has no full-text search: the database says so.
                _ => Expr::cust_with_exprs(
                    "full_text_search_needs_postgresql_or_mysql(?, ?)",
                    [c, Expr::val(q.clone())],
                ),
            },
        }
    }

    /// A Json comparison at `path` on column `c`, in each database's JSON functions:
    /// PostgreSQL's `jsonb` operators (`#>`, `#>>`, `@>`), MySQL's `JSON_EXTRACT` and
    /// `JSON_CONTAINS`, SQLite's `->`, `json_extract` and `json_each`.
    fn json(&self, c: Expr, path: &[String], op: &crate::filter::JsonOp) -> Expr {
        use crate::filter::JsonOp;
        let json = |v: &serde_json::Value| Expr::val(Value::Json(Some(Box::new(v.clone()))));
        // MySQL and SQLite address the value by a JSONPath: `$."a"."b"`.
        let json_path = || {
            let mut p = String::from("$");
            for k in path {
                p.push_str(".\"");
                p.push_str(&k.replace('"', "\\\""));
                p.push('"');
            }
            p
        };
        let pattern =
            |s: &str, before: &str, after: &str| format!("{before}{}{after}", escape_like(s));
        let like = |text: Expr, op: &JsonOp| -> Option<Expr> {
            let p = match op {
                JsonOp::StringContains(s) => pattern(s, "%", "%"),
                JsonOp::StringStartsWith(s) => pattern(s, "", "%"),
                JsonOp::StringEndsWith(s) => pattern(s, "%", ""),
                _ => return None,
            };
            Some(text.like(self.like(&p)))
        };
        match self.backend {
            Dialect::Postgres => {
                let keys = Value::Array(
                    sea_query::ArrayType::String,
                    Some(Box::new(
                        path.iter()
                            .map(|k| Value::String(Some(k.clone())))
                            .collect(),
                    )),
                );
                let at = || {
                    if path.is_empty() {
                        c.clone()
                    } else {
                        c.clone()
                            .binary(sea_query::BinOper::Custom("#>"), Expr::val(keys.clone()))
                    }
                };
                let text = c
                    .clone()
                    .binary(sea_query::BinOper::Custom("#>>"), Expr::val(keys.clone()));
                if let Some(e) = like(text, op) {
                    return e;
                }
                match op {
                    JsonOp::Equals(v) => at().eq(json(v)),
                    JsonOp::Not(v) => at().ne(json(v)),
                    JsonOp::ArrayContains(v) => {
                        at().binary(sea_query::BinOper::Custom("@>"), json(&as_array(v)))
                    }
                    _ => unreachable!("string filters are above"),
                }
            }
            Dialect::Mysql => {
                let at = || Expr::from(Func::cust("JSON_EXTRACT").arg(c.clone()).arg(json_path()));
                let text = Expr::from(Func::cust("JSON_UNQUOTE").arg(at()));
                if let Some(e) = like(text, op) {
                    return e;
                }
                // Equal JSON values contain each other (MariaDB has no JSON type to compare,
                // nor `CAST(... AS JSON)`; MySQL and MariaDB both have `JSON_CONTAINS`).
                let same = |v: &serde_json::Value| -> Expr {
                    Expr::cust_with_exprs(
                        "(JSON_CONTAINS(?, ?) AND JSON_CONTAINS(?, ?))",
                        [
                            at(),
                            Expr::val(v.to_string()),
                            Expr::val(v.to_string()),
                            at(),
                        ],
                    )
                };
                match op {
                    JsonOp::Equals(v) => same(v),
                    JsonOp::Not(v) => same(v).not(),
                    JsonOp::ArrayContains(v) => Func::cust("JSON_CONTAINS")
                        .arg(at())
                        .arg(Expr::val(as_array(v).to_string()))
                        .into(),
                    _ => unreachable!("string filters are above"),
                }
            }
            _ => {
                let text = Expr::from(Func::cust("json_extract").arg(c.clone()).arg(json_path()));
                if let Some(e) = like(text, op) {
                    return e;
                }
                // `->` gives the value as (minified) JSON text; `json(?)` minifies the other.
                let at = || {
                    c.clone()
                        .binary(sea_query::BinOper::Custom("->"), Expr::val(json_path()))
                };
                let minified = |v: &serde_json::Value| {
                    Expr::from(Func::cust("json").arg(Expr::val(v.to_string())))
                };
                match op {
                    JsonOp::Equals(v) => at().eq(minified(v)),
                    JsonOp::Not(v) => at().ne(minified(v)),
                    JsonOp::ArrayContains(v) => {
                        // Every element is among the array's.
                        let mut all = Condition::all();
                        for e in as_array(v).as_array().into_iter().flatten() {
                            all = all.add(Expr::cust_with_exprs(
                                "EXISTS (SELECT 1 FROM json_each(?, ?) WHERE json_each.value IS json_extract(?, ?))",
                                [
                                    c.clone(),
                                    Expr::val(json_path()),
                                    Expr::val(e.to_string()),
                                    Expr::val("$"),
                                ],
                            ));
                        }
                        Expr::from(all)
                    }
                    _ => unreachable!("string filters are above"),
                }
            }
        }
    }

    /// A string comparison ignoring case, as Prisma's `mode: 'insensitive'` on every string
    /// filter: `ILIKE` for patterns on PostgreSQL, both sides in lower case otherwise.
    fn insensitive(&self, c: Expr, op: &Op) -> Expr {
        let lower = |v: &Value| -> Expr { Func::lower(Expr::val(v.clone())).into() };
        let lc = || Expr::from(Func::lower(c.clone()));
        let pattern = match op {
            Op::Contains(s) => format!("%{}%", escape_like(s)),
            Op::StartsWith(s) => format!("{}%", escape_like(s)),
            Op::EndsWith(s) => format!("%{}", escape_like(s)),
            Op::Equals(v) if !crate::value::is_null(v) => return lc().eq(lower(v)),
            Op::Not(v) if !crate::value::is_null(v) => return lc().ne(lower(v)),
            Op::Lt(v) => return lc().lt(lower(v)),
            Op::Lte(v) => return lc().lte(lower(v)),
            Op::Gt(v) => return lc().gt(lower(v)),
            Op::Gte(v) => return lc().gte(lower(v)),
            Op::In(vs) => return lc().is_in(vs.iter().map(lower)),
            Op::NotIn(vs) => return lc().is_not_in(vs.iter().map(lower)),
            other => return self.op(c, other),
        };
        #[cfg(feature = "postgres")]
        if self.backend == Dialect::Postgres {
            return c.ilike(self.like(&pattern));
        }
        Expr::from(Func::lower(c)).like(self.like(&pattern.to_lowercase()))
    }

    /// A LIKE pattern escaped with backslashes: the default escape character of PostgreSQL and
    /// MySQL; SQLite has none, so it is named there.
    fn like(&self, pattern: &str) -> LikeExpr {
        let l = LikeExpr::new(pattern);
        if self.backend == Dialect::Sqlite {
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

/// `SELECT 1 FROM target AS <alias of depth> [JOIN ...] WHERE <linked to the outer row>`.
fn related(
    meta: &ModelMeta,
    outer: &'static str,
    rel: &RelationMeta,
    depth: Depth,
) -> SelectStatement {
    let target = rel.target;
    let alias = alias::table(depth);
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
            let j = alias::join_table(depth);
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

/// An INSERT that skips rows hitting a unique key: `ON CONFLICT DO NOTHING` (set by the caller)
/// on SQLite and PostgreSQL, `INSERT IGNORE` on MySQL, as Prisma does.
pub(crate) fn insert_ignoring(q: &InsertStatement, backend: Dialect) -> Stmt {
    let mut stmt = build(q, backend);
    if backend == Dialect::Mysql {
        stmt.sql = stmt
            .sql
            .replacen("INSERT INTO", "INSERT IGNORE INTO", 1)
            .into();
    }
    stmt
}

/// `SELECT <every column> FROM <table> WHERE <filters>` for filters on the model's own fields
/// only (equalities of a unique read), its columns named without a qualifier: with one table
/// and no subquery none is needed, and the shorter text is cheaper to look up. SQLite's
/// connections find their prepared statements by a hash of the text, on every statement (the
/// qualified form was 40% longer; hashing and comparing the extra took 1.5% of the
/// instructions of a `find_unique`).
pub(crate) fn select_equal(meta: &ModelMeta, backend: Dialect, filters: &[Filter]) -> Stmt {
    let mut q = Query::select();
    q.from(meta.table);
    for f in meta.fields {
        q.column(f.column);
    }
    for filter in filters {
        if let Filter::Field(i, op) = filter {
            q.and_where(Cond { backend }.op(Expr::col(meta.fields[*i].column), op));
        }
    }
    build(&q, backend)
}

/// Selects every scalar column of `meta` from its table aliased [`T0`].
pub(crate) fn select_all(meta: &ModelMeta) -> SelectStatement {
    let mut q = Query::select();
    q.from_as(meta.table, T0);
    for f in meta.fields {
        q.column((T0, f.column));
    }
    q
}

/// Orders the rows of `q` by fields of `meta`, whose columns `qualifier` qualifies.
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

/// The value an ordering's key takes for a row of `meta` qualified by `outer` at `depth`: a
/// column, a column of a to-one relation's record (a subquery one depth down), or the number of
/// related records.
pub(crate) fn order_expr(
    meta: &ModelMeta,
    outer: &'static str,
    depth: Depth,
    key: &crate::filter::OrderKey,
) -> Expr {
    use crate::filter::OrderKey;
    match key {
        OrderKey::Field(f) => col(outer, meta.fields[*f].column),
        OrderKey::Related(r, inner) => {
            let rel = &meta.relations[*r];
            let nested = depth + 1;
            let mut sub = related(meta, outer, rel, nested);
            sub.clear_selects();
            sub.expr(order_expr(rel.target, alias::table(nested), nested, inner));
            Expr::SubQuery(None, Box::new(sub.into()))
        }
        OrderKey::Count(r) => {
            let rel = &meta.relations[*r];
            let mut sub = related(meta, outer, rel, depth + 1);
            sub.clear_selects();
            sub.expr(Func::count(Expr::cust("*")));
            Expr::SubQuery(None, Box::new(sub.into()))
        }
    }
}

/// Orders the rows of `q` by `orders` on `meta`, whose columns `qualifier` qualifies at `depth`.
pub(crate) fn order_by(
    q: &mut SelectStatement,
    meta: &ModelMeta,
    qualifier: &'static str,
    depth: Depth,
    orders: &[crate::filter::Ordering],
) {
    for o in orders {
        let e = order_expr(meta, qualifier, depth, &o.key);
        let d = match o.direction {
            Direction::Asc => Order::Asc,
            Direction::Desc => Order::Desc,
        };
        match o.nulls {
            None => {
                q.order_by_expr(e, d);
            }
            Some(n) => {
                let n = match n {
                    crate::filter::Nulls::First => sea_query::NullOrdering::First,
                    crate::filter::Nulls::Last => sea_query::NullOrdering::Last,
                };
                q.order_by_expr_with_nulls(e, d, n);
            }
        }
    }
}

/// `LIMIT take OFFSET skip`; only a positive `skip` is written.
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

/// A value as a JSON array: itself if it is one, else an array of it (Prisma's
/// `array_contains` takes either).
fn as_array(v: &serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Array(_) => v.clone(),
        other => serde_json::Value::Array(vec![other.clone()]),
    }
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

    fn render(backend: Dialect, filters: &[Filter]) -> (String, Vec<Value>) {
        let mut q = select_all(&USER);
        q.cond_where(Cond { backend }.all(&USER, T0, alias::ROOT, filters));
        let s = build(&q, backend);
        (s.sql.to_string(), s.values.0)
    }

    #[test]
    #[cfg(all(feature = "sqlite", feature = "postgres", feature = "mysql"))]
    fn values_are_parameters() {
        let evil = "x' OR '1'='1";
        let f = [Filter::Field(1, Op::Contains(evil.into()))];
        for b in [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql] {
            let (sql, values) = render(b, &f);
            assert!(!str::contains(&sql, "OR '1'"), "{sql}");
            assert_eq!(values.len(), 1, "{sql}");
        }
        let (sql, _) = render(Dialect::Postgres, &f);
        assert_eq!(
            sql,
            r#"SELECT "t0"."id", "t0"."full_name" FROM "users" AS "t0" WHERE "t0"."full_name" LIKE $1"#
        );
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(escape_like(r"50%_a\b"), r"50\%\_a\\b");
    }
}
