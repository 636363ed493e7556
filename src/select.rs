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
        let mean = (u16::from(r) + u16::from(g) + u16::from(b)) as f32 / 765.0;
        mean >= self.min && mean <= self.max
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
        let mut keys = Vec::with_capacity(still.width() as usize * still.height() as usize);
        let mut transparent = 0u64;
        for p in still.rgba().pixels() {
            let [r, g, b, a] = p.0;
            if a < OPAQUE_ALPHA {
                transparent += 1;
            } else if brightness.keeps([r, g, b]) {
                keys.push(u32::from_be_bytes([0, r, g, b]));
            }
        }
        let counts = count_keys(keys);
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

/// Counts 24-bit colour keys with a radix sort and one pass over the runs: linear in the
/// pixels, and unlike a 2^24 table it touches no more memory than the pixels themselves.
fn count_keys(mut keys: Vec<u32>) -> ColorCounts {
    radsort::sort(&mut keys);
    let mut out = ColorCounts::default();
    for run in keys.chunk_by(|a, b| a == b) {
        let [_, r, g, b] = run[0].to_be_bytes();
        out.colors.push([r, g, b]);
        out.counts.push(run.len() as u32);
        out.total += run.len() as u64;
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
    fn brightness_filter_uses_mean_of_channels() {
        let filter = Brightness { min: 0.2, max: 0.8 };
        assert!(!filter.keeps([10, 10, 10]));
        assert!(!filter.keeps([250, 250, 250]));
        assert!(filter.keeps([255, 0, 0])); // mean 1/3
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
