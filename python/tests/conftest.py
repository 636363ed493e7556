"""Fixtures of the package's tests: the CLI binary they compare with, the sample stills,
synthetic stills made here, and a loopback HTTP server.

Nothing is skipped: a missing binary, stills folder or FFmpeg fails the test, saying what is
missing (scripts/test.sh sets COLOR_PALETTES_BIN and COLOR_PALETTES_DATA).
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image


def _env_path(name: str, what: str) -> Path:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: it must name {what} (scripts/test.sh sets it)")
    path = Path(value)
    if not path.exists():
        pytest.fail(f"{name}={value}: no such {what}")
    return path


@pytest.fixture(scope="session")
def cli_bin() -> Path:
    """The `color-palettes` binary (cargo build --features cli) the package must equal."""
    return _env_path("COLOR_PALETTES_BIN", "the color-palettes binary")


@pytest.fixture(scope="session")
def cli(cli_bin):
    """Runs the CLI and returns its standard output (bytes); a failure fails the test."""

    def run(*args: object) -> bytes:
        out = subprocess.run(
            [str(cli_bin), *map(str, args)], capture_output=True, timeout=300
        )
        assert out.returncode == 0, f"color-palettes {args}: {out.stderr.decode()}"
        return out.stdout

    return run


@pytest.fixture(scope="session")
def stills_dir() -> Path:
    """The sample stills (never copied into the repository)."""
    path = _env_path("COLOR_PALETTES_DATA", "the folder of the sample stills")
    if not (path / "El_Fuente.png").exists():
        pytest.fail(f"COLOR_PALETTES_DATA={path} has no El_Fuente.png")
    return path


@pytest.fixture(scope="session")
def ffmpeg() -> str:
    found = shutil.which("ffmpeg")
    if not found or not shutil.which("ffprobe"):
        pytest.fail("ffmpeg and ffprobe are needed for the film tests (apt-get install ffmpeg)")
    return found


def blobs(width: int, height: int, seed: int = 1, bars: int = 0) -> np.ndarray:
    """A still of noisy blobs (hundreds of colours, so every method really clusters), with
    black bars of `bars` rows at the top and bottom."""
    rng = np.random.default_rng(seed)
    centres = np.array(
        [[200, 60, 40], [40, 90, 200], [230, 210, 90], [60, 160, 80], [120, 50, 140]],
        dtype=np.int16,
    )
    y, x = np.mgrid[0:height, 0:width]
    region = ((x * 5) // width + (y * 2) // height * 2) % len(centres)
    noise = rng.integers(-18, 19, size=(height, width, 3), dtype=np.int16)
    pixels = np.clip(centres[region] + noise, 0, 255).astype(np.uint8)
    if bars:
        pixels[:bars] = 0
        pixels[-bars:] = 0
    return pixels


@pytest.fixture(scope="session")
def still_rgb() -> np.ndarray:
    """A 240 x 160 letterboxed still (20-row bars), as an (H, W, 3) array."""
    return blobs(240, 160, bars=20)


@pytest.fixture(scope="session")
def still_png(tmp_path_factory, still_rgb) -> Path:
    path = tmp_path_factory.mktemp("stills") / "letterboxed.png"
    Image.fromarray(still_rgb, "RGB").save(path)
    return path


@pytest.fixture(scope="session")
def still_rgba() -> np.ndarray:
    """The blobs with a transparent left quarter and a half-transparent band."""
    rgba = np.dstack([blobs(200, 120, seed=2), np.full((120, 200), 255, np.uint8)])
    rgba[:, :50, 3] = 0
    rgba[:10, :, 3] = 100
    return rgba


@pytest.fixture(scope="session")
def still_rgba_png(tmp_path_factory, still_rgba) -> Path:
    path = tmp_path_factory.mktemp("stills") / "transparent.png"
    Image.fromarray(still_rgba, "RGBA").save(path)
    return path


@pytest.fixture(scope="session")
def http_root(tmp_path_factory, still_png):
    """A loopback HTTP server serving a folder with the letterboxed still; yields its URL."""
    root = tmp_path_factory.mktemp("www")
    shutil.copy(still_png, root / "letterboxed.png")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
