//! Which moments of a video are sampled: a frame every so many seconds, within
//! [`MAX_FRAMES`].

use crate::error::{Error, Result};

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
}
