//! Colours chosen against the figure's white background: which swatches need an outline to
//! stand out from it, and which ink reads on a swatch.

use crate::space::{distance, ColorSpace};

/// Swatches closer than this (CIELAB distance) to the white background get an outline.
const OUTLINE_DELTA_E: f32 = 12.0;
/// The colour of the outline of a swatch close to the background.
pub const OUTLINE_RGB: [u8; 3] = [150, 150, 150];

/// Whether `rgb` is so close to the white background that a swatch of it needs an outline.
pub(super) fn near_background(rgb: [u8; 3]) -> bool {
    let lab = |rgb| ColorSpace::Lab.embed(rgb);
    distance(lab(rgb), lab([255, 255, 255])) < OUTLINE_DELTA_E
}

/// Black or white, whichever reads better on `rgb`.
pub(super) fn ink_on([r, g, b]: [u8; 3]) -> [u8; 3] {
    let luma = 0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b);
    if luma > 140.0 {
        [20, 20, 20]
    } else {
        [250, 250, 250]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pale_swatches_are_outlined_and_ink_contrasts() {
        assert!(near_background([255, 255, 255]) && near_background([250, 250, 250]));
        assert!(!near_background([200, 40, 30]) && !near_background([0, 0, 0]));
        assert_eq!(ink_on([250, 250, 250]), [20, 20, 20]);
        assert_eq!(ink_on([0, 0, 255]), [250, 250, 250]);
    }
}
