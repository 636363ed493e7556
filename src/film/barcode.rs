//! The movie barcode: one column per sampled frame, left to right in time, with a time axis
//! underneath and, optionally, the scene boundaries marked. Three styles:
//! - **mean**: the frame's mean colour, averaged in linear light (gamma-correct: averaging
//!   sRGB numbers darkens every mix);
//! - **squeeze**: the frame squeezed to one column, each row its mean in linear light, so a
//!   sky above a sea keeps its vertical gradient;
//! - **palette**: the frame's own palette, stacked top to bottom by share.
//!
//! Drawn as a [`Figure`], so PNG and SVG agree and text goes through the same drawing code
//! as every other figure.

use palette::{LinSrgb, Srgb};

use crate::error::Result;
use crate::load::Still;
use crate::named::names;
use crate::pipeline::ValidOptions;
use crate::render::ticks::{clock_label, clock_step, marks};
use crate::render::Figure;
use crate::space::linear_table;

use super::Frame;

/// How each frame becomes a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum BarcodeStyle {
    /// The frame's mean colour in linear light.
    #[default]
    Mean,
    /// The frame squeezed to one column (each row's mean in linear light).
    Squeeze,
    /// The frame's palette, stacked by share.
    Palette,
}

names! {
    BarcodeStyle, "barcode style";
    /// Every style, in the order they are documented.
    ALL;
    /// The lower-case name used on the command line and by the Python package.
    name;
    Mean => "mean",
    Squeeze => "squeeze",
    Palette => "palette",
}

/// Rows a squeezed column keeps (resampled to the barcode's height when drawn).
pub const SQUEEZE_ROWS: usize = 96;
/// Height of the barcode itself, in pixels.
pub const BARCODE_HEIGHT: u32 = 240;
/// The barcode is drawn at least this wide: columns are widened to whole pixels.
pub const MIN_WIDTH: u32 = 1000;
const MARGIN: u32 = 12;
const AXIS_HEIGHT: u32 = 34;
const MARK_HEIGHT: u32 = 8;
/// Em of the time axis's labels, in pixels.
const TICK_LABEL_SIZE: f32 = 12.0;

/// One frame's column.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// One colour.
    Mean([u8; 3]),
    /// [`SQUEEZE_ROWS`] colours, top to bottom.
    Squeeze(Vec<[u8; 3]>),
    /// Colours and their shares, largest first.
    Palette(Vec<([u8; 3], f64)>),
}

/// The 8-bit sRGB colour of a linear-light mean.
fn from_linear(sum: [f64; 3], n: f64) -> [u8; 3] {
    if n <= 0.0 {
        return [0, 0, 0];
    }
    let lin = LinSrgb::new(
        (sum[0] / n) as f32,
        (sum[1] / n) as f32,
        (sum[2] / n) as f32,
    );
    let srgb: Srgb<u8> = Srgb::from_linear(lin);
    [srgb.red, srgb.green, srgb.blue]
}

impl Column {
    /// The column of `frame` in `style` (the palette style clusters the frame with
    /// `options`).
    pub(crate) fn of(
        frame: &Frame<'_>,
        style: BarcodeStyle,
        options: &ValidOptions,
    ) -> Result<Column> {
        let table = linear_table();
        let (w, h) = (frame.width as usize, frame.height as usize);
        Ok(match style {
            BarcodeStyle::Mean | BarcodeStyle::Squeeze => {
                let bands = if style == BarcodeStyle::Mean {
                    1
                } else {
                    SQUEEZE_ROWS
                };
                let mut sums = vec![[0f64; 3]; bands];
                let mut counts = vec![0f64; bands];
                for (y, row) in frame.pixels.chunks_exact(w * frame.channels).enumerate() {
                    let band = y * bands / h;
                    let mut s = [0f64; 3];
                    for p in row.chunks_exact(frame.channels) {
                        for d in 0..3 {
                            s[d] += f64::from(table[usize::from(p[d])]);
                        }
                    }
                    for d in 0..3 {
                        sums[band][d] += s[d];
                    }
                    counts[band] += w as f64;
                }
                // A frame lower than the bands leaves some empty: they take the band above.
                let mut colors: Vec<[u8; 3]> = Vec::with_capacity(bands);
                for (s, &n) in sums.iter().zip(&counts) {
                    let c = if n > 0.0 {
                        from_linear(*s, n)
                    } else {
                        colors.last().copied().unwrap_or_default()
                    };
                    colors.push(c);
                }
                if style == BarcodeStyle::Mean {
                    Column::Mean(colors[0])
                } else {
                    Column::Squeeze(colors)
                }
            }
            BarcodeStyle::Palette => {
                let still = frame.to_still()?;
                let palette = options.extract(&still)?;
                Column::Palette(
                    palette
                        .colors
                        .iter()
                        .map(|s| (s.rgb, s.proportion))
                        .collect(),
                )
            }
        })
    }

    /// The column's colour at `y` of `height` rows.
    fn color_at(&self, y: u32, height: u32) -> [u8; 3] {
        let f = (f64::from(y) + 0.5) / f64::from(height);
        match self {
            Column::Mean(c) => *c,
            Column::Squeeze(rows) => {
                let i = ((f * rows.len() as f64) as usize).min(rows.len().saturating_sub(1));
                rows.get(i).copied().unwrap_or_default()
            }
            Column::Palette(swatches) => {
                let mut edge = 0.0;
                for &(c, share) in swatches {
                    edge += share;
                    if f < edge {
                        return c;
                    }
                }
                swatches.last().map(|s| s.0).unwrap_or_default()
            }
        }
    }
}

/// A film's barcode: its columns with the time each stands for, and the cuts.
#[derive(Debug, Clone, PartialEq)]
pub struct Barcode {
    /// The style the columns were made in.
    pub style: BarcodeStyle,
    /// Each sampled frame's column, with its start and length in seconds.
    pub columns: Vec<(f64, f64, Column)>,
    /// The film's length in seconds.
    pub duration_s: f64,
}

impl Barcode {
    pub(crate) fn new(style: BarcodeStyle) -> Self {
        Self {
            style,
            columns: Vec::new(),
            duration_s: 0.0,
        }
    }

    /// The barcode alone as a still, `width` x [`BARCODE_HEIGHT`] (for a figure with a strip).
    pub fn to_still(&self, width: u32) -> Result<Still> {
        self.bitmap(width)
    }

    /// The barcode's own bitmap: `width` x [`BARCODE_HEIGHT`], each column over the time it
    /// stands for.
    fn bitmap(&self, width: u32) -> Result<Still> {
        let height = BARCODE_HEIGHT;
        let mut pixels = vec![[255u8; 3]; width as usize * height as usize];
        let x_of = |t: f64| ((t / self.duration_s.max(1e-9)) * f64::from(width)).round() as u32;
        for (start, length, column) in &self.columns {
            let (x0, x1) = (x_of(*start).min(width), x_of(start + length).min(width));
            let x1 = x1.max((x0 + 1).min(width));
            for y in 0..height {
                let c = column.color_at(y, height);
                let row = y as usize * width as usize;
                pixels[row + x0 as usize..row + x1 as usize].fill(c);
            }
        }
        Still::from_rgb(width, height, &pixels)
    }

    /// The barcode as a figure: the columns, a time axis, and a mark at each of `cuts`
    /// (seconds) when given.
    pub fn figure(&self, cuts: &[f64]) -> Result<Figure> {
        let n = self.columns.len().max(1) as u32;
        let width = n * MIN_WIDTH.div_ceil(n);
        let top = MARGIN + MARK_HEIGHT;
        let mut fig = Figure::blank(
            width + 2 * MARGIN,
            top + BARCODE_HEIGHT + AXIS_HEIGHT + MARGIN,
        );
        fig.add_picture(MARGIN as i32, top as i32, self.bitmap(width)?);
        let x_of = |t: f64| {
            MARGIN as i32 + ((t / self.duration_s.max(1e-9)) * f64::from(width)).round() as i32
        };
        for &cut in cuts {
            let x = x_of(cut);
            fig.add_rect(x - 1, MARGIN as i32, 3, MARK_HEIGHT - 2, [200, 30, 30]);
            fig.add_rect(x, top as i32, 1, BARCODE_HEIGHT, [255, 255, 255]);
        }
        let axis_y = (top + BARCODE_HEIGHT + 3) as i32;
        fig.add_rect(MARGIN as i32, axis_y, width, 1, [90, 90, 90]);
        let step = clock_step(self.duration_s);
        let figure_width = (width + 2 * MARGIN) as f32;
        for t in marks(step, self.duration_s + 1e-9) {
            let x = x_of(t);
            fig.add_rect(x, axis_y, 1, 6, [90, 90, 90]);
            // Centred on its tick, but kept whole inside the figure: "0:00" is wider than
            // the margin it would overhang.
            let label = clock_label(t, step);
            let half = crate::text::text_width(&label, TICK_LABEL_SIZE) / 2.0 + 3.0;
            let centre = (x as f32).clamp(half, (figure_width - half).max(half));
            fig.add_label(
                centre.round() as i32,
                axis_y + 17,
                label,
                f64::from(TICK_LABEL_SIZE),
                [40, 40, 40],
                true,
            );
        }
        Ok(fig)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PaletteOptions;

    #[test]
    fn the_mean_is_taken_in_linear_light_and_squeeze_keeps_rows() {
        let options = PaletteOptions::new().k(2).check().unwrap();
        // Half black, half white rows: the gamma-correct mean is sRGB 188, not 128.
        let mut pixels = [0u8; 3].repeat(8 * 4);
        pixels.extend([255u8; 3].repeat(8 * 4));
        let frame = Frame::new(&pixels, 3, 8, 8).unwrap();
        assert_eq!(
            Column::of(&frame, BarcodeStyle::Mean, &options).unwrap(),
            Column::Mean([188, 188, 188])
        );
        let Column::Squeeze(rows) = Column::of(&frame, BarcodeStyle::Squeeze, &options).unwrap()
        else {
            panic!("a squeezed column")
        };
        assert_eq!(rows.len(), SQUEEZE_ROWS);
        assert_eq!((rows[0], rows[SQUEEZE_ROWS - 1]), ([0; 3], [255; 3]));
        let Column::Palette(swatches) =
            Column::of(&frame, BarcodeStyle::Palette, &options).unwrap()
        else {
            panic!("a palette column")
        };
        assert_eq!(swatches.len(), 2);
        assert!((swatches[0].1 - 0.5).abs() < 1e-9);
    }

    #[test]
    fn styles_go_by_their_names() {
        for style in BarcodeStyle::ALL {
            assert_eq!(style.name().parse::<BarcodeStyle>().unwrap(), style);
        }
        assert_eq!(BarcodeStyle::default().name(), "mean");
        let e = "stripes".parse::<BarcodeStyle>().unwrap_err().to_string();
        assert!(e.contains("unknown barcode style \"stripes\""), "{e}");
    }

    #[test]
    fn columns_follow_time_and_the_axis_is_labelled() {
        let mut barcode = Barcode::new(BarcodeStyle::Mean);
        barcode.duration_s = 3.0;
        barcode.columns = vec![
            (0.0, 2.0, Column::Mean([200, 0, 0])),
            (2.0, 1.0, Column::Mean([0, 0, 200])),
        ];
        let bitmap = barcode.bitmap(300).unwrap();
        let rgb = bitmap.rgb();
        assert_eq!(rgb.get_pixel(199, 100).0, [200, 0, 0]);
        assert_eq!(rgb.get_pixel(200, 100).0, [0, 0, 200]);
        let figure = barcode.figure(&[2.0]).unwrap();
        assert!(figure.width() >= MIN_WIDTH);
        assert!(figure.to_png().is_ok() && figure.to_svg().unwrap().contains("2.0s"));
    }

    /// The first and last tick labels ("0:00" and the end) are drawn whole: no ink touches
    /// the figure's left or right edge under the axis.
    #[test]
    fn the_end_labels_stay_inside_the_figure() {
        let mut barcode = Barcode::new(BarcodeStyle::Mean);
        barcode.duration_s = 600.0;
        barcode.columns = vec![(0.0, 600.0, Column::Mean([120, 120, 120]))];
        let png = image::load_from_memory(&barcode.figure(&[]).unwrap().to_png().unwrap())
            .unwrap()
            .into_rgb8();
        let below_axis = MARGIN + MARK_HEIGHT + BARCODE_HEIGHT + 6..png.height();
        for x in [0, 1, png.width() - 2, png.width() - 1] {
            for y in below_axis.clone() {
                assert!(
                    png.get_pixel(x, y).0[0] > 200,
                    "ink at ({x}, {y}): a label is cut by the edge"
                );
            }
        }
        // The labels are there: ink near the left end, under the first tick.
        let inked =
            (2..MARGIN + 20).any(|x| below_axis.clone().any(|y| png.get_pixel(x, y).0[0] < 120));
        assert!(inked, "no \"0:00\" label");
    }
}
