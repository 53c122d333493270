//! Hostile input through the public compose API (data-safety issue #12): a megabyte on one line
//! of `plugin.json` or `extension.prisma` gives a short error, quickly, whatever it holds.

use sovereign_build::{compose_workspace, Config};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A guard against super-linear blowups (these inputs took minutes, or exhausted memory, before
/// the fix; now milliseconds), generous enough that a loaded two-core CI machine never trips
/// it. Speed itself is measured by the benchmarks, not here.
const BLOWUP: Duration = Duration::from_secs(30);

const MB: usize = 1 << 20;
const BASE: &str = "datasource db {\n  provider = \"sqlite\"\n  url      = \"file:./dev.db\"\n}\n\nmodel User {\n  id Int @id\n}\n";
const MANIFEST: &str = r#"{"id": "blog", "name": "Blog", "version": "0.1.0"}"#;

struct Ws(PathBuf);

impl Ws {
    fn new(name: &str) -> Ws {
        let root =
            std::env::temp_dir().join(format!("sovereign-hostile-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let ws = Ws(root);
        ws.write("platform/prisma/base.prisma", BASE);
        ws
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    /// Composes, and returns the rendered error with the time it took.
    fn error(&self) -> (String, Duration) {
        let start = Instant::now();
        let config = Config::find(&self.0).unwrap();
        let result = compose_workspace(&config);
        let elapsed = start.elapsed();
        match result {
            Ok(_) => panic!("composition succeeded"),
            Err(e) => (e.to_string(), elapsed),
        }
    }
}

impl Drop for Ws {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Bounded in size and time, and no line of it is the megabyte.
fn assert_bounded(what: &str, out: &str, elapsed: Duration) {
    assert!(
        out.len() < 64 * 1024,
        "{what}: {} bytes:\n{}",
        out.len(),
        &out[..2000.min(out.len())]
    );
    assert!(elapsed < BLOWUP, "{what}: {elapsed:?}");
    assert!(
        out.lines().all(|l| l.len() < 1000),
        "{what}: a long line was printed"
    );
}

#[test]
fn a_megabyte_of_garbage_in_plugin_json() {
    for (what, manifest) in [
        ("garbage value", format!("{{\"id\":{}", "x".repeat(MB))),
        ("garbage tokens", format!("{{\"id\":{}", "@# ".repeat(MB / 3))),
        // A megabyte-long string where a mode is expected: serde quotes it in its message.
        (
            "long variant",
            format!(
                "{{\"id\":\"blog\",\"name\":\"b\",\"version\":\"1\",\"sovereign\":{{\"database\":{{\"mode\":\"{}\"}}}}}}",
                "d".repeat(MB)
            ),
        ),
    ] {
        let ws = Ws::new("garbage");
        ws.write("plugins/blog/plugin.json", &manifest);
        let (out, elapsed) = ws.error();
        assert!(out.contains("invalid plugin.json"), "{what}: {out}");
        assert!(out.contains("plugins/blog/plugin.json:1:"), "{what}: {out}");
        assert_bounded(what, &out, elapsed);
    }
}

#[test]
fn thousands_of_unknown_capabilities_on_one_line() {
    // 75 000 errors, each pointing into the same megabyte line: the spans are found in one
    // pass (searching the text for each was quadratic: 48 s) and 50 are rendered.
    let caps: Vec<String> = (0..MB / 14).map(|i| format!("\"c{i}\":true")).collect();
    let ws = Ws::new("caps");
    ws.write(
        "plugins/blog/plugin.json",
        &format!(
            "{{\"id\":\"blog\",\"name\":\"b\",\"version\":\"1\",\"sovereign\":{{\"platformCapabilities\":{{{}}}}}}}",
            caps.join(",")
        ),
    );
    let (out, elapsed) = ws.error();
    assert_bounded("capabilities", &out, elapsed);
    assert!(out.contains("unknown platform capability \"c0\""), "{out}");
    assert!(
        out.contains("more errors in plugins/blog/plugin.json\n"),
        "{}",
        &out[out.len() - 500..]
    );
    // The caret is under the key it names.
    assert!(out.contains("{\"c0\":true,\"c1\":true"), "{out}");
}

#[test]
fn deeply_nested_json_neither_overflows_nor_hangs() {
    for (what, manifest) in [
        ("a megabyte of [", "[".repeat(MB)),
        // Nested inside a key we ignore: serde_json still has to walk it.
        (
            "nested in an ignored key",
            format!(
                "{{\"id\":\"blog\",\"name\":\"b\",\"version\":\"1\",\"extra\":{}",
                "[".repeat(MB)
            ),
        ),
        (
            "nested objects",
            format!(
                "{{\"id\":\"blog\",\"name\":\"b\",\"version\":\"1\",\"extra\":{}",
                "{\"a\":".repeat(MB / 5)
            ),
        ),
    ] {
        let ws = Ws::new("nested");
        ws.write("plugins/blog/plugin.json", &manifest);
        let (out, elapsed) = ws.error();
        assert!(out.contains("invalid plugin.json"), "{what}: {out}");
        assert_bounded(what, &out, elapsed);
    }
}

#[test]
fn a_megabyte_line_of_errors_in_an_extension() {
    let ws = Ws::new("schema");
    ws.write("plugins/blog/plugin.json", MANIFEST);
    // An error every 40 bytes: 26 000 of them on one line.
    ws.write(
        "plugins/blog/prisma/extension.prisma",
        &"model A { id Int @id @default(\"\\q\") } ".repeat(MB / 40),
    );
    let (out, elapsed) = ws.error();
    assert_bounded("one line of errors", &out, elapsed);
    assert_eq!(out.matches("\nerror: ").count() + 1, 50, "{out}");
    assert!(
        out.contains("more errors in plugins/blog/prisma/extension.prisma\n"),
        "{}",
        &out[out.len() - 500..]
    );
}

#[test]
fn deep_nesting_in_an_extension_attribute() {
    for (open, close) in [("(", ")"), ("[", "]"), ("f(", ")")] {
        let ws = Ws::new("parens");
        ws.write("plugins/blog/plugin.json", MANIFEST);
        ws.write(
            "plugins/blog/prisma/extension.prisma",
            &format!(
                "model A {{\n  id Int @id @default({}1{})\n}}\n",
                open.repeat(MB / open.len()),
                close.repeat(MB)
            ),
        );
        let (out, elapsed) = ws.error();
        assert_bounded(open, &out, elapsed);
    }
}

/// Atomic writes: the temporary file has a name nobody can guess, is created with
/// `create_new`, and a symbolic link planted under the old predictable name is never written
/// through.
#[test]
fn atomic_writes_use_unpredictable_exclusive_temporary_files() {
    let dir = std::env::temp_dir().join(format!("sov-atomic-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let target = dir.join("schema.prisma");
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "untouched").unwrap();
    // The name the old code used: `.<name>.<pid>.tmp`.
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        &victim,
        dir.join(format!(".schema.prisma.{}.tmp", std::process::id())),
    )
    .unwrap();
    for i in 0..20 {
        sovereign_build::write_atomically(&target, format!("v{i}").as_bytes()).unwrap();
    }
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "v19");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
    // Nothing left behind but the planted link.
    let left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.len() <= 1, "{left:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
