//! Aspect fitting: the largest size with a picture's aspect ratio that fits a box, at which
//! a figure's still is drawn.

/// The largest size with the aspect ratio of `width` x `height` that fits `box_w` x `box_h`
/// (at least 1 x 1): full width unless that would be taller than the box.
pub(super) fn fit(width: u32, height: u32, box_w: u32, box_h: u32) -> (u32, u32) {
    let (sw, sh) = (u64::from(width.max(1)), u64::from(height.max(1)));
    let (bw, bh) = (u64::from(box_w.max(1)), u64::from(box_h.max(1)));
    let (w, h) = if sh * bw <= bh * sw {
        (bw, sh * bw / sw)
    } else {
        ((sw * bh + sh / 2) / sh, bh)
    };
    (w.clamp(1, bw) as u32, h.clamp(1, bh) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_still_of_any_shape_fits_the_picture_box() {
        assert_eq!(fit(965, 509, 876, 1752), (876, 462));
        assert_eq!(fit(1, 30_000, 876, 1752), (1, 1752));
        assert_eq!(fit(64, 30_000, 876, 1752), (4, 1752));
        assert_eq!(fit(30_000, 1, 876, 1752), (876, 1));
        assert_eq!(fit(100, 200, 876, 1752), (876, 1752));
    }
}
