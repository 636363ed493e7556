//! Hostile stills, built in memory: shared by `tests/hardening.rs` and
//! `examples/hostile.rs` (which writes them out for `scripts/attacks.py`).
#![allow(dead_code)]

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, RgbImage};

fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

/// A PNG of `image`.
pub fn png(image: RgbImage) -> Vec<u8> {
    encode(&DynamicImage::ImageRgb8(image), ImageFormat::Png)
}

/// A 16-bit RGBA PNG of `image`.
/// (Compressed hard: a 16-bit still is large.)
pub fn png16(image: image::ImageBuffer<image::Rgba<u16>, Vec<u16>>) -> Vec<u8> {
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    let mut out = Vec::new();
    DynamicImage::ImageRgba16(image)
        .write_with_encoder(PngEncoder::new_with_quality(
            &mut out,
            CompressionType::Best,
            FilterType::Adaptive,
        ))
        .expect("encode");
    out
}

/// A `width` x `height` gradient.
pub fn gradient(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([
            (x * 255 / width.max(2)) as u8,
            (y * 255 / height.max(2)) as u8,
            ((x + y) % 256) as u8,
        ])
    })
}

/// PNG chunk: length, type, data, CRC.
pub fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32(kind, 0xffff_ffff);
    crc = crc32(data, crc);
    out.extend_from_slice(&(!crc).to_be_bytes());
    out
}

fn crc32(bytes: &[u8], mut crc: u32) -> u32 {
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    crc
}

/// zlib stream of `n` zero bytes, stored as fixed-Huffman runs (about 1 000:1).
pub fn zlib_zeros(n: usize) -> Vec<u8> {
    let mut encoder = flate2_like::ZlibZeros::new();
    encoder.zeros(n);
    encoder.finish()
}

/// A minimal zlib writer for long runs of zeros, so the test needs no compression crate:
/// one literal zero, then length-258 matches at distance 1, in a fixed-Huffman block.
mod flate2_like {
    pub struct ZlibZeros {
        out: Vec<u8>,
        bits: u64,
        nbits: u32,
        total: usize,
    }

    impl ZlibZeros {
        pub fn new() -> Self {
            Self {
                out: vec![0x78, 0x01],
                bits: 0,
                nbits: 0,
                total: 0,
            }
        }

        fn put(&mut self, value: u32, n: u32) {
            self.bits |= u64::from(value) << self.nbits;
            self.nbits += n;
            while self.nbits >= 8 {
                self.out.push(self.bits as u8);
                self.bits >>= 8;
                self.nbits -= 8;
            }
        }

        /// A Huffman code, most significant bit first.
        fn code(&mut self, code: u32, n: u32) {
            let reversed = code.reverse_bits() >> (32 - n);
            self.put(reversed, n);
        }

        pub fn zeros(&mut self, n: usize) {
            self.total = n;
            self.put(1, 1); // final block
            self.put(1, 2); // fixed Huffman
            if n == 0 {
                self.code(0, 7); // end of block
                return;
            }
            self.code(0x30, 8); // literal 0
            let mut left = n - 1;
            while left >= 258 {
                self.code(0b1100_0101, 8); // length 258: code 285
                self.code(0, 5); // distance 1
                left -= 258;
            }
            for _ in 0..left {
                self.code(0x30, 8);
            }
            self.code(0, 7); // end of block
        }

        pub fn finish(mut self) -> Vec<u8> {
            if self.nbits > 0 {
                self.out.push(self.bits as u8);
            }
            // Adler-32 of n zeros: a = 1, b = n (mod 65521).
            let b = (self.total % 65521) as u32;
            let adler = (b << 16) | 1;
            self.out.extend_from_slice(&adler.to_be_bytes());
            self.out
        }
    }
}

/// A 1x1 PNG whose iCCP chunk inflates to `inflated` bytes.
pub fn iccp_bomb(inflated: usize) -> Vec<u8> {
    let one = png(RgbImage::from_pixel(1, 1, image::Rgb([1, 2, 3])));
    let mut iccp = b"bomb\0\0".to_vec();
    iccp.extend_from_slice(&zlib_zeros(inflated));
    // Signature (8) and IHDR (25), then the iCCP chunk, then the rest.
    let mut out = one[..33].to_vec();
    out.extend_from_slice(&chunk(b"iCCP", &iccp));
    out.extend_from_slice(&one[33..]);
    out
}

/// A GIF whose logical screen is 10x10 and whose first frame is `side` x `side`.
pub fn gif_frame_over_screen(side: u16) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let palette = [0u8, 0, 0, 255, 255, 255];
        let mut encoder = gif::Encoder::new(&mut out, 10, 10, &palette).expect("gif");
        let frame = gif::Frame {
            width: side,
            height: side,
            buffer: std::borrow::Cow::Owned(vec![1; usize::from(side) * usize::from(side)]),
            ..gif::Frame::default()
        };
        encoder.write_frame(&frame).expect("frame");
    }
    out
}

/// A WebP whose extended header (VP8X) claims a 1x1 canvas, holding a lossless frame of
/// `side` x `side`.
pub fn webp_frame_over_canvas(side: u32) -> Vec<u8> {
    let lossless = encode(
        &DynamicImage::ImageRgb8(RgbImage::from_pixel(side, side, image::Rgb([7, 7, 7]))),
        ImageFormat::WebP,
    );
    // RIFF size WEBP, then the frame chunk ("VP8L" ...).
    let frame = &lossless[12..];
    let mut vp8x = b"VP8X".to_vec();
    vp8x.extend_from_slice(&10u32.to_le_bytes());
    vp8x.extend_from_slice(&[0, 0, 0, 0]); // flags, reserved
    vp8x.extend_from_slice(&[0, 0, 0, 0, 0, 0]); // canvas 1x1 (minus one, 24 bits each)
    let mut body = b"WEBP".to_vec();
    body.extend_from_slice(&vp8x);
    body.extend_from_slice(frame);
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
    out
}
