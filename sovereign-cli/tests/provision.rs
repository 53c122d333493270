//! `sovereign provision` and `plugin-db-manage provision` as an operator runs them, on real
//! servers: a workspace with two shared plugins and a dedicated one, migrated, provisioned,
//! provisioned again (nothing changes), migrated with a new table and provisioned (it is
//! granted); each plugin's URL from the env file reads core tables and writes only its own.
//! PostgreSQL and MariaDB from `SOVEREIGN_TEST_POSTGRES_URL` / `SOVEREIGN_TEST_MYSQL_URL`
//! (required when `CI` is set); SQLite says it has no roles.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sovereign_migrate::provision::role_name;
use sovereign_migrate::{Connection, Dialect};
use sovereign_test_support::{unique_name, Server, TestDb};

fn run(bin: &str, args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(bin);
    c.args(args)
        .current_dir(cwd)
        .env_remove("DATABASE_URL")
        .env_remove("STATS_DATABASE_URL");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run the command")
}

fn sovereign(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Output {
    run(env!("CARGO_BIN_EXE_sovereign"), args, cwd, env)
}

fn plugin_db_manage(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Output {
    run(env!("CARGO_BIN_EXE_plugin-db-manage"), args, cwd, env)
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn ok(o: Output) -> String {
    assert!(o.status.success(), "{}", text(&o));
    text(&o)
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn sql(url: &str, sql: &str) -> Result<(), String> {
    rt().block_on(async {
        let mut c = Connection::connect(url).await.map_err(|e| e.to_string())?;
        c.execute_script(sql).await.map_err(|e| e.to_string())
    })
}

fn denied(r: Result<(), String>, what: &str) {
    let e = r
        .expect_err(&format!("{what} should be refused"))
        .to_lowercase();
    assert!(
        [
            "permission denied",
            "must be owner",
            "command denied",
            "access denied"
        ]
        .iter()
        .any(|p| e.contains(p)),
        "{what}: {e}"
    );
}

/// `NAME=value` from an env file.
fn env_value(file: &Path, var: &str) -> String {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{var}=")).map(str::to_string))
        .unwrap_or_else(|| panic!("{var} not in {}", file.display()))
}

/// Roles and databases the test made on the server (server-wide: they outlive the test
/// database), dropped also when the test fails.
struct Cleanup {
    server: Server,
    db_url: String,
    admin: String,
    roles: Vec<String>,
    databases: Vec<String>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        // One statement at a time: PostgreSQL drops a database only outside a transaction.
        let mut in_db = Vec::new();
        let mut on_server = Vec::new();
        for d in &self.databases {
            on_server.push(match self.server {
                Server::Postgres => format!("DROP DATABASE IF EXISTS \"{d}\" WITH (FORCE)"),
                Server::Mysql => format!("DROP DATABASE IF EXISTS `{d}`"),
            });
        }
        for r in &self.roles {
            match self.server {
                Server::Postgres => {
                    in_db.push(format!("DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{r}') THEN DROP OWNED BY \"{r}\"; END IF; END $$"));
                    on_server.push(format!("DROP ROLE IF EXISTS \"{r}\""));
                }
                Server::Mysql => on_server.push(format!("DROP USER IF EXISTS '{r}'@'%'")),
            }
        }
        let (db_url, admin) = (self.db_url.clone(), self.admin.clone());
        let _ = std::thread::spawn(move || {
            for s in &in_db {
                let _ = sql(&db_url, s);
            }
            for s in &on_server {
                if let Err(e) = sql(&admin, s) {
                    eprintln!("cleanup: {s}: {e}");
                }
            }
        })
        .join();
    }
}

fn workspace(provider: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(unique_name("provision_ws"));
    let _ = std::fs::remove_dir_all(&dir);
    for d in [
        "platform/prisma",
        "plugins/blog/prisma",
        "plugins/shop/prisma",
        "plugins/stats/prisma/migrations/20250101000000_init",
    ] {
        std::fs::create_dir_all(dir.join(d)).unwrap();
    }
    std::fs::write(dir.join("sovereign.toml"), "").unwrap();
    std::fs::write(
        dir.join("platform/prisma/base.prisma"),
        format!("datasource db {{\n  provider = \"{provider}\"\n  url      = env(\"DATABASE_URL\")\n}}\n\nmodel User {{\n  id   Int    @id @default(autoincrement())\n  name String\n}}\n"),
    )
    .unwrap();
    for ns in ["blog", "shop"] {
        std::fs::write(
            dir.join(format!("plugins/{ns}/plugin.json")),
            format!("{{\"id\": \"{ns}\", \"name\": \"{ns}\", \"version\": \"0.1.0\", \"sovereign\": {{\"platformCapabilities\": {{\"database\": true}}}}}}"),
        )
        .unwrap();
    }
    std::fs::write(
        dir.join("plugins/blog/prisma/extension.prisma"),
        "model Post {\n  id       Int    @id @default(autoincrement())\n  title    String\n  authorId Int\n  author   User   @relation(fields: [authorId], references: [id])\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("plugins/shop/prisma/extension.prisma"),
        "model Order {\n  id    Int @id @default(autoincrement())\n  total Int\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("plugins/stats/plugin.json"),
        "{\"id\": \"stats\", \"name\": \"Stats\", \"version\": \"0.1.0\", \"sovereign\": {\"database\": {\"mode\": \"dedicated\"}, \"platformCapabilities\": {\"database\": true}}}",
    )
    .unwrap();
    std::fs::write(
        dir.join("plugins/stats/prisma/schema.prisma"),
        format!("datasource db {{\n  provider = \"{provider}\"\n  url      = env(\"STATS_DATABASE_URL\")\n}}\n\ngenerator client {{\n  provider = \"sovereign\"\n}}\n\nmodel Hit {{\n  id   Int    @id\n  path String\n}}\n"),
    )
    .unwrap();
    let q = if provider == "mysql" { '`' } else { '"' };
    let hit = if provider == "mysql" {
        "VARCHAR(191)"
    } else {
        "TEXT"
    };
    let create = if provider == "sqlite" {
        "CREATE TABLE \"Hit\" (\n    \"id\" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,\n    \"path\" TEXT NOT NULL\n);\n".to_string()
    } else {
        format!("CREATE TABLE {q}Hit{q} (\n    {q}id{q} INTEGER NOT NULL,\n    {q}path{q} {hit} NOT NULL,\n\n    PRIMARY KEY ({q}id{q})\n);\n")
    };
    std::fs::write(
        dir.join("plugins/stats/prisma/migrations/20250101000000_init/migration.sql"),
        format!("-- CreateTable\n{create}"),
    )
    .unwrap();
    std::fs::write(
        dir.join("plugins/stats/prisma/migrations/migration_lock.toml"),
        format!("provider = \"{provider}\"\n"),
    )
    .unwrap();
    dir
}

fn provision_a_platform(server: Server) {
    let Some(db) = rt().block_on(TestDb::create(server, "provision_cli")) else {
        return;
    };
    let admin = server.admin_url("provisioning").unwrap();
    let stats_db = format!("{}_stats", db.name);
    let dialect = match server {
        Server::Postgres => Dialect::Postgres,
        Server::Mysql => Dialect::Mysql,
    };
    let mut cleanup = Cleanup {
        server,
        db_url: db.url.clone(),
        admin: admin.clone(),
        roles: ["blog", "shop", "stats"]
            .iter()
            .map(|ns| role_name(&db.name, ns, dialect))
            .chain([role_name(&stats_db, "stats_owner", dialect)])
            .collect(),
        databases: vec![stats_db.clone()],
    };
    let dir = workspace(server.provider());
    let env = [("DATABASE_URL", db.url.as_str())];
    ok(sovereign(&["compose"], &dir, &env));
    ok(sovereign(&["migrate", "dev", "--name", "init"], &dir, &env));
    sql(
        &db.url,
        &format!(
            "INSERT INTO {} (name) VALUES ('ada')",
            quote(server, "User")
        ),
    )
    .unwrap();

    let roles = dir.join("roles.env");
    std::fs::write(&roles, "# kept\nOTHER=1\n").unwrap();
    let first = ok(sovereign(
        &["provision", "--env-file", "roles.env"],
        &dir,
        &env,
    ));
    assert!(
        first.contains("blog: role") && first.contains("created"),
        "{first}"
    );
    assert!(
        first.contains("SOVEREIGN_BLOG_DATABASE_URL, SOVEREIGN_SHOP_DATABASE_URL"),
        "{first}"
    );
    assert!(
        first.contains("plugin-db-manage provision stats"),
        "{first}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&roles).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the env file holds passwords");
    }
    let file = std::fs::read_to_string(&roles).unwrap();
    assert!(file.starts_with("# kept\nOTHER=1\n"), "{file}");
    let blog_url = env_value(&roles, "SOVEREIGN_BLOG_DATABASE_URL");
    let (_, password) = sovereign_migrate::url::credentials(&blog_url).unwrap();
    assert!(
        password.len() >= 32 && !first.contains(&password),
        "a password reached the output"
    );

    // Each plugin's login: core read, own write, the other plugin's table out of reach.
    let user = quote(server, "User");
    let post = quote(server, "Post");
    let order = quote(server, "Order");
    sql(&blog_url, &format!("SELECT name FROM {user}")).unwrap();
    sql(
        &blog_url,
        &format!(
            "INSERT INTO {post} (title, {}) VALUES ('hi', 1)",
            quote(server, "authorId")
        ),
    )
    .unwrap();
    denied(
        sql(
            &blog_url,
            &format!("INSERT INTO {user} (name) VALUES ('eve')"),
        ),
        "blog writing a core table",
    );
    denied(
        sql(&blog_url, &format!("SELECT * FROM {order}")),
        "blog reading shop's table",
    );
    let shop_url = env_value(&roles, "SOVEREIGN_SHOP_DATABASE_URL");
    sql(
        &shop_url,
        &format!("INSERT INTO {order} (total) VALUES (3)"),
    )
    .unwrap();
    denied(
        sql(&shop_url, &format!("DELETE FROM {post}")),
        "shop deleting blog's rows",
    );

    // Again: nothing changes, the file included.
    let second = ok(sovereign(
        &["provision", "--env-file", "roles.env"],
        &dir,
        &env,
    ));
    assert!(
        second.contains("blog: role")
            && second.contains("unchanged")
            && !second.contains("granted"),
        "{second}"
    );
    assert_eq!(std::fs::read_to_string(&roles).unwrap(), file);

    // A migration adds a table to blog: provisioning grants it.
    std::fs::write(
        dir.join("plugins/blog/prisma/extension.prisma"),
        "model Post {\n  id       Int    @id @default(autoincrement())\n  title    String\n  authorId Int\n  author   User   @relation(fields: [authorId], references: [id])\n}\n\nmodel Tag {\n  id   Int    @id @default(autoincrement())\n  name String\n}\n",
    )
    .unwrap();
    ok(sovereign(&["compose"], &dir, &env));
    ok(sovereign(&["migrate", "dev", "--name", "tags"], &dir, &env));
    let tag = quote(server, "Tag");
    denied(
        sql(&blog_url, &format!("INSERT INTO {tag} (name) VALUES ('x')")),
        "a table not provisioned yet",
    );
    let third = ok(sovereign(
        &["provision", "--env-file", "roles.env"],
        &dir,
        &env,
    ));
    assert!(
        third.contains("granted") && third.contains("Tag"),
        "{third}"
    );
    sql(&blog_url, &format!("INSERT INTO {tag} (name) VALUES ('x')")).unwrap();

    // The dedicated plugin: its own database and owner, and a read-only core login.
    let provision_stats = || {
        ok(plugin_db_manage(
            &[
                "provision",
                "stats",
                "--admin-url",
                &admin,
                "--database",
                &stats_db,
                "--env-file",
                "roles.env",
            ],
            &dir,
            &env,
        ))
    };
    let out = provision_stats();
    assert!(
        out.contains(&format!("database \"{stats_db}\" created")),
        "{out}"
    );
    let own = env_value(&roles, "STATS_DATABASE_URL");
    let core = env_value(&roles, "SOVEREIGN_STATS_DATABASE_URL");
    assert!(!out.contains(&sovereign_migrate::url::credentials(&own).unwrap().1));
    ok(plugin_db_manage(
        &["deploy", "stats"],
        &dir,
        &[("STATS_DATABASE_URL", own.as_str())],
    ));
    sql(
        &own,
        &format!(
            "INSERT INTO {} (id, path) VALUES (1, '/')",
            quote(server, "Hit")
        ),
    )
    .unwrap();
    sql(&core, &format!("SELECT name FROM {user}")).unwrap();
    denied(
        sql(&core, &format!("UPDATE {user} SET name = 'eve'")),
        "stats writing a core table",
    );
    denied(
        sql(&core, &format!("SELECT * FROM {post}")),
        "stats reading blog's table",
    );
    // Again: the database is kept, nothing is rotated.
    let again = provision_stats();
    assert!(
        again.contains("already there") && again.contains("unchanged"),
        "{again}"
    );
    assert_eq!(env_value(&roles, "STATS_DATABASE_URL"), own);
    // Its owner's login taken away by hand: provisioning gives it back, and says so.
    let owner = sovereign_migrate::url::credentials(&own).unwrap().0;
    let lock = match server {
        Server::Postgres => format!("ALTER ROLE \"{owner}\" NOLOGIN"),
        Server::Mysql => format!("ALTER USER '{owner}'@'%' ACCOUNT LOCK"),
    };
    sql(&admin, &lock).unwrap();
    assert!(sql(&own, "SELECT 1").is_err(), "a locked login");
    let unlocked = provision_stats();
    assert!(unlocked.contains("(may log in again)"), "{unlocked}");
    sql(&own, "SELECT 1").unwrap();

    doctor(server, &db.url, &dir, &roles);

    if server == Server::Postgres {
        // --schema: a schema of its own in the given database, reached with `?schema=`.
        cleanup
            .roles
            .push(role_name(&db.name, "stats_owner", dialect));
        let out = ok(plugin_db_manage(
            &[
                "provision",
                "stats",
                "--schema",
                "--admin-url",
                &db.url,
                "--env-file",
                "schema.env",
            ],
            &dir,
            &env,
        ));
        assert!(out.contains("schema \"stats\" created"), "{out}");
        let own = env_value(&dir.join("schema.env"), "STATS_DATABASE_URL");
        assert!(own.contains("schema=stats"), "{own}");
        ok(plugin_db_manage(
            &["deploy", "stats"],
            &dir,
            &[("STATS_DATABASE_URL", own.as_str())],
        ));
        sql(&db.url, "SELECT id FROM stats.\"Hit\"").unwrap();
        sql(&db.url, "SELECT 1 FROM stats.\"_prisma_migrations\"").unwrap();
    }
    uninstall_a_plugin(&dir, &env, &roles, server, &db.url);
    drop(cleanup);
    rt().block_on(db.drop());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Shop is uninstalled (its table still there, no migration yet): `sovereign doctor` reports
/// its login, `sovereign provision` takes its login and grants away and keeps its line (a build
/// that still has shop fails to connect it, rather than use the platform's login); the others'
/// logins are kept, a plugin without tables of its own included. Installed again, shop's login
/// works again.
fn uninstall_a_plugin(
    dir: &Path,
    env: &[(&str, &str)],
    roles: &Path,
    server: Server,
    db_url: &str,
) {
    let provision = || {
        ok(sovereign(
            &["provision", "--env-file", "roles.env"],
            dir,
            env,
        ))
    };
    let shop_url = env_value(roles, "SOVEREIGN_SHOP_DATABASE_URL");
    let blog_url = env_value(roles, "SOVEREIGN_BLOG_DATABASE_URL");
    let stats_url = env_value(roles, "SOVEREIGN_STATS_DATABASE_URL");
    let order = format!("SELECT * FROM {}", quote(server, "Order"));
    let user = format!("SELECT name FROM {}", quote(server, "User"));
    sql(&shop_url, &order).unwrap();
    // A plugin with no tables: in the workspace, not in the composed schema; a login line
    // named as provisioning would name it.
    std::fs::create_dir_all(dir.join("plugins/quiet")).unwrap();
    std::fs::write(
        dir.join("plugins/quiet/plugin.json"),
        "{\"id\": \"quiet\", \"name\": \"quiet\", \"version\": \"0.1.0\"}",
    )
    .unwrap();
    let quiet_url = shop_url.replace("_shop:", "_quiet:");
    assert_ne!(quiet_url, shop_url);
    let mut file = std::fs::read_to_string(roles).unwrap();
    file.push_str(&format!("SOVEREIGN_QUIET_DATABASE_URL={quiet_url}\n"));
    std::fs::write(roles, &file).unwrap();

    let aside = dir.join("shop-aside");
    std::fs::rename(dir.join("plugins/shop"), &aside).unwrap();
    ok(sovereign(&["compose"], dir, env));
    let doctor = |shop: &str| {
        let env = [
            ("DATABASE_URL", db_url),
            ("SOVEREIGN_BLOG_DATABASE_URL", blog_url.as_str()),
            ("SOVEREIGN_SHOP_DATABASE_URL", shop),
            ("SOVEREIGN_QUIET_DATABASE_URL", quiet_url.as_str()),
        ];
        let v = json(&sovereign(&["doctor", "--json"], dir, &env));
        let quiet = v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == "login of quiet");
        assert!(quiet.is_none(), "an installed plugin's login: {v:#}");
        result(&v, "platform", "login of shop").clone()
    };
    let left = doctor(&shop_url);
    assert_eq!(left["result"], "problem", "{left:#}");
    let detail = left["detail"].as_str().unwrap();
    assert!(
        detail.contains("not in the workspace")
            && detail.contains("may log in")
            && detail.contains("Order"),
        "{left:#}"
    );
    let out = provision();
    assert!(
        out.contains("shop: no longer in the workspace (SOVEREIGN_SHOP_DATABASE_URL)")
            && out.contains("withdrawn: it may no longer log in"),
        "{out}"
    );
    assert!(out.contains("revoked") && out.contains("Order"), "{out}");
    assert!(!out.contains("quiet"), "{out}");
    let refused = sql(&shop_url, "SELECT 1").unwrap_err();
    assert!(
        refused.contains("not permitted to log in") || refused.contains("locked"),
        "{refused}"
    );
    // The file is as it was: the line stays.
    assert_eq!(std::fs::read_to_string(roles).unwrap(), file);
    // The installed plugins' logins, the dedicated one's included, are untouched.
    sql(&blog_url, &user).unwrap();
    sql(&stats_url, &user).unwrap();
    let again = provision();
    assert!(
        again.contains("withdrawn before") && !again.contains("revoked"),
        "{again}"
    );
    let note = doctor(&shop_url);
    assert_eq!(note["result"], "note", "{note:#}");
    assert!(
        note["detail"]
            .as_str()
            .unwrap()
            .contains("may not log in and holds no grant"),
        "{note:#}"
    );

    std::fs::rename(&aside, dir.join("plugins/shop")).unwrap();
    ok(sovereign(&["compose"], dir, env));
    let back = provision();
    assert!(
        back.contains("shop: role")
            && back.contains("may log in again")
            && !back.contains("new password")
            && back.contains("granted"),
        "{back}"
    );
    sql(&shop_url, &order).unwrap();
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)))
}

/// The result of `check` of `datasource` in `sovereign doctor --json`.
fn result<'a>(v: &'a serde_json::Value, datasource: &str, check: &str) -> &'a serde_json::Value {
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["datasource"] == datasource && c["check"] == check)
        .unwrap_or_else(|| panic!("no {datasource}/{check} in {v:#}"))
}

/// `sovereign doctor` on the provisioned workspace: all well, then three things broken by hand
/// (drift, an extra grant, a migration not applied), each reported with its fix.
fn doctor(server: Server, db_url: &str, dir: &Path, roles: &Path) {
    let file = std::fs::read_to_string(roles).unwrap();
    let mut env: Vec<(String, String)> = file
        .lines()
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| k.starts_with("SOVEREIGN_") || *k == "STATS_DATABASE_URL")
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    env.push(("DATABASE_URL".into(), db_url.into()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let well = sovereign(&["doctor"], dir, &env);
    let t = text(&well);
    assert!(
        well.status.success() && t.contains("Everything is well"),
        "{t}"
    );
    for (_, v) in &env {
        if let Some((_, password)) = sovereign_migrate::url::credentials(v) {
            assert!(
                !t.contains(&password),
                "a password reached doctor's output: {t}"
            );
        }
    }
    let v = json(&sovereign(&["doctor", "--json"], dir, &env));
    assert_eq!(v["ok"], true, "{v:#}");
    assert_eq!(result(&v, "plugin stats", "migrations")["result"], "ok");
    assert_eq!(result(&v, "platform", "login of blog")["result"], "ok");
    assert_eq!(result(&v, "platform", "login of stats")["result"], "ok");

    let user = quote(server, "User");
    let blog = sovereign_migrate::url::credentials(
        env.iter()
            .find(|(k, _)| *k == "SOVEREIGN_BLOG_DATABASE_URL")
            .unwrap()
            .1,
    )
    .unwrap()
    .0;
    sql(
        db_url,
        &format!(
            "ALTER TABLE {user} ADD COLUMN {} INTEGER",
            quote(server, "extra")
        ),
    )
    .unwrap();
    let grantee = match server {
        Server::Postgres => format!("\"{blog}\""),
        Server::Mysql => format!("'{blog}'@'%'"),
    };
    sql(db_url, &format!("GRANT INSERT ON {user} TO {grantee}")).unwrap();
    let m = dir.join("plugins/stats/prisma/migrations/20250202000000_more");
    std::fs::create_dir_all(&m).unwrap();
    std::fs::write(
        m.join("migration.sql"),
        format!("CREATE TABLE {} (id INTEGER)", quote(server, "More")),
    )
    .unwrap();
    let sick = sovereign(&["doctor", "--json"], dir, &env);
    assert_eq!(sick.status.code(), Some(1), "{}", text(&sick));
    let v = json(&sick);
    assert_eq!(v["ok"], false);
    let drift = result(&v, "platform", "drift");
    assert_eq!(drift["result"], "problem", "{v:#}");
    assert!(
        drift["detail"]
            .as_str()
            .unwrap()
            .contains("column User.extra is not in the schema"),
        "{drift}"
    );
    let grants = result(&v, "platform", "login of blog");
    assert_eq!(grants["result"], "problem", "{v:#}");
    assert!(
        grants["detail"].as_str().unwrap().contains("extra INSERT"),
        "{grants}"
    );
    assert_eq!(grants["fix"], "sovereign provision");
    let pending = result(&v, "plugin stats", "migrations");
    assert!(
        pending["detail"]
            .as_str()
            .unwrap()
            .contains("20250202000000_more"),
        "{pending}"
    );
    assert_eq!(pending["fix"], "plugin-db-manage deploy stats");
    let table = text(&sovereign(&["doctor"], dir, &env));
    assert!(
        table.contains("PROBLEM") && table.contains("3 problems found"),
        "{table}"
    );
    // Put it back for what follows.
    std::fs::remove_dir_all(&m).unwrap();
    sql(
        db_url,
        &format!("ALTER TABLE {user} DROP COLUMN {}", quote(server, "extra")),
    )
    .unwrap();
    sql(db_url, &format!("REVOKE INSERT ON {user} FROM {grantee}")).unwrap();
}

fn quote(server: Server, name: &str) -> String {
    match server {
        Server::Postgres => format!("\"{name}\""),
        Server::Mysql => format!("`{name}`"),
    }
}

#[test]
fn postgres_plugins_get_roles_of_their_own() {
    provision_a_platform(Server::Postgres);
}

#[test]
fn mysql_plugins_get_roles_of_their_own() {
    provision_a_platform(Server::Mysql);
}

#[test]
fn sqlite_says_it_has_no_roles() {
    let dir = workspace("sqlite");
    let env = [("DATABASE_URL", "file:./dev.db")];
    ok(sovereign(&["compose"], &dir, &env));
    let out = sovereign(&["provision"], &dir, &env);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("SQLite has no database roles") && t.contains("Dedicated here: stats"),
        "{t}"
    );
    assert!(!dir.join(".env").exists(), "nothing written");
    // doctor on SQLite: migrations and drift of both files, and no roles to check.
    ok(sovereign(&["migrate", "dev", "--name", "init"], &dir, &env));
    let stats = [
        ("DATABASE_URL", "file:./dev.db"),
        ("STATS_DATABASE_URL", "file:./stats.db"),
    ];
    let missing = sovereign(&["doctor"], &dir, &env);
    assert_eq!(missing.status.code(), Some(1), "{}", text(&missing));
    assert!(
        text(&missing).contains("STATS_DATABASE_URL"),
        "{}",
        text(&missing)
    );
    ok(plugin_db_manage(&["deploy", "stats"], &dir, &stats));
    let well = ok(sovereign(&["doctor"], &dir, &stats));
    assert!(
        well.contains("SQLite has no roles") && well.contains("Everything is well"),
        "{well}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A dedicated plugin's database on a second PostgreSQL server (one the test starts): doctor
/// checks both servers, and says which one is down when one is.
#[test]
fn doctor_reports_each_server() {
    let Some(db) = rt().block_on(TestDb::create(Server::Postgres, "doctor_servers")) else {
        return;
    };
    let Some(mut second) = sovereign_test_support::cluster::PgServer::start_new("doctor_second")
    else {
        return;
    };
    sql(&second.url("postgres"), "CREATE DATABASE stats").unwrap();
    let stats = second.url("stats");
    let dir = workspace("postgresql");
    let env = [
        ("DATABASE_URL", db.url.as_str()),
        ("STATS_DATABASE_URL", stats.as_str()),
    ];
    ok(sovereign(&["compose"], &dir, &env));
    ok(sovereign(&["migrate", "dev", "--name", "init"], &dir, &env));
    ok(plugin_db_manage(&["deploy", "stats"], &dir, &env));
    let well = sovereign(&["doctor", "--json"], &dir, &env);
    let v = json(&well);
    assert_eq!(v["ok"], true, "{v:#}");
    let reached = result(&v, "plugin stats", "reachable");
    assert!(
        reached["detail"]
            .as_str()
            .unwrap()
            .contains(&format!(":{}/stats", second.port)),
        "{reached}"
    );
    assert_eq!(result(&v, "plugin stats", "migrations")["result"], "ok");

    second.kill();
    let down = sovereign(&["doctor", "--json"], &dir, &env);
    assert_eq!(down.status.code(), Some(1), "{}", text(&down));
    let v = json(&down);
    assert_eq!(result(&v, "plugin stats", "reachable")["result"], "problem");
    assert_eq!(result(&v, "platform", "reachable")["result"], "ok");
    assert_eq!(result(&v, "platform", "migrations")["result"], "ok");
    drop(second);
    rt().block_on(db.drop());
    let _ = std::fs::remove_dir_all(&dir);
}

/// The platform's read replicas (`DATABASE_URL_REPLICAS`) on a primary and a hot standby the
/// test starts: the standby is reported as one, a server that takes writes listed as a replica
/// and a replica that does not answer are problems with their fix.
#[test]
fn doctor_checks_the_replicas() {
    let Some(cluster) = sovereign_test_support::cluster::PgCluster::start("doctor_replicas") else {
        return;
    };
    let primary = cluster.primary.url("postgres");
    sql(&primary, "CREATE DATABASE stats").unwrap();
    let stats = cluster.primary.url("stats");
    let replicas = format!(
        "{}, {primary},postgresql://postgres@127.0.0.1:1/postgres",
        cluster.standby.url("postgres")
    );
    let dir = workspace("postgresql");
    let env = [
        ("DATABASE_URL", primary.as_str()),
        ("STATS_DATABASE_URL", stats.as_str()),
        ("DATABASE_URL_REPLICAS", replicas.as_str()),
    ];
    ok(sovereign(&["compose"], &dir, &env));
    ok(sovereign(&["migrate", "dev", "--name", "init"], &dir, &env));
    ok(plugin_db_manage(&["deploy", "stats"], &dir, &env));
    let out = sovereign(&["doctor", "--json"], &dir, &env);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let v = json(&out);
    let standby = result(&v, "platform", "replica 1");
    assert_eq!(standby["result"], "ok", "{standby}");
    assert!(
        standby["detail"].as_str().unwrap().contains("a standby"),
        "{standby}"
    );
    let writable = result(&v, "platform", "replica 2");
    assert_eq!(writable["result"], "problem", "{writable}");
    assert!(
        writable["detail"]
            .as_str()
            .unwrap()
            .contains("takes writes"),
        "{writable}"
    );
    let gone = result(&v, "platform", "replica 3");
    assert_eq!(gone["result"], "problem", "{gone}");
    assert!(
        gone["fix"]
            .as_str()
            .unwrap()
            .contains("DATABASE_URL_REPLICAS"),
        "{gone}"
    );
    assert_eq!(result(&v, "platform", "migrations")["result"], "ok");
    drop(cluster);
    let _ = std::fs::remove_dir_all(&dir);
}
