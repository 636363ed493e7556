//! Output formats: one list for the command line and the server, and the one default
//! figure width.

use crate::error::{Error, Result};
use crate::palette::Palette;
use crate::render::Figure;

/// Width, in pixels, of a figure when none is asked for.
pub const FIGURE_WIDTH: u32 = 900;

/// How a palette is written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Format {
    /// `{"k":8,"method":"kmeans","space":"rgb","colors":[{"hex":..,"rgb":..,"proportion":..}]}`
    #[default]
    Json,
    /// One `#rrggbb` per line.
    Hex,
    /// A GIMP palette file.
    Gpl,
    /// A figure, as PNG.
    Png,
    /// A figure, as SVG.
    Svg,
}

impl Format {
    /// Every format, in the order they are documented.
    pub const ALL: [Format; 5] = [
        Format::Json,
        Format::Hex,
        Format::Gpl,
        Format::Png,
        Format::Svg,
    ];

    /// The lower-case name used on the command line and in `?format=`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Hex => "hex",
            Format::Gpl => "gpl",
            Format::Png => "png",
            Format::Svg => "svg",
        }
    }

    /// The file name extension.
    #[must_use]
    pub fn extension(self) -> &'static str {
        match self {
            Format::Hex => "txt",
            other => other.name(),
        }
    }

    /// The HTTP content type.
    #[must_use]
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Hex | Format::Gpl => "text/plain; charset=utf-8",
            Format::Png => "image/png",
            Format::Svg => "image/svg+xml",
        }
    }

    /// Whether the format draws a figure rather than writing the colours as text.
    #[must_use]
    pub fn is_figure(self) -> bool {
        matches!(self, Format::Png | Format::Svg)
    }

    /// `palette` in this format; `name` goes into a `.gpl` file, and `figure` draws the
    /// figure of PNG and SVG (only called for them).
    pub fn write(
        self,
        palette: &Palette,
        name: &str,
        figure: impl FnOnce() -> Figure,
    ) -> Result<Vec<u8>> {
        Ok(match self {
            Format::Json => (palette.to_json() + "\n").into_bytes(),
            Format::Hex => (palette.hex_codes().join("\n") + "\n").into_bytes(),
            Format::Gpl => palette.to_gpl(name).into_bytes(),
            Format::Png => figure().to_png()?,
            Format::Svg => figure().to_svg()?.into_bytes(),
        })
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Format {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                let names: Vec<_> = Format::ALL.iter().map(|f| f.name()).collect();
                Error::InvalidOption(format!(
                    "unknown format {s:?} (expected {})",
                    names.join(", ")
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ColorSpace, Method};

    #[test]
    fn names_parse_back() {
        for format in Format::ALL {
            assert_eq!(format.name().parse::<Format>().unwrap(), format);
        }
        assert!("jpeg".parse::<Format>().is_err());
    }

    #[test]
    fn text_formats_write_the_colors() {
        let palette = Palette::from_weights(
            2,
            Method::Kmeans,
            ColorSpace::Rgb,
            [([255, 0, 0], 3.0), ([0, 0, 255], 1.0)],
        );
        let figure = || -> Figure { unreachable!("no figure for text") };
        let hex = Format::Hex.write(&palette, "x", figure).unwrap();
        assert_eq!(String::from_utf8(hex).unwrap(), "#ff0000\n#0000ff\n");
        let gpl =
            String::from_utf8(Format::Gpl.write(&palette, "my still", figure).unwrap()).unwrap();
        assert!(gpl.starts_with("GIMP Palette\nName: my still\n"), "{gpl}");
        let json = Format::Json.write(&palette, "x", figure).unwrap();
        let back: Palette = serde_json::from_slice(&json).unwrap();
        assert_eq!(back.hex_codes(), palette.hex_codes());
    }
}
