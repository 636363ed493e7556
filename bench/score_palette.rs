//! `score-palette STILL [--accents ACCENTS_JSON] PALETTE_JSON...`: scores palettes of a still
//! with color-palettes' `quality` module (CIEDE2000 reconstruction, palette diversity, accent
//! capture; the definitions of the reference `palette_score.py`) and prints one JSON line per
//! palette, in the order given:
//!
//! `{"image":"Chimera.png","palette":"p.json","k":8,"mean_de00":..,"p95_de00":..,
//!   "min_pair_de00":..,"accents":[{"name":..,"de00":..,"reference":[L,a,b],"area":..}],
//!   "accent_recall":[captured,total]}`
//!
//! A palette file is color-palettes' JSON (`{"colors":[{"hex":"#rrggbb",..},..]}`) or a plain
//! list of hex strings. The accent masks used are those listed under the still's file name.
//! Like `palette_score.py`, every pixel of the still counts (an alpha channel is dropped).
//!
//! It is a binary of the bench-only crate `bench/okolors-palette` (`cargo build --release
//! --manifest-path bench/okolors-palette/Cargo.toml --bin score-palette`), which depends on
//! the library without its network code.

use color_palettes::quality;

use serde::Serialize;
use std::path::Path;
use std::process::ExitCode;

/// One output line.
#[derive(Serialize)]
struct Line<'a> {
    image: &'a str,
    palette: &'a str,
    #[serde(flatten)]
    score: &'a quality::Score,
    accent_recall: [usize; 2],
    recall_de00: f64,
}

/// Parses `#rrggbb` (the `#` optional).
fn parse_hex(s: &str) -> Option<[u8; 3]> {
    let h = s.trim_start_matches('#');
    if h.len() != 6 || !h.is_ascii() {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(h.get(i..i + 2)?, 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

/// Reads a palette file: color-palettes' JSON document or a list of hex strings.
fn read_palette(path: &str) -> Result<Vec<[u8; 3]>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let doc: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{path}: bad JSON: {e}"))?;
    let list = match &doc {
        serde_json::Value::Array(a) => a,
        serde_json::Value::Object(o) => o
            .get("colors")
            .or_else(|| o.get("palette"))
            .and_then(|v| v.as_array())
            .ok_or_else(|| format!("{path}: no \"colors\" list"))?,
        _ => return Err(format!("{path}: not a palette")),
    };
    list.iter()
        .map(|c| {
            let hex = c.get("hex").unwrap_or(c).as_str();
            hex.and_then(parse_hex)
                .ok_or_else(|| format!("{path}: bad colour {c}"))
        })
        .collect()
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mut still = None;
    let mut accents_path = None;
    let mut palettes = Vec::new();
    while let Some(a) = args.next() {
        if a == "--accents" {
            accents_path = Some(args.next().ok_or("--accents needs a file")?);
        } else if still.is_none() {
            still = Some(a);
        } else {
            palettes.push(a);
        }
    }
    let still =
        still.ok_or("usage: score-palette STILL [--accents ACCENTS_JSON] PALETTE_JSON...")?;
    let name = Path::new(&still)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(&still)
        .to_owned();
    let masks = match accents_path {
        Some(p) => {
            let text = std::fs::read_to_string(&p).map_err(|e| format!("cannot read {p}: {e}"))?;
            let mut all = quality::parse_accents(&text).map_err(|e| format!("{p}: {e}"))?;
            all.remove(&name).unwrap_or_default()
        }
        None => Vec::new(),
    };
    let img = image::open(&still)
        .map_err(|e| format!("cannot load {still}: {e}"))?
        .into_rgb8();
    let pixels: Vec<[u8; 3]> = img
        .as_raw()
        .chunks_exact(3)
        .map(|c| [c[0], c[1], c[2]])
        .collect();
    for p in &palettes {
        let pal = read_palette(p)?;
        let score = quality::score(&pixels, &pal, &masks);
        let (hits, total) = score.accent_recall();
        let line = Line {
            image: &name,
            palette: p,
            score: &score,
            accent_recall: [hits, total],
            recall_de00: quality::RECALL_DE00,
        };
        let json = serde_json::to_string(&line).map_err(|e| format!("cannot write JSON: {e}"))?;
        println!("{json}");
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("score-palette: {e}");
            ExitCode::FAILURE
        }
    }
}
