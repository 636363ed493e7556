//! What bounds the server: its configuration, and the `serve` arguments that make one.

use std::time::Duration;

use crate::fetch::FetchPolicy;

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
