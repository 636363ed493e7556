//! Clustering the selected colours into palette centres.
//!
//! Every method works on [`Points`]: the still's colours (pooled cells of
//! [`crate::cells::Cells`], or exact distinct colours) embedded in a colour space, each
//! weighted by its pixel count, so results describe the whole still while the cost grows
//! with the number of colours, not pixels. The final assignment ([`assign`], or
//! [`crate::cells::Cells::assign`]) gives true proportions: every pixel belongs to its
//! nearest centre.

mod accent;
mod agglomerative;
mod kmeans;

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::parallel::{run_all, split};
use crate::select::ColorCounts;
use crate::space::ColorSpace;

pub use agglomerative::AGGLOMERATIVE_SAMPLE;

/// A point in a colour space.
pub type Point = [f32; 3];

/// How centres are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Method {
    /// k-means (linfa-clustering, k-means++ seeding), refined on every pixel.
    #[default]
    Kmeans,
    /// Agglomerative clustering with Ward linkage (linfa-hierarchical) on a pixel sample.
    Agglomerative,
    /// k-means that makes room for small, distinct, saturated colours (accents).
    Accent,
}

impl Method {
    /// Every method, in display order.
    pub const ALL: [Method; 3] = [Method::Kmeans, Method::Agglomerative, Method::Accent];

    /// The lower-case name used on the command line, in JSON and in URLs.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Method::Kmeans => "kmeans",
            Method::Agglomerative => "agglomerative",
            Method::Accent => "accent",
        }
    }

    /// A short human name, e.g. `k-means`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Method::Kmeans => "k-means",
            Method::Agglomerative => "agglomerative",
            Method::Accent => "accent-aware",
        }
    }

    /// Finds at most `k` centres for `points` (fewer when there are fewer distinct colours).
    pub fn centres(self, points: &Points, k: usize, seed: u64) -> Result<Vec<Point>> {
        if points.len() <= k {
            return Ok(points.coords.clone());
        }
        match self {
            Method::Kmeans => kmeans::centres(points, k, seed),
            Method::Agglomerative => agglomerative::centres(points, k, seed),
            Method::Accent => accent::centres(points, k, seed),
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Method {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let names: Vec<_> = Method::ALL.iter().map(|m| m.name()).collect();
        Method::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                Error::InvalidOption(format!("unknown method {s:?} ({})", names.join(", ")))
            })
    }
}

/// Colours embedded in a colour space, weighted by their pixel counts.
#[derive(Debug, Clone, Default)]
pub struct Points {
    /// Coordinates in the space.
    pub coords: Vec<Point>,
    /// Pixel count of each point.
    pub weights: Vec<f64>,
    /// The 8-bit sRGB colour of each point (empty for pooled points, see [`Points::coarsen`]).
    pub colors: Vec<[u8; 3]>,
    /// The space the coordinates are in.
    pub space: ColorSpace,
}

impl Points {
    /// Embeds counted colours in `space`.
    #[must_use]
    pub fn embed(counts: &ColorCounts, space: ColorSpace) -> Self {
        Self {
            coords: counts.colors.iter().map(|&c| space.embed(c)).collect(),
            weights: counts.counts.iter().map(|&n| f64::from(n)).collect(),
            colors: counts.colors.clone(),
            space,
        }
    }

    /// Number of points.
    #[must_use]
    pub fn len(&self) -> usize {
        self.coords.len()
    }

    /// Whether there are no points.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.coords.is_empty()
    }

    /// The points pooled into a grid of `cells` x `cells` x `cells` over their bounding box:
    /// each occupied cell becomes one point at the weighted mean of its members, carrying
    /// their total weight. Lloyd iterations on the pooled points cost far less and land
    /// near the exact optimum, which a few exact iterations then reach.
    #[must_use]
    pub fn coarsen(&self, cells: usize) -> Points {
        let (mut lo, mut hi) = ([f32::INFINITY; 3], [f32::NEG_INFINITY; 3]);
        for p in &self.coords {
            for d in 0..3 {
                lo[d] = lo[d].min(p[d]);
                hi[d] = hi[d].max(p[d]);
            }
        }
        let scale: [f32; 3] =
            std::array::from_fn(|d| cells as f32 / (hi[d] - lo[d]).max(f32::EPSILON));
        let cell_of = |p: Point| {
            (0..3).fold(0, |key, d| {
                let i = ((p[d] - lo[d]) * scale[d]) as usize;
                key * cells + i.min(cells - 1)
            })
        };
        let mut sums = vec![[0.0f64; 4]; cells * cells * cells];
        for (&p, &w) in self.coords.iter().zip(&self.weights) {
            let cell = &mut sums[cell_of(p)];
            for d in 0..3 {
                cell[d] += w * f64::from(p[d]);
            }
            cell[3] += w;
        }
        let occupied = sums.iter().filter(|s| s[3] > 0.0);
        Points {
            coords: occupied
                .clone()
                .map(|s| [0, 1, 2].map(|d| (s[d] / s[3]) as f32))
                .collect(),
            weights: occupied.map(|s| s[3]).collect(),
            colors: Vec::new(),
            space: self.space,
        }
    }

    /// `n` points drawn with replacement, each with probability proportional to its weight:
    /// a sample of pixels, without touching the pixels.
    pub(crate) fn weighted_sample(&self, n: usize, rng: &mut impl Rng) -> Vec<Point> {
        let mut cumulative = Vec::with_capacity(self.len());
        let mut total = 0.0;
        for &w in &self.weights {
            total += w;
            cumulative.push(total);
        }
        (0..n)
            .map(|_| {
                let target = rng.gen::<f64>() * total;
                let i = cumulative.partition_point(|&c| c <= target);
                self.coords[i.min(self.len() - 1)]
            })
            .collect()
    }
}

/// Squared Euclidean distance.
#[inline]
pub(crate) fn distance2(a: Point, b: Point) -> f32 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)
}

/// Index of the centre nearest to `p`.
#[inline]
pub(crate) fn nearest(centres: &[Point], p: Point) -> usize {
    let mut best = (0, f32::INFINITY);
    for (i, &c) in centres.iter().enumerate() {
        let d = distance2(p, c);
        if d < best.1 {
            best = (i, d);
        }
    }
    best.0
}

/// Centres per block of [`CentreIndex`].
const LANES: usize = 8;

/// Centres laid out for the nearest-centre search that dominates clustering time: x, y and z
/// in blocks of eight, so a block's eight distances are computed side by side (the compiler
/// turns them into vector instructions). Padding centres sit impossibly far away.
pub(crate) struct CentreIndex {
    blocks: Vec<[[f32; LANES]; 3]>,
}

impl CentreIndex {
    pub(crate) fn new(centres: &[Point]) -> Self {
        const FAR: f32 = 1e18;
        let blocks = centres
            .chunks(LANES)
            .map(|chunk| {
                let mut block = [[FAR; LANES]; 3];
                for (j, c) in chunk.iter().enumerate() {
                    for d in 0..3 {
                        block[d][j] = c[d];
                    }
                }
                block
            })
            .collect();
        Self { blocks }
    }

    /// The squared distance from centre `c` to `p`.
    pub(crate) fn distance2(&self, c: usize, p: Point) -> f32 {
        let [xs, ys, zs] = &self.blocks[c / LANES];
        let j = c % LANES;
        distance2([xs[j], ys[j], zs[j]], p)
    }

    /// The nearest centre's index and squared distance.
    #[inline]
    pub(crate) fn nearest(&self, p: Point) -> (usize, f32) {
        let mut best = (0, f32::INFINITY);
        for (b, [xs, ys, zs]) in self.blocks.iter().enumerate() {
            let mut d = [0.0f32; LANES];
            for j in 0..LANES {
                let (dx, dy, dz) = (xs[j] - p[0], ys[j] - p[1], zs[j] - p[2]);
                d[j] = dx * dx + dy * dy + dz * dz;
            }
            let smallest = d.iter().copied().fold(f32::INFINITY, f32::min);
            if smallest < best.1 {
                let j = d.iter().position(|&v| v == smallest).unwrap_or(0);
                best = (b * LANES + j, smallest);
            }
        }
        best
    }
}

/// The result of assigning every point to its nearest centre.
#[derive(Debug, Clone)]
pub struct Assignment {
    /// Weighted sum of the members' coordinates, per centre.
    sums: Vec<[f64; 3]>,
    /// Total weight (pixels) per centre.
    pub weights: Vec<f64>,
    /// Weighted sum of squared distances to the nearest centre.
    pub inertia: f64,
}

impl Assignment {
    /// No pixel assigned yet, to `centres` centres.
    pub(crate) fn empty(centres: usize) -> Self {
        Self {
            sums: vec![[0.0; 3]; centres],
            weights: vec![0.0; centres],
            inertia: 0.0,
        }
    }

    /// Adds the pixels of another assignment to the same centres.
    pub(crate) fn merge(&mut self, other: &Assignment) {
        for c in 0..self.weights.len() {
            self.weights[c] += other.weights[c];
            for d in 0..3 {
                self.sums[c][d] += other.sums[c][d];
            }
        }
        self.inertia += other.inertia;
    }

    /// Adds `weight` pixels at `p`, at squared distance `d2` from centre `c`.
    #[inline]
    pub(crate) fn add(&mut self, c: usize, p: Point, weight: f64, d2: f32) {
        self.weights[c] += weight;
        self.inertia += weight * f64::from(d2);
        for (s, v) in self.sums[c].iter_mut().zip(p) {
            *s += weight * f64::from(v);
        }
    }

    /// The mean of each centre's members, `None` for a centre that won no pixel.
    #[must_use]
    pub fn means(&self) -> Vec<Option<Point>> {
        self.sums
            .iter()
            .zip(&self.weights)
            .map(|(s, &w)| (w > 0.0).then(|| s.map(|v| (v / w) as f32)))
            .collect()
    }
}

/// Assigns every point to its nearest centre (split over the available cores).
#[must_use]
pub fn assign(points: &Points, centres: &[Point]) -> Assignment {
    let empty = || Assignment::empty(centres.len());
    let index = CentreIndex::new(centres);
    let work = |range: std::ops::Range<usize>| {
        let mut out = empty();
        for i in range {
            let p = points.coords[i];
            let (c, d) = index.nearest(p);
            out.add(c, p, points.weights[i], d);
        }
        out
    };
    // Below this many points a thread costs more than it saves.
    let threads = if points.len() < 50_000 {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    };
    let parts = run_all(split(points.len(), threads), work);
    parts.iter().fold(empty(), |mut acc, part| {
        acc.merge(part);
        acc
    })
}

/// Weighted Lloyd iterations from `centres` until an iteration improves the inertia by less
/// than `tolerance` (relative) or `max_iterations` have run: k-means over every pixel.
/// Centres that lose all their pixels are dropped.
#[must_use]
pub fn lloyd(
    points: &Points,
    mut centres: Vec<Point>,
    max_iterations: usize,
    tolerance: f64,
) -> Vec<Point> {
    let mut previous = f64::INFINITY;
    for _ in 0..max_iterations {
        let assignment = assign(points, &centres);
        centres = assignment.means().into_iter().flatten().collect();
        if previous - assignment.inertia <= tolerance * assignment.inertia {
            break;
        }
        previous = assignment.inertia;
    }
    centres
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn points(coords: &[Point], weights: &[f64]) -> Points {
        Points {
            coords: coords.to_vec(),
            weights: weights.to_vec(),
            colors: Vec::new(),
            space: ColorSpace::Rgb,
        }
    }

    #[test]
    fn assignment_weights_and_means() {
        let p = points(
            &[[0.0; 3], [2.0, 0.0, 0.0], [10.0, 0.0, 0.0]],
            &[1.0, 3.0, 2.0],
        );
        let a = assign(&p, &[[1.0, 0.0, 0.0], [9.0, 0.0, 0.0]]);
        assert_eq!(a.weights, vec![4.0, 2.0]);
        assert_eq!(
            a.means(),
            vec![Some([1.5, 0.0, 0.0]), Some([10.0, 0.0, 0.0])]
        );
        assert!((a.inertia - (1.0 + 3.0 + 2.0)).abs() < 1e-9);
    }

    #[test]
    fn centre_index_agrees_with_a_plain_search() {
        let centres: Vec<Point> = (0..19)
            .map(|i| [i as f32 * 0.37 % 5.0, (i * 7 % 11) as f32, -(i as f32)])
            .collect();
        let index = CentreIndex::new(&centres);
        for i in 0..500 {
            let p = [
                (i % 13) as f32 * 0.4,
                (i % 17) as f32 * 0.7,
                -((i % 23) as f32),
            ];
            let (c, d) = index.nearest(p);
            assert_eq!(c, nearest(&centres, p));
            assert_eq!(d, distance2(p, centres[c]));
        }
    }

    #[test]
    fn threaded_assignment_matches_single_thread() {
        let coords: Vec<Point> = (0..120_000)
            .map(|i| [(i % 97) as f32, (i % 13) as f32, 0.0])
            .collect();
        let weights = vec![1.0; coords.len()];
        let p = Points {
            coords,
            weights,
            colors: Vec::new(),
            space: ColorSpace::Rgb,
        };
        let centres = [[10.0, 1.0, 0.0], [60.0, 9.0, 0.0]];
        let all = assign(&p, &centres);
        let mut manual = [0.0; 2];
        for &c in &p.coords {
            manual[nearest(&centres, c)] += 1.0;
        }
        assert_eq!(all.weights, manual.to_vec());
    }

    #[test]
    fn weighted_sample_follows_weights() {
        let p = points(&[[0.0; 3], [1.0; 3]], &[1.0, 9.0]);
        let mut rng = rand_xoshiro::Xoshiro256Plus::seed_from_u64(1);
        let sample = p.weighted_sample(10_000, &mut rng);
        let ones = sample.iter().filter(|s| s[0] == 1.0).count();
        assert!((8_700..9_300).contains(&ones), "{ones}");
    }

    #[test]
    fn coarsening_keeps_weight_and_mean() {
        let p = points(&[[0.0; 3], [0.01, 0.0, 0.0], [1.0; 3]], &[1.0, 1.0, 2.0]);
        let c = p.coarsen(4);
        assert_eq!(c.len(), 2);
        assert_eq!(c.weights.iter().sum::<f64>(), 4.0);
        assert!(c.coords.contains(&[0.005, 0.0, 0.0]));
    }

    #[test]
    fn lloyd_drops_centres_that_win_nothing() {
        let p = points(&[[0.0; 3], [1.0; 3]], &[1.0, 1.0]);
        let centres = lloyd(&p, vec![[0.0; 3], [1.0; 3], [100.0; 3]], 10, 1e-6);
        assert_eq!(centres.len(), 2);
    }

    #[test]
    fn method_names_parse() {
        assert_eq!(
            "Agglomerative".parse::<Method>().unwrap(),
            Method::Agglomerative
        );
        assert!("dbscan".parse::<Method>().is_err());
    }
}
