//! `okolors-palette STILL K`: a k-colour palette of a still from the `okolors` crate (Oklab
//! k-means), printed as JSON in color-palettes' format:
//! `{"k":8,"method":"okolors","space":"oklab","colors":[{"hex":"#rrggbb","rgb":[r,g,b],"proportion":0.31},...]}`.
//!
//! okolors is used with its defaults (lightness weight 0.325, k-means sampling factor 0.5,
//! automatic dedup, single-threaded) except the palette size. okolors returns no proportions, so
//! they are computed here the way its k-means assigns pixels: each distinct colour of the still
//! goes to the nearest palette colour in okolors's (lightness-weighted) Oklab space. That step is
//! part of the timed process, as it is for color-palettes.
//! `okolors-palette --decode-only STILL` only decodes the still (as `image::open(..).into_rgb8()`),
//! a control that shows how much of a run is PNG decoding.
//! Benchmark-only: not part of the color-palettes package.

use okolors::deps::quantette::{color_space::srgb8_to_oklab, dedup::dedup_colors_u8_3_counts};
use okolors::{Okolors, PaletteSize};
use palette::{Oklab, Srgb};
use serde::Serialize;
use std::process::ExitCode;

/// One palette colour in color-palettes' JSON format.
#[derive(Serialize)]
struct Color {
    hex: String,
    rgb: [u8; 3],
    proportion: f64,
}

/// The whole palette in color-palettes' JSON format.
#[derive(Serialize)]
struct Doc {
    k: usize,
    method: &'static str,
    space: &'static str,
    colors: Vec<Color>,
}

/// okolors's default lightness weight (`Okolors::lightness_weight`).
const LIGHTNESS_WEIGHT: f32 = 0.325;

fn run() -> Result<String, String> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 3 && args[1] == "--decode-only" {
        // Control for the benchmark: the cost of decoding the still alone.
        let img = image::open(&args[2])
            .map_err(|e| format!("cannot load {}: {e}", args[2]))?
            .into_rgb8();
        return Ok(format!("{{\"pixels\":{}}}", img.width() * img.height()));
    }
    if args.len() != 3 {
        return Err("usage: okolors-palette STILL K | okolors-palette --decode-only STILL".into());
    }
    let k: u8 = args[2]
        .parse()
        .map_err(|e| format!("bad K {:?}: {e}", args[2]))?;
    let img = image::open(&args[1])
        .map_err(|e| format!("cannot load {}: {e}", args[1]))?
        .into_rgb8();
    let pixels: &[Srgb<u8>] = palette::cast::from_component_slice(img.as_raw());

    let pal = Okolors::try_from(&img)
        .map_err(|e| format!("image too large for okolors: {e}"))?
        .palette_size(PaletteSize::from_u8_clamped(k))
        .oklab_palette();
    let srgb = okolors::deps::quantette::color_space::oklab_to_srgb8(&pal);

    // Proportions: distinct colours with counts, each to its nearest centre in weighted Oklab.
    let counts = dedup_colors_u8_3_counts(pixels).map_err(|e| format!("image too large: {e}"))?;
    let uniques = srgb8_to_oklab(counts.palette());
    let weighted = |c: &Oklab| [c.l * LIGHTNESS_WEIGHT, c.a, c.b];
    let centres: Vec<[f32; 3]> = pal.iter().map(weighted).collect();
    let mut totals = vec![0u64; centres.len()];
    for (c, &n) in uniques.iter().zip(counts.counts()) {
        let p = weighted(c);
        let mut best = (f32::INFINITY, 0usize);
        for (i, q) in centres.iter().enumerate() {
            let d = (p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2);
            if d < best.0 {
                best = (d, i);
            }
        }
        if let Some(t) = totals.get_mut(best.1) {
            *t += u64::from(n);
        }
    }
    let total = totals.iter().sum::<u64>().max(1) as f64;

    let mut colors: Vec<(Srgb<u8>, f64)> = srgb
        .into_iter()
        .zip(totals.iter().map(|&t| t as f64 / total))
        .collect();
    colors.sort_by(|a, b| b.1.total_cmp(&a.1));
    let colors: Vec<Color> = colors
        .into_iter()
        .map(|(c, p)| Color {
            hex: format!("#{:02x}{:02x}{:02x}", c.red, c.green, c.blue),
            rgb: [c.red, c.green, c.blue],
            proportion: (p * 10_000.0).round() / 10_000.0,
        })
        .collect();
    let doc = Doc {
        k: colors.len(),
        method: "okolors",
        space: "oklab",
        colors,
    };
    serde_json::to_string(&doc).map_err(|e| format!("cannot write JSON: {e}"))
}

fn main() -> ExitCode {
    match run() {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("okolors-palette: {e}");
            ExitCode::FAILURE
        }
    }
}
