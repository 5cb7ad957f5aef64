//! The axum server: bootstrap, the HTTP layer, and the routes that are not Leptos pages.

pub mod admin;
pub mod auth;
pub mod coding;
pub mod compilation;
pub mod config;
pub mod dialogues;
pub mod drafts;
pub mod export;
pub mod feed;
pub mod form;
pub mod guard;
pub mod health;
pub mod http_layer;
pub mod live;
pub mod mail;
pub mod moderation;
pub mod promises;
pub mod register;
pub mod respond;
pub mod route;
pub mod routes;
pub mod survey;

use app::ssr::AppState;
use axum::Router;
use axum::extract::FromRef;
use config::{Config, ConfigError};
use leptos::config::LeptosOptions;
use std::sync::Arc;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("leptos configuration: {0}")]
    Leptos(String),
    #[error("database: {0}")]
    Db(#[from] sea_orm_err::DbErr),
    #[error("listen: {0}")]
    Bind(std::io::Error),
    #[error(transparent)]
    Mail(#[from] mail::MailError),
}

mod sea_orm_err {
    pub use db::DbErr;
}

/// Everything a handler may reach.
#[derive(Clone, FromRef)]
pub struct ServerState {
    pub leptos_options: LeptosOptions,
    pub app: AppState,
    pub config: Arc<Config>,
    pub login_limits: auth::LoginLimits,
    /// "Forgot password" requests, per address asked for and per client (in memory).
    #[from_ref(skip)]
    pub reset_limits: auth::LoginLimits,
    pub mailer: Arc<mail::Mailer>,
    pub live: Arc<live::Hub>,
}

pub struct Built {
    pub router: Router,
    pub addr: std::net::SocketAddr,
    pub state: ServerState,
}

/// Connects, migrates, loads demo data when asked, and assembles the router.
pub async fn build(config: Config) -> Result<Built, StartError> {
    let conf =
        leptos::config::get_configuration(None).map_err(|e| StartError::Leptos(e.to_string()))?;
    build_with(config, conf.leptos_options).await
}

/// [`build`] with explicit Leptos options (tests use this).
pub async fn build_with(
    config: Config,
    leptos_options: LeptosOptions,
) -> Result<Built, StartError> {
    build_with_clock(config, leptos_options, Arc::new(db::clock::SystemClock)).await
}

/// [`build_with`] with an injected clock (session-expiry tests).
pub async fn build_with_clock(
    config: Config,
    leptos_options: LeptosOptions,
    clock: Arc<dyn db::clock::Clock>,
) -> Result<Built, StartError> {
    let db = db::connect(&config.database_url).await?;
    if config.demo_data && db::demo::seed_if_empty(&db).await? {
        db::demo_answers::seed_answers(&db, config.demo_answers, clock.now()).await?;
        // The demo's promise closes the loop on the public follow-up page.
        match db::demo::seed_promise(&db, clock.now()).await {
            Ok(()) => {}
            Err(db::builder::BuilderError::Db(e)) => return Err(e.into()),
            Err(e) => tracing::warn!(error = %e, "demo promise not loaded"),
        }
        tracing::info!(answers = config.demo_answers, "demo data loaded");
    }
    let addr = leptos_options.site_addr;
    let mailer = Arc::new(mail::Mailer::new(
        config.smtp_url.as_deref(),
        &config.mail_from,
    )?);
    let writes = db::connect_writer(&config.database_url, &db).await?;
    let bus = db::live::Bus::start(&db, &config.database_url).await?;
    let live = live::Hub::start(db.clone(), clock.clone(), &bus, config.live_max_streams);
    compilation::start_retention_job(db.clone(), clock.clone());
    let state = ServerState {
        live,
        app: AppState {
            site_url: config.site_url.clone(),
            writer: db::survey::Writer::start(db.clone(), writes, bus),
            respondents: Arc::new(
                app::ssr::Respondents::new(
                    &config.secret_key,
                    config.submit_min_seconds,
                    config.submit_per_address_per_minute,
                    config.trust_proxy_headers.clone(),
                    config.is_https(),
                )
                .with_max_form_age(config.submit_max_form_age),
            ),
            db,
            leptos_options: leptos_options.clone(),
            clock,
        },
        leptos_options,
        login_limits: auth::LoginLimits::new(
            config.login_per_account_per_minute,
            config.login_per_address_per_minute,
        ),
        reset_limits: auth::LoginLimits::new(
            config.login_per_account_per_minute,
            config.login_per_address_per_minute,
        ),
        mailer,
        config: Arc::new(config),
    };
    Ok(Built {
        router: routes::router(state.clone()),
        addr,
        state,
    })
}
