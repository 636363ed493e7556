//! Accent-aware palettes, the default: the colours that fill the frame, plus the small
//! striking ones.
//!
//! Clustering alone spends its colours on the abundant browns and near-blacks: a red glove
//! covering 0.5% of a brown frame rarely earns a centre of its own. This method follows the
//! "over-cluster, then select greedily by coverage x distinctness x chroma" idea (as in
//! Material Color Utilities' scoring and Lin & Hanrahan 2013's saliency/diversity/coverage
//! terms), on a base that holds still:
//!
//! 1. the base palette is k-medians (the palette of least mean distance, see
//!    [`super::kmedians`]) from deterministic seeds ([`super::split`]), so a re-encoded or
//!    rescaled still gets nearly the same palette;
//! 2. the vivid pixels (CIELAB chroma >= 20) are over-clustered on their own, in CIELAB,
//!    which turns every small saturated region into an accent candidate;
//! 3. repeatedly, the best candidate — score = chroma x distance to the palette
//!    (CIEDE2000) x sqrt(share) — that no palette colour already stands for (CIEDE2000 > 12)
//!    and that covers at least 0.05% of the pixels replaces the base colour whose loss costs
//!    least (its pixels' extra distance to their next nearest colour: often a near-duplicate
//!    dark colour); the other base colours then re-fit around the fixed accents;
//! 4. at most (k + 1) / 3 colours become accents, so it stays representative.
//!
//! A still without vivid, distinct regions yields no candidate and the plain k-medians
//! palette: the method never invents a colour. Nothing is random, so the seed is not used.
//! Proportions stay true, since the pipeline assigns every pixel to its nearest palette
//! colour afterwards.

use ::palette::color_difference::Ciede2000;
use ::palette::Lab;

use super::{kmeans, kmedians, split};
use crate::error::Result;
use crate::grid::{SrgbGrid, WeightedGrid};
use crate::parallel::both;
use crate::points::{nearest, Point, Points};
use crate::space::{distance2, lab, lab_of_fraction, ColorSpace};

/// CIELAB chroma from which a pixel counts as vivid (the accent masks of the sample stills
/// use 20 to 35).
const VIVID_CHROMA: f32 = 20.0;
/// Lightness counts for this much in the candidate clustering: an object's colour is its hue
/// and chroma, and its shading should not split it into several weak candidates.
const LIGHTNESS_WEIGHT: f32 = 0.5;
/// Candidates found among the vivid pixels.
const CANDIDATES: usize = 12;
/// Smallest share of the pixels an accent must cover (0.05%: about 500 pixels of a 1 MP still).
const MIN_SHARE: f64 = 0.0005;
/// A candidate within this CIEDE2000 of a palette colour is already represented.
const NOVELTY_DE00: f32 = 12.0;
/// Lloyd iterations from the split seeds, on the pooled colours (they settle well before).
const LLOYD_ITERATIONS: usize = 60;
const LLOYD_TOLERANCE: f64 = 1e-5;
/// k-medians rounds on the pooled colours (base, and each re-fit) and on every colour.
const POOLED_ROUNDS: usize = 4;
const FULL_ROUNDS: usize = 3;
/// The bins the candidates' colours are pooled on: 32 a channel.
type Bins = SrgbGrid<5>;

/// An accent candidate: where it sits in the clustering space, its CIELAB mean, its share.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    centre: Point,
    lab: Lab,
    share: f64,
}

/// At most `k` centres: k-medians, with up to (k + 1) / 3 of them given to accents.
///
/// The base palette and the candidates are independent: with `threads` > 1 they are found
/// side by side (the palette does not depend on it).
pub(super) fn centres(points: &Points, k: usize, threads: usize) -> Result<Vec<Point>> {
    let max_accents = (k + 1) / 3;
    // Choosing and re-fitting run on pooled points, the last rounds on every point.
    let ((pooled, mut free), candidates) = both(
        threads,
        || {
            let pooled = points.coarsen(kmeans::COARSE_CELLS);
            let base = kmedians::medians(&pooled, settled_splits(&pooled, k), POOLED_ROUNDS);
            (pooled, base)
        },
        || {
            if max_accents == 0 {
                Ok(Vec::new())
            } else {
                candidates(points)
            }
        },
    );
    let mut candidates = candidates?;
    let mut accents: Vec<Point> = Vec::new();
    while accents.len() < max_accents && free.len() > 1 {
        let palette: Vec<Lab> = free
            .iter()
            .chain(&accents)
            .map(|&c| lab(points.space().to_rgb(c)))
            .collect();
        let best = candidates
            .iter()
            .enumerate()
            .filter(|(_, c)| c.share >= MIN_SHARE)
            .map(|(i, c)| {
                let novelty = palette
                    .iter()
                    .map(|p| c.lab.difference(*p))
                    .fold(f32::INFINITY, f32::min);
                (i, novelty, c)
            })
            .filter(|(_, novelty, _)| *novelty > NOVELTY_DE00)
            .max_by(|a, b| score(a.2, a.1).total_cmp(&score(b.2, b.1)));
        let Some((index, _, chosen)) = best else {
            break;
        };
        accents.push(chosen.centre);
        candidates.swap_remove(index);
        free.remove(cheapest_to_lose(&pooled, &free, &accents));
        free = refit(&pooled, free, &accents);
    }
    // The last rounds move the accents too, each to the median of the pixels it won: it
    // stays the accent's colour (those pixels are the accent's) and serves them better.
    let all = free.into_iter().chain(accents).collect();
    Ok(kmedians::medians(points, all, FULL_ROUNDS))
}

/// At most `k` k-means centres from the split seeds: deterministic, for the base palette and
/// for the candidates alike.
fn settled_splits(points: &Points, k: usize) -> Vec<Point> {
    kmeans::lloyd(
        points,
        split::seeds(points, k),
        LLOYD_ITERATIONS,
        LLOYD_TOLERANCE,
    )
}

fn score(c: &Candidate, novelty: f32) -> f64 {
    f64::from(chroma(c.lab)) * f64::from(novelty) * c.share.sqrt()
}

fn chroma(lab: Lab) -> f32 {
    lab.a.hypot(lab.b)
}

/// Over-clusters the vivid colours in CIELAB; each cluster is a candidate, located in the
/// clustering space at the weighted mean of its members.
///
/// Colours are first pooled into 32 x 32 x 32 sRGB bins ([`Bins`]: 8 levels a channel, far
/// finer than any accent), so only one colour a bin is converted to CIELAB.
fn candidates(points: &Points) -> Result<Vec<Candidate>> {
    let total: f64 = points.weights().iter().sum();
    // Per bin: weighted sums of sRGB (3) and of clustering-space coordinates (3).
    let mut bins = WeightedGrid::<6>::new(Bins::CELLS);
    for ((&[r, g, b], &p), &w) in points
        .colors()
        .iter()
        .zip(points.coords())
        .zip(points.weights())
    {
        let [x, y, z] = p.map(f64::from);
        let rgb = [r, g, b].map(f64::from);
        bins.add(Bins::cell(r, g, b), w, [rgb[0], rgb[1], rgb[2], x, y, z]);
    }
    let vivid: Vec<(Lab, f64, [f64; 6])> = bins
        .occupied()
        .filter_map(|(_, w, sums)| {
            let lab = lab_of_fraction([0, 1, 2].map(|d| (sums[d] / w / 255.0) as f32));
            (chroma(lab) >= VIVID_CHROMA).then_some((lab, w, sums))
        })
        .collect();
    if vivid.is_empty() {
        return Ok(Vec::new());
    }
    let vivid_points = Points::new(
        vivid
            .iter()
            .map(|(l, _, _)| [l.l * LIGHTNESS_WEIGHT, l.a, l.b])
            .collect(),
        vivid.iter().map(|(_, w, _)| *w).collect(),
        vivid
            .iter()
            .map(|(_, w, sums)| [0, 1, 2].map(|d| (sums[d] / w).round() as u8))
            .collect(),
        ColorSpace::Lab,
    )?;
    let lab_centres = match vivid_points.as_centres_if_at_most(CANDIDATES) {
        Some(centres) => centres,
        None => settled_splits(&vivid_points, CANDIDATES),
    };
    // Per candidate: weight, weighted sums of CIELAB (3) and of clustering-space coordinates (3).
    let mut sums = vec![[0.0f64; 7]; lab_centres.len()];
    for (p, (lab, w, bin)) in vivid_points.coords().iter().zip(&vivid) {
        // `lab` is the bin's true CIELAB; `p` the weighted point it was clustered as.
        let sum = &mut sums[nearest(&lab_centres, *p)];
        sum[0] += w;
        for (d, v) in [lab.l, lab.a, lab.b].into_iter().enumerate() {
            sum[1 + d] += w * f64::from(v);
            sum[4 + d] += bin[3 + d];
        }
    }
    Ok(sums
        .into_iter()
        .filter(|sum| sum[0] > 0.0)
        .map(|sum| {
            let mean = |d: usize| (sum[d] / sum[0]) as f32;
            Candidate {
                centre: [mean(4), mean(5), mean(6)],
                lab: Lab::new(mean(1), mean(2), mean(3)),
                share: sum[0] / total,
            }
        })
        .collect())
}

/// Index of the free centre whose loss costs least: its pixels' extra distance to their
/// next nearest centre (free or accent), the k-medians cost's increase.
fn cheapest_to_lose(points: &Points, free: &[Point], accents: &[Point]) -> usize {
    let all: Vec<Point> = free.iter().chain(accents).copied().collect();
    let mut cost = vec![0.0f64; free.len()];
    for (&p, &w) in points.coords().iter().zip(points.weights()) {
        let mut best = (usize::MAX, f32::INFINITY);
        let mut second = f32::INFINITY;
        for (j, &c) in all.iter().enumerate() {
            let d = distance2(p, c);
            if d < best.1 {
                second = best.1;
                best = (j, d);
            } else if d < second {
                second = d;
            }
        }
        if best.0 < free.len() {
            cost[best.0] += w * f64::from(second.sqrt() - best.1.sqrt());
        }
    }
    (0..free.len())
        .min_by(|&a, &b| cost[a].total_cmp(&cost[b]))
        .unwrap_or(0)
}

/// k-medians rounds moving only the free centres; accents stay where they are. The free
/// centres that win no point are dropped.
fn refit(points: &Points, free: Vec<Point>, accents: &[Point]) -> Vec<Point> {
    let movable = free.len();
    let all: Vec<Point> = free.into_iter().chain(accents.iter().copied()).collect();
    let (mut all, movable) = kmedians::medians_around(points, all, movable, POOLED_ROUNDS);
    all.truncate(movable);
    all
}

#[cfg(test)]
mod tests {
    use crate::{ColorSpace, Method, PaletteOptions, Still};
    use ::palette::color_difference::Ciede2000;
    use rand::{Rng, SeedableRng};

    use crate::space::lab;

    /// The dull browns and greys of [`dull_still`].
    const DULL: [[u8; 3]; 5] = [
        [110, 80, 60],
        [70, 55, 45],
        [150, 140, 130],
        [40, 38, 36],
        [95, 90, 85],
    ];

    /// 100x100: [`DULL`]'s colours with noise, then the given patches (1% each).
    fn dull_still(patches: &[[u8; 3]]) -> Still {
        let mut rng = rand_xoshiro::Xoshiro256Plus::seed_from_u64(5);
        let mut pixels: Vec<[u8; 3]> = (0..10_000 - 100 * patches.len())
            .map(|i| {
                DULL[i * DULL.len() / 10_000]
                    .map(|c: u8| c.saturating_add_signed(rng.gen_range(-6..=6)))
            })
            .collect();
        for &patch in patches {
            pixels.extend(std::iter::repeat_n(patch, 100));
        }
        Still::from_rgb(100, 100, &pixels).unwrap()
    }

    fn closest(palette: &crate::Palette, target: [u8; 3]) -> f32 {
        palette
            .colors
            .iter()
            .map(|s| lab(s.rgb).difference(lab(target)))
            .fold(f32::INFINITY, f32::min)
    }

    #[test]
    fn small_saturated_patches_are_kept_in_every_space() {
        let (red, blue) = ([220, 20, 30], [30, 60, 210]);
        let still = dull_still(&[red, blue]);
        for space in ColorSpace::ALL {
            // The still poses the problem: plain k-means drops at least one patch.
            let kmeans = PaletteOptions::new()
                .k(5)
                .method(Method::Kmeans)
                .space(space)
                .extract(&still)
                .unwrap();
            assert!(
                closest(&kmeans, red) > 5.0 || closest(&kmeans, blue) > 5.0,
                "{space}: k-means keeps both, so this still tests nothing"
            );
            let palette = PaletteOptions::new()
                .k(5)
                .method(Method::Accent)
                .space(space)
                .extract(&still)
                .unwrap();
            assert!(
                closest(&palette, red) < 5.0,
                "{space}: {:?}",
                palette.hex_codes()
            );
            assert!(
                closest(&palette, blue) < 5.0,
                "{space}: {:?}",
                palette.hex_codes()
            );
        }
    }

    #[test]
    fn no_accent_is_invented() {
        // No vivid colour: every swatch stays with the still's dull colours, and no seed
        // changes the palette (nothing is random).
        let still = dull_still(&[]);
        for space in ColorSpace::ALL {
            let options = PaletteOptions::new().k(8).space(space);
            let palette = options.extract(&still).unwrap();
            for swatch in &palette.colors {
                let near = DULL
                    .iter()
                    .map(|&d| lab(swatch.rgb).difference(lab(d)))
                    .fold(f32::INFINITY, f32::min);
                assert!(
                    near < 6.0,
                    "{space}: {} is {near} from the still",
                    swatch.hex
                );
            }
            for seed in 1..3 {
                assert_eq!(options.seed(seed).extract(&still).unwrap(), palette);
            }
        }
    }
}
