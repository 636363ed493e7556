//! `color-palettes serve`: the HTTP API and the web page (Cargo feature `server`).
//!
//! Handlers are small: they turn the query (and body) into [`PaletteOptions`] and a still,
//! run the crate on the blocking pool behind a semaphore, and answer JSON, an image, or
//! `{"error": "..."}` with a status taken from [`crate::error::ErrorKind`]. Everything the
//! handlers share lives in [`AppState`], handed over by axum's `State`.
//!
//! Routes (documented in `/openapi.json`, built by [`openapi::document`]):
//! `/` (page, or the original API with `?url=`), `/palette-url`, `/api/palette`,
//! `/api/export`, `/api/samples`, `/api/samples/{name}`, `/api/samples/{name}/preview`,
//! `/openapi.json`, `/healthz`, and the page's `/app.js` and `/app.css`.
//!
//! [`PaletteOptions`]: crate::PaletteOptions

mod api;
mod error;
mod middleware;
pub mod openapi;
mod page;
mod query;
mod state;

use std::future::Future;
use std::io::Write as _;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;

use crate::fetch::FetchPolicy;

pub use error::ApiError;
pub use state::AppState;

/// Everything that bounds what one request, or all of them together, may cost.
#[derive(Debug, Clone)]
pub struct Config {
    /// How `?url=` stills are fetched (private addresses, size, time, redirects) and the
    /// decoding limits applied to every still, uploaded or fetched.
    pub fetch: FetchPolicy,
    /// Largest request body accepted, in bytes (an exported palette: 64 kB at most).
    pub max_body_bytes: usize,
    /// Palette jobs (decode, cluster, render) running at once; the rest wait their turn.
    pub max_jobs: usize,
    /// Downloads running at once (each holds up to `fetch.max_bytes` in memory).
    pub max_fetches: usize,
    /// Uploads held in memory at once, from reading the body to the end of their job; the
    /// other uploaders wait, their bodies still in the network buffers, so memory stays
    /// bounded however many clients post at once.
    pub max_uploads: usize,
    /// Longest a request may take, queueing included, before it is answered 503.
    pub request_timeout: Duration,
    /// Write one line per request to stderr (method, path, status, milliseconds).
    pub log_requests: bool,
}

impl Default for Config {
    /// Public URLs only, 25 MB bodies, one job per core, 16 downloads, four uploads in
    /// memory per job, 60 s per request, requests logged.
    fn default() -> Self {
        let max_jobs = std::thread::available_parallelism().map_or(2, usize::from);
        Self {
            fetch: FetchPolicy::default(),
            max_body_bytes: 25 * 1024 * 1024,
            max_jobs,
            max_fetches: 16,
            max_uploads: 4 * max_jobs,
            request_timeout: Duration::from_secs(60),
            log_requests: true,
        }
    }
}

/// Arguments of `color-palettes serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port; the first line printed says which).
    #[arg(long, default_value = "127.0.0.1:5000")]
    pub addr: String,
    /// Let `?url=` fetch from loopback, private and link-local addresses (only on a trusted
    /// network: otherwise anyone who can reach the server can probe your network).
    #[arg(long)]
    pub allow_private_urls: bool,
}

impl ServeArgs {
    /// The server configuration these arguments ask for.
    #[must_use]
    pub fn config(&self) -> Config {
        let mut config = Config::default();
        config.fetch.allow_private = self.allow_private_urls;
        config
    }
}

/// Every route and the layers around them: request log, JSON errors, deadline, panic
/// guard and body limit.
pub fn router(config: Config) -> Router {
    let state = AppState::new(config);
    let body_limit = state.config().max_body_bytes;
    Router::new()
        .route("/", get(api::root))
        .route("/palette-url", get(api::palette_url))
        .route(
            "/api/palette",
            get(api::palette_get).post(api::palette_post),
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

/// Serves on `listener` until `shutdown` completes, then lets requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(config))
        .with_graceful_shutdown(shutdown)
        .await
}

/// `color-palettes serve`: binds, prints `listening on http://ADDR` as the first line of
/// stdout (so scripts can pass port 0 and read the port), and serves until Ctrl-C or SIGTERM.
pub fn run(args: &ServeArgs) -> std::io::Result<()> {
    let config = args.config();
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
        serve(listener, config, shutdown_signal()).await?;
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
