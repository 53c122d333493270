//! Introspection: the SQL schema of a live database, in the same form [`crate::sql_schema`]
//! calculates, so a database can be diffed against a schema, another database or the replayed
//! history (drift). SQLite reads its pragmas and table definitions, PostgreSQL its catalogs,
//! MySQL/MariaDB its information_schema.

use crate::connection::Connection;
use crate::sql::*;
use sovereign_schema::model::{ReferentialAction, SortOrder};

/// Tables Prisma Migrate keeps for itself and never diffs.
const HISTORY_TABLE: &str = "_prisma_migrations";

fn action(s: &str) -> ReferentialAction {
    match s.to_ascii_uppercase().as_str() {
        "CASCADE" => ReferentialAction::Cascade,
        "RESTRICT" => ReferentialAction::Restrict,
        "SET NULL" => ReferentialAction::SetNull,
        "SET DEFAULT" => ReferentialAction::SetDefault,
        _ => ReferentialAction::NoAction,
    }
}

impl Connection {
    /// The SQL schema of the connected database (the history table left out).
    ///
    /// # Errors
    /// The database's error.
    pub async fn introspect(&mut self) -> Result<SqlSchema, sqlx::Error> {
        match self.dialect() {
            Dialect::Sqlite => self.introspect_sqlite().await,
            Dialect::Postgres => self.introspect_postgres().await,
            Dialect::Mysql => self.introspect_mysql().await,
        }
    }

    async fn introspect_sqlite(&mut self) -> Result<SqlSchema, sqlx::Error> {
        let q = |s: &str| Dialect::Sqlite.quote(s);
        let tables = self
            .strings("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid")
            .await?;
        let mut out = SqlSchema::default();
        for t in tables {
            let (name, sql) = (&t[0], &t[1]);
            if name == HISTORY_TABLE {
                continue;
            }
            let cols = self
                .strings(&format!(
                    "SELECT name, type, CAST(\"notnull\" AS TEXT), dflt_value, CAST(pk AS TEXT) FROM pragma_table_info({})",
                    Dialect::Sqlite.string(name)
                ))
                .await?;
            let mut pk: Vec<(u32, String)> = Vec::new();
            let mut columns = Vec::new();
            for c in &cols {
                let pk_pos: u32 = c[4].parse().unwrap_or(0);
                if pk_pos > 0 {
                    pk.push((pk_pos, c[0].clone()));
                }
                columns.push(Column {
                    name: c[0].clone(),
                    ty: c[1].clone(),
                    nullable: c[2] == "0",
                    default: Some(sqlite_default(&c[3])).filter(|d| !d.is_empty()),
                    autoincrement: false,
                });
            }
            pk.sort();
            if pk.len() == 1 && sql.to_ascii_uppercase().contains("AUTOINCREMENT") {
                if let Some(c) = columns.iter_mut().find(|c| c.name == pk[0].1) {
                    c.autoincrement = true;
                }
            }
            let primary_key = (!pk.is_empty()).then(|| PrimaryKey {
                name: format!("{name}_pkey"),
                columns: pk
                    .into_iter()
                    .map(|(_, c)| IndexColumn {
                        name: c,
                        sort: None,
                        length: None,
                        ops: None,
                    })
                    .collect(),
            });
            let mut indexes = Vec::new();
            let list = self
                .strings(&format!(
                    "SELECT name, CAST(\"unique\" AS TEXT), origin FROM pragma_index_list({}) ORDER BY seq DESC",
                    Dialect::Sqlite.string(name)
                ))
                .await?;
            for i in list.iter().filter(|i| i[2] == "c") {
                let cols = self
                    .strings(&format!(
                        "SELECT name, CAST(\"desc\" AS TEXT) FROM pragma_index_xinfo({}) WHERE key = 1 ORDER BY seqno",
                        Dialect::Sqlite.string(&i[0])
                    ))
                    .await?;
                indexes.push(Index {
                    name: i[0].clone(),
                    kind: if i[1] == "1" {
                        IndexKind::Unique
                    } else {
                        IndexKind::Normal
                    },
                    columns: cols
                        .into_iter()
                        .map(|c| IndexColumn {
                            name: c[0].clone(),
                            sort: (c[1] == "1").then_some(SortOrder::Desc),
                            length: None,
                            ops: None,
                        })
                        .collect(),
                    algorithm: None,
                });
            }
            let fk_rows = self
                .strings(&format!(
                    "SELECT CAST(id AS TEXT), \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list({}) ORDER BY id, seq",
                    Dialect::Sqlite.string(name)
                ))
                .await?;
            let names = constraint_names(sql);
            let mut foreign_keys: Vec<ForeignKey> = Vec::new();
            let mut current: Option<String> = None;
            for r in fk_rows {
                if current.as_deref() != Some(r[0].as_str()) {
                    current = Some(r[0].clone());
                    foreign_keys.push(ForeignKey {
                        referenced_namespace: None,
                        name: String::new(),
                        columns: Vec::new(),
                        referenced_table: r[1].clone(),
                        referenced_columns: Vec::new(),
                        on_delete: action(&r[5]),
                        on_update: action(&r[4]),
                    });
                }
                if let Some(fk) = foreign_keys.last_mut() {
                    fk.columns.push(r[2].clone());
                    fk.referenced_columns.push(r[3].clone());
                }
            }
            // Pragma ids count from the last declared key; names come from the table's SQL.
            foreign_keys.reverse();
            for fk in &mut foreign_keys {
                let key = fk
                    .columns
                    .iter()
                    .map(|c| q(c))
                    .collect::<Vec<_>>()
                    .join(", ");
                fk.name = names.iter().find(|(_, cols)| *cols == key).map_or_else(
                    || format!("{name}_{}_fkey", fk.columns.join("_")),
                    |(n, _)| n.clone(),
                );
            }
            out.tables.push(Table {
                namespace: None,
                name: name.clone(),
                columns,
                primary_key,
                indexes,
                foreign_keys,
            });
        }
        Ok(out)
    }

    async fn introspect_postgres(&mut self) -> Result<SqlSchema, sqlx::Error> {
        let mut out = SqlSchema::default();
        // A multi-schema datasource's namespaces, each qualified; otherwise the current schema.
        let scopes: Vec<Option<String>> = if self.namespaces.is_empty() {
            vec![None]
        } else {
            let list = self
                .namespaces
                .iter()
                .map(|n| Dialect::Postgres.string(n))
                .collect::<Vec<_>>()
                .join(", ");
            let mut existing: Vec<String> = self
                .strings(&format!(
                    "SELECT nspname::text FROM pg_namespace WHERE nspname IN ({list}) ORDER BY nspname"
                ))
                .await?
                .into_iter()
                .map(|r| r[0].clone())
                .collect();
            existing.sort();
            out.namespaces = existing;
            self.namespaces.iter().cloned().map(Some).collect()
        };
        for scope in scopes {
            self.introspect_postgres_namespace(&mut out, scope).await?;
        }
        Ok(out)
    }

    /// The enums and tables of one namespace (`None`: the current schema) into `out`.
    async fn introspect_postgres_namespace(
        &mut self,
        out: &mut SqlSchema,
        scope: Option<String>,
    ) -> Result<(), sqlx::Error> {
        let nsp = scope.as_deref().map_or_else(
            || "current_schema()".to_string(),
            |n| Dialect::Postgres.string(n),
        );
        let enums = self
            .strings(&format!("SELECT t.typname, e.enumlabel FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = {nsp} ORDER BY t.oid, e.enumsortorder"))
            .await?;
        for r in enums {
            match out.enums.last_mut() {
                Some(e) if e.name == r[0] && e.namespace == scope => e.values.push(r[1].clone()),
                _ => out.enums.push(SqlEnum {
                    name: r[0].clone(),
                    namespace: scope.clone(),
                    values: vec![r[1].clone()],
                }),
            }
        }
        let tables = self
            .strings(&format!("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = {nsp} AND c.relkind = 'r' ORDER BY c.oid"))
            .await?;
        for t in tables {
            let name = &t[0];
            if name == HISTORY_TABLE {
                continue;
            }
            let lit = Dialect::Postgres.string(name);
            let cols = self
                .strings(&format!(
                    "SELECT a.attname, format_type(a.atttypid, a.atttypmod), CASE WHEN a.attnotnull THEN '1' ELSE '0' END, pg_get_expr(d.adbin, d.adrelid), t.typtype::text, et.typtype::text, et.typname::text, t.typname::text, tn.nspname::text, etn.nspname::text \
                     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
                     JOIN pg_type t ON t.oid = a.atttypid JOIN pg_namespace tn ON tn.oid = t.typnamespace LEFT JOIN pg_type et ON et.oid = t.typelem \
                     LEFT JOIN pg_namespace etn ON etn.oid = et.typnamespace \
                     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
                     WHERE c.relname = {lit} AND n.nspname = {nsp} AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum"
                ))
                .await?;
            let columns = cols
                .iter()
                .map(|c| {
                    let (mut ty, auto) = pg_type(
                        &c[1],
                        &c[4],
                        &c[5],
                        &c[6],
                        &c[7],
                        c[3].starts_with("nextval("),
                    );
                    // An enum of a multi-schema datasource is named in its namespace.
                    if scope.is_some() {
                        if c[4] == "e" {
                            ty = Dialect::Postgres.qualified(Some(&c[8]), &c[7]);
                        } else if c[5] == "e" {
                            ty = format!("{}[]", Dialect::Postgres.qualified(Some(&c[9]), &c[6]));
                        }
                    }
                    Column {
                        name: c[0].clone(),
                        nullable: c[2] == "0",
                        default: if auto {
                            None
                        } else {
                            Some(pg_default(&c[3], &ty)).filter(|d| !d.is_empty())
                        },
                        ty,
                        autoincrement: auto,
                    }
                })
                .collect();
            let pk = self
                .strings(&format!(
                    "SELECT con.conname, a.attname FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
                     CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY k(attnum, ord) JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum \
                     WHERE c.relname = {lit} AND n.nspname = {nsp} AND con.contype = 'p' ORDER BY k.ord"
                ))
                .await?;
            let primary_key = pk.first().map(|r| PrimaryKey {
                name: r[0].clone(),
                columns: pk
                    .iter()
                    .map(|r| IndexColumn {
                        name: r[1].clone(),
                        sort: None,
                        length: None,
                        ops: None,
                    })
                    .collect(),
            });
            let idx = self
                .strings(&format!(
                    "SELECT i.relname, CASE WHEN ix.indisunique THEN '1' ELSE '0' END, a.attname, CASE WHEN (ix.indoption[k.ord - 1] & 1) = 1 THEN '1' ELSE '0' END, am.amname, \
                     CASE WHEN opc.opcdefault THEN '' ELSE opc.opcname::text END \
                     FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class c ON c.oid = ix.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
                     JOIN pg_am am ON am.oid = i.relam CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY k(attnum, ord) \
                     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum \
                     LEFT JOIN pg_opclass opc ON opc.oid = ix.indclass[k.ord - 1] \
                     WHERE c.relname = {lit} AND n.nspname = {nsp} AND NOT ix.indisprimary ORDER BY i.oid, k.ord"
                ))
                .await?;
            let mut indexes: Vec<Index> = Vec::new();
            for r in idx {
                let col = IndexColumn {
                    name: r[2].clone(),
                    sort: (r[3] == "1").then_some(SortOrder::Desc),
                    length: None,
                    // A class PostgreSQL chose by default is not the schema's to name.
                    ops: Some(r[5].clone())
                        .filter(|o| !o.is_empty())
                        .map(|name| OperatorClass {
                            name,
                            default: false,
                        }),
                };
                match indexes.last_mut() {
                    Some(i) if i.name == r[0] => i.columns.push(col),
                    _ => indexes.push(Index {
                        name: r[0].clone(),
                        kind: if r[1] == "1" {
                            IndexKind::Unique
                        } else {
                            IndexKind::Normal
                        },
                        columns: vec![col],
                        algorithm: match r[4].as_str() {
                            "btree" => None,
                            "hash" => Some("Hash".into()),
                            "gist" => Some("Gist".into()),
                            "gin" => Some("Gin".into()),
                            "spgist" => Some("SpGist".into()),
                            "brin" => Some("Brin".into()),
                            other => Some(other.to_string()),
                        },
                    }),
                }
            }
            let fks = self
                .strings(&format!(
                    "SELECT con.conname, a.attname, rc.relname, ra.attname, con.confdeltype::text, con.confupdtype::text, rn.nspname::text \
                     FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
                     JOIN pg_class rc ON rc.oid = con.confrelid JOIN pg_namespace rn ON rn.oid = rc.relnamespace \
                     CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY k(attnum, refnum, ord) \
                     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum JOIN pg_attribute ra ON ra.attrelid = rc.oid AND ra.attnum = k.refnum \
                     WHERE c.relname = {lit} AND n.nspname = {nsp} AND con.contype = 'f' ORDER BY con.conname, k.ord"
                ))
                .await?;
            let code = |c: &str| match c {
                "c" => ReferentialAction::Cascade,
                "r" => ReferentialAction::Restrict,
                "n" => ReferentialAction::SetNull,
                "d" => ReferentialAction::SetDefault,
                _ => ReferentialAction::NoAction,
            };
            let referenced: Vec<(String, String)> =
                fks.iter().map(|r| (r[0].clone(), r[6].clone())).collect();
            let mut foreign_keys = group_foreign_keys(fks, code);
            if scope.is_some() {
                for fk in &mut foreign_keys {
                    fk.referenced_namespace = referenced
                        .iter()
                        .find(|(n, _)| *n == fk.name)
                        .map(|(_, ns)| ns.clone());
                }
            }
            out.tables.push(Table {
                namespace: scope.clone(),
                name: name.clone(),
                columns,
                primary_key,
                indexes,
                foreign_keys,
            });
        }
        Ok(())
    }
}

impl Connection {
    async fn introspect_mysql(&mut self) -> Result<SqlSchema, sqlx::Error> {
        let mut out = SqlSchema::default();
        let tables = self
            .strings("SELECT CAST(TABLE_NAME AS CHAR) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY CREATE_TIME, TABLE_NAME")
            .await?;
        let json_checks: Vec<(String, String)> = self
            .strings("SELECT CAST(TABLE_NAME AS CHAR), CAST(CHECK_CLAUSE AS CHAR) FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()")
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect();
        for t in tables {
            let name = &t[0];
            if name == HISTORY_TABLE {
                continue;
            }
            let lit = Dialect::Mysql.string(name);
            let cols = self
                .strings(&format!(
                    "SELECT CAST(COLUMN_NAME AS CHAR), CAST(COLUMN_TYPE AS CHAR), CAST(IS_NULLABLE AS CHAR), CAST(COLUMN_DEFAULT AS CHAR), CAST(EXTRA AS CHAR) \
                     FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = {lit} ORDER BY ORDINAL_POSITION"
                ))
                .await?;
            let columns = cols
                .iter()
                .map(|c| {
                    let is_json = json_checks.iter().any(|(tbl, check)| {
                        tbl == name && check.replace('`', "") == format!("json_valid({})", c[0])
                    });
                    let ty = mysql_type(&c[1], is_json);
                    Column {
                        name: c[0].clone(),
                        nullable: c[2] == "YES",
                        default: mysql_default(&c[3], &ty),
                        autoincrement: c[4].contains("auto_increment"),
                        ty,
                    }
                })
                .collect();
            let fks = self
                .strings(&format!(
                    "SELECT CAST(k.CONSTRAINT_NAME AS CHAR), CAST(k.COLUMN_NAME AS CHAR), CAST(k.REFERENCED_TABLE_NAME AS CHAR), CAST(k.REFERENCED_COLUMN_NAME AS CHAR), CAST(r.DELETE_RULE AS CHAR), CAST(r.UPDATE_RULE AS CHAR) \
                     FROM information_schema.KEY_COLUMN_USAGE k JOIN information_schema.REFERENTIAL_CONSTRAINTS r \
                     ON r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA \
                     WHERE k.TABLE_SCHEMA = DATABASE() AND k.TABLE_NAME = {lit} ORDER BY k.CONSTRAINT_NAME, k.ORDINAL_POSITION"
                ))
                .await?;
            let foreign_keys = group_foreign_keys(fks, action);
            let stats = self
                .strings(&format!(
                    "SELECT CAST(INDEX_NAME AS CHAR), CAST(NON_UNIQUE AS CHAR), CAST(COLUMN_NAME AS CHAR), CAST(COLLATION AS CHAR), CAST(SUB_PART AS CHAR), CAST(INDEX_TYPE AS CHAR) \
                     FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = {lit} ORDER BY INDEX_NAME, SEQ_IN_INDEX"
                ))
                .await?;
            let mut primary_key: Option<PrimaryKey> = None;
            let mut indexes: Vec<Index> = Vec::new();
            for r in stats {
                let col = IndexColumn {
                    name: r[2].clone(),
                    sort: (r[3] == "D").then_some(SortOrder::Desc),
                    length: r[4].parse().ok(),
                    ops: None,
                };
                if r[0] == "PRIMARY" {
                    primary_key
                        .get_or_insert_with(|| PrimaryKey {
                            name: "PRIMARY".into(),
                            columns: Vec::new(),
                        })
                        .columns
                        .push(IndexColumn { sort: None, ..col });
                    continue;
                }
                // MySQL backs each foreign key with an index of the same name.
                if foreign_keys.iter().any(|fk| fk.name == r[0]) {
                    continue;
                }
                match indexes.last_mut() {
                    Some(i) if i.name == r[0] => i.columns.push(col),
                    _ => indexes.push(Index {
                        name: r[0].clone(),
                        kind: if r[5] == "FULLTEXT" {
                            IndexKind::Fulltext
                        } else if r[1] == "0" {
                            IndexKind::Unique
                        } else {
                            IndexKind::Normal
                        },
                        columns: vec![col],
                        algorithm: (r[5] == "HASH").then(|| "Hash".to_string()),
                    }),
                }
            }
            out.tables.push(Table {
                namespace: None,
                name: name.clone(),
                columns,
                primary_key,
                indexes,
                foreign_keys,
            });
        }
        Ok(out)
    }
}

/// `information_schema.COLUMNS.COLUMN_TYPE` -> the type as [`crate::sql_schema`] writes it.
fn mysql_type(column_type: &str, is_json: bool) -> String {
    let t = column_type.trim();
    if is_json && t == "longtext" {
        return "JSON".to_string();
    }
    if let Some(values) = t.strip_prefix("enum(").and_then(|v| v.strip_suffix(')')) {
        return format!("ENUM({})", split_top_level(values).join(", "));
    }
    let (base, unsigned) = match t.strip_suffix(" unsigned") {
        Some(b) => (b, " UNSIGNED"),
        None => (t, ""),
    };
    let (head, args) = match base.split_once('(') {
        Some((h, a)) => (h, Some(a.trim_end_matches(')'))),
        None => (base, None),
    };
    let upper = head.to_uppercase();
    let ty = match (upper.as_str(), args) {
        ("TINYINT", Some("1")) if unsigned.is_empty() => return "BOOLEAN".to_string(),
        ("INT", _) => "INTEGER".to_string(),
        ("BIGINT" | "SMALLINT" | "MEDIUMINT" | "TINYINT", _) => upper.clone(),
        ("YEAR", _) => "YEAR".to_string(),
        (_, Some(a)) => format!("{upper}({a})"),
        (_, None) => upper.clone(),
    };
    format!("{ty}{unsigned}")
}

/// `COLUMN_DEFAULT` (MariaDB quotes strings and spells NULL) -> the default as we write it.
fn mysql_default(d: &str, ty: &str) -> Option<String> {
    let t = d.trim();
    if t.is_empty() || t == "NULL" {
        return None;
    }
    if ty == "BOOLEAN" {
        return Some(
            if t == "1" || t.eq_ignore_ascii_case("true") {
                "true"
            } else {
                "false"
            }
            .to_string(),
        );
    }
    if ty.starts_with("DECIMAL") && t.contains('.') && t.parse::<f64>().is_ok() {
        let trimmed = t.trim_end_matches('0').trim_end_matches('.');
        return Some(trimmed.to_string());
    }
    if t.to_ascii_lowercase().starts_with("current_timestamp") {
        return Some(t.to_uppercase());
    }
    Some(t.to_string())
}

/// SQLite reports an expression default without the parentheses it requires; put them back so
/// the default reads as it was written.
fn sqlite_default(d: &str) -> String {
    let t = d.trim();
    let literal = t.is_empty()
        || t.starts_with('\'')
        || t.starts_with('"')
        || t.parse::<f64>().is_ok()
        || t.starts_with('(')
        || [
            "NULL",
            "TRUE",
            "FALSE",
            "CURRENT_TIMESTAMP",
            "CURRENT_TIME",
            "CURRENT_DATE",
        ]
        .contains(&t.to_ascii_uppercase().as_str());
    if literal {
        t.to_string()
    } else {
        format!("({t})")
    }
}

/// Splits `a, 'b, c', d` at the commas outside quotes.
fn split_top_level(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                cur.push(c);
            }
            ',' if !quoted => out.push(std::mem::take(&mut cur).trim().to_string()),
            _ => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// Rows of (name, column, referenced table, referenced column, on delete, on update), ordered
/// by constraint and position, into foreign keys.
fn group_foreign_keys(
    rows: Vec<Vec<String>>,
    action: impl Fn(&str) -> ReferentialAction,
) -> Vec<ForeignKey> {
    let mut out: Vec<ForeignKey> = Vec::new();
    for r in rows {
        match out.last_mut() {
            Some(fk) if fk.name == r[0] => {
                fk.columns.push(r[1].clone());
                fk.referenced_columns.push(r[3].clone());
            }
            _ => out.push(ForeignKey {
                name: r[0].clone(),
                columns: vec![r[1].clone()],
                referenced_table: r[2].clone(),
                referenced_namespace: None,
                referenced_columns: vec![r[3].clone()],
                on_delete: action(&r[4]),
                on_update: action(&r[5]),
            }),
        }
    }
    out
}

/// `CONSTRAINT "name" FOREIGN KEY ("a", "b")` pairs in a SQLite table definition.
fn constraint_names(sql: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = sql;
    while let Some(i) = rest.find("CONSTRAINT \"") {
        rest = &rest[i + "CONSTRAINT \"".len()..];
        let Some(end) = rest.find('"') else { break };
        let name = rest[..end].to_string();
        rest = &rest[end + 1..];
        let Some(fk) = rest.trim_start().strip_prefix("FOREIGN KEY (") else {
            continue;
        };
        let Some(close) = fk.find(')') else { break };
        out.push((name, fk[..close].to_string()));
    }
    out
}

/// `format_type` output -> the type as [`crate::sql_schema`] writes it.
fn pg_type(
    formatted: &str,
    typtype: &str,
    elem_typtype: &str,
    elem_name: &str,
    typname: &str,
    serial: bool,
) -> (String, bool) {
    let q = |s: &str| Dialect::Postgres.quote(s);
    if typtype == "e" {
        return (q(typname), false);
    }
    if elem_typtype == "e" {
        return (format!("{}[]", q(elem_name)), false);
    }
    let (base, array) = match formatted.strip_suffix("[]") {
        Some(b) => (b, "[]"),
        None => (formatted, ""),
    };
    let (head, args) = match base.split_once('(') {
        Some((h, a)) => {
            let a = a.split_once(')').map_or(a, |x| x.0);
            let tail = base.rsplit_once(')').map_or("", |x| x.1);
            (format!("{h}{tail}"), Some(a.replace(' ', "")))
        }
        None => (base.to_string(), None),
    };
    let mapped = match head.as_str() {
        "integer" => "INTEGER",
        "smallint" => "SMALLINT",
        "bigint" => "BIGINT",
        "text" => "TEXT",
        "boolean" => "BOOLEAN",
        "double precision" => "DOUBLE PRECISION",
        "real" => "REAL",
        "numeric" => "DECIMAL",
        "money" => "MONEY",
        "jsonb" => "JSONB",
        "json" => "JSON",
        "bytea" => "BYTEA",
        "uuid" => "UUID",
        "xml" => "XML",
        "inet" => "INET",
        "citext" => "CITEXT",
        "oid" => "OID",
        "date" => "DATE",
        "character varying" => "VARCHAR",
        "character" => "CHAR",
        "bit" => "BIT",
        "bit varying" => "VARBIT",
        "timestamp without time zone" => "TIMESTAMP",
        "timestamp with time zone" => "TIMESTAMPTZ",
        "time without time zone" => "TIME",
        "time with time zone" => "TIMETZ",
        other => other,
    };
    if serial && array.is_empty() {
        let s = match mapped {
            "SMALLINT" => "SMALLSERIAL",
            "BIGINT" => "BIGSERIAL",
            _ => "SERIAL",
        };
        return (s.to_string(), true);
    }
    let ty = match args {
        Some(a) => format!("{mapped}({a})"),
        None => mapped.to_string(),
    };
    (format!("{ty}{array}"), false)
}

/// `pg_get_expr` of a default -> the default as [`crate::sql_schema`] writes it.
/// The items of `ARRAY[...]` (given what follows `ARRAY[`), up to its matching `]`: a trailing
/// cast (`ARRAY[]::text[]`) and brackets inside strings do not end it.
fn array_items(rest: &str) -> Option<&str> {
    let (mut depth, mut quoted) = (0usize, false);
    for (i, c) in rest.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted && depth == 0 => return Some(&rest[..i]),
            ']' if !quoted => depth -= 1,
            _ => {}
        }
    }
    None
}

fn pg_default(expr: &str, column_type: &str) -> String {
    let e = expr.trim();
    if e.is_empty() {
        return String::new();
    }
    // ARRAY['a'::text, 'b'::text] -> ARRAY['a', 'b']::TEXT[]
    if let Some(items) = e.strip_prefix("ARRAY[").and_then(array_items) {
        let items: Vec<String> = split_top_level(items)
            .iter()
            .map(|i| pg_default(i, ""))
            .collect();
        return format!("ARRAY[{}]::{column_type}", items.join(", "));
    }
    if e.starts_with("'{}'::") && column_type.ends_with("[]") {
        return format!("ARRAY[]::{column_type}");
    }
    // 'text'::type -> 'text' (and ARRAY['a'::text] -> ARRAY['a']::TEXT[] is left as written).
    if e.starts_with('\'') {
        if let Some(end) = e.rfind("'::") {
            return e[..=end].to_string();
        }
        return e.to_string();
    }
    if let Some(inner) = e.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        return inner.to_string();
    }
    match e {
        "now()" | "CURRENT_TIMESTAMP" => "CURRENT_TIMESTAMP".to_string(),
        _ => e.to_string(),
    }
}
