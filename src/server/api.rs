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

use super::error::ApiError;
use super::middleware::megabytes;
use super::page;
use super::query::{pairs, PaletteRequest, OPTION_PARAMS};
use super::state::{find_sample, AppState};
use crate::format::{Format, FIGURE_WIDTH};
use crate::order::{self, Order};
use crate::palette::Swatch;
use crate::pipeline::MAX_K;
use crate::{data, Error, Figure, Palette, Still, StripStyle};

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
    let request = PaletteRequest::parse_original(&pairs, &accepted(&["url"]))?;
    let palette = palette_of_url(&state, &request).await?;
    Ok(Json(json!({ "clusters": palette.rgb() })).into_response())
}

/// `GET /palette-url`: the original API's `{"palette_url": "https://coolors.co/..."}`.
pub async fn palette_url(
    State(state): State<AppState>,
    query: QueryPairs,
) -> Result<Json<Value>, ApiError> {
    let request = PaletteRequest::parse_original(&pairs(query)?, &accepted(&["url"]))?;
    let palette = palette_of_url(&state, &request).await?;
    Ok(Json(json!({ "palette_url": palette.coolors_url() })))
}

async fn palette_of_url(state: &AppState, request: &PaletteRequest) -> Result<Palette, ApiError> {
    let deadline = Deadline::of(state);
    let (bytes, slot) = state.fetch(request.required_url()?.to_owned()).await?;
    let limits = state.config().fetch.limits;
    let options = request.options;
    state
        .job(move || {
            let still = Still::from_bytes_with_limits(&bytes, limits)?;
            // Decoded: the download's bytes and slot go.
            drop((bytes, slot));
            deadline.passed_or(|| options.extract(&still))
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

/// What a route makes of a still: one palette, or the comparison of the original analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Palette,
    Compare,
}

impl Kind {
    /// The formats the route answers in.
    fn check_format(self, format: Format) -> Result<(), ApiError> {
        if self == Kind::Compare && !matches!(format, Format::Json | Format::Png | Format::Svg) {
            return Err(ApiError::bad_request(format!(
                "/api/compare answers format=json, png or svg (got {format:?}); export one palette with /api/palette",
                format = format.name()
            )));
        }
        Ok(())
    }

    /// The order of the swatches when none is asked for.
    fn default_order(self) -> Order {
        match self {
            Kind::Palette => Order::Share,
            Kind::Compare => Order::Matched,
        }
    }
}

/// `GET /api/palette?url=...` or `?sample=...`.
pub async fn palette_get(
    State(state): State<AppState>,
    query: QueryPairs,
) -> Result<Response, ApiError> {
    from_query(&state, query, Kind::Palette).await
}

/// `GET /api/compare?url=...` or `?sample=...`: the four palettes of the original analysis.
pub async fn compare_get(
    State(state): State<AppState>,
    query: QueryPairs,
) -> Result<Response, ApiError> {
    from_query(&state, query, Kind::Compare).await
}

/// `POST /api/palette`: the still as the body (`Content-Type: image/*`) or as the multipart
/// field `image` (other multipart fields may carry the options).
pub async fn palette_post(
    State(state): State<AppState>,
    query: QueryPairs,
    request: Request,
) -> Result<Response, ApiError> {
    from_body(&state, query, request, Kind::Palette).await
}

/// `POST /api/compare`: [`compare_get`] for a still sent as the body or multipart field.
pub async fn compare_post(
    State(state): State<AppState>,
    query: QueryPairs,
    request: Request,
) -> Result<Response, ApiError> {
    from_body(&state, query, request, Kind::Compare).await
}

/// A palette route's answer for a still named by `?url=` or `?sample=`.
async fn from_query(state: &AppState, query: QueryPairs, kind: Kind) -> Result<Response, ApiError> {
    let request = PaletteRequest::parse(
        &pairs(query)?,
        &accepted(&["url", "sample", "format", "order"]),
    )?;
    kind.check_format(request.format)?;
    let (input, label) = match (&request.url, &request.sample) {
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request(
                "give either url or sample, not both",
            ))
        }
        (Some(url), None) => {
            let (bytes, slot) = state.fetch(url.clone()).await?;
            (Input::Encoded(bytes.into(), Some(slot)), "still")
        }
        (None, Some(name)) => {
            let sample = find_sample(name).map_err(|e| ApiError::bad_request(e.message))?;
            let still = state.sample_still(sample).await?;
            (Input::Decoded(still), sample.name.as_str())
        }
        (None, None) => {
            return Err(ApiError::bad_request(
                "no still given: pass ?url=IMAGE_URL or ?sample=NAME (see /api/samples), or POST the image",
            ))
        }
    };
    respond(state, input, request, label, kind).await
}

/// A palette route's answer for a still sent as the body or as the multipart field `image`.
async fn from_body(
    state: &AppState,
    query: QueryPairs,
    request: Request,
    kind: Kind,
) -> Result<Response, ApiError> {
    let accepted = accepted(&["format", "order"]);
    let mut pairs = pairs(query)?;
    // Fail on a bad option before reading a body that may be megabytes long.
    kind.check_format(PaletteRequest::parse(&pairs, &accepted)?.format)?;
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
    let request = PaletteRequest::parse(&pairs, &accepted)?;
    kind.check_format(request.format)?;
    respond(
        state,
        Input::Encoded(image, Some(upload)),
        request,
        "upload",
        kind,
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

/// Decodes (if needed), clusters and renders in one job, and answers in `request.format`.
async fn respond(
    state: &AppState,
    input: Input,
    request: PaletteRequest,
    label: &str,
    kind: Kind,
) -> Result<Response, ApiError> {
    let limits = state.config().fetch.limits;
    let deadline = Deadline::of(state);
    let PaletteRequest {
        options,
        format,
        order,
        ..
    } = request;
    let order = order.unwrap_or(kind.default_order());
    if kind == Kind::Palette && order == Order::Matched {
        return Err(ApiError::bad_request(
            "order=matched lines strips up against the first one: use it with /api/compare",
        ));
    }
    let label = label.to_owned();
    let rendered = state
        .job(move || {
            let still = match input {
                Input::Encoded(bytes, slot) => {
                    let still = Still::from_bytes_with_limits(&bytes, limits)?;
                    drop((bytes, slot));
                    Arc::new(still)
                }
                Input::Decoded(still) => still,
            };
            match kind {
                Kind::Palette => {
                    let Some(palette) = deadline.passed_or(|| options.extract(&still))? else {
                        return Ok(None);
                    };
                    let palette = order::ordered(&palette, order, None)?;
                    deadline.passed_or(|| {
                        format.write(&palette, &palette.name_for(&label), || {
                            Figure::still_with_strip(
                                &still,
                                &palette,
                                FIGURE_WIDTH,
                                StripStyle::default(),
                            )
                        })
                    })
                }
                Kind::Compare => {
                    let Some(palettes) = deadline.passed_or(|| options.comparison(&still))? else {
                        return Ok(None);
                    };
                    let palettes = order::arrange(&palettes, order)?;
                    deadline.passed_or(|| compare_body(&still, &palettes, format))
                }
            }
        })
        .await?
        .ok_or_else(|| deadline.error())?;
    let stem = match kind {
        Kind::Palette => "palette",
        Kind::Compare => "compare",
    };
    Ok(file_response(format, rendered, stem, false))
}

/// The comparison as `{"palettes": [...]}` or as the figure of the CLI's `compare`.
fn compare_body(still: &Still, palettes: &[Palette], format: Format) -> crate::Result<Vec<u8>> {
    match format {
        Format::Png => {
            Figure::comparison(still, palettes, FIGURE_WIDTH, StripStyle::default()).to_png()
        }
        Format::Svg => Ok(
            Figure::comparison(still, palettes, FIGURE_WIDTH, StripStyle::default())
                .to_svg()?
                .into_bytes(),
        ),
        _ => Ok(crate::format::palettes_json(palettes).into_bytes()),
    }
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
    let request = PaletteRequest::parse(&pairs(query)?, &["format", "name"])?;
    let Json(palette) = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => body_error(e.status(), "", EXPORT_BODY_LIMIT),
        status => ApiError::new(
            status,
            format!("expected a palette as JSON: {}", e.body_text()),
        ),
    })?;
    let palette = checked(palette)?;
    let name = request
        .name
        .map(|n| n.chars().take(100).collect::<String>())
        .unwrap_or_else(|| palette.name_for("palette"));
    let format = request.format;
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
