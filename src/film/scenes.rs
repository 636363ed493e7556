//! Cuts between sampled frames: each frame is reduced to the mean colour of each block of a
//! [`GRID`] x [`GRID`] grid, in CIELAB; the content-change score between two frames is the
//! mean CIEDE76 distance (Euclidean, in CIELAB) of their blocks. A cut is declared before a
//! frame whose score from the previous frame reaches the threshold, unless the current scene
//! is still shorter than the minimum scene length (a flash or a fast pan does not cut a
//! scene into slivers).

use crate::space::{distance, lab_of_fraction};

use super::Frame;

/// Blocks a side of a frame's signature.
pub const GRID: usize = 16;
/// Default cut threshold: mean CIELAB distance between consecutive sampled frames.
pub const DEFAULT_THRESHOLD: f64 = 18.0;
/// Default minimum scene length, in seconds.
pub const DEFAULT_MIN_SCENE_S: f64 = 1.0;

/// A frame reduced for comparison: the CIELAB colour of each block.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Signature(Vec<[f32; 3]>);

impl Signature {
    /// The mean colour of each block of `frame` (transparent pixels count as they are).
    pub(crate) fn of(frame: &Frame<'_>) -> Signature {
        let (w, h) = (frame.width as usize, frame.height as usize);
        let mut sums = vec![[0u64; 4]; GRID * GRID];
        for (y, row) in frame.pixels.chunks_exact(w * frame.channels).enumerate() {
            let by = y * GRID / h;
            for (x, p) in row.chunks_exact(frame.channels).enumerate() {
                let s = &mut sums[by * GRID + x * GRID / w];
                s[0] += u64::from(p[0]);
                s[1] += u64::from(p[1]);
                s[2] += u64::from(p[2]);
                s[3] += 1;
            }
        }
        Signature(
            sums.iter()
                .map(|s| {
                    let n = s[3].max(1) as f32 * 255.0;
                    let lab = lab_of_fraction([s[0] as f32 / n, s[1] as f32 / n, s[2] as f32 / n]);
                    [lab.l, lab.a, lab.b]
                })
                .collect(),
        )
    }

    /// The content-change score: mean CIELAB distance between corresponding blocks.
    pub(crate) fn distance(&self, other: &Signature) -> f64 {
        let total: f64 = self
            .0
            .iter()
            .zip(&other.0)
            .map(|(&a, &b)| f64::from(distance(a, b)))
            .sum();
        total / self.0.len().max(1) as f64
    }
}

/// Finds cuts frame by frame, keeping only the previous frame's signature.
#[derive(Debug, Clone)]
pub(crate) struct CutDetector {
    threshold: f64,
    min_scene_s: f64,
    previous: Option<Signature>,
    scene_start: f64,
}

impl CutDetector {
    pub(crate) fn new(threshold: f64, min_scene_s: f64) -> Self {
        Self {
            threshold,
            min_scene_s,
            previous: None,
            scene_start: 0.0,
        }
    }

    /// Whether a new scene starts with the frame at `t` seconds, of signature `signature`.
    pub(crate) fn is_cut(&mut self, t: f64, signature: Signature) -> bool {
        let cut = self.previous.as_ref().is_some_and(|p| {
            p.distance(&signature) >= self.threshold && t - self.scene_start >= self.min_scene_s
        });
        if cut {
            self.scene_start = t;
        }
        self.previous = Some(signature);
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame_of(pixels: &[u8]) -> Frame<'_> {
        Frame::new(pixels, 3, 32, 32).unwrap()
    }

    #[test]
    fn a_change_of_picture_is_a_cut_and_the_same_picture_is_not() {
        let red = [200u8, 30, 30].repeat(32 * 32);
        let blue = [30u8, 30, 200].repeat(32 * 32);
        let (r, b) = (
            Signature::of(&frame_of(&red)),
            Signature::of(&frame_of(&blue)),
        );
        assert_eq!(r.distance(&r), 0.0);
        assert!(r.distance(&b) > 100.0, "{}", r.distance(&b));
        let mut cuts = CutDetector::new(DEFAULT_THRESHOLD, 1.0);
        assert!(!cuts.is_cut(0.0, r.clone()));
        assert!(!cuts.is_cut(0.5, r.clone()));
        assert!(cuts.is_cut(1.0, b.clone()));
        // Too soon after the last cut: the minimum scene length holds it back.
        assert!(!cuts.is_cut(1.5, r.clone()));
        assert!(cuts.is_cut(2.0, b));
    }
}
