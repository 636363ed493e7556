//! Assignment: every pixel goes to its nearest centre.
//!
//! [`assign`] gives weighted points to their nearest centres (the Lloyd step of k-means, and
//! the pipeline's final step for exact distinct colours); [`assign_cells`] does the same for
//! every pixel of a pooled still, exactly, through its cells. Both build on [`CentreIndex`],
//! the vectorised nearest-centre search, and collect an [`Assignment`]: per centre the
//! pixels it won and their mean, from which the palette's swatches and shares come.
//!
//! Through cells: a cell whose eight corners have the same nearest centre lies wholly in
//! that centre's region (exactly so in RGB, where regions are convex; in HSV and CIELAB up
//! to the bend of a region's edge across a single cell), so its pixels join that centre
//! together, at the cell's mean. Only the cells a boundary runs through are opened: their
//! pixels are counted colour by colour, and each colour goes to its own nearest centre.
//! A centre's mean adds each whole cell at its mean colour: exact in RGB, and in HSV and
//! CIELAB off by the curvature of the space across 4 levels, far under one 8-bit step.

use crate::cells::Cells;
use crate::grid::CellGrid;
use crate::parallel::{run_all, split};
use crate::points::{Point, Points};
use crate::space::{distance2, ColorSpace};

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
            // The first lane at the block's least distance, in one pass (a min-fold, then
            // a search for its lane, took 1.6 times the instructions).
            let mut lane = 0;
            for j in 1..LANES {
                if d[j] < d[lane] {
                    lane = j;
                }
            }
            if d[lane] < best.1 {
                best = (b * LANES + lane, d[lane]);
            }
        }
        best
    }
}

/// The result of assigning every point (or pixel) to its nearest centre.
#[derive(Debug, Clone)]
pub(crate) struct Assignment {
    /// Weighted sum of the members' coordinates, per centre.
    sums: Vec<[f64; 3]>,
    /// Total weight (pixels) per centre.
    pub(crate) weights: Vec<f64>,
    /// Weighted sum of squared distances to the nearest centre.
    pub(crate) inertia: f64,
}

impl Assignment {
    /// No pixel assigned yet, to `centres` centres.
    fn empty(centres: usize) -> Self {
        Self {
            sums: vec![[0.0; 3]; centres],
            weights: vec![0.0; centres],
            inertia: 0.0,
        }
    }

    /// Adds the pixels of another assignment to the same centres.
    fn merge(&mut self, other: &Assignment) {
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
    fn add(&mut self, c: usize, p: Point, weight: f64, d2: f32) {
        self.weights[c] += weight;
        self.inertia += weight * f64::from(d2);
        for (s, v) in self.sums[c].iter_mut().zip(p) {
            *s += weight * f64::from(v);
        }
    }

    /// The mean of each centre's members, `None` for a centre that won no pixel.
    pub(crate) fn means(&self) -> Vec<Option<Point>> {
        self.sums
            .iter()
            .zip(&self.weights)
            .map(|(s, &w)| (w > 0.0).then(|| s.map(|v| (v / w) as f32)))
            .collect()
    }
}

/// Assigns every point to its nearest centre. Points are reduced colours (at most 32^3
/// pooled points, or the few exact colours of a still), so one thread suffices.
pub(crate) fn assign(points: &Points, centres: &[Point]) -> Assignment {
    let index = CentreIndex::new(centres);
    let mut out = Assignment::empty(centres.len());
    for (&p, &w) in points.coords().iter().zip(points.weights()) {
        let (c, d) = index.nearest(p);
        out.add(c, p, w, d);
    }
    out
}

/// Every pooled pixel of `cells` assigned to its nearest centre, exactly (`points` from
/// [`Cells::points`]).
pub(crate) fn assign_cells(cells: &Cells<'_>, points: &Points, centres: &[Point]) -> Assignment {
    debug_assert!(
        centres.len() < usize::from(UNKNOWN),
        "a corner's centre fits a byte"
    );
    let index = CentreIndex::new(centres);
    let space = points.space();
    let threads = cells.threads();
    let occupied = cells.occupied();
    // Whole cells whose corners agree; the others are opened below. Each thread takes a
    // run of cells (a slab of reds), so they share few corners.
    let mut out = Assignment::empty(centres.len());
    let mut open_cells = Vec::new();
    for (part, open) in run_all(split(occupied.len(), threads), |range| {
        let mut corners = Corners::new(&index, space);
        let mut out = Assignment::empty(centres.len());
        let mut open = Vec::new();
        for i in range {
            match corners.region(occupied[i]) {
                Some(centre) => {
                    let p = points.coords()[i];
                    out.add(centre, p, points.weights()[i], index.distance2(centre, p));
                }
                None => open.push(occupied[i]),
            }
        }
        (out, open)
    }) {
        out.merge(&part);
        open_cells.extend(open);
    }
    if open_cells.is_empty() {
        return out;
    }
    // Count the pixels of the open cells colour by colour, 64 colours a cell. Open cells
    // have slots from 1: slot 0 collects every other pixel, so the tally needs no branch.
    const WITHIN: usize = CellGrid::WITHIN;
    let mut slot_of_cell = vec![0u32; CellGrid::CELLS];
    for (slot, &cell) in (1..).zip(&open_cells) {
        slot_of_cell[cell] = slot;
    }
    let tallies = cells.each_piece(|piece| {
        let mut counts = vec![0u32; (open_cells.len() + 1) * WITHIN];
        piece.for_each(|r, g, b| {
            let slot = slot_of_cell[CellGrid::cell(r, g, b)] as usize;
            counts[slot * WITHIN + CellGrid::within(r, g, b)] += 1;
        });
        counts
    });
    // Each colour found in an open cell goes to its own nearest centre.
    for part in run_all(split(open_cells.len(), threads), |range| {
        let mut out = Assignment::empty(centres.len());
        for i in range {
            let slot = i + 1;
            for within in 0..WITHIN {
                let n: u64 = tallies
                    .iter()
                    .map(|t| u64::from(t[slot * WITHIN + within]))
                    .sum();
                if n == 0 {
                    continue;
                }
                let p = space.embed(CellGrid::color(open_cells[i], within));
                let (centre, d) = index.nearest(p);
                out.add(centre, p, n as f64, d);
            }
        }
        out
    }) {
        out.merge(&part);
    }
    out
}

/// The nearest centre of each corner of the cells, computed once per corner. Corners sit on
/// the levels 0, 4, ..., 252 and 255 ([`CellGrid::corner_color`]), so every cell's colours
/// lie inside its corners' box.
struct Corners<'a> {
    index: &'a CentreIndex,
    space: ColorSpace,
    nearest: Vec<u8>,
}

const UNKNOWN: u8 = u8::MAX;

impl<'a> Corners<'a> {
    fn new(index: &'a CentreIndex, space: ColorSpace) -> Self {
        Self {
            index,
            space,
            nearest: vec![UNKNOWN; CellGrid::CORNER_SIDE.pow(3)],
        }
    }

    fn nearest(&mut self, corner: [usize; 3]) -> u8 {
        let at = CellGrid::corner_index(corner);
        if self.nearest[at] == UNKNOWN {
            let p = self.space.embed(CellGrid::corner_color(corner));
            self.nearest[at] = self.index.nearest(p).0 as u8;
        }
        self.nearest[at]
    }

    /// The centre whose region holds the whole cell, if its eight corners agree.
    fn region(&mut self, cell: usize) -> Option<usize> {
        let [first_corner, others @ ..] = CellGrid::corners(cell);
        let first = self.nearest(first_corner);
        for corner in others {
            if self.nearest(corner) != first {
                return None;
            }
        }
        Some(usize::from(first))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counts::ColorCounts;
    use crate::load::Still;
    use crate::points::{nearest, test_points};
    use crate::select::Brightness;
    use rand::{Rng, SeedableRng};

    #[test]
    fn assignment_weights_and_means() {
        let p = test_points(
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

    /// Smoothly varying colours with noise: many cells, many of them split by boundaries.
    fn gradient(n: usize, seed: u64) -> Still {
        let mut rng = rand_xoshiro::Xoshiro256Plus::seed_from_u64(seed);
        let pixels: Vec<[u8; 3]> = (0..n)
            .map(|i| {
                let t = i as f32 / n as f32;
                let noise = |rng: &mut rand_xoshiro::Xoshiro256Plus| rng.gen_range(-12.0..12.0);
                [
                    (255.0 * t + noise(&mut rng)).clamp(0.0, 255.0) as u8,
                    (128.0 + 100.0 * (6.0 * t).sin() + noise(&mut rng)).clamp(0.0, 255.0) as u8,
                    (255.0 * (1.0 - t) + noise(&mut rng)).clamp(0.0, 255.0) as u8,
                ]
            })
            .collect();
        Still::from_rgb(n as u32, 1, &pixels).unwrap()
    }

    /// The assignment through cells against assigning every distinct colour on its own:
    /// (pixels counted for another centre, largest swatch difference in levels).
    fn compare(space: ColorSpace, centres_rgb: &[[u8; 3]]) -> (f64, f32) {
        let s = gradient(60_000, 2);
        let cells = Cells::from_still(&s, Brightness::default()).unwrap();
        let counts = ColorCounts::from_still(&s, Brightness::default()).unwrap();
        let exact_points = Points::embed(&counts, space).unwrap();
        let centres: Vec<Point> = centres_rgb.iter().map(|&c| space.embed(c)).collect();
        let pooled = assign_cells(&cells, &cells.points(space).unwrap(), &centres);
        let exact = assign(&exact_points, &centres);
        let moved = pooled
            .weights
            .iter()
            .zip(&exact.weights)
            .map(|(a, b)| (a - b).abs())
            .sum::<f64>()
            / 2.0;
        let means = pooled
            .means()
            .iter()
            .zip(exact.means())
            .map(|(a, b)| match (a, b) {
                (Some(a), Some(b)) => {
                    let (a, b) = (space.to_rgb(*a), space.to_rgb(b));
                    (0..3)
                        .map(|i| (f32::from(a[i]) - f32::from(b[i])).abs())
                        .fold(0.0, f32::max)
                }
                (None, None) => 0.0,
                _ => f32::INFINITY,
            })
            .fold(0.0, f32::max);
        (moved, means)
    }

    const CENTRES: [[u8; 3]; 5] = [
        [20, 130, 230],
        [90, 220, 170],
        [128, 128, 128],
        [200, 60, 60],
        [240, 200, 20],
    ];

    #[test]
    fn assignment_through_cells_moves_no_pixel_in_any_space() {
        for space in ColorSpace::ALL {
            let (moved, means) = compare(space, &CENTRES);
            assert_eq!(
                moved, 0.0,
                "{space}: {moved} pixels counted for another centre"
            );
            assert!(means <= 1.0, "{space}: swatches {means} levels apart");
        }
    }
}
