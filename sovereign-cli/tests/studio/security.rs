//! Nothing lost, nothing leaked (issue #12): the token handed to a browser by a private file,
//! kept by the page and sent in a header (never a cookie), the security headers, the origin
//! check on writes, a plugin's view limited to its own and the core models, and bounded paging
//! parameters.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sovereign::dynamic::Catalog;
use sovereign::Database;
use sovereign_cli::studio::{Source, MAX_SKIP, MAX_TAKE, SIDEBAR_COUNT_CAP};
use sovereign_migrate::Dialect;

use crate::browser::Browser;
use crate::http::{enc, http};
use crate::support::{
    cli_platform_db, cli_workspace, spawn_studio, sqlite_script, start, start_seeded, TestDb,
};

/// A whole HTTP/1.1 answer: status, headers (names in lower case) and body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One request (the `Host` header as given), the whole answer.
fn exchange(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Answer {
    let mut sock = TcpStream::connect(addr).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let body = body.unwrap_or("");
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        req.push_str(&format!("Host: {addr}\r\n"));
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    sock.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    sock.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = raw.split_once("\r\n\r\n").unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (k, v) = l.split_once(':').unwrap();
            (k.trim().to_ascii_lowercase(), v.trim().to_string())
        })
        .collect();
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v == "chunked");
    let body = if chunked {
        let mut out = String::new();
        let mut rest = rest;
        loop {
            let (size, tail) = rest.split_once("\r\n").unwrap();
            let n = usize::from_str_radix(size.trim(), 16).unwrap();
            if n == 0 {
                break;
            }
            out.push_str(&tail[..n]);
            rest = &tail[n + 2..];
        }
        out
    } else {
        rest.to_string()
    };
    Answer {
        status,
        headers,
        body,
    }
}

/// The headers every answer of the studio carries, whatever its status.
fn assert_security_headers(what: &str, a: &Answer) {
    assert_eq!(
        a.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    let csp = a
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no Content-Security-Policy"));
    assert!(csp.contains("script-src 'self'"), "{what}: {csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(csp.contains("default-src 'none'"), "{what}: {csp}");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{what}: {csp}"
    );
    assert_eq!(a.header("referrer-policy"), Some("no-referrer"), "{what}");
    assert_eq!(a.header("cache-control"), Some("no-store"), "{what}");
    assert_eq!(a.header("x-frame-options"), Some("DENY"), "{what}");
}

#[test]
fn studio_security_headers_on_every_answer_and_writes_only_from_its_own_origin() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = rt.block_on(TestDb::create("sqlite")).unwrap();
    let s = start_seeded(&db, "plugins read core tables");
    let t = ("x-studio-token", s.token.as_str());

    let evil_host = [t, ("Host", "evil.example")];
    /// What, method, path, headers, body, the status expected.
    type Case<'a> = (
        &'a str,
        &'a str,
        &'a str,
        Vec<(&'a str, &'a str)>,
        Option<&'a str>,
        u16,
    );
    let with_token = format!("/?token={}", s.token);
    let cases: Vec<Case> = vec![
        ("the page", "GET", "/", vec![t], None, 200),
        ("the page, without the token", "GET", "/", vec![], None, 200),
        (
            "the printed URL",
            "GET",
            with_token.as_str(),
            vec![],
            None,
            200,
        ),
        ("the script", "GET", "/studio.js", vec![t], None, 200),
        ("the style sheet", "GET", "/studio.css", vec![], None, 200),
        ("an API answer", "GET", "/api/schema", vec![t], None, 200),
        ("the counts", "GET", "/api/counts", vec![t], None, 200),
        ("no token", "GET", "/api/schema", vec![], None, 401),
        ("no token, no page", "GET", "/nowhere", vec![], None, 401),
        (
            "no token, a write",
            "POST",
            "/api/create",
            vec![("Content-Type", "application/json")],
            Some(r#"{"model": "Tenant", "values": {"slug": "x", "name": "X"}}"#),
            401,
        ),
        (
            "another host name",
            "GET",
            "/api/schema",
            evil_host.to_vec(),
            None,
            403,
        ),
        ("no such page", "GET", "/nowhere", vec![t], None, 404),
        (
            "no such model",
            "GET",
            "/api/rows?model=Nope",
            vec![t],
            None,
            404,
        ),
        (
            "a bad parameter",
            "GET",
            "/api/rows?model=User&skip=-1",
            vec![t],
            None,
            400,
        ),
        ("a wrong method", "GET", "/api/create", vec![t], None, 405),
        (
            "a database objection",
            "POST",
            "/api/create",
            vec![t, ("Content-Type", "application/json")],
            Some(r#"{"model": "Tenant", "values": {"slug": "acme", "name": "Again"}}"#),
            409,
        ),
        ("no JSON", "POST", "/api/create", vec![t], Some("{"), 415),
    ];
    for (what, method, path, headers, body, status) in &cases {
        let a = exchange(s.addr, method, path, headers, *body);
        assert_eq!(a.status, *status, "{what}: {}", a.body);
        assert_security_headers(what, &a);
        assert_eq!(a.header("set-cookie"), None, "{what}");
    }

    // The page runs no inline script: scripts come from files, handlers are attached by them.
    let page = exchange(s.addr, "GET", "/", &[t], None).body;
    let lower = page.to_ascii_lowercase();
    assert_eq!(
        lower.matches("<script").count(),
        lower
            .matches("<script src=\"/studio.js\"></script>")
            .count(),
        "{page}"
    );
    assert!(!lower.contains("javascript:"), "{page}");
    for tag in lower.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap();
        assert!(
            !tag.split_whitespace()
                .skip(1)
                .any(|attr| attr.starts_with("on")),
            "an inline handler in <{tag}>"
        );
    }
    assert!(
        !page.contains(&s.token),
        "the page does not carry the token"
    );

    // Writes from another origin are refused, before anything is written; the studio's own
    // origin, by either name, and requests without an Origin (not from a browser) go through.
    let port = s.addr.port();
    let other_port = format!("http://127.0.0.1:{}", port.wrapping_add(1).max(1));
    let json_type = ("Content-Type", "application/json");
    for origin in [
        "http://evil.example",
        "https://127.0.0.1",
        other_port.as_str(),
        "http://localhost",
        "null",
    ] {
        for (method, path) in [
            ("POST", "/api/create"),
            ("POST", "/api/delete"),
            ("PUT", "/api/create"),
            ("DELETE", "/api/delete"),
            ("PATCH", "/api/update"),
        ] {
            let a = exchange(
                s.addr,
                method,
                path,
                &[t, json_type, ("Origin", origin)],
                Some(r#"{"model": "Tenant", "values": {"slug": "evil", "name": "Evil"}}"#),
            );
            assert_eq!(a.status, 403, "{method} {path} from {origin}: {}", a.body);
            assert!(a.body.contains("only from its own page"), "{}", a.body);
            assert_security_headers("a refused write", &a);
        }
    }
    let own = format!("http://127.0.0.1:{port}");
    let own_by_name = format!("http://localhost:{port}");
    for (i, origin) in [own.as_str(), own_by_name.as_str()].iter().enumerate() {
        let body = json!({"model": "Tenant", "values": {"slug": format!("own{i}"), "name": "Own"}});
        let a = exchange(
            s.addr,
            "POST",
            "/api/create",
            &[t, json_type, ("Origin", origin)],
            Some(&body.to_string()),
        );
        assert_eq!(a.status, 200, "from {origin}: {}", a.body);
    }
    assert_eq!(s.get("/api/count?model=Tenant").json()["total"], json!(4));
    // Reads are not refused by origin (a GET changes nothing, and another origin's page cannot
    // send the token's header).
    let a = exchange(
        s.addr,
        "GET",
        "/api/schema",
        &[t, ("Origin", "http://evil.example")],
        None,
    );
    assert_eq!(a.status, 200);
    drop(s);
    rt.block_on(db.drop());
}

#[test]
fn studio_takes_its_token_in_a_header_only_and_sets_no_cookie() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = rt.block_on(TestDb::create("sqlite")).unwrap();
    let s = start_seeded(&db, "plugins read core tables, says the reason");
    let port = s.addr.port();
    let t = ("x-studio-token", s.token.as_str());
    let json_type = ("Content-Type", "application/json");
    let own = format!("http://127.0.0.1:{port}");
    let wrong = "0".repeat(48);

    // The printed URL answers the page, as it is without the token or with a wrong one: the same
    // bytes for every studio, no token, no title, no label, no model, no cookie. The page's
    // script takes the token from the address.
    let page = exchange(s.addr, "GET", "/", &[], None);
    assert_eq!(page.status, 200);
    for path in [format!("/?token={}", s.token), format!("/?token={wrong}")] {
        let a = exchange(s.addr, "GET", &path, &[], None);
        assert_eq!(a.status, 200, "{path}: {}", a.body);
        assert_eq!(a.body, page.body, "{path}");
        assert_eq!(a.header("set-cookie"), None, "{path}");
        assert_security_headers(&path, &a);
    }
    for secret in [
        s.token.as_str(),
        "test",
        "Platform",
        "Core (read-only)",
        "says the reason",
        "Tenant",
        "Session",
        "{{",
    ] {
        assert!(!page.body.contains(secret), "the page shows {secret:?}");
    }
    for asset in ["/studio.js", "/studio.css"] {
        let a = exchange(s.addr, "GET", asset, &[], None);
        assert_eq!(a.status, 200, "{asset}");
        assert!(!a.body.contains(&s.token), "{asset}");
    }

    // The API takes the token in the header, and only there: not without it, not with a wrong
    // one, not from a cookie (the one 2bfb1f6 set, or any other), not from the query.
    let old_cookie = format!("sovereign_studio_{port}={}", s.token);
    let any_cookie = format!("token={0}; x-studio-token={0}", s.token);
    let schema_in_query = format!("/api/schema?token={}", s.token);
    let rows_in_query = format!("/api/rows?model=Tenant&token={}", s.token);
    let refused: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("/api/schema", vec![]),
        ("/api/counts?source=0", vec![]),
        ("/api/rows?model=Tenant", vec![]),
        ("/api/count?model=Tenant", vec![]),
        ("/api/record?model=Tenant&key=%7B%22id%22%3A1%7D", vec![]),
        ("/api/schema", vec![("x-studio-token", &wrong)]),
        ("/api/schema", vec![("x-studio-token", "")]),
        ("/api/schema", vec![("Cookie", &old_cookie)]),
        ("/api/schema", vec![("Cookie", &any_cookie)]),
        ("/api/schema", vec![("Authorization", &s.token)]),
        (&schema_in_query, vec![]),
        (&rows_in_query, vec![]),
    ];
    for (path, headers) in &refused {
        let a = exchange(s.addr, "GET", path, headers, None);
        assert_eq!(a.status, 401, "{path} {headers:?}: {}", a.body);
        let body: Value = serde_json::from_str(&a.body).unwrap();
        assert_eq!(body["error"]["kind"], json!("token"), "{}", a.body);
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("open the"),
            "{}",
            a.body
        );
        assert!(a.header("www-authenticate").is_some());
        assert_eq!(a.header("set-cookie"), None);
        assert_security_headers(path, &a);
    }
    for path in ["/api/create", "/api/update", "/api/delete"] {
        for headers in [
            vec![json_type, ("Origin", own.as_str())],
            vec![json_type, ("Origin", own.as_str()), ("Cookie", &old_cookie)],
        ] {
            let a = exchange(
                s.addr,
                "POST",
                path,
                &headers,
                Some(
                    r#"{"model": "Tenant", "key": {"id": 1}, "values": {"slug": "nope", "name": "Nope"}}"#,
                ),
            );
            assert_eq!(a.status, 401, "{path}: {}", a.body);
        }
    }
    assert_eq!(s.get("/api/count?model=Tenant").json()["total"], json!(2));

    // With the header: reads and writes, and still no cookie.
    for path in [
        "/api/schema",
        "/api/counts?source=0",
        "/api/rows?model=Tenant",
    ] {
        let a = exchange(s.addr, "GET", path, &[t], None);
        assert_eq!(a.status, 200, "{path}: {}", a.body);
        assert_eq!(a.header("set-cookie"), None, "{path}");
    }
    let created = exchange(
        s.addr,
        "POST",
        "/api/create",
        &[t, json_type, ("Origin", &own)],
        Some(r#"{"model": "Tenant", "values": {"slug": "header", "name": "By header"}}"#),
    );
    assert_eq!(created.status, 200, "{}", created.body);
    assert_eq!(created.header("set-cookie"), None);
    assert_eq!(s.get("/api/count?model=Tenant").json()["total"], json!(3));
    drop(s);
    rt.block_on(db.drop());
}

/// Starts `sovereign studio --browser` in `dir` with `BROWSER` set to a script that records
/// what it was started with in `record/` (its arguments, its environment, the mode of the file
/// and of its directory, and a copy of the file) and temporary files under `tmp/`.
fn studio_with_recording_browser(dir: &Path) -> (Child, SocketAddr, String, PathBuf) {
    let record = dir.join("record");
    let tmp = dir.join("tmp");
    let _ = std::fs::remove_dir_all(&record);
    std::fs::create_dir_all(&record).unwrap();
    std::fs::create_dir_all(&tmp).unwrap();
    let script = dir.join("record-browser.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nout='{}'\nprintf '%s\\n' \"$0\" \"$@\" > \"$out/argv.part\"\nenv > \"$out/env\"\n\
             stat -c %a \"$1\" > \"$out/mode\"\nstat -c %a \"$(dirname \"$1\")\" > \"$out/dirmode\"\n\
             cp \"$1\" \"$out/page.html\"\nmv \"$out/argv.part\" \"$out/argv\"\n",
            record.display()
        ),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let (child, addr, token) = spawn_studio(
        env!("CARGO_BIN_EXE_sovereign"),
        &["studio", "--port", "0", "--browser"],
        dir,
        &[
            ("BROWSER", script.to_str().unwrap()),
            ("TMPDIR", tmp.to_str().unwrap()),
        ],
    );
    let argv = record.join("argv");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !argv.exists() {
        assert!(Instant::now() < deadline, "the browser was not started");
        std::thread::sleep(Duration::from_millis(20));
    }
    (child, addr, token, record)
}

/// The hand-off directories under `tmp`.
fn handoffs(tmp: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(tmp)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("sovereign-studio-")
        })
        .collect()
}

fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn studio_browser_gets_the_token_from_a_private_file_not_its_command_line() {
    let dir = cli_workspace("handoff");
    cli_platform_db(&dir);
    let tmp = dir.join("tmp");
    let (mut child, addr, token, record) = studio_with_recording_browser(&dir);

    // The browser's command line and environment: no token; a file, in a private directory.
    let argv = std::fs::read_to_string(record.join("argv")).unwrap();
    let env = std::fs::read_to_string(record.join("env")).unwrap();
    assert!(
        !argv.contains(&token),
        "the token on the command line: {argv}"
    );
    assert!(!env.contains(&token), "the token in the environment");
    let args: Vec<&str> = argv.lines().collect();
    assert_eq!(args.len(), 2, "{argv}");
    let page = PathBuf::from(args[1]);
    assert!(page.starts_with(&tmp), "{argv}");
    let private = page.parent().unwrap().to_path_buf();
    let name = private.file_name().unwrap().to_string_lossy().into_owned();
    let suffix = name.strip_prefix("sovereign-studio-").unwrap();
    assert!(
        suffix.len() >= 32 && suffix.bytes().all(|b| b.is_ascii_hexdigit()),
        "an unpredictable name: {name}"
    );
    assert_eq!(
        std::fs::read_to_string(record.join("mode")).unwrap().trim(),
        "600"
    );
    assert_eq!(
        std::fs::read_to_string(record.join("dirmode"))
            .unwrap()
            .trim(),
        "700"
    );
    {
        use std::os::unix::fs::MetadataExt;
        assert_eq!(std::fs::metadata(&page).unwrap().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(&private).unwrap().mode() & 0o777, 0o700);
    }

    // The file leads to the token URL with a meta refresh, without a script.
    let html = std::fs::read_to_string(record.join("page.html")).unwrap();
    let target = format!("http://{addr}/?token={token}");
    assert!(
        html.contains(&format!(
            "<meta http-equiv=\"refresh\" content=\"0; url={target}\">"
        )),
        "{html}"
    );
    assert!(!html.to_ascii_lowercase().contains("<script"), "{html}");

    // Following it answers the page (no cookie), whose script sends the token in a header;
    // then the file is gone. A wrong token in the address leaves it in place.
    let a = exchange(
        addr,
        "GET",
        &format!("/?token={}", "0".repeat(48)),
        &[],
        None,
    );
    assert_eq!(a.status, 200);
    assert!(private.exists());
    let a = exchange(addr, "GET", &format!("/?token={token}"), &[], None);
    assert_eq!(a.status, 200);
    assert_eq!(a.header("set-cookie"), None);
    let a = exchange(
        addr,
        "GET",
        "/api/counts?source=0",
        &[("x-studio-token", &token)],
        None,
    );
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        serde_json::from_str::<Value>(&a.body).unwrap()["counts"],
        json!({"Author": 1, "Note": 1})
    );
    wait_until("the hand-off file to go", || !private.exists());

    // In a real browser: the copy of the file opens the studio, the token kept by the page
    // (not in a cookie) and gone from the address bar.
    if let Some(b) = Browser::start() {
        let copy = dir.join("copy.html");
        std::fs::copy(record.join("page.html"), &copy).unwrap();
        b.goto(&format!("file://{}", copy.display()));
        b.wait(
            "the studio, through the hand-off page",
            "location.href === 'http://' + location.host + '/' + location.hash && document.querySelector('[data-model=\"Author\"] .n') && document.querySelector('[data-model=\"Author\"] .n').innerText === '1'",
        );
        assert_eq!(b.script("return document.cookie;", json!([])), json!(""));
        assert_eq!(
            b.script(
                "return location.href.includes(arguments[0]);",
                json!([token])
            ),
            json!(false)
        );
        b.screenshot("0-handoff");
    }
    child.kill().unwrap();
    child.wait().unwrap();

    // Stopped before a browser used it (SIGTERM), the studio removes the file too.
    let (mut child, _, _, _) = studio_with_recording_browser(&dir);
    assert_eq!(handoffs(&tmp).len(), 1);
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
    assert_eq!(handoffs(&tmp), Vec::<PathBuf>::new());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn plugin_studios_show_their_own_and_the_core_models_never_another_plugins() {
    let dir = std::env::temp_dir().join(format!("sov_studio_plugins_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let write = |path: &str, text: &str| {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write("sovereign.toml", "");
    write(
        "platform/prisma/base.prisma",
        "datasource db {\n  provider = \"sqlite\"\n  url      = \"file:./dev.db\"\n}\n\nmodel Member {\n  id   Int    @id @default(autoincrement())\n  name String\n}\n",
    );
    let shared = |ns: &str| {
        format!("{{\"id\": \"{ns}\", \"name\": \"{ns}\", \"version\": \"1.0.0\", \"sovereign\": {{\"database\": {{\"mode\": \"shared\"}}, \"platformCapabilities\": {{\"database\": true}}}}}}")
    };
    write("plugins/blog/plugin.json", &shared("blog"));
    write(
        "plugins/blog/prisma/extension.prisma",
        "model Article {\n  id       Int    @id @default(autoincrement())\n  title    String\n  authorId Int\n  author   Member @relation(fields: [authorId], references: [id])\n}\n",
    );
    write("plugins/payroll/plugin.json", &shared("payroll"));
    write(
        "plugins/payroll/prisma/extension.prisma",
        "enum PayGrade {\n  LOW\n  HIGH\n}\n\nmodel Salary {\n  id       Int      @id @default(autoincrement())\n  amount   Int\n  grade    PayGrade\n  memberId Int\n  member   Member   @relation(fields: [memberId], references: [id])\n}\n",
    );
    write(
        "plugins/stats/plugin.json",
        "{\"id\": \"stats\", \"name\": \"Stats\", \"version\": \"1.0.0\", \"sovereign\": {\"database\": {\"mode\": \"dedicated\"}, \"platformCapabilities\": {\"database\": true}}}",
    );
    write(
        "plugins/stats/prisma/schema.prisma",
        "datasource db {\n  provider = \"sqlite\"\n  url      = env(\"STATS_DATABASE_URL\")\n}\n\ngenerator client {\n  provider = \"sovereign\"\n}\n\nmodel Hit {\n  id   Int    @id @default(autoincrement())\n  path String\n}\n",
    );
    let sovereign = env!("CARGO_BIN_EXE_sovereign");
    let manage = env!("CARGO_BIN_EXE_plugin-db-manage");
    let out = Command::new(sovereign)
        .arg("compose")
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The shared database, from the composed schema, with a salary in it.
    let composed = std::fs::read_to_string(dir.join("platform/prisma/schema.prisma")).unwrap();
    assert!(composed.contains("model Salary"), "{composed}");
    let (schema, _) = sovereign_schema::check("schema.prisma", &composed).unwrap();
    let platform_db = dir.join("platform.db");
    std::fs::write(&platform_db, "").unwrap();
    sqlite_script(
        &platform_db,
        &sovereign_migrate::create_script(
            &sovereign_migrate::sql_schema(&schema, Dialect::Sqlite),
            Dialect::Sqlite,
        ),
    );
    sqlite_script(
        &platform_db,
        "INSERT INTO \"Member\" (\"name\") VALUES ('Ada');
         INSERT INTO \"Article\" (\"title\", \"authorId\") VALUES ('Notes', 1);
         INSERT INTO \"Salary\" (\"amount\", \"grade\", \"memberId\") VALUES (123456, 'HIGH', 1);",
    );
    let stats_db = dir.join("stats.db");
    std::fs::write(&stats_db, "").unwrap();
    sqlite_script(
        &stats_db,
        "CREATE TABLE \"Hit\" (\"id\" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, \"path\" TEXT NOT NULL);",
    );
    let platform_url = format!("file:{}", platform_db.display());
    let stats_url = format!("file:{}", stats_db.display());

    // What a plugin's studio must never answer with data: every route, for `model` of `source`.
    let hidden = |addr: SocketAddr, token: &str, source: usize, model: &str| {
        let t = [("x-studio-token", token)];
        let key = enc(&json!({"id": 1}));
        for path in [
            format!("/api/rows?source={source}&model={model}"),
            format!("/api/rows?source={source}&model={model}&take=1&skip=0&reverse=1"),
            format!("/api/count?source={source}&model={model}"),
            format!("/api/record?source={source}&model={model}&key={key}"),
            // Records of a shown model related to a hidden one's: the hidden one is not found.
            format!(
                "/api/rows?source={source}&model=Member&related={}",
                enc(&json!({"relation": "member", "model": model, "key": {"id": 1}}))
            ),
        ] {
            let r = http(addr, "GET", &path, &t, None);
            assert_eq!(r.status, 404, "{path}: {}", r.body);
            assert!(
                !r.body.contains("123456") && !r.body.contains("Notes"),
                "{}",
                r.body
            );
        }
        for (path, body) in [
            (
                "/api/create",
                json!({"source": source, "model": model, "values": {"amount": 1, "grade": "LOW", "memberId": 1, "title": "x", "authorId": 1}}),
            ),
            (
                "/api/update",
                json!({"source": source, "model": model, "key": {"id": 1}, "values": {"amount": 0, "title": "x"}}),
            ),
            (
                "/api/delete",
                json!({"source": source, "model": model, "key": {"id": 1}}),
            ),
        ] {
            let r = http(addr, "POST", path, &t, Some(&body.to_string()));
            assert_eq!(r.status, 404, "{path} {model}: {}", r.body);
        }
    };
    let names = |schema: &Value, source: usize| -> Vec<String> {
        schema["sources"][source]["models"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap().to_string())
            .collect()
    };

    // A shared plugin: the core model (read-only) and its own (editable); nothing of payroll's,
    // not even the back-relation payroll added to the core model.
    let (mut child, addr, token) = spawn_studio(
        manage,
        &["studio", "blog", "--port", "0", "--url", &platform_url],
        &dir,
        &[],
    );
    let t = [("x-studio-token", token.as_str())];
    let r = http(addr, "GET", "/api/schema", &t, None);
    let schema = r.json();
    assert_eq!(schema["sources"].as_array().unwrap().len(), 1);
    assert_eq!(names(&schema, 0), ["Member", "Article"]);
    let lower = r.body.to_ascii_lowercase();
    assert!(
        !lower.contains("salar") && !lower.contains("paygrade"),
        "payroll's models in blog's studio: {}",
        r.body
    );
    let writable: Vec<&Value> = schema["sources"][0]["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["writable"])
        .collect();
    assert_eq!(writable, [&json!(false), &json!(true)]);
    let counts = http(addr, "GET", "/api/counts?source=0", &t, None).json();
    assert_eq!(counts["counts"], json!({"Member": 1, "Article": 1}));
    hidden(addr, &token, 0, "Salary");
    // Its own and the core's still answer.
    let r = http(addr, "GET", "/api/rows?model=Article", &t, None);
    assert_eq!(r.json()["total"], json!(1), "{}", r.body);
    let r = http(
        addr,
        "GET",
        &format!(
            "/api/rows?model=Article&related={}",
            enc(&json!({"relation": "author", "model": "Member", "key": {"id": 1}}))
        ),
        &t,
        None,
    );
    assert_eq!(r.json()["total"], json!(1), "{}", r.body);
    child.kill().unwrap();
    child.wait().unwrap();

    // The other shared plugin: the mirror image.
    let (mut child, addr, token) = spawn_studio(
        manage,
        &["studio", "payroll", "--port", "0", "--url", &platform_url],
        &dir,
        &[],
    );
    let r = http(
        addr,
        "GET",
        "/api/schema",
        &[("x-studio-token", &token)],
        None,
    );
    assert_eq!(names(&r.json(), 0), ["Member", "Salary"]);
    assert!(
        !r.body.to_ascii_lowercase().contains("article"),
        "{}",
        r.body
    );
    hidden(addr, &token, 0, "Article");
    child.kill().unwrap();
    child.wait().unwrap();

    // A dedicated plugin: its own database, and of the shared one the core model only.
    let (mut child, addr, token) = spawn_studio(
        manage,
        &[
            "studio",
            "stats",
            "--port",
            "0",
            "--url",
            &stats_url,
            "--core-url",
            &platform_url,
        ],
        &dir,
        &[],
    );
    let t = [("x-studio-token", token.as_str())];
    let r = http(addr, "GET", "/api/schema", &t, None);
    let schema = r.json();
    assert_eq!(names(&schema, 0), ["Hit"]);
    assert_eq!(names(&schema, 1), ["Member"]);
    let lower = r.body.to_ascii_lowercase();
    assert!(
        !lower.contains("salar") && !lower.contains("article"),
        "{}",
        r.body
    );
    let counts = http(addr, "GET", "/api/counts?source=1", &t, None).json();
    assert_eq!(counts["counts"], json!({"Member": 1}));
    hidden(addr, &token, 1, "Salary");
    hidden(addr, &token, 1, "Article");
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn studio_paging_parameters_are_bounded() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = rt.block_on(TestDb::create("sqlite")).unwrap();
    let s = start_seeded(&db, "plugins read core tables");

    // Out of range, negative, not a number: a 400 that says the range.
    for (param, value) in [
        ("skip", "9223372036854775807"),
        ("skip", "18446744073709551616"),
        ("skip", "1000000000001"),
        ("skip", "-1"),
        ("skip", "abc"),
        ("skip", "1.5"),
        ("skip", ""),
        ("take", "0"),
        ("take", "1001"),
        ("take", "-5"),
        ("take", "9223372036854775807"),
        ("take", "ten"),
    ] {
        let r = s.get(&format!("/api/rows?model=User&{param}={value}"));
        assert_eq!(r.status, 400, "{param}={value}: {}", r.body);
        let e = &r.json()["error"];
        assert_eq!(e["kind"], json!("bad_request"));
        let range = if param == "skip" {
            format!("from 0 to {MAX_SKIP}")
        } else {
            format!("from 1 to {MAX_TAKE}")
        };
        let message = e["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("`{param}` must be a whole number {range}")),
            "{message}"
        );
    }
    for path in [
        "/api/rows?model=User&reverse=maybe",
        "/api/rows?model=User&order=email:sideways",
        "/api/rows?model=User&source=-1",
        "/api/counts?source=x",
    ] {
        assert_eq!(s.get(path).status, 400, "{path}");
    }

    // The bounds themselves are fine, and the arithmetic after them does not overflow.
    let r = s.get(&format!(
        "/api/rows?model=User&skip={MAX_SKIP}&take={MAX_TAKE}"
    ));
    assert_eq!(r.status, 200, "{}", r.body);
    let r = r.json();
    assert_eq!(r["rows"], json!([]));
    assert_eq!(r["total"], json!(120));
    assert_eq!(r["exact"], json!(true));
    assert_eq!(r["skip"], json!(MAX_SKIP));
    let r = s
        .get(&format!("/api/rows?model=User&skip={MAX_SKIP}&reverse=1"))
        .json();
    assert_eq!(r["total"], json!(120));
    let r = s
        .get("/api/rows?model=User&take=1&skip=119&order=email:asc")
        .json();
    assert_eq!(r["rows"].as_array().unwrap().len(), 1);
    assert_eq!(r["total"], json!(120));
    drop(s);
    rt.block_on(db.drop());

    // The sidebar's counts stop at the cap: "more than" beyond it.
    let path = std::env::temp_dir().join(format!("sov_studio_cap_{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    std::fs::write(&path, "").unwrap();
    let text = "datasource db {\n  provider = \"sqlite\"\n  url      = \"file:x.db\"\n}\n\nmodel Big {\n  id   Int    @id @default(autoincrement())\n  name String\n}\n\nmodel Small {\n  id   Int    @id @default(autoincrement())\n  name String\n}\n";
    let (schema, _) = sovereign_schema::check("schema.prisma", text).unwrap();
    let over = SIDEBAR_COUNT_CAP + 50;
    sqlite_script(
        &path,
        &format!(
            "{}\nWITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {over})
             INSERT INTO \"Big\" (\"name\") SELECT 'row ' || i FROM n;
             INSERT INTO \"Small\" (\"name\") VALUES ('a'), ('b'), ('c');",
            sovereign_migrate::create_script(
                &sovereign_migrate::sql_schema(&schema, Dialect::Sqlite),
                Dialect::Sqlite,
            )
        ),
    );
    let url = format!("file:{}", path.display());
    let s = start(async move {
        vec![Source {
            label: "Big".into(),
            database: Database::connect(&url).await.unwrap(),
            catalog: Catalog::new(&schema),
            visible: None,
            writable: None,
            read_only_reason: String::new(),
        }]
    });
    let c = s.get("/api/counts?source=0").json();
    assert_eq!(c["counts"], json!({"Big": SIDEBAR_COUNT_CAP, "Small": 3}));
    assert_eq!(c["more"], json!(["Big"]));
    assert_eq!(c["cap"], json!(SIDEBAR_COUNT_CAP));
    // A table's first page counts a thousand past itself; the exact count is its own request.
    let r = s.get("/api/rows?model=Big").json();
    assert_eq!(r["total"], json!(1050));
    assert_eq!(r["exact"], json!(false));
    assert_eq!(s.get("/api/count?model=Big").json()["total"], json!(over));
    drop(s);
    let _ = std::fs::remove_file(&path);
}
