//! Database roles for plugins: one login per plugin, allowed what its models need and nothing
//! more, so that "core models are read-only" and "a plugin sees only its own tables" hold in the
//! database itself, not only in the type system (raw SQL included).
//!
//! [`provision_role`] brings one role to exactly the grants of an [`Access`]: it creates the
//! role when it is missing, grants what is missing, revokes what is extra (a table that is no
//! longer the plugin's, or any other table of the database), and changes nothing when nothing
//! changed. It runs as the database's owner (the admin URL); the platform's migrations keep
//! running as that owner. PostgreSQL and MySQL/MariaDB; SQLite has no roles.

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

/// What provisioning one role did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProvisionReport {
    /// The role was created now.
    pub created: bool,
    /// Its password was set now (a new role, or one whose password was not known).
    pub password_set: bool,
    /// Privileges granted now, as `SELECT on "Post"`.
    pub granted: Vec<String>,
    /// Privileges revoked now.
    pub revoked: Vec<String>,
}

impl ProvisionReport {
    /// Nothing changed.
    pub fn unchanged(&self) -> bool {
        !self.created && !self.password_set && self.granted.is_empty() && self.revoked.is_empty()
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
fn check_role(role: &str) -> Result<(), Error> {
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
    check_role(role)?;
    match conn.dialect() {
        Dialect::Sqlite => Err(Error::Unsupported(
            "SQLite has no database roles: every connection to the file may do everything. What isolation SQLite offers is a file of its own: make the plugin dedicated (\"mode\": \"dedicated\" in its plugin.json), so its tables live in their own database file".into(),
        )),
        Dialect::Postgres => postgres(conn, role, password, set_password, access).await,
        Dialect::Mysql => mysql(conn, role, password, set_password, access).await,
    }
}

async fn postgres(
    conn: &mut Connection,
    role: &str,
    password: &str,
    set_password: bool,
    access: &Access,
) -> Result<ProvisionReport, Error> {
    let d = Dialect::Postgres;
    let (q, lit) = (|s: &str| d.quote(s), |s: &str| d.string(s));
    let mut report = ProvisionReport::default();
    let exists = conn
        .string(&format!(
            "SELECT COUNT(*)::text FROM pg_roles WHERE rolname = {}",
            lit(role)
        ))
        .await?
        .is_some_and(|n| n != "0");
    if !exists {
        conn.execute_script(&format!(
            "CREATE ROLE {} LOGIN PASSWORD {}",
            q(role),
            lit(password)
        ))
        .await?;
        report.created = true;
        report.password_set = true;
    } else if set_password {
        conn.execute_script(&format!(
            "ALTER ROLE {} WITH LOGIN PASSWORD {}",
            q(role),
            lit(password)
        ))
        .await?;
        report.password_set = true;
    }
    // Connecting to the database and reaching the schemas of its tables.
    let database = conn
        .string("SELECT current_database()")
        .await?
        .unwrap_or_default();
    let can_connect = conn
        .string(&format!(
            "SELECT has_database_privilege({}, current_database(), 'CONNECT')::text",
            lit(role)
        ))
        .await?;
    if can_connect.as_deref() != Some("true") {
        conn.execute_script(&format!(
            "GRANT CONNECT ON DATABASE {} TO {}",
            q(&database),
            q(role)
        ))
        .await?;
        report
            .granted
            .push(format!("CONNECT on database {}", q(&database)));
    }
    let current_schema = conn
        .string("SELECT current_schema()")
        .await?
        .unwrap_or_else(|| "public".into());
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
    schemas.sort();
    schemas.dedup();
    for s in &schemas {
        let usage = conn
            .string(&format!(
                "SELECT has_schema_privilege({}, {}, 'USAGE')::text",
                lit(role),
                lit(s)
            ))
            .await?;
        if usage.as_deref() != Some("true") {
            conn.execute_script(&format!("GRANT USAGE ON SCHEMA {} TO {}", q(s), q(role)))
                .await?;
            report.granted.push(format!("USAGE on schema {}", q(s)));
        }
    }
    // Every table of those schemas (the history included): its grants brought to `wanted`.
    let list = schemas
        .iter()
        .map(|s| lit(s))
        .collect::<Vec<_>>()
        .join(", ");
    let tables = conn
        .strings(&format!(
            "SELECT n.nspname::text, c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'v') AND n.nspname IN ({list}) ORDER BY 1, 2"
        ))
        .await?;
    let have = conn
        .strings(&format!(
            "SELECT table_schema::text, table_name::text, privilege_type::text FROM information_schema.table_privileges WHERE grantee = {}",
            lit(role)
        ))
        .await?;
    for t in &tables {
        let name = QualifiedName {
            namespace: (t[0] != current_schema).then(|| t[0].clone()),
            name: t[1].clone(),
        };
        let target = d.qualified(Some(&t[0]), &t[1]);
        let want = wanted(access, &name);
        let held: Vec<&str> = have
            .iter()
            .filter(|h| h[0] == t[0] && h[1] == t[1])
            .map(|h| h[2].as_str())
            .collect();
        let grant: Vec<&str> = want.iter().copied().filter(|p| !held.contains(p)).collect();
        let revoke: Vec<&str> = held.iter().copied().filter(|p| !want.contains(p)).collect();
        if !grant.is_empty() {
            conn.execute_script(&format!(
                "GRANT {} ON TABLE {target} TO {}",
                grant.join(", "),
                q(role)
            ))
            .await?;
            report
                .granted
                .push(format!("{} on {target}", grant.join(", ")));
        }
        if !revoke.is_empty() {
            conn.execute_script(&format!(
                "REVOKE {} ON TABLE {target} FROM {}",
                revoke.join(", "),
                q(role)
            ))
            .await?;
            report
                .revoked
                .push(format!("{} on {target}", revoke.join(", ")));
        }
    }
    // The sequences behind generated keys: usable for the tables it writes, not otherwise.
    let sequences = conn
        .strings(&format!(
            "SELECT n.nspname::text, s.relname::text, t.relname::text, has_sequence_privilege({}, s.oid, 'USAGE')::text \
             FROM pg_class s JOIN pg_namespace n ON n.oid = s.relnamespace \
             JOIN pg_depend dep ON dep.objid = s.oid AND dep.deptype IN ('a', 'i') \
             JOIN pg_class t ON t.oid = dep.refobjid \
             WHERE s.relkind = 'S' AND n.nspname IN ({list}) ORDER BY 1, 2",
            lit(role)
        ))
        .await?;
    for s in &sequences {
        let table = QualifiedName {
            namespace: (s[0] != current_schema).then(|| s[0].clone()),
            name: s[2].clone(),
        };
        let target = d.qualified(Some(&s[0]), &s[1]);
        let want = access.write.contains(&table);
        let held = s[3] == "true";
        if want && !held {
            conn.execute_script(&format!(
                "GRANT USAGE, SELECT ON SEQUENCE {target} TO {}",
                q(role)
            ))
            .await?;
            report
                .granted
                .push(format!("USAGE, SELECT on sequence {target}"));
        } else if !want && held {
            conn.execute_script(&format!("REVOKE ALL ON SEQUENCE {target} FROM {}", q(role)))
                .await?;
            report.revoked.push(format!("ALL on sequence {target}"));
        }
    }
    Ok(report)
}

async fn mysql(
    conn: &mut Connection,
    role: &str,
    password: &str,
    set_password: bool,
    access: &Access,
) -> Result<ProvisionReport, Error> {
    let d = Dialect::Mysql;
    let lit = |s: &str| d.string(s);
    let account = format!("{}@'%'", lit(role));
    let mut report = ProvisionReport::default();
    let exists = conn
        .string(&format!(
            "SELECT CAST(COUNT(*) AS CHAR) FROM mysql.user WHERE User = {} AND Host = '%'",
            lit(role)
        ))
        .await?
        .is_some_and(|n| n != "0");
    if !exists {
        conn.execute_script(&format!(
            "CREATE USER {account} IDENTIFIED BY {}",
            lit(password)
        ))
        .await?;
        report.created = true;
        report.password_set = true;
    } else if set_password {
        conn.execute_script(&format!(
            "ALTER USER {account} IDENTIFIED BY {}",
            lit(password)
        ))
        .await?;
        report.password_set = true;
    }
    let database = conn.string("SELECT DATABASE()").await?.unwrap_or_default();
    let tables = conn
        .strings("SELECT CAST(TABLE_NAME AS CHAR) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1")
        .await?;
    let grantee = format!("'{role}'@'%'");
    let have = conn
        .strings(&format!(
            "SELECT CAST(TABLE_NAME AS CHAR), CAST(PRIVILEGE_TYPE AS CHAR) FROM information_schema.TABLE_PRIVILEGES WHERE TABLE_SCHEMA = DATABASE() AND GRANTEE = {}",
            lit(&grantee)
        ))
        .await?;
    for t in &tables {
        let name = QualifiedName {
            namespace: None,
            name: t[0].clone(),
        };
        let target = format!("{}.{}", d.quote(&database), d.quote(&t[0]));
        let want = wanted(access, &name);
        let held: Vec<&str> = have
            .iter()
            .filter(|h| h[0] == t[0])
            .map(|h| h[1].as_str())
            .collect();
        let grant: Vec<&str> = want.iter().copied().filter(|p| !held.contains(p)).collect();
        let revoke: Vec<&str> = held.iter().copied().filter(|p| !want.contains(p)).collect();
        if !grant.is_empty() {
            conn.execute_script(&format!(
                "GRANT {} ON {target} TO {account}",
                grant.join(", ")
            ))
            .await?;
            report
                .granted
                .push(format!("{} on {target}", grant.join(", ")));
        }
        if !revoke.is_empty() {
            conn.execute_script(&format!(
                "REVOKE {} ON {target} FROM {account}",
                revoke.join(", ")
            ))
            .await?;
            report
                .revoked
                .push(format!("{} on {target}", revoke.join(", ")));
        }
    }
    Ok(report)
}
