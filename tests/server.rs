//! Integration tests of the HTTP API: real servers on loopback ports, a loopback image host
//! for `?url=`, and the `color-palettes serve` binary itself.
//!
//! Most tests use small synthetic images whose palette is known exactly: flat colours for
//! the parsing and error paths, stills of noisy blobs (hundreds of cells each, so they are
//! really clustered) for the colours and shares. The tests of the sample-still routes need
//! the stills (`COLOR_PALETTES_DATA`, else `data/cache/`): a missing still fails them, unless
//! `COLOR_PALETTES_SKIP=samples` asks for them to be skipped.

#![cfg(feature = "server")]

mod common;
#[path = "common/serve.rs"]
mod serve;

use std::collections::HashSet;
use std::io::Read;
use std::net::SocketAddr;
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use color_palettes::fetch::FetchPolicy;
use color_palettes::load::LoadLimits;
use color_palettes::server::{self, Config};
use color_palettes::{data, ColorSpace, Method};
use serde_json::Value;
use serve::{Binary, Launch};

// ---- Images -------------------------------------------------------------------------

fn png(image: image::RgbImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("encode PNG");
    out.into_inner()
}

/// The four colours of [`quad`], largest share first (then by hex, as palettes sort ties).
const QUAD: [[u8; 3]; 4] = [[200, 30, 30], [30, 160, 60], [40, 60, 200], [240, 220, 60]];

/// Four blocks of flat colour with shares 40 %, 30 %, 20 %, 10 %: any method with k >= 4
/// must give exactly these colours and shares.
fn quad() -> Vec<u8> {
    png(image::RgbImage::from_fn(10, 10, |x, _| {
        image::Rgb(match x {
            0..=3 => QUAD[0],
            4..=6 => QUAD[1],
            7..=8 => QUAD[2],
            _ => QUAD[3],
        })
    }))
}

/// Four greys of mean brightness about 0.05, 0.3, 0.6 and 0.95, in equal shares.
const GREYS: [u8; 4] = [13, 77, 153, 242];

fn greys() -> Vec<u8> {
    png(image::RgbImage::from_fn(8, 2, |x, _| {
        let v = GREYS[x as usize / 2];
        image::Rgb([v, v, v])
    }))
}

/// A smooth two-way gradient: hundreds of colours, like a (small) photograph. Kept small
/// because tests run unoptimised builds, where clustering is slow.
fn gradient() -> Vec<u8> {
    png(image::RgbImage::from_fn(24, 16, |x, y| {
        image::Rgb([(x * 255 / 23) as u8, (y * 255 / 15) as u8, 128])
    }))
}

/// Exactly 32 distinct colours, one pixel each.
fn thirty_two() -> Vec<u8> {
    png(image::RgbImage::from_fn(8, 4, |x, y| {
        image::Rgb([(x * 32) as u8, (y * 64) as u8, 200])
    }))
}

/// Four noisy blobs (see `common::four_blobs`): a palette of 4 needs clustering.
fn blobs() -> Vec<u8> {
    static PNG: OnceLock<Vec<u8>> = OnceLock::new();
    PNG.get_or_init(|| common::png(&common::four_blobs().image))
        .clone()
}

/// 1000 x 1000 pixels: over the test servers' decoding limit of 600 000.
fn too_many_pixels() -> Vec<u8> {
    png(image::RgbImage::from_pixel(
        1000,
        1000,
        image::Rgb([9, 9, 9]),
    ))
}

fn truncated() -> Vec<u8> {
    let bytes = gradient();
    bytes[..bytes.len() / 2].to_vec()
}

// ---- Servers ------------------------------------------------------------------------

/// Starts `app` on a loopback port, on its own runtime thread, for the rest of the process.
fn spawn(app: impl FnOnce(tokio::net::TcpListener) -> BoxedServe + Send + 'static) -> String {
    spawn_at("127.0.0.1:0", app)
}

/// As [`spawn`], listening on `bind`.
fn spawn_at(
    bind: &'static str,
    app: impl FnOnce(tokio::net::TcpListener) -> BoxedServe + Send + 'static,
) -> String {
    let (tx, rx) = std::sync::mpsc::channel::<SocketAddr>();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind(bind).await.expect("bind");
            tx.send(listener.local_addr().expect("addr")).expect("send");
            app(listener).await;
        });
    });
    format!("http://{}", rx.recv().expect("server started"))
}

type BoxedServe = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

fn start(config: Config) -> String {
    spawn(move |listener| {
        Box::pin(async move {
            server::serve(listener, config, std::future::pending())
                .await
                .expect("serve");
        })
    })
}

/// Limits small enough to test: 1 MB downloads in 1 s, 600 000 pixels, 2 MB bodies.
fn test_config(allow_private: bool) -> Config {
    Config {
        fetch: FetchPolicy {
            allow_private,
            max_bytes: 1024 * 1024,
            timeout: Duration::from_secs(1),
            max_redirects: 3,
            limits: LoadLimits {
                max_side: 5000,
                max_pixels: 600_000,
            },
        },
        max_body_bytes: 2 * 1024 * 1024,
        max_jobs: 2,
        max_fetches: 8,
        max_uploads: 3,
        memory_budget: None,
        request_timeout: Duration::from_secs(120),
        // The binary's tests check the log; here it would only bury the test output.
        log_requests: false,
    }
}

/// A server that may fetch from loopback (so it can reach the image host).
fn open() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| start(test_config(true)))
}

/// A server with the default policy: private addresses refused.
fn strict() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| start(test_config(false)))
}

/// The loopback image host that `?url=` fetches from.
fn host() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        spawn(|listener| {
            Box::pin(async move {
                axum::serve(listener, image_host()).await.expect("host");
            })
        })
    })
}

fn image_host() -> Router {
    fn png_response(bytes: Vec<u8>) -> Response {
        ([(header::CONTENT_TYPE, "image/png")], bytes).into_response()
    }
    Router::new()
        .route("/quad.png", get(|| async { png_response(quad()) }))
        .route("/blobs.png", get(|| async { png_response(blobs()) }))
        .route("/greys.png", get(|| async { png_response(greys()) }))
        .route("/gradient.png", get(|| async { png_response(gradient()) }))
        .route("/32.png", get(|| async { png_response(thirty_two()) }))
        .route(
            "/huge.png",
            get(|| async { png_response(too_many_pixels()) }),
        )
        .route(
            "/truncated.png",
            get(|| async { png_response(truncated()) }),
        )
        .route(
            "/text",
            get(|| async { ([(header::CONTENT_TYPE, "text/plain")], "hello") }),
        )
        .route("/missing.png", get(|| async { StatusCode::NOT_FOUND }))
        .route(
            "/slow.png",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(4)).await;
                png_response(quad())
            }),
        )
        .route(
            "/big.png",
            get(|| async { png_response(vec![0; 3 * 1024 * 1024]) }),
        )
        .route("/redirect", get(|| async { Redirect::to("/quad.png") }))
        // `/goto?TARGET` redirects to TARGET (an absolute URL, not percent-encoded).
        .route(
            "/goto",
            get(
                |axum::extract::RawQuery(target): axum::extract::RawQuery| async move {
                    Redirect::to(&target.unwrap_or_default())
                },
            ),
        )
        .route("/loop", get(|| async { Redirect::to("/loop") }))
}

/// A loopback host whose every answer is a 3 MB body with no Content-Length (it ends when
/// the connection closes), so a download cap can only act while the body is read.
fn unsized_body_url() -> String {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        use std::io::Write as _;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!(
            "http://{}/unsized.png",
            listener.local_addr().expect("addr")
        );
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                std::thread::spawn(move || {
                    let mut head = [0u8; 4096];
                    let _ = stream.read(&mut head);
                    let _ = stream.write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nConnection: close\r\n\r\n",
                    );
                    for _ in 0..48 {
                        if stream.write_all(&[0u8; 64 * 1024]).is_err() {
                            break;
                        }
                    }
                });
            }
        });
        url
    })
    .clone()
}

/// A loopback URL where nothing listens.
fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    format!("http://{addr}/still.png")
}

// ---- Client -------------------------------------------------------------------------

struct Reply {
    status: u16,
    content_type: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The JSON body of a 200.
    #[track_caller]
    fn ok(&self) -> Value {
        assert_eq!(self.status, 200, "{}", self.text());
        assert!(
            self.content_type.starts_with("application/json"),
            "{}",
            self.content_type
        );
        serde_json::from_slice(&self.body).expect("JSON")
    }

    /// The message of a JSON error with `status`.
    #[track_caller]
    fn error(&self, status: u16) -> String {
        assert_eq!(self.status, status, "{}", self.text());
        assert_eq!(self.content_type, "application/json", "{}", self.text());
        let value: Value = serde_json::from_slice(&self.body).expect("JSON error body");
        let object = value.as_object().expect("an object");
        assert_eq!(object.len(), 1, "{value}");
        object["error"]
            .as_str()
            .expect("error is a string")
            .to_owned()
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

fn reply(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
    let mut response = response.expect("request");
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_owned()))
        .collect::<Vec<_>>();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = response
        .body_mut()
        .with_config()
        .limit(100 * 1024 * 1024)
        .read_to_vec()
        .expect("body");
    Reply {
        status: response.status().as_u16(),
        content_type,
        headers,
        body,
    }
}

fn get_url(url: &str) -> Reply {
    reply(agent().get(url).call())
}

fn post(url: &str, content_type: &str, body: &[u8]) -> Reply {
    reply(
        agent()
            .post(url)
            .header("Content-Type", content_type)
            .send(body),
    )
}

/// Sends a request by hand (for what a well-behaved client library will not do) and returns
/// the response's status and body. Send no more body than the server will read, so that it
/// closes the connection cleanly.
fn raw(base: &str, head: &str, body: &[u8]) -> (u16, String) {
    use std::io::Write as _;
    let addr = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    stream.write_all(head.as_bytes()).expect("head");
    stream.write_all(body).expect("body");
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    (status, body)
}

/// Percent-encodes a query value.
fn enc(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A multipart/form-data body: text fields, then files as (field, file name, bytes).
fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----color-palettes-test-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    for (name, file, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: image/png\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

// ---- Palettes -----------------------------------------------------------------------

fn hex([r, g, b]: [u8; 3]) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// Checks the palette JSON's shape and returns its colours.
#[track_caller]
fn colours(palette: &Value) -> Vec<([u8; 3], f64)> {
    let colors = palette["colors"].as_array().expect("colors");
    let mut out = Vec::new();
    for c in colors {
        let rgb: Vec<u8> = c["rgb"]
            .as_array()
            .expect("rgb")
            .iter()
            .map(|v| u8::try_from(v.as_u64().expect("int")).expect("0-255"))
            .collect();
        let rgb = [rgb[0], rgb[1], rgb[2]];
        assert_eq!(c["hex"], hex(rgb));
        out.push((rgb, c["proportion"].as_f64().expect("proportion")));
    }
    assert!(
        out.windows(2).all(|w| w[0].1 >= w[1].1),
        "sorted: {palette}"
    );
    let total: f64 = out.iter().map(|c| c.1).sum();
    assert!((total - 1.0).abs() < 1e-3, "shares sum to 1: {palette}");
    out
}

fn palette_of(base: &str, image_path: &str, query: &str) -> Reply {
    let url = enc(&format!("{}{image_path}", host()));
    get_url(&format!("{base}/api/palette?url={url}{query}"))
}

// ---- The original API ---------------------------------------------------------------

#[test]
fn root_with_url_answers_eight_clusters() {
    let url = enc(&format!("{}/gradient.png", host()));
    let body = get_url(&format!("{}/?url={url}", open())).ok();
    let clusters = body["clusters"].as_array().expect("clusters");
    assert_eq!(clusters.len(), 8, "{body}");
    assert_eq!(body.as_object().map(|o| o.len()), Some(1));
    for c in clusters {
        let c = c.as_array().expect("triple");
        assert_eq!(c.len(), 3);
        assert!(
            c.iter().all(|v| v.as_u64().is_some_and(|v| v <= 255)),
            "{c:?}"
        );
    }
    // The same colours as the full palette (k-means, RGB, 8), largest share first: the
    // original's method and space, not the library's default.
    let palette = palette_of(open(), "/gradient.png", "&method=kmeans&space=rgb").ok();
    let rgb: Vec<Value> = palette["colors"]
        .as_array()
        .expect("colors")
        .iter()
        .map(|c| c["rgb"].clone())
        .collect();
    assert_eq!(clusters, &rgb);
    assert_eq!(palette["k"], 8);
    assert_eq!(palette["method"], "kmeans");
    assert_eq!(palette["space"], "rgb");
    // ... computed directly.
    let still = color_palettes::Still::from_bytes(&gradient()).expect("the gradient");
    let expected = color_palettes::PaletteOptions::new()
        .method(color_palettes::Method::Kmeans)
        .space(color_palettes::ColorSpace::Rgb)
        .extract(&still)
        .expect("palette");
    let clusters: Vec<[u8; 3]> = serde_json::from_value(body["clusters"].clone()).expect("rgb");
    assert_eq!(clusters, expected.rgb());
    // The new routes give the library's default, the accent method in CIELAB, when none is named.
    let default = palette_of(open(), "/gradient.png", "").ok();
    assert_eq!(default["method"], "accent");
    assert_eq!(default["space"], "lab");
    let expected = color_palettes::PaletteOptions::new()
        .extract(&still)
        .expect("palette");
    assert_eq!(
        default,
        serde_json::from_str::<Value>(&expected.to_json()).expect("json")
    );
    // `GET /?url=` still honours a method and space when they are named.
    let named = get_url(&format!("{}/?url={url}&method=accent&space=lab", open())).ok();
    let clusters: Vec<[u8; 3]> = serde_json::from_value(named["clusters"].clone()).expect("rgb");
    assert_eq!(clusters, expected.rgb());
}

#[test]
fn palette_url_answers_a_coolors_link() {
    let url = enc(&format!("{}/gradient.png", host()));
    let body = get_url(&format!("{}/palette-url?url={url}", open())).ok();
    let link = body["palette_url"].as_str().expect("palette_url");
    let codes = link
        .strip_prefix("https://coolors.co/")
        .expect("coolors link");
    let codes: Vec<&str> = codes.split('-').collect();
    assert_eq!(codes.len(), 8, "{link}");
    assert!(codes
        .iter()
        .all(|c| c.len() == 6 && c.chars().all(|ch| ch.is_ascii_hexdigit())));
    // The original's k-means in RGB, not the library's default.
    let still = color_palettes::Still::from_bytes(&gradient()).expect("the gradient");
    let original = color_palettes::PaletteOptions::new()
        .method(color_palettes::Method::Kmeans)
        .space(color_palettes::ColorSpace::Rgb)
        .extract(&still)
        .expect("palette");
    assert_eq!(link, original.coolors_url());

    let url = enc(&format!("{}/quad.png", host()));
    let body = get_url(&format!("{}/palette-url?url={url}&k=4", open())).ok();
    let expected: Vec<String> = QUAD.iter().map(|&c| hex(c)[1..].to_owned()).collect();
    assert_eq!(
        body["palette_url"],
        format!("https://coolors.co/{}", expected.join("-"))
    );
}

/// `/` and `/palette-url` take every option of `/api/palette`, and each one reaches the
/// clustering: they answer what the library computes directly with the same options, and
/// resetting any one of the options changes what the library computes (so a route that
/// ignored it could not match).
#[test]
fn original_routes_take_every_option() {
    use color_palettes::{PaletteOptions, Still};
    let still = Still::from_bytes(&gradient()).expect("the gradient");
    // k-means, whose palette depends on the seed (agglomerative's does not).
    let options = PaletteOptions::new()
        .k(3)
        .method(Method::Kmeans)
        .space(ColorSpace::Hsv)
        .brightness(0.2, 0.7)
        .seed(5);
    let expected = options.extract(&still).expect("palette");
    let variants = [
        ("k", options.k(8)),
        ("method", options.method(Method::Agglomerative)),
        ("space", options.space(ColorSpace::Rgb)),
        ("min_brightness", options.brightness(0.0, 0.7)),
        ("seed", options.seed(6)),
        ("max_brightness", options.brightness(0.2, 1.0)),
    ];
    for (option, variant) in variants {
        assert_ne!(
            variant.extract(&still).expect("palette").rgb(),
            expected.rgb(),
            "{option} must change this palette for the test to see it used"
        );
    }

    let url = enc(&format!("{}/gradient.png", host()));
    let query = "k=3&method=kmeans&space=hsv&min_brightness=0.2&max_brightness=0.7&seed=5";
    let body = get_url(&format!("{}/?url={url}&{query}", open())).ok();
    let clusters: Vec<[u8; 3]> = serde_json::from_value(body["clusters"].clone()).expect("triples");
    assert_eq!(clusters, expected.rgb(), "{body}");
    let body = get_url(&format!("{}/palette-url?url={url}&{query}", open())).ok();
    assert_eq!(body["palette_url"], expected.coolors_url());
    let palette = palette_of(open(), "/gradient.png", &format!("&{query}")).ok();
    assert_eq!(
        palette,
        serde_json::from_str::<Value>(&expected.to_json()).expect("json")
    );
}

#[test]
fn a_missing_url_is_a_400_not_a_200() {
    for route in ["/?k=3", "/?url=", "/palette-url", "/palette-url?url=%20"] {
        let message = get_url(&format!("{}{route}", open())).error(400);
        assert!(message.contains("no url specified"), "{route}: {message}");
    }
    let message = get_url(&format!("{}/api/palette", open())).error(400);
    assert!(
        message.contains("?url=") && message.contains("?sample="),
        "{message}"
    );
}

#[test]
fn root_without_a_query_is_the_page() {
    let page = get_url(&format!("{}/", open()));
    assert_eq!(page.status, 200);
    assert!(
        page.content_type.starts_with("text/html"),
        "{}",
        page.content_type
    );
    let html = page.text();
    assert!(html.contains("Generate palette"));
    for m in Method::ALL {
        assert!(
            html.contains(&format!("<option value=\"{}\"", m.name())),
            "{m}"
        );
    }
    for s in ColorSpace::ALL {
        assert!(
            html.contains(&format!("<option value=\"{}\"", s.name())),
            "{s:?}"
        );
    }
    let csp = page.header("content-security-policy").expect("CSP");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let script = get_url(&format!("{}/app.js", open()));
    assert_eq!(script.status, 200);
    assert!(script.content_type.starts_with("text/javascript"));
    assert!(script.text().contains("/api/palette"));
    let style = get_url(&format!("{}/app.css", open()));
    assert_eq!(style.status, 200);
    assert!(style.content_type.starts_with("text/css"));
}

// ---- /api/palette options -------------------------------------------------------------

/// Every method in every space, through `/api/palette`, clusters the four noisy blobs back
/// to their mean colours (within 2 levels) and shares (within 1 %): the blobs fill hundreds of
/// cells each, so this runs k-means, agglomerative and accent, not the few-colours shortcut.
#[test]
fn every_method_and_space_finds_the_exact_colours() {
    let blobs = common::four_blobs();
    let (_, cells) = common::distinct_colors_and_cells(&blobs.image);
    assert!(cells > 400, "{cells} cells: the still must need clustering");
    for method in Method::ALL {
        for space in ColorSpace::ALL {
            let query = format!("&k=4&method={method}&space={}", space.name());
            let palette = palette_of(open(), "/blobs.png", &query).ok();
            assert_eq!(palette["method"], method.name());
            assert_eq!(palette["space"], space.name());
            assert_eq!(palette["k"], 4);
            let context = format!("{method} {space:?}");
            common::assert_recovers(&blobs, space, &colours(&palette), 2.0, &context);
        }
    }
}

#[test]
fn k_is_checked_and_obeyed() {
    for k in [1, 2, 3] {
        let palette = palette_of(open(), "/gradient.png", &format!("&k={k}")).ok();
        assert_eq!(colours(&palette).len(), k);
    }
    assert_eq!(
        colours(&palette_of(open(), "/32.png", "&k=32").ok()).len(),
        32
    );
    // Fewer distinct colours than k: every colour once.
    assert_eq!(
        colours(&palette_of(open(), "/quad.png", "&k=9").ok()).len(),
        4
    );
    for bad in ["0", "33", "-1", "eight", "2.5", ""] {
        for route in ["/", "/palette-url", "/api/palette"] {
            let url = enc(&format!("{}/quad.png", host()));
            let message = get_url(&format!("{}{route}?url={url}&k={bad}", open())).error(400);
            assert!(message.contains("k must"), "k={bad} {route}: {message}");
        }
    }
}

#[test]
fn unknown_methods_spaces_and_parameters_are_400() {
    let message = palette_of(open(), "/quad.png", "&method=dbscan").error(400);
    for m in Method::ALL {
        assert!(message.contains(m.name()), "{message}");
    }
    let message = palette_of(open(), "/quad.png", "&space=cmyk").error(400);
    assert!(message.contains("unknown space"), "{message}");
    let message = palette_of(open(), "/quad.png", "&colour=red").error(400);
    assert!(
        message.contains("unknown parameter \"colour\""),
        "{message}"
    );
    let message = palette_of(open(), "/quad.png", "&k=3&k=4").error(400);
    assert!(message.contains("more than once"), "{message}");
    let message = palette_of(open(), "/quad.png", "&format=gif").error(400);
    assert!(message.contains("unknown format"), "{message}");
}

#[test]
fn brightness_bounds_select_pixels() {
    let hexes = |query: &str| -> Vec<[u8; 3]> {
        let mut c: Vec<[u8; 3]> = colours(&palette_of(open(), "/greys.png", query).ok())
            .into_iter()
            .map(|(c, _)| c)
            .collect();
        c.sort_unstable();
        c
    };
    let grey = |v: u8| [v, v, v];
    assert_eq!(hexes("&k=4"), GREYS.map(grey).to_vec());
    assert_eq!(
        hexes("&k=4&min_brightness=0.5"),
        vec![grey(GREYS[2]), grey(GREYS[3])]
    );
    assert_eq!(
        hexes("&k=4&max_brightness=0.5"),
        vec![grey(GREYS[0]), grey(GREYS[1])]
    );
    assert_eq!(
        hexes("&k=4&min_brightness=0.2&max_brightness=0.8"),
        vec![grey(GREYS[1]), grey(GREYS[2])]
    );
    for (query, needle) in [
        ("&min_brightness=0.8&max_brightness=0.2", "above"),
        ("&min_brightness=1.5", "between 0 and 1"),
        ("&max_brightness=-0.1", "between 0 and 1"),
        ("&min_brightness=dark", "number from 0 to 1"),
        ("&min_brightness=NaN", "number from 0 to 1"),
    ] {
        let message = palette_of(open(), "/greys.png", query).error(400);
        assert!(message.contains(needle), "{query}: {message}");
    }
    // Nothing left in the range: the still is unusable for these options.
    let message = palette_of(open(), "/greys.png", "&min_brightness=0.97").error(422);
    assert!(message.contains("no pixels"), "{message}");
}

/// The same seed gives the same palette, and the seed is used: on the gradient (no clusters
/// to find, so where k-means++ starts matters) some other seed gives another palette, for
/// every method that draws at random (k-means and k-medians).
#[test]
fn the_seed_makes_palettes_repeatable() {
    for method in Method::ALL {
        let query = |seed: u64| format!("&k=6&method={method}&seed={seed}");
        let a = palette_of(open(), "/gradient.png", &query(42)).ok();
        let b = palette_of(open(), "/gradient.png", &query(42)).ok();
        assert_eq!(a, b, "{method}: the same seed twice");
        if matches!(method, Method::Agglomerative | Method::Accent) {
            // Ward over every pooled colour, and splits: the seed is not used at all.
            for seed in 0..6 {
                assert_eq!(palette_of(open(), "/gradient.png", &query(seed)).ok(), a);
            }
            continue;
        }
        let other =
            (0..6).find(|&seed| palette_of(open(), "/gradient.png", &query(seed)).ok() != a);
        assert!(
            other.is_some(),
            "{method}: seeds 0 to 5 all give seed 42's palette {a}"
        );
    }
    let message = palette_of(open(), "/gradient.png", "&seed=-1").error(400);
    assert!(message.contains("seed"), "{message}");
}

#[test]
fn formats_render_the_still_with_its_strip() {
    let png = palette_of(open(), "/gradient.png", "&k=5&format=png");
    assert_eq!(png.status, 200);
    assert_eq!(png.content_type, "image/png");
    let figure = image::load_from_memory(&png.body).expect("a PNG").to_rgb8();
    assert_eq!(figure.width(), 900);
    assert!(figure.height() > 600, "still plus strip");
    assert!(png
        .header("content-disposition")
        .is_some_and(|d| d.contains("palette.png")));
    // The strip under the still shows the palette: its colours, as wide as their shares.
    let palette = colours(&palette_of(open(), "/gradient.png", "&k=5").ok());
    let strips = common::strips(&figure);
    common::assert_strip(strips.last().expect("a strip"), &palette, false);

    let svg = palette_of(open(), "/gradient.png", "&k=5&format=svg");
    assert_eq!(svg.status, 200);
    assert_eq!(svg.content_type, "image/svg+xml");
    let text = svg.text();
    assert!(text.starts_with("<svg") && text.contains("data:image/png;base64,"));

    let gpl = palette_of(open(), "/blobs.png", "&k=4&format=gpl");
    assert_eq!(gpl.status, 200);
    assert!(gpl
        .header("content-disposition")
        .is_some_and(|d| d.starts_with("attachment")));
    let text = gpl.text();
    assert!(text.starts_with("GIMP Palette\nName: "), "{text}");
    let json = palette_of(open(), "/blobs.png", "&k=4&format=json").ok();
    let palette = colours(&json);
    common::assert_recovers(
        &common::four_blobs(),
        ColorSpace::Rgb,
        &palette,
        2.0,
        "format=json",
    );
    // One GIMP line per colour, largest first, as `R G B<tab>#hex (share%)`.
    let lines: Vec<&str> = text.lines().filter(|l| l.contains('\t')).collect();
    let expected: Vec<String> = palette
        .iter()
        .map(|&([r, g, b], share)| {
            format!(
                "{r:3} {g:3} {b:3}\t{} ({:.1}%)",
                hex([r, g, b]),
                share * 100.0
            )
        })
        .collect();
    assert_eq!(lines, expected, "{text}");
}

// ---- Uploads --------------------------------------------------------------------------

#[test]
fn uploads_as_body_and_as_multipart() {
    // The four noisy blobs, clustered: uploaded every way, the same palette as fetched.
    let expected = palette_of(open(), "/blobs.png", "&k=4").ok();
    common::assert_recovers(
        &common::four_blobs(),
        ColorSpace::Rgb,
        &colours(&expected),
        2.0,
        "fetched",
    );
    let url = format!("{}/api/palette?k=4", open());
    for content_type in [
        "image/png",
        "IMAGE/PNG; charset=binary",
        "application/octet-stream",
    ] {
        assert_eq!(
            post(&url, content_type, &blobs()).ok(),
            expected,
            "{content_type}"
        );
    }
    let (ct, body) = multipart(&[], &[("image", "b.png", &blobs())]);
    assert_eq!(post(&url, &ct, &body).ok(), expected);
    // Options as form fields, as an HTML form would send them.
    let (ct, body) = multipart(
        &[("k", "4"), ("method", "accent"), ("format", "json")],
        &[("image", "b.png", &blobs())],
    );
    assert_eq!(
        post(&format!("{}/api/palette", open()), &ct, &body).ok(),
        expected
    );
    // A real clustering, uploaded, agrees with the same still fetched by URL.
    let fetched = palette_of(open(), "/gradient.png", "&k=5").ok();
    let posted = post(
        &format!("{}/api/palette?k=5", open()),
        "image/png",
        &gradient(),
    )
    .ok();
    assert_eq!(posted, fetched);
    // The figure of an upload: the still at 900 px with the palette's strip underneath.
    let png = post(&format!("{url}&format=png"), "image/png", &blobs());
    assert_eq!(png.status, 200, "{}", png.text());
    assert_eq!(png.content_type, "image/png");
    let figure = image::load_from_memory(&png.body).expect("a PNG").to_rgb8();
    assert_eq!(figure.width(), 900);
    let still = common::four_blobs().image;
    // 12 px margins: the still scaled to 876 px wide, then a 72 px strip.
    let still_height = still.height() * 876 / still.width();
    assert!(figure.height() >= still_height + 72, "{}", figure.height());
    let strips = common::strips(&figure);
    common::assert_strip(strips.last().expect("a strip"), &colours(&expected), false);
}

#[test]
fn upload_errors_say_what_is_wrong() {
    let url = format!("{}/api/palette", open());
    let message = post(&url, "image/png", b"hello, not an image").error(422);
    assert!(message.contains("not a readable image"), "{message}");
    let message = post(&url, "image/png", &truncated()).error(422);
    assert!(message.contains("not a readable image"), "{message}");
    let message = post(&url, "image/png", b"").error(422);
    assert!(message.contains("not a readable image"), "{message}");
    let message = post(&url, "image/png", &too_many_pixels()).error(422);
    assert!(message.contains("too large"), "{message}");
    // Over the 2 MB body limit: refused from the Content-Length, before any body is sent...
    let (status, text) = raw(
        open(),
        &format!("POST /api/palette HTTP/1.1\r\nHost: test\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", 3 * 1024 * 1024),
        &[],
    );
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("2 MB limit"), "{text}");
    // ... and, without a Content-Length, as soon as the body passes the limit.
    let over = 2 * 1024 * 1024 + 1;
    let mut chunk = format!("{over:x}\r\n").into_bytes();
    chunk.extend(std::iter::repeat_n(0u8, over));
    let (status, text) = raw(
        open(),
        "POST /api/palette HTTP/1.1\r\nHost: test\r\nContent-Type: image/png\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        &chunk,
    );
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("2 MB limit"), "{text}");
    let message = post(&url, "application/x-www-form-urlencoded", &quad()).error(415);
    assert!(message.contains("Content-Type: image/*"), "{message}");

    let (ct, body) = multipart(&[("k", "3")], &[]);
    let message = post(&url, &ct, &body).error(400);
    assert!(message.contains("no \"image\" field"), "{message}");
    let (ct, body) = multipart(
        &[],
        &[("image", "a.png", &quad()), ("image", "b.png", &quad())],
    );
    assert!(post(&url, &ct, &body).error(400).contains("more than one"));
    let (ct, body) = multipart(&[("k", "3")], &[("image", "a.png", &quad())]);
    let message = post(&format!("{url}?k=4"), &ct, &body).error(400);
    assert!(message.contains("more than once"), "{message}");
    let (ct, body) = multipart(&[("k", "99")], &[("image", "a.png", &quad())]);
    assert!(post(&url, &ct, &body).error(400).contains("k must"));
    // A bad option is refused before the body is read.
    assert!(post(&format!("{url}?k=0"), "image/png", &quad())
        .error(400)
        .contains("k must"));
    // The source comes from the body: ?url= and ?sample= do not belong on a POST.
    let message = post(
        &format!("{url}?url=http://example.com/a.png"),
        "image/png",
        &quad(),
    )
    .error(400);
    assert!(message.contains("unknown parameter \"url\""), "{message}");
}

// ---- Fetching URLs --------------------------------------------------------------------

#[test]
fn url_errors_map_to_statuses() {
    let cases: [(&str, u16, &str); 9] = [
        ("/missing.png", 502, "404"),
        ("/text", 422, "not a readable image"),
        ("/truncated.png", 422, "not a readable image"),
        ("/huge.png", 422, "too large"),
        ("/big.png", 413, "download limit"),
        ("/slow.png", 504, "timed out"),
        ("/loop", 502, "redirects"),
        ("/quad.png", 200, ""),
        ("/redirect", 200, ""),
    ];
    for route in ["/", "/palette-url", "/api/palette"] {
        for (path, status, needle) in cases {
            let url = enc(&format!("{}{path}", host()));
            let reply = get_url(&format!("{}{route}?url={url}", open()));
            if status == 200 {
                assert_eq!(reply.status, 200, "{route} {path}: {}", reply.text());
            } else {
                let message = reply.error(status);
                assert!(message.contains(needle), "{route} {path}: {message}");
            }
        }
    }
    let message = get_url(&format!("{}/?url={}", open(), enc(&closed_port_url()))).error(502);
    assert!(message.contains("could not fetch"), "{message}");
    // A body with no Content-Length is capped while it is read (the test server's 1 MB).
    for route in ["/", "/palette-url", "/api/palette"] {
        let url = enc(&unsized_body_url());
        let message = get_url(&format!("{}{route}?url={url}", open())).error(413);
        assert!(message.contains("download limit"), "{route}: {message}");
    }
    for bad in [
        "not a url",
        "ftp://example.com/a.png",
        "file:///etc/passwd",
        "/relative.png",
        "http://",
    ] {
        let message = get_url(&format!("{}/api/palette?url={}", open(), enc(bad))).error(400);
        assert!(message.contains("invalid URL"), "{bad}: {message}");
    }
}

#[test]
fn private_addresses_are_refused_by_default() {
    let port = host().rsplit(':').next().expect("port");
    for target in [
        format!("http://127.0.0.1:{port}/quad.png"),
        format!("http://localhost:{port}/quad.png"),
        format!("http://127.8.9.10:{port}/quad.png"),
        format!("http://[::1]:{port}/quad.png"),
        format!("http://0.0.0.0:{port}/quad.png"),
        format!("http://[::ffff:127.0.0.1]:{port}/quad.png"),
    ] {
        for route in ["/", "/palette-url", "/api/palette"] {
            let message = get_url(&format!("{}{route}?url={}", strict(), enc(&target))).error(403);
            assert!(message.contains("refused"), "{target}: {message}");
        }
    }
    // The same image is fetched by the server that allows private addresses.
    let url = enc(&format!("http://127.0.0.1:{port}/quad.png"));
    get_url(&format!("{}/api/palette?url={url}", open())).ok();
}

// ---- Samples --------------------------------------------------------------------------

/// Whether to run the tests of the sample stills: always, unless `COLOR_PALETTES_SKIP=samples`
/// asks (loudly) for them to be skipped. A still that is missing fails the test, saying
/// where it was looked for.
fn samples_available(test: &str) -> bool {
    if common::skipped("samples", test) {
        return false;
    }
    for sample in data::samples() {
        common::still_path(&sample.name);
    }
    true
}

#[test]
fn samples_are_listed_served_and_usable() {
    if !samples_available("samples_are_listed_served_and_usable") {
        return;
    }
    let list = get_url(&format!("{}/api/samples", open())).ok();
    let list = list.as_array().expect("array");
    let names: Vec<&str> = list.iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(names, data::names());
    for entry in list {
        for field in ["licence", "attribution", "credit", "size", "source"] {
            assert!(
                entry[field].as_str().is_some_and(|s| !s.is_empty()),
                "{entry}"
            );
        }
    }
    let first = &data::samples()[0];
    let image = get_url(&format!("{}/api/samples/{}", open(), first.name));
    assert_eq!(image.status, 200);
    assert_eq!(image.content_type, "image/png");
    assert_eq!(data::sha256_hex(&image.body), first.sha256);
    assert!(image.header("cache-control").is_some());

    let preview = get_url(&format!(
        "{}/api/samples/{}/preview?width=240",
        open(),
        first.name
    ));
    assert_eq!(preview.status, 200);
    assert_eq!(preview.content_type, "image/jpeg");
    let decoded = image::load_from_memory(&preview.body).expect("JPEG");
    assert_eq!(decoded.width(), 240);
    let default = get_url(&format!("{}/api/samples/{}/preview", open(), first.name));
    assert_eq!(
        image::load_from_memory(&default.body)
            .map(|i| i.width())
            .ok(),
        Some(320)
    );
    for bad in ["5", "big", "100000"] {
        let message = get_url(&format!(
            "{}/api/samples/{}/preview?width={bad}",
            open(),
            first.name
        ))
        .error(400);
        assert!(message.contains("width"), "{message}");
    }

    let message = get_url(&format!("{}/api/samples/Casablanca", open())).error(404);
    assert!(
        message.contains(&first.name),
        "lists the known names: {message}"
    );
    get_url(&format!("{}/api/samples/Casablanca/preview", open())).error(404);

    let palette = get_url(&format!("{}/api/palette?sample={}&k=5", open(), first.name)).ok();
    assert_eq!(colours(&palette).len(), 5);
    let expected = color_palettes::PaletteOptions::new()
        .k(5)
        .extract(&data::still(&first.name).expect("still"))
        .expect("palette");
    assert_eq!(
        palette,
        serde_json::from_str::<Value>(&expected.to_json()).expect("json")
    );

    let message = get_url(&format!("{}/api/palette?sample=Casablanca", open())).error(400);
    assert!(message.contains("no sample still"), "{message}");
    let url = enc(&format!("{}/quad.png", host()));
    let message = get_url(&format!(
        "{}/api/palette?sample={}&url={url}",
        open(),
        first.name
    ))
    .error(400);
    assert!(message.contains("not both"), "{message}");
}

// ---- Export ---------------------------------------------------------------------------

#[test]
fn export_renders_a_palette_without_clustering() {
    // A clustered palette (the four noisy blobs), exported as it is.
    let palette = palette_of(open(), "/blobs.png", "&k=4").ok();
    let swatches = colours(&palette);
    common::assert_recovers(
        &common::four_blobs(),
        ColorSpace::Rgb,
        &swatches,
        2.0,
        "k=4",
    );
    let body = palette.to_string();
    let url = format!("{}/api/export", open());
    let png = post(
        &format!("{url}?format=png"),
        "application/json",
        body.as_bytes(),
    );
    assert_eq!(png.status, 200, "{}", png.text());
    assert_eq!(png.content_type, "image/png");
    assert!(png
        .header("content-disposition")
        .is_some_and(|d| d.starts_with("attachment")));
    let grid = image::load_from_memory(&png.body).expect("PNG").to_rgb8();
    // The grid's squares (96 px, 12 px apart) are the colours, largest first.
    for (i, (rgb, _)) in swatches.iter().enumerate() {
        assert_eq!(
            grid.get_pixel(40 + 108 * i as u32, 40).0,
            *rgb,
            "square {i}"
        );
    }

    let svg = post(
        &format!("{url}?format=svg"),
        "application/json",
        body.as_bytes(),
    );
    assert_eq!(svg.content_type, "image/svg+xml");
    for (rgb, _) in &swatches {
        assert!(
            svg.text().to_lowercase().contains(&hex(*rgb)),
            "{rgb:?} in the SVG"
        );
    }

    let gpl = post(
        &format!("{url}?format=gpl&name=My%20still"),
        "application/json",
        body.as_bytes(),
    );
    assert!(
        gpl.text().starts_with("GIMP Palette\nName: My still\n"),
        "{}",
        gpl.text()
    );
    let [r, g, b] = swatches[1].0;
    let line = format!(
        "{r:3} {g:3} {b:3}\t{} ({:.1}%)",
        hex([r, g, b]),
        swatches[1].1 * 100.0
    );
    assert!(gpl.text().contains(&line), "{line} in {}", gpl.text());

    let json = post(&url, "application/json", body.as_bytes()).ok();
    assert_eq!(json, palette);

    // Hex codes are recomputed from the RGB values.
    let mut tampered = palette.clone();
    tampered["colors"][0]["hex"] = Value::from("#000000");
    let json = post(&url, "application/json", tampered.to_string().as_bytes()).ok();
    assert_eq!(json, palette);

    assert!(post(&url, "application/json", b"{")
        .error(400)
        .contains("palette"));
    assert!(post(&url, "application/json", b"{\"k\": 3}")
        .error(422)
        .contains("palette"));
    post(&url, "text/plain", body.as_bytes()).error(415);
    let mut empty = palette.clone();
    empty["colors"] = Value::Array(vec![]);
    assert!(post(&url, "application/json", empty.to_string().as_bytes())
        .error(400)
        .contains("1 to 32 colours"));
    let mut many = palette.clone();
    many["colors"] = Value::Array(vec![palette["colors"][0].clone(); 33]);
    post(&url, "application/json", many.to_string().as_bytes()).error(400);
    let mut negative = palette.clone();
    negative["colors"][0]["proportion"] = Value::from(-0.5);
    post(&url, "application/json", negative.to_string().as_bytes()).error(400);
    post(
        &format!("{url}?format=bmp"),
        "application/json",
        body.as_bytes(),
    )
    .error(400);
    // A palette is small: a big JSON body is refused before it is parsed.
    let big = format!("[{}]", vec!["0"; 40_000].join(","));
    let message = post(&url, "application/json", big.as_bytes()).error(413);
    assert!(message.contains("64 kB limit"), "{message}");
}

// ---- Service routes -------------------------------------------------------------------

#[test]
fn healthz_and_unknown_routes() {
    let health = get_url(&format!("{}/healthz", open())).ok();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["max_jobs"], 2);
    let message = get_url(&format!("{}/no/such/route", open())).error(404);
    assert!(message.contains("/openapi.json"), "{message}");
    let reply = reply(agent().delete(&format!("{}/api/palette", open())).call());
    let message = reply.error(405);
    assert!(message.contains("DELETE"), "{message}");
    assert_eq!(reply.header("allow"), Some("GET,HEAD,POST"));
    post(&format!("{}/healthz", open()), "image/png", b"x").error(405);
}

/// The routes registered in src/server/mod.rs, read from its source: `(path, methods)`.
fn routes_in_source() -> Vec<(String, Vec<String>)> {
    let source = include_str!("../src/server/mod.rs");
    let router = &source[source.find("Router::new()").expect("the router")..];
    let router = &router[..router.find(".fallback(").expect("the fallback")];
    let mut routes = Vec::new();
    for segment in router.split(".route(").skip(1) {
        let path = segment.split('"').nth(1).expect("a quoted path");
        let methods = ["get", "post", "put", "delete", "patch"]
            .into_iter()
            .filter(|m| segment.contains(&format!("{m}(")))
            .map(str::to_owned)
            .collect();
        routes.push((path.to_owned(), methods));
    }
    assert!(routes.len() >= 10, "parsed {routes:?}");
    routes
}

#[test]
fn openapi_documents_every_route_and_option() {
    let doc = get_url(&format!("{}/openapi.json", open())).ok();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    let routes = routes_in_source();
    for (path, methods) in &routes {
        let item = paths
            .get(path)
            .unwrap_or_else(|| panic!("{path} is not in /openapi.json"));
        for method in methods {
            assert!(
                item.get(method).is_some(),
                "{method} {path} is not documented"
            );
        }
    }
    let documented: HashSet<&String> = paths.keys().collect();
    let served: HashSet<&String> = routes.iter().map(|(p, _)| p).collect();
    assert_eq!(documented, served, "documented paths that are not served");

    let params = &doc["components"]["parameters"];
    let names = |v: &Value| -> Vec<String> {
        v.as_array()
            .expect("enum")
            .iter()
            .map(|s| s.as_str().expect("name").to_owned())
            .collect()
    };
    let methods: Vec<String> = Method::ALL.iter().map(|m| m.name().to_owned()).collect();
    assert_eq!(names(&params["method"]["schema"]["enum"]), methods);
    let spaces: Vec<String> = ColorSpace::ALL
        .iter()
        .map(|s| s.name().to_owned())
        .collect();
    assert_eq!(names(&params["space"]["schema"]["enum"]), spaces);
    assert_eq!(
        params["k"]["schema"]["maximum"],
        color_palettes::pipeline::MAX_K
    );
    // Every option a request takes is documented once, with its default and a type, and
    // every palette route lists the clustering options (crop among them).
    for param in &color_palettes::request::PARAMS {
        let documented = &params[param.name];
        assert_eq!(
            documented["description"]
                .as_str()
                .map(|d| d.starts_with(param.help)),
            Some(true),
            "{}",
            param.name
        );
        assert_eq!(
            documented["schema"]["default"],
            param.default_json(),
            "{}",
            param.name
        );
        assert!(
            documented["schema"]["type"].is_string(),
            "{}: {documented}",
            param.name
        );
    }
    assert_eq!(params["crop"]["schema"]["type"], "boolean");
    for (path, method) in [
        ("/api/palette", "get"),
        ("/api/palette", "post"),
        ("/api/compare", "get"),
        ("/", "get"),
    ] {
        let listed: Vec<&str> = paths[path][method]["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .filter_map(|p| p["$ref"].as_str())
            .collect();
        for name in [
            "k",
            "method",
            "space",
            "min_brightness",
            "max_brightness",
            "seed",
            "crop",
        ] {
            let reference = format!("#/components/parameters/{name}");
            assert!(
                listed.contains(&reference.as_str()),
                "{method} {path} does not list {name}"
            );
        }
    }

    // Every documented GET route answers (a sample name stands in for {name}).
    let sample = data::names()[0];
    let with_samples =
        samples_available("the sample routes of openapi_documents_every_route_and_option");
    for (path, item) in paths {
        if item.get("get").is_some() && (with_samples || !path.contains("{name}")) {
            let url = format!("{}{}", open(), path.replace("{name}", sample));
            let reply = get_url(&url);
            // 200, or 400 for the routes that need a source: never 404/405, and never an
            // internal error or an unavailable sample.
            assert!(
                matches!(reply.status, 200 | 400),
                "{path}: {} {}",
                reply.status,
                reply.text()
            );
            if reply.status == 400 {
                assert!(reply.text().contains("url"), "{path}: {}", reply.text());
            }
        }
    }
}

// ---- Load and limits ------------------------------------------------------------------

/// Random colours: a still that takes real time to cluster (every pixel its own colour).
fn noise(width: u32, height: u32) -> Vec<u8> {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    png(image::RgbImage::from_fn(width, height, |_, _| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let [r, g, b, ..] = state.to_le_bytes();
        image::Rgb([r, g, b])
    }))
}

/// With `max_jobs = 1`, palettes are made one after another, seen from outside: five slow
/// requests sent at once come back one by one, each a whole job after the one before (were
/// they made side by side, sharing the cores, several would finish together), while
/// `/healthz` keeps answering at once.
#[test]
fn jobs_queue_behind_the_limit_while_the_server_keeps_answering() {
    let base = start(Config {
        max_jobs: 1,
        max_uploads: 8,
        ..test_config(true)
    });
    let url = format!("{base}/api/palette?k=16&method=agglomerative");
    let still = noise(400, 300);
    // Warm up (the first palette also builds the server's lazy state).
    assert_eq!(post(&url, "image/png", &still).status, 200);
    let start = Instant::now();
    let workers: Vec<_> = (0..5)
        .map(|_| {
            let (url, still) = (url.clone(), still.clone());
            std::thread::spawn(move || {
                let status = post(&url, "image/png", &still).status;
                (status, Instant::now())
            })
        })
        .collect();
    let mut slowest = Duration::ZERO;
    let mut most_jobs = 0;
    while !workers.iter().all(|w| w.is_finished()) {
        let asked = Instant::now();
        let health = get_url(&format!("{base}/healthz")).ok();
        slowest = slowest.max(asked.elapsed());
        most_jobs = most_jobs.max(health["jobs_running"].as_u64().expect("jobs"));
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut finished: Vec<Duration> = workers
        .into_iter()
        .map(|w| {
            let (status, at) = w.join().expect("worker");
            assert_eq!(status, 200);
            at - start
        })
        .collect();
    finished.sort();
    eprintln!("five jobs at once finished at {finished:?}");
    // One after another: each gap is about one job (the mean is the last time over five).
    let job = finished[4] / 5;
    for pair in finished.windows(2) {
        assert!(
            pair[1] - pair[0] >= job / 3,
            "jobs finished at {finished:?}: two within {:?} of each other, a job takes about \
             {job:?}, so they ran side by side",
            pair[1] - pair[0]
        );
    }
    assert_eq!(most_jobs, 1, "jobs running, as /healthz reports it");
    assert!(slowest < Duration::from_secs(2), "healthz took {slowest:?}");
}

#[test]
fn a_request_past_the_deadline_is_answered_503() {
    let base = start(Config {
        request_timeout: Duration::from_millis(300),
        fetch: FetchPolicy {
            timeout: Duration::from_secs(10),
            ..test_config(true).fetch
        },
        ..test_config(true)
    });
    let start = Instant::now();
    let url = enc(&format!("{}/slow.png", host()));
    let message = get_url(&format!("{base}/api/palette?url={url}")).error(503);
    assert!(message.contains("longer than"), "{message}");
    assert!(start.elapsed() < Duration::from_secs(3));
}

// ---- The binary -----------------------------------------------------------------------

#[test]
fn the_binary_serves_logs_and_stops_on_sigterm() {
    let server = Binary::start(&[]);
    get_url(&format!("{}/healthz", server.base)).ok();
    let url = enc(&format!("{}/quad.png", host()));
    let message = get_url(&format!("{}/?url={url}", server.base)).error(403);
    assert!(message.contains("refused"), "{message}");
    let (status, stderr) = server.terminate();
    assert!(status.success(), "{status:?}\n{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    let logged = |prefix: &str| {
        lines
            .iter()
            .any(|l| l.starts_with(prefix) && l.ends_with("ms") && l.split(' ').count() == 4)
    };
    assert!(logged("GET /healthz 200 "), "{stderr}");
    assert!(logged("GET / 403 "), "{stderr}");
}

#[test]
fn the_binary_fetches_private_urls_only_when_allowed() {
    let server = Binary::start(&["--allow-private-urls"]);
    let url = enc(&format!("{}/quad.png", host()));
    let body = get_url(&format!("{}/?url={url}&k=4", server.base)).ok();
    assert_eq!(body["clusters"].as_array().map(Vec::len), Some(4));
    let (status, stderr) = server.terminate();
    assert!(status.success());
    assert!(stderr.contains("--allow-private-urls"), "warns: {stderr}");
}

#[test]
fn the_binary_reports_an_address_it_cannot_use() {
    let output = Command::new(env!("CARGO_BIN_EXE_color-palettes"))
        .args(["serve", "--addr", "not-an-address"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: cannot serve on not-an-address"),
        "{stderr}"
    );
}

/// A sample still the server cannot load is a 503 that says so, not a 500: here its data
/// folder holds a damaged copy (wrong sha256) and the download cache is empty and cannot be
/// written, so nothing can replace it.
#[test]
fn an_unavailable_sample_is_a_503() {
    let dir = std::env::temp_dir().join(format!("cp-no-samples-{}", std::process::id()));
    let (stills, cache) = (dir.join("stills"), dir.join("cache"));
    std::fs::create_dir_all(&stills).expect("temp folder");
    let sample = &data::samples()[0];
    std::fs::write(stills.join(&sample.file), b"not the still").expect("damaged copy");
    // A file where the cache folder should be: a download could not be saved.
    std::fs::write(&cache, b"").expect("cache placeholder");
    let server = Binary::launch(&Launch {
        env: &[(data::DATA_ENV, &stills), (data::CACHE_ENV, &cache)],
        ..Launch::default()
    });
    for route in [
        format!("/api/samples/{}", sample.name),
        format!("/api/palette?sample={}", sample.name),
    ] {
        let message = get_url(&format!("{}{route}", server.base)).error(503);
        assert!(
            message.contains(&sample.name) && message.contains("not available"),
            "{route}: {message}"
        );
    }
    // The server itself is fine.
    get_url(&format!("{}/healthz", server.base)).ok();
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The private-address check runs again on every redirect: a public host that redirects to
/// loopback is refused. A public address is needed for the first hop, so the test re-runs
/// itself in a network namespace of its own (`unshare`), where 8.8.8.8 is an address of the
/// loopback interface; nothing outside that namespace sees it.
#[test]
fn a_redirect_to_a_private_address_is_refused() {
    const INSIDE: &str = "COLOR_PALETTES_TEST_NETNS";
    let name = "a_redirect_to_a_private_address_is_refused";
    if std::env::var_os(INSIDE).is_none() {
        if common::skipped("netns", name) {
            return;
        }
        let exe = std::env::current_exe().expect("the test binary");
        let output = Command::new("unshare")
            .args(["--net", "--map-root-user", "sh", "-c"])
            .arg("ip link set lo up && ip addr add 8.8.8.8/32 dev lo && exec \"$0\" \"$@\"")
            .arg(&exe)
            .args(["--exact", name, "--nocapture", "--test-threads", "1"])
            .env(INSIDE, "1")
            .output()
            .unwrap_or_else(|e| {
                panic!("unshare: {e} (`COLOR_PALETTES_SKIP=netns` skips this test)")
            });
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success() && stdout.contains("1 passed"),
            "in a network namespace (unshare --net --map-root-user; \
             `COLOR_PALETTES_SKIP=netns` skips this test): {}\n{stdout}\n{stderr}",
            output.status
        );
        return;
    }
    // Inside the namespace: an image host on every local address, 8.8.8.8 included.
    let host = spawn_at("0.0.0.0:0", |listener| {
        Box::pin(async move {
            axum::serve(listener, image_host()).await.expect("host");
        })
    });
    let port = host.rsplit(':').next().expect("port").to_owned();
    let public = format!("http://8.8.8.8:{port}");
    let private = format!("http://127.0.0.1:{port}");
    let palette = |url: &str| get_url(&format!("{}/api/palette?url={}", strict(), enc(url)));
    // The public address is fetched, directly and through a redirect to itself ...
    palette(&format!("{public}/quad.png")).ok();
    palette(&format!("{public}/goto?{public}/quad.png")).ok();
    // ... the private one is refused, directly and when a redirect leads there.
    for url in [
        format!("{private}/quad.png"),
        format!("{public}/goto?{private}/quad.png"),
        format!("{public}/goto?http://localhost:{port}/quad.png"),
    ] {
        let message = palette(&url).error(403);
        assert!(message.contains("refused"), "{url}: {message}");
    }
}

// ---- Compare, orders, .ase and .css ----------------------------------------------------

/// The crate's comparison of `still` with `k` colours, ordered as `/api/compare` orders it.
fn crate_comparison(
    still: &color_palettes::Still,
    k: usize,
    order: color_palettes::Order,
) -> Vec<color_palettes::Palette> {
    let options = color_palettes::PaletteOptions::new().k(k).threads(1);
    let palettes = color_palettes::comparison(still, &options).expect("comparison");
    color_palettes::order::arrange(&palettes, order).expect("ordered")
}

#[test]
fn compare_answers_the_four_palettes_and_their_figure() {
    use color_palettes::Order;
    let still = color_palettes::Still::from_bytes(&blobs()).expect("blobs");
    let matched = crate_comparison(&still, 4, Order::Matched);
    let expected = serde_json::json!({ "palettes": matched });
    // The still as the body, and fetched by URL: the same four palettes, matched order.
    let body = post(
        &format!("{}/api/compare?k=4", open()),
        "image/png",
        &blobs(),
    )
    .ok();
    assert_eq!(body, expected);
    let url = enc(&format!("{}/blobs.png", host()));
    let fetched = get_url(&format!("{}/api/compare?url={url}&k=4", open())).ok();
    assert_eq!(fetched, expected);
    let kinds: Vec<(String, String)> = body["palettes"]
        .as_array()
        .expect("palettes")
        .iter()
        .map(|p| (p["method"].to_string(), p["space"].to_string()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("\"kmeans\"", "\"rgb\""),
            ("\"kmeans\"", "\"hsv\""),
            ("\"agglomerative\"", "\"rgb\""),
            ("\"agglomerative\"", "\"hsv\"")
        ]
        .map(|(m, s)| (m.to_owned(), s.to_owned()))
    );
    // order=share: each palette as extracted.
    let share = get_url(&format!("{}/api/compare?url={url}&k=4&order=share", open())).ok();
    assert_eq!(
        share,
        serde_json::json!({ "palettes": crate_comparison(&still, 4, Order::Share) })
    );
    // The figure, as multipart: the CLI's compare figure, byte for byte.
    let (content_type, form) = multipart(
        &[("k", "4"), ("format", "png")],
        &[("image", "blobs.png", &blobs())],
    );
    let png = post(&format!("{}/api/compare", open()), &content_type, &form);
    assert_eq!(png.status, 200, "{}", png.text());
    assert_eq!(png.content_type, "image/png");
    let figure = color_palettes::Figure::comparison(
        &still,
        &matched,
        color_palettes::format::FIGURE_WIDTH,
        color_palettes::StripStyle::default(),
    );
    assert_eq!(png.body, figure.to_png().expect("PNG"));
    let svg = get_url(&format!("{}/api/compare?url={url}&k=4&format=svg", open()));
    assert_eq!(svg.content_type, "image/svg+xml");
    assert!(svg.text().contains("agglomerative, HSV"));
    // Palette files are for one palette; options are checked as on /api/palette.
    for query in ["format=gpl", "format=ase", "format=hex"] {
        let message = get_url(&format!("{}/api/compare?url={url}&{query}", open())).error(400);
        assert!(message.contains("json, png or svg"), "{message}");
    }
    let message = post(
        &format!("{}/api/compare?format=css", open()),
        "image/png",
        &blobs(),
    )
    .error(400);
    assert!(message.contains("json, png or svg"), "{message}");
    let message = get_url(&format!("{}/api/compare?url={url}&k=99", open())).error(400);
    assert!(message.contains("k must be"), "{message}");
    let message = get_url(&format!("{}/api/compare?url={url}&order=size", open())).error(400);
    assert!(message.contains("unknown order"), "{message}");
    let message = get_url(&format!("{}/api/compare", open())).error(400);
    assert!(message.contains("no still given"), "{message}");
}

#[test]
fn compare_of_a_sample_still() {
    if !samples_available("compare_of_a_sample_still") {
        return;
    }
    let reply = get_url(&format!("{}/api/compare?sample=El_Fuente&k=5", open())).ok();
    let still = data::still("El_Fuente").expect("still");
    let expected = crate_comparison(&still, 5, color_palettes::Order::Matched);
    assert_eq!(reply, serde_json::json!({ "palettes": expected }));
    let png = get_url(&format!(
        "{}/api/compare?sample=El_Fuente&k=5&format=png",
        open()
    ));
    assert_eq!(png.status, 200, "{}", png.text());
    let figure = image::load_from_memory(&png.body).expect("PNG").to_rgb8();
    assert_eq!(figure.width(), 900);
    assert_eq!(common::strips(&figure).len(), 4, "four strips");
}

#[test]
fn palettes_take_an_order_and_export_as_ase_and_css() {
    let url = enc(&format!("{}/blobs.png", host()));
    let share = get_url(&format!("{}/api/palette?url={url}&k=4", open())).ok();
    let palette: color_palettes::Palette = serde_json::from_value(share.clone()).expect("palette");
    for order in [color_palettes::Order::Hue, color_palettes::Order::Lightness] {
        let reply = get_url(&format!(
            "{}/api/palette?url={url}&k=4&order={order}",
            open()
        ))
        .ok();
        let expected = color_palettes::order::ordered(&palette, order, None).expect("ordered");
        assert_eq!(
            reply,
            serde_json::from_str::<Value>(&expected.to_json()).expect("json")
        );
    }
    let message = get_url(&format!("{}/api/palette?url={url}&order=matched", open())).error(400);
    assert!(message.contains("comparison"), "{message}");

    // .ase and .css, from /api/palette and from /api/export: every colour, as attachments.
    let body = share.to_string();
    for reply in [
        get_url(&format!("{}/api/palette?url={url}&k=4&format=ase", open())),
        post(
            &format!("{}/api/export?format=ase&name=blobs", open()),
            "application/json",
            body.as_bytes(),
        ),
    ] {
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert!(reply
            .header("content-disposition")
            .is_some_and(|d| d.starts_with("attachment") && d.contains(".ase")));
        let (_, colours) = common::parse_ase(&reply.body);
        let rgb: Vec<[u8; 3]> = colours.iter().map(|c| c.rgb).collect();
        assert_eq!(rgb, palette.rgb());
    }
    let css = post(
        &format!("{}/api/export?format=css&name=blobs", open()),
        "application/json",
        body.as_bytes(),
    );
    assert_eq!(css.status, 200);
    assert!(css.content_type.starts_with("text/css"));
    for (i, hex) in palette.hex_codes().iter().enumerate() {
        assert!(
            css.text().contains(&format!("--palette-{}: {hex};", i + 1)),
            "{}",
            css.text()
        );
    }
}
