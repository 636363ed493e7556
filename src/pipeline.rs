//! How a still becomes a palette, top to bottom.
//!
//! 1. **check** the options once ([`PaletteOptions::check`] gives [`ValidOptions`]);
//! 2. **select and pool**: the opaque pixels inside the brightness range, pooled into cells
//!    of 4 x 4 x 4 sRGB levels ([`Cells`], through [`crate::select`]);
//! 3. **embed**: each cell's mean colour becomes a weighted point of the chosen colour space
//!    ([`Points`], [`crate::space`]);
//! 4. **cluster**: the method finds at most k centres ([`crate::cluster`]);
//! 5. **swatches**: a swatch is the mean of a centre's pixels (every pixel assigned to its
//!    nearest centre, [`crate::assign`]), or, for k-medians and the accent method, the
//!    centre itself, as 8-bit sRGB;
//! 6. **shares**: every pixel assigned once more, to its nearest swatch: a swatch's
//!    proportion is exactly the share of pixels nearest to it ([`Palette`]).
//!
//! A still whose pixels fill no more cells than the colours asked for is clustered by its
//! exact distinct colours instead ([`ColorCounts`]), so two colours one level apart still
//! make two swatches.

use crate::assign::{assign, assign_cells, Assignment};
use crate::cells::Cells;
use crate::cluster::Method;
use crate::counts::ColorCounts;
use crate::error::{Error, Result};
use crate::load::Still;
use crate::palette::Palette;
use crate::parallel::Threads;
use crate::points::{Point, Points};
use crate::select::Brightness;
use crate::space::ColorSpace;

/// Largest palette size accepted.
pub const MAX_K: usize = 32;

/// What to extract: a builder that reads like a sentence. Its fields may hold anything;
/// [`PaletteOptions::check`] turns them into [`ValidOptions`], which every extraction takes.
///
/// ```
/// use color_palettes::{ColorSpace, Method, PaletteOptions, Still};
/// let still = Still::from_rgb(2, 1, &[[200, 30, 30], [20, 20, 200]])?;
/// let palette = PaletteOptions::new()
///     .k(2)
///     .method(Method::Kmeans)
///     .space(ColorSpace::Lab)
///     .extract(&still)?;
/// assert_eq!(palette.len(), 2);
/// # Ok::<(), color_palettes::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PaletteOptions {
    /// Number of colours, 1 to [`MAX_K`]. Default 8, as the original.
    pub k: usize,
    /// Clustering method. Default accent-aware k-medians ([`Method::Accent`]).
    pub method: Method,
    /// Colour space. Default CIELAB ([`ColorSpace::Lab`]).
    pub space: ColorSpace,
    /// Which pixels take part. Default: all.
    pub brightness: Brightness,
    /// Random seed for k-means and k-medians: the same still, options and seed give the same
    /// palette. The default (accent) and agglomerative draw nothing at random.
    pub seed: u64,
    /// Threads one palette may use on a large still; 0 (the default) means every core. A
    /// server that runs one palette per core sets 1. The palette does not depend on it.
    pub threads: usize,
}

impl Default for PaletteOptions {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl PaletteOptions {
    /// The defaults, declared once: 8 colours (as the original), accent-aware k-medians in
    /// CIELAB, every
    /// pixel, seed 0, every core. The CLI's flags, the server's query and its API
    /// description take theirs from here.
    pub const DEFAULT: PaletteOptions = PaletteOptions {
        k: 8,
        method: Method::Accent,
        space: ColorSpace::Lab,
        brightness: Brightness::EVERYTHING,
        seed: 0,
        threads: 0,
    };

    /// The defaults: 8 colours, accent-aware k-medians in CIELAB, every pixel, seed 0. (The original's
    /// k-means in RGB is `.method(Method::Kmeans).space(ColorSpace::Rgb)`.)
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the number of colours.
    #[must_use]
    pub fn k(mut self, k: usize) -> Self {
        self.k = k;
        self
    }

    /// Sets the clustering method.
    #[must_use]
    pub fn method(mut self, method: Method) -> Self {
        self.method = method;
        self
    }

    /// Sets the colour space.
    #[must_use]
    pub fn space(mut self, space: ColorSpace) -> Self {
        self.space = space;
        self
    }

    /// Keeps only pixels whose mean of R, G, B (0..1) lies in `[min, max]`.
    #[must_use]
    pub fn brightness(mut self, min: f32, max: f32) -> Self {
        self.brightness = Brightness { min, max };
        self
    }

    /// Sets the random seed.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets how many threads one palette may use (0: every core).
    #[must_use]
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = threads;
        self
    }

    /// Checks every option, with a message naming the one at fault: the one place options
    /// are validated.
    pub fn check(&self) -> Result<ValidOptions> {
        if !(1..=MAX_K).contains(&self.k) {
            return Err(Error::option(
                "k",
                format!("must be between 1 and {MAX_K} (got {})", self.k),
            ));
        }
        self.brightness.validate()?;
        Ok(ValidOptions(*self))
    }

    /// The palette of a still: [`PaletteOptions::check`], then [`ValidOptions::extract`].
    pub fn extract(&self, still: &Still) -> Result<Palette> {
        self.check()?.extract(still)
    }
}

/// Options that passed [`PaletteOptions::check`]: what every extraction takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValidOptions(PaletteOptions);

impl ValidOptions {
    /// The options, as checked.
    #[must_use]
    pub fn options(&self) -> &PaletteOptions {
        &self.0
    }

    /// The same options with another method and space (both always valid).
    #[must_use]
    pub fn with(self, method: Method, space: ColorSpace) -> Self {
        Self(self.0.method(method).space(space))
    }

    /// The palette of a still.
    pub fn extract(&self, still: &Still) -> Result<Palette> {
        self.extract_from_cells(&self.pool(still)?)
    }

    /// The selected pixels of `still`, pooled (pool once, then try several options with
    /// [`ValidOptions::extract_from_cells`]).
    pub fn pool<'a>(&self, still: &'a Still) -> Result<Cells<'a>> {
        let o = &self.0;
        Cells::pool(still, o.brightness, Threads::new(o.threads))
    }

    /// The palette of already pooled pixels: every stage, in order.
    pub fn extract_from_cells(&self, cells: &Cells<'_>) -> Result<Palette> {
        let o = &self.0;
        if cells.len() <= o.k {
            // Fewer cells than colours asked for: the exact distinct colours instead.
            return self.extract_from_counts(&cells.distinct_colors()?);
        }
        let points = cells.points(o.space)?;
        let centres = o.method.centres(&points, o.k, o.seed, cells.threads())?;
        let swatches = self.swatches(&centres, || assign_cells(cells, &points, &centres));
        let shares = assign_cells(cells, &points, &self.embed(&swatches));
        Ok(self.palette(&swatches, &shares))
    }

    /// The palette of counted distinct colours, each embedded, clustered and assigned on
    /// its own.
    pub fn extract_from_counts(&self, counts: &ColorCounts) -> Result<Palette> {
        let o = &self.0;
        if counts.is_empty() {
            return Err(Error::NoPixels("no colours given".into()));
        }
        self.extract_from_points(&Points::embed(counts, o.space)?)
    }

    /// The palette of weighted points already embedded in the options' space (a film's
    /// pooled frames, `film::pool`), each clustered and assigned as a whole.
    pub(crate) fn extract_from_points(&self, points: &Points) -> Result<Palette> {
        let o = &self.0;
        let threads = Threads::new(o.threads).at_most();
        let centres = o.method.centres(points, o.k, o.seed, threads)?;
        let swatches = self.swatches(&centres, || assign(points, &centres));
        let shares = assign(points, &self.embed(&swatches));
        Ok(self.palette(&swatches, &shares))
    }

    /// The swatch colours: the mean of each centre's members (`members` assigns them), or,
    /// for a method whose centres are the swatches, the centres; distinct, in centre order.
    fn swatches(&self, centres: &[Point], members: impl FnOnce() -> Assignment) -> Vec<[u8; 3]> {
        let o = &self.0;
        let colours: Vec<[u8; 3]> = if o.method.swatch_is_centre() {
            centres.iter().map(|&c| o.space.to_rgb(c)).collect()
        } else {
            members()
                .means()
                .into_iter()
                .flatten()
                .map(|mean| o.space.to_rgb(mean))
                .collect()
        };
        let mut distinct = Vec::with_capacity(colours.len());
        for c in colours {
            if !distinct.contains(&c) {
                distinct.push(c);
            }
        }
        distinct
    }

    /// The swatches as points of the options' space, for the final assignment.
    fn embed(&self, swatches: &[[u8; 3]]) -> Vec<Point> {
        swatches
            .iter()
            .map(|&rgb| self.0.space.embed(rgb))
            .collect()
    }

    /// The palette of `swatches`, each weighted by the pixels nearest to it (`shares`, one
    /// final assignment to the swatches themselves): a swatch's proportion is exactly the
    /// share of pixels that would pick it.
    fn palette(&self, swatches: &[[u8; 3]], shares: &Assignment) -> Palette {
        let o = &self.0;
        let weighted = swatches.iter().copied().zip(shares.weights.iter().copied());
        Palette::from_weights(o.k, o.method, o.space, weighted)
    }

    /// The four palettes of the original analysis, pooling the pixels once: k-means and
    /// agglomerative, each in RGB and in HSV (in that order).
    pub fn comparison(&self, still: &Still) -> Result<Vec<Palette>> {
        let cells = self.pool(still)?;
        let mut palettes = Vec::with_capacity(4);
        for method in [Method::Kmeans, Method::Agglomerative] {
            for space in [ColorSpace::Rgb, ColorSpace::Hsv] {
                palettes.push(self.with(method, space).extract_from_cells(&cells)?);
            }
        }
        Ok(palettes)
    }
}

/// The four palettes of the original analysis: [`ValidOptions::comparison`] of `options`
/// (whose method and space are ignored).
pub fn comparison(still: &Still, options: &PaletteOptions) -> Result<Vec<Palette>> {
    options.check()?.comparison(still)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn the_enums_defaults_are_the_options_defaults() {
        // `Method::default()` and `ColorSpace::default()` are what `?method=` and clap fall
        // back on elsewhere: one default, declared twice only because enums need #[default].
        assert_eq!(Method::default(), PaletteOptions::DEFAULT.method);
        assert_eq!(ColorSpace::default(), PaletteOptions::DEFAULT.space);
        assert_eq!(PaletteOptions::default(), PaletteOptions::DEFAULT);
        assert_eq!(Brightness::default(), Brightness::EVERYTHING);
    }

    /// A still made of flat regions: `(colour, pixel count)`, laid out row by row.
    fn regions(parts: &[([u8; 3], usize)], width: u32) -> Still {
        let pixels: Vec<[u8; 3]> = parts
            .iter()
            .flat_map(|&(c, n)| std::iter::repeat_n(c, n))
            .collect();
        Still::from_rgb(width, pixels.len() as u32 / width, &pixels).unwrap()
    }

    fn noisy(seed: u64, n: usize) -> Still {
        let mut rng = rand_xoshiro::Xoshiro256Plus::seed_from_u64(seed);
        let pixels: Vec<[u8; 3]> = (0..n).map(|_| [rng.gen(), rng.gen(), rng.gen()]).collect();
        Still::from_rgb(n as u32, 1, &pixels).unwrap()
    }

    const FOUR: [([u8; 3], usize); 4] = [
        ([200, 30, 40], 2000),
        ([20, 120, 200], 1500),
        ([240, 230, 90], 1000),
        ([30, 30, 30], 500),
    ];

    #[test]
    fn flat_regions_come_back_exactly_for_every_method_and_space() {
        let still = regions(&FOUR, 100);
        for method in Method::ALL {
            for space in ColorSpace::ALL {
                let palette = PaletteOptions::new()
                    .k(4)
                    .method(method)
                    .space(space)
                    .extract(&still)
                    .unwrap();
                assert_eq!(palette.len(), 4, "{method} {space}");
                for (swatch, (rgb, n)) in palette.colors.iter().zip(FOUR) {
                    for d in 0..3 {
                        let diff = i16::from(swatch.rgb[d]) - i16::from(rgb[d]);
                        assert!(
                            diff.abs() <= 1,
                            "{method} {space}: {:?} vs {rgb:?}",
                            swatch.rgb
                        );
                    }
                    assert!(
                        (swatch.proportion - n as f64 / 5000.0).abs() < 0.01,
                        "{method} {space}"
                    );
                }
            }
        }
    }

    /// `blobs.len()` noisy blobs: hundreds of colours (and pooled cells) each, so every
    /// method clusters; with each blob's pixels.
    fn noisy_blobs(blobs: &[([u8; 3], usize)], spread: i16) -> (Still, Vec<Vec<[u8; 3]>>) {
        let mut rng = rand_xoshiro::Xoshiro256Plus::seed_from_u64(21);
        let members: Vec<Vec<[u8; 3]>> = blobs
            .iter()
            .map(|&(centre, n)| {
                (0..n)
                    .map(|_| {
                        centre.map(|c| {
                            (i16::from(c) + rng.gen_range(-spread..=spread)).clamp(0, 255) as u8
                        })
                    })
                    .collect()
            })
            .collect();
        let pixels: Vec<[u8; 3]> = members.concat();
        (
            Still::from_rgb(pixels.len() as u32, 1, &pixels).unwrap(),
            members,
        )
    }

    /// A blob's swatch as a palette in `space` gives it: the mean of its pixels in that space.
    fn mean_in(space: ColorSpace, pixels: &[[u8; 3]]) -> [u8; 3] {
        let mut sum = [0.0f64; 3];
        for &p in pixels {
            let q = space.embed(p);
            for d in 0..3 {
                sum[d] += f64::from(q[d]);
            }
        }
        space.to_rgb(sum.map(|s| (s / pixels.len() as f64) as f32))
    }

    const BLOBS: [([u8; 3], usize); 5] = [
        ([200, 40, 40], 4000),
        ([40, 150, 70], 3000),
        ([50, 60, 200], 2000),
        ([230, 210, 90], 1000),
        ([35, 30, 30], 500),
    ];

    #[test]
    fn noisy_blobs_come_back_for_every_method_and_space() {
        let (still, members) = noisy_blobs(&BLOBS, 12);
        let total = members.iter().map(Vec::len).sum::<usize>() as f64;
        let cells = Cells::from_still(&still, Brightness::default()).unwrap();
        assert!(
            cells.len() > 50 * BLOBS.len(),
            "{} cells: too few to cluster",
            cells.len()
        );
        for method in Method::ALL {
            for space in ColorSpace::ALL {
                let palette = PaletteOptions::new()
                    .k(BLOBS.len())
                    .method(method)
                    .space(space)
                    .extract(&still)
                    .unwrap();
                assert_eq!(palette.len(), BLOBS.len(), "{method} {space}");
                // Sorted by share, as the blobs are.
                for (swatch, blob) in palette.colors.iter().zip(&members) {
                    let (mean, share) = (mean_in(space, blob), blob.len() as f64 / total);
                    for d in 0..3 {
                        assert!(
                            swatch.rgb[d].abs_diff(mean[d]) <= 2,
                            "{method} {space}: {:?} vs {mean:?}",
                            swatch.rgb
                        );
                    }
                    assert!(
                        (swatch.proportion - share).abs() < 0.01,
                        "{method} {space}: share {} vs {share}",
                        swatch.proportion
                    );
                }
            }
        }
    }

    #[test]
    fn each_pixel_counts_for_the_swatch_nearest_to_it() {
        let still = noisy(3, 4_000);
        let pixels: Vec<[u8; 3]> = still.opaque_pixels().collect();
        for method in Method::ALL {
            for space in ColorSpace::ALL {
                let palette = PaletteOptions::new()
                    .method(method)
                    .space(space)
                    .extract(&still)
                    .unwrap();
                let total: f64 = palette.colors.iter().map(|s| s.proportion).sum();
                assert!((total - 1.0).abs() < 1e-9, "{method} {space}");
                assert!(palette
                    .colors
                    .windows(2)
                    .all(|w| w[0].proportion >= w[1].proportion));
                // Recount: each pixel to its nearest swatch, in the palette's space. Swatches
                // are centres rounded to 8 bits, so a few boundary pixels may change sides;
                // and agglomerative and accent draw their last boundaries around centres that
                // the means of their pixels (the swatches) only approach: on uniform noise,
                // where every pixel is near a boundary, up to 1.5% of the pixels.
                let tolerance = if method == Method::Kmeans { 0.01 } else { 0.02 };
                let swatches: Vec<[f32; 3]> =
                    palette.colors.iter().map(|s| space.embed(s.rgb)).collect();
                let mut counts = vec![0usize; swatches.len()];
                for &p in &pixels {
                    counts[crate::points::nearest(&swatches, space.embed(p))] += 1;
                }
                for (swatch, n) in palette.colors.iter().zip(counts) {
                    let share = n as f64 / pixels.len() as f64;
                    assert!(
                        (swatch.proportion - share).abs() < tolerance,
                        "{method} {space} {}: reported {} recounted {share}",
                        swatch.hex,
                        swatch.proportion
                    );
                }
            }
        }
    }

    #[test]
    fn hsv_averages_hue_as_an_angle() {
        // Reds either side of 0 degrees: a plain average of hue numbers would give cyan.
        let still = regions(&[([255, 0, 43], 50), ([255, 43, 0], 50)], 10);
        for method in Method::ALL {
            let palette = PaletteOptions::new()
                .k(1)
                .method(method)
                .space(ColorSpace::Hsv)
                .extract(&still)
                .unwrap();
            let [r, g, b] = palette.colors[0].rgb;
            assert!(r > 240 && g < 40 && b < 40, "{method}: {:?}", [r, g, b]);
        }
    }

    #[test]
    fn same_seed_same_palette_and_the_seed_is_used() {
        let still = noisy(7, 4_000);
        for method in Method::ALL {
            for space in ColorSpace::ALL {
                let options = PaletteOptions::new().method(method).space(space).seed(42);
                let palette = options.extract(&still).unwrap();
                assert_eq!(
                    palette,
                    options.extract(&still).unwrap(),
                    "{method} {space}"
                );
                if matches!(method, Method::Agglomerative | Method::Accent) {
                    // Ward over every pooled colour, and splits: no sample, no seed.
                    for seed in 0..8 {
                        assert_eq!(
                            options.seed(seed).extract(&still).unwrap(),
                            palette,
                            "{method} {space}: depends on the seed"
                        );
                    }
                    continue;
                }
                // Uniform noise has no best palette: some other seed must find another one.
                assert!(
                    (0..8).any(|seed| options.seed(seed).extract(&still).unwrap() != palette),
                    "{method} {space}: the seed changes nothing"
                );
            }
        }
    }

    #[test]
    fn threads_do_not_change_the_palette() {
        // Large enough for the pooling and the assignment to split the work.
        let still = noisy(3, 300_000);
        for space in ColorSpace::ALL {
            let options = PaletteOptions::new().space(space);
            let (one, two) = (
                options.threads(1).extract(&still).unwrap(),
                options.threads(2).extract(&still).unwrap(),
            );
            assert_eq!(one.hex_codes(), two.hex_codes(), "{space}");
            for (a, b) in one.colors.iter().zip(&two.colors) {
                assert!((a.proportion - b.proportion).abs() < 1e-9, "{space}");
            }
        }
    }

    #[test]
    fn fewer_distinct_colors_than_k_gives_fewer_swatches() {
        let still = regions(&[([1, 2, 3], 6), ([200, 100, 0], 4)], 5);
        for method in Method::ALL {
            let palette = PaletteOptions::new()
                .k(8)
                .method(method)
                .extract(&still)
                .unwrap();
            assert_eq!(palette.k, 8);
            assert_eq!(palette.hex_codes(), vec!["#010203", "#c86400"], "{method}");
        }
        let one_pixel = regions(&[([9, 9, 9], 1)], 1);
        assert_eq!(PaletteOptions::new().extract(&one_pixel).unwrap().len(), 1);
    }

    #[test]
    fn brightness_filter_drops_dark_and_bright_pixels() {
        let still = regions(
            &[([0, 0, 0], 40), ([255, 255, 255], 40), ([120, 60, 200], 20)],
            10,
        );
        let palette = PaletteOptions::new()
            .k(3)
            .brightness(0.1, 0.9)
            .extract(&still)
            .unwrap();
        assert_eq!(palette.hex_codes(), vec!["#783cc8"]);
        assert_eq!(palette.colors[0].proportion, 1.0);
        let err = PaletteOptions::new()
            .brightness(0.95, 1.0)
            .extract(&regions(&[([0, 0, 0], 4)], 2))
            .unwrap_err();
        assert!(matches!(err, Error::NoPixels(_)));
    }

    #[test]
    fn transparent_pixels_take_no_part() {
        let mut image = image::RgbaImage::from_pixel(4, 1, image::Rgba([10, 200, 10, 255]));
        image.put_pixel(0, 0, image::Rgba([255, 0, 0, 0]));
        let still = Still::from_dynamic(image::DynamicImage::ImageRgba8(image));
        let palette = PaletteOptions::new().extract(&still).unwrap();
        assert_eq!(palette.hex_codes(), vec!["#0ac80a"]);
        let clear =
            Still::from_dynamic(image::DynamicImage::ImageRgba8(image::RgbaImage::new(2, 2)));
        assert!(matches!(
            PaletteOptions::new().extract(&clear),
            Err(Error::NoPixels(_))
        ));
    }

    #[test]
    fn k_out_of_range_is_refused() {
        let still = regions(&[([1, 2, 3], 4)], 2);
        for k in [0, MAX_K + 1] {
            let err = PaletteOptions::new().k(k).extract(&still).unwrap_err();
            assert!(
                matches!(err, Error::BadOption { name: "k", .. })
                    && err.to_string().contains("k must be"),
                "{err}"
            );
        }
    }

    #[test]
    fn comparison_gives_the_four_palettes_of_the_original() {
        let still = noisy(5, 6_000);
        let options = PaletteOptions::new().k(6).seed(3);
        let palettes = comparison(&still, &options.method(Method::Accent)).unwrap();
        let expected: Vec<Palette> = [
            (Method::Kmeans, ColorSpace::Rgb),
            (Method::Kmeans, ColorSpace::Hsv),
            (Method::Agglomerative, ColorSpace::Rgb),
            (Method::Agglomerative, ColorSpace::Hsv),
        ]
        .into_iter()
        .map(|(method, space)| options.method(method).space(space).extract(&still).unwrap())
        .collect();
        assert_eq!(palettes, expected);
    }

    #[test]
    fn a_failed_check_names_the_option_and_is_a_bad_request() {
        let err = PaletteOptions::new()
            .brightness(0.9, 0.1)
            .check()
            .unwrap_err();
        assert_eq!(err.kind(), crate::error::ErrorKind::BadRequest);
        assert!(err.to_string().contains("brightness"), "{err}");
        assert_eq!(
            Error::Clustering("x".into()).kind(),
            crate::error::ErrorKind::Internal
        );
    }
}
