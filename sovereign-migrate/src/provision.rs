//! Database roles for plugins: one login per plugin, allowed what its models need and nothing
//! more, so that "core models are read-only" and "a plugin sees only its own tables" hold in the
//! database itself, not only in the type system (raw SQL included).
//!
//! [`provision_role`] brings one role to exactly the grants of an [`Access`]: it creates the
//! role when it is missing, grants what is missing, revokes what is extra (a table that is no
//! longer the plugin's, or any other table of the database), and changes nothing when nothing
//! changed. It runs as the database's owner (the admin URL); the platform's migrations keep
//! running as that owner. [`withdraw_role`] takes a role's grants and login away, for a plugin
//! that is no longer installed. PostgreSQL and MySQL/MariaDB; SQLite has no roles.

use std::collections::BTreeMap;

use sovereign_schema::Schema;

use crate::calculate::sql_schema;
use crate::connection::Connection;
use crate::error::Error;
use crate::sql::{Dialect, QualifiedName};

/// What a role may do with the tables of a database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    /// Tables it reads (`SELECT`): the core models'.
    pub read: Vec<QualifiedName>,
    /// Tables it reads and writes (`SELECT`, `INSERT`, `UPDATE`, `DELETE`): its own, and the
    /// sequences of their generated keys.
    pub write: Vec<QualifiedName>,
}

impl Access {
    /// What plugin `namespace` of a composed schema may do: read the core tables (the models
    /// and views of the base schema, `owners` lacks them) and write its own (the models `owners`
    /// gives it); an implicit many-to-many table is written by the plugin that owns either
    /// side, and read by every plugin when both sides are core. Its views are read-only, and
    /// other plugins' tables are out of reach.
    pub fn for_plugin(
        schema: &Schema,
        owners: &BTreeMap<String, String>,
        namespace: &str,
        dialect: Dialect,
    ) -> Access {
        let sql = sql_schema(schema, dialect);
        let owner = |model: &str| owners.get(model).map(String::as_str);
        let mut access = Access::default();
        for t in &sql.tables {
            let name = QualifiedName {
                namespace: t.namespace.clone(),
                name: t.name.clone(),
            };
            let model = schema.models.iter().find(|m| {
                !m.is_view
                    && m.db_name == t.name
                    && (t.namespace.is_none() || t.namespace == m.schema)
            });
            let (a, b) = match model {
                Some(m) => (owner(&m.name), owner(&m.name)),
                None => match schema
                    .relations
                    .iter()
                    .filter_map(|r| r.join_table.as_ref())
                    .find(|j| j.name == t.name)
                {
                    Some(j) => (owner(&j.a_model), owner(&j.b_model)),
                    None => continue,
                },
            };
            if a == Some(namespace) || b == Some(namespace) {
                access.write.push(name);
            } else if a.is_none() && b.is_none() {
                access.read.push(name);
            }
        }
        let multi = !sql.namespaces.is_empty();
        for v in schema.models.iter().filter(|m| m.is_view) {
            if owner(&v.name).is_none_or(|o| o == namespace) {
                access.read.push(QualifiedName {
                    namespace: if multi { v.schema.clone() } else { None },
                    name: v.db_name.clone(),
                });
            }
        }
        access
    }
}

/// The database role of plugin `namespace` on `database`: `<database>_<namespace>`, lower-case,
/// anything but letters and digits as `_`. Roles are server-wide, so the database's name keeps
/// two platforms on one server apart. A name longer than the server allows (63 on PostgreSQL,
/// 32 on MySQL) is cut and ends in a hash of the whole.
pub fn role_name(database: &str, namespace: &str, dialect: Dialect) -> String {
    let full: String = format!("{database}_{namespace}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let max = if dialect == Dialect::Mysql { 32 } else { 63 };
    if full.len() <= max {
        return full;
    }
    // FNV-1a: stable across runs and versions, which the name must be.
    let hash = full.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    format!("{}_{:08x}", &full[..max - 9], hash as u32)
}

/// The environment variable that holds plugin `namespace`'s URL on the platform database:
/// `SOVEREIGN_<NAMESPACE>_DATABASE_URL`, upper-cased, `-` as `_`.
pub fn url_variable(namespace: &str) -> String {
    format!(
        "SOVEREIGN_{}_DATABASE_URL",
        namespace.to_ascii_uppercase().replace('-', "_")
    )
}

/// The plugin login a variable holds: when `var` is `SOVEREIGN_<NAMESPACE>_DATABASE_URL` and
/// the login of `url`, its value, is the role [`role_name`] gives that namespace on `database`
/// (as provisioning writes them), that namespace (lower-cased, `-` read as `_`: the variable does
/// not tell them apart) and role. How a login is found once its plugin is gone.
pub fn plugin_login(
    var: &str,
    url: &str,
    database: &str,
    dialect: Dialect,
) -> Option<(String, String)> {
    let ns = var
        .strip_prefix("SOVEREIGN_")?
        .strip_suffix("_DATABASE_URL")
        .filter(|ns| !ns.is_empty())?
        .to_ascii_lowercase();
    let role = role_name(database, &ns, dialect);
    let (user, _) = crate::url::credentials(url)?;
    (user == role).then_some((ns, role))
}

/// What provisioning one role did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProvisionReport {
    /// The role was created now.
    pub created: bool,
    /// Its password was set now (a new role, or one whose password was not known).
    pub password_set: bool,
    /// It may log in again: its login had been taken away ([`withdraw_role`]).
    pub login_enabled: bool,
    /// Privileges granted now, as `SELECT on "Post"`.
    pub granted: Vec<String>,
    /// Privileges revoked now.
    pub revoked: Vec<String>,
}

impl ProvisionReport {
    /// Nothing changed.
    pub fn unchanged(&self) -> bool {
        !self.created
            && !self.password_set
            && !self.login_enabled
            && self.granted.is_empty()
            && self.revoked.is_empty()
    }
}

/// What [`withdraw_role`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Withdrawal {
    /// Its login was taken away now (it had one).
    pub login_disabled: bool,
    /// Privileges revoked now, as `SELECT on "Post"`.
    pub revoked: Vec<String>,
}

impl Withdrawal {
    /// Nothing changed: the role had neither a login nor grants.
    pub fn unchanged(&self) -> bool {
        !self.login_disabled && self.revoked.is_empty()
    }
}

/// The privileges a table gets under `access`.
fn wanted(access: &Access, t: &QualifiedName) -> &'static [&'static str] {
    if access.write.contains(t) {
        &["DELETE", "INSERT", "SELECT", "UPDATE"]
    } else if access.read.contains(t) {
        &["SELECT"]
    } else {
        &[]
    }
}

/// A role name as the databases accept it: what a namespace may hold (`[a-z0-9_-]`), nothing to
/// quote away.
fn check_name(role: &str) -> Result<(), Error> {
    if role.is_empty()
        || role.len() > 63
        || !role
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(Error::Unsupported(format!(
            "`{role}` cannot be a database role name: use letters, digits, `_` and `-`, at most 63"
        )));
    }
    Ok(())
}

/// One change to a role's grants: in words, and the statement that makes it.
struct Change {
    grant: bool,
    what: String,
    sql: String,
}

/// Brings `role` to exactly the grants of `access` on the database of `conn` (which must be
/// connected as its owner). A missing role is created with `password`; an existing one gets
/// `password` only when `set_password` (its password was lost: a rotation).
///
/// # Errors
/// [`Error::Unsupported`] on SQLite (no roles) or for an unusable role name; the database's
/// error (for example when the admin URL's user may not create roles).
pub async fn provision_role(
    conn: &mut Connection,
    role: &str,
    password: &str,
    set_password: bool,
    access: &Access,
) -> Result<ProvisionReport, Error> {
    check_name(role)?;
    let dialect = supported(conn)?;
    let mut report = ProvisionReport::default();
    (report.created, report.password_set, report.login_enabled) =
        ensure_login(conn, dialect, role, password, set_password).await?;
    for c in plan(conn, role, true, access).await? {
        conn.execute_script(&c.sql).await?;
        if c.grant {
            report.granted.push(c.what);
        } else {
            report.revoked.push(c.what);
        }
    }
    Ok(report)
}

/// Creates login `role` with `password` when it is missing, sets `password` when asked, and
/// lets a role whose login was taken away ([`withdraw_role`]) log in again: whether it created
/// it, whether it set the password, and whether it enabled the login of an existing role.
async fn ensure_login(
    conn: &mut Connection,
    dialect: Dialect,
    role: &str,
    password: &str,
    set_password: bool,
) -> Result<(bool, bool, bool), Error> {
    if !role_exists(conn, role).await? {
        let sql = match dialect {
            Dialect::Postgres => format!(
                "CREATE ROLE {} LOGIN PASSWORD {}",
                dialect.quote(role),
                dialect.string(password)
            ),
            _ => format!(
                "CREATE USER {} IDENTIFIED BY {}",
                account(role),
                dialect.string(password)
            ),
        };
        conn.execute_script(&sql).await?;
        return Ok((true, true, false));
    }
    let enabled = can_log_in(conn, role).await?;
    if !set_password && enabled {
        return Ok((false, false, false));
    }
    // `LOGIN` and `ACCOUNT UNLOCK` also undo a withdrawal: the login of a plugin that is
    // installed works, whoever took it away. `ACCOUNT UNLOCK` only when locked: MariaDB before
    // 10.4 has no account locking.
    let sql = match dialect {
        Dialect::Postgres if set_password => format!(
            "ALTER ROLE {} WITH LOGIN PASSWORD {}",
            dialect.quote(role),
            dialect.string(password)
        ),
        Dialect::Postgres => format!("ALTER ROLE {} WITH LOGIN", dialect.quote(role)),
        _ => {
            let mut sql = format!("ALTER USER {}", account(role));
            if set_password {
                sql.push_str(&format!(" IDENTIFIED BY {}", dialect.string(password)));
            }
            if !enabled {
                sql.push_str(" ACCOUNT UNLOCK");
            }
            sql
        }
    };
    conn.execute_script(&sql).await?;
    Ok((false, set_password, !enabled))
}

/// A MySQL/MariaDB account of login `role`: `'role'@'%'`, from any host.
fn account(role: &str) -> String {
    format!("{}@'%'", Dialect::Mysql.string(role))
}

/// Whether existing login `role` may log in: PostgreSQL's `rolcanlogin`; on MySQL and MariaDB
/// an account that is not locked, which `SHOW CREATE USER` says on both (MySQL keeps it in
/// `mysql.user`, MariaDB in `mysql.global_priv`'s JSON).
async fn can_log_in(conn: &mut Connection, role: &str) -> Result<bool, Error> {
    let d = conn.dialect();
    if d == Dialect::Postgres {
        let sql = format!(
            "SELECT rolcanlogin::text FROM pg_roles WHERE rolname = {}",
            d.string(role)
        );
        return Ok(conn.string(&sql).await?.as_deref() == Some("true"));
    }
    let shown = conn
        .string(&format!("SHOW CREATE USER {}", account(role)))
        .await?
        .unwrap_or_default();
    Ok(!shown.contains("ACCOUNT LOCK"))
}

/// Takes away from `role` its login and every privilege it holds on the tables and views of
/// the database of `conn` (on PostgreSQL, of every schema, materialized views, foreign tables
/// and sequences included, but not what the role owns), which must be connected as their
/// owner: what becomes of the login of a plugin that is no longer installed. What any login
/// has (`CONNECT`, a schema's `USAGE`) stays. The role itself stays (it may own objects, or
/// hold grants elsewhere on the server), and [`provision_role`] gives it back its login when
/// the plugin returns. Its open sessions stay connected, without the privileges. `None` when
/// the role does not exist.
///
/// # Errors
/// As [`provision_role`].
pub async fn withdraw_role(conn: &mut Connection, role: &str) -> Result<Option<Withdrawal>, Error> {
    withdraw(conn, role, true).await
}

/// What [`withdraw_role`] would do, without doing it (`unchanged()`: nothing left to take).
///
/// # Errors
/// As [`withdraw_role`].
pub async fn check_withdrawn(
    conn: &mut Connection,
    role: &str,
) -> Result<Option<Withdrawal>, Error> {
    withdraw(conn, role, false).await
}

async fn withdraw(
    conn: &mut Connection,
    role: &str,
    apply: bool,
) -> Result<Option<Withdrawal>, Error> {
    check_name(role)?;
    let dialect = supported(conn)?;
    if !role_exists(conn, role).await? {
        return Ok(None);
    }
    let mut done = Withdrawal::default();
    if can_log_in(conn, role).await? {
        let sql = match dialect {
            Dialect::Postgres => format!("ALTER ROLE {} WITH NOLOGIN", dialect.quote(role)),
            _ => format!("ALTER USER {} ACCOUNT LOCK", account(role)),
        };
        if apply {
            conn.execute_script(&sql).await?;
        }
        done.login_disabled = true;
    }
    // The plan of no access also grants what any login needs (CONNECT, a schema's USAGE):
    // only its revocations.
    let plan = plan(conn, role, true, &Access::default()).await?;
    for c in plan.into_iter().filter(|c| !c.grant) {
        if apply {
            conn.execute_script(&c.sql).await?;
        }
        done.revoked.push(c.what);
    }
    Ok(Some(done))
}

/// What [`provision_owner`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnerReport {
    /// The database (or schema) was created now.
    pub created: bool,
    /// The owner role was created now.
    pub role_created: bool,
    /// Its password was set now.
    pub password_set: bool,
    /// It may log in again: its login had been taken away.
    pub login_enabled: bool,
}

/// A dedicated plugin's own database `name` (or, with `schema`, a schema `name` in the
/// database of `conn`, PostgreSQL only), owned by login `role`, which may then create and
/// migrate its tables. Idempotent: an existing database or schema of `role` is kept as it is;
/// one another role owns is refused (PostgreSQL), not taken over.
///
/// # Errors
/// [`Error::Unsupported`] on SQLite, for `schema` on MySQL, for unusable names, and for a
/// database or schema of another owner; the database's error otherwise.
pub async fn provision_owner(
    conn: &mut Connection,
    role: &str,
    password: &str,
    set_password: bool,
    name: &str,
    schema: bool,
) -> Result<OwnerReport, Error> {
    check_name(role)?;
    check_name(name)?;
    let d = supported(conn)?;
    if schema && d != Dialect::Postgres {
        return Err(Error::Unsupported(
            "a schema of its own needs PostgreSQL: on MySQL a schema is a database".into(),
        ));
    }
    let mut report = OwnerReport::default();
    (
        report.role_created,
        report.password_set,
        report.login_enabled,
    ) = ensure_login(conn, d, role, password, set_password).await?;
    let (q, lit) = (|s: &str| d.quote(s), |s: &str| d.string(s));
    if d == Dialect::Mysql {
        let exists = conn
            .string(&format!(
                "SELECT CAST(COUNT(*) AS CHAR) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = {}",
                lit(name)
            ))
            .await?
            .is_some_and(|n| n != "0");
        if !exists {
            conn.execute_script(&format!("CREATE DATABASE {}", q(name)))
                .await?;
            report.created = true;
        }
        conn.execute_script(&format!(
            "GRANT ALL PRIVILEGES ON {}.* TO {}@'%'",
            q(name),
            lit(role)
        ))
        .await?;
        return Ok(report);
    }
    let (what, owner_sql) = if schema {
        (
            "schema",
            format!(
                "SELECT pg_get_userbyid(nspowner)::text FROM pg_namespace WHERE nspname = {}",
                lit(name)
            ),
        )
    } else {
        (
            "database",
            format!(
                "SELECT pg_get_userbyid(datdba)::text FROM pg_database WHERE datname = {}",
                lit(name)
            ),
        )
    };
    match conn.string(&owner_sql).await? {
        None => {
            let sql = if schema {
                format!("CREATE SCHEMA {} AUTHORIZATION {}", q(name), q(role))
            } else {
                format!("CREATE DATABASE {} OWNER {}", q(name), q(role))
            };
            conn.execute_script(&sql).await?;
            report.created = true;
        }
        Some(owner) if owner == role => {}
        Some(owner) => {
            return Err(Error::Unsupported(format!(
                "the {what} \"{name}\" exists and belongs to \"{owner}\", not to \"{role}\": it is left as it is. Give the plugin another name (--database), or hand it over yourself: ALTER {} {} OWNER TO {}",
                what.to_ascii_uppercase(),
                q(name),
                q(role)
            )))
        }
    }
    if schema {
        let database = current_database(conn).await?;
        conn.execute_script(&format!(
            "GRANT CONNECT ON DATABASE {} TO {}",
            q(&database),
            q(role)
        ))
        .await?;
    }
    Ok(report)
}

/// What [`provision_role`] would change, changing nothing: `created` when the role is missing,
/// and the grants and revocations it would make (`password_set` stays false). An empty report
/// ([`ProvisionReport::unchanged`]) means the role's grants match `access`.
///
/// # Errors
/// As [`provision_role`].
pub async fn check_role(
    conn: &mut Connection,
    role: &str,
    access: &Access,
) -> Result<ProvisionReport, Error> {
    check_name(role)?;
    supported(conn)?;
    let exists = role_exists(conn, role).await?;
    let mut report = ProvisionReport {
        created: !exists,
        ..ProvisionReport::default()
    };
    for c in plan(conn, role, exists, access).await? {
        if c.grant {
            report.granted.push(c.what);
        } else {
            report.revoked.push(c.what);
        }
    }
    Ok(report)
}

/// The login `conn` is connected as (`current_user`; MySQL's `CURRENT_USER()` without its
/// host).
///
/// # Errors
/// The database's error.
pub async fn current_login(conn: &mut Connection) -> Result<String, Error> {
    let sql = match conn.dialect() {
        Dialect::Postgres => "SELECT current_user::text",
        Dialect::Mysql => "SELECT CAST(SUBSTRING_INDEX(CURRENT_USER(), '@', 1) AS CHAR)",
        Dialect::Sqlite => return Ok(String::new()),
    };
    Ok(conn.string(sql).await?.unwrap_or_default())
}

/// The name of the database `conn` is connected to (`current_database()`, `DATABASE()`).
///
/// # Errors
/// The database's error.
pub async fn current_database(conn: &mut Connection) -> Result<String, Error> {
    let sql = match conn.dialect() {
        Dialect::Postgres => "SELECT current_database()::text",
        Dialect::Mysql => "SELECT CAST(DATABASE() AS CHAR)",
        Dialect::Sqlite => return Ok("main".into()),
    };
    Ok(conn.string(sql).await?.unwrap_or_default())
}

fn supported(conn: &Connection) -> Result<Dialect, Error> {
    match conn.dialect() {
        Dialect::Sqlite => Err(Error::Unsupported(
            "SQLite has no database roles: every connection to the file may do everything. What isolation SQLite offers is a file of its own: make the plugin dedicated (\"mode\": \"dedicated\" in its plugin.json), so its tables live in their own database file".into(),
        )),
        d => Ok(d),
    }
}

async fn role_exists(conn: &mut Connection, role: &str) -> Result<bool, Error> {
    let d = conn.dialect();
    let sql = match d {
        Dialect::Postgres => format!(
            "SELECT COUNT(*)::text FROM pg_roles WHERE rolname = {}",
            d.string(role)
        ),
        _ => format!(
            "SELECT CAST(COUNT(*) AS CHAR) FROM mysql.user WHERE User = {} AND Host = '%'",
            d.string(role)
        ),
    };
    Ok(conn.string(&sql).await?.is_some_and(|n| n != "0"))
}

/// The changes that bring `role`'s grants to `access` (all grants when it does not exist).
async fn plan(
    conn: &mut Connection,
    role: &str,
    exists: bool,
    access: &Access,
) -> Result<Vec<Change>, Error> {
    match conn.dialect() {
        Dialect::Postgres => postgres(conn, role, exists, access).await,
        _ => mysql(conn, role, exists, access).await,
    }
}

/// The grants and revocations that take `held` privileges on `target` to `want`.
fn table_changes(
    out: &mut Vec<Change>,
    target: &str,
    want: &[&str],
    held: &[&str],
    to: &str,
    from: &str,
) {
    let grant: Vec<&str> = want.iter().copied().filter(|p| !held.contains(p)).collect();
    let revoke: Vec<&str> = held.iter().copied().filter(|p| !want.contains(p)).collect();
    if !grant.is_empty() {
        out.push(Change {
            grant: true,
            what: format!("{} on {target}", grant.join(", ")),
            sql: format!("GRANT {} ON {target} TO {to}", grant.join(", ")),
        });
    }
    if !revoke.is_empty() {
        out.push(Change {
            grant: false,
            what: format!("{} on {target}", revoke.join(", ")),
            sql: format!("REVOKE {} ON {target} FROM {from}", revoke.join(", ")),
        });
    }
}

async fn postgres(
    conn: &mut Connection,
    role: &str,
    exists: bool,
    access: &Access,
) -> Result<Vec<Change>, Error> {
    let d = Dialect::Postgres;
    let (q, lit) = (|s: &str| d.quote(s), |s: &str| d.string(s));
    let mut out = Vec::new();
    // A privilege the role holds; none when it does not exist yet.
    let holds = |check: String| {
        if exists {
            format!("SELECT ({check})::text")
        } else {
            "SELECT 'false'".to_string()
        }
    };
    let database = current_database(conn).await?;
    let can_connect = conn
        .string(&holds(format!(
            "has_database_privilege({}, current_database(), 'CONNECT')",
            lit(role)
        )))
        .await?;
    if can_connect.as_deref() != Some("true") {
        out.push(Change {
            grant: true,
            what: format!("CONNECT on database {}", q(&database)),
            sql: format!("GRANT CONNECT ON DATABASE {} TO {}", q(&database), q(role)),
        });
    }
    let current_schema = conn
        .string("SELECT current_schema()::text")
        .await?
        .unwrap_or_else(|| "public".into());
    // Names in the current schema are unqualified on both sides.
    let norm = |t: &QualifiedName| QualifiedName {
        namespace: t.namespace.clone().filter(|n| *n != current_schema),
        name: t.name.clone(),
    };
    let access = Access {
        read: access.read.iter().map(norm).collect(),
        write: access.write.iter().map(norm).collect(),
    };
    let mut schemas: Vec<String> = access
        .read
        .iter()
        .chain(&access.write)
        .map(|t| {
            t.namespace
                .clone()
                .unwrap_or_else(|| current_schema.clone())
        })
        .collect();
    schemas.push(current_schema.clone());
    schemas.sort();
    schemas.dedup();
    for s in &schemas {
        let usage = conn
            .string(&holds(format!(
                "has_schema_privilege({}, {}, 'USAGE')",
                lit(role),
                lit(s)
            )))
            .await?;
        if usage.as_deref() != Some("true") {
            out.push(Change {
                grant: true,
                what: format!("USAGE on schema {}", q(s)),
                sql: format!("GRANT USAGE ON SCHEMA {} TO {}", q(s), q(role)),
            });
        }
    }
    // The role's privileges on the relations it does not own, read from their ACLs:
    // information_schema shows only what the current user may see, and an owner's own
    // privileges too. (schema, relation, privilege).
    let acl = |kinds: &str| {
        format!(
            "SELECT n.nspname::text, c.relname::text, a.privilege_type::text FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace CROSS JOIN LATERAL aclexplode(c.relacl) a \
             JOIN pg_roles r ON r.oid = a.grantee \
             WHERE r.rolname = {} AND c.relowner <> r.oid AND c.relkind IN ({kinds})",
            lit(role)
        )
    };
    // Every table of those schemas (the history included), and of any other schema where the
    // role holds a privilege on a relation: its grants brought to `wanted`.
    if exists {
        let held = conn
            .strings(&format!(
                "SELECT DISTINCT nspname FROM ({}) AS held",
                acl("'r', 'p', 'v', 'm', 'f', 'S'")
            ))
            .await?;
        schemas.extend(held.into_iter().filter_map(|r| r.into_iter().next()));
        schemas.sort();
        schemas.dedup();
    }
    let list = schemas
        .iter()
        .map(|s| lit(s))
        .collect::<Vec<_>>()
        .join(", ");
    let tables = conn
        .strings(&format!(
            "SELECT n.nspname::text, c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname IN ({list}) ORDER BY 1, 2"
        ))
        .await?;
    let have = if exists {
        conn.strings(&acl("'r', 'p', 'v', 'm', 'f'")).await?
    } else {
        Vec::new()
    };
    for t in &tables {
        let name = QualifiedName {
            namespace: (t[0] != current_schema).then(|| t[0].clone()),
            name: t[1].clone(),
        };
        let held: Vec<&str> = have
            .iter()
            .filter(|h| h[0] == t[0] && h[1] == t[1])
            .map(|h| h[2].as_str())
            .collect();
        let target = format!("TABLE {}", d.qualified(Some(&t[0]), &t[1]));
        table_changes(
            &mut out,
            &target,
            wanted(&access, &name),
            &held,
            &q(role),
            &q(role),
        );
    }
    // The sequences: those behind generated keys usable for the tables it writes; no other
    // (one of no table included) with any privilege, unless the role owns it.
    let (usage, any) = if exists {
        (
            format!(
                "has_sequence_privilege({}, s.oid, 'USAGE')::text",
                lit(role)
            ),
            format!(
                "has_sequence_privilege({}, s.oid, 'USAGE, SELECT, UPDATE')::text",
                lit(role)
            ),
        )
    } else {
        ("'false'".to_string(), "'false'".to_string())
    };
    let sequences = conn
        .strings(&format!(
            "SELECT n.nspname::text, s.relname::text, tn.nspname::text, t.relname::text, {usage}, {any} \
             FROM pg_class s JOIN pg_namespace n ON n.oid = s.relnamespace \
             LEFT JOIN pg_depend dep ON dep.objid = s.oid AND dep.classid = 'pg_class'::regclass \
             AND dep.refclassid = 'pg_class'::regclass AND dep.deptype IN ('a', 'i') \
             LEFT JOIN pg_class t ON t.oid = dep.refobjid LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace \
             WHERE s.relkind = 'S' AND n.nspname IN ({list}) \
             AND s.relowner <> COALESCE((SELECT oid FROM pg_roles WHERE rolname = {}), 0) ORDER BY 1, 2",
            lit(role)
        ))
        .await?;
    for s in &sequences {
        let table = QualifiedName {
            namespace: (s[2] != current_schema).then(|| s[2].clone()),
            name: s[3].clone(),
        };
        let target = d.qualified(Some(&s[0]), &s[1]);
        let want = !s[3].is_empty() && access.write.contains(&table);
        let (usable, held) = (s[4] == "true", s[5] == "true");
        if want && !usable {
            out.push(Change {
                grant: true,
                what: format!("USAGE, SELECT on sequence {target}"),
                sql: format!("GRANT USAGE, SELECT ON SEQUENCE {target} TO {}", q(role)),
            });
        } else if !want && held {
            out.push(Change {
                grant: false,
                what: format!("ALL on sequence {target}"),
                sql: format!("REVOKE ALL ON SEQUENCE {target} FROM {}", q(role)),
            });
        }
    }
    Ok(out)
}

async fn mysql(
    conn: &mut Connection,
    role: &str,
    exists: bool,
    access: &Access,
) -> Result<Vec<Change>, Error> {
    let d = Dialect::Mysql;
    let account = account(role);
    let database = current_database(conn).await?;
    let tables = conn
        .strings("SELECT CAST(TABLE_NAME AS CHAR) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1")
        .await?;
    let have = if exists {
        conn.strings(&format!(
            "SELECT CAST(TABLE_NAME AS CHAR), CAST(PRIVILEGE_TYPE AS CHAR) FROM information_schema.TABLE_PRIVILEGES WHERE TABLE_SCHEMA = DATABASE() AND GRANTEE = {}",
            d.string(&format!("'{role}'@'%'"))
        ))
        .await?
    } else {
        Vec::new()
    };
    let mut out = Vec::new();
    for t in &tables {
        let name = QualifiedName {
            namespace: None,
            name: t[0].clone(),
        };
        let held: Vec<&str> = have
            .iter()
            .filter(|h| h[0] == t[0])
            .map(|h| h[1].as_str())
            .collect();
        let target = format!("{}.{}", d.quote(&database), d.quote(&t[0]));
        table_changes(
            &mut out,
            &target,
            wanted(access, &name),
            &held,
            &account,
            &account,
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[QualifiedName]) -> Vec<&str> {
        v.iter().map(|t| t.name.as_str()).collect()
    }

    #[test]
    fn a_plugin_reads_core_and_writes_its_own() {
        let text = r#"
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
model User {
  id    Int    @id
  posts Post[]
  roles Role[]
}
model Role {
  id    Int    @id
  users User[]
}
model Post {
  id     Int   @id @default(autoincrement())
  author User  @relation(fields: [authorId], references: [id])
  authorId Int
  tags   Tag[]
  @@map("blog_posts")
}
model Tag {
  id    Int    @id
  posts Post[]
}
model Order {
  id Int @id
}
"#;
        let (schema, _) = sovereign_schema::check("schema.prisma", text).unwrap();
        let owners: BTreeMap<String, String> =
            [("Post", "blog"), ("Tag", "blog"), ("Order", "shop")]
                .into_iter()
                .map(|(m, o)| (m.to_string(), o.to_string()))
                .collect();
        let blog = Access::for_plugin(&schema, &owners, "blog", Dialect::Postgres);
        assert_eq!(names(&blog.read), ["User", "Role", "_RoleToUser"]);
        assert_eq!(names(&blog.write), ["blog_posts", "Tag", "_PostToTag"]);
        let shop = Access::for_plugin(&schema, &owners, "shop", Dialect::Postgres);
        assert_eq!(names(&shop.write), ["Order"]);
        assert!(!names(&shop.read).contains(&"blog_posts"));
    }

    #[test]
    fn a_plugin_login_is_its_variable_with_its_role() {
        let pg = Dialect::Postgres;
        let url = |user: &str| format!("postgresql://{user}:pw@db:5432/app");
        let found = |var: &str, user: &str| plugin_login(var, &url(user), "app", pg);
        assert_eq!(
            found("SOVEREIGN_SHOP_DATABASE_URL", "app_shop"),
            Some(("shop".into(), "app_shop".into()))
        );
        // `-` in a namespace is `_` in both.
        assert_eq!(
            found("SOVEREIGN_MY_SHOP_DATABASE_URL", "app_my_shop"),
            Some(("my_shop".into(), "app_my_shop".into()))
        );
        // Another login, another database's role, another variable: not a plugin login.
        assert_eq!(found("SOVEREIGN_SHOP_DATABASE_URL", "app"), None);
        assert_eq!(found("SOVEREIGN_SHOP_DATABASE_URL", "other_shop"), None);
        assert_eq!(found("SHOP_DATABASE_URL", "app_shop"), None);
        assert_eq!(found("SOVEREIGN__DATABASE_URL", "app_"), None);
        assert_eq!(
            plugin_login(
                "SOVEREIGN_SHOP_DATABASE_URL",
                "postgresql://db/app",
                "app",
                pg
            ),
            None
        );
        // A long name ends in its hash on both sides.
        let db = "a".repeat(60);
        let role = role_name(&db, "shop", pg);
        assert!(role.len() <= 63, "{role}");
        assert_eq!(
            plugin_login(
                "SOVEREIGN_SHOP_DATABASE_URL",
                &format!("postgresql://{role}:pw@db/x"),
                &db,
                pg
            ),
            Some(("shop".into(), role))
        );
    }

    #[test]
    fn role_names_fit_the_server() {
        assert_eq!(
            role_name("app", "blog-posts", Dialect::Postgres),
            "app_blog_posts"
        );
        assert_eq!(role_name("My-App", "blog", Dialect::Mysql), "my_app_blog");
        let long = role_name(
            "a_rather_long_platform_database_name",
            "analytics",
            Dialect::Mysql,
        );
        assert_eq!(long.len(), 32);
        assert_ne!(
            long,
            role_name(
                "a_rather_long_platform_database_name",
                "analytics2",
                Dialect::Mysql
            )
        );
        assert_eq!(
            url_variable("blog-posts"),
            "SOVEREIGN_BLOG_POSTS_DATABASE_URL"
        );
    }
}
