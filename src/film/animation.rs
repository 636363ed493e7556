//! Animated GIF and APNG: how many frames a file holds and how long they last, read from
//! its blocks and chunks without decoding a pixel, so that `film` can read an animation as
//! a film (through FFmpeg) rather than as a still (its first frame).

/// What the blocks of an image file say about its animation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Animation {
    /// Frames found (counting stops at a few: only "more than one" matters for GIF).
    pub frames: usize,
    /// The frames' total display time, in seconds, when the format states it per frame
    /// (APNG's frame controls; FFmpeg finds a GIF's itself).
    pub duration_s: Option<f64>,
}

impl Animation {
    /// Whether the file is an animation: more than one frame.
    pub fn is_animated(self) -> bool {
        self.frames > 1
    }
}

/// The bytes a file must start with to be a GIF or a PNG, the only formats read as
/// animations; [`SIGNATURE_BYTES`] of them tell.
const GIF87: &[u8] = b"GIF87a";
const GIF89: &[u8] = b"GIF89a";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
pub(crate) const SIGNATURE_BYTES: usize = 8;

/// Whether a file starting with `head` could be an animation (a GIF or a PNG): any other is
/// not worth reading further.
pub(crate) fn may_be_animation(head: &[u8]) -> bool {
    [GIF87, GIF89, PNG].iter().any(|s| head.starts_with(s))
}

/// The animation of a GIF or PNG file's `bytes`; `None` for any other format or a file too
/// damaged to tell (it is then read as a still, whose decoder says what is wrong).
pub(crate) fn animation(bytes: &[u8]) -> Option<Animation> {
    if bytes.starts_with(GIF87) || bytes.starts_with(GIF89) {
        gif(bytes)
    } else if bytes.starts_with(PNG) {
        png(bytes)
    } else {
        None
    }
}

/// Counts a GIF's image descriptors (up to 2), walking its blocks.
fn gif(bytes: &[u8]) -> Option<Animation> {
    let flags = *bytes.get(10)?;
    let mut at = 13;
    if flags & 0x80 != 0 {
        at += 3 << ((flags & 0x07) + 1); // the global colour table
    }
    let mut frames = 0;
    // Skips data sub-blocks (a length byte, then that many bytes) up to the empty one.
    let skip_sub_blocks = |mut at: usize| -> Option<usize> {
        loop {
            let n = usize::from(*bytes.get(at)?);
            at += 1 + n;
            if n == 0 {
                return Some(at);
            }
        }
    };
    while frames < 2 {
        match *bytes.get(at)? {
            0x21 => at = skip_sub_blocks(at + 2)?, // extension: introducer, label, sub-blocks
            0x2C => {
                frames += 1;
                let flags = *bytes.get(at + 9)?;
                at += 10;
                if flags & 0x80 != 0 {
                    at += 3 << ((flags & 0x07) + 1); // a local colour table
                }
                at = skip_sub_blocks(at + 1)?; // LZW minimum code size, then the data
            }
            0x3B => break, // trailer
            _ => return None,
        }
    }
    Some(Animation {
        frames,
        duration_s: None,
    })
}

/// Counts an APNG's frame controls (`fcTL`) and adds up their delays; a PNG without an
/// animation control (`acTL`) is one frame.
fn png(bytes: &[u8]) -> Option<Animation> {
    let mut at = 8;
    let (mut animated, mut frames, mut seconds) = (false, 0usize, 0.0f64);
    while at + 8 <= bytes.len() {
        let length = u32::from_be_bytes(bytes[at..at + 4].try_into().ok()?) as usize;
        let kind = &bytes[at + 4..at + 8];
        let data = bytes.get(at + 8..at + 8 + length)?;
        match kind {
            b"acTL" => animated = true,
            b"fcTL" if data.len() >= 26 => {
                frames += 1;
                let numerator = f64::from(u16::from_be_bytes([data[20], data[21]]));
                // A denominator of 0 means hundredths (the APNG specification).
                let denominator = match u16::from_be_bytes([data[22], data[23]]) {
                    0 => 100.0,
                    d => f64::from(d),
                };
                seconds += numerator / denominator;
            }
            b"IEND" => break,
            _ => {}
        }
        at += 12 + length; // length, type, data, CRC
    }
    Some(if animated {
        Animation {
            frames,
            duration_s: Some(seconds),
        }
    } else {
        Animation {
            frames: 1,
            duration_s: None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gif_of(frames: usize) -> Vec<u8> {
        let mut bytes = Vec::new();
        let image = image::RgbaImage::from_pixel(4, 3, image::Rgba([200, 10, 10, 255]));
        {
            let mut encoder = image::codecs::gif::GifEncoder::new(&mut bytes);
            for _ in 0..frames {
                encoder
                    .encode_frame(image::Frame::new(image.clone()))
                    .unwrap();
            }
        }
        bytes
    }

    #[test]
    fn a_gif_of_two_frames_is_animated_and_one_of_one_is_not() {
        assert_eq!(animation(&gif_of(1)).map(|a| a.frames), Some(1));
        assert!(animation(&gif_of(3)).unwrap().is_animated());
        assert_eq!(
            animation(&gif_of(3)).unwrap().frames,
            2,
            "counting stops at two"
        );
    }

    #[test]
    fn a_png_is_one_frame_and_an_apng_adds_up_its_delays() {
        let mut still = Vec::new();
        image::RgbImage::new(2, 2)
            .write_to(
                &mut std::io::Cursor::new(&mut still),
                image::ImageFormat::Png,
            )
            .unwrap();
        assert_eq!(animation(&still).unwrap().frames, 1);
        // A hand-made APNG head: acTL, then two fcTL of 1/2 s and 250/1000 s (CRCs are not
        // checked here).
        let chunk = |kind: &[u8], data: &[u8]| {
            let mut c = (data.len() as u32).to_be_bytes().to_vec();
            c.extend_from_slice(kind);
            c.extend_from_slice(data);
            c.extend_from_slice(&[0; 4]);
            c
        };
        let fctl = |num: u16, den: u16| {
            let mut d = vec![0u8; 20];
            d.extend_from_slice(&num.to_be_bytes());
            d.extend_from_slice(&den.to_be_bytes());
            d.extend_from_slice(&[0, 0]);
            d
        };
        let mut apng = b"\x89PNG\r\n\x1a\n".to_vec();
        apng.extend(chunk(b"IHDR", &[0; 13]));
        apng.extend(chunk(b"acTL", &[0, 0, 0, 2, 0, 0, 0, 0]));
        apng.extend(chunk(b"fcTL", &fctl(1, 2)));
        apng.extend(chunk(b"fcTL", &fctl(250, 1000)));
        apng.extend(chunk(b"IEND", &[]));
        let a = animation(&apng).unwrap();
        assert_eq!(a.frames, 2);
        assert!((a.duration_s.unwrap() - 0.75).abs() < 1e-9);
        assert_eq!(animation(b"GIF89a"), None, "too short to tell");
        assert_eq!(animation(b"BM...."), None);
        assert!(may_be_animation(&apng[..SIGNATURE_BYTES]) && may_be_animation(b"GIF89a\x01\x00"));
        assert!(
            !may_be_animation(b"\xff\xd8\xff\xe0\x00\x10JF"),
            "a JPEG is not read further"
        );
    }
}
