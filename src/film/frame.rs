//! One frame's pixels, borrowed: what every source of a film yields and every step of the
//! analysis reads.

use crate::error::{Error, Result};
use crate::load::Still;

/// One frame's pixels, borrowed: raw RGB or RGBA rows.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    // Read directly by the per-frame steps (pooling, cuts, barcode columns) of `film`.
    pub(super) pixels: &'a [u8],
    pub(super) channels: usize,
    pub(super) width: u32,
    pub(super) height: u32,
}

impl<'a> Frame<'a> {
    /// A `width` x `height` frame of `channels` (3 or 4) bytes a pixel, checked.
    pub fn new(pixels: &'a [u8], channels: usize, width: u32, height: u32) -> Result<Self> {
        if !(channels == 3 || channels == 4)
            || width == 0
            || height == 0
            || pixels.len() as u64 != u64::from(width) * u64::from(height) * channels as u64
        {
            return Err(Error::InvalidOption(format!(
                "{} bytes are not a {width}x{height} frame of {channels} channels",
                pixels.len()
            )));
        }
        Ok(Self {
            pixels,
            channels,
            width,
            height,
        })
    }

    /// The frame of a still.
    #[must_use]
    pub fn of_still(still: &'a Still) -> Self {
        let (pixels, channels) = still.raw();
        Self {
            pixels,
            channels,
            width: still.width(),
            height: still.height(),
        }
    }

    /// A copy as a still (for the per-frame palettes of the barcode).
    pub(crate) fn to_still(self) -> Result<Still> {
        let image = if self.channels == 4 {
            image::RgbaImage::from_raw(self.width, self.height, self.pixels.to_vec())
                .map(image::DynamicImage::ImageRgba8)
        } else {
            image::RgbImage::from_raw(self.width, self.height, self.pixels.to_vec())
                .map(image::DynamicImage::ImageRgb8)
        };
        image
            .map(Still::from_dynamic)
            .ok_or_else(|| Error::InvalidOption("frame size mismatch".into()))
    }
}
