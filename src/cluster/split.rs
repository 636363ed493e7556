//! Deterministic seeds: the points split into boxes, greedily, where the split lowers the
//! squared error most (Wu's quantiser, 1991, on the weighted points instead of a histogram).
//!
//! k-means from random seeds lands in whichever local optimum its seeds lead to, so a still
//! re-encoded or rescaled can get a different palette. The splits depend only on the
//! points' weighted distribution: a small change to the pixels moves each split a little
//! and the seeds with it, so the refined palette moves little too (see
//! `bench/STEADINESS_RESULTS.md`).
//!
//! Each round splits the box of largest squared error (about its weighted mean) along the
//! axis and at the position that leave the least squared error in its two halves; the
//! seeds are the boxes' weighted means.

use crate::points::{Point, Points};

/// One box of points: its members sorted along each axis (ties by index, so every order
/// is total and the same each run), and their weighted moments (total weight, coordinate
/// sums, sum of squared norms), from which its squared error and mean follow.
///
/// The points are sorted once; a split keeps each half's members in order (a stable
/// partition), so no box is sorted again.
struct Cell {
    sorted: [Vec<usize>; 3],
    w: f64,
    s: [f64; 3],
    q: f64,
}

/// The weighted squared error about the mean of points with total weight `w`, weighted
/// coordinate sums `s` and weighted sum of squared norms `q`.
fn squared_error(w: f64, s: [f64; 3], q: f64) -> f64 {
    if w <= 0.0 {
        return 0.0;
    }
    (q - (s[0] * s[0] + s[1] * s[1] + s[2] * s[2]) / w).max(0.0)
}

/// Adds the point `i` of `points` to the moments `w`, `s`, `q`.
fn add(points: &Points, i: usize, w: &mut f64, s: &mut [f64; 3], q: &mut f64) {
    let (p, weight) = (points.coords()[i].map(f64::from), points.weights()[i]);
    *w += weight;
    for d in 0..3 {
        s[d] += weight * p[d];
        *q += weight * p[d] * p[d];
    }
}

/// The bits of `x` as an integer that orders like [`f32::total_cmp`].
fn ordered_bits(x: f32) -> u32 {
    let bits = x.to_bits();
    if bits >> 31 == 1 {
        !bits
    } else {
        bits | 0x8000_0000
    }
}

impl Cell {
    /// Every point in one box.
    fn all(points: &Points) -> Self {
        let coords = points.coords();
        let sorted = [0, 1, 2].map(|axis| {
            // One integer key a point, ordered as (coordinate, index): a plain integer sort.
            // Points are pooled or distinct colours (at most 2^24), so an index fits 32 bits.
            let mut keys: Vec<u64> = coords
                .iter()
                .enumerate()
                .map(|(i, p)| (u64::from(ordered_bits(p[axis])) << 32) | i as u64)
                .collect();
            keys.sort_unstable();
            keys.into_iter()
                .map(|key| (key & 0xFFFF_FFFF) as usize)
                .collect()
        });
        Self::new(points, sorted)
    }

    fn new(points: &Points, sorted: [Vec<usize>; 3]) -> Self {
        let (mut w, mut s, mut q) = (0.0, [0.0f64; 3], 0.0);
        for &i in &sorted[0] {
            add(points, i, &mut w, &mut s, &mut q);
        }
        Self { sorted, w, s, q }
    }

    fn error(&self) -> f64 {
        squared_error(self.w, self.s, self.q)
    }

    fn mean(&self) -> Point {
        self.s.map(|v| (v / self.w) as f32)
    }

    /// The best split: the two halves leaving the least squared error, or the box back when
    /// its members all sit on one point. `in_left` is scratch, one flag a point.
    fn split(self, points: &Points, in_left: &mut [bool]) -> Result<(Cell, Cell), Cell> {
        let coords = points.coords();
        let mut best: Option<(f64, usize, usize)> = None; // (error, axis, members left)
        for (axis, sorted) in self.sorted.iter().enumerate() {
            let (mut w, mut s, mut q) = (0.0, [0.0f64; 3], 0.0);
            for (n, pair) in sorted.windows(2).enumerate() {
                add(points, pair[0], &mut w, &mut s, &mut q);
                if coords[pair[1]][axis] == coords[pair[0]][axis] {
                    continue; // a split falls between distinct values only
                }
                let rest = [self.s[0] - s[0], self.s[1] - s[1], self.s[2] - s[2]];
                let error = squared_error(w, s, q) + squared_error(self.w - w, rest, self.q - q);
                if best.is_none_or(|(e, _, _)| error < e) {
                    best = Some((error, axis, n + 1));
                }
            }
        }
        let Some((_, axis, left)) = best else {
            return Err(self);
        };
        for (n, &i) in self.sorted[axis].iter().enumerate() {
            in_left[i] = n < left;
        }
        let halves = self.sorted.map(|members| {
            members
                .into_iter()
                .partition::<Vec<usize>, _>(|&i| in_left[i])
        });
        let [(l0, r0), (l1, r1), (l2, r2)] = halves;
        Ok((
            Cell::new(points, [l0, l1, l2]),
            Cell::new(points, [r0, r1, r2]),
        ))
    }
}

/// At most `k` seeds for `points`, the weighted means of `k` boxes found by greedy splits
/// (fewer when fewer boxes can be split). The same points give the same seeds.
pub(super) fn seeds(points: &Points, k: usize) -> Vec<Point> {
    let mut cells = vec![Cell::all(points)];
    // Which side of the current split each point falls on (only that box's are read).
    let mut in_left = vec![false; points.len()];
    // Boxes found to hold one colour only are set aside, never split again.
    let mut solid = Vec::new();
    while cells.len() + solid.len() < k && !cells.is_empty() {
        let largest = (0..cells.len())
            .max_by(|&a, &b| {
                cells[a]
                    .error()
                    .total_cmp(&cells[b].error())
                    .then(b.cmp(&a))
            })
            .unwrap_or(0);
        let cell = cells.swap_remove(largest);
        match cell.split(points, &mut in_left) {
            Ok((left, right)) => {
                cells.push(left);
                cells.push(right);
            }
            Err(cell) => solid.push(cell),
        }
    }
    cells.iter().chain(&solid).map(Cell::mean).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::points::test_points;
    use crate::space::distance2;

    /// Three blobs far apart, one heavy: two splits find one seed in each.
    #[test]
    fn each_blob_gets_a_seed() {
        let mut coords = Vec::new();
        let mut weights = Vec::new();
        for (centre, w) in [
            ([0.0, 0.0, 0.0], 5.0),
            ([50.0, 0.0, 0.0], 1.0),
            ([0.0, 0.0, 60.0], 1.0),
        ] {
            for dx in [-1.0f32, 0.0, 1.0] {
                coords.push([centre[0] + dx, centre[1], centre[2]]);
                weights.push(w);
            }
        }
        let p = test_points(&coords, &weights);
        let got = seeds(&p, 3);
        assert_eq!(got.len(), 3);
        for centre in [[0.0, 0.0, 0.0], [50.0, 0.0, 0.0], [0.0, 0.0, 60.0]] {
            assert!(got.iter().any(|&s| distance2(s, centre) < 1e-6), "{got:?}");
        }
    }

    #[test]
    fn ordered_bits_order_like_total_cmp() {
        let xs = [
            -f32::INFINITY,
            -3.5,
            -0.0,
            0.0,
            1e-30,
            2.0,
            7.25,
            f32::INFINITY,
        ];
        for a in xs {
            for b in xs {
                assert_eq!(
                    ordered_bits(a).cmp(&ordered_bits(b)),
                    a.total_cmp(&b),
                    "{a} {b}"
                );
            }
        }
    }

    /// Two distinct colours cannot make three seeds.
    #[test]
    fn no_more_seeds_than_colours() {
        let p = test_points(&[[0.0; 3], [0.0; 3], [9.0; 3]], &[1.0, 2.0, 1.0]);
        let got = seeds(&p, 3);
        assert_eq!(got.len(), 2, "{got:?}");
    }
}
