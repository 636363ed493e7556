//! The order of a palette's swatches: by share (as extracted), by hue, by lightness, or
//! matched to a reference palette, so that strips side by side can be read across.
//!
//! `matched` is an optimal one-to-one matching in CIELAB: the pairing of the palette's
//! colours with the reference's that minimises the sum of their CIELAB distances (the
//! assignment problem, solved exactly by the Hungarian method). Each colour then takes its
//! partner's place in the reference; colours left over (when the palette is larger) follow,
//! largest share first.

use crate::error::{Error, Result};
use crate::named::names;
use crate::palette::{sort_by_share, Palette};
use crate::space;

/// How a strip's swatches are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Order {
    /// Largest share first (the palette as extracted).
    #[default]
    Share,
    /// Around the CIELAB hue circle from red, then the greys from light to dark.
    Hue,
    /// Dark to light (CIELAB L*).
    Lightness,
    /// Lined up with a reference palette (the comparison's first strip) by optimal
    /// one-to-one matching in CIELAB.
    Matched,
}

/// Below this CIELAB chroma a colour is a grey: its hue is noise, so `hue` puts it last.
const GREY_CHROMA: f32 = 8.0;

names! {
    Order, "order";
    /// Every order, in the order they are documented.
    ALL;
    /// The lower-case name used on the command line and in `?order=`.
    name;
    Share => "share",
    Hue => "hue",
    Lightness => "lightness",
    Matched => "matched",
}

impl Order {
    /// The order, if it applies to one palette on its own (all but `Matched`, which needs
    /// a reference strip).
    pub fn for_one_palette(self) -> Result<Self> {
        if self == Order::Matched {
            return Err(matched_needs_a_reference());
        }
        Ok(self)
    }
}

fn matched_needs_a_reference() -> Error {
    Error::InvalidOption(
        "order \"matched\" lines strips up against the first one: it applies to a comparison of several palettes".into(),
    )
}

/// `palette` with its swatches in `order`. `Matched` needs a reference palette (the
/// comparison's first strip): for one palette on its own it is an invalid option.
pub fn ordered(palette: &Palette, order: Order, reference: Option<&Palette>) -> Result<Palette> {
    let mut out = palette.clone();
    match order {
        Order::Share => sort_by_share(&mut out.colors),
        Order::Hue => {
            out.colors.sort_by(|a, b| {
                let (ka, kb) = (hue_key(a.rgb), hue_key(b.rgb));
                ka.0.cmp(&kb.0).then(ka.1.total_cmp(&kb.1))
            });
        }
        Order::Lightness => {
            out.colors
                .sort_by(|a, b| space::lab(a.rgb).l.total_cmp(&space::lab(b.rgb).l));
        }
        Order::Matched => {
            let reference = reference.ok_or_else(matched_needs_a_reference)?;
            let partner = matching(&reference.rgb(), &palette.rgb());
            let mut slots: Vec<(usize, usize)> = partner
                .iter()
                .enumerate()
                .map(|(j, p)| (p.unwrap_or(usize::MAX), j))
                .collect();
            // Matched colours in their partners' places; the rest keep their share order.
            slots.sort_unstable();
            out.colors = slots
                .into_iter()
                .map(|(_, j)| palette.colors[j].clone())
                .collect();
        }
    }
    Ok(out)
}

/// Several palettes in `order`: `Matched` keeps the first by share and lines each of the
/// others up with it.
pub fn arrange(palettes: &[Palette], order: Order) -> Result<Vec<Palette>> {
    let Some(first) = palettes.first() else {
        return Ok(Vec::new());
    };
    let reference = ordered(first, Order::Share, None)?;
    palettes
        .iter()
        .enumerate()
        .map(|(i, p)| match (order, i) {
            (Order::Matched, 0) => Ok(reference.clone()),
            (Order::Matched, _) => ordered(p, order, Some(&reference)),
            _ => ordered(p, order, None),
        })
        .collect()
}

/// (grey?, hue angle or minus lightness) for sorting by hue: colours around the circle
/// first, then greys from light to dark.
fn hue_key(rgb: [u8; 3]) -> (bool, f32) {
    let lab = space::lab(rgb);
    let chroma = lab.a.hypot(lab.b);
    if chroma < GREY_CHROMA {
        (true, -lab.l)
    } else {
        (false, lab.b.atan2(lab.a).to_degrees().rem_euclid(360.0))
    }
}

/// For each of `colours`, the index of its partner among `reference` in the matching that
/// minimises the total CIELAB distance (`None` for colours left over when there are more
/// colours than reference colours).
#[must_use]
pub fn matching(reference: &[[u8; 3]], colours: &[[u8; 3]]) -> Vec<Option<usize>> {
    let lab = |c: &[u8; 3]| {
        let l = space::lab(*c);
        [f64::from(l.l), f64::from(l.a), f64::from(l.b)]
    };
    let (r, c): (Vec<_>, Vec<_>) = (
        reference.iter().map(lab).collect(),
        colours.iter().map(lab).collect(),
    );
    // The Hungarian method takes at least as many columns as rows: the shorter list is the rows.
    let costs = |rows: &[[f64; 3]], columns: &[[f64; 3]]| -> Vec<Vec<f64>> {
        rows.iter()
            .map(|&x| columns.iter().map(|&y| space::distance(x, y)).collect())
            .collect()
    };
    let mut partner = vec![None; colours.len()];
    if colours.len() <= reference.len() {
        // Rows are the colours, columns the reference.
        for (row, column) in hungarian(&costs(&c, &r)).into_iter().enumerate() {
            partner[row] = Some(column);
        }
    } else {
        // Rows are the reference: the colours no row takes are left over.
        for (row, column) in hungarian(&costs(&r, &c)).into_iter().enumerate() {
            partner[column] = Some(row);
        }
    }
    partner
}

/// The assignment of each row of `cost` (n rows, m >= n columns, finite) to a distinct
/// column with the least total cost: the Hungarian method with potentials, O(n² m).
///
/// Hand-written rather than a dependency: palettes have at most 32 colours, the method is
/// 30 lines, and `pathfinding` (whose `kuhn_munkres` needs integer weights) would add five
/// crates to every notebook's cold build. Checked against every permutation in the tests.
fn hungarian(cost: &[Vec<f64>]) -> Vec<usize> {
    let n = cost.len();
    let m = cost.first().map_or(0, Vec::len);
    if n == 0 || m < n {
        return Vec::new();
    }
    // 1-based, as the method is usually written: row 0 and column 0 are sentinels.
    let (mut u, mut v) = (vec![0.0f64; n + 1], vec![0.0f64; m + 1]);
    let (mut row_of, mut way) = (vec![0usize; m + 1], vec![0usize; m + 1]);
    for i in 1..=n {
        row_of[0] = i;
        let mut j0 = 0;
        let mut min_to = vec![f64::INFINITY; m + 1];
        let mut used = vec![false; m + 1];
        loop {
            used[j0] = true;
            let i0 = row_of[j0];
            let (mut delta, mut j1) = (f64::INFINITY, 0);
            for j in 1..=m {
                if !used[j] {
                    let reduced = cost[i0 - 1][j - 1] - u[i0] - v[j];
                    if reduced < min_to[j] {
                        min_to[j] = reduced;
                        way[j] = j0;
                    }
                    if min_to[j] < delta {
                        delta = min_to[j];
                        j1 = j;
                    }
                }
            }
            for j in 0..=m {
                if used[j] {
                    u[row_of[j]] += delta;
                    v[j] -= delta;
                } else {
                    min_to[j] -= delta;
                }
            }
            j0 = j1;
            if j0 == 0 || row_of[j0] == 0 {
                break;
            }
        }
        while j0 != 0 {
            let j1 = way[j0];
            row_of[j0] = row_of[j1];
            j0 = j1;
        }
    }
    let mut assignment = vec![0; n];
    for j in 1..=m {
        if row_of[j] != 0 {
            assignment[row_of[j] - 1] = j - 1;
        }
    }
    assignment
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ColorSpace, Method};

    fn palette(colors: &[([u8; 3], f64)]) -> Palette {
        Palette::from_weights(
            colors.len(),
            Method::Kmeans,
            ColorSpace::Rgb,
            colors.to_vec(),
        )
    }

    /// The least total cost over every assignment, by brute force.
    fn brute_force(cost: &[Vec<f64>], row: usize, used: &mut Vec<bool>) -> f64 {
        if row == cost.len() {
            return 0.0;
        }
        let mut best = f64::INFINITY;
        for j in 0..used.len() {
            if !used[j] {
                used[j] = true;
                best = best.min(cost[row][j] + brute_force(cost, row + 1, used));
                used[j] = false;
            }
        }
        best
    }

    #[test]
    fn hungarian_finds_the_least_total_cost() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        for trial in 0..200 {
            let n = 1 + trial % 6;
            let m = n + trial % 3;
            let cost: Vec<Vec<f64>> = (0..n)
                .map(|_| (0..m).map(|_| rng.gen_range(0.0..100.0)).collect())
                .collect();
            let assignment = hungarian(&cost);
            let mut columns = assignment.clone();
            columns.sort_unstable();
            columns.dedup();
            assert_eq!(columns.len(), n, "one column per row");
            let total: f64 = assignment
                .iter()
                .enumerate()
                .map(|(i, &j)| cost[i][j])
                .sum();
            let best = brute_force(&cost, 0, &mut vec![false; m]);
            assert!(
                (total - best).abs() < 1e-9,
                "{total} vs {best} for {cost:?}"
            );
        }
    }

    #[test]
    fn matched_lines_colours_up_with_the_reference() {
        let reference = palette(&[
            ([200, 0, 0], 5.0),
            ([0, 0, 200], 3.0),
            ([250, 250, 250], 2.0),
        ]);
        // The same hues, in another share order, one more colour.
        let other = palette(&[
            ([255, 255, 240], 4.0),
            ([20, 20, 20], 0.5),
            ([10, 10, 180], 3.0),
            ([180, 20, 10], 2.5),
        ]);
        let m = ordered(&other, Order::Matched, Some(&reference)).unwrap();
        assert_eq!(
            m.hex_codes(),
            ["#b4140a", "#0a0ab4", "#fffff0", "#141414"],
            "red, blue, white under the reference's; the left-over black last"
        );
        // Fewer colours than the reference: each still under its partner, in its order.
        let short = palette(&[([250, 245, 245], 1.0), ([220, 10, 10], 1.0)]);
        let m = ordered(&short, Order::Matched, Some(&reference)).unwrap();
        assert_eq!(m.hex_codes(), ["#dc0a0a", "#faf5f5"]);
        assert!(ordered(&other, Order::Matched, None).is_err());
        let arranged = arrange(&[reference.clone(), other], Order::Matched).unwrap();
        assert_eq!(arranged[0], reference);
        assert_eq!(arranged[1].colors[0].hex, "#b4140a");
    }

    #[test]
    fn hue_and_lightness_orders() {
        let p = palette(&[
            ([128, 128, 128], 5.0),
            ([0, 0, 255], 4.0),
            ([255, 0, 0], 3.0),
            ([0, 160, 0], 2.0),
            ([250, 250, 250], 1.0),
        ]);
        let hue = ordered(&p, Order::Hue, None).unwrap();
        assert_eq!(
            hue.hex_codes(),
            ["#ff0000", "#00a000", "#0000ff", "#fafafa", "#808080"]
        );
        let light = ordered(&p, Order::Lightness, None).unwrap();
        assert_eq!(light.colors[0].hex, "#0000ff");
        assert_eq!(light.colors[4].hex, "#fafafa");
        // Share is the palette as extracted; the order never changes what a swatch is.
        assert_eq!(ordered(&hue, Order::Share, None).unwrap(), p);
        for order in Order::ALL {
            assert_eq!(order.name().parse::<Order>().unwrap(), order);
        }
        assert!("size".parse::<Order>().is_err());
    }
}
