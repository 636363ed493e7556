//! Exact colors from real clustering, through the public API: stills of noisy blobs with
//! hundreds of distinct colors (and of 4 x 4 x 4 cells) per blob, so the pipeline has to
//! cluster (a still with no more cells than k would be answered from its distinct colors
//! without running k-means, agglomerative or accent). Every method in every space must find
//! each blob's mean color within 2 levels and its share within 1 percentage point.

mod common;

use color_palettes::{ColorSpace, Method, PaletteOptions, Still};
use common::{assert_recovers, distinct_colors_and_cells, swatches, Blobs};

fn still(blobs: &Blobs) -> Still {
    Still::from_bytes(&common::png(&blobs.image)).expect("a PNG still")
}

/// The still is one that needs clustering: many more cells than colors asked for.
fn check_needs_clustering(blobs: &Blobs) {
    let (colors, cells) = distinct_colors_and_cells(&blobs.image);
    let k = blobs.members.len();
    assert!(
        cells >= 100 * k && colors > cells,
        "{colors} colors in {cells} cells: too few to need clustering at k = {k}"
    );
}

fn every_method_and_space(blobs: &Blobs, seeds: &[u64]) {
    check_needs_clustering(blobs);
    let still = still(blobs);
    let k = blobs.members.len();
    for method in Method::ALL {
        for space in ColorSpace::ALL {
            for &seed in seeds {
                let palette = PaletteOptions::new()
                    .k(k)
                    .method(method)
                    .space(space)
                    .seed(seed)
                    .extract(&still)
                    .expect("a palette");
                assert_eq!(
                    (palette.k, palette.method, palette.space),
                    (k, method, space)
                );
                let context = format!("{method} {space} seed {seed}");
                assert_recovers(blobs, space, &swatches(&palette), 2.0, &context);
            }
        }
    }
}

#[test]
fn four_blobs_come_back_from_every_method_and_space() {
    every_method_and_space(&common::four_blobs(), &[0, 1, 2]);
}

#[test]
fn six_blobs_with_black_and_grey_come_back_from_every_method_and_space() {
    every_method_and_space(&common::six_blobs(), &[0, 7]);
}

/// The brightness filter selects before clustering: with the near-black blob (brightness
/// below 0.15 for every pixel) filtered out, the other five come back, with their shares of
/// what is left.
#[test]
fn the_filter_selects_before_clustering() {
    let blobs = common::six_blobs();
    let still = still(&blobs);
    let expected = blobs.only(1..blobs.members.len());
    for method in Method::ALL {
        let palette = PaletteOptions::new()
            .k(5)
            .method(method)
            .space(ColorSpace::Lab)
            .brightness(0.2, 1.0)
            .extract(&still)
            .expect("a palette");
        let context = format!("{method} filtered");
        assert_recovers(
            &expected,
            ColorSpace::Lab,
            &swatches(&palette),
            2.0,
            &context,
        );
    }
}

/// The default palette (nothing named) is the accent method in CIELAB, and says so in its JSON.
#[test]
fn the_default_is_accent_in_lab() {
    let options = PaletteOptions::new();
    assert_eq!(options.method, Method::Accent);
    assert_eq!(options.space, ColorSpace::Lab);
    assert_eq!(Method::default(), Method::Accent);
    assert_eq!(ColorSpace::default(), ColorSpace::Lab);
    let blobs = common::six_blobs();
    let palette = options
        .k(blobs.members.len())
        .extract(&still(&blobs))
        .expect("a palette");
    assert_eq!(
        (palette.method, palette.space),
        (Method::Accent, ColorSpace::Lab)
    );
    let json: serde_json::Value = serde_json::from_str(&palette.to_json()).expect("json");
    assert_eq!(json["method"], "accent");
    assert_eq!(json["space"], "lab");
    assert_recovers(&blobs, ColorSpace::Lab, &swatches(&palette), 2.0, "default");
}

/// Agglomerative clustering runs Ward over every pooled colour, with no sample: the same
/// palette for every seed, in every space, on a real still.
#[test]
fn agglomerative_is_the_same_for_every_seed() {
    let still = Still::open(common::still_path("El_Fuente")).expect("El_Fuente");
    for space in ColorSpace::ALL {
        let options = PaletteOptions::new()
            .method(Method::Agglomerative)
            .space(space);
        let first = options.seed(0).extract(&still).expect("a palette");
        assert_eq!(first.len(), 8);
        for seed in [1, 7, 12_345, u64::MAX] {
            assert_eq!(
                options.seed(seed).extract(&still).expect("a palette"),
                first,
                "{space} seed {seed}"
            );
        }
    }
}
