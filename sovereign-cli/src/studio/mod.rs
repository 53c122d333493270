//! The studio: browse and edit a database in the browser, served by this binary.
//!
//! `sovereign studio` opens the platform's shared database; `plugin-db-manage studio <ns>` a
//! plugin's view: a dedicated plugin's own database (editable) beside the core tables
//! (read-only), or a shared plugin's own models (editable) beside the core ones (read-only).
//! A plugin's view never shows another plugin's models ([`Source::visible`]).
//!
//! The server listens on 127.0.0.1 only and requires a random token, in the `x-studio-token`
//! header, on every API request: another local user, or a web page the browser visits, cannot
//! reach the data. The page itself (`/`, its script and style sheet) is the same for every
//! studio and carries no data and no secret, so it is served without the token. The printed
//! URL carries the token once (`/?token=`); the page's script keeps it in `sessionStorage`
//! (per origin, so per port, and per tab), takes it out of the address bar and sends it as
//! that header. The token is never put in a cookie: browsers send a host's cookies to every
//! port of it, so any other server on 127.0.0.1 the browser visits would receive it. `--browser`
//! starts the browser on a page in a private directory that leads to that URL, so the token
//! never appears on a command line (which `ps` shows every local user). Every response carries
//! a content security policy that allows no inline script, writes from another origin are
//! refused, and paging parameters are bounded ([`MAX_TAKE`], [`MAX_SKIP`]).
//!
//! Data goes through [`sovereign::dynamic`], the typed client's runtime without generated
//! types, so values, filters and error kinds are the client's own. Pages are read with
//! `LIMIT`/`OFFSET`; nothing ever loads a whole table, and no count reads past a cap.

use std::collections::HashMap;
use std::ffi::OsString;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
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

/// The most rows one page may ask for (`take` is 1 to this; the page itself offers 25 to 250).
pub const MAX_TAKE: u64 = 1000;

/// The rows a page has when `take` is not given.
const DEFAULT_TAKE: u64 = 50;

/// The furthest a page may start (`skip` is 0 to this): a trillion records, past any table a
/// studio pages through, and small enough that `skip + take` and the count cap stay exact in
/// every integer on the way (SQL's `BIGINT`, the page's JavaScript numbers).
pub const MAX_SKIP: u64 = 1_000_000_000_000;

/// How far a page's count goes past the page before it stops being exact: the rest comes from
/// `/api/count`, which the page asks for afterwards.
const COUNT_AHEAD: u64 = 1000;

/// The sidebar's row counts are exact up to this many rows, then "more than" it: the sidebar
/// counts every model at once, and none of those counts may read a whole large table.
pub const SIDEBAR_COUNT_CAP: u64 = 10_000;

/// How long the page that hands the token to the browser stays, at most: it goes as soon as
/// the browser has used it, or when the studio stops.
const HANDOFF_LIFETIME: Duration = Duration::from_secs(120);

/// The content security policy of every response: scripts and styles from the studio itself
/// only (no inline script, no `eval`), requests to the studio only, never inside a frame.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

/// One database the studio shows: its models, which of them it shows, and which of those may be
/// edited.
pub struct Source {
    /// Shown above its models: "Platform", "Plugin blog", "Core (read-only)".
    pub label: String,
    /// The connection pool the studio reads and writes through.
    pub database: Database,
    /// The models of the schema the database follows.
    pub catalog: Catalog,
    /// The models shown (`None`: every model of the catalog). A plugin's studio over the
    /// composed schema shows the core models and the plugin's own ([`plugin_models`]); the
    /// others are answered as if they did not exist, in every route.
    pub visible: Option<Vec<String>>,
    /// The models that may be edited (`None`: all of them).
    pub writable: Option<Vec<String>>,
    /// Why the others may not be, shown in the interface.
    pub read_only_reason: String,
}

impl Source {
    fn shows(&self, model: &str) -> bool {
        self.visible
            .as_ref()
            .is_none_or(|v| v.iter().any(|m| m == model))
    }

    fn writable(&self, model: &str) -> bool {
        self.shows(model)
            && self
                .writable
                .as_ref()
                .is_none_or(|w| w.iter().any(|m| m == model))
    }

    /// The models shown, in schema order.
    fn models(&self) -> impl Iterator<Item = &DynModel> {
        self.catalog.models().iter().filter(|m| self.shows(&m.name))
    }
}

/// The models of the composed schema a plugin's studio shows: the core's (the base schema's)
/// and, for a shared plugin, its own; never another plugin's. `ns` names the plugin (a
/// dedicated plugin, not composed, gets the core models alone).
pub fn plugin_models(composed: &sovereign_schema::compose::Composed, ns: &str) -> Vec<String> {
    composed
        .schema
        .models
        .iter()
        .filter(|m| composed.owners.get(&m.name).is_none_or(|owner| owner == ns))
        .map(|m| m.name.clone())
        .collect()
}

/// What the server serves.
pub struct Studio {
    /// What the printed line and the page call it: the platform schema's path, `plugin blog`.
    pub title: String,
    /// The databases shown, in sidebar order.
    pub sources: Vec<Source>,
    token: String,
    /// The port served on (set once bound): the origin writes must come from.
    port: u16,
    /// The page that handed the token to a browser, removed once the browser used it.
    handoff: Mutex<Option<Handoff>>,
}

impl Studio {
    /// A studio with a new random token.
    ///
    /// # Errors
    /// The operating system has no randomness to give for the token.
    pub fn new(title: impl Into<String>, sources: Vec<Source>) -> Result<Studio> {
        Ok(Studio {
            title: title.into(),
            sources,
            token: random_hex(24)?,
            port: 0,
            handoff: Mutex::new(None),
        })
    }

    /// The token every API request must carry in the `x-studio-token` header (the page's
    /// script takes it from the printed URL, `/?token=`).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Whether `origin` (an `Origin` header) is this studio's own page.
    fn own_origin(&self, origin: &[u8]) -> bool {
        let port = self.port;
        ["127.0.0.1", "localhost"].iter().any(|host| {
            origin == format!("http://{host}:{port}").as_bytes()
                || (port == 80 && origin == format!("http://{host}").as_bytes())
        })
    }

    /// Removes the hand-off page, if there is one.
    fn drop_handoff(&self) {
        let handoff = self.handoff.lock().map(|mut h| h.take());
        drop(handoff);
    }
}

fn random_hex(bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| anyhow::anyhow!("no randomness for the token: {e}"))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
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
/// until Ctrl-C (or SIGTERM, SIGHUP); prints the URL first.
///
/// # Errors
/// A source that cannot be opened, a port in use, or a server that fails while serving.
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
        let mut studio = Studio::new(title, sources.await?)?;
        let listener = listen(options.port).await?;
        let addr = listener.local_addr()?;
        studio.port = addr.port();
        // Printed to the user's own terminal only; a browser gets it through a private file.
        let url = format!("http://{addr}/?token={}", studio.token);
        // A server keeps serving when nobody reads its stdout any more (`sovereign studio |
        // head -1` to capture the URL): these lines are best effort, never a panic.
        let mut out = std::io::stdout();
        let _ = writeln!(out, "Sovereign Studio for {} is up at {url}", studio.title);
        for s in &studio.sources {
            let n = s.models().count();
            let _ = writeln!(
                out,
                "  {}: {n} model{}",
                s.label,
                if n == 1 { "" } else { "s" }
            );
        }
        let _ = writeln!(out, "Press Ctrl-C to stop.");
        let studio = Arc::new(studio);
        if options.browser {
            if let Some(handoff) = open_browser(&url) {
                *studio.handoff.lock().unwrap_or_else(|e| e.into_inner()) = Some(handoff);
                let studio = studio.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(HANDOFF_LIFETIME).await;
                    studio.drop_handoff();
                });
            }
        }
        let served = axum::serve(listener, router(studio.clone()))
            .with_graceful_shutdown(shutdown())
            .await;
        studio.drop_handoff();
        served.context("the studio server failed")?;
        Ok(std::process::ExitCode::SUCCESS)
    })
}

/// Resolves on Ctrl-C, and on unix on SIGTERM or SIGHUP too, so that the studio stops cleanly
/// (and removes its hand-off page) when it is killed politely or its terminal closes.
async fn shutdown() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let term = signal(SignalKind::terminate());
        let hup = signal(SignalKind::hangup());
        if let (Ok(mut term), Ok(mut hup)) = (term, hup) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
                _ = hup.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
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
///
/// # Errors
/// No free port on 127.0.0.1.
pub async fn spawn(mut studio: Studio) -> Result<(SocketAddr, String)> {
    let listener = listen(None).await?;
    let addr = listener.local_addr()?;
    studio.port = addr.port();
    let token = studio.token.clone();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router(Arc::new(studio))).await;
    });
    Ok((addr, token))
}

// ---------------------------------------------------------------------------------------------
// Handing the token to a browser

/// A page only the current user can read (mode 0600, in a directory of mode 0700 with an
/// unpredictable name) that sends the browser on to the studio's URL with a meta refresh. The
/// browser is started on this file, so the token is on no command line. Dropping it removes
/// the directory.
struct Handoff {
    dir: PathBuf,
    page: PathBuf,
}

impl Handoff {
    fn create(url: &str) -> Result<Handoff> {
        let dir = std::env::temp_dir().join(format!("sovereign-studio-{}", random_hex(16)?));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        // Fails when the name exists: nobody can have prepared the directory for us.
        builder
            .create(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let handoff = Handoff {
            page: dir.join("open-studio.html"),
            dir,
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&handoff.dir, std::fs::Permissions::from_mode(0o700))?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(&handoff.page)
            .with_context(|| format!("cannot create {}", handoff.page.display()))?;
        let url = html_escape(url);
        let html = format!(
            "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"referrer\" content=\"no-referrer\">\n\
             <meta http-equiv=\"refresh\" content=\"0; url={url}\">\n\
             <title>Sovereign Studio</title>\n</head>\n\
             <body><p>Opening Sovereign Studio… <a href=\"{url}\">continue</a></p></body>\n</html>\n"
        );
        std::io::Write::write_all(&mut file, html.as_bytes())
            .with_context(|| format!("cannot write {}", handoff.page.display()))?;
        Ok(handoff)
    }
}

impl Drop for Handoff {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The commands that may open `target` (a file), in the order they are tried: `$BROWSER` when
/// set, then the platform's opener. `target` is their only argument besides fixed ones.
fn browser_commands(target: &Path) -> Vec<(OsString, Vec<OsString>)> {
    let target = target.as_os_str().to_os_string();
    let mut c = Vec::new();
    if let Some(b) = std::env::var_os("BROWSER").filter(|b| !b.is_empty()) {
        c.push((b, vec![target.clone()]));
    }
    if cfg!(target_os = "macos") {
        c.push(("open".into(), vec![target]));
    } else if cfg!(windows) {
        c.push((
            "cmd".into(),
            vec!["/C".into(), "start".into(), OsString::new(), target],
        ));
    } else {
        c.push(("xdg-open".into(), vec![target]));
    }
    c
}

/// Starts a browser on a hand-off page for `url` (never on `url` itself, whose token a command
/// line would show every local user); says so when it cannot.
fn open_browser(url: &str) -> Option<Handoff> {
    let handoff = match Handoff::create(url) {
        Ok(h) => h,
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "note: the browser was not opened ({e:#}); open the URL above yourself"
            );
            return None;
        }
    };
    for (program, args) in browser_commands(&handoff.page) {
        let spawned = std::process::Command::new(&program)
            .args(&args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if spawned.is_ok() {
            return Some(handoff);
        }
    }
    let _ = writeln!(
        std::io::stderr(),
        "note: no browser could be opened here; open the URL above yourself"
    );
    None
}

// ---------------------------------------------------------------------------------------------
// Routes, the guard and the headers

/// The studio's routes, the API behind the token check, every response with the security
/// headers.
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
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(studio.clone(), guard))
        .layer(middleware::from_fn(security_headers))
        .with_state(studio)
}

/// Headers on every response, refusals and errors included: no content sniffing, the content
/// security policy, no framing, no referrer, no caching, no use by other origins.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
        (
            header::HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            header::HeaderName::from_static("cross-origin-resource-policy"),
            "same-origin",
        ),
    ] {
        h.insert(name, HeaderValue::from_static(value));
    }
    res
}

/// Equal in time whatever the first difference.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn refuse(message: &'static str) -> Response {
    (StatusCode::FORBIDDEN, message).into_response()
}

/// The answer to a request without this studio's token: 401, with a JSON error of kind `token`
/// that the page recognises (it then says to open the printed URL).
fn unauthorized(message: &'static str) -> Response {
    let mut res = ApiError {
        status: StatusCode::UNAUTHORIZED,
        body: json!({"kind": "token", "message": message}),
    }
    .into_response();
    res.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("StudioToken header=\"x-studio-token\""),
    );
    res
}

/// The paths served without the token: the page, its script and its style sheet. They are
/// the same for every studio (no title, no model, no token), so they tell nobody anything.
fn public(method: &Method, path: &str) -> bool {
    matches!(*method, Method::GET | Method::HEAD)
        && matches!(path, "/" | "/studio.js" | "/studio.css")
}

/// Refuses requests addressed to another host name (a page rebinding its own name to
/// 127.0.0.1), writes from another origin, and, except for the page and its assets, requests
/// without the token in the `x-studio-token` header. The token is taken from that header only:
/// not from a cookie (which the browser would send to every other server on 127.0.0.1 too),
/// and not from a query string (which ends up in histories and logs).
async fn guard(State(studio): State<Arc<Studio>>, req: Request, next: Next) -> Response {
    let host_ok = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| h.rsplit_once(':').map_or(h, |(name, _)| name))
        .is_some_and(|name| matches!(name, "127.0.0.1" | "localhost" | "[::1]"));
    if !host_ok {
        return refuse("The studio answers only requests addressed to 127.0.0.1 or localhost.");
    }
    let write = matches!(
        *req.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    if write {
        if let Some(origin) = req.headers().get(header::ORIGIN) {
            if !studio.own_origin(origin.as_bytes()) {
                return refuse(
                    "The studio accepts changes only from its own page, not from another origin.",
                );
            }
        }
    }
    if public(req.method(), req.uri().path()) {
        // The printed URL, or the hand-off page leading to it: the page's script takes the
        // token from the address. Once a browser has it, the hand-off page has done its work.
        let handed_over = req.uri().path() == "/"
            && req
                .uri()
                .query()
                .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("token=")))
                .is_some_and(|t| same(t, &studio.token));
        if handed_over {
            studio.drop_handoff();
        }
        return next.run(req).await;
    }
    match req.headers().get("x-studio-token").map(|h| h.to_str()) {
        None => unauthorized(
            "This studio needs its token, in the x-studio-token header. In a browser, open the full URL the command printed when it started (…/?token=…).",
        ),
        Some(Ok(t)) if same(t, &studio.token) => next.run(req).await,
        Some(_) => unauthorized(
            "This is not this studio's token: open the URL the command printed when it started (…/?token=…).",
        ),
    }
}

async fn not_found() -> ApiError {
    ApiError {
        status: StatusCode::NOT_FOUND,
        body: json!({"kind": "not_found", "message": "There is nothing at this address."}),
    }
}

/// The page: the same for every studio, whatever the token in its address; the script fills
/// it in from the API, with the token.
async fn page() -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        PAGE_HTML,
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

/// A model the source shows; one it does not (another plugin's) is answered as missing.
fn model_of<'a>(source: &'a Source, name: &str) -> Result<&'a DynModel, ApiError> {
    source
        .catalog
        .model(name)
        .filter(|m| source.shows(&m.name))
        .ok_or_else(|| ApiError {
            status: StatusCode::NOT_FOUND,
            body: json!({
                "kind": "not_found",
                "message": format!("There is no model `{name}` in {}.", source.label),
            }),
        })
}

fn conn(source: &Source) -> Conn {
    Conn::Db(source.database.clone())
}

async fn schema(State(studio): State<Arc<Studio>>) -> Result<Json<Value>, ApiError> {
    let mut sources = Vec::new();
    for (i, s) in studio.sources.iter().enumerate() {
        let mut models = Vec::new();
        for m in s.models() {
            let mut v = serde_json::to_value(m).map_err(|e| bad_request(e.to_string()))?;
            v["writable"] = json!(s.writable(&m.name) && !m.primary_key.is_empty());
            // Relations to models not shown (another plugin's back-relations on a core
            // model) are left out: not even their names are this view's business.
            if let Some(relations) = v["relations"].as_array_mut() {
                relations.retain(|r| r["target"].as_str().is_some_and(|t| s.shows(t)));
            }
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
            .map_err(|_| bad_request(format!("`{name}` is not a number: {}", shown(s))))
    })
}

/// A parameter's value as an error message quotes it (a long one cut short).
fn shown(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    format!("{out:?}")
}

/// A whole number from `min` to `max` (`default` when absent); anything else is a 400 that
/// says the range.
fn bounded_param(
    q: &HashMap<String, String>,
    name: &str,
    default: u64,
    min: u64,
    max: u64,
) -> Result<u64, ApiError> {
    let Some(s) = q.get(name) else {
        return Ok(default);
    };
    s.parse::<u64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| {
            bad_request(format!(
                "`{name}` must be a whole number from {min} to {max}, not {}.",
                shown(s)
            ))
        })
}

/// `1`/`true` or `0`/`false` (`false` when absent).
fn flag_param(q: &HashMap<String, String>, name: &str) -> Result<bool, ApiError> {
    match q.get(name).map(String::as_str) {
        None | Some("0" | "false") => Ok(false),
        Some("1" | "true") => Ok(true),
        Some(s) => Err(bad_request(format!(
            "`{name}` must be 1 or 0 (true or false), not {}.",
            shown(s)
        ))),
    }
}

/// A count that fits the `i64` the drivers take (every bound here is far below its maximum).
fn as_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
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

/// A page of records, with a count that is exact up to `skip + take + 1000` (`exact: false`
/// beyond): opening a table of any size reads one page and at most a thousand more keys.
/// `take` is 1 to [`MAX_TAKE`] (default 50), `skip` 0 to [`MAX_SKIP`]; `reverse=1` reads from
/// the end (`skip` counted from the last record).
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
        let dir = match dir {
            "asc" => Direction::Asc,
            "desc" => Direction::Desc,
            _ => {
                return Err(bad_request(format!(
                    "`order` is `field:asc` or `field:desc`, not {}.",
                    shown(o)
                )))
            }
        };
        order.push((i, dir));
    }
    let take = bounded_param(&q, "take", DEFAULT_TAKE, 1, MAX_TAKE)?;
    let skip = bounded_param(&q, "skip", 0, 0, MAX_SKIP)?;
    let reverse = flag_param(&q, "reverse")?;
    let c = conn(source);
    let page = Page {
        filters,
        order,
        take: Some(as_i64(take)),
        skip: Some(as_i64(skip)),
        reverse,
    };
    // Bounded above, so this cannot overflow; saturating all the same.
    let cap = skip.saturating_add(take).saturating_add(COUNT_AHEAD);
    let (rows, counted) = tokio::try_join!(
        model.find_many(&c, &page),
        model.count_capped(&c, &page.filters, cap.saturating_add(1))
    )
    .map_err(|e| db_error(model, "read", e))?;
    let counted = u64::try_from(counted).unwrap_or(0);
    let exact = counted <= cap;
    Ok(Json(json!({
        "rows": rows,
        "total": counted.min(cap),
        "exact": exact,
        "skip": skip,
        "take": take,
        "reverse": reverse,
    })))
}

/// The exact number of records a listing shows; with `capped=1`, exact up to
/// [`SIDEBAR_COUNT_CAP`] and `more: true` beyond (the record panel's relation counts: how many
/// records "Open related ..." leads to, without reading all of a large relation).
async fn count(
    State(studio): State<Arc<Studio>>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let source = source_of(&studio, index_param(&q, "source")?)?;
    let model = model_of(source, q.get("model").map_or("", String::as_str))?;
    let filters = listing_filters(source, model, &q)?;
    if q.get("capped").is_some_and(|v| v == "1") {
        let n = model
            .count_capped(&conn(source), &filters, SIDEBAR_COUNT_CAP + 1)
            .await
            .map_err(|e| db_error(model, "count", e))?;
        let n = u64::try_from(n).unwrap_or(0);
        return Ok(Json(json!({
            "total": n.min(SIDEBAR_COUNT_CAP),
            "more": n > SIDEBAR_COUNT_CAP,
        })));
    }
    let total = model
        .count(&conn(source), &filters)
        .await
        .map_err(|e| db_error(model, "count", e))?;
    Ok(Json(json!({ "total": total })))
}

/// The row count of every model a source shows, for the sidebar (asked for after the page
/// shows): exact up to [`SIDEBAR_COUNT_CAP`]; a model with more rows is counted as the cap and
/// listed in `more` ("more than `cap`").
async fn counts(
    State(studio): State<Arc<Studio>>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let source = source_of(&studio, index_param(&q, "source")?)?;
    let mut out = serde_json::Map::new();
    let mut more = Vec::new();
    for m in source.models() {
        let n = m
            .count_capped(&conn(source), &[], SIDEBAR_COUNT_CAP + 1)
            .await
            .map_err(|e| db_error(m, "count", e))?;
        let n = u64::try_from(n).unwrap_or(0);
        if n > SIDEBAR_COUNT_CAP {
            more.push(m.name.clone());
        }
        out.insert(m.name.clone(), json!(n.min(SIDEBAR_COUNT_CAP)));
    }
    Ok(Json(
        json!({ "counts": out, "cap": SIDEBAR_COUNT_CAP, "more": more }),
    ))
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
///
/// # Errors
/// A schema that does not check or has no datasource, a URL that cannot be resolved (an unset
/// variable), a SQLite file that does not exist yet (it is not created: run a deploy first),
/// and a database that cannot be reached.
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
