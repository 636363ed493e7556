//! The figures under `docs/figures/` and the README's examples are what the code makes
//! today: each is regenerated here and compared with the committed file, byte for byte.
//!
//! One command regenerates them all (after a change to the palettes or the figures):
//!
//! ```sh
//! COLOR_PALETTES_BLESS=1 cargo test --features server --test docs
//! ```
//!
//! Needs the sample stills (`COLOR_PALETTES_DATA`).

mod common;

use std::path::{Path, PathBuf};

use color_palettes::{
    data, order, ColorSpace, Figure, Method, Order, PaletteOptions, Still, StripStyle,
};

/// Whether to write the files instead of checking them.
fn bless() -> bool {
    std::env::var_os("COLOR_PALETTES_BLESS").is_some_and(|v| v == "1")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn still(name: &str) -> Still {
    common::still_path(name);
    data::still(name).expect("the sample still")
}

/// How a figure is made.
type Make = Box<dyn Fn() -> Figure>;

/// Every figure the README shows: its path under the repository and how it is made.
fn figures() -> Vec<(&'static str, Make)> {
    let equal = StripStyle {
        proportional: false,
        labels: true,
    };
    vec![
        (
            // `color-palettes compare El_Fuente --png docs/figures/compare-el-fuente.png --width 640`
            "docs/figures/compare-el-fuente.png",
            Box::new(|| {
                let still = still("El_Fuente");
                let palettes = PaletteOptions::new()
                    .check()
                    .and_then(|o| o.comparison(&still))
                    .and_then(|p| order::arrange(&p, Order::Matched))
                    .expect("the comparison");
                Figure::comparison(&still, &palettes, 640, StripStyle::default())
            }),
        ),
        (
            // `color-palettes extract El_Fuente --png docs/figures/extract-el-fuente.png`:
            // the README's quick start.
            "docs/figures/extract-el-fuente.png",
            Box::new(|| {
                let still = still("El_Fuente");
                let palette = PaletteOptions::new().extract(&still).expect("palette");
                Figure::still_with_strip(&still, &palette, 900, StripStyle::default())
            }),
        ),
        (
            // `extract Sintel_0016 --method kmeans --space lab --equal-swatches --width 640`
            "docs/figures/kmeans-sintel.png",
            Box::new(move || {
                let still = still("Sintel_0016");
                let palette = PaletteOptions::new()
                    .method(Method::Kmeans)
                    .space(ColorSpace::Lab)
                    .extract(&still)
                    .expect("palette");
                Figure::still_with_strip(&still, &palette, 640, equal)
            }),
        ),
        (
            // `extract Sintel_0016 --equal-swatches --width 640` (the default: accent, CIELAB)
            "docs/figures/accent-sintel.png",
            Box::new(move || {
                let still = still("Sintel_0016");
                let palette = PaletteOptions::new()
                    .method(Method::Accent)
                    .space(ColorSpace::Lab)
                    .extract(&still)
                    .expect("palette");
                Figure::still_with_strip(&still, &palette, 640, equal)
            }),
        ),
    ]
}

/// The README's JSON example: what `color-palettes extract El_Fuente` prints, its first
/// colour shown and the rest elided.
fn readme_json_example() -> String {
    let palette = PaletteOptions::new()
        .extract(&still("El_Fuente"))
        .expect("palette");
    let json = palette.to_json();
    let first_end = json.find("},").map_or(json.len(), |i| i + 1);
    format!("{}, ...]}}", &json[..first_end])
}

/// Checks (or, blessing, writes) `path` against `bytes`; returns a complaint if stale.
fn check(path: &Path, bytes: &[u8]) -> Option<String> {
    let full = root().join(path);
    if bless() {
        std::fs::write(&full, bytes).expect("write");
        return None;
    }
    match std::fs::read(&full) {
        Ok(old) if old == bytes => None,
        Ok(_) => Some(format!("{} is out of date", path.display())),
        Err(e) => Some(format!("{} cannot be read: {e}", path.display())),
    }
}

#[test]
fn figures_and_readme_examples_are_up_to_date() {
    let mut stale = Vec::new();
    for (path, make) in figures() {
        let png = make().to_png().expect("PNG");
        stale.extend(check(Path::new(path), &png));
    }
    // The README's JSON example, the line after "`--format json` prints:".
    let readme_path = root().join("README.md");
    let readme = std::fs::read_to_string(&readme_path).expect("README.md");
    let example = readme_json_example();
    let marker = "`--format json` prints:\n\n```json\n{\"k\":8,";
    let start =
        readme.find(marker).expect("the README's JSON example") + marker.len() - "{\"k\":8,".len();
    let end = start + readme[start..].find('\n').expect("end of line");
    if readme[start..end] != example {
        if bless() {
            let updated = format!("{}{example}{}", &readme[..start], &readme[end..]);
            std::fs::write(&readme_path, updated).expect("write README.md");
        } else {
            stale.push(format!(
                "README.md's JSON example is out of date: it should read {example}"
            ));
        }
    }
    // Every figure the README shows is one of these.
    for line in readme.lines().filter(|l| l.contains("](docs/figures/")) {
        let path = line
            .split("](")
            .nth(1)
            .and_then(|rest| rest.split(')').next())
            .expect("an image path");
        assert!(
            figures().iter().any(|(p, _)| *p == path),
            "the README shows {path}, which tests/docs.rs does not regenerate"
        );
    }
    assert!(
        stale.is_empty(),
        "{}\nregenerate with: COLOR_PALETTES_BLESS=1 cargo test --features server --test docs",
        stale.join("\n")
    );
}
