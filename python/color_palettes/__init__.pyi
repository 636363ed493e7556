# Type stubs of the color_palettes package. Defaults are `...`: they come from the Rust
# library at import time (request::PARAMS), and help(color_palettes.extract) shows them.
import os
from collections.abc import Sequence
from typing import Any, Iterator, NamedTuple, Optional, Union, overload

import numpy as np
import numpy.typing as npt
from PIL.Image import Image

__version__: str
PARAMS: dict[str, tuple[str, Any]]
FIGURE_WIDTH: int

Source = Union[str, os.PathLike[str], bytes, bytearray, memoryview, Image, npt.NDArray[np.uint8]]

class Crop(NamedTuple):
    x: int
    y: int
    width: int
    height: int

class Swatch:
    hex: str
    rgb: tuple[int, int, int]
    proportion: float
    def __init__(self, hex: str, rgb: tuple[int, int, int], proportion: float) -> None: ...

class Palette(Sequence[Swatch]):
    k: int
    method: str
    space: str
    crop: Optional[Crop]
    @property
    def name(self) -> str: ...
    @property
    def hex(self) -> list[str]: ...
    @overload
    def __getitem__(self, index: int) -> Swatch: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Swatch, ...]: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Swatch]: ...
    def to_json(self) -> str: ...
    def to_hex(self) -> str: ...
    def to_gpl(self, name: Optional[str] = ...) -> str: ...
    def to_ase(self, name: Optional[str] = ...) -> bytes: ...
    def to_css(self, name: Optional[str] = ...) -> str: ...
    def to_png(self, width: int = ...) -> bytes: ...
    def to_svg(self, width: int = ...) -> str: ...
    def to_numpy(self) -> npt.NDArray[np.uint8]: ...
    def _repr_png_(self) -> bytes: ...
    def _repr_html_(self) -> str: ...

class Comparison(list[Palette]):
    crop: Optional[Crop]
    def to_json(self) -> str: ...
    def to_png(self, width: int = ...) -> bytes: ...
    def to_svg(self, width: int = ...) -> str: ...
    def _repr_png_(self) -> bytes: ...

class Scene:
    start_s: float
    end_s: float
    start_frame: Optional[int]
    end_frame: Optional[int]
    palette: Palette

class Film:
    source: str
    duration_s: float
    frames_sampled: int
    sampling: str
    warnings: list[str]
    crop: Optional[Crop]
    palette: Palette
    scenes: Optional[list[Scene]]
    barcode_style: Optional[str]
    def to_json(self) -> str: ...
    def barcode_png(self) -> bytes: ...
    def barcode_svg(self) -> str: ...
    def to_png(self, width: int = ...) -> bytes: ...
    def _repr_png_(self) -> bytes: ...

def extract(
    source: Source,
    k: int = ...,
    method: str = ...,
    space: str = ...,
    min_brightness: float = ...,
    max_brightness: float = ...,
    order: str = ...,
    seed: int = ...,
    crop: bool = ...,
    threads: int = ...,
) -> Palette: ...
def compare(
    source: Source,
    k: int = ...,
    min_brightness: float = ...,
    max_brightness: float = ...,
    order: str = ...,
    seed: int = ...,
    crop: bool = ...,
    threads: int = ...,
) -> Comparison: ...
def film(
    path_or_paths: Union[str, os.PathLike[str], Sequence[Union[str, os.PathLike[str]]]],
    every: Optional[float] = ...,
    frames: Optional[int] = ...,
    scenes: bool = ...,
    crop: bool = ...,
    k: int = ...,
    method: str = ...,
    space: str = ...,
    min_brightness: float = ...,
    max_brightness: float = ...,
    seed: int = ...,
    threads: int = ...,
    barcode: Optional[str] = ...,
    cut_threshold: float = ...,
    min_scene: float = ...,
    time_limit: Optional[float] = ...,
    sampling: str = ...,
) -> Film: ...
def film_line(
    path: Union[str, os.PathLike[str]],
    every: Optional[float] = ...,
    frames: Optional[int] = ...,
    scenes: bool = ...,
    crop: bool = ...,
    k: int = ...,
    method: str = ...,
    space: str = ...,
    min_brightness: float = ...,
    max_brightness: float = ...,
    seed: int = ...,
    threads: int = ...,
    barcode: Optional[str] = ...,
    cut_threshold: float = ...,
    min_scene: float = ...,
    time_limit: Optional[float] = ...,
    sampling: str = ...,
) -> str: ...

def sample_clip() -> str: ...
