//! Colour spaces in which pixels are clustered, and every sRGB -> CIELAB conversion.
//!
//! Each space maps an sRGB colour to a point in 3-D where Euclidean distance is meaningful,
//! and maps a cluster centre back. Conversions come from the `palette` crate; 8-bit colours
//! go through a table of the sRGB transfer function, so the clustering's CIELAB ([`lab`])
//! costs no `powf`, while the quality scores use `palette`'s conversion in `f64`
//! ([`lab64`]), as the reference scorer does.

use std::sync::OnceLock;

use ::palette::white_point::D65;
use ::palette::{FromColor, Hsv, IntoColor, Lab, LinSrgb, RgbHue, Srgb};
use serde::{Deserialize, Serialize};

use crate::named::names;

/// Where distances between colours are measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum ColorSpace {
    /// sRGB channels scaled to 0..1, as the original notebook did.
    Rgb,
    /// HSV as a cone: hue is an angle, so 359 and 1 degree are neighbours, and the radius is
    /// saturation x value, so near-black pixels (whose hue is noise) meet at the tip.
    Hsv,
    /// CIELAB (D65), roughly perceptually uniform: L 0..100, a and b about -128..127. The
    /// default: its distances are the closest of the three to CIEDE2000, by which palettes
    /// are judged (see `QUALITY.md`).
    #[default]
    Lab,
}

names! {
    ColorSpace, "space";
    /// Every space, in display order.
    ALL;
    /// The lower-case name used on the command line, in JSON and in URLs.
    name;
    Rgb => "rgb",
    Hsv => "hsv",
    Lab => "lab",
}

impl ColorSpace {
    /// The point of an 8-bit sRGB colour in this space.
    #[must_use]
    pub fn embed(self, [r, g, b]: [u8; 3]) -> [f32; 3] {
        let unit = unit_table();
        let rgb = Srgb::new(unit[r as usize], unit[g as usize], unit[b as usize]);
        self.point(rgb, || linear([r, g, b]))
    }

    /// The point of a mean sRGB colour, channels 0..=255 and not necessarily whole (the
    /// mean colour of a pool of pixels). Agrees with [`ColorSpace::embed`] on whole values.
    #[must_use]
    pub fn embed_mean(self, rgb: [f32; 3]) -> [f32; 3] {
        let [r, g, b] = rgb.map(|c| c.clamp(0.0, 255.0));
        self.point(Srgb::new(r / 255.0, g / 255.0, b / 255.0), || {
            LinSrgb::new(linear_between(r), linear_between(g), linear_between(b))
        })
    }

    fn point(self, rgb: Srgb, linear: impl FnOnce() -> LinSrgb) -> [f32; 3] {
        match self {
            ColorSpace::Rgb => [rgb.red, rgb.green, rgb.blue],
            ColorSpace::Hsv => {
                let hsv = Hsv::from_color(rgb);
                let radius = hsv.saturation * hsv.value;
                let (sin, cos) = hsv.hue.into_radians().sin_cos();
                [radius * cos, radius * sin, hsv.value]
            }
            ColorSpace::Lab => {
                let lab = Lab::from_color(linear());
                [lab.l, lab.a, lab.b]
            }
        }
    }

    /// The nearest 8-bit sRGB colour to a point of this space (out-of-gamut points are clamped).
    #[must_use]
    pub fn to_rgb(self, [x, y, z]: [f32; 3]) -> [u8; 3] {
        let rgb: Srgb = match self {
            ColorSpace::Rgb => Srgb::new(x, y, z),
            ColorSpace::Hsv => {
                let value = z.clamp(0.0, 1.0);
                let radius = x.hypot(y);
                let saturation = if value > 0.0 {
                    (radius / value).min(1.0)
                } else {
                    0.0
                };
                let hue = RgbHue::from_radians(y.atan2(x));
                Hsv::new(hue, saturation, value).into_color()
            }
            ColorSpace::Lab => Lab::new(x, y, z).into_color(),
        };
        let clamp = |c: f32| (c.clamp(0.0, 1.0) * 255.0).round() as u8;
        [clamp(rgb.red), clamp(rgb.green), clamp(rgb.blue)]
    }
}

/// CIELAB (D65) of an 8-bit sRGB colour, as the clustering sees it.
#[must_use]
pub fn lab(rgb: [u8; 3]) -> Lab {
    let [l, a, b] = ColorSpace::Lab.embed(rgb);
    Lab::new(l, a, b)
}

/// CIELAB (D65) of an sRGB colour with channels as fractions (0..=1), through `palette`.
#[must_use]
pub fn lab_of_fraction([r, g, b]: [f32; 3]) -> Lab {
    Lab::from_color(Srgb::new(r, g, b).into_linear())
}

/// CIELAB (D65) of an 8-bit sRGB colour in `f64`, for the quality scores.
#[must_use]
pub fn lab64([r, g, b]: [u8; 3]) -> Lab<D65, f64> {
    Lab::from_color(Srgb::new(r, g, b).into_format::<f64>())
}

/// A coordinate of a colour space's points: `f32` for clustering, `f64` where distances
/// are summed or matched.
pub(crate) trait Coordinate:
    Copy + std::ops::Add<Output = Self> + std::ops::Sub<Output = Self> + std::ops::Mul<Output = Self>
{
    /// The square root.
    fn sqrt(self) -> Self;
}

impl Coordinate for f32 {
    fn sqrt(self) -> Self {
        f32::sqrt(self)
    }
}

impl Coordinate for f64 {
    fn sqrt(self) -> Self {
        f64::sqrt(self)
    }
}

/// The squared Euclidean distance between two points: the measure every clustering method
/// minimises, summed in axis order so that every caller gets the same bits.
#[inline]
pub(crate) fn distance2<T: Coordinate>(a: [T; 3], b: [T; 3]) -> T {
    let (x, y, z) = (a[0] - b[0], a[1] - b[1], a[2] - b[2]);
    x * x + y * y + z * z
}

/// The Euclidean distance between two points (in CIELAB, CIEDE76).
#[inline]
pub(crate) fn distance<T: Coordinate>(a: [T; 3], b: [T; 3]) -> T {
    distance2(a, b).sqrt()
}

/// `palette`'s sRGB transfer function for each 8-bit level, computed once: the same numbers
/// as `into_linear`, without three `powf` per colour (also the barcode's gamma-correct means).
pub(crate) fn linear_table() -> &'static [f32; 256] {
    static TABLE: OnceLock<[f32; 256]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let unit = unit_table();
        std::array::from_fn(|i| Srgb::new(unit[i], 0.0, 0.0).into_linear().red)
    })
}

/// Each 8-bit level as `palette` scales it to 0..=1, computed once: the same numbers as
/// `into_format`'s, looked up. Converted one by one, the colours of the cells a boundary
/// crosses took 1.7 times as long to assign as with this table (on the load-test still).
fn unit_table() -> &'static [f32; 256] {
    static TABLE: OnceLock<[f32; 256]> = OnceLock::new();
    TABLE.get_or_init(|| std::array::from_fn(|i| Srgb::new(i as u8, 0, 0).into_format::<f32>().red))
}

/// Linear-light RGB of an 8-bit sRGB colour.
fn linear([r, g, b]: [u8; 3]) -> LinSrgb {
    let table = linear_table();
    LinSrgb::new(table[r as usize], table[g as usize], table[b as usize])
}

/// Linear light of a level between two whole levels (0..=255), interpolated in the table:
/// the transfer curve is so smooth over one level that the error stays below 1e-4.
fn linear_between(level: f32) -> f32 {
    let table = linear_table();
    let low = (level.floor() as usize).min(254);
    let t = level - low as f32;
    table[low] + (table[low + 1] - table[low]) * t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_rgb_point_is_the_level_as_palette_scales_it() {
        for level in 0..=255u8 {
            let rgb = [level, 255 - level, level / 3];
            let by_palette: Srgb = Srgb::new(rgb[0], rgb[1], rgb[2]).into_format();
            let expected = [by_palette.red, by_palette.green, by_palette.blue];
            assert_eq!(
                ColorSpace::Rgb.embed(rgb).map(f32::to_bits),
                expected.map(f32::to_bits),
                "{rgb:?}"
            );
        }
    }

    #[test]
    fn every_space_round_trips_8_bit_colours() {
        for space in ColorSpace::ALL {
            for rgb in [
                [0, 0, 0],
                [255, 255, 255],
                [255, 0, 0],
                [12, 200, 99],
                [128, 128, 130],
            ] {
                assert_eq!(space.to_rgb(space.embed(rgb)), rgb, "{space} {rgb:?}");
            }
        }
    }

    #[test]
    fn hue_is_an_angle_in_hsv() {
        let hsv = ColorSpace::Hsv;
        // Two reds either side of 0 degrees are close; the mean of their points is red, not cyan.
        let (a, b) = (hsv.embed([255, 0, 21]), hsv.embed([255, 21, 0]));
        assert!(distance(a, b) < 0.2);
        let mean = [0, 1, 2].map(|i| (a[i] + b[i]) / 2.0);
        let [r, g, bl] = hsv.to_rgb(mean);
        assert!(r > 240 && g < 20 && bl < 20, "{:?}", [r, g, bl]);
        // While red and cyan are far apart.
        assert!(distance(a, hsv.embed([0, 255, 255])) > 1.5);
    }

    #[test]
    fn table_lab_matches_palette_lab() {
        for rgb in [[0, 0, 0], [255, 255, 255], [200, 30, 40], [3, 250, 128]] {
            let direct: Lab = Srgb::new(rgb[0], rgb[1], rgb[2])
                .into_format::<f32>()
                .into_color();
            let [l, a, b] = ColorSpace::Lab.embed(rgb);
            assert!(
                (l - direct.l).abs() < 1e-3
                    && (a - direct.a).abs() < 1e-3
                    && (b - direct.b).abs() < 1e-3
            );
        }
    }

    #[test]
    fn mean_colors_embed_like_whole_ones() {
        for space in ColorSpace::ALL {
            for rgb in [[0, 0, 0], [255, 255, 255], [200, 30, 40], [3, 250, 128]] {
                let whole = space.embed(rgb);
                let mean = space.embed_mean(rgb.map(f32::from));
                assert!(distance(whole, mean) < 1e-4, "{space} {rgb:?}");
            }
            // Between two levels, close to palette's own conversion of the fraction.
            let direct: Lab =
                Srgb::new(100.5f32 / 255.0, 7.25 / 255.0, 254.75 / 255.0).into_color();
            let [l, a, b] = ColorSpace::Lab.embed_mean([100.5, 7.25, 254.75]);
            assert!(distance([l, a, b], [direct.l, direct.a, direct.b]) < 1e-2);
        }
    }

    #[test]
    fn parses_names() {
        assert_eq!("LAB".parse::<ColorSpace>().unwrap(), ColorSpace::Lab);
        assert!("xyz".parse::<ColorSpace>().is_err());
    }
}
