//! The OpenAPI 3.1 description served at `/openapi.json`.
//!
//! Written by hand with `json!` (no code generator to build), but the lists that change with
//! the crate (methods, spaces, formats, limits) are taken from the crate itself, and a test
//! checks that every route of the router is described.

use serde_json::{json, Value};

use super::config::Config;
use super::query::OPTION_PARAMS;
use crate::format::Format;
use crate::named::Named;
use crate::order::Order;
use crate::pipeline::MAX_K;
use crate::request::{Param, Request, Task, PARAMS};
use crate::{ColorSpace, Method};

/// The names of `all`, as a JSON enum lists them.
fn names<T: Named>(all: &[T]) -> Vec<&'static str> {
    all.iter().map(|&v| v.name()).collect()
}

/// The JSON schema of one of the request's options: its type, its range or names, and its
/// default, all read from the crate.
fn schema(param: &Param) -> Value {
    let mut schema = match param.name {
        "k" => json!({"type": "integer", "minimum": 1, "maximum": MAX_K}),
        "method" => json!({"type": "string", "enum": names(&Method::ALL)}),
        "space" => json!({"type": "string", "enum": names(&ColorSpace::ALL)}),
        "min_brightness" | "max_brightness" => {
            json!({"type": "number", "minimum": 0, "maximum": 1})
        }
        "seed" => json!({"type": "integer", "minimum": 0}),
        "crop" => json!({"type": "boolean"}),
        "order" => json!({"type": "string", "enum": names(&Order::ALL)}),
        "format" => json!({"type": "string", "enum": names(&Format::ALL)}),
        _ => json!({}),
    };
    schema["default"] = param.default_json();
    schema
}

/// The OpenAPI document for a server with `config`.
#[must_use]
pub fn document(config: &Config) -> Value {
    let methods = names(&Method::ALL);
    let spaces = names(&ColorSpace::ALL);
    let formats = names(&Format::ALL);
    let options = || {
        Value::Array(
            OPTION_PARAMS
                .iter()
                .map(|name| json!({"$ref": format!("#/components/parameters/{name}")}))
                .collect(),
        )
    };
    let with = |mut list: Vec<Value>| {
        if let Value::Array(rest) = options() {
            list.extend(rest);
        }
        Value::Array(list)
    };
    let url = json!({"$ref": "#/components/parameters/url"});
    let url_required = json!({
        "name": "url", "in": "query", "required": true,
        "description": "http(s) address of the still.",
        "schema": {"type": "string", "format": "uri"}
    });
    let sample = json!({"$ref": "#/components/parameters/sample"});
    let format = json!({"$ref": "#/components/parameters/format"});
    let order = json!({"$ref": "#/components/parameters/order"});
    let compare_format = json!({"name": "format", "in": "query",
        "schema": {"type": "string", "enum": names(Task::Compare.formats()), "default": Request::DEFAULT.format.name()}});
    let compare_order = json!({"name": "order", "in": "query",
        "description": "How each strip's swatches are ordered; matched (the default) lines every strip up with the first (k-means, RGB, by share) by optimal one-to-one matching in CIELAB.",
        "schema": {"type": "string", "enum": names(&Order::ALL), "default": Task::Compare.default_order().name()}});
    let compared = json!({
        "description": "The four palettes (format=json, the default), or the figure of the still with one strip each (png, svg).",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Comparison"}},
            "image/png": {"schema": {"type": "string", "format": "binary"}},
            "image/svg+xml": {"schema": {"type": "string"}}
        }
    });
    let error = |description: &str| {
        json!({
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        })
    };
    let fetch_errors = json!({
        "400": {"$ref": "#/components/responses/BadRequest"},
        "403": error("The URL resolves to a loopback, private or otherwise internal address (allowed only with --allow-private-urls)."),
        "413": error("The remote image is over the download limit."),
        "422": {"$ref": "#/components/responses/Unprocessable"},
        "502": error("The remote host could not be reached, or answered with an error."),
        "503": {"$ref": "#/components/responses/Busy"},
        "504": error("The remote host was too slow.")
    });
    let merge = |base: &Value, extra: Value| {
        let mut out = base.clone();
        if let (Value::Object(out), Value::Object(extra)) = (&mut out, extra) {
            out.extend(extra);
        }
        out
    };
    let rendered = json!({
        "description": "The palette (format=json, the default), one hex code a line (hex), the still with its palette strip (png, svg), a GIMP palette (gpl), an Adobe Swatch Exchange file (ase) or CSS custom properties (css).",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Palette"}},
            "image/png": {"schema": {"type": "string", "format": "binary"}},
            "image/svg+xml": {"schema": {"type": "string"}},
            "text/plain": {"schema": {"type": "string", "description": "GIMP palette (.gpl), or hex codes"}},
            "text/css": {"schema": {"type": "string", "description": "CSS custom properties (.css)"}},
            "application/octet-stream": {"schema": {"type": "string", "format": "binary", "description": "Adobe Swatch Exchange (.ase)"}}
        }
    });
    let mut fields = serde_json::Map::new();
    fields.insert(
        "image".into(),
        json!({"type": "string", "format": "binary", "description": "The still."}),
    );
    for param in &PARAMS {
        fields.insert(param.name.into(), schema(param));
    }
    let image_body = json!({
        "required": true,
        "content": {
            "image/*": {"schema": {"type": "string", "format": "binary"}},
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["image"],
                    "properties": fields,
                    "description": "The still as the field `image`; the options may be sent as fields too (not also in the query)."
                }
            }
        }
    });
    let mut parameters = serde_json::Map::new();
    parameters.insert("url".into(), json!({"name": "url", "in": "query", "description": "http(s) address of the still.", "schema": {"type": "string", "format": "uri"}}));
    parameters.insert("sample".into(), json!({"name": "sample", "in": "query", "description": "Name of a sample still (see /api/samples).", "schema": {"type": "string"}}));
    parameters.insert("sample_name".into(), json!({"name": "name", "in": "path", "required": true, "description": "Name of a sample still (see /api/samples).", "schema": {"type": "string"}}));
    for param in &PARAMS {
        let description = match param.name {
            "method" => format!(
                "{} Without it, `/` and `/palette-url` use the original's kmeans.",
                param.help
            ),
            "space" => format!(
                "{} Without it, `/` and `/palette-url` use the original's rgb.",
                param.help
            ),
            _ => param.help.to_owned(),
        };
        parameters.insert(
            param.name.into(),
            json!({"name": param.name, "in": "query", "description": description, "schema": schema(param)}),
        );
    }
    let limits = format!(
        "Limits: request body {} bytes; downloads {} bytes, {} s, {} redirects; stills {} pixels, {} a side; {} palette jobs at once (others queue); {} s per request.",
        config.max_body_bytes,
        config.fetch.max_bytes,
        config.fetch.timeout.as_secs_f32(),
        config.fetch.max_redirects,
        config.fetch.limits.max_pixels,
        config.fetch.limits.max_side,
        config.max_jobs,
        config.request_timeout.as_secs_f32()
    );
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "color-palettes",
            "version": env!("CARGO_PKG_VERSION"),
            "description": format!(
                "Colour palettes from film stills. Every error is JSON {{\"error\": \"...\"}} with a meaningful status. \
                 URLs are fetched over http(s) only, and loopback, private, link-local, multicast and unspecified \
                 addresses are refused (checked after DNS and on every redirect) unless the server runs with \
                 --allow-private-urls. {limits}"
            ),
            "license": {"name": "MIT", "identifier": "MIT"}
        },
        "paths": {
            "/": {"get": {
                "summary": "The web page, or (with url) the original API's cluster centres",
                "description": "Without a query string: the web page (text/html). With `url`: the palette's colours as RGB triples, largest share first (k-means in RGB, 8 colours, unless the options say otherwise).",
                "tags": ["original API", "page"],
                "parameters": with(vec![url.clone()]),
                "responses": merge(&fetch_errors, json!({
                    "200": {"description": "The colours, or the page.", "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Clusters"}},
                        "text/html": {"schema": {"type": "string"}}
                    }}
                }))
            }},
            "/palette-url": {"get": {
                "summary": "A coolors.co link to the palette of an image URL (the original API)",
                "tags": ["original API"],
                "parameters": with(vec![url_required]),
                "responses": merge(&fetch_errors, json!({
                    "200": {"description": "The link.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PaletteUrl"}}}}
                }))
            }},
            "/api/palette": {
                "get": {
                    "summary": "The palette of a still given by URL or by sample name",
                    "description": "Exactly one of `url` and `sample`.",
                    "tags": ["palette"],
                    "parameters": with(vec![url.clone(), sample.clone(), format.clone(), order.clone()]),
                    "responses": merge(&fetch_errors, json!({"200": rendered.clone()}))
                },
                "post": {
                    "summary": "The palette of an uploaded still",
                    "tags": ["palette"],
                    "parameters": with(vec![format, order]),
                    "requestBody": image_body.clone(),
                    "responses": {
                        "200": rendered,
                        "400": {"$ref": "#/components/responses/BadRequest"},
                        "413": error("The request body is over the limit."),
                        "415": error("The body is neither image/* (or application/octet-stream) nor multipart/form-data."),
                        "422": {"$ref": "#/components/responses/Unprocessable"},
                        "503": {"$ref": "#/components/responses/Busy"}
                    }
                }
            },
            "/api/compare": {
                "get": {
                    "summary": "The four palettes of the original analysis (k-means and agglomerative, in RGB and HSV) of a still given by URL or by sample name",
                    "description": "Exactly one of `url` and `sample`. The method and space options are ignored: the palettes are k-means RGB, k-means HSV, agglomerative RGB, agglomerative HSV, in that order.",
                    "tags": ["palette"],
                    "parameters": with(vec![url, sample, compare_format.clone(), compare_order.clone()]),
                    "responses": merge(&fetch_errors, json!({"200": compared.clone()}))
                },
                "post": {
                    "summary": "The four palettes of the original analysis of an uploaded still",
                    "tags": ["palette"],
                    "parameters": with(vec![compare_format, compare_order]),
                    "requestBody": image_body,
                    "responses": {
                        "200": compared,
                        "400": {"$ref": "#/components/responses/BadRequest"},
                        "413": error("The request body is over the limit."),
                        "415": error("The body is neither image/* (or application/octet-stream) nor multipart/form-data."),
                        "422": {"$ref": "#/components/responses/Unprocessable"},
                        "503": {"$ref": "#/components/responses/Busy"}
                    }
                }
            },
            "/api/export": {"post": {
                "summary": "A palette (as /api/palette answers it) as a swatch grid image or a GIMP palette",
                "description": "Renders without clustering again: the page uses it for its downloads.",
                "tags": ["palette"],
                "parameters": [
                    {"name": "format", "in": "query", "schema": {"type": "string", "enum": formats, "default": "json"},
                     "description": "png or svg: a grid of swatches with hex codes and shares; gpl: a GIMP palette; ase: an Adobe Swatch Exchange file; css: CSS custom properties; hex: one code a line; json: the palette, normalised."},
                    {"name": "name", "in": "query", "schema": {"type": "string", "maxLength": 100},
                     "description": "The palette's name inside the .gpl, .ase or .css file."}
                ],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Palette"}}}},
                "responses": {
                    "200": {"description": "The file (as an attachment).", "content": {
                        "image/png": {"schema": {"type": "string", "format": "binary"}},
                        "image/svg+xml": {"schema": {"type": "string"}},
                        "text/plain": {"schema": {"type": "string"}},
                        "text/css": {"schema": {"type": "string"}},
                        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                        "application/json": {"schema": {"$ref": "#/components/schemas/Palette"}}
                    }},
                    "400": {"$ref": "#/components/responses/BadRequest"},
                    "413": error("The request body is over the limit."),
                    "415": error("The body is not application/json."),
                    "422": error("The JSON is not a palette.")
                }
            }},
            "/api/samples": {"get": {
                "summary": "The sample stills, with their licences and credits",
                "tags": ["samples"],
                "responses": {"200": {"description": "The catalogue.", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Sample"}}}}}}
            }},
            "/api/samples/{name}": {"get": {
                "summary": "A sample still's image file",
                "tags": ["samples"],
                "parameters": [{"$ref": "#/components/parameters/sample_name"}],
                "responses": {
                    "200": {"description": "The image.", "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}}},
                    "404": error("No sample still by that name."),
                    "503": error("The sample still is not available on this server (not in its data folder, and it cannot download it).")
                }
            }},
            "/api/samples/{name}/preview": {"get": {
                "summary": "A small JPEG of a sample still",
                "tags": ["samples"],
                "parameters": [
                    {"$ref": "#/components/parameters/sample_name"},
                    {"name": "width", "in": "query", "schema": {"type": "integer", "minimum": 16, "maximum": 1600, "default": 320},
                     "description": "Largest width, in pixels (never scaled up)."}
                ],
                "responses": {
                    "200": {"description": "The preview.", "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}}},
                    "400": {"$ref": "#/components/responses/BadRequest"},
                    "404": error("No sample still by that name."),
                    "503": error("The sample still is not available on this server (not in its data folder, and it cannot download it).")
                }
            }},
            "/openapi.json": {"get": {
                "summary": "This document",
                "tags": ["service"],
                "responses": {"200": {"description": "OpenAPI 3.1.", "content": {"application/json": {}}}}
            }},
            "/healthz": {"get": {
                "summary": "Liveness, with the palette jobs running now",
                "tags": ["service"],
                "responses": {"200": {"description": "Up.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}}}
            }},
            "/app.js": {"get": {
                "summary": "The web page's script",
                "tags": ["page"],
                "responses": {"200": {"description": "JavaScript.", "content": {"text/javascript": {}}}}
            }},
            "/app.css": {"get": {
                "summary": "The web page's style sheet",
                "tags": ["page"],
                "responses": {"200": {"description": "CSS.", "content": {"text/css": {}}}}
            }}
        },
        "components": {
            "parameters": parameters,
            "responses": {
                "BadRequest": error("A parameter is missing, unknown, repeated or out of range (the message names it)."),
                "Unprocessable": error("Not an image, a truncated or corrupt one, too many pixels, or no pixel left in the brightness range."),
                "Busy": error("The request outlived the server's deadline (it was busy), or the sample still asked for is not available on this server.")
            },
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
                "Clusters": {"type": "object", "required": ["clusters"], "properties": {"clusters": {
                    "type": "array", "items": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 255}, "minItems": 3, "maxItems": 3}
                }}},
                "PaletteUrl": {"type": "object", "required": ["palette_url"], "properties": {"palette_url": {"type": "string", "format": "uri"}}},
                "Swatch": {"type": "object", "required": ["hex", "rgb", "proportion"], "properties": {
                    "hex": {"type": "string", "pattern": "^#[0-9a-f]{6}$"},
                    "rgb": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 255}, "minItems": 3, "maxItems": 3},
                    "proportion": {"type": "number", "minimum": 0, "maximum": 1, "description": "Share of the selected pixels nearest to this colour."}
                }},
                "Palette": {"type": "object", "required": ["k", "method", "space", "colors"], "properties": {
                    "k": {"type": "integer", "minimum": 1, "maximum": MAX_K},
                    "method": {"type": "string", "enum": methods},
                    "space": {"type": "string", "enum": spaces},
                    "colors": {"type": "array", "items": {"$ref": "#/components/schemas/Swatch"}, "description": "In the order asked for (largest share first unless `order` says otherwise); fewer than k when the still has fewer distinct colours."}
                }},
                "Comparison": {"type": "object", "required": ["palettes"], "properties": {"palettes": {
                    "type": "array", "minItems": 4, "maxItems": 4, "items": {"$ref": "#/components/schemas/Palette"},
                    "description": "k-means RGB, k-means HSV, agglomerative RGB, agglomerative HSV."
                }}},
                "Sample": {"type": "object", "properties": {
                    "name": {"type": "string"}, "size": {"type": "string"}, "licence": {"type": "string"},
                    "attribution": {"type": "string"}, "credit": {"type": "string"}, "source": {"type": "string", "format": "uri"},
                    "image": {"type": "string"}, "preview": {"type": "string"}
                }},
                "Health": {"type": "object", "properties": {
                    "status": {"type": "string"}, "version": {"type": "string"},
                    "jobs_running": {"type": "integer"}, "max_jobs": {"type": "integer"},
                    "memory_in_use_mb": {"type": "integer", "description": "MiB of the jobs' memory budget held by the jobs running, each at its cost estimated from its still's header"},
                    "memory_budget_mb": {"type": "integer", "description": "the jobs' memory budget, in MiB"}
                }}
            }
        }
    })
}
