//! What bounds the server: its configuration, the bounds on connections and transfers, and
//! the `serve` arguments that make them.

use std::time::Duration;

use crate::fetch::{FetchPolicy, MinRate};

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
    /// Bytes the palette jobs running at once may hold together, each counted at its cost
    /// estimated from its still's header before it is decoded (a 16-bit still at its 16-bit
    /// size); a job that does not fit waits its turn, and one larger than the whole budget
    /// runs alone. `None`: room for `max_jobs` jobs on the largest 8-bit still allowed.
    pub memory_budget: Option<u64>,
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
            memory_budget: None,
            request_timeout: Duration::from_secs(60),
            log_requests: true,
        }
    }
}

impl Config {
    /// The jobs' memory budget in bytes: [`Config::memory_budget`], or by default room for
    /// `max_jobs` jobs on the largest 8-bit RGBA still the limits allow (on 50 MP, 390 MiB
    /// a job).
    #[must_use]
    pub fn memory_budget_bytes(&self) -> u64 {
        self.memory_budget
            .unwrap_or_else(|| super::budget::default_budget(self.max_jobs, self.fetch.limits))
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
    /// Megabytes (MiB) the palette jobs running at once may hold together, each job counted
    /// from its still's header (a 16-bit still at its 16-bit size); by default room for one
    /// job a core on the largest 8-bit still.
    #[arg(long, value_name = "MB", value_parser = clap::value_parser!(u64).range(16..=1_048_576))]
    pub memory_budget: Option<u64>,
}

impl ServeArgs {
    /// The server configuration these arguments ask for.
    #[must_use]
    pub fn config(&self) -> Config {
        let mut config = Config::default();
        config.fetch.allow_private = self.allow_private_urls;
        config.memory_budget = self.memory_budget.map(|mb| mb * 1024 * 1024);
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
