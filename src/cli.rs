//! The command line's arguments, as clap types; `main.rs` runs them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use color_palettes::format::{Format, FIGURE_WIDTH};
use color_palettes::{ColorSpace, Method, Order, PaletteOptions};

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
    /// Clustering method.
    #[arg(long, value_enum, default_value_t = Method::Kmeans)]
    pub method: Method,
    /// Colour space to cluster in.
    #[arg(long, value_enum, default_value_t = ColorSpace::Rgb)]
    pub space: ColorSpace,
    /// What to print (png and svg print the still with its strip).
    #[arg(long, value_enum, default_value_t = Format::Json)]
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
    /// Order of the swatches, in the output and the figure (matched is for compare).
    #[arg(long, value_enum, default_value_t = Order::Share)]
    pub order: Order,
    #[command(flatten)]
    pub figure: FigureArgs,
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
    /// Order of each strip's swatches: matched lines every strip up with the first.
    #[arg(long, value_enum, default_value_t = Order::Matched)]
    pub order: Order,
    #[command(flatten)]
    pub figure: FigureArgs,
}

/// The clustering options every palette command takes.
#[derive(Args)]
pub struct ClusterArgs {
    /// Number of colours (1 to 32).
    #[arg(short, long, default_value_t = 8)]
    pub k: usize,
    /// Drop pixels whose mean of R, G, B is below this fraction (0..1).
    #[arg(long, default_value_t = 0.0, value_name = "F")]
    pub min_brightness: f32,
    /// Drop pixels whose mean of R, G, B is above this fraction (0..1).
    #[arg(long, default_value_t = 1.0, value_name = "F")]
    pub max_brightness: f32,
    /// Random seed: the same still and seed give the same palette.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Threads a palette may use (0: every core); the palette does not depend on it.
    #[arg(long, default_value_t = 0, value_name = "N")]
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

/// The figure options.
#[derive(Args)]
pub struct FigureArgs {
    /// Width of the figure in pixels.
    #[arg(long, default_value_t = FIGURE_WIDTH, value_parser = clap::value_parser!(u32).range(200..=4000))]
    pub width: u32,
}
