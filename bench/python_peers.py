#!/usr/bin/env python3
"""The Python package against the Python libraries people use instead, in one process.

    python3 bench/python_peers.py [--reps N] [--quick] [--out FILE]

Run it with a Python that has the package (`pip install ./python`) and the peers
(`pip install -r bench/requirements-python-peers.txt`): Pylette 6.0 (its default k-means on a
256 x 256 resample, its median cut and its Oklab mode), fast-colorthief and colorthief (quality
1: every pixel; colorthief's default quality 10 as well), extcolors, and the original's
scikit-learn pipeline (bench/sklearn_palette.py's KMeans on every pixel), all at k = 8 on the
sample stills. For each:

  * time in this process: median over --reps interleaved calls per still (the still read from
    its file by each library, as a user calls it), import excluded;
  * import: the median time of `import MODULE` in a fresh interpreter (3 runs), so "import
    included" is import + one call;
  * quality: each palette scored by QUALITY.md's scorer (score-palette, src/quality.rs): mean
    CIEDE2000 from a pixel to its nearest swatch, and labelled accents kept within 10.

Writes bench/out/python_peers.md and, unless --quick, bench/PYTHON_RESULTS.md and its section of
BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

K = 8


def hexed(rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(int(v) for v in rgb))


def doc(method: str, colours: list[tuple[tuple[int, int, int], float]]) -> dict:
    """A palette in our JSON format (what score-palette reads)."""
    total = sum(w for _, w in colours) or 1.0
    return {"k": len(colours), "method": method, "space": "rgb", "colors": [
        {"hex": hexed(rgb), "rgb": [int(v) for v in rgb], "proportion": w / total}
        for rgb, w in colours]}


def ours(path: Path) -> dict:
    import color_palettes as cp

    return json.loads(cp.extract(str(path), k=K).to_json())


def ours_one_thread(path: Path) -> dict:
    import color_palettes as cp

    return json.loads(cp.extract(str(path), k=K, threads=1).to_json())


def pylette(mode: str):
    def run(path: Path) -> dict:
        from pylette import extract_colors

        palette = extract_colors(image=str(path), palette_size=K, mode=mode)
        return doc(f"pylette-{mode}", [(c.rgb, c.frequency) for c in palette.colors])

    return run


def fast_colorthief(path: Path) -> dict:
    import fast_colorthief as fct

    # No shares: equal weights (only the colours are scored).
    return doc("fast-colorthief", [(c, 1.0) for c in fct.get_palette(str(path), color_count=K,
                                                                        quality=1)])


def colorthief(quality: int):
    def run(path: Path) -> dict:
        from colorthief import ColorThief

        colours = ColorThief(str(path)).get_palette(color_count=K, quality=quality)
        return doc(f"colorthief-q{quality}", [(c, 1.0) for c in colours])

    return run


def extcolors_run(path: Path) -> dict:
    import extcolors

    colours, _total = extcolors.extract_from_path(str(path), limit=K)
    return doc("extcolors", [(rgb, float(n)) for rgb, n in colours])


def sklearn(path: Path) -> dict:
    import numpy as np
    from PIL import Image
    from sklearn.cluster import KMeans

    pixels = (np.asarray(Image.open(path).convert("RGB"), dtype=np.float64) / 255.0).reshape(-1, 3)
    km = KMeans(n_clusters=K, random_state=0).fit(pixels)
    counts = np.bincount(km.labels_, minlength=K)
    rgb = np.clip(np.rint(km.cluster_centers_ * 255.0), 0, 255).astype(int)
    return doc("sklearn-kmeans", [(tuple(rgb[i]), float(counts[i])) for i in range(K)])


# (key, label, module imported, function)
TOOLS = [
    ("ours", "color-palettes (package, default)", "color_palettes", ours),
    ("ours-1t", "color-palettes (package, threads=1)", "color_palettes", ours_one_thread),
    ("pylette-km", "Pylette 6.0 KMeans (its default)", "pylette", pylette("KMeans")),
    ("pylette-mc", "Pylette 6.0 MedianCut", "pylette", pylette("MedianCut")),
    ("pylette-ok", "Pylette 6.0 OKLab", "pylette", pylette("OKLab")),
    ("fast-colorthief", "fast-colorthief 0.0.5 (quality 1)", "fast_colorthief", fast_colorthief),
    ("colorthief-q10", "colorthief 0.2.1 (quality 10, its default)", "colorthief", colorthief(10)),
    ("colorthief-q1", "colorthief 0.2.1 (quality 1)", "colorthief", colorthief(1)),
    ("extcolors", "extcolors 1.0 (tolerance 32, its default)", "extcolors", extcolors_run),
    ("sklearn", "scikit-learn KMeans, every pixel (the original)", "sklearn.cluster", sklearn),
]


def import_time(module: str, runs: int = 3) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    times = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                  check=True).stdout) for _ in range(runs)]
    return statistics.median(times)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--reps", type=int, default=3, help="calls per tool and still (median)")
    p.add_argument("--quick", action="store_true", help="two stills, one call each, no colorthief q1")
    p.add_argument("--out", type=Path, default=common.BENCH / "out" / "python_peers.md")
    args = p.parse_args(argv)

    data = common.data_dir()
    stills = common.sample_stills(data)
    tools = TOOLS
    if args.quick:
        stills, args.reps = stills[:2], 1
        tools = [t for t in TOOLS if t[0] != "colorthief-q1"]
    accents = data / "accents.json"

    imports = {module: import_time(module) for module in {t[2] for t in tools}}
    for _key, _label, _module, run in tools:  # imported (and warmed) before any timing
        run(stills[0])

    times: dict[str, list[float]] = {t[0]: [] for t in tools}
    palettes: dict[tuple[str, str], dict] = {}
    for still in stills:
        per_still: dict[str, list[float]] = {t[0]: [] for t in tools}
        for _rep in range(args.reps):  # interleaved: every tool once, then again
            for key, _label, _module, run in tools:
                t0 = time.perf_counter()
                palettes[key, still.name] = run(still)
                per_still[key].append(time.perf_counter() - t0)
        for key, values in per_still.items():
            times[key].append(statistics.median(values))
        common.log(f"{still.name}: " + ", ".join(f"{k} {statistics.median(v):.3f}s"
                                                 for k, v in per_still.items()))

    scores: dict[str, list[dict]] = {t[0]: [] for t in tools}
    with tempfile.TemporaryDirectory() as tmp:
        for still in stills:
            files = []
            for key, *_ in tools:
                f = Path(tmp) / f"{key}-{still.stem}.json"
                f.write_text(json.dumps(palettes[key, still.name]))
                files.append(f)
            for (key, *_), score in zip(tools, common.score_palettes(still, accents, files)):
                scores[key].append(score)

    ours_total = sum(times["ours"])
    ours_first = imports["color_palettes"] + ours_total / len(stills)
    rows, faster = [], []
    for key, label, module, _run in tools:
        total = sum(times[key])
        first = imports[module] + total / len(stills)
        mean = statistics.mean(s["mean_de00"] for s in scores[key])
        kept = sum(a["de00"] <= 10 for s in scores[key] for a in s["accents"])
        labelled = sum(len(s["accents"]) for s in scores[key])
        rows.append([label, f"{total:.3f}", f"{total / ours_total:.2f}x",
                     f"{imports[module]:.3f}", f"{first:.3f}", f"{first / ours_first:.2f}x",
                     f"{mean:.2f}", f"{kept} of {labelled}"])
        if not key.startswith("ours") and total < ours_total:
            faster.append(f"{label}, {total / ours_total:.2f}x our time (with its import "
                          f"{first / ours_first:.2f}x; mean CIEDE2000 {mean:.2f})")
    table = common.md_table(
        ["library", f"time, {len(stills)} stills (s, import excluded)", "vs ours",
         "import (s)", "import + one still (s)", "vs ours", "mean CIEDE2000", "accents kept (<= 10)"],
        rows)
    info = common.machine_info()
    reading = ("How to read it: time is one Python process calling each library as its "
               "documentation shows, on the still's file (each decodes it itself); \"import + one "
               "still\" adds the median time of a fresh interpreter's `import` to one call (the "
               "mean still), which is what a notebook cell or a short script pays once. Quality "
               "is QUALITY.md's scorer on every palette (lower mean CIEDE2000 is closer; the "
               "five labelled accents of accents.json). colorthief, fast-colorthief and extcolors "
               "give no shares, so only their colours are scored. ")
    ours_mean = statistics.mean(s["mean_de00"] for s in scores["ours"])
    reading += (f"Faster than ours (mean CIEDE2000 {ours_mean:.2f}) with the import excluded: "
                f"{'; '.join(faster)}." if faster else
                "Every peer is slower than ours, with the import excluded and included.")
    text = "\n".join([
        "Generated by `bench/python_peers.py`; rerun from the repository root with:",
        "",
        "```sh",
        "python3 -m venv /tmp/peers && /tmp/peers/bin/pip install -r bench/requirements-python-peers.txt ./python",
        "cargo build --release --manifest-path bench/okolors-palette/Cargo.toml  # the scorer",
        "COLOR_PALETTES_DATA=../shared/data/stills /tmp/peers/bin/python bench/python_peers.py",
        "```",
        "",
        "<!-- BEGIN python -->",
        f"## The Python package against Python peers (k = {K}, one process)",
        "",
        f"- {len(stills)} sample stills, median of {args.reps} interleaved calls each; "
        + "; ".join(f"{k}: {v}" for k, v in info.items())
        + f"; load average (1 min) {os.getloadavg()[0]:.2f} when written",
        "",
        table,
        "",
        reading,
        "<!-- END python -->",
    ]) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    if not args.quick:
        common.fold_into_benchmarks(common.BENCH / "PYTHON_RESULTS.md", "python", text)
    print(text)
    return 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
