//! k-means: k-means++ seeds from linfa-clustering on a pixel sample, then weighted Lloyd
//! iterations over the whole still's colours.
//!
//! linfa's `KMeans` ignores sample weights, and running it on every pixel costs seconds.
//! So linfa runs k-means++ and a few Lloyd steps on a sample drawn in proportion to pixel
//! counts (a fair sample of pixels), and its centres seed weighted Lloyd iterations over
//! the still's colours pooled on a 32^3 grid (each grid cell's colours at their weighted
//! mean), until they settle. The pipeline's final assignment of every pixel is one more,
//! exact, Lloyd step; on the sample stills further exact steps change the error by under 1%.

use linfa::traits::Fit;
use linfa::DatasetBase;
use linfa_clustering::{KMeans, KMeansInit};
use ndarray::Array2;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256Plus;

use crate::assign::assign;
use crate::error::{Error, Result};
use crate::parallel::with_rayon_on_one_thread;
use crate::points::{Point, Points};

/// Pixels drawn for linfa's k-means (per centre, with a floor).
const SAMPLE_PER_CENTRE: usize = 125;
const SAMPLE_MIN: usize = 1_000;
/// Independent k-means++ starts on the sample, each a few Lloyd steps long; the best is kept
/// and refined on the whole still.
const RUNS: usize = 2;
const SAMPLE_ITERATIONS: u64 = 5;
/// Grid cells per axis for the pooled refinement, and its iteration cap.
pub(super) const COARSE_CELLS: usize = 32;
const COARSE_ITERATIONS: usize = 60;
/// Relative inertia improvement under which the pooled Lloyd iterations stop.
const COARSE_TOLERANCE: f64 = 1e-4;

/// At most `k` k-means centres for `points`.
pub(super) fn centres(points: &Points, k: usize, seed: u64) -> Result<Vec<Point>> {
    centres_pooled(&points.coarsen(COARSE_CELLS), k, seed)
}

/// k-means centres from points already pooled with [`Points::coarsen`].
pub(super) fn centres_pooled(pooled: &Points, k: usize, seed: u64) -> Result<Vec<Point>> {
    if let Some(centres) = pooled.as_centres_if_at_most(k) {
        return Ok(centres);
    }
    let mut rng = Xoshiro256Plus::seed_from_u64(seed);
    let sample = pooled.weighted_sample((k * SAMPLE_PER_CENTRE).max(SAMPLE_MIN), &mut rng);
    let seeds = sample_centres(&sample, k, rng)?;
    Ok(lloyd(pooled, seeds, COARSE_ITERATIONS, COARSE_TOLERANCE))
}

/// linfa k-means on the sample; if the sample has no more than `k` distinct colours, those
/// colours themselves (k-means++ cannot pick `k` distinct seeds from fewer).
fn sample_centres(sample: &[Point], k: usize, rng: Xoshiro256Plus) -> Result<Vec<Point>> {
    let mut distinct: Vec<[u32; 3]> = sample.iter().map(|p| p.map(f32::to_bits)).collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() <= k {
        return Ok(distinct
            .into_iter()
            .map(|p| p.map(f32::from_bits))
            .collect());
    }
    let records = Array2::from_shape_fn((sample.len(), 3), |(i, j)| f64::from(sample[i][j]));
    let model = with_rayon_on_one_thread(|| {
        KMeans::params_with_rng(k, rng)
            .n_runs(RUNS)
            .init_method(KMeansInit::KMeansPlusPlus)
            .max_n_iterations(SAMPLE_ITERATIONS)
            .tolerance(1e-3)
            .fit(&DatasetBase::from(records))
    })
    .map_err(|e| Error::Clustering(format!("k-means failed: {e}")))?;
    Ok(model
        .centroids()
        .rows()
        .into_iter()
        .map(|row| [row[0] as f32, row[1] as f32, row[2] as f32])
        .collect())
}

/// Weighted Lloyd iterations over `points` from `centres`, until an iteration improves the
/// inertia by less than `tolerance` (relative) or `max_iterations` have run. Centres that
/// lose all their points are dropped.
pub(super) fn lloyd(
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
    use crate::points::test_points;

    #[test]
    fn lloyd_drops_centres_that_win_nothing() {
        let p = test_points(&[[0.0; 3], [1.0; 3]], &[1.0, 1.0]);
        let centres = lloyd(&p, vec![[0.0; 3], [1.0; 3], [100.0; 3]], 10, 1e-6);
        assert_eq!(centres.len(), 2);
    }

    #[test]
    fn lloyd_moves_centres_to_the_weighted_means() {
        // Two groups; the start is off-centre in both.
        let p = test_points(
            &[
                [0.0; 3],
                [2.0, 0.0, 0.0],
                [10.0, 0.0, 0.0],
                [12.0, 0.0, 0.0],
            ],
            &[3.0, 1.0, 1.0, 1.0],
        );
        let centres = lloyd(&p, vec![[1.9, 0.0, 0.0], [9.0, 0.0, 0.0]], 10, 1e-9);
        assert_eq!(centres, vec![[0.5, 0.0, 0.0], [11.0, 0.0, 0.0]]);
    }

    /// Noisy blobs of known means and weights: k-means finds each mean, whatever the seed.
    #[test]
    fn kmeans_recovers_blob_means() {
        use rand::Rng;
        let means: [Point; 4] = [
            [0.1, 0.1, 0.1],
            [0.9, 0.2, 0.2],
            [0.2, 0.8, 0.3],
            [0.5, 0.5, 0.9],
        ];
        let mut rng = Xoshiro256Plus::seed_from_u64(3);
        let (mut coords, mut weights) = (Vec::new(), Vec::new());
        for (b, m) in means.iter().enumerate() {
            for _ in 0..500 {
                coords.push(m.map(|c| c + rng.gen_range(-0.04..0.04)));
                weights.push(1.0 + b as f64);
            }
        }
        let p = test_points(&coords, &weights);
        for seed in 0..4 {
            let mut found = centres(&p, 4, seed).unwrap();
            found.sort_by(|a, b| a[0].total_cmp(&b[0]));
            let mut want = means.to_vec();
            want.sort_by(|a, b| a[0].total_cmp(&b[0]));
            for (f, w) in found.iter().zip(&want) {
                assert!(
                    crate::space::distance2(*f, *w).sqrt() < 0.01,
                    "seed {seed}: {f:?} vs {w:?}"
                );
            }
        }
    }
}
