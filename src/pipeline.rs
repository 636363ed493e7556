//! How a still becomes a palette, top to bottom.
//!
//! 1. select: opaque pixels inside the brightness range, counted by distinct colour;
//! 2. embed: each distinct colour becomes a weighted point in the chosen colour space;
//! 3. cluster: the method finds at most k centres;
//! 4. assign: every pixel goes to its nearest centre; a swatch is the mean of its members
//!    and its proportion the share of pixels it won.

use crate::cluster::{assign, Method, Points};
use crate::error::{Error, Result};
use crate::load::Still;
use crate::palette::Palette;
use crate::select::{Brightness, ColorCounts};
use crate::space::ColorSpace;

/// Largest palette size accepted.
pub const MAX_K: usize = 32;

/// What to extract: a builder that reads like a sentence.
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
    /// Clustering method. Default k-means.
    pub method: Method,
    /// Colour space. Default RGB.
    pub space: ColorSpace,
    /// Which pixels take part. Default: all.
    pub brightness: Brightness,
    /// Random seed: the same still, options and seed give the same palette.
    pub seed: u64,
}

impl Default for PaletteOptions {
    fn default() -> Self {
        Self {
            k: 8,
            method: Method::default(),
            space: ColorSpace::default(),
            brightness: Brightness::default(),
            seed: 0,
        }
    }
}

impl PaletteOptions {
    /// The defaults: 8 colours, k-means, RGB, every pixel, seed 0.
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

    /// Checks every option, with a message naming the one at fault.
    pub fn validate(&self) -> Result<()> {
        if !(1..=MAX_K).contains(&self.k) {
            return Err(Error::InvalidOption(format!(
                "k must be between 1 and {MAX_K} (got {})",
                self.k
            )));
        }
        self.brightness.validate()?;
        Ok(())
    }

    /// The palette of a still.
    pub fn extract(&self, still: &Still) -> Result<Palette> {
        self.validate()?;
        let counts = ColorCounts::from_still(still, self.brightness)?;
        self.extract_from_counts(&counts)
    }

    /// The palette of already counted colours (count once, then try several options).
    pub fn extract_from_counts(&self, counts: &ColorCounts) -> Result<Palette> {
        self.validate()?;
        if counts.is_empty() {
            return Err(Error::NoPixels("no colours given".into()));
        }
        let points = Points::embed(counts, self.space);
        let centres = self.method.centres(&points, self.k, self.seed)?;
        let assignment = assign(&points, &centres);
        let swatches = assignment
            .means()
            .into_iter()
            .zip(assignment.weights)
            .filter_map(|(mean, weight)| Some((self.space.to_rgb(mean?), weight)));
        Ok(Palette::from_weights(
            self.k,
            self.method,
            self.space,
            swatches,
        ))
    }
}

/// The four palettes of the original analysis, counting the pixels once: k-means and
/// agglomerative, each in RGB and in HSV (in that order).
pub fn comparison(still: &Still, options: &PaletteOptions) -> Result<Vec<Palette>> {
    options.validate()?;
    let counts = ColorCounts::from_still(still, options.brightness)?;
    let mut palettes = Vec::with_capacity(4);
    for method in [Method::Kmeans, Method::Agglomerative] {
        for space in [ColorSpace::Rgb, ColorSpace::Hsv] {
            palettes.push(
                options
                    .method(method)
                    .space(space)
                    .extract_from_counts(&counts)?,
            );
        }
    }
    Ok(palettes)
}
