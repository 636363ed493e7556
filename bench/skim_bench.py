#!/usr/bin/env python3
"""Skim benchmark (issue 22 item 5): `film --sampling keys` against `--sampling dense`, FFmpeg's
bare decode, PySceneDetect and movie-barcodes, on a synthetic two-hour 1080p H.264 film.

    python3 bench/skim_bench.py --scenedetect VENV --movie-barcodes VENV   # the 2-hour run
    python3 bench/skim_bench.py --minutes 6 --skip peers                   # a smoke test
    python3 bench/skim_bench.py --build-only                               # make the film only

The film is cheap to make: six segments of 32-38 s are encoded once with FFmpeg from the
sample stills (1920x1080, 24 fps, libx264 preset veryfast, crf 23, yuv420p, a key frame every
48 frames and `scenecut=0`, so no key frame falls on a cut inside a segment; a slow zoom or pan
on each still, temporal film grain), each holding three stills with two hard cuts at frames
that are not key frames. Copies of the segments are then joined in a varied order with the
concat demuxer (`-c copy`, no re-encoding) until the film is --minutes long (a last, shorter
segment is encoded for the remainder, so the length is exact). Every cut is known to its frame:
`FILM.truth.json` beside the film holds each one's 0-based frame (the first frame of the new
shot) and time, inside segments and at the joins (joins between two different stills; the
order never joins a still to itself). The frame count is checked with ffprobe
(`-count_packets`), and each segment's key frames with ffprobe's packet flags. The film is kept
under target/bench-skim/ (not committed) and reused while its truth file matches the recipe.

Then, one after the other in one run, each timed with /usr/bin/time (wall, CPU, peak RSS):

  bare         `ffmpeg -i FILM -f null -` (FFmpeg's bare decode: the floor of the dense mode);
  dense        `color-palettes film FILM --sampling dense --scenes --barcode dense.png`;
  skim         `color-palettes film FILM --sampling keys --barcode skim.png` (palette and
               barcode, no scenes: the "at most 60 s for two hours" figure);
  skim-scenes  the same with `--scenes`, for the cuts;
  fifth        the dense run on the film's first fifth (whole segments), for memory;
  scenedetect  `scenedetect -i FILM detect-content list-scenes -n` (PySceneDetect 0.7.2);
  movie-barcodes  `movie-barcodes -i FILM -d OUT.png` (its defaults).

--skip NAME,... leaves runs out (`peers` = scenedetect and movie-barcodes). A build of
color-palettes without `--sampling` runs its only mode (every frame decoded, i.e. dense) for
dense and fifth, and leaves the skim runs out, saying so.

Compared: the skim palette with the dense palette (mean and largest CIEDE2000 after an optimal
one-to-one matching of the swatches); the skim barcode with the dense one (for every pixel
column of the skim barcode, the CIEDE2000 to the dense barcode's column at the same time, over
four rows of the strip; white cut marks are stepped over); the cuts of skim,
dense and PySceneDetect with the truth (found at the exact frame, within one frame, within one
second, one to one, and detections that match none). Standard library only (CIEDE2000 is
computed here; the PNGs are read through FFmpeg as raw RGB).

Prints a Markdown section (ratios to the bare decode) and writes it to bench/out/skim.md;
a run of the full two hours with every run also writes bench/SKIM_RESULTS.md and its section
of BENCHMARKS.md (--publish forces that, --publish-only republishes the last table).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from film_bench import matched, timed, tool  # noqa: E402

ROOT = common.REPO
FPS = 24
KEYINT = 48  # a key frame every 2 s
W, H = 1920, 1080
ENCODE = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-g", str(KEYINT),
          "-keyint_min", str(KEYINT), "-x264-params", "scenecut=0", "-pix_fmt", "yuv420p"]
GRAIN = "noise=alls=4:allf=t"
# Six segments of three shots each: (still, frames, motion). Every cut inside a segment falls
# off the key frames (its frame mod 48 is not 0; checked in `segments`).
SEGMENTS = [
    [("El_Fuente", 229, "zoom-in"), ("Sintel_0016", 310, "pan-right"), ("Chimera", 253, "zoom-out")],
    [("Meridian", 181, "pan-down"), ("Sparks", 420, "zoom-in"), ("Sol_Levante", 277, "pan-left")],
    [("Sintel_0025", 133, "zoom-out"), ("El_Fuente", 371, "pan-down"), ("Meridian", 307, "zoom-in")],
    [("Chimera", 277, "pan-right"), ("Sol_Levante", 229, "zoom-out"), ("Sintel_0016", 398, "pan-down")],
    [("Sparks", 350, "pan-left"), ("Sintel_0025", 181, "zoom-in"), ("El_Fuente", 235, "pan-right")],
    [("Sol_Levante", 205, "zoom-in"), ("Chimera", 324, "pan-left"), ("Sparks", 279, "zoom-out")],
]
RUNS = ("bare", "dense", "skim", "skim-scenes", "fifth", "scenedetect", "movie-barcodes")
ALIASES = {"peers": ("scenedetect", "movie-barcodes"), "dense": ("dense", "fifth"),
           "skim": ("skim", "skim-scenes")}
# The barcode figure's layout (src/film/barcode.rs): a 12-pixel margin, 8 pixels of cut marks
# above the 240-pixel strip; the strip is n * ceil(1000 / n) pixels wide for n columns, each
# column over the time its frame stands for, linearly from 0 to the film's duration.
MARGIN, MARK_H, STRIP_H = 12, 8, 240


# ---------------------------------------------------------------------------------------------
# The film


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


def motion(kind: str, frames: int) -> str:
    """A slow zoom (12% over the shot) or pan (10% of the picture) as a filter chain on a still."""
    n = max(frames - 1, 1)
    if kind.startswith("zoom"):
        z = f"1+0.12*on/{n}" if kind == "zoom-in" else f"1.12-0.12*on/{n}"
        return (f"scale={W}:{H}:force_original_aspect_ratio=increase,crop={W}:{H},"
                f"loop=loop={frames - 1}:size=1:start=0,settb=1/{FPS},setpts=N/{FPS}/TB,"
                f"zoompan=z='{z}':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d=1:s={W}x{H}:fps={FPS}")
    bw, bh = W * 11 // 10 // 2 * 2, H * 11 // 10 // 2 * 2
    dx, dy = bw - W, bh - H
    x, y = {"pan-right": (f"n*{dx}/{n}", f"{dy // 2}"), "pan-left": (f"{dx}-n*{dx}/{n}", f"{dy // 2}"),
            "pan-down": (f"{dx // 2}", f"n*{dy}/{n}")}[kind]
    return (f"scale={bw}:{bh}:force_original_aspect_ratio=increase,crop={bw}:{bh},"
            f"loop=loop={frames - 1}:size=1:start=0,settb=1/{FPS},setpts=N/{FPS}/TB,crop={W}:{H}:x='{x}':y='{y}'")


def segments() -> list[list[tuple[str, int, str]]]:
    for shots in SEGMENTS:
        at = 0
        for _, frames, _ in shots[:-1]:
            at += frames
            assert at % KEYINT != 0, f"cut at frame {at} of a segment falls on a key frame"
        assert shots[0][0] != shots[-1][0], "a segment repeated must not join a still to itself"
    return SEGMENTS


def segment_graph(shots: list[tuple[str, int, str]]) -> str:
    """The filter graph of one segment: each still in motion, the shots joined, grain."""
    graph = [f"[{i}:v]{motion(kind, frames)},setsar=1,format=yuv420p[v{i}]"
             for i, (_, frames, kind) in enumerate(shots)]
    graph.append("".join(f"[v{i}]" for i in range(len(shots)))
                 + f"concat=n={len(shots)}:v=1:a=0,settb=1/{FPS},setpts=N/{FPS}/TB,{GRAIN},format=yuv420p[out]")
    return ";".join(graph)


def encode_segment(shots: list[tuple[str, int, str]], out: Path) -> None:
    inputs = [a for name, _, _ in shots for a in ("-i", str(still_path(name)))]
    total = sum(f for _, f, _ in shots)
    part = out.with_suffix(".part.mp4")
    ffmpeg(*inputs, "-filter_complex", segment_graph(shots), "-map", "[out]", "-r", str(FPS),
           "-frames:v", str(total), *ENCODE, "-an", str(part))
    check_keys(part, total)
    part.replace(out)


def still_path(name: str) -> Path:
    data = common.data_dir()
    for ext in (".png", ".jpg", ".jpeg"):
        if (data / (name + ext)).exists():
            return data / (name + ext)
    raise SystemExit(f"{name} not found in {data}")


def check_keys(path: Path, frames: int) -> None:
    """The segment has `frames` frames and its key frames are exactly every KEYINT frames."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "packet=pts_time,flags", "-of", "csv=p=0", str(path)],
                         capture_output=True, text=True, check=True).stdout.split()
    pts = sorted((float(t), "K" in f) for t, f in (line.split(",")[:2] for line in out))
    start = pts[0][0]
    keys = [round((t - start) * FPS) for t, k in pts if k]
    if len(pts) != frames or keys != list(range(0, frames, KEYINT)):
        raise SystemExit(f"{path}: {len(pts)} frames (want {frames}), key frames {keys[:8]}...")


def count_frames(path: Path) -> int:
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets",
                          "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return int(out.strip().split(",")[0])


def plan(minutes: float) -> tuple[list[int], int]:
    """The order of the segment copies (indices; -1 is the tail) and the tail's length in frames:
    a varied order (shuffled rounds, seeded), never joining a still to itself, filling the
    film's length exactly."""
    segs, rng = segments(), random.Random(22)
    target, order, total = round(minutes * 60 * FPS), [], 0
    length = [sum(f for _, f, _ in s) for s in segs]
    while True:
        round_ = list(range(len(segs)))
        rng.shuffle(round_)
        for i in round_:
            if order and segs[order[-1]][-1][0] == segs[i][0][0]:
                continue
            if total + length[i] > target:
                return order, target - total
            order.append(i)
            total += length[i]


def tail_shots(previous: int | None, frames: int) -> list[tuple[str, int, str]]:
    """The last segment: the first `frames` frames of a segment that does not start with the
    previous one's last still (its cuts that fall inside it kept)."""
    for shots in segments():
        if previous is None or shots[0][0] != segments()[previous][-1][0]:
            out, left = [], frames
            for name, n, kind in shots:
                if left <= 0:
                    break
                out.append((name, min(n, left), kind))
                left -= n
            return out
    raise AssertionError


def truth_of(order: list[int], tail: list[tuple[str, int, str]]) -> dict:
    """Every cut's frame and time, and the recipe that makes the film (compared on reuse)."""
    pieces = [segments()[i] for i in order] + ([tail] if tail else [])
    cuts, at, last = [], 0, None
    for shots in pieces:
        for j, (name, frames, _) in enumerate(shots):
            if last is not None and name != last:
                cuts.append({"frame": at, "time_s": round(at / FPS, 6),
                             "kind": "inside" if j else "join"})
            at, last = at + frames, name
    return json.loads(json.dumps({"recipe": {"version": 2, "encode": ENCODE,
                       "graphs": [segment_graph(s) for s in segments()], "segments": segments(),
                       "order": order, "tail": tail},
            "frames": at, "duration_s": at / FPS, "cuts": cuts}))  # as stored: tuples as lists


def make_film(film: Path, minutes: float) -> tuple[dict, dict]:
    """The film and its truth, made once (reused while FILM.truth.json matches); with how long
    making it took (the times of the run that made it, when reused)."""
    order, tail_frames = plan(minutes)
    tail = tail_shots(order[-1] if order else None, tail_frames) if tail_frames else []
    truth = truth_of(order, tail)
    truth_path = film.with_name(film.stem + ".truth.json")
    if film.exists() and truth_path.exists():
        stored = json.loads(truth_path.read_text())
        if {k: v for k, v in stored.items() if k != "build"} == truth:
            return stored, dict(stored["build"], reused=True)
    film.parent.mkdir(parents=True, exist_ok=True)
    film.with_name(f"{film.stem}-fifth.mp4").unlink(missing_ok=True)  # made again from the new film
    build = {"reused": False}
    t0 = time.monotonic()
    seg_dir = film.parent / "segments"
    seg_dir.mkdir(exist_ok=True)
    files = []
    for i, shots in enumerate(segments()):
        files.append(seg_dir / f"segment-{i}.mp4")
    if tail:
        files.append(seg_dir / f"tail-{hashlib.sha1(json.dumps([tail, segment_graph(tail)]).encode()).hexdigest()[:10]}.mp4")
    key = json.dumps([ENCODE, segments(), [segment_graph(s) for s in segments()]])
    stamp = seg_dir / "recipe.json"
    if not stamp.exists() or stamp.read_text() != key:
        for f in seg_dir.glob("*.mp4"):
            f.unlink()
        stamp.write_text(key)
    encoded = 0
    for i, f in enumerate(files):
        if not f.exists():
            shots = segments()[i] if i < len(segments()) else tail
            print(f"  encoding {f.name} ({sum(n for _, n, _ in shots)} frames) ...", flush=True)
            encode_segment(shots, f)
            encoded += sum(n for _, n, _ in shots)
    build["encode_s"] = round(time.monotonic() - t0, 1)
    build["encoded_frames"] = encoded
    t1 = time.monotonic()
    concat(film, [files[i] for i in order] + ([files[-1]] if tail else []))
    build["concat_s"] = round(time.monotonic() - t1, 1)
    t2 = time.monotonic()
    frames = count_frames(film)
    build["count_s"] = round(time.monotonic() - t2, 1)
    if frames != truth["frames"]:
        raise SystemExit(f"{film}: ffprobe counts {frames} frames, the recipe {truth['frames']}")
    build["total_s"] = round(time.monotonic() - t0, 1)
    build["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    truth_path.write_text(json.dumps(dict(truth, build=build), indent=1))
    return truth, build


def concat(out: Path, files: list[Path]) -> None:
    """Joins the segments without re-encoding. Each file's exact duration is given to the concat
    demuxer: without it each join takes the container's rounded duration and the timestamps
    drift (about 0.3 ms a join, 2 frames over two hours), so time would no longer name frames."""
    seconds = {f: count_frames(f) / FPS for f in set(files)}
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as lst:
        lst.write("".join(f"file '{f}'\nduration {seconds[f]:.6f}\n" for f in files))
    part = out.with_suffix(".part.mp4")
    try:
        ffmpeg("-f", "concat", "-safe", "0", "-i", lst.name, "-c", "copy", "-movflags", "+faststart",
               str(part))
    finally:
        os.unlink(lst.name)
    part.replace(out)


def make_fifth(film: Path, truth: dict) -> Path:
    """The film's first fifth, in whole segments (concat again: no cut inside a GOP)."""
    recipe = truth["recipe"]
    seg_dir = film.parent / "segments"
    files, frames = [], 0
    for i in recipe["order"]:
        if frames >= truth["frames"] / 5:
            break
        files.append(seg_dir / f"segment-{i}.mp4")
        frames += sum(n for _, n, _ in recipe["segments"][i])
    short = film.with_name(f"{film.stem}-fifth.mp4")
    stamp = short.with_suffix(".frames")
    if not short.exists() or not stamp.exists() or stamp.read_text() != str(frames):
        concat(short, files)
        stamp.write_text(str(frames))
    return short


# ---------------------------------------------------------------------------------------------
# Colour: sRGB -> CIELAB (D65) and CIEDE2000, as skimage.color computes them


def srgb_to_lab(rgb: tuple[int, int, int] | list[int]) -> tuple[float, float, float]:
    def lin(c: float) -> float:
        c /= 255.0
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(float(c)) for c in rgb)
    x = (0.412453 * r + 0.357580 * g + 0.180423 * b) / 0.95047
    y = 0.212671 * r + 0.715160 * g + 0.072169 * b
    z = (0.019334 * r + 0.119193 * g + 0.950227 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def ciede2000(lab1: tuple[float, float, float], lab2: tuple[float, float, float]) -> float:
    """CIEDE2000 (kL = kC = kH = 1), after Sharma, Wu and Dalal (2005)."""
    L1, a1, b1 = lab1
    L2, a2, b2 = lab2
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar ** 7 / (c_bar ** 7 + 25 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dL, dC = L2 - L1, c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    elif abs(h2p - h1p) <= 180:
        dh = h2p - h1p
    else:
        dh = h2p - h1p - 360 if h2p > h1p else h2p - h1p + 360
    dH = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    Lp, Cp = (L1 + L2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        hp = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hp = (h1p + h2p) / 2
    else:
        hp = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(hp - 30)) + 0.24 * math.cos(math.radians(2 * hp))
         + 0.32 * math.cos(math.radians(3 * hp + 6)) - 0.20 * math.cos(math.radians(4 * hp - 63)))
    sl = 1 + 0.015 * (Lp - 50) ** 2 / math.sqrt(20 + (Lp - 50) ** 2)
    sc, sh = 1 + 0.045 * Cp, 1 + 0.015 * Cp * t
    rt = (-2 * math.sqrt(Cp ** 7 / (Cp ** 7 + 25 ** 7))
          * math.sin(math.radians(60 * math.exp(-(((hp - 275) / 25) ** 2)))))
    return math.sqrt((dL / sl) ** 2 + (dC / sc) ** 2 + (dH / sh) ** 2
                     + rt * (dC / sc) * (dH / sh))


def palette_distance(a: dict, b: dict) -> tuple[float, float]:
    """Mean and largest CIEDE2000 between two palettes' swatches matched one to one (an exact
    minimum-cost assignment; the extra swatches of the longer palette are left out)."""
    la = [srgb_to_lab(c["rgb"]) for c in a["colors"]]
    lb = [srgb_to_lab(c["rgb"]) for c in b["colors"]]
    if not la or not lb:
        return math.nan, math.nan
    if len(la) > len(lb):
        la, lb = lb, la
    cost = [[ciede2000(x, y) for y in lb] for x in la]
    pairs = assignment(cost)
    d = [cost[i][j] for i, j in pairs]
    return sum(d) / len(d), max(d)


def assignment(cost: list[list[float]]) -> list[tuple[int, int]]:
    """Minimum-cost one-to-one assignment of rows to columns (rows <= columns): exact, by
    dynamic programming over the subsets of columns (palettes have at most 32 swatches; beyond
    16 scipy's Hungarian method is used)."""
    n, m = len(cost), len(cost[0]) if cost else 0
    if m > 16:
        from scipy.optimize import linear_sum_assignment  # only for k > 16
        rows, cols = linear_sum_assignment(cost)
        return list(zip(rows.tolist(), cols.tolist()))
    best = {0: (0.0, [])}
    for i in range(n):
        nxt: dict[int, tuple[float, list[int]]] = {}
        for mask, (c, cols) in best.items():
            for j in range(m):
                if not mask >> j & 1:
                    cand = (c + cost[i][j], cols + [j])
                    if mask | 1 << j not in nxt or cand[0] < nxt[mask | 1 << j][0]:
                        nxt[mask | 1 << j] = cand
        best = nxt
    return list(enumerate(min(best.values())[1]))


# ---------------------------------------------------------------------------------------------
# Barcodes and cuts


def png_row(path: Path, y: int) -> list[tuple[int, int, int]]:
    """Row y of a PNG as RGB triples (decoded by FFmpeg)."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-vf", f"crop=iw:1:0:{y}",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         capture_output=True, check=True).stdout
    return [tuple(raw[i:i + 3]) for i in range(0, len(raw), 3)]


def barcode_distance(skim_png: Path, skim_s: float, dense_png: Path, dense_s: float) -> dict:
    """For every pixel column of the skim strip, the CIEDE2000 to the dense strip's column at
    the same time, averaged over four rows of the strip (a dense column under a cut mark, white
    with the mark's red above it, is replaced by its nearest unmarked neighbour)."""
    rows = [MARGIN + MARK_H + STRIP_H * (2 * i + 1) // 8 for i in range(4)]
    skim = [png_row(skim_png, y)[MARGIN:-MARGIN] for y in rows]
    dense = [png_row(dense_png, y)[MARGIN:-MARGIN] for y in rows]
    wd, ws = len(dense[0]), len(skim[0])

    def cut_marks(png: Path, strip: list[list[tuple[int, int, int]]]) -> list[bool]:
        marks = png_row(png, MARGIN + 1)[MARGIN:-MARGIN]
        return [m == (200, 30, 30) and all(r[x] == (255, 255, 255) for r in strip)
                for x, m in enumerate(marks)]

    marked, skim_marked = cut_marks(dense_png, dense), cut_marks(skim_png, skim)

    def unmarked(x: int) -> int:
        for d in (0, 1, -1, 2, -2, 3, -3):
            if 0 <= x + d < wd and not marked[x + d]:
                return x + d
        return x
    lab_cache: dict[tuple[int, int, int], tuple[float, float, float]] = {}

    def lab(c: tuple[int, int, int]) -> tuple[float, float, float]:
        if c not in lab_cache:
            lab_cache[c] = srgb_to_lab(c)
        return lab_cache[c]

    out = []
    for x in range(ws):
        if skim_marked[x]:  # a skim barcode drawn with --scenes: its marks are no columns
            continue
        t = (x + 0.5) / ws * skim_s
        xd = unmarked(min(max(int(t / dense_s * wd), 0), wd - 1))
        out.append(sum(ciede2000(lab(s[x]), lab(d[xd])) for s, d in zip(skim, dense)) / len(rows))
    out.sort()
    return {"columns": len(out), "dense_columns": wd, "mean": sum(out) / len(out),
            "p95": out[min(len(out) - 1, int(0.95 * len(out)))], "max": out[-1],
            "over_5": sum(d > 5 for d in out) / len(out)}


def scene_frames(doc: dict) -> list[int]:
    return [int(s["start_frame"]) if "start_frame" in s else round(s["start_s"] * FPS)
            for s in doc.get("scenes", [])[1:]]


def cut_accuracy(found: list[int], truth: list[int]) -> dict:
    exact, _ = matched(found, truth, 0)
    one, _ = matched(found, truth, 1)
    second, false = matched(found, truth, FPS)
    return {"exact": exact, "within_1_frame": one, "within_1_s": second, "false": false,
            "found": len(found), "true": len(truth)}


def scenedetect_frames(text: str) -> list[int]:
    # list-scenes prints rows "| scene | start frame | HH:MM:SS.mmm | ...": the timecode is
    # the start frame's time, whatever the frame column's base.
    starts = re.findall(r"^\s*\|\s*\d+\s*\|\s*\d+\s*\|\s*(\d+):(\d+):([\d.]+)", text, re.M)
    return [round((int(h) * 3600 + int(m) * 60 + float(s)) * FPS) for h, m, s in starts][1:]


# ---------------------------------------------------------------------------------------------
# Report


def fmt_cuts(a: dict | None) -> str:
    if not a:
        return "-"
    return (f"{a['exact']} / {a['within_1_frame']} / {a['within_1_s']} of {a['true']}"
            f"; {a['false']} false")


def table(r: dict) -> list[str]:
    runs, cmp_, film = r["runs"], r["compare"], r["film"]
    base = runs.get("bare", {}).get("wall")
    labels = {
        "bare": "FFmpeg bare decode: `ffmpeg -i FILM -f null -` (the floor)",
        "dense": "`film --sampling dense --scenes --barcode`",
        "skim": "`film --sampling keys --barcode` (palette + barcode)",
        "skim-scenes": "`film --sampling keys --scenes`",
        "fifth": "`film --sampling dense --scenes`, first fifth of the film",
        "scenedetect": "`scenedetect detect-content list-scenes` (every frame)",
        "movie-barcodes": "`movie-barcodes` (its defaults)",
    }
    cuts = {"dense": cmp_.get("dense_cuts"), "skim-scenes": cmp_.get("skim_cuts"),
            "scenedetect": cmp_.get("scenedetect_cuts")}
    b = film["build"]
    lines = [
        f"Test film: {film['minutes']:g} min ({film['frames']} frames) of 1920x1080 H.264 (libx264 veryfast,"
        f" crf 23, 24 fps, a key frame every {KEYINT} frames, `scenecut=0`, grain), {film['size_mb']:.0f} MB,"
        f" joined by `bench/skim_bench.py` from {len(SEGMENTS)} segments of stills with slow zooms and pans;"
        f" {film['cuts']} hard cuts ({film['cuts_inside']} inside segments, off the key frames;"
        f" {film['cuts'] - film['cuts_inside']} at joins, on key frames). Made in {b['total_s']:.0f} s"
        f" ({b['encode_s']:.0f} s encoding {b['encoded_frames']} frames, {b['concat_s']:.0f} s joining,"
        f" {b['count_s']:.0f} s counting frames){'; reused from ' + b['date'] if b.get('reused') else ''}.",
        "",
        "| run | wall s | ratio to bare decode | CPU s | peak RSS MB | cuts: exact / ±1 frame / ±1 s; false |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for key in RUNS:
        run = runs.get(key)
        if run is None:
            continue
        if "error" in run:
            lines.append(f"| {labels[key]} | n/a | - | - | - | {run['error']} |")
            continue
        ratio = f"{run['wall'] / base:.2f}x" if base else "-"
        lines.append(f"| {labels[key]} | {run['wall']:.1f} | {ratio} | {run['cpu']:.1f} |"
                     f" {run['rss_mb']:.0f} | {fmt_cuts(cuts.get(key))} |")
    lines.append("")
    if "palette" in cmp_:
        p = cmp_["palette"]
        lines.append(f"- Skim palette against the dense palette: mean CIEDE2000 {p['mean']:.2f}"
                     f" (largest {p['max']:.2f}) after one-to-one matching, k = {p['k']}.")
    if "barcode" in cmp_:
        c = cmp_["barcode"]
        lines.append(f"- Skim barcode against the dense barcode ({c['columns']} against"
                     f" {c['dense_columns']} pixel columns, each against the dense column at its time):"
                     f" mean CIEDE2000 {c['mean']:.2f}, p95 {c['p95']:.2f}, largest {c['max']:.2f};"
                     f" {100 * c['over_5']:.1f}% of columns over 5.")
    for note in r.get("notes", []):
        lines.append(f"- {note}")
    return lines


def reading(r: dict) -> list[str]:
    runs, cmp_ = r["runs"], r["compare"]
    ok = lambda k: k in runs and "error" not in runs[k]  # noqa: E731
    minutes = r["film"]["minutes"]
    out = ["How to read it (targets of issue 22):"]
    if ok("skim"):
        scaled = runs["skim"]["wall"] * 120 / minutes
        out.append(f" skim mode's palette and barcode took {runs['skim']['wall']:.1f} s"
                   + (f" (target at most 60 s for two hours: {'met' if scaled <= 60 else 'not met'})"
                      if minutes >= 120 else f" ({scaled:.0f} s scaled to two hours; the target is 60 s)")
                   + ";")
    if "palette" in cmp_:
        out.append(f" its palette is {cmp_['palette']['mean']:.2f} CIEDE2000 from the dense one"
                   f" (target at most 2: {'met' if cmp_['palette']['mean'] <= 2 else 'not met'});")
    if cmp_.get("skim_cuts"):
        c = cmp_["skim_cuts"]
        out.append(f" it found {c['exact']} of {c['true']} cuts at their exact frame"
                   f" (target: every one; {'met' if c['exact'] == c['true'] else 'not met'}),"
                   f" with {c['false']} false;")
    if ok("dense") and ok("bare"):
        ratio = runs["dense"]["wall"] / runs["bare"]["wall"]
        out.append(f" the dense mode took {ratio:.2f}x FFmpeg's bare decode (target at most 1.15x:"
                   f" {'met' if ratio <= 1.15 else 'not met'}).")
    if ok("dense") and ok("fifth"):
        out.append(f" Peak RSS of the dense mode: {runs['dense']['rss_mb']:.0f} MB on the whole film,"
                   f" {runs['fifth']['rss_mb']:.0f} MB on its first fifth (flat in length means about equal).")
    out.append(" The bare decode decodes every frame and does nothing else, so it is the floor of the"
               " dense mode; the skim mode decodes key frames only (one in 48 here) and may beat it."
               " The barcode columns are compared where both barcodes show the same moment, so a skim"
               " column spanning a cut shows its key frame's shot past the cut (the over-5 share);"
               " cuts are matched to the truth one to one, exactly, within one frame and within one"
               " second, and `false` counts detections more than a second from any true cut."
               " PySceneDetect's content detector and movie-barcodes read every frame at full size."
               " One run each on a shared 2-core machine: read the ratios, not the seconds.")
    return ["".join(out)]


def publish(r: dict, binary: Path) -> None:
    versions = "; ".join(
        (subprocess.run(cmd, capture_output=True, text=True).stdout.strip().splitlines() or ["?"])[0]
        for cmd in (["ffmpeg", "-version"], [str(binary), "--version"]))
    body = [
        "Generated by `bench/skim_bench.py`; rerun from the repository root with:",
        "",
        "```sh",
        "python3 -m venv /tmp/mb && /tmp/mb/bin/pip install movie-barcodes==0.5.4",
        "python3 -m venv /tmp/sd && /tmp/sd/bin/pip install scenedetect-headless==0.7.2",
        "cargo build --release --features cli",
        "COLOR_PALETTES_DATA=../shared/data/stills python3 bench/skim_bench.py --movie-barcodes /tmp/mb --scenedetect /tmp/sd",
        "```",
        "",
        "<!-- BEGIN skim -->",
        "## Skimming a two-hour film: `film --sampling keys` against `--sampling dense`, FFmpeg's bare decode, PySceneDetect and movie-barcodes",
        "",
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; machine: nproc {os.cpu_count()},"
        f" shared with other work (load average {os.getloadavg()[0]:.2f} when written); {versions};"
        " one run each, one after the other",
        "",
        *table(r),
        "",
        *reading(r),
        "<!-- END skim -->",
    ]
    common.fold_into_benchmarks(ROOT / "bench" / "SKIM_RESULTS.md", "skim", "\n".join(body) + "\n")


# ---------------------------------------------------------------------------------------------
# Running


def has_sampling(binary: Path) -> bool:
    out = subprocess.run([str(binary), "film", "--help"], capture_output=True, text=True)
    return "--sampling" in out.stdout


def run(name: str, cmd: list[str], **kw) -> dict:
    print(f"{name} ...", flush=True)
    try:
        return timed(cmd, **kw)
    except SystemExit as e:  # timed() stops on a failed command: keep going, say so
        print(f"  {e}", flush=True)
        return {"error": str(e).replace("|", "/").replace("\n", " ")[:200]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=120.0)
    ap.add_argument("--film", type=Path, help="default target/bench-skim/film-MINUTESmin.mp4")
    ap.add_argument("--movie-barcodes", help="virtual environment holding movie-barcodes")
    ap.add_argument("--scenedetect", help="virtual environment holding scenedetect")
    ap.add_argument("--binary", type=Path, default=common.ours_binary())
    ap.add_argument("--skip", default="", help=f"runs to leave out, comma-separated: {', '.join(RUNS)};"
                    " peers = scenedetect,movie-barcodes; dense = dense,fifth; skim = skim,skim-scenes")
    ap.add_argument("--build-only", action="store_true", help="make (or check) the film and stop")
    ap.add_argument("--publish", action="store_true", help="publish even a short or partial run")
    ap.add_argument("--publish-only", action="store_true",
                    help="publish the last run (bench/out/skim.json) without running")
    args = ap.parse_args()
    out = ROOT / "bench" / "out"
    if args.publish_only:
        publish(json.loads((out / "skim.json").read_text()), args.binary)
        return 0
    skip = set()
    for s in filter(None, (x.strip() for x in args.skip.split(","))):
        if s not in RUNS and s not in ALIASES:
            ap.error(f"--skip: unknown run {s!r}")
        skip.update(ALIASES.get(s, (s,)))

    film = args.film or ROOT / "target" / "bench-skim" / f"film-{args.minutes:g}min.mp4"
    print(f"test film: {film} (made once)", flush=True)
    truth, build = make_film(film, args.minutes)
    true_cuts = [c["frame"] for c in truth["cuts"]]
    info = {"path": str(film), "minutes": args.minutes, "frames": truth["frames"],
            "size_mb": film.stat().st_size / 1e6, "cuts": len(true_cuts),
            "cuts_inside": sum(c["kind"] == "inside" for c in truth["cuts"]), "build": build}
    print(f"  {info['frames']} frames, {info['size_mb']:.0f} MB, {info['cuts']} cuts;"
          f" {'reused' if build['reused'] else 'made'} in {build['total_s']:.1f} s", flush=True)
    if args.build_only:
        return 0
    if not args.binary.exists():
        raise SystemExit(f"{args.binary} not found: cargo build --release --features cli")
    out.mkdir(parents=True, exist_ok=True)
    notes = []
    sampling = has_sampling(args.binary)
    if not sampling:
        notes.append("This build of color-palettes has no `--sampling` flag: the dense runs are its only"
                     " mode (every frame decoded) without the flag, and the skim runs are left out.")
        print("NOTE: " + notes[-1], flush=True)
    binary = str(args.binary)

    def film_cmd(path: Path, mode: str, *extra: str) -> list[str]:
        return [binary, "film", str(path), *(["--sampling", mode] if sampling else []), *extra]

    runs: dict[str, dict] = {}
    if "bare" not in skip:
        runs["bare"] = run("bare decode", ["ffmpeg", "-v", "error", "-i", str(film), "-f", "null", "-"])
    if "dense" not in skip:
        runs["dense"] = run("dense", film_cmd(film, "dense", "--scenes", "--barcode", str(out / "skim-dense.png")))
    if not sampling:
        skip.update(("skim", "skim-scenes"))
    if "skim" not in skip:
        runs["skim"] = run("skim", film_cmd(film, "keys", "--barcode", str(out / "skim-keys.png")))
    if "skim-scenes" not in skip:
        runs["skim-scenes"] = run("skim with scenes", film_cmd(film, "keys", "--scenes"))
    if "fifth" not in skip:
        runs["fifth"] = run("dense, first fifth", film_cmd(make_fifth(film, truth), "dense", "--scenes"))
    def peer(name: str, venv: str | None, *argv: str) -> None:
        try:
            found = tool(name, venv)
        except SystemExit as e:
            print(f"{name}: {e}", flush=True)
            runs[name] = {"error": str(e)}
            return
        with tempfile.TemporaryDirectory() as tmp:
            runs[name] = run(name, [found, *(a.replace("{tmp}", tmp) for a in argv)], cwd=tmp)

    if "scenedetect" not in skip:
        peer("scenedetect", args.scenedetect, "-i", str(film), "-o", "{tmp}", "detect-content",
             "list-scenes", "-n")
    if "movie-barcodes" not in skip:
        peer("movie-barcodes", args.movie_barcodes, "-i", str(film), "-d", "{tmp}/barcode.png")

    docs, compare = {}, {}
    for key in ("dense", "skim", "skim-scenes"):
        if key in runs and "error" not in runs[key]:
            docs[key] = json.loads(runs[key]["stdout"])
            (out / f"skim-{key}.json").write_text(runs[key]["stdout"])
            want = "dense" if key == "dense" else "keys"
            got = docs[key].get("sampling")
            if sampling and got != want:
                notes.append(f"The {key} run's JSON says sampling {got!r}, not {want!r}.")
    if "dense" in docs:
        compare["dense_cuts"] = cut_accuracy(scene_frames(docs["dense"]), true_cuts)
        if not any("start_frame" in s for s in docs["dense"].get("scenes", [])):
            notes.append("The JSON's scenes have no `start_frame`: cut frames are start_s x 24, rounded.")
    if "skim-scenes" in docs:
        compare["skim_cuts"] = cut_accuracy(scene_frames(docs["skim-scenes"]), true_cuts)
    if "dense" in docs and "skim" in docs:
        mean, largest = palette_distance(docs["skim"]["palette"], docs["dense"]["palette"])
        compare["palette"] = {"mean": mean, "max": largest, "k": docs["dense"]["palette"].get("k")}
        compare["barcode"] = barcode_distance(out / "skim-keys.png", docs["skim"]["duration_s"],
                                              out / "skim-dense.png", docs["dense"]["duration_s"])
    if "scenedetect" in runs and "error" not in runs["scenedetect"]:
        compare["scenedetect_cuts"] = cut_accuracy(
            scenedetect_frames(runs["scenedetect"]["stdout"] + runs["scenedetect"]["stderr"]), true_cuts)
    for key, doc in docs.items():
        compare.setdefault("frames_sampled", {})[key] = doc.get("frames_sampled")
    result = {"film": info, "runs": {k: {x: v for x, v in r.items() if x not in ("stdout", "stderr")}
                                     for k, r in runs.items()},
              "compare": compare, "notes": notes, "skipped": sorted(skip)}
    lines = table(result) + [""] + reading(result)
    (out / "skim.md").write_text("\n".join(lines) + "\n")
    (out / "skim.json").write_text(json.dumps(result, indent=1))
    if args.publish or (args.minutes >= 120 and not skip):  # every run, the full length
        publish(result, args.binary)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
