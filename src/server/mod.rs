//! `color-palettes serve`: the HTTP API and the web page (Cargo feature `server`).
//!
//! Handlers are small: they turn the query (and body) into [`PaletteOptions`] and a still,
//! run the crate on the blocking pool behind a semaphore, and answer JSON, an image, or
//! `{"error": "..."}` with a status taken from [`crate::error::ErrorKind`]. Everything the
//! handlers share lives in [`AppState`], handed over by axum's `State`.
//!
//! Routes (documented in `/openapi.json`, built by [`openapi::document`]):
//! `/` (page, or the original API with `?url=`), `/palette-url`, `/api/palette`,
//! `/api/compare`, `/api/export`, `/api/samples`, `/api/samples/{name}`, `/api/samples/{name}/preview`,
//! `/openapi.json`, `/healthz`, and the page's `/app.js` and `/app.css`.
//!
//! [`PaletteOptions`]: crate::PaletteOptions

mod api;
mod budget;
mod config;
mod conn;
mod error;
mod middleware;
pub mod openapi;
mod page;
mod query;
mod state;

use std::future::Future;
use std::io::Write as _;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;

pub use crate::fetch::MinRate;
pub use config::{Config, NetLimits, ServeArgs};
pub use error::ApiError;
pub use state::AppState;

/// Every route and the layers around them: request log, JSON errors, deadline, panic
/// guard and body limit, under the default [`NetLimits`].
pub fn router(config: Config) -> Router {
    router_with(config, NetLimits::default())
}

/// [`router`], with the pace of uploads and downloads from `net`.
pub fn router_with(config: Config, net: NetLimits) -> Router {
    let state = AppState::with_net(config, net);
    let body_limit = state.config().max_body_bytes;
    Router::new()
        .route("/", get(api::root))
        .route("/palette-url", get(api::palette_url))
        .route(
            "/api/palette",
            get(api::palette_get).post(api::palette_post),
        )
        .route(
            "/api/compare",
            get(api::compare_get).post(api::compare_post),
        )
        .route(
            "/api/export",
            post(api::export).layer(DefaultBodyLimit::max(api::EXPORT_BODY_LIMIT)),
        )
        .route("/api/samples", get(api::samples))
        .route("/api/samples/{name}", get(api::sample_image))
        .route("/api/samples/{name}/preview", get(api::sample_preview))
        .route("/openapi.json", get(api::openapi))
        .route("/healthz", get(api::healthz))
        .route("/app.js", get(page::script))
        .route("/app.css", get(page::style))
        .fallback(api::not_found)
        .method_not_allowed_fallback(api::method_not_allowed)
        // The layer below enforces the limit (early, from Content-Length when there is one).
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::paced_body,
        ))
        .layer(CatchPanicLayer::custom(middleware::panic_response))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::deadline,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::json_errors,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::log_request,
        ))
        .with_state(state)
}

/// Serves on `listener` until `shutdown` completes, then lets requests in flight finish,
/// under the default [`NetLimits`].
pub async fn serve(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, config, NetLimits::default(), shutdown).await
}

/// [`serve`], with the connection and transfer bounds of `net`.
pub async fn serve_with(
    listener: TcpListener,
    config: Config,
    net: NetLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = conn::ConnLimits {
        header_read_timeout: net.header_read_timeout,
        max_connections: conn::connection_cap(net.max_connections, config.max_fetches),
        max_header_bytes: net.max_header_bytes,
        max_headers: net.max_headers,
    };
    conn::serve(listener, router_with(config, net), limits, shutdown).await
}

/// `color-palettes serve`: binds, prints `listening on http://ADDR` as the first line of
/// stdout (so scripts can pass port 0 and read the port), and serves until Ctrl-C or SIGTERM.
pub fn run(args: &ServeArgs) -> std::io::Result<()> {
    let config = args.config();
    let net = args.net_limits();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = TcpListener::bind(&args.addr).await?;
        let addr = listener.local_addr()?;
        {
            let mut out = std::io::stdout().lock();
            writeln!(out, "listening on http://{addr}")?;
            out.flush()?;
        }
        if config.fetch.allow_private {
            eprintln!(
                "warning: --allow-private-urls: ?url= may fetch from this machine and its network"
            );
        }
        serve_with(listener, config, net, shutdown_signal()).await?;
        eprintln!("shut down");
        Ok(())
    })
}

/// Completes on Ctrl-C or SIGTERM. A signal that cannot be watched never completes (rather
/// than shutting the server down at once).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    let _ = writeln!(
        std::io::stderr().lock(),
        "shutting down: finishing requests in flight"
    );
}
