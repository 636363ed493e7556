//! # color-palettes
//!
//! Colour palettes from film stills: load a still, cluster its pixels (accent-aware
//! k-medians in CIELAB by default; k-means, agglomerative or plain k-medians, in RGB, HSV or CIELAB), and get the
//! palette with the share of the still each colour stands for, as hex, JSON, a coolors.co
//! link, a GIMP `.gpl` file or a `plotters` figure.
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
//! What the CLI, the server and the notebooks run is one [`Request`] on one [`Source`]:
//! the same still and options give the same bytes from each (bars cut unless
//! `.crop(false)`).
//!
//! ```no_run
//! use color_palettes::{Format, Request, Source};
//! // `color-palettes extract still.jpg -k 5 --format gpl`, and
//! // `GET /api/palette?url=...&k=5&format=gpl`:
//! let answer = Request::palette().k(5).format(Format::Gpl).run(Source::parse("still.jpg"))?;
//! std::fs::write("still.gpl", answer.body()?)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Cargo features: `fetch` (default) loads stills from URLs and downloads the sample stills;
//! `cli` builds the `color-palettes` binary; `server` adds `color-palettes serve`. The
//! library without `fetch` has no network code, and no feature of the library pulls in an
//! async runtime, so a notebook's `:dep` stays quick to compile.

#![deny(unsafe_code)]
#![warn(missing_docs)]
// Beyond clippy's defaults, one lint: the library must not panic on any input, so `unwrap`
// is denied outside tests (an invariant that truly cannot fail says so with `expect`).
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

// The pipeline's steps (`pipeline` runs them, docs/ARCHITECTURE.md draws them) and what
// surrounds them.
mod assign;
mod cells;
mod cluster;
mod counts;
pub mod data;
mod display;
mod error;
pub mod explore;
#[cfg(feature = "fetch")]
pub mod fetch;
pub mod film;
pub mod format;
mod grid;
pub mod letterbox;
pub mod load;
mod named;
pub mod order;
pub mod palette;
mod parallel;
pub mod pipeline;
mod points;
pub mod quality;
pub mod render;
pub mod request;
mod select;
#[cfg(feature = "server")]
pub mod server;
mod source;
pub mod space;
mod text;

pub use cells::Cells;
pub use cluster::Method;
pub use counts::ColorCounts;
pub use error::{Error, ErrorKind, Result};
pub use format::Format;
pub use load::Still;
pub use order::Order;
pub use palette::{Palette, Swatch};
pub use pipeline::{comparison, PaletteOptions, ValidOptions};
pub use render::{Figure, StripStyle};
pub use request::{Answer, Request, Task, ValidRequest};
pub use select::Brightness;
pub use source::Source;
pub use space::ColorSpace;
