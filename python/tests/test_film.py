"""film: a small video made here with FFmpeg, and stills as frames, against the CLI."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from PIL import Image

import color_palettes as cp

from conftest import blobs


@pytest.fixture(scope="module")
def video(ffmpeg, tmp_path_factory):
    """4 s at 10 fps, 64 x 48: 2 s of red, then 2 s of blue, a hard cut between them."""
    path = tmp_path_factory.mktemp("films") / "red-blue.mp4"
    subprocess.run(
        [
            ffmpeg, "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", "color=red:s=64x48:d=2:r=10",
            "-f", "lavfi", "-i", "color=blue:s=64x48:d=2:r=10",
            "-filter_complex", "[0:v][1:v]concat=n=2:v=1[v]", "-map", "[v]",
            "-pix_fmt", "yuv420p", "-c:v", "libx264", str(path),
        ],
        check=True,
        timeout=120,
    )
    return path


@pytest.fixture(scope="module")
def frames(tmp_path_factory):
    """Three stills as a film's frames, one second each."""
    folder = tmp_path_factory.mktemp("frames")
    for i in range(3):
        Image.fromarray(blobs(80, 60, seed=10 + i), "RGB").save(folder / f"frame{i}.png")
    return folder


def test_a_video_gives_the_clis_json(cli, video):
    film = cp.film(video, scenes=True, k=3)
    assert film.to_json() == cli("film", video, "--scenes", "-k", "3").decode()
    data = json.loads(film.to_json())
    assert film.source == str(video) and film.duration_s == data["duration_s"]
    assert film.frames_sampled == data["frames_sampled"]
    assert film.crop is None
    assert [s.hex for s in film.palette] == [c["hex"] for c in data["palette"]["colors"]]
    assert len(film.scenes) == len(data["scenes"]) == 2
    for scene, expected in zip(film.scenes, data["scenes"]):
        assert (scene.start_s, scene.end_s) == (expected["start_s"], expected["end_s"])
        assert (scene.start_frame, scene.end_frame) == (
            expected["start_frame"],
            expected["end_frame"],
        )
        assert json.loads(scene.palette.to_json()) == expected["palette"]
    # The cut to the frame: red is frames 0 to 19 (10 fps), blue from frame 20.
    assert [(s.start_frame, s.end_frame) for s in film.scenes] == [(0, 20), (20, 40)]
    assert film.scenes[1].start_s == 2.0
    assert film.sampling == data["sampling"] == "dense"


def test_the_sampling_mode_is_the_clis(cli, video):
    for mode in ["keys", "seek", "dense"]:
        film = cp.film(video, every=1, scenes=True, k=2, sampling=mode)
        assert film.sampling == mode
        assert film.to_json() == cli(
            "film", video, "--every", "1", "--scenes", "-k", "2", "--sampling", mode
        ).decode()
        assert film.scenes[1].start_frame == 20, mode
    with pytest.raises(ValueError, match='unknown sampling "fast" .expected auto, dense, keys, seek.'):
        cp.film(video, sampling="fast")


def test_a_truncated_video_warns_as_the_cli_does(cli, ffmpeg, video, tmp_path):
    whole = tmp_path / "whole.mp4"
    subprocess.run(
        [
            ffmpeg, "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=160x90:rate=25",
            "-t", "10", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart",
            str(whole),
        ],
        check=True,
        timeout=120,
    )
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 4 // 10])
    film = cp.film(cut)
    assert film.to_json() == cli("film", cut).decode()
    assert film.duration_s < 10 and film.warnings == json.loads(film.to_json())["warnings"]
    assert any("before the 10.0 s its header states" in w for w in film.warnings)
    assert cp.film(video).warnings == []


def test_sampling_and_palette_options(cli, video):
    film = cp.film(str(video), frames=8, method="kmeans", space="rgb", k=2)
    assert film.to_json() == cli(
        "film", video, "--frames", "8", "--method", "kmeans", "--space", "rgb", "-k", "2"
    ).decode()
    assert film.scenes is None
    every = cp.film(video, every=0.5, crop=False)
    assert every.to_json() == cli("film", video, "--every", "0.5", "--no-crop").decode()


def test_the_barcode_and_the_figure_are_the_clis(cli, video, tmp_path):
    film = cp.film(video, scenes=True, barcode="squeeze")
    png, svg, fig = tmp_path / "b.png", tmp_path / "b.svg", tmp_path / "f.png"
    cli("film", video, "--scenes", "--barcode", png, "--barcode-style", "squeeze", "--png", fig)
    cli("film", video, "--scenes", "--barcode", svg, "--barcode-style", "squeeze")
    assert film.barcode_style == "squeeze"
    assert film.barcode_png() == png.read_bytes()
    assert film.barcode_svg() == svg.read_text()
    assert film.to_png() == fig.read_bytes()
    assert film._repr_png_() == film.barcode_png()
    gpl = cli("film", video, "--format", "gpl").decode()
    assert cp.film(video).palette.to_gpl() == gpl
    no_barcode = cp.film(video, barcode=None)
    assert no_barcode.barcode_style is None
    with pytest.raises(ValueError, match="no barcode was made"):
        no_barcode.barcode_png()


def test_stills_as_frames(cli, frames):
    paths = sorted(frames.glob("*.png"))
    assert cp.film(paths, k=4).to_json() == cli("film", *paths, "-k", "4").decode()
    assert cp.film(frames, k=4).to_json() == cli("film", frames, "-k", "4").decode()


def test_bad_film_options_and_input(video, tmp_path):
    with pytest.raises(ValueError, match="^invalid option: frames must be between 1 and 10000 .got 0."):
        cp.film(video, frames=0)
    with pytest.raises(ValueError, match="frames must be between 1 and 10000 .got -3."):
        cp.film(video, frames=-3)
    with pytest.raises(ValueError, match="every must be at least 0.001 seconds"):
        cp.film(video, every=0)
    with pytest.raises(ValueError, match="give one"):
        cp.film(video, every=1, frames=2)
    with pytest.raises(ValueError, match='unknown barcode style "stripes"'):
        cp.film(video, barcode="stripes")
    with pytest.raises(ValueError, match="k must be between 1 and 32"):
        cp.film(video, k=33)
    notes = tmp_path / "notes.txt"
    notes.write_text("not a video")
    with pytest.raises(OSError):
        cp.film(notes)


def test_the_sample_clip_is_found_where_the_notebooks_find_it():
    clip = cp.sample_clip()
    assert clip.endswith("Big_Buck_Bunny_clip.mp4")
    assert cp.film(clip, frames=5).frames_sampled == 5


def test_film_line_is_the_films_json_or_its_error_line(video, tmp_path):
    # A line: the film's JSON without the newline `to_json()` ends with (as the CLI prints
    # it), and the file it is of (how `films` knows a film again, however it is spelled).
    text = cp.film_line(video)
    film_json = cp.film(video).to_json().rstrip("\n")
    assert text.startswith(film_json[:-1] + ',"file":{')
    file = json.loads(text)["file"]
    stat = os.stat(video)
    assert file == {
        "bytes": stat.st_size,
        "modified_ns": stat.st_mtime_ns,
        "path": os.path.realpath(video),
    }
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video")
    line = json.loads(cp.film_line(broken))
    assert line["source"] == str(broken) and line["error"]
    assert line["file"]["path"] == os.path.realpath(broken)
    with pytest.raises(ValueError, match="k must be"):
        cp.film_line(video, k=0)


def test_a_film_past_its_time_limit_raises_and_is_an_error_line(cli, video, tmp_path):
    import os
    import time

    for bad in (0, -1, float("inf"), float("nan"), 86401):
        with pytest.raises(ValueError, match="time_limit must be more than 0 and at most 86400"):
            cp.film(video, time_limit=bad)
    assert "time_limit" in cp.film.__doc__ and "600 s plus" in cp.film.__doc__
    assert cp.film(video, time_limit=60).to_json() == cli("film", video, "--time-limit", "60").decode()
    # A named pipe no one writes to: FFmpeg waits on it for ever (a probe that hangs).
    stalled = tmp_path / "stalled.mkv"
    os.mkfifo(stalled)
    start = time.monotonic()
    with pytest.raises(OSError, match="stalled.mkv: took longer than the time limit of 0.5 s$"):
        cp.film(stalled, time_limit=0.5)
    line = json.loads(cp.film_line(stalled, time_limit=0.5))
    assert line["error"].endswith("took longer than the time limit of 0.5 s")
    assert time.monotonic() - start < 10
