//! Axis ticks: a round step for an axis, the values it marks from zero, and their labels;
//! as plain numbers (the bar chart's percentages) or as clock times (the film barcode).

/// A tick step of 1, 2 or 5 times a power of ten, at least `rough`.
pub(crate) fn nice_step(rough: f64) -> f64 {
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

/// A step in seconds giving at most about ten ticks over `duration` seconds, round on a
/// clock: tenths and seconds in steps of 1, 2 or 5, then 15 and 30 seconds, minutes (1, 2,
/// 5, 10, 15, 30) and whole hours.
pub(crate) fn clock_step(duration: f64) -> f64 {
    const STEPS: [f64; 16] = [
        0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0,
        3600.0,
    ];
    STEPS
        .into_iter()
        .find(|s| duration / s <= 10.0)
        .unwrap_or(3600.0 * (duration / 36_000.0).ceil())
}

/// Most ticks an axis is given, whatever its step and end say (an infinite or tiny step
/// would otherwise never end).
const MAX_MARKS: usize = 1_000;

/// The ticks from zero up to `end`, `step` apart. Each is the one before plus `step`, not
/// `i * step`: the two differ in the last bits, and the golden figures hold the sums.
pub(crate) fn marks(step: f64, end: f64) -> impl Iterator<Item = f64> {
    std::iter::successors(Some(0.0), move |t| Some(t + step))
        .take_while(move |&t| t <= end)
        .take(MAX_MARKS)
}

/// A number's tick label: no decimals for whole numbers.
pub(crate) fn format_tick(value: f64) -> String {
    if (value - value.round()).abs() < 1e-9 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

/// A time's tick label, `m:ss` or `h:mm:ss`; seconds with one decimal when the ticks are
/// under a second apart.
pub(crate) fn clock_label(t: f64, step: f64) -> String {
    if step < 1.0 {
        return format!("{t:.1}s");
    }
    let whole = t.round() as u64;
    let (h, m, s) = (whole / 3600, whole / 60 % 60, whole % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unbounded_axis_still_ends() {
        assert_eq!(marks(f64::INFINITY, f64::INFINITY).count(), MAX_MARKS);
        assert_eq!(marks(0.0, 10.0).count(), MAX_MARKS);
        assert_eq!(marks(f64::NAN, 10.0).count(), 1);
        assert_eq!(
            marks(clock_step(f64::INFINITY), f64::INFINITY).count(),
            MAX_MARKS
        );
    }

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

    #[test]
    fn time_ticks_are_round_on_a_clock() {
        assert_eq!(clock_step(3.0), 0.5);
        assert_eq!(clock_step(100.0), 10.0);
        assert_eq!(clock_step(7200.0), 900.0);
        assert_eq!(clock_step(90_000.0), 10_800.0);
        assert_eq!(marks(0.5, 1.0 + 1e-9).count(), 3);
        assert_eq!(
            (
                clock_label(0.0, 1.0),
                clock_label(75.0, 15.0),
                clock_label(3725.0, 900.0),
                clock_label(0.5, 0.5)
            ),
            (
                "0:00".to_string(),
                "1:15".to_string(),
                "1:02:05".to_string(),
                "0.5s".to_string()
            )
        );
    }
}
