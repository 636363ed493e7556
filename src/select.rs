//! Which pixels take part, and how they are reduced before clustering.
//!
//! The palette pipeline pools the selected pixels into cells ([`crate::cells`]); this module
//! holds the brightness filter and the exact count of distinct colours ([`ColorCounts`]: a
//! colour seen 500 times weighs 500), which the pipeline uses for stills with very few
//! colours and the notebooks for their statistics.

use crate::error::{Error, Result};
use crate::load::{Still, OPAQUE_ALPHA};

/// The original notebook's brightness filter: keep pixels whose mean of R, G and B, as a
/// fraction of 1, lies in `[min, max]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Brightness {
    /// Darkest mean brightness kept, 0..=1.
    pub min: f32,
    /// Brightest mean brightness kept, 0..=1.
    pub max: f32,
}

impl Default for Brightness {
    /// Keeps every pixel.
    fn default() -> Self {
        Self { min: 0.0, max: 1.0 }
    }
}

impl Brightness {
    /// Checks that `0 <= min <= max <= 1`.
    pub fn validate(self) -> Result<Self> {
        let ok = |v: f32| (0.0..=1.0).contains(&v);
        if !ok(self.min) || !ok(self.max) {
            return Err(Error::InvalidOption(format!(
                "brightness bounds must lie between 0 and 1 (got {} and {})",
                self.min, self.max
            )));
        }
        if self.min > self.max {
            return Err(Error::InvalidOption(format!(
                "min brightness {} is above max brightness {}",
                self.min, self.max
            )));
        }
        Ok(self)
    }

    /// Whether the filter keeps everything.
    #[must_use]
    pub fn is_everything(self) -> bool {
        self.min <= 0.0 && self.max >= 1.0
    }

    /// Whether a pixel passes.
    #[must_use]
    pub fn keeps(self, [r, g, b]: [u8; 3]) -> bool {
        self.channel_sums()
            .contains(&(u16::from(r) + u16::from(g) + u16::from(b)))
    }

    /// The error for a still of which no pixel is left: all transparent, or all outside the
    /// brightness range.
    pub(crate) fn nothing_left(self, still: &Still) -> Error {
        Error::NoPixels(if still.opaque_pixels().next().is_none() {
            "every pixel is transparent".to_string()
        } else {
            format!(
                "no pixel has a mean brightness between {} and {}",
                self.min, self.max
            )
        })
    }

    /// The filter on integer channel sums: `min * 765 <= r + g + b <= max * 765`.
    pub(crate) fn channel_sums(self) -> std::ops::RangeInclusive<u16> {
        (self.min * 765.0).ceil() as u16..=(self.max * 765.0).floor() as u16
    }
}

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
    /// Counts the opaque pixels of `still` that pass `brightness`.
    ///
    /// Fails with [`Error::NoPixels`] when no pixel is left.
    pub fn from_still(still: &Still, brightness: Brightness) -> Result<Self> {
        let brightness = brightness.validate()?;
        let sums = brightness.channel_sums();
        let keep = |[r, g, b, a]: [u8; 4]| {
            a >= OPAQUE_ALPHA && sums.contains(&(u16::from(r) + u16::from(g) + u16::from(b)))
        };
        let (pixels, channels) = still.raw();
        let counts = if pixels.len() / channels >= DENSE_FROM_PIXELS {
            count_dense(pixels, channels, keep)
        } else {
            count_sorted(pixels, channels, keep)
        };
        if counts.total == 0 {
            return Err(brightness.nothing_left(still));
        }
        Ok(counts)
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
}

/// Pixels from which [`count_dense`] beats [`count_sorted`].
const DENSE_FROM_PIXELS: usize = 1 << 22;
/// Colours per block of the dense table; only touched blocks are scanned.
const BLOCK_BITS: u32 = 12;

/// A raw pixel of `channels` (3 or 4) bytes as RGBA; an RGB pixel is opaque.
fn rgba(p: &[u8]) -> [u8; 4] {
    [p[0], p[1], p[2], p.get(3).copied().unwrap_or(u8::MAX)]
}

fn key([r, g, b, _]: [u8; 4]) -> u32 {
    u32::from_be_bytes([0, r, g, b])
}

/// Small stills: collect the kept keys, radix-sort them, count the runs. Memory grows with
/// the pixels, not with the 2^24 possible colours.
fn count_sorted(pixels: &[u8], channels: usize, keep: impl Fn([u8; 4]) -> bool) -> ColorCounts {
    let mut keys: Vec<u32> = pixels
        .chunks_exact(channels)
        .map(rgba)
        .filter(|&p| keep(p))
        .map(key)
        .collect();
    radsort::sort(&mut keys);
    let mut out = ColorCounts::default();
    for run in keys.chunk_by(|a, b| a == b) {
        out.push(run[0], run.len() as u32);
    }
    out
}

/// Large stills: a count per possible colour (64 MiB, zeroed lazily by the system), where a
/// sort of tens of millions of keys would cost more. Two threads each own half of the table
/// (red below or from 128), so neither waits for the other; only touched blocks are scanned.
fn count_dense(
    pixels: &[u8],
    channels: usize,
    keep: impl Fn([u8; 4]) -> bool + Sync,
) -> ColorCounts {
    let mut table = vec![0u32; 1 << 24];
    let (low, high) = table.split_at_mut(1 << 23);
    let count_half = |half: &mut [u32], upper: bool| {
        let mut touched = vec![false; half.len() >> BLOCK_BITS];
        for p in pixels.chunks_exact(channels).map(rgba) {
            if (p[0] >= 128) == upper && keep(p) {
                let k = (key(p) & 0x7F_FFFF) as usize;
                half[k] += 1;
                touched[k >> BLOCK_BITS] = true;
            }
        }
        touched
    };
    let (touched_low, touched_high) = std::thread::scope(|scope| {
        let upper = scope.spawn(|| count_half(high, true));
        let lower = count_half(low, false);
        (
            lower,
            upper
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e)),
        )
    });
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
    fn counts_distinct_colours() {
        let counts = ColorCounts::from_still(
            &still(&[[1, 2, 3], [9, 9, 9], [1, 2, 3]]),
            Brightness::default(),
        )
        .unwrap();
        assert_eq!(counts.colors, vec![[1, 2, 3], [9, 9, 9]]);
        assert_eq!(counts.counts, vec![2, 1]);
        assert_eq!(counts.total, 3);
    }

    #[test]
    fn sorted_and_dense_counts_agree() {
        let keys = [
            5u32, 0xFF_FFFF, 5, 0, 77, 5, 4096, 4095, 0x80_0000, 0x7F_FFFF,
        ];
        let pixels: Vec<u8> = keys
            .iter()
            .flat_map(|k| {
                let [_, r, g, b] = k.to_be_bytes();
                [r, g, b, 255]
            })
            .collect();
        let everything = |_: [u8; 4]| true;
        let (a, b) = (
            count_sorted(&pixels, 4, everything),
            count_dense(&pixels, 4, everything),
        );
        assert_eq!(a, b);
        assert_eq!(a.counts, vec![1, 3, 1, 1, 1, 1, 1, 1]);
        // RGB pixels (3 bytes, no alpha) count the same, as opaque.
        let rgb: Vec<u8> = pixels
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        assert_eq!(count_sorted(&rgb, 3, everything), a);
        assert_eq!(count_dense(&rgb, 3, everything), a);
        assert_eq!(a.total, 10);
    }

    #[test]
    fn brightness_filter_uses_mean_of_channels() {
        let filter = Brightness { min: 0.2, max: 0.8 };
        assert!(!filter.keeps([10, 10, 10]));
        assert!(!filter.keeps([250, 250, 250]));
        assert!(filter.keeps([255, 0, 0])); // mean 1/3
                                            // Bounds are inclusive, exactly: 0.2 * 765 = 153.
        assert!(filter.keeps([51, 51, 51]) && !filter.keeps([51, 51, 50]));
        let counts = ColorCounts::from_still(
            &still(&[[0, 0, 0], [128, 128, 128], [255, 255, 255]]),
            filter,
        )
        .unwrap();
        assert_eq!(counts.colors, vec![[128, 128, 128]]);
    }

    #[test]
    fn nothing_left_is_a_clear_error() {
        let err = ColorCounts::from_still(&still(&[[0, 0, 0]]), Brightness { min: 0.5, max: 1.0 })
            .unwrap_err();
        assert!(matches!(err, Error::NoPixels(_)));
        assert!(err.to_string().contains("brightness"), "{err}");
    }

    #[test]
    fn invalid_bounds_are_refused() {
        for (min, max) in [(0.6, 0.4), (-0.1, 1.0), (0.0, 1.5), (f32::NAN, 1.0)] {
            assert!(Brightness { min, max }.validate().is_err(), "{min} {max}");
        }
    }
}
