//! One still, one set of options, every front end: the CLI (`extract FILE` and `extract
//! URL`), the real `color-palettes serve` binary on loopback (`GET /api/palette?url=` and
//! `POST /api/palette`) and the notebooks' helper (`explore::palette`) must give
//! byte-identical JSON, because they all run the library's one `Request`. The still is
//! letterboxed, so a front end that forgot to cut the bars (or cut them when asked not to)
//! gives itself away with a near-black swatch.

#![cfg(feature = "server")]

mod common;
#[path = "common/serve.rs"]
mod serve;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use color_palettes::{explore, PaletteOptions, Request};
use serve::Binary;

/// Rows of black above and below the picture.
const BAR: u32 = 12;

/// Four noisy blobs (80 x 60) between two black bars 12 rows high (80 x 84 in all).
fn letterboxed() -> Vec<u8> {
    let picture = common::four_blobs().image;
    let (width, height) = picture.dimensions();
    let still = image::RgbImage::from_fn(width, height + 2 * BAR, |x, y| {
        if y < BAR || y >= height + BAR {
            image::Rgb([0, 0, 0])
        } else {
            *picture.get_pixel(x, y - BAR)
        }
    });
    common::png(&still)
}

fn still_file() -> PathBuf {
    let path = std::env::temp_dir().join(format!("front-ends-{}.png", std::process::id()));
    std::fs::write(&path, letterboxed()).expect("write the still");
    path
}

/// A loopback host answering `requests` GETs with `bytes` as a PNG, one per connection.
fn image_host(bytes: Vec<u8>, requests: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/still.png", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for _ in 0..requests {
            let Ok((mut stream, _)) = listener.accept() else {
                return;
            };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                bytes.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&bytes);
        }
    });
    url
}

fn cli(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_color-palettes"))
        .args(args)
        .output()
        .expect("run color-palettes");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

fn answer(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> String {
    let mut response = response.expect("the server answers");
    let status = response.status();
    let body = response.body_mut().read_to_string().expect("a body");
    assert_eq!(status, 200, "{body}");
    body
}

/// The JSON of every front end, in the order CLI file, CLI URL, server GET, server POST,
/// notebook helper, for the options given as CLI flags and as a query string.
fn every_front_end(
    server: &Binary,
    flags: &[&str],
    query: &str,
    request: &Request,
) -> Vec<(&'static str, String)> {
    let path = still_file();
    let file = path.to_str().expect("a UTF-8 path");
    let url = image_host(letterboxed(), 2);
    let agent = agent();
    let answers = vec![
        (
            "CLI, a file",
            cli(&[&["extract", file][..], flags].concat()),
        ),
        ("CLI, a URL", cli(&[&["extract", &url][..], flags].concat())),
        (
            "server, GET ?url=",
            answer(
                agent
                    .get(format!("{}/api/palette?url={url}&{query}", server.base))
                    .call(),
            ),
        ),
        (
            "server, POST",
            answer(
                agent
                    .post(format!("{}/api/palette?{query}", server.base))
                    .header("Content-Type", "image/png")
                    .send(&letterboxed()[..]),
            ),
        ),
        (
            "explore::palette",
            explore::palette(file, request)
                .expect("the helper's palette")
                .to_json()
                + "\n",
        ),
    ];
    let _ = std::fs::remove_file(&path);
    answers
}

fn assert_identical(answers: &[(&str, String)]) {
    let (first, expected) = &answers[0];
    for (name, json) in &answers[1..] {
        assert_eq!(json, expected, "{name} differs from {first}");
    }
}

/// The darkest swatch's largest channel.
fn darkest(json: &str) -> u64 {
    let value: serde_json::Value = serde_json::from_str(json).expect("JSON");
    value["colors"]
        .as_array()
        .expect("colors")
        .iter()
        .map(|c| {
            c["rgb"]
                .as_array()
                .expect("rgb")
                .iter()
                .map(|v| v.as_u64().expect("a channel"))
                .max()
                .expect("three channels")
        })
        .min()
        .expect("a swatch")
}

#[test]
fn every_front_end_gives_the_same_json_for_a_letterboxed_still() {
    let server = Binary::start(&["--allow-private-urls"]);

    let cropped = every_front_end(
        &server,
        &["-k", "5", "--seed", "4"],
        "k=5&seed=4",
        &Request::palette().options(PaletteOptions::new().k(5).seed(4)),
    );
    assert_identical(&cropped);
    // The bars are cut: no swatch is the bars' black (every blob has a channel near 160 or
    // more).
    assert!(darkest(&cropped[0].1) > 100, "{}", cropped[0].1);

    let kept = every_front_end(
        &server,
        &["-k", "5", "--seed", "4", "--no-crop"],
        "k=5&seed=4&crop=false",
        &Request::palette()
            .options(PaletteOptions::new().k(5).seed(4))
            .crop(false),
    );
    assert_identical(&kept);
    // The bars are kept: they are over a quarter of the pixels, so they get a swatch.
    assert!(darkest(&kept[0].1) < 10, "{}", kept[0].1);
}
