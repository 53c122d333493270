//! PostgreSQL servers of a test's own: a primary and, when asked, a streaming standby (a read
//! replica), made with the server binaries on the machine (`initdb`, `pg_basebackup`,
//! `pg_ctl`) on private ports in a temporary directory, and stopped and removed when the value
//! goes away, also when the test panics.
//!
//! The binaries are found with `pg_config --bindir`, else under `/usr/lib/postgresql/*/bin`.
//! Servers refuse to run as root: as root, every command runs as the `postgres` user
//! (`runuser`), which then owns the directory.
//!
//! Without the binaries the cluster is reported as skipped (`None`), and with `CI` set that
//! fails the test, as for [`TestDb`](crate::TestDb).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One PostgreSQL server of the test's own.
#[derive(Debug)]
pub struct PgServer {
    /// Its data directory.
    pub dir: PathBuf,
    /// Its port on 127.0.0.1.
    pub port: u16,
    bin: PathBuf,
    running: bool,
}

impl PgServer {
    /// The URL of database `db` on this server, as user `postgres` (trust authentication).
    pub fn url(&self, db: &str) -> String {
        format!("postgresql://postgres@127.0.0.1:{}/{db}", self.port)
    }

    /// Stops the server at once (`pg_ctl stop -m immediate`), as a crash or a lost machine
    /// would: connections break, nothing is flushed.
    ///
    /// # Panics
    /// When `pg_ctl` fails.
    pub fn kill(&mut self) {
        if self.running {
            run(
                &self.bin,
                "pg_ctl",
                &["-D", &path(&self.dir), "-m", "immediate", "-w", "stop"],
            );
            self.running = false;
        }
    }

    /// Starts it again after [`PgServer::kill`].
    ///
    /// # Panics
    /// When the server does not start.
    pub fn start(&mut self) {
        if !self.running {
            start(&self.bin, &self.dir);
            self.running = true;
        }
    }
}

impl PgServer {
    fn stop_quietly(&mut self) {
        if self.running {
            let _ = as_postgres(&self.bin, "pg_ctl")
                .args(["-D", &path(&self.dir), "-m", "immediate", "-w", "stop"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            self.running = false;
        }
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        self.stop_quietly();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A primary and its streaming standby.
#[derive(Debug)]
pub struct PgCluster {
    /// The primary: reads and writes.
    pub primary: PgServer,
    /// The standby: a hot standby that replays the primary's WAL, read-only.
    pub standby: PgServer,
    base: PathBuf,
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        self.standby.stop_quietly();
        self.primary.stop_quietly();
        let _ = std::fs::remove_dir_all(&self.base);
    }
}

fn path(p: &Path) -> String {
    p.display().to_string()
}

fn bindir() -> Option<PathBuf> {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() {
            return Some(dir);
        }
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| Some(e.ok()?.path().join("bin")))
        .filter(|b| b.join("initdb").exists() && b.join("pg_basebackup").exists())
        .collect();
    found.sort();
    found.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A server binary as the user that may run it: `postgres` when the tests run as root.
fn as_postgres(bin: &Path, tool: &str) -> Command {
    let exe = bin.join(tool);
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(exe);
        c
    } else {
        Command::new(exe)
    }
}

fn run(bin: &Path, tool: &str, args: &[&str]) {
    let out = as_postgres(bin, tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {tool}: {e}"));
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

fn start(bin: &Path, dir: &Path) {
    let log = dir.join("server.log");
    run(
        bin,
        "pg_ctl",
        &[
            "-D",
            &path(dir),
            "-l",
            &path(&log),
            "-w",
            "-t",
            "60",
            "start",
        ],
    );
}

/// A directory the `postgres` user may write: created here, handed over when running as root.
fn private_dir(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(crate::unique_name(label));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the cluster directory");
    if is_root() {
        let ok = Command::new("chown")
            .args(["postgres:postgres", &path(&dir)])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "cannot hand {} to the postgres user", dir.display());
    }
    dir
}

fn settings(dir: &Path, port: u16, extra: &str) {
    let conf = dir.join("postgresql.conf");
    let mut text = std::fs::read_to_string(&conf).unwrap_or_default();
    text.push_str(&format!(
        "\nport = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\nfsync = off\nshared_buffers = 16MB\nmax_connections = 40\n{extra}",
        dir.display()
    ));
    std::fs::write(&conf, text).expect("write postgresql.conf");
}

fn binaries(label: &str) -> Option<PathBuf> {
    let bin = bindir();
    if bin.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "no PostgreSQL server binaries (initdb, pg_basebackup) while CI is set: {label} must run"
        );
        crate::skipped(&format!(
            "no PostgreSQL server binaries; {label} did not run"
        ));
    }
    bin
}

/// A new primary in `dir`, started on a free port.
fn primary(bin: &Path, dir: PathBuf) -> PgServer {
    let port = free_port();
    run(
        bin,
        "initdb",
        &[
            "-D",
            &path(&dir),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
        ],
    );
    settings(
        &dir,
        port,
        "wal_level = replica\nmax_wal_senders = 4\nwal_keep_size = 64MB\n",
    );
    let hba = dir.join("pg_hba.conf");
    let mut rules = std::fs::read_to_string(&hba).unwrap_or_default();
    rules.push_str("\nhost replication all 127.0.0.1/32 trust\n");
    std::fs::write(&hba, rules).expect("write pg_hba.conf");
    start(bin, &dir);
    PgServer {
        dir,
        port,
        bin: bin.to_path_buf(),
        running: true,
    }
}

impl PgServer {
    /// Starts a server of the test's own (a second server beside the test server, for a
    /// dedicated plugin's database), or reports the test as skipped (`None`) when the machine
    /// has no PostgreSQL server binaries; with `CI` set that fails the test.
    ///
    /// # Panics
    /// When `CI` is set and there are no binaries, or when the server does not start.
    pub fn start_new(label: &str) -> Option<PgServer> {
        let bin = binaries(label)?;
        Some(primary(&bin, private_dir(label)))
    }
}

impl PgCluster {
    /// Starts a primary and a streaming standby of it, or reports the test as skipped (`None`)
    /// when the machine has no PostgreSQL server binaries; with `CI` set that fails the test.
    ///
    /// # Panics
    /// When `CI` is set and there are no binaries, or when a server does not start.
    pub fn start(label: &str) -> Option<PgCluster> {
        let bin = binaries(label)?;
        let base = private_dir(label);
        let primary = primary(&bin, base.join("primary"));
        let sdir = base.join("standby");
        let sport = free_port();
        run(
            &bin,
            "pg_basebackup",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &primary.port.to_string(),
                "-U",
                "postgres",
                "-D",
                &path(&sdir),
                "-R",
                "-X",
                "stream",
            ],
        );
        settings(&sdir, sport, "hot_standby = on\n");
        start(&bin, &sdir);
        let standby = PgServer {
            dir: sdir,
            port: sport,
            bin,
            running: true,
        };
        Some(PgCluster {
            primary,
            standby,
            base,
        })
    }
}
