//! The HTTP API on SQLite, PostgreSQL and MySQL: one suite, run on each.

use std::io::{Read, Write};
use std::net::TcpStream;

use serde_json::{json, Value};

use crate::http::{enc, http};
use crate::support::{start_seeded, Running, TestDb, CORE_MODELS};

fn api_suite(s: &Running) {
    // The token is checked on every API request, and the host name on every request.
    let r = http(s.addr, "GET", "/api/schema", &[], None);
    assert_eq!(r.status, 401);
    assert!(r.body.contains("needs its token"), "{}", r.body);
    assert_eq!(r.json()["error"]["kind"], json!("token"));
    let r = http(
        s.addr,
        "GET",
        "/api/schema",
        &[("x-studio-token", "0123")],
        None,
    );
    assert_eq!(r.status, 401);
    let r = http(s.addr, "GET", &format!("/?token={}", s.token), &[], None);
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Sovereign Studio"));
    let mut sock = TcpStream::connect(s.addr).unwrap();
    write!(
        sock,
        "GET /api/schema HTTP/1.1\r\nHost: evil.example:80\r\nx-studio-token: {}\r\nConnection: close\r\n\r\n",
        s.token
    )
    .unwrap();
    let mut answer = String::new();
    sock.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");

    // Models with counts; the second source is read-only.
    let schema = s.get("/api/schema").json();
    let models = &schema["sources"][0]["models"];
    let user = models
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "User")
        .unwrap();
    let counts = s.get("/api/counts?source=0").json();
    assert_eq!(counts["counts"]["User"], json!(120));
    assert_eq!(counts["counts"]["Tenant"], json!(2));
    assert_eq!(user["writable"], json!(true));
    assert_eq!(user["primaryKey"], json!(["id"]));
    let ro_user = schema["sources"][1]["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "User")
        .unwrap();
    assert_eq!(ro_user["writable"], json!(false));
    let ro_names: Vec<&Value> = schema["sources"][1]["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["name"])
        .collect();
    assert_eq!(
        ro_names,
        CORE_MODELS.map(|m| json!(m)).iter().collect::<Vec<_>>()
    );
    assert_eq!(s.get("/api/rows?source=1&model=Post").status, 404);

    // Pages, sorting and filters, on the server.
    let r = s
        .get("/api/rows?source=0&model=User&take=50&skip=100&order=email:asc")
        .json();
    assert_eq!(r["total"], json!(120));
    assert_eq!(r["rows"].as_array().unwrap().len(), 20);
    assert_eq!(r["rows"][0]["email"], json!("user100@acme.io"));
    assert_eq!(r["exact"], json!(true));
    // The last page read from the end comes back in the requested order.
    let r = s
        .get("/api/rows?model=User&take=5&skip=0&reverse=1&order=email:asc")
        .json();
    let emails: Vec<&str> = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        emails,
        [
            "user115@acme.io",
            "user116@acme.io",
            "user117@acme.io",
            "user118@acme.io",
            "user119@acme.io"
        ]
    );
    let filters = json!([{"field": "role", "op": "equals", "value": "MEMBER"}]);
    let r = s
        .get(&format!("/api/count?model=User&filters={}", enc(&filters)))
        .json();
    assert_eq!(r["total"], json!(119));
    let filters = json!([{"field": "email", "op": "contains", "value": "USER11"}]);
    let r = s
        .get(&format!(
            "/api/rows?model=User&filters={}&order=email:desc",
            enc(&filters)
        ))
        .json();
    assert_eq!(r["total"], json!(10), "insensitive contains");
    assert_eq!(r["rows"][0]["email"], json!("user119@acme.io"));
    let filters = json!([{"field": "name", "op": "is_null"}]);
    let r = s
        .get(&format!("/api/rows?model=User&filters={}", enc(&filters)))
        .json();
    assert_eq!(r["total"], json!(17));
    let bad = json!([{"field": "nope", "op": "equals", "value": 1}]);
    let r = s.get(&format!("/api/rows?model=User&filters={}", enc(&bad)));
    assert_eq!(r.status, 422);
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("User has no field `nope`"));

    // Following a relation: Ada's posts.
    let ada = s
        .get(&format!(
            "/api/rows?model=User&filters={}",
            enc(&json!([{"field": "email", "op": "equals", "value": "ada@acme.io"}]))
        ))
        .json()["rows"][0]
        .clone();
    let related = json!({"relation": "author", "model": "User", "key": {"id": ada["id"]}});
    let r = s
        .get(&format!("/api/rows?model=Post&related={}", enc(&related)))
        .json();
    assert_eq!(r["total"], json!(3));
    // The record panel's relation count: capped, exact below the cap.
    let r = s
        .get(&format!(
            "/api/count?model=Post&capped=1&related={}",
            enc(&related)
        ))
        .json();
    assert_eq!(r, json!({"total": 3, "more": false}));

    // Create, with the database's objections in words.
    let r = s.post(
        "/api/create",
        json!({"model": "Tenant", "values": {"slug": "acme", "name": "Again"}}),
    );
    assert_eq!(r.status, 409);
    let e = &r.json()["error"];
    assert_eq!(e["kind"], json!("unique_violation"));
    assert_eq!(e["fields"], json!(["slug"]));
    assert!(e["message"]
        .as_str()
        .unwrap()
        .contains("Another Tenant already has this slug"));
    let r = s.post(
        "/api/create",
        json!({"model": "Tenant", "values": {"slug": "initech"}}),
    );
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["error"]["fields"], json!(["name"]));
    let r = s.post(
        "/api/create",
        json!({"model": "Post", "values": {"slug": "x", "title": "x", "body": "x", "authorId": "no-such-user"}}),
    );
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["error"]["kind"], json!("foreign_key_violation"));
    let r = s.post(
        "/api/create",
        json!({"model": "Tenant", "values": {"slug": "initech", "name": "Initech", "createdAt": "last tuesday"}}),
    );
    assert_eq!(r.status, 422);
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("createdAt is a DateTime"));
    let created = s.post(
        "/api/create",
        json!({"model": "Tenant", "values": {"slug": "initech", "name": "Initech"}}),
    );
    assert_eq!(created.status, 200, "{}", created.body);
    let initech = created.json()["record"].clone();

    // Edit, read back, delete.
    let r = s.post(
        "/api/update",
        json!({"model": "Tenant", "key": {"id": initech["id"]}, "values": {"name": "Initech Inc."}}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = s
        .get(&format!(
            "/api/record?model=Tenant&key={}",
            enc(&json!({"id": initech["id"]}))
        ))
        .json();
    assert_eq!(r["record"]["name"], json!("Initech Inc."));
    let r = s.post(
        "/api/delete",
        json!({"model": "Tenant", "key": {"id": initech["id"]}}),
    );
    assert_eq!(r.status, 200);
    let r = s.post(
        "/api/delete",
        json!({"model": "Tenant", "key": {"id": initech["id"]}}),
    );
    assert_eq!(r.status, 404);
    // Deleting a record others refer to: Ada's session blocks nothing (cascade), but a
    // read-only source refuses every write.
    let r = s.post(
        "/api/update",
        json!({"source": 1, "model": "User", "key": {"id": ada["id"]}, "values": {"name": "x"}}),
    );
    assert_eq!(r.status, 403);
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("User is read-only here"));
}

fn run_api(provider: &'static str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(db) = rt.block_on(TestDb::create(provider)) else {
        return;
    };
    let s = start_seeded(&db, "plugins read core tables");
    api_suite(&s);
    drop(s);
    rt.block_on(db.drop());
}

#[test]
fn studio_api_on_sqlite() {
    run_api("sqlite");
}

#[test]
fn studio_api_on_postgres() {
    run_api("postgresql");
}

#[test]
fn studio_api_on_mysql() {
    run_api("mysql");
}
