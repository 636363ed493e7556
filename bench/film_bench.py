#!/usr/bin/env python3
"""Film benchmark: `color-palettes film` against FFmpeg alone, movie-barcodes and PySceneDetect.

    python3 bench/film_bench.py                 # make the test film once, run everything once
    python3 bench/film_bench.py --minutes 2     # a shorter film (for a smoke test)

The test film is made once with FFmpeg from the sample stills and kept (not committed) under
target/bench-film/: 1920x1080 H.264 (libx264, preset ultrafast, crf 26, 24 fps), each still held
for a known time (8 to 30 s) with a slow pan and film grain (FFmpeg's `noise`, so the stream
has a streaming bitrate and costs a real decode), letterboxed to 2.39:1 (138-pixel bars above and
below), hard cuts at known times; `cuts.json` beside it holds the truth.

Then, one after the other in one run, each timed with /usr/bin/time (wall, CPU, peak RSS):

  1. FFmpeg alone decoding and sampling the same frames: `ffmpeg -i FILM -vf fps=1,scale=640:268
     -f null -` (the floor: `film` decodes every frame too);
  2. `color-palettes film FILM --every 1 --scenes --barcode B.png` (release build);
  3. the same on the first fifth of the film, for memory: peak RSS should not grow with length;
  4. `movie-barcodes -i FILM -d OUT.png` (its defaults), for a barcode of the same film;
  5. `scenedetect -i FILM detect-content list-scenes -n` (PySceneDetect's content detector),
     for cut-detection time and accuracy (cuts found within one second of the truth).

movie-barcodes and scenedetect are found on PATH or in the virtual environments given by
--movie-barcodes and --scenedetect (movie-barcodes pins old numpy and scipy: give it its own).
Prints a Markdown section (ratios to FFmpeg alone) and writes it to bench/out/film.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
STILLS = ["El_Fuente", "Sintel_0016", "Chimera", "Meridian", "Sparks", "Sol_Levante", "Sintel_0025"]
HOLDS = [12, 20, 8, 30, 15, 25, 10]  # seconds; cycles until the film is long enough
W, H, PICTURE_H = 1920, 1080, 804    # 2.39:1 picture, 138-pixel bars


def stills_dir() -> Path:
    value = os.environ.get("COLOR_PALETTES_DATA")
    return Path(value) if value else ROOT.parent / "shared" / "data" / "stills"


def make_film(out: Path, minutes: float) -> list[float]:
    """The test film and its cut times (made once; reused when cuts.json matches)."""
    truth = out.with_name(out.stem + ".cuts.json")
    schedule, t, i = [], 0.0, 0
    while t < minutes * 60:
        hold = min(HOLDS[i % len(HOLDS)], minutes * 60 - t)
        schedule.append((STILLS[i % len(STILLS)], hold))
        t += hold
        i += 1
    cuts = [sum(h for _, h in schedule[:k]) for k in range(1, len(schedule))]
    if out.exists() and truth.exists() and json.loads(truth.read_text()) == cuts:
        return cuts
    out.parent.mkdir(parents=True, exist_ok=True)
    # One input per hold; FFmpeg's `loop` filter repeats the decoded still (no re-decoding),
    # then a slow pan across a 2112-wide picture (192 pixels over the hold, never jumping back), film grain, the bars; `concat` makes the cuts.
    inputs, graph = [], []
    for i, (name, hold) in enumerate(schedule):
        inputs += ["-i", str(stills_dir() / (name + ".png"))]
        graph.append(
            f"[{i}:v]scale=2112:{PICTURE_H}:force_original_aspect_ratio=increase,crop=2112:{PICTURE_H},"
            f"loop=loop={round(hold * 24) - 1}:size=1:start=0,setpts=N/24/TB,"
            f"crop={W}:{PICTURE_H}:x='n*192/{max(round(hold * 24), 1)}':y=0,noise=alls=5:allf=t,"
            f"pad={W}:{H}:0:{(H - PICTURE_H) // 2}:black,setsar=1,format=yuv420p[v{i}]")
    graph.append("".join(f"[v{i}]" for i in range(len(schedule))) + f"concat=n={len(schedule)}:v=1:a=0[out]")
    subprocess.run(["ffmpeg", "-v", "error", "-y", *inputs, "-filter_complex", ";".join(graph),
                    "-map", "[out]", "-r", "24", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "26",
                    "-g", "48", str(out)], check=True)
    truth.write_text(json.dumps(cuts))
    return cuts


def timed(cmd: list[str], **kw) -> dict:
    """Runs `cmd` under /usr/bin/time: wall and CPU seconds, peak RSS (MB), output."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        p = subprocess.run(["/usr/bin/time", "-o", t.name, "-f", "%e %U %S %M", *cmd],
                           capture_output=True, text=True, **kw)
        fields = t.read().split()[-4:]
    if p.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({p.returncode}): {p.stderr.strip()[-500:]}")
    wall, user, sys_, rss = (float(x) for x in fields)
    return {"wall": wall, "cpu": user + sys_, "rss_mb": rss / 1024, "stdout": p.stdout, "stderr": p.stderr}


def tool(name: str, venv: str | None) -> str:
    path = Path(venv) / "bin" / name if venv else None
    found = str(path) if path and path.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found: pip install it, or pass its virtual environment")
    return found


def matched(found: list[float], truth: list[float], tolerance: float) -> tuple[int, int]:
    """(cuts found within `tolerance` of a true cut, one-to-one; detections that match none)."""
    left, hits = list(found), 0
    for cut in truth:
        near = [f for f in left if abs(f - cut) <= tolerance]
        if near:
            left.remove(min(near, key=lambda f: abs(f - cut)))
            hits += 1
    return hits, len(left)


def reading() -> list[str]:
    """How to read the last run's table (bench/out/film.json)."""
    r = json.loads((ROOT / "bench" / "out" / "film.json").read_text())
    ratio = r["film"]["wall"] / r["ffmpeg"]["wall"]
    return [
        f"How to read it: `film` takes {ratio:.2f}x the time of FFmpeg alone decoding and sampling the"
        " same frames (the target is at most 1.25x: every frame must be decoded, so the decode is"
        " the floor; `film` adds a key-frame pass for the bars and its own work on 600 small frames)."
        f" Peak RSS is {r['film']['rss_mb']:.0f} MB for the whole film and {r['film_fifth']['rss_mb']:.0f} MB"
        " for its first fifth: flat in the film's length (it is the largest process of the tree, FFmpeg's"
        " decoder; `film` itself holds 16 MB of colour cells and one 640 x 268 frame). movie-barcodes"
        " (its defaults: every frame, averaged, with OpenCV in Python) and PySceneDetect's content detector"
        " (every frame, its default threshold) read every frame at full size; the cut columns count"
        " detections within 1 s of a true cut, one to one, and the detections that match none."
        " One run each on a shared 2-core machine: read the ratios, not the seconds.",
    ]


def publish(table: list[str], binary: Path) -> None:
    """Writes bench/FILM_RESULTS.md around the results table and folds it into BENCHMARKS.md
    (bench/benchmark.py carries it over when it regenerates that file)."""
    versions = "; ".join(
        subprocess.run(cmd, capture_output=True, text=True).stdout.strip().splitlines()[0]
        for cmd in (["ffmpeg", "-version"], [str(binary), "--version"]))
    body = [
        "Generated by `bench/film_bench.py`; rerun from the repository root with:",
        "",
        "```sh",
        "python3 -m venv /tmp/mb && /tmp/mb/bin/pip install movie-barcodes==0.5.4",
        "python3 -m venv /tmp/sd && /tmp/sd/bin/pip install scenedetect-headless==0.7.2",
        "cargo build --release --features cli",
        "COLOR_PALETTES_DATA=../shared/data/stills python3 bench/film_bench.py --movie-barcodes /tmp/mb --scenedetect /tmp/sd",
        "```",
        "",
        "<!-- BEGIN film -->",
        "## Films: `color-palettes film` against FFmpeg alone, movie-barcodes and PySceneDetect",
        "",
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; machine: nproc {os.cpu_count()},"
        f" shared with other work (load average {os.getloadavg()[0]:.2f} when written); {versions};"
        " one run each, one after the other",
        "",
        *table,
        "",
        *reading(),
        "<!-- END film -->",
    ]
    common.fold_into_benchmarks(ROOT / "bench" / "FILM_RESULTS.md", "film", "\n".join(body) + "\n")

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--film", type=Path, help="default target/bench-film/film-MINUTESmin.mp4")
    ap.add_argument("--movie-barcodes", help="virtual environment holding movie-barcodes")
    ap.add_argument("--scenedetect", help="virtual environment holding scenedetect")
    ap.add_argument("--binary", type=Path, default=ROOT / "target" / "release" / "color-palettes")
    ap.add_argument("--publish-only", action="store_true",
                    help="publish the table of the last run (bench/out/film.md) without running")
    args = ap.parse_args()
    if args.publish_only:
        publish((ROOT / "bench" / "out" / "film.md").read_text().rstrip("\n").split("\n"), args.binary)
        return 0

    film = args.film or ROOT / "target" / "bench-film" / f"film-{args.minutes:g}min.mp4"
    print(f"test film: {film} (made once)", flush=True)
    truth = make_film(film, args.minutes)
    short = film.with_name(film.stem + "-fifth.mp4")
    if not short.exists():
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(film), "-t", str(args.minutes * 12),
                        "-c", "copy", str(short)], check=True)
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    runs = {}
    print("ffmpeg alone ...", flush=True)
    runs["ffmpeg"] = timed(["ffmpeg", "-v", "error", "-i", str(film), "-vf", "fps=1,scale=640:268",
                            "-f", "null", "-"])
    print("color-palettes film ...", flush=True)
    runs["film"] = timed([str(args.binary), "film", str(film), "--every", "1", "--scenes",
                          "--barcode", str(out / "film-barcode.png")])
    print("color-palettes film, first fifth ...", flush=True)
    runs["film_fifth"] = timed([str(args.binary), "film", str(short), "--every", "1", "--scenes"])
    print("movie-barcodes ...", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        runs["movie_barcodes"] = timed([tool("movie-barcodes", args.movie_barcodes), "-i", str(film),
                                        "-d", str(Path(tmp) / "barcode.png")], cwd=tmp)
    print("scenedetect ...", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        runs["scenedetect"] = timed([tool("scenedetect", args.scenedetect), "-i", str(film), "-o", tmp,
                                     "detect-content", "list-scenes", "-n"], cwd=tmp)

    ours = json.loads(runs["film"]["stdout"])
    our_cuts = [s["start_s"] for s in ours["scenes"][1:]]
    # PySceneDetect prints a table whose rows start "| scene | start frame | HH:MM:SS.mmm | ...".
    starts = re.findall(r"^\s*\|\s*\d+\s*\|\s*\d+\s*\|\s*(\d+):(\d+):([\d.]+)", runs["scenedetect"]["stdout"] + runs["scenedetect"]["stderr"], re.M)
    sd_cuts = [int(h) * 3600 + int(m) * 60 + float(s) for h, m, s in starts][1:]
    base = runs["ffmpeg"]["wall"]

    def accuracy(found: list[float]) -> str:
        hits, other = matched(found, truth, 1.0)
        return f"{hits} of {len(truth)} cuts within 1 s, {other} other"

    rows = [
        ("FFmpeg alone: decode, `fps=1`, scale (the floor)", runs["ffmpeg"], "-"),
        ("`color-palettes film --every 1 --scenes --barcode`", runs["film"], accuracy(our_cuts)),
        ("`color-palettes film`, first fifth of the film", runs["film_fifth"], "-"),
        ("`movie-barcodes` (its defaults)", runs["movie_barcodes"], "-"),
        ("`scenedetect detect-content` (every frame)", runs["scenedetect"], accuracy(sd_cuts)),
    ]
    crop = ours["crop"]
    lines = [
        f"Test film: {args.minutes:g} min of 1920x1080 H.264 (24 fps, ultrafast, crf 26, grain) made from the"
        f" sample stills by `bench/film_bench.py`, letterboxed 2.39:1 (138-pixel bars), {len(truth)} hard cuts."
        f" `film` found the picture at {crop} (truth: x 0, y 138, 1920 x 804).",
        "",
        "| run | wall s | ratio to FFmpeg alone | CPU s | peak RSS MB | cuts |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, r, cuts in rows:
        lines.append(f"| {name} | {r['wall']:.1f} | {r['wall'] / base:.2f}x | {r['cpu']:.1f} | {r['rss_mb']:.0f} | {cuts} |")
    (out / "film.md").write_text("\n".join(lines) + "\n")
    if args.minutes >= 10:
        publish(lines, args.binary)
    (out / "film.json").write_text(json.dumps({k: {x: v for x, v in r.items() if x not in ("stdout", "stderr")}
                                               for k, r in runs.items()}, indent=1))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
