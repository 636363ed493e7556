//! Drawing a laid-out figure: as a bitmap (plotters' bitmap back end, then the text through
//! `text.rs`) encoded as PNG, or as SVG (plotters' SVG back end, pictures embedded as PNG);
//! and the size past which a figure is refused before anything is allocated.

use std::io::Cursor;
use std::path::Path;
use std::sync::Once;

use base64::Engine as _;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::{Error, Result};
use crate::text::{self, Anchor};

use super::layout::Item;
use super::Figure;

/// Font family name under which the bundled font is registered.
const FONT: &str = "sans-serif";
/// The largest side of a figure that is drawn, in pixels.
pub const MAX_FIGURE_SIDE: u32 = 16_384;
/// The largest figure that is drawn, in pixels (its bitmap: 3 bytes a pixel).
pub const MAX_FIGURE_PIXELS: u64 = 64_000_000;

impl Figure {
    /// The figure's size against [`MAX_FIGURE_SIDE`] and [`MAX_FIGURE_PIXELS`], before a
    /// bitmap is allocated.
    fn check_size(&self) -> Result<()> {
        let pixels = u64::from(self.width) * u64::from(self.height);
        if self.width > MAX_FIGURE_SIDE
            || self.height > MAX_FIGURE_SIDE
            || pixels > MAX_FIGURE_PIXELS
        {
            return Err(Error::TooLarge(format!(
                "the figure would be {}x{} pixels, over the limit of {MAX_FIGURE_SIDE} pixels a side and {} megapixels; draw it narrower",
                self.width,
                self.height,
                MAX_FIGURE_PIXELS / 1_000_000
            )));
        }
        Ok(())
    }

    /// Encodes the figure as PNG.
    pub fn to_png(&self) -> Result<Vec<u8>> {
        self.check_size()?;
        register_font();
        let mut buffer = vec![0u8; self.width as usize * self.height as usize * 3];
        {
            let root = BitMapBackend::with_buffer(&mut buffer, (self.width, self.height))
                .into_drawing_area();
            self.draw(&root, true).map_err(render_error)?;
            root.present().map_err(render_error)?;
        }
        let mut image = image::RgbImage::from_raw(self.width, self.height, buffer)
            .ok_or_else(|| Error::Render("bitmap size mismatch".into()))?;
        // Text last, through the crate's own glyph layout (plotters' drops side bearings).
        for item in &self.items {
            if let Item::Label {
                x,
                y,
                text,
                size,
                rgb,
                centred,
            } = item
            {
                let anchor = if *centred {
                    Anchor::Centre
                } else {
                    Anchor::Left
                };
                let at = (*x as f32, *y as f32);
                text::draw_text(&mut image, text, at, *size as f32, *rgb, anchor);
            }
        }
        let mut out = Cursor::new(Vec::new());
        image
            .write_to(&mut out, image::ImageFormat::Png)
            .map_err(|e| Error::Render(e.to_string()))?;
        Ok(out.into_inner())
    }

    /// Encodes the figure as SVG; the still is embedded as a PNG data URL.
    pub fn to_svg(&self) -> Result<String> {
        self.check_size()?;
        register_font();
        let mut svg = String::new();
        {
            let root =
                SVGBackend::with_string(&mut svg, (self.width, self.height)).into_drawing_area();
            self.draw(&root, false).map_err(render_error)?;
            root.present().map_err(render_error)?;
        }
        // plotters' SVG backend would draw a bitmap pixel by pixel; an <image> is smaller.
        let mut pictures = String::new();
        for item in &self.items {
            if let Item::Picture { x, y, still } = item {
                let png = base64::engine::general_purpose::STANDARD.encode(still.to_png()?);
                pictures.push_str(&format!(
                    r#"<image x="{x}" y="{y}" width="{}" height="{}" href="data:image/png;base64,{png}"/>"#,
                    still.width(),
                    still.height()
                ));
            }
        }
        let body = svg.find('>').map_or(0, |i| i + 1);
        svg.insert_str(body, &pictures);
        Ok(svg)
    }

    /// Writes PNG or SVG, chosen by the file extension.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let svg = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
        let bytes = if svg {
            self.to_svg()?.into_bytes()
        } else {
            self.to_png()?
        };
        std::fs::write(path, bytes).map_err(|source| Error::Write {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Draws every item; a bitmap (`bitmaps`) gets its pictures here and its text later,
    /// from [`text::draw_text`].
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        bitmaps: bool,
    ) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        root.fill(&WHITE)?;
        for item in &self.items {
            match item {
                Item::Picture { x, y, still } => {
                    if bitmaps {
                        let rgb = still.rgb().into_owned();
                        if let Some(element) = BitMapElement::<_>::with_owned_buffer(
                            (*x, *y),
                            (still.width(), still.height()),
                            rgb.into_raw(),
                        ) {
                            root.draw(&element)?;
                        }
                    }
                }
                Item::Rect { x, y, w, h, rgb } => {
                    let [r, g, b] = *rgb;
                    root.draw(&Rectangle::new(
                        [(*x, *y), (*x + *w as i32, *y + *h as i32)],
                        RGBColor(r, g, b).filled(),
                    ))?;
                }
                Item::Frame { x, y, w, h, rgb } => {
                    let [r, g, b] = *rgb;
                    root.draw(&Rectangle::new(
                        [(*x, *y), (*x + *w as i32 - 1, *y + *h as i32 - 1)],
                        RGBColor(r, g, b).stroke_width(1),
                    ))?;
                }
                Item::Line { from, to, rgb } => {
                    let [r, g, b] = *rgb;
                    root.draw(&PathElement::new(
                        vec![*from, *to],
                        RGBColor(r, g, b).stroke_width(1),
                    ))?;
                }
                Item::Label { .. } if bitmaps => {}
                Item::Label {
                    x,
                    y,
                    text,
                    size,
                    rgb,
                    centred,
                } => {
                    let [r, g, b] = *rgb;
                    let ink = RGBColor(r, g, b);
                    let hpos = if *centred { HPos::Center } else { HPos::Left };
                    let style = TextStyle::from((FONT, *size).into_font())
                        .color(&ink)
                        .pos(Pos::new(hpos, VPos::Center));
                    root.draw(&Text::new(text.as_str(), (*x, *y), style))?;
                }
            }
        }
        Ok(())
    }
}

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bundled font is valid TrueType; should registration ever fail, text is skipped.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
    });
}

fn render_error<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> Error {
    Error::Render(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fixtures::{palette, still};
    use crate::render::layout::MARGIN;
    use crate::render::StripStyle;

    #[test]
    fn a_figure_over_the_limits_is_refused_before_it_is_drawn() {
        let fig = Figure::swatch_grid(&palette(), 4);
        let wide = Figure {
            width: MAX_FIGURE_SIDE + 1,
            ..fig
        };
        let err = wide.to_png().unwrap_err();
        assert!(err.to_string().contains("the figure would be"), "{err}");
        assert!(wide.to_svg().is_err());
    }

    #[test]
    fn png_has_the_still_and_the_swatches() {
        let fig = Figure::still_with_strip(&still(), &palette(), 412, StripStyle::default());
        let png = image::load_from_memory(&fig.to_png().unwrap())
            .unwrap()
            .into_rgb8();
        assert_eq!((png.width(), png.height()), (fig.width(), fig.height()));
        // The still (green) on top, the red swatch below it, left; the blue one on the right.
        assert_eq!(png.get_pixel(20, 20).0, [0, 255, 0]);
        let strip_y = fig.height() - MARGIN - 5;
        assert_eq!(png.get_pixel(MARGIN + 5, strip_y).0, [255, 0, 0]);
        assert_eq!(
            png.get_pixel(fig.width() - MARGIN - 5, strip_y).0,
            [0, 0, 255]
        );
    }

    #[test]
    fn labels_are_rasterised_without_system_fonts() {
        let fig = Figure::swatch_grid(&palette(), 4);
        let png = image::load_from_memory(&fig.to_png().unwrap())
            .unwrap()
            .into_rgb8();
        // Dark caption pixels appear under the first square.
        let caption =
            (MARGIN..MARGIN + 96).flat_map(|x| (MARGIN + 100..MARGIN + 125).map(move |y| (x, y)));
        assert!(caption
            .into_iter()
            .any(|(x, y)| png.get_pixel(x, y).0[0] < 100));
    }

    /// The glyphs of a title in a PNG figure sit where `ab_glyph`'s own layout of the same
    /// string puts them: pen positions from advances and kerning, each outline offset by its
    /// left side bearing. (plotters 0.3.7 drew "k-means, RGB" as "k-m eans, R GB".)
    #[test]
    fn png_text_is_spaced_as_the_font_says() {
        use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
        let title = "k-means, RGB #271d19 22.6% Wij";
        let mut fig = Figure::new(600);
        fig.title(title);
        let fig = fig.finish();
        let png = image::load_from_memory(&fig.to_png().unwrap())
            .unwrap()
            .into_rgb8();
        let inked: Vec<bool> = (0..png.width())
            .map(|x| (0..png.height()).any(|y| png.get_pixel(x, y).0[0] < 150))
            .collect();
        // ab_glyph's layout, at an em of 16 pixels, from the title's left edge.
        let font = FontRef::try_from_slice(dejavu::sans::regular()).unwrap();
        let scale = PxScale::from(16.0 * font.height_unscaled() / font.units_per_em().unwrap());
        let scaled = font.as_scaled(scale);
        let (mut pen, mut previous, mut spans) = (MARGIN as f32, None, Vec::new());
        for ch in title.chars() {
            let id = scaled.glyph_id(ch);
            if let Some(p) = previous {
                pen += scaled.kern(p, id);
            }
            let glyph = id.with_scale_and_position(scale, point(pen, 0.0));
            if let Some(outline) = font.outline_glyph(glyph) {
                let b = outline.px_bounds();
                spans.push((ch, b.min.x.floor() as usize, b.max.x.ceil() as usize));
            }
            pen += scaled.h_advance(id);
            previous = Some(id);
        }
        for &(ch, from, to) in &spans {
            // Ink in the glyph's first and last columns (within a pixel) ...
            assert!(
                inked[from..=from + 1].iter().any(|&i| i),
                "{ch:?} does not start at column {from}"
            );
            assert!(
                inked[to - 2..=to - 1].iter().any(|&i| i),
                "{ch:?} does not end at column {to}"
            );
        }
        // ... and none in the gaps between glyphs.
        for (x, &ink) in inked.iter().enumerate() {
            let inside = spans.iter().any(|&(_, f, t)| (f..t).contains(&x));
            assert!(!ink || inside, "ink at column {x}, between glyphs");
        }
    }

    #[test]
    fn svg_embeds_the_still_and_text() {
        let svg = Figure::comparison(
            &still(),
            &[palette(), palette()],
            500,
            StripStyle::default(),
        )
        .to_svg()
        .unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("data:image/png;base64,"));
        assert!(svg.contains("#ff0000") && svg.contains("k-means, RGB"));
    }
}
