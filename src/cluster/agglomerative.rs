//! Agglomerative clustering: Ward linkage (linfa-hierarchical) on a pixel sample.
//!
//! Agglomerative clustering needs every pairwise distance, O(n^2) in time and memory, which
//! is why the original ran out of memory on whole stills. We cluster a sample of pixels
//! drawn in proportion to colour counts (so abundant colours stay abundant) and then give
//! every pixel of the still to its nearest cluster centre.
//!
//! Ward linkage merges the two clusters whose union least increases within-cluster variance:
//! it yields compact, evenly sized groups of similar colours, which is what a palette swatch
//! stands for, and it is the default of scikit-learn's `AgglomerativeClustering`, which the
//! original used. Single linkage chains along gradients; average and complete linkage leave
//! outliers as one-pixel clusters.

use linfa::traits::Transformer;
use linfa_hierarchical::HierarchicalCluster;
use linfa_kernel::{Kernel, KernelInner, KernelMethod};
use ndarray::Array2;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256Plus;

use crate::error::{Error, Result};
use crate::points::{distance2, Point, Points};

/// Pixels sampled for the linkage: 2 048 pixels need about 100 MB of distance matrices.
pub const AGGLOMERATIVE_SAMPLE: usize = 2_048;

/// linfa-hierarchical reads a similarity `s` as the distance `-ln s` and ignores
/// similarities under 1e-6; the largest distance is mapped to `-ln s` = 12, inside that.
const LARGEST_LOG_DISTANCE: f64 = 12.0;

/// At most `k` centres: the means of the Ward clusters of a weighted pixel sample.
pub(super) fn centres(points: &Points, k: usize, seed: u64) -> Result<Vec<Point>> {
    let mut rng = Xoshiro256Plus::seed_from_u64(seed);
    let sample = points.weighted_sample(AGGLOMERATIVE_SAMPLE, &mut rng);
    let n = sample.len();
    let mut distances = Array2::<f64>::zeros((n, n));
    let mut largest = 0.0f64;
    for i in 0..n {
        for j in i + 1..n {
            let d = f64::from(distance2(sample[i], sample[j])).sqrt();
            distances[[i, j]] = d;
            distances[[j, i]] = d;
            largest = largest.max(d);
        }
    }
    if largest == 0.0 {
        return Ok(vec![sample[0]]);
    }
    // Hand linfa similarities exp(-d / scale) so that its -ln gives back Euclidean distances
    // (scaled), which is what kodama's Ward update assumes.
    let scale = largest / LARGEST_LOG_DISTANCE;
    distances.mapv_inplace(|d| (-d / scale).exp());
    let kernel = Kernel {
        inner: KernelInner::Dense(distances),
        method: KernelMethod::Linear,
    };
    let labels = HierarchicalCluster::default()
        .with_method(linfa_hierarchical::Method::Ward)
        .num_clusters(k)
        .transform(kernel)
        .map_err(|e| Error::Clustering(format!("agglomerative clustering failed: {e}")))?
        .targets;
    let clusters = labels.iter().max().map_or(0, |m| m + 1);
    let mut sums = vec![[0.0f64; 3]; clusters];
    let mut counts = vec![0usize; clusters];
    for (p, &label) in sample.iter().zip(&labels) {
        counts[label] += 1;
        for d in 0..3 {
            sums[label][d] += f64::from(p[d]);
        }
    }
    Ok(sums
        .iter()
        .zip(&counts)
        .filter(|(_, &c)| c > 0)
        .map(|(s, &c)| s.map(|v| (v / c as f64) as f32))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::points::test_points;

    /// Three tight groups far apart: Ward finds them, with their means.
    #[test]
    fn ward_separates_distant_groups() {
        let mut coords = Vec::new();
        for (i, base) in [[0.0f32; 3], [5.0, 0.0, 0.0], [0.0, 5.0, 5.0]]
            .iter()
            .enumerate()
        {
            for j in 0..50 {
                let jitter = (j % 5) as f32 * 0.01 * (i + 1) as f32;
                coords.push([base[0] + jitter, base[1], base[2] - jitter]);
            }
        }
        let p = test_points(&coords, &vec![1.0; coords.len()]);
        let mut found = centres(&p, 3, 1).unwrap();
        found.sort_by(|a, b| (a[0] + 2.0 * a[1]).total_cmp(&(b[0] + 2.0 * b[1])));
        assert_eq!(found.len(), 3);
        for (f, want) in found
            .iter()
            .zip([[0.0f32, 0.0, 0.0], [5.0, 0.0, 0.0], [0.0, 5.0, 5.0]])
        {
            assert!(distance2(*f, want).sqrt() < 0.1, "{f:?} vs {want:?}");
        }
    }
}
