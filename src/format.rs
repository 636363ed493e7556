//! Output formats: one list for the command line and the server, and the one default
//! figure width.

use crate::error::Result;
use crate::named::names;
use crate::palette::Palette;
use crate::render::Figure;

/// Width, in pixels, of a figure when none is asked for.
pub const FIGURE_WIDTH: u32 = 900;

/// How a palette is written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Format {
    /// `{"k":8,"method":"accent","space":"lab","colors":[{"hex":..,"rgb":..,"proportion":..}]}`
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
    /// An Adobe Swatch Exchange file (Photoshop, Illustrator, InDesign, Affinity, Procreate).
    Ase,
    /// CSS custom properties: `:root { --palette-1: #rrggbb; ... }`.
    Css,
}

names! {
    Format, "format";
    /// Every format, in the order they are documented.
    ALL;
    /// The lower-case name used on the command line and in `?format=`.
    name;
    Json => "json",
    Hex => "hex",
    Gpl => "gpl",
    Png => "png",
    Svg => "svg",
    Ase => "ase",
    Css => "css",
}

impl Format {
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
            Format::Ase => "application/octet-stream",
            Format::Css => "text/css; charset=utf-8",
        }
    }

    /// Whether the format is a palette file to save (`.gpl`, `.ase`, `.css`) rather than
    /// something to show.
    #[must_use]
    pub fn is_palette_file(self) -> bool {
        matches!(self, Format::Gpl | Format::Ase | Format::Css)
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
            Format::Ase => to_ase(palette, name),
            Format::Css => to_css(palette, name).into_bytes(),
            Format::Png => figure().to_png()?,
            Format::Svg => figure().to_svg()?.into_bytes(),
        })
    }
}

/// `palette` as an Adobe Swatch Exchange file: a group named `name` holding one RGB swatch
/// per colour, named by its hex code and share. The layout (big-endian throughout): `ASEF`,
/// version 1.0, the block count, then blocks of (type, length, body); names are UTF-16 with
/// a terminating zero, preceded by their length in code units.
#[must_use]
pub fn to_ase(palette: &Palette, name: &str) -> Vec<u8> {
    fn utf16(text: &str) -> Vec<u8> {
        // A name is at most a few hundred code units (u16 length); longer ones are cut.
        let units: Vec<u16> = text
            .chars()
            .filter(|c| !c.is_control())
            .collect::<String>()
            .encode_utf16()
            .take(1000)
            .chain([0])
            .collect();
        let mut out = (units.len() as u16).to_be_bytes().to_vec();
        out.extend(units.iter().flat_map(|u| u.to_be_bytes()));
        out
    }
    fn block(kind: u16, body: &[u8]) -> Vec<u8> {
        let mut out = kind.to_be_bytes().to_vec();
        out.extend((body.len() as u32).to_be_bytes());
        out.extend(body);
        out
    }
    let mut blocks = vec![block(0xC001, &utf16(name))];
    for swatch in &palette.colors {
        let mut body = utf16(&format!(
            "{} ({:.1}%)",
            swatch.hex,
            swatch.proportion * 100.0
        ));
        body.extend(b"RGB ");
        for channel in swatch.rgb {
            body.extend((f32::from(channel) / 255.0).to_be_bytes());
        }
        body.extend(2u16.to_be_bytes()); // a "normal" (process) colour
        blocks.push(block(0x0001, &body));
    }
    blocks.push(block(0xC002, &[]));
    let mut out = b"ASEF".to_vec();
    out.extend(1u16.to_be_bytes());
    out.extend(0u16.to_be_bytes());
    out.extend((blocks.len() as u32).to_be_bytes());
    out.extend(blocks.concat());
    out
}

/// `palette` as CSS custom properties, `--palette-1` for the first swatch on, each with its
/// share in a comment, under a comment naming the palette.
#[must_use]
pub fn to_css(palette: &Palette, name: &str) -> String {
    let name: String = name
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .replace("*/", "* /");
    let mut out = format!("/* {name} */\n:root {{\n");
    for (i, swatch) in palette.colors.iter().enumerate() {
        out.push_str(&format!(
            "  --palette-{}: {}; /* {:.1}% */\n",
            i + 1,
            swatch.hex,
            swatch.proportion * 100.0
        ));
    }
    out.push_str("}\n");
    out
}

/// Several palettes as `{"palettes": [...]}`, each as [`Palette::to_json`] writes it (the
/// comparison's JSON, from the CLI and the server alike).
#[must_use]
pub fn palettes_json(palettes: &[Palette]) -> String {
    let each: Vec<String> = palettes.iter().map(Palette::to_json).collect();
    format!("{{\"palettes\":[{}]}}\n", each.join(","))
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
        let css =
            String::from_utf8(Format::Css.write(&palette, "a */ b", figure).unwrap()).unwrap();
        assert_eq!(
            css,
            "/* a * / b */\n:root {\n  --palette-1: #ff0000; /* 75.0% */\n  --palette-2: #0000ff; /* 25.0% */\n}\n"
        );
        let ase = Format::Ase.write(&palette, "my still", figure).unwrap();
        assert_eq!(&ase[..8], b"ASEF\x00\x01\x00\x00");
        assert_eq!(
            &ase[8..12],
            &4u32.to_be_bytes(),
            "group start, 2 colours, group end"
        );
        let json = Format::Json.write(&palette, "x", figure).unwrap();
        let back: Palette = serde_json::from_slice(&json).unwrap();
        assert_eq!(back.hex_codes(), palette.hex_codes());
    }
}
