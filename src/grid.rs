//! Grids of colour cells, and the weighted pooling on them.
//!
//! Every reduction of colours in the crate pools them on a cube grid: a still's pixels on
//! 64 x 64 x 64 sRGB cells ([`CellGrid`], counted in a [`CellCounts`] table), a film's
//! time-weighted pixels on the same cells, the accent method's colours on coarser sRGB
//! bins, and clustering points on a grid over their bounding box ([`BoxGrid`]). This module
//! owns how a cell is found, numbered and decoded, and how weighted values are summed per
//! cell ([`WeightedGrid`]), so that the assignment can decode exactly the cells the pooling
//! made.

/// The number of the cell at `axes` in a cube of `side` cells an axis: the first axis
/// varies slowest, so that cells in ascending order run through red, then green, then blue.
#[inline]
pub(crate) const fn index([x, y, z]: [usize; 3], side: usize) -> usize {
    (x * side + y) * side + z
}

/// The axes of cell `index` in a cube of `side` cells an axis: the inverse of [`index`].
#[inline]
pub(crate) const fn axes(index: usize, side: usize) -> [usize; 3] {
    [index / (side * side), index / side % side, index % side]
}

/// A grid over 8-bit sRGB: `2^BITS` cells an axis, each `2^(8 - BITS)` levels a side.
/// Levels per side are a power of two, so a colour's cell and its place inside the cell
/// are its channels' high and low bits.
pub(crate) struct SrgbGrid<const BITS: u32>;

/// The grid a still's pixels are pooled on: 64 cells an axis, 4 levels a side, so that no
/// palette colour is narrower than a cell and a cell's 64 colours can be counted one by one.
pub(crate) type CellGrid = SrgbGrid<6>;

impl<const BITS: u32> SrgbGrid<BITS> {
    /// Low bits of a channel that give its place inside a cell.
    const SHIFT: u32 = 8 - BITS;
    /// Cells per axis.
    pub(crate) const SIDE: usize = 1 << BITS;
    /// Cells in all.
    pub(crate) const CELLS: usize = Self::SIDE * Self::SIDE * Self::SIDE;
    /// sRGB levels per cell side.
    pub(crate) const LEVELS: u8 = 1 << Self::SHIFT;
    /// Distinct colours inside one cell.
    pub(crate) const WITHIN: usize = 1 << (3 * Self::SHIFT);
    /// Corners per axis: a cell's corners sit on its lowest levels and the next cell's, the
    /// last ones on level 255.
    pub(crate) const CORNER_SIDE: usize = Self::SIDE + 1;

    /// The cell of a colour.
    #[inline]
    pub(crate) fn cell(r: u8, g: u8, b: u8) -> usize {
        let axis = |c: u8| usize::from(c >> Self::SHIFT);
        index([axis(r), axis(g), axis(b)], Self::SIDE)
    }

    /// A colour's place inside its cell, `0..WITHIN`.
    #[inline]
    pub(crate) fn within(r: u8, g: u8, b: u8) -> usize {
        let offset = |c: u8| usize::from(c % Self::LEVELS);
        index([offset(r), offset(g), offset(b)], usize::from(Self::LEVELS))
    }

    /// The colour at place `within` (see [`SrgbGrid::within`]) of `cell`.
    pub(crate) fn color(cell: usize, within: usize) -> [u8; 3] {
        let base = Self::base(cell);
        let offsets = axes(within, usize::from(Self::LEVELS));
        std::array::from_fn(|c| base[c] + offsets[c] as u8)
    }

    /// The lowest colour of a cell.
    pub(crate) fn base(cell: usize) -> [u8; 3] {
        axes(cell, Self::SIDE).map(|i| (i * usize::from(Self::LEVELS)) as u8)
    }

    /// The axes of the eight corners of `cell` on the corner lattice ([`Self::CORNER_SIDE`]
    /// a side), its lowest corner first.
    pub(crate) fn corners(cell: usize) -> [[usize; 3]; 8] {
        let [r, g, b] = axes(cell, Self::SIDE);
        std::array::from_fn(|corner| [r + (corner >> 2), g + ((corner >> 1) & 1), b + (corner & 1)])
    }

    /// The number of a corner on the corner lattice.
    pub(crate) fn corner_index(corner: [usize; 3]) -> usize {
        index(corner, Self::CORNER_SIDE)
    }

    /// The colour of a corner: its cell's lowest level, or 255 past the last cell, so that
    /// every colour of a cell lies inside its corners' box.
    pub(crate) fn corner_color(corner: [usize; 3]) -> [u8; 3] {
        corner.map(|i| (i * usize::from(Self::LEVELS)).min(255) as u8)
    }
}

/// Pixels that one [`CellCounts`] table may hold, so that no 32-bit sum can overflow
/// (offsets are at most 3: 3 x 2^28 < 2^32).
pub(crate) const COUNTS_PIXELS: usize = 1 << 28;

/// Pixels pooled on [`CellGrid`]: per cell, the pixels and the sums of their offsets from
/// the cell's lowest colour. Integers, so that tables filled side by side add up to exactly
/// the same counts and means as one table; a fixed-size array, so that indexing it with
/// [`SrgbGrid::cell`] needs no bounds check in the pixel loop.
pub(crate) struct CellCounts(Box<[[u32; 4]; CellGrid::CELLS]>);

impl CellCounts {
    pub(crate) fn new() -> Self {
        let zeros = vec![[0u32; 4]; CellGrid::CELLS].into_boxed_slice();
        // The length is CELLS by construction.
        Self(zeros.try_into().unwrap_or_else(|_| unreachable!()))
    }

    /// Counts one pixel (at most [`COUNTS_PIXELS`] a table).
    #[inline]
    pub(crate) fn add(&mut self, r: u8, g: u8, b: u8) {
        let entry = &mut self.0[CellGrid::cell(r, g, b)];
        let levels = CellGrid::LEVELS;
        let offsets = [1, r % levels, g % levels, b % levels];
        for (sum, offset) in entry.iter_mut().zip(offsets) {
            *sum += u32::from(offset);
        }
    }

    /// The occupied cells of `tables` together, ascending: each with its pixels and the
    /// mean sRGB colour (0..=255) of its pixels.
    pub(crate) fn pooled(
        tables: &[CellCounts],
    ) -> impl Iterator<Item = (usize, u64, [f32; 3])> + '_ {
        (0..CellGrid::CELLS)
            .filter(|&cell| tables.iter().any(|t| t.0[cell][0] > 0))
            .map(|cell| {
                let [n, r, g, b] = tables.iter().fold([0u64; 4], |sum, table| {
                    std::array::from_fn(|i| sum[i] + u64::from(table.0[cell][i]))
                });
                let base = CellGrid::base(cell);
                let offsets = [r, g, b];
                let mean = std::array::from_fn(|i| {
                    f32::from(base[i]) + (offsets[i] as f64 / n as f64) as f32
                });
                (cell, n, mean)
            })
    }
}

/// A grid of `side` x `side` x `side` cells over the bounding box of some points.
pub(crate) struct BoxGrid {
    lo: [f32; 3],
    /// Cells per unit along each axis.
    scale: [f32; 3],
    side: usize,
}

impl BoxGrid {
    /// The grid of `side` cells an axis over the box that bounds `points`; an axis on which
    /// every point is equal is one cell thick.
    pub(crate) fn around(points: &[[f32; 3]], side: usize) -> Self {
        let (mut lo, mut hi) = ([f32::INFINITY; 3], [f32::NEG_INFINITY; 3]);
        for p in points {
            for d in 0..3 {
                lo[d] = lo[d].min(p[d]);
                hi[d] = hi[d].max(p[d]);
            }
        }
        let scale = std::array::from_fn(|d| side as f32 / (hi[d] - lo[d]).max(f32::EPSILON));
        Self { lo, scale, side }
    }

    /// Cells in all.
    pub(crate) fn cells(&self) -> usize {
        self.side * self.side * self.side
    }

    /// The cell of `p` (a point on the box's upper face belongs to the last cell).
    pub(crate) fn cell(&self, p: [f32; 3]) -> usize {
        let axis = |d: usize| (((p[d] - self.lo[d]) * self.scale[d]) as usize).min(self.side - 1);
        index([axis(0), axis(1), axis(2)], self.side)
    }
}

/// Weighted values pooled by cell: per cell the total weight and the weighted sums of `N`
/// values, giving each occupied cell's weighted mean. Sums are `f64` and added in the order
/// the values come, which callers rely on for reproducible results.
#[derive(Debug, Clone)]
pub(crate) struct WeightedGrid<const N: usize> {
    weights: Vec<f64>,
    sums: Vec<[f64; N]>,
    /// The cells with a weight, in the order first touched: emptying or moving a grid then
    /// visits only them, not every cell.
    touched: Vec<usize>,
}

impl<const N: usize> WeightedGrid<N> {
    /// An empty grid of `cells` cells.
    pub(crate) fn new(cells: usize) -> Self {
        Self {
            weights: vec![0.0; cells],
            sums: vec![[0.0; N]; cells],
            touched: Vec::new(),
        }
    }

    /// Whether nothing has been added.
    pub(crate) fn is_empty(&self) -> bool {
        self.touched.is_empty()
    }

    /// Adds `weight` at `values` to `cell`.
    #[inline]
    pub(crate) fn add(&mut self, cell: usize, weight: f64, values: [f64; N]) {
        if self.weights[cell] == 0.0 {
            self.touched.push(cell);
        }
        self.weights[cell] += weight;
        for (s, v) in self.sums[cell].iter_mut().zip(values) {
            *s += weight * v;
        }
    }

    /// Adds this grid's cells into `other` (a grid of as many cells) and empties this one.
    pub(crate) fn drain_into(&mut self, other: &mut WeightedGrid<N>) {
        for &cell in &self.touched {
            if other.weights[cell] == 0.0 {
                other.touched.push(cell);
            }
            other.weights[cell] += self.weights[cell];
            for (o, s) in other.sums[cell].iter_mut().zip(self.sums[cell]) {
                *o += s;
            }
            self.weights[cell] = 0.0;
            self.sums[cell] = [0.0; N];
        }
        self.touched.clear();
    }

    /// Each occupied cell with its weight and weighted sums, in ascending cell order.
    pub(crate) fn occupied(&self) -> impl Iterator<Item = (usize, f64, [f64; N])> + '_ {
        let mut cells = self.touched.clone();
        cells.sort_unstable();
        cells
            .into_iter()
            .map(|cell| (cell, self.weights[cell], self.sums[cell]))
    }

    /// Each occupied cell's weight and weighted mean, in ascending cell order.
    pub(crate) fn means(&self) -> impl Iterator<Item = (f64, [f32; N])> + '_ {
        self.occupied()
            .map(|(_, w, sums)| (w, sums.map(|s| (s / w) as f32)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_number_and_decode_alike() {
        for (r, g, b) in [(0, 0, 0), (255, 255, 255), (7, 130, 201), (4, 3, 252)] {
            let cell = CellGrid::cell(r, g, b);
            assert_eq!(
                cell,
                (usize::from(r / 4) << 12) | (usize::from(g / 4) << 6) | usize::from(b / 4)
            );
            assert_eq!(CellGrid::base(cell), [r, g, b].map(|c| c / 4 * 4));
            assert_eq!(CellGrid::color(cell, CellGrid::within(r, g, b)), [r, g, b]);
            let bin = SrgbGrid::<5>::cell(r, g, b);
            assert_eq!(
                bin,
                (usize::from(r >> 3) << 10) | (usize::from(g >> 3) << 5) | usize::from(b >> 3)
            );
        }
        assert_eq!(
            (CellGrid::CELLS, CellGrid::WITHIN, CellGrid::LEVELS),
            (1 << 18, 64, 4)
        );
        for i in [0, 1, 4095, 77_777, CellGrid::CELLS - 1] {
            assert_eq!(index(axes(i, CellGrid::SIDE), CellGrid::SIDE), i);
        }
    }

    #[test]
    fn a_cells_colours_lie_within_its_corners() {
        let cell = CellGrid::cell(255, 0, 130);
        let corners = CellGrid::corners(cell);
        assert_eq!(corners[0], axes(cell, CellGrid::SIDE));
        let colors = corners.map(CellGrid::corner_color);
        assert_eq!((colors[0], colors[7]), ([252, 0, 128], [255, 4, 132]));
    }

    #[test]
    fn tables_pool_counts_and_means() {
        let mut tables = [CellCounts::new(), CellCounts::new()];
        tables[0].add(1, 2, 3);
        tables[1].add(2, 2, 3);
        tables[1].add(200, 0, 0);
        let pooled: Vec<_> = CellCounts::pooled(&tables).collect();
        assert_eq!(
            pooled,
            vec![
                (CellGrid::cell(0, 0, 0), 2, [1.5, 2.0, 3.0]),
                (CellGrid::cell(200, 0, 0), 1, [200.0, 0.0, 0.0])
            ]
        );
    }

    #[test]
    fn weighted_grids_pool_and_drain() {
        let mut a = WeightedGrid::<2>::new(4);
        a.add(3, 1.0, [2.0, 0.0]);
        a.add(1, 1.0, [1.0, 1.0]);
        a.add(3, 3.0, [6.0, 4.0]);
        let means: Vec<_> = a.means().collect();
        assert_eq!(means, vec![(1.0, [1.0, 1.0]), (4.0, [5.0, 3.0])]);
        let mut b = WeightedGrid::<2>::new(4);
        b.add(1, 1.0, [3.0, 3.0]);
        a.drain_into(&mut b);
        assert!(a.is_empty() && a.occupied().next().is_none());
        let means: Vec<_> = b.means().collect();
        assert_eq!(means, vec![(2.0, [2.0, 2.0]), (4.0, [5.0, 3.0])]);
    }

    #[test]
    fn box_grids_put_the_upper_face_in_the_last_cell() {
        let grid = BoxGrid::around(&[[0.0, 5.0, 1.0], [1.0, 5.0, 3.0]], 4);
        assert_eq!(grid.cells(), 64);
        assert_eq!(grid.cell([0.0, 5.0, 1.0]), 0);
        assert_eq!(grid.cell([1.0, 5.0, 3.0]), index([3, 0, 3], 4));
        assert_eq!(grid.cell([0.3, 5.0, 2.0]), index([1, 0, 2], 4));
    }
}
