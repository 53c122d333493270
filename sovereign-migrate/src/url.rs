//! The connection URL a datasource names: a literal, or `env("X")` read from the environment or
//! a `.env` file as Prisma does; relative SQLite paths are relative to the schema file.

use sovereign_schema::model::Url;
use std::path::Path;

/// Resolves the datasource URL of the schema at `schema_path`.
///
/// # Errors
/// The variable is set nowhere: the message names it and says where to set it.
pub fn resolve_url(url: &Url, schema_path: &Path) -> Result<String, String> {
    let dir = schema_path.parent().unwrap_or(Path::new("."));
    let raw = match url {
        Url::Literal(s) => s.clone(),
        Url::Env(var) => match std::env::var(var) {
            Ok(v) if !v.is_empty() => v,
            _ => dotenv_lookup(var, &[dir, Path::new(".")]).ok_or_else(|| {
                format!(
                    "the datasource reads its url from env(\"{var}\"), but {var} is not set; set it in the environment or in a .env file next to {}",
                    schema_path.display()
                )
            })?,
        },
    };
    Ok(relative_sqlite(&raw, dir))
}

fn relative_sqlite(url: &str, dir: &Path) -> String {
    let Some(path) = url.strip_prefix("file:") else {
        return url.to_string();
    };
    let (file, query) = path
        .split_once('?')
        .map_or((path, None), |(f, q)| (f, Some(q)));
    if Path::new(file).is_absolute() {
        return url.to_string();
    }
    let joined = dir.join(file.trim_start_matches("./"));
    match query {
        Some(q) => format!("file:{}?{q}", joined.display()),
        None => format!("file:{}", joined.display()),
    }
}

/// `KEY=value` lines of the first `.env` that defines `var` (quotes stripped, `#` comments).
fn dotenv_lookup(var: &str, dirs: &[&Path]) -> Option<String> {
    for dir in dirs {
        let Ok(text) = std::fs::read_to_string(dir.join(".env")) else {
            continue;
        };
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('#') {
                continue;
            }
            let line = line.strip_prefix("export ").unwrap_or(line);
            let Some((k, v)) = line.split_once('=') else {
                continue;
            };
            if k.trim() == var {
                let v = v.trim();
                let v = v
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                    .unwrap_or(v);
                return Some(v.to_string());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_env_and_dotenv() {
        let dir = std::env::temp_dir().join(format!("sovereign-url-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let schema = dir.join("schema.prisma");
        assert_eq!(
            resolve_url(&Url::Literal("file:./dev.db".into()), &schema).unwrap(),
            format!("file:{}", dir.join("dev.db").display())
        );
        assert_eq!(
            resolve_url(&Url::Literal("postgresql://x/y".into()), &schema).unwrap(),
            "postgresql://x/y"
        );
        let err = resolve_url(&Url::Env("SOVEREIGN_TEST_UNSET_VAR".into()), &schema).unwrap_err();
        assert!(err.contains("SOVEREIGN_TEST_UNSET_VAR is not set"), "{err}");
        std::fs::write(
            dir.join(".env"),
            "# comment\nSOVEREIGN_TEST_UNSET_VAR=\"mysql://a/b\"\n",
        )
        .unwrap();
        assert_eq!(
            resolve_url(&Url::Env("SOVEREIGN_TEST_UNSET_VAR".into()), &schema).unwrap(),
            "mysql://a/b"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
