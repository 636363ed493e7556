//! Loading stills: from a file, from bytes, and (with the `fetch` feature) from a URL.
//!
//! Every decoder runs under [`LoadLimits`]: dimensions are read from the header and checked
//! before any pixel buffer is allocated, so a decompression bomb is refused, not decoded.

use std::io::Cursor;
use std::path::Path;

use std::borrow::Cow;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, RgbImage, RgbaImage};

use crate::error::{Error, Result};

pub use crate::select::OPAQUE_ALPHA;
use crate::select::{Brightness, Selection};

/// Caps applied while decoding, so hostile input fails fast instead of exhausting memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadLimits {
    /// Largest width or height accepted, in pixels.
    pub max_side: u32,
    /// Largest width x height accepted.
    pub max_pixels: u64,
}

impl Default for LoadLimits {
    /// 50 megapixels, at most 30 000 pixels a side: room for any camera still.
    fn default() -> Self {
        Self {
            max_side: 30_000,
            max_pixels: 50_000_000,
        }
    }
}

/// A decoded still: 8-bit RGB pixels, row by row, with an alpha channel when the source
/// has one (an opaque still is kept as RGB: a quarter less memory, and no conversion).
///
/// 16-bit, greyscale and CMYK sources are converted to 8-bit RGB on load; animated GIF and
/// WebP give their first frame. Pixels with alpha below [`OPAQUE_ALPHA`] are ignored by the
/// palette methods.
#[derive(Clone)]
pub struct Still {
    /// Always `ImageRgb8` or `ImageRgba8`.
    image: DynamicImage,
}

impl std::fmt::Debug for Still {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Still({}x{})", self.width(), self.height())
    }
}

impl Still {
    /// Reads and decodes a still from a file, with the default limits.
    ///
    /// The format is recognised from the content, not the file name.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_with_limits(path, LoadLimits::default())
    }

    /// Reads and decodes a still from a file.
    pub fn open_with_limits(path: impl AsRef<Path>, limits: LoadLimits) -> Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_bytes_with_limits(&bytes, limits)
    }

    /// Decodes a still from the bytes of an image file (JPEG, PNG, WebP, GIF, BMP, TIFF).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Self::from_bytes_with_limits(bytes, LoadLimits::default())
    }

    /// Decodes a still from bytes, refusing images over `limits` before allocating them.
    ///
    /// Before any decoder reads a pixel: the frames a header does not describe (a GIF's first
    /// frame, every WebP frame) are checked against the limits, a PNG's ancillary chunks
    /// that could inflate (ICC profile, compressed text, animation) are dropped, and the
    /// decoder is given allocation limits sized to the largest still `limits` allow.
    pub fn from_bytes_with_limits(bytes: &[u8], limits: LoadLimits) -> Result<Self> {
        let format = ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| Error::Decode(e.to_string()))?
            .format()
            .ok_or_else(|| {
                Error::Decode(
                    "unrecognised format (expected JPEG, PNG, WebP, GIF, BMP or TIFF)".into(),
                )
            })?;
        let stripped;
        let bytes = match format {
            ImageFormat::Gif => {
                check_gif_frame(bytes, limits)?;
                bytes
            }
            ImageFormat::WebP => {
                check_webp_frames(bytes, limits)?;
                bytes
            }
            ImageFormat::Tiff => {
                check_tiff_entries(bytes, limits)?;
                bytes
            }
            ImageFormat::Png => {
                stripped = png_without_extras(bytes);
                stripped.as_deref().unwrap_or(bytes)
            }
            _ => bytes,
        };
        let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
        // Set before the decoder exists: PNG's takes its limits when it is made, and reads
        // its ancillary chunks then.
        reader.limits(decoder_limits(limits, false));
        let mut decoder = reader.into_decoder().map_err(decode_error)?;
        let (width, height) = decoder.dimensions();
        check_dimensions(width, height, limits)?;
        decoder
            .set_limits(decoder_limits(limits, true))
            .map_err(decode_error)?;
        let image = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
        Ok(Self::from_dynamic(image))
    }

    /// Wraps an already decoded `image` crate picture.
    #[must_use]
    pub fn from_dynamic(image: DynamicImage) -> Self {
        let image = match image {
            DynamicImage::ImageRgb8(_) | DynamicImage::ImageRgba8(_) => image,
            other if other.color().has_alpha() => DynamicImage::ImageRgba8(other.into_rgba8()),
            other => DynamicImage::ImageRgb8(other.into_rgb8()),
        };
        Self { image }
    }

    /// Builds a still from raw 8-bit RGB pixels, row by row (`pixels.len() == width * height`).
    pub fn from_rgb(width: u32, height: u32, pixels: &[[u8; 3]]) -> Result<Self> {
        if pixels.len() as u64 != u64::from(width) * u64::from(height) {
            return Err(Error::InvalidOption(format!(
                "{} pixels given for a {width}x{height} still",
                pixels.len()
            )));
        }
        let raw = pixels.as_flattened().to_vec();
        let image = RgbImage::from_raw(width, height, raw)
            .ok_or_else(|| Error::InvalidOption("pixel buffer does not match size".into()))?;
        Ok(Self::from_dynamic(DynamicImage::ImageRgb8(image)))
    }

    /// Width in pixels.
    #[must_use]
    pub fn width(&self) -> u32 {
        self.image.width()
    }

    /// Height in pixels.
    #[must_use]
    pub fn height(&self) -> u32 {
        self.image.height()
    }

    /// The pixels as RGBA (converted on the fly when the still has no alpha channel).
    #[must_use]
    pub fn rgba(&self) -> Cow<'_, RgbaImage> {
        match &self.image {
            DynamicImage::ImageRgba8(rgba) => Cow::Borrowed(rgba),
            other => Cow::Owned(other.to_rgba8()),
        }
    }

    /// The pixels as RGB, alpha dropped (converted on the fly when the still has alpha).
    #[must_use]
    pub fn rgb(&self) -> Cow<'_, RgbImage> {
        match &self.image {
            DynamicImage::ImageRgb8(rgb) => Cow::Borrowed(rgb),
            other => Cow::Owned(other.to_rgb8()),
        }
    }

    /// The raw pixel bytes and the bytes per pixel: 3 (RGB) or 4 (RGBA).
    pub(crate) fn raw(&self) -> (&[u8], usize) {
        match &self.image {
            DynamicImage::ImageRgba8(rgba) => (rgba.as_raw(), 4),
            other => (other.as_bytes(), 3),
        }
    }

    /// The RGB values of the opaque pixels, row by row.
    pub fn opaque_pixels(&self) -> impl Iterator<Item = [u8; 3]> + '_ {
        self.selection(Brightness::default()).iter()
    }

    /// The pixels that take part in a palette with `brightness` (validated).
    pub(crate) fn selection(&self, brightness: Brightness) -> Selection<'_> {
        let (pixels, channels) = self.raw();
        Selection::new(pixels, channels, brightness)
    }

    /// A copy no larger than `max_width` x `max_height`, keeping the aspect ratio (for display).
    #[must_use]
    pub fn thumbnail(&self, max_width: u32, max_height: u32) -> Still {
        if self.width() <= max_width && self.height() <= max_height {
            return self.clone();
        }
        let image = self
            .image
            .resize(max_width, max_height, image::imageops::FilterType::Triangle);
        Still::from_dynamic(image)
    }

    /// A copy scaled to exactly `width` x `height`.
    #[must_use]
    pub fn resized(&self, width: u32, height: u32) -> Still {
        let image = self.image.resize_exact(
            width.max(1),
            height.max(1),
            image::imageops::FilterType::Triangle,
        );
        Still::from_dynamic(image)
    }

    /// Encodes the still as PNG.
    pub fn to_png(&self) -> Result<Vec<u8>> {
        let mut out = Cursor::new(Vec::new());
        self.image
            .write_to(&mut out, image::ImageFormat::Png)
            .map_err(|e| Error::Render(e.to_string()))?;
        Ok(out.into_inner())
    }
}

fn check_dimensions(width: u32, height: u32, limits: LoadLimits) -> Result<()> {
    if width == 0 || height == 0 {
        return Err(Error::Decode(format!("empty image ({width}x{height})")));
    }
    if width > limits.max_side || height > limits.max_side {
        return Err(Error::TooLarge(format!(
            "{width}x{height} exceeds the limit of {} pixels a side",
            limits.max_side
        )));
    }
    let pixels = u64::from(width) * u64::from(height);
    if pixels > limits.max_pixels {
        return Err(Error::TooLarge(format!(
            "{width}x{height} is {:.1} megapixels, over the limit of {:.1}",
            pixels as f64 / 1e6,
            limits.max_pixels as f64 / 1e6
        )));
    }
    Ok(())
}

/// The `image` crate's limits for a still within `limits`: at most the 16-bit RGBA buffer
/// (8 bytes a pixel, the widest a decoder produces) of the largest still allowed, and that
/// budget bounds what a decoder allocates besides (a PNG's inflated chunks, a GIF frame).
/// The sides are left to [`check_dimensions`] (its message is clearer) until `sides`.
fn decoder_limits(limits: LoadLimits, sides: bool) -> image::Limits {
    let mut image_limits = image::Limits::default();
    if sides {
        image_limits.max_image_width = Some(limits.max_side);
        image_limits.max_image_height = Some(limits.max_side);
    }
    image_limits.max_alloc = Some(limits.max_pixels.saturating_mul(8));
    image_limits
}

/// The entries of a TIFF's first directory (the image decoded) against the limits, before the
/// decoder reads them: it holds every value of an entry in memory at 32 bytes a value, so a
/// 700-byte file whose entry claims 8 million values costs 262 MB. No entry may list more
/// values than the still can have strips or tiles (one a row, or one a 16 x 16 tile), nor
/// more bytes than the file holds.
fn check_tiff_entries(bytes: &[u8], limits: LoadLimits) -> Result<()> {
    let refused = |why: String| Err(Error::Decode(format!("a TIFF {why}")));
    let big_endian = match bytes.get(..2) {
        Some(b"II") => false,
        Some(b"MM") => true,
        _ => return Ok(()), // not a TIFF header: the decoder says what is wrong
    };
    let uint = |at: usize, size: usize| -> Option<u64> {
        let raw = bytes.get(at..at.checked_add(size)?)?;
        let fold = |n: u64, &b: &u8| (n << 8) | u64::from(b);
        Some(if big_endian {
            raw.iter().fold(0, fold)
        } else {
            raw.iter().rev().fold(0, fold)
        })
    };
    // Classic TIFF: 4-byte offsets and counts, 12-byte entries; BigTIFF: 8, 8 and 20.
    let (word, count_at, entry_size) = match uint(2, 2) {
        Some(42) => (4, 2, 12),
        Some(43) => (8, 8, 20),
        _ => return Ok(()),
    };
    let Some(directory) = uint(4, word).and_then(|o| usize::try_from(o).ok()) else {
        return Ok(());
    };
    let entries = uint(directory, count_at).unwrap_or(0);
    let most_values = u64::from(limits.max_side).max(limits.max_pixels / 256);
    for i in 0..entries.min(u64::from(u16::MAX)) as usize {
        let at = directory + count_at + i * entry_size;
        let (Some(tag), Some(kind), Some(count)) =
            (uint(at, 2), uint(at + 2, 2), uint(at + 4, word))
        else {
            break; // a directory cut short: the decoder reports it
        };
        let value_size = match kind {
            1 | 2 | 6 | 7 => 1,
            3 | 8 => 2,
            4 | 9 | 11 | 13 => 4,
            5 | 10 | 12 | 16 | 17 | 18 => 8,
            _ => continue, // a type the decoder skips
        };
        // Text is read compactly, and the ICC profile (tag 34675) only when asked for, which
        // decoding does not; both are bounded by the file's size alone.
        let compact = kind == 2 || tag == 34675;
        if count > most_values && !compact {
            return refused(format!("entry (tag {tag}) lists {count} values, more than a still within the limits can need ({most_values})"));
        }
        if count.saturating_mul(value_size) > bytes.len() as u64 {
            return refused(format!(
                "entry (tag {tag}) claims more bytes than the file holds"
            ));
        }
    }
    Ok(())
}

/// The first frame of a GIF (the one decoded) against the limits: a frame may be larger
/// than the logical screen the header gives, and the decoder allocates the whole frame.
fn check_gif_frame(bytes: &[u8], limits: LoadLimits) -> Result<()> {
    let mut options = gif::DecodeOptions::new();
    if let Some(budget) = std::num::NonZeroU64::new(limits.max_pixels.saturating_mul(8)) {
        options.set_memory_limit(gif::MemoryLimit::Bytes(budget));
    }
    let mut decoder = options
        .read_info(Cursor::new(bytes))
        .map_err(|e| Error::Decode(one_line(&e.to_string())))?;
    let frame = decoder
        .next_frame_info()
        .map_err(|e| Error::Decode(one_line(&e.to_string())))?;
    match frame {
        Some(frame) => check_frame(
            u32::from(frame.width),
            u32::from(frame.height),
            None,
            limits,
        ),
        None => Err(Error::Decode("a GIF with no frame".into())),
    }
}

/// Every frame of a WebP against the limits and against its canvas: the extended header
/// (VP8X) gives the canvas, but the decoder allocates each frame at the size its own
/// header gives.
fn check_webp_frames(bytes: &[u8], limits: LoadLimits) -> Result<()> {
    let Some(body) = bytes.get(12..) else {
        return Ok(()); // too short: the decoder says so
    };
    let mut canvas = None;
    for (kind, data) in riff_chunks(body) {
        match kind {
            b"VP8X" if data.len() >= 10 => {
                let (w, h) = (1 + u24(&data[4..7]), 1 + u24(&data[7..10]));
                check_dimensions(w, h, limits)?;
                canvas = Some((w, h));
            }
            b"ANMF" if data.len() >= 16 => {
                let (w, h) = (1 + u24(&data[6..9]), 1 + u24(&data[9..12]));
                check_frame(w, h, canvas, limits)?;
                for (kind, data) in riff_chunks(&data[16..]) {
                    if let Some((w, h)) = vp8_dimensions(kind, data) {
                        check_frame(w, h, canvas, limits)?;
                    }
                }
            }
            _ => {
                if let Some((w, h)) = vp8_dimensions(kind, data) {
                    check_frame(w, h, canvas, limits)?;
                }
            }
        }
    }
    Ok(())
}

/// A frame within the limits, and within its canvas when there is one.
fn check_frame(w: u32, h: u32, canvas: Option<(u32, u32)>, limits: LoadLimits) -> Result<()> {
    check_dimensions(w, h, limits)?;
    match canvas {
        Some((cw, ch)) if w > cw || h > ch => Err(Error::TooLarge(format!(
            "a {w}x{h} frame does not fit its {cw}x{ch} canvas"
        ))),
        _ => Ok(()),
    }
}

/// The chunks of a RIFF body, as (four-character code, data); stops at a malformed chunk.
fn riff_chunks(mut body: &[u8]) -> impl Iterator<Item = (&[u8; 4], &[u8])> {
    std::iter::from_fn(move || {
        let kind: &[u8; 4] = body.get(..4)?.try_into().ok()?;
        let size = u32::from_le_bytes(body.get(4..8)?.try_into().ok()?) as usize;
        let data = body.get(8..8usize.checked_add(size)?)?;
        // Chunks are padded to an even size.
        body = body.get(8 + size + (size & 1)..).unwrap_or_default();
        Some((kind, data))
    })
}

/// The width and height in a lossy (`VP8 `) or lossless (`VP8L`) frame header.
fn vp8_dimensions(kind: &[u8; 4], data: &[u8]) -> Option<(u32, u32)> {
    match kind {
        b"VP8 " => {
            let header = data.get(..10)?;
            if header[3..6] != [0x9d, 0x01, 0x2a] {
                return None;
            }
            let w = u32::from(u16::from_le_bytes([header[6], header[7]]) & 0x3fff);
            let h = u32::from(u16::from_le_bytes([header[8], header[9]]) & 0x3fff);
            Some((w, h))
        }
        b"VP8L" => {
            let header = data.get(..5)?;
            if header[0] != 0x2f {
                return None;
            }
            let bits = u32::from_le_bytes([header[1], header[2], header[3], header[4]]);
            Some(((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1))
        }
        _ => None,
    }
}

fn u24(b: &[u8]) -> u32 {
    u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16
}

/// Ancillary PNG chunks the decoder reads and a palette never uses, some of which inflate
/// (an ICC profile, compressed text) or describe other frames (APNG): dropped before
/// decoding. Critical chunks and the small ancillary ones that bear on pixels stay.
const PNG_KEPT_ANCILLARY: [&[u8; 4]; 4] = [b"tRNS", b"gAMA", b"cHRM", b"sRGB"];

/// The PNG without the ancillary chunks a palette does not need, or `None` when it has
/// none. From a malformed chunk on, the rest is kept as it is, for the decoder to judge.
fn png_without_extras(bytes: &[u8]) -> Option<Vec<u8>> {
    const SIGNATURE: usize = 8;
    let chunk_at = |at: usize| -> Option<(usize, [u8; 4])> {
        let len = u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize;
        let kind: [u8; 4] = bytes.get(at + 4..at + 8)?.try_into().ok()?;
        let end = at.checked_add(12)?.checked_add(len)?;
        (end <= bytes.len()).then_some((end, kind))
    };
    let mut chunks = Vec::new();
    let mut at = SIGNATURE;
    while at < bytes.len() {
        let Some((end, kind)) = chunk_at(at) else {
            chunks.push((at..bytes.len(), true));
            break;
        };
        let critical = kind[0].is_ascii_uppercase();
        chunks.push((at..end, critical || PNG_KEPT_ANCILLARY.contains(&&kind)));
        at = end;
    }
    if chunks.iter().all(|(_, keep)| *keep) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(bytes.get(..SIGNATURE)?);
    for (range, keep) in chunks {
        if keep {
            out.extend_from_slice(&bytes[range]);
        }
    }
    Some(out)
}

/// A decoder's error as one line (some end theirs with a newline, or span several): the
/// CLI prints errors as one line, the server as one JSON string.
fn decode_error(e: image::ImageError) -> Error {
    match e {
        image::ImageError::Limits(l) => Error::TooLarge(one_line(&l.to_string())),
        other => Error::Decode(one_line(&other.to_string())),
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_bytes(image: DynamicImage) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn decodes_png_by_content() {
        let img = DynamicImage::ImageRgb8(image::RgbImage::from_pixel(3, 2, image::Rgb([9, 8, 7])));
        let still = Still::from_bytes(&png_bytes(img)).unwrap();
        assert_eq!((still.width(), still.height()), (3, 2));
        assert!(still.opaque_pixels().all(|p| p == [9, 8, 7]));
    }

    #[test]
    fn sixteen_bit_and_grey_become_8_bit_rgb() {
        let img16 = DynamicImage::ImageRgb16(image::ImageBuffer::from_pixel(
            2,
            2,
            image::Rgb([65535u16, 0, 32896]),
        ));
        let still = Still::from_bytes(&png_bytes(img16)).unwrap();
        assert_eq!(still.opaque_pixels().next(), Some([255, 0, 128]));
        let grey = DynamicImage::ImageLuma8(image::GrayImage::from_pixel(2, 2, image::Luma([77])));
        let still = Still::from_bytes(&png_bytes(grey)).unwrap();
        assert_eq!(still.opaque_pixels().next(), Some([77, 77, 77]));
    }

    #[test]
    fn every_supported_format_decodes() {
        use image::ImageFormat::{Bmp, Gif, Jpeg, Png, Tiff, WebP};
        let color = [40u8, 160, 220];
        let img = DynamicImage::ImageRgb8(image::RgbImage::from_pixel(16, 16, image::Rgb(color)));
        for format in [Jpeg, Png, WebP, Gif, Bmp, Tiff] {
            let mut out = Cursor::new(Vec::new());
            let encodable = if format == Jpeg || format == WebP || format == Gif {
                DynamicImage::ImageRgb8(img.to_rgb8())
            } else {
                img.clone()
            };
            encodable.write_to(&mut out, format).unwrap();
            let still = Still::from_bytes(&out.into_inner()).unwrap();
            let got = still.opaque_pixels().next().unwrap();
            // JPEG is lossy and GIF quantises; both stay close.
            assert!(
                got.iter().zip(color).all(|(&a, b)| a.abs_diff(b) <= 6),
                "{format:?}: {got:?}"
            );
        }
    }

    #[test]
    fn animated_gif_gives_its_first_frame() {
        use image::codecs::gif::GifEncoder;
        use image::{Delay, Frame};
        let mut bytes = Vec::new();
        {
            let mut encoder = GifEncoder::new(&mut bytes);
            for color in [[255, 0, 0, 255], [0, 0, 255, 255]] {
                let frame = Frame::from_parts(
                    RgbaImage::from_pixel(4, 4, image::Rgba(color)),
                    0,
                    0,
                    Delay::from_numer_denom_ms(100, 1),
                );
                encoder.encode_frame(frame).unwrap();
            }
        }
        let still = Still::from_bytes(&bytes).unwrap();
        assert_eq!(still.opaque_pixels().next(), Some([255, 0, 0]));
    }

    #[test]
    fn cmyk_jpeg_becomes_rgb() {
        // An 8x8 CMYK JPEG of pure red (C=0, M=Y=100%, K=0), written by Pillow.
        let still = Still::from_bytes(include_bytes!("../../tests/fixtures/cmyk-red.jpg")).unwrap();
        let [r, g, b] = still.opaque_pixels().next().unwrap();
        assert!(r > 230 && g < 25 && b < 25, "{:?}", [r, g, b]);
    }

    #[test]
    fn transparent_pixels_are_not_opaque() {
        let mut img = RgbaImage::from_pixel(2, 1, image::Rgba([1, 2, 3, 255]));
        img.put_pixel(1, 0, image::Rgba([200, 0, 0, 0]));
        let still = Still::from_bytes(&png_bytes(DynamicImage::ImageRgba8(img))).unwrap();
        assert_eq!(still.opaque_pixels().collect::<Vec<_>>(), vec![[1, 2, 3]]);
    }

    #[test]
    fn tiff_entries_claiming_millions_of_values_are_refused_before_decoding() {
        // A 10 x 8 TIFF whose predictor entry claims 8,192,001 values (fuzzing found it: the
        // decoder held 262 MB for it).
        let mut tiff = Vec::new();
        image::DynamicImage::ImageRgb8(image::RgbImage::new(10, 8))
            .write_to(&mut Cursor::new(&mut tiff), ImageFormat::Tiff)
            .unwrap();
        assert!(Still::from_bytes(&tiff).is_ok());
        let directory = u32::from_le_bytes(tiff[4..8].try_into().unwrap()) as usize;
        let entries = u16::from_le_bytes([tiff[directory], tiff[directory + 1]]) as usize;
        let at = directory + 2 + (entries - 1) * 12;
        // The last entry becomes a predictor (317) of 8,192,001 shorts.
        tiff[at..at + 2].copy_from_slice(&317u16.to_le_bytes());
        tiff[at + 2..at + 4].copy_from_slice(&3u16.to_le_bytes());
        tiff[at + 4..at + 8].copy_from_slice(&8_192_001u32.to_le_bytes());
        let Err(err) = Still::from_bytes(&tiff) else {
            panic!("a TIFF claiming 8 million values was decoded");
        };
        let err = err.to_string();
        assert!(err.contains("tag 317") && err.contains("8192001"), "{err}");
    }

    #[test]
    fn garbage_and_truncated_input_are_decode_errors() {
        assert!(matches!(
            Still::from_bytes(b"hello world"),
            Err(Error::Decode(_))
        ));
        assert!(matches!(Still::from_bytes(&[]), Err(Error::Decode(_))));
        let img =
            DynamicImage::ImageRgb8(image::RgbImage::from_pixel(64, 64, image::Rgb([1, 2, 3])));
        let bytes = png_bytes(img);
        let truncated = &bytes[..bytes.len() / 2];
        assert!(matches!(
            Still::from_bytes(truncated),
            Err(Error::Decode(_))
        ));
    }

    #[test]
    fn oversized_dimensions_are_refused_before_decoding() {
        let img = DynamicImage::ImageRgb8(image::RgbImage::new(100, 100));
        let limits = LoadLimits {
            max_side: 1000,
            max_pixels: 5_000,
        };
        let err = Still::from_bytes_with_limits(&png_bytes(img), limits).unwrap_err();
        assert!(matches!(err, Error::TooLarge(_)), "{err}");
    }

    #[test]
    fn missing_file_names_the_path() {
        let err = Still::open("/no/such/still.png").unwrap_err();
        assert!(err.to_string().contains("/no/such/still.png"));
    }
}
