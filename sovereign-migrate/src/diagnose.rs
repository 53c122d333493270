//! What of a failed or interrupted migration reached the database: the history before it and
//! with it are replayed in a shadow database, and the live schema is compared with both, on the
//! tables and enums the migration changes.

use crate::connection::Connection;
use crate::dev::{replay, Shadow};
use crate::diff::diff_summary;
use crate::error::Diagnosis;
use crate::folder::Migration;
use crate::sql::SqlSchema;
use std::collections::BTreeSet;

/// Diagnoses migration `name` of `migrations` against the database of `conn`. Never fails: what
/// cannot be found out is [`Diagnosis::Unknown`], with the reason.
pub async fn diagnose(conn: &mut Connection, migrations: &[Migration], name: &str) -> Diagnosis {
    match run(conn, migrations, name).await {
        Ok(d) => d,
        Err(why) => Diagnosis::Unknown(why),
    }
}

/// The parts of `s` named in `names`.
fn only(s: &SqlSchema, names: &BTreeSet<String>) -> SqlSchema {
    SqlSchema {
        enums: s
            .enums
            .iter()
            .filter(|e| names.contains(&e.name))
            .cloned()
            .collect(),
        tables: s
            .tables
            .iter()
            .filter(|t| names.contains(&t.name))
            .cloned()
            .collect(),
        namespaces: s.namespaces.clone(),
    }
}

async fn run(
    conn: &mut Connection,
    migrations: &[Migration],
    name: &str,
) -> Result<Diagnosis, String> {
    let idx = migrations
        .iter()
        .position(|m| m.name == name)
        .ok_or("it is no longer in the migrations folder")?;
    let dialect = conn.dialect();
    let mut shadow = Shadow::create(&conn.url, dialect)
        .await
        .map_err(|e| format!("no shadow database to replay the history in: {e}"))?;
    shadow.conn.set_namespaces(conn.namespaces.clone());
    let replayed = async {
        let before = replay(&mut shadow.conn, &migrations[..idx])
            .await
            .map_err(|e| e.to_string())?;
        shadow
            .conn
            .execute_script(&migrations[idx].sql)
            .await
            .map_err(|e| {
                format!(
                    "it fails on an empty database too: {}",
                    crate::apply::message(&e)
                )
            })?;
        let after = shadow.conn.introspect().await.map_err(|e| e.to_string())?;
        Ok::<_, String>((before, after))
    }
    .await;
    shadow.drop().await.ok();
    let (before, after) = replayed?;
    // The names the migration touches.
    let mut names: BTreeSet<String> = BTreeSet::new();
    for t in before.tables.iter().chain(&after.tables) {
        if before.table(&t.name) != after.table(&t.name) {
            names.insert(t.name.clone());
        }
    }
    let enum_of = |s: &SqlSchema, n: &str| s.enums.iter().find(|e| e.name == n).cloned();
    for e in before.enums.iter().chain(&after.enums) {
        if enum_of(&before, &e.name) != enum_of(&after, &e.name) {
            names.insert(e.name.clone());
        }
    }
    if names.is_empty() {
        return Err("its changes are to data only, which cannot be compared".into());
    }
    let live = conn.introspect().await.map_err(|e| e.to_string())?;
    let (before, after, live) = (
        only(&before, &names),
        only(&after, &names),
        only(&live, &names),
    );
    if diff_summary(&after, &live).is_empty() {
        return Ok(Diagnosis::Applied);
    }
    if diff_summary(&before, &live).is_empty() {
        return Ok(Diagnosis::NotApplied);
    }
    Ok(Diagnosis::Partial {
        done: diff_summary(&before, &live),
        missing: diff_summary(&live, &after),
        finish_sql: crate::diff_script(&live, &after, dialect),
    })
}
