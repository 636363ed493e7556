//! A palette: colours with the share of the still each one stands for, and its exports.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::cluster::Method;
use crate::space::ColorSpace;

/// One palette colour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Swatch {
    /// `#rrggbb`, lower case.
    pub hex: String,
    /// 8-bit sRGB.
    pub rgb: [u8; 3],
    /// Fraction of the selected pixels this colour stands for: those nearest to its cluster's
    /// centre, of which it is the mean (the swatches sum to 1).
    #[serde(serialize_with = "six_decimals")]
    pub proportion: f64,
}

impl Swatch {
    /// A swatch of colour `rgb` covering `proportion` of the pixels.
    #[must_use]
    pub fn new(rgb: [u8; 3], proportion: f64) -> Self {
        Self {
            hex: hex(rgb),
            rgb,
            proportion,
        }
    }
}

/// Colours sorted by share, largest first, with how they were made.
///
/// `k` is the size asked for; `colors` can be shorter when the still has fewer distinct
/// colours than `k` (or two centres round to the same 8-bit colour, which are merged).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Palette {
    /// Number of colours asked for.
    pub k: usize,
    /// Clustering method.
    pub method: Method,
    /// Colour space the clustering ran in.
    pub space: ColorSpace,
    /// The colours, largest share first.
    pub colors: Vec<Swatch>,
}

impl Palette {
    /// Builds a palette from colours and pixel weights: merges colours that are equal after
    /// rounding to 8 bits, turns weights into proportions and sorts by share (then by hex, so
    /// ties are stable).
    #[must_use]
    pub fn from_weights(
        k: usize,
        method: Method,
        space: ColorSpace,
        colors: impl IntoIterator<Item = ([u8; 3], f64)>,
    ) -> Self {
        let mut merged: Vec<([u8; 3], f64)> = Vec::new();
        for (rgb, weight) in colors {
            match merged.iter_mut().find(|(c, _)| *c == rgb) {
                Some((_, w)) => *w += weight,
                None => merged.push((rgb, weight)),
            }
        }
        let total: f64 = merged.iter().map(|(_, w)| w).sum();
        let mut colors: Vec<Swatch> = merged
            .into_iter()
            .filter(|(_, w)| *w > 0.0)
            .map(|(rgb, w)| Swatch::new(rgb, w / total))
            .collect();
        sort_by_share(&mut colors);
        Self {
            k,
            method,
            space,
            colors,
        }
    }

    /// Number of colours.
    #[must_use]
    pub fn len(&self) -> usize {
        self.colors.len()
    }

    /// Whether the palette has no colour.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.colors.is_empty()
    }

    /// The colours as 8-bit sRGB.
    #[must_use]
    pub fn rgb(&self) -> Vec<[u8; 3]> {
        self.colors.iter().map(|s| s.rgb).collect()
    }

    /// The `#rrggbb` codes.
    #[must_use]
    pub fn hex_codes(&self) -> Vec<String> {
        self.colors.iter().map(|s| s.hex.clone()).collect()
    }

    /// How it was made, for a figure's title: `k-means, HSV`.
    #[must_use]
    pub fn title(&self) -> String {
        format!(
            "{}, {}",
            self.method.title(),
            self.space.name().to_uppercase()
        )
    }

    /// The palette's name in a saved file (`.gpl`): where it comes from and how it was made,
    /// e.g. `El_Fuente (k-means, RGB, k=8)`.
    #[must_use]
    pub fn name_for(&self, source: &str) -> String {
        format!("{source} ({}, k={})", self.title(), self.k)
    }

    /// The palette as JSON: `{"k":8,"method":"accent","space":"lab","colors":[{"hex":..}]}`.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a palette always serialises")
    }

    /// A link that opens the palette in the coolors.co editor.
    #[must_use]
    pub fn coolors_url(&self) -> String {
        let codes: Vec<&str> = self.colors.iter().map(|s| &s.hex[1..]).collect();
        format!("https://coolors.co/{}", codes.join("-"))
    }

    /// The palette as a GIMP/Inkscape/Krita `.gpl` palette file.
    #[must_use]
    pub fn to_gpl(&self, name: &str) -> String {
        let name: String = name.chars().filter(|c| !c.is_control()).collect();
        let mut out = format!(
            "GIMP Palette\nName: {name}\nColumns: {}\n#\n",
            self.len().max(1)
        );
        for s in &self.colors {
            let [r, g, b] = s.rgb;
            let _ = writeln!(
                out,
                "{r:3} {g:3} {b:3}\t{} ({:.1}%)",
                s.hex,
                s.proportion * 100.0
            );
        }
        out
    }
}

/// Sorts swatches by share, largest first; equal shares by hex code, so that the order
/// depends only on the swatches, not on the order they come in.
pub(crate) fn sort_by_share(swatches: &mut [Swatch]) {
    swatches.sort_by(|a, b| {
        b.proportion
            .total_cmp(&a.proportion)
            .then_with(|| a.hex.cmp(&b.hex))
    });
}

/// `#rrggbb` for an 8-bit colour.
#[must_use]
pub fn hex([r, g, b]: [u8; 3]) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// Parses `#rrggbb` or `rrggbb`.
#[must_use]
pub fn parse_hex(code: &str) -> Option<[u8; 3]> {
    let code = code.strip_prefix('#').unwrap_or(code);
    if code.len() != 6 || !code.is_ascii() {
        return None;
    }
    let channel = |i: usize| u8::from_str_radix(&code[i..i + 2], 16).ok();
    Some([channel(0)?, channel(2)?, channel(4)?])
}

fn six_decimals<S: serde::Serializer>(value: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((value * 1e6).round() / 1e6)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Palette {
        Palette::from_weights(
            3,
            Method::Kmeans,
            ColorSpace::Rgb,
            [([255, 0, 0], 1.0), ([0, 0, 255], 3.0), ([255, 0, 0], 1.0)],
        )
    }

    #[test]
    fn merges_sorts_and_normalises() {
        let p = sample();
        assert_eq!(p.hex_codes(), vec!["#0000ff", "#ff0000"]);
        assert_eq!(p.colors[0].proportion, 0.6);
        assert_eq!(p.colors[1].proportion, 0.4);
    }

    #[test]
    fn json_has_the_documented_shape() {
        assert_eq!(
            sample().to_json(),
            r##"{"k":3,"method":"kmeans","space":"rgb","colors":[{"hex":"#0000ff","rgb":[0,0,255],"proportion":0.6},{"hex":"#ff0000","rgb":[255,0,0],"proportion":0.4}]}"##
        );
    }

    #[test]
    fn exports() {
        let p = sample();
        assert_eq!(p.coolors_url(), "https://coolors.co/0000ff-ff0000");
        let gpl = p.to_gpl("test\nname");
        assert!(gpl.starts_with("GIMP Palette\nName: testname\n"));
        assert!(gpl.contains("  0   0 255\t#0000ff (60.0%)"));
        assert_eq!(p.name_for("still"), "still (k-means, RGB, k=3)");
        assert_eq!(parse_hex("#0a0B0c"), Some([10, 11, 12]));
        assert_eq!(parse_hex("#0a0B0"), None);
    }
}
