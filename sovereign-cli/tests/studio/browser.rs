//! The page in a real headless browser (Debian's chromium and chromedriver, driven over
//! WebDriver), with screenshots of the main views in `target/studio-screenshots/`.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::http::http;
use crate::support::{start_seeded, workspace, TestDb, CORE_MODELS};

/// A W3C WebDriver session on chromedriver.
pub(crate) struct Browser {
    driver: Child,
    addr: SocketAddr,
    session: String,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Browser {
    pub(crate) fn start() -> Option<Browser> {
        let chromedriver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = match Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        {
            Ok(c) => c,
            Err(e) => {
                let msg = format!("cannot start {chromedriver}: {e} (install Debian's chromium and chromium-driver)");
                if std::env::var("SOVEREIGN_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
                    panic!("{msg}");
                }
                sovereign_test_support::skipped(&msg);
                return None;
            }
        };
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(addr).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1440,900", "--force-device-scale-factor=1"]
            }
        }}});
        let r = http(addr, "POST", "/session", &[], Some(&caps.to_string()));
        assert_eq!(r.status, 200, "new session: {}", r.body);
        let session = r.json()["value"]["sessionId"].as_str().unwrap().to_string();
        Some(Browser {
            driver,
            addr,
            session,
        })
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        let body = body.map(|b| b.to_string());
        let r = http(self.addr, method, &path, &[], body.as_deref());
        assert_eq!(r.status, 200, "{method} {path}: {}", r.body);
        r.json()["value"].clone()
    }

    pub(crate) fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    pub(crate) fn script(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
    }

    /// Waits until `cond` (a JavaScript expression) is truthy.
    pub(crate) fn wait(&self, what: &str, cond: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if self.script(&format!("return !!({cond});"), json!([])) == json!(true) {
                return;
            }
            if Instant::now() > deadline {
                let text = self.script("return document.body.innerText;", json!([]));
                panic!("timed out waiting for {what} ({cond}); the page says:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn find(&self, css: &str) -> String {
        let v = self.call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_string()
    }

    fn click(&self, css: &str) {
        self.wait(css, &format!("document.querySelector({css:?})"));
        let e = self.find(css);
        self.call("POST", &format!("/element/{e}/click"), Some(json!({})));
    }

    fn clear(&self, css: &str) {
        let e = self.find(css);
        self.call("POST", &format!("/element/{e}/clear"), Some(json!({})));
    }

    fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.call("POST", &format!("/element/{e}/clear"), Some(json!({})));
        self.call(
            "POST",
            &format!("/element/{e}/value"),
            Some(json!({ "text": text })),
        );
    }

    fn text(&self, css: &str) -> String {
        let e = self.find(css);
        self.call("GET", &format!("/element/{e}/text"), None)
            .as_str()
            .unwrap()
            .to_string()
    }

    pub(crate) fn screenshot(&self, name: &str) {
        let b64 = self.call("GET", "/screenshot", None);
        let png = sovereign::dynamic::base64_decode(b64.as_str().unwrap()).unwrap();
        let dir = workspace().join("target/studio-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = http(
            self.addr,
            "DELETE",
            &format!("/session/{}", self.session),
            &[],
            None,
        );
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

#[test]
fn studio_in_a_headless_browser() {
    let Some(browser) = Browser::start() else {
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = rt.block_on(TestDb::create("sqlite")).unwrap();
    let s = start_seeded(
        &db,
        "plugin \"blog\" reads core tables; only the platform writes them",
    );
    let b = &browser;

    let studio = format!("http://{}", s.addr);
    let kept = "return [sessionStorage.getItem('sovereign-studio-token'), sessionStorage.length, document.cookie];";

    // Without the token: no data, and the page says what to open.
    b.goto(&format!("{studio}/"));
    b.wait(
        "the refusal",
        "!document.getElementById('main-error').hidden && document.getElementById('main-error').innerText.includes('open the URL the command printed')",
    );
    assert_eq!(b.script(kept, json!([])), json!([null, 0, ""]));
    assert_eq!(b.text("#sources"), "");
    b.screenshot("0-no-token");

    // A wrong token: refused in words too, taken out of the address bar, the view left in it,
    // and not kept.
    b.goto(&format!(
        "{studio}/?token={}#source=0&model=User",
        "0".repeat(48)
    ));
    b.wait(
        "the wrong token refused",
        "document.getElementById('main-error').innerText.includes('not this studio') && document.getElementById('main-error').innerText.includes('open the URL the command printed')",
    );
    assert_eq!(
        b.script("return [location.search, location.hash];", json!([])),
        json!(["", "#source=0&model=User"])
    );
    assert_eq!(b.script(kept, json!([])), json!([null, 0, ""]));

    // The printed URL, with a view in its hash: the token kept by the page for this origin and
    // tab (no cookie), out of the address bar, the view kept; the models with their counts.
    b.goto(&format!("{}#source=0&model=Tenant", s.url()));
    b.wait(
        "the page without the token in its address",
        "location.pathname === '/' && location.search === '' && document.querySelectorAll('#grid-body tr').length === 2",
    );
    assert_eq!(
        b.script("return location.href;", json!([])),
        json!(format!("{studio}/#source=0&model=Tenant"))
    );
    assert_eq!(b.script(kept, json!([])), json!([s.token, 1, ""]));
    assert_eq!(b.text("#studio-title"), "test");
    assert_eq!(
        b.script("return document.title;", json!([])),
        json!("test · Sovereign Studio")
    );

    // Reloaded in the same tab, the page still reads and writes, with the token it kept.
    b.call("POST", "/refresh", Some(json!({})));
    b.wait(
        "the tenants after a reload",
        "document.querySelectorAll('#grid-body tr').length === 2 && [...document.querySelectorAll('[data-source=\"0\"][data-model=\"User\"] .n')].some(n => n.innerText === '120')",
    );
    assert_eq!(b.script(kept, json!([])), json!([s.token, 1, ""]));

    // Another server on 127.0.0.1 (another user's, on another port) that the browser visits
    // gets no cookie and no token, and its page cannot read the studio's storage.
    let other = TcpListener::bind("127.0.0.1:0").unwrap();
    let other_addr = other.local_addr().unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    {
        let seen = seen.clone();
        std::thread::spawn(move || {
            for conn in other.incoming() {
                let Ok(mut conn) = conn else { continue };
                let mut head = String::new();
                let mut r = BufReader::new(conn.try_clone().unwrap());
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    head.push_str(&line);
                }
                seen.lock().unwrap().push(head);
                let body = "<!doctype html><title>elsewhere</title><p>another server</p>";
                let _ = write!(
                    conn,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
    }
    b.goto(&format!("http://{other_addr}/"));
    b.wait(
        "the other server's page",
        "document.body.innerText.includes('another server')",
    );
    assert_eq!(b.script(kept, json!([])), json!([null, 0, ""]));
    let heads = seen.lock().unwrap().clone();
    assert!(!heads.is_empty());
    for head in &heads {
        assert!(!head.contains(&s.token), "the token sent elsewhere: {head}");
        assert!(
            !head.to_ascii_lowercase().contains("\ncookie:"),
            "a cookie sent elsewhere: {head}"
        );
    }

    // Back to the studio's address without the token, in the same tab: the token kept for this
    // tab opens it. A new tab has no token.
    b.goto(&format!("{studio}/#source=0&model=Tenant"));
    b.wait(
        "the studio again, by the kept token",
        "document.querySelectorAll('#grid-body tr').length === 2",
    );
    let first_tab = b.call("GET", "/window", None);
    let tab = b.call("POST", "/window/new", Some(json!({"type": "tab"})))["handle"].clone();
    b.call("POST", "/window", Some(json!({ "handle": tab })));
    b.goto(&format!("{studio}/"));
    b.wait(
        "the refusal in a new tab",
        "document.getElementById('main-error').innerText.includes('open the URL the command printed')",
    );
    assert_eq!(b.script(kept, json!([])), json!([null, 0, ""]));
    b.call("DELETE", "/window", None);
    b.call("POST", "/window", Some(json!({ "handle": first_tab })));
    b.wait(
        "the model list with counts",
        "[...document.querySelectorAll('[data-source=\"0\"][data-model=\"User\"] .n')].some(n => n.innerText === '120')",
    );
    assert_eq!(b.text("[data-source=\"0\"][data-model=\"User\"] .n"), "120");
    b.click("[data-source=\"0\"][data-model=\"User\"]");
    b.wait(
        "the user table",
        "document.querySelectorAll('#grid-body tr').length === 50",
    );
    assert_eq!(b.text("#page-info"), "Rows 1–50 of 120");
    b.screenshot("1-table");

    // Page, sort, filter.
    b.click("#next-page");
    b.wait(
        "page 2",
        "document.getElementById('page-info').innerText === 'Rows 51–100 of 120'",
    );
    b.click("#last-page");
    b.wait(
        "the last page",
        "document.getElementById('page-info').innerText === 'Rows 101–120 of 120' && document.querySelectorAll('#grid-body tr').length === 20",
    );
    b.click("#first-page");
    b.wait(
        "the first page",
        "document.getElementById('page-info').innerText === 'Rows 1–50 of 120'",
    );
    b.click("#grid-head th[data-field=\"email\"]");
    b.wait(
        "ascending emails",
        "document.querySelector('#grid-body td[data-field=\"email\"]').innerText === 'ada@acme.io'",
    );
    b.click("#grid-head th[data-field=\"email\"]");
    b.wait("descending emails", "document.querySelector('#grid-body td[data-field=\"email\"]').innerText === 'user119@acme.io'");
    b.click("#filter-field option[value=\"email\"]");
    b.click("#filter-op option[value=\"contains\"]");
    b.type_into("#filter-value", "user11");
    b.click("#filter-apply");
    b.wait(
        "the filtered table",
        "document.getElementById('page-info').innerText === 'Rows 1–10 of 10'",
    );
    b.screenshot("2-filtered");

    // Create: a unique violation shown inline, then a record created.
    b.click("[data-source=\"0\"][data-model=\"Tenant\"]");
    b.wait(
        "tenants",
        "document.querySelectorAll('#grid-body tr').length === 2",
    );
    b.click("#add-record");
    b.wait(
        "the new-record form",
        "document.querySelector('#record-form [name=\"slug\"]')",
    );
    // A required field left empty, then a value of the wrong type: said next to the field.
    b.type_into("#record-form [name=\"slug\"]", "acme");
    b.click("#save");
    b.wait(
        "the missing name",
        "!document.querySelector('.field-error[data-field=\"name\"]').hidden",
    );
    assert!(b
        .text(".field-error[data-field=\"name\"]")
        .contains("name is required"));
    b.type_into("#record-form [name=\"name\"]", "Acme again");
    b.type_into("#record-form [name=\"createdAt\"]", "last tuesday");
    b.click("#save");
    b.wait(
        "the wrong date",
        "!document.querySelector('.field-error[data-field=\"createdAt\"]').hidden",
    );
    assert!(b
        .text(".field-error[data-field=\"createdAt\"]")
        .contains("createdAt is a DateTime"));
    b.clear("#record-form [name=\"createdAt\"]");
    b.click("#save");
    b.wait(
        "the unique violation",
        "!document.getElementById('panel-error').hidden",
    );
    let msg = b.text("#panel-error");
    assert!(
        msg.contains("Another Tenant already has this slug"),
        "{msg}"
    );
    assert!(b
        .text(".field-error[data-field=\"slug\"]")
        .contains("must be unique"));
    b.screenshot("3-create-error");
    b.type_into("#record-form [name=\"slug\"]", "initech");
    b.type_into("#record-form [name=\"name\"]", "Initech");
    b.click("#save");
    b.wait(
        "the created record",
        "!document.getElementById('panel-ok').hidden",
    );
    b.wait(
        "three tenants",
        "document.querySelectorAll('#grid-body tr').length === 3",
    );

    // Edit it.
    b.type_into("#record-form [name=\"name\"]", "Initech Inc.");
    b.click("#save");
    b.wait(
        "the saved record",
        "document.getElementById('panel-ok').innerText === 'Saved.'",
    );
    b.wait("the edited row", "[...document.querySelectorAll('#grid-body td[data-field=\"name\"]')].some(td => td.innerText === 'Initech Inc.')");
    b.screenshot("4-edit");

    // Follow a relation: Ada's posts, then back to their author.
    b.click("[data-source=\"0\"][data-model=\"User\"]");
    b.wait(
        "users",
        "document.querySelectorAll('#grid-body tr').length === 50",
    );
    b.click("#grid-head th[data-field=\"email\"]");
    b.wait(
        "emails in order",
        "document.querySelector('#grid-body td[data-field=\"email\"]').innerText === 'ada@acme.io'",
    );
    b.click("#grid-body tr:first-child");
    b.wait(
        "Ada's record",
        "document.querySelector('#relations [data-relation=\"posts\"]')",
    );
    // The relation's button says how many records it leads to.
    b.wait(
        "the count of Ada's posts",
        "document.querySelector('#relations [data-relation=\"posts\"]').innerText === 'Open 3 related Post records'",
    );
    b.click("#relations [data-relation=\"posts\"]");
    b.wait(
        "Ada's posts",
        "document.getElementById('page-info').innerText === 'Rows 1–3 of 3'",
    );
    b.screenshot("5-related");
    b.click("#grid-body tr:first-child");
    b.wait(
        "a post",
        "document.querySelector('#relations [data-relation=\"author\"]')",
    );
    b.click("#relations [data-relation=\"author\"]");
    b.wait("the author", "document.querySelector('#grid-body td[data-field=\"email\"]') && document.querySelector('#grid-body td[data-field=\"email\"]').innerText === 'ada@acme.io'");

    // Delete: a tenant still in use is refused in words; the new one goes.
    b.click("[data-source=\"0\"][data-model=\"Post\"]");
    b.wait(
        "posts",
        "document.querySelectorAll('#grid-body tr').length === 3",
    );
    b.click("[data-source=\"0\"][data-model=\"Tenant\"]");
    // Posts have three rows too: wait for the tenants' own column, not just the row count.
    b.wait(
        "tenants",
        "document.querySelectorAll('#grid-body tr').length === 3 && document.querySelector('#grid-body td[data-field=\"name\"]')",
    );
    b.click("#grid-body tr:last-child");
    b.wait(
        "Initech",
        "document.getElementById('panel-title').innerText.startsWith('Tenant')",
    );
    b.click("#delete");
    b.click("#delete");
    b.wait("two tenants", "document.querySelectorAll('#grid-body tr').length === 2 && document.getElementById('panel').hidden");

    // The read-only core: the core models only, no add button, disabled inputs.
    let listed = b.script(
        "return [...document.querySelectorAll('[data-source=\"1\"]')].map(a => a.dataset.model);",
        json!([]),
    );
    assert_eq!(listed, json!(CORE_MODELS));
    b.click("[data-source=\"1\"][data-model=\"User\"]");
    b.wait(
        "read-only users",
        "!document.getElementById('read-only').hidden",
    );
    assert_eq!(
        b.script(
            "return document.getElementById('add-record').hidden;",
            json!([])
        ),
        json!(true)
    );
    b.click("#grid-body tr:first-child");
    b.wait(
        "a read-only record",
        "document.querySelector('#record-form [name=\"email\"]')",
    );
    assert_eq!(
        b.script("return document.querySelector('#record-form [name=\"email\"]').disabled && document.getElementById('save').hidden;", json!([])),
        json!(true)
    );
    b.screenshot("6-read-only");

    // The database afterwards.
    let tenants = s.get("/api/rows?model=Tenant&order=slug:asc").json();
    let slugs: Vec<&Value> = tenants["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["slug"])
        .collect();
    assert_eq!(slugs, [&json!("acme"), &json!("globex")]);
    drop(s);
    rt.block_on(db.drop());
}
