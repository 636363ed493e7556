//! The sample stills listed in `data/stills.toml`: found locally or downloaded, always
//! checked against their sha256.
//!
//! Lookup order for a still's file: the folder named by `COLOR_PALETTES_DATA`, then the
//! git-ignored cache `data/cache/` of this crate (or `COLOR_PALETTES_CACHE`), then (with the
//! `fetch` feature) a download from its public address into that cache.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::load::Still;

/// Environment variable naming a folder that holds the sample stills.
pub const DATA_ENV: &str = "COLOR_PALETTES_DATA";
/// Environment variable overriding the download cache folder.
pub const CACHE_ENV: &str = "COLOR_PALETTES_CACHE";

/// One sample still, as listed in `data/stills.toml`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Sample {
    /// Short name, e.g. `El_Fuente`.
    pub name: String,
    /// File name, e.g. `El_Fuente.png`.
    pub file: String,
    /// Public address it is downloaded from.
    pub url: String,
    /// Lower-case hex sha256 of the file.
    pub sha256: String,
    /// `WIDTHxHEIGHT`.
    pub size: String,
    /// Anything notable about the picture.
    #[serde(default)]
    pub note: String,
    /// Licence, e.g. `CC BY 4.0`.
    pub licence: String,
    /// Who to credit.
    pub attribution: String,
}

impl Sample {
    /// `name (licence, attribution)`: the credit line to show beside the still.
    #[must_use]
    pub fn credit(&self) -> String {
        format!("{}: {}, {}", self.name, self.licence, self.attribution)
    }
}

#[derive(Deserialize)]
struct Catalogue {
    still: Vec<Sample>,
}

/// Every sample still, in catalogue order.
#[must_use]
pub fn samples() -> &'static [Sample] {
    static SAMPLES: OnceLock<Vec<Sample>> = OnceLock::new();
    SAMPLES.get_or_init(|| {
        let text = include_str!("../data/stills.toml");
        // The catalogue is compiled in and checked by a test, so it always parses.
        toml::from_str::<Catalogue>(text)
            .map(|c| c.still)
            .unwrap_or_default()
    })
}

/// The names of the sample stills.
#[must_use]
pub fn names() -> Vec<&'static str> {
    samples().iter().map(|s| s.name.as_str()).collect()
}

/// The catalogue entry for `name` (case-insensitive; a `.png` suffix is allowed).
pub fn sample(name: &str) -> Result<&'static Sample> {
    let wanted = name.trim();
    samples()
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case(wanted) || s.file.eq_ignore_ascii_case(wanted))
        .ok_or_else(|| {
            Error::Sample(format!(
                "no sample still called {wanted:?} (known: {})",
                names().join(", ")
            ))
        })
}

/// Loads a sample still by name, e.g. `data::still("El_Fuente")`.
pub fn still(name: &str) -> Result<Still> {
    Still::open(path(name)?)
}

/// A still named the way a person names one (the CLI's argument, the notebooks' "try your own
/// still"): the file at `source` when there is one, else the sample still of that name, else
/// `source` opened as a path, so that the error names the missing file.
pub fn file_or_sample(source: &str) -> Result<Still> {
    if !Path::new(source).exists() && sample(source).is_ok() {
        return still(source);
    }
    Still::open(source)
}

/// The local path of a verified copy of a sample still, downloading it if needed. A copy in
/// `COLOR_PALETTES_DATA` that does not match its sha256 is an error; a cached one is
/// downloaded again.
pub fn path(name: &str) -> Result<PathBuf> {
    let sample = sample(name)?;
    let cached = cache_dir().join(&sample.file);
    match local_copy(sample) {
        Some(found) if found != cached => {
            verify(sample, &found)?;
            return Ok(found);
        }
        Some(found) if verify(sample, &found).is_ok() => return Ok(found),
        _ => {}
    }
    download(sample, &cached)?;
    Ok(cached)
}

/// Where a local copy of `sample` is, unverified: the one place that knows the order in
/// which copies are looked for (`COLOR_PALETTES_DATA`, then the cache).
#[must_use]
pub fn local_copy(sample: &Sample) -> Option<PathBuf> {
    data_dir()
        .map(|dir| dir.join(&sample.file))
        .into_iter()
        .chain([cache_dir().join(&sample.file)])
        .find(|p| p.is_file())
}

/// The folder named by `COLOR_PALETTES_DATA`, if set and not empty. A relative path is taken from the
/// working directory, or failing that from this crate's root (notebooks run in `notebooks/`).
#[must_use]
pub fn data_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os(DATA_ENV).filter(|v| !v.is_empty())?);
    if dir.is_absolute() || dir.is_dir() {
        return Some(dir);
    }
    Some(crate_root().join(dir))
}

/// Where downloaded stills are kept: `COLOR_PALETTES_CACHE`, else `data/cache/` in this crate.
#[must_use]
pub fn cache_dir() -> PathBuf {
    std::env::var_os(CACHE_ENV)
        .map_or_else(|| crate_root().join("data").join("cache"), PathBuf::from)
}

fn crate_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Lower-case hex sha256 of `bytes`.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn verify(sample: &Sample, path: &Path) -> Result<()> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let actual = sha256_hex(&bytes);
    if actual != sample.sha256 {
        return Err(Error::Sample(format!(
            "{} has sha256 {actual}, expected {} (a different or damaged file)",
            path.display(),
            sample.sha256
        )));
    }
    Ok(())
}

#[cfg(feature = "fetch")]
fn download(sample: &Sample, target: &Path) -> Result<()> {
    let policy = crate::fetch::FetchPolicy::default();
    let bytes = crate::fetch::fetch_bytes(&sample.url, &policy).map_err(|e| {
        Error::Sample(format!(
            "{} is not in {DATA_ENV} or {}, and downloading it failed: {e}",
            sample.name,
            cache_dir().display()
        ))
    })?;
    let actual = sha256_hex(&bytes);
    if actual != sample.sha256 {
        return Err(Error::Sample(format!(
            "the download of {} has sha256 {actual}, expected {}",
            sample.url, sample.sha256
        )));
    }
    let dir = target.parent().unwrap_or(Path::new("."));
    let io = |source| Error::Write {
        path: target.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    // Write then rename, so an interrupted download never leaves a bad file in the cache.
    let partial = target.with_extension("part");
    std::fs::write(&partial, &bytes).map_err(io)?;
    std::fs::rename(&partial, target).map_err(io)
}

#[cfg(not(feature = "fetch"))]
fn download(sample: &Sample, _target: &Path) -> Result<()> {
    Err(Error::Sample(format!(
        "{} is not in {DATA_ENV} or {}; set {DATA_ENV}, or build with the `fetch` feature to download it",
        sample.name,
        cache_dir().display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_parses_and_is_complete() {
        let text = include_str!("../data/stills.toml");
        let catalogue: Catalogue = toml::from_str(text).unwrap();
        assert_eq!(catalogue.still.len(), samples().len());
        assert!(names().contains(&"El_Fuente"));
        for s in samples() {
            assert_eq!(s.sha256.len(), 64, "{}", s.name);
            assert!(s.url.starts_with("https://"), "{}", s.name);
            assert!(!s.licence.is_empty() && !s.attribution.is_empty());
        }
    }

    #[test]
    fn unknown_names_list_the_known_ones() {
        let err = sample("Casablanca").unwrap_err().to_string();
        assert!(err.contains("El_Fuente"), "{err}");
        assert_eq!(sample("el_fuente.png").unwrap().name, "El_Fuente");
    }

    #[test]
    fn sha256_matches_a_known_digest() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_wrong_file_is_rejected() {
        let dir = std::env::temp_dir().join(format!("cp-verify-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("x.png");
        std::fs::write(&file, b"not the still").unwrap();
        let err = verify(sample("Chimera").unwrap(), &file).unwrap_err();
        assert!(err.to_string().contains("expected"), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
