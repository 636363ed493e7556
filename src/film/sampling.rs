//! Which moments of a video are sampled: a frame every so many seconds, within
//! [`MAX_FRAMES`].

use crate::error::{Error, Result};
use crate::named::names;

/// Most frames (or stills) one film may sample.
pub const MAX_FRAMES: usize = 10_000;
/// By default a frame a second, but at least this many frames for a short film.
pub const DEFAULT_MIN_FRAMES: usize = 100;

/// How often frames are sampled.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Sampling {
    /// A frame a second, or [`DEFAULT_MIN_FRAMES`] frames for a film under that many seconds,
    /// or [`MAX_FRAMES`] for one over that many.
    #[default]
    Auto,
    /// A frame every so many seconds.
    Every(f64),
    /// So many frames, evenly spread.
    Frames(usize),
}

impl Sampling {
    /// The sampling step in seconds for a film of `duration_s`, checked against
    /// [`MAX_FRAMES`].
    pub fn step(self, duration_s: f64) -> Result<f64> {
        let step = match self {
            Sampling::Auto => (duration_s / DEFAULT_MIN_FRAMES as f64)
                .min(1.0)
                .max(duration_s / MAX_FRAMES as f64),
            Sampling::Every(s) => s,
            Sampling::Frames(n) => duration_s / n as f64,
        };
        let frames = (duration_s / step).ceil();
        if !(step.is_finite() && step > 0.0) || frames > MAX_FRAMES as f64 {
            // Automatic sampling stays within the limit on any probed length, so a step
            // this short came from a number of seconds.
            let name = match self {
                Sampling::Frames(_) => "frames",
                Sampling::Auto | Sampling::Every(_) => "every",
            };
            return Err(Error::option(
                name,
                format!(
                    "must give at most {MAX_FRAMES} frames (a frame every {step:.3} s over {duration_s:.1} s gives {frames}); sample less often or fewer frames"
                ),
            ));
        }
        Ok(step)
    }
}

/// How a video's samples are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum SampleMode {
    /// The cheapest of the three for this film: `keys` when the samples are no denser than
    /// its key frames and decoding those costs less than seeking, `seek` when few samples
    /// lie far apart (an all-intra film, or a long film sampled sparsely), else `dense`.
    #[default]
    Auto,
    /// Every frame decoded, a frame kept every step (FFmpeg's `fps` filter): the time
    /// follows the film's length.
    Dense,
    /// Key frames only (FFmpeg's `-skip_frame nokey`), one kept every step, each standing
    /// for the time to the next kept: the time follows the key frames.
    Keys,
    /// A seek to each sample (the frames from the key frame before it decoded): the time
    /// follows the samples.
    Seek,
}

names! {
    SampleMode, "sampling";
    /// Every mode, in the order they are documented.
    ALL;
    /// The lower-case name used on the command line, by the Python package and in the
    /// film's JSON (`"sampling"`).
    name;
    Auto => "auto",
    Dense => "dense",
    Keys => "keys",
    Seek => "seek",
}

/// The cheapest way to read `samples` samples of a film of `frames` frames of which `keys`
/// are key frames, by what each costs in frames decoded.
///
/// Every way but a seek also decodes the key frames once to find the bars. A key frame
/// costs about three ordinary frames (it carries the whole picture). A seek starts FFmpeg
/// (about 30 frames' time: it loads its libraries) and decodes from the key frame before
/// its sample (half a group of pictures on average); the bars take [`BAR_SEEKS`] more.
#[must_use]
pub fn cheapest(frames: usize, keys: usize, samples: usize) -> SampleMode {
    let all_keys = KEY_FRAME_COST * keys.max(1) as f64;
    let dense = frames as f64 + all_keys;
    // Key frames sparser than the samples would leave steps without a frame: not a skim.
    let by_keys = if keys >= samples {
        2.0 * all_keys
    } else {
        f64::INFINITY
    };
    let by_seek = (samples + BAR_SEEKS) as f64 * seek_cost(frames, keys);
    if by_keys <= by_seek && by_keys < dense {
        SampleMode::Keys
    } else if by_seek < dense {
        SampleMode::Seek
    } else {
        SampleMode::Dense
    }
}

/// Whether [`BAR_SEEKS`] seeks cost less than decoding every key frame, to find the bars of
/// a film of `frames` frames, `keys` of them key frames (the costs of [`cheapest`]).
#[cfg(feature = "video")]
pub(crate) fn bars_cheaper_by_seeking(frames: usize, keys: usize) -> bool {
    BAR_SEEKS as f64 * seek_cost(frames, keys) < KEY_FRAME_COST * keys.max(1) as f64
}

/// What a key frame costs to decode, in ordinary frames.
const KEY_FRAME_COST: f64 = 3.0;

/// What one seek costs, in frames decoded: FFmpeg's start, its key frame, and half a group
/// of pictures.
fn seek_cost(frames: usize, keys: usize) -> f64 {
    30.0 + KEY_FRAME_COST + 0.5 * frames as f64 / keys.max(1) as f64
}

/// Seeks made to find the bars when the samples are read by seeking.
pub const BAR_SEEKS: usize = 40;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_step_keeps_within_the_limit() {
        assert_eq!(Sampling::Auto.step(50.0).unwrap(), 0.5);
        assert_eq!(Sampling::Auto.step(500.0).unwrap(), 1.0);
        assert_eq!(Sampling::Auto.step(20_000.0).unwrap(), 2.0);
        assert_eq!(Sampling::Frames(4).step(10.0).unwrap(), 2.5);
        let err = Sampling::Every(0.001).step(20.0).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid option: every must give at most 10000 frames"),
            "{err}"
        );
    }

    #[test]
    fn the_cheapest_mode_follows_the_key_frames_and_the_samples() {
        // Two hours at 24 fps, a key frame every 2 s: 1000 samples skim the key frames, a
        // sample a second (denser than the key frames) decodes everything.
        assert_eq!(cheapest(172_800, 3_600, 1_000), SampleMode::Keys);
        assert_eq!(cheapest(172_800, 3_600, 7_200), SampleMode::Dense);
        // A key frame every 10 s: 100 samples still skim them (a seek would decode five
        // seconds of frames each); a key frame every 100 s: 50 samples skim its 72 key
        // frames, 90 (more than the key frames) seek, 1000 decode everything.
        assert_eq!(cheapest(172_800, 720, 100), SampleMode::Keys);
        assert_eq!(cheapest(172_800, 72, 50), SampleMode::Keys);
        assert_eq!(cheapest(172_800, 72, 90), SampleMode::Seek);
        assert_eq!(cheapest(172_800, 72, 1_000), SampleMode::Dense);
        // Every frame a key frame (all-intra): a seek each, unless samples are most frames.
        assert_eq!(cheapest(2_400, 2_400, 100), SampleMode::Seek);
        assert_eq!(cheapest(2_400, 2_400, 2_400), SampleMode::Dense);
        // The bars: 40 seeks beat 3 600 key frames, not 16.
        #[cfg(feature = "video")]
        {
            assert!(bars_cheaper_by_seeking(172_800, 3_600));
            assert!(!bars_cheaper_by_seeking(384, 16));
        }
        assert_eq!("Keys ".parse::<SampleMode>().unwrap(), SampleMode::Keys);
        assert!("fast".parse::<SampleMode>().is_err());
    }
}
