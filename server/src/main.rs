//! Medborgarlöften: the server binary.

use server::config::Config;
use tracing_subscriber::EnvFilter;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    if let Err(e) = run().await {
        tracing::error!(error = %e, "server stopped");
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), server::StartError> {
    let config = Config::from_env()?;
    let app = server::build(config).await?;
    let listener = tokio::net::TcpListener::bind(&app.addr)
        .await
        .map_err(server::StartError::Bind)?;
    let local = listener.local_addr().map_err(server::StartError::Bind)?;
    println!("Medborgarlöften serves at http://{local}");
    tracing::info!(%local, "listening");
    axum::serve(
        listener,
        app.router
            .into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(server::StartError::Bind)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
