//! A film's pixels pooled across its frames: the cells a still is pooled on
//! ([`crate::grid::CellGrid`], 4 x 4 x 4 sRGB levels), each pixel weighted by the screen
//! time its frame stands for over the frame's pixels, so a frame held twice as long weighs
//! twice as much, whatever its size. Frames are added one at a time and never kept: the
//! table is the same 8 MB for a clip or a feature film.
//!
//! Unlike a still's [`crate::Cells`], whose pixels stay at hand, the frames are gone when
//! the palette is made, so each cell is assigned to a centre as a whole, at its mean colour
//! (a cell is 4 levels a side), and colours closer than a cell are one colour.

use crate::error::{Error, Result};
use crate::grid::{CellGrid, WeightedGrid};
use crate::palette::Palette;
use crate::pipeline::ValidOptions;
use crate::points::Points;
use crate::select::{Brightness, Selection};

use super::Frame;

/// Time-weighted cells: for each cell of [`CellGrid`], the weight of its pixels and their
/// weighted colour sum.
#[derive(Debug, Clone)]
pub(crate) struct TimeCells {
    grid: WeightedGrid<3>,
    /// Pixels pooled (for the points' weights: pixel-equivalents, as a still's).
    pixels: u64,
}

impl TimeCells {
    pub(crate) fn new() -> Self {
        Self {
            grid: WeightedGrid::new(CellGrid::CELLS),
            pixels: 0,
        }
    }

    /// Whether no pixel has been pooled.
    pub(crate) fn is_empty(&self) -> bool {
        self.grid.is_empty()
    }

    /// Pools the pixels of `frame` that `brightness` (validated) keeps, each weighing
    /// `seconds` over the frame's pixel count.
    pub(crate) fn add(&mut self, frame: &Frame<'_>, brightness: Brightness, seconds: f64) {
        let all = frame.width as usize * frame.height as usize;
        if all == 0 || seconds <= 0.0 {
            return;
        }
        let w = seconds / all as f64;
        let mut kept = 0u64;
        Selection::new(frame.pixels, frame.channels, brightness).for_each(|r, g, b| {
            let rgb = [r, g, b].map(f64::from);
            self.grid.add(CellGrid::cell(r, g, b), w, rgb);
            kept += 1;
        });
        self.pixels += kept;
    }

    /// Adds another table's cells into this one and empties the other.
    pub(crate) fn drain_into(&mut self, other: &mut TimeCells) {
        self.grid.drain_into(&mut other.grid);
        other.pixels += self.pixels;
        self.pixels = 0;
    }

    /// The palette of the pooled pixels: each occupied cell a point at its mean colour,
    /// weighing its share of the pooled time (scaled to pixel-equivalents), clustered and
    /// assigned by `options`.
    pub(crate) fn palette(&self, options: &ValidOptions) -> Result<Palette> {
        let o = options.options();
        if self.is_empty() {
            return Err(Error::NoPixels(format!(
                "no pixel has a mean brightness between {} and {}",
                o.brightness.min, o.brightness.max
            )));
        }
        let (weights, means): (Vec<f64>, Vec<[f32; 3]>) = self.grid.means().unzip();
        let total: f64 = weights.iter().sum();
        let scale = self.pixels as f64 / total;
        let points = Points::new(
            means.iter().map(|&m| o.space.embed_mean(m)).collect(),
            weights.iter().map(|&w| w * scale).collect(),
            means.iter().map(|m| m.map(|c| c.round() as u8)).collect(),
            o.space,
        )?;
        options.extract_from_points(&points)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PaletteOptions;

    fn flat(rgb: [u8; 3], w: u32, h: u32) -> Vec<u8> {
        rgb.repeat((w * h) as usize)
    }

    #[test]
    fn shares_follow_screen_time_not_frame_size() {
        let options = PaletteOptions::new().k(2).check().unwrap();
        let mut cells = TimeCells::new();
        let red = flat([200, 20, 20], 10, 10);
        let blue = flat([20, 20, 200], 40, 40);
        // Red held 3 s in a small frame, blue 1 s in a frame 16 times larger.
        let red_frame = Frame::new(&red, 3, 10, 10).unwrap();
        let blue_frame = Frame::new(&blue, 3, 40, 40).unwrap();
        cells.add(&red_frame, Brightness::default(), 3.0);
        cells.add(&blue_frame, Brightness::default(), 1.0);
        let palette = cells.palette(&options).unwrap();
        assert_eq!(palette.hex_codes(), vec!["#c81414", "#1414c8"]);
        assert!((palette.colors[0].proportion - 0.75).abs() < 1e-9);
        // Draining moves everything: the emptied table has no palette.
        let mut film = TimeCells::new();
        cells.drain_into(&mut film);
        assert!(cells.is_empty());
        assert!(matches!(cells.palette(&options), Err(Error::NoPixels(_))));
        assert_eq!(film.palette(&options).unwrap(), palette);
    }
}
