//! Configuration, read from the environment (see `.env.example`).

use thiserror::Error;

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("{0} is not valid: {1}")]
    Invalid(&'static str, String),
}

#[derive(Clone, Debug)]
pub struct Config {
    /// `sqlite://…` (default) or `postgres://…`.
    pub database_url: String,
    /// The public origin browsers see, e.g. `https://medborgarloften.polisen.se`.
    pub site_url: String,
    /// Shared by every instance; signs anything signed.
    pub secret_key: String,
    /// Proxy headers trusted for the client address (none by default).
    pub trust_proxy_headers: Vec<String>,
    pub demo_data: bool,
    /// Synthetic answers loaded with the demo data (the dashboards need some).
    pub demo_answers: u64,
    pub body_limit_bytes: usize,
    pub request_timeout_secs: u64,
    /// Sign-in attempts per account per minute (in-memory counters).
    pub login_per_account_per_minute: u32,
    /// Sign-in attempts per client address per minute.
    pub login_per_address_per_minute: u32,
    /// Survey answers per client address per minute (in-memory counters, kiosks included).
    pub submit_per_address_per_minute: u32,
    /// Seconds a survey form must have been on screen before it is accepted.
    pub submit_min_seconds: u32,
    /// Seconds after rendering a survey form is accepted at most; an older one is refused
    /// with a fresh form (the values kept).
    pub submit_max_form_age: u32,
    /// Live dashboard streams one instance keeps open at most (more get 503).
    pub live_max_streams: usize,
    /// A live stream ends after this long and the browser reconnects, which checks the
    /// session or display link again.
    pub live_stream_max_seconds: u64,
    /// Where mail goes out: `smtp://host:port` (plain, for a relay on loopback),
    /// `smtp://host?tls=required` (STARTTLS) or `smtps://user:pass@host` (TLS). Unset: each
    /// mail is written to the log instead (the development default).
    pub smtp_url: Option<String>,
    /// The sender of every mail, e.g. `Medborgarlöften <noreply@polisen.se>`.
    pub mail_from: String,
}

pub const DEFAULT_MAIL_FROM: &str = "Medborgarlöften <noreply@medborgarloften.invalid>";

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse<T: std::str::FromStr>(name: &'static str, default: T) -> Result<T, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| ConfigError::Invalid(name, v.clone())),
    }
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        let site_url = var("SITE_URL").unwrap_or_else(|| "http://127.0.0.1:3000".to_owned());
        if !(site_url.starts_with("http://") || site_url.starts_with("https://")) {
            return Err(ConfigError::Invalid("SITE_URL", site_url));
        }
        let secret_key = match var("SECRET_KEY") {
            Some(k) if k.len() >= 32 => k,
            Some(k) => {
                return Err(ConfigError::Invalid(
                    "SECRET_KEY",
                    format!("{} characters; at least 32 needed", k.len()),
                ));
            }
            None => {
                tracing::warn!("SECRET_KEY is not set: using a random key for this process only");
                format!("{:032x}{:032x}", rand_u128(), rand_u128())
            }
        };
        let submit_min_seconds = parse("SUBMIT_MIN_SECONDS", 3)?;
        let submit_max_form_age: u32 = parse(
            "SUBMIT_MAX_FORM_AGE",
            app::ssr::DEFAULT_MAX_FORM_AGE_SECONDS,
        )?;
        // A form must be accepted for some time after the minimum wait, or no one could answer.
        if submit_max_form_age <= submit_min_seconds {
            return Err(ConfigError::Invalid(
                "SUBMIT_MAX_FORM_AGE",
                format!("{submit_max_form_age}; must be more than SUBMIT_MIN_SECONDS"),
            ));
        }
        Ok(Config {
            database_url: var("DATABASE_URL")
                .unwrap_or_else(|| "sqlite://data/medborgarloften.db?mode=rwc".to_owned()),
            site_url: site_url.trim_end_matches('/').to_owned(),
            secret_key,
            trust_proxy_headers: var("TRUST_PROXY_HEADERS")
                .map(|v| {
                    v.split(',')
                        .map(|h| h.trim().to_ascii_lowercase())
                        .filter(|h| !h.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            demo_data: parse("DEMO_DATA", false)?,
            demo_answers: parse("DEMO_ANSWERS", 10_000)?,
            body_limit_bytes: parse("BODY_LIMIT_BYTES", 64 * 1024)?,
            request_timeout_secs: parse("REQUEST_TIMEOUT_SECS", 30)?,
            login_per_account_per_minute: parse("LOGIN_PER_ACCOUNT_PER_MINUTE", 5)?,
            login_per_address_per_minute: parse("LOGIN_PER_ADDRESS_PER_MINUTE", 30)?,
            submit_per_address_per_minute: parse("SUBMIT_PER_ADDRESS_PER_MINUTE", 60)?,
            submit_min_seconds,
            submit_max_form_age,
            live_max_streams: parse("LIVE_MAX_STREAMS", 10_000)?,
            live_stream_max_seconds: parse("LIVE_STREAM_MAX_SECONDS", 300)?,
            smtp_url: var("SMTP_URL"),
            mail_from: var("MAIL_FROM").unwrap_or_else(|| DEFAULT_MAIL_FROM.to_owned()),
        })
    }

    /// Settings for in-process tests: every protection on, with explicit limits.
    pub fn for_tests(database_url: &str, site_url: &str) -> Config {
        Config {
            database_url: database_url.to_owned(),
            site_url: site_url.to_owned(),
            secret_key: "test-secret-key-0123456789abcdef-0123456789".to_owned(),
            trust_proxy_headers: Vec::new(),
            demo_data: true,
            demo_answers: 0,
            body_limit_bytes: 16 * 1024,
            request_timeout_secs: 30,
            login_per_account_per_minute: 5,
            login_per_address_per_minute: 30,
            submit_per_address_per_minute: 60,
            submit_min_seconds: 2,
            submit_max_form_age: 4 * 3600,
            live_max_streams: 100,
            live_stream_max_seconds: 300,
            smtp_url: None,
            mail_from: DEFAULT_MAIL_FROM.to_owned(),
        }
    }

    /// `scheme://host[:port]` of the site, as browsers send it in `Origin`.
    pub fn site_origin(&self) -> &str {
        let after_scheme = self.site_url.find("://").map(|i| i + 3).unwrap_or(0);
        match self.site_url[after_scheme..].find('/') {
            Some(i) => &self.site_url[..after_scheme + i],
            None => &self.site_url,
        }
    }

    pub fn is_https(&self) -> bool {
        self.site_url.starts_with("https://")
    }
}

fn rand_u128() -> u128 {
    uuid::Uuid::new_v4().as_u128()
}
