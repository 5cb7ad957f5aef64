//! What the server's integration test files share: a server built for tests and a demo
//! account's sign-in (each file passes the site it stands for, so their origins stay apart).

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use server::config::Config;
use tower::ServiceExt;

/// The server on database `url` for site `site`, with sign-in limits that the tests' many
/// sign-ins stay under (set, not switched off).
#[allow(dead_code)] // not every test file builds the server this way
pub async fn built(url: &str, site: &str) -> server::Built {
    let mut config = Config::for_tests(url, site);
    config.login_per_account_per_minute = 100;
    config.login_per_address_per_minute = 1000;
    built_with(config).await
}

/// The server with `config`, serving the release build's site files.
pub async fn built_with(config: Config) -> server::Built {
    let options = LeptosOptions::builder()
        .output_name("medborgarloften")
        .site_root("target/site")
        .build();
    server::build_with(config, options).await.expect("builds")
}

/// POSTs form `body` to `path` from `site` (with the session `cookie`, if any), expects 200
/// and returns the page.
#[allow(dead_code)] // not every test file posts forms this way
pub async fn post_ok(
    app: &axum::Router,
    site: &str,
    path: &str,
    body: &str,
    cookie: Option<&str>,
) -> String {
    let mut b = Request::post(path)
        .header(header::ORIGIN, site)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    let res = app
        .clone()
        .oneshot(b.body(Body::from(body.to_owned())).expect("request"))
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::OK, "POST {path}");
    String::from_utf8_lossy(&res.into_body().collect().await.expect("body").to_bytes()).into_owned()
}

/// Signs demo account `email` in on `app` from `site`; returns its session cookie.
#[allow(dead_code)] // not every test file signs in this way
pub async fn sign_in(app: &axum::Router, site: &str, email: &str) -> String {
    let body = format!(
        "email={}&password={}",
        email.replace('@', "%40"),
        db::demo::DEMO_PASSWORD
    );
    let res = app
        .clone()
        .oneshot(
            Request::post("/logga-in")
                .header(header::ORIGIN, site)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "sign-in {email}");
    res.headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("cookie")
        .to_owned()
}

/// [`built_with`] on an injected clock (links and sessions that expire).
#[allow(dead_code)] // not every test file moves the clock
pub async fn built_with_clock(
    config: Config,
    clock: std::sync::Arc<dyn db::clock::Clock>,
) -> server::Built {
    let options = LeptosOptions::builder()
        .output_name("medborgarloften")
        .site_root("target/site")
        .build();
    server::build_with_clock(config, options, clock)
        .await
        .expect("builds")
}

/// A real SMTP server on loopback (`scripts/smtp-sink.py`, aiosmtpd from PyPI, installed by
/// `make test`'s bootstrap into `target/py`): it writes each mail it receives to a directory.
#[allow(dead_code)] // only the files that send mail start one
pub struct SmtpSink {
    child: std::process::Child,
    dir: std::path::PathBuf,
    pub port: u16,
}

#[allow(dead_code)]
impl SmtpSink {
    pub fn start() -> SmtpSink {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let python = std::env::var("SMTP_SINK_PYTHON")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|_| root.join("target/py/bin/python"));
        assert!(
            python.exists(),
            "{} is missing: `make test` installs aiosmtpd there (scripts/bootstrap.sh), \
             or set SMTP_SINK_PYTHON to a Python that has it",
            python.display()
        );
        let dir = std::env::temp_dir().join(format!("smtp-sink-{}", uuid::Uuid::new_v4()));
        let child = std::process::Command::new(&python)
            .arg(root.join("scripts/smtp-sink.py"))
            .arg("--dir")
            .arg(&dir)
            .args(["--max-seconds", "600"])
            .spawn()
            .expect("the SMTP sink starts");
        let port_file = dir.join("port");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let port = loop {
            if let Some(p) = std::fs::read_to_string(&port_file)
                .ok()
                .and_then(|s| s.trim().parse().ok())
            {
                break p;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the SMTP sink did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        SmtpSink { child, dir, port }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every mail received so far, oldest first, as raw RFC 5322 text.
    pub fn mails(&self) -> Vec<String> {
        let mut names: Vec<_> = std::fs::read_dir(&self.dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect()
    }

    /// Waits (at most 15 s) until `n` mails have arrived, and returns them.
    pub async fn wait_for(&self, n: usize) -> Vec<String> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        loop {
            let mails = self.mails();
            if mails.len() >= n || std::time::Instant::now() > deadline {
                return mails;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The one-time link in a mail (quoted-printable soft breaks undone), as a path.
#[allow(dead_code)]
pub fn link_in(mail: &str, site: &str) -> String {
    let text = mail.replace("=\r\n", "").replace("=\n", "");
    let start = text
        .find(&format!("{site}/nytt-losenord/"))
        .expect("a link in the mail");
    text[start + site.len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '/' || *c == '-')
        .collect()
}

/// The scope (LPO) of demo account `email`.
#[allow(dead_code)]
pub async fn staff_scope(db: &sea_orm::DatabaseConnection, email: &str) -> i64 {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    db::entity::staff_user::Entity::find()
        .filter(db::entity::staff_user::Column::Email.eq(email))
        .one(db)
        .await
        .expect("read")
        .and_then(|u| u.scope_unit_id)
        .expect("a scoped account")
}
