//! A swatch's proportion is the share of pixels nearest to it, for every method and space:
//! recounted here pixel by pixel, by a plain nearest-swatch search in the palette's space,
//! on sample stills and on a synthetic still of smooth gradients and noise.

mod common;

use color_palettes::{ColorSpace, Method, Palette, PaletteOptions, Still};

/// Per swatch, in the palette's order: the pixels nearest to it alone, and those as near to
/// it as to another swatch (ties: with 8-bit swatches, a pixel can sit exactly halfway), as
/// shares of the opaque pixels.
fn recount(still: &Still, palette: &Palette) -> Vec<(f64, f64)> {
    let space = palette.space;
    let swatches: Vec<[f32; 3]> = palette.colors.iter().map(|s| space.embed(s.rgb)).collect();
    let mut alone = vec![0u64; swatches.len()];
    let mut tied = vec![0u64; swatches.len()];
    let mut total = 0u64;
    for rgb in still.opaque_pixels() {
        let p = space.embed(rgb);
        let d2: Vec<f32> = swatches
            .iter()
            .map(|s| (0..3).map(|i| (s[i] - p[i]) * (s[i] - p[i])).sum())
            .collect();
        let least = d2.iter().copied().fold(f32::INFINITY, f32::min);
        // Equally near up to f32 rounding of the embedding.
        let near: Vec<usize> = (0..d2.len())
            .filter(|&i| d2[i] - least <= TIE * (1.0 + least))
            .collect();
        match near[..] {
            [only] => alone[only] += 1,
            _ => near.iter().for_each(|&i| tied[i] += 1),
        }
        total += 1;
    }
    let share = |n: u64| n as f64 / total as f64;
    alone
        .iter()
        .zip(&tied)
        .map(|(&a, &t)| (share(a), share(t)))
        .collect()
}

/// Squared-distance margin under which two swatches count as equally near.
const TIE: f32 = 1e-5;

fn check(name: &str, still: &Still) {
    for method in Method::ALL {
        for space in ColorSpace::ALL {
            let palette = PaletteOptions::new()
                .method(method)
                .space(space)
                .extract(still)
                .expect("a palette");
            for (swatch, (alone, tied)) in palette.colors.iter().zip(recount(still, &palette)) {
                // Whole pixels, not rounding: one pixel of a 0.5 MP still is 2e-6.
                assert!(
                    swatch.proportion > alone - 1e-9 && swatch.proportion < alone + tied + 1e-9,
                    "{name}, {method} in {space}: swatch {} is nearest to {alone:.6} of the \
                     pixels (and as near as another to {tied:.6}) but says {:.6}",
                    swatch.hex,
                    swatch.proportion
                );
            }
        }
    }
}

#[test]
fn every_swatch_holds_the_share_of_pixels_nearest_to_it_on_sample_stills() {
    if common::skipped("samples", "shares on sample stills") {
        return;
    }
    for name in ["El_Fuente", "Sintel_0016"] {
        check(
            name,
            &Still::open(common::still_path(name)).expect("the still"),
        );
    }
}

#[test]
fn every_swatch_holds_the_share_of_pixels_nearest_to_it_on_gradients() {
    // Smooth gradients with a little noise: many cells that a boundary between two swatches
    // runs through, and more pixels than the threads' split point.
    let (width, height) = (800u32, 400u32);
    let mut state = 12345u32;
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let noise = (state >> 28) as i32 - 8;
        let level = |v: i32| (v + noise).clamp(0, 255) as u8;
        image::Rgb([
            level((x * 255 / width) as i32),
            level((y * 255 / height) as i32),
            level(((x + y) * 255 / (width + height)) as i32),
        ])
    });
    check(
        "gradients",
        &Still::from_bytes(&common::png(&image)).expect("a still"),
    );
}
