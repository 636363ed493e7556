//! Query parameters (and multipart text fields) into [`PaletteOptions`], a still source and
//! an output format, with a 400 naming the parameter at fault.
//!
//! Parameters are parsed by hand rather than with a serde struct so that each message can
//! say what was expected, unknown names are refused (a typo such as `methd=` would otherwise
//! be ignored silently) and a repeated name is an error rather than "last one wins".

use std::str::FromStr;

use axum::extract::rejection::QueryRejection;
use axum::extract::Query;

use super::error::ApiError;
use crate::format::Format;
use crate::order::Order;
use crate::pipeline::MAX_K;
use crate::{ColorSpace, Method, PaletteOptions, ValidOptions};

/// The parameters every palette route takes.
pub const OPTION_PARAMS: [&str; 6] = [
    "k",
    "method",
    "space",
    "min_brightness",
    "max_brightness",
    "seed",
];

/// A palette request: where the still comes from, how to cluster, what to answer.
#[derive(Debug, Clone)]
pub struct PaletteRequest {
    /// `?url=`: an http(s) address to fetch the still from.
    pub url: Option<String>,
    /// `?sample=`: the name of a sample still.
    pub sample: Option<String>,
    /// `?name=`: the palette's name in a `.gpl` file.
    pub name: Option<String>,
    /// `?format=`.
    pub format: Format,
    /// `?order=`: how the swatches are ordered (each route has its default).
    pub order: Option<Order>,
    /// Clustering options, checked.
    pub options: ValidOptions,
}

impl PaletteRequest {
    /// Parses `pairs`, accepting only the names in `accepted`, and validates the options.
    pub fn parse(pairs: &[(String, String)], accepted: &[&str]) -> Result<Self, ApiError> {
        Self::parse_from(PaletteOptions::new(), pairs, accepted)
    }

    /// [`PaletteRequest::parse`] for the original API's routes (`GET /?url=`,
    /// `GET /palette-url`): without `method` and `space`, the original's k-means in RGB
    /// rather than the library's default.
    pub fn parse_original(pairs: &[(String, String)], accepted: &[&str]) -> Result<Self, ApiError> {
        let original = PaletteOptions::new()
            .method(Method::Kmeans)
            .space(ColorSpace::Rgb);
        Self::parse_from(original, pairs, accepted)
    }

    fn parse_from(
        base: PaletteOptions,
        pairs: &[(String, String)],
        accepted: &[&str],
    ) -> Result<Self, ApiError> {
        let (mut url, mut sample, mut name, mut format) = (None, None, None, Format::default());
        let mut order = None;
        // The server runs one palette job per core: each keeps to its own thread.
        let mut options = base.threads(1);
        let mut seen: Vec<&str> = Vec::new();
        for (key, value) in pairs {
            let key = key.as_str();
            if !accepted.contains(&key) {
                return Err(ApiError::bad_request(format!(
                    "unknown parameter {key:?} (this route takes {})",
                    accepted.join(", ")
                )));
            }
            if seen.contains(&key) {
                return Err(ApiError::bad_request(format!(
                    "parameter {key:?} is given more than once"
                )));
            }
            seen.push(key);
            let value = value.trim();
            match key {
                "url" => url = Some(value.to_owned()).filter(|v| !v.is_empty()),
                "sample" => sample = Some(value.to_owned()).filter(|v| !v.is_empty()),
                "name" => name = Some(value.to_owned()),
                "format" => format = value.parse()?,
                "order" => order = Some(value.parse()?),
                "k" => {
                    options.k = number(key, value, &format!("a whole number from 1 to {MAX_K}"))?
                }
                "method" => options.method = Method::from_str(value)?,
                "space" => options.space = ColorSpace::from_str(value)?,
                "min_brightness" => options.brightness.min = fraction(key, value)?,
                "max_brightness" => options.brightness.max = fraction(key, value)?,
                "seed" => options.seed = number(key, value, "a whole number, 0 or more")?,
                _ => {
                    return Err(ApiError::internal(format!(
                        "parameter {key:?} is accepted but not handled"
                    )))
                }
            }
        }
        Ok(PaletteRequest {
            url,
            sample,
            name,
            format,
            order,
            options: options.check()?,
        })
    }

    /// The `url` parameter, or the 400 the original answered with 200.
    pub fn required_url(&self) -> Result<&str, ApiError> {
        self.url.as_deref().ok_or_else(|| {
            ApiError::bad_request("no url specified: pass the image address as ?url=https://...")
        })
    }
}

fn number<T: FromStr>(key: &str, value: &str, expected: &str) -> Result<T, ApiError> {
    value
        .parse()
        .map_err(|_| ApiError::bad_request(format!("{key} must be {expected} (got {value:?})")))
}

fn fraction(key: &str, value: &str) -> Result<f32, ApiError> {
    number::<f32>(key, value, "a number from 0 to 1")
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "{key} must be a number from 0 to 1 (got {value:?})"
            ))
        })
}

/// The query's name/value pairs, in order; a query that cannot be decoded is a 400.
pub fn pairs(
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Vec<(String, String)>, ApiError> {
    query
        .map(|Query(pairs)| pairs)
        .map_err(|e| ApiError::bad_request(format!("malformed query string: {}", e.body_text())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    const ALL: [&str; 9] = [
        "url",
        "sample",
        "format",
        "k",
        "method",
        "space",
        "min_brightness",
        "max_brightness",
        "seed",
    ];

    #[test]
    fn parses_every_option() {
        let r = PaletteRequest::parse(
            &pairs(&[
                ("url", " https://example.com/a.png "),
                ("k", "5"),
                ("method", "Agglomerative"),
                ("space", "lab"),
                ("min_brightness", "0.1"),
                ("max_brightness", "0.9"),
                ("seed", "7"),
                ("format", "svg"),
            ]),
            &ALL,
        )
        .unwrap();
        assert_eq!(r.url.as_deref(), Some("https://example.com/a.png"));
        let expected = PaletteOptions::new()
            .k(5)
            .method(Method::Agglomerative)
            .space(ColorSpace::Lab)
            .brightness(0.1, 0.9)
            .seed(7)
            .threads(1);
        assert_eq!(r.options.options(), &expected);
        assert_eq!(r.format, Format::Svg);
    }

    #[test]
    fn refuses_what_it_cannot_use() {
        for (list, needle) in [
            (&[("k", "0")][..], "between 1 and 32"),
            (&[("k", "33")], "between 1 and 32"),
            (&[("k", "eight")], "whole number"),
            (&[("method", "dbscan")], "unknown method"),
            (&[("space", "cmyk")], "unknown space"),
            (&[("min_brightness", "NaN")], "number from 0 to 1"),
            (
                &[("min_brightness", "0.8"), ("max_brightness", "0.2")],
                "above",
            ),
            (&[("seed", "-1")], "seed must be"),
            (&[("format", "gif")], "unknown format"),
            (&[("colour", "red")], "unknown parameter"),
            (&[("k", "3"), ("k", "4")], "more than once"),
        ] {
            let err = PaletteRequest::parse(&pairs(list), &ALL).unwrap_err();
            assert_eq!(err.status, 400);
            assert!(err.message.contains(needle), "{list:?}: {}", err.message);
        }
    }

    #[test]
    fn an_empty_url_is_a_missing_url() {
        let r = PaletteRequest::parse(&pairs(&[("url", "")]), &ALL).unwrap();
        assert!(r.required_url().unwrap_err().message.contains("no url"));
    }
}
