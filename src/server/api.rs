//! The route handlers: small functions of typed extractors that parse, hand the work to
//! [`AppState`], and shape the answer.

use std::io::Cursor;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use tokio::sync::OwnedSemaphorePermit;

use super::budget;
use super::error::ApiError;
use super::middleware::megabytes;
use super::page;
use super::query::{pairs, PaletteQuery, OPTION_PARAMS};
use super::state::{find_sample, AppState};
use crate::format::Format;
use crate::load::LoadLimits;
use crate::palette::Swatch;
use crate::pipeline::MAX_K;
use crate::request::{Task, ValidRequest};
use crate::{data, Error, Figure, Palette, Source, Still};

/// The query, as name/value pairs (or why it could not be decoded).
type QueryPairs = Result<Query<Vec<(String, String)>>, QueryRejection>;

/// Columns of the swatch grid `/api/export` draws.
const GRID_COLUMNS: usize = 8;

/// The parameters a route takes: its own, then the clustering options.
fn accepted(own: &[&'static str]) -> Vec<&'static str> {
    own.iter().copied().chain(OPTION_PARAMS).collect()
}

/// `GET /`: the page, or (with a query) the original API's `{"clusters": [[r,g,b], ...]}`.
pub async fn root(State(state): State<AppState>, query: QueryPairs) -> Result<Response, ApiError> {
    let pairs = pairs(query)?;
    if pairs.is_empty() {
        return Ok(page::index());
    }
    let query = PaletteQuery::parse_original(&pairs, &accepted(&["url"]))?;
    let palette = palette_of_url(&state, &query).await?;
    Ok(Json(json!({ "clusters": palette.rgb() })).into_response())
}

/// `GET /palette-url`: the original API's `{"palette_url": "https://coolors.co/..."}`.
pub async fn palette_url(
    State(state): State<AppState>,
    query: QueryPairs,
) -> Result<Json<Value>, ApiError> {
    let query = PaletteQuery::parse_original(&pairs(query)?, &accepted(&["url"]))?;
    let palette = palette_of_url(&state, &query).await?;
    Ok(Json(json!({ "palette_url": palette.coolors_url() })))
}

async fn palette_of_url(state: &AppState, query: &PaletteQuery) -> Result<Palette, ApiError> {
    let deadline = Deadline::of(state);
    let request = query.request.check()?;
    let (bytes, slot) = state.fetch(query.required_url()?.to_owned()).await?;
    let input = Input::Encoded(bytes.into(), Some(slot));
    let label = Source::Url(query.required_url()?.to_owned()).name();
    let limits = state.config().fetch.limits;
    state
        .job_costing(input.cost(limits), move || {
            let Some(answer) = input.answer(&request, label, limits, deadline)? else {
                return Ok(None);
            };
            Ok(Some(answer.palette().clone()))
        })
        .await?
        .ok_or_else(|| deadline.error())
}

/// When a request's work stops being worth doing: its client was answered 503 at the
/// deadline, so a job that reaches it skips its remaining stages (clustering, drawing).
#[derive(Debug, Clone, Copy)]
struct Deadline {
    at: Instant,
    limit: std::time::Duration,
}

impl Deadline {
    fn of(state: &AppState) -> Self {
        let limit = state.config().request_timeout;
        Self {
            at: Instant::now() + limit,
            limit,
        }
    }

    /// `stage()`, unless the deadline has passed (then `None`).
    fn passed_or<T>(self, stage: impl FnOnce() -> crate::Result<T>) -> crate::Result<Option<T>> {
        if Instant::now() >= self.at {
            return Ok(None);
        }
        stage().map(Some)
    }

    fn error(self) -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the request took longer than {} s; the server is busy, try again later",
                self.limit.as_secs_f32()
            ),
        )
    }
}

/// A still to make a palette of: still encoded (upload, download), with the slot that
/// counts its bytes against the memory budget, or already decoded.
enum Input {
    Encoded(Bytes, Option<OwnedSemaphorePermit>),
    Decoded(Arc<Still>),
}

impl Input {
    /// What the job on this still will cost the memory budget at its peak: for an encoded
    /// still, estimated from its header (refused there, with decoding's error, if decoding
    /// would refuse it), at the size its decoder holds (a 16-bit still at 16 bits).
    fn cost(&self, limits: LoadLimits) -> impl FnOnce() -> crate::Result<u64> + Send + 'static {
        let (bytes, still) = match self {
            Input::Encoded(bytes, _) => (Some(bytes.clone()), None),
            Input::Decoded(still) => (None, Some(Arc::clone(still))),
        };
        move || match (bytes, still) {
            (Some(bytes), _) => Still::probe_with_limits(&bytes, limits).map(budget::still_job),
            (None, Some(still)) => Ok(budget::decoded_job(&still)),
            (None, None) => Ok(budget::SMALL_JOB),
        }
    }

    /// The request's answer for this still, in a job: decoded (the encoded bytes and their
    /// slot freed at once), then answered by the library, unless the deadline has passed.
    fn answer(
        self,
        request: &ValidRequest,
        label: String,
        limits: LoadLimits,
        deadline: Deadline,
    ) -> crate::Result<Option<crate::Answer>> {
        let still = match self {
            Input::Encoded(bytes, slot) => {
                let still = Still::from_bytes_with_limits(&bytes, limits);
                drop((bytes, slot));
                Arc::new(still?)
            }
            Input::Decoded(still) => still,
        };
        deadline.passed_or(|| request.answer_owned(still, label))
    }
}

/// `GET /api/palette?url=...` or `?sample=...`.
pub async fn palette_get(
    State(state): State<AppState>,
    query: QueryPairs,
) -> Result<Response, ApiError> {
    from_query(&state, query, Task::Palette).await
}

/// `GET /api/compare?url=...` or `?sample=...`: the four palettes of the original analysis.
pub async fn compare_get(
    State(state): State<AppState>,
    query: QueryPairs,
) -> Result<Response, ApiError> {
    from_query(&state, query, Task::Compare).await
}

/// `POST /api/palette`: the still as the body (`Content-Type: image/*`) or as the multipart
/// field `image` (other multipart fields may carry the options).
pub async fn palette_post(
    State(state): State<AppState>,
    query: QueryPairs,
    request: Request,
) -> Result<Response, ApiError> {
    from_body(&state, query, request, Task::Palette).await
}

/// `POST /api/compare`: [`compare_get`] for a still sent as the body or multipart field.
pub async fn compare_post(
    State(state): State<AppState>,
    query: QueryPairs,
    request: Request,
) -> Result<Response, ApiError> {
    from_body(&state, query, request, Task::Compare).await
}

/// The parameters of a palette route that reads its still from the query.
const QUERY_ROUTE: [&str; 4] = ["url", "sample", "format", "order"];
/// The parameters of a palette route that reads its still from the body.
const BODY_ROUTE: [&str; 2] = ["format", "order"];

/// A palette route's answer for a still named by `?url=` or `?sample=`.
async fn from_query(state: &AppState, query: QueryPairs, task: Task) -> Result<Response, ApiError> {
    let query = PaletteQuery::parse(&pairs(query)?, &accepted(&QUERY_ROUTE), task)?;
    // Checked before any download.
    let request = query.request.check()?;
    let (input, label) = match (&query.url, &query.sample) {
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request(
                "give either url or sample, not both",
            ))
        }
        (Some(url), None) => {
            let (bytes, slot) = state.fetch(url.clone()).await?;
            (Input::Encoded(bytes.into(), Some(slot)), Source::Url(url.clone()).name())
        }
        (None, Some(name)) => {
            let sample = find_sample(name).map_err(|e| ApiError::bad_request(e.message))?;
            let still = state.sample_still(sample).await?;
            (Input::Decoded(still), sample.name.clone())
        }
        (None, None) => {
            return Err(ApiError::bad_request(
                "no still given: pass ?url=IMAGE_URL or ?sample=NAME (see /api/samples), or POST the image",
            ))
        }
    };
    respond(state, input, request, label).await
}

/// A palette route's answer for a still sent as the body or as the multipart field `image`.
async fn from_body(
    state: &AppState,
    query: QueryPairs,
    request: Request,
    task: Task,
) -> Result<Response, ApiError> {
    let accepted = accepted(&BODY_ROUTE);
    let mut pairs = pairs(query)?;
    // Fail on a bad option before reading a body that may be megabytes long.
    PaletteQuery::parse(&pairs, &accepted, task)?
        .request
        .check()?;
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let limit = state.config().max_body_bytes;
    // Held until the still is decoded (in the job, even if the client has gone by then):
    // its body stays in memory until then.
    let upload = state.upload_slot().await?;
    let image = if content_type.starts_with("multipart/form-data") {
        let mut multipart = Multipart::from_request(request, state)
            .await
            .map_err(|e| body_error(e.status(), &e.body_text(), limit))?;
        read_multipart(&mut multipart, &mut pairs, limit).await?
    } else if content_type.starts_with("image/")
        || content_type.starts_with("application/octet-stream")
    {
        Bytes::from_request(request, state)
            .await
            .map_err(|e| body_error(e.status(), &e.body_text(), limit))?
    } else {
        let got = if content_type.is_empty() {
            "none".to_owned()
        } else {
            format!("{content_type:?}")
        };
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "send the still as the body with Content-Type: image/* (got {got}), \
                 or as the multipart/form-data field \"image\""
            ),
        ));
    };
    let request = PaletteQuery::parse(&pairs, &accepted, task)?
        .request
        .check()?;
    respond(
        state,
        Input::Encoded(image, Some(upload)),
        request,
        Source::Bytes(Vec::new()).name(),
    )
    .await
}

/// The `image` field's bytes; every other field is an option, added to `pairs`.
async fn read_multipart(
    multipart: &mut Multipart,
    pairs: &mut Vec<(String, String)>,
    limit: usize,
) -> Result<Bytes, ApiError> {
    let field_error =
        |e: axum::extract::multipart::MultipartError| body_error(e.status(), &e.body_text(), limit);
    let mut image = None;
    while let Some(field) = multipart.next_field().await.map_err(field_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "image" {
            if image.is_some() {
                return Err(ApiError::bad_request(
                    "the multipart body has more than one \"image\" field",
                ));
            }
            image = Some(field.bytes().await.map_err(field_error)?);
        } else {
            let value = field.text().await.map_err(field_error)?;
            pairs.push((name, value));
        }
    }
    image.ok_or_else(|| {
        ApiError::bad_request(
            "the multipart body has no \"image\" field (e.g. curl -F image=@still.png)",
        )
    })
}

/// An error reading the request body, with the size limit spelled out when it was the cause.
fn body_error(status: StatusCode, text: &str, limit: usize) -> ApiError {
    if let Some(at) = text.find(super::middleware::SLOW_BODY) {
        return ApiError::new(StatusCode::REQUEST_TIMEOUT, text[at..].to_owned());
    }
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            status,
            format!("the request body is over the {} limit", megabytes(limit)),
        )
    } else {
        ApiError::new(status, format!("could not read the request body: {text}"))
    }
}

/// Decodes (if needed), clusters and renders in one job, and answers in the request's
/// format.
async fn respond(
    state: &AppState,
    input: Input,
    request: ValidRequest,
    label: String,
) -> Result<Response, ApiError> {
    let limits = state.config().fetch.limits;
    let deadline = Deadline::of(state);
    let rendered = state
        .job_costing(input.cost(limits), move || {
            let Some(answer) = input.answer(&request, label, limits, deadline)? else {
                return Ok(None);
            };
            deadline.passed_or(|| answer.body())
        })
        .await?
        .ok_or_else(|| deadline.error())?;
    let r = request.request();
    let stem = match r.task {
        Task::Palette => "palette",
        Task::Compare => "compare",
    };
    Ok(file_response(r.format, rendered, stem, false))
}

/// A palette written in `format`, with a file name for saving (`stem.png`, ...);
/// `attachment` asks the browser to download rather than show it. A palette file (`.gpl`,
/// `.ase`, `.css`) is always an attachment.
fn file_response(format: Format, body: Vec<u8>, stem: &str, attachment: bool) -> Response {
    let attachment = attachment || format.is_palette_file();
    let disposition = if attachment { "attachment" } else { "inline" };
    let disposition = format!("{disposition}; filename=\"{stem}.{}\"", format.extension());
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// Largest palette JSON `/api/export` reads: 32 colours take about 2 kB.
pub const EXPORT_BODY_LIMIT: usize = 64 * 1024;

/// `POST /api/export?format=png|svg|gpl|ase|css|json`: a palette (the JSON `/api/palette` answers)
/// as a swatch grid image or a GIMP palette, without clustering again.
pub async fn export(
    State(state): State<AppState>,
    query: QueryPairs,
    body: Result<Json<Palette>, JsonRejection>,
) -> Result<Response, ApiError> {
    let query = PaletteQuery::parse(&pairs(query)?, &["format", "name"], Task::Palette)?;
    let format = query.request.format;
    let Json(palette) = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => body_error(e.status(), "", EXPORT_BODY_LIMIT),
        status => ApiError::new(
            status,
            format!("expected a palette as JSON: {}", e.body_text()),
        ),
    })?;
    let palette = checked(palette)?;
    let name = query
        .name
        .map(|n| n.chars().take(100).collect::<String>())
        .unwrap_or_else(|| palette.name_for("palette"));
    let rendered = state
        .job(move || {
            format.write(&palette, &name, || {
                Figure::swatch_grid(&palette, GRID_COLUMNS)
            })
        })
        .await?;
    Ok(file_response(format, rendered, "palette", true))
}

/// A palette from a client, made safe to draw: 1 to [`MAX_K`] colours, proportions in 0..1,
/// hex codes recomputed from the RGB values.
fn checked(palette: Palette) -> Result<Palette, ApiError> {
    let n = palette.colors.len();
    if !(1..=MAX_K).contains(&n) {
        return Err(ApiError::bad_request(format!(
            "a palette has 1 to {MAX_K} colours (got {n})"
        )));
    }
    if let Some(bad) = palette
        .colors
        .iter()
        .find(|s| !(0.0..=1.0).contains(&s.proportion))
    {
        return Err(ApiError::bad_request(format!(
            "proportions lie between 0 and 1 (got {} for {})",
            bad.proportion, bad.hex
        )));
    }
    Ok(Palette {
        k: palette.k.clamp(1, MAX_K),
        colors: palette
            .colors
            .into_iter()
            .map(|s| Swatch::new(s.rgb, s.proportion))
            .collect(),
        ..palette
    })
}

/// `GET /api/samples`: the sample stills, with their credits and where to get them.
pub async fn samples() -> Json<Vec<Value>> {
    Json(
        data::samples()
            .iter()
            .map(|s| {
                json!({
                    "name": s.name,
                    "size": s.size,
                    "licence": s.licence,
                    "attribution": s.attribution,
                    "credit": s.credit(),
                    "source": s.url,
                    "image": format!("/api/samples/{}", s.name),
                    "preview": format!("/api/samples/{}/preview", s.name),
                })
            })
            .collect(),
    )
}

/// Sample stills never change (they are checked against their sha256): let browsers keep them.
const SAMPLE_CACHE: &str = "public, max-age=86400";

/// `GET /api/samples/{name}`: the sample still's file, as stored.
pub async fn sample_image(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let sample = find_sample(&name)?;
    let bytes = state.sample_file(sample).await?;
    let content_type = match sample.file.rsplit('.').next().map(str::to_ascii_lowercase) {
        Some(ext) if ext == "png" => "image/png",
        Some(ext) if ext == "jpg" || ext == "jpeg" => "image/jpeg",
        Some(ext) if ext == "webp" => "image/webp",
        _ => "application/octet-stream",
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, SAMPLE_CACHE),
        ],
        bytes,
    )
        .into_response())
}

/// Preview widths accepted by `/api/samples/{name}/preview`.
const PREVIEW_WIDTHS: std::ops::RangeInclusive<u32> = 16..=1600;

/// `GET /api/samples/{name}/preview?width=320`: a small JPEG of the sample, for pickers.
pub async fn sample_preview(
    State(state): State<AppState>,
    Path(name): Path<String>,
    query: QueryPairs,
) -> Result<Response, ApiError> {
    let sample = find_sample(&name)?;
    let mut width = 320;
    for (key, value) in pairs(query)? {
        match (key.as_str(), value.trim().parse::<u32>()) {
            ("width", Ok(w)) if PREVIEW_WIDTHS.contains(&w) => width = w,
            ("width", _) => {
                return Err(ApiError::bad_request(format!(
                    "width must be a whole number from {} to {} (got {value:?})",
                    PREVIEW_WIDTHS.start(),
                    PREVIEW_WIDTHS.end()
                )))
            }
            _ => {
                return Err(ApiError::bad_request(format!(
                    "unknown parameter {key:?} (this route takes width)"
                )))
            }
        }
    }
    let still = state.sample_still(sample).await?;
    let jpeg = state.job(move || preview_jpeg(&still, width)).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::CACHE_CONTROL, SAMPLE_CACHE),
        ],
        jpeg,
    )
        .into_response())
}

/// The still no wider than `width`, as a JPEG (a tenth of the size of a PNG, for a preview).
fn preview_jpeg(still: &Still, width: u32) -> crate::Result<Vec<u8>> {
    let small = still.thumbnail(width, u32::MAX);
    let rgb = small.rgb();
    let mut out = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82)
        .encode_image(&*rgb)
        .map_err(|e| Error::Render(e.to_string()))?;
    Ok(out.into_inner())
}

/// `GET /openapi.json`: the API description.
pub async fn openapi(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.openapi().to_owned(),
    )
        .into_response()
}

/// `GET /healthz`: up, with the palette jobs running now.
pub async fn healthz(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "jobs_running": state.jobs_running(),
        "max_jobs": state.config().max_jobs,
        "memory_in_use_mb": state.memory_in_use_mib(),
        "memory_budget_mb": state.memory_budget_mib(),
    }))
}

/// Any other path: a JSON 404 pointing at the API description.
pub async fn not_found(uri: Uri) -> ApiError {
    ApiError::not_found(format!(
        "no route {} (the API is described at /openapi.json)",
        uri.path()
    ))
}

/// A known path with the wrong method (axum adds the `Allow` header).
pub async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!(
            "{method} is not allowed on {} (the Allow header lists the methods that are)",
            uri.path()
        ),
    )
}
