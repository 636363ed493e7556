//! Pooling: the selected pixels gathered into small cells of sRGB.
//!
//! Counting every distinct colour of a million-pixel still takes a sort, and a bicubic
//! upscale has hundreds of thousands of them. Pooling the pixels into 64 x 64 x 64 cells,
//! 4 levels a side ([`crate::grid::CellGrid`]), takes one pass and leaves tens of thousands
//! of weighted mean colours: plenty for clustering, since no palette colour is narrower than
//! a cell. The final assignment ([`crate::assign::assign_cells`]) still gives every pixel to
//! its own nearest centre.

use crate::counts::ColorCounts;
use crate::error::Result;
use crate::grid::{CellCounts, COUNTS_PIXELS};
use crate::load::Still;
use crate::parallel::{run_all, Threads};
use crate::points::Points;
use crate::select::{Brightness, Selection};
use crate::space::ColorSpace;

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
        let tables = cells.each_piece(|piece| {
            let mut table = CellCounts::new();
            piece.for_each(|r, g, b| table.add(r, g, b));
            table
        });
        for (cell, n, mean) in CellCounts::pooled(&tables) {
            cells.cells.push(cell);
            cells.counts.push(n);
            cells.means.push(mean);
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

    /// The occupied cells of [`crate::grid::CellGrid`], ascending.
    pub(crate) fn occupied(&self) -> &[usize] {
        &self.cells
    }

    /// Threads a pass over this still's pixels may use.
    pub(crate) fn threads(&self) -> usize {
        let (width, height) = (self.still.width() as usize, self.still.height() as usize);
        self.threads.for_pixels(width * height)
    }

    /// Runs `tally` over pieces of the selected pixels, side by side on large stills; one
    /// result a piece. A piece holds at most [`COUNTS_PIXELS`], so that its counts fit 32 bits.
    pub(crate) fn each_piece<T: Send>(&self, tally: impl Fn(Selection<'_>) -> T + Sync) -> Vec<T> {
        let selection = self.still.selection(self.brightness);
        run_all(selection.pieces(self.threads(), COUNTS_PIXELS), tally)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::CellGrid;
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
            let base = CellGrid::base(cell);
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
        let mut counts = vec![0u64; CellGrid::CELLS];
        for &[r, g, b] in &pixels {
            counts[CellGrid::cell(r, g, b)] += 1;
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
