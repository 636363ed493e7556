//! Decompression-bomb checks, run on a file's bytes before its decoder: the sizes a decoder
//! allocates for that the image's header (checked in `load`) does not give. A TIFF's
//! directory entries, a GIF's first frame and every WebP frame are checked against the
//! limits; a PNG loses the ancillary chunks that could inflate. Every format is bounded
//! besides by the dimensions check and the decoder's allocation limits, in `load`.

use std::borrow::Cow;
use std::io::Cursor;

use image::ImageFormat;

use crate::error::{Error, Result};

use super::{check_dimensions, one_line, LoadLimits};

/// The bytes to give the decoder of `format`: `bytes` once they pass the checks for
/// `limits`, or, for a PNG, a copy without its extra ancillary chunks when it has any.
pub(super) fn checked(
    bytes: &[u8],
    format: ImageFormat,
    limits: LoadLimits,
) -> Result<Cow<'_, [u8]>> {
    match format {
        ImageFormat::Gif => check_gif_frame(bytes, limits)?,
        ImageFormat::WebP => check_webp_frames(bytes, limits)?,
        ImageFormat::Tiff => check_tiff_entries(bytes, limits)?,
        ImageFormat::Png => {
            return Ok(png_without_extras(bytes).map_or(Cow::Borrowed(bytes), Cow::Owned));
        }
        _ => {}
    }
    Ok(Cow::Borrowed(bytes))
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
/// none. From a malformed chunk on (its type not four ASCII letters, or its length past the
/// end), the rest is kept as it is, for the decoder to judge. One pass, holding nothing per
/// chunk: a file of millions of empty chunks costs no more than its copy.
fn png_without_extras(bytes: &[u8]) -> Option<Vec<u8>> {
    const SIGNATURE: usize = 8;
    let chunk_at = |at: usize| -> Option<(usize, [u8; 4])> {
        let len = u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize;
        let kind: [u8; 4] = bytes.get(at + 4..at + 8)?.try_into().ok()?;
        let end = at.checked_add(12)?.checked_add(len)?;
        (end <= bytes.len() && kind.iter().all(u8::is_ascii_alphabetic)).then_some((end, kind))
    };
    // The copy, begun at the first chunk dropped.
    let mut out: Option<Vec<u8>> = None;
    let mut at = SIGNATURE.min(bytes.len());
    while at < bytes.len() {
        let Some((end, kind)) = chunk_at(at) else {
            if let Some(out) = &mut out {
                out.extend_from_slice(&bytes[at..]);
            }
            break;
        };
        let keep = kind[0].is_ascii_uppercase() || PNG_KEPT_ANCILLARY.contains(&&kind);
        match (&mut out, keep) {
            (Some(out), true) => out.extend_from_slice(&bytes[at..end]),
            (None, false) => {
                let mut copy = Vec::with_capacity(bytes.len());
                copy.extend_from_slice(&bytes[..at]);
                out = Some(copy);
            }
            _ => {}
        }
        at = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::load::Still;
    use image::ImageFormat;
    use std::io::Cursor;

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
}
