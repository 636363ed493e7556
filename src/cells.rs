//! The selected pixels pooled into small cells of sRGB, and the exact assignment back.
//!
//! Counting every distinct colour of a million-pixel still takes a sort, and a bicubic
//! upscale has hundreds of thousands of them. Pooling the pixels into 64 x 64 x 64 cells,
//! 4 levels a side, takes one pass and leaves tens of thousands of weighted mean colours:
//! plenty for clustering, since no palette colour is narrower than a cell.
//!
//! The final assignment is still per pixel. A cell whose eight corners have the same nearest
//! centre lies wholly in that centre's region (exactly so in RGB, where regions are convex;
//! in HSV and CIELAB up to the bend of a region's edge across a single cell), so its pixels
//! join that centre together. Only the cells a boundary runs through are opened: their
//! pixels are counted colour by colour, and each colour goes to its own nearest centre.
//!
//! A centre's mean adds each whole cell at its mean colour: exact in RGB, and in HSV and
//! CIELAB off by the curvature of the space across 4 levels, far under one 8-bit step.

use std::ops::RangeInclusive;

use crate::cluster::{Assignment, CentreIndex, Point, Points};
use crate::error::Result;
use crate::load::{Still, OPAQUE_ALPHA};
use crate::parallel::{run_all, split};
use crate::select::{Brightness, ColorCounts};
use crate::space::ColorSpace;

/// Cells per axis, and sRGB levels per cell side.
const SIDE: usize = 64;
const LEVELS: u8 = 4;
const CELLS: usize = SIDE * SIDE * SIDE;
/// Pixels tallied per table at most, so that no 32-bit sum can overflow (3 x 2^28 < 2^32).
const PIECE_PIXELS: usize = 1 << 28;
/// Pixels from which a second thread pays for itself.
const PARALLEL_FROM_PIXELS: usize = 1 << 18;

/// The cell of a colour.
fn cell_of(r: u8, g: u8, b: u8) -> usize {
    (usize::from(r / LEVELS) << 12) | (usize::from(g / LEVELS) << 6) | usize::from(b / LEVELS)
}

/// A colour's place inside its cell, 0..64.
fn within_cell(r: u8, g: u8, b: u8) -> usize {
    (usize::from(r % LEVELS) << 4) | (usize::from(g % LEVELS) << 2) | usize::from(b % LEVELS)
}

/// The lowest colour of a cell.
fn cell_base(cell: usize) -> [u8; 3] {
    [cell >> 12, (cell >> 6) % SIDE, cell % SIDE].map(|i| (i * usize::from(LEVELS)) as u8)
}

/// The opaque pixels of a still that pass a brightness filter, pooled by cell.
#[derive(Debug, Clone)]
pub struct Cells<'a> {
    still: &'a Still,
    /// Validated.
    brightness: Brightness,
    /// Threads for a large still.
    max_threads: usize,
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
    /// Fails with [`Error::NoPixels`] when no pixel is left.
    pub fn from_still(still: &'a Still, brightness: Brightness) -> Result<Self> {
        Self::pool(still, brightness, 0)
    }

    /// [`Cells::from_still`] with at most `threads` threads (0: every core), here and in
    /// [`Cells::assign`].
    pub fn pool(still: &'a Still, brightness: Brightness, threads: usize) -> Result<Self> {
        let brightness = brightness.validate()?;
        let mut cells = Cells {
            still,
            brightness,
            max_threads: match threads {
                0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
                n => n,
            },
            cells: Vec::new(),
            counts: Vec::new(),
            means: Vec::new(),
            total: 0,
        };
        // Per cell: pixels, and the sums of their offsets from the cell's base (0..=3 each).
        let tables = cells.each_piece(|piece| {
            let mut table = vec![[0u32; 4]; CELLS];
            piece.for_each_kept(|r, g, b| {
                let entry = &mut table[cell_of(r, g, b)];
                entry[0] += 1;
                entry[1] += u32::from(r % LEVELS);
                entry[2] += u32::from(g % LEVELS);
                entry[3] += u32::from(b % LEVELS);
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
            return Err(brightness.nothing_left(still));
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
        ColorCounts::from_still(self.still, self.brightness)
    }

    /// The occupied cells as weighted points of `space`, at their mean colours.
    #[must_use]
    pub fn points(&self, space: ColorSpace) -> Points {
        Points {
            coords: self.means.iter().map(|&m| space.embed_mean(m)).collect(),
            weights: self.counts.iter().map(|&n| n as f64).collect(),
            colors: self
                .means
                .iter()
                .map(|m| m.map(|c| c.round() as u8))
                .collect(),
            space,
        }
    }

    /// Every pooled pixel assigned to its nearest centre (`points` from [`Cells::points`]).
    #[must_use]
    pub fn assign(&self, points: &Points, centres: &[Point]) -> Assignment {
        debug_assert!(
            centres.len() < usize::from(UNKNOWN),
            "a corner's centre fits a byte"
        );
        let index = CentreIndex::new(centres);
        let space = points.space;
        let threads = self.threads();
        // Whole cells whose corners agree; the others are opened below. Each thread takes a
        // run of cells (a slab of reds), so they share few corners.
        let mut out = Assignment::empty(centres.len());
        let mut open_cells = Vec::new();
        for (part, open) in run_all(split(self.cells.len(), threads), |range| {
            let mut corners = Corners::new(&index, space);
            let mut out = Assignment::empty(centres.len());
            let mut open = Vec::new();
            for i in range {
                match corners.region(self.cells[i]) {
                    Some(centre) => {
                        let p = points.coords[i];
                        out.add(centre, p, points.weights[i], index.distance2(centre, p));
                    }
                    None => open.push(self.cells[i]),
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
        let mut slot_of_cell = vec![0u32; CELLS];
        for (slot, &cell) in (1..).zip(&open_cells) {
            slot_of_cell[cell] = slot;
        }
        let tallies = self.each_piece(|piece| {
            let mut counts = vec![0u32; (open_cells.len() + 1) * 64];
            piece.for_each_kept(|r, g, b| {
                let slot = slot_of_cell[cell_of(r, g, b)] as usize;
                counts[slot * 64 + within_cell(r, g, b)] += 1;
            });
            counts
        });
        // Each colour found in an open cell goes to its own nearest centre.
        for part in run_all(split(open_cells.len(), threads), |range| {
            let mut out = Assignment::empty(centres.len());
            for i in range {
                let (slot, base) = (i + 1, cell_base(open_cells[i]));
                for offset in 0..64 {
                    let n: u64 = tallies
                        .iter()
                        .map(|t| u64::from(t[slot * 64 + offset]))
                        .sum();
                    if n == 0 {
                        continue;
                    }
                    let within = [offset >> 4, (offset >> 2) % 4, offset % 4];
                    let p = space.embed(std::array::from_fn(|c| base[c] + within[c] as u8));
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

    /// Threads worth using: one, or all allowed for stills from [`PARALLEL_FROM_PIXELS`].
    fn threads(&self) -> usize {
        if u64::from(self.still.width()) * u64::from(self.still.height())
            >= PARALLEL_FROM_PIXELS as u64
        {
            self.max_threads
        } else {
            1
        }
    }

    /// Runs `tally` over pieces of the pixels, side by side on large stills; one result a piece.
    fn each_piece<T: Send>(&self, tally: impl Fn(Piece<'_>) -> T + Sync) -> Vec<T> {
        let (raw, channels) = self.still.raw();
        let pixels = raw.len() / channels;
        let piece_pixels = pixels.div_ceil(self.threads()).clamp(1, PIECE_PIXELS);
        let pieces: Vec<Piece<'_>> = raw
            .chunks(piece_pixels * channels)
            .map(|pixels| Piece {
                pixels,
                channels,
                channel_sums: self.brightness.channel_sums(),
            })
            .collect();
        run_all(pieces, tally)
    }
}

/// A run of RGB or RGBA pixels and the brightness filter, in channel sums.
struct Piece<'a> {
    pixels: &'a [u8],
    channels: usize,
    channel_sums: RangeInclusive<u16>,
}

impl Piece<'_> {
    /// Calls `f` with each opaque pixel that passes the brightness filter.
    fn for_each_kept(&self, f: impl FnMut(u8, u8, u8)) {
        if self.channels == 4 {
            self.kept::<4>(f);
        } else {
            self.kept::<3>(f);
        }
    }

    #[inline(always)]
    fn kept<const CHANNELS: usize>(&self, mut f: impl FnMut(u8, u8, u8)) {
        let (low, high) = (*self.channel_sums.start(), *self.channel_sums.end());
        let every_brightness = low == 0 && high >= 765;
        for p in self.pixels.chunks_exact(CHANNELS) {
            let (r, g, b) = (p[0], p[1], p[2]);
            if CHANNELS == 4 && p[CHANNELS - 1] < OPAQUE_ALPHA {
                continue;
            }
            let sum = u16::from(r) + u16::from(g) + u16::from(b);
            if every_brightness || (low..=high).contains(&sum) {
                f(r, g, b);
            }
        }
    }
}

/// The nearest centre of each corner of the cells, computed once per corner. Corners sit on
/// the levels 0, 4, ..., 252 and 255, so every cell's colours lie inside its corners' box.
struct Corners<'a> {
    index: &'a CentreIndex,
    space: ColorSpace,
    nearest: Vec<u8>,
}

const CORNER_SIDE: usize = SIDE + 1;
const UNKNOWN: u8 = u8::MAX;

impl<'a> Corners<'a> {
    fn new(index: &'a CentreIndex, space: ColorSpace) -> Self {
        Self {
            index,
            space,
            nearest: vec![UNKNOWN; CORNER_SIDE * CORNER_SIDE * CORNER_SIDE],
        }
    }

    fn level(i: usize) -> u8 {
        (i * usize::from(LEVELS)).min(255) as u8
    }

    fn nearest(&mut self, [r, g, b]: [usize; 3]) -> u8 {
        let at = (r * CORNER_SIDE + g) * CORNER_SIDE + b;
        if self.nearest[at] == UNKNOWN {
            let p = self
                .space
                .embed([Self::level(r), Self::level(g), Self::level(b)]);
            self.nearest[at] = self.index.nearest(p).0 as u8;
        }
        self.nearest[at]
    }

    /// The centre whose region holds the whole cell, if its eight corners agree.
    fn region(&mut self, cell: usize) -> Option<usize> {
        let [r, g, b] = [cell >> 12, (cell >> 6) % SIDE, cell % SIDE];
        let first = self.nearest([r, g, b]);
        for corner in 1..8 {
            let at = [r + (corner >> 2), g + ((corner >> 1) & 1), b + (corner & 1)];
            if self.nearest(at) != first {
                return None;
            }
        }
        Some(usize::from(first))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::assign;
    use rand::{Rng, SeedableRng};

    fn still(pixels: &[[u8; 3]]) -> Still {
        Still::from_rgb(pixels.len() as u32, 1, pixels).unwrap()
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
        still(&pixels)
    }

    #[test]
    fn pooling_keeps_every_pixel_and_the_mean() {
        let s = gradient(20_000, 1);
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
            let direct: f64 = s.opaque_pixels().map(|p| f64::from(p[i])).sum();
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

    /// The assignment through cells against assigning every distinct colour on its own.
    fn compare(space: ColorSpace, centres_rgb: &[[u8; 3]]) -> (f64, f32) {
        let s = gradient(60_000, 2);
        let cells = Cells::from_still(&s, Brightness::default()).unwrap();
        let exact_points = Points::embed(&cells.distinct_colors().unwrap(), space);
        let centres: Vec<Point> = centres_rgb.iter().map(|&c| space.embed(c)).collect();
        let pooled = cells.assign(&cells.points(space), &centres);
        let exact = assign(&exact_points, &centres);
        let weights = pooled
            .weights
            .iter()
            .zip(&exact.weights)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
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
        (weights, means)
    }

    const CENTRES: [[u8; 3]; 5] = [
        [20, 130, 230],
        [90, 220, 170],
        [128, 128, 128],
        [200, 60, 60],
        [240, 200, 20],
    ];

    #[test]
    fn assignment_through_cells_is_exact_in_rgb() {
        let (weights, means) = compare(ColorSpace::Rgb, &CENTRES);
        assert_eq!(weights, 0.0, "every pixel counted for the same centre");
        assert!(means <= 1.0, "{means}");
    }

    #[test]
    fn assignment_through_cells_matches_in_hsv_and_lab() {
        for space in [ColorSpace::Hsv, ColorSpace::Lab] {
            let (weights, means) = compare(space, &CENTRES);
            // At most a handful of 60 000 pixels sit across a bent boundary.
            assert!(weights <= 6.0, "{space}: {weights} pixels moved");
            assert!(means <= 1.0, "{space}: swatches {means} levels apart");
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
        let s = Still::from_rgb(pixels.len() as u32, 1, &pixels).unwrap();
        let cells = Cells::from_still(&s, Brightness::default()).unwrap();
        assert_eq!(cells.total(), pixels.len() as u64);
        let mut counts = vec![0u64; CELLS];
        for &[r, g, b] in &pixels {
            counts[cell_of(r, g, b)] += 1;
        }
        let expected: Vec<u64> = counts.into_iter().filter(|&n| n > 0).collect();
        assert_eq!(cells.counts, expected);
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
