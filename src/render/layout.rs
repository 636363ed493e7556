//! The layout of a figure: the items placed on it, in pixels from the top left, and the
//! steps that place them (a picture, a title, a swatch, a label). Both back ends draw these
//! items and nothing else, so a figure's PNG and SVG agree.

use crate::load::Still;

use super::aspect::{fit, Rounding};
use super::backend::MAX_FIGURE_SIDE;
use super::contrast::{near_background, OUTLINE_RGB};
use super::Figure;

/// The white space around a figure's contents and between its parts, in pixels.
pub(super) const MARGIN: u32 = 12;
const TITLE_HEIGHT: u32 = 24;

/// A still is drawn within a box as wide as the figure's inside and at most this many
/// times as tall, keeping its aspect ratio, so a figure's size never depends on the still's
/// shape (a 1x30 000 still scaled to the figure's width would be 26 million pixels tall).
pub const MAX_PICTURE_ASPECT: u32 = 2;

/// Something placed on a figure, in pixels from the top left.
#[derive(Debug, Clone)]
pub(super) enum Item {
    Picture {
        x: i32,
        y: i32,
        still: Still,
    },
    Rect {
        x: i32,
        y: i32,
        w: u32,
        h: u32,
        rgb: [u8; 3],
    },
    /// A one-pixel frame drawn inside the rectangle's edges.
    Frame {
        x: i32,
        y: i32,
        w: u32,
        h: u32,
        rgb: [u8; 3],
    },
    Line {
        from: (i32, i32),
        to: (i32, i32),
        rgb: [u8; 3],
    },
    Label {
        x: i32,
        y: i32,
        text: String,
        size: f64,
        rgb: [u8; 3],
        centred: bool,
    },
}

impl Item {
    /// The item moved `dx` pixels to the right.
    pub(super) fn shifted(self, dx: i32) -> Item {
        match self {
            Item::Picture { x, y, still } => Item::Picture {
                x: x + dx,
                y,
                still,
            },
            Item::Rect { x, y, w, h, rgb } => Item::Rect {
                x: x + dx,
                y,
                w,
                h,
                rgb,
            },
            Item::Frame { x, y, w, h, rgb } => Item::Frame {
                x: x + dx,
                y,
                w,
                h,
                rgb,
            },
            Item::Line { from, to, rgb } => Item::Line {
                from: (from.0 + dx, from.1),
                to: (to.0 + dx, to.1),
                rgb,
            },
            Item::Label {
                x,
                y,
                text,
                size,
                rgb,
                centred,
            } => Item::Label {
                x: x + dx,
                y,
                text,
                size,
                rgb,
                centred,
            },
        }
    }
}

impl Figure {
    /// An empty figure `width` pixels wide (at least its margins and a little more).
    pub(super) fn new(width: u32) -> Figure {
        Figure {
            width: width.max(2 * MARGIN + 16),
            height: MARGIN,
            items: Vec::new(),
        }
    }

    /// The width inside the margins.
    pub(super) fn inner_width(&self) -> u32 {
        self.width - 2 * MARGIN
    }

    /// `still` fitted into the picture box (the inner width, at most [`MAX_PICTURE_ASPECT`]
    /// times as tall), centred, below what is placed so far.
    pub(super) fn picture(&mut self, still: &Still) {
        let (box_w, box_h) = (
            self.inner_width(),
            self.inner_width().saturating_mul(MAX_PICTURE_ASPECT),
        );
        let (w, h) = fit(
            still.width(),
            still.height(),
            box_w,
            box_h,
            Rounding::Figure,
        );
        let y = self.height as i32;
        self.height = self.height.saturating_add(h).saturating_add(MARGIN);
        // A figure too large to draw is refused when it is encoded: never scale for it.
        if self.width > MAX_FIGURE_SIDE {
            return;
        }
        self.items.push(Item::Picture {
            x: (MARGIN + (box_w - w) / 2) as i32,
            y,
            still: still.resized(w, h),
        });
    }

    /// A title line below what is placed so far.
    pub(super) fn title(&mut self, text: &str) {
        self.items.push(Item::Label {
            x: MARGIN as i32,
            y: (self.height + TITLE_HEIGHT / 2) as i32 - 2,
            text: text.to_string(),
            size: 16.0,
            rgb: [30, 30, 30],
            centred: false,
        });
        self.height += TITLE_HEIGHT;
    }

    /// A filled rectangle of colour `rgb`, outlined when it would merge into the background.
    pub(super) fn swatch(&mut self, x: i32, y: i32, w: u32, h: u32, rgb: [u8; 3]) {
        self.items.push(Item::Rect { x, y, w, h, rgb });
        if near_background(rgb) {
            self.items.push(Item::Frame {
                x,
                y,
                w,
                h,
                rgb: OUTLINE_RGB,
            });
        }
    }

    /// A line of text, vertically centred on `y`, starting at `x` or centred on it.
    pub(super) fn label(
        &mut self,
        x: i32,
        y: i32,
        text: &str,
        size: f32,
        rgb: [u8; 3],
        centred: bool,
    ) {
        self.items.push(Item::Label {
            x,
            y,
            text: text.to_owned(),
            size: f64::from(size),
            rgb,
            centred,
        });
    }

    /// The figure at least as tall as its two margins.
    pub(super) fn finish(mut self) -> Figure {
        self.height = self.height.max(2 * MARGIN);
        self
    }
}

/// Building blocks for figures laid out elsewhere (the film barcode, `film::barcode`), so
/// their pictures and text are drawn by the same code as every other figure.
impl Figure {
    /// An empty white figure of `width` x `height` pixels.
    pub(crate) fn blank(width: u32, height: u32) -> Figure {
        Figure {
            width,
            height,
            items: Vec::new(),
        }
    }

    /// Places `still` as it is, its top left at (`x`, `y`).
    pub(crate) fn add_picture(&mut self, x: i32, y: i32, still: Still) {
        self.items.push(Item::Picture { x, y, still });
    }

    /// A filled rectangle.
    pub(crate) fn add_rect(&mut self, x: i32, y: i32, w: u32, h: u32, rgb: [u8; 3]) {
        self.items.push(Item::Rect { x, y, w, h, rgb });
    }

    /// A line of text, vertically centred on `y`, starting at `x` or centred on it.
    pub(crate) fn add_label(
        &mut self,
        x: i32,
        y: i32,
        text: String,
        size: f64,
        rgb: [u8; 3],
        centred: bool,
    ) {
        self.items.push(Item::Label {
            x,
            y,
            text,
            size,
            rgb,
            centred,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fixtures::palette;
    use crate::render::strip::STRIP_HEIGHT;
    use crate::render::StripStyle;

    #[test]
    fn a_still_of_any_shape_fits_the_picture_box() {
        let tall = Still::from_rgb(1, 3000, &[[0, 0, 0]; 3000]).unwrap();
        let fig = Figure::still_with_strip(&tall, &palette(), 412, StripStyle::default());
        assert_eq!(
            fig.height(),
            MARGIN + 2 * 388 + MARGIN + STRIP_HEIGHT + MARGIN
        );
    }
}
