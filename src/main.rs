//! `color-palettes`: the command-line front end. Each subcommand is a thin layer over the
//! library: parse, call, print.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// mimalloc keeps freed pages for the next request instead of handing them back to the
/// system, so a palette's multi-megabyte buffers do not page-fault afresh every time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use color_palettes::fetch::FetchPolicy;
use color_palettes::{
    data, pipeline, ColorSpace, Error, Figure, Method, PaletteOptions, Result, Still, StripStyle,
};

/// Colour palettes from film stills.
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Extract a palette from a still (a file, an http(s) URL, a sample name, or - for stdin).
    Extract {
        /// The still: a path, an http(s) URL, the name of a sample still, or - for stdin.
        still: String,
        #[command(flatten)]
        options: ClusterArgs,
        /// Clustering method.
        #[arg(long, value_enum, default_value_t = Method::Kmeans)]
        method: Method,
        /// Colour space to cluster in.
        #[arg(long, value_enum, default_value_t = ColorSpace::Rgb)]
        space: ColorSpace,
        /// What to print.
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
        /// Also write the still with its palette strip as PNG.
        #[arg(long, value_name = "FILE")]
        png: Option<PathBuf>,
        /// Also write the still with its palette strip as SVG.
        #[arg(long, value_name = "FILE")]
        svg: Option<PathBuf>,
        /// Draw equal swatches (the original's style) instead of proportional ones.
        #[arg(long)]
        equal_swatches: bool,
        #[command(flatten)]
        figure: FigureArgs,
    },
    /// Draw the original analysis' comparison: k-means and agglomerative, in RGB and HSV.
    Compare {
        /// The still: a path, an http(s) URL, the name of a sample still, or - for stdin.
        still: String,
        #[command(flatten)]
        options: ClusterArgs,
        /// Write the figure as PNG.
        #[arg(long, value_name = "FILE", required_unless_present = "svg")]
        png: Option<PathBuf>,
        /// Write the figure as SVG.
        #[arg(long, value_name = "FILE")]
        svg: Option<PathBuf>,
        #[command(flatten)]
        figure: FigureArgs,
    },
    /// List the sample stills, with their licences and where they are found.
    Samples,
    /// Serve the HTTP API and the web page (prints `listening on http://ADDR` first).
    #[cfg(feature = "server")]
    Serve(color_palettes::server::ServeArgs),
}

#[derive(Args)]
struct ClusterArgs {
    /// Number of colours (1 to 32).
    #[arg(short, long, default_value_t = 8)]
    k: usize,
    /// Drop pixels whose mean of R, G, B is below this fraction (0..1).
    #[arg(long, default_value_t = 0.0, value_name = "F")]
    min_brightness: f32,
    /// Drop pixels whose mean of R, G, B is above this fraction (0..1).
    #[arg(long, default_value_t = 1.0, value_name = "F")]
    max_brightness: f32,
    /// Random seed: the same still and seed give the same palette.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Threads a palette may use (0: every core); the palette does not depend on it.
    #[arg(long, default_value_t = 0, value_name = "N")]
    threads: usize,
}

#[derive(Args)]
struct FigureArgs {
    /// Width of the figure in pixels.
    #[arg(long, default_value_t = 900, value_parser = clap::value_parser!(u32).range(200..=4000))]
    width: u32,
}

impl ClusterArgs {
    fn options(&self) -> PaletteOptions {
        PaletteOptions::new()
            .k(self.k)
            .brightness(self.min_brightness, self.max_brightness)
            .seed(self.seed)
            .threads(self.threads)
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// `{"k":8,"method":"kmeans","space":"rgb","colors":[{"hex":..,"rgb":..,"proportion":..}]}`
    Json,
    /// One `#rrggbb` per line.
    Hex,
    /// A GIMP palette file.
    Gpl,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            // One line, not clap's usage block: the message says what to fix.
            let rendered = e.render().to_string();
            let first_paragraph: Vec<&str> = rendered
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect();
            eprintln!("{} (see --help)", first_paragraph.join(" "));
            return ExitCode::from(2);
        }
    };
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> Result<()> {
    match command {
        Command::Extract {
            still,
            options,
            method,
            space,
            format,
            png,
            svg,
            equal_swatches,
            figure,
        } => {
            let options = options.options().method(method).space(space);
            options.validate()?;
            let still = load(&still)?;
            let palette = options.extract(&still)?;
            let style = StripStyle {
                proportional: !equal_swatches,
                labels: true,
            };
            let figure = (png.is_some() || svg.is_some())
                .then(|| Figure::still_with_strip(&still, &palette, figure.width, style));
            write_figure(figure.as_ref(), png.as_deref(), svg.as_deref())?;
            let text = match format {
                Format::Json => palette.to_json() + "\n",
                Format::Hex => palette.hex_codes().join("\n") + "\n",
                Format::Gpl => palette.to_gpl(&format!("{} {}", palette.title(), palette.k)),
            };
            print(&text)
        }
        Command::Compare {
            still,
            options,
            png,
            svg,
            figure,
        } => {
            let options = options.options();
            options.validate()?;
            let still = load(&still)?;
            let palettes = pipeline::comparison(&still, &options)?;
            let figure = Figure::comparison(&still, &palettes, figure.width, StripStyle::default());
            write_figure(Some(&figure), png.as_deref(), svg.as_deref())
        }
        #[cfg(feature = "server")]
        Command::Serve(args) => {
            // Not an Error::Io ("cannot read ..."): binding or serving failed.
            if let Err(e) = color_palettes::server::run(&args) {
                eprintln!("error: cannot serve on {}: {e}", args.addr);
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Samples => {
            let mut text = String::new();
            for sample in data::samples() {
                let location = data::data_dir()
                    .map(|d| d.join(&sample.file))
                    .filter(|p| p.is_file())
                    .or_else(|| Some(data::cache_dir().join(&sample.file)).filter(|p| p.is_file()))
                    .map_or_else(
                        || format!("download from {}", sample.url),
                        |p| p.display().to_string(),
                    );
                text.push_str(&format!(
                    "{:<12} {:>9}  {}\n             {}\n",
                    sample.name,
                    sample.size,
                    sample.credit(),
                    location
                ));
            }
            print(&text)
        }
    }
}

/// A still from a URL (anything with `://`, so `ftp://` is refused as a URL, not looked up as
/// a file), stdin, a file, or the sample catalogue, in that order of precedence.
fn load(source: &str) -> Result<Still> {
    if source.contains("://") {
        // A person at a terminal may fetch from their own network.
        let policy = FetchPolicy {
            allow_private: true,
            ..FetchPolicy::default()
        };
        return Still::from_url_with(source, &policy);
    }
    if source == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|source| Error::Io {
                path: "<stdin>".into(),
                source,
            })?;
        return Still::from_bytes(&bytes);
    }
    let path = Path::new(source);
    if !path.exists() && data::sample(source).is_ok() {
        return data::still(source);
    }
    Still::open(path)
}

fn write_figure(figure: Option<&Figure>, png: Option<&Path>, svg: Option<&Path>) -> Result<()> {
    let Some(figure) = figure else { return Ok(()) };
    if let Some(path) = png {
        write_file(path, &figure.to_png()?)?;
    }
    if let Some(path) = svg {
        write_file(path, figure.to_svg()?.as_bytes())?;
    }
    Ok(())
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Prints to stdout; a closed pipe (`| head`) is not an error.
fn print(text: &str) -> Result<()> {
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Io {
            path: "<stdout>".into(),
            source: e,
        }),
        _ => Ok(()),
    }
}
