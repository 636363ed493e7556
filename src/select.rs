//! Which pixels take part: the one definition of a kept pixel.
//!
//! A pixel is kept when it is opaque (alpha at least [`OPAQUE_ALPHA`]) and its brightness,
//! the mean of R, G and B, lies in the original notebook's range ([`Brightness`]).
//! [`Selection`] applies that test to a still's raw pixels ([`crate::Still::selection`]);
//! pooling ([`crate::cells`]), exact counting ([`crate::counts`]), the exact assignment
//! ([`crate::assign`]) and [`crate::Still::opaque_pixels`] all go through it.

use std::ops::RangeInclusive;

use crate::error::{Error, Result};

/// Alpha below this is "transparent": such pixels take no part in a palette.
pub const OPAQUE_ALPHA: u8 = 128;

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
        Self::EVERYTHING
    }
}

impl Brightness {
    /// The filter that keeps every pixel.
    pub const EVERYTHING: Brightness = Brightness { min: 0.0, max: 1.0 };

    /// Checks that `0 <= min <= max <= 1`.
    pub fn validate(self) -> Result<Self> {
        let ok = |v: f32| (0.0..=1.0).contains(&v);
        for (name, value) in [("min_brightness", self.min), ("max_brightness", self.max)] {
            if !ok(value) {
                return Err(Error::option(
                    name,
                    format!("must lie between 0 and 1 (got {value})"),
                ));
            }
        }
        if self.min > self.max {
            return Err(Error::option(
                "min_brightness",
                format!("{} is above max_brightness {}", self.min, self.max),
            ));
        }
        Ok(self)
    }

    /// Whether the filter keeps everything.
    #[must_use]
    pub fn is_everything(self) -> bool {
        self.min <= 0.0 && self.max >= 1.0
    }

    /// Whether an opaque pixel passes.
    #[must_use]
    pub fn keeps(self, [r, g, b]: [u8; 3]) -> bool {
        self.channel_sums().contains(&channel_sum(r, g, b))
    }

    /// Whether a still's pixel (RGB, or RGBA with its alpha) takes part: the test a
    /// [`Selection`] applies, for code that must also see the pixels it drops.
    #[must_use]
    pub(crate) fn keeps_pixel(self, pixel: &[u8]) -> bool {
        kept(pixel, &self.channel_sums()).is_some()
    }

    /// The filter on integer channel sums: `min * 765 <= r + g + b <= max * 765`.
    fn channel_sums(self) -> RangeInclusive<u16> {
        (self.min * 765.0).ceil() as u16..=(self.max * 765.0).floor() as u16
    }
}

fn channel_sum(r: u8, g: u8, b: u8) -> u16 {
    u16::from(r) + u16::from(g) + u16::from(b)
}

/// The kept pixels of a still (or of a run of its rows): its raw RGB or RGBA bytes and the
/// test every pixel must pass.
#[derive(Debug, Clone)]
pub(crate) struct Selection<'a> {
    pixels: &'a [u8],
    channels: usize,
    brightness: Brightness,
    sums: RangeInclusive<u16>,
}

impl<'a> Selection<'a> {
    /// The pixels among `pixels` (raw RGB or RGBA bytes, `channels` 3 or 4 a pixel) that
    /// `brightness` (already validated) keeps.
    pub(crate) fn new(pixels: &'a [u8], channels: usize, brightness: Brightness) -> Self {
        debug_assert!(channels == 3 || channels == 4);
        Self {
            pixels,
            channels,
            brightness,
            sums: brightness.channel_sums(),
        }
    }

    /// Every one of `pixels` (RGB, so opaque), whatever its brightness.
    pub(crate) fn of_pixels(pixels: &'a [[u8; 3]]) -> Self {
        Self::new(pixels.as_flattened(), 3, Brightness::default())
    }

    /// The error for a selection of which no pixel is left: every pixel transparent, or
    /// every opaque one outside the brightness range.
    pub(crate) fn nothing_left(&self) -> Error {
        let opaque = Self::new(self.pixels, self.channels, Brightness::default());
        Error::NoPixels(if opaque.iter().next().is_none() {
            "every pixel is transparent".to_string()
        } else {
            format!(
                "no pixel has a mean brightness between {} and {}",
                self.brightness.min, self.brightness.max
            )
        })
    }

    /// Pixels looked at (kept or not).
    pub(crate) fn pixels(&self) -> usize {
        self.pixels.len() / self.channels
    }

    /// The selection cut into `parts` runs of nearly equal length, each at most `max_pixels`.
    pub(crate) fn pieces(&self, parts: usize, max_pixels: usize) -> Vec<Selection<'a>> {
        let per_piece = self.pixels().div_ceil(parts.max(1)).clamp(1, max_pixels);
        self.pixels
            .chunks(per_piece * self.channels)
            .map(|pixels| Selection::new(pixels, self.channels, self.brightness))
            .collect()
    }

    /// Calls `f` with each kept pixel, in order.
    pub(crate) fn for_each(&self, f: impl FnMut(u8, u8, u8)) {
        if self.channels == 4 {
            self.for_each_in::<4>(f);
        } else {
            self.for_each_in::<3>(f);
        }
    }

    /// The kept pixels, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = [u8; 3]> + 'a {
        let sums = self.sums.clone();
        self.pixels
            .chunks_exact(self.channels)
            .filter_map(move |p| kept(p, &sums))
    }

    #[inline(always)]
    fn for_each_in<const CHANNELS: usize>(&self, mut f: impl FnMut(u8, u8, u8)) {
        // Fixed-size chunks: the compiler sees each pixel's length, so the loop has no
        // bounds checks (this loop runs over every pixel, twice a palette).
        let (pixels, _) = self.pixels.as_chunks::<CHANNELS>();
        let opaque = |p: &[u8; CHANNELS]| CHANNELS == 3 || p[CHANNELS - 1] >= OPAQUE_ALPHA;
        if *self.sums.start() == 0 && *self.sums.end() >= 765 {
            // Every brightness: only alpha decides (the common case, kept branch-light).
            for p in pixels {
                if opaque(p) {
                    f(p[0], p[1], p[2]);
                }
            }
        } else {
            let (low, high) = (*self.sums.start(), *self.sums.end());
            for p in pixels {
                let sum = channel_sum(p[0], p[1], p[2]);
                if opaque(p) && low <= sum && sum <= high {
                    f(p[0], p[1], p[2]);
                }
            }
        }
    }
}

/// The test: an RGB pixel, or an RGBA pixel at least [`OPAQUE_ALPHA`], whose channel sum
/// lies in `sums`.
#[inline(always)]
fn kept(p: &[u8], sums: &RangeInclusive<u16>) -> Option<[u8; 3]> {
    let (r, g, b) = (p[0], p[1], p[2]);
    let opaque = p.len() == 3 || p[3] >= OPAQUE_ALPHA;
    (opaque && sums.contains(&channel_sum(r, g, b))).then_some([r, g, b])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brightness_filter_uses_mean_of_channels() {
        let filter = Brightness { min: 0.2, max: 0.8 };
        assert!(!filter.keeps([10, 10, 10]));
        assert!(!filter.keeps([250, 250, 250]));
        assert!(filter.keeps([255, 0, 0])); // mean 1/3
                                            // Bounds are inclusive, exactly: 0.2 * 765 = 153.
        assert!(filter.keeps([51, 51, 51]) && !filter.keeps([51, 51, 50]));
    }

    #[test]
    fn selection_drops_transparent_and_filtered_pixels() {
        let rgba = [
            200, 10, 10, 255, // kept
            10, 200, 10, 127, // transparent
            0, 0, 0, 255, // too dark
            120, 60, 200, 128, // kept: alpha at the threshold
        ];
        let selection = Selection::new(&rgba, 4, Brightness { min: 0.1, max: 1.0 });
        let mut pushed = Vec::new();
        selection.for_each(|r, g, b| pushed.push([r, g, b]));
        assert_eq!(pushed, vec![[200, 10, 10], [120, 60, 200]]);
        assert_eq!(selection.iter().collect::<Vec<_>>(), pushed);
        let pieces = selection.pieces(3, usize::MAX);
        let joined: Vec<[u8; 3]> = pieces.iter().flat_map(Selection::iter).collect();
        assert_eq!(joined, pushed);
        assert_eq!(pieces.iter().map(Selection::pixels).sum::<usize>(), 4);
    }

    #[test]
    fn nothing_left_says_why() {
        let err = Selection::new(&[0, 0, 0], 3, Brightness { min: 0.5, max: 1.0 }).nothing_left();
        assert!(matches!(err, Error::NoPixels(_)));
        assert!(err.to_string().contains("brightness"), "{err}");
        let err = Selection::new(&[9, 9, 9, 0], 4, Brightness::default()).nothing_left();
        assert!(err.to_string().contains("transparent"), "{err}");
    }

    #[test]
    fn invalid_bounds_are_refused() {
        for (min, max) in [(0.6, 0.4), (-0.1, 1.0), (0.0, 1.5), (f32::NAN, 1.0)] {
            assert!(Brightness { min, max }.validate().is_err(), "{min} {max}");
        }
    }
}
