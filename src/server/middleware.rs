//! Layers around every route: the request log, the deadline, JSON for errors that axum or
//! tower-http produce themselves, and the panic guard.

use std::any::Any;
use std::future::Future as _;
use std::io::Write as _;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::state::AppState;

/// One line per request on stderr: method, path, status, milliseconds.
pub async fn log_request(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !state.config().log_requests {
        return next.run(request).await;
    }
    let start = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    // A closed stderr must not take the request down with it, hence no eprintln!.
    let _ = writeln!(
        std::io::stderr().lock(),
        "{method} {path} {} {ms:.1}ms",
        response.status().as_u16()
    );
    response
}

/// Start of the message a request body cut off for its slowness carries (a 408).
pub const SLOW_BODY: &str = "the request body arrived too slowly";

/// Wraps every request body so that a client sending it slower than the upload rate allows
/// is cut off (408), instead of holding an upload slot for as long as it likes.
pub async fn paced_body(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let rate = state.net().upload_rate;
    let (parts, body) = request.into_parts();
    let body = Body::new(PacedBody::new(body, rate));
    next.run(Request::from_parts(parts, body)).await
}

/// A request body that fails once its bytes come in slower than `rate` allows.
struct PacedBody {
    inner: Body,
    rate: crate::fetch::MinRate,
    start: tokio::time::Instant,
    received: u64,
    timer: Pin<Box<tokio::time::Sleep>>,
}

impl PacedBody {
    fn new(inner: Body, rate: crate::fetch::MinRate) -> Self {
        let start = tokio::time::Instant::now();
        Self {
            inner,
            rate,
            start,
            received: 0,
            timer: Box::pin(tokio::time::sleep_until(start + rate.allowed(0))),
        }
    }
}

impl hyper::body::Body for PacedBody {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.received += data.len() as u64;
                    let next = this.start + this.rate.allowed(this.received);
                    this.timer.as_mut().reset(next);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(other) => Poll::Ready(other.map(|r| r.map_err(Into::into))),
            Poll::Pending => {
                if this.timer.as_mut().poll(cx).is_ready() {
                    let message = format!(
                        "{SLOW_BODY} (under {} a second after the first {} s); send it faster",
                        crate::error::megabytes(this.rate.bytes_per_sec),
                        this.rate.grace.as_secs_f32()
                    );
                    return Poll::Ready(Some(Err(message.into())));
                }
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.inner.size_hint()
    }
}

/// Answers 503 when a request (queueing for a job slot included) outlives the deadline, so
/// no client waits forever. Work already started finishes in the background, in its slot.
pub async fn deadline(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limit = state.config().request_timeout;
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the request took longer than {} s; the server is busy, try again later",
                limit.as_secs_f32()
            ),
        )
        .into_response(),
    }
}

/// Rewrites error responses that are not JSON (a body over the limit, a
/// rejection from an extractor) as `{"error": "..."}`, keeping status and headers.
pub async fn json_errors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 16 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let message = match status {
        StatusCode::PAYLOAD_TOO_LARGE => format!(
            "the request body is over the {} limit",
            megabytes(state.config().max_body_bytes)
        ),
        _ if !text.is_empty() => text,
        _ => status.canonical_reason().unwrap_or("error").to_lowercase(),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let body = serde_json::json!({ "error": message }).to_string();
    Response::from_parts(parts, Body::from(body))
}

/// A panic in a handler becomes a 500 with a JSON body; the server keeps running.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    ApiError::internal(format!("handler panicked: {detail}")).into_response()
}

/// `25 MB` for 25 MiB: sizes as a person reads them (the same units as the library's).
#[must_use]
pub fn megabytes(bytes: usize) -> String {
    crate::error::megabytes(bytes as u64)
}
