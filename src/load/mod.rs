//! Loading stills: from a file, from bytes, and (with the `fetch` feature) from a URL.
//!
//! Every decoder runs under [`LoadLimits`]: dimensions are read from the header and checked
//! before any pixel buffer is allocated, so a decompression bomb is refused, not decoded.
//! The format-specific checks for what a header does not describe (a frame, a TIFF entry,
//! an ancillary chunk) are in `bombs.rs`.

mod bombs;

use std::io::Cursor;
use std::path::Path;

use std::borrow::Cow;

use image::{DynamicImage, ImageDecoder, ImageReader, RgbImage, RgbaImage};

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

impl LoadLimits {
    /// The most bytes a file of a still within these limits needs: 8 a pixel (16-bit RGBA,
    /// uncompressed) and 1 MiB of headers. A bigger file (or standard input) is refused
    /// before it is read, so a 3 GB file is not read whole to find it is no image.
    #[must_use]
    pub fn max_file_bytes(&self) -> u64 {
        self.max_pixels.saturating_mul(8).saturating_add(1 << 20)
    }

    /// Reads `reader` (a file or standard input named `name`) whole, up to
    /// [`LoadLimits::max_file_bytes`]: more is [`Error::TooLarge`]. Its first bytes must
    /// start an image file, or it is refused before the rest is read (a gigabyte of zeros is
    /// not held to be refused). `size_hint` is the length the file states (0 when unknown),
    /// so that a file is read into one buffer of its size, not a doubling one.
    pub(crate) fn read_within(
        &self,
        reader: impl std::io::Read,
        name: &Path,
        size_hint: u64,
    ) -> Result<Vec<u8>> {
        use std::io::Read as _;
        let io = |source| Error::Io {
            path: name.to_path_buf(),
            source,
        };
        let max = self.max_file_bytes();
        let mut reader = reader.take(max.saturating_add(1));
        let capacity = usize::try_from(size_hint.min(max))
            .unwrap_or(0)
            .max(SIGNATURE);
        let mut bytes = Vec::with_capacity(capacity);
        // The signature first: enough for every format's magic bytes.
        (&mut reader)
            .take(SIGNATURE as u64)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        if bytes.len() == SIGNATURE && image::guess_format(&bytes).is_err() {
            return Err(unrecognised());
        }
        reader.read_to_end(&mut bytes).map_err(io)?;
        if bytes.len() as u64 > max {
            return Err(self.too_large(name));
        }
        Ok(bytes)
    }

    fn too_large(&self, name: &Path) -> Error {
        Error::TooLarge(format!(
            "{}: over {} bytes, more than any still of {} pixels needs",
            name.display(),
            self.max_file_bytes(),
            self.max_pixels
        ))
    }
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
        let file = std::fs::File::open(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        // A file that says it is too big is refused unread; read_within holds the rest (a
        // file that grows, a device).
        if file
            .metadata()
            .is_ok_and(|m| m.len() > limits.max_file_bytes())
        {
            return Err(limits.too_large(path));
        }
        let size = file.metadata().map_or(0, |m| m.len());
        let bytes = limits.read_within(file, path, size)?;
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
        let (format, bytes) = checked_format(bytes, limits)?;
        let mut decoder = limited_decoder(&bytes, format, limits)?;
        decoder
            .set_limits(decoder_limits(limits, true))
            .map_err(decode_error)?;
        let image = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
        Ok(Self::from_dynamic(image))
    }

    /// What decoding these bytes would hold in memory, read from the still's header with
    /// the same checks as [`Still::from_bytes_with_limits`] (so a still it would refuse is
    /// refused here, with the same error), without decoding a pixel.
    pub fn probe_with_limits(bytes: &[u8], limits: LoadLimits) -> Result<DecodeSize> {
        let (format, bytes) = checked_format(bytes, limits)?;
        let copied_bytes = match &bytes {
            Cow::Owned(copy) => copy.len() as u64,
            Cow::Borrowed(_) => 0,
        };
        let decoder = limited_decoder(&bytes, format, limits)?;
        let (width, height) = decoder.dimensions();
        let color = decoder.color_type();
        Ok(DecodeSize {
            width,
            height,
            decoded_bytes_per_pixel: color.bytes_per_pixel(),
            still_bytes_per_pixel: if color.has_alpha() { 4 } else { 3 },
            converted: !matches!(color, image::ColorType::Rgb8 | image::ColorType::Rgba8),
            copied_bytes,
        })
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

    /// Builds a still from a raw 8-bit pixel buffer, row by row, `channels` bytes a pixel:
    /// 3 (RGB) or 4 (RGBA, kept with its alpha, as a decoded PNG with alpha is). This is
    /// how a program's pixels in memory (a NumPy array, a PIL image's bytes) become a still;
    /// the buffer is copied once, into the still. The size is checked against the default
    /// [`LoadLimits`], as a decoded still's is.
    pub fn from_raw(width: u32, height: u32, channels: usize, pixels: &[u8]) -> Result<Self> {
        if channels != 3 && channels != 4 {
            return Err(Error::InvalidOption(format!(
                "a pixel has 3 (RGB) or 4 (RGBA) channels (got {channels})"
            )));
        }
        check_dimensions(width, height, LoadLimits::default())?;
        let expected = u64::from(width) * u64::from(height) * channels as u64;
        if pixels.len() as u64 != expected {
            return Err(Error::InvalidOption(format!(
                "{} bytes given for a {width}x{height} still of {channels} channels ({expected} expected)",
                pixels.len()
            )));
        }
        let raw = pixels.to_vec();
        let image = if channels == 3 {
            RgbImage::from_raw(width, height, raw).map(DynamicImage::ImageRgb8)
        } else {
            RgbaImage::from_raw(width, height, raw).map(DynamicImage::ImageRgba8)
        }
        .ok_or_else(|| Error::InvalidOption("pixel buffer does not match size".into()))?;
        Ok(Self::from_dynamic(image))
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

/// Bytes enough to know a file's format from its start (WebP's `RIFF....WEBP` is 12).
const SIGNATURE: usize = 16;

/// The error for bytes that start no image file this crate reads.
fn unrecognised() -> Error {
    Error::Decode("unrecognised format (expected JPEG, PNG, WebP, GIF, BMP or TIFF)".into())
}

/// The format of `bytes`, from their content, and the bytes to give its decoder once they
/// pass the checks of `bombs.rs`.
fn checked_format(bytes: &[u8], limits: LoadLimits) -> Result<(image::ImageFormat, Cow<'_, [u8]>)> {
    let format = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| Error::Decode(e.to_string()))?
        .format()
        .ok_or_else(unrecognised)?;
    Ok((format, bombs::checked(bytes, format, limits)?))
}

/// The decoder of `bytes`, its header read and its dimensions checked against `limits`.
fn limited_decoder(
    bytes: &[u8],
    format: image::ImageFormat,
    limits: LoadLimits,
) -> Result<impl ImageDecoder + '_> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    // Set before the decoder exists: PNG's takes its limits when it is made, and reads
    // its ancillary chunks then.
    reader.limits(decoder_limits(limits, false));
    let decoder = reader.into_decoder().map_err(decode_error)?;
    let (width, height) = decoder.dimensions();
    check_dimensions(width, height, limits)?;
    Ok(decoder)
}

/// What decoding a still holds in memory, from its header ([`Still::probe_with_limits`]):
/// the decoder's buffer at the bit depth and channels the file stores (a 16-bit RGBA PNG:
/// 8 bytes a pixel), then the 8-bit RGB or RGBA still it is converted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeSize {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Bytes a pixel of the decoder's buffer: 3 for 8-bit RGB, 6 for 16-bit RGB, 8 for 16-bit
    /// RGBA, 1 or 2 for grey.
    pub decoded_bytes_per_pixel: u8,
    /// Bytes a pixel of the decoded [`Still`]: 3 (RGB) or 4 (RGBA).
    pub still_bytes_per_pixel: u8,
    /// Whether the decoder's buffer is converted into a new 8-bit buffer (anything but 8-bit
    /// RGB or RGBA), both held at once for a moment.
    pub converted: bool,
    /// Bytes of the copy of the file the decoder reads, when it reads one (a PNG whose
    /// ancillary chunks are dropped first), held while decoding.
    pub copied_bytes: u64,
}

impl DecodeSize {
    /// Width x height.
    #[must_use]
    pub fn pixels(&self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }

    /// Bytes of the decoded [`Still`].
    #[must_use]
    pub fn still_bytes(&self) -> u64 {
        self.pixels() * u64::from(self.still_bytes_per_pixel)
    }

    /// Most bytes held while decoding (the file's own bytes aside): the decoder's buffer,
    /// and the 8-bit still converted from it while it is still held (none when the decoder's
    /// buffer is the still, 8-bit RGB or RGBA), and the copy of the file it reads, if any.
    #[must_use]
    pub fn decode_peak_bytes(&self) -> u64 {
        let decoded = self.pixels() * u64::from(self.decoded_bytes_per_pixel) + self.copied_bytes;
        if self.converted {
            decoded + self.still_bytes()
        } else {
            decoded
        }
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
    fn raw_buffers_become_stills_as_their_png_does() {
        // Two pixels, the second half transparent: RGBA keeps its alpha, like the PNG.
        let rgba = [10u8, 20, 30, 255, 40, 50, 60, 0];
        let still = Still::from_raw(2, 1, 4, &rgba).unwrap();
        let decoded = Still::from_bytes(&png_bytes(DynamicImage::ImageRgba8(
            RgbaImage::from_raw(2, 1, rgba.to_vec()).unwrap(),
        )))
        .unwrap();
        assert_eq!(still.raw(), decoded.raw());
        assert_eq!(
            still.opaque_pixels().collect::<Vec<_>>(),
            vec![[10, 20, 30]]
        );
        let rgb = Still::from_raw(1, 2, 3, &[1, 2, 3, 4, 5, 6]).unwrap();
        assert_eq!(rgb.raw(), (&[1u8, 2, 3, 4, 5, 6][..], 3));
        for (w, h, c, len, needle) in [
            (2, 1, 4, 7, "7 bytes given for a 2x1 still of 4 channels"),
            (2, 1, 2, 4, "3 (RGB) or 4 (RGBA) channels (got 2)"),
            (0, 1, 3, 0, "empty image"),
        ] {
            let e = Still::from_raw(w, h, c, &vec![0; len]).unwrap_err();
            assert!(e.to_string().contains(needle), "{e}");
        }
    }

    #[test]
    fn a_probe_counts_a_16_bit_decode_at_its_real_size() {
        // 16-bit RGBA: the decoder's 8 bytes a pixel and the 8-bit RGBA still from it.
        let rgba16 = DynamicImage::ImageRgba16(image::ImageBuffer::from_pixel(
            30,
            20,
            image::Rgba([65535u16, 0, 32896, 65535]),
        ));
        let size = Still::probe_with_limits(&png_bytes(rgba16), LoadLimits::default()).unwrap();
        assert_eq!((size.width, size.height), (30, 20));
        assert_eq!(size.decoded_bytes_per_pixel, 8);
        assert_eq!(size.still_bytes(), 600 * 4);
        assert_eq!(size.decode_peak_bytes(), 600 * (8 + 4));
        // 16-bit RGB: 6 + 3 bytes a pixel.
        let rgb16 = DynamicImage::ImageRgb16(image::ImageBuffer::new(30, 20));
        let size = Still::probe_with_limits(&png_bytes(rgb16), LoadLimits::default()).unwrap();
        assert_eq!(size.decode_peak_bytes(), 600 * (6 + 3));
        // 8-bit RGB is decoded straight into the still: 3 bytes a pixel.
        let rgb8 = DynamicImage::ImageRgb8(image::RgbImage::new(30, 20));
        let size = Still::probe_with_limits(&png_bytes(rgb8), LoadLimits::default()).unwrap();
        assert_eq!(size.decode_peak_bytes(), 600 * 3);
        // Refused as decoding would refuse it, without decoding.
        let limits = LoadLimits {
            max_side: 1000,
            max_pixels: 100,
        };
        let big = png_bytes(DynamicImage::ImageRgb8(image::RgbImage::new(30, 20)));
        assert!(matches!(
            Still::probe_with_limits(&big, limits),
            Err(Error::TooLarge(_))
        ));
        assert!(matches!(
            Still::probe_with_limits(b"hello", LoadLimits::default()),
            Err(Error::Decode(_))
        ));
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
