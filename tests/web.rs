//! End to end: the web page in a real headless Chromium, driven over WebDriver (chromedriver).
//!
//! Opens the page, picks a sample still and generates its palette, uploads a file, triggers
//! an error, checks the brightness rule, and repeats on a phone-sized screen. Screenshots go
//! to `target/test-artifacts/`.
//!
//! Needs Debian's `chromium` and `chromium-driver` (or `CHROMIUM` / `CHROMEDRIVER` pointing at
//! them) and the sample stills (`COLOR_PALETTES_DATA`). Without them the test is skipped
//! with a message, except when `CI` is set: there a missing browser is a failure.

#![cfg(feature = "server")]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use color_palettes::server::{self, Config};
use color_palettes::{data, PaletteOptions};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// How long the page may take to show a palette (unoptimised test builds cluster slowly).
const PATIENCE: Duration = Duration::from_secs(90);

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Skips the test (returns false) with `why`, or fails it when running in CI.
fn skip(why: &str) -> bool {
    assert!(!in_ci(), "CI is set, so this cannot be skipped: {why}");
    eprintln!("skipping the browser test: {why}");
    false
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_makes_palettes_in_a_real_browser() {
    let Some(chromium) = program(
        "CHROMIUM",
        &["/usr/bin/chromium", "/usr/bin/chromium-browser"],
        "chromium",
    ) else {
        skip("chromium is not installed (apt-get install chromium chromium-driver)");
        return;
    };
    let Some(chromedriver) = program("CHROMEDRIVER", &["/usr/bin/chromedriver"], "chromedriver")
    else {
        skip("chromedriver is not installed (apt-get install chromium-driver)");
        return;
    };
    if std::env::var_os(data::DATA_ENV).is_none_or(|v| v.is_empty()) {
        skip(&format!(
            "set {} to the sample stills folder",
            data::DATA_ENV
        ));
        return;
    }
    let sample = "El_Fuente";
    let still = data::still(sample).expect("the sample still (COLOR_PALETTES_DATA is set)");

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
    let k = client.find(Locator::Id("k")).await.expect("k slider");
    let left = char::from(Key::Left).to_string();
    k.send_keys(&left.repeat(3)).await.expect("k to 5");
    assert_eq!(
        client
            .find(Locator::Id("k-value"))
            .await
            .expect("k value")
            .text()
            .await
            .expect("text"),
        "5"
    );
    let hexes = generate_and_wait(&client, 5).await;
    let expected = PaletteOptions::new().k(5).extract(&still).expect("palette");
    assert_eq!(
        hexes,
        expected.hex_codes(),
        "the page shows the crate's palette"
    );
    let shares = js(
        &client,
        "return Array.from(document.querySelectorAll('#swatches .share')).map(s => s.textContent);",
    )
    .await;
    for share in shares.as_array().expect("shares") {
        assert!(share.as_str().is_some_and(|s| s.ends_with(" %")), "{share}");
    }
    assert_eq!(
        js(
            &client,
            "return document.querySelectorAll('#strip > div').length;"
        )
        .await,
        json!(5)
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
    // Click to copy: the toast confirms.
    click(&client, "#swatches .swatch").await;
    let copied = json!([format!("Copied {}", hexes[0]), "toast show"]);
    wait_for("the copy confirmation", || async {
        let toast = js(
            &client,
            "const t = document.getElementById('toast'); return [t.textContent, t.className];",
        )
        .await;
        (toast == copied).then_some(())
    })
    .await;
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

    // 2. An uploaded file (four flat colours, so the palette is known exactly).
    let upload = artifacts().join("four-colours.png");
    image::RgbImage::from_fn(8, 2, |x, _| {
        image::Rgb([[200, 30, 30], [30, 160, 60], [40, 60, 200], [240, 220, 60]][x as usize / 2])
    })
    .save(&upload)
    .expect("write the upload");
    click(&client, "label[for='source-upload']").await;
    client
        .find(Locator::Id("file"))
        .await
        .expect("file input")
        .send_keys(&upload.display().to_string())
        .await
        .expect("choose the file");
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
    assert!(title.starts_with("4 colours (asked for 5"), "{title}");
    screenshot(&client, "web-upload.png").await;

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
