//! Aspect fitting: the largest size with a picture's aspect ratio that fits a box. A figure's
//! still is drawn at such a size, and a film's frames are decoded at one; each rounds the
//! scaled side its own way, and both ways are kept so that neither's output moves.

/// How the side scaled to keep the aspect ratio is rounded (the other side is the box's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rounding {
    /// Exact integer arithmetic: a scaled height rounded down, a scaled width to the nearest
    /// (halves up). The figures are laid out with it.
    Figure,
    /// To the nearest (halves away from zero) of the side times the scale factor, in `f64`.
    /// A film's analysis and bar-finding frame sizes are computed with it.
    Nearest,
}

impl Rounding {
    /// `length * to / from`, rounded; `width` when `length` is a width.
    fn scale(self, length: u64, to: u64, from: u64, width: bool) -> u64 {
        match self {
            Rounding::Figure if width => (length * to + from / 2) / from,
            Rounding::Figure => length * to / from,
            Rounding::Nearest => (length as f64 * (to as f64 / from as f64)).round() as u64,
        }
    }
}

/// The largest size with the aspect ratio of `width` x `height` that fits `box_w` x `box_h`
/// (at least 1 x 1), scaled up or down: full width unless that would be taller than the box.
pub(crate) fn fit(
    width: u32,
    height: u32,
    box_w: u32,
    box_h: u32,
    rounding: Rounding,
) -> (u32, u32) {
    let (sw, sh) = (u64::from(width.max(1)), u64::from(height.max(1)));
    let (bw, bh) = (u64::from(box_w.max(1)), u64::from(box_h.max(1)));
    let (w, h) = if sh * bw <= bh * sw {
        (bw, rounding.scale(sh, bw, sw, false))
    } else {
        (rounding.scale(sw, bh, sh, true), bh)
    };
    (w.clamp(1, bw) as u32, h.clamp(1, bh) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_still_of_any_shape_fits_the_picture_box() {
        let figure = |w, h| fit(w, h, 876, 1752, Rounding::Figure);
        assert_eq!(figure(965, 509), (876, 462));
        assert_eq!(figure(1, 30_000), (1, 1752));
        assert_eq!(figure(64, 30_000), (4, 1752));
        assert_eq!(figure(30_000, 1), (876, 1));
        assert_eq!(figure(100, 200), (876, 1752));
    }

    /// The two roundings part where the scaled side's fraction is a half or more.
    #[test]
    fn each_rounding_keeps_its_callers_sizes() {
        assert_eq!(fit(1920, 800, 640, 640, Rounding::Figure), (640, 266));
        assert_eq!(fit(1920, 800, 640, 640, Rounding::Nearest), (640, 267));
        assert_eq!(fit(800, 1920, 640, 640, Rounding::Figure), (267, 640));
        assert_eq!(fit(800, 1920, 640, 640, Rounding::Nearest), (267, 640));
    }

    /// `Nearest` over a square box is each side times `side / longest` in `f64`, rounded,
    /// within `1..=side`: the frame sizes the film gives FFmpeg's scale filter.
    #[test]
    fn nearest_is_the_films_scaling() {
        let film = |w: u32, h: u32, side: u32| {
            let scale = f64::from(side) / f64::from(w.max(h));
            (
                ((f64::from(w) * scale).round() as u32).clamp(1, side),
                ((f64::from(h) * scale).round() as u32).clamp(1, side),
            )
        };
        for side in [640, 1920] {
            for w in (side + 1..4 * side).step_by(7) {
                for h in [1, 2, 3, 100, 333, 640, 1079, 1080, 2160, w - 1, w, w + 1] {
                    assert_eq!(fit(w, h, side, side, Rounding::Nearest), film(w, h, side));
                    assert_eq!(fit(h, w, side, side, Rounding::Nearest), film(h, w, side));
                }
            }
        }
    }
}
