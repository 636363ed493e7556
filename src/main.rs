//! `color-palettes`: the command-line front end. Each subcommand is one function over the
//! library: load, extract, write.

mod cli;

use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command, CompareArgs, ExtractArgs};
use color_palettes::fetch::FetchPolicy;
use color_palettes::order;
use color_palettes::{data, Error, Figure, Result, Still, StripStyle};

/// mimalloc keeps freed pages for the next request instead of handing them back to the
/// system, so a palette's multi-megabyte buffers do not page-fault afresh every time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    let outcome = match cli.command {
        Command::Extract(args) => extract(&args),
        Command::Compare(args) => compare(&args),
        Command::Samples => samples(),
        #[cfg(feature = "server")]
        Command::Serve(args) => serve(&args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `extract`: the palette of one still, printed, and its figure if asked for.
fn extract(args: &ExtractArgs) -> Result<()> {
    let options = args
        .options
        .options()
        .method(args.method)
        .space(args.space)
        .check()?;
    args.order.for_one_palette()?;
    let still = load(&args.still)?;
    let palette = order::ordered(&options.extract(&still)?, args.order, None)?;
    let style = StripStyle {
        proportional: !args.equal_swatches,
        labels: true,
    };
    let figure = || Figure::still_with_strip(&still, &palette, args.figure.width, style);
    for path in [&args.png, &args.svg].into_iter().flatten() {
        figure().save(path)?;
    }
    let name = palette.name_for(source_name(&args.still));
    print(&args.format.write(&palette, &name, figure)?)
}

/// `compare`: the original analysis' four palettes under the still.
fn compare(args: &CompareArgs) -> Result<()> {
    let options = args.options.options().check()?;
    let still = load(&args.still)?;
    let palettes = order::arrange(&options.comparison(&still)?, args.order)?;
    let figure = Figure::comparison(&still, &palettes, args.figure.width, StripStyle::default());
    for path in [&args.png, &args.svg].into_iter().flatten() {
        figure.save(path)?;
    }
    if args.json {
        print(color_palettes::format::palettes_json(&palettes).as_bytes())?;
    }
    Ok(())
}

/// `samples`: the sample stills, their licences, and where each is found.
fn samples() -> Result<()> {
    let mut text = String::new();
    for sample in data::samples() {
        let location = data::local_copy(sample).map_or_else(
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
    print(text.as_bytes())
}

/// `serve`: the HTTP API and the web page, until Ctrl-C or SIGTERM.
#[cfg(feature = "server")]
fn serve(args: &color_palettes::server::ServeArgs) -> Result<()> {
    // Not an Error::Io ("cannot read ..."): binding or serving failed.
    if let Err(e) = color_palettes::server::run(args) {
        eprintln!("error: cannot serve on {}: {e}", args.addr);
        std::process::exit(1);
    }
    Ok(())
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

/// What a palette read from `source` is called in a saved file: the file's stem, or the
/// sample's name.
fn source_name(source: &str) -> &str {
    match source {
        "-" => "stdin",
        _ => Path::new(source)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or(source),
    }
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn print(bytes: &[u8]) -> Result<()> {
    match std::io::stdout().lock().write_all(bytes) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Io {
            path: "<stdout>".into(),
            source: e,
        }),
        _ => Ok(()),
    }
}
