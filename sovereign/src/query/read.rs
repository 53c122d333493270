//! The generic actions every generated model delegates to: reads, writes and their builders.

use std::marker::PhantomData;

use sea_query::{Condition, Expr, ExprTrait, Func, Query, SelectStatement, Value};

use crate::db::{Backend, Conn};
use crate::error::{Error, ErrorKind, Result};
use crate::fetch::Load;
use crate::filter::{Direction, Filter, OrderBy, Set, SetKind, SetOp, Unique, Where};
use crate::meta::{Generated, Link, ModelMeta};
use crate::sql::{self, col, Cond, ALIAS};
use crate::value::Reader;

/// A generated model's data type.
pub trait Model: Sized + Send + Sync + Clone + 'static {
    const META: &'static ModelMeta;
    /// Decodes the scalar columns, in [`ModelMeta::fields`] order; relations start unfetched.
    fn decode(r: &mut Reader<'_>) -> Result<Self>;
    /// The value of scalar field `field`.
    fn value(&self, field: usize) -> Value;
}

/// Arguments of a read.
pub struct FindArgs<M> {
    pub(crate) filters: Vec<Filter>,
    pub(crate) order: Vec<(usize, Direction)>,
    pub(crate) take: Option<i64>,
    pub(crate) skip: Option<i64>,
    pub(crate) cursor: Option<Filter>,
    pub(crate) with: Vec<Box<dyn Load<M>>>,
}

impl<M> Default for FindArgs<M> {
    fn default() -> Self {
        FindArgs {
            filters: Vec::new(),
            order: Vec::new(),
            take: None,
            skip: None,
            cursor: None,
            with: Vec::new(),
        }
    }
}

fn filters<M>(w: Vec<Where<M>>) -> Vec<Filter> {
    w.into_iter().map(|w| w.filter).collect()
}

/// Records after the cursor record (included), in the order of `args`.
pub(crate) fn cursor_condition<M>(
    meta: &ModelMeta,
    backend: Backend,
    args: &FindArgs<M>,
    cursor: &Filter,
) -> Condition {
    let mut orders = args.order.clone();
    for &pk in meta.primary_key {
        if !orders.iter().any(|(f, _)| *f == pk) {
            orders.push((pk, Direction::Asc));
        }
    }
    let value_of = |field: usize| -> Expr {
        let mut q = Query::select();
        q.column(("tc", meta.fields[field].column))
            .from_as(meta.table, "tc")
            .cond_where(Cond { backend }.all(meta, "tc", 6, std::slice::from_ref(cursor)));
        Expr::SubQuery(None, Box::new(q.into()))
    };
    // (o1 > c1) OR (o1 = c1 AND o2 > c2) OR ... OR (all equal).
    let mut any = Condition::any();
    for i in 0..=orders.len() {
        let mut all = Condition::all();
        for &(f, _) in &orders[..i] {
            all = all.add(col(ALIAS[0], meta.fields[f].column).eq(value_of(f)));
        }
        if let Some(&(f, dir)) = orders.get(i) {
            let c = col(ALIAS[0], meta.fields[f].column);
            all = all.add(match dir {
                Direction::Asc => c.gt(value_of(f)),
                Direction::Desc => c.lt(value_of(f)),
            });
        }
        any = any.add(all);
    }
    any
}

fn select<M: Model>(backend: Backend, args: &FindArgs<M>) -> SelectStatement {
    let meta = M::META;
    let mut q = sql::select_all(meta);
    q.cond_where(Cond { backend }.all(meta, ALIAS[0], 0, &args.filters));
    if let Some(c) = &args.cursor {
        q.cond_where(cursor_condition(meta, backend, args, c));
    }
    let mut orders = args.order.clone();
    if args.cursor.is_some() || args.take.is_some() || args.skip.is_some() {
        // Paging needs a total order.
        for &pk in meta.primary_key {
            if !orders.iter().any(|(f, _)| *f == pk) {
                orders.push((pk, Direction::Asc));
            }
        }
    }
    sql::order(&mut q, meta, ALIAS[0], &orders);
    sql::limit(&mut q, args.take, args.skip);
    q
}

async fn load_with<M: Model>(conn: &Conn, with: &[Box<dyn Load<M>>], rows: &mut [M]) -> Result<()> {
    for w in with {
        w.load(conn, rows).await?;
    }
    Ok(())
}

/// Reads of one model; what a read-only view offers.
pub struct ReadActions<M> {
    pub(crate) conn: Conn,
    _m: PhantomData<fn() -> M>,
}

impl<M> Clone for ReadActions<M> {
    fn clone(&self) -> Self {
        ReadActions {
            conn: self.conn.clone(),
            _m: PhantomData,
        }
    }
}

impl<M> std::fmt::Debug for ReadActions<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadActions")
            .field("conn", &self.conn)
            .finish()
    }
}

impl<M: Model> ReadActions<M> {
    #[doc(hidden)]
    pub fn new(conn: Conn) -> Self {
        ReadActions {
            conn,
            _m: PhantomData,
        }
    }
    /// The record the unique filter selects, if any.
    pub fn find_unique(&self, w: Unique<M>) -> FindUnique<M> {
        FindUnique {
            conn: self.conn.clone(),
            filter: w.filter,
            with: Vec::new(),
        }
    }
    /// The first record matching all filters, in the given order.
    pub fn find_first(&self, w: Vec<Where<M>>) -> FindFirst<M> {
        FindFirst(self.find_many(w))
    }
    /// Every record matching all filters.
    pub fn find_many(&self, w: Vec<Where<M>>) -> FindMany<M> {
        let args = FindArgs {
            filters: filters(w),
            ..FindArgs::default()
        };
        FindMany {
            conn: self.conn.clone(),
            args,
        }
    }
    /// How many records match all filters.
    pub fn count(&self, w: Vec<Where<M>>) -> Count<M> {
        Count {
            conn: self.conn.clone(),
            filters: filters(w),
            _m: PhantomData,
        }
    }
}

/// A model a client may write; the generated code implements it for every model outside
/// read-only views.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is read-only here: a plugin reads the platform's core models but cannot write them",
    label = "read-only model",
    note = "write core records from the platform (its client), or move the data into the plugin's own models"
)]
pub trait Writable: Model {}

impl<M: Model> ReadActions<M> {
    /// Not available: this model is read-only in this client.
    #[doc(hidden)]
    pub fn update(&self, _: Unique<M>, _: Vec<Set<M>>) -> Update<M>
    where
        M: Writable,
    {
        unreachable!("writable models use Actions::update")
    }
    /// Not available: this model is read-only in this client.
    #[doc(hidden)]
    pub fn delete(&self, _: Unique<M>) -> Delete<M>
    where
        M: Writable,
    {
        unreachable!("writable models use Actions::delete")
    }
    /// Not available: this model is read-only in this client.
    #[doc(hidden)]
    pub fn update_many(&self, _: Vec<Where<M>>, _: Vec<Set<M>>) -> UpdateMany<M>
    where
        M: Writable,
    {
        unreachable!("writable models use Actions::update_many")
    }
    /// Not available: this model is read-only in this client.
    #[doc(hidden)]
    pub fn delete_many(&self, _: Vec<Where<M>>) -> DeleteMany<M>
    where
        M: Writable,
    {
        unreachable!("writable models use Actions::delete_many")
    }
}

/// Reads and writes of one model.
pub struct Actions<M>(ReadActions<M>);

impl<M> Clone for Actions<M> {
    fn clone(&self) -> Self {
        Actions(self.0.clone())
    }
}

impl<M> std::fmt::Debug for Actions<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Actions").field(&self.0.conn).finish()
    }
}

impl<M> std::ops::Deref for Actions<M> {
    type Target = ReadActions<M>;
    fn deref(&self) -> &ReadActions<M> {
        &self.0
    }
}

impl<M: Writable> Actions<M> {
    #[doc(hidden)]
    pub fn new(conn: Conn) -> Self {
        Actions(ReadActions::new(conn))
    }
    /// Creates a record from setters (the generated `create` passes the required fields).
    #[doc(hidden)]
    pub fn create_from(&self, sets: Vec<Set<M>>) -> Create<M> {
        Create {
            conn: self.0.conn.clone(),
            sets,
        }
    }
    #[doc(hidden)]
    pub fn create_many_from(&self, rows: Vec<Vec<Set<M>>>) -> CreateMany<M> {
        CreateMany {
            conn: self.0.conn.clone(),
            rows,
            skip_duplicates: false,
        }
    }
    #[doc(hidden)]
    pub fn upsert_from(&self, w: Unique<M>, create: Vec<Set<M>>, update: Vec<Set<M>>) -> Upsert<M> {
        Upsert {
            conn: self.0.conn.clone(),
            filter: w.filter,
            create,
            update,
        }
    }
    /// Changes the record the unique filter selects; [`ErrorKind::RecordNotFound`] if none.
    pub fn update(&self, w: Unique<M>, sets: Vec<Set<M>>) -> Update<M> {
        Update {
            conn: self.0.conn.clone(),
            filter: w.filter,
            sets,
        }
    }
    /// Changes every record matching all filters; returns how many.
    pub fn update_many(&self, w: Vec<Where<M>>, sets: Vec<Set<M>>) -> UpdateMany<M> {
        UpdateMany {
            conn: self.0.conn.clone(),
            filters: filters(w),
            sets,
        }
    }
    /// Deletes the record the unique filter selects and returns it.
    pub fn delete(&self, w: Unique<M>) -> Delete<M> {
        Delete {
            conn: self.0.conn.clone(),
            filter: w.filter,
            _m: PhantomData,
        }
    }
    /// Deletes every record matching all filters; returns how many.
    pub fn delete_many(&self, w: Vec<Where<M>>) -> DeleteMany<M> {
        DeleteMany {
            conn: self.0.conn.clone(),
            filters: filters(w),
            _m: PhantomData,
        }
    }
}

/// `find_many(...)`: modifiers, then `.exec().await`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct FindMany<M> {
    conn: Conn,
    args: FindArgs<M>,
}

impl<M: Model> FindMany<M> {
    pub fn order_by(mut self, o: OrderBy<M>) -> Self {
        self.args.order.push((o.field, o.direction));
        self
    }
    pub fn take(mut self, n: i64) -> Self {
        self.args.take = Some(n);
        self
    }
    pub fn skip(mut self, n: i64) -> Self {
        self.args.skip = Some(n);
        self
    }
    /// Starts at the record the unique filter selects (included), in this query's order.
    pub fn cursor(mut self, u: Unique<M>) -> Self {
        self.args.cursor = Some(u.filter);
        self
    }
    /// Fetches a relation with the records: `.with(post::comments::fetch(vec![]))`.
    pub fn with(mut self, w: impl Into<Box<dyn Load<M>>>) -> Self {
        self.args.with.push(w.into());
        self
    }
    pub async fn exec(self) -> Result<Vec<M>> {
        let backend = self.conn.backend();
        let stmt = sql::build(&select(backend, &self.args), backend);
        let mut rows = self.conn.fetch(stmt, Some(M::META), M::decode).await?;
        load_with(&self.conn, &self.args.with, &mut rows).await?;
        Ok(rows)
    }
}

/// A struct of some of a model's fields; [`select!`](crate::select) declares one.
pub trait Selection: Sized + Send + 'static {
    type Model: Model;
    /// The selected fields' numbers, in decoding order.
    const FIELDS: &'static [usize];
    fn decode(r: &mut Reader<'_>) -> Result<Self>;
}

/// What [`select!`](crate::select) returns: the selection to pass to `.select(...)`.
pub struct Select<S>(PhantomData<fn() -> S>);

impl<S: Selection> Select<S> {
    #[doc(hidden)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Select(PhantomData)
    }
}

fn select_fields(q: &mut SelectStatement, meta: &ModelMeta, fields: &[usize]) {
    q.clear_selects();
    for &f in fields {
        q.column((ALIAS[0], meta.fields[f].column));
    }
}

impl<M: Model> FindMany<M> {
    /// Reads only the fields of a [`select!`](crate::select) struct.
    pub fn select<S: Selection<Model = M>>(self, _: Select<S>) -> FindManySelect<M, S> {
        FindManySelect {
            inner: self,
            _s: PhantomData,
        }
    }
}

/// `find_many(...).select(...)`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct FindManySelect<M, S> {
    inner: FindMany<M>,
    _s: PhantomData<fn() -> S>,
}

impl<M: Model, S: Selection<Model = M>> FindManySelect<M, S> {
    pub async fn exec(self) -> Result<Vec<S>> {
        let conn = &self.inner.conn;
        let backend = conn.backend();
        let mut q = select(backend, &self.inner.args);
        select_fields(&mut q, M::META, S::FIELDS);
        conn.fetch(sql::build(&q, backend), Some(M::META), S::decode)
            .await
    }
}

/// `find_first(...)`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct FindFirst<M>(FindMany<M>);

impl<M: Model> FindFirst<M> {
    pub fn order_by(self, o: OrderBy<M>) -> Self {
        FindFirst(self.0.order_by(o))
    }
    pub fn skip(self, n: i64) -> Self {
        FindFirst(self.0.skip(n))
    }
    pub fn cursor(self, u: Unique<M>) -> Self {
        FindFirst(self.0.cursor(u))
    }
    pub fn with(self, w: impl Into<Box<dyn Load<M>>>) -> Self {
        FindFirst(self.0.with(w))
    }
    pub async fn exec(self) -> Result<Option<M>> {
        Ok(self.0.take(1).exec().await?.pop())
    }
}

/// `find_unique(...)`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct FindUnique<M> {
    conn: Conn,
    filter: Filter,
    with: Vec<Box<dyn Load<M>>>,
}

impl<M: Model> FindUnique<M> {
    /// Reads only the fields of a [`select!`](crate::select) struct.
    pub fn select<S: Selection<Model = M>>(self, _: Select<S>) -> SelectOne<M, S> {
        SelectOne {
            conn: self.conn,
            filter: self.filter,
            _m: PhantomData,
        }
    }

    pub fn with(mut self, w: impl Into<Box<dyn Load<M>>>) -> Self {
        self.with.push(w.into());
        self
    }
    pub async fn exec(self) -> Result<Option<M>> {
        find_one(&self.conn, &self.filter, &self.with).await
    }
}

async fn find_one<M: Model>(
    conn: &Conn,
    filter: &Filter,
    with: &[Box<dyn Load<M>>],
) -> Result<Option<M>> {
    let backend = conn.backend();
    let stmt = sql::unique_select(M::META, backend, filter, || {
        let mut q = sql::select_all(M::META);
        q.cond_where(Cond { backend }.all(M::META, ALIAS[0], 0, std::slice::from_ref(filter)));
        sql::build(&q, backend)
    });
    let Some(row) = conn.fetch_optional(stmt, Some(M::META), M::decode).await? else {
        return Ok(None);
    };
    if with.is_empty() {
        // Records are wide: each move is a copy.
        return Ok(Some(row));
    }
    let mut rows = [row];
    load_with(conn, with, &mut rows).await?;
    let [row] = rows;
    Ok(Some(row))
}

/// `find_unique(...).select(...)`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct SelectOne<M, S> {
    conn: Conn,
    filter: Filter,
    _m: PhantomData<fn() -> (M, S)>,
}

impl<M: Model, S: Selection<Model = M>> SelectOne<M, S> {
    pub async fn exec(self) -> Result<Option<S>> {
        let backend = self.conn.backend();
        let mut q = sql::select_all(M::META);
        select_fields(&mut q, M::META, S::FIELDS);
        q.cond_where(Cond { backend }.all(
            M::META,
            ALIAS[0],
            0,
            std::slice::from_ref(&self.filter),
        ));
        self.conn
            .fetch_optional(sql::build(&q, backend), Some(M::META), S::decode)
            .await
    }
}

/// `count(...)`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct Count<M> {
    conn: Conn,
    filters: Vec<Filter>,
    _m: PhantomData<fn() -> M>,
}

impl<M: Model> Count<M> {
    pub async fn exec(self) -> Result<i64> {
        let backend = self.conn.backend();
        let meta = M::META;
        let mut q = Query::select();
        q.expr(Func::count(Expr::cust("*")))
            .from_as(meta.table, ALIAS[0])
            .cond_where(Cond { backend }.all(meta, ALIAS[0], 0, &self.filters));
        let stmt = sql::build(&q, backend);
        let n = self
            .conn
            .fetch_optional(stmt, Some(meta), |r| r.next::<i64>())
            .await?;
        Ok(n.unwrap_or(0))
    }
}

/// The pieces of an INSERT or UPDATE worked out from setters.
struct Plan {
    /// Column assignments of the model's own table.
    columns: Vec<(usize, Expr)>,
    /// Values given directly, by field (to find the primary key on MySQL).
    given: Vec<(usize, Value)>,
    /// Relation changes that touch other tables, run after the row exists.
    after: Vec<SetKind>,
    /// The row's foreign key comes from a nested connect: the field and the lookup of its
    /// value (a subquery in the INSERT; run first on MySQL, which cannot return the new row).
    lookups: Vec<(usize, SelectStatement)>,
    connects: bool,
}

pub(crate) fn now() -> Value {
    Value::ChronoDateTimeWithTimeZone(Some(chrono::Utc::now().fixed_offset()))
}

fn plan<M: Model>(backend: Backend, sets: Vec<Set<M>>, create: bool) -> Result<Plan> {
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
                            q.column((ALIAS[1], target.fields[*rf].column))
                                .from_as(target.table, ALIAS[1])
                                .cond_where(Cond { backend }.all(
                                    target,
                                    ALIAS[1],
                                    1,
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
pub(crate) fn client_default(
    f: &crate::meta::FieldMeta,
    backend: Backend,
    create: bool,
) -> Option<Value> {
    if f.updated_at {
        return Some(now());
    }
    if !create {
        return None;
    }
    match f.generated {
        Some(Generated::Now) if backend == Backend::Sqlite => Some(now()),
        Some(Generated::Now) | None => None,
        Some(g) => Some(Value::String(Some(crate::ids::generate(g)))),
    }
}

pub(crate) fn null_of(meta: &ModelMeta, field: usize) -> Value {
    use crate::meta::Kind;
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
fn connect_error(e: Error, plan: &Plan, model: &str) -> Error {
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

fn pk_filter<M: Model>(row: &M) -> Filter {
    Filter::And(
        M::META
            .primary_key
            .iter()
            .map(|&f| Filter::Field(f, crate::filter::Op::Equals(row.value(f))))
            .collect(),
    )
}

async fn insert<M: Model>(conn: &Conn, plan: &Plan) -> Result<M> {
    let meta = M::META;
    let backend = conn.backend();
    let mut resolved;
    let mut plan = plan;
    if !backend.returning() && !plan.lookups.is_empty() {
        // MySQL: find connected records first, to know the new row's key and to say which
        // connect found nothing.
        resolved = Plan {
            columns: plan.columns.clone(),
            given: plan.given.clone(),
            after: Vec::new(),
            lookups: Vec::new(),
            connects: false,
        };
        for (f, q) in &plan.lookups {
            let kind = meta.fields[*f].kind;
            let v = conn
                .fetch_optional(sql::build(q, backend), None, |r| key_value(r, kind))
                .await?
                .ok_or_else(|| {
                    Error::new(
                        ErrorKind::RecordNotFound,
                        format!(
                            "no record found for a nested connect on {}.{}",
                            meta.name, meta.fields[*f].name
                        ),
                    )
                })?;
            for (g, e) in resolved.columns.iter_mut() {
                if g == f {
                    *e = Expr::val(v.clone());
                }
            }
            resolved.given.push((*f, v));
        }
        plan = &resolved;
    }
    let returning = backend.returning();
    let build = || -> Result<crate::db::Stmt> {
        let mut q = Query::insert();
        q.into_table(meta.table);
        if plan.columns.is_empty() {
            q.or_default_values();
        } else {
            q.columns(plan.columns.iter().map(|(f, _)| meta.fields[*f].column));
            q.values(plan.columns.iter().map(|(_, e)| e.clone()))
                .map_err(|e| Error::new(ErrorKind::Configuration, e.to_string()))?;
        }
        if returning {
            q.returning(Query::returning().columns(meta.fields.iter().map(|f| f.column)));
        }
        Ok(sql::build(&q, backend))
    };
    let stmt = sql::insert_values(meta, backend, &plan.columns, build)?;
    if returning {
        let row = conn
            .fetch_optional(stmt, Some(meta), M::decode)
            .await
            .map_err(|e| connect_error(e, plan, meta.name))?;
        return row.ok_or_else(|| Error::not_found(meta.name, "create"));
    }
    let done = conn
        .execute(stmt, Some(meta))
        .await
        .map_err(|e| connect_error(e, plan, meta.name))?;
    // MySQL: find the new row by its primary key.
    let mut key = Vec::new();
    for &pk in meta.primary_key {
        let v = match plan.given.iter().find(|(f, _)| *f == pk) {
            Some((_, v)) => v.clone(),
            None if meta.auto_increment => match meta.fields[pk].kind {
                crate::meta::Kind::Int => {
                    Value::Int(done.last_insert_id.and_then(|i| i32::try_from(i).ok()))
                }
                _ => Value::BigInt(done.last_insert_id),
            },
            None => {
                return Err(Error::new(
                    ErrorKind::Configuration,
                    format!(
                        "cannot read back the new {} row on MySQL: its primary key is neither given nor autoincrement",
                        meta.name
                    ),
                ))
            }
        };
        key.push(Filter::Field(pk, crate::filter::Op::Equals(v)));
    }
    find_one(conn, &Filter::And(key), &[])
        .await?
        .ok_or_else(|| Error::not_found(meta.name, "create"))
}

/// Relation changes on other tables once the record exists.
async fn after<M: Model>(conn: &Conn, row: &M, ops: Vec<SetKind>) -> Result<()> {
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
                            0,
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
                        q.column((ALIAS[0], target.fields[*other_key].column))
                            .from_as(target.table, ALIAS[0])
                            .cond_where(Cond { backend }.all(
                                target,
                                ALIAS[0],
                                0,
                                std::slice::from_ref(f),
                            ));
                        let kind = target.fields[*other_key].kind;
                        let found = conn
                            .fetch_optional(sql::build(&q, backend), Some(target), |r| {
                                key_value(r, kind)
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
                        if backend != Backend::MySql {
                            ins.on_conflict(
                                sea_query::OnConflict::columns([*own, *other])
                                    .do_nothing()
                                    .to_owned(),
                            );
                        }
                        conn.execute(insert_ignoring(&ins, backend), Some(target))
                            .await?;
                    }
                } else {
                    let mut del = Query::delete();
                    del.from_table(*table)
                        .and_where(Expr::col(*own).eq(own_value.clone()));
                    if !list.is_empty() {
                        let mut q = Query::select();
                        q.column((ALIAS[0], target.fields[*other_key].column))
                            .from_as(target.table, ALIAS[0]);
                        let mut any = Condition::any();
                        for f in &list {
                            any = any.add(Cond { backend }.all(
                                target,
                                ALIAS[0],
                                0,
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

fn key_value(r: &mut Reader<'_>, kind: crate::meta::Kind) -> Result<Value> {
    use crate::meta::Kind;
    Ok(match kind {
        Kind::Int => Value::Int(Some(r.next::<i32>()?)),
        Kind::BigInt => Value::BigInt(Some(r.next::<i64>()?)),
        Kind::Bytes => Value::Bytes(Some(r.next::<Vec<u8>>()?)),
        _ => Value::String(Some(r.next::<String>()?)),
    })
}

/// An INSERT that skips rows hitting a unique key: `ON CONFLICT DO NOTHING` (set by the caller)
/// on SQLite and PostgreSQL, `INSERT IGNORE` on MySQL, as Prisma does.
fn insert_ignoring(q: &sea_query::InsertStatement, backend: Backend) -> crate::db::Stmt {
    let mut stmt = sql::build(q, backend);
    if backend == Backend::MySql {
        stmt.sql = stmt
            .sql
            .replacen("INSERT INTO", "INSERT IGNORE INTO", 1)
            .into();
    }
    stmt
}

/// Runs `f` in a transaction unless `conn` already is one (or `needed` is false).
async fn atomically<'a, T, F>(conn: &Conn, needed: bool, f: F) -> Result<T>
where
    F: FnOnce(Conn) -> crate::fetch::BoxFuture<'a, Result<T>>,
{
    if !needed || matches!(conn, Conn::Tx(..)) {
        return f(conn.clone()).await;
    }
    let tx = conn.begin().await?;
    match f(tx.clone()).await {
        Ok(v) => {
            tx.finish(true).await?;
            Ok(v)
        }
        Err(e) => {
            let _ = tx.finish(false).await;
            Err(e)
        }
    }
}

/// `create(...)`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct Create<M> {
    conn: Conn,
    sets: Vec<Set<M>>,
}

impl<M: Model> Create<M> {
    pub async fn exec(self) -> Result<M> {
        let plan = plan::<M>(self.conn.backend(), self.sets, true)?;
        atomically(&self.conn, !plan.after.is_empty(), move |conn| {
            Box::pin(async move {
                let conn = &conn;
                let row = insert::<M>(conn, &plan).await?;
                after(conn, &row, plan.after).await?;
                Ok(row)
            })
        })
        .await
    }
}

/// `create_many(...)`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct CreateMany<M> {
    conn: Conn,
    rows: Vec<Vec<Set<M>>>,
    skip_duplicates: bool,
}

impl<M: Model> CreateMany<M> {
    /// Leaves out rows that would violate a unique constraint instead of failing.
    pub fn skip_duplicates(mut self) -> Self {
        self.skip_duplicates = true;
        self
    }

    /// Inserts the rows (in as few statements as the parameter limits allow); returns how
    /// many were inserted.
    pub async fn exec(self) -> Result<i64> {
        let meta = M::META;
        let backend = self.conn.backend();
        // Rows with the same columns go into one statement.
        let mut groups: Vec<(Vec<usize>, Vec<Vec<Expr>>)> = Vec::new();
        for sets in self.rows {
            let mut p = plan::<M>(backend, sets, true)?;
            if !p.after.is_empty() {
                return Err(Error::new(
                    ErrorKind::Configuration,
                    format!(
                        "create_many on {} cannot connect list relations; use create",
                        meta.name
                    ),
                ));
            }
            p.columns.sort_by_key(|(f, _)| *f);
            let cols: Vec<usize> = p.columns.iter().map(|(f, _)| *f).collect();
            let vals: Vec<Expr> = p.columns.into_iter().map(|(_, e)| e).collect();
            match groups.iter_mut().find(|(c, _)| *c == cols) {
                Some((_, rows)) => rows.push(vals),
                None => groups.push((cols, vec![vals])),
            }
        }
        let limit = match backend {
            Backend::Sqlite => 32_766,
            _ => 65_535,
        };
        let mut total = 0i64;
        atomically(&self.conn, true, move |conn| {
            Box::pin(async move {
                let conn = &conn;
                for (cols, rows) in groups {
                    let per = (limit / cols.len().max(1)).max(1);
                    for chunk in rows.chunks(per) {
                        let mut q = Query::insert();
                        q.into_table(meta.table);
                        if cols.is_empty() {
                            q.or_default_values();
                        } else {
                            q.columns(cols.iter().map(|&f| meta.fields[f].column));
                        }
                        for r in chunk {
                            if !cols.is_empty() {
                                q.values(r.iter().cloned()).map_err(|e| {
                                    Error::new(ErrorKind::Configuration, e.to_string())
                                })?;
                            }
                        }
                        if self.skip_duplicates && backend != Backend::MySql {
                            q.on_conflict(sea_query::OnConflict::new().do_nothing().to_owned());
                        }
                        let stmt = if self.skip_duplicates {
                            insert_ignoring(&q, backend)
                        } else {
                            sql::build(&q, backend)
                        };
                        let done = conn.execute(stmt, Some(meta)).await?;
                        total += done.rows as i64;
                    }
                }
                Ok(total)
            })
        })
        .await
    }
}

/// The MySQL fallback for a unique write: the primary key of the selected record.
async fn locate<M: Model>(conn: &Conn, filter: &Filter, action: &str) -> Result<M> {
    find_one::<M>(conn, filter, &[])
        .await?
        .ok_or_else(|| Error::not_found(M::META.name, action))
}

async fn update_one<M: Model>(conn: &Conn, filter: &Filter, sets: Vec<Set<M>>) -> Result<M> {
    let meta = M::META;
    let backend = conn.backend();
    let plan = plan::<M>(backend, sets, false)?;
    let needs_tx = !plan.after.is_empty() || !backend.returning();
    atomically(conn, needs_tx, move |conn| {
        Box::pin(async move {
            let conn = &conn;
            let row = if plan.columns.is_empty() {
                locate::<M>(conn, filter, "update").await?
            } else {
                let mut q = Query::update();
                q.table(meta.table);
                for (f, e) in &plan.columns {
                    q.value(meta.fields[*f].column, e.clone());
                }
                if backend.returning() {
                    q.cond_where(Cond { backend }.all(
                        meta,
                        meta.table,
                        0,
                        std::slice::from_ref(filter),
                    ));
                    q.returning(Query::returning().columns(meta.fields.iter().map(|f| f.column)));
                    conn.fetch_optional(sql::build(&q, backend), Some(meta), M::decode)
                        .await
                        .map_err(|e| connect_error(e, &plan, meta.name))?
                        .ok_or_else(|| Error::not_found(meta.name, "update"))?
                } else {
                    let found = locate::<M>(conn, filter, "update").await?;
                    let pk = pk_filter(&found);
                    q.cond_where(Cond { backend }.all(
                        meta,
                        meta.table,
                        0,
                        std::slice::from_ref(&pk),
                    ));
                    conn.execute(sql::build(&q, backend), Some(meta))
                        .await
                        .map_err(|e| connect_error(e, &plan, meta.name))?;
                    // The primary key itself may have changed.
                    let mut key = Vec::new();
                    for &f in meta.primary_key {
                        let v = plan
                            .given
                            .iter()
                            .find(|(g, _)| *g == f)
                            .map_or_else(|| found.value(f), |(_, v)| v.clone());
                        key.push(Filter::Field(f, crate::filter::Op::Equals(v)));
                    }
                    locate::<M>(conn, &Filter::And(key), "update").await?
                }
            };
            after(conn, &row, plan.after).await?;
            Ok(row)
        })
    })
    .await
}

/// `update(...)`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct Update<M> {
    conn: Conn,
    filter: Filter,
    sets: Vec<Set<M>>,
}

impl<M: Model> Update<M> {
    pub async fn exec(self) -> Result<M> {
        update_one(&self.conn, &self.filter, self.sets).await
    }
}

/// `update_many(...)`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct UpdateMany<M> {
    conn: Conn,
    filters: Vec<Filter>,
    sets: Vec<Set<M>>,
}

impl<M: Model> UpdateMany<M> {
    pub async fn exec(self) -> Result<i64> {
        let meta = M::META;
        let backend = self.conn.backend();
        let plan = plan::<M>(backend, self.sets, false)?;
        if !plan.after.is_empty() {
            return Err(Error::new(
                ErrorKind::Configuration,
                format!(
                    "update_many on {} cannot change list relations; use update",
                    meta.name
                ),
            ));
        }
        if plan.columns.is_empty() {
            return Count::<M> {
                conn: self.conn,
                filters: self.filters,
                _m: PhantomData,
            }
            .exec()
            .await;
        }
        let mut q = Query::update();
        q.table(meta.table);
        for (f, e) in plan.columns {
            q.value(meta.fields[f].column, e);
        }
        q.cond_where(Cond { backend }.all(meta, meta.table, 0, &self.filters));
        let done = self
            .conn
            .execute(sql::build(&q, backend), Some(meta))
            .await?;
        Ok(done.rows as i64)
    }
}

/// `upsert(...)`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct Upsert<M> {
    conn: Conn,
    filter: Filter,
    create: Vec<Set<M>>,
    update: Vec<Set<M>>,
}

impl<M: Model> Upsert<M> {
    /// Updates the record the unique filter selects, or creates one if there is none.
    pub async fn exec(self) -> Result<M> {
        let Upsert {
            conn,
            filter,
            create,
            update,
        } = self;
        atomically(&conn, true, move |conn| {
            Box::pin(async move {
                let conn = &conn;
                if find_one::<M>(conn, &filter, &[]).await?.is_some() {
                    update_one(conn, &filter, update).await
                } else {
                    let plan = plan::<M>(conn.backend(), create, true)?;
                    let row = insert::<M>(conn, &plan).await?;
                    after(conn, &row, plan.after).await?;
                    Ok(row)
                }
            })
        })
        .await
    }
}

/// `delete(...)`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct Delete<M> {
    conn: Conn,
    filter: Filter,
    _m: PhantomData<fn() -> M>,
}

impl<M: Model> Delete<M> {
    pub async fn exec(self) -> Result<M> {
        let meta = M::META;
        let conn = &self.conn;
        let backend = conn.backend();
        let mut q = Query::delete();
        q.from_table(meta.table);
        if backend.returning() {
            q.cond_where(Cond { backend }.all(
                meta,
                meta.table,
                0,
                std::slice::from_ref(&self.filter),
            ));
            q.returning(Query::returning().columns(meta.fields.iter().map(|f| f.column)));
            return conn
                .fetch_optional(sql::build(&q, backend), Some(meta), M::decode)
                .await?
                .ok_or_else(|| Error::not_found(meta.name, "delete"));
        }
        let filter = self.filter;
        atomically(conn, true, move |conn| {
            Box::pin(async move {
                let conn = &conn;
                let found = locate::<M>(conn, &filter, "delete").await?;
                let pk = pk_filter(&found);
                q.cond_where(Cond { backend }.all(meta, meta.table, 0, std::slice::from_ref(&pk)));
                conn.execute(sql::build(&q, backend), Some(meta)).await?;
                Ok(found)
            })
        })
        .await
    }
}

/// `delete_many(...)`.
#[must_use = "a query does nothing until `.exec().await`"]
pub struct DeleteMany<M> {
    conn: Conn,
    filters: Vec<Filter>,
    _m: PhantomData<fn() -> M>,
}

impl<M: Model> DeleteMany<M> {
    pub async fn exec(self) -> Result<i64> {
        let meta = M::META;
        let backend = self.conn.backend();
        let mut q = Query::delete();
        q.from_table(meta.table).cond_where(Cond { backend }.all(
            meta,
            meta.table,
            0,
            &self.filters,
        ));
        let done = self
            .conn
            .execute(sql::build(&q, backend), Some(meta))
            .await?;
        Ok(done.rows as i64)
    }
}
