//! Axis ticks: a round step for an axis, the values it marks from zero, and their labels.

/// A tick step of 1, 2 or 5 times a power of ten, at least `rough`.
pub(super) fn nice_step(rough: f64) -> f64 {
    if !(rough.is_finite() && rough > 0.0) {
        return 1.0;
    }
    let power = 10f64.powf(rough.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&s| s >= rough)
        .unwrap_or(10.0 * power)
}

/// The ticks from zero up to `end`, `step` apart. Each is the one before plus `step`, not
/// `i * step`: the two differ in the last bits, and the golden figures hold the sums.
pub(super) fn marks(step: f64, end: f64) -> impl Iterator<Item = f64> {
    std::iter::successors(Some(0.0), move |t| Some(t + step)).take_while(move |&t| t <= end)
}

/// A number's tick label: no decimals for whole numbers.
pub(super) fn format_tick(value: f64) -> String {
    if (value - value.round()).abs() < 1e-9 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_ticks_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(nice_step(23.5 / 4.0), 10.0);
        assert_eq!(nice_step(2.5), 5.0);
        assert_eq!(nice_step(0.15), 0.2);
        assert_eq!(nice_step(0.0), 1.0);
        assert_eq!(nice_step(f64::NAN), 1.0);
        assert_eq!(
            marks(10.0, 30.0 + 5.0).collect::<Vec<_>>(),
            vec![0.0, 10.0, 20.0, 30.0]
        );
        assert_eq!(
            (format_tick(20.0), format_tick(2.5)),
            ("20".into(), "2.5".into())
        );
    }
}
