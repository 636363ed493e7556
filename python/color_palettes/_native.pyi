# The Rust half (python/src/lib.rs); use the color_palettes module instead.
from typing import Any, Optional

PARAMS: list[tuple[str, str, Any]]
COMPARE_ORDER: str
THREADS: int
FIGURE_WIDTH: int
FILM_DEFAULTS: dict[str, Any]
BARCODE_STYLES: list[str]
VERSION: str

_Crop = Optional[tuple[int, int, int, int]]

class NativePalette:
    @property
    def name(self) -> str: ...
    def data(self) -> tuple[int, str, str, list[tuple[str, tuple[int, int, int], float]]]: ...
    def write(self, format: str, name: Optional[str] = None, width: int = ...) -> bytes: ...

class NativeAnswer:
    @property
    def crop(self) -> _Crop: ...
    def palettes(self) -> list[NativePalette]: ...
    def write(self, format: str, width: int = ...) -> bytes: ...

class NativeFilm:
    @property
    def barcode_style(self) -> Optional[str]: ...
    def to_json(self) -> str: ...
    def info(self) -> tuple[str, float, int, _Crop]: ...
    def warnings(self) -> list[str]: ...
    def palette(self) -> NativePalette: ...
    def scenes(self) -> Optional[list[tuple[float, float, NativePalette]]]: ...
    def barcode(self, format: str) -> bytes: ...

def run(
    kind: str, source: Any, options: list[tuple[str, str]], threads: int, compare: bool = False
) -> NativeAnswer: ...
def film(
    inputs: list[str],
    options: list[tuple[str, str]],
    threads: int,
    every: Optional[float],
    frames: Optional[int],
    scenes: bool,
    crop: bool,
    barcode: Optional[str],
    cut_threshold: float,
    min_scene: float,
) -> NativeFilm: ...
def film_line(
    source: str,
    options: list[tuple[str, str]],
    threads: int,
    every: Optional[float],
    frames: Optional[int],
    scenes: bool,
    crop: bool,
    barcode: Optional[str],
    cut_threshold: float,
    min_scene: float,
) -> tuple[bool, str]: ...

def sample_clip() -> str: ...
