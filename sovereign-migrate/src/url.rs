//! Database URLs: the one a datasource names (a literal, or `env("X")` read from the environment
//! or a `.env` file as Prisma does; relative SQLite paths are relative to the schema file), their
//! scheme, the database they name, and [`redact`], the one function every crate uses to show a
//! URL without its password.

use sovereign_schema::model::Url;
use std::path::Path;

/// Resolves the datasource URL of the schema at `schema_path`, as Prisma's CLI does: the
/// variable from the environment, else from a `.env` next to the schema or in the current
/// directory; a relative SQLite path is relative to the schema's folder.
///
/// # Errors
/// The variable is set nowhere: the message names it and says where to set it.
pub fn resolve_url(url: &Url, schema_path: &Path) -> Result<String, String> {
    let dir = schema_path.parent().unwrap_or(Path::new("."));
    let raw = match url {
        Url::Literal(s) => s.clone(),
        Url::Env(var) => env_var(var, &[dir, Path::new(".")]).ok_or_else(|| {
            format!(
                "the datasource reads its url from env(\"{var}\"), but {var} is not set; set it in the environment or in a .env file next to {}",
                schema_path.display()
            )
        })?,
    };
    Ok(with_base(&raw, dir))
}

/// The value of `var`: from the environment when set there (and not empty), else from the first
/// `.env` file of `dirs` that defines it. The process environment is never changed, so two
/// datasources (or two tests) reading different `.env` files cannot see each other's values.
///
/// `.env` lines are `KEY=value`, optionally after `export `; values may be quoted with `"` or
/// `'`; `#` starts a comment line, and ` #` a comment after an unquoted value.
pub fn env_var(var: &str, dirs: &[&Path]) -> Option<String> {
    if let Some(v) = std::env::var(var).ok().filter(|v| !v.is_empty()) {
        return Some(v);
    }
    dirs.iter().find_map(|dir| {
        let text = std::fs::read_to_string(dir.join(".env")).ok()?;
        dotenv_value(&text, var)
    })
}

/// The names of the variables [`env_var`] would find with `prefix`: set in the process
/// environment (not empty) or in the `.env` file of one of `dirs`, sorted, each once.
pub fn env_names(prefix: &str, dirs: &[&Path]) -> Vec<String> {
    let mut names: Vec<String> = std::env::vars_os()
        .filter(|(_, v)| !v.is_empty())
        .filter_map(|(k, _)| k.into_string().ok())
        .filter(|k| k.starts_with(prefix))
        .collect();
    for dir in dirs {
        let Ok(text) = std::fs::read_to_string(dir.join(".env")) else {
            continue;
        };
        names.extend(
            dotenv_entries(&text)
                .filter(|(k, _)| k.starts_with(prefix))
                .map(|(k, _)| k.to_string()),
        );
    }
    names.sort();
    names.dedup();
    names
}

/// The `KEY=value` lines of `text` (a `.env` file), in order, as (key, value) trimmed, the
/// value as written (quotes and comments still on it).
fn dotenv_entries(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.lines().filter_map(|line| {
        let line = line.trim();
        let line = line.strip_prefix("export ").unwrap_or(line);
        if line.starts_with('#') {
            return None;
        }
        let (k, v) = line.split_once('=')?;
        Some((k.trim(), v.trim()))
    })
}

/// The value `text` (a `.env` file) gives `var`, if any.
fn dotenv_value(text: &str, var: &str) -> Option<String> {
    dotenv_entries(text).find_map(|(k, v)| {
        if k != var {
            return None;
        }
        let quoted = v.len() >= 2
            && ((v.starts_with('"') && v.ends_with('"'))
                || (v.starts_with('\'') && v.ends_with('\'')));
        Some(if quoted {
            v[1..v.len() - 1].to_string()
        } else {
            v.split_once(" #")
                .map_or(v, |(v, _)| v.trim_end())
                .to_string()
        })
    })
}

/// The file of a SQLite URL (`file:` or `sqlite:`, an optional `//`, the `?` options dropped);
/// `None` for other URLs.
pub fn sqlite_file(url: &str) -> Option<&str> {
    let path = url
        .strip_prefix("file:")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.strip_prefix("//").unwrap_or(path);
    Some(path.split('?').next().unwrap_or(path))
}

/// `url` with a relative SQLite path joined to `base` (`./` dropped, the options kept); absolute
/// paths, `:memory:` and server URLs as they are. The one rule for relative SQLite paths: the
/// CLI passes the schema's folder (as Prisma's CLI does), the runtime the base directory the
/// application set.
pub fn with_base(url: &str, base: &Path) -> String {
    let Some(file) = sqlite_file(url) else {
        return url.to_string();
    };
    if file == ":memory:" || file.is_empty() || Path::new(file).is_absolute() {
        return url.to_string();
    }
    let joined = base.join(file.strip_prefix("./").unwrap_or(file));
    match url.split_once('?') {
        Some((_, q)) => format!("file:{}?{q}", joined.display()),
        None => format!("file:{}", joined.display()),
    }
}

/// The scheme of a URL (`file`, `postgresql`, `mysql`, ...), lower-case as written.
pub fn scheme(url: &str) -> &str {
    url.split_once(':').map_or("", |(s, _)| s)
}

/// A `mariadb://` URL as the MySQL driver takes it (`mysql://`); others unchanged.
pub fn mysql_scheme(url: &str) -> std::borrow::Cow<'_, str> {
    match url.strip_prefix("mariadb://") {
        Some(rest) => format!("mysql://{rest}").into(),
        None => url.into(),
    }
}

/// The same server URL naming another database: `postgresql://u@h:5432/app?x=y` with `db`
/// gives `postgresql://u@h:5432/db?x=y` (shadow and test databases).
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let start = base.find("://").map_or(0, |i| i + 3);
    let authority_end = authority_end(base, start);
    let mut out = format!("{}/{db}", &base[..authority_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// The same server and database reached as another login: `postgresql://admin:x@h/app` with
/// `blog` and `pw` gives `postgresql://blog:pw@h/app`. Both are percent-encoded; query
/// parameters that carry a user or a password are left out (they would override the new ones).
pub fn with_credentials(url: &str, user: &str, password: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let Some(s) = base.find("://") else {
        return url.to_string();
    };
    let start = s + 3;
    let end = authority_end(base, start);
    let authority = &base[start..end];
    let host = authority
        .rfind('@')
        .map_or(authority, |at| &authority[at + 1..]);
    let mut out = format!(
        "{}{}:{}@{host}{}",
        &base[..start],
        percent_encode(user),
        percent_encode(password),
        &base[end..]
    );
    let kept: Vec<&str> = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter(|pair| {
            let key = pair.split_once('=').map_or(*pair, |(k, _)| k);
            !(secret_param(key)
                || key.eq_ignore_ascii_case("user")
                || key.eq_ignore_ascii_case("username"))
        })
        .collect();
    if !kept.is_empty() {
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    out
}

/// The user and password of a URL, percent-decoded: `postgresql://blog:p%40ss@h/app` gives
/// `("blog", "p@ss")`; `None` without both.
pub fn credentials(url: &str) -> Option<(String, String)> {
    let base = url.split_once('?').map_or(url, |(b, _)| b);
    let start = base.find("://")? + 3;
    let end = authority_end(base, start);
    let authority = &base[start..end];
    let at = authority.rfind('@')?;
    let (user, password) = authority[..at].split_once(':')?;
    Some((percent_decode(user), percent_decode(password)))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The value of query parameter `key` of a URL, percent-decoded (`?schema=blog` gives `blog`).
pub fn query_param(url: &str, key: &str) -> Option<String> {
    let (_, query) = url.split_once('?')?;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == key).then(|| percent_decode(v))
    })
}

/// The URL with query parameter `key` set to `value` (replaced when present).
pub fn with_query_param(url: &str, key: &str, value: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let mut pairs: Vec<String> = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter(|p| !p.is_empty() && p.split_once('=').map_or(*p, |(k, _)| k) != key)
        .map(str::to_string)
        .collect();
    pairs.push(format!("{key}={}", percent_encode(value)));
    format!("{base}?{}", pairs.join("&"))
}

/// The query parameters Prisma reads for itself, which the drivers do not know: the schema
/// (PostgreSQL's search_path) and the connection pool's settings.
pub const PRISMA_PARAMS: [&str; 5] = [
    "schema",
    "connection_limit",
    "pool_timeout",
    "connect_timeout",
    "socket_timeout",
];

/// The URL without [`PRISMA_PARAMS`]: what a driver is given.
pub fn without_prisma_params(url: &str) -> String {
    PRISMA_PARAMS
        .iter()
        .fold(url.to_string(), |url, key| without_query_param(&url, key))
}

/// The variable that lists the read replicas of the datasource whose URL is in `var`:
/// `<var>_REPLICAS` (`DATABASE_URL_REPLICAS`).
pub fn replicas_variable(var: &str) -> String {
    format!("{var}_REPLICAS")
}

/// The read replicas listed, separated by commas, in [`replicas_variable`]`(var)`: from the
/// environment, else from `.env` in `dirs` (see [`env_var`]); empty when unset.
pub fn replica_urls(var: &str, dirs: &[&Path]) -> Vec<String> {
    env_var(&replicas_variable(var), dirs)
        .map(|list| {
            list.split(',')
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The URL without query parameter `key` (unchanged when absent).
pub fn without_query_param(url: &str, key: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_string();
    };
    let pairs: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && p.split_once('=').map_or(*p, |(k, _)| k) != key)
        .collect();
    if pairs.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", pairs.join("&"))
    }
}

/// Everything but unreserved characters (`A-Z a-z 0-9 - . _ ~`) as `%XX`.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Where the authority (`user:password@host:port`) of a URL ends: at the first `/` after the
/// last `@`, so a password holding `/` does not end it early.
fn authority_end(base: &str, start: usize) -> usize {
    let rest = &base[start..];
    let host_start = rest.rfind('@').map_or(0, |i| i + 1);
    rest[host_start..]
        .find('/')
        .map_or(base.len(), |i| start + host_start + i)
}

/// Query parameters whose values are secrets.
fn secret_param(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    ["pass", "pwd", "secret", "token"]
        .iter()
        .any(|s| k.contains(s))
}

/// The URL with its password, and the values of `password=`-like query parameters, replaced by
/// `****`; anything else is kept so the message still says which server and database. The
/// password is found as Prisma's users write it, unescaped characters included: everything
/// between the user's `:` and the last `@` of the authority (`postgres://u:p@ss/w:rd@host/db`).
pub fn redact(url: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let mut out = String::with_capacity(url.len());
    match base.find("://") {
        Some(s) => {
            let start = s + 3;
            let rest = &base[start..];
            // The last `@`: a password may hold unescaped `@`, `:` and `/`. An `@` in the path
            // hides more than the password, which errs on the safe side.
            match rest.rfind('@').filter(|&at| at > 0) {
                Some(at) => {
                    let userinfo = &rest[..at];
                    out.push_str(&base[..start]);
                    match userinfo.split_once(':') {
                        Some((user, _)) => {
                            out.push_str(user);
                            out.push_str(":****");
                        }
                        None => out.push_str(userinfo),
                    }
                    out.push_str(&rest[at..]);
                }
                None => out.push_str(base),
            }
        }
        None => out.push_str(base),
    }
    if let Some(q) = query {
        out.push('?');
        let mut first = true;
        for pair in q.split('&') {
            if !first {
                out.push('&');
            }
            first = false;
            match pair.split_once('=') {
                Some((k, _)) if secret_param(k) => {
                    out.push_str(k);
                    out.push_str("=****");
                }
                _ => out.push_str(pair),
            }
        }
    }
    out
}

/// Every URL inside a text (an error message from a lower layer, a log line) redacted with
/// [`redact`]: the last guard before anything reaches a person.
pub fn redact_in(text: &str) -> String {
    if !text.contains("://") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        // The scheme: letters, digits, `+`, `-`, `.` before `://`.
        let scheme_start = rest[..i]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .map_or(0, |p| p + 1);
        out.push_str(&rest[..scheme_start]);
        let tail = &rest[scheme_start..];
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '`' | '"' | '\'' | '<' | '>'))
            .unwrap_or(tail.len());
        // A trailing `)` `,` `.` or `;` belongs to the sentence, not the URL.
        let url_end = tail[..end]
            .trim_end_matches([')', ',', '.', ';'])
            .len()
            .max(i - scheme_start + 3);
        out.push_str(&redact(&tail[..url_end]));
        rest = &tail[url_end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replicas_are_listed_in_the_variable_beside_the_url() {
        assert_eq!(replicas_variable("DATABASE_URL"), "DATABASE_URL_REPLICAS");
        // A variable of this test's own name.
        std::env::set_var(
            "SOVEREIGN_REPLICA_TEST_URL_REPLICAS",
            " postgresql://r1/db , ,postgresql://r2/db",
        );
        assert_eq!(
            replica_urls("SOVEREIGN_REPLICA_TEST_URL", &[]),
            ["postgresql://r1/db", "postgresql://r2/db"]
        );
        assert!(replica_urls("SOVEREIGN_REPLICA_TEST_UNSET", &[]).is_empty());
    }

    #[test]
    fn drivers_get_the_url_without_prismas_parameters() {
        assert_eq!(
            without_prisma_params(
                "postgresql://u@h/db?schema=app&sslmode=disable&connection_limit=3"
            ),
            "postgresql://u@h/db?sslmode=disable"
        );
        assert_eq!(
            without_prisma_params("mysql://u@h/db?pool_timeout=1"),
            "mysql://u@h/db"
        );
        assert_eq!(without_prisma_params("mysql://u@h/db"), "mysql://u@h/db");
    }

    #[test]
    fn without_query_param_keeps_the_others() {
        assert_eq!(
            without_query_param("postgresql://h/db?schema=a&sslmode=disable", "schema"),
            "postgresql://h/db?sslmode=disable"
        );
        assert_eq!(
            without_query_param("postgresql://h/db?schema=a", "schema"),
            "postgresql://h/db"
        );
        assert_eq!(
            without_query_param("postgresql://h/db", "schema"),
            "postgresql://h/db"
        );
        assert_eq!(
            without_query_param("mysql://h/db?schemas=1&schema=2", "schema"),
            "mysql://h/db?schemas=1"
        );
    }

    #[test]
    fn credentials_replace_the_login() {
        assert_eq!(
            with_credentials(
                "postgresql://admin:s3cr3t@db:5432/app?schema=x&password=y",
                "app_blog",
                "p w"
            ),
            "postgresql://app_blog:p%20w@db:5432/app?schema=x"
        );
        assert_eq!(
            with_credentials("mysql://root@127.0.0.1:3306/app", "app_blog", "pw"),
            "mysql://app_blog:pw@127.0.0.1:3306/app"
        );
        // A password holding `@` and `/`, as users write them unescaped.
        assert_eq!(
            with_credentials("postgres://u:p@ss/w@host/db?user=u", "r", "x"),
            "postgres://r:x@host/db"
        );
        assert_eq!(
            with_credentials("postgres://host", "r", "x"),
            "postgres://r:x@host"
        );
    }

    #[test]
    fn sqlite_paths_and_bases() {
        let base = Path::new("/srv/app");
        assert_eq!(with_base("file:./a.db", base), "file:/srv/app/a.db");
        assert_eq!(
            with_base("file:a.db?mode=rwc", base),
            "file:/srv/app/a.db?mode=rwc"
        );
        assert_eq!(
            with_base("sqlite:data/a.db", base),
            "file:/srv/app/data/a.db"
        );
        assert_eq!(with_base("file:/var/a.db", base), "file:/var/a.db");
        assert_eq!(with_base("file::memory:", base), "file::memory:");
        assert_eq!(
            with_base("postgresql://u@h/db", base),
            "postgresql://u@h/db"
        );
        assert_eq!(sqlite_file("sqlite:///tmp/x.db?mode=ro"), Some("/tmp/x.db"));
        assert_eq!(sqlite_file("mysql://h/x"), None);
    }

    #[test]
    fn dotenv_values() {
        let text = "# c\nexport A=\"x y\"\nB = plain # note\nC='q'\nA=second\n";
        assert_eq!(dotenv_value(text, "A").as_deref(), Some("x y"));
        assert_eq!(dotenv_value(text, "B").as_deref(), Some("plain"));
        assert_eq!(dotenv_value(text, "C").as_deref(), Some("q"));
        assert_eq!(dotenv_value(text, "D"), None);
    }

    #[test]
    fn env_names_from_the_environment_and_dotenv_files() {
        let dir = std::env::temp_dir().join(format!("sovereign-names-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join(".env"),
            "# SOVEREIGN_COMMENTED=1\nexport SOVEREIGN_B_X=1\nSOVEREIGN_A_X = 2\nOTHER=3\nSOVEREIGN_A_X=4\n",
        )
        .unwrap();
        let names = env_names("SOVEREIGN_", &[dir.as_path()]);
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            names.contains(&"SOVEREIGN_A_X".to_string())
                && names.contains(&"SOVEREIGN_B_X".to_string()),
            "{names:?}"
        );
        assert!(!names
            .iter()
            .any(|n| n.contains("COMMENTED") || n == "OTHER"));
        assert_eq!(names.iter().filter(|n| *n == "SOVEREIGN_A_X").count(), 1);
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        assert!(env_names("SOVEREIGN_", &[Path::new("/nonexistent-dir")])
            .iter()
            .all(|n| std::env::var(n).is_ok_and(|v| !v.is_empty())));
    }

    #[test]
    fn redaction() {
        let cases = [
            (
                "postgres://u:secret@h:5432/db",
                "postgres://u:****@h:5432/db",
            ),
            ("postgres://u@h/db", "postgres://u@h/db"),
            ("postgres://h/db", "postgres://h/db"),
            (
                "mysql://root:p@ss:w/rd@127.0.0.1:3306/x",
                "mysql://root:****@127.0.0.1:3306/x",
            ),
            (
                "postgresql://u:a%40b@h/db?sslmode=require&password=hunter2&x=1",
                "postgresql://u:****@h/db?sslmode=require&password=****&x=1",
            ),
            (
                "postgresql://h/db?user=u&PASSWORD=x",
                "postgresql://h/db?user=u&PASSWORD=****",
            ),
            ("file:./dev@home.db", "file:./dev@home.db"),
            ("postgres://u:p%3Aq@h/db", "postgres://u:****@h/db"),
        ];
        for (url, want) in cases {
            assert_eq!(redact(url), want, "{url}");
        }
        assert_eq!(
            redact_in("cannot connect to `postgres://u:pw@h/db`: refused (postgres://a:b@c)."),
            "cannot connect to `postgres://u:****@h/db`: refused (postgres://a:****@c)."
        );
        assert_eq!(redact_in("no urls here"), "no urls here");
    }

    #[test]
    fn other_database() {
        assert_eq!(
            with_database("postgresql://u:p/w@h:5432/app?schema=x", "shadow"),
            "postgresql://u:p/w@h:5432/shadow?schema=x"
        );
        assert_eq!(with_database("mysql://root@h", "t"), "mysql://root@h/t");
    }

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
