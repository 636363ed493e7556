"""Colour palettes from film stills, in Python.

The same palettes as the ``color-palettes`` command line, byte for byte: each call runs the
Rust library's ``Request`` (or film analysis) on one ``Source``, with the GIL released while
the still is decoded and clustered.

>>> import color_palettes as cp
>>> palette = cp.extract("El_Fuente", k=5)            # a path, URL, sample, bytes, PIL, NumPy
>>> [s.hex for s in palette]                           # doctest: +SKIP
['#2b201e', ...]
>>> open("palette.png", "wb").write(palette.to_png())  # doctest: +SKIP

Defaults and option help come from the library (``request::PARAMS``), so they are the
CLI's.
"""

from __future__ import annotations

import base64
import html
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Iterator, NamedTuple, Optional, Union, overload

from . import _native

__all__ = [
    "Comparison",
    "Crop",
    "Film",
    "Palette",
    "Scene",
    "Swatch",
    "compare",
    "extract",
    "film",
    "film_line",
    "sample_clip",
    "__version__",
]

__version__: str = _native.VERSION

#: Every option a request takes: name -> (help, default), from the library.
PARAMS: dict = {name: (help_, default) for name, help_, default in _native.PARAMS}
_D = {name: default for name, (_help, default) in PARAMS.items()}
#: Width of a figure, in pixels, when none is asked for.
FIGURE_WIDTH: int = _native.FIGURE_WIDTH
_FILM = dict(_native.FILM_DEFAULTS)


class Crop(NamedTuple):
    """The picture inside the black bars that were cut away, in the source's pixels."""

    x: int
    y: int
    width: int
    height: int


def _crop(value: Optional[tuple]) -> Optional[Crop]:
    return None if value is None else Crop(*value)


@dataclass(frozen=True)
class Swatch:
    """One palette colour: ``hex`` (``#rrggbb``), ``rgb`` (8-bit sRGB) and the share of
    the still's selected pixels it stands for (``proportion``; a palette's sum to 1)."""

    hex: str
    rgb: tuple
    proportion: float


class Palette(Sequence):
    """A palette: a sequence of :class:`Swatch`, largest share first (or in the order
    asked for), with how it was made (``k``, ``method``, ``space``) and its exports.

    ``k`` is the number of colours asked for; a still with fewer distinct colours gives
    fewer swatches. ``crop`` is the picture left inside the bars that were cut away before
    clustering, or ``None``.
    """

    __slots__ = ("_native", "_swatches", "k", "method", "space", "crop")

    def __init__(self, native: Any, crop: Optional[Crop] = None) -> None:
        k, method, space, colors = native.data()
        self._native = native
        self._swatches = tuple(Swatch(h, tuple(rgb), p) for h, rgb, p in colors)
        self.k: int = k
        self.method: str = method
        self.space: str = space
        self.crop: Optional[Crop] = crop

    @overload
    def __getitem__(self, index: int) -> Swatch: ...
    @overload
    def __getitem__(self, index: slice) -> "tuple[Swatch, ...]": ...
    def __getitem__(self, index):
        return self._swatches[index]

    def __len__(self) -> int:
        return len(self._swatches)

    def __iter__(self) -> Iterator[Swatch]:
        return iter(self._swatches)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Palette):
            return NotImplemented
        return (self.k, self.method, self.space, self._swatches) == (
            other.k,
            other.method,
            other.space,
            other._swatches,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        colors = ", ".join(f"{s.hex} {s.proportion:.1%}" for s in self._swatches)
        return f"<Palette k={self.k} {self.method}/{self.space}: {colors}>"

    @property
    def name(self) -> str:
        """The name a saved file gives the palette, as the CLI does:
        ``El_Fuente (accent-aware, LAB, k=8)``."""
        return self._native.name

    @property
    def hex(self) -> "list[str]":
        """The ``#rrggbb`` codes."""
        return [s.hex for s in self._swatches]

    def _write(self, fmt: str, name: Optional[str] = None, width: int = FIGURE_WIDTH) -> bytes:
        return self._native.write(fmt, name, width)

    def to_json(self) -> str:
        """The palette as ``color-palettes extract --format json`` prints it (ending in a
        newline): ``{"k":8,"method":"accent","space":"lab","colors":[...]}``."""
        return self._write("json").decode()

    def to_hex(self) -> str:
        """One ``#rrggbb`` a line, as ``--format hex``."""
        return self._write("hex").decode()

    def to_gpl(self, name: Optional[str] = None) -> str:
        """A GIMP ``.gpl`` palette file named ``name`` (default: :attr:`name`)."""
        return self._write("gpl", name).decode()

    def to_ase(self, name: Optional[str] = None) -> bytes:
        """An Adobe Swatch Exchange ``.ase`` file, its group named ``name``."""
        return self._write("ase", name)

    def to_css(self, name: Optional[str] = None) -> str:
        """CSS custom properties, ``:root { --palette-1: #rrggbb; ... }``."""
        return self._write("css", name).decode()

    def to_png(self, width: int = FIGURE_WIDTH) -> bytes:
        """The still with its palette strip as PNG, as ``--format png --width WIDTH``
        (a film's palette: its barcode with the strip; a scene's: a swatch grid)."""
        return self._write("png", None, width)

    def to_svg(self, width: int = FIGURE_WIDTH) -> str:
        """The same figure as SVG."""
        return self._write("svg", None, width).decode()

    def to_numpy(self) -> Any:
        """The colours as a ``k x 3`` ``uint8`` NumPy array (needs numpy)."""
        import numpy as np

        return np.array([s.rgb for s in self._swatches], dtype=np.uint8).reshape(-1, 3)

    def _repr_png_(self) -> bytes:
        return self.to_png()

    def _repr_html_(self) -> str:
        png = base64.b64encode(self.to_png()).decode()
        alt = html.escape(", ".join(f"{s.hex} {s.proportion:.1%}" for s in self._swatches))
        return f'<img src="data:image/png;base64,{png}" alt="{alt}" style="max-width:100%">'


class Comparison(list):
    """The original analysis' four palettes (a ``list`` of :class:`Palette`: k-means RGB,
    k-means HSV, agglomerative RGB, agglomerative HSV, each strip lined up with the first
    by default), with their figure, as ``color-palettes compare`` draws it."""

    def __init__(self, native: Any) -> None:
        self._native = native
        self.crop: Optional[Crop] = _crop(native.crop)
        super().__init__(Palette(p, self.crop) for p in native.palettes())

    def to_json(self) -> str:
        """``{"palettes": [...]}``, as ``compare --json`` prints it."""
        return self._native.write("json").decode()

    def to_png(self, width: int = FIGURE_WIDTH) -> bytes:
        """The still with the four strips, as ``compare --png FILE --width WIDTH``."""
        return self._native.write("png", width)

    def to_svg(self, width: int = FIGURE_WIDTH) -> str:
        """The same figure as SVG (``compare --svg``)."""
        return self._native.write("svg", width).decode()

    def _repr_png_(self) -> bytes:
        return self.to_png()


@dataclass(frozen=True)
class Scene:
    """One scene of a film: where it starts and ends (seconds, and frame numbers: the
    first frame's, and the one after the last; None where unknown) and its palette."""

    start_s: float
    end_s: float
    start_frame: Optional[int]
    end_frame: Optional[int]
    palette: Palette


class Film:
    """A film's palettes, as ``color-palettes film`` makes them: the film's ``palette``,
    its ``scenes`` (when asked for), the ``crop`` of its bars, and its barcode."""

    def __init__(self, native: Any) -> None:
        self._native = native
        source, duration_s, frames, crop = native.info()
        self.source: str = source
        self.duration_s: float = duration_s
        self.frames_sampled: int = frames
        # What went wrong without stopping the reading: a truncated film says where its
        # frames end (``duration_s`` is there), as the JSON's "warnings".
        self.warnings: "list[str]" = native.warnings()
        self.crop: Optional[Crop] = _crop(crop)
        self.palette: Palette = Palette(native.palette(), self.crop)
        scenes = native.scenes()
        self.scenes: Optional["list[Scene]"] = (
            None
            if scenes is None
            else [Scene(s, e, sf, ef, Palette(p)) for s, e, sf, ef, p in scenes]
        )
        # How the frames were read: "dense", "keys" or "seek" (the JSON's "sampling").
        self.sampling: str = native.sampling
        self.barcode_style: Optional[str] = native.barcode_style

    def __repr__(self) -> str:
        scenes = "" if self.scenes is None else f", {len(self.scenes)} scenes"
        return f"<Film {self.source!r}: {self.duration_s:g} s, {self.frames_sampled} frames{scenes}>"

    def to_json(self) -> str:
        """The film as ``color-palettes film`` prints it (ending in a newline)."""
        return self._native.to_json()

    def barcode_png(self) -> bytes:
        """The barcode (one column per sampled frame, a time axis, the cuts marked) as PNG,
        as ``film --barcode FILE.png`` writes it."""
        return self._native.barcode("png")

    def barcode_svg(self) -> str:
        """The barcode as SVG (``film --barcode FILE.svg``)."""
        return self._native.barcode("svg").decode()

    def to_png(self, width: int = FIGURE_WIDTH) -> bytes:
        """The barcode with the film's palette strip, as ``film --format png``."""
        return self.palette.to_png(width)

    def _repr_png_(self) -> bytes:
        return self.barcode_png()


def _text(value: Any) -> str:
    """An option as the text the library parses (``Request::set``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _path_text(path: Any) -> Any:
    """An os.PathLike as the text the native half reads; anything else as it is."""
    return os.fsdecode(os.fspath(path)) if isinstance(path, os.PathLike) else path


def _source(source: Any) -> "tuple[str, Any]":
    """How the native half reads ``source``: (kind, value)."""
    if isinstance(source, str):
        return "parse", source
    if isinstance(source, os.PathLike):
        return "path", _path_text(source)
    if isinstance(source, (bytes, bytearray, memoryview)):
        return "bytes", bytes(source)
    image = sys.modules.get("PIL.Image")
    if image is not None and isinstance(source, image.Image):
        has_alpha = getattr(source, "has_transparency_data", None)
        if has_alpha is None:
            has_alpha = "A" in source.getbands() or "transparency" in source.info
        mode = "RGBA" if has_alpha else "RGB"
        pixels = source if source.mode == mode else source.convert(mode)
        return "pixels", (pixels.tobytes(), pixels.width, pixels.height, len(mode))
    np = sys.modules.get("numpy")
    if np is not None and isinstance(source, np.ndarray):
        if source.dtype != np.uint8:
            raise ValueError(f"a NumPy still must be of dtype uint8 (got {source.dtype})")
        if source.ndim != 3 or source.shape[2] not in (3, 4):
            raise ValueError(
                "a NumPy still must have the shape (H, W, 3) or (H, W, 4) "
                f"(got {tuple(source.shape)})"
            )
        if not source.flags.c_contiguous:
            source = np.ascontiguousarray(source)
        return "array", source
    raise TypeError(
        "source must be a path, a URL, a sample name, bytes, a PIL.Image.Image or a "
        f"uint8 NumPy array (got {type(source).__name__})"
    )


Source = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, Any]


def extract(
    source: Source,
    k: int = _D["k"],
    method: str = _D["method"],
    space: str = _D["space"],
    min_brightness: float = _D["min_brightness"],
    max_brightness: float = _D["max_brightness"],
    order: str = _D["order"],
    seed: int = _D["seed"],
    crop: bool = _D["crop"],
    threads: int = _native.THREADS,
) -> Palette:
    kind, value = _source(source)
    options = [
        ("k", k),
        ("method", method),
        ("space", space),
        ("min_brightness", min_brightness),
        ("max_brightness", max_brightness),
        ("order", order),
        ("seed", seed),
        ("crop", crop),
    ]
    native = _native.run(kind, value, [(n, _text(v)) for n, v in options], threads, False)
    answer = native.palettes()[0]
    return Palette(answer, _crop(native.crop))


def compare(
    source: Source,
    k: int = _D["k"],
    min_brightness: float = _D["min_brightness"],
    max_brightness: float = _D["max_brightness"],
    order: str = _native.COMPARE_ORDER,
    seed: int = _D["seed"],
    crop: bool = _D["crop"],
    threads: int = _native.THREADS,
) -> Comparison:
    kind, value = _source(source)
    options = [
        ("k", k),
        ("min_brightness", min_brightness),
        ("max_brightness", max_brightness),
        ("order", order),
        ("seed", seed),
        ("crop", crop),
    ]
    native = _native.run(kind, value, [(n, _text(v)) for n, v in options], threads, True)
    return Comparison(native)


def _film_options(
    every, frames, scenes, crop, k, method, space, min_brightness, max_brightness, seed,
    threads, barcode, cut_threshold, min_scene, time_limit, sampling,
) -> Any:
    """The film options, checked once by the native half (a bad one raises ValueError)."""
    options = [
        ("k", k),
        ("method", method),
        ("space", space),
        ("min_brightness", min_brightness),
        ("max_brightness", max_brightness),
        ("seed", seed),
    ]
    return _native.film_options(
        [(n, _text(v)) for n, v in options],
        threads,
        None if every is None else float(every),
        None if frames is None else int(frames),
        bool(scenes),
        bool(crop),
        barcode,
        float(cut_threshold),
        float(min_scene),
        None if time_limit is None else float(time_limit),
        str(sampling),
    )


def film(
    path_or_paths: "Union[str, os.PathLike[str], Sequence[Union[str, os.PathLike[str]]]]",
    every: Optional[float] = None,
    frames: Optional[int] = None,
    scenes: bool = _FILM["scenes"],
    crop: bool = _FILM["crop"],
    k: int = _D["k"],
    method: str = _D["method"],
    space: str = _D["space"],
    min_brightness: float = _D["min_brightness"],
    max_brightness: float = _D["max_brightness"],
    seed: int = _D["seed"],
    threads: int = _native.THREADS,
    barcode: Optional[str] = _FILM["barcode"],
    cut_threshold: float = _FILM["cut_threshold"],
    min_scene: float = _FILM["min_scene"],
    time_limit: Optional[float] = None,
    sampling: str = _FILM["sampling"],
) -> Film:
    if isinstance(path_or_paths, (str, os.PathLike)):
        inputs = [path_or_paths]
    else:
        inputs = list(path_or_paths)
    options = _film_options(
        every, frames, scenes, crop, k, method, space, min_brightness, max_brightness, seed,
        threads, barcode, cut_threshold, min_scene, time_limit, sampling,
    )
    return Film(_native.film([_path_text(p) for p in inputs], options))


def film_line(
    path: "Union[str, os.PathLike[str]]",
    every: Optional[float] = None,
    frames: Optional[int] = None,
    scenes: bool = _FILM["scenes"],
    crop: bool = _FILM["crop"],
    k: int = _D["k"],
    method: str = _D["method"],
    space: str = _D["space"],
    min_brightness: float = _D["min_brightness"],
    max_brightness: float = _D["max_brightness"],
    seed: int = _D["seed"],
    threads: int = _native.THREADS,
    barcode: Optional[str] = _FILM["barcode"],
    cut_threshold: float = _FILM["cut_threshold"],
    min_scene: float = _FILM["min_scene"],
    time_limit: Optional[float] = None,
    sampling: str = _FILM["sampling"],
) -> str:
    options = _film_options(
        every, frames, scenes, crop, k, method, space, min_brightness, max_brightness, seed,
        threads, barcode, cut_threshold, min_scene, time_limit, sampling,
    )
    return _native.film_line(_path_text(path), options)


def sample_clip() -> str:
    """The path of the sample film clip (Big Buck Bunny, 5 s, CC BY 3.0), where the Rust
    notebooks find it: $COLOR_PALETTES_VIDEO, beside the sample stills, or the cache that
    ``python3 scripts/fetch_clip.py`` fills (its sha256 checked). Raises OSError saying where
    it looked when it is in none of them."""
    return os.fspath(_native.sample_clip())


def _params_doc(names: "list[str]") -> str:
    lines = []
    for name in names:
        help_, default = PARAMS[name]
        lines.append(f"    {name}: {help_} Default: {default!r}.")
    return "\n".join(lines)


_SOURCE_DOC = """    source: a path (str or os.PathLike), an http(s) URL, the name of a sample still
        (as the CLI takes them), the bytes of an image file, a PIL.Image.Image, or a uint8
        NumPy array of shape (H, W, 3) or (H, W, 4) (read in place when C-contiguous)."""
_THREADS_DOC = (
    "    threads: Threads a palette may use (0: every core); the palette does not depend on it."
)
_RAISES_DOC = """
Raises ValueError for a bad option (with the library's message, naming the option),
OSError for input that cannot be read (FileNotFoundError for a missing file)."""

extract.__doc__ = (
    "The palette of one still, as ``color-palettes extract`` makes it (black letterbox\n"
    "and pillarbox bars cut first unless ``crop=False``).\n\n"
    + _SOURCE_DOC
    + "\n"
    + _params_doc(
        ["k", "method", "space", "min_brightness", "max_brightness", "order", "seed", "crop"]
    )
    + "\n"
    + _THREADS_DOC
    + "\n"
    + _RAISES_DOC
)
compare.__doc__ = (
    "The original analysis' four palettes (k-means and agglomerative, in RGB and HSV), as\n"
    "``color-palettes compare`` makes them; ``.to_png()`` draws its figure.\n\n"
    + _SOURCE_DOC
    + "\n"
    + _params_doc(["k", "min_brightness", "max_brightness", "seed", "crop"])
    + f"\n    order: {PARAMS['order'][0]} Default: {_native.COMPARE_ORDER!r}.\n"
    + _THREADS_DOC
    + "\n"
    + _RAISES_DOC
)
film.__doc__ = (
    "A film's palettes, as ``color-palettes film`` makes them.\n\n"
    "    path_or_paths: one video (a file, or an http(s) URL FFmpeg reads), or stills (paths,\n"
    "        folders, patterns such as 'frames/*.png') taken as its frames in name order.\n"
    "    every: sample a frame every so many seconds (default: one a second, at least 100).\n"
    "    frames: sample this many frames, evenly spread (not with every).\n"
    f"    scenes: find the scenes and give each its palette. Default: {_FILM['scenes']!r}.\n"
    f"    crop: cut the bars found over the film. Default: {_FILM['crop']!r}.\n"
    + _params_doc(["k", "method", "space", "min_brightness", "max_brightness", "seed"])
    + "\n"
    + _THREADS_DOC
    + "\n"
    + f"    barcode: the barcode's style ({', '.join(_native.BARCODE_STYLES)}), or None for no\n"
    f"        barcode. Default: {_FILM['barcode']!r}.\n"
    f"    cut_threshold: mean CIELAB distance between frames that makes a cut. Default:"
    f" {_FILM['cut_threshold']!r}.\n"
    f"    min_scene: shortest scene, in seconds. Default: {_FILM['min_scene']!r}.\n"
    "    time_limit: give up on the film after so many seconds of reading and analysing it\n"
    "        (FFmpeg is stopped, and OSError says the film took longer than the time limit);\n"
    f"        at most {_native.MAX_TIME_LIMIT:g}. Default: None, which is"
    f" {_native.TIME_LIMIT_BASE:g} s plus\n"
    f"        {_native.TIME_LIMIT_PER_FILM:g} s per second of the length the header states"
    f" (at most {_native.MAX_TIME_LIMIT:g} s).\n"
    f"    sampling: how a video's samples are read ({', '.join(_native.SAMPLINGS)}): dense\n"
    "        decodes every frame, keys the key frames only, seek seeks to each sample, auto\n"
    "        the cheapest for the film (Film.sampling says which). Default:"
    f" {_FILM['sampling']!r}.\n"
    + _RAISES_DOC
)
film_line.__doc__ = (
    "The JSON line ``color-palettes films`` writes for one video: the film's JSON\n"
    "(``film(path, ...).to_json()`` without its final newline) ending with\n"
    '``"file": {"path", "bytes", "modified_ns"}`` (a local file\'s canonical path, size and\n'
    "time of last change, by which ``films`` knows it again; a URL has none), or, when it\n"
    "cannot be read, ``{\"error\": ..., \"file\": ..., \"source\": ...}``, byte for byte as\n"
    "``films`` writes it. The map step\n"
    "of an engine that runs films on many machines (README: Ray Data); never raises for a\n"
    "film that fails, only for a bad option (ValueError).\n\n"
    "    path: one video (a file, or an http(s) URL FFmpeg reads).\n"
    "    every, frames, scenes, crop, k, method, space, min_brightness, max_brightness, seed,\n"
    "    threads, barcode, cut_threshold, min_scene, time_limit, sampling: as for film(); a\n"
    "    film that takes longer than its time limit is an error line.\n"
)
