//! The `color-palettes` binary, end to end: real processes, real files, a loopback image host.
#![cfg(feature = "cli")]

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use color_palettes::{ColorSpace, Method, PaletteOptions, Still};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_color-palettes");

/// Runs the binary with `args` (and `stdin`), failing the test if it runs over 60 s.
fn run_with(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut input = child.stdin.take().unwrap();
    let bytes = stdin.to_vec();
    std::thread::spawn(move || {
        let _ = input.write_all(&bytes);
    });
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("color-palettes {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn run(args: &[&str]) -> Output {
    run_with(args, b"")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// A failure is one clear line on stderr, a non-zero exit, and no panic.
/// `code` is the exit status the README gives: 1 for a bad still or option, 2 for malformed
/// arguments.
#[track_caller]
fn assert_clean_failure(out: &Output, expected: &str, code: i32) {
    let err = stderr(out);
    assert!(!out.status.success(), "should fail: {err}");
    assert_eq!(out.status.code(), Some(code), "exit status for {err:?}");
    assert_eq!(err.lines().count(), 1, "one line expected: {err:?}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.to_lowercase().contains(expected),
        "{err:?} should mention {expected:?}"
    );
    assert!(out.stdout.is_empty());
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cp-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The library's palette of `still` with `options`, as the JSON the CLI prints.
fn library_json(still: &Path, options: PaletteOptions) -> Value {
    let still = Still::open(still).expect("the still");
    let palette = options.extract(&still).expect("a palette");
    serde_json::from_str(&palette.to_json()).expect("JSON")
}

/// `(rgb, share)` of each colour of a palette's JSON.
fn json_swatches(json: &Value) -> Vec<([u8; 3], f64)> {
    json["colors"]
        .as_array()
        .expect("colors")
        .iter()
        .map(|c| {
            let rgb: [u8; 3] = serde_json::from_value(c["rgb"].clone()).expect("rgb");
            (rgb, c["proportion"].as_f64().expect("proportion"))
        })
        .collect()
}

fn check_palette_json(text: &str, k: usize, method: &str, space: &str) -> Value {
    let json: Value = serde_json::from_str(text).unwrap();
    assert_eq!(json.as_object().unwrap().len(), 4);
    let positions: Vec<usize> = ["\"k\":", "\"method\":", "\"space\":", "\"colors\":"]
        .iter()
        .map(|key| text.find(key).unwrap())
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "keys in documented order: {text}"
    );
    assert_eq!(json["k"], k);
    assert_eq!(json["method"], method);
    assert_eq!(json["space"], space);
    let colors = json["colors"].as_array().unwrap();
    assert_eq!(colors.len(), k);
    let mut total = 0.0;
    let mut previous = f64::INFINITY;
    for c in colors {
        let rgb: Vec<u64> = c["rgb"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        assert_eq!(
            c["hex"].as_str().unwrap(),
            format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2])
        );
        let p = c["proportion"].as_f64().unwrap();
        assert!(p > 0.0 && p <= previous, "sorted by proportion");
        previous = p;
        total += p;
    }
    assert!((total - 1.0).abs() < 1e-4, "{total}");
    json
}

/// `--method` and `--space` reach the clustering: each of the nine palettes of a sample still
/// is the library's palette with that method and space, and they differ from one another
/// (so a flag that was parsed and echoed but not used could not pass).
#[test]
fn extract_every_method_and_space_on_a_sample_still() {
    let still = common::still_path("Sintel_0016");
    let mut seen: Vec<(String, Vec<Value>)> = Vec::new();
    for method in Method::ALL {
        for space in ColorSpace::ALL {
            let out = run(&[
                "extract",
                path_str(&still),
                "--method",
                method.name(),
                "--space",
                space.name(),
            ]);
            assert!(out.status.success(), "{}", stderr(&out));
            let json = check_palette_json(&stdout(&out), 8, method.name(), space.name());
            let options = PaletteOptions::new().method(method).space(space);
            assert_eq!(json, library_json(&still, options), "{method} {space}");
            let colours = json["colors"].as_array().expect("colors").clone();
            for (other, other_colours) in &seen {
                assert_ne!(
                    &colours, other_colours,
                    "{method} {space} gives the same palette as {other}"
                );
            }
            seen.push((format!("{method} {space}"), colours));
        }
    }
}

/// The clustering itself, through the binary: four noisy blobs (hundreds of colours each)
/// come back as their mean colours and shares with every method and space.
#[test]
fn extract_clusters_noisy_blobs_back_to_their_colours() {
    let blobs = common::four_blobs();
    let file = temp("blobs.png");
    blobs.image.save(&file).expect("write the still");
    for method in Method::ALL {
        for space in ColorSpace::ALL {
            let out = run(&[
                "extract",
                path_str(&file),
                "-k",
                "4",
                "--method",
                method.name(),
                "--space",
                space.name(),
            ]);
            assert!(out.status.success(), "{}", stderr(&out));
            let json = check_palette_json(&stdout(&out), 4, method.name(), space.name());
            let context = format!("{method} {space}");
            common::assert_recovers(&blobs, space, &json_swatches(&json), 2.0, &context);
        }
    }
}

#[test]
fn defaults_are_eight_accent_lab_and_deterministic() {
    let still = common::still_path("El_Fuente");
    let first = run(&["extract", path_str(&still)]);
    assert!(first.status.success());
    check_palette_json(&stdout(&first), 8, "accent", "lab");
    // The same palette as naming the method and space, and as the library's default.
    let named = run(&[
        "extract",
        path_str(&still),
        "--method",
        "accent",
        "--space",
        "lab",
    ]);
    assert_eq!(first.stdout, named.stdout);
    let library = color_palettes::PaletteOptions::new()
        .extract(&color_palettes::Still::open(&still).expect("still"))
        .expect("palette");
    let printed: serde_json::Value = serde_json::from_slice(&first.stdout).expect("json");
    assert_eq!(
        printed,
        serde_json::from_str::<serde_json::Value>(&library.to_json()).expect("json")
    );
    let again = run(&["extract", path_str(&still), "--seed", "0"]);
    assert_eq!(first.stdout, again.stdout);
    // El Fuente (0.49 MP) is pooled on two threads by default; one thread, same palette.
    let one_thread = run(&["extract", path_str(&still), "--threads", "1"]);
    let hex = |out: &Output| {
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["colors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["hex"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(hex(&first), hex(&one_thread));
    // ... and nothing is drawn at random: every seed gives the same palette.
    for seed in 1..5 {
        let out = run(&["extract", path_str(&still), "--seed", &seed.to_string()]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(hex(&out), hex(&first), "seed {seed}");
    }
}

#[test]
fn sample_names_load_from_the_catalogue() {
    common::still_path("Meridian");
    let out = run(&["extract", "Meridian", "-k", "3", "--format", "hex"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<String> = stdout(&out).lines().map(String::from).collect();
    assert_eq!(lines.len(), 3);
    assert!(lines.iter().all(|l| l.len() == 7 && l.starts_with('#')));
}

#[test]
fn formats_and_figures() {
    let still = common::still_path("Sol_Levante");
    let (png, svg) = (temp("strip.png"), temp("strip.svg"));
    let out = run(&[
        "extract",
        path_str(&still),
        "-k",
        "5",
        "--format",
        "gpl",
        "--png",
        path_str(&png),
        "--svg",
        path_str(&svg),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let gpl = stdout(&out);
    assert!(gpl.starts_with("GIMP Palette\nName: "));
    let expected = library_json(&still, PaletteOptions::new().k(5));
    let swatches = json_swatches(&expected);
    let lines: Vec<String> = gpl
        .lines()
        .filter(|l| l.contains('#') && l.contains('%'))
        .map(str::to_owned)
        .collect();
    let want: Vec<String> = swatches
        .iter()
        .map(|&([r, g, b], share)| {
            format!(
                "{r:3} {g:3} {b:3}\t#{r:02x}{g:02x}{b:02x} ({:.1}%)",
                share * 100.0
            )
        })
        .collect();
    assert_eq!(lines, want, "{gpl}");
    // The figure: the still at 900 px, and under it a strip of the palette's colours, each
    // as wide as its share.
    let figure = image::open(&png).expect("a PNG").to_rgb8();
    assert_eq!(figure.width(), 900);
    let strips = common::strips(&figure);
    common::assert_strip(strips.last().expect("a strip"), &swatches, false);
    let svg_text = std::fs::read_to_string(&svg).expect("the SVG");
    assert!(svg_text.starts_with("<svg"));
    for ([r, g, b], _) in &swatches {
        assert!(
            svg_text
                .to_lowercase()
                .contains(&format!("#{r:02x}{g:02x}{b:02x}")),
            "the SVG draws {r},{g},{b}"
        );
    }

    // --equal-swatches and --width: a narrower figure, every swatch the same width.
    let equal = temp("equal.png");
    let out = run(&[
        "extract",
        path_str(&still),
        "-k",
        "5",
        "--equal-swatches",
        "--width",
        "600",
        "--png",
        path_str(&equal),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).expect("JSON"),
        expected
    );
    let figure = image::open(&equal).expect("a PNG").to_rgb8();
    assert_eq!(figure.width(), 600);
    let strips = common::strips(&figure);
    common::assert_strip(strips.last().expect("a strip"), &swatches, true);
    let widths: Vec<u32> = strips
        .last()
        .expect("a strip")
        .iter()
        .map(|s| s.1)
        .collect();
    assert!(
        widths.iter().max().expect("swatches") - widths.iter().min().expect("swatches") <= 1,
        "equal swatches: {widths:?}"
    );

    // compare: the still and the original's four palettes (k-means and agglomerative, in RGB
    // and HSV), as PNG and SVG.
    let (compare, compare_svg) = (temp("compare.png"), temp("compare.svg"));
    let out = run(&[
        "compare",
        path_str(&still),
        "-k",
        "4",
        // Each strip by share, to check it against the library's palette as it is.
        "--order",
        "share",
        "--png",
        path_str(&compare),
        "--svg",
        path_str(&compare_svg),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let figure = image::open(&compare).expect("a PNG").to_rgb8();
    let strips = common::strips(&figure);
    assert!(strips.len() >= 4, "four strips: found {}", strips.len());
    let svg_text = std::fs::read_to_string(&compare_svg)
        .expect("the SVG")
        .to_lowercase();
    assert!(svg_text.starts_with("<svg"));
    let mut palettes = Vec::new();
    for method in [Method::Kmeans, Method::Agglomerative] {
        for space in [ColorSpace::Rgb, ColorSpace::Hsv] {
            let options = PaletteOptions::new().k(4).method(method).space(space);
            palettes.push(json_swatches(&library_json(&still, options)));
        }
    }
    for (strip, palette) in strips[strips.len() - 4..].iter().zip(&palettes) {
        common::assert_strip(strip, palette, false);
        for ([r, g, b], _) in palette {
            assert!(svg_text.contains(&format!("#{r:02x}{g:02x}{b:02x}")));
        }
    }
    assert_ne!(
        palettes[0], palettes[2],
        "k-means and agglomerative differ here"
    );
}

/// Options that differ from every default, so a source that lost one would show.
const OPTIONS: [&str; 8] = [
    "-k", "5", "--method", "accent", "--space", "lab", "--seed", "3",
];

/// `extract FILE` with [`OPTIONS`]: what stdin and URLs must print too.
fn extract_file(name: &str) -> (Vec<u8>, Vec<u8>) {
    let path = common::still_path(name);
    let out = run(&[&["extract", path_str(&path)][..], &OPTIONS[..]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let json = check_palette_json(&stdout(&out), 5, "accent", "lab");
    let options = PaletteOptions::new()
        .k(5)
        .method(Method::Accent)
        .space(ColorSpace::Lab)
        .seed(3);
    assert_eq!(json, library_json(&path, options));
    (std::fs::read(&path).expect("the still"), out.stdout)
}

#[test]
fn stdin_is_a_source() {
    let (bytes, expected) = extract_file("Chimera");
    let out = run_with(&[&["extract", "-"][..], &OPTIONS[..]].concat(), &bytes);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), String::from_utf8(expected).expect("UTF-8"));
}

#[test]
fn urls_are_fetched() {
    let (bytes, expected) = extract_file("Chimera");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/chimera.png", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut request = [0u8; 2048];
        let _ = stream.read(&mut request);
        let head = format!("HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", bytes.len());
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(&bytes).unwrap();
    });
    let out = run(&[&["extract", &url][..], &OPTIONS[..]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), String::from_utf8(expected).expect("UTF-8"));
}

#[test]
fn bad_input_fails_with_one_clear_line() {
    assert_clean_failure(&run(&["extract", "/no/such/still.png"]), "no such file", 1);

    // A file or standard input bigger than any still within the limits is refused before
    // it is read whole (a sparse 1 GB file; 1 GB of zeros on stdin).
    let sparse = temp("sparse.png");
    std::fs::File::create(&sparse)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    assert_clean_failure(&run(&["extract", path_str(&sparse)]), "image too large", 1);
    let _ = std::fs::remove_file(&sparse);

    // Within the limit, input is held once, and only if it starts like a still: under an
    // 800 MB address space, 1 GB of zeros on stdin is refused from its first bytes, and a
    // 380 MB file that is a PNG signature and zeros (a chunk every 12 bytes) is held once
    // (before: "out of memory", or an abort, at 1.6 GB).
    let zeros = Command::new("sh")
        .args([
            "-c",
            "ulimit -v 800000; head -c 1073741824 /dev/zero | \"$0\" extract -",
        ])
        .arg(BIN)
        .output()
        .unwrap();
    assert_clean_failure(&zeros, "unrecognised format", 1);
    let signature = temp("signature.png");
    std::fs::write(&signature, b"\x89PNG\r\n\x1a\n").unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&signature)
        .unwrap()
        .set_len(380 << 20)
        .unwrap();
    let chunks = Command::new("sh")
        .args(["-c", "ulimit -v 800000; exec \"$0\" extract \"$1\""])
        .args([BIN, path_str(&signature)])
        .output()
        .unwrap();
    assert_clean_failure(
        &chunks,
        "not a readable image: format error decoding png",
        1,
    );
    let _ = std::fs::remove_file(&signature);

    // A failed write says so (not "cannot read"), for a figure and for standard output.
    let still = common::still_path("Chimera");
    assert_clean_failure(
        &run(&["extract", path_str(&still), "-k", "3", "--png", "/dev/full"]),
        "cannot write /dev/full: no space left",
        1,
    );
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_color-palettes"))
        .args(["extract", path_str(&still), "-k", "3", "--format", "hex"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot write <stdout>: No space left"),
        "{}",
        stderr(&out)
    );
    // Started with standard output closed (`>&-`): an error, not a palette lost with exit 0
    // (Rust's runtime would have put /dev/null there). Redirected to /dev/null is fine.
    for (redirect, code) in [(">&-", 1), (">/dev/null", 0)] {
        let out = Command::new("sh")
            .args(["-c", &format!("exec \"$0\" extract \"$1\" -k 3 {redirect}")])
            .args([BIN, path_str(&still)])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "{redirect}: {}",
            stderr(&out)
        );
        if code == 1 {
            assert!(
                stderr(&out).contains("cannot write <stdout>: standard output was closed"),
                "{}",
                stderr(&out)
            );
        }
    }

    let text = temp("notes.png");
    std::fs::write(&text, "just some text").unwrap();
    assert_clean_failure(
        &run(&["extract", path_str(&text)]),
        "not a readable image",
        1,
    );

    let bytes = std::fs::read(common::still_path("Chimera")).unwrap();
    let truncated = temp("truncated.png");
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();
    assert_clean_failure(
        &run(&["extract", path_str(&truncated)]),
        "not a readable image",
        1,
    );

    let bomb = temp("bomb.png");
    std::fs::write(&bomb, png_header(100_000, 100_000)).unwrap();
    assert_clean_failure(&run(&["extract", path_str(&bomb)]), "too large", 1);

    let still = common::still_path("Chimera");
    assert_clean_failure(
        &run(&["extract", path_str(&still), "-k", "0"]),
        "k must be between 1 and 32",
        1,
    );
    assert_clean_failure(
        &run(&["extract", path_str(&still), "-k", "33"]),
        "k must be between 1 and 32",
        1,
    );
    assert_clean_failure(
        &run(&["extract", path_str(&still), "-k", "many"]),
        "invalid value",
        2,
    );
    assert_clean_failure(
        &run(&[
            "extract",
            path_str(&still),
            "--min-brightness",
            "0.8",
            "--max-brightness",
            "0.2",
        ]),
        "--min-brightness 0.8 is above --max-brightness 0.2",
        1,
    );
    assert_clean_failure(
        &run(&["extract", path_str(&still), "--method", "dbscan"]),
        "invalid value",
        2,
    );
    assert_clean_failure(
        &run(&["extract", "ftp://example.com/a.png"]),
        "only http and https",
        1,
    );
    assert_clean_failure(&run(&["compare", path_str(&still)]), "--png", 2);
}

#[test]
fn malformed_arguments_exit_with_2() {
    let still = common::still_path("Chimera");
    for args in [
        &["extract"][..],
        &["extract", path_str(&still), "--no-such-flag"],
        &["extract", path_str(&still), "--space", "cmyk"],
        &["extract", path_str(&still), "--width", "10"],
        &["extract", path_str(&still), "--seed", "-1"],
        &["paint", path_str(&still)],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert_eq!(
            err.lines().count(),
            1,
            "{args:?}: one line expected: {err:?}"
        );
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn a_filter_that_keeps_nothing_says_so() {
    let grey = temp("grey.png");
    image::RgbImage::from_pixel(8, 8, image::Rgb([128, 128, 128]))
        .save(&grey)
        .unwrap();
    let out = run(&["extract", path_str(&grey), "--min-brightness", "0.9"]);
    assert_clean_failure(&out, "brightness", 1);
}

#[test]
fn samples_lists_the_catalogue_with_credits() {
    let out = run(&["samples"]);
    assert!(out.status.success());
    let text = stdout(&out);
    for name in color_palettes::data::names() {
        assert!(text.contains(name), "{name}");
    }
    assert!(text.contains("CC BY"));
}

/// A small PNG file claiming `width` x `height`: what a decompression bomb looks like
/// before it is inflated (the pixel data is a few compressed zero bytes).
fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    // zlib stream of a few zero bytes (stored block).
    let idat = [
        0x78, 0x01, 0x01, 0x04, 0x00, 0xfb, 0xff, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x01,
    ];
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [
        (b"IHDR", &ihdr[..]),
        (b"IDAT", &idat[..]),
        (b"IEND", &[][..]),
    ] {
        let mut chunk = kind.to_vec();
        chunk.extend(data);
        out.extend((data.len() as u32).to_be_bytes());
        out.extend(&chunk);
        out.extend(crc32(&chunk).to_be_bytes());
    }
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// `--format ase` and `--format css` write every colour of the palette `--format json`
/// prints, in order; the `.ase` file is read back with a parser of its own.
#[test]
fn ase_and_css_exports_hold_every_colour() {
    let still = common::still_path("Sol_Levante");
    let json = run(&["extract", path_str(&still), "-k", "6"]);
    assert!(json.status.success(), "{}", stderr(&json));
    let swatches = json_swatches(&serde_json::from_slice(&json.stdout).unwrap());
    let ase = run(&["extract", path_str(&still), "-k", "6", "--format", "ase"]);
    assert!(ase.status.success(), "{}", stderr(&ase));
    let (group, colours) = common::parse_ase(&ase.stdout);
    assert_eq!(group, "Sol_Levante (accent-aware, LAB, k=6)"); // the default method and space
    assert_eq!(colours.len(), swatches.len());
    for (colour, (rgb, share)) in colours.iter().zip(&swatches) {
        assert_eq!(&colour.rgb, rgb, "{colour:?}");
        let [r, g, b] = *rgb;
        assert_eq!(
            colour.name,
            format!("#{r:02x}{g:02x}{b:02x} ({:.1}%)", share * 100.0)
        );
    }
    let css = run(&["extract", path_str(&still), "-k", "6", "--format", "css"]);
    assert!(css.status.success(), "{}", stderr(&css));
    let text = stdout(&css);
    assert!(text.contains(":root {"), "{text}");
    for (i, ([r, g, b], _)) in swatches.iter().enumerate() {
        let line = format!("  --palette-{}: #{r:02x}{g:02x}{b:02x};", i + 1);
        assert!(text.contains(&line), "{line} in {text}");
    }
}

/// `--order` reorders the swatches (never changes them); `matched` is for `compare`, whose
/// `--json` prints the four palettes, each lined up with the first.
#[test]
fn orders_and_the_comparison_as_json() {
    let still = common::still_path("Sol_Levante");
    let share = run(&["extract", path_str(&still), "-k", "6"]);
    let hue = run(&["extract", path_str(&still), "-k", "6", "--order", "hue"]);
    assert!(hue.status.success(), "{}", stderr(&hue));
    let parse = |out: &Output| json_swatches(&serde_json::from_slice(&out.stdout).unwrap());
    let (share, hue) = (parse(&share), parse(&hue));
    let palette = color_palettes::PaletteOptions::new()
        .k(6)
        .extract(&Still::open(&still).unwrap())
        .unwrap();
    let by_hue =
        color_palettes::order::ordered(&palette, color_palettes::Order::Hue, None).unwrap();
    assert_eq!(
        hue.iter().map(|s| s.0).collect::<Vec<_>>(),
        by_hue.rgb(),
        "the library's hue order"
    );
    let mut sorted = hue.clone();
    sorted.sort_by(|a, b| b.1.total_cmp(&a.1));
    assert_eq!(sorted, share, "the same swatches");
    assert_ne!(hue, share, "hue is not share order here");

    let out = run(&["extract", path_str(&still), "--order", "matched"]);
    assert_clean_failure(&out, "matched", 1);

    let out = run(&["compare", path_str(&still), "-k", "5", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let palettes =
        color_palettes::comparison(&Still::open(&still).unwrap(), &PaletteOptions::new().k(5))
            .unwrap();
    let matched =
        color_palettes::order::arrange(&palettes, color_palettes::Order::Matched).unwrap();
    assert_eq!(
        printed,
        serde_json::json!({ "palettes": matched }),
        "k-means RGB by share, the others lined up with it"
    );
    let methods: Vec<(&str, &str)> = printed["palettes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["method"].as_str().unwrap(), p["space"].as_str().unwrap()))
        .collect();
    assert_eq!(
        methods,
        [
            ("kmeans", "rgb"),
            ("kmeans", "hsv"),
            ("agglomerative", "rgb"),
            ("agglomerative", "hsv")
        ]
    );
}
