//! Figures drawn with `plotters`: a still with its palette strip, the four-way comparison
//! of the original analysis, and a palette as a grid of squares; as PNG or SVG.
//!
//! A figure is first laid out as a list of items, then drawn by either back end, so the
//! PNG and the SVG always agree. Text uses DejaVu Sans compiled into the binary, so figures
//! render the same on a machine with no fonts installed.
//!
//! This file holds [`Figure`] and its public constructors; the parts, one idea each, are
//! `layout.rs` (the items and the steps that place them), `strip.rs` (a palette strip:
//! swatch widths and labels), `chart.rs` (the bar chart), `contrast.rs` (outlines and ink
//! against the white background), `backend.rs` (drawing the items as PNG or SVG, and the
//! size limits), `ticks.rs` (axis ticks, also the film barcode's) and `aspect.rs` (fitting a
//! picture in a box, also the film's frame sizes).

pub(crate) mod aspect;
mod backend;
mod chart;
mod contrast;
mod layout;
mod strip;
pub(crate) mod ticks;

pub use backend::{MAX_FIGURE_PIXELS, MAX_FIGURE_SIDE};
pub use contrast::OUTLINE_RGB;
pub use layout::MAX_PICTURE_ASPECT;
pub use strip::{swatch_widths, StripStyle, MIN_SWATCH_WIDTH};

use crate::load::Still;
use crate::palette::Palette;

use layout::{Item, MARGIN};

/// A laid-out figure, ready to be encoded as PNG or SVG.
#[derive(Debug, Clone)]
pub struct Figure {
    width: u32,
    height: u32,
    items: Vec<Item>,
}

impl Figure {
    /// The still (scaled to `width`) with a palette strip underneath: the original's figure.
    #[must_use]
    pub fn still_with_strip(
        still: &Still,
        palette: &Palette,
        width: u32,
        style: StripStyle,
    ) -> Figure {
        let mut fig = Figure::new(width);
        fig.picture(still);
        fig.strip(palette, style);
        fig.finish()
    }

    /// The comparison figure: the still, then one labelled strip per palette (the original
    /// analysis used k-means and agglomerative, each in RGB and HSV).
    #[must_use]
    pub fn comparison(
        still: &Still,
        palettes: &[Palette],
        width: u32,
        style: StripStyle,
    ) -> Figure {
        let titled: Vec<(String, &Palette)> = palettes.iter().map(|p| (p.title(), p)).collect();
        Figure::titled_strips(Some(still), &titled, width, style)
    }

    /// The still (if any), then one strip per palette under its own title (the palette-size
    /// sweep, the original's naive HSV beside the crate's).
    #[must_use]
    pub fn titled_strips(
        still: Option<&Still>,
        strips: &[(String, &Palette)],
        width: u32,
        style: StripStyle,
    ) -> Figure {
        let mut fig = Figure::new(width);
        if let Some(still) = still {
            fig.picture(still);
        }
        for (title, palette) in strips {
            fig.title(title);
            fig.strip(palette, style);
        }
        fig.finish()
    }

    /// Figures next to each other, tops aligned, left to right.
    #[must_use]
    pub fn side_by_side(figures: &[Figure]) -> Figure {
        let mut out = Figure {
            width: 0,
            height: 2 * MARGIN,
            items: Vec::new(),
        };
        for figure in figures {
            let dx = out.width as i32;
            out.items
                .extend(figure.items.iter().cloned().map(|item| item.shifted(dx)));
            out.width = out.width.saturating_add(figure.width);
            out.height = out.height.max(figure.height);
        }
        out.width = out.width.max(2 * MARGIN + 16);
        out
    }

    /// The palette alone, as a grid of squares with hex codes and shares underneath.
    #[must_use]
    pub fn swatch_grid(palette: &Palette, columns: usize) -> Figure {
        const SIDE: u32 = 96;
        const CAPTION: u32 = 36;
        let columns = columns.clamp(1, palette.len().max(1));
        let mut fig = Figure::new(MARGIN + columns as u32 * (SIDE + MARGIN));
        for (i, swatch) in palette.colors.iter().enumerate() {
            let (col, row) = ((i % columns) as u32, (i / columns) as u32);
            let x = (MARGIN + col * (SIDE + MARGIN)) as i32;
            let y = (MARGIN + row * (SIDE + CAPTION + MARGIN)) as i32;
            fig.swatch(x, y, SIDE, SIDE, swatch.rgb);
            let text = format!("{} {:.1}%", swatch.hex, swatch.proportion * 100.0);
            fig.items.push(Item::Label {
                x: x + SIDE as i32 / 2,
                y: y + SIDE as i32 + 14,
                text,
                size: 13.0,
                rgb: [40, 40, 40],
                centred: true,
            });
            fig.height = y as u32 + SIDE + CAPTION;
        }
        fig.finish()
    }

    /// Width in pixels.
    #[must_use]
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    #[must_use]
    pub fn height(&self) -> u32 {
        self.height
    }
}

/// What the unit tests of the parts draw.
#[cfg(test)]
mod fixtures {
    use crate::load::Still;
    use crate::palette::Palette;
    use crate::{ColorSpace, Method};

    pub(super) fn palette() -> Palette {
        Palette::from_weights(
            2,
            Method::Kmeans,
            ColorSpace::Rgb,
            [([255, 0, 0], 3.0), ([0, 0, 255], 1.0)],
        )
    }

    pub(super) fn still() -> Still {
        Still::from_rgb(4, 2, &[[0, 255, 0]; 8]).unwrap()
    }
}
