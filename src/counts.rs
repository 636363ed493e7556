//! Exact counts of distinct colours: a colour seen 500 times weighs 500.
//!
//! The pipeline uses them for stills with very few colours (where pooling into cells would
//! merge colours that should stay apart), the quality scores for every still, and the
//! notebooks for their statistics. Small inputs are radix-sorted; from [`DENSE_FROM_PIXELS`]
//! on, a table of every possible colour is cheaper than sorting.

use crate::error::Result;
use crate::load::Still;
use crate::parallel::Threads;
use crate::select::{Brightness, Selection};

/// The distinct colours of the selected pixels, each with how many pixels have it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ColorCounts {
    /// Distinct colours, in ascending 0xRRGGBB order.
    pub colors: Vec<[u8; 3]>,
    /// `counts[i]` pixels have `colors[i]`.
    pub counts: Vec<u32>,
    /// Total number of selected pixels.
    pub total: u64,
}

impl ColorCounts {
    /// Counts the opaque pixels of `still` that pass `brightness`, on every core for large
    /// stills.
    ///
    /// Fails with [`crate::Error::NoPixels`] when no pixel is left.
    pub fn from_still(still: &Still, brightness: Brightness) -> Result<Self> {
        Self::count(still, brightness.validate()?, Threads::new(0))
    }

    /// [`ColorCounts::from_still`] with a validated filter and a thread allowance.
    pub(crate) fn count(still: &Still, brightness: Brightness, threads: Threads) -> Result<Self> {
        let counts = count_selection(&still.selection(brightness), threads);
        if counts.total == 0 {
            return Err(still.selection(brightness).nothing_left());
        }
        Ok(counts)
    }

    /// Counts a list of pixels (every one of them counts).
    #[must_use]
    pub fn from_pixels(pixels: &[[u8; 3]]) -> Self {
        count_selection(&Selection::of_pixels(pixels), Threads::new(0))
    }

    fn push(&mut self, key: u32, count: u32) {
        let [_, r, g, b] = key.to_be_bytes();
        self.colors.push([r, g, b]);
        self.counts.push(count);
        self.total += u64::from(count);
    }

    /// Number of distinct colours.
    #[must_use]
    pub fn len(&self) -> usize {
        self.colors.len()
    }

    /// Whether there is no colour at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.colors.is_empty()
    }

    /// Each distinct colour with its count.
    pub fn iter(&self) -> impl Iterator<Item = ([u8; 3], u32)> + '_ {
        self.colors.iter().copied().zip(self.counts.iter().copied())
    }
}

/// Pixels from which [`count_dense`] beats [`count_sorted`].
const DENSE_FROM_PIXELS: usize = 1 << 22;
/// Colours per block of the dense table; only touched blocks are scanned.
const BLOCK_BITS: u32 = 12;

fn key(r: u8, g: u8, b: u8) -> u32 {
    u32::from_be_bytes([0, r, g, b])
}

fn count_selection(selection: &Selection<'_>, threads: Threads) -> ColorCounts {
    if selection.pixels() >= DENSE_FROM_PIXELS {
        count_dense(selection, threads.for_pixels(selection.pixels()))
    } else {
        count_sorted(selection)
    }
}

/// Small inputs: collect the kept keys, radix-sort them, count the runs. Memory grows with
/// the pixels, not with the 2^24 possible colours.
fn count_sorted(selection: &Selection<'_>) -> ColorCounts {
    let mut keys: Vec<u32> = Vec::with_capacity(selection.pixels());
    selection.for_each(|r, g, b| keys.push(key(r, g, b)));
    radsort::sort(&mut keys);
    let mut out = ColorCounts::default();
    for run in keys.chunk_by(|a, b| a == b) {
        out.push(run[0], run.len() as u32);
    }
    out
}

/// Large inputs: a count per possible colour (64 MiB, zeroed lazily by the system), where a
/// sort of tens of millions of keys would cost more. With two threads, each owns half of
/// the table (red below or from 128), so neither waits for the other; only touched blocks
/// are scanned.
fn count_dense(selection: &Selection<'_>, threads: usize) -> ColorCounts {
    let mut table = vec![0u32; 1 << 24];
    let (low, high) = table.split_at_mut(1 << 23);
    let count_half = |half: &mut [u32], upper: bool| {
        let mut touched = vec![false; half.len() >> BLOCK_BITS];
        selection.for_each(|r, g, b| {
            if (r >= 128) == upper {
                let k = (key(r, g, b) & 0x7F_FFFF) as usize;
                half[k] += 1;
                touched[k >> BLOCK_BITS] = true;
            }
        });
        touched
    };
    let (touched_low, touched_high) = if threads > 1 {
        std::thread::scope(|scope| {
            let upper = scope.spawn(|| count_half(high, true));
            let lower = count_half(low, false);
            (
                lower,
                upper
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e)),
            )
        })
    } else {
        (count_half(low, false), count_half(high, true))
    };
    let mut out = ColorCounts::default();
    let block = 1usize << BLOCK_BITS;
    let touched = touched_low.into_iter().chain(touched_high);
    for start in touched
        .enumerate()
        .filter(|(_, t)| *t)
        .map(|(b, _)| b * block)
    {
        for (offset, &count) in table[start..start + block].iter().enumerate() {
            if count > 0 {
                out.push((start + offset) as u32, count);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn still(pixels: &[[u8; 3]]) -> Still {
        Still::from_rgb(pixels.len() as u32, 1, pixels).unwrap()
    }

    #[test]
    fn counts_distinct_colors() {
        let counts = ColorCounts::from_still(
            &still(&[[1, 2, 3], [9, 9, 9], [1, 2, 3]]),
            Brightness::default(),
        )
        .unwrap();
        assert_eq!(counts.colors, vec![[1, 2, 3], [9, 9, 9]]);
        assert_eq!(counts.counts, vec![2, 1]);
        assert_eq!(counts.total, 3);
        assert_eq!(
            ColorCounts::from_pixels(&[[1, 2, 3], [9, 9, 9], [1, 2, 3]]),
            counts
        );
    }

    #[test]
    fn sorted_and_dense_counts_agree_on_one_and_two_threads() {
        let keys = [
            5u32, 0xFF_FFFF, 5, 0, 77, 5, 4096, 4095, 0x80_0000, 0x7F_FFFF,
        ];
        let rgba: Vec<u8> = keys
            .iter()
            .flat_map(|k| {
                let [_, r, g, b] = k.to_be_bytes();
                [r, g, b, 255]
            })
            .collect();
        let image = image::RgbaImage::from_raw(keys.len() as u32, 1, rgba).unwrap();
        let rgba = Still::from_dynamic(image::DynamicImage::ImageRgba8(image));
        let selection = rgba.selection(Brightness::default());
        let sorted = count_sorted(&selection);
        assert_eq!(count_dense(&selection, 1), sorted);
        assert_eq!(count_dense(&selection, 2), sorted);
        assert_eq!(sorted.counts, vec![1, 3, 1, 1, 1, 1, 1, 1]);
        assert_eq!(sorted.total, 10);
        // RGB pixels (3 bytes, no alpha) count the same, as opaque.
        let rgb: Vec<[u8; 3]> = rgba.rgb().pixels().map(|p| p.0).collect();
        assert_eq!(count_sorted(&Selection::of_pixels(&rgb)), sorted);
        assert_eq!(count_dense(&Selection::of_pixels(&rgb), 2), sorted);
    }

    #[test]
    fn brightness_filter_applies() {
        let counts = ColorCounts::from_still(
            &still(&[[0, 0, 0], [128, 128, 128], [255, 255, 255]]),
            Brightness { min: 0.2, max: 0.8 },
        )
        .unwrap();
        assert_eq!(counts.colors, vec![[128, 128, 128]]);
        let err = ColorCounts::from_still(&still(&[[0, 0, 0]]), Brightness { min: 0.5, max: 1.0 })
            .unwrap_err();
        assert!(err.to_string().contains("brightness"), "{err}");
    }
}
