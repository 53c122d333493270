//! `sovereign studio` and `plugin-db-manage studio` as a user runs them.

use std::process::Command;

use serde_json::json;

use crate::http::http;
use crate::support::{cli_platform_db, cli_workspace, spawn_studio, sqlite_script};

#[test]
fn studio_commands_for_the_platform_and_a_dedicated_plugin() {
    let dir = cli_workspace("cli");
    let sovereign = env!("CARGO_BIN_EXE_sovereign");
    let manage = env!("CARGO_BIN_EXE_plugin-db-manage");

    // No database file yet: said, with the fix.
    let out = Command::new(sovereign)
        .arg("studio")
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("does not exist") && err.contains("sovereign migrate deploy"),
        "{err}"
    );

    cli_platform_db(&dir);
    let (mut child, addr, token) = spawn_studio(sovereign, &["studio", "--port", "0"], &dir, &[]);
    let t = [("x-studio-token", token.as_str())];
    assert_eq!(http(addr, "GET", "/api/schema", &[], None).status, 401);
    let r = http(addr, "GET", "/api/counts?source=0", &t, None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["counts"], json!({"Author": 1, "Note": 1}));
    // A record still in use is not deleted, and the page is told why.
    let r = http(
        addr,
        "POST",
        "/api/delete",
        &t,
        Some(&json!({"model": "Author", "key": {"id": 1}}).to_string()),
    );
    assert_eq!(r.status, 409, "{}", r.body);
    let e = &r.json()["error"];
    assert_eq!(e["kind"], json!("foreign_key_violation"));
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("This Author is still in use"),
        "{e}"
    );
    child.kill().unwrap();
    child.wait().unwrap();

    // A dedicated plugin: its own database editable, the core tables beside it read-only.
    let p = dir.join("plugins/stats");
    std::fs::create_dir_all(p.join("prisma")).unwrap();
    std::fs::write(
        p.join("plugin.json"),
        "{\"id\": \"stats\", \"name\": \"Stats\", \"version\": \"1.0.0\", \"sovereign\": {\"database\": {\"mode\": \"dedicated\"}}}",
    )
    .unwrap();
    std::fs::write(
        p.join("prisma/schema.prisma"),
        "datasource db {\n  provider = \"sqlite\"\n  url      = env(\"STATS_DATABASE_URL\")\n}\n\ngenerator client {\n  provider = \"sovereign\"\n}\n\nmodel Hit {\n  id   Int    @id @default(autoincrement())\n  path String\n}\n",
    )
    .unwrap();
    let stats_db = dir.join("stats.db");
    std::fs::write(&stats_db, "").unwrap();
    sqlite_script(
        &stats_db,
        "CREATE TABLE \"Hit\" (\"id\" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, \"path\" TEXT NOT NULL);",
    );
    let out = Command::new(manage)
        .args(["studio", "stats"])
        .current_dir(&dir)
        .env_remove("STATS_DATABASE_URL")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("STATS_DATABASE_URL is not set"), "{err}");
    let url = format!("file:{}", stats_db.display());
    let (mut child, addr, token) = spawn_studio(
        manage,
        &["studio", "stats", "--port", "0"],
        &dir,
        &[("STATS_DATABASE_URL", &url)],
    );
    let t = [("x-studio-token", token.as_str())];
    let schema = http(addr, "GET", "/api/schema", &t, None).json();
    let sources = schema["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 2, "{schema}");
    assert_eq!(sources[0]["label"], json!("Plugin stats"));
    assert_eq!(sources[0]["models"][0]["writable"], json!(true));
    assert_eq!(sources[1]["label"], json!("Core (read-only)"));
    assert!(sources[1]["models"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["writable"] == json!(false)));
    let r = http(
        addr,
        "POST",
        "/api/create",
        &t,
        Some(&json!({"source": 0, "model": "Hit", "values": {"path": "/"}}).to_string()),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = http(
        addr,
        "POST",
        "/api/create",
        &t,
        Some(&json!({"source": 1, "model": "Author", "values": {"name": "Eve"}}).to_string()),
    );
    assert_eq!(r.status, 403);
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("plugin \"stats\" reads core tables"));
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
