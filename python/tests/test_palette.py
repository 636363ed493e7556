"""extract and compare: every source kind, every format, and the CLI's bytes for the same
still and options."""

from __future__ import annotations

import io
import json
import pathlib
from collections.abc import Sequence

import numpy as np
import pytest
from PIL import Image

import color_palettes as cp

from conftest import blobs

FORMATS = ["json", "hex", "gpl", "ase", "css", "png", "svg"]


def cli_json(cli, *args) -> str:
    return cli("extract", *args, "--format", "json").decode()


# --- every source kind ---------------------------------------------------------------


def test_a_path_as_str_and_as_pathlib(cli, still_png):
    expected = cli_json(cli, still_png)
    assert cp.extract(str(still_png)).to_json() == expected
    assert cp.extract(pathlib.Path(still_png)).to_json() == expected


def test_a_url_from_a_loopback_server(cli, http_root):
    url = f"{http_root}/letterboxed.png"
    palette = cp.extract(url, k=5)
    assert palette.to_json() == cli_json(cli, url, "-k", "5")
    assert palette.name == "letterboxed (accent-aware, LAB, k=5)"


def test_a_sample_name(cli, stills_dir):
    palette = cp.extract("El_Fuente", k=6, method="kmeans", space="rgb")
    assert palette.to_json() == cli_json(
        cli, "El_Fuente", "-k", "6", "--method", "kmeans", "--space", "rgb"
    )
    assert palette.name == "El_Fuente (k-means, RGB, k=6)"
    # An os.PathLike is always a file, never a sample's name.
    with pytest.raises(FileNotFoundError, match="cannot read El_Fuente"):
        cp.extract(pathlib.Path("El_Fuente"))


def test_bytes_bytearray_and_memoryview(cli, still_png):
    expected = cli_json(cli, still_png)
    data = still_png.read_bytes()
    for value in (data, bytearray(data), memoryview(data)):
        assert cp.extract(value).to_json() == expected


def test_pil_images_rgb_rgba_and_other_modes(cli, still_png, still_rgba_png):
    assert cp.extract(Image.open(still_png)).to_json() == cli_json(cli, still_png)
    # Transparent pixels take no part: the alpha survives the conversion.
    rgba = Image.open(still_rgba_png)
    assert rgba.mode == "RGBA"
    assert cp.extract(rgba).to_json() == cli_json(cli, still_rgba_png)
    # A palette image is converted to RGB first, as the library's decoder does.
    p_png = still_png.with_name("palette-mode.png")
    Image.open(still_png).convert("P").save(p_png)
    assert cp.extract(Image.open(p_png)).to_json() == cli_json(cli, p_png)


def test_numpy_rgb_and_rgba_arrays(cli, still_rgb, still_png, still_rgba, still_rgba_png):
    assert cp.extract(still_rgb).to_json() == cli_json(cli, still_png)
    assert cp.extract(still_rgba).to_json() == cli_json(cli, still_rgba_png)


def test_a_contiguous_array_is_read_in_place_and_a_strided_one_copied_first(
    cli, tmp_path, still_rgb, monkeypatch
):
    calls = []
    real = np.ascontiguousarray

    def counting(a, *args, **kwargs):
        calls.append(a.shape)
        return real(a, *args, **kwargs)

    monkeypatch.setattr(np, "ascontiguousarray", counting)
    cp.extract(still_rgb)
    assert calls == [], "a C-contiguous array must not be copied"
    flipped = still_rgb[:, ::-1]
    assert not flipped.flags.c_contiguous
    path = tmp_path / "flipped.png"
    Image.fromarray(real(flipped), "RGB").save(path)
    assert cp.extract(flipped).to_json() == cli_json(cli, path)
    assert calls == [flipped.shape]
    # A channel-sliced view (every other column) too.
    every_other = still_rgb[:, ::2]
    Image.fromarray(real(every_other), "RGB").save(path)
    assert cp.extract(every_other).to_json() == cli_json(cli, path)


# --- options and formats -------------------------------------------------------------

OPTION_SETS = [
    ({}, []),
    (
        {"k": 5, "method": "accent", "space": "hsv", "order": "hue", "seed": 3},
        ["-k", "5", "--method", "accent", "--space", "hsv", "--order", "hue", "--seed", "3"],
    ),
    (
        {"method": "agglomerative", "min_brightness": 0.1, "max_brightness": 0.9, "crop": False},
        ["--method", "agglomerative", "--min-brightness", "0.1", "--max-brightness", "0.9", "--no-crop"],
    ),
    ({"k": 3, "order": "lightness", "method": "kmeans"}, ["-k", "3", "--order", "lightness", "--method", "kmeans"]),
]


@pytest.mark.parametrize("kwargs,flags", OPTION_SETS)
def test_options_give_the_clis_json(cli, still_png, kwargs, flags):
    assert cp.extract(still_png, **kwargs).to_json() == cli_json(cli, still_png, *flags)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_is_the_clis(cli, still_png, fmt):
    palette = cp.extract(still_png, k=5)
    expected = cli("extract", still_png, "-k", "5", "--format", fmt)
    got = {
        "json": lambda: palette.to_json().encode(),
        "hex": lambda: palette.to_hex().encode(),
        "gpl": lambda: palette.to_gpl().encode(),
        "ase": palette.to_ase,
        "css": lambda: palette.to_css().encode(),
        "png": palette.to_png,
        "svg": lambda: palette.to_svg().encode(),
    }[fmt]()
    assert got == expected


def test_a_figure_of_another_width_is_the_clis(cli, still_png):
    palette = cp.extract(still_png)
    assert palette.to_png(width=600) == cli(
        "extract", still_png, "--format", "png", "--width", "600"
    )
    assert palette.to_svg(width=400).encode() == cli(
        "extract", still_png, "--format", "svg", "--width", "400"
    )


def test_palette_files_take_a_name(still_png):
    palette = cp.extract(still_png, k=4)
    assert palette.to_gpl().startswith(f"GIMP Palette\nName: {palette.name}\n")
    assert palette.to_gpl(name="my still").startswith("GIMP Palette\nName: my still\n")
    assert palette.to_css(name="my still").startswith("/* my still */\n:root {\n")
    ase = palette.to_ase(name="my still")
    assert ase[:4] == b"ASEF" and "my still".encode("utf-16-be") in ase


def test_a_palette_is_a_sequence_of_swatches(still_png):
    palette = cp.extract(still_png, k=5)
    data = json.loads(palette.to_json())
    assert isinstance(palette, Sequence)
    assert (palette.k, palette.method, palette.space) == (5, "accent", "lab")
    assert len(palette) == len(data["colors"]) == 5
    for swatch, expected in zip(palette, data["colors"]):
        assert swatch.hex == expected["hex"]
        assert swatch.rgb == tuple(expected["rgb"])
        assert round(swatch.proportion, 6) == expected["proportion"]
    assert palette[-1] == palette[4] and palette[1:3] == tuple(palette)[1:3]
    assert palette.hex == [c["hex"] for c in data["colors"]]
    assert abs(sum(s.proportion for s in palette) - 1) < 1e-9
    with pytest.raises(IndexError):
        palette[5]
    # The bars were cut: the picture inside them is 240 x 120 at (0, 20).
    assert palette.crop == cp.Crop(0, 20, 240, 120)
    assert cp.extract(still_png, crop=False).crop is None
    assert cp.extract(still_png, k=5) == palette


def test_to_numpy_and_the_notebook_display(still_png):
    palette = cp.extract(still_png, k=5)
    array = palette.to_numpy()
    assert array.dtype == np.uint8 and array.shape == (5, 3)
    assert [tuple(int(v) for v in row) for row in array] == [s.rgb for s in palette]
    png = palette._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert Image.open(io.BytesIO(png)).width == cp.FIGURE_WIDTH
    html = palette._repr_html_()
    assert html.startswith('<img src="data:image/png;base64,') and palette[0].hex in html


def test_defaults_are_the_librarys():
    import inspect

    params = inspect.signature(cp.extract).parameters
    for name, (_help, default) in cp.PARAMS.items():
        if name in params:
            assert params[name].default == default, name
    assert params["k"].default == 8 and params["method"].default == "accent"
    assert cp.PARAMS["k"][0] in cp.extract.__doc__


# --- compare ---------------------------------------------------------------------------


def test_compare_gives_the_clis_four_palettes_and_figure(cli, tmp_path, still_png):
    comparison = cp.compare(still_png, k=5)
    assert isinstance(comparison, list) and len(comparison) == 4
    assert [(p.method, p.space) for p in comparison] == [
        ("kmeans", "rgb"),
        ("kmeans", "hsv"),
        ("agglomerative", "rgb"),
        ("agglomerative", "hsv"),
    ]
    png, svg = tmp_path / "c.png", tmp_path / "c.svg"
    expected = cli("compare", still_png, "-k", "5", "--json", "--png", png, "--svg", svg)
    assert comparison.to_json() == expected.decode()
    assert comparison.to_png() == png.read_bytes()
    assert comparison.to_svg() == svg.read_text()
    assert json.loads(comparison.to_json())["palettes"][2] == json.loads(comparison[2].to_json())
    assert comparison._repr_png_()[:4] == b"\x89PNG"


def test_compare_options(cli, stills_dir):
    comparison = cp.compare("Sintel_0016", k=4, order="share", seed=2, crop=False)
    expected = cli(
        "compare", "Sintel_0016", "-k", "4", "--order", "share", "--seed", "2", "--no-crop", "--json"
    )
    assert comparison.to_json() == expected.decode()


# --- errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"k": 40}, "invalid option: k must be between 1 and 32 (got 40)"),
        ({"k": 0}, "invalid option: k must be between 1 and 32 (got 0)"),
        ({"k": -1}, 'invalid option: k must be a whole number from 1 to 32 (got "-1")'),
        ({"k": 2.5}, 'invalid option: k must be a whole number from 1 to 32 (got "2.5")'),
        ({"method": "dbscan"}, 'invalid option: unknown method "dbscan"'),
        ({"space": "cmyk"}, 'invalid option: unknown space "cmyk"'),
        ({"order": "matched"}, 'invalid option: order "matched" lines strips up'),
        ({"min_brightness": 0.8, "max_brightness": 0.2}, "invalid option: "),
        ({"min_brightness": float("nan")}, "invalid option: min_brightness must be a number from 0 to 1"),
    ],
)
def test_bad_options_raise_value_error_with_the_librarys_message(still_png, kwargs, message):
    with pytest.raises(ValueError) as error:
        cp.extract(still_png, **kwargs)
    assert str(error.value).startswith(message), str(error.value)


def test_no_pixels_left_is_a_value_error(still_png):
    with pytest.raises(ValueError, match="no pixels to cluster"):
        cp.extract(still_png, min_brightness=1.0, crop=False)


def test_a_bad_figure_width_is_a_value_error(still_png):
    palette = cp.extract(still_png)
    with pytest.raises(ValueError, match="width must be between 200 and 4000 pixels"):
        palette.to_png(width=50)


def test_unreadable_input_raises_os_error(tmp_path):
    missing = tmp_path / "no-such-still.png"
    with pytest.raises(FileNotFoundError, match="cannot read .*no-such-still.png"):
        cp.extract(missing)
    with pytest.raises(FileNotFoundError):
        cp.extract(str(missing))
    notes = tmp_path / "notes.txt"
    notes.write_text("not an image")
    with pytest.raises(OSError, match="^not a readable image: unrecognised format"):
        cp.extract(notes)
    with pytest.raises(OSError, match="^not a readable image"):
        cp.extract(b"\x89PNG\r\n\x1a\n truncated")
    with pytest.raises(IsADirectoryError):
        cp.extract(tmp_path)


def test_bad_arrays_and_sources(still_rgb):
    with pytest.raises(ValueError, match="dtype uint8"):
        cp.extract(still_rgb.astype(np.float32))
    with pytest.raises(ValueError, match=r"shape \(H, W, 3\) or \(H, W, 4\)"):
        cp.extract(still_rgb[:, :, :2])
    with pytest.raises(ValueError, match=r"shape \(H, W, 3\) or \(H, W, 4\)"):
        cp.extract(still_rgb[:, :, 0])
    with pytest.raises(OSError, match="empty image"):
        cp.extract(np.zeros((0, 4, 3), np.uint8))
    with pytest.raises(TypeError, match="source must be"):
        cp.extract(42)


def test_a_bad_option_is_refused_before_the_source_is_read(tmp_path):
    with pytest.raises(ValueError, match="k must be"):
        cp.extract(tmp_path / "missing.png", k=99)


def test_a_synthetic_array_of_known_colours():
    flat = np.zeros((40, 60, 3), np.uint8)
    flat[:, :45] = (250, 10, 10)
    flat[:, 45:] = (10, 10, 250)
    palette = cp.extract(flat, k=3, crop=False)
    assert [(s.hex, s.proportion) for s in palette] == [("#fa0a0a", 0.75), ("#0a0afa", 0.25)]
    assert len(cp.extract(blobs(50, 30), k=4)) == 4
