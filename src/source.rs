//! Where a still comes from: the one parser of what a person types (a path, an http(s) URL,
//! a sample still's name, `-` for standard input), and the bytes or still a program
//! already holds. Every front end names its still through a [`Source`].

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::data;
use crate::error::Result;
use crate::load::{LoadLimits, Still};

/// A still to load.
#[derive(Debug, Clone)]
pub enum Source {
    /// A file.
    Path(PathBuf),
    /// An address to fetch (only `http` and `https` are fetched; any other scheme is refused
    /// as a URL, not looked up as a file).
    Url(String),
    /// A sample still, by its catalogue name (`data/stills.toml`).
    Sample(String),
    /// An encoded image (an upload, a Python `bytes`).
    Bytes(Vec<u8>),
    /// Standard input, read to its end.
    Stdin,
    /// A still already decoded (a server's cached sample, a notebook's array).
    Still(Arc<Still>),
}

/// Whether `text` names a URL rather than a file: it has a scheme (`://`). `ftp://...` is
/// a URL too, so that it is refused as one instead of being looked for as a file.
#[must_use]
pub fn is_url(text: &str) -> bool {
    text.contains("://")
}

impl Source {
    /// The still a person names: `-` is standard input, anything with `://` a URL, an
    /// existing file that file, else a sample still of that name, else the path (whose
    /// error then names the missing file).
    #[must_use]
    pub fn parse(text: &str) -> Source {
        if text == "-" {
            Source::Stdin
        } else if is_url(text) {
            Source::Url(text.to_owned())
        } else if !Path::new(text).exists() && data::sample(text).is_ok() {
            Source::Sample(text.to_owned())
        } else {
            Source::Path(PathBuf::from(text))
        }
    }

    /// What a palette of this still is called in a saved file: the file's stem, the
    /// sample's name, the last part of a URL's path, `stdin` or `upload`.
    #[must_use]
    pub fn name(&self) -> String {
        let stem = |path: &str| {
            Path::new(path)
                .file_stem()
                .and_then(|s| s.to_str())
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        match self {
            Source::Path(path) => stem(&path.to_string_lossy()).unwrap_or_else(|| "still".into()),
            Source::Url(url) => {
                let path = url.split(['?', '#']).next().unwrap_or_default();
                let last = path.rsplit('/').next().unwrap_or_default();
                if path.ends_with('/') || path.matches('/').count() < 3 {
                    "still".into()
                } else {
                    stem(last).unwrap_or_else(|| "still".into())
                }
            }
            Source::Sample(name) => {
                data::sample(name).map_or_else(|_| name.clone(), |s| s.name.clone())
            }
            Source::Bytes(_) => "upload".into(),
            Source::Stdin => "stdin".into(),
            Source::Still(_) => "still".into(),
        }
    }

    /// The still, decoded within the default limits. A URL is fetched as a person at their
    /// own machine would (private addresses allowed: a server does its own fetching, with
    /// its own address filter).
    pub fn load(self) -> Result<Arc<Still>> {
        self.load_with(LoadLimits::default())
    }

    /// The still, decoded within `limits`. The source is consumed, so encoded bytes are
    /// freed as soon as they are decoded.
    pub fn load_with(self, limits: LoadLimits) -> Result<Arc<Still>> {
        let still = match self {
            Source::Path(path) => Still::open_with_limits(path, limits)?,
            Source::Url(url) => fetch(&url, limits)?,
            Source::Sample(name) => data::still(&name)?,
            Source::Bytes(bytes) => Still::from_bytes_with_limits(&bytes, limits)?,
            Source::Stdin => {
                let bytes = limits.read_within(std::io::stdin().lock(), "<stdin>".as_ref(), 0)?;
                Still::from_bytes_with_limits(&bytes, limits)?
            }
            Source::Still(still) => return Ok(still),
        };
        Ok(Arc::new(still))
    }
}

#[cfg(feature = "fetch")]
fn fetch(url: &str, limits: LoadLimits) -> Result<Still> {
    let policy = crate::fetch::FetchPolicy {
        allow_private: true,
        limits,
        ..crate::fetch::FetchPolicy::default()
    };
    Still::from_url_with(url, &policy)
}

#[cfg(not(feature = "fetch"))]
fn fetch(url: &str, _limits: LoadLimits) -> Result<Still> {
    Err(crate::Error::InvalidUrl(format!(
        "{url}: loading URLs needs the crate's `fetch` feature"
    )))
}

impl From<&str> for Source {
    fn from(text: &str) -> Self {
        Source::parse(text)
    }
}

impl From<Still> for Source {
    fn from(still: Still) -> Self {
        Source::Still(Arc::new(still))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    #[test]
    fn what_a_person_types_is_parsed_once() {
        assert!(matches!(Source::parse("-"), Source::Stdin));
        assert!(matches!(
            Source::parse("https://e.com/a.png"),
            Source::Url(_)
        ));
        assert!(matches!(Source::parse("ftp://e.com/a.png"), Source::Url(_)));
        assert!(matches!(Source::parse("El_Fuente"), Source::Sample(_)));
        assert!(matches!(Source::parse("Cargo.toml"), Source::Path(_)));
        assert!(matches!(Source::parse("no/such.png"), Source::Path(_)));
    }

    #[test]
    fn names_for_saved_files() {
        assert_eq!(Source::parse("frames/a still.png").name(), "a still");
        assert_eq!(Source::parse("el_fuente").name(), "El_Fuente");
        assert_eq!(Source::parse("https://e.com/x/shot.jpg?w=2").name(), "shot");
        assert_eq!(Source::parse("https://e.com/").name(), "still");
        assert_eq!(Source::parse("https://e.com").name(), "still");
        assert_eq!(Source::parse("-").name(), "stdin");
        assert_eq!(Source::Bytes(vec![1]).name(), "upload");
    }

    #[test]
    fn a_bad_source_says_what_it_is() {
        let e = Source::parse("no/such.png").load().unwrap_err();
        assert!(e.to_string().contains("no/such.png"), "{e}");
        let e = Source::Bytes(b"not an image".to_vec()).load().unwrap_err();
        assert!(matches!(e, Error::Decode(_)), "{e}");
        let e = Source::parse("ftp://e.com/a.png").load().unwrap_err();
        assert!(matches!(e, Error::InvalidUrl(_)), "{e}");
    }
}
