//! Running one migration script so that a crash cannot leave it half-recorded.
//!
//! - PostgreSQL: the history row's insert, the script and the row's completion go to the server
//!   as one simple-protocol query, which PostgreSQL runs as one implicit transaction (DDL is
//!   transactional there). A process killed at any point leaves the migration either applied
//!   and recorded or not applied at all. A script with its own `BEGIN`/`COMMIT` keeps the
//!   meaning PostgreSQL gives those inside such a query.
//! - SQLite: the same, in a `BEGIN IMMEDIATE` transaction, unless the script controls
//!   transactions itself (`BEGIN`, `COMMIT`, `SAVEPOINT`, `VACUUM`, ...), which it cannot do
//!   inside one. Foreign keys stay off while it runs (they are off on migration connections,
//!   as in Prisma's engine; `PRAGMA foreign_keys` is a no-op inside a transaction).
//! - MySQL commits every DDL statement on its own: the row is written before and completed
//!   after, as Prisma does, and a deploy that finds an unfinished row works out what happened
//!   ([`crate::error::Diagnosis`]).

use crate::connection::Connection;
use crate::error::Error;
use crate::folder::Migration;
use crate::sql::Dialect;

/// A random-enough UUID (v4 layout) for history rows, without another dependency.
pub(crate) fn uuid(seed: &str) -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let h = crate::folder::checksum(
        format!("{seed}:{nanos}:{}:{:p}", std::process::id(), &nanos).as_bytes(),
    );
    let mut b: Vec<char> = h[..32].chars().collect();
    b[12] = '4';
    b[16] = ['8', '9', 'a', 'b'][usize::from(b[16].to_digit(16).unwrap_or(0) as u8 % 4)];
    let s: String = b.into_iter().collect();
    format!(
        "{}-{}-{}-{}-{}",
        &s[..8],
        &s[8..12],
        &s[12..16],
        &s[16..20],
        &s[20..32]
    )
}

/// The first words of each top-level statement of a script, upper-cased (comments, string
/// literals and quoted identifiers skipped; a `CREATE TRIGGER ... BEGIN ... END` body is one
/// statement).
fn statement_heads(sql: &str) -> Vec<String> {
    let b = sql.as_bytes();
    let mut heads = Vec::new();
    let mut current = String::new();
    let mut in_trigger = false;
    let mut i = 0;
    let flush = |current: &mut String, heads: &mut Vec<String>, in_trigger: &mut bool| {
        let words: Vec<&str> = current.split_whitespace().take(3).collect();
        let head = words.join(" ").to_ascii_uppercase();
        current.clear();
        if head.is_empty() {
            return;
        }
        if *in_trigger {
            if head == "END" {
                *in_trigger = false;
            }
            return;
        }
        let trigger = head.starts_with("CREATE TRIGGER")
            || head.starts_with("CREATE TEMP TRIGGER")
            || head.starts_with("CREATE TEMPORARY TRIGGER");
        if trigger && !head.ends_with("END") {
            *in_trigger = true;
        }
        heads.push(head);
    };
    while i < b.len() {
        match b[i] {
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
                current.push(' ');
                continue;
            }
            q @ (b'\'' | b'"' | b'`') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    i += 1;
                }
                current.push_str(" x ");
            }
            b'[' => {
                while i < b.len() && b[i] != b']' {
                    i += 1;
                }
                current.push_str(" x ");
            }
            b';' => flush(&mut current, &mut heads, &mut in_trigger),
            c => {
                if current.len() < 64 {
                    current.push(c as char);
                }
            }
        }
        i += 1;
    }
    flush(&mut current, &mut heads, &mut in_trigger);
    heads
}

/// Whether a SQLite script can run inside a transaction of ours.
fn sqlite_fits_in_transaction(sql: &str) -> bool {
    !statement_heads(sql).iter().any(|h| {
        let first = h.split(' ').next().unwrap_or("");
        matches!(
            first,
            "BEGIN"
                | "COMMIT"
                | "END"
                | "ROLLBACK"
                | "SAVEPOINT"
                | "RELEASE"
                | "VACUUM"
                | "ATTACH"
                | "DETACH"
        ) || h.starts_with("PRAGMA JOURNAL_MODE")
    })
}

/// The database's message for a failed script.
pub(crate) fn message(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(d) => d.message().to_string(),
        other => crate::url::redact_in(&other.to_string()),
    }
}

/// The database's error code for a failed script, as Prisma reports it: PostgreSQL's SQLSTATE,
/// MySQL's error number, SQLite's extended result code; `none` without one.
pub(crate) fn code(e: &sqlx::Error) -> String {
    let sqlx::Error::Database(d) = e else {
        return "none".into();
    };
    // sqlx gives MySQL's SQLSTATE as the code; Prisma reports the error number (1146).
    #[cfg(feature = "mysql")]
    if let Some(m) = d.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
        return m.number().to_string();
    }
    d.code().map_or_else(|| "none".into(), |c| c.into_owned())
}

/// The text of Prisma's P3018, which its schema engine also writes to `logs`: the same words, so
/// a team reading the history table (or grepping for P3018) finds what Prisma would have left.
pub(crate) fn p3018(name: &str, code: &str, message: &str, dialect: Dialect) -> String {
    // PostgreSQL errors carry their severity in front, as Prisma's driver prints them.
    let severity = if dialect == Dialect::Postgres {
        "ERROR: "
    } else {
        ""
    };
    format!(
        "A migration failed to apply. New migrations cannot be applied before the error is recovered from. Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve\n\nMigration name: {name}\n\nDatabase error code: {code}\n\nDatabase error:\n{severity}{message}\n"
    )
}

/// Applies one migration and records it in `_prisma_migrations` (the table exists).
pub(crate) async fn apply_migration(conn: &mut Connection, m: &Migration) -> Result<(), Error> {
    let id = uuid(&m.name);
    let now = conn.now();
    let dialect = conn.dialect();
    let insert = |with_values: bool| {
        let values = if with_values {
            format!(
                "{}, {}, {}",
                dialect.string(&id),
                dialect.string(&m.checksum),
                dialect.string(&m.name)
            )
        } else {
            "?, ?, ?".to_string()
        };
        format!("INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES ({values}, {now}, 0)")
    };
    let finish = |with_values: bool| {
        let id = if with_values {
            dialect.string(&id)
        } else {
            "?".to_string()
        };
        format!("UPDATE _prisma_migrations SET finished_at = {now}, applied_steps_count = 1 WHERE id = {id}")
    };
    let result = match dialect {
        Dialect::Postgres => {
            // One query, one implicit transaction. The script's last statement may lack its `;`
            // or end in a `--` comment, hence the line break before ours.
            let script = format!("{};\n{}\n;\n{};", insert(true), m.sql, finish(true));
            match conn.execute_script(&script).await {
                Ok(()) => Ok(true),
                Err(e) => {
                    // A script with its own BEGIN leaves an aborted transaction block open.
                    rollback(conn).await;
                    Err(e)
                }
            }
        }
        Dialect::Sqlite if sqlite_fits_in_transaction(&m.sql) => {
            conn.execute_script("BEGIN IMMEDIATE").await?;
            let run = async {
                conn.execute(&insert(false), &[&id, &m.checksum, &m.name])
                    .await?;
                conn.execute_script(&m.sql).await?;
                conn.execute(&finish(false), &[&id]).await?;
                conn.execute_script("COMMIT").await
            };
            match run.await {
                Ok(()) => Ok(true),
                Err(e) => {
                    rollback(conn).await;
                    Err(e)
                }
            }
        }
        Dialect::Sqlite | Dialect::Mysql => {
            conn.execute(&insert(false), &[&id, &m.checksum, &m.name])
                .await?;
            match conn.execute_script(&m.sql).await {
                Ok(()) => {
                    conn.execute(&finish(false), &[&id]).await?;
                    Ok(false)
                }
                Err(e) => Err(e),
            }
        }
    };
    match result {
        Ok(_) => Ok(()),
        Err(e) => {
            let (message, code) = (message(&e), code(&e));
            let logs = p3018(&m.name, &code, &message, dialect);
            // Was anything kept? The row exists only where the script ran outside one
            // transaction with it (MySQL, or a script that commits by itself).
            let updated = conn
                .execute(
                    "UPDATE _prisma_migrations SET logs = ? WHERE id = ?",
                    &[&logs, &id],
                )
                .await?;
            let rolled_back = updated == 0;
            if rolled_back {
                conn.execute(
                    &format!("INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, started_at, applied_steps_count) VALUES (?, ?, ?, ?, {now}, 0)"),
                    &[&id, &m.checksum, &m.name, &logs],
                )
                .await?;
            }
            Err(Error::Failed {
                migration: m.name.clone(),
                logs,
                message,
                rolled_back,
            })
        }
    }
}

/// Ends a transaction the failed script left open. SQLite may have rolled back by itself, and
/// PostgreSQL only warns when there is none: either way the error is of no interest.
async fn rollback(conn: &mut Connection) {
    if conn.dialect() != Dialect::Mysql {
        conn.execute_script("ROLLBACK").await.ok();
    }
}

/// Runs a script that is not a migration (a schema push), in one transaction where the database
/// allows it.
pub(crate) async fn apply_script(conn: &mut Connection, sql: &str) -> Result<(), sqlx::Error> {
    match conn.dialect() {
        Dialect::Sqlite if sqlite_fits_in_transaction(sql) => {
            conn.execute_script("BEGIN IMMEDIATE").await?;
            match conn.execute_script(sql).await {
                Ok(()) => conn.execute_script("COMMIT").await,
                Err(e) => {
                    rollback(conn).await;
                    Err(e)
                }
            }
        }
        // PostgreSQL runs a multi-statement query as one transaction by itself.
        _ => conn.execute_script(sql).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_skip_comments_strings_and_trigger_bodies() {
        let sql = "-- BEGIN here is a comment;\nCREATE TABLE \"a;b\" (x TEXT DEFAULT 'c;d');\n/* COMMIT; */ CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE a SET x = 1; END;\nPRAGMA foreign_keys=OFF;";
        assert_eq!(
            statement_heads(sql),
            [
                "CREATE TABLE X",
                "CREATE TRIGGER T",
                "PRAGMA FOREIGN_KEYS=OFF"
            ]
        );
        assert!(sqlite_fits_in_transaction(sql));
        assert!(!sqlite_fits_in_transaction(
            "BEGIN;\nCREATE TABLE a (x INT);\nCOMMIT;"
        ));
        assert!(!sqlite_fits_in_transaction("VACUUM"));
        assert!(!sqlite_fits_in_transaction("PRAGMA journal_mode = WAL;"));
    }
}
