//! The reduced still: colours embedded in a colour space, each weighted by its pixels.
//!
//! Every clustering method works on [`Points`] (pooled cells of [`crate::cells::Cells`], or
//! exact distinct colours of [`crate::counts::ColorCounts`]), so its cost grows with the
//! number of colours, not pixels. Each point keeps the sRGB colour it stands for, so a
//! method that needs colours (the accent method) always has them. Points are reduced
//! further by pooling them on a grid ([`Points::coarsen`]) and sampled in proportion to
//! their weights ([`Points::weighted_sample`]).

use rand::Rng;

use crate::counts::ColorCounts;
use crate::error::{Error, Result};
use crate::grid::{BoxGrid, WeightedGrid};
use crate::space::{distance2, ColorSpace};

/// A point in a colour space.
pub type Point = [f32; 3];

/// Colours embedded in a colour space, weighted by their pixel counts: never empty, every
/// weight positive, one sRGB colour per point.
#[derive(Debug, Clone)]
pub struct Points {
    coords: Vec<Point>,
    weights: Vec<f64>,
    colors: Vec<[u8; 3]>,
    space: ColorSpace,
}

impl Points {
    /// Points at `coords` of `space`, weighing `weights` pixels, standing for the sRGB
    /// `colors`; refused unless the three lists are equally long and not empty, and every
    /// weight is positive and finite.
    pub fn new(
        coords: Vec<Point>,
        weights: Vec<f64>,
        colors: Vec<[u8; 3]>,
        space: ColorSpace,
    ) -> Result<Self> {
        if coords.is_empty() || coords.len() != weights.len() || coords.len() != colors.len() {
            return Err(Error::InvalidOption(format!(
                "points need as many coordinates ({}), weights ({}) and colours ({}), and at least one",
                coords.len(),
                weights.len(),
                colors.len()
            )));
        }
        if let Some(w) = weights.iter().find(|w| !(w.is_finite() && **w > 0.0)) {
            return Err(Error::InvalidOption(format!(
                "a point's weight must be positive (got {w})"
            )));
        }
        Ok(Self {
            coords,
            weights,
            colors,
            space,
        })
    }

    /// Counted colours embedded in `space`.
    pub fn embed(counts: &ColorCounts, space: ColorSpace) -> Result<Self> {
        Self::new(
            counts.colors.iter().map(|&c| space.embed(c)).collect(),
            counts.counts.iter().map(|&n| f64::from(n)).collect(),
            counts.colors.clone(),
            space,
        )
    }

    /// Number of points (at least one).
    #[must_use]
    pub fn len(&self) -> usize {
        self.coords.len()
    }

    /// Coordinates in [`Points::space`].
    #[must_use]
    pub fn coords(&self) -> &[Point] {
        &self.coords
    }

    /// Pixels each point stands for.
    #[must_use]
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// The 8-bit sRGB colour of each point.
    #[must_use]
    pub fn colors(&self) -> &[[u8; 3]] {
        &self.colors
    }

    /// The space the coordinates are in.
    #[must_use]
    pub fn space(&self) -> ColorSpace {
        self.space
    }

    /// The points themselves as centres, when there are no more than `k` of them: the one
    /// rule for "fewer colours than asked for" (each colour is then a centre of its own).
    #[must_use]
    pub fn as_centres_if_at_most(&self, k: usize) -> Option<Vec<Point>> {
        (self.len() <= k).then(|| self.coords.clone())
    }

    /// The points pooled into a grid of `cells` x `cells` x `cells` over their bounding box:
    /// each occupied cell becomes one point at the weighted mean of its members, carrying
    /// their total weight. Lloyd iterations on the pooled points cost far less and land
    /// near the optimum over the unpooled points.
    #[must_use]
    pub fn coarsen(&self, cells: usize) -> Points {
        let box_grid = BoxGrid::around(&self.coords, cells);
        // Per cell: weighted sums of the coordinates (3) and of the sRGB colours (3).
        let mut grid = WeightedGrid::<6>::new(box_grid.cells());
        for ((&p, &w), rgb) in self.coords.iter().zip(&self.weights).zip(&self.colors) {
            let [x, y, z] = p.map(f64::from);
            let [r, g, b] = rgb.map(f64::from);
            grid.add(box_grid.cell(p), w, [x, y, z, r, g, b]);
        }
        let (mut coords, mut weights, mut colors) = (Vec::new(), Vec::new(), Vec::new());
        for (w, mean) in grid.means() {
            coords.push([mean[0], mean[1], mean[2]] as Point);
            colors.push([mean[3], mean[4], mean[5]].map(|c| c.round() as u8));
            weights.push(w);
        }
        Points {
            coords,
            weights,
            colors,
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

/// Index of the centre nearest to `p`: the plain search ([`crate::assign`] has the fast one).
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

#[cfg(test)]
pub(crate) fn test_points(coords: &[Point], weights: &[f64]) -> Points {
    Points::new(
        coords.to_vec(),
        weights.to_vec(),
        vec![[0; 3]; coords.len()],
        ColorSpace::Rgb,
    )
    .unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn the_constructor_refuses_inconsistent_points() {
        let ok = || (vec![[0.0; 3]], vec![1.0], vec![[0u8; 3]]);
        let (c, w, rgb) = ok();
        assert!(Points::new(c, w, rgb, ColorSpace::Rgb).is_ok());
        assert!(Points::new(vec![], vec![], vec![], ColorSpace::Rgb).is_err());
        let (c, _, rgb) = ok();
        assert!(Points::new(c, vec![1.0, 2.0], rgb, ColorSpace::Rgb).is_err());
        let (c, w, _) = ok();
        assert!(Points::new(c, w, vec![], ColorSpace::Rgb).is_err());
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let (c, _, rgb) = ok();
            assert!(
                Points::new(c, vec![bad], rgb, ColorSpace::Rgb).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn weighted_sample_follows_weights() {
        let p = test_points(&[[0.0; 3], [1.0; 3]], &[1.0, 9.0]);
        let mut rng = rand_xoshiro::Xoshiro256Plus::seed_from_u64(1);
        let sample = p.weighted_sample(10_000, &mut rng);
        let ones = sample.iter().filter(|s| s[0] == 1.0).count();
        assert!((8_700..9_300).contains(&ones), "{ones}");
    }

    #[test]
    fn coarsening_keeps_weight_mean_and_color() {
        let p = Points::new(
            vec![[0.0; 3], [0.01, 0.0, 0.0], [1.0; 3]],
            vec![1.0, 1.0, 2.0],
            vec![[10, 0, 0], [20, 0, 0], [255; 3]],
            ColorSpace::Rgb,
        )
        .unwrap();
        let c = p.coarsen(4);
        assert_eq!(c.len(), 2);
        assert_eq!(c.weights().iter().sum::<f64>(), 4.0);
        assert!(c.coords().contains(&[0.005, 0.0, 0.0]));
        assert!(c.colors().contains(&[15, 0, 0]) && c.colors().contains(&[255; 3]));
    }

    #[test]
    fn fewer_points_than_k_are_their_own_centres() {
        let p = test_points(&[[0.0; 3], [1.0; 3]], &[1.0, 1.0]);
        assert_eq!(p.as_centres_if_at_most(2), Some(vec![[0.0; 3], [1.0; 3]]));
        assert_eq!(p.as_centres_if_at_most(1), None);
    }
}
