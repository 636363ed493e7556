//! # color-palettes
//!
//! Colour palettes from film stills: load a still, cluster its pixels (k-means or
//! agglomerative, in RGB, HSV or CIELAB), and get the palette with the share of the still
//! each colour stands for, as hex, JSON, a coolors.co link, a GIMP `.gpl` file or a
//! `plotters` figure.
//!
//! ```no_run
//! use color_palettes::{PaletteOptions, Method, ColorSpace, Still};
//! let still = Still::open("still.png")?;
//! let palette = PaletteOptions::new().k(8).method(Method::Agglomerative).space(ColorSpace::Hsv).extract(&still)?;
//! for swatch in &palette.colors {
//!     println!("{} {:.1}%", swatch.hex, swatch.proportion * 100.0);
//! }
//! # Ok::<(), color_palettes::Error>(())
//! ```
//!
//! Cargo features: `fetch` (default) loads stills from URLs and downloads the sample stills;
//! `cli` builds the `color-palettes` binary; `server` adds `color-palettes serve`. The
//! library without `fetch` has no network code, and no feature of the library pulls in an
//! async runtime, so a notebook's `:dep` stays quick to compile.

#![deny(unsafe_code)]
#![warn(missing_docs)]
// Lints beyond the defaults, each for a reason: a library that must not panic on input
// says so where it could (`unwrap_used` in library code is denied below in `cfg(not(test))`);
// `must_use_candidate` would flag every getter, so the crate marks what matters by hand.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]
#![warn(
    clippy::semicolon_if_nothing_returned,
    clippy::redundant_closure_for_method_calls
)]

// The pipeline's steps, in order (see `pipeline`).
mod assign;
pub mod cells;
pub mod cluster;
pub mod counts;
pub mod load;
pub mod palette;
pub mod pipeline;
mod points;
pub mod select;
pub mod space;
// Around it.
pub mod data;
mod display;
pub mod error;
#[cfg(feature = "fetch")]
pub mod fetch;
pub mod format;
mod parallel;
pub mod quality;
pub mod render;
#[cfg(feature = "server")]
pub mod server;

pub use cells::Cells;
pub use cluster::Method;
pub use counts::ColorCounts;
pub use error::{Error, Result};
pub use format::Format;
pub use load::Still;
pub use palette::{Palette, Swatch};
pub use pipeline::{comparison, PaletteOptions, ValidOptions};
pub use render::{Figure, StripStyle};
pub use select::Brightness;
pub use space::ColorSpace;
