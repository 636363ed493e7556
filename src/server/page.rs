//! The web page: plain HTML, CSS and JavaScript compiled into the binary (no build step).
//!
//! The method and colour-space menus are filled in from the crate when the server starts,
//! so a new clustering method appears on the page without touching the page.

use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Response};

use std::sync::OnceLock;

use crate::{ColorSpace, Method};

const INDEX: &str = include_str!("static/index.html");
const SCRIPT: &str = include_str!("static/app.js");
const STYLE: &str = include_str!("static/app.css");

/// Only our own script and style; images also from anywhere (a pasted URL is shown as is).
const CSP: &str = "default-src 'self'; img-src 'self' data: blob: http: https:; \
                   style-src 'self'; script-src 'self'; connect-src 'self'; \
                   object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The page with its menus filled in, made once.
fn page() -> &'static str {
    static PAGE: OnceLock<String> = OnceLock::new();
    PAGE.get_or_init(render_index)
}

/// The page with its menus filled in.
fn render_index() -> String {
    let methods: String = Method::ALL
        .iter()
        .map(|&m| option(m.name(), m.title(), m == Method::default()))
        .collect();
    let spaces: String = ColorSpace::ALL
        .iter()
        .map(|&s| {
            let label = match s {
                ColorSpace::Lab => "CIELAB".to_owned(),
                other => other.name().to_uppercase(),
            };
            option(s.name(), &label, s == ColorSpace::default())
        })
        .collect();
    INDEX
        .replace("<!-- METHODS -->", &methods)
        .replace("<!-- SPACES -->", &spaces)
        .replace("{{VERSION}}", env!("CARGO_PKG_VERSION"))
}

fn option(value: &str, label: &str, selected: bool) -> String {
    let selected = if selected { " selected" } else { "" };
    format!(
        "<option value=\"{}\"{selected}>{}</option>",
        escape(value),
        escape(label)
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `GET /` without a query.
pub fn index() -> Response {
    let mut response = Html(page()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// `GET /app.js`.
pub async fn script() -> Response {
    asset("text/javascript; charset=utf-8", SCRIPT)
}

/// `GET /app.css`.
pub async fn style() -> Response {
    asset("text/css; charset=utf-8", STYLE)
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            // Revalidate, so a new binary's page never runs an old script.
            (header::CACHE_CONTROL, "no-cache"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn menus_list_every_method_and_space() {
        let page = render_index();
        for m in Method::ALL {
            assert!(page.contains(&format!("value=\"{}\"", m.name())), "{m}");
        }
        for s in ColorSpace::ALL {
            assert!(page.contains(&format!("value=\"{}\"", s.name())), "{s:?}");
        }
        assert!(!page.contains("<!-- METHODS -->"));
        assert!(page.contains(">k-means</option>"));
    }
}
