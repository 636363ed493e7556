//! Film palettes: a whole film, its scenes, or a set of stills taken as its frames.
//!
//! A film is read frame by frame and never held: each sampled frame is cut free of its
//! letterbox bars ([`crate::letterbox`], found over the whole film first), pooled into
//! time-weighted colour cells ([`pool`]), compared with the previous frame for cuts
//! ([`scenes`]), and reduced to one barcode column ([`barcode`]). The film's palette is
//! clustered once from the pooled cells at the end, each scene's when the scene ends.
//!
//! ```no_run
//! use color_palettes::film::{FilmInput, FilmOptions};
//! use color_palettes::PaletteOptions;
//! let input = FilmInput::from_args(&["film.mp4"])?;
//! let film = FilmOptions::new()
//!     .palette(PaletteOptions::new().k(6))
//!     .every(2.0)
//!     .scenes(true)
//!     .analyse(&input)?;
//! println!("{}", film.to_json());
//! # Ok::<(), color_palettes::Error>(())
//! ```
//!
//! Limits, checked before any frame is read: at most [`MAX_FRAMES`] sampled frames (and
//! stills); frames are analysed at most [`ANALYSIS_SIDE`] pixels a side (FFmpeg scales them);
//! video frames at most [`video::MAX_VIDEO_SIDE`] a side; stills as [`crate::load::LoadLimits`].

pub mod barcode;
pub mod batch;
pub mod input;
pub(crate) mod pool;
pub mod sample;
pub(crate) mod scenes;
#[cfg(feature = "video")]
pub mod video;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::letterbox::Crop;
use crate::load::Still;
use crate::palette::Palette;
use crate::pipeline::{PaletteOptions, ValidOptions};
use barcode::{Barcode, BarcodeStyle, Column};
pub use input::FilmInput;
use pool::TimeCells;
pub use sample::sample_clip;
use scenes::{CutDetector, Signature};

/// Most frames (or stills) one film may sample.
pub const MAX_FRAMES: usize = 10_000;
/// Frames are analysed within this many pixels a side (FFmpeg scales larger ones down).
pub const ANALYSIS_SIDE: u32 = 640;
/// Frames looked at to find the letterbox bars, spread over the film.
pub const BAR_FRAMES: usize = 40;
/// By default a frame a second, but at least this many frames for a short film.
pub const DEFAULT_MIN_FRAMES: usize = 100;

/// The default cut threshold ([`FilmOptions::cut_threshold`]).
#[must_use]
pub fn scenes_default_threshold() -> f64 {
    scenes::DEFAULT_THRESHOLD
}

/// One frame's pixels, borrowed: raw RGB or RGBA rows.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    pixels: &'a [u8],
    channels: usize,
    width: u32,
    height: u32,
}

impl<'a> Frame<'a> {
    /// A `width` x `height` frame of `channels` (3 or 4) bytes a pixel, checked.
    pub fn new(pixels: &'a [u8], channels: usize, width: u32, height: u32) -> Result<Self> {
        if !(channels == 3 || channels == 4)
            || width == 0
            || height == 0
            || pixels.len() as u64 != u64::from(width) * u64::from(height) * channels as u64
        {
            return Err(Error::InvalidOption(format!(
                "{} bytes are not a {width}x{height} frame of {channels} channels",
                pixels.len()
            )));
        }
        Ok(Self {
            pixels,
            channels,
            width,
            height,
        })
    }

    /// The frame of a still.
    #[must_use]
    pub fn of_still(still: &'a Still) -> Self {
        let (pixels, channels) = still.raw();
        Self {
            pixels,
            channels,
            width: still.width(),
            height: still.height(),
        }
    }

    /// A copy as a still (for the per-frame palettes of the barcode).
    pub(crate) fn to_still(self) -> Result<Still> {
        let image = if self.channels == 4 {
            image::RgbaImage::from_raw(self.width, self.height, self.pixels.to_vec())
                .map(image::DynamicImage::ImageRgba8)
        } else {
            image::RgbImage::from_raw(self.width, self.height, self.pixels.to_vec())
                .map(image::DynamicImage::ImageRgb8)
        };
        image
            .map(Still::from_dynamic)
            .ok_or_else(|| Error::InvalidOption("frame size mismatch".into()))
    }
}

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
            return Err(Error::InvalidOption(format!(
                "sampling every {step:.3} s gives {frames} frames over {duration_s:.1} s, more than the limit of {MAX_FRAMES}; sample less often (--every) or fewer frames (--frames)"
            )));
        }
        Ok(step)
    }
}

/// What to make of a film: a builder over [`PaletteOptions`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FilmOptions {
    /// The palette options, as for a still.
    pub palette: PaletteOptions,
    /// How often frames are sampled (video only: each still is one frame of one second).
    pub sampling: Sampling,
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
}

impl Default for FilmOptions {
    fn default() -> Self {
        Self {
            palette: PaletteOptions::default(),
            sampling: Sampling::Auto,
            scenes: false,
            crop: true,
            barcode: None,
            cut_threshold: scenes::DEFAULT_THRESHOLD,
            min_scene_s: scenes::DEFAULT_MIN_SCENE_S,
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

    /// Checks every option; the palette options through [`PaletteOptions::check`].
    pub fn check(&self) -> Result<ValidOptions> {
        let valid = self.palette.check()?;
        match self.sampling {
            Sampling::Every(s) if !(s.is_finite() && s >= 0.001) => {
                return Err(Error::InvalidOption(format!(
                    "--every must be at least 0.001 seconds (got {s})"
                )))
            }
            Sampling::Frames(n) if !(1..=MAX_FRAMES).contains(&n) => {
                return Err(Error::InvalidOption(format!(
                    "--frames must be between 1 and {MAX_FRAMES} (got {n})"
                )))
            }
            _ => {}
        }
        if !(self.cut_threshold.is_finite() && self.cut_threshold > 0.0) {
            return Err(Error::InvalidOption(format!(
                "the cut threshold must be positive (got {})",
                self.cut_threshold
            )));
        }
        if !(self.min_scene_s.is_finite() && self.min_scene_s >= 0.0) {
            return Err(Error::InvalidOption(format!(
                "the shortest scene must be 0 seconds or more (got {})",
                self.min_scene_s
            )));
        }
        Ok(valid)
    }

    /// Reads `input` and makes its palettes: [`FilmInput::analyse`].
    pub fn analyse(&self, input: &FilmInput) -> Result<Film> {
        input.analyse(self)
    }
}

/// One scene: where it starts and ends, in seconds, and its palette.
#[derive(Debug, Clone, PartialEq)]
pub struct Scene {
    /// Start, in seconds from the start of the film.
    pub start_s: f64,
    /// End, in seconds.
    pub end_s: f64,
    /// The palette of the scene's sampled frames (no colours if the brightness filter left
    /// none of its pixels).
    pub palette: Palette,
}

/// A film's palettes.
#[derive(Debug, Clone, PartialEq)]
pub struct Film {
    /// What was read: the video, or the folder or first still.
    pub source: String,
    /// Length in seconds (a still counts one second).
    pub duration_s: f64,
    /// Frames sampled (stills read).
    pub frames_sampled: usize,
    /// The picture inside the bars that were cut away, in the source's pixels; `None` when
    /// nothing was cut (no bars, `--no-crop`, or stills of different sizes, each cut alone).
    pub crop: Option<Crop>,
    /// The palette of the whole film, each frame weighted by the time it stands for.
    pub palette: Palette,
    /// The scenes, when asked for.
    pub scenes: Option<Vec<Scene>>,
    /// The barcode, when asked for.
    pub barcode: Option<Barcode>,
}

/// Seconds rounded to the millisecond, for the JSON.
fn ms(t: f64) -> f64 {
    (t * 1000.0).round() / 1000.0
}

impl Film {
    /// The scene boundaries (the starts of every scene but the first), in seconds.
    #[must_use]
    pub fn cuts(&self) -> Vec<f64> {
        self.scenes
            .iter()
            .flatten()
            .skip(1)
            .map(|s| s.start_s)
            .collect()
    }

    /// The film as JSON, keys in the documented order: source, duration, frames sampled,
    /// crop, palette (as `extract` prints it) and, with scenes, the scenes with their
    /// palettes.
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut out = format!(
            r#"{{"source":{},"duration_s":{},"frames_sampled":{},"crop":{},"palette":{}"#,
            json_text(&self.source),
            ms(self.duration_s),
            self.frames_sampled,
            json_text(&self.crop),
            self.palette.to_json()
        );
        if let Some(scenes) = &self.scenes {
            let scenes: Vec<String> = scenes
                .iter()
                .map(|s| {
                    format!(
                        r#"{{"start_s":{},"end_s":{},"palette":{}}}"#,
                        ms(s.start_s),
                        ms(s.end_s),
                        s.palette.to_json()
                    )
                })
                .collect();
            out.push_str(&format!(r#","scenes":[{}]"#, scenes.join(",")));
        }
        out.push('}');
        out
    }

    /// [`Film::to_json`] as a JSON value.
    #[must_use]
    pub fn to_value(&self) -> Value {
        serde_json::from_str(&self.to_json()).unwrap_or(Value::Null)
    }
}

/// A field of [`Film::to_json`] as JSON text.
fn json_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

/// The work on sampled frames, one at a time: pooling, cuts, barcode columns.
pub(crate) struct Analysis {
    options: ValidOptions,
    film: TimeCells,
    /// With scenes: the current scene's cells, the detector, and where the scene started.
    scene: Option<(TimeCells, CutDetector)>,
    scene_start: f64,
    scenes: Vec<Scene>,
    barcode: Option<Barcode>,
    frames: usize,
}

impl Analysis {
    pub(crate) fn new(options: &FilmOptions, valid: ValidOptions) -> Self {
        Self {
            options: valid,
            film: TimeCells::new(),
            scene: options.scenes.then(|| {
                (
                    TimeCells::new(),
                    CutDetector::new(options.cut_threshold, options.min_scene_s),
                )
            }),
            scene_start: 0.0,
            scenes: Vec::new(),
            barcode: options.barcode.map(Barcode::new),
            frames: 0,
        }
    }

    /// Adds the frame shown from `t` for `seconds`.
    pub(crate) fn add(&mut self, frame: &Frame<'_>, t: f64, seconds: f64) -> Result<()> {
        let brightness = self.options.options().brightness;
        if let Some(barcode) = &mut self.barcode {
            let column = Column::of(frame, barcode.style, &self.options)?;
            barcode.columns.push((t, seconds, column));
        }
        let cut = match &mut self.scene {
            Some((_, detector)) => detector.is_cut(t, Signature::of(frame)),
            None => false,
        };
        if cut {
            self.close_scene(t)?;
        }
        match &mut self.scene {
            Some((cells, _)) => cells.add(frame, brightness, seconds),
            None => self.film.add(frame, brightness, seconds),
        }
        self.frames += 1;
        Ok(())
    }

    /// Ends the current scene at `end`: its palette, then its cells join the film's.
    fn close_scene(&mut self, end: f64) -> Result<()> {
        let Some((cells, _)) = &mut self.scene else {
            return Ok(());
        };
        let o = self.options.options();
        let palette = if cells.is_empty() {
            Palette::from_weights(o.k, o.method, o.space, [])
        } else {
            cells.palette(&self.options)?
        };
        cells.drain_into(&mut self.film);
        self.scenes.push(Scene {
            start_s: self.scene_start,
            end_s: end,
            palette,
        });
        self.scene_start = end;
        Ok(())
    }

    /// The film's palettes, once every frame is in.
    pub(crate) fn finish(
        mut self,
        source: String,
        duration_s: f64,
        crop: Option<Crop>,
    ) -> Result<Film> {
        if self.frames == 0 {
            return Err(Error::Video(format!(
                "{source} gave no frames (zero length)"
            )));
        }
        self.close_scene(duration_s)?;
        let palette = self.film.palette(&self.options)?;
        if let Some(barcode) = &mut self.barcode {
            barcode.duration_s = duration_s;
        }
        Ok(Film {
            source,
            duration_s,
            frames_sampled: self.frames,
            crop,
            palette,
            scenes: self.scene.is_some().then_some(self.scenes),
            barcode: self.barcode,
        })
    }
}
