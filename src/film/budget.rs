//! The time budget of one film: a wall-clock limit on reading and analysing it, counted
//! from the start, so that no film (a hostile file, a decoder that stalls, a URL that
//! trickles) can hold a run for longer than a documented bound.

use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// The default budget before the length of the film is known, in seconds, and what it
/// starts from: ten minutes, far more than probing a film or reading a few stills takes.
pub const TIME_LIMIT_BASE_S: f64 = 600.0;
/// Seconds of budget each second of the film (as its header states it) adds by default.
/// Reading a film decodes all of it: a 2-hour 1080p film takes about 7 minutes on two
/// cores at a frame a second (BENCHMARKS.md's 10-minute film, 35 s), and a high-bitrate
/// 1080p one (60 s of `testsrc2`, x264 ultrafast, 81 MB) 0.13 s a second of film, 16 minutes
/// for 2 hours; twice its length is room for a machine fifteen times slower than that.
pub const TIME_LIMIT_PER_FILM_S: f64 = 2.0;
/// The largest time limit, given or by default: a day.
pub const MAX_TIME_LIMIT_S: f64 = 86_400.0;

/// The default time limit of a film `duration_s` long (as its header states it):
/// [`TIME_LIMIT_BASE_S`] plus [`TIME_LIMIT_PER_FILM_S`] per second, at most
/// [`MAX_TIME_LIMIT_S`].
#[must_use]
pub fn default_time_limit_s(duration_s: f64) -> f64 {
    let limit = TIME_LIMIT_BASE_S + TIME_LIMIT_PER_FILM_S * duration_s;
    if limit.is_finite() {
        limit.min(MAX_TIME_LIMIT_S)
    } else {
        MAX_TIME_LIMIT_S
    }
}

/// When the work on one film must end: a limit in seconds from when it started.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    start: Instant,
    limit_s: f64,
}

impl Budget {
    /// A budget of `limit_s` seconds, from now.
    pub(crate) fn start(limit_s: f64) -> Self {
        Self {
            start: Instant::now(),
            limit_s,
        }
    }

    /// The same start with another limit (once the film's length is known).
    pub(crate) fn with_limit(self, limit_s: f64) -> Self {
        Self { limit_s, ..self }
    }

    /// The time left, zero once the budget is spent.
    pub(crate) fn remaining(&self) -> Duration {
        Duration::from_secs_f64(self.limit_s.clamp(0.0, MAX_TIME_LIMIT_S))
            .saturating_sub(self.start.elapsed())
    }

    /// The error of a film that ran out of time.
    pub(crate) fn exceeded(&self, source: &str) -> Error {
        Error::Video(format!(
            "{source}: took longer than the time limit of {} s",
            self.limit_s
        ))
    }

    /// An error once the budget is spent.
    pub(crate) fn check(&self, source: &str) -> Result<()> {
        if self.remaining().is_zero() {
            Err(self.exceeded(source))
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_grows_with_the_film_and_stays_bounded() {
        assert_eq!(default_time_limit_s(0.0), 600.0);
        // A 2-hour film: 4 h 10 min, for about 7 minutes of work.
        assert_eq!(default_time_limit_s(7200.0), 15_000.0);
        assert_eq!(default_time_limit_s(1e12), MAX_TIME_LIMIT_S);
        assert_eq!(default_time_limit_s(f64::INFINITY), MAX_TIME_LIMIT_S);
        let spent = Budget::start(0.0);
        assert!(spent.remaining().is_zero());
        assert_eq!(
            spent.check("f.mkv").unwrap_err().to_string(),
            "f.mkv: took longer than the time limit of 0 s"
        );
        assert!(Budget::start(60.0).check("f.mkv").is_ok());
    }
}
