//! Plugin roles on real servers: a provisioned role reads the core tables, writes its own, and
//! can neither write a core table nor touch another plugin's, whatever SQL it sends; a second
//! run changes nothing; a table added later is granted by the next run, and one taken away is
//! revoked; a withdrawn role (a plugin uninstalled) logs in no more and holds nothing, until it
//! is provisioned again.

use sovereign_migrate::sql::QualifiedName;
use sovereign_migrate::url::with_credentials;
use sovereign_migrate::{
    check_role, provision_role, withdraw_role, Access, Connection, Dialect, Error,
};
use sovereign_test_support::{Server, SqliteFile, TestDb};

fn table(name: &str) -> QualifiedName {
    QualifiedName {
        namespace: None,
        name: name.into(),
    }
}

/// Drops the roles a test made (roles are server-wide: they outlive the test database), also
/// when the test fails half-way. Declared after the database, so it goes first: PostgreSQL
/// drops a role only once its grants in that database are gone (`DROP OWNED BY`).
struct Roles {
    server: Server,
    url: String,
    names: Vec<String>,
}

impl Drop for Roles {
    fn drop(&mut self) {
        let sql: String = self
            .names
            .iter()
            .map(|r| match self.server {
                Server::Postgres => format!(
                    "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{r}') THEN DROP OWNED BY \"{r}\"; DROP ROLE \"{r}\"; END IF; END $$;\n"
                ),
                Server::Mysql => format!("DROP USER IF EXISTS '{r}'@'%';\n"),
            })
            .collect();
        let url = self.url.clone();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let mut conn = Connection::connect(&url).await.ok()?;
                conn.execute_script(&sql).await.ok()
            })
        })
        .join();
    }
}

async fn try_sql(url: &str, sql: &str) -> Result<(), String> {
    let mut conn = Connection::connect(url).await.map_err(|e| e.to_string())?;
    conn.execute_script(sql).await.map_err(|e| e.to_string())
}

async fn password_hash(url: &str, sql: &str) -> String {
    use sqlx::Row;
    let row = match url.split(':').next() {
        Some("mysql") => {
            let mut c = <sqlx::MySqlConnection as sqlx::Connection>::connect(url)
                .await
                .unwrap();
            let r = sqlx::query(sql).fetch_one(&mut c).await.unwrap();
            r.get::<String, _>(0)
        }
        _ => {
            let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(url)
                .await
                .unwrap();
            let r = sqlx::query(sql).fetch_one(&mut c).await.unwrap();
            r.get::<String, _>(0)
        }
    };
    assert!(!row.is_empty());
    row
}

fn denied(result: Result<(), String>, what: &str) {
    let e = result.expect_err(&format!("{what} should be refused"));
    let e = e.to_ascii_lowercase();
    assert!(
        e.contains("permission denied")
            || e.contains("must be owner")
            || e.contains("command denied")
            || e.contains("access denied"),
        "{what}: not a permission error: {e}"
    );
}

async fn roles_isolate_plugins(server: Server) {
    let Some(db) = TestDb::create(server, "provision").await else {
        return;
    };
    let dialect = match server {
        Server::Postgres => Dialect::Postgres,
        Server::Mysql => Dialect::Mysql,
    };
    let q = |s: &str| dialect.quote(s);
    let auto = match server {
        Server::Postgres => "SERIAL",
        Server::Mysql => "INTEGER NOT NULL AUTO_INCREMENT",
    };
    let mut admin = Connection::connect(&db.url).await.unwrap();
    for (name, extra) in [("User", ""), ("blog_Post", ""), ("shop_Order", "")] {
        admin
            .execute_script(&format!(
                "CREATE TABLE {} (id {auto} PRIMARY KEY, title VARCHAR(50){extra})",
                q(name)
            ))
            .await
            .unwrap();
    }
    admin
        .execute_script(&format!("INSERT INTO {} (title) VALUES ('ada')", q("User")))
        .await
        .unwrap();

    let blog = format!("{}_blog", db.name);
    let shop = format!("{}_shop", db.name);
    let roles = Roles {
        server,
        url: db.url.clone(),
        names: vec![blog.clone(), shop.clone()],
    };

    let blog_access = Access {
        read: vec![table("User")],
        write: vec![table("blog_Post")],
    };
    let first = provision_role(&mut admin, &blog, "blog-pw", false, &blog_access)
        .await
        .unwrap();
    assert!(first.created && first.password_set, "{first:?}");
    assert!(
        first.granted.iter().any(|g| g.contains("blog_Post")),
        "{first:?}"
    );
    let shop_access = Access {
        read: vec![table("User")],
        write: vec![table("shop_Order")],
    };
    provision_role(&mut admin, &shop, "shop-pw", false, &shop_access)
        .await
        .unwrap();

    // Provisioning again changes nothing.
    let again = provision_role(&mut admin, &blog, "ignored", false, &blog_access)
        .await
        .unwrap();
    assert!(again.unchanged(), "second run changed something: {again:?}");

    let blog_url = with_credentials(&db.url, &blog, "blog-pw");
    try_sql(&blog_url, &format!("SELECT title FROM {}", q("User")))
        .await
        .unwrap();
    try_sql(
        &blog_url,
        &format!("INSERT INTO {} (title) VALUES ('hello')", q("blog_Post")),
    )
    .await
    .unwrap();
    try_sql(
        &blog_url,
        &format!("UPDATE {} SET title = 'x'", q("blog_Post")),
    )
    .await
    .unwrap();
    try_sql(&blog_url, &format!("DELETE FROM {}", q("blog_Post")))
        .await
        .unwrap();
    denied(
        try_sql(
            &blog_url,
            &format!("INSERT INTO {} (title) VALUES ('eve')", q("User")),
        )
        .await,
        "a plugin inserting into a core table",
    );
    denied(
        try_sql(
            &blog_url,
            &format!("UPDATE {} SET title = 'eve'", q("User")),
        )
        .await,
        "a plugin updating a core table",
    );
    denied(
        try_sql(&blog_url, &format!("DELETE FROM {}", q("User"))).await,
        "a plugin deleting from a core table",
    );
    denied(
        try_sql(&blog_url, &format!("SELECT * FROM {}", q("shop_Order"))).await,
        "a plugin reading another plugin's table",
    );
    denied(
        try_sql(
            &blog_url,
            &format!("INSERT INTO {} (title) VALUES ('x')", q("shop_Order")),
        )
        .await,
        "a plugin writing another plugin's table",
    );
    denied(
        try_sql(&blog_url, &format!("DROP TABLE {}", q("User"))).await,
        "a plugin dropping a core table",
    );
    let shop_url = with_credentials(&db.url, &shop, "shop-pw");
    denied(
        try_sql(&shop_url, &format!("SELECT * FROM {}", q("blog_Post"))).await,
        "the other plugin reading the first's table",
    );

    // A migration adds a table: the next run grants it. Taking a table away revokes it.
    admin
        .execute_script(&format!(
            "CREATE TABLE {} (id {auto} PRIMARY KEY, name VARCHAR(50))",
            q("blog_Tag")
        ))
        .await
        .unwrap();
    denied(
        try_sql(&blog_url, &format!("SELECT * FROM {}", q("blog_Tag"))).await,
        "a table not provisioned yet",
    );
    let grown = Access {
        read: vec![table("User")],
        write: vec![table("blog_Tag")],
    };
    let pending = check_role(&mut admin, &blog, &grown).await.unwrap();
    assert!(
        pending.granted.iter().any(|g| g.contains("blog_Tag"))
            && pending.revoked.iter().any(|g| g.contains("blog_Post"))
            && !pending.created,
        "{pending:?}"
    );
    let third = provision_role(&mut admin, &blog, "ignored", false, &grown)
        .await
        .unwrap();
    assert!(
        third.granted.iter().any(|g| g.contains("blog_Tag")),
        "{third:?}"
    );
    assert!(
        third.revoked.iter().any(|g| g.contains("blog_Post")),
        "{third:?}"
    );
    try_sql(
        &blog_url,
        &format!("INSERT INTO {} (name) VALUES ('rust')", q("blog_Tag")),
    )
    .await
    .unwrap();
    denied(
        try_sql(&blog_url, &format!("SELECT * FROM {}", q("blog_Post"))).await,
        "a table taken away",
    );

    assert!(check_role(&mut admin, &blog, &grown)
        .await
        .unwrap()
        .unchanged());
    let unknown = check_role(&mut admin, &format!("{}_none", db.name), &grown)
        .await
        .unwrap();
    assert!(
        unknown.created && !unknown.granted.is_empty(),
        "{unknown:?}"
    );

    // A lost password is set again when asked (a rotation). The test servers may trust local
    // logins (PostgreSQL's `trust`), so the stored password is compared, not only a login.
    let stored = |role: String| match server {
        Server::Postgres => format!("SELECT rolpassword FROM pg_authid WHERE rolname = '{role}'"),
        Server::Mysql => format!(
            "SELECT CAST(authentication_string AS CHAR) FROM mysql.user WHERE User = '{role}'"
        ),
    };
    let before = password_hash(&db.url, &stored(blog.clone())).await;
    let rotated = provision_role(&mut admin, &blog, "new-pw", true, &grown)
        .await
        .unwrap();
    assert!(rotated.password_set && !rotated.created, "{rotated:?}");
    assert_ne!(before, password_hash(&db.url, &stored(blog.clone())).await);
    try_sql(&with_credentials(&db.url, &blog, "new-pw"), "SELECT 1")
        .await
        .unwrap();
    if server == Server::Mysql {
        assert!(try_sql(&blog_url, "SELECT 1").await.is_err());
    }

    // A plugin uninstalled: its role loses its login and its grants, the role stays; on
    // PostgreSQL also a grant in a schema the plugin's access never named.
    let order = format!("SELECT * FROM {}", q("shop_Order"));
    try_sql(&shop_url, &order).await.unwrap();
    let mut held = vec!["User", "shop_Order"];
    if server == Server::Postgres {
        admin
            .execute_script(&format!(
                "CREATE SCHEMA side; CREATE TABLE side.\"Extra\" (id SERIAL PRIMARY KEY); \
                 GRANT USAGE ON SCHEMA side TO {0}; GRANT SELECT ON side.\"Extra\" TO {0}; \
                 GRANT USAGE ON SEQUENCE side.\"Extra_id_seq\" TO {0}; \
                 CREATE SEQUENCE side.counter; GRANT UPDATE ON SEQUENCE side.counter TO {0}; \
                 CREATE MATERIALIZED VIEW side.totals AS SELECT 1 AS n; \
                 GRANT SELECT ON side.totals TO {0}; \
                 CREATE TABLE side.mine (id INTEGER); ALTER TABLE side.mine OWNER TO {0}",
                q(&shop)
            ))
            .await
            .unwrap();
        held.extend([
            "\"side\".\"Extra\"",
            "sequence \"side\".\"Extra_id_seq\"",
            "sequence \"side\".\"counter\"",
            "\"side\".\"totals\"",
        ]);
    }
    let gone = withdraw_role(&mut admin, &shop).await.unwrap().unwrap();
    assert!(gone.login_disabled, "{gone:?}");
    // What the role owns stays its own.
    assert!(!gone.revoked.iter().any(|r| r.contains("mine")), "{gone:?}");
    for t in held {
        assert!(gone.revoked.iter().any(|r| r.contains(t)), "{t}: {gone:?}");
    }
    let refused = try_sql(&shop_url, "SELECT 1").await.unwrap_err();
    assert!(
        refused.contains("not permitted to log in") || refused.contains("locked"),
        "{refused}"
    );
    assert!(
        check_role(&mut admin, &shop, &Access::default())
            .await
            .unwrap()
            .revoked
            .is_empty(),
        "no grant left"
    );
    let twice = withdraw_role(&mut admin, &shop).await.unwrap().unwrap();
    assert!(twice.unchanged(), "{twice:?}");
    let none = withdraw_role(&mut admin, &format!("{}_none", db.name)).await;
    assert_eq!(none.unwrap(), None);
    // Installed again: its login and grants come back, the password it had still works.
    let back = provision_role(&mut admin, &shop, "ignored", false, &shop_access)
        .await
        .unwrap();
    assert!(
        back.login_enabled && !back.password_set && !back.granted.is_empty(),
        "{back:?}"
    );
    try_sql(&shop_url, &order).await.unwrap();
    assert!(
        provision_role(&mut admin, &shop, "ignored", false, &shop_access)
            .await
            .unwrap()
            .unchanged()
    );

    drop(admin);
    drop(roles);
    db.drop().await;
}

#[tokio::test]
async fn postgres_roles_isolate_plugins() {
    roles_isolate_plugins(Server::Postgres).await;
}

#[tokio::test]
async fn mysql_roles_isolate_plugins() {
    roles_isolate_plugins(Server::Mysql).await;
}

#[tokio::test]
async fn sqlite_has_no_roles_and_says_what_isolates() {
    let file = SqliteFile::new("provision");
    let mut conn = Connection::connect(&file.url).await.unwrap();
    let err = provision_role(&mut conn, "blog", "pw", false, &Access::default())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unsupported(_)), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("no database roles") && text.contains("dedicated"),
        "{text}"
    );
}

#[tokio::test]
async fn role_names_are_checked() {
    let file = SqliteFile::new("provision_names");
    let mut conn = Connection::connect(&file.url).await.unwrap();
    let err = provision_role(&mut conn, "x\"; DROP", "pw", false, &Access::default())
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("cannot be a database role name"),
        "{err}"
    );
}
