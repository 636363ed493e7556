//! `color-palettes`: the command-line front end. Each subcommand is one function over the
//! library: load, extract, write.

// The library's lints hold here too: no unsafe code, and no `unwrap` that bad input could
// reach (the CLI's errors are one line, never a panic).
#![deny(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

mod cli;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command, CompareArgs, ExtractArgs, FilmArgs, FilmsArgs};
use color_palettes::film::batch::{self, Progress};
use color_palettes::film::FilmInput;
use color_palettes::{data, Error, Figure, Format, Result, Source, StripStyle};

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
        Command::Extract(args) => extract(&args).map(|()| ExitCode::SUCCESS),
        Command::Compare(args) => compare(&args).map(|()| ExitCode::SUCCESS),
        Command::Samples => samples().map(|()| ExitCode::SUCCESS),
        Command::Film(args) => film(&args).map(|()| ExitCode::SUCCESS),
        Command::Films(args) => films(&args),
        #[cfg(feature = "server")]
        Command::Serve(args) => serve(&args).map(|()| ExitCode::SUCCESS),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", cli::message(&e));
            ExitCode::FAILURE
        }
    }
}

/// `extract`: the palette of one still, printed, and its figure if asked for.
fn extract(args: &ExtractArgs) -> Result<()> {
    let answer = args.request().run(Source::parse(&args.still))?;
    for path in [&args.png, &args.svg].into_iter().flatten() {
        answer.figure().save(path)?;
    }
    print(&answer.body()?)
}

/// `compare`: the original analysis' four palettes under the still.
fn compare(args: &CompareArgs) -> Result<()> {
    let answer = args.request().run(Source::parse(&args.still))?;
    if args.png.is_some() || args.svg.is_some() {
        let figure = answer.figure();
        for path in [&args.png, &args.svg].into_iter().flatten() {
            figure.save(path)?;
        }
    }
    if args.json {
        print(&answer.write(Format::Json)?)?;
    }
    Ok(())
}

/// `film`: a film's palettes (and scenes, barcode), printed as JSON or as its palette.
fn film(args: &FilmArgs) -> Result<()> {
    let mut options = args.film.options();
    // The figure of --png and --format png|svg is the barcode with the palette strip.
    let figure_wanted = args.png.is_some() || args.format.is_figure();
    if args.barcode.is_some() || figure_wanted {
        options = options.barcode(args.barcode_style);
    }
    // Checked before the input is opened, and once.
    let options = options.check()?;
    let input = FilmInput::from_args(&args.input)?;
    let film = input.analyse(&options)?;
    for warning in &film.warnings {
        eprintln!("warning: {warning}");
    }
    if let (Some(path), Some(barcode)) = (&args.barcode, &film.barcode) {
        barcode.figure(&film.cuts())?.save(path)?;
    }
    let figure = || -> Result<Figure> {
        let barcode = film
            .barcode
            .as_ref()
            .ok_or_else(|| Error::Render("no barcode was made".into()))?;
        let width = args.figure.width;
        Ok(Figure::still_with_strip(
            &barcode.to_still(width)?,
            &film.palette,
            width,
            StripStyle::default(),
        ))
    };
    if let Some(path) = &args.png {
        figure()?.save(path)?;
    }
    let name = film.palette.name_for(&Source::parse(&args.input[0]).name());
    let bytes = match args.format {
        Format::Json => (film.to_json() + "\n").into_bytes(),
        format => {
            let drawn = if format.is_figure() {
                Some(figure()?)
            } else {
                None
            };
            // Text formats never call for the figure.
            format.write(&film.palette, &name, || {
                drawn.unwrap_or_else(|| Figure::swatch_grid(&film.palette, 8))
            })?
        }
    };
    print(&bytes)
}

/// The exit code of a `films` run in which some film has no palette (failed now or
/// before); 1 is an error that stopped the run, 2 a usage error (clap's).
const SOME_FILMS_FAILED: u8 = 3;

/// `films`: every film of a folder, one JSON line each, skipping those already done. Names
/// are printed as JSON strings, so that no file name (a newline in it) can forge a line.
fn films(args: &FilmsArgs) -> Result<ExitCode> {
    let options = args.film.options();
    let out = args.out.display().to_string();
    let batch = batch::BatchOptions {
        retry_failed: args.retry_failed,
    };
    let quoted = |text: &str| serde_json::Value::from(text).to_string();
    let summary = batch::run(
        &args.folder,
        &args.out,
        &options,
        batch,
        |event| match event {
            Progress::Analysed { source, line } => {
                let status = match line {
                    batch::FilmLine::Done(_) => "done",
                    batch::FilmLine::Failed(_) => "failed",
                };
                eprintln!("{status}: {}", quoted(source));
            }
            Progress::FailedAgain { source } => {
                eprintln!("failed again: {} (as its line says)", quoted(source));
            }
            Progress::NotAFilm { name, reason } => {
                eprintln!("not a film: {}: {reason}", quoted(name));
            }
            Progress::BadLine { number, problem } => {
                eprintln!("warning: {out} line {number}: {problem}; skipped");
            }
            Progress::MoreBadLines(n) => eprintln!("warning: {out}: {n} more bad lines skipped"),
        },
    )?;
    eprintln!(
        "{} done, {} already done (skipped), {} failed, {} failed before (not tried again), {} not films",
        summary.done, summary.skipped, summary.failed, summary.failed_before, summary.not_films
    );
    Ok(if summary.some_failed() {
        ExitCode::from(SOME_FILMS_FAILED)
    } else {
        ExitCode::SUCCESS
    })
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

/// Writes to stdout; a closed pipe (`| head`) is not an error, a closed stdout (`>&-`) is.
fn print(bytes: &[u8]) -> Result<()> {
    let write_error = |source| Error::Write {
        path: "<stdout>".into(),
        source,
    };
    #[cfg(target_os = "linux")]
    if closed_stdout::was_closed() {
        return Err(write_error(std::io::Error::other(
            "standard output was closed when the program started",
        )));
    }
    // Flushed here: a buffered tail that fails at exit (a full disk) would be lost unsaid.
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(write_error(e)),
        _ => Ok(()),
    }
}

/// Whether standard output was closed when the process started (`color-palettes ... >&-`).
/// Rust's runtime reopens a closed stdout on /dev/null before `main`, and the output would
/// be lost with exit code 0; so the descriptor is looked at earlier, from the ELF init
/// array, which the C runtime runs before the Rust runtime starts.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
mod closed_stdout {
    use std::sync::atomic::{AtomicBool, Ordering};

    static CLOSED: AtomicBool = AtomicBool::new(false);

    extern "C" fn record() {
        // SAFETY: F_GETFD only queries a descriptor number; it fails (EBADF) when closed.
        let closed = unsafe { libc::fcntl(libc::STDOUT_FILENO, libc::F_GETFD) } == -1;
        CLOSED.store(closed, Ordering::Relaxed);
    }

    #[used]
    #[link_section = ".init_array"]
    static RECORD: extern "C" fn() = record;

    pub(super) fn was_closed() -> bool {
        CLOSED.load(Ordering::Relaxed)
    }
}
