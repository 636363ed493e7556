//! The connection loop: hyper's HTTP/1 server with the bounds `axum::serve` does not set.
//!
//! - a **header-read timeout**: a client must send each request's head (the first, and each
//!   one after on a kept-alive connection) within `header_read_timeout`, or the connection
//!   is closed, so idle and half-sent connections do not stay open forever;
//! - **head limits**: at most `max_header_bytes` of request line and headers and
//!   `max_headers` headers;
//! - a **connection cap** below the open-file limit: when it is reached, the connection idle
//!   the longest (no request in progress) is closed to make room, so a new client, a health
//!   check say, is still answered while hundreds of idle connections are held open; when
//!   every connection is busy, the newcomer gets a 503 and is closed;
//! - **JSON for hyper's own replies**: hyper answers a malformed request, an over-long URI or
//!   over-large headers itself (400, 414, 431) without reaching the router; those replies are
//!   rewritten as `{"error": "..."}` like every other error.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};

use super::middleware::megabytes;

/// The bounds of the connection loop (taken from [`super::NetLimits`]).
#[derive(Debug, Clone, Copy)]
pub struct ConnLimits {
    pub header_read_timeout: Duration,
    pub max_connections: usize,
    pub max_header_bytes: usize,
    pub max_headers: usize,
}

/// File descriptors kept back from the connection cap: standard streams, the listener, the
/// runtime's own, downloads, sample stills being read.
const RESERVED_FDS: u64 = 64;

/// `wanted`, lowered to fit under the process's open-file limit (less what the server needs
/// besides its connections).
#[must_use]
pub fn connection_cap(wanted: usize, max_fetches: usize) -> usize {
    let reserved = RESERVED_FDS + max_fetches as u64;
    let cap = open_file_limit().map_or(wanted as u64, |limit| {
        (wanted as u64).min(limit.saturating_sub(reserved))
    });
    usize::try_from(cap).unwrap_or(wanted).max(1)
}

/// The soft open-file limit. The one `unsafe` call of the crate: `getrlimit` has no safe
/// wrapper in std.
#[cfg(unix)]
#[allow(unsafe_code)]
fn open_file_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct it is given and reads nothing else.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0;
    // rlim_t is u64 on Linux, not on every unix.
    #[allow(clippy::unnecessary_cast)]
    let current = limit.rlim_cur as u64;
    (ok && limit.rlim_cur != libc::RLIM_INFINITY).then_some(current)
}

#[cfg(not(unix))]
fn open_file_limit() -> Option<u64> {
    None
}

/// Serves `app` on `listener` until `shutdown` completes, then lets every connection finish
/// the request it is on.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let registry = Arc::new(Registry::new(limits.max_connections.max(1)));
    let (stop, stopped) = watch::channel(false);
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_headers(limits.max_headers)
        .max_header_size(limits.max_header_bytes)
        // One flat buffer per write, so a reply hyper writes itself is seen whole.
        .writev(false);
    let replies = Arc::new(Replies::new(limits));
    let service = TowerToHyperService::new(app);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(_) => {
                    // Out of file descriptors (or a connection reset before it was
                    // accepted): make room, and do not spin.
                    registry.evict_idle();
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let Some(slot) = registry.admit() else {
            refuse(&stream, &replies.busy);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let io = TokioIo::new(JsonReplies::new(stream, Arc::clone(&replies)));
        let service = service.clone();
        let (busy, idle_since) = (Arc::clone(&slot.busy), Arc::clone(&slot.idle_since));
        let epoch = registry.epoch;
        let handler = hyper::service::service_fn(move |request| {
            let call = hyper::service::Service::call(&service, request);
            let working = Working::start(Arc::clone(&busy), Arc::clone(&idle_since), epoch);
            async move {
                let response = call.await;
                drop(working);
                response
            }
        });
        let connection = builder.serve_connection(io, handler);
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => return drop(slot),
                () = slot.close.notified() => {}
                _ = stopped.wait_for(|stop| *stop) => {}
            }
            // Closes an idle connection at once; a busy one after its reply.
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
            drop(slot);
        });
    }
    let _ = stop.send(true);
    registry.drained().await;
    Ok(())
}

/// A request in progress on a connection: the connection is busy until it is dropped.
struct Working {
    busy: Arc<AtomicUsize>,
    idle_since: Arc<AtomicU64>,
    epoch: Instant,
}

impl Working {
    fn start(busy: Arc<AtomicUsize>, idle_since: Arc<AtomicU64>, epoch: Instant) -> Self {
        busy.fetch_add(1, Ordering::SeqCst);
        Self {
            busy,
            idle_since,
            epoch,
        }
    }
}

impl Drop for Working {
    fn drop(&mut self) {
        if self.busy.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.idle_since
                .store(millis_since(self.epoch), Ordering::SeqCst);
        }
    }
}

fn millis_since(epoch: Instant) -> u64 {
    u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// The open connections: whether each is busy, since when it is idle, and how to close it.
struct Registry {
    cap: usize,
    epoch: Instant,
    next_id: AtomicU64,
    open: Mutex<HashMap<u64, Entry>>,
    empty: Notify,
}

struct Entry {
    busy: Arc<AtomicUsize>,
    idle_since: Arc<AtomicU64>,
    close: Arc<Notify>,
    /// Asked to close; still open until its task ends.
    closing: bool,
}

/// A connection's place in the registry, given back when its task ends.
struct Slot {
    id: u64,
    registry: Arc<Registry>,
    busy: Arc<AtomicUsize>,
    idle_since: Arc<AtomicU64>,
    close: Arc<Notify>,
}

impl Registry {
    fn new(cap: usize) -> Self {
        Self {
            cap,
            epoch: Instant::now(),
            next_id: AtomicU64::new(0),
            open: Mutex::new(HashMap::new()),
            empty: Notify::new(),
        }
    }

    /// A slot for a new connection: free, or made free by closing the connection idle the
    /// longest; `None` when every connection is busy.
    fn admit(self: &Arc<Self>) -> Option<Slot> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let closing = open.values().filter(|e| e.closing).count();
        if open.len() - closing >= self.cap && !Self::close_longest_idle(&mut open) {
            return None;
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let entry = Entry {
            busy: Arc::new(AtomicUsize::new(0)),
            // A new connection counts as idle from now: the longest-idle go first.
            idle_since: Arc::new(AtomicU64::new(millis_since(self.epoch))),
            close: Arc::new(Notify::new()),
            closing: false,
        };
        let slot = Slot {
            id,
            registry: Arc::clone(self),
            busy: Arc::clone(&entry.busy),
            idle_since: Arc::clone(&entry.idle_since),
            close: Arc::clone(&entry.close),
        };
        open.insert(id, entry);
        Some(slot)
    }

    /// Closes the connection idle the longest, if any is idle.
    fn evict_idle(&self) {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        Self::close_longest_idle(&mut open);
    }

    fn close_longest_idle(open: &mut HashMap<u64, Entry>) -> bool {
        let longest = open
            .values_mut()
            .filter(|e| !e.closing && e.busy.load(Ordering::SeqCst) == 0)
            .min_by_key(|e| e.idle_since.load(Ordering::SeqCst));
        match longest {
            Some(entry) => {
                entry.closing = true;
                // Stores a permit if the task is not waiting yet.
                entry.close.notify_one();
                true
            }
            None => false,
        }
    }

    /// Completes once every connection has closed.
    async fn drained(&self) {
        loop {
            let notified = self.empty.notified();
            if self
                .open
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .is_empty()
            {
                return;
            }
            notified.await;
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self
            .registry
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        open.remove(&self.id);
        if open.is_empty() {
            self.registry.empty.notify_waiters();
        }
    }
}

/// Every connection busy: a 503 written without waiting (the socket buffer takes it), then
/// the connection is closed.
fn refuse(stream: &TcpStream, reply: &[u8]) {
    let _ = stream.try_write(reply);
}

/// The JSON replies that stand in for hyper's own.
struct Replies {
    bad_request: Vec<u8>,
    uri_too_long: Vec<u8>,
    headers_too_large: Vec<u8>,
    busy: Vec<u8>,
}

impl Replies {
    fn new(limits: ConnLimits) -> Self {
        Self {
            bad_request: json_reply(400, "Bad Request", "malformed HTTP request"),
            uri_too_long: json_reply(
                414,
                "URI Too Long",
                "the request's URI is over the 64 kB this server reads",
            ),
            headers_too_large: json_reply(
                431,
                "Request Header Fields Too Large",
                &format!(
                    "the request's headers are over the {} or {} headers this server reads",
                    megabytes(limits.max_header_bytes),
                    limits.max_headers
                ),
            ),
            busy: json_reply(
                503,
                "Service Unavailable",
                "the server has no free connection; try again later",
            ),
        }
    }

    /// The stand-in for `head`, when it is a reply hyper wrote itself: one of its error
    /// statuses with an empty body (every reply of the router has a body).
    fn stand_in(&self, head: &[u8]) -> Option<&[u8]> {
        let status = head.strip_prefix(b"HTTP/1.1 ")?.get(..4)?;
        let reply = match status {
            b"400 " => &self.bad_request,
            b"414 " => &self.uri_too_long,
            b"431 " => &self.headers_too_large,
            _ => return None,
        };
        let end = head.windows(4).position(|w| w == b"\r\n\r\n")?;
        let empty = head[..end]
            .split(|&b| b == b'\n')
            .any(|line| line.trim_ascii().eq_ignore_ascii_case(b"content-length: 0"));
        (empty && end + 4 == head.len()).then_some(reply.as_slice())
    }
}

fn json_reply(status: u16, reason: &str, message: &str) -> Vec<u8> {
    let body = serde_json::json!({ "error": message }).to_string();
    format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The TCP stream, with hyper's own error replies swapped for JSON on the way out.
struct JsonReplies {
    stream: TcpStream,
    replies: Arc<Replies>,
    /// A stand-in being written, and how much of it is written.
    pending: Option<(usize, Vec<u8>)>,
}

impl JsonReplies {
    fn new(stream: TcpStream, replies: Arc<Replies>) -> Self {
        Self {
            stream,
            replies,
            pending: None,
        }
    }
}

impl AsyncRead for JsonReplies {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for JsonReplies {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.pending.is_none() {
            if let Some(reply) = this.replies.stand_in(buf) {
                this.pending = Some((0, reply.to_vec()));
            }
        }
        let Some((written, reply)) = &mut this.pending else {
            return Pin::new(&mut this.stream).poll_write(cx, buf);
        };
        // The whole of hyper's buffer is consumed once the stand-in is written in its place.
        while *written < reply.len() {
            match Pin::new(&mut this.stream).poll_write(cx, &reply[*written..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => *written += n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        this.pending = None;
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replies() -> Replies {
        Replies::new(ConnLimits {
            header_read_timeout: Duration::from_secs(1),
            max_connections: 4,
            max_header_bytes: 16 * 1024,
            max_headers: 64,
        })
    }

    #[test]
    fn only_hypers_empty_error_replies_are_swapped() {
        let r = replies();
        let canned = b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let json = r.stand_in(canned).expect("swapped");
        assert!(json.starts_with(b"HTTP/1.1 431 "));
        assert!(String::from_utf8_lossy(json).contains("{\"error\":"));
        let ours = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 20\r\n\r\n";
        assert!(r.stand_in(ours).is_none());
        let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
        assert!(r.stand_in(ok).is_none());
    }

    #[test]
    fn the_longest_idle_connection_makes_room() {
        let registry = Arc::new(Registry::new(2));
        let first = registry.admit().unwrap();
        std::thread::sleep(Duration::from_millis(5));
        let second = registry.admit().unwrap();
        second.busy.store(1, Ordering::SeqCst);
        // Full: the first (idle) is asked to close, the newcomer admitted.
        let third = registry.admit().expect("room made");
        assert!(registry.open.lock().unwrap()[&first.id].closing);
        // Now the second is busy and the third is the only idle one.
        third.busy.store(1, Ordering::SeqCst);
        assert!(registry.admit().is_none(), "every connection busy");
        drop((first, second, third));
        assert!(registry.open.lock().unwrap().is_empty());
    }
}
