//! The studio: browse and edit a database in the browser, served by this binary.
//!
//! `sovereign studio` opens the platform's shared database; `plugin-db-manage studio <ns>` a
//! plugin's view: a dedicated plugin's own database (editable) beside the core tables
//! (read-only), or a shared plugin's own models (editable) beside the core ones (read-only).
//!
//! The server listens on 127.0.0.1 only and requires a random token, printed in its URL, on
//! every request: another local user, or a web page the browser visits, cannot reach the data.
//! Data goes through [`sovereign::dynamic`], the typed client's runtime without generated
//! types, so values, filters and error kinds are the client's own. Pages are read with
//! `LIMIT`/`OFFSET`; nothing ever loads a whole table.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, Result};
use axum::extract::{Query, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use sovereign::dynamic::{Catalog, DynModel, Page, Record};
use sovereign::{Conn, Database, Direction, ErrorKind};

const PAGE_HTML: &str = include_str!("index.html");
const STUDIO_CSS: &str = include_str!("studio.css");
const STUDIO_JS: &str = include_str!("studio.js");

/// The most rows one page may ask for.
const MAX_TAKE: i64 = 500;

/// One database the studio shows: its models and which of them may be edited.
pub struct Source {
    /// Shown above its models: "Platform", "Plugin blog", "Core (read-only)".
    pub label: String,
    pub database: Database,
    pub catalog: Catalog,
    /// The models that may be edited (`None`: all of them).
    pub writable: Option<Vec<String>>,
    /// Why the others may not be, shown in the interface.
    pub read_only_reason: String,
}

impl Source {
    fn writable(&self, model: &str) -> bool {
        self.writable
            .as_ref()
            .is_none_or(|w| w.iter().any(|m| m == model))
    }
}

/// What the server serves.
pub struct Studio {
    pub title: String,
    pub sources: Vec<Source>,
    token: String,
}

impl Studio {
    /// A studio with a new random token.
    pub fn new(title: impl Into<String>, sources: Vec<Source>) -> Result<Studio> {
        let mut bytes = [0u8; 24];
        getrandom::fill(&mut bytes)
            .map_err(|e| anyhow::anyhow!("no randomness for the token: {e}"))?;
        let token = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Ok(Studio {
            title: title.into(),
            sources,
            token,
        })
    }

    /// The token every request must carry (`?token=` or the `x-studio-token` header).
    pub fn token(&self) -> &str {
        &self.token
    }
}

/// How to serve.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// The port on 127.0.0.1 (default: a free one).
    pub port: Option<u16>,
    /// Open the URL in a browser.
    pub browser: bool,
}

/// Opens the sources (in the server's runtime, where their connections live), then serves
/// until Ctrl-C; prints the URL first.
pub fn serve(
    title: String,
    sources: impl std::future::Future<Output = Result<Vec<Source>>>,
    options: ServeOptions,
) -> Result<std::process::ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(async move {
        let studio = Studio::new(title, sources.await?)?;
        let listener = listen(options.port).await?;
        let addr = listener.local_addr()?;
        let url = format!("http://{addr}/?token={}", studio.token);
        println!("Sovereign Studio for {} is up at {url}", studio.title);
        for s in &studio.sources {
            let n = s.catalog.models().len();
            println!("  {}: {n} model{}", s.label, if n == 1 { "" } else { "s" });
        }
        println!("Press Ctrl-C to stop.");
        if options.browser {
            open_browser(&url);
        }
        let app = router(Arc::new(studio));
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("the studio server failed")?;
        Ok(std::process::ExitCode::SUCCESS)
    })
}

/// A listener on 127.0.0.1, on `port` or a free one.
async fn listen(port: Option<u16>) -> Result<tokio::net::TcpListener> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port.unwrap_or(0)));
    tokio::net::TcpListener::bind(addr).await.with_context(|| {
        format!("cannot listen on {addr}: is the port in use? Choose another with --port, or leave it out for a free one")
    })
}

/// Serves `studio` on a free port of 127.0.0.1 in a task of the current runtime (for tests and
/// benchmarks); returns its address and token.
pub async fn spawn(studio: Studio) -> Result<(SocketAddr, String)> {
    let listener = listen(None).await?;
    let addr = listener.local_addr()?;
    let token = studio.token.clone();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router(Arc::new(studio))).await;
    });
    Ok((addr, token))
}

/// Opens `url` with the platform's opener; says so when there is none.
fn open_browser(url: &str) {
    let candidates: Vec<(String, Vec<String>)> = if cfg!(target_os = "macos") {
        vec![("open".into(), vec![url.into()])]
    } else if cfg!(windows) {
        vec![(
            "cmd".into(),
            vec!["/C".into(), "start".into(), String::new(), url.into()],
        )]
    } else {
        let mut c = Vec::new();
        if let Ok(b) = std::env::var("BROWSER") {
            c.push((b, vec![url.to_string()]));
        }
        c.push(("xdg-open".into(), vec![url.into()]));
        c
    };
    for (program, args) in candidates {
        let spawned = std::process::Command::new(&program)
            .args(&args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if spawned.is_ok() {
            return;
        }
    }
    eprintln!("note: no browser could be opened here; open the URL above yourself");
}

/// The studio's routes, behind the token check.
pub fn router(studio: Arc<Studio>) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/studio.css", get(css))
        .route("/studio.js", get(js))
        .route("/api/schema", get(schema))
        .route("/api/rows", get(rows))
        .route("/api/count", get(count))
        .route("/api/counts", get(counts))
        .route("/api/record", get(record))
        .route("/api/create", post(create))
        .route("/api/update", post(update))
        .route("/api/delete", post(delete))
        .layer(middleware::from_fn_with_state(studio.clone(), guard))
        .with_state(studio)
}

/// Equal in time whatever the first difference.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Refuses requests without the token, and requests addressed to another host name (a page
/// rebinding its own name to 127.0.0.1).
async fn guard(State(studio): State<Arc<Studio>>, req: Request, next: Next) -> Response {
    let host_ok = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| h.rsplit_once(':').map_or(h, |(name, _)| name))
        .is_some_and(|name| matches!(name, "127.0.0.1" | "localhost" | "[::1]"));
    if !host_ok {
        return (
            StatusCode::FORBIDDEN,
            "The studio answers only requests addressed to 127.0.0.1 or localhost.",
        )
            .into_response();
    }
    let from_header = req
        .headers()
        .get("x-studio-token")
        .and_then(|h| h.to_str().ok())
        .map(str::to_string);
    let from_query = req.uri().query().and_then(|q| {
        q.split('&')
            .find_map(|kv| kv.strip_prefix("token="))
            .map(str::to_string)
    });
    let ok = from_header
        .or(from_query)
        .is_some_and(|t| same(&t, &studio.token));
    if !ok {
        return (
            StatusCode::FORBIDDEN,
            "This studio needs its token: open the full URL it printed when it started (…/?token=…).",
        )
            .into_response();
    }
    next.run(req).await
}

async fn page(State(studio): State<Arc<Studio>>) -> Response {
    let html = PAGE_HTML
        .replace("{{TOKEN}}", &studio.token)
        .replace("{{TITLE}}", &html_escape(&studio.title));
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response()
}

async fn css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        STUDIO_CSS,
    )
        .into_response()
}

async fn js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        STUDIO_JS,
    )
        .into_response()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An error answered as `{"error": {...}}` with a status.
struct ApiError {
    status: StatusCode,
    body: Value,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(json!({ "error": self.body }))).into_response()
    }
}

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError {
        status: StatusCode::BAD_REQUEST,
        body: json!({"kind": "bad_request", "message": message.into()}),
    }
}

/// The database's objection in words, with the fields it concerns.
fn db_error(model: &DynModel, action: &str, e: sovereign::Error) -> ApiError {
    let (status, kind, message, fields): (StatusCode, &str, String, Vec<String>) = match e.kind() {
        ErrorKind::UniqueViolation { fields, .. } => (
            StatusCode::CONFLICT,
            "unique_violation",
            if fields.is_empty() {
                format!(
                    "Another {} already has these values: they must be unique. ({})",
                    model.name,
                    e.message()
                )
            } else {
                format!(
                    "Another {} already has this {}: {} must be unique.",
                    model.name,
                    fields.join(" and "),
                    if fields.len() == 1 {
                        "it"
                    } else {
                        "together they"
                    }
                )
            },
            fields.clone(),
        ),
        ErrorKind::ForeignKeyViolation { .. } if action == "delete" => (
            StatusCode::CONFLICT,
            "foreign_key_violation",
            format!(
                "This {} is still in use: other records refer to it. Delete or change them first.",
                model.name
            ),
            Vec::new(),
        ),
        ErrorKind::ForeignKeyViolation { .. } => {
            let fks: Vec<String> = model
                .fields
                .iter()
                .filter(|f| f.foreign_key)
                .map(|f| f.name.clone())
                .collect();
            (
                StatusCode::CONFLICT,
                "foreign_key_violation",
                format!(
                    "No related record has this key: check {}.",
                    if fks.is_empty() {
                        "the relation fields".to_string()
                    } else {
                        fks.join(", ")
                    }
                ),
                fks,
            )
        }
        ErrorKind::NullViolation { column } => {
            let field = column.as_ref().map(|c| {
                model
                    .fields
                    .iter()
                    .find(|f| &f.column == c || &f.name == c)
                    .map_or_else(|| c.clone(), |f| f.name.clone())
            });
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "missing_value",
                match &field {
                    Some(f) => format!("{f} is required: give it a value."),
                    None => format!("A required field has no value: {}", e.message()),
                },
                field.into_iter().collect(),
            )
        }
        ErrorKind::InvalidValue { field } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            e.message().to_string(),
            vec![field.clone()],
        ),
        ErrorKind::RecordNotFound => (
            StatusCode::NOT_FOUND,
            "not_found",
            format!(
                "This {} does not exist any more: someone deleted it or changed its key.",
                model.name
            ),
            Vec::new(),
        ),
        ErrorKind::Connection | ErrorKind::Timeout => (
            StatusCode::SERVICE_UNAVAILABLE,
            "connection",
            format!("The database cannot be reached: {}", e.message()),
            Vec::new(),
        ),
        _ => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "database",
            format!("The database refused: {}", e.message()),
            Vec::new(),
        ),
    };
    ApiError {
        status,
        body: json!({"kind": kind, "message": message, "fields": fields}),
    }
}

fn source_of(studio: &Studio, index: usize) -> Result<&Source, ApiError> {
    studio
        .sources
        .get(index)
        .ok_or_else(|| bad_request(format!("no source {index}")))
}

fn model_of<'a>(source: &'a Source, name: &str) -> Result<&'a DynModel, ApiError> {
    source
        .catalog
        .model(name)
        .ok_or_else(|| bad_request(format!("no model `{name}` in {}", source.label)))
}

fn conn(source: &Source) -> Conn {
    Conn::Db(source.database.clone())
}

async fn schema(State(studio): State<Arc<Studio>>) -> Result<Json<Value>, ApiError> {
    let mut sources = Vec::new();
    for (i, s) in studio.sources.iter().enumerate() {
        let mut models = Vec::new();
        for m in s.catalog.models() {
            let mut v = serde_json::to_value(m).map_err(|e| bad_request(e.to_string()))?;
            v["writable"] = json!(s.writable(&m.name) && !m.primary_key.is_empty());
            models.push(v);
        }
        sources.push(json!({
            "index": i,
            "label": s.label,
            "provider": s.database.backend().as_str(),
            "readOnlyReason": s.read_only_reason,
            "models": models,
        }));
    }
    Ok(Json(json!({"title": studio.title, "sources": sources})))
}

/// A filter as the page sends it.
#[derive(Debug, Deserialize)]
struct FilterArg {
    field: String,
    op: String,
    #[serde(default)]
    value: Value,
}

/// "Records related to that one": through `relation` of the listed model, to `model`'s record
/// with key `key`.
#[derive(Debug, Deserialize)]
struct RelatedArg {
    relation: String,
    model: String,
    key: Record,
}

fn json_param<T: serde::de::DeserializeOwned>(
    q: &HashMap<String, String>,
    name: &str,
) -> Result<Option<T>, ApiError> {
    q.get(name)
        .filter(|s| !s.is_empty())
        .map(|s| serde_json::from_str(s).map_err(|e| bad_request(format!("`{name}`: {e}"))))
        .transpose()
}

fn index_param(q: &HashMap<String, String>, name: &str) -> Result<usize, ApiError> {
    q.get(name).map_or(Ok(0), |s| {
        s.parse()
            .map_err(|_| bad_request(format!("`{name}` is not a number")))
    })
}

/// The filters of a listing: `filters` (field filters) and `related` (records linked to one).
fn listing_filters(
    source: &Source,
    model: &DynModel,
    q: &HashMap<String, String>,
) -> Result<Vec<sovereign::Filter>, ApiError> {
    let mut filters = Vec::new();
    for f in json_param::<Vec<FilterArg>>(q, "filters")?.unwrap_or_default() {
        filters.push(
            model
                .filter(&f.field, &f.op, &f.value, true)
                .map_err(|e| db_error(model, "filter", e))?,
        );
    }
    if let Some(r) = json_param::<RelatedArg>(q, "related")? {
        let target = model_of(source, &r.model)?;
        filters.push(
            model
                .related_filter(&r.relation, target, &r.key)
                .map_err(|e| db_error(model, "filter", e))?,
        );
    }
    Ok(filters)
}

/// How far a page's count goes past the page before it stops being exact: the rest comes from
/// `/api/count`, which the page asks for afterwards.
const COUNT_AHEAD: u64 = 1000;

/// A page of records, with a count that is exact up to `skip + take + 1000` (`exact: false`
/// beyond): opening a table of any size reads one page and at most a thousand more keys.
/// `reverse=1` reads from the end (`skip` counted from the last record).
async fn rows(
    State(studio): State<Arc<Studio>>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let source = source_of(&studio, index_param(&q, "source")?)?;
    let model = model_of(source, q.get("model").map_or("", String::as_str))?;
    let filters = listing_filters(source, model, &q)?;
    let mut order = Vec::new();
    if let Some(o) = q.get("order").filter(|o| !o.is_empty()) {
        let (field, dir) = o.split_once(':').unwrap_or((o, "asc"));
        let i = model
            .field_index(field)
            .map_err(|e| db_error(model, "order", e))?;
        let dir = if dir == "desc" {
            Direction::Desc
        } else {
            Direction::Asc
        };
        order.push((i, dir));
    }
    let take = q
        .get("take")
        .and_then(|t| t.parse::<i64>().ok())
        .unwrap_or(50)
        .clamp(1, MAX_TAKE);
    let skip = q
        .get("skip")
        .and_then(|t| t.parse::<i64>().ok())
        .unwrap_or(0)
        .max(0);
    let reverse = q.get("reverse").is_some_and(|r| r == "1" || r == "true");
    let c = conn(source);
    let page = Page {
        filters,
        order,
        take: Some(take),
        skip: Some(skip),
        reverse,
    };
    let cap = skip as u64 + take as u64 + COUNT_AHEAD;
    let (rows, counted) = tokio::try_join!(
        model.find_many(&c, &page),
        model.count_capped(&c, &page.filters, cap + 1)
    )
    .map_err(|e| db_error(model, "read", e))?;
    let exact = (counted as u64) <= cap;
    Ok(Json(json!({
        "rows": rows,
        "total": counted.min(cap as i64),
        "exact": exact,
        "skip": skip,
        "take": take,
        "reverse": reverse,
    })))
}

/// The exact number of records a listing shows.
async fn count(
    State(studio): State<Arc<Studio>>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let source = source_of(&studio, index_param(&q, "source")?)?;
    let model = model_of(source, q.get("model").map_or("", String::as_str))?;
    let filters = listing_filters(source, model, &q)?;
    let total = model
        .count(&conn(source), &filters)
        .await
        .map_err(|e| db_error(model, "count", e))?;
    Ok(Json(json!({ "total": total })))
}

/// The row count of every model of a source, for the sidebar (asked for after the page shows).
async fn counts(
    State(studio): State<Arc<Studio>>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let source = source_of(&studio, index_param(&q, "source")?)?;
    let mut out = serde_json::Map::new();
    for m in source.catalog.models() {
        let n = m
            .count(&conn(source), &[])
            .await
            .map_err(|e| db_error(m, "count", e))?;
        out.insert(m.name.clone(), json!(n));
    }
    Ok(Json(json!({ "counts": out })))
}

async fn record(
    State(studio): State<Arc<Studio>>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let source = source_of(&studio, index_param(&q, "source")?)?;
    let model = model_of(source, q.get("model").map_or("", String::as_str))?;
    let key: Record = json_param(&q, "key")?.ok_or_else(|| bad_request("`key` is required"))?;
    let found = model
        .find_unique(&conn(source), &key)
        .await
        .map_err(|e| db_error(model, "read", e))?;
    match found {
        Some(r) => Ok(Json(json!({"record": r}))),
        None => Err(db_error(
            model,
            "read",
            sovereign::Error::not_found_with("no record"),
        )),
    }
}

#[derive(Debug, Deserialize)]
struct WriteArg {
    #[serde(default)]
    source: usize,
    model: String,
    #[serde(default)]
    key: Record,
    #[serde(default)]
    values: Record,
}

fn writable<'a>(
    studio: &'a Studio,
    arg: &WriteArg,
) -> Result<(&'a Source, &'a DynModel), ApiError> {
    let source = source_of(studio, arg.source)?;
    let model = model_of(source, &arg.model)?;
    if !source.writable(&model.name) {
        return Err(ApiError {
            status: StatusCode::FORBIDDEN,
            body: json!({
                "kind": "read_only",
                "message": format!("{} is read-only here: {}", model.name, source.read_only_reason),
            }),
        });
    }
    Ok((source, model))
}

async fn create(
    State(studio): State<Arc<Studio>>,
    Json(arg): Json<WriteArg>,
) -> Result<Json<Value>, ApiError> {
    let (source, model) = writable(&studio, &arg)?;
    let r = model
        .create(&conn(source), &arg.values)
        .await
        .map_err(|e| db_error(model, "create", e))?;
    Ok(Json(json!({"record": r})))
}

async fn update(
    State(studio): State<Arc<Studio>>,
    Json(arg): Json<WriteArg>,
) -> Result<Json<Value>, ApiError> {
    let (source, model) = writable(&studio, &arg)?;
    let r = model
        .update(&conn(source), &arg.key, &arg.values)
        .await
        .map_err(|e| db_error(model, "update", e))?;
    Ok(Json(json!({"record": r})))
}

async fn delete(
    State(studio): State<Arc<Studio>>,
    Json(arg): Json<WriteArg>,
) -> Result<Json<Value>, ApiError> {
    let (source, model) = writable(&studio, &arg)?;
    model
        .delete(&conn(source), &arg.key)
        .await
        .map_err(|e| db_error(model, "delete", e))?;
    Ok(Json(json!({"deleted": true})))
}

/// Opens the database of a schema: `url` or the datasource's, with the catalog of its models.
pub async fn open(
    schema_path: &std::path::Path,
    url: Option<String>,
) -> Result<(Database, Catalog)> {
    let schema = crate::migrate::load_schema(schema_path)?;
    let ds = schema
        .datasource
        .as_ref()
        .with_context(|| format!("{} has no datasource block", schema_path.display()))?;
    let url = match url {
        Some(u) => u,
        None => sovereign_migrate::resolve_url(&ds.url, schema_path).map_err(anyhow::Error::msg)?,
    };
    if let Some(file) = url.strip_prefix("file:") {
        let file = file.split('?').next().unwrap_or(file);
        if !std::path::Path::new(file).exists() {
            anyhow::bail!(
                "the database file {file} does not exist: create it with `sovereign migrate deploy` (or `plugin-db-manage deploy <namespace>`) first"
            );
        }
    }
    let database = Database::connect(&url)
        .await
        .with_context(|| format!("cannot open the database of {}", schema_path.display()))?;
    Ok((database, Catalog::new(&schema)))
}
