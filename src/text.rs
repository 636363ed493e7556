//! Text on bitmap figures: glyphs laid out and rasterised with `ab_glyph`, in DejaVu Sans
//! compiled into the binary, so lettering is spaced as the font says on any machine.
//!
//! This is the one way the crate writes text into a bitmap (every PNG figure goes through
//! [`draw_text`]); plotters 0.3.7's own `ab_glyph` path draws each glyph at the pen position
//! and drops its left side bearing, so "k-means" came out as "k-m eans". SVG figures keep
//! `<text>` elements, which the viewer lays out itself.
//!
//! Sizes are em sizes in pixels, as CSS `font-size` and SVG mean them, so a PNG and an SVG
//! of the same figure letter alike.

use std::sync::OnceLock;

use ab_glyph::{point, Font, FontRef, PxScale, Rect, ScaleFont};
use image::RgbImage;

/// Where the point given to [`draw_text`] lies on the text's line, horizontally; vertically
/// it is always the middle of the capitals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Anchor {
    /// The text starts at the point.
    #[default]
    Left,
    /// The text is centred on the point.
    Centre,
}

/// One glyph placed on a line: the pen position it was drawn at and the pixels its outline
/// covers (`None` for a space), relative to the line's start and baseline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlacedGlyph {
    /// The character.
    pub ch: char,
    /// Pen position (the glyph's origin), in pixels from the line's start.
    pub pen_x: f32,
    /// The outline's pixel bounds (`min.x` includes the left side bearing), if it has one.
    pub bounds: Option<Rect>,
}

/// The bundled font (DejaVu Sans).
fn font() -> Option<&'static FontRef<'static>> {
    static FONT: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(dejavu::sans::regular()).ok())
        .as_ref()
}

/// `ab_glyph`'s scale for an em of `size` pixels (its `PxScale` is the ascent-to-descent
/// height, not the em).
fn scale_of(font: &FontRef<'_>, size: f32) -> PxScale {
    let units_per_em = font.units_per_em().unwrap_or(2048.0);
    PxScale::from(size * font.height_unscaled() / units_per_em)
}

/// Lays out `text` on one line at an em of `size` pixels: advances and kerning as the font
/// gives them, each glyph's outline placed at its pen position plus its side bearing.
#[must_use]
pub fn layout(text: &str, size: f32) -> Vec<PlacedGlyph> {
    let Some(font) = font() else {
        return Vec::new();
    };
    let scaled = font.as_scaled(scale_of(font, size));
    let mut pen = 0.0f32;
    let mut previous = None;
    let mut glyphs = Vec::with_capacity(text.len());
    for ch in text.chars() {
        let id = scaled.glyph_id(ch);
        if let Some(prev) = previous {
            pen += scaled.kern(prev, id);
        }
        let glyph = id.with_scale_and_position(scaled.scale(), point(pen, 0.0));
        let bounds = font.outline_glyph(glyph).map(|o| o.px_bounds());
        glyphs.push(PlacedGlyph {
            ch,
            pen_x: pen,
            bounds,
        });
        pen += scaled.h_advance(id);
        previous = Some(id);
    }
    glyphs
}

/// The advance width of `text` at an em of `size` pixels.
#[must_use]
pub fn text_width(text: &str, size: f32) -> f32 {
    let Some(font) = font() else {
        return 0.0;
    };
    let scaled = font.as_scaled(scale_of(font, size));
    let mut width = 0.0;
    let mut previous = None;
    for ch in text.chars() {
        let id = scaled.glyph_id(ch);
        if let Some(prev) = previous {
            width += scaled.kern(prev, id);
        }
        width += scaled.h_advance(id);
        previous = Some(id);
    }
    width
}

/// How far below the middle of the capitals the baseline lies, at an em of `size`.
fn baseline_below_middle(size: f32) -> f32 {
    // DejaVu Sans' capitals are 0.729 em tall (its OS/2 cap height, which ab_glyph does not
    // expose).
    0.729 * size / 2.0
}

/// Draws `text` into `image` in colour `rgb` at an em of `size` pixels, anchored at `(x, y)`
/// (`y` is the middle of the capitals), blending each pixel by the glyph's coverage. Parts
/// outside the image are clipped.
pub fn draw_text(
    image: &mut RgbImage,
    text: &str,
    (x, y): (f32, f32),
    size: f32,
    rgb: [u8; 3],
    anchor: Anchor,
) {
    let Some(font) = font() else {
        return;
    };
    let left = match anchor {
        Anchor::Left => x,
        Anchor::Centre => x - text_width(text, size) / 2.0,
    };
    // Whole pixels for the line's origin, so the same text looks the same wherever it is.
    let (left, baseline) = (left.round(), (y + baseline_below_middle(size)).round());
    let scale = scale_of(font, size);
    let (width, height) = (image.width() as i64, image.height() as i64);
    for placed in layout(text, size) {
        let glyph = font
            .glyph_id(placed.ch)
            .with_scale_and_position(scale, point(left + placed.pen_x, baseline));
        let Some(outline) = font.outline_glyph(glyph) else {
            continue;
        };
        let bounds = outline.px_bounds();
        let (x0, y0) = (bounds.min.x as i64, bounds.min.y as i64);
        outline.draw(|gx, gy, coverage| {
            let (px, py) = (x0 + i64::from(gx), y0 + i64::from(gy));
            if px < 0 || py < 0 || px >= width || py >= height || coverage <= 0.0 {
                return;
            }
            let pixel = image.get_pixel_mut(px as u32, py as u32);
            let c = coverage.min(1.0);
            for (channel, ink) in pixel.0.iter_mut().zip(rgb) {
                let blended = f32::from(*channel) * (1.0 - c) + f32::from(ink) * c;
                *channel = blended.round().clamp(0.0, 255.0) as u8;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The columns that hold ink (any channel below 160) in rows `rows` of `image`.
    fn inked_columns(image: &RgbImage, rows: std::ops::Range<u32>) -> Vec<bool> {
        (0..image.width())
            .map(|x| {
                rows.clone()
                    .any(|y| image.get_pixel(x, y).0.iter().any(|&c| c < 160))
            })
            .collect()
    }

    #[test]
    fn glyphs_land_where_the_font_places_them() {
        let text = "k-means, RGB #271d19 22.6%";
        let size = 16.0;
        let mut image = RgbImage::from_pixel(400, 40, image::Rgb([255, 255, 255]));
        draw_text(
            &mut image,
            text,
            (10.0, 20.0),
            size,
            [0, 0, 0],
            Anchor::Left,
        );
        let ink = inked_columns(&image, 0..40);
        for glyph in layout(text, size) {
            let Some(b) = glyph.bounds else { continue };
            // Every glyph has ink within its own bounds (shifted to the line's start) ...
            let (from, to) = ((10.0 + b.min.x).floor(), (10.0 + b.max.x).ceil());
            assert!(
                (from as usize..to as usize).any(|x| ink[x]),
                "no ink for {:?} in {from}..{to}",
                glyph.ch
            );
        }
        // ... and none outside every glyph's bounds.
        let covered = |x: usize| {
            layout(text, size).iter().any(|g| {
                g.bounds.is_some_and(|b| {
                    (x as f32) >= (10.0 + b.min.x).floor() - 1.0
                        && (x as f32) < (10.0 + b.max.x).ceil() + 1.0
                })
            })
        };
        for (x, &inked) in ink.iter().enumerate() {
            assert!(!inked || covered(x), "ink at column {x}, between glyphs");
        }
    }

    #[test]
    fn anchors_and_widths() {
        // DejaVu Sans: '#' advances 1716 units of 2048 a em, each digit 1303.
        let w = text_width("#888888", 13.0);
        let expected = (1716.0 + 6.0 * 1303.0) / 2048.0 * 13.0;
        assert!((w - expected).abs() < 0.01, "{w} vs {expected}");
        assert_eq!(text_width("", 13.0), 0.0);
        let mut image = RgbImage::from_pixel(200, 30, image::Rgb([255, 255, 255]));
        draw_text(
            &mut image,
            "MMM",
            (100.0, 15.0),
            13.0,
            [0, 0, 0],
            Anchor::Centre,
        );
        let ink = inked_columns(&image, 0..30);
        let half = text_width("MMM", 13.0) / 2.0;
        let first = ink.iter().position(|&i| i).expect("ink");
        let last = ink.iter().rposition(|&i| i).expect("ink");
        assert!(
            (first as f32 - (100.0 - half)).abs() <= 2.0,
            "{first} vs {half}"
        );
        assert!(
            (last as f32 - (100.0 + half)).abs() <= 2.0,
            "{last} vs {half}"
        );
        // Clipped at the image's edges, never a panic.
        draw_text(
            &mut image,
            "MMM",
            (-5.0, -3.0),
            40.0,
            [0, 0, 0],
            Anchor::Left,
        );
        draw_text(
            &mut image,
            "MMM",
            (195.0, 29.0),
            40.0,
            [0, 0, 0],
            Anchor::Left,
        );
    }
}
