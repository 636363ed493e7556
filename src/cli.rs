//! The command line's arguments, as clap types; `main.rs` runs them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use color_palettes::film::barcode::BarcodeStyle;
use color_palettes::film::{FilmOptions, SampleMode};
use color_palettes::format::Format;
use color_palettes::request::{self, FIGURE_WIDTHS};
use color_palettes::{ColorSpace, Method, Order, PaletteOptions, Request, StripStyle};

/// The one line the CLI prints for `error`: the library's message, with the options it
/// names spelled as this command line's flags (`min_brightness` as `--min-brightness`).
#[must_use]
pub fn message(error: &color_palettes::Error) -> String {
    match error {
        color_palettes::Error::BadOption { name, problem } => {
            let mut problem = problem.clone();
            // Only names with an underscore are replaced inside the text: no English word
            // has one, so no other word is taken for an option.
            for other in [
                "min_brightness",
                "max_brightness",
                "cut_threshold",
                "min_scene",
            ] {
                problem = problem.replace(other, &flag(other));
            }
            format!("invalid option: {} {problem}", flag(name))
        }
        other => other.to_string(),
    }
}

/// The flag of the option the library calls `name`: `-k`, else `--` and the name in kebab
/// case.
fn flag(name: &str) -> String {
    match name {
        "k" => "-k".to_owned(),
        _ => format!("--{}", name.replace('_', "-")),
    }
}

/// Colour palettes from film stills.
#[derive(Parser)]
#[command(version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Extract a palette from a still (a file, an http(s) URL, a sample name, or - for stdin).
    Extract(ExtractArgs),
    /// Draw the original analysis' comparison: k-means and agglomerative, in RGB and HSV.
    Compare(CompareArgs),
    /// List the sample stills, with their licences and where they are found.
    Samples,
    /// The palettes of a film: one video, or stills taken as its frames in name order.
    Film(FilmArgs),
    /// A folder of films: one JSON line per film appended to a file; films already there
    /// are skipped.
    Films(FilmsArgs),
    /// Serve the HTTP API and the web page (prints `listening on http://ADDR` first).
    #[cfg(feature = "server")]
    Serve(color_palettes::server::ServeArgs),
}

/// `color-palettes extract`.
#[derive(Args)]
pub struct ExtractArgs {
    /// The still: a path, an http(s) URL, the name of a sample still, or - for stdin.
    pub still: String,
    #[command(flatten)]
    pub options: ClusterArgs,
    #[command(flatten)]
    pub method: MethodArgs,
    /// What to print (png and svg print the still with its strip).
    #[arg(long, value_enum, default_value_t = Request::DEFAULT.format)]
    pub format: Format,
    /// Also write the still with its palette strip as PNG.
    #[arg(long, value_name = "FILE")]
    pub png: Option<PathBuf>,
    /// Also write the still with its palette strip as SVG.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// Draw equal swatches (the original's style) instead of proportional ones.
    #[arg(long)]
    pub equal_swatches: bool,
    #[command(flatten)]
    pub crop: CropArgs,
    /// Order of the swatches, in the output and the figure (matched is for compare).
    #[arg(long, value_enum, default_value_t = request::Task::Palette.default_order())]
    pub order: Order,
    #[command(flatten)]
    pub figure: FigureArgs,
}

impl ExtractArgs {
    /// The request these arguments make.
    #[must_use]
    pub fn request(&self) -> Request {
        let style = StripStyle {
            proportional: !self.equal_swatches,
            ..Request::DEFAULT.style
        };
        Request::palette()
            .options(self.method.apply(self.options.options()))
            .crop(self.crop.crop())
            .order(self.order)
            .format(self.format)
            .width(self.figure.width)
            .style(style)
    }
}

/// Whether bars are cut, as every palette command takes it.
#[derive(Args)]
pub struct CropArgs {
    /// Keep black letterbox and pillarbox bars (by default they are cut away first).
    #[arg(long)]
    pub no_crop: bool,
}

impl CropArgs {
    /// Whether to cut the bars.
    #[must_use]
    pub fn crop(&self) -> bool {
        Request::DEFAULT.crop && !self.no_crop
    }
}

/// `color-palettes film`.
#[derive(Args)]
pub struct FilmArgs {
    /// One video (a file or an http(s) URL), or stills (paths, folders, patterns such as
    /// 'frames/*.png') taken as the frames of one film in name order, one second each.
    #[arg(required = true, value_name = "INPUT")]
    pub input: Vec<String>,
    #[command(flatten)]
    pub film: FilmRunArgs,
    /// Write the barcode (one column per sampled frame, with a time axis) as PNG or SVG.
    #[arg(long, value_name = "FILE.png|FILE.svg")]
    pub barcode: Option<PathBuf>,
    /// How each frame becomes a barcode column.
    #[arg(long, value_enum, default_value_t = BarcodeStyle::Mean)]
    pub barcode_style: BarcodeStyle,
    /// What to print: the film's JSON, or its palette (hex, gpl; png and svg draw the
    /// barcode with the film's palette strip).
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// Also write the barcode with the film's palette strip as PNG.
    #[arg(long, value_name = "FILE")]
    pub png: Option<PathBuf>,
    #[command(flatten)]
    pub figure: FigureArgs,
}

/// `color-palettes films`.
#[derive(Args)]
pub struct FilmsArgs {
    /// The folder of films (every file that is not a still nor hidden).
    pub folder: PathBuf,
    /// The JSON Lines file to append to; films already in it are skipped (known by their
    /// file, however spelled). One run at a time writes it.
    #[arg(long, value_name = "FILE.jsonl")]
    pub out: PathBuf,
    /// Read again the films whose line in --out is an error (otherwise they are counted
    /// as failed and left alone).
    #[arg(long)]
    pub retry_failed: bool,
    #[command(flatten)]
    pub film: FilmRunArgs,
}

/// What `film` and `films` share: the palette options and how a film is read.
#[derive(Args)]
pub struct FilmRunArgs {
    #[command(flatten)]
    pub options: ClusterArgs,
    #[command(flatten)]
    pub method: MethodArgs,
    #[command(flatten)]
    pub flags: FilmFlags,
}

impl FilmRunArgs {
    /// The film options, unchecked.
    #[must_use]
    pub fn options(&self) -> FilmOptions {
        self.flags
            .options(self.method.apply(self.options.options()))
    }
}

/// How a film is sampled, cut and cropped.
#[derive(Args)]
pub struct FilmFlags {
    /// Sample a frame every SECONDS (default: one a second, at least 100 frames).
    #[arg(long, value_name = "SECONDS", conflicts_with = "frames")]
    pub every: Option<f64>,
    /// Sample N frames, evenly spread.
    #[arg(long, value_name = "N")]
    pub frames: Option<usize>,
    /// How a video's samples are read: dense decodes every frame; keys decodes key frames
    /// only; seek seeks to each sample; auto takes the cheapest for the film (the JSON's
    /// "sampling" says which).
    #[arg(long, value_enum, default_value_t = SampleMode::Auto)]
    pub sampling: SampleMode,
    /// Find the scenes and give each its palette.
    #[arg(long)]
    pub scenes: bool,
    /// Cut threshold: mean CIELAB distance between consecutive sampled frames.
    #[arg(long, value_name = "DE", default_value_t = FilmOptions::default().cut_threshold)]
    pub cut_threshold: f64,
    /// Shortest scene, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = FilmOptions::default().min_scene_s)]
    pub min_scene: f64,
    /// Give up on a film after SECONDS of reading and analysing it (at most a day; default:
    /// ten minutes plus twice the length its header states).
    #[arg(long, value_name = "SECONDS")]
    pub time_limit: Option<f64>,
    /// Bars are found over the film and cut away, unless kept.
    #[command(flatten)]
    pub crop: CropArgs,
}

impl FilmFlags {
    /// The film options around `palette`, unchecked.
    #[must_use]
    pub fn options(&self, palette: PaletteOptions) -> FilmOptions {
        let mut options = FilmOptions::new()
            .palette(palette)
            .scenes(self.scenes)
            .sample_mode(self.sampling)
            .crop(self.crop.crop())
            .cuts(self.cut_threshold, self.min_scene);
        if let Some(s) = self.every {
            options = options.every(s);
        }
        if let Some(n) = self.frames {
            options = options.frames(n);
        }
        if let Some(s) = self.time_limit {
            options = options.time_limit(s);
        }
        options
    }
}

/// `color-palettes compare`.
#[derive(Args)]
pub struct CompareArgs {
    /// The still: a path, an http(s) URL, the name of a sample still, or - for stdin.
    pub still: String,
    #[command(flatten)]
    pub options: ClusterArgs,
    /// Write the figure as PNG.
    #[arg(long, value_name = "FILE", required_unless_present_any = ["svg", "json"])]
    pub png: Option<PathBuf>,
    /// Write the figure as SVG.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// Also print the four palettes as JSON, `{"palettes": [...]}`.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub crop: CropArgs,
    /// Order of each strip's swatches: matched lines every strip up with the first.
    #[arg(long, value_enum, default_value_t = request::Task::Compare.default_order())]
    pub order: Order,
    #[command(flatten)]
    pub figure: FigureArgs,
}

impl CompareArgs {
    /// The request these arguments make.
    #[must_use]
    pub fn request(&self) -> Request {
        Request::compare()
            .options(self.options.options())
            .crop(self.crop.crop())
            .order(self.order)
            .width(self.figure.width)
    }
}

/// The clustering options every palette command takes.
#[derive(Args)]
pub struct ClusterArgs {
    #[arg(short, long, default_value_t = PaletteOptions::DEFAULT.k, help = request::K.help)]
    pub k: usize,
    #[arg(long, default_value_t = PaletteOptions::DEFAULT.brightness.min, value_name = "F", help = request::MIN_BRIGHTNESS.help)]
    pub min_brightness: f32,
    #[arg(long, default_value_t = PaletteOptions::DEFAULT.brightness.max, value_name = "F", help = request::MAX_BRIGHTNESS.help)]
    pub max_brightness: f32,
    #[arg(long, default_value_t = PaletteOptions::DEFAULT.seed, help = request::SEED.help)]
    pub seed: u64,
    /// Threads a palette may use (0: every core); the palette does not depend on it.
    #[arg(long, default_value_t = PaletteOptions::DEFAULT.threads, value_name = "N")]
    pub threads: usize,
}

impl ClusterArgs {
    /// The options, unchecked.
    #[must_use]
    pub fn options(&self) -> PaletteOptions {
        PaletteOptions::new()
            .k(self.k)
            .brightness(self.min_brightness, self.max_brightness)
            .seed(self.seed)
            .threads(self.threads)
    }
}

/// The method and colour space of `extract`, `film` and `films` (`compare` draws all four of
/// the original's).
#[derive(Args)]
pub struct MethodArgs {
    #[arg(long, value_enum, default_value_t = PaletteOptions::DEFAULT.method, help = request::METHOD.help)]
    pub method: Method,
    #[arg(long, value_enum, default_value_t = PaletteOptions::DEFAULT.space, help = request::SPACE.help)]
    pub space: ColorSpace,
}

impl MethodArgs {
    /// `options` with this method and space.
    #[must_use]
    pub fn apply(&self, options: PaletteOptions) -> PaletteOptions {
        options.method(self.method).space(self.space)
    }
}

/// The figure options.
#[derive(Args)]
pub struct FigureArgs {
    /// Width of the figure in pixels.
    #[arg(long, default_value_t = Request::DEFAULT.width,
          value_parser = clap::value_parser!(u32).range(i64::from(*FIGURE_WIDTHS.start())..=i64::from(*FIGURE_WIDTHS.end())))]
    pub width: u32,
}
