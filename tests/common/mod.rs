//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The verified local copy of a sample still. The stills are not committed: point
/// `COLOR_PALETTES_DATA` at a folder holding them (CI uses `../shared/data/stills`).
pub fn still_path(name: &str) -> PathBuf {
    color_palettes::data::path(name).unwrap_or_else(|e| {
        panic!(
            "sample still {name} unavailable ({e}); set COLOR_PALETTES_DATA to the stills folder"
        )
    })
}

/// The accent labels that ship beside the sample stills.
pub fn accents_path() -> PathBuf {
    still_path("El_Fuente").with_file_name("accents.json")
}
