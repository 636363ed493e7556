//! Clustering: the method, and its dispatch.
//!
//! Every method takes the still's reduced [`Points`] and finds at most `k` centres in the
//! points' colour space; the pipeline then assigns every pixel to its nearest centre
//! ([`crate::assign`]). When there are no more points than `k`, the points themselves are
//! the centres ([`Points::as_centres_if_at_most`]) and no method runs.

mod accent;
mod agglomerative;
mod kmeans;
mod kmedians;
mod split;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::named::names;
use crate::points::{Point, Points};

/// How centres are found.
///
/// The default is [`Method::Accent`] (with [`crate::ColorSpace::Lab`], the default space):
/// k-medians from deterministic seeds that makes room for the small striking colours, so it
/// keeps the accents a person sees first and holds still when the frame is re-encoded or
/// rescaled (see `QUALITY.md`). The original's k-means stays one option away, and
/// `GET /?url=` and `GET /palette-url` keep it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Method {
    /// k-means (k-means++ seeds on a pixel sample, then weighted Lloyd iterations on the
    /// still's colours pooled on a grid).
    Kmeans,
    /// Agglomerative clustering: weighted Ward linkage over every pooled colour of the
    /// still, each weighing its pixels (deterministic: no seed, no sample).
    Agglomerative,
    /// The default: k-medians from deterministic seeds (greedy variance splits), with up to
    /// (k + 1) / 3 colours given to small, distinct, saturated colours (accents). No seed.
    #[default]
    Accent,
    /// k-medians: the best of a few k-means starts, each centre then moved to the weighted
    /// geometric median of its colours (the centre of least mean distance), which is itself
    /// the swatch.
    Kmedians,
}

names! {
    Method, "method";
    /// Every method, in display order (the original's two first).
    ALL;
    /// The lower-case name used on the command line, in JSON and in URLs.
    name;
    Kmeans => "kmeans",
    Agglomerative => "agglomerative",
    Accent => "accent",
    Kmedians => "kmedians",
}

impl Method {
    /// The name a person reads in a figure's title, e.g. `k-means`.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Method::Kmeans => "k-means",
            Method::Agglomerative => "agglomerative",
            Method::Accent => "accent-aware",
            Method::Kmedians => "k-medians",
        }
    }

    /// At most `k` centres for `points` (fewer when there are fewer distinct colours), on up
    /// to `threads` threads where a method can use them (the centres do not depend on it).
    pub(crate) fn centres(
        self,
        points: &Points,
        k: usize,
        seed: u64,
        threads: usize,
    ) -> Result<Vec<Point>> {
        if let Some(centres) = points.as_centres_if_at_most(k) {
            return Ok(centres);
        }
        match self {
            Method::Kmeans => kmeans::centres(points, k, seed),
            Method::Agglomerative => agglomerative::centres(points, k, seed),
            Method::Accent => accent::centres(points, k, threads),
            Method::Kmedians => kmedians::centres(points, k, seed, threads),
        }
    }

    /// Whether a swatch is its centre itself rather than the mean of the centre's pixels:
    /// a k-medians centre (every centre of both methods) is the colour nearest its pixels on
    /// average, their mean is not.
    #[must_use]
    pub(crate) fn swatch_is_centre(self) -> bool {
        matches!(self, Method::Kmedians | Method::Accent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_names_parse() {
        assert_eq!(
            "Agglomerative".parse::<Method>().unwrap(),
            Method::Agglomerative
        );
        assert!("dbscan".parse::<Method>().is_err());
    }
}
