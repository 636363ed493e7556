//! One request, every front end: what to make of a still (one palette, or the original
//! analysis' four), with which options, cropped or not, in which order and format. The CLI,
//! the server's routes, the notebooks' helpers and the Python package all build a
//! [`Request`] and run it, so the same still and options give the same answer everywhere.
//!
//! The defaults are declared here and in [`PaletteOptions::DEFAULT`], once; the CLI's help,
//! the server's query parser and its OpenAPI document take them from here ([`PARAMS`]).
//!
//! ```no_run
//! use color_palettes::{Request, Source};
//! let answer = Request::palette().k(5).run(Source::parse("El_Fuente"))?;
//! println!("{}", String::from_utf8_lossy(&answer.body()?));
//! # Ok::<(), color_palettes::Error>(())
//! ```

use std::sync::Arc;

use crate::cluster::Method;
use crate::error::{Error, Result};
use crate::format::{self, Format, FIGURE_WIDTH};
use crate::letterbox::{self, Crop};
use crate::load::{LoadLimits, Still};
use crate::order::{self, Order};
use crate::palette::Palette;
use crate::pipeline::{PaletteOptions, ValidOptions, MAX_K};
use crate::render::{Figure, StripStyle};
use crate::source::Source;
use crate::space::ColorSpace;

/// What a request makes of its still.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Task {
    /// One palette.
    #[default]
    Palette,
    /// The original analysis' four palettes: k-means and agglomerative, in RGB and HSV (in
    /// that order; the options' method and space are not used).
    Compare,
}

impl Task {
    /// The order of the swatches when none is asked for: by share for one palette, lined
    /// up with the first strip for a comparison.
    #[must_use]
    pub fn default_order(self) -> Order {
        match self {
            Task::Palette => Order::Share,
            Task::Compare => Order::Matched,
        }
    }

    /// The formats the task can be written in.
    #[must_use]
    pub fn formats(self) -> &'static [Format] {
        match self {
            Task::Palette => &Format::ALL,
            Task::Compare => &[Format::Json, Format::Png, Format::Svg],
        }
    }
}

/// What to make of a still; a builder whose fields may hold anything until
/// [`Request::check`] (which [`Request::run`] calls) turns them into a [`ValidRequest`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Request {
    /// One palette or the comparison.
    pub task: Task,
    /// How to cluster.
    pub options: PaletteOptions,
    /// Cut black letterbox and pillarbox bars away first (default on).
    pub crop: bool,
    /// The order of the swatches; `None` is the task's own ([`Task::default_order`]).
    pub order: Option<Order>,
    /// What [`Answer::body`] writes.
    pub format: Format,
    /// Width of a figure, in pixels.
    pub width: u32,
    /// How a figure's strips are drawn.
    pub style: StripStyle,
}

/// Narrowest and widest figure a request may ask for, in pixels.
pub const FIGURE_WIDTHS: std::ops::RangeInclusive<u32> = 200..=4000;

impl Default for Request {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl Request {
    /// The defaults: one palette with [`PaletteOptions::DEFAULT`], bars cut, largest share
    /// first, JSON, figures [`FIGURE_WIDTH`] pixels wide.
    pub const DEFAULT: Request = Request {
        task: Task::Palette,
        options: PaletteOptions::DEFAULT,
        crop: true,
        order: None,
        format: Format::Json,
        width: FIGURE_WIDTH,
        style: StripStyle::DEFAULT,
    };

    /// One palette, with the defaults.
    #[must_use]
    pub fn palette() -> Self {
        Self::DEFAULT
    }

    /// The original analysis' four palettes, with the defaults.
    #[must_use]
    pub fn compare() -> Self {
        Self {
            task: Task::Compare,
            ..Self::DEFAULT
        }
    }

    /// Sets the clustering options.
    #[must_use]
    pub fn options(mut self, options: PaletteOptions) -> Self {
        self.options = options;
        self
    }

    /// Sets the number of colours.
    #[must_use]
    pub fn k(mut self, k: usize) -> Self {
        self.options.k = k;
        self
    }

    /// Sets the method.
    #[must_use]
    pub fn method(mut self, method: Method) -> Self {
        self.options.method = method;
        self
    }

    /// Sets the colour space.
    #[must_use]
    pub fn space(mut self, space: ColorSpace) -> Self {
        self.options.space = space;
        self
    }

    /// Cuts the bars away (or keeps them).
    #[must_use]
    pub fn crop(mut self, crop: bool) -> Self {
        self.crop = crop;
        self
    }

    /// Sets the order of the swatches.
    #[must_use]
    pub fn order(mut self, order: Order) -> Self {
        self.order = Some(order);
        self
    }

    /// Sets the output format.
    #[must_use]
    pub fn format(mut self, format: Format) -> Self {
        self.format = format;
        self
    }

    /// Sets the figure's width.
    #[must_use]
    pub fn width(mut self, width: u32) -> Self {
        self.width = width;
        self
    }

    /// Sets how strips are drawn.
    #[must_use]
    pub fn style(mut self, style: StripStyle) -> Self {
        self.style = style;
        self
    }

    /// Sets the option named `name` (as in [`PARAMS`]: `k`, `method`, `space`,
    /// `min_brightness`, `max_brightness`, `seed`, `crop`, `order`, `format`) from its text,
    /// as a query string or a form gives it; the error names the option.
    pub fn set(&mut self, name: &str, value: &str) -> Result<()> {
        let value = value.trim();
        let o = &mut self.options;
        match name {
            "k" => o.k = number(&K, value)?,
            "method" => o.method = value.parse()?,
            "space" => o.space = value.parse()?,
            "min_brightness" => o.brightness.min = fraction(&MIN_BRIGHTNESS, value)?,
            "max_brightness" => o.brightness.max = fraction(&MAX_BRIGHTNESS, value)?,
            "seed" => o.seed = number(&SEED, value)?,
            "crop" => {
                self.crop = match value.to_ascii_lowercase().as_str() {
                    "true" | "1" | "yes" | "on" => true,
                    "false" | "0" | "no" | "off" => false,
                    _ => {
                        return Err(Error::option(
                            "crop",
                            format!("must be true or false (got {value:?})"),
                        ))
                    }
                }
            }
            "order" => self.order = Some(value.parse()?),
            "format" => self.format = value.parse()?,
            _ => return Err(Error::InvalidOption(format!("unknown option {name:?}"))),
        }
        Ok(())
    }

    /// Checks every option, with a message naming the one at fault.
    pub fn check(&self) -> Result<ValidRequest> {
        let options = self.options.check()?;
        let order = self.order.unwrap_or(self.task.default_order());
        if self.task == Task::Palette {
            order.for_one_palette()?;
        }
        if !self.task.formats().contains(&self.format) {
            return Err(Error::option(
                "format",
                format!(
                    "of a comparison is {} (got {}); the other formats are for one palette",
                    one_of(self.task.formats()),
                    self.format.name()
                ),
            ));
        }
        if !FIGURE_WIDTHS.contains(&self.width) {
            return Err(Error::option(
                "width",
                format!(
                    "must be between {} and {} pixels (got {})",
                    FIGURE_WIDTHS.start(),
                    FIGURE_WIDTHS.end(),
                    self.width
                ),
            ));
        }
        Ok(ValidRequest {
            request: *self,
            options,
            order,
        })
    }

    /// Checks the request, loads the still and answers: what every front end calls.
    pub fn run(&self, source: Source) -> Result<Answer> {
        self.run_with(source, LoadLimits::default())
    }

    /// [`Request::run`], decoding within `limits`.
    pub fn run_with(&self, source: Source, limits: LoadLimits) -> Result<Answer> {
        let valid = self.check()?;
        let name = source.name();
        let still = source.load_with(limits)?;
        valid.answer(&still, name)
    }
}

/// A request whose options passed [`Request::check`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValidRequest {
    request: Request,
    options: ValidOptions,
    order: Order,
}

impl ValidRequest {
    /// The request, as checked.
    #[must_use]
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// The still's palettes: its bars cut (unless asked not to), clustered, ordered.
    /// `name` is what the palette is called in a saved file.
    pub fn answer(&self, still: &Arc<Still>, name: impl Into<String>) -> Result<Answer> {
        self.answer_owned(Arc::clone(still), name)
    }

    /// [`ValidRequest::answer`], taking the still: when its bars are cut and no one else
    /// holds it, the uncut still is freed before the palette work starts, so a job holds at
    /// most the still and its cropped copy, or the copy and the palette's buffers.
    pub fn answer_owned(&self, still: Arc<Still>, name: impl Into<String>) -> Result<Answer> {
        let crop = self
            .request
            .crop
            .then(|| letterbox::find_bars(&still))
            .flatten();
        let still = match crop {
            Some(crop) => {
                let cut = Arc::new(letterbox::crop_still(&still, crop));
                drop(still);
                cut
            }
            None => still,
        };
        let palettes = match self.request.task {
            Task::Palette => vec![order::ordered(
                &self.options.extract(&still)?,
                self.order,
                None,
            )?],
            Task::Compare => order::arrange(&self.options.comparison(&still)?, self.order)?,
        };
        Ok(Answer {
            request: self.request,
            still,
            crop,
            palettes,
            name: name.into(),
        })
    }
}

/// A request's answer: the palettes, and the (cropped) still they came from, to draw.
#[derive(Debug, Clone)]
pub struct Answer {
    request: Request,
    still: Arc<Still>,
    crop: Option<Crop>,
    palettes: Vec<Palette>,
    name: String,
}

impl Answer {
    /// The palette (a comparison's first).
    #[must_use]
    pub fn palette(&self) -> &Palette {
        &self.palettes[0]
    }

    /// Every palette: one, or a comparison's four.
    #[must_use]
    pub fn palettes(&self) -> &[Palette] {
        &self.palettes
    }

    /// The still the palettes came from, without its bars when they were cut.
    #[must_use]
    pub fn still(&self) -> &Still {
        &self.still
    }

    /// The bars cut away, as the picture left inside them; `None` when nothing was cut.
    #[must_use]
    pub fn crop(&self) -> Option<Crop> {
        self.crop
    }

    /// The palette's name in a saved file.
    #[must_use]
    pub fn name(&self) -> String {
        self.palette().name_for(&self.name)
    }

    /// The figure: the still with its strip, or with the comparison's four.
    #[must_use]
    pub fn figure(&self) -> Figure {
        let r = &self.request;
        match r.task {
            Task::Palette => {
                Figure::still_with_strip(&self.still, self.palette(), r.width, r.style)
            }
            Task::Compare => Figure::comparison(&self.still, &self.palettes, r.width, r.style),
        }
    }

    /// The answer in the request's format.
    pub fn body(&self) -> Result<Vec<u8>> {
        self.write(self.request.format)
    }

    /// The answer in `format` (a comparison: JSON, PNG or SVG).
    pub fn write(&self, format: Format) -> Result<Vec<u8>> {
        match (self.request.task, format) {
            (Task::Palette, _) => format.write(self.palette(), &self.name(), || self.figure()),
            (Task::Compare, Format::Json) => Ok(format::palettes_json(&self.palettes).into_bytes()),
            (Task::Compare, Format::Png) => self.figure().to_png(),
            (Task::Compare, Format::Svg) => Ok(self.figure().to_svg()?.into_bytes()),
            (Task::Compare, other) => Err(Error::option(
                "format",
                format!("{} is not one a comparison is written in", other.name()),
            )),
        }
    }
}

/// One option a request takes: its name (in a query string, a form, a Python keyword), what
/// it means, and its default as JSON. The CLI's help, the OpenAPI document and the query
/// parser read them from here.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// The name, as the library and the API spell it.
    pub name: &'static str,
    /// One sentence a person reads in `--help` and the API description.
    pub help: &'static str,
}

/// Number of colours.
pub const K: Param = Param {
    name: "k",
    help: "Number of colours (1 to 32).",
};
/// Clustering method.
pub const METHOD: Param = Param {
    name: "method",
    help: "Clustering method (default: accent, k-medians that keeps the small striking colours; kmeans is the original's).",
};
/// Colour space.
pub const SPACE: Param = Param {
    name: "space",
    help: "Colour space the clustering runs in (default: CIELAB; rgb is the original's).",
};
/// Darkest pixels kept.
pub const MIN_BRIGHTNESS: Param = Param {
    name: "min_brightness",
    help: "Drop pixels whose mean of R, G, B is below this fraction (0 to 1).",
};
/// Brightest pixels kept.
pub const MAX_BRIGHTNESS: Param = Param {
    name: "max_brightness",
    help: "Drop pixels whose mean of R, G, B is above this fraction (0 to 1, at least min_brightness).",
};
/// Random seed.
pub const SEED: Param = Param {
    name: "seed",
    help: "Random seed for kmeans and kmedians: the same still, options and seed give the same palette (the default, accent, and agglomerative draw nothing at random).",
};
/// Whether bars are cut.
pub const CROP: Param = Param {
    name: "crop",
    help: "Cut black letterbox and pillarbox bars away before clustering (default true).",
};
/// The order of the swatches.
pub const ORDER: Param = Param {
    name: "order",
    help: "Order of the swatches: share (largest first), hue, lightness (dark to light); matched lines a comparison's strips up with the first.",
};
/// The output format.
pub const FORMAT: Param = Param {
    name: "format",
    help: "What to write: json, hex, gpl, png or svg (the still with its strip), ase, css.",
};

/// Every option [`Request::set`] takes, in the order they are documented.
pub const PARAMS: [Param; 9] = [
    K,
    METHOD,
    SPACE,
    MIN_BRIGHTNESS,
    MAX_BRIGHTNESS,
    SEED,
    CROP,
    ORDER,
    FORMAT,
];

impl Param {
    /// The option's default, as JSON (for the API description).
    #[must_use]
    pub fn default_json(&self) -> serde_json::Value {
        let d = Request::DEFAULT;
        match self.name {
            "k" => d.options.k.into(),
            "method" => d.options.method.name().into(),
            "space" => d.options.space.name().into(),
            "min_brightness" => d.options.brightness.min.into(),
            "max_brightness" => d.options.brightness.max.into(),
            "seed" => d.options.seed.into(),
            "crop" => d.crop.into(),
            "order" => Task::Palette.default_order().name().into(),
            "format" => d.format.name().into(),
            _ => serde_json::Value::Null,
        }
    }
}

/// `a, b or c`.
fn one_of(formats: &[Format]) -> String {
    let names: Vec<&str> = formats.iter().map(|f| f.name()).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

fn number<T: std::str::FromStr>(param: &Param, value: &str) -> Result<T> {
    value.parse().map_err(|_| {
        let expected = match param.name {
            "k" => format!("a whole number from 1 to {MAX_K}"),
            _ => "a whole number, 0 or more".to_owned(),
        };
        Error::option(param.name, format!("must be {expected} (got {value:?})"))
    })
}

fn fraction(param: &Param, value: &str) -> Result<f32> {
    value
        .parse::<f32>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| {
            Error::option(
                param.name,
                format!("must be a number from 0 to 1 (got {value:?})"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A grey picture of two flat colours inside black bars, 40 rows top and bottom.
    fn letterboxed() -> Still {
        let (w, h) = (200u32, 180u32);
        let pixels: Vec<[u8; 3]> = (0..w * h)
            .map(|i| {
                let (x, y) = (i % w, i / w);
                if !(40..140).contains(&y) {
                    [0, 0, 0]
                } else if x < 120 {
                    [200, 60, 40]
                } else {
                    [40, 90, 200]
                }
            })
            .collect();
        Still::from_rgb(w, h, &pixels).unwrap()
    }

    #[test]
    fn bars_are_cut_unless_asked_not_to() {
        let still = letterboxed();
        let cut = Request::palette().k(3).run(still.clone().into()).unwrap();
        assert_eq!(cut.palette().len(), 2, "{:?}", cut.palette());
        assert!(cut.crop().is_some());
        assert_eq!(cut.still().height(), 100);
        let kept = Request::palette()
            .k(3)
            .crop(false)
            .run(still.into())
            .unwrap();
        assert_eq!(kept.palette().len(), 3);
        assert!(kept.crop().is_none());
        assert!(kept.palette().hex_codes().contains(&"#000000".to_owned()));
    }

    #[test]
    fn options_set_by_name_are_checked_with_their_name() {
        let mut r = Request::palette();
        for (name, value) in [
            ("k", "5"),
            ("method", "kmeans"),
            ("space", "RGB"),
            ("crop", "false"),
            ("order", "hue"),
        ] {
            r.set(name, value).unwrap();
        }
        assert_eq!(
            (r.options.k, r.options.method, r.crop),
            (5, Method::Kmeans, false)
        );
        for (name, value, needle) in [
            ("k", "eight", "k must be a whole number"),
            ("crop", "maybe", "crop must be true or false"),
            ("min_brightness", "NaN", "min_brightness must be a number"),
            ("method", "dbscan", "unknown method"),
        ] {
            let e = Request::palette().set(name, value).unwrap_err();
            assert!(e.to_string().contains(needle), "{name}: {e}");
        }
        assert!(Request::palette().order(Order::Matched).check().is_err());
        assert!(Request::compare().order(Order::Matched).check().is_ok());
        assert!(Request::compare().format(Format::Gpl).check().is_err());
        assert!(Request::palette().k(0).check().is_err());
    }

    #[test]
    fn every_param_has_a_default() {
        for p in PARAMS {
            assert!(!p.default_json().is_null(), "{}", p.name);
            let mut r = Request::palette();
            r.set(p.name, p.default_json().to_string().trim_matches('"'))
                .unwrap();
            assert_eq!(
                r.check().unwrap().request().options,
                Request::DEFAULT.options,
                "{}",
                p.name
            );
        }
    }
}
