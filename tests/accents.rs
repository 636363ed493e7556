//! The accent method (the default) against the labelled accents of the sample stills (k = 8),
//! beside k-means over several seeds, since a single seed can be lucky (the accent method
//! uses none): in HSV and CIELAB it captures every one; in RGB at least 80% of them, and more
//! than plain k-means with the same seeds
//! (not with every seed: the RGB base palette sometimes drops El Fuente's muted green); and
//! its mean reconstruction error over the labelled stills stays within 1.25x of k-means in
//! CIELAB with the same seed. Scores use the crate's own CIEDE2000 scorer (`quality`).

mod common;

use color_palettes::quality::{parse_accents, score};
use color_palettes::{ColorSpace, Method, PaletteOptions, Still};

const SEEDS: u64 = 8;

#[test]
fn accent_palettes_capture_the_labelled_accents() {
    if common::skipped("accents", "accent_palettes_capture_the_labelled_accents") {
        return;
    }
    let path = common::accents_path();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read the accent labels {}: {e}", path.display()));
    let labels = parse_accents(&text)
        .unwrap_or_else(|e| panic!("the accent labels {} do not parse: {e}", path.display()));
    assert!(!labels.is_empty(), "{} labels no accents", path.display());
    for space in ColorSpace::ALL {
        let (mut hits, mut total, mut kmeans_hits) = (0, 0, 0);
        let mut errors = vec![(0.0, 0.0); SEEDS as usize];
        for (file, masks) in &labels {
            let still = Still::open(common::still_path(file))
                .unwrap_or_else(|e| panic!("the labelled still {file}: {e}"));
            let pixels: Vec<[u8; 3]> = still.opaque_pixels().collect();
            for seed in 0..SEEDS {
                let options = PaletteOptions::new()
                    .method(Method::Kmeans)
                    .space(space)
                    .seed(seed);
                let kmeans = score(&pixels, &options.extract(&still).unwrap().rgb(), masks);
                let kmeans_lab = options.space(ColorSpace::Lab).extract(&still).unwrap();
                let baseline = score(&pixels, &kmeans_lab.rgb(), masks);
                let accent = options.method(Method::Accent).extract(&still).unwrap();
                let s = score(&pixels, &accent.rgb(), masks);
                let (found, labelled) = s.accent_recall();
                let context = format!("{file} {space} seed {seed}: {:?}", s.accents);
                kmeans_hits += kmeans.accent_recall().0;
                if space != ColorSpace::Rgb {
                    assert_eq!(found, labelled, "{context}");
                }
                errors[seed as usize].0 += s.mean_de00;
                errors[seed as usize].1 += baseline.mean_de00;
                hits += found;
                total += labelled;
            }
        }
        for (seed, (accent, kmeans_lab)) in errors.into_iter().enumerate() {
            assert!(
                accent <= 1.25 * kmeans_lab,
                "{space} seed {seed}: mean dE00 {accent} vs k-means Lab {kmeans_lab} (sums)"
            );
        }
        eprintln!("{space}: {hits} of {total} labelled accents captured (k-means: {kmeans_hits})");
        assert!(hits * 10 >= total * 8, "{space}: {hits} of {total}");
        assert!(
            hits > kmeans_hits,
            "{space}: {hits} vs k-means {kmeans_hits}"
        );
    }
}

/// The notebook's labelled accents (`explore::labelled_accents`) are the masks of
/// `accents.json`, name for name (spaces for hyphens), range for range.
#[test]
fn the_notebooks_accents_are_the_labelled_ones() {
    if common::skipped("accents", "the_notebooks_accents_are_the_labelled_ones") {
        return;
    }
    let text = std::fs::read_to_string(common::accents_path()).expect("accents.json");
    let labels = parse_accents(&text).expect("the accent labels parse");
    for (file, masks) in &labels {
        let name = file.trim_end_matches(".png");
        let ours = color_palettes::explore::labelled_accents(name);
        assert_eq!(ours.len(), masks.len(), "{name}");
        for (a, b) in ours.iter().zip(masks) {
            assert_eq!(a.name, b.name.replace('-', " "));
            assert_eq!((a.hue, a.cmin, a.lmin), (b.hue, b.cmin, b.lmin), "{name}");
        }
    }
}
