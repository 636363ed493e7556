//! A folder of films: one JSON line per film appended to an output file, resumable (a film
//! whose line is already there is skipped). This is the map step of a larger job: each
//! worker of an existing engine (Ray, Spark) runs it on its own share of the films, or runs
//! `film` on one film and keeps its JSON line; there is no scheduler here.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::error::{Error, Result};

use super::input::is_still;
use super::{FilmInput, FilmOptions, ValidFilmOptions};

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchSummary {
    /// Films analysed now.
    pub done: usize,
    /// Films skipped: their line was already in the output.
    pub skipped: usize,
    /// Films that failed (their line carries `"error"`; they are tried again next run).
    pub failed: usize,
}

/// The films of a folder: its files that are not stills nor hidden, in name order.
pub fn films_in(dir: &Path) -> Result<Vec<PathBuf>> {
    let io = |source| Error::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut films = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_none_or(|n| n.starts_with('.'));
        if path.is_file() && !hidden && !is_still(&path) {
            films.push(path);
        }
    }
    films.sort();
    Ok(films)
}

/// The sources already done in `out` (lines without an error); a missing file is none, a
/// torn last line is ignored.
pub fn done_in(out: &Path) -> Result<HashSet<String>> {
    let text = match std::fs::read_to_string(out) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HashSet::new()),
        Err(source) => {
            return Err(Error::Io {
                path: out.to_path_buf(),
                source,
            })
        }
    };
    Ok(text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v.get("error").is_none())
        .filter_map(|v| v["source"].as_str().map(String::from))
        .collect())
}

/// What one film gives a batch: the line to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilmLine {
    /// The film's JSON (`color-palettes film SOURCE`).
    Done(String),
    /// `{"error": ..., "source": ...}`: the film is tried again on the next run.
    Failed(String),
}

impl FilmLine {
    /// The line, without its newline.
    pub fn text(&self) -> &str {
        match self {
            FilmLine::Done(line) | FilmLine::Failed(line) => line,
        }
    }
}

/// The line `run` appends for one film. Public so that another engine's map step (the
/// Python package's `film_line`, run by Ray) writes the same bytes as `films`.
pub fn film_line(source: &str, options: &ValidFilmOptions) -> FilmLine {
    match FilmInput::Video(source.to_string()).analyse(options) {
        Ok(film) => FilmLine::Done(film.to_json()),
        Err(e) => FilmLine::Failed(json!({"source": source, "error": e.to_string()}).to_string()),
    }
}

/// Analyses every film of `dir` not yet in `out`, appending one JSON line each (a film's
/// JSON, or `{"source": ..., "error": ...}`), written and synced before the next film starts.
/// `progress` hears each film's source and its outcome line.
pub fn run(
    dir: &Path,
    out: &Path,
    options: &FilmOptions,
    mut progress: impl FnMut(&str, &str),
) -> Result<BatchSummary> {
    // Checked once for every film, and before the output file is touched.
    let options = options.check()?;
    let films = films_in(dir)?;
    let done = done_in(out)?;
    let write = |source| Error::Write {
        path: out.to_path_buf(),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(out)
        .map_err(write)?;
    // A run killed mid-line left a torn line: start on a fresh one.
    let torn = std::fs::read(out)
        .map_err(|source| Error::Io {
            path: out.to_path_buf(),
            source,
        })?
        .last()
        .is_some_and(|&b| b != b'\n');
    if torn {
        file.write_all(b"\n").map_err(write)?;
    }
    let mut summary = BatchSummary::default();
    for film in films {
        let source = film.display().to_string();
        if done.contains(&source) {
            summary.skipped += 1;
            continue;
        }
        let line = film_line(&source, &options);
        match line {
            FilmLine::Done(_) => summary.done += 1,
            FilmLine::Failed(_) => summary.failed += 1,
        }
        file.write_all(format!("{}\n", line.text()).as_bytes())
            .map_err(write)?;
        file.sync_data().map_err(write)?;
        progress(&source, line.text());
    }
    Ok(summary)
}
