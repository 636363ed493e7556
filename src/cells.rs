//! Pooling: the selected pixels gathered into small cells of sRGB.
//!
//! Counting every distinct colour of a million-pixel still takes a sort, and a bicubic
//! upscale has hundreds of thousands of them. Pooling the pixels into 64 x 64 x 64 cells,
//! 4 levels a side, takes one pass and leaves tens of thousands of weighted mean colours:
//! plenty for clustering, since no palette colour is narrower than a cell. The final
//! assignment ([`crate::assign::assign_cells`]) still gives every pixel to its own nearest
//! centre.

use crate::counts::ColorCounts;
use crate::error::Result;
use crate::load::Still;
use crate::parallel::{run_all, Threads};
use crate::points::Points;
use crate::select::{Brightness, Selection};
use crate::space::ColorSpace;

/// Cells per axis, and sRGB levels per cell side.
pub(crate) const SIDE: usize = 64;
pub(crate) const LEVELS: u8 = 4;
pub(crate) const CELLS: usize = SIDE * SIDE * SIDE;
/// Pixels tallied per table at most, so that no 32-bit sum can overflow (3 x 2^28 < 2^32).
const PIECE_PIXELS: usize = 1 << 28;

/// The cell of a colour.
pub(crate) fn cell_of(r: u8, g: u8, b: u8) -> usize {
    (usize::from(r / LEVELS) << 12) | (usize::from(g / LEVELS) << 6) | usize::from(b / LEVELS)
}

/// A colour's place inside its cell, 0..64.
pub(crate) fn within_cell(r: u8, g: u8, b: u8) -> usize {
    (usize::from(r % LEVELS) << 4) | (usize::from(g % LEVELS) << 2) | usize::from(b % LEVELS)
}

/// The lowest colour of a cell.
pub(crate) fn cell_base(cell: usize) -> [u8; 3] {
    [cell >> 12, (cell >> 6) % SIDE, cell % SIDE].map(|i| (i * usize::from(LEVELS)) as u8)
}

/// Per cell: pixels, and the sums of their offsets from the cell's base. A fixed-size
/// array, so that indexing it with [`cell_of`] needs no bounds check in the pixel loop.
struct CellTable(Box<[[u32; 4]; CELLS]>);

impl CellTable {
    fn new() -> Self {
        let zeros = vec![[0u32; 4]; CELLS].into_boxed_slice();
        // The length is CELLS by construction.
        Self(zeros.try_into().unwrap_or_else(|_| unreachable!()))
    }
}

impl std::ops::Index<usize> for CellTable {
    type Output = [u32; 4];
    fn index(&self, cell: usize) -> &[u32; 4] {
        &self.0[cell]
    }
}

impl std::ops::IndexMut<usize> for CellTable {
    fn index_mut(&mut self, cell: usize) -> &mut [u32; 4] {
        &mut self.0[cell]
    }
}

/// The opaque pixels of a still that pass a brightness filter, pooled by cell.
#[derive(Debug, Clone)]
pub struct Cells<'a> {
    still: &'a Still,
    /// Validated.
    brightness: Brightness,
    threads: Threads,
    /// Occupied cells, ascending.
    cells: Vec<usize>,
    /// Pixels in each occupied cell.
    counts: Vec<u64>,
    /// Mean sRGB colour (0..=255) of each occupied cell's pixels.
    means: Vec<[f32; 3]>,
    total: u64,
}

impl<'a> Cells<'a> {
    /// Pools the opaque pixels of `still` that pass `brightness`, on every core for large
    /// stills.
    ///
    /// Fails with [`crate::Error::NoPixels`] when no pixel is left.
    pub fn from_still(still: &'a Still, brightness: Brightness) -> Result<Self> {
        Self::pool(still, brightness.validate()?, Threads::new(0))
    }

    /// Pools with a validated filter, on at most `threads` threads (here and in the
    /// assignment).
    pub(crate) fn pool(still: &'a Still, brightness: Brightness, threads: Threads) -> Result<Self> {
        let mut cells = Cells {
            still,
            brightness,
            threads,
            cells: Vec::new(),
            counts: Vec::new(),
            means: Vec::new(),
            total: 0,
        };
        // Per cell: pixels, and the sums of their offsets from the cell's base (0..=3 each).
        let tables = cells.each_piece(|piece| {
            let mut table = CellTable::new();
            piece.for_each(|r, g, b| {
                let entry = &mut table[cell_of(r, g, b)];
                let offsets = [1, r % LEVELS, g % LEVELS, b % LEVELS];
                for (sum, offset) in entry.iter_mut().zip(offsets) {
                    *sum += u32::from(offset);
                }
            });
            table
        });
        for cell in (0..CELLS).filter(|&c| tables.iter().any(|t| t[c][0] > 0)) {
            let [n, r, g, b] = tables.iter().fold([0u64; 4], |sum, table| {
                std::array::from_fn(|i| sum[i] + u64::from(table[cell][i]))
            });
            let base = cell_base(cell);
            let offsets = [r, g, b];
            cells.cells.push(cell);
            cells.counts.push(n);
            cells.means.push(std::array::from_fn(|i| {
                f32::from(base[i]) + (offsets[i] as f64 / n as f64) as f32
            }));
            cells.total += n;
        }
        if cells.total == 0 {
            return Err(still.selection(brightness).nothing_left());
        }
        Ok(cells)
    }

    /// Number of occupied cells.
    #[must_use]
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether no cell is occupied (never true of a successfully pooled still).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// Number of pooled pixels.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The exact distinct colours of the same pixels (for stills with very few colours).
    pub fn distinct_colors(&self) -> Result<ColorCounts> {
        ColorCounts::count(self.still, self.brightness, self.threads)
    }

    /// The occupied cells as weighted points of `space`, at their mean colours.
    pub(crate) fn points(&self, space: ColorSpace) -> Result<Points> {
        Points::new(
            self.means.iter().map(|&m| space.embed_mean(m)).collect(),
            self.counts.iter().map(|&n| n as f64).collect(),
            self.means
                .iter()
                .map(|m| m.map(|c| c.round() as u8))
                .collect(),
            space,
        )
    }

    /// The occupied cells, ascending (see [`cell_of`]).
    pub(crate) fn occupied(&self) -> &[usize] {
        &self.cells
    }

    /// Threads a pass over this still's pixels may use.
    pub(crate) fn threads(&self) -> usize {
        let (width, height) = (self.still.width() as usize, self.still.height() as usize);
        self.threads.for_pixels(width * height)
    }

    /// Runs `tally` over pieces of the selected pixels, side by side on large stills; one
    /// result a piece.
    pub(crate) fn each_piece<T: Send>(&self, tally: impl Fn(Selection<'_>) -> T + Sync) -> Vec<T> {
        let selection = self.still.selection(self.brightness);
        run_all(selection.pieces(self.threads(), PIECE_PIXELS), tally)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parallel::PARALLEL_FROM_PIXELS;

    fn still(pixels: &[[u8; 3]]) -> Still {
        Still::from_rgb(pixels.len() as u32, 1, pixels).unwrap()
    }

    #[test]
    fn pooling_keeps_every_pixel_and_the_mean() {
        let pixels: Vec<[u8; 3]> = (0..20_000u32)
            .map(|i| [(i % 256) as u8, (i * 7 % 256) as u8, (i / 80) as u8])
            .collect();
        let s = still(&pixels);
        let cells = Cells::from_still(&s, Brightness::default()).unwrap();
        assert_eq!(cells.total(), 20_000);
        assert_eq!(cells.counts.iter().sum::<u64>(), 20_000);
        let mean = |i: usize| {
            let pooled: f64 = cells
                .means
                .iter()
                .zip(&cells.counts)
                .map(|(m, &n)| f64::from(m[i]) * n as f64)
                .sum();
            let direct: f64 = pixels.iter().map(|p| f64::from(p[i])).sum();
            (pooled - direct).abs() / 20_000.0
        };
        assert!((0..3).all(|i| mean(i) < 1e-3));
        // Cells in ascending order, each mean inside its own cell.
        assert!(cells.cells.windows(2).all(|w| w[0] < w[1]));
        for (&cell, m) in cells.cells.iter().zip(&cells.means) {
            let base = cell_base(cell);
            assert!((0..3).all(|i| m[i] >= f32::from(base[i]) && m[i] <= f32::from(base[i]) + 3.0));
        }
    }

    #[test]
    fn large_stills_are_pooled_in_parallel_with_the_same_result() {
        let pixels: Vec<[u8; 3]> = (0..PARALLEL_FROM_PIXELS + 7)
            .map(|i| {
                [
                    (i % 251) as u8,
                    (i / 251 % 241) as u8,
                    (i / 60_000 % 256) as u8,
                ]
            })
            .collect();
        let s = still(&pixels);
        let cells = Cells::pool(&s, Brightness::default(), Threads::new(2)).unwrap();
        assert_eq!(cells.threads(), 2);
        assert_eq!(cells.total(), pixels.len() as u64);
        let mut counts = vec![0u64; CELLS];
        for &[r, g, b] in &pixels {
            counts[cell_of(r, g, b)] += 1;
        }
        let expected: Vec<u64> = counts.into_iter().filter(|&n| n > 0).collect();
        assert_eq!(cells.counts, expected);
        let one = Cells::pool(&s, Brightness::default(), Threads::new(1)).unwrap();
        assert_eq!((one.counts, one.means), (cells.counts, cells.means));
    }

    #[test]
    fn brightness_and_transparency_select_pixels() {
        let s = still(&[[0, 0, 0], [128, 128, 128], [255, 255, 255]]);
        let cells = Cells::from_still(&s, Brightness { min: 0.2, max: 0.8 }).unwrap();
        assert_eq!(cells.total(), 1);
        assert_eq!(cells.means, vec![[128.0; 3]]);
        let err = Cells::from_still(
            &s,
            Brightness {
                min: 0.9,
                max: 0.95,
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains("brightness"), "{err}");
        let clear = Still::from_dynamic(image::DynamicImage::ImageRgba8(
            image::RgbaImage::from_raw(1, 1, vec![9, 9, 9, 0]).unwrap(),
        ));
        let err = Cells::from_still(&clear, Brightness::default()).unwrap_err();
        assert!(err.to_string().contains("transparent"), "{err}");
    }
}
