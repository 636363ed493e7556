//! The accent method against the labelled accents of the sample stills (issue targets, k=8):
//! every accent captured in every space, at a reconstruction cost within 1.25x of k-means
//! in CIELAB. Scores use the crate's own CIEDE2000 scorer (`quality`).

mod common;

use color_palettes::quality::{parse_accents, score};
use color_palettes::{ColorSpace, Method, PaletteOptions, Still};

#[test]
fn accent_palettes_capture_every_labelled_accent() {
    let labels = parse_accents(&std::fs::read_to_string(common::accents_path()).unwrap()).unwrap();
    assert!(!labels.is_empty());
    for (file, masks) in &labels {
        let still = Still::open(common::still_path(file)).unwrap();
        let pixels: Vec<[u8; 3]> = still.opaque_pixels().collect();
        let kmeans_lab = PaletteOptions::new()
            .space(ColorSpace::Lab)
            .extract(&still)
            .unwrap();
        let baseline = score(&pixels, &kmeans_lab.rgb(), masks);
        for space in ColorSpace::ALL {
            let palette = PaletteOptions::new()
                .method(Method::Accent)
                .space(space)
                .extract(&still)
                .unwrap();
            let s = score(&pixels, &palette.rgb(), masks);
            let (hits, total) = s.accent_recall();
            assert_eq!(hits, total, "{file} {space}: {:?}", s.accents);
            assert!(
                s.mean_de00 <= 1.25 * baseline.mean_de00,
                "{file} {space}: mean dE00 {} vs k-means Lab {}",
                s.mean_de00,
                baseline.mean_de00
            );
        }
    }
}
