//! k-medians: the default method. k-means seeds (several restarts), then Weiszfeld steps that
//! move each centre to the weighted geometric median of its colours.
//!
//! A palette is judged by the mean CIEDE2000 from each pixel to its nearest swatch (see
//! `QUALITY.md`): a mean of distances, not of squared distances. k-means minimises the
//! squared distances, so a few far pixels pull a centre away from the many near ones; the
//! geometric median minimises the sum of the distances themselves. In CIELAB, where a
//! Euclidean distance is close to CIEDE2000 for nearby colours, the medians lower the mean
//! CIEDE2000 by about 2% against k-means' centres on the tuned stills, and picking the best
//! of two k-means starts by that cost a little more (four starts: about 1%, at twice the
//! time) (measured on the tuned stills only;
//! see `bench/README.md`). The swatch of a k-medians centre is the centre itself, the colour
//! that sits closest to its pixels, rather than their mean.
//!
//! Each Weiszfeld step is an iteratively reweighted mean: every member counts its weight
//! divided by its distance to the current centre (Weiszfeld 1937); interleaved with
//! reassignment it is Lloyd's algorithm for the k-medians cost.

use crate::assign::CentreIndex;
use crate::error::Result;
use crate::parallel::run_all;
use crate::points::{Point, Points};

use super::kmeans;

/// k-means starts tried on the pooled colours; the one of least k-medians cost is kept
/// (four cost 1.4x okolors' CPU time on a 0.5 MP still, two keep under it).
const RESTARTS: u64 = 2;
/// Reassign-then-Weiszfeld rounds on the pooled colours (per start) and on every colour.
const POOLED_ROUNDS: usize = 3;
const FULL_ROUNDS: usize = 3;
/// Weiszfeld updates per round, between two reassignments.
const WEISZFELD_STEPS: usize = 3;
/// Distances are floored here (in the space's units) so that a member on its centre does
/// not get an infinite weight; in CIELAB this is a thousandth of a just-noticeable step.
const DISTANCE_FLOOR: f64 = 1e-3;

/// At most `k` k-medians centres for `points`; the starts run side by side on up to
/// `threads` threads (each start is independent, so the palette does not depend on them).
pub(super) fn centres(points: &Points, k: usize, seed: u64, threads: usize) -> Result<Vec<Point>> {
    let pooled = points.coarsen(kmeans::COARSE_CELLS);
    let start = |start: u64| -> Result<(f64, Vec<Point>)> {
        // Distinct, well-spread seeds for the starts (the golden-ratio increment).
        let start_seed = seed.wrapping_add(start.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let centres = medians(
            &pooled,
            kmeans::centres_pooled(&pooled, k, start_seed)?,
            POOLED_ROUNDS,
        );
        Ok((total_distance(&pooled, &centres), centres))
    };
    let starts: Vec<u64> = (0..RESTARTS).collect();
    let tried = if threads > 1 {
        run_all(starts, start)
    } else {
        starts.into_iter().map(start).collect()
    };
    let mut best: Option<(f64, Vec<Point>)> = None;
    for tried in tried {
        let (cost, centres) = tried?;
        if best.as_ref().is_none_or(|(b, _)| cost < *b) {
            best = Some((cost, centres));
        }
    }
    let start = best.map(|(_, c)| c).unwrap_or_default();
    Ok(medians(points, start, FULL_ROUNDS))
}

/// `rounds` rounds of: every point to its nearest centre, then [`WEISZFELD_STEPS`] steps
/// of each centre towards its members' weighted geometric median. Centres that win no
/// point are dropped.
pub(super) fn medians(points: &Points, centres: Vec<Point>, rounds: usize) -> Vec<Point> {
    let movable = centres.len();
    medians_around(points, centres, movable, rounds).0
}

/// [`medians`] moving only the first `movable` centres; the rest (accents) stay where they
/// are. Returns the centres and how many of them moved (those that win no point dropped).
pub(super) fn medians_around(
    points: &Points,
    mut centres: Vec<Point>,
    mut movable: usize,
    rounds: usize,
) -> (Vec<Point>, usize) {
    let coords = points.coords();
    let weights = points.weights();
    let mut label = vec![0usize; coords.len()];
    for _ in 0..rounds {
        let index = CentreIndex::new(&centres);
        let mut won = vec![false; centres.len()];
        for (l, &p) in label.iter_mut().zip(coords) {
            *l = index.nearest(p).0;
            won[*l] = true;
        }
        for _ in 0..WEISZFELD_STEPS {
            let mut sums = vec![([0.0f64; 3], 0.0f64); centres.len()];
            for ((&p, &w), &l) in coords.iter().zip(weights).zip(&label) {
                let c = centres[l];
                let d = f64::from(crate::space::distance2(p, c))
                    .sqrt()
                    .max(DISTANCE_FLOOR);
                let (s, total) = &mut sums[l];
                for i in 0..3 {
                    s[i] += w / d * f64::from(p[i]);
                }
                *total += w / d;
            }
            for (c, (s, total)) in centres.iter_mut().zip(&sums).take(movable) {
                if *total > 0.0 {
                    *c = s.map(|v| (v / total) as f32);
                }
            }
        }
        if won.iter().any(|w| !w) {
            movable -= won[..movable].iter().filter(|w| !**w).count();
            centres = centres
                .into_iter()
                .zip(&won)
                .filter_map(|(c, &w)| w.then_some(c))
                .collect();
        }
    }
    (centres, movable)
}

/// The k-medians cost: the weighted sum of each point's distance to its nearest centre.
fn total_distance(points: &Points, centres: &[Point]) -> f64 {
    let index = CentreIndex::new(centres);
    points
        .coords()
        .iter()
        .zip(points.weights())
        .map(|(&p, &w)| w * f64::from(index.nearest(p).1).sqrt())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::points::test_points;
    use crate::space::distance2;

    /// The geometric median of three points on a line is the middle one, whatever the far
    /// point's distance; the mean would follow the far point.
    #[test]
    fn a_centre_moves_to_the_median_not_the_mean() {
        let p = test_points(
            &[[0.0; 3], [1.0, 0.0, 0.0], [100.0, 0.0, 0.0]],
            &[1.0, 1.0, 1.0],
        );
        let got = medians(&p, vec![[30.0, 0.0, 0.0]], 20);
        assert!(distance2(got[0], [1.0, 0.0, 0.0]) < 1e-3, "{got:?}");
        // Weights count: a heavy end point is the median.
        let p = test_points(
            &[[0.0; 3], [1.0, 0.0, 0.0], [100.0, 0.0, 0.0]],
            &[1.0, 1.0, 5.0],
        );
        let got = medians(&p, vec![[30.0, 0.0, 0.0]], 50);
        assert!(distance2(got[0], [100.0, 0.0, 0.0]) < 1e-2, "{got:?}");
    }

    /// Five tight blobs, each with a tenth of its points far off to one side: k-means'
    /// centres follow the stragglers, the medians stay with the blobs and lower the sum of
    /// distances (the cost they minimise) clearly.
    #[test]
    fn medians_lower_the_mean_distance() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256Plus::seed_from_u64(4);
        let blobs = [
            [0.0f32; 3],
            [50.0, 0.0, 0.0],
            [0.0, 50.0, 0.0],
            [0.0, 0.0, 50.0],
            [50.0; 3],
        ];
        let coords: Vec<Point> = (0..3_000)
            .map(|i| {
                let b = blobs[i % 5];
                let off = if (i / 5) % 10 == 0 { 15.0 } else { 0.0 };
                std::array::from_fn(|d| {
                    b[d] + rng.gen_range(-1.0..1.0) + if d == 0 { off } else { 0.0 }
                })
            })
            .collect();
        let p = test_points(&coords, &vec![1.0; coords.len()]);
        let start = kmeans::centres(&p, 5, 0).unwrap();
        let refined = medians(&p, start.clone(), 5);
        let (before, after) = (total_distance(&p, &start), total_distance(&p, &refined));
        assert!(after < before * 0.95, "{before} -> {after}");
        let found = centres(&p, 5, 0, 1).unwrap();
        assert_eq!(found.len(), 5);
        assert_eq!(
            found,
            centres(&p, 5, 0, 1).unwrap(),
            "the same seed, the same centres"
        );
        assert_eq!(
            found,
            centres(&p, 5, 0, 2).unwrap(),
            "the starts side by side, the same centres"
        );
    }
}
