//! What to make of a film: [`FilmOptions`], the builder, and [`ValidFilmOptions`], what it
//! gives once checked and what every step of the reading and the analysis takes.

use crate::error::{Error, Result};
use crate::pipeline::{PaletteOptions, ValidOptions};

use super::barcode::BarcodeStyle;
use super::budget::{default_time_limit_s, MAX_TIME_LIMIT_S};
use super::input::FilmInput;
use super::output::Film;
use super::sampling::{SampleMode, Sampling, MAX_FRAMES};
use super::scenes;

/// The default cut threshold ([`FilmOptions::cut_threshold`]).
#[must_use]
pub fn scenes_default_threshold() -> f64 {
    scenes::DEFAULT_THRESHOLD
}

/// What to make of a film: a builder over [`PaletteOptions`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FilmOptions {
    /// The palette options, as for a still.
    pub palette: PaletteOptions,
    /// How often frames are sampled (video only: each still is one frame of one second).
    pub sampling: Sampling,
    /// How the samples are read (video only): every frame decoded, key frames only, or a
    /// seek to each; by default the cheapest for the film.
    pub sample_mode: SampleMode,
    /// Find the scenes and give each its palette.
    pub scenes: bool,
    /// Cut the letterbox and pillarbox bars away (default on).
    pub crop: bool,
    /// Make a barcode in this style.
    pub barcode: Option<BarcodeStyle>,
    /// Cut threshold: mean CIELAB distance between consecutive frames' blocks.
    pub cut_threshold: f64,
    /// Shortest scene, in seconds.
    pub min_scene_s: f64,
    /// The wall-clock limit on reading and analysing the film, in seconds (more than 0, at
    /// most [`MAX_TIME_LIMIT_S`]); `None`: [`default_time_limit_s`] of the length its
    /// header states (ten minutes plus twice that length, at most a day).
    pub time_limit_s: Option<f64>,
}

impl Default for FilmOptions {
    fn default() -> Self {
        Self {
            palette: PaletteOptions::default(),
            sampling: Sampling::Auto,
            sample_mode: SampleMode::Auto,
            scenes: false,
            crop: true,
            barcode: None,
            cut_threshold: scenes::DEFAULT_THRESHOLD,
            min_scene_s: scenes::DEFAULT_MIN_SCENE_S,
            time_limit_s: None,
        }
    }
}

impl FilmOptions {
    /// The defaults: the default palette, automatic sampling, bars cut, no scenes, no barcode.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the palette options.
    #[must_use]
    pub fn palette(mut self, palette: PaletteOptions) -> Self {
        self.palette = palette;
        self
    }

    /// Samples a frame every `seconds`.
    #[must_use]
    pub fn every(mut self, seconds: f64) -> Self {
        self.sampling = Sampling::Every(seconds);
        self
    }

    /// Samples `n` frames, evenly spread.
    #[must_use]
    pub fn frames(mut self, n: usize) -> Self {
        self.sampling = Sampling::Frames(n);
        self
    }

    /// Reads the samples as `mode` says (dense, key frames only, a seek each, or the
    /// cheapest for the film).
    #[must_use]
    pub fn sample_mode(mut self, mode: SampleMode) -> Self {
        self.sample_mode = mode;
        self
    }

    /// Finds the scenes (or not).
    #[must_use]
    pub fn scenes(mut self, scenes: bool) -> Self {
        self.scenes = scenes;
        self
    }

    /// Cuts the bars away (or keeps them).
    #[must_use]
    pub fn crop(mut self, crop: bool) -> Self {
        self.crop = crop;
        self
    }

    /// Makes a barcode in `style`.
    #[must_use]
    pub fn barcode(mut self, style: BarcodeStyle) -> Self {
        self.barcode = Some(style);
        self
    }

    /// Sets the cut threshold and the shortest scene.
    #[must_use]
    pub fn cuts(mut self, threshold: f64, min_scene_s: f64) -> Self {
        self.cut_threshold = threshold;
        self.min_scene_s = min_scene_s;
        self
    }

    /// Limits reading and analysing the film to `seconds` of wall-clock time: past it,
    /// FFmpeg is stopped and the film fails ("took longer than the time limit").
    #[must_use]
    pub fn time_limit(mut self, seconds: f64) -> Self {
        self.time_limit_s = Some(seconds);
        self
    }

    /// Checks every option (the palette options through [`PaletteOptions::check`]), before
    /// any frame is read. Errors name the option as the library spells it
    /// ([`Error::BadOption`]: `every`, `frames`, `cut_threshold`, `min_scene`,
    /// `time_limit`).
    pub fn check(&self) -> Result<ValidFilmOptions> {
        let palette = self.palette.check()?;
        match self.sampling {
            Sampling::Every(s) if !(s.is_finite() && s >= 0.001) => {
                return Err(Error::option(
                    "every",
                    format!("must be at least 0.001 seconds (got {s})"),
                ))
            }
            Sampling::Frames(n) if !(1..=MAX_FRAMES).contains(&n) => {
                return Err(Error::option(
                    "frames",
                    format!("must be between 1 and {MAX_FRAMES} (got {n})"),
                ))
            }
            _ => {}
        }
        if !(self.cut_threshold.is_finite() && self.cut_threshold > 0.0) {
            return Err(Error::option(
                "cut_threshold",
                format!("must be positive (got {})", self.cut_threshold),
            ));
        }
        if !(self.min_scene_s.is_finite() && self.min_scene_s >= 0.0) {
            return Err(Error::option(
                "min_scene",
                format!("must be 0 seconds or more (got {})", self.min_scene_s),
            ));
        }
        if let Some(s) = self.time_limit_s {
            if !(s.is_finite() && s > 0.0 && s <= MAX_TIME_LIMIT_S) {
                return Err(Error::option(
                    "time_limit",
                    format!("must be more than 0 and at most {MAX_TIME_LIMIT_S} seconds (got {s})"),
                ));
            }
        }
        Ok(ValidFilmOptions {
            palette,
            sampling: self.sampling,
            sample_mode: self.sample_mode,
            scenes: self.scenes,
            crop: self.crop,
            barcode: self.barcode,
            cut_threshold: self.cut_threshold,
            min_scene_s: self.min_scene_s,
            time_limit_s: self.time_limit_s,
        })
    }

    /// Checks the options once ([`FilmOptions::check`]), then reads `input` and makes its
    /// palettes ([`FilmInput::analyse`]).
    pub fn analyse(&self, input: &FilmInput) -> Result<Film> {
        input.analyse(&self.check()?)
    }
}

/// Film options that passed [`FilmOptions::check`]: what reading and analysing a film take,
/// so that nothing downstream checks again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValidFilmOptions {
    palette: ValidOptions,
    sampling: Sampling,
    sample_mode: SampleMode,
    scenes: bool,
    crop: bool,
    barcode: Option<BarcodeStyle>,
    cut_threshold: f64,
    min_scene_s: f64,
    time_limit_s: Option<f64>,
}

impl ValidFilmOptions {
    /// The palette options, checked.
    #[must_use]
    pub fn palette(&self) -> &ValidOptions {
        &self.palette
    }

    /// How often frames are sampled: every so often at least a millisecond, or 1 to
    /// [`MAX_FRAMES`] frames.
    #[must_use]
    pub fn sampling(&self) -> Sampling {
        self.sampling
    }

    /// How the samples are read, as asked for ([`SampleMode::Auto`]: chosen per film).
    #[must_use]
    pub fn sample_mode(&self) -> SampleMode {
        self.sample_mode
    }

    /// Whether the scenes are found.
    #[must_use]
    pub fn scenes(&self) -> bool {
        self.scenes
    }

    /// Whether the bars are cut away.
    #[must_use]
    pub fn crop(&self) -> bool {
        self.crop
    }

    /// The barcode's style, when one is made.
    #[must_use]
    pub fn barcode(&self) -> Option<BarcodeStyle> {
        self.barcode
    }

    /// The cut threshold: finite and positive.
    #[must_use]
    pub fn cut_threshold(&self) -> f64 {
        self.cut_threshold
    }

    /// The shortest scene, in seconds: finite, 0 or more.
    #[must_use]
    pub fn min_scene_s(&self) -> f64 {
        self.min_scene_s
    }

    /// The time limit as given: more than 0 and at most [`MAX_TIME_LIMIT_S`] seconds; `None`
    /// for the default.
    #[must_use]
    pub fn time_limit_s(&self) -> Option<f64> {
        self.time_limit_s
    }

    /// The time limit of a film `duration_s` long (as its header states it): the one given,
    /// else [`default_time_limit_s`].
    #[must_use]
    pub fn time_limit_for(&self, duration_s: f64) -> f64 {
        self.time_limit_s
            .unwrap_or_else(|| default_time_limit_s(duration_s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_option_as_the_library_spells_it() {
        let message = |options: FilmOptions| options.check().unwrap_err().to_string();
        assert_eq!(
            message(FilmOptions::new().every(0.0)),
            "invalid option: every must be at least 0.001 seconds (got 0)"
        );
        assert_eq!(
            message(FilmOptions::new().frames(0)),
            format!("invalid option: frames must be between 1 and {MAX_FRAMES} (got 0)")
        );
        assert_eq!(
            message(FilmOptions::new().cuts(0.0, 1.0)),
            "invalid option: cut_threshold must be positive (got 0)"
        );
        assert_eq!(
            message(FilmOptions::new().cuts(18.0, -1.0)),
            "invalid option: min_scene must be 0 seconds or more (got -1)"
        );
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, MAX_TIME_LIMIT_S + 1.0] {
            assert_eq!(
                message(FilmOptions::new().time_limit(bad)),
                format!(
                    "invalid option: time_limit must be more than 0 and at most 86400 seconds (got {bad})"
                )
            );
        }
        let limited = FilmOptions::new().time_limit(0.5).check().unwrap();
        assert_eq!(limited.time_limit_for(7200.0), 0.5);
        assert_eq!(
            FilmOptions::new().check().unwrap().time_limit_for(7200.0),
            15_000.0
        );
        let valid = FilmOptions::new().every(2.0).scenes(true).check().unwrap();
        assert_eq!(valid.sampling(), Sampling::Every(2.0));
        assert!(valid.scenes() && valid.crop() && valid.barcode().is_none());
    }
}
