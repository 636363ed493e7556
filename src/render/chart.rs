//! The bar chart: bars over a numeric axis, a percentage grid with round ticks, and a legend.

use crate::text;

use super::layout::Item;
use super::ticks::{format_tick, marks, nice_step};
use super::Figure;

impl Figure {
    /// A bar chart, 720 x 320: one bar per `(value, colour)` over `x_range`, left to right,
    /// axes labelled with `x_label` and `y_label` (values are percentages), and a legend.
    #[must_use]
    pub fn bar_chart(
        bars: &[(f64, [u8; 3])],
        x_range: (f64, f64),
        x_label: &str,
        y_label: &str,
        legend: &[(&str, [u8; 3])],
    ) -> Figure {
        const INK: [u8; 3] = [40, 40, 40];
        let (width, height) = (720u32, 320u32);
        let (left, right, top, bottom) = (64i32, 704i32, 44i32, 262i32);
        let mut fig = Figure {
            width,
            height,
            items: Vec::new(),
        };
        let max = bars.iter().map(|b| b.0).fold(0.0, f64::max);
        let step = nice_step(max / 4.0);
        let y_top = (max / step).ceil().max(1.0) * step;
        let y_of = |v: f64| bottom - ((v / y_top) * f64::from(bottom - top)).round() as i32;
        // Grid lines and their labels.
        for tick in marks(step, y_top + step / 2.0) {
            let y = y_of(tick);
            fig.items.push(Item::Rect {
                x: left,
                y,
                w: (right - left) as u32,
                h: 1,
                rgb: if tick == 0.0 { INK } else { [225, 225, 225] },
            });
            fig.label(left - 6, y, &format_tick(tick), 12.0, INK, false);
        }
        // Right-align the y labels: shift each by its width.
        for item in &mut fig.items {
            if let Item::Label { x, text, size, .. } = item {
                *x -= text::text_width(text, *size as f32).round() as i32;
            }
        }
        let n = bars.len().max(1);
        let span = f64::from(right - left) / n as f64;
        for (i, &(value, rgb)) in bars.iter().enumerate() {
            let x0 = left + (i as f64 * span).round() as i32;
            let x1 = left + ((i + 1) as f64 * span).round() as i32;
            let y = y_of(value);
            if x1 - x0 > 1 && bottom > y {
                fig.items.push(Item::Rect {
                    x: x0 + 1,
                    y,
                    w: (x1 - x0 - 1) as u32,
                    h: (bottom - y) as u32,
                    rgb,
                });
            }
        }
        // x ticks: five intervals.
        for i in 0..=5 {
            let value = x_range.0 + (x_range.1 - x_range.0) * f64::from(i) / 5.0;
            let x = left + ((right - left) * i) / 5;
            fig.items.push(Item::Rect {
                x,
                y: bottom,
                w: 1,
                h: 5,
                rgb: INK,
            });
            fig.label(x, bottom + 15, &format!("{value:.1}"), 12.0, INK, true);
        }
        fig.label((left + right) / 2, bottom + 40, x_label, 13.0, INK, true);
        fig.label(8, 20, y_label, 13.0, INK, false);
        // The legend, top right.
        let mut x = right;
        for (name, rgb) in legend.iter().rev() {
            let w = text::text_width(name, 12.0).round() as i32;
            x -= w;
            fig.label(x, 20, name, 12.0, INK, false);
            x -= 18;
            fig.swatch(x, 14, 12, 12, *rgb);
            x -= 16;
        }
        fig
    }
}
