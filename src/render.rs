//! Figures drawn with `plotters`: a still with its palette strip, the four-way comparison
//! of the original analysis, and a palette as a grid of squares; as PNG or SVG.
//!
//! A figure is first laid out as a list of [`Item`]s, then drawn by either backend, so the
//! PNG and the SVG always agree. Text uses DejaVu Sans compiled into the binary, so figures
//! render the same on a machine with no fonts installed.

use std::io::Cursor;
use std::path::Path;
use std::sync::Once;

use base64::Engine as _;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::{Error, Result};
use crate::load::Still;
use crate::palette::Palette;

/// Font family name under which the bundled font is registered.
const FONT: &str = "sans-serif";
const MARGIN: u32 = 12;
const STRIP_HEIGHT: u32 = 72;
const TITLE_HEIGHT: u32 = 24;
/// Swatches narrower than this get no label.
const MIN_LABEL_WIDTH: u32 = 64;

/// A still is drawn within a box as wide as the figure's inside and at most this many
/// times as tall, keeping its aspect ratio, so a figure's size never depends on the still's
/// shape (a 1x30 000 still scaled to the figure's width would be 26 million pixels tall).
pub const MAX_PICTURE_ASPECT: u32 = 2;
/// The largest side of a figure that is drawn, in pixels.
pub const MAX_FIGURE_SIDE: u32 = 16_384;
/// The largest figure that is drawn, in pixels (its bitmap: 3 bytes a pixel).
pub const MAX_FIGURE_PIXELS: u64 = 64_000_000;

/// How a palette strip is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StripStyle {
    /// Swatch widths follow the colours' proportions (otherwise all equal, as the original).
    pub proportional: bool,
    /// Print the hex code (and share) on each swatch wide enough to hold it.
    pub labels: bool,
}

impl Default for StripStyle {
    fn default() -> Self {
        Self {
            proportional: true,
            labels: true,
        }
    }
}

/// Something placed on a figure, in pixels from the top left.
#[derive(Debug, Clone)]
enum Item {
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
    Label {
        x: i32,
        y: i32,
        text: String,
        size: f64,
        rgb: [u8; 3],
        centred: bool,
    },
}

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
        let mut fig = Figure::new(width);
        fig.picture(still);
        for palette in palettes {
            fig.title(&palette.title());
            fig.strip(palette, style);
        }
        fig.finish()
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
            fig.items.push(Item::Rect {
                x,
                y,
                w: SIDE,
                h: SIDE,
                rgb: swatch.rgb,
            });
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

    fn new(width: u32) -> Figure {
        Figure {
            width: width.max(2 * MARGIN + 16),
            height: MARGIN,
            items: Vec::new(),
        }
    }

    fn inner_width(&self) -> u32 {
        self.width - 2 * MARGIN
    }

    fn picture(&mut self, still: &Still) {
        let (box_w, box_h) = (
            self.inner_width(),
            self.inner_width().saturating_mul(MAX_PICTURE_ASPECT),
        );
        let (w, h) = fit(still.width(), still.height(), box_w, box_h);
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

    fn title(&mut self, text: &str) {
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

    fn strip(&mut self, palette: &Palette, style: StripStyle) {
        let total = self.inner_width();
        let y = self.height as i32;
        let n = palette.len().max(1);
        let mut x = 0u32;
        let mut share = 0.0;
        for (i, swatch) in palette.colors.iter().enumerate() {
            // Edges from cumulative shares, so rounding never leaves a gap at the end.
            share += if style.proportional {
                swatch.proportion
            } else {
                1.0 / n as f64
            };
            let end = if i + 1 == n {
                total
            } else {
                (share * f64::from(total)).round() as u32
            };
            let w = end.saturating_sub(x);
            if w > 0 {
                let left = MARGIN as i32 + x as i32;
                self.items.push(Item::Rect {
                    x: left,
                    y,
                    w,
                    h: STRIP_HEIGHT,
                    rgb: swatch.rgb,
                });
                if style.labels && w >= MIN_LABEL_WIDTH {
                    let ink = ink_on(swatch.rgb);
                    let centre = left + w as i32 / 2;
                    let middle = y + STRIP_HEIGHT as i32 / 2;
                    self.items.push(Item::Label {
                        x: centre,
                        y: middle - 9,
                        text: swatch.hex.clone(),
                        size: 13.0,
                        rgb: ink,
                        centred: true,
                    });
                    self.items.push(Item::Label {
                        x: centre,
                        y: middle + 9,
                        text: format!("{:.1}%", swatch.proportion * 100.0),
                        size: 12.0,
                        rgb: ink,
                        centred: true,
                    });
                }
            }
            x = end;
        }
        self.height += STRIP_HEIGHT + MARGIN;
    }

    fn finish(mut self) -> Figure {
        self.height = self.height.max(2 * MARGIN);
        self
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
        let image = image::RgbImage::from_raw(self.width, self.height, buffer)
            .ok_or_else(|| Error::Render("bitmap size mismatch".into()))?;
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
        std::fs::write(path, bytes).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })
    }

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

/// The largest size with the aspect ratio of `width` x `height` that fits `box_w` x `box_h`
/// (at least 1 x 1): full width unless that would be taller than the box.
fn fit(width: u32, height: u32, box_w: u32, box_h: u32) -> (u32, u32) {
    let (sw, sh) = (u64::from(width.max(1)), u64::from(height.max(1)));
    let (bw, bh) = (u64::from(box_w.max(1)), u64::from(box_h.max(1)));
    let (w, h) = if sh * bw <= bh * sw {
        (bw, sh * bw / sw)
    } else {
        ((sw * bh + sh / 2) / sh, bh)
    };
    (w.clamp(1, bw) as u32, h.clamp(1, bh) as u32)
}

/// Black or white, whichever reads better on `rgb`.
fn ink_on([r, g, b]: [u8; 3]) -> [u8; 3] {
    let luma = 0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b);
    if luma > 140.0 {
        [20, 20, 20]
    } else {
        [250, 250, 250]
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
    use crate::{ColorSpace, Method};

    fn palette() -> Palette {
        Palette::from_weights(
            2,
            Method::Kmeans,
            ColorSpace::Rgb,
            [([255, 0, 0], 3.0), ([0, 0, 255], 1.0)],
        )
    }

    fn still() -> Still {
        Still::from_rgb(4, 2, &[[0, 255, 0]; 8]).unwrap()
    }

    /// The widths of the swatches of a 412-pixel figure of `palette()`.
    fn swatch_widths(proportional: bool) -> Vec<u32> {
        let style = StripStyle {
            proportional,
            labels: false,
        };
        let fig = Figure::still_with_strip(&still(), &palette(), 412, style);
        fig.items
            .iter()
            .filter_map(|i| match i {
                Item::Rect { w, .. } => Some(*w),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_still_of_any_shape_fits_the_picture_box() {
        assert_eq!(fit(965, 509, 876, 1752), (876, 462));
        assert_eq!(fit(1, 30_000, 876, 1752), (1, 1752));
        assert_eq!(fit(64, 30_000, 876, 1752), (4, 1752));
        assert_eq!(fit(30_000, 1, 876, 1752), (876, 1));
        assert_eq!(fit(100, 200, 876, 1752), (876, 1752));
        let tall = Still::from_rgb(1, 3000, &[[0, 0, 0]; 3000]).unwrap();
        let fig = Figure::still_with_strip(&tall, &palette(), 412, StripStyle::default());
        assert_eq!(
            fig.height(),
            MARGIN + 2 * 388 + MARGIN + STRIP_HEIGHT + MARGIN
        );
    }

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
    fn strip_widths_follow_proportions() {
        assert_eq!(swatch_widths(true), vec![291, 97]);
        assert_eq!(swatch_widths(false), vec![194, 194]);
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
