//! Hostile input, issue 11: each test reproduces one attack of the audit (scaled down where
//! the original would take gigabytes) and checks the bound that now stops it. Memory is
//! measured per thread by the counting allocator below, so tests running side by side do
//! not disturb each other's figures. Every network test stays on loopback; every loop is
//! bounded in count and in time.
//!
//! The mutation fuzzer at the end runs for `FUZZ_SECS` seconds (20 by default); a longer run:
//! `FUZZ_SECS=600 cargo test --release --features server --test hardening fuzz -- --nocapture`.

#![cfg(feature = "server")]

#[path = "common/hostile.rs"]
mod hostile;
#[path = "common/serve.rs"]
mod serve;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::{Cursor, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use color_palettes::fetch::FetchPolicy;
use color_palettes::load::LoadLimits;
use color_palettes::server::{self, Config};
use color_palettes::{Error, Figure, Method, PaletteOptions, Still, StripStyle};
use image::{DynamicImage, ImageFormat, RgbImage};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serve::{Binary, Launch};

use hostile::{gif_frame_over_screen, gradient, iccp_bomb, png, webp_frame_over_canvas};

// ---- Memory, per thread ---------------------------------------------------------------

/// The system allocator, counting the bytes each thread holds and its peak.
struct Counting;

thread_local! {
    static HELD: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn count(delta: isize) {
    // try_with: allocations during thread teardown are not counted, never a panic.
    let _ = HELD.try_with(|held| {
        let now = held.get() + delta;
        held.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

// SAFETY: every call is forwarded to `System` unchanged; the counters only observe.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        count(-(layout.size() as isize));
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            count(new_size as isize - layout.size() as isize);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `work` and returns its result with the most memory this thread held meanwhile,
/// above what it held before.
fn peak_of<T>(work: impl FnOnce() -> T) -> (T, usize) {
    let start = HELD.with(Cell::get);
    PEAK.with(|p| p.set(start));
    let out = work();
    let peak = PEAK.with(Cell::get) - start;
    (out, peak.max(0) as usize)
}

const MB: usize = 1024 * 1024;

// ---- Stills ---------------------------------------------------------------------------

fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

/// Limits small enough that a scaled-down bomb is over them: 10 000 pixels, 1 000 a side.
const SMALL: LoadLimits = LoadLimits {
    max_side: 1000,
    max_pixels: 10_000,
};

// ---- 1. Render bomb -------------------------------------------------------------------

#[test]
fn a_tall_still_draws_a_bounded_figure() {
    // 1x100 already asked for an 876x87 600 picture (230 MB); 1x30 000, 68 GB. The small
    // case goes first: without a bound it fails at a few hundred megabytes, before the
    // audit's sizes are tried.
    for (w, h) in [(1, 100), (1, 30_000), (64, 30_000), (30_000, 1)] {
        let still = Still::from_rgb(w, h, &vec![[200, 10, 10]; (w * h) as usize]).unwrap();
        let palette = PaletteOptions::new()
            .k(2)
            .threads(1)
            .extract(&still)
            .unwrap();
        let started = Instant::now();
        let (png, peak) = peak_of(|| {
            let figure = Figure::still_with_strip(&still, &palette, 900, StripStyle::default());
            assert!(
                figure.height() <= 4 * 900,
                "{w}x{h}: figure is {}x{}",
                figure.width(),
                figure.height()
            );
            figure.to_png().unwrap()
        });
        let drawn = image::load_from_memory(&png).unwrap();
        assert!(drawn.height() <= 4 * 900, "{w}x{h}");
        assert!(peak < 64 * MB, "{w}x{h}: peak {} MB", peak / MB);
        assert!(started.elapsed() < Duration::from_secs(20), "{w}x{h}");
    }
}

#[test]
fn a_figure_too_large_to_draw_is_refused_with_a_clear_error() {
    // A wide still in a figure one pixel wider than the largest side drawn: cheap to lay
    // out (16 385 x 284), so without the check it would be drawn, not refused.
    let still = Still::from_rgb(100, 1, &[[1, 2, 3]; 100]).unwrap();
    let palette = PaletteOptions::new().k(1).extract(&still).unwrap();
    let (result, peak) = peak_of(|| {
        Figure::still_with_strip(&still, &palette, 16_385, StripStyle::default()).to_png()
    });
    let err = result.unwrap_err();
    assert!(matches!(err, Error::TooLarge(_)), "{err}");
    assert!(err.to_string().contains("figure"), "{err}");
    assert!(peak < 16 * MB, "peak {} MB", peak / MB);
}

#[test]
fn the_cli_draws_a_tall_still_without_exploding() {
    let dir = std::env::temp_dir().join(format!("hardening-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let tall = dir.join("tall.png");
    std::fs::write(
        &tall,
        png(RgbImage::from_pixel(1, 30_000, image::Rgb([9, 99, 199]))),
    )
    .unwrap();
    let out = dir.join("out.png");
    // 3 GB of address space: the unbounded figure needed 68 GB; a bounded one, megabytes.
    let script = "ulimit -v 3000000; exec \"$0\" extract \"$1\" -k 2 --png \"$2\"";
    let started = Instant::now();
    let status = std::process::Command::new("sh")
        .args(["-c", script, env!("CARGO_BIN_EXE_color-palettes")])
        .arg(&tall)
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&status.stderr);
    assert!(status.status.success(), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(60));
    let drawn = image::open(&out).unwrap();
    assert!(drawn.height() <= 4 * 900, "{}", drawn.height());
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- 5. Decoders ----------------------------------------------------------------------

#[test]
fn a_gif_frame_larger_than_its_screen_is_refused() {
    // A 10x10 screen holding a 1 MP frame, under a 0.3 MP limit: the frame's 4 MB buffer
    // fitted the old allocation limit (16 bytes a pixel of the limit), so it was decoded.
    let limits = LoadLimits {
        max_side: 1000,
        max_pixels: 300_000,
    };
    let bytes = gif_frame_over_screen(1000);
    let (result, peak) = peak_of(|| Still::from_bytes_with_limits(&bytes, limits));
    assert!(peak < MB, "peak {} kB", peak / 1024);
    assert!(matches!(result, Err(Error::TooLarge(_))), "{result:?}");
}

#[test]
fn a_png_icc_profile_bomb_is_not_inflated() {
    // 16 MB of profile in a 100 kB file; the still itself is one pixel.
    let bytes = iccp_bomb(16 * MB);
    assert!(bytes.len() < 200 * 1024, "{}", bytes.len());
    let (result, peak) = peak_of(|| Still::from_bytes_with_limits(&bytes, SMALL));
    // Whether it decodes (profile skipped) or is refused, the profile is never inflated.
    if let Err(e) = &result {
        assert!(matches!(e, Error::TooLarge(_) | Error::Decode(_)), "{e}");
    }
    assert!(peak < 2 * MB, "peak {} MB", peak / MB);
}

#[test]
fn a_webp_frame_larger_than_its_canvas_is_refused() {
    let bytes = webp_frame_over_canvas(1000);
    let (result, peak) = peak_of(|| Still::from_bytes_with_limits(&bytes, SMALL));
    assert!(peak < MB, "peak {} kB", peak / 1024);
    assert!(matches!(result, Err(Error::TooLarge(_))), "{result:?}");
}

#[test]
fn decoding_stays_within_the_documented_budget_for_every_format() {
    // The largest still the limits allow, in every format: decoding it holds at most the
    // 16-bit RGBA buffer the limit is sized for (8 bytes a pixel) plus the 8-bit copy.
    let limits = LoadLimits {
        max_side: 1000,
        max_pixels: 250_000,
    };
    let image = DynamicImage::ImageRgb8(gradient(500, 500));
    for format in [
        ImageFormat::Jpeg,
        ImageFormat::Png,
        ImageFormat::WebP,
        ImageFormat::Gif,
        ImageFormat::Bmp,
        ImageFormat::Tiff,
    ] {
        let bytes = encode(&image, format);
        let (still, peak) = peak_of(|| Still::from_bytes_with_limits(&bytes, limits));
        let still = still.unwrap_or_else(|e| panic!("{format:?}: {e}"));
        assert_eq!((still.width(), still.height()), (500, 500));
        let budget = 250_000 * 12 + 2 * MB;
        assert!(peak <= budget, "{format:?}: peak {peak} > {budget}");
    }
}

// ---- Servers --------------------------------------------------------------------------

type BoxedServe = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

/// Starts `app` on a loopback port, on its own runtime thread, for the rest of the process.
fn spawn(app: impl FnOnce(tokio::net::TcpListener) -> BoxedServe + Send + 'static) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel::<SocketAddr>();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            tx.send(listener.local_addr().expect("addr")).expect("send");
            app(listener).await;
        });
    });
    rx.recv().expect("server started")
}

fn start(config: Config) -> SocketAddr {
    spawn(move |listener| {
        Box::pin(async move {
            server::serve(listener, config, std::future::pending())
                .await
                .expect("serve");
        })
    })
}

/// A server that may fetch from loopback, with two jobs and quiet logs.
fn config() -> Config {
    Config {
        fetch: FetchPolicy {
            allow_private: true,
            ..FetchPolicy::default()
        },
        max_jobs: 2,
        log_requests: false,
        ..Config::default()
    }
}

/// A reply read to the end of a `Connection: close` exchange.
#[derive(Debug)]
struct Reply {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The message of a JSON error with `status`.
    #[track_caller]
    fn error(&self, status: u16) -> String {
        assert_eq!(self.status, status, "{}\n{}", self.head, self.text());
        assert!(
            self.head
                .to_ascii_lowercase()
                .contains("content-type: application/json"),
            "{}",
            self.head
        );
        let value: serde_json::Value = serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()));
        value["error"]
            .as_str()
            .expect("an error message")
            .to_owned()
    }
}

/// Sends `head` (request line and headers, without the blank line) and `body`, and reads
/// the reply, giving up after `timeout`.
fn exchange(
    addr: SocketAddr,
    head: &str,
    body: &[u8],
    timeout: Duration,
) -> std::io::Result<Reply> {
    let mut stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let mut request = format!("{head}\r\nHost: {addr}\r\nConnection: close\r\n");
    if !body.is_empty() {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes())?;
    // The server may answer (and close) before reading a body it refuses.
    let _ = stream.write_all(body);
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse_reply(&raw)
}

fn parse_reply(raw: &[u8]) -> std::io::Result<Reply> {
    let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, "no HTTP reply");
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(bad)?;
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(bad)?;
    Ok(Reply {
        status,
        head,
        body: raw[end + 4..].to_vec(),
    })
}

fn get_path(addr: SocketAddr, path: &str) -> Reply {
    exchange(
        addr,
        &format!("GET {path} HTTP/1.1"),
        &[],
        Duration::from_secs(60),
    )
    .unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

fn post_png(addr: SocketAddr, path: &str, body: &[u8]) -> Reply {
    exchange(
        addr,
        &format!("POST {path} HTTP/1.1\r\nContent-Type: image/png"),
        body,
        Duration::from_secs(60),
    )
    .unwrap_or_else(|e| panic!("POST {path}: {e}"))
}

fn enc(url: &str) -> String {
    url.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

// ---- 1 and 4. The render bomb on the server, and a bounded job ---------------------------

#[test]
fn tall_uploads_get_a_bounded_figure_from_the_server() {
    let server = start(config());
    // The audit's 64x30 000 still: its figure took 110 s and 3 GB; 1x30 000 took 9 GB. The
    // small cases go first: unbounded, they fail at a few hundred megabytes.
    for (w, h, format) in [
        (64, 3_000, "png"),
        (1, 100, "svg"),
        (64, 30_000, "png"),
        (1, 30_000, "svg"),
        (1, 30_000, "png"),
    ] {
        let bytes = png(gradient(w, h));
        let started = Instant::now();
        let reply = post_png(server, &format!("/api/palette?format={format}&k=2"), &bytes);
        let took = started.elapsed();
        assert_eq!(reply.status, 200, "{w}x{h} {format}: {}", reply.text());
        assert!(took < Duration::from_secs(30), "{w}x{h} {format}: {took:?}");
        if format == "png" {
            let figure = image::load_from_memory(&reply.body).unwrap();
            assert!(figure.height() <= 4 * 900, "{w}x{h}: {}", figure.height());
        } else {
            assert!(
                reply.body.len() < 4 * MB,
                "{w}x{h}: {} bytes",
                reply.body.len()
            );
        }
    }
}

// ---- 2. Downloads waiting for a job ---------------------------------------------------

/// A loopback image host; `served` counts the images it has started sending.
fn image_host(served: Arc<AtomicUsize>) -> SocketAddr {
    static NOISE: OnceLock<Vec<u8>> = OnceLock::new();
    let noise = NOISE
        .get_or_init(|| {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
            png(RgbImage::from_fn(300, 300, |_, _| image::Rgb(rng.gen())))
        })
        .clone();
    let app = Router::new().route(
        "/noise.png",
        get(move || {
            let noise = noise.clone();
            served.fetch_add(1, Ordering::SeqCst);
            async move { ([(header::CONTENT_TYPE, "image/png")], noise).into_response() }
        }),
    );
    spawn(move |listener| {
        Box::pin(async move {
            axum::serve(listener, app).await.expect("host");
        })
    })
}

#[test]
fn downloads_waiting_for_a_job_are_bounded() {
    let served = Arc::new(AtomicUsize::new(0));
    let host = image_host(Arc::clone(&served));
    let max_fetches = 2;
    let server = start(Config {
        max_jobs: 1,
        max_fetches,
        ..config()
    });
    let answered = Arc::new(AtomicUsize::new(0));
    let url = enc(&format!("http://{host}/noise.png"));
    let clients: Vec<_> = (0..24)
        .map(|_| {
            let (answered, url) = (Arc::clone(&answered), url.clone());
            std::thread::spawn(move || {
                let reply = get_path(server, &format!("/api/palette?url={url}&k=8"));
                answered.fetch_add(1, Ordering::SeqCst);
                reply.status
            })
        })
        .collect();
    // Downloaded but not yet answered: what the server holds in memory (an upper bound).
    let mut most_held = 0;
    let deadline = Instant::now() + Duration::from_secs(120);
    while answered.load(Ordering::SeqCst) < 24 && Instant::now() < deadline {
        let held = served
            .load(Ordering::SeqCst)
            .saturating_sub(answered.load(Ordering::SeqCst));
        most_held = most_held.max(held);
        std::thread::sleep(Duration::from_millis(2));
    }
    for client in clients {
        assert_eq!(client.join().unwrap(), 200);
    }
    // The server holds at most `max_fetches` encoded stills and one decoded still per job;
    // the count may also lag an answer or three behind on a loaded machine. Without the
    // budget, every one of the 24 downloads was held at once.
    let max_jobs = 1;
    assert!(
        most_held <= max_fetches + max_jobs + 3,
        "{most_held} downloads held at once (budget {max_fetches} + {max_jobs} job)"
    );
}

// ---- Issue 23, finding 3: 16-bit stills against the memory budget ----------------------

/// The most jobs `/healthz` saw running at once while `stills` were posted together.
fn most_jobs_running(server: SocketAddr, stills: &[Vec<u8>]) -> u64 {
    let clients: Vec<_> = stills
        .iter()
        .cloned()
        .map(|still| std::thread::spawn(move || post_png(server, "/api/palette?k=16", &still)))
        .collect();
    let mut most = 0;
    let deadline = Instant::now() + Duration::from_secs(120);
    while !clients.iter().all(std::thread::JoinHandle::is_finished) && Instant::now() < deadline {
        let health: serde_json::Value =
            serde_json::from_slice(&get_path(server, "/healthz").body).expect("healthz is JSON");
        most = most.max(health["jobs_running"].as_u64().expect("jobs_running"));
        assert!(
            health["memory_in_use_mb"].as_u64() <= health["memory_budget_mb"].as_u64(),
            "{health}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    for client in clients {
        let reply = client.join().unwrap();
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
    most
}

#[test]
fn sixteen_bit_stills_are_admitted_at_their_real_size() {
    // The audit's attack, scaled down: stills at the pixel limit (4 MP here, 50 MP by
    // default), 16-bit RGBA, two job slots. The default budget has room for two jobs on
    // the largest 8-bit still (8 bytes a pixel each: the still and its cropped copy), and a
    // 16-bit one holds 12 bytes a pixel while it decodes (its 16-bit buffer and the 8-bit
    // still): counted at its real size, two do not fit at once. Before, they ran side by
    // side (the audit: 600 MB a 50 MP job, 1.9 GB for the crowd, against 1.4 GB stated).
    let (width, height) = (2_000, 2_000);
    let server = start(Config {
        fetch: FetchPolicy {
            limits: LoadLimits {
                max_side: 30_000,
                max_pixels: width * height,
            },
            ..config().fetch
        },
        ..config()
    });
    let (w, h) = (width as u32, height as u32);
    let rgba16 = hostile::png16(image::ImageBuffer::from_fn(w, h, |x, y| {
        let v = ((x * 37 + y * 11) % 65_536) as u16;
        image::Rgba([v, v.wrapping_mul(3), (x * 65_535 / w) as u16, 65_535])
    }));
    let most = most_jobs_running(server, &[rgba16.clone(), rgba16]);
    assert_eq!(
        most, 1,
        "two 16-bit jobs ran at once, over the memory budget"
    );
    // The same stills at 8 bits still run a job a slot.
    let rgba8 = encode(
        &DynamicImage::ImageRgba8(image::RgbaImage::from_fn(w, h, |x, y| {
            let v = ((x * 37 + y * 11) % 256) as u8;
            image::Rgba([v, v.wrapping_mul(3), (x * 255 / w) as u8, 255])
        })),
        ImageFormat::Png,
    );
    let most = most_jobs_running(server, &[rgba8.clone(), rgba8]);
    assert_eq!(most, 2, "two 8-bit jobs did not run side by side");
}

// ---- 3. Idle connections --------------------------------------------------------------

#[test]
fn healthz_answers_under_300_idle_connections() {
    // Under an open-file limit of 256, as the audit ran it.
    let server = Binary::launch(&Launch {
        max_open_files: Some(256),
        ..Launch::default()
    });
    let idle: Vec<TcpStream> = (0..300)
        .filter_map(|_| TcpStream::connect_timeout(&server.addr, Duration::from_secs(2)).ok())
        .collect();
    assert!(idle.len() >= 250, "only {} connections opened", idle.len());
    let mut answered = 0;
    for _ in 0..6 {
        let started = Instant::now();
        if let Ok(reply) = exchange(
            server.addr,
            "GET /healthz HTTP/1.1",
            &[],
            Duration::from_secs(3),
        ) {
            if reply.status == 200 && started.elapsed() < Duration::from_secs(3) {
                answered += 1;
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(idle);
    assert_eq!(answered, 6, "health checks answered");
}

// ---- 7. Slow clients ------------------------------------------------------------------

#[test]
fn slow_uploaders_do_not_hold_the_upload_slots() {
    let server = start(Config {
        max_uploads: 2,
        ..config()
    });
    let still = png(gradient(16, 16));
    // Two uploaders announce a body and send it at a byte a second.
    let slow: Vec<_> = (0..2)
        .map(|_| {
            let len = still.len();
            std::thread::spawn(move || {
                let Ok(mut stream) = TcpStream::connect(server) else {
                    return;
                };
                let head = format!(
                    "POST /api/palette HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
                );
                let _ = stream.write_all(head.as_bytes());
                for _ in 0..30 {
                    if stream.write_all(&[0]).is_err() {
                        return;
                    }
                    std::thread::sleep(Duration::from_secs(1));
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let started = Instant::now();
    let reply = exchange(
        server,
        "POST /api/palette?k=2 HTTP/1.1\r\nContent-Type: image/png",
        &still,
        Duration::from_secs(25),
    )
    .expect("a normal upload is answered");
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "a normal upload waited {:?} behind two slow ones",
        started.elapsed()
    );
    for s in slow {
        s.join().unwrap();
    }
}

/// A loopback host that sends headers, then trickles the body a byte every 200 ms.
fn trickling_host(declared: usize, bytes: usize) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        // Bounded: at most 16 connections, each at most `bytes` bytes.
        for stream in listener.incoming().take(16) {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 2048];
                let _ = stream.read(&mut buf);
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {declared}\r\n\r\n"
                );
                let _ = stream.write_all(head.as_bytes());
                for _ in 0..bytes {
                    if stream.write_all(&[0]).is_err() {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(200));
                }
            });
        }
    });
    addr
}

#[test]
fn slow_downloads_do_not_hold_the_download_slots() {
    let slow = trickling_host(1000, 150);
    let served = Arc::new(AtomicUsize::new(0));
    let fast = image_host(served);
    let server = start(Config {
        max_fetches: 2,
        ..config()
    });
    let slow_url = enc(&format!("http://{slow}/slow.png"));
    let slow_clients: Vec<_> = (0..2)
        .map(|_| {
            let path = format!("/api/palette?url={slow_url}");
            std::thread::spawn(move || get_path(server, &path).status)
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let started = Instant::now();
    let reply = get_path(
        server,
        &format!(
            "/api/palette?k=2&url={}",
            enc(&format!("http://{fast}/noise.png"))
        ),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(
        started.elapsed() < Duration::from_secs(12),
        "a fast download waited {:?} behind two slow ones",
        started.elapsed()
    );
    for c in slow_clients {
        // Too slow: cut off, answered as a gateway timeout.
        assert_eq!(c.join().unwrap(), 504);
    }
}

// ---- 8. Contract slips ----------------------------------------------------------------

#[test]
fn a_slow_remote_body_is_a_504() {
    // Headers at once, then a byte every 200 ms: past the 1 s download limit.
    let host = trickling_host(1000, 40);
    let server = start(Config {
        fetch: FetchPolicy {
            allow_private: true,
            timeout: Duration::from_secs(1),
            ..FetchPolicy::default()
        },
        ..config()
    });
    let url = enc(&format!("http://{host}/slow.png"));
    let message = get_path(server, &format!("/api/palette?url={url}")).error(504);
    assert!(message.contains("timed out"), "{message}");
}

#[test]
fn the_download_limit_is_named_as_documented() {
    // Declares 30 MB: over the documented 25 MB.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let host = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        if let Some(Ok(mut stream)) = listener.incoming().next() {
            let mut buf = [0u8; 2048];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 30000000\r\n\r\n");
        }
    });
    let server = start(config());
    let url = enc(&format!("http://{host}/big.png"));
    let message = get_path(server, &format!("/api/palette?url={url}")).error(413);
    assert!(message.contains("25 MB"), "{message}");
}

#[test]
fn hypers_own_refusals_are_json() {
    let server = start(config());
    // 70 kB of URI: over hyper's URI limit, and over the head limit (414 or 431).
    let long_uri = format!("GET /{} HTTP/1.1", "a".repeat(70_000));
    let reply = exchange(server, &long_uri, &[], Duration::from_secs(10)).unwrap();
    assert!(matches!(reply.status, 414 | 431), "{}", reply.head);
    let message = reply.error(reply.status);
    assert!(!message.is_empty());
    let big_header = format!("GET /healthz HTTP/1.1\r\nX-Big: {}", "b".repeat(600_000));
    let reply = exchange(server, &big_header, &[], Duration::from_secs(10)).unwrap();
    reply.error(431);
    let many = (0..150)
        .map(|i| format!("X-{i}: {i}"))
        .collect::<Vec<_>>()
        .join("\r\n");
    let reply = exchange(
        server,
        &format!("GET /healthz HTTP/1.1\r\n{many}"),
        &[],
        Duration::from_secs(10),
    )
    .unwrap();
    reply.error(431);
    let reply = exchange(server, "GARBAGE", &[], Duration::from_secs(10)).unwrap();
    reply.error(400);
}

#[test]
fn out_of_range_ports_are_refused() {
    // The strict server: were the port ignored, 127.0.0.1 would be a 403, not a 400.
    let server = start(Config {
        fetch: FetchPolicy::default(),
        ..config()
    });
    for url in ["http://127.0.0.1:99999/a.png", "http://127.0.0.1:0/a.png"] {
        let message = get_path(server, &format!("/api/palette?url={}", enc(url))).error(400);
        assert!(message.contains("port"), "{url}: {message}");
    }
    get_path(
        server,
        &format!("/api/palette?url={}", enc("http://127.0.0.1:-1/a.png")),
    )
    .error(400);
}

// ---- 9. Mutation fuzzing --------------------------------------------------------------

/// One small still of every supported format, with a few variants (alpha, 16-bit, palette,
/// animation), for the fuzzer to mutate.
fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let rgb = DynamicImage::ImageRgb8(gradient(24, 16));
    let rgba = DynamicImage::ImageRgba8(image::RgbaImage::from_fn(12, 10, |x, y| {
        image::Rgba([
            (x * 20) as u8,
            (y * 25) as u8,
            90,
            if x % 3 == 0 { 0 } else { 255 },
        ])
    }));
    let rgb16 = DynamicImage::ImageRgb16(image::ImageBuffer::from_fn(10, 8, |x, y| {
        image::Rgb([(x * 6000) as u16, (y * 8000) as u16, 30000])
    }));
    let grey = DynamicImage::ImageLuma8(image::GrayImage::from_fn(9, 9, |x, y| {
        image::Luma([(x * y * 3) as u8])
    }));
    let mut animated = Vec::new();
    {
        let mut encoder = image::codecs::gif::GifEncoder::new(&mut animated);
        for colour in [[255, 0, 0, 255], [0, 0, 255, 255]] {
            let frame = image::Frame::new(image::RgbaImage::from_pixel(6, 6, image::Rgba(colour)));
            encoder.encode_frame(frame).expect("gif frame");
        }
    }
    vec![
        ("jpeg", encode(&rgb, ImageFormat::Jpeg)),
        ("png", encode(&rgb, ImageFormat::Png)),
        ("png-rgba", encode(&rgba, ImageFormat::Png)),
        ("png-16", encode(&rgb16, ImageFormat::Png)),
        ("png-grey", encode(&grey, ImageFormat::Png)),
        ("webp", encode(&rgb, ImageFormat::WebP)),
        ("webp-rgba", encode(&rgba, ImageFormat::WebP)),
        ("gif", encode(&rgb, ImageFormat::Gif)),
        ("gif-animated", animated),
        ("bmp", encode(&rgb, ImageFormat::Bmp)),
        ("bmp-rgba", encode(&rgba, ImageFormat::Bmp)),
        ("tiff", encode(&rgb, ImageFormat::Tiff)),
        ("tiff-16", encode(&rgb16, ImageFormat::Tiff)),
        ("jpeg-grey", encode(&grey, ImageFormat::Jpeg)),
    ]
}

/// A copy of `seed` with one to four random edits: bit flips, interesting values (dimension
/// fields are where bombs live), truncation, duplicated or deleted runs.
fn mutate(seed: &[u8], rng: &mut Xoshiro256PlusPlus) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for _ in 0..rng.gen_range(1..=4) {
        if bytes.is_empty() {
            bytes.push(rng.gen());
        }
        let at = rng.gen_range(0..bytes.len());
        match rng.gen_range(0..7) {
            0 => bytes[at] ^= 1 << rng.gen_range(0..8),
            1 => bytes[at] = [0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe][rng.gen_range(0..6)],
            2 => {
                // A big 16- or 32-bit value, either byte order.
                let value: u32 =
                    [0xffff_ffff, 0x7fff_ffff, 0xffff, 0x7fff, 0x8000, 30_001][rng.gen_range(0..6)];
                let le = value.to_le_bytes();
                let be = value.to_be_bytes();
                let src = if rng.gen() { le } else { be };
                let n = if rng.gen() { 2 } else { 4 };
                for (i, b) in src.iter().take(n).enumerate() {
                    if let Some(slot) = bytes.get_mut(at + i) {
                        *slot = *b;
                    }
                }
            }
            3 => bytes.truncate(at.max(1)),
            4 => {
                let end = (at + rng.gen_range(1..64)).min(bytes.len());
                let run = bytes[at..end].to_vec();
                let to = rng.gen_range(0..=bytes.len());
                bytes.splice(to..to, run);
            }
            5 => {
                let end = (at + rng.gen_range(1..16)).min(bytes.len());
                bytes.drain(at..end);
            }
            _ => {
                let n = rng.gen_range(1..8);
                let to = rng.gen_range(0..=bytes.len());
                let noise: Vec<u8> = (0..n).map(|_| rng.gen()).collect();
                bytes.splice(to..to, noise);
            }
        }
    }
    bytes
}

/// What one input may cost: the limits below let a still of 0.25 MP through.
const FUZZ_LIMITS: LoadLimits = LoadLimits {
    max_side: 2000,
    max_pixels: 250_000,
};
const FUZZ_DECODE_BUDGET: usize = 250_000 * 12 + 4 * MB;
const FUZZ_TOTAL_BUDGET: usize = 400 * MB;
const FUZZ_INPUT_TIME: Duration = Duration::from_secs(20);

/// Load, every method, and both figure formats, on one input; `Err` is a clean refusal.
fn pipeline(bytes: &[u8]) -> color_palettes::Result<usize> {
    let (still, decode_peak) = peak_of(|| Still::from_bytes_with_limits(bytes, FUZZ_LIMITS));
    assert!(
        decode_peak <= FUZZ_DECODE_BUDGET,
        "decode peak {decode_peak}"
    );
    let still = still?;
    let mut drawn = 0;
    for method in [Method::Kmeans, Method::Agglomerative, Method::Accent] {
        let palette = match PaletteOptions::new()
            .k(4)
            .method(method)
            .threads(1)
            .extract(&still)
        {
            Ok(p) => p,
            Err(Error::NoPixels(_)) => continue,
            Err(e) => return Err(e),
        };
        let figure = Figure::still_with_strip(&still, &palette, 240, StripStyle::default());
        drawn += figure.to_png()?.len();
        if method == Method::Kmeans {
            drawn += figure.to_svg()?.len();
        }
    }
    Ok(drawn)
}

#[test]
fn fuzz_mutated_stills_of_every_format() {
    let secs: u64 = std::env::var("FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let first_seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let seeds = seeds();
    // Every seed must go through unmutated first: the fuzzer would be blind otherwise.
    for (name, bytes) in &seeds {
        pipeline(bytes).unwrap_or_else(|e| panic!("seed {name}: {e}"));
    }
    let stop = Instant::now() + Duration::from_secs(secs);
    let (mut runs, mut accepted, mut refused) = (0u64, 0u64, 0u64);
    let mut worst = (Duration::ZERO, 0usize);
    // Bounded by time and by count (a million inputs).
    for case in first_seed..first_seed + 1_000_000 {
        if Instant::now() >= stop {
            break;
        }
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(case);
        let (name, seed) = &seeds[rng.gen_range(0..seeds.len())];
        let input = mutate(seed, &mut rng);
        let started = Instant::now();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            peak_of(|| pipeline(&input))
        }));
        let took = started.elapsed();
        let (result, peak) = match outcome {
            Ok(r) => r,
            Err(_) => {
                let path = save_crash(case, &input);
                panic!(
                    "case {case} ({name}) panicked; input saved to {}",
                    path.display()
                );
            }
        };
        if took > FUZZ_INPUT_TIME || peak > FUZZ_TOTAL_BUDGET {
            let path = save_crash(case, &input);
            panic!(
                "case {case} ({name}) took {took:?} and {} MB; input saved to {}",
                peak / MB,
                path.display()
            );
        }
        worst = (worst.0.max(took), worst.1.max(peak));
        match result {
            Ok(_) => accepted += 1,
            Err(e) => {
                let line = e.to_string();
                assert!(
                    !line.contains('\n'),
                    "case {case}: a multi-line error: {line}"
                );
                refused += 1;
            }
        }
        runs += 1;
    }
    eprintln!(
        "fuzz: {runs} mutated stills ({accepted} decoded, {refused} refused) from seed {first_seed}; \
         slowest {:?}, most memory {:.1} MB",
        worst.0,
        worst.1 as f64 / MB as f64
    );
    assert!(runs >= 20, "only {runs} inputs in {secs} s");
}

fn save_crash(case: u64, input: &[u8]) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-crashes");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("case-{case}.bin"));
    let _ = std::fs::write(&path, input);
    path
}
