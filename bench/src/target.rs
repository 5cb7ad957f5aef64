//! What the bench runs against: fresh databases on either backend, and the server processes
//! (the product's release binary, or this crate's baseline) on loopback.

use crate::http::{self, Client};
use sea_orm::sqlx::{AssertSqlSafe, Connection};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The form-signing key both servers use (a benchmark setting: production sets its own).
pub const SECRET: &str = "bench-secret-key-0123456789abcdef-0123456789";
/// The demo survey link every respondent answers through.
pub const LINK: &str = "kh-invanare";

/// Where fresh databases are made.
pub enum Backend {
    /// A directory for database files.
    Sqlite(PathBuf),
    /// A PostgreSQL server, by an administrative URL (its `postgres` database).
    Postgres(String),
}

impl Backend {
    /// `sqlite` (files under the system temp dir) or `postgres` (`TEST_DATABASE_URL`).
    pub fn from_arg(arg: &str) -> Result<Backend, String> {
        match arg {
            "sqlite" => {
                let dir = std::env::temp_dir().join(format!("mbl-bench-{}", std::process::id()));
                std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
                Ok(Backend::Sqlite(dir))
            }
            "postgres" => std::env::var("TEST_DATABASE_URL")
                .map(Backend::Postgres)
                .map_err(|_| {
                    "postgres needs TEST_DATABASE_URL (scripts/with-postgres.sh)".to_owned()
                }),
            other => Err(format!("unknown backend {other:?}: sqlite or postgres")),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite(_) => "SQLite",
            Backend::Postgres(_) => "PostgreSQL",
        }
    }

    /// How commits are made durable on this backend, for the report.
    pub fn durability(&self) -> &'static str {
        match self {
            Backend::Sqlite(_) => "WAL, `synchronous=NORMAL`",
            Backend::Postgres(_) => "`synchronous_commit=on`, `fsync=on`",
        }
    }

    /// An empty database called `label`; its URL.
    pub async fn fresh(&self, label: &str) -> Result<String, String> {
        match self {
            Backend::Sqlite(dir) => {
                let path = dir.join(format!("{label}.db"));
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
                Ok(format!("sqlite://{}?mode=rwc", path.display()))
            }
            Backend::Postgres(admin) => {
                let mut c = sea_orm::sqlx::PgConnection::connect(admin)
                    .await
                    .map_err(|e| e.to_string())?;
                for sql in [
                    format!("DROP DATABASE IF EXISTS {label}"),
                    format!("CREATE DATABASE {label}"),
                ] {
                    // `label` is one of this crate's fixed names, never input.
                    sea_orm::sqlx::raw_sql(AssertSqlSafe(sql))
                        .execute(&mut c)
                        .await
                        .map_err(|e| e.to_string())?;
                }
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
                Ok(format!("{base}/{label}"))
            }
        }
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        if let Backend::Sqlite(dir) = self {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A free loopback port.
pub fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

/// A server process, killed when dropped.
pub struct Proc {
    child: Child,
    pub port: u16,
    pub what: &'static str,
}

impl Proc {
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory of the process, in KiB (Linux `/proc`).
    pub fn rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    }

    /// CPU time the process has used (user + system), in seconds (Linux `/proc`).
    pub fn cpu_seconds(&self) -> Option<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).ok()?;
        // Fields after the command name (which may hold spaces): state is field 3,
        // utime and stime are fields 14 and 15, in clock ticks (100 a second on Linux).
        let rest = &stat[stat.rfind(')')? + 2..];
        let f: Vec<&str> = rest.split_whitespace().collect();
        let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
        Some(ticks as f64 / 100.0)
    }

    /// Waits until `/healthz` answers 200 (generously: a first start migrates and seeds).
    pub async fn ready(&mut self, client: &Client) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(600);
        let url = format!("{}/healthz", self.base());
        loop {
            if let Ok(req) = http::get(&url, None, "*/*")
                && let Ok(r) = http::send(client, req, Duration::from_secs(5)).await
                && r.status == 200
            {
                return Ok(());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("{} exited: {status}", self.what));
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "{} did not become healthy in 10 minutes",
                    self.what
                ));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Settings the product runs with in the bench that differ from production (for the report).
pub const PRODUCT_SETTINGS: &str = "`SUBMIT_PER_ADDRESS_PER_MINUTE=100000000` (every simulated \
respondent comes from 127.0.0.1; the limit stays on, raised), `DEMO_DATA=true`, a fixed \
`SECRET_KEY`, `RUST_LOG=warn`";

/// Starts the product's release server on `database_url` with the demo data and
/// `demo_answers` answers, on a free port.
pub fn product(database_url: &str, demo_answers: u64) -> Result<Proc, String> {
    let bin = std::env::var("BENCH_SERVER_BIN").unwrap_or_else(|_| "target/release/server".into());
    let site = std::env::var("BENCH_SITE_ROOT").unwrap_or_else(|_| "target/site".into());
    let port = free_port()?;
    let child = Command::new(&bin)
        .env("DATABASE_URL", database_url)
        .env("DEMO_DATA", "true")
        .env("DEMO_ANSWERS", demo_answers.to_string())
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("SITE_URL", format!("http://127.0.0.1:{port}"))
        .env("LEPTOS_SITE_ROOT", site)
        .env("LEPTOS_OUTPUT_NAME", "medborgarloften")
        .env("SECRET_KEY", SECRET)
        .env("SUBMIT_PER_ADDRESS_PER_MINUTE", "100000000")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("{bin}: {e}"))?;
    Ok(Proc {
        child,
        port,
        what: "the product server",
    })
}

/// Starts this crate's baseline server (`bench baseline URL PORT`) on a free port.
pub fn baseline(database_url: &str) -> Result<Proc, String> {
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let port = free_port()?;
    let child = Command::new(me)
        .args(["baseline", database_url, &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| e.to_string())?;
    Ok(Proc {
        child,
        port,
        what: "the baseline server",
    })
}
