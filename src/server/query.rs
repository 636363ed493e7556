//! Query parameters (and multipart text fields) into [`PaletteOptions`], a still source and
//! an output format, with a 400 naming the parameter at fault.
//!
//! Parameters are parsed by hand rather than with a serde struct so that each message can
//! say what was expected, unknown names are refused (a typo such as `methd=` would otherwise
//! be ignored silently) and a repeated name is an error rather than "last one wins".

use axum::extract::rejection::QueryRejection;
use axum::extract::Query;

use super::error::ApiError;
use crate::request::{Request, Task, PARAMS};
use crate::{ColorSpace, Method};

/// The clustering options every palette route takes (the request's own parameters less
/// `order` and `format`, which only some routes take).
pub const OPTION_PARAMS: [&str; 7] = [
    PARAMS[0].name,
    PARAMS[1].name,
    PARAMS[2].name,
    PARAMS[3].name,
    PARAMS[4].name,
    PARAMS[5].name,
    PARAMS[6].name,
];

/// A palette request as a query gives it: where the still comes from, and the library's
/// [`Request`].
#[derive(Debug, Clone)]
pub struct PaletteQuery {
    /// `?url=`: an http(s) address to fetch the still from.
    pub url: Option<String>,
    /// `?sample=`: the name of a sample still.
    pub sample: Option<String>,
    /// `?name=`: the palette's name in a `.gpl` file.
    pub name: Option<String>,
    /// Everything else, as the library runs it (not yet checked: see
    /// [`PaletteQuery::checked`]).
    pub request: Request,
}

impl PaletteQuery {
    /// Parses `pairs` into a request for `task`, accepting only the names in `accepted`.
    pub fn parse(
        pairs: &[(String, String)],
        accepted: &[&str],
        task: Task,
    ) -> Result<Self, ApiError> {
        let base = Request {
            task,
            ..Request::DEFAULT
        };
        Self::parse_from(base, pairs, accepted)
    }

    /// [`PaletteQuery::parse`] for the original API's routes (`GET /?url=`,
    /// `GET /palette-url`): without `method` and `space`, the original's k-means in RGB
    /// rather than the library's default.
    pub fn parse_original(pairs: &[(String, String)], accepted: &[&str]) -> Result<Self, ApiError> {
        let original = Request::palette()
            .method(Method::Kmeans)
            .space(ColorSpace::Rgb);
        Self::parse_from(original, pairs, accepted)
    }

    fn parse_from(
        base: Request,
        pairs: &[(String, String)],
        accepted: &[&str],
    ) -> Result<Self, ApiError> {
        let (mut url, mut sample, mut name) = (None, None, None);
        let mut request = base;
        // The server runs one palette job per core: each keeps to its own thread.
        request.options.threads = 1;
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
                _ => request.set(key, value)?,
            }
        }
        Ok(PaletteQuery {
            url,
            sample,
            name,
            request,
        })
    }

    /// The `url` parameter, or the 400 the original answered with 200.
    pub fn required_url(&self) -> Result<&str, ApiError> {
        self.url.as_deref().ok_or_else(|| {
            ApiError::bad_request("no url specified: pass the image address as ?url=https://...")
        })
    }
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
    use crate::format::Format;
    use crate::PaletteOptions;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    const ALL: [&str; 10] = [
        "url",
        "sample",
        "format",
        "k",
        "method",
        "space",
        "min_brightness",
        "max_brightness",
        "seed",
        "crop",
    ];

    #[test]
    fn parses_every_option() {
        let r = PaletteQuery::parse(
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
            Task::Palette,
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
        assert_eq!(r.request.options, expected);
        assert_eq!(r.request.format, Format::Svg);
        assert!(r.request.crop);
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
            (&[("crop", "perhaps")], "crop must be true or false"),
            (&[("colour", "red")], "unknown parameter"),
            (&[("k", "3"), ("k", "4")], "more than once"),
        ] {
            let err = PaletteQuery::parse(&pairs(list), &ALL, Task::Palette)
                .and_then(|q| Ok(q.request.check()?))
                .unwrap_err();
            assert_eq!(err.status, 400);
            assert!(err.message.contains(needle), "{list:?}: {}", err.message);
        }
    }

    #[test]
    fn an_empty_url_is_a_missing_url() {
        let r = PaletteQuery::parse(&pairs(&[("url", "")]), &ALL, Task::Palette).unwrap();
        assert!(r.required_url().unwrap_err().message.contains("no url"));
    }
}
