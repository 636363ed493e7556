//! The memory budget of the palette jobs: what a job costs, estimated before it runs from
//! its still's header, and the default budget.
//!
//! A job's peak is the larger of its two phases: decoding (the decoder's buffer at the bit
//! depth the file stores, and the 8-bit still converted from it: 12 bytes a pixel for a
//! 16-bit RGBA PNG) and the palette (the 8-bit still, a cropped copy of it when it has bars,
//! and the methods' work). The encoded bytes are not counted here: they hold a download or
//! an upload slot of their own until the still is decoded.

use crate::load::{DecodeSize, LoadLimits, Still};

const MIB: u64 = 1024 * 1024;

/// Bytes a pixel the palette methods and the figure hold besides the still (measured: a
/// 50 MP still's palette, figure included, at most about 1.6 bytes a pixel over its still,
/// k-means, agglomerative and accent alike), rounded up.
pub const WORK_BYTES_PER_PIXEL: u64 = 2;

/// The largest figure a job draws (900 x 1 860 RGB: 5 MB), rounded up.
pub const FIGURE: u64 = 8 * MIB;

/// What a job that holds no still of its own costs (a swatch grid, a preview of a sample
/// already decoded): a figure.
pub const SMALL_JOB: u64 = FIGURE;

/// The most bytes a job on a still of `size` holds at once: the larger of decoding (see
/// [`DecodeSize::decode_peak_bytes`]) and the palette, which holds the 8-bit still and,
/// when its bars are cut, first its cropped copy (the uncut still is then freed), then the
/// methods' buffers, then a figure.
#[must_use]
pub fn still_job(size: DecodeSize) -> u64 {
    let (pixels, still) = (size.pixels(), size.still_bytes());
    let palette = still + still.max(pixels * WORK_BYTES_PER_PIXEL) + FIGURE;
    size.decode_peak_bytes().max(palette)
}

/// The most bytes a job on an already decoded still (a sample, kept decoded) holds besides
/// the still: its cropped copy and the methods' buffers at once, and a figure.
#[must_use]
pub fn decoded_job(still: &Still) -> u64 {
    let pixels = u64::from(still.width()) * u64::from(still.height());
    let (_, channels) = still.raw();
    pixels * (channels as u64 + WORK_BYTES_PER_PIXEL) + FIGURE
}

/// The default budget for `max_jobs` jobs on stills within `limits`: room for that many
/// jobs on the largest 8-bit RGBA still at once, so 8-bit stills run a job a slot as they
/// always did, while a 16-bit still, which costs more, is admitted with fewer beside it.
#[must_use]
pub fn default_budget(max_jobs: usize, limits: LoadLimits) -> u64 {
    let largest = DecodeSize {
        width: u32::try_from(limits.max_pixels.min(u64::from(u32::MAX))).unwrap_or(u32::MAX),
        height: 1,
        decoded_bytes_per_pixel: 4,
        still_bytes_per_pixel: 4,
        converted: false,
        copied_bytes: 0,
    };
    (max_jobs.max(1) as u64).saturating_mul(still_job(largest))
}

/// `bytes` in whole MiB, rounded up, as semaphore permits.
#[must_use]
pub fn mib(bytes: u64) -> u32 {
    u32::try_from(bytes.div_ceil(MIB)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(bytes_per_pixel: u8, still: u8, converted: bool) -> DecodeSize {
        DecodeSize {
            width: 7_071,
            height: 7_071,
            decoded_bytes_per_pixel: bytes_per_pixel,
            still_bytes_per_pixel: still,
            converted,
            copied_bytes: 0,
        }
    }

    #[test]
    fn a_16_bit_still_costs_its_real_size() {
        let pixels = 7_071u64 * 7_071;
        // 16-bit RGBA: 8 bytes a pixel decoding, beside the 4 of the 8-bit still.
        assert_eq!(still_job(size(8, 4, true)), pixels * 12);
        // 8-bit RGB: the palette phase (the still, then its cropped copy) is the larger.
        assert_eq!(still_job(size(3, 3, false)), pixels * (3 + 3) + FIGURE);
        assert!(still_job(size(6, 3, true)) > still_job(size(3, 3, false)));
    }

    #[test]
    fn the_default_budget_runs_a_job_a_slot_of_8_bit_stills_and_fewer_of_16_bit() {
        let limits = LoadLimits::default();
        let budget = default_budget(2, limits);
        let rgba8 = still_job(size(4, 4, false));
        let rgba16 = still_job(size(8, 4, true));
        assert!(2 * rgba8 <= budget, "{budget}");
        assert!(2 * rgba16 > budget, "{budget}");
        assert_eq!(mib(1), 1);
        assert_eq!(mib(MIB), 1);
        assert_eq!(mib(MIB + 1), 2);
    }
}
