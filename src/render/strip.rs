//! A palette strip: swatches side by side, as wide as their shares but never narrower than
//! [`MIN_SWATCH_WIDTH`], each labelled with its hex code and share: on the swatch when the
//! text fits, otherwise beneath the strip, spread over as few rows as keep labels apart.

use crate::palette::Palette;
use crate::text;

use super::contrast::ink_on;
use super::layout::{Item, MARGIN};
use super::Figure;

/// Height of a strip, in pixels.
pub(super) const STRIP_HEIGHT: u32 = 72;
/// The narrowest swatch of a strip, in pixels (unless the strip is too short for every
/// swatch to have it; then all are equal): a 0.5% accent in a 900-pixel figure would
/// otherwise be 4 pixels wide.
pub const MIN_SWATCH_WIDTH: u32 = 12;
/// Em sizes of a swatch's hex code and share, on the swatch and beneath the strip.
const HEX_SIZE: f32 = 13.0;
const SHARE_SIZE: f32 = 12.0;
const NOTE_SIZE: f32 = 11.0;
/// Height of one row of labels beneath a strip (hex code over share), and the most rows.
const NOTE_ROW: u32 = 28;
const MAX_NOTE_ROWS: usize = 4;

/// How a palette strip is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StripStyle {
    /// Swatch widths follow the colours' proportions (otherwise all equal, as the original).
    pub proportional: bool,
    /// Label every swatch with its hex code and share: on the swatch when they fit,
    /// otherwise beneath the strip, linked to the swatch by a line.
    pub labels: bool,
}

impl StripStyle {
    /// Proportional widths, every swatch labelled.
    pub const DEFAULT: StripStyle = StripStyle {
        proportional: true,
        labels: true,
    };
}

impl Default for StripStyle {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl Figure {
    /// A strip of `palette`'s swatches across the inner width, below what is placed so far,
    /// with its labels.
    pub(super) fn strip(&mut self, palette: &Palette, style: StripStyle) {
        let total = self.inner_width();
        let y = self.height as i32;
        let n = palette.len();
        let shares: Vec<f64> = if style.proportional {
            palette.colors.iter().map(|s| s.proportion).collect()
        } else {
            vec![1.0; n]
        };
        let widths = swatch_widths(&shares, total, MIN_SWATCH_WIDTH);
        // Swatches too narrow for their labels: (swatch centre, hex, share).
        let mut notes = Vec::new();
        let mut left = MARGIN as i32;
        for (swatch, &w) in palette.colors.iter().zip(&widths) {
            if w == 0 {
                continue;
            }
            self.swatch(left, y, w, STRIP_HEIGHT, swatch.rgb);
            let share = format!("{:.1}%", swatch.proportion * 100.0);
            let centre = left + w as i32 / 2;
            let fits = text::text_width(&swatch.hex, HEX_SIZE)
                .max(text::text_width(&share, SHARE_SIZE))
                + 6.0
                <= w as f32;
            if style.labels && fits {
                let ink = ink_on(swatch.rgb);
                let middle = y + STRIP_HEIGHT as i32 / 2;
                self.label(centre, middle - 9, &swatch.hex, HEX_SIZE, ink, true);
                self.label(centre, middle + 9, &share, SHARE_SIZE, ink, true);
            } else if style.labels {
                notes.push((centre, swatch.hex.clone(), share));
            }
            left += w as i32;
        }
        self.height += STRIP_HEIGHT;
        self.notes(&notes);
        self.height += MARGIN;
    }

    /// Labels beneath the strip for the swatches too narrow to hold them, each linked to
    /// its swatch by a line; spread out so none overlaps, over as few rows as that takes.
    fn notes(&mut self, notes: &[(i32, String, String)]) {
        if notes.is_empty() {
            return;
        }
        let widths: Vec<f32> = notes
            .iter()
            .map(|(_, hex, share)| {
                text::text_width(hex, NOTE_SIZE).max(text::text_width(share, NOTE_SIZE)) + 8.0
            })
            .collect();
        let (low, high) = (MARGIN as f32, (self.width - MARGIN) as f32);
        let centres: Vec<f32> = notes.iter().map(|(c, ..)| *c as f32).collect();
        let (rows, placed) = (1..=MAX_NOTE_ROWS)
            .map(|rows| (rows, spread(&centres, &widths, rows, low, high)))
            .find(|(_, placed)| placed.is_some())
            .map_or_else(
                || {
                    let placed = spread_anyway(&centres, &widths, MAX_NOTE_ROWS, low, high);
                    (MAX_NOTE_ROWS, placed)
                },
                |(rows, placed)| (rows, placed.unwrap_or_default()),
            );
        let top = self.height as i32;
        for (i, ((centre, hex, share), x)) in notes.iter().zip(placed).enumerate() {
            let row = (i % rows) as i32;
            let label_top = top + 8 + row * NOTE_ROW as i32;
            self.items.push(Item::Line {
                from: (*centre, top),
                to: (x.round() as i32, label_top),
                rgb: [110, 110, 110],
            });
            let x = x.round() as i32;
            self.label(x, label_top + 7, hex, NOTE_SIZE, [40, 40, 40], true);
            self.label(x, label_top + 20, share, NOTE_SIZE, [40, 40, 40], true);
        }
        self.height += 8 + rows as u32 * NOTE_ROW;
    }
}

/// Integer widths for swatches of `shares` filling `total` pixels: proportional, except that
/// none is narrower than `min` (or than `total / n`, when `n` swatches of `min` do not fit).
/// The widths sum to `total`.
#[must_use]
pub fn swatch_widths(shares: &[f64], total: u32, min: u32) -> Vec<u32> {
    let n = shares.len();
    if n == 0 {
        return Vec::new();
    }
    let min = f64::from(min.min(total / n as u32));
    let shares: Vec<f64> = shares
        .iter()
        .map(|s| if s.is_finite() { s.max(0.0) } else { 0.0 })
        .collect();
    // Swatches held at the minimum; the rest share what is left in proportion.
    let mut held = vec![false; n];
    let (free_width, free_share) = loop {
        let held_count = held.iter().filter(|&&h| h).count() as f64;
        let free_width = f64::from(total) - min * held_count;
        let free_share: f64 = (0..n).filter(|&i| !held[i]).map(|i| shares[i]).sum();
        let mut changed = false;
        for i in 0..n {
            if !held[i] && (free_share <= 0.0 || shares[i] / free_share * free_width < min) {
                held[i] = true;
                changed = true;
            }
        }
        if !changed {
            break (free_width, free_share);
        }
    };
    // Edges from cumulative widths, so rounding never leaves a gap at the end.
    let mut widths = Vec::with_capacity(n);
    let (mut edge, mut previous) = (0.0f64, 0u32);
    for i in 0..n {
        edge += if held[i] {
            min
        } else {
            shares[i] / free_share * free_width
        };
        let end = if i + 1 == n {
            total
        } else {
            (edge.round() as u32).min(total)
        };
        widths.push(end.saturating_sub(previous));
        previous = end;
    }
    widths
}

/// Places labels of `widths` as near `centres` as they go without overlapping, alternating
/// over `rows` rows, within `low..high`; `None` when they do not fit.
fn spread(centres: &[f32], widths: &[f32], rows: usize, low: f32, high: f32) -> Option<Vec<f32>> {
    let mut placed = centres.to_vec();
    for row in 0..rows {
        let members: Vec<usize> = (row..centres.len()).step_by(rows).collect();
        let needed: f32 = members.iter().map(|&i| widths[i]).sum();
        if needed > high - low {
            return None;
        }
        // Left to right: no overlap with the one before; then right to left: inside `high`.
        let mut right_edge = low;
        for &i in &members {
            placed[i] = centres[i].max(right_edge + widths[i] / 2.0);
            right_edge = placed[i] + widths[i] / 2.0;
        }
        let mut left_edge = high;
        for &i in members.iter().rev() {
            placed[i] = placed[i].min(left_edge - widths[i] / 2.0);
            left_edge = placed[i] - widths[i] / 2.0;
        }
    }
    Some(placed)
}

/// [`spread`] for labels that cannot all fit: evenly spaced across the width instead.
fn spread_anyway(centres: &[f32], widths: &[f32], rows: usize, low: f32, high: f32) -> Vec<f32> {
    spread(centres, widths, rows, low, high).unwrap_or_else(|| {
        let per_row = centres.len().div_ceil(rows).max(1) as f32;
        (0..centres.len())
            .map(|i| low + (high - low) * (((i / rows) as f32 + 0.5) / per_row))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::contrast::OUTLINE_RGB;
    use crate::render::fixtures::{palette, still};
    use crate::{ColorSpace, Method};

    /// The widths of the swatches of a 412-pixel figure of `palette()`.
    fn drawn_widths(proportional: bool) -> Vec<u32> {
        let style = StripStyle {
            proportional,
            labels: false,
        };
        let fig = Figure::still_with_strip(&still(), &palette(), 412, style);
        fig.items
            .iter()
            .filter_map(|i| match i {
                Item::Rect { w, .. } => Some(*w),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn strip_widths_follow_proportions() {
        assert_eq!(drawn_widths(true), vec![291, 97]);
        assert_eq!(drawn_widths(false), vec![194, 194]);
    }

    #[test]
    fn every_swatch_is_at_least_the_minimum_width() {
        let widths = swatch_widths(&[0.5, 0.49, 0.005, 0.005], 876, MIN_SWATCH_WIDTH);
        assert_eq!(widths.iter().sum::<u32>(), 876);
        assert_eq!(&widths[2..], &[12, 12]);
        assert!(widths[0] > widths[1]);
        // Too many swatches for the minimum: all equal.
        let tiny = swatch_widths(&[0.9, 0.1, 0.0], 20, MIN_SWATCH_WIDTH);
        assert_eq!(tiny, vec![8, 6, 6]);
        assert_eq!(swatch_widths(&[], 100, 12), Vec::<u32>::new());
        assert_eq!(swatch_widths(&[f64::NAN, 1.0], 100, 12), vec![12, 88]);
    }

    #[test]
    fn narrow_swatches_are_labelled_beneath_and_pale_ones_outlined() {
        let palette = Palette::from_weights(
            4,
            Method::Kmeans,
            ColorSpace::Rgb,
            [
                ([200, 40, 30], 60.0),
                ([250, 250, 250], 39.0),
                ([0, 200, 220], 0.5),
                ([0, 0, 0], 0.5),
            ],
        );
        let fig = Figure::still_with_strip(&still(), &palette, 900, StripStyle::default());
        let labels: Vec<&str> = fig
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Label { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        // Every swatch has its hex code and share, the narrow ones beneath the strip.
        for hex in palette.hex_codes() {
            assert!(labels.contains(&hex.as_str()), "{hex} not labelled");
        }
        assert_eq!(labels.iter().filter(|l| **l == "0.5%").count(), 2);
        let lines = fig.items.iter().filter(|i| matches!(i, Item::Line { .. }));
        assert_eq!(lines.count(), 2);
        let frames: Vec<[u8; 3]> = fig
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Frame { .. } => Some(OUTLINE_RGB),
                _ => None,
            })
            .collect();
        assert_eq!(frames.len(), 1, "only the near-white swatch is outlined");
        // Equal swatches too narrow for text are labelled beneath as well.
        let equal = StripStyle {
            proportional: false,
            labels: true,
        };
        let k16 = Palette::from_weights(
            16,
            Method::Kmeans,
            ColorSpace::Rgb,
            (0..16u8).map(|i| ([i * 15, 100, 200 - i * 10], 1.0)),
        );
        let fig = Figure::still_with_strip(&still(), &k16, 400, equal);
        let labelled = fig
            .items
            .iter()
            .filter(|i| matches!(i, Item::Label { text, .. } if text.starts_with('#')))
            .count();
        assert_eq!(labelled, 16);
        fig.to_png().unwrap();
    }
}
