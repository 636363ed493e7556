//! One error type for the whole crate, with messages a person can act on.

use std::path::PathBuf;

/// Everything that can go wrong between a still and its palette.
///
/// The variants are grouped by who can fix the problem: the server chooses its HTTP status
/// with [`Error::kind`]; the CLI prints the message and exits 1 whatever the kind (2 is for
/// arguments clap cannot parse).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file that was asked for.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A file (or standard output) could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file being written.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The bytes are not an image we can decode (unknown format, corrupt or truncated).
    #[error("not a readable image: {0}")]
    Decode(String),
    /// The image is larger than the configured limits (a decompression bomb, absurd dimensions).
    #[error("image too large: {0}")]
    TooLarge(String),
    /// An option is out of range or inconsistent (k, brightness bounds, an unknown name).
    #[error("invalid option: {0}")]
    InvalidOption(String),
    /// One named option is out of range: `name` as the library and the API spell it (`k`,
    /// `min_brightness`, `every`), so that each front end can say it its own way (the CLI
    /// as its flag, `--min-brightness`).
    #[error("invalid option: {name} {problem}")]
    BadOption {
        /// The option, as the library names it.
        name: &'static str,
        /// What is wrong with it, after its name: `must be between 1 and 32 (got 40)`.
        problem: String,
    },
    /// Nothing was left to cluster (every pixel transparent or outside the brightness range).
    #[error("no pixels to cluster: {0}")]
    NoPixels(String),
    /// A URL that is malformed or uses a scheme other than http/https.
    #[error("invalid URL: {0}")]
    InvalidUrl(String),
    /// A URL whose host resolves to an address we refuse to contact (loopback, private, ...).
    #[error(
        "refused to fetch {0}: it resolves to a loopback, private or otherwise internal address"
    )]
    ForbiddenAddress(String),
    /// The remote host did not answer in time.
    #[error("timed out fetching {0}")]
    FetchTimeout(String),
    /// The remote file is larger than the download cap.
    #[error("remote image too large: {0}")]
    FetchTooLarge(String),
    /// The remote host could not be reached or answered with an error status.
    #[error("could not fetch {0}")]
    Fetch(String),
    /// A sample still that is not in `data/stills.toml`, or whose bytes do not match their sha256.
    #[error("sample still: {0}")]
    Sample(String),
    /// A figure could not be drawn or encoded.
    #[error("rendering failed: {0}")]
    Render(String),
    /// A clustering library failed on checked input: a fault of ours, not of the request.
    #[error("clustering failed: {0}")]
    Clustering(String),
    /// A video that cannot be used: unreadable, no video stream, zero length.
    #[error("{0}")]
    Video(String),
    /// An external program the request needs (FFmpeg) is missing or cannot run.
    #[error("{0}")]
    MissingTool(String),
}

/// Who is at fault, coarsely: what the server's HTTP status is chosen from (the CLI exits 1
/// on every error, 2 on malformed arguments).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request itself is wrong (bad option, bad URL): HTTP 400.
    BadRequest,
    /// The URL points somewhere we refuse to go: HTTP 403.
    Forbidden,
    /// The input is well-formed but not a usable image: HTTP 422.
    Unprocessable,
    /// The remote side failed: HTTP 502.
    Upstream,
    /// The remote side was too slow: HTTP 504.
    UpstreamTimeout,
    /// The remote file was too large: HTTP 413.
    UpstreamTooLarge,
    /// A local problem (file system, rendering): HTTP 500.
    Internal,
}

impl Error {
    /// The coarse category of this error.
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidOption(_) | Error::BadOption { .. } | Error::InvalidUrl(_) => {
                ErrorKind::BadRequest
            }
            Error::ForbiddenAddress(_) => ErrorKind::Forbidden,
            Error::Decode(_) | Error::TooLarge(_) | Error::NoPixels(_) | Error::Video(_) => {
                ErrorKind::Unprocessable
            }
            Error::Fetch(_) => ErrorKind::Upstream,
            Error::FetchTimeout(_) => ErrorKind::UpstreamTimeout,
            Error::FetchTooLarge(_) => ErrorKind::UpstreamTooLarge,
            Error::Io { .. }
            | Error::Write { .. }
            | Error::Sample(_)
            | Error::Render(_)
            | Error::Clustering(_)
            | Error::MissingTool(_) => ErrorKind::Internal,
        }
    }
}

impl Error {
    /// [`Error::BadOption`]: option `name` is wrong, as `problem` says.
    #[must_use]
    pub fn option(name: &'static str, problem: impl Into<String>) -> Self {
        Error::BadOption {
            name,
            problem: problem.into(),
        }
    }
}

/// A size as a person reads it, in the units the documentation uses: `25 MB` for 25 MiB
/// (26 214 400 bytes), `4 kB` under a megabyte.
#[must_use]
#[cfg(any(feature = "fetch", feature = "server"))]
pub fn megabytes(bytes: u64) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb >= 1.0 {
        format!("{} MB", (mb * 10.0).round() / 10.0)
    } else {
        format!("{} kB", bytes.div_ceil(1024))
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
