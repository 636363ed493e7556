//! Letterbox and pillarbox bars: the black bands a picture is framed in, found over one
//! frame or many, so they can be cut away before any palette (they would pull every palette
//! toward black).
//!
//! The rule, the same for a still (`extract`) and a film (`film`):
//! - a pixel is *bright* when one of its channels is above [`BAR_LEVEL`] (and it is opaque);
//! - in one frame, a row is *lit* when more than [`LIT_SHARE`] of its pixels are bright
//!   (so a bar with compression noise, or with a subtitle in a few frames, stays dark);
//! - over all frames, a row is *picture* when it is lit in at least [`PICTURE_SHARE`] of as
//!   many frames as the most-lit row: a bar is dark in every frame, while a dark shot darkens
//!   every row of one frame and is outvoted by the others;
//! - the bars are the runs of rows (columns) that are not picture, from each edge inwards,
//!   each at most [`MAX_BAR_SHARE`] of its side; a frame too small to tell (under
//!   [`MIN_SIDE`] pixels a side) or dark everywhere has no bars.
//!
//! A single dark still whose top rows are all black is cut like a letterboxed one: one frame
//! cannot tell them apart (`--no-crop` keeps the bars).

use serde::Serialize;

use crate::error::{Error, Result};
use crate::load::Still;
use crate::select::OPAQUE_ALPHA;

/// A pixel with a channel above this level is bright (not part of a bar).
pub const BAR_LEVEL: u8 = 24;
/// A row (column) is lit in a frame when more than this share of its pixels are bright.
pub const LIT_SHARE: f64 = 0.02;
/// A row (column) is picture when lit in at least this share of as many frames as the
/// most-lit row (column).
pub const PICTURE_SHARE: f64 = 0.2;
/// A bar covers at most this share of its side (a third); a longer dark run is a dark shot.
pub const MAX_BAR_SHARE: f64 = 1.0 / 3.0;
/// Frames narrower or lower than this have no bars.
pub const MIN_SIDE: u32 = 32;

/// The picture inside the bars, in pixels of the frame it was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Crop {
    /// Left edge: the width of the left bar.
    pub x: u32,
    /// Top edge: the height of the top bar.
    pub y: u32,
    /// Width of the picture.
    pub width: u32,
    /// Height of the picture.
    pub height: u32,
}

impl Crop {
    /// The same rectangle in a frame scaled by `sx` horizontally and `sy` vertically,
    /// rounded inwards so that no bar pixel is kept.
    #[must_use]
    pub fn scaled(self, sx: f64, sy: f64) -> Crop {
        let x = (f64::from(self.x) * sx).ceil();
        let y = (f64::from(self.y) * sy).ceil();
        let right = (f64::from(self.x + self.width) * sx).floor().max(x + 1.0);
        let bottom = (f64::from(self.y + self.height) * sy).floor().max(y + 1.0);
        Crop {
            x: x as u32,
            y: y as u32,
            width: (right - x) as u32,
            height: (bottom - y) as u32,
        }
    }
}

/// Finds the bars over frames of one size: feed it frames with [`BarFinder::add`], then ask
/// [`BarFinder::crop`]. Memory: two counters a row and a column, whatever the frames.
#[derive(Debug, Clone)]
pub struct BarFinder {
    width: u32,
    height: u32,
    frames: u32,
    rows_lit: Vec<u32>,
    cols_lit: Vec<u32>,
    /// Scratch: bright pixels per row and per column of the current frame.
    row_bright: Vec<u32>,
    col_bright: Vec<u32>,
}

impl BarFinder {
    /// A finder for frames of `width` x `height` pixels.
    #[must_use]
    pub fn new(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            frames: 0,
            rows_lit: vec![0; height as usize],
            cols_lit: vec![0; width as usize],
            row_bright: vec![0; height as usize],
            col_bright: vec![0; width as usize],
        }
    }

    /// Frames seen so far.
    #[must_use]
    pub fn frames(&self) -> u32 {
        self.frames
    }

    /// Adds one frame: raw pixels row by row, `channels` 3 (RGB) or 4 (RGBA) bytes each.
    pub fn add(&mut self, pixels: &[u8], channels: usize) -> Result<()> {
        let (w, h) = (self.width as usize, self.height as usize);
        if !(channels == 3 || channels == 4) || pixels.len() != w * h * channels {
            return Err(Error::InvalidOption(format!(
                "a frame of {} bytes is not {w}x{h} pixels of {channels} channels",
                pixels.len()
            )));
        }
        self.row_bright.fill(0);
        self.col_bright.fill(0);
        for (y, row) in pixels.chunks_exact(w * channels).enumerate() {
            let mut bright_in_row = 0;
            for (x, p) in row.chunks_exact(channels).enumerate() {
                let opaque = channels == 3 || p[3] >= OPAQUE_ALPHA;
                if opaque && p[0].max(p[1]).max(p[2]) > BAR_LEVEL {
                    bright_in_row += 1;
                    self.col_bright[x] += 1;
                }
            }
            self.row_bright[y] = bright_in_row;
        }
        let lit = |bright: u32, of: usize| f64::from(bright) > LIT_SHARE * of as f64;
        for (count, &bright) in self.rows_lit.iter_mut().zip(&self.row_bright) {
            *count += u32::from(lit(bright, w));
        }
        for (count, &bright) in self.cols_lit.iter_mut().zip(&self.col_bright) {
            *count += u32::from(lit(bright, h));
        }
        self.frames += 1;
        Ok(())
    }

    /// Adds a still of the finder's size.
    pub fn add_still(&mut self, still: &Still) -> Result<()> {
        let (pixels, channels) = still.raw();
        self.add(pixels, channels)
    }

    /// The picture inside the bars, or `None` when there are no bars (or no frame, or no
    /// picture at all).
    #[must_use]
    pub fn crop(&self) -> Option<Crop> {
        if self.frames == 0 || self.width < MIN_SIDE || self.height < MIN_SIDE {
            return None;
        }
        let (top, bottom) = bars(&self.rows_lit)?;
        let (left, right) = bars(&self.cols_lit)?;
        if top + bottom + left + right == 0 {
            return None;
        }
        Some(Crop {
            x: left,
            y: top,
            width: self.width - left - right,
            height: self.height - top - bottom,
        })
    }
}

/// The bars at either end of one axis, from how many frames lit each line; `None` when no
/// line was ever lit.
fn bars(lit: &[u32]) -> Option<(u32, u32)> {
    let most = *lit.iter().max()?;
    if most == 0 {
        return None;
    }
    let picture = |&n: &u32| f64::from(n) >= PICTURE_SHARE * f64::from(most);
    let longest = (MAX_BAR_SHARE * lit.len() as f64).floor() as usize;
    let start = lit.iter().position(picture)?;
    let end = lit.iter().rposition(picture)?;
    let before = if start <= longest { start } else { 0 };
    let after = lit.len() - 1 - end;
    let after = if after <= longest { after } else { 0 };
    Some((before as u32, after as u32))
}

/// The bars of one still, as [`BarFinder`] finds them over a single frame.
#[must_use]
pub fn find_bars(still: &Still) -> Option<Crop> {
    let mut finder = BarFinder::new(still.width(), still.height());
    finder.add_still(still).ok()?;
    finder.crop()
}

/// The part of `still` inside `crop` (clamped to the still).
#[must_use]
pub fn crop_still(still: &Still, crop: Crop) -> Still {
    let x = crop.x.min(still.width().saturating_sub(1));
    let y = crop.y.min(still.height().saturating_sub(1));
    let width = crop.width.clamp(1, still.width() - x);
    let height = crop.height.clamp(1, still.height() - y);
    let (pixels, channels) = still.raw();
    let stride = still.width() as usize * channels;
    let mut out = Vec::with_capacity(width as usize * height as usize * channels);
    for row in pixels
        .chunks_exact(stride)
        .skip(y as usize)
        .take(height as usize)
    {
        out.extend_from_slice(&row[x as usize * channels..(x + width) as usize * channels]);
    }
    let image = if channels == 4 {
        image::RgbaImage::from_raw(width, height, out).map(image::DynamicImage::ImageRgba8)
    } else {
        image::RgbImage::from_raw(width, height, out).map(image::DynamicImage::ImageRgb8)
    };
    image.map_or_else(|| still.clone(), Still::from_dynamic)
}

/// The still without its bars, and the crop that was applied (`None`: no bars, the still
/// unchanged).
#[must_use]
pub fn without_bars(still: &Still) -> (Still, Option<Crop>) {
    match find_bars(still) {
        Some(crop) => (crop_still(still, crop), Some(crop)),
        None => (still.clone(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `w` x `h` frame of a bright noisy picture inside black bars (`top`, `bottom`, `left`,
    /// `right`), with some noise in the bars below [`BAR_LEVEL`].
    fn framed(w: u32, h: u32, bars: [u32; 4], seed: u32) -> Vec<u8> {
        let [top, bottom, left, right] = bars;
        let mut out = Vec::with_capacity((w * h * 3) as usize);
        for y in 0..h {
            for x in 0..w {
                let inside = y >= top && y < h - bottom && x >= left && x < w - right;
                let n = (x * 7 + y * 13 + seed * 31) % 17;
                let p = if inside {
                    [40 + (x % 200) as u8, 60 + n as u8, 90 + (y % 100) as u8]
                } else {
                    [n as u8, (n / 2) as u8, 3]
                };
                out.extend_from_slice(&p);
            }
        }
        out
    }

    #[test]
    fn letterbox_and_pillarbox_bars_are_found_exactly() {
        for bars in [[40, 40, 0, 0], [0, 0, 30, 30], [12, 20, 8, 4], [0, 0, 0, 0]] {
            let mut finder = BarFinder::new(320, 180);
            finder.add(&framed(320, 180, bars, 1), 3).unwrap();
            let [top, bottom, left, right] = bars;
            let expected = (bars != [0; 4]).then_some(Crop {
                x: left,
                y: top,
                width: 320 - left - right,
                height: 180 - top - bottom,
            });
            assert_eq!(finder.crop(), expected, "{bars:?}");
        }
    }

    #[test]
    fn a_dark_shot_among_lit_ones_is_not_a_bar() {
        let mut finder = BarFinder::new(160, 90);
        // Two lit frames with 10-pixel bars, then a frame dark but for its middle rows.
        finder.add(&framed(160, 90, [10, 10, 0, 0], 1), 3).unwrap();
        finder.add(&framed(160, 90, [10, 10, 0, 0], 2), 3).unwrap();
        finder.add(&framed(160, 90, [30, 30, 0, 0], 3), 3).unwrap();
        let crop = finder.crop().unwrap();
        assert_eq!((crop.y, crop.height), (10, 70));
        // A black frame alone has no picture, hence no bars.
        let mut black = BarFinder::new(160, 90);
        black.add(&vec![0; 160 * 90 * 3], 3).unwrap();
        assert_eq!(black.crop(), None);
    }

    #[test]
    fn a_dark_band_over_a_third_is_not_a_bar_and_small_frames_have_none() {
        let mut finder = BarFinder::new(100, 90);
        finder.add(&framed(100, 90, [40, 0, 0, 0], 1), 3).unwrap();
        assert_eq!(finder.crop(), None);
        let mut small = BarFinder::new(20, 20);
        small.add(&framed(20, 20, [4, 4, 0, 0], 1), 3).unwrap();
        assert_eq!(small.crop(), None);
        assert!(BarFinder::new(10, 10).add(&[0; 5], 3).is_err());
    }

    #[test]
    fn a_subtitle_in_a_few_frames_does_not_undo_a_bar() {
        let mut finder = BarFinder::new(200, 100);
        for seed in 0..9 {
            finder
                .add(&framed(200, 100, [20, 20, 0, 0], seed), 3)
                .unwrap();
        }
        // One frame with white text across half of the bottom bar.
        let mut subtitled = framed(200, 100, [20, 20, 0, 0], 9);
        for y in 85..92 {
            for x in 50..150 {
                let i = (y * 200 + x) * 3;
                subtitled[i..i + 3].copy_from_slice(&[255, 255, 255]);
            }
        }
        finder.add(&subtitled, 3).unwrap();
        assert_eq!(finder.crop().map(|c| (c.y, c.height)), Some((20, 60)));
    }

    #[test]
    fn cropping_a_still_keeps_the_picture() {
        let pixels = framed(64, 48, [6, 10, 4, 0], 0);
        let rgb: Vec<[u8; 3]> = pixels.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect();
        let still = Still::from_rgb(64, 48, &rgb).unwrap();
        let (cropped, crop) = without_bars(&still);
        assert_eq!(
            crop,
            Some(Crop {
                x: 4,
                y: 6,
                width: 60,
                height: 32
            })
        );
        assert_eq!((cropped.width(), cropped.height()), (60, 32));
        assert_eq!(cropped.rgb().get_pixel(0, 0).0, rgb[6 * 64 + 4]);
        assert!(cropped
            .opaque_pixels()
            .all(|p| p.iter().any(|&c| c > BAR_LEVEL)));
        let scaled = Crop {
            x: 3,
            y: 5,
            width: 10,
            height: 10,
        }
        .scaled(2.0, 0.5);
        assert_eq!(
            scaled,
            Crop {
                x: 6,
                y: 3,
                width: 20,
                height: 4
            }
        );
    }
}
