//! End to end: the web page in a real headless Chromium, driven over WebDriver (chromedriver).
//!
//! Opens the page, picks a sample still and generates its palette (checking the swatches, their
//! shares, the strip's colours and widths, the clipboard and the three downloads), sets the
//! method, space and seed controls, uploads a file and drops one, triggers an error, checks
//! the brightness rule, and repeats on a phone-sized screen. Screenshots go to
//! `target/test-artifacts/`.
//!
//! Needs Debian's `chromium` and `chromium-driver` (or `CHROMIUM` / `CHROMEDRIVER` pointing at
//! them) and the sample stills (`COLOR_PALETTES_DATA`, else `data/cache/`). Without them the
//! test fails, saying what is missing; `COLOR_PALETTES_SKIP=web` skips it, on purpose.

#![cfg(feature = "server")]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use color_palettes::format::FIGURE_WIDTH;
use color_palettes::server::{self, Config};
use color_palettes::{data, ColorSpace, Figure, Method, Palette, PaletteOptions, StripStyle};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// How long the page may take to show a palette (unoptimised test builds cluster slowly).
const PATIENCE: Duration = Duration::from_secs(90);

/// Fails the test, saying what is missing and how to get it (or to skip the test).
fn missing(why: &str) -> ! {
    panic!(
        "{why}: the browser test needs it (`{}=web` skips this test, on purpose)",
        common::SKIP_ENV
    )
}

/// `$var`, else the first of `candidates` that exists, else `name` found on PATH.
fn program(var: &str, candidates: &[&str], name: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(var) {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    candidates
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .or_else(|| {
            std::env::split_paths(&std::env::var_os("PATH")?)
                .map(|dir| dir.join(name))
                .find(|p| p.is_file())
        })
}

fn artifacts() -> PathBuf {
    // CARGO_TARGET_TMPDIR is target/tmp: keep the screenshots beside it.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap_or(Path::new("target"))
        .join("test-artifacts");
    std::fs::create_dir_all(&dir).expect("create target/test-artifacts");
    dir
}

/// chromedriver, killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start(chromedriver: &Path) -> Driver {
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
            probe.local_addr().expect("addr").port()
        };
        let log = std::fs::File::create(artifacts().join("chromedriver.log")).expect("log file");
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::from(log.try_clone().expect("log")))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("start chromedriver");
        let driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        driver
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn browser(driver: &Driver, chromium: &Path, profile: &Path) -> Client {
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--lang=en-GB",
        "--window-size=1280,900",
    ]
    .map(str::to_owned)
    .into_iter()
    .chain([format!("--user-data-dir={}", profile.display())])
    .collect::<Vec<_>>();
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {"binary": chromium, "args": args}
    });
    let Value::Object(capabilities) = capabilities else {
        unreachable!("a JSON object")
    };
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("a Chromium session")
}

async fn start_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let config = Config {
        log_requests: false,
        ..Config::default()
    };
    tokio::spawn(server::serve(listener, config, std::future::pending()));
    format!("http://{addr}")
}

/// Polls `check` until it gives `Some`, or fails after [`PATIENCE`] saying what it waited for.
async fn wait_for<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn js(client: &Client, script: &str) -> Value {
    client.execute(script, vec![]).await.expect(script)
}

/// The hex codes of the swatches on the page, once the page is not busy.
async fn swatch_hexes(client: &Client) -> Vec<String> {
    let value = js(
        client,
        "if (document.getElementById('form').getAttribute('aria-busy')) return null;
         if (document.getElementById('result').hidden) return null;
         return Array.from(document.querySelectorAll('#swatches .swatch code')).map(c => c.textContent);",
    )
    .await;
    serde_json::from_value(value).unwrap_or_default()
}

async fn screenshot(client: &Client, name: &str) -> PathBuf {
    let png = client.screenshot().await.expect("screenshot");
    let path = artifacts().join(name);
    std::fs::write(&path, &png).expect("write screenshot");
    path
}

/// Records whether the progress indicator is ever shown from now on.
async fn watch_progress(client: &Client) {
    js(
        client,
        "window.sawProgress = false;
         const p = document.getElementById('progress');
         new MutationObserver(() => { if (!p.hidden) window.sawProgress = true; })
             .observe(p, {attributes: true});",
    )
    .await;
}

async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

async fn generate_and_wait(client: &Client, expect: usize) -> Vec<String> {
    js(
        client,
        "document.getElementById('swatches').replaceChildren(); return null;",
    )
    .await;
    watch_progress(client).await;
    click(client, "#generate").await;
    let hexes = wait_for("the swatches", || async {
        let error = js(
            client,
            "const e = document.getElementById('error'); return e.hidden ? null : e.textContent;",
        )
        .await;
        assert!(error.is_null(), "the page shows an error: {error}");
        Some(swatch_hexes(client).await).filter(|h| h.len() == expect)
    })
    .await;
    assert_eq!(
        js(client, "return window.sawProgress;").await,
        json!(true),
        "progress shown"
    );
    for hex in &hexes {
        assert!(
            hex.len() == 7
                && hex.starts_with('#')
                && hex[1..]
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
            "{hex}"
        );
    }
    hexes
}

/// Checks what the page shows of `expected`: the hex codes, the share of each swatch (the
/// number shown, to its rounding), and the strip under the still: one part per colour, in
/// order, painted that colour, as wide as its share (to the strip's 6 px padding per part).
async fn check_shown_palette(client: &Client, expected: &Palette) {
    let shown = js(
        client,
        "return {
             hexes: Array.from(document.querySelectorAll('#swatches .swatch code')).map(c => c.textContent),
             shares: Array.from(document.querySelectorAll('#swatches .share')).map(s => s.textContent),
             strip: Array.from(document.querySelectorAll('#strip > div')).map(d =>
                 [getComputedStyle(d).backgroundColor, d.getBoundingClientRect().width]),
             stripShown: !document.getElementById('strip').hidden,
         };",
    )
    .await;
    assert_eq!(shown["hexes"], json!(expected.hex_codes()), "the swatches");
    let shares = shown["shares"].as_array().expect("shares");
    assert_eq!(shares.len(), expected.len());
    for (share, swatch) in shares.iter().zip(&expected.colors) {
        let text = share.as_str().expect("text");
        let value: f64 = text
            .strip_suffix(" %")
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("a share as 'N.N %': {text:?}"));
        let decimals = text.split('.').nth(1).map_or(0, |d| d.len() - 2);
        let rounding = 0.5 * 10f64.powi(-(decimals as i32)) + 1e-9;
        assert!(
            (value - swatch.proportion * 100.0).abs() <= rounding,
            "{}: the page says {text}, the palette {:.4} %",
            swatch.hex,
            swatch.proportion * 100.0
        );
    }
    assert_eq!(shown["stripShown"], json!(true), "the strip is shown");
    let parts = shown["strip"].as_array().expect("strip");
    assert_eq!(parts.len(), expected.len(), "one strip part per colour");
    let total: f64 = parts.iter().map(|p| p[1].as_f64().expect("width")).sum();
    for (part, swatch) in parts.iter().zip(&expected.colors) {
        let [r, g, b] = swatch.rgb;
        assert_eq!(
            part[0],
            json!(format!("rgb({r}, {g}, {b})")),
            "{}",
            swatch.hex
        );
        let width = part[1].as_f64().expect("width");
        let want = swatch.proportion * total;
        assert!(
            (width - want).abs() <= 8.0,
            "{}: {width:.1} px of {total:.1}, its share is {want:.1} px",
            swatch.hex
        );
    }
}

/// Makes the page's downloads observable: a link clicked to download a blob is recorded in
/// `window.downloads` as `{name, data}` (data: a `data:` URL of the blob) instead of saved.
async fn capture_downloads(client: &Client) {
    js(
        client,
        "window.downloads = [];
         const blobs = new Map();
         const create = URL.createObjectURL;
         URL.createObjectURL = (blob) => { const url = create(blob); blobs.set(url, blob); return url; };
         const click = HTMLAnchorElement.prototype.click;
         HTMLAnchorElement.prototype.click = function () {
             if (!this.download || !blobs.has(this.href)) return click.call(this);
             const name = this.download;
             const reader = new FileReader();
             reader.onload = () => window.downloads.push({name, data: reader.result});
             reader.readAsDataURL(blobs.get(this.href));
         };
         return null;",
    )
    .await;
}

/// Clicks the download button for `format` and returns the file's name and bytes.
async fn download(client: &Client, format: &str) -> (String, Vec<u8>) {
    use base64::Engine as _;
    js(client, "window.downloads = []; return null;").await;
    click(client, &format!("[data-download='{format}']")).await;
    let file = wait_for(&format!("the {format} download"), || async {
        let d = js(client, "return window.downloads[0] || null;").await;
        (!d.is_null()).then_some(d)
    })
    .await;
    let name = file["name"].as_str().expect("name").to_owned();
    let data = file["data"].as_str().expect("data");
    let (_, encoded) = data.split_once(";base64,").expect("a base64 data URL");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .expect("base64");
    (name, bytes)
}

/// What a paste (Ctrl+V) into a fresh text field of the page gives: the clipboard's text.
async fn clipboard(client: &Client) -> String {
    js(
        client,
        "document.getElementById('paste-target')?.remove();
         const t = document.createElement('textarea');
         t.id = 'paste-target';
         document.body.append(t);
         t.focus();
         return null;",
    )
    .await;
    let paste = format!("{}v", char::from(Key::Control));
    client
        .find(Locator::Id("paste-target"))
        .await
        .expect("the paste target")
        .send_keys(&paste)
        .await
        .expect("paste");
    let text = js(
        client,
        "const t = document.getElementById('paste-target'); const v = t.value; t.remove(); return v;",
    )
    .await;
    text.as_str().expect("text").to_owned()
}

/// Sets the method, space and seed controls (opening "More options" for the seed).
async fn set_controls(client: &Client, method: Method, space: ColorSpace, seed: u64) {
    for (id, value) in [("method", method.name()), ("space", space.name())] {
        client
            .find(Locator::Id(id))
            .await
            .expect(id)
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("{id} = {value}: {e}"));
    }
    let open = js(client, "return document.querySelector('details').open;").await;
    if open != json!(true) {
        click(client, "details summary").await;
    }
    let field = client.find(Locator::Id("seed")).await.expect("seed");
    field.clear().await.expect("clear the seed");
    field
        .send_keys(&seed.to_string())
        .await
        .expect("type the seed");
}

/// Moves the k slider to `k` with the arrow keys.
async fn set_k(client: &Client, k: usize) {
    let slider = client.find(Locator::Id("k")).await.expect("k slider");
    let now: usize = js(client, "return Number(document.getElementById('k').value);")
        .await
        .as_u64()
        .expect("k") as usize;
    let key = if k < now { Key::Left } else { Key::Right };
    slider
        .send_keys(&char::from(key).to_string().repeat(now.abs_diff(k)))
        .await
        .expect("move k");
    assert_eq!(
        js(
            client,
            "return document.getElementById('k-value').textContent;"
        )
        .await,
        json!(k.to_string())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_makes_palettes_in_a_real_browser() {
    if common::skipped("web", "the_page_makes_palettes_in_a_real_browser") {
        return;
    }
    let Some(chromium) = program(
        "CHROMIUM",
        &["/usr/bin/chromium", "/usr/bin/chromium-browser"],
        "chromium",
    ) else {
        missing("chromium is not installed (apt-get install chromium chromium-driver)");
    };
    let Some(chromedriver) = program("CHROMEDRIVER", &["/usr/bin/chromedriver"], "chromedriver")
    else {
        missing("chromedriver is not installed (apt-get install chromium-driver)");
    };
    let sample = "El_Fuente";
    let still = color_palettes::Still::open(common::still_path(sample)).expect("the sample still");

    let base = start_server().await;
    let driver = Driver::start(&chromedriver);
    let profile =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("chromium-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&profile);
    let client = browser(&driver, &chromium, &profile).await;
    let outcome = tokio::spawn(run(client.clone(), base, still, sample)).await;
    let _ = client.close().await;
    drop(driver);
    let _ = std::fs::remove_dir_all(&profile);
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

async fn run(client: Client, base: String, still: color_palettes::Still, sample: &str) {
    client
        .set_window_rect(0, 0, 1280, 900)
        .await
        .expect("window size");
    client.goto(&base).await.expect("open the page");
    assert_eq!(
        client.title().await.expect("title"),
        "Colour palettes from film stills"
    );

    // 1. A sample still, five colours: the same palette the crate computes.
    let label = format!("//label[contains(@class, 'sample')][input[@value='{sample}']]");
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::XPath(&label))
        .await
        .expect("the sample picker")
        .click()
        .await
        .expect("choose the sample");
    capture_downloads(&client).await;
    set_k(&client, 5).await;
    let hexes = generate_and_wait(&client, 5).await;
    let expected = PaletteOptions::new().k(5).extract(&still).expect("palette");
    assert_eq!(
        hexes,
        expected.hex_codes(),
        "the page shows the crate's palette"
    );
    check_shown_palette(&client, &expected).await;
    // The page's accessibility fixes: focus stays on Generate, the heading names the method
    // and space, the still has alt text, the progress bar has a name, and a swatch as dark
    // as the panel has a light edge.
    let page = js(
        &client,
        "const dark = Array.from(document.querySelectorAll('#swatches .chip.near-panel'))
             .map(c => getComputedStyle(c).boxShadow);
         return {
             focus: document.activeElement && document.activeElement.id,
             title: document.getElementById('result-title').textContent,
             alt: document.getElementById('still').alt,
             progress: document.getElementById('progress-bar').getAttribute('aria-labelledby'),
             progressName: document.getElementById('progress-text').textContent.length > 0,
             dark,
         };",
    )
    .await;
    assert_eq!(
        page["focus"], "generate",
        "focus kept after Generate: {page}"
    );
    assert_eq!(page["title"], "5 colours · accent-aware, CIELAB", "{page}");
    assert_eq!(page["alt"], "A still from El Fuente (sample)", "{page}");
    assert_eq!(page["progress"], "progress-text", "{page}");
    let edges = page["dark"].as_array().expect("dark chips");
    assert!(
        !edges.is_empty()
            && edges
                .iter()
                .all(|e| e.as_str().is_some_and(|e| e != "none")),
        "dark swatches have an edge: {page}"
    );
    let coolors = client
        .find(Locator::Id("coolors"))
        .await
        .expect("link")
        .attr("href")
        .await
        .expect("href");
    assert_eq!(coolors.as_deref(), Some(expected.coolors_url().as_str()));
    let credit = client
        .find(Locator::Id("credit"))
        .await
        .expect("credit")
        .text()
        .await
        .expect("text");
    let entry = data::sample(sample).expect("catalogue");
    assert!(
        credit.contains(&entry.licence),
        "the licence is shown: {credit}"
    );
    // Click to copy: the toast confirms, and the hex code is what a paste gives.
    for (css, hex) in [
        ("#swatches li:nth-child(2) .swatch", &hexes[1]),
        ("#strip > div:nth-child(3)", &hexes[2]),
    ] {
        click(&client, css).await;
        let copied = json!([format!("Copied {hex}"), "toast show"]);
        wait_for("the copy confirmation", || async {
            let toast = js(
                &client,
                "const t = document.getElementById('toast'); return [t.textContent, t.className];",
            )
            .await;
            (toast == copied).then_some(())
        })
        .await;
        assert_eq!(
            &clipboard(&client).await,
            hex,
            "the clipboard after clicking {css}"
        );
    }
    wait_for("the toast to go", || async {
        let class = js(
            &client,
            "return document.getElementById('toast').className;",
        )
        .await;
        (!class.as_str().unwrap_or("").contains("show")).then_some(())
    })
    .await;
    screenshot(&client, "web-sample.png").await;

    // The downloads: the palette as JSON, as a GIMP palette, and as a PNG of swatches.
    let stem = format!("palette-{sample}-5");
    let (name, bytes) = download(&client, "json").await;
    assert_eq!(name, format!("{stem}.json"));
    let json: Value = serde_json::from_slice(&bytes).expect("JSON");
    assert_eq!(
        json,
        serde_json::from_str::<Value>(&expected.to_json()).expect("JSON")
    );
    let (name, bytes) = download(&client, "gpl").await;
    assert_eq!(name, format!("{stem}.gpl"));
    assert_eq!(
        String::from_utf8(bytes).expect("UTF-8"),
        expected.to_gpl(&format!(
            "{sample} ({}, {})",
            expected.method, expected.space
        ))
    );
    // Download PNG: the still with its strip, as the CLI and the API draw it.
    let (name, bytes) = download(&client, "png").await;
    assert_eq!(name, format!("{stem}.png"));
    let figure = Figure::still_with_strip(&still, &expected, FIGURE_WIDTH, StripStyle::default());
    assert_eq!(
        bytes,
        figure.to_png().expect("PNG"),
        "the still with its strip"
    );
    // Adobe .ase and CSS: every colour.
    let (name, bytes) = download(&client, "ase").await;
    assert_eq!(name, format!("{stem}.ase"));
    let (_, colours) = common::parse_ase(&bytes);
    let rgb: Vec<[u8; 3]> = colours.iter().map(|c| c.rgb).collect();
    assert_eq!(rgb, expected.rgb());
    let (name, bytes) = download(&client, "css").await;
    assert_eq!(name, format!("{stem}.css"));
    let css = String::from_utf8(bytes).expect("UTF-8");
    for hex in expected.hex_codes() {
        assert!(css.contains(&format!(": {hex};")), "{css}");
    }

    // A changed option marks the shown palette as stale, until the next Generate.
    let stale = "return !document.getElementById('stale').hidden;";
    assert_eq!(js(&client, stale).await, json!(false));
    set_k(&client, 6).await;
    assert_eq!(
        js(&client, stale).await,
        json!(true),
        "stale after k changes"
    );
    set_k(&client, 5).await;

    // The method, space and seed controls reach the palette: the crate's palette with the
    // same options, and another seed gives the crate's palette for that seed.
    // (k-means in HSV: the default draws nothing at random, so its seed changes nothing.)
    let kmeans = |seed| {
        PaletteOptions::new()
            .k(5)
            .method(Method::Kmeans)
            .space(ColorSpace::Hsv)
            .seed(seed)
            .extract(&still)
            .expect("palette")
    };
    let (three, four) = (kmeans(3), kmeans(4));
    assert_ne!(three.rgb(), four.rgb(), "seeds 3 and 4 differ here");
    assert_ne!(three.rgb(), expected.rgb(), "k-means in HSV differs here");
    set_controls(&client, Method::Kmeans, ColorSpace::Hsv, 3).await;
    generate_and_wait(&client, 5).await;
    check_shown_palette(&client, &three).await;
    set_controls(&client, Method::Kmeans, ColorSpace::Hsv, 4).await;
    generate_and_wait(&client, 5).await;
    check_shown_palette(&client, &four).await;
    let (_, bytes) = download(&client, "gpl").await;
    assert_eq!(
        String::from_utf8(bytes).expect("UTF-8"),
        four.to_gpl(&format!("{sample} (kmeans, hsv)"))
    );
    assert_eq!(
        js(&client, stale).await,
        json!(false),
        "fresh after Generate"
    );

    // The compare view: the original's four palettes, lined up with the first, as
    // /api/compare and the CLI's compare make them; its PNG is the comparison figure.
    click(&client, "label[for='mode-compare']").await;
    let comparison = color_palettes::comparison(&still, &PaletteOptions::new().k(5).seed(4))
        .and_then(|p| color_palettes::order::arrange(&p, color_palettes::Order::Matched))
        .expect("the comparison");
    watch_progress(&client).await;
    click(&client, "#generate").await;
    let shown = wait_for("the four strips", || async {
        let v = js(
            &client,
            "if (document.getElementById('form').getAttribute('aria-busy')) return null;
             const e = document.getElementById('error'); if (!e.hidden) return e.textContent;
             const box = document.getElementById('compare');
             if (box.hidden) return null;
             return {
                 titles: Array.from(box.querySelectorAll('h3')).map(h => h.textContent),
                 strips: Array.from(box.querySelectorAll('.strip')).map(s =>
                     Array.from(s.children).map(d => d.title.split(' ')[0])),
                 heading: document.getElementById('result-title').textContent,
             };",
        )
        .await;
        assert!(!v.is_string(), "the page shows an error: {v}");
        (!v.is_null()).then_some(v)
    })
    .await;
    let titles: Vec<String> = comparison
        .iter()
        .map(|p| format!("{} · {} colours", p.title(), p.len()))
        .collect();
    assert_eq!(shown["titles"], json!(titles), "{shown}");
    let strips: Vec<Vec<String>> = comparison.iter().map(Palette::hex_codes).collect();
    assert_eq!(shown["strips"], json!(strips), "matched order: {shown}");
    assert!(
        shown["heading"]
            .as_str()
            .is_some_and(|h| h.contains("k-means and agglomerative")),
        "{shown}"
    );
    let (name, bytes) = download(&client, "png").await;
    assert_eq!(name, format!("compare-{sample}-5.png"));
    let figure = Figure::comparison(&still, &comparison, FIGURE_WIDTH, StripStyle::default());
    assert_eq!(
        bytes,
        figure.to_png().expect("PNG"),
        "the comparison figure"
    );
    screenshot(&client, "web-compare.png").await;

    // Cancel: a running request is aborted, and the page says so.
    // Both clicks in one script: the request cannot finish between them (a fast palette
    // could, between two WebDriver round trips), and the cancel button must be showing.
    let cancel_shown = js(
        &client,
        "window.sawProgress = false;
         document.getElementById('generate').click();
         const cancel = document.getElementById('cancel');
         const shown = cancel.offsetParent !== null;
         cancel.click();
         return shown;",
    )
    .await;
    assert_eq!(
        cancel_shown,
        json!(true),
        "the cancel button shows while a request runs"
    );
    wait_for("the cancellation", || async {
        let v = js(
            &client,
            "return [document.getElementById('progress').hidden,
                     document.getElementById('form').getAttribute('aria-busy'),
                     document.getElementById('toast').textContent];",
        )
        .await;
        (v == json!([true, null, "Cancelled"])).then_some(())
    })
    .await;
    click(&client, "label[for='mode-palette']").await;

    // 2. An uploaded file: four noisy blobs (hundreds of colours each), clustered back to
    // their colours and shares, as the crate does with the same options.
    let blobs = common::four_blobs();
    let upload = artifacts().join("four-blobs.png");
    blobs.image.save(&upload).expect("write the upload");
    click(&client, "label[for='source-upload']").await;
    client
        .find(Locator::Id("file"))
        .await
        .expect("file input")
        .send_keys(&upload.display().to_string())
        .await
        .expect("choose the file");
    set_k(&client, 4).await;
    set_controls(&client, Method::Agglomerative, ColorSpace::Hsv, 2).await;
    generate_and_wait(&client, 4).await;
    let uploaded = color_palettes::Still::open(&upload).expect("the upload");
    let palette = PaletteOptions::new()
        .k(4)
        .method(Method::Agglomerative)
        .space(ColorSpace::Hsv)
        .seed(2)
        .extract(&uploaded)
        .expect("palette");
    let swatches = common::swatches(&palette);
    common::assert_recovers(&blobs, ColorSpace::Hsv, &swatches, 2.0, "the crate");
    check_shown_palette(&client, &palette).await;
    screenshot(&client, "web-upload.png").await;

    // ... and a file dropped on the page (four flat colours, fewer than the 5 asked for).
    let flat = [[200, 30, 30], [30, 160, 60], [40, 60, 200], [240, 220, 60]];
    let bytes = common::png(&image::RgbImage::from_fn(8, 2, |x, _| {
        image::Rgb(flat[x as usize / 2])
    }));
    set_k(&client, 5).await;
    let dragging = js(
        &client,
        &format!(
            "const bytes = Uint8Array.from({bytes:?});
             const data = new DataTransfer();
             data.items.add(new File([bytes], 'dropped.png', {{type: 'image/png'}}));
             const zone = document.getElementById('dropzone');
             zone.dispatchEvent(new DragEvent('dragenter', {{dataTransfer: data, bubbles: true}}));
             const during = zone.classList.contains('dragging');
             zone.dispatchEvent(new DragEvent('dragover', {{dataTransfer: data, bubbles: true, cancelable: true}}));
             zone.dispatchEvent(new DragEvent('drop', {{dataTransfer: data, bubbles: true, cancelable: true}}));
             return [during, zone.classList.contains('dragging'), document.getElementById('file-name').textContent];"
        ),
    )
    .await;
    assert_eq!(
        dragging,
        json!([
            true,
            false,
            format!("dropped.png ({:.1} MB)", bytes.len() as f64 / 1e6)
        ]),
        "the drop zone lights up while dragging and takes the dropped file"
    );
    let hexes = generate_and_wait(&client, 4).await;
    let mut sorted = hexes.clone();
    sorted.sort();
    assert_eq!(sorted, ["#1ea03c", "#283cc8", "#c81e1e", "#f0dc3c"]);
    let title = client
        .find(Locator::Id("result-title"))
        .await
        .expect("title")
        .text()
        .await
        .expect("text");
    assert!(
        title.starts_with("4 colours · agglomerative, HSV (asked for 5"),
        "{title}"
    );

    // 3. An error, shown in words: a file that is not an image.
    let bogus = artifacts().join("not-an-image.png");
    std::fs::write(&bogus, "this is a text file, not a picture").expect("write");
    client
        .find(Locator::Id("file"))
        .await
        .expect("file input")
        .send_keys(&bogus.display().to_string())
        .await
        .expect("choose the file");
    click(&client, "#generate").await;
    let error = wait_for("the error message", || async {
        let e = js(
            &client,
            "const e = document.getElementById('error'); return e.hidden ? null : e.textContent;",
        )
        .await;
        e.as_str().map(str::to_owned)
    })
    .await;
    assert!(error.contains("not a readable image"), "{error}");
    assert!(js(&client, "return document.getElementById('result').hidden;").await == json!(true));
    screenshot(&client, "web-error.png").await;

    // ... and a URL the server refuses to fetch (a loopback address, by default).
    click(&client, "label[for='source-url']").await;
    client
        .find(Locator::Id("url"))
        .await
        .expect("URL field")
        .send_keys("http://127.0.0.1:9/still.png")
        .await
        .expect("type the URL");
    click(&client, "#generate").await;
    let error = wait_for("the refusal", || async {
        let e = js(
            &client,
            "const e = document.getElementById('error'); return e.hidden ? null : e.textContent;",
        )
        .await;
        e.as_str()
            .filter(|t| t.contains("refused"))
            .map(str::to_owned)
    })
    .await;
    assert!(
        error.starts_with("Could not make a palette: refused to fetch"),
        "{error}"
    );

    // 4. The brightness rule: the lowest stays below the highest.
    let min = client
        .find(Locator::Id("min-brightness"))
        .await
        .expect("slider");
    min.send_keys(&char::from(Key::End).to_string())
        .await
        .expect("slide to the end");
    let values = js(&client, "return [Number(document.getElementById('min-brightness').value), Number(document.getElementById('max-brightness').value), document.getElementById('brightness-value').textContent];").await;
    assert_eq!(values, json!([0.99, 1, "99 – 100 %"]));
    let max = client
        .find(Locator::Id("max-brightness"))
        .await
        .expect("slider");
    max.send_keys(&char::from(Key::Home).to_string())
        .await
        .expect("slide to the start");
    let values = js(&client, "return [Number(document.getElementById('min-brightness').value), Number(document.getElementById('max-brightness').value)];").await;
    assert_eq!(values, json!([0, 0.01]));

    // 5. A phone-sized screen: nothing wider than the screen, and it still works.
    client
        .set_window_rect(0, 0, 390, 844)
        .await
        .expect("phone size");
    client.goto(&base).await.expect("reload");
    let width = js(&client, "return window.innerWidth;").await;
    assert!(width.as_u64().is_some_and(|w| w <= 400), "viewport {width}");
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::XPath(&label))
        .await
        .expect("the sample picker");
    screenshot(&client, "web-phone-form.png").await;
    generate_and_wait(&client, 8).await;
    // The stage (below the form on a phone) is brought into view to show the palette.
    wait_for("the palette to scroll into view", || async {
        let top = js(
            &client,
            "return document.getElementById('stage').getBoundingClientRect().top;",
        )
        .await;
        top.as_f64().filter(|t| t.abs() < 2.0)
    })
    .await;
    let overflow = js(
        &client,
        "return document.documentElement.scrollWidth - window.innerWidth;",
    )
    .await;
    assert_eq!(
        overflow,
        json!(0),
        "the page is wider than the phone screen"
    );
    screenshot(&client, "web-phone.png").await;
}
