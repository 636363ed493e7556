//! Which pixels take part, and how they are reduced before clustering.
//!
//! A film still has about a million pixels but far fewer distinct colours. Counting each
//! distinct colour once ([`ColorCounts`]) makes every later step cost O(distinct colours)
//! while staying exact: a colour seen 500 times weighs 500.

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
        let sum = u16::from(r) + u16::from(g) + u16::from(b);
        (self.min * 765.0).ceil() as u16 <= sum && sum <= (self.max * 765.0).floor() as u16
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
        let mut table = CountTable::new(still.width() as usize * still.height() as usize);
        let mut transparent = 0u64;
        // The filter on integer channel sums: min * 765 <= r + g + b <= max * 765.
        let lowest = (brightness.min * 765.0).ceil() as u16;
        let highest = (brightness.max * 765.0).floor() as u16;
        for p in still.rgba().pixels() {
            let [r, g, b, a] = p.0;
            let sum = u16::from(r) + u16::from(g) + u16::from(b);
            if a < OPAQUE_ALPHA {
                transparent += 1;
            } else if (lowest..=highest).contains(&sum) {
                table.add(u32::from_be_bytes([0, r, g, b]));
            }
        }
        let counts = table.finish();
        if counts.total == 0 {
            let why = if transparent == u64::from(still.width()) * u64::from(still.height()) {
                "every pixel is transparent".to_string()
            } else {
                format!(
                    "no pixel has a mean brightness between {} and {}",
                    brightness.min, brightness.max
                )
            };
            return Err(Error::NoPixels(why));
        }
        Ok(counts)
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

/// Counts 24-bit colours. Small stills: collect the keys, radix-sort them, count the runs
/// (memory in proportion to the pixels). Large stills: a count per possible colour, 64 MiB,
/// scanning only the blocks that were touched; a sort of tens of millions of keys would cost
/// more than the table's page faults.
enum CountTable {
    Sorted(Vec<u32>),
    Dense { counts: Vec<u32>, touched: Vec<bool> },
}

/// Pixels from which the dense table wins.
const DENSE_FROM_PIXELS: usize = 1 << 22;
/// Colours per block of the dense table.
const BLOCK_BITS: u32 = 12;

impl CountTable {
    fn new(pixels: usize) -> Self {
        if pixels >= DENSE_FROM_PIXELS {
            // Zeroed allocation: pages no colour falls in are never touched.
            CountTable::Dense {
                counts: vec![0; 1 << 24],
                touched: vec![false; 1 << (24 - BLOCK_BITS)],
            }
        } else {
            CountTable::Sorted(Vec::with_capacity(pixels))
        }
    }

    #[inline]
    fn add(&mut self, key: u32) {
        match self {
            CountTable::Sorted(keys) => keys.push(key),
            CountTable::Dense { counts, touched } => {
                counts[key as usize] += 1;
                touched[(key >> BLOCK_BITS) as usize] = true;
            }
        }
    }

    fn finish(self) -> ColorCounts {
        let mut out = ColorCounts::default();
        let mut push = |key: u32, count: u32| {
            let [_, r, g, b] = key.to_be_bytes();
            out.colors.push([r, g, b]);
            out.counts.push(count);
            out.total += u64::from(count);
        };
        match self {
            CountTable::Sorted(mut keys) => {
                radsort::sort(&mut keys);
                for run in keys.chunk_by(|a, b| a == b) {
                    push(run[0], run.len() as u32);
                }
            }
            CountTable::Dense { counts, touched } => {
                let block = 1usize << BLOCK_BITS;
                for start in (0..touched.len()).filter(|&b| touched[b]).map(|b| b * block) {
                    for (offset, &count) in counts[start..start + block].iter().enumerate() {
                        if count > 0 {
                            push((start + offset) as u32, count);
                        }
                    }
                }
            }
        }
        out
    }
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
    fn sorted_and_dense_tables_agree() {
        let mut sorted = CountTable::new(10);
        let mut dense = CountTable::new(DENSE_FROM_PIXELS);
        for key in [5u32, 0xFF_FFFF, 5, 0, 77, 5, 4096, 4095] {
            sorted.add(key);
            dense.add(key);
        }
        let (a, b) = (sorted.finish(), dense.finish());
        assert_eq!(a, b);
        assert_eq!(a.counts, vec![1, 3, 1, 1, 1, 1]);
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
