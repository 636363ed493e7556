//! k-means: linfa-clustering on a pixel sample, then weighted Lloyd over the whole still.
//!
//! linfa's `KMeans` ignores sample weights, and running it on every pixel costs seconds.
//! So linfa runs k-means++ and a few Lloyd steps on a sample drawn in proportion to pixel
//! counts (a fair sample of pixels), and its centres seed weighted Lloyd iterations over
//! the whole still's colours, pooled on a 32^3 grid (each cell's colours at their weighted
//! mean), until they settle. The pipeline's final assignment of every pixel is the last,
//! exact, step.

use linfa::traits::Fit;
use linfa::DatasetBase;
use linfa_clustering::{KMeans, KMeansInit};
use ndarray::Array2;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256Plus;

use super::{lloyd, Point, Points};
use crate::error::{Error, Result};

/// Pixels drawn for linfa's k-means (per centre, with a floor).
const SAMPLE_PER_CENTRE: usize = 125;
const SAMPLE_MIN: usize = 1_000;
/// Independent k-means++ starts on the sample, each a few Lloyd steps long; the best is kept
/// and refined on the whole still.
const RUNS: usize = 2;
const SAMPLE_ITERATIONS: u64 = 5;
/// Grid cells per axis for the pooled refinement, and its iteration cap.
pub(crate) const COARSE_CELLS: usize = 32;
const COARSE_ITERATIONS: usize = 60;
/// Relative inertia improvement under which the pooled Lloyd iterations stop.
const COARSE_TOLERANCE: f64 = 1e-4;

/// At most `k` k-means centres for `points` (`points.len() > k`).
pub(crate) fn centres(points: &Points, k: usize, seed: u64) -> Result<Vec<Point>> {
    centres_pooled(&points.coarsen(COARSE_CELLS), k, seed)
}

/// k-means centres from points already pooled with [`Points::coarsen`].
///
/// The pipeline's final assignment of every pixel is one more, exact, Lloyd step;
/// on the sample stills further exact steps change the error by under 1%.
pub(crate) fn centres_pooled(pooled: &Points, k: usize, seed: u64) -> Result<Vec<Point>> {
    if pooled.len() <= k {
        return Ok(pooled.coords.clone());
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
    let model = KMeans::params_with_rng(k, rng)
        .n_runs(RUNS)
        .init_method(KMeansInit::KMeansPlusPlus)
        .max_n_iterations(SAMPLE_ITERATIONS)
        .tolerance(1e-3)
        .fit(&DatasetBase::from(records))
        .map_err(|e| Error::InvalidOption(format!("k-means failed: {e}")))?;
    Ok(model
        .centroids()
        .rows()
        .into_iter()
        .map(|row| [row[0] as f32, row[1] as f32, row[2] as f32])
        .collect())
}
