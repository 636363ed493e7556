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
mod conn;
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

pub use crate::fetch::MinRate;
use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;

use crate::fetch::FetchPolicy;

pub use error::ApiError;
pub use state::AppState;

/// Everything that bounds what one request, or all of them together, may cost (with
/// [`NetLimits`], the bounds on connections and on the pace of transfers).
#[derive(Debug, Clone)]
pub struct Config {
    /// How `?url=` stills are fetched (private addresses, size, time, redirects) and the
    /// decoding limits applied to every still, uploaded or fetched.
    pub fetch: FetchPolicy,
    /// Largest request body accepted, in bytes (an exported palette: 64 kB at most).
    pub max_body_bytes: usize,
    /// Palette jobs (decode, cluster, render) running at once; the rest wait their turn.
    pub max_jobs: usize,
    /// Downloads held in memory at once (each up to `fetch.max_bytes`), from the start of
    /// the download until the still is decoded in its job, so downloads waiting for a job
    /// count too.
    pub max_fetches: usize,
    /// Uploads held in memory at once, from reading the body until the still is decoded in
    /// its job (even if the client has gone); the other uploaders wait, their bodies still
    /// in the network buffers, so memory stays bounded however many clients post at once.
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

/// Bounds on connections and on the pace of transfers: what keeps idle, half-sent and
/// trickling clients from holding the server's sockets and slots.
///
/// (Apart from [`Config`] so that code building a `Config` field by field still compiles.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetLimits {
    /// A client must send each request's head (request line and headers; the first one,
    /// and each one after on a kept-alive connection) within this time, or its connection
    /// is closed.
    pub header_read_timeout: Duration,
    /// Connections open at once. Lowered, if need be, to the process's open-file limit less
    /// what the server needs besides. At the cap, the connection idle the longest is closed
    /// to make room; if every connection has a request in progress, the newcomer gets 503.
    pub max_connections: usize,
    /// Largest request head (request line and headers), in bytes; over it: 431.
    pub max_header_bytes: usize,
    /// Most headers in a request; over it: 431.
    pub max_headers: usize,
    /// Slowest an upload (any request body) may arrive: cut off with 408 below it.
    pub upload_rate: MinRate,
    /// Slowest a `?url=` download may arrive: cut off with 504 below it.
    pub download_rate: MinRate,
}

impl Default for NetLimits {
    /// 10 s to send a request head, 1 024 connections, 64 kB and 100 headers a head;
    /// uploads and downloads at 4 kB/s or faster after their first 5 s.
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            max_connections: 1024,
            max_header_bytes: 64 * 1024,
            max_headers: 100,
            upload_rate: MinRate::default(),
            download_rate: MinRate::default(),
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
    /// Seconds a client has to send a request's headers before its connection is closed.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_timeout: u64,
    /// Connections open at once (lowered to fit the open-file limit).
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: u64,
}

impl ServeArgs {
    /// The server configuration these arguments ask for.
    #[must_use]
    pub fn config(&self) -> Config {
        let mut config = Config::default();
        config.fetch.allow_private = self.allow_private_urls;
        config
    }

    /// The connection and transfer bounds these arguments ask for.
    #[must_use]
    pub fn net_limits(&self) -> NetLimits {
        NetLimits {
            header_read_timeout: Duration::from_secs(self.header_timeout),
            max_connections: usize::try_from(self.max_connections).unwrap_or(usize::MAX),
            ..NetLimits::default()
        }
    }
}

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
