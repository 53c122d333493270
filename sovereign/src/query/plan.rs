//! Write planning: what an INSERT or UPDATE does, worked out from a model's setters (columns,
//! nested connects, the values the client fills in), and the relation changes on other tables
//! that run once the row exists.

use sea_query::{Condition, Expr, ExprTrait, Query, SelectStatement, Value};

use crate::alias::{self, LOOKUP, ROOT, T0};
use crate::db::{Conn, Dialect};
use crate::error::{Error, ErrorKind, Result};
use crate::filter::{Filter, Op, Set, SetKind, SetOp};
use crate::meta::{FieldMeta, Generated, Kind, Link, ModelMeta};
use crate::query::traits::Model;
use crate::sql::{self, col, Cond};
use crate::value::decode_key_value;

/// The pieces of an INSERT or UPDATE worked out from setters.
pub(crate) struct Plan {
    /// Column assignments of the model's own table.
    pub(crate) columns: Vec<(usize, Expr)>,
    /// Values given directly, by field (to find the primary key on MySQL).
    pub(crate) given: Vec<(usize, Value)>,
    /// Relation changes that touch other tables, run after the row exists.
    pub(crate) after: Vec<SetKind>,
    /// The row's foreign key comes from a nested connect: the field and the lookup of its
    /// value (a subquery in the INSERT; run first on MySQL, which cannot return the new row).
    pub(crate) lookups: Vec<(usize, SelectStatement)>,
    /// A nested connect sets a foreign key of the row (a NULL there means it found nothing).
    pub(crate) connects: bool,
}

/// The current instant, as a `DateTime` value.
pub(crate) fn now() -> Value {
    Value::ChronoDateTimeWithTimeZone(Some(chrono::Utc::now().fixed_offset()))
}

/// The plan of a create (`create` true) or an update of `M` with `sets`.
pub(crate) fn plan<M: Model>(backend: Dialect, sets: Vec<Set<M>>, create: bool) -> Result<Plan> {
    let meta = M::META;
    let mut plan = Plan {
        columns: Vec::new(),
        given: Vec::new(),
        after: Vec::new(),
        lookups: Vec::new(),
        connects: false,
    };
    for s in sets {
        match s.kind {
            SetKind::Field(f, op) => {
                let c = || Expr::col(meta.fields[f].column);
                let e = match op {
                    SetOp::Set(v) => {
                        plan.given.push((f, v.clone()));
                        Expr::val(v)
                    }
                    SetOp::Increment(v) => c().add(v),
                    SetOp::Decrement(v) => c().sub(v),
                    SetOp::Multiply(v) => c().mul(v),
                    SetOp::Divide(v) => c().div(v),
                    SetOp::Push(v) => c().binary(sea_query::BinOper::Custom("||"), v),
                };
                plan.columns.retain(|(g, _)| *g != f);
                plan.columns.push((f, e));
            }
            SetKind::Connect(r, targets) => {
                let rel = &meta.relations[r];
                match &rel.link {
                    Link::Owner { fields, references } => {
                        let target = rel.target;
                        let Some(filter) = targets.into_iter().next() else {
                            continue;
                        };
                        for (f, rf) in fields.iter().zip(references.iter()) {
                            let mut q = Query::select();
                            let lookup = alias::table(LOOKUP);
                            q.column((lookup, target.fields[*rf].column))
                                .from_as(target.table, lookup)
                                .cond_where(Cond { backend }.all(
                                    target,
                                    lookup,
                                    LOOKUP,
                                    std::slice::from_ref(&filter),
                                ));
                            plan.columns.retain(|(g, _)| g != f);
                            plan.lookups.retain(|(g, _)| g != f);
                            plan.columns
                                .push((*f, Expr::SubQuery(None, Box::new(q.clone().into()))));
                            plan.lookups.push((*f, q));
                        }
                        plan.connects = true;
                    }
                    _ => plan.after.push(SetKind::Connect(r, targets)),
                }
            }
            SetKind::Disconnect(r, targets) => {
                let rel = &meta.relations[r];
                match &rel.link {
                    Link::Owner { fields, .. } => {
                        if !create {
                            for f in fields.iter() {
                                plan.columns.retain(|(g, _)| g != f);
                                plan.columns.push((*f, Expr::val(null_of(meta, *f))));
                            }
                        }
                    }
                    _ => {
                        if !create {
                            plan.after.push(SetKind::Disconnect(r, targets))
                        }
                    }
                }
            }
        }
    }
    for (i, f) in meta.fields.iter().enumerate() {
        if plan.columns.iter().any(|(g, _)| *g == i) {
            continue;
        }
        if let Some(v) = client_default(f, backend, create) {
            plan.given.push((i, v.clone()));
            plan.columns.push((i, Expr::val(v)));
        }
    }
    Ok(plan)
}

/// The value the client fills in for a field a write leaves out: `@updatedAt` on every write;
/// on a create, a generated id (uuid, cuid, ...) and `now()` on SQLite (the other databases
/// fill `now()` in themselves).
pub(crate) fn client_default(f: &FieldMeta, backend: Dialect, create: bool) -> Option<Value> {
    if f.updated_at {
        return Some(now());
    }
    if !create {
        return None;
    }
    match f.generated {
        Some(Generated::Now) if backend == Dialect::Sqlite => Some(now()),
        Some(Generated::Now) | None => None,
        Some(g) => Some(Value::String(Some(crate::ids::generate(g)))),
    }
}

/// The NULL of field `field`'s column type.
pub(crate) fn null_of(meta: &ModelMeta, field: usize) -> Value {
    match meta.fields[field].kind {
        Kind::Int => Value::Int(None),
        Kind::BigInt => Value::BigInt(None),
        Kind::Float => Value::Double(None),
        Kind::Boolean => Value::Bool(None),
        Kind::Bytes => Value::Bytes(None),
        Kind::Enum(t) => crate::value::null_enum(t),
        _ => Value::String(None),
    }
}

/// Turns a NULL in a connected foreign key into the error Prisma gives.
pub(crate) fn connect_error(e: Error, plan: &Plan, model: &str) -> Error {
    if plan.connects && matches!(e.kind(), ErrorKind::NullViolation { .. }) {
        return Error::new(
            ErrorKind::RecordNotFound,
            format!(
                "no record found for a nested connect on {model}: {}",
                e.message()
            ),
        );
    }
    e
}

/// The filter that selects `row` by its primary key.
pub(crate) fn pk_filter<M: Model>(row: &M) -> Filter {
    Filter::And(
        M::META
            .primary_key
            .iter()
            .map(|&f| Filter::Field(f, Op::Equals(row.value(f))))
            .collect(),
    )
}

/// Relation changes on other tables once the record exists.
pub(crate) async fn after<M: Model>(conn: &Conn, row: &M, ops: Vec<SetKind>) -> Result<()> {
    let meta = M::META;
    let backend = conn.backend();
    for op in ops {
        let (r, connect, targets) = match op {
            SetKind::Connect(r, t) => (r, true, Some(t)),
            SetKind::Disconnect(r, t) => (r, false, t),
            SetKind::Field(..) => continue,
        };
        let rel = &meta.relations[r];
        let target = rel.target;
        match &rel.link {
            Link::Inverse { fields, references } => {
                let mut q = Query::update();
                q.table(target.table);
                for (f, rf) in fields.iter().zip(references.iter()) {
                    let v = if connect {
                        row.value(*rf)
                    } else {
                        null_of(target, *f)
                    };
                    q.value(target.fields[*f].column, v);
                }
                let mut cond = Condition::all();
                if !connect {
                    for (f, rf) in fields.iter().zip(references.iter()) {
                        cond = cond
                            .add(col(target.table, target.fields[*f].column).eq(row.value(*rf)));
                    }
                }
                if let Some(t) = &targets {
                    let mut any = Condition::any();
                    for f in t {
                        any = any.add(Cond { backend }.all(
                            target,
                            target.table,
                            ROOT,
                            std::slice::from_ref(f),
                        ));
                    }
                    cond = cond.add(any);
                }
                q.cond_where(cond);
                let done = conn.execute(sql::build(&q, backend), Some(target)).await?;
                let expected = targets.as_ref().map_or(0, Vec::len) as u64;
                if connect && done.rows < expected {
                    return Err(Error::new(
                        ErrorKind::RecordNotFound,
                        format!(
                            "connect on {}.{}: {} of {expected} {} records were not found",
                            meta.name,
                            rel.name,
                            expected - done.rows,
                            target.name
                        ),
                    ));
                }
            }
            Link::Join {
                table,
                own,
                other,
                own_key,
                other_key,
            } => {
                let own_value = row.value(*own_key);
                let list = targets.unwrap_or_default();
                if connect {
                    for f in &list {
                        let mut q = Query::select();
                        q.column((T0, target.fields[*other_key].column))
                            .from_as(target.table, T0)
                            .cond_where(Cond { backend }.all(
                                target,
                                T0,
                                ROOT,
                                std::slice::from_ref(f),
                            ));
                        let kind = target.fields[*other_key].kind;
                        let found = conn
                            .fetch_optional(sql::build(&q, backend), Some(target), |r| {
                                decode_key_value(r, kind)
                            })
                            .await?
                            .ok_or_else(|| {
                                Error::new(
                                    ErrorKind::RecordNotFound,
                                    format!(
                                        "connect on {}.{}: no {} record matches",
                                        meta.name, rel.name, target.name
                                    ),
                                )
                            })?;
                        let mut ins = Query::insert();
                        ins.into_table(*table)
                            .columns([*own, *other])
                            .values_panic([Expr::val(own_value.clone()), Expr::val(found)]);
                        // Connecting twice is not an error (Prisma ignores it too).
                        if backend != Dialect::Mysql {
                            ins.on_conflict(
                                sea_query::OnConflict::columns([*own, *other])
                                    .do_nothing()
                                    .to_owned(),
                            );
                        }
                        conn.execute(sql::insert_ignoring(&ins, backend), Some(target))
                            .await?;
                    }
                } else {
                    let mut del = Query::delete();
                    del.from_table(*table)
                        .and_where(Expr::col(*own).eq(own_value.clone()));
                    if !list.is_empty() {
                        let mut q = Query::select();
                        q.column((T0, target.fields[*other_key].column))
                            .from_as(target.table, T0);
                        let mut any = Condition::any();
                        for f in &list {
                            any = any.add(Cond { backend }.all(
                                target,
                                T0,
                                ROOT,
                                std::slice::from_ref(f),
                            ));
                        }
                        q.cond_where(any);
                        del.and_where(Expr::col(*other).in_subquery(q));
                    }
                    conn.execute(sql::build(&del, backend), Some(target))
                        .await?;
                }
            }
            Link::Owner { .. } => {}
        }
    }
    Ok(())
}

/// `plan` with each nested connect's subquery replaced by the key it finds (given, so that the
/// new row's primary key is known); an error names the connect that found nothing.
///
/// Run before the write on every backend, as Prisma does: a connect that finds nothing fails
/// before anything is written (no sequence value is used up by an INSERT that fails), and an
/// optional foreign key is never silently set to NULL.
/// https://www.prisma.io/docs/orm/reference/error-reference#p2025
pub(crate) async fn resolve_lookups<M: Model>(conn: &Conn, plan: &mut Plan) -> Result<()> {
    let meta = M::META;
    let backend = conn.backend();
    for (f, q) in std::mem::take(&mut plan.lookups) {
        let kind = meta.fields[f].kind;
        let v = conn
            .fetch_optional(sql::build(&q, backend), None, |r| decode_key_value(r, kind))
            .await?
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::RecordNotFound,
                    format!(
                        "no record found for a nested connect on {}.{}",
                        meta.name, meta.fields[f].name
                    ),
                )
            })?;
        for (g, e) in plan.columns.iter_mut() {
            if *g == f {
                *e = Expr::val(v.clone());
            }
        }
        plan.given.push((f, v));
    }
    plan.connects = false;
    Ok(())
}
