//! A folder of films: one JSON line per film appended to an output file, resumable. This is
//! the map step of a larger job: each worker of an existing engine (Ray, Spark) runs it on
//! its own share of the films, or runs `film` on one film and keeps its JSON line; there is
//! no scheduler here.
//!
//! A film is known by its file, not by how its name was spelled: each line carries
//! `"file": {"path", "bytes", "modified_ns"}` (the canonical path, the size and the time of
//! last change), and a film whose file matches a line already in the output is not read
//! again, whichever spelling reached it; a film whose file changed is read again, its new
//! line appended (the last line of a path is the one that holds). One run writes an output
//! at a time (a lock on it), each line written whole and synced before the next film, so a
//! run killed at any moment and run again loses nothing and does nothing twice.

use std::collections::HashMap;
use std::fs::{File, Metadata};
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::{Error, Result};

use super::input::is_still;
use super::{FilmInput, FilmOptions, ValidFilmOptions};

/// The longest line read from an output file: a film's line is at most a palette for each
/// of [`super::MAX_FRAMES`] scenes (about 25 MB at 32 colours); a longer one is skipped as
/// bad, read through without being held.
pub const MAX_LINE_BYTES: usize = 64 << 20;

/// Bad lines of an output file reported one by one; past these, only their count.
const BAD_LINES_TOLD: usize = 10;

/// What a run did, every file of the folder counted once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchSummary {
    /// Films analysed now.
    pub done: usize,
    /// Films skipped: their line was already in the output.
    pub skipped: usize,
    /// Films that failed now (their line carries `"error"`).
    pub failed: usize,
    /// Films skipped because they failed before (not tried again without `retry_failed`).
    pub failed_before: usize,
    /// Files of the folder that are not films (stills, hidden files, folders, ...), each
    /// told to `progress` with its reason.
    pub not_films: usize,
    /// Lines of the output that could not be read (skipped, each told to `progress`).
    pub bad_lines: usize,
}

impl BatchSummary {
    /// Whether some film of the folder has no palette: failed now or before.
    #[must_use]
    pub fn some_failed(&self) -> bool {
        self.failed + self.failed_before > 0
    }
}

/// Which file a film's line is of: enough to know it again by another spelling, and to see
/// that it changed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FileKey {
    /// The canonical path (absolute, links resolved).
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its last change, in nanoseconds since 1970.
    pub modified_ns: u64,
}

impl FileKey {
    /// The key of the file at `path` as it is now.
    pub fn of(path: &Path) -> Result<FileKey> {
        let io = |source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        let canonical = std::fs::canonicalize(path).map_err(io)?;
        let metadata = std::fs::metadata(&canonical).map_err(io)?;
        let text = canonical.to_str().ok_or_else(|| {
            Error::InvalidOption(format!(
                "{} has a name that is not UTF-8",
                canonical.display()
            ))
        })?;
        Ok(FileKey {
            path: text.to_string(),
            bytes: metadata.len(),
            modified_ns: modified_ns(&metadata),
        })
    }
}

fn modified_ns(metadata: &Metadata) -> u64 {
    metadata
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// One file of a folder: a film to read, or why it is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A file to read as a film.
    Film(PathBuf),
    /// Not read: its name as it is shown (lossy if it is not UTF-8) and why.
    NotAFilm {
        /// The file's name, escapes and all, as text.
        name: String,
        /// Why it is not read.
        reason: &'static str,
    },
}

/// Every file of `dir`, in name order: its films (the files that are not stills nor hidden)
/// and, for every other entry, why it is left out. `out`, the output file, is left out if
/// it is in `dir`.
pub fn entries_in(dir: &Path, out: Option<&Path>) -> Result<Vec<Entry>> {
    let io = |source| Error::Io {
        path: dir.to_path_buf(),
        source,
    };
    let out = out.and_then(|o| std::fs::canonicalize(o).ok());
    let mut named = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let path = entry.path();
        let name = entry.file_name();
        let reason = match name.to_str() {
            None => Some("its name is not UTF-8, which a JSON line cannot hold"),
            Some(n) if n.starts_with('.') => Some("hidden"),
            Some(_) => match std::fs::metadata(&path) {
                Err(e) if e.kind() == ErrorKind::NotFound => Some("a broken link"),
                Err(_) => Some("cannot be read"),
                Ok(m) if m.is_dir() => Some("a folder (folders inside are not searched)"),
                Ok(m) if !m.is_file() => Some("not a regular file (a FIFO, socket or device)"),
                Ok(_) if is_still(&path) => Some("a still (give stills to film as a folder)"),
                Ok(_) if out.is_some() && std::fs::canonicalize(&path).ok() == out => {
                    Some("the --out file itself")
                }
                Ok(_) => None,
            },
        };
        named.push((
            name.clone(),
            match reason {
                None => Entry::Film(path),
                Some(reason) => Entry::NotAFilm {
                    name: name.to_string_lossy().into_owned(),
                    reason,
                },
            },
        ));
    }
    named.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(named.into_iter().map(|(_, entry)| entry).collect())
}

/// The films of a folder: its files that are not stills nor hidden, in name order.
pub fn films_in(dir: &Path) -> Result<Vec<PathBuf>> {
    Ok(entries_in(dir, None)?
        .into_iter()
        .filter_map(|e| match e {
            Entry::Film(path) => Some(path),
            Entry::NotAFilm { .. } => None,
        })
        .collect())
}

/// What an output file says of a film.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Its palettes are there.
    Done,
    /// It failed, with this message.
    Failed(String),
}

/// What an output file holds, read line by line.
#[derive(Debug, Default)]
pub struct Record {
    /// The last outcome of each file.
    pub outcomes: HashMap<FileKey, Outcome>,
    /// Lines that could not be read: their number (from 1) and why.
    pub bad_lines: Vec<(u64, String)>,
    /// Whether the file ends in the middle of a line (a run was killed while writing).
    pub torn: bool,
}

/// Reads an output file line by line (never whole): each line's file and outcome; a line
/// that is not a film's line (not JSON, not UTF-8, no `file`, longer than
/// [`MAX_LINE_BYTES`]) is noted as bad and skipped.
pub fn read_record(reader: impl Read) -> std::io::Result<Record> {
    let mut reader = BufReader::new(reader);
    let mut record = Record::default();
    let mut line = Vec::new();
    let mut number = 0u64;
    loop {
        line.clear();
        let read = (&mut reader)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut line)?;
        if read == 0 {
            break;
        }
        number += 1;
        if line.last() != Some(&b'\n') {
            if line.len() > MAX_LINE_BYTES {
                // Read the rest of the line through, holding none of it.
                let mut rest = 0;
                loop {
                    let buf = reader.fill_buf()?;
                    if buf.is_empty() {
                        break;
                    }
                    match buf.iter().position(|&b| b == b'\n') {
                        Some(i) => {
                            reader.consume(i + 1);
                            rest += 1;
                            break;
                        }
                        None => {
                            let n = buf.len();
                            reader.consume(n);
                        }
                    }
                }
                record.torn = rest == 0;
                record
                    .bad_lines
                    .push((number, format!("longer than {} MB", MAX_LINE_BYTES >> 20)));
                continue;
            }
            // The last line, cut short.
            record.torn = true;
            record
                .bad_lines
                .push((number, "cut short (a run stopped while writing it)".into()));
            break;
        }
        match film_of_line(&line) {
            Ok(Some((key, outcome))) => {
                record.outcomes.insert(key, outcome);
            }
            Ok(None) => {}
            Err(problem) => record.bad_lines.push((number, problem.into())),
        }
    }
    Ok(record)
}

/// The file and outcome of one line; `None` for an empty line.
fn film_of_line(line: &[u8]) -> std::result::Result<Option<(FileKey, Outcome)>, &'static str> {
    #[derive(Deserialize)]
    struct Line {
        file: Option<FileKey>,
        error: Option<String>,
    }
    if line.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let parsed: Line = serde_json::from_slice(line).map_err(|_| "not a JSON line of a film")?;
    let key = parsed
        .file
        .ok_or("names no file (no \"file\" key), so no film can be matched with it")?;
    Ok(Some((
        key,
        parsed.error.map_or(Outcome::Done, Outcome::Failed),
    )))
}

/// What one film gives a batch: the line to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilmLine {
    /// The film's JSON (`color-palettes film SOURCE`) with its `file`.
    Done(String),
    /// `{"error": ..., "file": ..., "source": ...}`.
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

/// The line `run` appends for one film: its JSON (as `film` prints it) with its `file`, or
/// its error line. Public so that another engine's map step (the Python package's
/// `film_line`, run by Ray) writes the same bytes as `films`. A URL has no `file`.
pub fn film_line(source: &str, options: &ValidFilmOptions) -> FilmLine {
    let key = if crate::source::is_url(source) {
        None
    } else {
        FileKey::of(Path::new(source)).ok()
    };
    line_of(source, key.as_ref(), options)
}

fn line_of(source: &str, key: Option<&FileKey>, options: &ValidFilmOptions) -> FilmLine {
    match FilmInput::Video(source.to_string()).analyse(options) {
        Ok(film) => {
            let mut line = film.to_json();
            if let Some(key) = key {
                // `to_json` ends with the object's brace: the file goes last.
                line.pop();
                line.push_str(&format!(r#","file":{}}}"#, json!(key)));
            }
            FilmLine::Done(line)
        }
        Err(e) => {
            let mut line = json!({"source": source, "error": e.to_string()});
            if let Some(key) = key {
                line["file"] = json!(key);
            }
            FilmLine::Failed(line.to_string())
        }
    }
}

/// What a run tells as it goes.
#[derive(Debug)]
pub enum Progress<'a> {
    /// A film read now, and its line.
    Analysed {
        /// The film as the folder names it.
        source: &'a str,
        /// The line appended.
        line: &'a FilmLine,
    },
    /// A film that failed again, as before: its line is already there and is not repeated.
    FailedAgain {
        /// The film.
        source: &'a str,
    },
    /// A file of the folder that is not read, and why.
    NotAFilm {
        /// Its name.
        name: &'a str,
        /// Why.
        reason: &'a str,
    },
    /// A line of the output that could not be read.
    BadLine {
        /// Its number, from 1.
        number: u64,
        /// Why.
        problem: &'a str,
    },
    /// How many more bad lines there were, past those told one by one.
    MoreBadLines(usize),
}

/// How a batch runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct BatchOptions {
    /// Read films that failed before again (their new line is appended if it differs).
    pub retry_failed: bool,
}

/// Analyses every film of `dir` not yet in `out`, appending one JSON line each (a film's
/// JSON with its `file`, or `{"source", "file", "error"}`), written and synced before the
/// next film starts. `out` must be a regular file (or not yet exist), and no other run may
/// be writing it. `progress` hears each film read, each file left out and each bad line.
pub fn run(
    dir: &Path,
    out: &Path,
    options: &FilmOptions,
    batch: BatchOptions,
    mut progress: impl FnMut(Progress<'_>),
) -> Result<BatchSummary> {
    // Checked once for every film, and before the output file is touched.
    let options = options.check()?;
    let mut file = open_locked(out)?;
    let read = |source| Error::Io {
        path: out.to_path_buf(),
        source,
    };
    let write = |source| Error::Write {
        path: out.to_path_buf(),
        source,
    };
    let record = read_record(&file).map_err(read)?;
    let mut summary = BatchSummary {
        bad_lines: record.bad_lines.len(),
        ..BatchSummary::default()
    };
    for (number, problem) in record.bad_lines.iter().take(BAD_LINES_TOLD) {
        progress(Progress::BadLine {
            number: *number,
            problem,
        });
    }
    if record.bad_lines.len() > BAD_LINES_TOLD {
        progress(Progress::MoreBadLines(
            record.bad_lines.len() - BAD_LINES_TOLD,
        ));
    }
    // A run killed mid-line left a torn line: start on a fresh one.
    if record.torn {
        file.write_all(b"\n").map_err(write)?;
    }
    for entry in entries_in(dir, Some(out))? {
        let film = match entry {
            Entry::Film(path) => path,
            Entry::NotAFilm { name, reason } => {
                summary.not_films += 1;
                progress(Progress::NotAFilm {
                    name: &name,
                    reason,
                });
                continue;
            }
        };
        let source = film.display().to_string();
        let key = FileKey::of(&film).ok();
        let before = key.as_ref().and_then(|k| record.outcomes.get(k));
        match before {
            Some(Outcome::Done) => {
                summary.skipped += 1;
                continue;
            }
            Some(Outcome::Failed(_)) if !batch.retry_failed => {
                summary.failed_before += 1;
                continue;
            }
            _ => {}
        }
        let line = line_of(&source, key.as_ref(), &options);
        if let (FilmLine::Failed(text), Some(Outcome::Failed(error))) = (&line, before) {
            let again = serde_json::from_str::<serde_json::Value>(text)
                .is_ok_and(|v| v["error"].as_str() == Some(error));
            if again {
                summary.failed += 1;
                progress(Progress::FailedAgain { source: &source });
                continue;
            }
        }
        match line {
            FilmLine::Done(_) => summary.done += 1,
            FilmLine::Failed(_) => summary.failed += 1,
        }
        file.write_all(format!("{}\n", line.text()).as_bytes())
            .map_err(write)?;
        file.sync_data().map_err(write)?;
        progress(Progress::Analysed {
            source: &source,
            line: &line,
        });
    }
    Ok(summary)
}

/// Opens `out` to read and append, created if missing, locked against other runs; refuses
/// anything but a regular file (appending to `/dev/null` or a FIFO would lose every line).
fn open_locked(out: &Path) -> Result<File> {
    let not_regular = || {
        Error::InvalidOption(format!(
            "--out must be a regular file, and {} is not",
            out.display()
        ))
    };
    match std::fs::metadata(out) {
        Ok(m) if !m.is_file() => return Err(not_regular()),
        _ => {}
    }
    let write = |source| Error::Write {
        path: out.to_path_buf(),
        source,
    };
    let file = std::fs::OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(out)
        .map_err(write)?;
    if !file.metadata().map_err(write)?.is_file() {
        return Err(not_regular());
    }
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::InvalidOption(format!(
            "{} is being written by another films run; wait for it to end, or give another --out",
            out.display()
        ))),
        Err(std::fs::TryLockError::Error(source)) => Err(write(source)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(path: &str) -> FileKey {
        FileKey {
            path: path.into(),
            bytes: 10,
            modified_ns: 5,
        }
    }

    #[test]
    fn a_record_keeps_the_last_outcome_of_each_file_and_reports_bad_lines() {
        let a = json!(key("/f/a.mp4"));
        let text = format!(
            "{{\"source\":\"a.mp4\",\"file\":{a},\"error\":\"broken\"}}\n\
             not json\n\
             \n\
             {{\"source\":\"old\"}}\n\
             \u{ff}\u{fe}\n\
             {{\"source\":\"./a.mp4\",\"file\":{a},\"palette\":[]}}\n\
             {{\"source\":\"b.mp4\",\"fi"
        );
        let mut bytes = text.into_bytes();
        bytes.extend([0xff, b'\n']);
        bytes.extend(b"{\"source\":\"c\",\"file\":");
        let record = read_record(&bytes[..]).unwrap();
        assert_eq!(record.outcomes.len(), 1);
        assert_eq!(record.outcomes[&key("/f/a.mp4")], Outcome::Done);
        let numbers: Vec<u64> = record.bad_lines.iter().map(|b| b.0).collect();
        assert_eq!(numbers, [2, 4, 5, 7, 8]);
        assert!(record.torn);
    }

    #[test]
    fn a_line_longer_than_the_limit_is_read_through_and_skipped() {
        let mut bytes = vec![b'x'; MAX_LINE_BYTES + 10];
        bytes.push(b'\n');
        let line = format!("{{\"file\":{},\"error\":\"e\"}}\n", json!(key("/b")));
        bytes.extend(line.as_bytes());
        let record = read_record(&bytes[..]).unwrap();
        assert_eq!(record.bad_lines.len(), 1);
        assert_eq!(record.bad_lines[0].0, 1);
        assert_eq!(
            record.outcomes[&key("/b")],
            Outcome::Failed("e".into()),
            "the line after the long one is read"
        );
        assert!(!record.torn);
    }
}
