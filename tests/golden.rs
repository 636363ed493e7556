//! Golden palettes: the JSON of every method x space x k in {1, 5, 8, 16} on the sample
//! stills and on synthetic stills, byte for byte as `tests/golden/palettes.json` recorded it.
//!
//! It guards behaviour while code moves: a refactor must leave every palette unchanged. A
//! change that is meant to alter palettes re-records the file on purpose, and says so:
//!
//! ```sh
//! COLOR_PALETTES_BLESS=1 cargo test --test golden
//! ```
//!
//! The sample stills are found through `COLOR_PALETTES_DATA` (see `tests/common`); a missing
//! still fails the test with its name.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use color_palettes::pipeline::comparison;
use color_palettes::{ColorSpace, Method, PaletteOptions, Still};
use rand::{Rng, SeedableRng};

const KS: [usize; 4] = [1, 5, 8, 16];
const BLESS_ENV: &str = "COLOR_PALETTES_BLESS";

fn golden_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/palettes.json")
}

fn blessing() -> bool {
    std::env::var_os(BLESS_ENV).is_some_and(|v| !v.is_empty())
}

/// Every palette of one still, keyed `still/method/space/k[/variant]`.
fn palettes(name: &str, still: &Still) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for method in Method::ALL {
        for space in ColorSpace::ALL {
            for k in KS {
                let palette = PaletteOptions::new()
                    .k(k)
                    .method(method)
                    .space(space)
                    .extract(still)
                    .unwrap_or_else(|e| panic!("{name} {method} {space} k={k}: {e}"));
                out.insert(
                    format!("{name}/{method}/{space}/{k}"),
                    serde_json::to_string(&palette).unwrap(),
                );
            }
        }
    }
    // The original's brightness filter and another seed, on the original's method and space
    // (named: the library's default is the accent method in CIELAB since issue 20).
    let filtered = PaletteOptions::new()
        .method(Method::Kmeans)
        .space(ColorSpace::Rgb)
        .brightness(0.1, 0.9)
        .extract(still);
    out.insert(
        format!("{name}/kmeans/rgb/8/brightness-0.1-0.9"),
        match filtered {
            Ok(palette) => serde_json::to_string(&palette).unwrap(),
            Err(e) => format!("error: {e}"),
        },
    );
    for method in Method::ALL {
        let seeded = PaletteOptions::new()
            .method(method)
            .space(ColorSpace::Rgb)
            .seed(7)
            .extract(still);
        out.insert(
            format!("{name}/{method}/rgb/8/seed-7"),
            serde_json::to_string(&seeded.unwrap()).unwrap(),
        );
    }
    // The default palette, nothing named (its JSON names its method and space).
    let default = PaletteOptions::new().extract(still).unwrap();
    out.insert(
        format!("{name}/default/8"),
        serde_json::to_string(&default).unwrap(),
    );
    let four = comparison(still, &PaletteOptions::new().k(6)).unwrap();
    out.insert(
        format!("{name}/comparison/6"),
        serde_json::to_string(&four).unwrap(),
    );
    out
}

/// What every test found, for `COLOR_PALETTES_BLESS` to write once they are all done.
static FOUND: Mutex<BTreeMap<String, String>> = Mutex::new(BTreeMap::new());

fn check(name: &str, still: &Still) {
    let found = palettes(name, still);
    if blessing() {
        FOUND.lock().unwrap().extend(found);
        write_blessed();
        return;
    }
    let text = std::fs::read_to_string(golden_path()).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; record it with {BLESS_ENV}=1",
            golden_path().display()
        )
    });
    let golden: BTreeMap<String, String> = serde_json::from_str(&text).unwrap();
    let prefix = format!("{name}/");
    let recorded: BTreeMap<&String, &String> = golden
        .iter()
        .filter(|(key, _)| key.starts_with(&prefix))
        .collect();
    assert_eq!(
        recorded.keys().copied().collect::<Vec<_>>(),
        found.keys().collect::<Vec<_>>(),
        "{name}: the golden file lists other palettes"
    );
    let changed: Vec<String> = found
        .iter()
        .filter(|(key, json)| recorded[key] != *json)
        .map(|(key, json)| format!("{key}\n  was {}\n  now {json}", recorded[key]))
        .collect();
    assert!(
        changed.is_empty(),
        "{} of {} palettes changed:\n{}",
        changed.len(),
        found.len(),
        changed.join("\n")
    );
}

/// Merges this run's palettes into the golden file (tests run on several threads).
fn write_blessed() {
    let path = golden_path();
    let mut all: BTreeMap<String, String> = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    all.extend(FOUND.lock().unwrap().clone());
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, serde_json::to_string_pretty(&all).unwrap() + "\n").unwrap();
}

fn sample(name: &str) {
    let still = Still::open(common::still_path(name)).unwrap();
    check(name, &still);
}

macro_rules! sample_tests {
    ($($test:ident => $name:literal),* $(,)?) => {
        $(#[test] fn $test() { sample($name); })*
    };
}

sample_tests! {
    chimera => "Chimera",
    el_fuente => "El_Fuente",
    meridian => "Meridian",
    sintel_0016 => "Sintel_0016",
    sintel_0025 => "Sintel_0025",
    sol_levante => "Sol_Levante",
    sparks => "Sparks",
}

/// Six noisy blobs of colour (hundreds of distinct colours each), so every method clusters.
#[test]
fn noisy_blobs() {
    let means = [
        [200, 40, 40],
        [30, 140, 70],
        [40, 60, 190],
        [230, 210, 80],
        [20, 20, 25],
        [240, 240, 235],
    ];
    let mut rng = rand_xoshiro::Xoshiro256Plus::seed_from_u64(11);
    let pixels: Vec<[u8; 3]> = (0..60_000)
        .map(|i| {
            let m: [u8; 3] = means[(i * 7 / 60_000).min(5)];
            m.map(|c| (i32::from(c) + rng.gen_range(-14..=14)).clamp(0, 255) as u8)
        })
        .collect();
    check("noisy_blobs", &Still::from_rgb(300, 200, &pixels).unwrap());
}

/// A smooth gradient over a large still: every core pools and assigns.
#[test]
fn large_gradient() {
    let (w, h) = (640u32, 480u32);
    let pixels: Vec<[u8; 3]> = (0..w * h)
        .map(|i| {
            let (x, y) = (i % w, i / w);
            [
                (x * 255 / (w - 1)) as u8,
                (y * 255 / (h - 1)) as u8,
                ((x + y) * 255 / (w + h - 2)) as u8,
            ]
        })
        .collect();
    check("large_gradient", &Still::from_rgb(w, h, &pixels).unwrap());
}

/// Few distinct colours (fewer than most k), and transparency.
#[test]
fn few_colours_with_alpha() {
    let colours = [
        [255, 0, 43, 255],
        [255, 43, 0, 255],
        [10, 200, 10, 255],
        [12, 200, 10, 255],
        [0, 0, 255, 0],
        [250, 250, 250, 255],
        [3, 3, 3, 200],
    ];
    let image = image::RgbaImage::from_fn(70, 10, |x, y| {
        image::Rgba(colours[((x / 10 + y) as usize) % colours.len()])
    });
    check(
        "few_colours_with_alpha",
        &Still::from_dynamic(image::DynamicImage::ImageRgba8(image)),
    );
}
