//! Palette quality: how well a palette represents a still, by the definitions of the
//! reference scorer `palette_score.py` (shared tools), computed in Rust.
//!
//! All colour differences are CIEDE2000 (kL = kC = kH = 1) in CIELAB (D65, 2° observer) of sRGB
//! colours, computed with the `palette` crate in `f64`:
//!
//! * **reconstruction** — for every pixel, the CIEDE2000 distance to its nearest palette colour;
//!   [`Score::mean_de00`] is the mean and [`Score::p95_de00`] the 95th percentile (numpy's default
//!   linear interpolation) over all pixels;
//! * **diversity** — [`Score::min_pair_de00`], the smallest CIEDE2000 between two palette colours;
//! * **accent capture** — for each [`AccentMask`] (a hue/chroma/lightness box in CIELAB LCh), the
//!   reference colour is the per-channel median Lab of the pixels in the mask, and
//!   [`AccentScore::de00`] is its CIEDE2000 distance to the nearest palette colour. A palette
//!   captures the accent when that distance is at most [`RECALL_DE00`].
//!
//! Pixels are deduplicated (with counts) first, so the cost grows with the number of distinct
//! colours, not pixels; every statistic is weighted by the counts, which gives exactly the figures
//! of the expanded pixel list.
//!
//! `palette_score.py` computes the reconstruction figures on a random 200 000-pixel subsample of
//! the still and converts with scikit-image; this module uses every pixel and `palette`'s
//! conversion, so the figures differ slightly (by under 0.05 CIEDE2000 on the sample stills: see
//! the note in the tests).
//!
//! Distinct colours are counted by [`ColorCounts`] and converted by [`crate::space::lab64`],
//! the crate's one definition of each.

use ::palette::color_difference::Ciede2000;
use ::palette::white_point::D65;
use ::palette::Lab;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::counts::ColorCounts;
use crate::space::lab64 as srgb8_to_lab;

/// An accent is captured when a palette colour lies within this CIEDE2000 of its reference.
pub const RECALL_DE00: f64 = 15.0;

/// CIELAB (D65) in `f64`, the space every figure is computed in.
type Lab64 = Lab<D65, f64>;

/// A mask selecting an accent's pixels in CIELAB LCh, as written in `accents.json`.
///
/// A pixel is inside when its hue lies in `hue`, its chroma is above `cmin` and its lightness is
/// strictly between `lmin` and `lmax`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccentMask {
    /// The accent's name, e.g. `"market-red"`.
    pub name: String,
    /// Hue range `[lo, hi]` in degrees (0..360), `lo` inclusive, `hi` exclusive. When `lo > hi`
    /// (or `lo == hi`) the range wraps through 0: hues `>= lo` or `< hi`.
    pub hue: [f32; 2],
    /// Chroma must be strictly greater than this (default 0).
    #[serde(default)]
    pub cmin: f32,
    /// Lightness must be strictly greater than this (default 0).
    #[serde(default)]
    pub lmin: f32,
    /// Lightness must be strictly less than this (default 101, i.e. no upper bound).
    #[serde(default = "default_lmax")]
    pub lmax: f32,
}

/// The default upper lightness bound of an [`AccentMask`].
fn default_lmax() -> f32 {
    101.0
}

impl AccentMask {
    /// Whether a colour with CIELAB `lab` lies inside the mask (same tests as `palette_score.py`).
    fn contains(&self, lab: &Lab64) -> bool {
        let chroma = lab.a.hypot(lab.b);
        let hue = (lab.b.atan2(lab.a).to_degrees() + 360.0) % 360.0;
        let (lo, hi) = (f64::from(self.hue[0]), f64::from(self.hue[1]));
        let hue_ok = if lo < hi {
            hue >= lo && hue < hi
        } else {
            hue >= lo || hue < hi
        };
        hue_ok
            && chroma > f64::from(self.cmin)
            && lab.l > f64::from(self.lmin)
            && lab.l < f64::from(self.lmax)
    }
}

/// Parses an accents file (`accents.json`): a JSON object mapping a still's file name to its
/// list of [`AccentMask`]s.
///
/// # Errors
///
/// Returns the JSON error when `json` is not such an object.
pub fn parse_accents(json: &str) -> Result<BTreeMap<String, Vec<AccentMask>>, serde_json::Error> {
    serde_json::from_str(json)
}

/// How well a palette captures one accent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccentScore {
    /// The accent's name, from its [`AccentMask`].
    pub name: String,
    /// CIEDE2000 from the accent's reference colour to the nearest palette colour; NaN when no
    /// pixel lies in the mask (or the palette is empty). Serialised as `null` when NaN.
    pub de00: f64,
    /// The reference colour: per-channel median CIELAB `[L, a, b]` of the pixels in the mask
    /// (mean of the two middle values for an even count, as numpy's median); NaN when empty.
    pub reference: [f64; 3],
    /// Fraction of the still's pixels inside the mask (0..=1).
    pub area: f64,
}

/// Quality figures of one palette against one still.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// Number of colours in the palette.
    pub k: usize,
    /// Mean over all pixels of the CIEDE2000 to the nearest palette colour. NaN when there are no
    /// pixels; infinite when the palette is empty.
    pub mean_de00: f64,
    /// 95th percentile (linear interpolation, as numpy's default) of the same distances.
    pub p95_de00: f64,
    /// Smallest CIEDE2000 between two palette colours; `None` with fewer than two colours.
    pub min_pair_de00: Option<f64>,
    /// One entry per accent mask, in the masks' order.
    pub accents: Vec<AccentScore>,
}

impl Score {
    /// Accent recall: `(captured, total)`, where an accent is captured when its
    /// [`AccentScore::de00`] is at most [`RECALL_DE00`] (NaN never counts as captured).
    pub fn accent_recall(&self) -> (usize, usize) {
        let hits = self
            .accents
            .iter()
            .filter(|a| a.de00 <= RECALL_DE00)
            .count();
        (hits, self.accents.len())
    }
}

/// Scores `palette` (sRGB colours) against a still's `pixels` (sRGB, all of the still's opaque
/// pixels in row order) and its accent masks.
///
/// See the module documentation for the definitions.
///
/// ```
/// use color_palettes::quality::{parse_accents, score};
///
/// // Three red pixels and a blue one, with a mask for reds (hue 345..60 wraps through 0).
/// let pixels = [[230, 20, 30], [230, 20, 30], [0, 40, 200], [230, 20, 30]];
/// let masks = parse_accents(r#"{"still.png": [{"name": "red", "hue": [345, 60], "cmin": 30}]}"#)?;
/// let s = score(&pixels, &[[230, 20, 30], [0, 40, 200]], &masks["still.png"]);
/// assert!(s.mean_de00 < 1e-9 && s.p95_de00 < 1e-9);
/// assert_eq!(s.accent_recall(), (1, 1));
/// assert!((s.accents[0].area - 0.75).abs() < 1e-12);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn score(pixels: &[[u8; 3]], palette: &[[u8; 3]], accents: &[AccentMask]) -> Score {
    let colors: Vec<([u8; 3], u64)> = ColorCounts::from_pixels(pixels)
        .iter()
        .map(|(c, n)| (c, u64::from(n)))
        .collect();
    let labs: Vec<Lab64> = colors.iter().map(|(c, _)| srgb8_to_lab(*c)).collect();
    let pal: Vec<Lab64> = palette.iter().map(|&c| srgb8_to_lab(c)).collect();
    let total: u64 = colors.iter().map(|(_, n)| n).sum();

    // Reconstruction: nearest palette colour for each distinct colour, weighted by its count.
    let mut nearest: Vec<(f64, u64)> = labs
        .iter()
        .zip(&colors)
        .map(|(lab, (_, n))| (nearest_de00(lab, &pal), *n))
        .collect();
    let (mean_de00, p95_de00) = if total == 0 {
        (f64::NAN, f64::NAN)
    } else {
        let sum: f64 = nearest.iter().map(|&(d, n)| d * n as f64).sum();
        (
            sum / total as f64,
            weighted_percentile(&mut nearest, 0.95).unwrap_or(f64::NAN),
        )
    };

    let accents = accents
        .iter()
        .map(|mask| {
            let inside: Vec<(&Lab64, u64)> = labs
                .iter()
                .zip(&colors)
                .filter(|(lab, _)| mask.contains(lab))
                .map(|(lab, (_, n))| (lab, *n))
                .collect();
            let count: u64 = inside.iter().map(|(_, n)| n).sum();
            let median = |channel: fn(&Lab64) -> f64| {
                let mut v: Vec<(f64, u64)> = inside.iter().map(|(l, n)| (channel(l), *n)).collect();
                weighted_percentile(&mut v, 0.5).unwrap_or(f64::NAN)
            };
            let reference = [median(|l| l.l), median(|l| l.a), median(|l| l.b)];
            let de00 = if count == 0 || pal.is_empty() {
                f64::NAN
            } else {
                nearest_de00(&Lab64::new(reference[0], reference[1], reference[2]), &pal)
            };
            AccentScore {
                name: mask.name.clone(),
                de00,
                reference,
                area: if total == 0 {
                    0.0
                } else {
                    count as f64 / total as f64
                },
            }
        })
        .collect();

    Score {
        k: palette.len(),
        mean_de00,
        p95_de00,
        min_pair_de00: min_pair_de00(&pal),
        accents,
    }
}

/// CIEDE2000 from `lab` to the nearest colour of `pal`; infinite when `pal` is empty.
fn nearest_de00(lab: &Lab64, pal: &[Lab64]) -> f64 {
    pal.iter()
        .map(|p| lab.difference(*p))
        .fold(f64::INFINITY, f64::min)
}

/// Smallest CIEDE2000 between two colours of `pal`; `None` with fewer than two.
fn min_pair_de00(pal: &[Lab64]) -> Option<f64> {
    pal.iter()
        .enumerate()
        .flat_map(|(i, a)| pal.iter().skip(i + 1).map(move |b| a.difference(*b)))
        .reduce(f64::min)
}

/// The `q`-quantile (0..=1) of the values repeated by their counts, with numpy's default linear
/// interpolation between the two nearest ranks. Sorts `values`. `None` when the total count is 0.
fn weighted_percentile(values: &mut [(f64, u64)], q: f64) -> Option<f64> {
    values.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: u64 = values.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    let pos = q * (total - 1) as f64;
    let lo = pos.floor();
    let frac = pos - lo;
    let lo = lo as u64;
    let hi = (lo + 1).min(total - 1);
    // Value at a 0-based rank of the expanded, sorted list.
    let at = |rank: u64| {
        let mut seen = 0u64;
        for &(v, n) in values.iter() {
            seen += n;
            if rank < seen {
                return Some(v);
            }
        }
        None
    };
    let (a, b) = (at(lo)?, at(hi)?);
    Some(if frac == 0.0 { a } else { a + (b - a) * frac })
}

#[cfg(test)]
mod tests {
    //! Unit tests on small synthetic images with exact answers.
    //!
    //! Agreement with the reference scorer was checked on real palettes: `python3
    //! bench/quality_report.py` runs `palette_score.py` on the 28 baseline palettes of the sample
    //! stills (scikit-learn k-means and okolors, k = 5 and 8) beside this module and writes the
    //! differences to QUALITY.md. Measured: mean within 0.015 and p95 within 0.04 CIEDE2000
    //! (the reference subsamples 200 000 pixels and rounds to 2 decimals), min pair within 0.005,
    //! accent distances within 0.05 (the reference rounds them to 1 decimal), and the same
    //! accent recall on all 28.

    use super::*;

    fn lab(l: f64, a: f64, b: f64) -> Lab64 {
        Lab64::new(l, a, b)
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    /// A palette made of the image's own colours reconstructs it exactly.
    #[test]
    fn palette_equal_to_image_colors_scores_zero() {
        let px = [
            [10, 20, 30],
            [200, 100, 50],
            [10, 20, 30],
            [0, 255, 0],
            [200, 100, 50],
        ];
        let s = score(&px, &[[0, 255, 0], [10, 20, 30], [200, 100, 50]], &[]);
        assert_eq!(s.k, 3);
        assert!(close(s.mean_de00, 0.0, 1e-9), "{}", s.mean_de00);
        assert!(close(s.p95_de00, 0.0, 1e-9), "{}", s.p95_de00);
        assert!(s.accents.is_empty());
    }

    /// Textbook CIEDE2000 values: pairs from Sharma, Wu & Dalal (2005), Table 1.
    #[test]
    fn min_pair_matches_sharma_test_data() {
        let pairs = [
            // (pair 1)
            (
                lab(50.0, 2.6772, -79.7751),
                lab(50.0, 0.0, -82.7485),
                2.0425,
            ),
            (lab(50.0, -1.3802, -84.2814), lab(50.0, 0.0, -82.7485), 1.0),
            (lab(50.0, 0.0, 0.0), lab(50.0, -1.0, 2.0), 2.3669),
            (lab(50.0, 2.49, -0.001), lab(50.0, -2.49, 0.0011), 7.2195),
            (lab(50.0, -0.001, 2.49), lab(50.0, 0.0011, -2.49), 4.7461),
            (lab(50.0, 2.5, 0.0), lab(73.0, 25.0, -18.0), 27.1492),
            (lab(50.0, 2.5, 0.0), lab(56.0, -27.0, -3.0), 31.9030),
            (
                lab(60.2574, -34.0099, 36.2677),
                lab(60.4626, -34.1751, 39.4387),
                1.2644,
            ),
            (
                lab(22.7233, 20.0904, -46.6940),
                lab(23.0331, 14.9730, -42.5619),
                2.0373,
            ),
            (
                lab(2.0776, 0.0795, -1.1350),
                lab(0.9033, -0.0636, -0.5514),
                0.9082,
            ),
        ];
        for (a, b, want) in pairs {
            let got = min_pair_de00(&[a, b]).unwrap_or(f64::NAN);
            assert!(close(got, want, 5e-5), "{a:?} {b:?}: {got} != {want}");
        }
        // With three colours, the smallest pair wins (pairs 21 and 25 of the same table).
        let three = [
            lab(73.0, 25.0, -18.0),
            lab(50.0, 2.5, 0.0),
            lab(50.0, 3.1736, 0.5854),
        ];
        let got = min_pair_de00(&three).unwrap_or(f64::NAN);
        assert!(close(got, 1.0, 5e-5), "{got}");
        assert_eq!(min_pair_de00(&three[..1]), None);
    }

    /// Black and white differ only in lightness, with L̄ = 50 where S_L = 1: exactly 100.
    #[test]
    fn min_pair_of_black_and_white_is_100() {
        let s = score(&[[0, 0, 0]], &[[0, 0, 0], [255, 255, 255]], &[]);
        let d = s.min_pair_de00.unwrap_or(f64::NAN);
        assert!(close(d, 100.0, 1e-3), "{d}");
        assert_eq!(score(&[[0, 0, 0]], &[[9, 9, 9]], &[]).min_pair_de00, None);
    }

    /// 19 pixels on the palette and one at distance d: mean d/20, p95 at rank 0.95 * 19 = 18.05
    /// of the sorted distances, i.e. 0.05 d; the counts survive deduplication in any order.
    #[test]
    fn weighted_mean_and_p95() {
        let (a, b) = ([40u8, 80, 120], [200u8, 30, 60]);
        let d = srgb8_to_lab(a).difference(srgb8_to_lab(b));
        let mut px = vec![a; 19];
        px.insert(7, b);
        let s = score(&px, &[a], &[]);
        assert!(
            close(s.mean_de00, d / 20.0, 1e-9),
            "{} vs {}",
            s.mean_de00,
            d / 20.0
        );
        assert!(
            close(s.p95_de00, 0.05 * d, 1e-9),
            "{} vs {}",
            s.p95_de00,
            0.05 * d
        );
    }

    /// Weighted percentiles equal numpy's linear interpolation on the expanded list.
    #[test]
    fn weighted_percentile_matches_expanded_list() {
        // Expanded: [1, 1, 1, 2, 5, 5]; numpy: median 1.5, p95 = 5, p50 of [3, 1] odd count.
        let mut v = vec![(5.0, 2), (1.0, 3), (2.0, 1)];
        assert_eq!(weighted_percentile(&mut v, 0.5), Some(1.5));
        assert_eq!(weighted_percentile(&mut v, 0.95), Some(5.0));
        // Position 0.4 * 5 = 2.0 exactly: the third value.
        assert_eq!(weighted_percentile(&mut v, 0.4), Some(1.0));
        // Position 0.7 * 5 = 3.5: halfway between 2 and 5.
        let p70 = weighted_percentile(&mut v, 0.7).unwrap_or(f64::NAN);
        assert!(close(p70, 3.5, 1e-12), "{p70}");
        assert_eq!(
            weighted_percentile(&mut [(3.0, 1), (1.0, 2)], 0.5),
            Some(1.0)
        );
        assert_eq!(weighted_percentile(&mut [], 0.5), None);
        assert_eq!(weighted_percentile(&mut [(1.0, 0)], 0.5), None);
    }

    /// Scoring counted colours equals a brute-force pass over every pixel (both counting paths).
    #[test]
    fn counted_scoring_matches_brute_force() {
        let mut state = 12345u32;
        let mut next = || {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 24) as u8 & 0xf0
        };
        let px: Vec<[u8; 3]> = (0..4096).map(|_| [next(), next(), next()]).collect();
        let pal = [[16, 32, 48], [128, 128, 128], [240, 16, 96]];
        let s = score(&px, &pal, &[]);
        let labs: Vec<Lab64> = pal.iter().map(|&c| srgb8_to_lab(c)).collect();
        let mut d: Vec<f64> = px
            .iter()
            .map(|&p| nearest_de00(&srgb8_to_lab(p), &labs))
            .collect();
        d.sort_by(f64::total_cmp);
        let mean = d.iter().sum::<f64>() / d.len() as f64;
        let pos = 0.95 * (d.len() - 1) as f64;
        let (i, f) = (pos.floor() as usize, pos - pos.floor());
        let p95 = d[i] + (d[i + 1] - d[i]) * f;
        assert!(close(s.mean_de00, mean, 1e-9), "{} vs {mean}", s.mean_de00);
        assert!(close(s.p95_de00, p95, 1e-9), "{} vs {p95}", s.p95_de00);

        // The counting path for large stills gives the same colours and counts as sorting.
        // 1024 copies of the 4096 pixels: 2^22 pixels, every count times 1024.
        let big: Vec<[u8; 3]> = px.iter().cycle().take(1 << 22).copied().collect();
        let small = ColorCounts::from_pixels(&px);
        let large = ColorCounts::from_pixels(&big);
        assert_eq!(large.colors, small.colors);
        assert!(large
            .iter()
            .zip(small.iter())
            .all(|(a, b)| a.1 == b.1 * 1024));
    }

    /// A hue range with lo > hi wraps through 0: red (hue ≈ 40°) and magenta (≈ 328°) are in
    /// [320, 50), blue (≈ 306°) and green (≈ 136°) are not, nor is anything at or below cmin.
    #[test]
    fn wrapping_hue_mask_selects_the_right_pixels() {
        let (red, magenta, blue, green) = ([255, 0, 0], [255, 0, 255], [0, 0, 255], [0, 255, 0]);
        let grey = [128, 128, 128];
        // Two reds and two magentas inside: the median of an even count is the mean of the two
        // middle values in each channel, here exactly the mean of red and magenta.
        let px = [
            red, blue, magenta, green, grey, red, magenta, blue, green, grey,
        ];
        let mask = AccentMask {
            name: "warm".into(),
            hue: [320.0, 50.0],
            cmin: 20.0,
            lmin: 0.0,
            lmax: 101.0,
        };
        let s = score(&px, &[red, blue], std::slice::from_ref(&mask));
        let acc = &s.accents[0];
        assert_eq!(acc.name, "warm");
        assert!(close(acc.area, 0.4, 1e-12), "{}", acc.area);
        let (r, m) = (srgb8_to_lab(red), srgb8_to_lab(magenta));
        let want = [(r.l + m.l) / 2.0, (r.a + m.a) / 2.0, (r.b + m.b) / 2.0];
        for (g, w) in acc.reference.iter().zip(want) {
            assert!(close(*g, w, 1e-9), "{:?} vs {want:?}", acc.reference);
        }
        let ref_lab = lab(want[0], want[1], want[2]);
        let d = ref_lab
            .difference(r)
            .min(ref_lab.difference(srgb8_to_lab(blue)));
        assert!(close(acc.de00, d, 1e-12));

        // Three reds and one magenta: the median is red itself, captured by a red palette colour.
        let px = [red, magenta, red, blue, red];
        let s = score(&px, &[red, blue], std::slice::from_ref(&mask));
        let acc = &s.accents[0];
        assert!(close(acc.area, 0.8, 1e-12));
        assert!(close(acc.de00, 0.0, 1e-9), "{}", acc.de00);
        assert_eq!(s.accent_recall(), (1, 1));

        // Without wrapping, [300, 320) takes blue and not magenta; lmax excludes blue (L ≈ 32).
        let mut band = AccentMask {
            hue: [300.0, 320.0],
            ..mask.clone()
        };
        let s = score(
            &[red, magenta, blue, blue],
            &[blue],
            std::slice::from_ref(&band),
        );
        assert!(close(s.accents[0].area, 0.5, 1e-12));
        assert!(close(s.accents[0].de00, 0.0, 1e-9));
        band.lmax = 30.0;
        let s = score(&[red, magenta, blue, blue], &[blue], &[band]);
        assert_eq!(s.accents[0].area, 0.0);
        assert!(s.accents[0].de00.is_nan() && s.accents[0].reference[0].is_nan());
        assert_eq!(s.accent_recall(), (0, 1));
    }

    #[test]
    fn accent_recall_counts_within_15() {
        let acc = |de00| AccentScore {
            name: String::new(),
            de00,
            reference: [0.0; 3],
            area: 0.1,
        };
        let s = Score {
            k: 2,
            mean_de00: 1.0,
            p95_de00: 2.0,
            min_pair_de00: Some(3.0),
            accents: vec![acc(3.0), acc(15.0), acc(15.01), acc(f64::NAN)],
        };
        assert_eq!(s.accent_recall(), (2, 4));
    }

    #[test]
    fn parse_accents_applies_defaults() {
        let json = r#"{"a.png": [{"name": "red", "hue": [345, 30], "cmin": 35, "lmin": 15},
                                 {"name": "teal", "hue": [180, 240], "lmax": 80.5}], "b.png": []}"#;
        let masks = parse_accents(json).expect("valid accents");
        assert_eq!(masks.len(), 2);
        let a = &masks["a.png"];
        assert_eq!(
            a[0],
            AccentMask {
                name: "red".into(),
                hue: [345.0, 30.0],
                cmin: 35.0,
                lmin: 15.0,
                lmax: 101.0
            }
        );
        assert_eq!((a[1].cmin, a[1].lmin, a[1].lmax), (0.0, 0.0, 80.5));
        assert!(masks["b.png"].is_empty());
        assert!(parse_accents(r#"{"a.png": [{"hue": [1, 2]}]}"#).is_err());
    }

    #[test]
    fn empty_inputs() {
        let s = score(&[], &[[1, 2, 3]], &[]);
        assert!(s.mean_de00.is_nan() && s.p95_de00.is_nan());
        let s = score(&[[1, 2, 3]], &[], &[]);
        assert!(s.mean_de00.is_infinite() && s.min_pair_de00.is_none());
        let json = serde_json::to_string(&s).expect("serialisable");
        assert!(json.contains("\"k\":0"), "{json}");
    }
}
