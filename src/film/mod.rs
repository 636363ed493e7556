//! Film palettes: a whole film, its scenes, or a set of stills taken as its frames.
//!
//! A film is read frame by frame and never held: each sampled frame is cut free of its
//! letterbox bars ([`crate::letterbox`], found over the whole film first), pooled into
//! time-weighted colour cells ([`pool`]), compared with the previous frame for cuts
//! ([`scenes`]), and reduced to one barcode column ([`barcode`]). The film's palette is
//! clustered once from the pooled cells at the end, each scene's when the scene ends.
//!
//! The calls go one way: [`FilmOptions::check`] gives the [`ValidFilmOptions`] (checked
//! once, taken by everything after), [`FilmInput::analyse`] opens the source (a video's
//! frames through FFmpeg, or the stills) and finds its bars, and the one analysis loop
//! (`analysis`) reads the source's frames and makes the [`Film`].
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
//! A video is read no further than a little past the length its header states. And the
//! whole work on one film, probing it included, is bounded in time: by
//! [`FilmOptions::time_limit`], or by default [`default_time_limit_s`] of its stated length
//! (ten minutes plus twice that length, at most [`MAX_TIME_LIMIT_S`]); past it FFmpeg is
//! killed and the film fails.

// Each idea in its own file: the frame, the sampling, the options, the sources (`input`,
// `video`), the analysis loop, and what it gives (`output`).
mod analysis;
pub(crate) mod animation;
pub mod barcode;
pub mod batch;
mod budget;
mod frame;
#[cfg(feature = "video")]
mod index;
pub mod input;
mod options;
mod output;
pub(crate) mod pool;
pub mod sample;
mod sampling;
pub(crate) mod scenes;
#[cfg(feature = "video")]
pub mod video;

pub use budget::{
    default_time_limit_s, MAX_TIME_LIMIT_S, TIME_LIMIT_BASE_S, TIME_LIMIT_PER_FILM_S,
};
pub use frame::Frame;
pub use input::{FilmInput, ANALYSIS_SIDE, BAR_FRAMES};
pub use options::{scenes_default_threshold, FilmOptions, ValidFilmOptions};
pub use output::{Film, Scene};
pub use sample::sample_clip;
pub use sampling::{cheapest, SampleMode, Sampling, DEFAULT_MIN_FRAMES, MAX_FRAMES};
