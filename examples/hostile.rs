//! Writes the hostile stills of RELIABILITY.md at the audit's full size, for
//! `scripts/attacks.py`: `cargo run --release --example hostile -- DIR [NAME]`.

#[path = "../tests/common/hostile.rs"]
mod hostile;

use std::path::PathBuf;

/// Builds one hostile file.
type Maker = fn() -> Vec<u8>;

fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "hostile".into()));
    std::fs::create_dir_all(&dir)?;
    let files: [(&str, Maker); 8] = [
        // 1: a 1x30 000 PNG (a few hundred bytes) drawn as a figure.
        ("tall-1x30000.png", || {
            hostile::png(image::RgbImage::from_pixel(
                1,
                30_000,
                image::Rgb([9, 99, 199]),
            ))
        }),
        // 4: a 64x30 000 PNG: its figure took 110 s and 3 GB.
        ("tall-64x30000.png", || {
            hostile::png(hostile::gradient(64, 30_000))
        }),
        // 5: a GIF whose 10x10 screen holds a 14 000 x 14 000 frame (780 MB decoded).
        ("gif-frame-over-screen.gif", || {
            hostile::gif_frame_over_screen(14_000)
        }),
        // 5: a 1x1 PNG whose ICC profile inflates to 1 GB.
        ("png-iccp-1gb.png", || hostile::iccp_bomb(1 << 30)),
        // 5: a WebP whose 1x1 canvas holds a 12 000 x 12 000 lossless frame (144 MP).
        ("webp-frame-over-canvas.webp", || {
            hostile::webp_frame_over_canvas(12_000)
        }),
        // 4: the largest still the default limits allow (50 MP), for the longest job.
        // (blocks of 28 x 28 pixels, so that it compresses under the 25 MB body limit)
        ("max-50mp.png", || {
            hostile::png(image::RgbImage::from_fn(7_071, 7_071, |x, y| {
                let (bx, by) = (x / 28, y / 28);
                image::Rgb([bx as u8, by as u8, ((bx * 7 + by * 13) % 256) as u8])
            }))
        }),
        // Issue 23, finding 3: the largest still allowed, as 16-bit RGBA (8 bytes a pixel
        // while decoding, then 4 as 8-bit RGBA): the job the memory budget must count at its
        // real size. Blocks of 28 x 28, with noise in the low 7 bits of every fifth pixel's
        // red, so that it is 22 MB (the audit's was 24.8 MB), under the 25 MB body limit.
        ("max-50mp-16bit.png", || {
            hostile::png16(image::ImageBuffer::from_fn(7_071, 7_071, |x, y| {
                let (bx, by) = ((x / 28) as u16, (y / 28) as u16);
                let noise = if x % 5 == 0 {
                    (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503))
                        .wrapping_mul(2_246_822_519)
                        >> 25
                } else {
                    0
                } as u16;
                image::Rgba([
                    bx * 256 + noise,
                    by * 257,
                    (bx * 7 + by * 13) % 256 * 257,
                    65535,
                ])
            }))
        }),
        // A still of ordinary size, for the health checks' companion requests.
        ("ordinary.png", || hostile::png(hostile::gradient(965, 509))),
    ];
    // A name given after DIR writes only that file.
    let only = std::env::args().nth(2);
    for (name, make) in files {
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let bytes = make();
        std::fs::write(dir.join(name), &bytes)?;
        println!("{name}: {} bytes", bytes.len());
    }
    Ok(())
}
