//! The notebooks' helpers, kept in the crate (and tested) so that each notebook cell is one
//! or two calls: a still from a path, URL or sample name; the original's four palettes with
//! their table; the palette-size sweep; the original's naive (linear-hue) HSV k-means, to
//! show what the crate's HSV cone fixes; how far a colour is from a palette; the brightness
//! histogram and the masked still of the brightness filter.
//!
//! Functions that print say so: they print what a notebook cell shows as text, and return
//! the figure the cell shows as a picture.

use palette::{FromColor, Hsv, Srgb};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::counts::ColorCounts;
use crate::error::{Error, Result};
use crate::load::Still;
use crate::order::{self, Order};
use crate::palette::{Palette, Swatch};
use crate::pipeline::PaletteOptions;
use crate::quality;
use crate::render::{Figure, StripStyle};
use crate::request::Request;
use crate::select::Brightness;
use crate::source::Source;
use crate::{data, ColorSpace, Method};
use std::sync::Arc;

/// A still from an http(s) URL, a file path, or the name of a sample still, parsed as
/// every front end parses it ([`Source::parse`]).
pub fn open(source: &str) -> Result<Still> {
    Ok(Arc::unwrap_or_clone(Source::parse(source).load()?))
}

/// The palette of a still named as [`open`] takes it, made as the CLI and the server make
/// it ([`Request::run`]: bars cut unless the request says not to).
pub fn palette(source: &str, request: &Request) -> Result<Palette> {
    Ok(request.run(Source::parse(source))?.palette().clone())
}

/// The request's answer for a still a notebook already holds.
fn answer(still: &Still, request: Request) -> Result<crate::Answer> {
    request.run(Source::from(still.clone()))
}

/// The palettes as a table: one column per palette (its title, then `#rrggbb share%`).
#[must_use]
pub fn table(palettes: &[Palette]) -> String {
    let mut out = String::new();
    for palette in palettes {
        out.push_str(&format!("{:<20}", palette.title()));
    }
    out = out.trim_end().to_owned() + "\n";
    let rows = palettes.iter().map(Palette::len).max().unwrap_or(0);
    for i in 0..rows {
        let mut line = String::new();
        for palette in palettes {
            match palette.colors.get(i) {
                Some(s) => {
                    line.push_str(&format!("{} {:>5.1}%       ", s.hex, s.proportion * 100.0))
                }
                None => line.push_str(&format!("{:20}", "")),
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The original's `make_all_palettes`: the four palettes of `still` (k-means and
/// agglomerative, in RGB and HSV, each lined up with the first), printed as a table, and
/// their figure, `width` pixels wide.
pub fn make_all_palettes(still: &Still, k: usize, width: u32) -> Result<Figure> {
    let answer = answer(still, Request::compare().k(k).width(width))?;
    print!("{}", table(answer.palettes()));
    Ok(answer.figure())
}

/// The palette-size sweep of the original: palettes of each size in `sizes` with `options`,
/// one strip each (titled `k = 5`), with each palette's mean CIEDE2000 error (how far a pixel
/// is from its swatch, on average) printed.
pub fn size_sweep(
    still: &Still,
    options: &PaletteOptions,
    sizes: &[usize],
    width: u32,
) -> Result<Figure> {
    let pixels: Vec<[u8; 3]> = still.opaque_pixels().collect();
    let mut strips = Vec::new();
    for &k in sizes {
        let palette = options.k(k).extract(still)?;
        let score = quality::score(&pixels, &palette.rgb(), &[]);
        println!("k = {k:<3} mean error {:5.2}", score.mean_de00);
        strips.push((format!("k = {k}"), palette));
    }
    let titled: Vec<(String, &Palette)> = strips.iter().map(|(t, p)| (t.clone(), p)).collect();
    Ok(Figure::titled_strips(
        Some(still),
        &titled,
        width,
        StripStyle::default(),
    ))
}

/// The original's HSV palette: k-means on (hue, saturation, value) as three plain numbers
/// from 0 to 1, as scikit-learn saw them, so hue is averaged as a number and not as an
/// angle (350° and 10° average to 180°: cyan). Kept only to show what the crate's HSV cone
/// fixes. Weighted k-means++ seeding and Lloyd iterations over the still's distinct
/// colours; `seed` makes it repeatable.
pub fn naive_hsv_palette(still: &Still, k: usize, seed: u64) -> Result<Palette> {
    let k = PaletteOptions::new().k(k).check()?.options().k;
    let counts = ColorCounts::from_still(still, Brightness::default())?;
    let points: Vec<([f64; 3], f64)> = counts
        .iter()
        .map(|(rgb, n)| (naive_hsv(rgb), f64::from(n)))
        .collect();
    if points.is_empty() {
        return Err(Error::NoPixels("the still has no opaque pixel".into()));
    }
    let distance = |a: &[f64; 3], b: &[f64; 3]| crate::space::distance2(*a, *b);
    let nearest = |p: &[f64; 3], centres: &[[f64; 3]]| {
        (0..centres.len())
            .min_by(|&i, &j| distance(p, &centres[i]).total_cmp(&distance(p, &centres[j])))
            .unwrap_or(0)
    };
    // k-means++: each next centre drawn in proportion to weight x squared distance.
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut centres = vec![points[rng.gen_range(0..points.len())].0];
    while centres.len() < k.min(points.len()) {
        let d: Vec<f64> = points
            .iter()
            .map(|(p, w)| w * distance(p, &centres[nearest(p, &centres)]))
            .collect();
        let total: f64 = d.iter().sum();
        if total <= 0.0 {
            break;
        }
        let mut target = rng.gen_range(0.0..total);
        let chosen = d
            .iter()
            .position(|&x| {
                target -= x;
                target < 0.0
            })
            .unwrap_or(points.len() - 1);
        centres.push(points[chosen].0);
    }
    let mut members = vec![0usize; points.len()];
    for _ in 0..50 {
        let mut sums = vec![([0.0f64; 3], 0.0f64); centres.len()];
        for (i, (p, w)) in points.iter().enumerate() {
            let c = nearest(p, &centres);
            members[i] = c;
            for (sum, value) in sums[c].0.iter_mut().zip(p) {
                *sum += value * w;
            }
            sums[c].1 += w;
        }
        let mut moved = 0.0;
        for (centre, (sum, weight)) in centres.iter_mut().zip(&sums) {
            if *weight > 0.0 {
                let mean = sum.map(|s| s / weight);
                moved += distance(centre, &mean);
                *centre = mean;
            }
        }
        if moved < 1e-12 {
            break;
        }
    }
    let mut weights = vec![0.0; centres.len()];
    for (i, (_, w)) in points.iter().enumerate() {
        weights[members[i]] += w;
    }
    let colours = centres.iter().map(|&c| naive_hsv_to_rgb(c)).zip(weights);
    Ok(Palette::from_weights(
        k,
        Method::Kmeans,
        ColorSpace::Hsv,
        colours,
    ))
}

/// The original's naive HSV palette beside the crate's HSV cone (both k-means, `k` colours):
/// each one's mean CIEDE2000 error printed, and the two strips (without the still, which
/// the notebook shows just before).
pub fn naive_beside_cone(still: &Still, k: usize, width: u32) -> Result<Figure> {
    let naive = naive_hsv_palette(still, k, 0)?;
    let cone = PaletteOptions::new()
        .k(k)
        .space(ColorSpace::Hsv)
        .extract(still)?;
    let pixels: Vec<[u8; 3]> = still.opaque_pixels().collect();
    let strips = [
        ("HSV, hue as a number (the original)".to_owned(), &naive),
        ("HSV, hue as an angle (this crate)".to_owned(), &cone),
    ];
    for (title, palette) in &strips {
        let error = quality::score(&pixels, &palette.rgb(), &[]).mean_de00;
        println!("{title:<38} mean error {error:.2}");
    }
    Ok(Figure::titled_strips(
        None,
        &strips,
        width,
        StripStyle::default(),
    ))
}

/// (hue / 360°, saturation, value), each from 0 to 1, as Python's `colorsys` gives them.
fn naive_hsv([r, g, b]: [u8; 3]) -> [f64; 3] {
    let hsv: Hsv<palette::encoding::Srgb, f64> =
        Hsv::from_color(Srgb::new(r, g, b).into_format::<f64>());
    let hue = hsv.hue.into_positive_degrees() / 360.0;
    [hue.rem_euclid(1.0), hsv.saturation, hsv.value]
}

fn naive_hsv_to_rgb([h, s, v]: [f64; 3]) -> [u8; 3] {
    let rgb: Srgb<f64> = Srgb::from_color(Hsv::new(h * 360.0, s, v));
    let channel = |c: f64| (c.clamp(0.0, 1.0) * 255.0).round() as u8;
    [channel(rgb.red), channel(rgb.green), channel(rgb.blue)]
}

/// The swatch of `palette` nearest to `rgb` by CIEDE2000, with that distance (about 1 is
/// just noticeable).
#[must_use]
pub fn nearest(palette: &Palette, rgb: [u8; 3]) -> Option<(&Swatch, f64)> {
    palette
        .colors
        .iter()
        .map(|s| (s, quality::score(&[rgb], &[s.rgb], &[]).mean_de00))
        .min_by(|a, b| a.1.total_cmp(&b.1))
}

/// "nearest colour #rrggbb, 6.8 away": the swatch of `palette` nearest to `rgb`.
#[must_use]
pub fn describe_nearest(palette: &Palette, rgb: [u8; 3]) -> String {
    nearest(palette, rgb).map_or_else(
        || "no colour".to_owned(),
        |(s, d)| format!("nearest colour {}, {d:4.1} away", s.hex),
    )
}

/// The accent problem and its fix: the original's k-means in RGB and in HSV, then the accent
/// method in HSV and in CIELAB (the default), with each palette's scores against the
/// sample's labelled accents printed ([`print_scores`]); the figure has equal swatches, so
/// small colours show.
pub fn problem_and_fix(name: &str, width: u32) -> Result<Figure> {
    let found = data::still(name)?;
    let mut palettes = Vec::new();
    let mut still = None;
    for (method, space) in [
        (Method::Kmeans, ColorSpace::Rgb),
        (Method::Kmeans, ColorSpace::Hsv),
        (Method::Accent, ColorSpace::Hsv),
        (Method::Accent, ColorSpace::Lab),
    ] {
        let answer = answer(&found, Request::palette().method(method).space(space))?;
        palettes.push(answer.palette().clone());
        still.get_or_insert_with(|| answer.still().clone());
    }
    let still = still.unwrap_or(found);
    println!("{}\n", data::sample(name)?.credit());
    print_scores(&still, &palettes, &labelled_accents(name));
    let equal = StripStyle {
        proportional: false,
        labels: true,
    };
    Ok(Figure::comparison(&still, &palettes, width, equal))
}

/// Each palette's title, its mean CIEDE2000 error over `still`, and the distance from each
/// accent of `accents` to its nearest swatch (15 or less counts as captured), one line
/// each, printed.
pub fn print_scores(still: &Still, palettes: &[Palette], accents: &[quality::AccentMask]) {
    let pixels: Vec<[u8; 3]> = still.opaque_pixels().collect();
    for accent in quality::score(&pixels, &[], accents).accents {
        println!("{}: {:.2}% of the still", accent.name, accent.area * 100.0);
    }
    for palette in palettes {
        let score = quality::score(&pixels, &palette.rgb(), accents);
        let each: Vec<String> = score
            .accents
            .iter()
            .map(|a| format!("{} {:.1}", a.name, a.de00))
            .collect();
        println!(
            "{:<22} mean error {:.2}   accents: {}",
            palette.title(),
            score.mean_de00,
            each.join(", ")
        );
    }
}

/// The labelled accents of the sample stills (as in their `accents.json`): hue range in
/// degrees, least chroma and lightness in CIELAB.
#[must_use]
pub fn labelled_accents(name: &str) -> Vec<quality::AccentMask> {
    let mask = |name: &str, hue: [f32; 2], cmin: f32, lmin: f32| quality::AccentMask {
        name: name.into(),
        hue,
        cmin,
        lmin,
        lmax: 101.0,
    };
    match name {
        "El_Fuente" => vec![
            mask("market red", [345.0, 30.0], 35.0, 15.0),
            mask("produce green", [120.0, 180.0], 20.0, 15.0),
        ],
        "Sol_Levante" => vec![
            mask("eye cyan", [180.0, 240.0], 20.0, 50.0),
            mask("hood violet", [300.0, 330.0], 35.0, 0.0),
        ],
        "Sintel_0016" => vec![mask("apple red", [20.0, 60.0], 35.0, 15.0)],
        _ => Vec::new(),
    }
}

/// A histogram of the still's pixel brightness (mean of R, G and B, 0 to 1) in 50 bins: the
/// bins `filter` keeps in blue, those it drops in grey.
pub fn brightness_histogram(still: &Still, filter: Brightness) -> Figure {
    const BINS: usize = 50;
    let mut counts = [0u64; BINS];
    for [r, g, b] in still.opaque_pixels() {
        let brightness = (f32::from(r) + f32::from(g) + f32::from(b)) / 765.0;
        counts[((brightness * BINS as f32) as usize).min(BINS - 1)] += 1;
    }
    let total = counts.iter().sum::<u64>().max(1) as f64;
    let (kept, dropped) = ([52, 101, 164], [186, 189, 182]);
    let bars: Vec<(f64, [u8; 3])> = counts
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            let middle = (i as f32 + 0.5) / BINS as f32;
            let keeps = middle >= filter.min && middle <= filter.max;
            (100.0 * n as f64 / total, if keeps { kept } else { dropped })
        })
        .collect();
    Figure::bar_chart(
        &bars,
        (0.0, 1.0),
        "brightness (mean of R, G and B)",
        "% of pixels",
        &[("kept", kept), ("dropped by the filter", dropped)],
    )
}

/// The still with the pixels `filter` drops (and transparent ones) painted `paint`.
pub fn masked(still: &Still, filter: Brightness, paint: [u8; 3]) -> Result<Still> {
    let pixels: Vec<[u8; 3]> = still
        .rgba()
        .pixels()
        .map(|p| {
            if filter.keeps_pixel(&p.0) {
                [p[0], p[1], p[2]]
            } else {
                paint
            }
        })
        .collect();
    Still::from_rgb(still.width(), still.height(), &pixels)
}

/// The four palettes of `still` from every pixel (left) and from the pixels `filter` keeps
/// (right, under the still with the dropped pixels in magenta), side by side; prints how
/// many of each palette's two largest swatches the filter would drop.
pub fn with_and_without(still: &Still, filter: Brightness, width: u32) -> Result<Figure> {
    let every = order::arrange(
        &PaletteOptions::new().check()?.comparison(still)?,
        Order::Matched,
    )?;
    let filtered_options = PaletteOptions::new()
        .brightness(filter.min, filter.max)
        .check()?;
    let filtered = order::arrange(&filtered_options.comparison(still)?, Order::Matched)?;
    for palette in &every {
        let largest = order::ordered(palette, Order::Share, None)?;
        let dropped = largest
            .colors
            .iter()
            .take(2)
            .filter(|s| !filter.keeps(s.rgb))
            .count();
        println!(
            "{:<20} {dropped} of its 2 largest swatches are dropped by the filter",
            palette.title()
        );
    }
    let left = Figure::comparison(still, &every, width, StripStyle::default());
    let right = Figure::comparison(
        &masked(still, filter, [255, 0, 255])?,
        &filtered,
        width,
        StripStyle::default(),
    );
    Ok(Figure::side_by_side(&[left, right]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naive_hsv_averages_hue_as_a_number() {
        // Two reds, hues 350° and 10°: the crate's HSV keeps red, the naive one gives cyan.
        let two_reds = Still::from_rgb(2, 1, &[[255, 0, 43], [255, 43, 0]]).unwrap();
        let naive = naive_hsv_palette(&two_reds, 1, 0).unwrap();
        let [r, g, b] = naive.colors[0].rgb;
        assert!(g > 200 && b > 200 && r < 60, "cyan: {:?}", naive.colors[0]);
        let cone = PaletteOptions::new()
            .k(1)
            .space(ColorSpace::Hsv)
            .extract(&two_reds)
            .unwrap();
        assert!(cone.colors[0].rgb[0] > 200, "{:?}", cone.colors[0]);
        // k colours of well-separated flat colours are found exactly, with their shares.
        let flat = Still::from_rgb(
            4,
            1,
            &[[200, 30, 30], [200, 30, 30], [30, 60, 200], [240, 240, 240]],
        )
        .unwrap();
        let p = naive_hsv_palette(&flat, 3, 1).unwrap();
        assert_eq!(p.hex_codes(), ["#c81e1e", "#1e3cc8", "#f0f0f0"]);
        assert_eq!(p.colors[0].proportion, 0.5);
        assert!(naive_hsv_palette(&flat, 0, 1).is_err());
    }

    #[test]
    fn tables_nearest_and_masks() {
        let p = Palette::from_weights(
            2,
            Method::Kmeans,
            ColorSpace::Rgb,
            [([255, 0, 0], 3.0), ([0, 0, 255], 1.0)],
        );
        let t = table(&[p.clone(), p.clone()]);
        assert_eq!(t.lines().count(), 3);
        assert!(
            t.lines().nth(1).unwrap().starts_with("#ff0000  75.0%"),
            "{t}"
        );
        let (swatch, d) = nearest(&p, [250, 10, 10]).unwrap();
        assert_eq!(swatch.hex, "#ff0000");
        assert!(d < 5.0);
        let still = Still::from_rgb(2, 1, &[[0, 0, 0], [128, 128, 128]]).unwrap();
        let m = masked(&still, Brightness { min: 0.1, max: 0.9 }, [255, 0, 255]).unwrap();
        assert_eq!(m.rgb().get_pixel(0, 0).0, [255, 0, 255]);
        assert_eq!(m.rgb().get_pixel(1, 0).0, [128, 128, 128]);
        // A transparent pixel is painted too, however bright.
        let rgba = image::RgbaImage::from_raw(2, 1, vec![128, 128, 128, 127, 128, 128, 128, 128]);
        let translucent = Still::from_dynamic(image::DynamicImage::ImageRgba8(rgba.unwrap()));
        let m = masked(&translucent, Brightness::default(), [255, 0, 255]).unwrap();
        assert_eq!(m.rgb().get_pixel(0, 0).0, [255, 0, 255]);
        assert_eq!(m.rgb().get_pixel(1, 0).0, [128, 128, 128]);
        let histogram = brightness_histogram(&still, Brightness::default());
        assert_eq!((histogram.width(), histogram.height()), (720, 320));
        histogram.to_png().unwrap();
        assert_eq!(labelled_accents("Sintel_0016").len(), 1);
    }
}
