//! Agglomerative clustering: weighted Ward linkage over every pooled colour of the still.
//!
//! The still's colours (the cells of [`crate::cells::Cells`], or exact colours) are pooled
//! once more on a grid of at most 32^3 cells over their bounding box, at most
//! [`MAX_LINKAGE_POINTS`] points (see [`pooled`]). Every pooled point starts as a cluster
//! that weighs all its pixels, and the two clusters whose union least increases the
//! within-cluster sum of squares are merged until `k` remain. The cost of merging clusters
//! `a` and `b` (weights `wa`, `wb`, centroids `ca`, `cb`) is Ward's
//! `wa wb / (wa + wb) |ca - cb|^2`: a cluster of a thousand pixels counts a thousand times,
//! as if every pixel (at its pooled colour) had started as its own cluster, and the result
//! depends on no seed and no sample.
//!
//! Ward linkage merges the two clusters whose union least increases within-cluster variance:
//! it yields compact, evenly sized groups of similar colours, which is what a palette swatch
//! stands for, and it is the default of scikit-learn's `AgglomerativeClustering`, which the
//! original used.
//!
//! **Why not linfa-hierarchical or kodama**: both start from singletons of equal weight and
//! take a dense matrix of every pairwise distance, O(n^2) memory: 30 000 cells would need
//! 3.6 GB, which is why the method used to run on a 2 048-pixel sample. Here the merges come
//! from a nearest-neighbour chain (Murtagh 1983; exact for Ward, whose cost is reducible),
//! and each nearest-neighbour query goes through a k-d tree over the clusters' centroids
//! whose nodes keep a lower bound of their clusters' weights, so `wa wb / (wa + wb)` can be
//! bounded below in a whole node and most of the tree pruned. Memory is linear in the
//! points: well under a MB.
//!
//! The chain finds merges out of order; sorted by cost (children before parents, which Ward's
//! monotone costs allow), the first `n - k` of them give the `k` clusters, whose weighted
//! centroids are the centres.

use std::cmp::Ordering;

use crate::error::Result;
use crate::points::{Point, Points};
use crate::space::distance2;

/// Clusters per k-d tree leaf.
const LEAF: usize = 8;

/// Grids (cells per axis) the points are pooled on before the linkage, finest first: the
/// first that leaves at most [`MAX_LINKAGE_POINTS`] points is used.
const GRIDS: [usize; 4] = [32, 24, 20, 16];
/// Points the linkage takes at most (the coarsest grid is kept whatever it leaves, at
/// most 16^3 = 4 096 points): the bound on its time and memory whatever the still.
pub const MAX_LINKAGE_POINTS: usize = 2_048;

/// At most `k` centres: the weighted centroids of the `k` Ward clusters of the still's
/// colours, pooled on a grid (see [`pooled`]). `_seed` is accepted for the common signature
/// and unused: the result depends on none.
pub(super) fn centres(points: &Points, k: usize, _seed: u64) -> Result<Vec<Point>> {
    let pooled = pooled(points);
    Ok(ward(pooled.coords(), pooled.weights(), k))
}

/// The points pooled on the finest grid of [`GRIDS`] that leaves at most
/// [`MAX_LINKAGE_POINTS`]: each pooled point sits at the weighted mean of its members and
/// weighs all their pixels, so every pixel still counts (the grid is the one k-means'
/// refinement uses, or coarser). Ward over every cell of the still, 25 000 to 35 000 on a
/// 1 MP still, cost 0.4 to 0.55 s of CPU here, five times okolors' whole run; on the
/// 32^3 grid (6 000 to 8 000 points) 35 to 60 ms; on the 24^3 grid (3 000 to 4 000) 15 to
/// 30 ms, which still left agglomerative at 0.75-1.1x okolors' CPU time on a loaded
/// machine; the stills here fall to the 20^3 grid (about 2 000 points).
fn pooled(points: &Points) -> Points {
    let mut pooled = points.coarsen(GRIDS[0]);
    for &cells in &GRIDS[1..] {
        if pooled.len() <= MAX_LINKAGE_POINTS {
            break;
        }
        pooled = points.coarsen(cells);
    }
    pooled
}

/// One merge found by the chain: slot `a` absorbed slot `b` at Ward cost `cost`.
#[derive(Debug, Clone, Copy)]
struct Merge {
    cost: f64,
    a: usize,
    b: usize,
}

/// The weighted centroids of the `k` Ward clusters of `coords` (at most `k`; the centres of
/// fewer when there are fewer points), ordered by their first point.
fn ward(coords: &[Point], weights: &[f64], k: usize) -> Vec<Point> {
    let n = coords.len();
    let k = k.max(1);
    if n <= k {
        return coords.to_vec();
    }
    let mut clusters = Clusters {
        pos: coords.iter().map(|p| p.map(f64::from)).collect(),
        weight: weights.to_vec(),
        alive: vec![true; n],
        tree: Tree::default(),
    };
    clusters.rebuild();
    let merges = clusters.chain();
    // Sorted by cost; equal costs keep the order found, in which a child precedes its parent.
    let mut order: Vec<usize> = (0..merges.len()).collect();
    order.sort_by(|&i, &j| merges[i].cost.total_cmp(&merges[j].cost).then(i.cmp(&j)));
    let mut sets = UnionFind::new(n);
    for &m in order.iter().take(n - k) {
        sets.union(merges[m].a, merges[m].b);
    }
    // Weighted centroid of each set, sets ordered by their smallest member.
    let mut slot_of_root = vec![usize::MAX; n];
    let mut sums: Vec<([f64; 3], f64)> = Vec::with_capacity(k);
    for (i, (p, &w)) in coords.iter().zip(weights).enumerate() {
        let root = sets.find(i);
        if slot_of_root[root] == usize::MAX {
            slot_of_root[root] = sums.len();
            sums.push(([0.0; 3], 0.0));
        }
        let (s, total) = &mut sums[slot_of_root[root]];
        for d in 0..3 {
            s[d] += w * f64::from(p[d]);
        }
        *total += w;
    }
    sums.iter()
        .map(|(s, w)| s.map(|v| (v / w) as f32))
        .collect()
}

/// The clusters of the chain: slot `i` starts as point `i`; a merge keeps the lower slot.
struct Clusters {
    pos: Vec<[f64; 3]>,
    weight: Vec<f64>,
    alive: Vec<bool>,
    tree: Tree,
}

impl Clusters {
    /// Ward's merge cost of slots `a` and `b`.
    fn cost(&self, a: usize, b: usize) -> f64 {
        let (wa, wb) = (self.weight[a], self.weight[b]);
        wa * wb / (wa + wb) * distance2(self.pos[a], self.pos[b])
    }

    fn rebuild(&mut self) {
        let live: Vec<usize> = (0..self.pos.len()).filter(|&i| self.alive[i]).collect();
        self.tree = Tree::build(live, &self.pos, &self.weight);
    }

    /// The nearest-neighbour chain: every merge down to one cluster.
    fn chain(&mut self) -> Vec<Merge> {
        let n = self.pos.len();
        let mut merges = Vec::with_capacity(n - 1);
        let mut chain: Vec<usize> = Vec::new();
        let mut alive = n;
        let mut next_start = 0;
        while alive > 1 {
            if chain.is_empty() {
                while !self.alive[next_start] {
                    next_start += 1;
                }
                chain.push(next_start);
            }
            let top = chain[chain.len() - 1];
            let previous = (chain.len() >= 2).then(|| chain[chain.len() - 2]);
            let (nearest, cost) = self.nearest(top, previous);
            if Some(nearest) == previous {
                chain.truncate(chain.len() - 2);
                let (a, b) = (top.min(nearest), top.max(nearest));
                merges.push(Merge { cost, a, b });
                self.merge(a, b);
                alive -= 1;
                if alive * 2 < self.tree.built && alive > 1 {
                    self.rebuild();
                }
            } else {
                chain.push(nearest);
            }
        }
        merges
    }

    /// `a` absorbs `b`: the weighted centroid, the summed weight; `b` leaves the tree.
    fn merge(&mut self, a: usize, b: usize) {
        let (wa, wb) = (self.weight[a], self.weight[b]);
        let w = wa + wb;
        let (pa, pb) = (self.pos[a], self.pos[b]);
        self.pos[a] = std::array::from_fn(|d| (wa * pa[d] + wb * pb[d]) / w);
        self.weight[a] = w;
        self.alive[b] = false;
        self.refresh(a);
        self.refresh(b);
    }

    /// Recomputes the box, weight floor and live count of slot `s`'s leaf from its live
    /// clusters, and of every node above it from its children: the bounds stay tight as
    /// light clusters merge away.
    fn refresh(&mut self, s: usize) {
        let tree = &mut self.tree;
        let mut node = tree.leaf[s];
        if node == usize::MAX {
            return;
        }
        {
            let (mut lo, mut hi) = ([f64::INFINITY; 3], [f64::NEG_INFINITY; 3]);
            let (mut floor, mut live) = (f64::INFINITY, 0);
            let nd = &tree.nodes[node];
            for &i in &tree.items[nd.start..nd.end] {
                if !self.alive[i] {
                    continue;
                }
                live += 1;
                floor = floor.min(self.weight[i]);
                for d in 0..3 {
                    lo[d] = lo[d].min(self.pos[i][d]);
                    hi[d] = hi[d].max(self.pos[i][d]);
                }
            }
            let nd = &mut tree.nodes[node];
            (nd.lo, nd.hi, nd.min_weight, nd.live) = (lo, hi, floor, live);
        }
        node = tree.parent[node];
        while node != usize::MAX {
            if let Some((l, r)) = tree.nodes[node].children {
                let (a, b) = (&tree.nodes[l], &tree.nodes[r]);
                let lo = std::array::from_fn(|d| a.lo[d].min(b.lo[d]));
                let hi = std::array::from_fn(|d| a.hi[d].max(b.hi[d]));
                let (floor, live) = (a.min_weight.min(b.min_weight), a.live + b.live);
                let nd = &mut tree.nodes[node];
                (nd.lo, nd.hi, nd.min_weight, nd.live) = (lo, hi, floor, live);
            }
            node = tree.parent[node];
        }
    }

    /// The live slot of least Ward cost to `a` (other than `a`), preferring `previous` (the
    /// chain's element before `a`) on a tie, then the lowest slot: the chain then never
    /// cycles and the result does not depend on the search order.
    fn nearest(&self, a: usize, previous: Option<usize>) -> (usize, f64) {
        let (pa, wa) = (self.pos[a], self.weight[a]);
        let mut best = match previous {
            Some(p) => (p, self.cost(a, p)),
            None => (usize::MAX, f64::INFINITY),
        };
        let better = |cost: f64, slot: usize, best: (usize, f64)| match cost.total_cmp(&best.1) {
            Ordering::Less => true,
            Ordering::Equal => Some(best.0) != previous && slot < best.0,
            Ordering::Greater => false,
        };
        let tree = &self.tree;
        // Nodes to visit, with their bounds; a node whose bound exceeds the best cost found
        // when it comes up is skipped.
        let mut stack = vec![(0usize, 0.0f64)];
        while let Some((node, bound)) = stack.pop() {
            let nd = &tree.nodes[node];
            if bound > best.1 {
                continue;
            }
            match nd.children {
                Some((l, r)) => {
                    // Visit the nearer child first (pushed last).
                    let (bl, br) = (tree.bound(l, pa, wa), tree.bound(r, pa, wa));
                    let (near, far) = if bl <= br {
                        ((l, bl), (r, br))
                    } else {
                        ((r, br), (l, bl))
                    };
                    if far.1 <= best.1 {
                        stack.push(far);
                    }
                    if near.1 <= best.1 {
                        stack.push(near);
                    }
                }
                None => {
                    for &s in &tree.items[nd.start..nd.end] {
                        if s == a || !self.alive[s] {
                            continue;
                        }
                        let cost = self.cost(a, s);
                        if better(cost, s, best) {
                            best = (s, cost);
                        }
                    }
                }
            }
        }
        best
    }
}

/// A k-d tree over the live clusters' centroids. After each merge the two leaves involved
/// and the nodes above them are recomputed from the live clusters (box, weight floor, live
/// count), so every node's bound is tight; the tree is rebuilt when half its clusters have
/// merged away, so that its boxes split the live clusters evenly again.
#[derive(Default)]
struct Tree {
    nodes: Vec<Node>,
    items: Vec<usize>,
    /// Leaf of each slot (usize::MAX for slots not in the tree).
    leaf: Vec<usize>,
    parent: Vec<usize>,
    /// Live clusters when built.
    built: usize,
}

struct Node {
    lo: [f64; 3],
    hi: [f64; 3],
    /// No live cluster in the node weighs less.
    min_weight: f64,
    live: usize,
    start: usize,
    end: usize,
    children: Option<(usize, usize)>,
}

impl Tree {
    fn build(mut items: Vec<usize>, pos: &[[f64; 3]], weight: &[f64]) -> Self {
        let mut tree = Tree {
            nodes: Vec::new(),
            items: Vec::new(),
            leaf: vec![usize::MAX; pos.len()],
            parent: Vec::new(),
            built: items.len(),
        };
        let len = items.len();
        tree.split(&mut items, 0, len, usize::MAX, pos, weight);
        tree.items = items;
        tree
    }

    fn split(
        &mut self,
        items: &mut [usize],
        start: usize,
        end: usize,
        parent: usize,
        pos: &[[f64; 3]],
        weight: &[f64],
    ) -> usize {
        let (mut lo, mut hi) = ([f64::INFINITY; 3], [f64::NEG_INFINITY; 3]);
        let mut min_weight = f64::INFINITY;
        for &s in &items[start..end] {
            for d in 0..3 {
                lo[d] = lo[d].min(pos[s][d]);
                hi[d] = hi[d].max(pos[s][d]);
            }
            min_weight = min_weight.min(weight[s]);
        }
        let id = self.nodes.len();
        self.nodes.push(Node {
            lo,
            hi,
            min_weight,
            live: end - start,
            start,
            end,
            children: None,
        });
        self.parent.push(parent);
        if end - start <= LEAF {
            for &s in &items[start..end] {
                self.leaf[s] = id;
            }
            return id;
        }
        let axis = (0..3)
            .max_by(|&x, &y| (hi[x] - lo[x]).total_cmp(&(hi[y] - lo[y])))
            .unwrap_or(0);
        let mid = start + (end - start) / 2;
        items[start..end].select_nth_unstable_by(mid - start, |&x, &y| {
            pos[x][axis].total_cmp(&pos[y][axis]).then(x.cmp(&y))
        });
        let l = self.split(items, start, mid, id, pos, weight);
        let r = self.split(items, mid, end, id, pos, weight);
        self.nodes[id].children = Some((l, r));
        id
    }

    /// A lower bound of the Ward cost between a cluster at `p` weighing `w` and any cluster
    /// in `node`: the squared distance to its box times `w m / (w + m)`, increasing in the
    /// other weight `m`, at the node's weight floor.
    fn bound(&self, node: usize, p: [f64; 3], w: f64) -> f64 {
        let nd = &self.nodes[node];
        if nd.live == 0 {
            return f64::INFINITY;
        }
        let d2: f64 = (0..3)
            .map(|d| (nd.lo[d] - p[d]).max(p[d] - nd.hi[d]).max(0.0).powi(2))
            .sum();
        d2 * (w * nd.min_weight / (w + nd.min_weight))
    }
}

/// Disjoint sets of slots, with path halving.
struct UnionFind(Vec<usize>);

impl UnionFind {
    fn new(n: usize) -> Self {
        Self((0..n).collect())
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.0[ra.max(rb)] = ra.min(rb);
        }
    }
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

    /// Known answers on a line, where the weights decide the first merge: Ward's cost of
    /// merging `a` and `b` is `wa wb / (wa + wb) |a - b|^2`.
    ///
    /// - 0, 1, 3 weighing 1, 100, 100: {0, 1} costs 100/101, {1, 3} costs 200: centroids
    ///   100/101 and 3.
    /// - 0, 1, 2 weighing 1, 3, 3: {0, 1} costs 3/4, {1, 2} costs 3/2: centroids 0.75 and 2.
    /// - 0, 1, 2 weighing 3, 3, 1: the mirror image: centroids 0 and 1.25.
    /// - a weight counts like repeated points.
    #[test]
    fn weighted_ward_known_answers() {
        let line = |xs: &[f32]| xs.iter().map(|&x| [x, 0.0, 0.0]).collect::<Vec<_>>();
        // {0, 1} and {3}: centroid of 0 (w 1) and 1 (w 100) is 100/101.
        let got = ward(&line(&[0.0, 1.0, 3.0]), &[1.0, 100.0, 100.0], 2);
        assert_eq!(got.len(), 2);
        assert!((got[0][0] - 100.0 / 101.0).abs() < 1e-6, "{got:?}");
        assert_eq!(got[1], [3.0, 0.0, 0.0]);
        // Point 1 sits 1 from 0 and 1 from 2; the heavy 2 pulls it: merging 1 (w 1) with 0
        // (w 1) costs 1/2, with 2 (w 1000) costs 1000/1001 -> 0 and 1 merge. But with 0 at
        // weight 1 and 1 at weight 3, and 2 at weight 3: {0,1} costs 3/4, {1,2} costs 3/2.
        let got = ward(&line(&[0.0, 1.0, 2.0]), &[1.0, 3.0, 3.0], 2);
        assert!((got[0][0] - 0.75).abs() < 1e-6, "{got:?}");
        assert_eq!(got[1], [2.0, 0.0, 0.0]);
        // Same points, weights that reverse the first merge: 0 heavy, 2 light: {1,2} first.
        let got = ward(&line(&[0.0, 1.0, 2.0]), &[3.0, 3.0, 1.0], 2);
        assert_eq!(got[0], [0.0, 0.0, 0.0]);
        assert!((got[1][0] - 1.25).abs() < 1e-6, "{got:?}");
        // Weight counts like repetition: one point of weight 3 == three points of weight 1.
        let repeated = ward(
            &line(&[0.0, 1.0, 1.0, 1.0, 2.0, 5.0]),
            &[1.0, 1.0, 1.0, 1.0, 3.0, 1.0],
            2,
        );
        let weighted = ward(&line(&[0.0, 1.0, 2.0, 5.0]), &[1.0, 3.0, 3.0, 1.0], 2);
        assert_eq!(repeated, weighted);
    }

    /// The brute-force Ward (every pair, every step) on random weighted points gives the same
    /// clusters as the chain with its pruned tree search.
    #[test]
    fn chain_matches_brute_force_ward() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256Plus::seed_from_u64(5);
        for trial in 0..20 {
            let n = 30 + trial * 7;
            let coords: Vec<Point> = (0..n)
                .map(|_| [rng.gen::<f32>(), rng.gen::<f32>(), rng.gen::<f32>()])
                .collect();
            let weights: Vec<f64> = (0..n).map(|_| f64::from(rng.gen_range(1..50u32))).collect();
            for k in [1, 2, 5, 8] {
                let mut got = ward(&coords, &weights, k);
                let mut want = brute_ward(&coords, &weights, k);
                let key = |p: &Point| (p[0] * 1e4) as i64;
                got.sort_by_key(key);
                want.sort_by_key(key);
                assert_eq!(got.len(), want.len());
                for (g, w) in got.iter().zip(&want) {
                    assert!(
                        distance2(*g, *w) < 1e-9,
                        "trial {trial} k={k}: {got:?} vs {want:?}"
                    );
                }
            }
        }
    }

    fn brute_ward(coords: &[Point], weights: &[f64], k: usize) -> Vec<Point> {
        let mut cl: Vec<([f64; 3], f64)> = coords
            .iter()
            .zip(weights)
            .map(|(p, &w)| (p.map(f64::from), w))
            .collect();
        while cl.len() > k {
            let mut best = (0, 1, f64::INFINITY);
            for i in 0..cl.len() {
                for j in i + 1..cl.len() {
                    let (wa, wb) = (cl[i].1, cl[j].1);
                    let c = wa * wb / (wa + wb) * distance2(cl[i].0, cl[j].0);
                    if c < best.2 {
                        best = (i, j, c);
                    }
                }
            }
            let (i, j, _) = best;
            let (b, wb) = cl.remove(j);
            let (a, wa) = cl[i];
            cl[i] = (
                std::array::from_fn(|d| (wa * a[d] + wb * b[d]) / (wa + wb)),
                wa + wb,
            );
        }
        cl.iter().map(|(p, _)| p.map(|v| v as f32)).collect()
    }

    #[test]
    fn the_seed_changes_nothing() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256Plus::seed_from_u64(9);
        let coords: Vec<Point> = (0..2_000)
            .map(|_| [rng.gen::<f32>(), rng.gen::<f32>(), rng.gen::<f32>()])
            .collect();
        let weights: Vec<f64> = (0..2_000).map(|i| f64::from(1 + i % 17)).collect();
        let p = test_points(&coords, &weights);
        let first = centres(&p, 8, 0).unwrap();
        assert_eq!(first.len(), 8);
        for seed in [1, 2, 42, u64::MAX] {
            assert_eq!(centres(&p, 8, seed).unwrap(), first);
        }
    }
}
