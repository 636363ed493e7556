"""The README's Ray Data recipe, run as it stands on a local Ray cluster over a folder of
films made here, against `color-palettes films` on the same folder: the same lines, in the
same order, byte for byte (a film that cannot be read included)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import ray  # no skip: a missing Ray fails the test (requirements-test.txt has it)

README = Path(__file__).resolve().parents[2] / "README.md"
MARKER = "<!-- tested: python/tests/test_ray.py -->"


def recipe() -> str:
    """The Python block that follows the marker in the README."""
    text = README.read_text(encoding="utf-8")
    found = re.search(re.escape(MARKER) + r"\s*```python\n(.*?)```", text, re.S)
    assert found, f"README.md has no python block after {MARKER}"
    return found.group(1)


@pytest.fixture(scope="module")
def folder(ffmpeg, tmp_path_factory):
    """Three short films with cuts, and a file that is not a video."""
    folder = tmp_path_factory.mktemp("ray-films")
    colours = [("red", "blue"), ("green", "yellow"), ("white", "purple")]
    for i, (first, second) in enumerate(colours):
        subprocess.run(
            [
                ffmpeg, "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", f"color={first}:s=64x48:d=2:r=10",
                "-f", "lavfi", "-i", f"color={second}:s=64x48:d=2:r=10",
                "-filter_complex", "[0:v][1:v]concat=n=2:v=1[v]", "-map", "[v]",
                "-pix_fmt", "yuv420p", "-c:v", "libx264", str(folder / f"film{i}.mp4"),
            ],
            check=True,
            timeout=120,
        )
    (folder / "broken.mp4").write_bytes(b"not a video at all")
    return folder


def test_the_readme_recipe_on_ray_gives_the_lines_of_films(cli_bin, folder, tmp_path):
    out = tmp_path / "films.jsonl"
    run = subprocess.run(
        [str(cli_bin), "films", str(folder), "--out", str(out), "--scenes"],
        capture_output=True,
        timeout=300,
    )
    # `films` lists a folder's films in name order, as the recipe is given them here.
    films = sorted(str(p) for p in folder.iterdir())
    expected = out.read_text(encoding="utf-8").splitlines()
    assert len(expected) == len(films) == 4, run.stderr.decode()
    assert sum('"error"' in line for line in expected) == 1

    namespace: dict = {}
    exec(compile(recipe(), str(README), "exec"), namespace)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        lines = namespace["film_palettes"](films)
    finally:
        ray.shutdown()
    assert lines == expected
