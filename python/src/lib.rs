//! `color_palettes._native`: the Rust half of the `color_palettes` Python package.
//!
//! A thin layer over the library's public API: a palette or a comparison is one
//! [`Request`] run on one [`Source`], a film one [`FilmOptions`] analysis, exactly as the
//! CLI runs them, so the bytes are the CLI's. Options arrive as the text the query string
//! and [`Request::set`] take, so each is parsed and refused by the library, with its
//! message. The GIL is released (`Python::detach`) while a still is decoded and clustered,
//! a figure drawn, or a film read. The Python half (`color_palettes/__init__.py`) turns
//! Python objects into sources and gives the results their Python shape.

#![deny(unsafe_code)]

use std::path::PathBuf;
use std::sync::Arc;

use numpy::{PyReadonlyArray3, PyUntypedArrayMethods};
use pyo3::exceptions::{
    PyConnectionError, PyFileNotFoundError, PyIsADirectoryError, PyOSError, PyPermissionError,
    PyRuntimeError, PyTimeoutError, PyValueError,
};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use color_palettes::film::barcode::BarcodeStyle;
use color_palettes::film::batch::{self, FilmLine};
use color_palettes::film::{
    Film, FilmInput, FilmOptions, SampleMode, ValidFilmOptions, MAX_FRAMES,
};
use color_palettes::letterbox::Crop;
use color_palettes::request::PARAMS;
use color_palettes::{
    Answer, Error, Figure, Format, Palette, PaletteOptions, Request, Source, Still, Task,
};

/// The library's error as the Python exception a Python user expects, with the library's
/// one-line message: a bad option `ValueError`, input that cannot be read `OSError` (a
/// missing file `FileNotFoundError`), a fault of ours `RuntimeError`.
fn py_err(error: Error) -> PyErr {
    let message = error.to_string();
    match &error {
        Error::InvalidOption(_)
        | Error::BadOption { .. }
        | Error::InvalidUrl(_)
        | Error::NoPixels(_) => PyValueError::new_err(message),
        Error::Io { source, .. } | Error::Write { source, .. } => match source.kind() {
            std::io::ErrorKind::NotFound => PyFileNotFoundError::new_err(message),
            std::io::ErrorKind::PermissionDenied => PyPermissionError::new_err(message),
            std::io::ErrorKind::IsADirectory => PyIsADirectoryError::new_err(message),
            _ => PyOSError::new_err(message),
        },
        Error::Fetch(_) => PyConnectionError::new_err(message),
        Error::FetchTimeout(_) => PyTimeoutError::new_err(message),
        Error::Decode(_)
        | Error::TooLarge(_)
        | Error::ForbiddenAddress(_)
        | Error::FetchTooLarge(_)
        | Error::Sample(_)
        | Error::Video(_)
        | Error::MissingTool(_) => PyOSError::new_err(message),
        Error::Render(_) | Error::Clustering(_) => PyRuntimeError::new_err(message),
    }
}

trait OrPy<T> {
    fn or_py(self) -> PyResult<T>;
}

impl<T> OrPy<T> for color_palettes::Result<T> {
    fn or_py(self) -> PyResult<T> {
        self.map_err(py_err)
    }
}

/// The source Python names: `kind` says how the Python half read `value`.
fn source_of(kind: &str, value: &Bound<'_, PyAny>) -> PyResult<Source> {
    Ok(match kind {
        // What a person types: a path, an http(s) URL, a sample name (as the CLI reads it).
        "parse" => Source::parse(&value.extract::<String>()?),
        // An os.PathLike: always a file.
        "path" => Source::Path(PathBuf::from(value.extract::<String>()?)),
        "bytes" => Source::Bytes(value.extract::<&[u8]>()?.to_vec()),
        // A PIL image's raw bytes: (bytes, width, height, channels).
        "pixels" => {
            let (bytes, width, height, channels): (Bound<'_, PyBytes>, u32, u32, usize) =
                value.extract()?;
            Source::from(Still::from_raw(width, height, channels, bytes.as_bytes()).or_py()?)
        }
        // A C-contiguous uint8 array (H, W, 3 or 4), read in place: its bytes are copied
        // once, into the still, while the GIL is held (no other thread can change them).
        "array" => {
            let array: PyReadonlyArray3<'_, u8> = value.extract()?;
            let &[height, width, channels] = array.shape() else {
                return Err(PyValueError::new_err("expected an array of 3 dimensions"));
            };
            let pixels = array.as_slice().map_err(|_| {
                PyValueError::new_err("the array must be C-contiguous (np.ascontiguousarray)")
            })?;
            let side =
                |n: usize| u32::try_from(n).map_err(|_| PyValueError::new_err("array too large"));
            Source::from(Still::from_raw(side(width)?, side(height)?, channels, pixels).or_py()?)
        }
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown source kind {other:?}"
            )))
        }
    })
}

/// `Request::set` for every `(name, value)`, then the threads.
fn request_with(
    mut request: Request,
    options: &[(String, String)],
    threads: usize,
) -> PyResult<Request> {
    for (name, value) in options {
        request.set(name, value).or_py()?;
    }
    request.options = request.options.threads(threads);
    Ok(request)
}

/// A figure width, checked as a request checks it (the library's message).
fn checked_width(width: u32) -> PyResult<u32> {
    Request::palette().width(width).check().or_py()?;
    Ok(width)
}

fn crop_tuple(crop: Option<Crop>) -> Option<(u32, u32, u32, u32)> {
    crop.map(|c| (c.x, c.y, c.width, c.height))
}

/// What a palette's figure is drawn over.
enum Picture {
    /// The (cropped) still of a request's answer.
    Still(Arc<Answer>),
    /// A film's barcode (the CLI's `film --format png`).
    Barcode(Arc<Film>),
    /// No picture: a swatch grid (a scene's palette).
    Grid,
}

/// One palette, with what its files are named and what its figure shows.
#[pyclass(frozen, module = "color_palettes._native")]
struct NativePalette {
    palette: Palette,
    /// The name in a saved file, as the CLI gives it: `El_Fuente (accent-aware, LAB, k=8)`.
    name: String,
    picture: Picture,
}

impl NativePalette {
    fn figure(&self, width: u32) -> color_palettes::Result<Figure> {
        let style = Request::DEFAULT.style;
        Ok(match &self.picture {
            Picture::Still(answer) => {
                Figure::still_with_strip(answer.still(), &self.palette, width, style)
            }
            Picture::Barcode(film) => match &film.barcode {
                Some(barcode) => {
                    Figure::still_with_strip(&barcode.to_still(width)?, &self.palette, width, style)
                }
                None => Figure::swatch_grid(&self.palette, 8),
            },
            Picture::Grid => Figure::swatch_grid(&self.palette, 8),
        })
    }
}

#[pymethods]
impl NativePalette {
    /// `(k, method, space, [(hex, (r, g, b), proportion), ...])`.
    #[allow(clippy::type_complexity)]
    fn data(
        &self,
    ) -> (
        usize,
        &'static str,
        &'static str,
        Vec<(String, (u8, u8, u8), f64)>,
    ) {
        let p = &self.palette;
        let colors = p
            .colors
            .iter()
            .map(|s| (s.hex.clone(), (s.rgb[0], s.rgb[1], s.rgb[2]), s.proportion))
            .collect();
        (p.k, p.method.name(), p.space.name(), colors)
    }

    /// The name a saved file gives the palette by default.
    #[getter]
    fn name(&self) -> &str {
        &self.name
    }

    /// The palette in `format` (`json`, `hex`, `gpl`, `ase`, `css`, `png`, `svg`), as
    /// `extract --format FORMAT` writes it; `name` in palette files, figures `width` wide.
    #[pyo3(signature = (format, name=None, width=Request::DEFAULT.width))]
    fn write<'py>(
        &self,
        py: Python<'py>,
        format: &str,
        name: Option<String>,
        width: u32,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let format: Format = format.parse().or_py()?;
        let width = checked_width(width)?;
        let name = name.unwrap_or_else(|| self.name.clone());
        let bytes = py
            .detach(|| {
                let figure = if format.is_figure() {
                    Some(self.figure(width)?)
                } else {
                    None
                };
                format.write(&self.palette, &name, || {
                    figure.unwrap_or_else(|| Figure::swatch_grid(&self.palette, 8))
                })
            })
            .or_py()?;
        Ok(PyBytes::new(py, &bytes))
    }
}

/// A request's answer: one palette, or a comparison's four.
#[pyclass(frozen, module = "color_palettes._native")]
struct NativeAnswer {
    answer: Arc<Answer>,
    /// What the source is called (`Source::name`).
    source: String,
}

#[pymethods]
impl NativeAnswer {
    /// Every palette: one, or a comparison's four (k-means RGB, k-means HSV,
    /// agglomerative RGB, agglomerative HSV).
    fn palettes(&self) -> Vec<NativePalette> {
        self.answer
            .palettes()
            .iter()
            .map(|p| NativePalette {
                palette: p.clone(),
                name: p.name_for(&self.source),
                picture: Picture::Still(Arc::clone(&self.answer)),
            })
            .collect()
    }

    /// The picture inside the bars that were cut, `(x, y, width, height)`, or `None`.
    #[getter]
    fn crop(&self) -> Option<(u32, u32, u32, u32)> {
        crop_tuple(self.answer.crop())
    }

    /// The answer as the CLI writes it: `json` (`extract --format json`, or `compare
    /// --json`), `png` or `svg` (a comparison's figure, as `compare --png`/`--svg`), figures
    /// `width` wide.
    #[pyo3(signature = (format, width=Request::DEFAULT.width))]
    fn write<'py>(
        &self,
        py: Python<'py>,
        format: &str,
        width: u32,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let format: Format = format.parse().or_py()?;
        let width = checked_width(width)?;
        let answer = &self.answer;
        let bytes = py
            .detach(|| match format {
                Format::Png | Format::Svg => {
                    let figure = Figure::comparison(
                        answer.still(),
                        answer.palettes(),
                        width,
                        Request::DEFAULT.style,
                    );
                    if format == Format::Png {
                        figure.to_png()
                    } else {
                        figure.to_svg().map(String::into_bytes)
                    }
                }
                other => answer.write(other),
            })
            .or_py()?;
        Ok(PyBytes::new(py, &bytes))
    }
}

/// One palette (`compare=False`) or the original analysis' four of a source, as
/// `color-palettes extract` and `compare` make them.
#[pyfunction]
#[pyo3(signature = (kind, source, options, threads, compare=false))]
fn run(
    py: Python<'_>,
    kind: &str,
    source: &Bound<'_, PyAny>,
    options: Vec<(String, String)>,
    threads: usize,
    compare: bool,
) -> PyResult<NativeAnswer> {
    let base = if compare {
        Request::compare()
    } else {
        Request::palette()
    };
    let request = request_with(base, &options, threads)?;
    // Options are checked before anything is read, as the CLI does.
    request.check().or_py()?;
    let source = source_of(kind, source)?;
    let name = source.name();
    let answer = py.detach(move || request.run(source)).or_py()?;
    Ok(NativeAnswer {
        answer: Arc::new(answer),
        source: name,
    })
}

/// A film's palettes.
#[pyclass(frozen, module = "color_palettes._native")]
struct NativeFilm {
    film: Arc<Film>,
    /// The palettes' name in a saved file, as the CLI's `film --format gpl` gives it.
    name: String,
}

#[pymethods]
impl NativeFilm {
    /// `film.to_json()` as `color-palettes film` prints it.
    fn to_json(&self) -> String {
        self.film.to_json() + "\n"
    }

    /// `(source, duration_s, frames_sampled, crop)`.
    #[allow(clippy::type_complexity)]
    fn info(&self) -> (String, f64, usize, Option<(u32, u32, u32, u32)>) {
        let f = &self.film;
        (
            f.source.clone(),
            f.duration_s,
            f.frames_sampled,
            crop_tuple(f.crop),
        )
    }

    /// What went wrong without stopping the reading (a truncated film), one sentence each.
    fn warnings(&self) -> Vec<String> {
        self.film.warnings.clone()
    }

    /// The film's palette; its figure is the barcode with the palette's strip.
    fn palette(&self) -> NativePalette {
        NativePalette {
            palette: self.film.palette.clone(),
            name: self.name.clone(),
            picture: Picture::Barcode(Arc::clone(&self.film)),
        }
    }

    /// How the frames were read: `dense`, `keys` or `seek`.
    #[getter]
    fn sampling(&self) -> &'static str {
        self.film.sampling.name()
    }

    /// The scenes as `(start_s, end_s, start_frame, end_frame, palette)`, or `None` when
    /// not asked for.
    #[allow(clippy::type_complexity)]
    fn scenes(&self) -> Option<Vec<(f64, f64, Option<usize>, Option<usize>, NativePalette)>> {
        self.film.scenes.as_ref().map(|scenes| {
            scenes
                .iter()
                .map(|s| {
                    let palette = NativePalette {
                        palette: s.palette.clone(),
                        name: self.name.clone(),
                        picture: Picture::Grid,
                    };
                    (s.start_s, s.end_s, s.start_frame, s.end_frame, palette)
                })
                .collect()
        })
    }

    /// The barcode's style, or `None` when no barcode was made.
    #[getter]
    fn barcode_style(&self) -> Option<&'static str> {
        self.film.barcode.as_ref().map(|b| b.style.name())
    }

    /// The barcode figure, with its time axis and the scene cuts, as `film --barcode
    /// FILE.png|FILE.svg` writes it.
    fn barcode<'py>(&self, py: Python<'py>, format: &str) -> PyResult<Bound<'py, PyBytes>> {
        let format: Format = format.parse().or_py()?;
        let film = &self.film;
        let bytes = py
            .detach(|| {
                let barcode = film.barcode.as_ref().ok_or_else(|| {
                    Error::InvalidOption(
                        "no barcode was made: give film(..., barcode=STYLE)".into(),
                    )
                })?;
                let figure = barcode.figure(&film.cuts())?;
                match format {
                    Format::Png => figure.to_png(),
                    Format::Svg => figure.to_svg().map(String::into_bytes),
                    other => Err(Error::option(
                        "format",
                        format!("of a barcode is png or svg (got {})", other.name()),
                    )),
                }
            })
            .or_py()?;
        Ok(PyBytes::new(py, &bytes))
    }
}

/// A film's options, checked once, before any input is opened, as the CLI does; `film` and
/// `film_line` take them as they are.
#[pyclass(frozen, module = "color_palettes._native")]
struct NativeFilmOptions(ValidFilmOptions);

/// Checks a film's options (the palette options as `(name, value)` text, as `run` takes
/// them, and the film's own).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (options, threads, every, frames, scenes, crop, barcode, cut_threshold, min_scene, time_limit=None, sampling=None))]
fn film_options(
    options: Vec<(String, String)>,
    threads: usize,
    every: Option<f64>,
    frames: Option<i64>,
    scenes: bool,
    crop: bool,
    barcode: Option<String>,
    cut_threshold: f64,
    min_scene: f64,
    time_limit: Option<f64>,
    sampling: Option<String>,
) -> PyResult<NativeFilmOptions> {
    let palette = request_with(Request::palette(), &options, threads)?.options;
    let mut film_options = FilmOptions::new()
        .palette(palette)
        .scenes(scenes)
        .crop(crop)
        .cuts(cut_threshold, min_scene);
    match (every, frames) {
        (Some(_), Some(_)) => {
            return Err(py_err(Error::InvalidOption(
                "every and frames both sample a video: give one".into(),
            )))
        }
        (Some(seconds), None) => film_options = film_options.every(seconds),
        (None, Some(n)) => {
            let n = usize::try_from(n).map_err(|_| {
                py_err(Error::option(
                    "frames",
                    format!("must be between 1 and {MAX_FRAMES} (got {n})"),
                ))
            })?;
            film_options = film_options.frames(n);
        }
        (None, None) => {}
    }
    if let Some(style) = barcode {
        film_options = film_options.barcode(style.parse::<BarcodeStyle>().or_py()?);
    }
    if let Some(seconds) = time_limit {
        film_options = film_options.time_limit(seconds);
    }
    if let Some(mode) = sampling {
        film_options = film_options.sample_mode(mode.parse::<SampleMode>().or_py()?);
    }
    Ok(NativeFilmOptions(film_options.check().or_py()?))
}

/// A film's palettes, as `color-palettes film INPUT...` makes them.
#[pyfunction]
fn film(py: Python<'_>, inputs: Vec<String>, options: &NativeFilmOptions) -> PyResult<NativeFilm> {
    let input = FilmInput::from_args(&inputs).or_py()?;
    let film = py.detach(|| input.analyse(&options.0)).or_py()?;
    let name = film
        .palette
        .name_for(&Source::parse(inputs.first().map_or("", String::as_str)).name());
    Ok(NativeFilm {
        film: Arc::new(film),
        name,
    })
}

/// The line `color-palettes films` appends for one film: its JSON, or its error line when
/// it cannot be read, as in `films`.
#[pyfunction]
fn film_line(py: Python<'_>, source: String, options: &NativeFilmOptions) -> String {
    match py.detach(|| batch::film_line(&source, &options.0)) {
        FilmLine::Done(line) | FilmLine::Failed(line) => line,
    }
}

/// The path of the sample film clip (Big Buck Bunny, 5 s), found as the Rust notebooks find
/// it (`COLOR_PALETTES_VIDEO`, beside the stills, or the cache `scripts/fetch_clip.py` fills).
#[pyfunction]
fn sample_clip() -> PyResult<PathBuf> {
    color_palettes::film::sample::sample_clip().or_py()
}

/// A JSON default as a Python value.
fn json_to_py<'py>(py: Python<'py>, value: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    use serde_json::Value;
    Ok(match value {
        Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        Value::Number(n) => match n.as_u64() {
            Some(u) => u.into_pyobject(py)?.into_any(),
            None => n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any(),
        },
        Value::String(s) => s.into_pyobject(py)?.into_any(),
        _ => py.None().into_bound(py),
    })
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    // Every option a request takes, with its help and default: the Python signatures'
    // defaults and docstrings are read from here, never typed again.
    let mut params = Vec::new();
    for p in PARAMS {
        params.push((p.name, p.help, json_to_py(py, &p.default_json())?));
    }
    m.add("PARAMS", params)?;
    m.add("COMPARE_ORDER", Task::Compare.default_order().name())?;
    m.add("THREADS", PaletteOptions::DEFAULT.threads)?;
    m.add("FIGURE_WIDTH", Request::DEFAULT.width)?;
    let film_defaults = PyDict::new(py);
    let f = FilmOptions::default();
    film_defaults.set_item("scenes", f.scenes)?;
    film_defaults.set_item("crop", f.crop)?;
    film_defaults.set_item("cut_threshold", f.cut_threshold)?;
    film_defaults.set_item("min_scene", f.min_scene_s)?;
    film_defaults.set_item("barcode", BarcodeStyle::default().name())?;
    film_defaults.set_item("sampling", SampleMode::default().name())?;
    m.add("SAMPLINGS", SampleMode::ALL.map(SampleMode::name).to_vec())?;
    m.add("TIME_LIMIT_BASE", color_palettes::film::TIME_LIMIT_BASE_S)?;
    m.add(
        "TIME_LIMIT_PER_FILM",
        color_palettes::film::TIME_LIMIT_PER_FILM_S,
    )?;
    m.add("MAX_TIME_LIMIT", color_palettes::film::MAX_TIME_LIMIT_S)?;
    m.add("FILM_DEFAULTS", film_defaults)?;
    m.add(
        "BARCODE_STYLES",
        BarcodeStyle::ALL.map(BarcodeStyle::name).to_vec(),
    )?;
    m.add("VERSION", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<NativePalette>()?;
    m.add_class::<NativeAnswer>()?;
    m.add_class::<NativeFilm>()?;
    m.add_class::<NativeFilmOptions>()?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(film_options, m)?)?;
    m.add_function(wrap_pyfunction!(film, m)?)?;
    m.add_function(wrap_pyfunction!(film_line, m)?)?;
    m.add_function(wrap_pyfunction!(sample_clip, m)?)?;
    Ok(())
}
