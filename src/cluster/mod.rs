//! Clustering: the method, and its dispatch.
//!
//! Every method takes the still's reduced [`Points`] and finds at most `k` centres in the
//! points' colour space; the pipeline then assigns every pixel to its nearest centre
//! ([`crate::assign`]). When there are no more points than `k`, the points themselves are
//! the centres ([`Points::as_centres_if_at_most`]) and no method runs.

mod accent;
mod agglomerative;
mod kmeans;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::points::{Point, Points};

pub use agglomerative::AGGLOMERATIVE_SAMPLE;

/// How centres are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Method {
    /// k-means (k-means++ seeds on a pixel sample, then weighted Lloyd iterations on the
    /// still's colours pooled on a grid).
    #[default]
    Kmeans,
    /// Agglomerative clustering with Ward linkage (linfa-hierarchical) on a pixel sample.
    Agglomerative,
    /// k-means that makes room for small, distinct, saturated colours (accents).
    Accent,
}

impl Method {
    /// Every method, in display order.
    pub const ALL: [Method; 3] = [Method::Kmeans, Method::Agglomerative, Method::Accent];

    /// The lower-case name used on the command line, in JSON and in URLs.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Method::Kmeans => "kmeans",
            Method::Agglomerative => "agglomerative",
            Method::Accent => "accent",
        }
    }

    /// The name a person reads in a figure's title, e.g. `k-means`.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Method::Kmeans => "k-means",
            Method::Agglomerative => "agglomerative",
            Method::Accent => "accent-aware",
        }
    }

    /// At most `k` centres for `points` (fewer when there are fewer distinct colours).
    pub(crate) fn centres(self, points: &Points, k: usize, seed: u64) -> Result<Vec<Point>> {
        if let Some(centres) = points.as_centres_if_at_most(k) {
            return Ok(centres);
        }
        match self {
            Method::Kmeans => kmeans::centres(points, k, seed),
            Method::Agglomerative => agglomerative::centres(points, k, seed),
            Method::Accent => accent::centres(points, k, seed),
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Method {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let names: Vec<_> = Method::ALL.iter().map(|m| m.name()).collect();
        Method::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                Error::InvalidOption(format!("unknown method {s:?} ({})", names.join(", ")))
            })
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
