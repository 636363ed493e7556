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
use crate::text::{self, Anchor};

/// Font family name under which the bundled font is registered.
const FONT: &str = "sans-serif";
const MARGIN: u32 = 12;
const STRIP_HEIGHT: u32 = 72;
const TITLE_HEIGHT: u32 = 24;
/// The narrowest swatch of a strip, in pixels (unless the strip is too short for every
/// swatch to have it; then all are equal): a 0.5% accent in a 900-pixel figure would
/// otherwise be 4 pixels wide.
pub const MIN_SWATCH_WIDTH: u32 = 12;
/// Em sizes of a swatch's hex code and share, on the swatch and beneath the strip.
const HEX_SIZE: f32 = 13.0;
const SHARE_SIZE: f32 = 12.0;
const NOTE_SIZE: f32 = 11.0;
/// Height of one row of labels beneath a strip (hex code over share), and the most rows.
const NOTE_ROW: u32 = 28;
const MAX_NOTE_ROWS: usize = 4;
/// Swatches closer than this (CIELAB distance) to the white background get an outline.
const OUTLINE_DELTA_E: f32 = 12.0;
/// The colour of the outline of a swatch close to the background.
pub const OUTLINE_RGB: [u8; 3] = [150, 150, 150];

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
    /// Label every swatch with its hex code and share: on the swatch when they fit,
    /// otherwise beneath the strip, linked to the swatch by a line.
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

/// A tick step of 1, 2 or 5 times a power of ten, at least `rough`.
fn nice_step(rough: f64) -> f64 {
    if !(rough.is_finite() && rough > 0.0) {
        return 1.0;
    }
    let power = 10f64.powf(rough.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&s| s >= rough)
        .unwrap_or(10.0 * power)
}

/// A tick label: no decimals for whole numbers.
fn format_tick(value: f64) -> String {
    if (value - value.round()).abs() < 1e-9 {
        format!("{value:.0}")
    } else {
        format!("{value}")
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
    fn shifted(self, dx: i32) -> Item {
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

    /// A bar chart, 720 x 320: one bar per `(value, colour)` over `x_range`, left to right,
    /// axes labelled with `x_label` and `y_label` (values are percentages), and a legend.
    #[must_use]
    pub fn bar_chart(
        bars: &[(f64, [u8; 3])],
        x_range: (f64, f64),
        x_label: &str,
        y_label: &str,
        legend: &[(&str, [u8; 3])],
    ) -> Figure {
        const INK: [u8; 3] = [40, 40, 40];
        let (width, height) = (720u32, 320u32);
        let (left, right, top, bottom) = (64i32, 704i32, 44i32, 262i32);
        let mut fig = Figure {
            width,
            height,
            items: Vec::new(),
        };
        let max = bars.iter().map(|b| b.0).fold(0.0, f64::max);
        let step = nice_step(max / 4.0);
        let y_top = (max / step).ceil().max(1.0) * step;
        let y_of = |v: f64| bottom - ((v / y_top) * f64::from(bottom - top)).round() as i32;
        // Grid lines and their labels.
        let mut tick = 0.0;
        while tick <= y_top + step / 2.0 {
            let y = y_of(tick);
            fig.items.push(Item::Rect {
                x: left,
                y,
                w: (right - left) as u32,
                h: 1,
                rgb: if tick == 0.0 { INK } else { [225, 225, 225] },
            });
            fig.label(left - 6, y, &format_tick(tick), 12.0, INK, false);
            tick += step;
        }
        // Right-align the y labels: shift each by its width.
        for item in &mut fig.items {
            if let Item::Label { x, text, size, .. } = item {
                *x -= text::text_width(text, *size as f32).round() as i32;
            }
        }
        let n = bars.len().max(1);
        let span = f64::from(right - left) / n as f64;
        for (i, &(value, rgb)) in bars.iter().enumerate() {
            let x0 = left + (i as f64 * span).round() as i32;
            let x1 = left + ((i + 1) as f64 * span).round() as i32;
            let y = y_of(value);
            if x1 - x0 > 1 && bottom > y {
                fig.items.push(Item::Rect {
                    x: x0 + 1,
                    y,
                    w: (x1 - x0 - 1) as u32,
                    h: (bottom - y) as u32,
                    rgb,
                });
            }
        }
        // x ticks: five intervals.
        for i in 0..=5 {
            let value = x_range.0 + (x_range.1 - x_range.0) * f64::from(i) / 5.0;
            let x = left + ((right - left) * i) / 5;
            fig.items.push(Item::Rect {
                x,
                y: bottom,
                w: 1,
                h: 5,
                rgb: INK,
            });
            fig.label(x, bottom + 15, &format!("{value:.1}"), 12.0, INK, true);
        }
        fig.label((left + right) / 2, bottom + 40, x_label, 13.0, INK, true);
        fig.label(8, 20, y_label, 13.0, INK, false);
        // The legend, top right.
        let mut x = right;
        for (name, rgb) in legend.iter().rev() {
            let w = text::text_width(name, 12.0).round() as i32;
            x -= w;
            fig.label(x, 20, name, 12.0, INK, false);
            x -= 18;
            fig.swatch(x, 14, 12, 12, *rgb);
            x -= 16;
        }
        fig
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

    /// A filled rectangle of colour `rgb`, outlined when it would merge into the background.
    fn swatch(&mut self, x: i32, y: i32, w: u32, h: u32, rgb: [u8; 3]) {
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

    fn strip(&mut self, palette: &Palette, style: StripStyle) {
        let total = self.inner_width();
        let y = self.height as i32;
        let n = palette.len();
        let shares: Vec<f64> = if style.proportional {
            palette.colors.iter().map(|s| s.proportion).collect()
        } else {
            vec![1.0; n]
        };
        let widths = swatch_widths(&shares, total, MIN_SWATCH_WIDTH);
        // Swatches too narrow for their labels: (swatch centre, hex, share).
        let mut notes = Vec::new();
        let mut left = MARGIN as i32;
        for (swatch, &w) in palette.colors.iter().zip(&widths) {
            if w == 0 {
                continue;
            }
            self.swatch(left, y, w, STRIP_HEIGHT, swatch.rgb);
            let share = format!("{:.1}%", swatch.proportion * 100.0);
            let centre = left + w as i32 / 2;
            let fits = text::text_width(&swatch.hex, HEX_SIZE)
                .max(text::text_width(&share, SHARE_SIZE))
                + 6.0
                <= w as f32;
            if style.labels && fits {
                let ink = ink_on(swatch.rgb);
                let middle = y + STRIP_HEIGHT as i32 / 2;
                self.label(centre, middle - 9, &swatch.hex, HEX_SIZE, ink, true);
                self.label(centre, middle + 9, &share, SHARE_SIZE, ink, true);
            } else if style.labels {
                notes.push((centre, swatch.hex.clone(), share));
            }
            left += w as i32;
        }
        self.height += STRIP_HEIGHT;
        self.notes(&notes);
        self.height += MARGIN;
    }

    /// Labels beneath the strip for the swatches too narrow to hold them, each linked to
    /// its swatch by a line; spread out so none overlaps, over as few rows as that takes.
    fn notes(&mut self, notes: &[(i32, String, String)]) {
        if notes.is_empty() {
            return;
        }
        let widths: Vec<f32> = notes
            .iter()
            .map(|(_, hex, share)| {
                text::text_width(hex, NOTE_SIZE).max(text::text_width(share, NOTE_SIZE)) + 8.0
            })
            .collect();
        let (low, high) = (MARGIN as f32, (self.width - MARGIN) as f32);
        let centres: Vec<f32> = notes.iter().map(|(c, ..)| *c as f32).collect();
        let (rows, placed) = (1..=MAX_NOTE_ROWS)
            .map(|rows| (rows, spread(&centres, &widths, rows, low, high)))
            .find(|(_, placed)| placed.is_some())
            .map_or_else(
                || {
                    let placed = spread_anyway(&centres, &widths, MAX_NOTE_ROWS, low, high);
                    (MAX_NOTE_ROWS, placed)
                },
                |(rows, placed)| (rows, placed.unwrap_or_default()),
            );
        let top = self.height as i32;
        for (i, ((centre, hex, share), x)) in notes.iter().zip(placed).enumerate() {
            let row = (i % rows) as i32;
            let label_top = top + 8 + row * NOTE_ROW as i32;
            self.items.push(Item::Line {
                from: (*centre, top),
                to: (x.round() as i32, label_top),
                rgb: [110, 110, 110],
            });
            let x = x.round() as i32;
            self.label(x, label_top + 7, hex, NOTE_SIZE, [40, 40, 40], true);
            self.label(x, label_top + 20, share, NOTE_SIZE, [40, 40, 40], true);
        }
        self.height += 8 + rows as u32 * NOTE_ROW;
    }

    fn label(&mut self, x: i32, y: i32, text: &str, size: f32, rgb: [u8; 3], centred: bool) {
        self.items.push(Item::Label {
            x,
            y,
            text: text.to_owned(),
            size: f64::from(size),
            rgb,
            centred,
        });
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
        std::fs::write(path, bytes).map_err(|source| Error::Io {
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

/// Integer widths for swatches of `shares` filling `total` pixels: proportional, except that
/// none is narrower than `min` (or than `total / n`, when `n` swatches of `min` do not fit).
/// The widths sum to `total`.
#[must_use]
pub fn swatch_widths(shares: &[f64], total: u32, min: u32) -> Vec<u32> {
    let n = shares.len();
    if n == 0 {
        return Vec::new();
    }
    let min = f64::from(min.min(total / n as u32));
    let shares: Vec<f64> = shares
        .iter()
        .map(|s| if s.is_finite() { s.max(0.0) } else { 0.0 })
        .collect();
    // Swatches held at the minimum; the rest share what is left in proportion.
    let mut held = vec![false; n];
    let (free_width, free_share) = loop {
        let held_count = held.iter().filter(|&&h| h).count() as f64;
        let free_width = f64::from(total) - min * held_count;
        let free_share: f64 = (0..n).filter(|&i| !held[i]).map(|i| shares[i]).sum();
        let mut changed = false;
        for i in 0..n {
            if !held[i] && (free_share <= 0.0 || shares[i] / free_share * free_width < min) {
                held[i] = true;
                changed = true;
            }
        }
        if !changed {
            break (free_width, free_share);
        }
    };
    // Edges from cumulative widths, so rounding never leaves a gap at the end.
    let mut widths = Vec::with_capacity(n);
    let (mut edge, mut previous) = (0.0f64, 0u32);
    for i in 0..n {
        edge += if held[i] {
            min
        } else {
            shares[i] / free_share * free_width
        };
        let end = if i + 1 == n {
            total
        } else {
            (edge.round() as u32).min(total)
        };
        widths.push(end.saturating_sub(previous));
        previous = end;
    }
    widths
}

/// Places labels of `widths` as near `centres` as they go without overlapping, alternating
/// over `rows` rows, within `low..high`; `None` when they do not fit.
fn spread(centres: &[f32], widths: &[f32], rows: usize, low: f32, high: f32) -> Option<Vec<f32>> {
    let mut placed = centres.to_vec();
    for row in 0..rows {
        let members: Vec<usize> = (row..centres.len()).step_by(rows).collect();
        let needed: f32 = members.iter().map(|&i| widths[i]).sum();
        if needed > high - low {
            return None;
        }
        // Left to right: no overlap with the one before; then right to left: inside `high`.
        let mut right_edge = low;
        for &i in &members {
            placed[i] = centres[i].max(right_edge + widths[i] / 2.0);
            right_edge = placed[i] + widths[i] / 2.0;
        }
        let mut left_edge = high;
        for &i in members.iter().rev() {
            placed[i] = placed[i].min(left_edge - widths[i] / 2.0);
            left_edge = placed[i] - widths[i] / 2.0;
        }
    }
    Some(placed)
}

/// [`spread`] for labels that cannot all fit: evenly spaced across the width instead.
fn spread_anyway(centres: &[f32], widths: &[f32], rows: usize, low: f32, high: f32) -> Vec<f32> {
    spread(centres, widths, rows, low, high).unwrap_or_else(|| {
        let per_row = centres.len().div_ceil(rows).max(1) as f32;
        (0..centres.len())
            .map(|i| low + (high - low) * (((i / rows) as f32 + 0.5) / per_row))
            .collect()
    })
}

/// Whether `rgb` is so close to the white background that a swatch of it needs an outline.
fn near_background(rgb: [u8; 3]) -> bool {
    let lab = crate::space::lab(rgb);
    let white = crate::space::lab([255, 255, 255]);
    let d =
        ((lab.l - white.l).powi(2) + (lab.a - white.a).powi(2) + (lab.b - white.b).powi(2)).sqrt();
    d < OUTLINE_DELTA_E
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
    fn drawn_widths(proportional: bool) -> Vec<u32> {
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
        assert_eq!(drawn_widths(true), vec![291, 97]);
        assert_eq!(drawn_widths(false), vec![194, 194]);
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
    fn every_swatch_is_at_least_the_minimum_width() {
        let widths = swatch_widths(&[0.5, 0.49, 0.005, 0.005], 876, MIN_SWATCH_WIDTH);
        assert_eq!(widths.iter().sum::<u32>(), 876);
        assert_eq!(&widths[2..], &[12, 12]);
        assert!(widths[0] > widths[1]);
        // Too many swatches for the minimum: all equal.
        let tiny = swatch_widths(&[0.9, 0.1, 0.0], 20, MIN_SWATCH_WIDTH);
        assert_eq!(tiny, vec![8, 6, 6]);
        assert_eq!(swatch_widths(&[], 100, 12), Vec::<u32>::new());
        assert_eq!(swatch_widths(&[f64::NAN, 1.0], 100, 12), vec![12, 88]);
    }

    #[test]
    fn narrow_swatches_are_labelled_beneath_and_pale_ones_outlined() {
        let palette = Palette::from_weights(
            4,
            Method::Kmeans,
            ColorSpace::Rgb,
            [
                ([200, 40, 30], 60.0),
                ([250, 250, 250], 39.0),
                ([0, 200, 220], 0.5),
                ([0, 0, 0], 0.5),
            ],
        );
        let fig = Figure::still_with_strip(&still(), &palette, 900, StripStyle::default());
        let labels: Vec<&str> = fig
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Label { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        // Every swatch has its hex code and share, the narrow ones beneath the strip.
        for hex in palette.hex_codes() {
            assert!(labels.contains(&hex.as_str()), "{hex} not labelled");
        }
        assert_eq!(labels.iter().filter(|l| **l == "0.5%").count(), 2);
        let lines = fig.items.iter().filter(|i| matches!(i, Item::Line { .. }));
        assert_eq!(lines.count(), 2);
        let frames: Vec<[u8; 3]> = fig
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Frame { .. } => Some(OUTLINE_RGB),
                _ => None,
            })
            .collect();
        assert_eq!(frames.len(), 1, "only the near-white swatch is outlined");
        // Equal swatches too narrow for text are labelled beneath as well.
        let equal = StripStyle {
            proportional: false,
            labels: true,
        };
        let k16 = Palette::from_weights(
            16,
            Method::Kmeans,
            ColorSpace::Rgb,
            (0..16u8).map(|i| ([i * 15, 100, 200 - i * 10], 1.0)),
        );
        let fig = Figure::still_with_strip(&still(), &k16, 400, equal);
        let labelled = fig
            .items
            .iter()
            .filter(|i| matches!(i, Item::Label { text, .. } if text.starts_with('#')))
            .count();
        assert_eq!(labelled, 16);
        fig.to_png().unwrap();
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
