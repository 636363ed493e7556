#!/usr/bin/env python3
"""Steadiness (issue 20): how far a palette moves when the same still barely changes.

    COLOR_PALETTES_DATA=../shared/data/stills python3 bench/steadiness.py [--k 8] [--quick]

For every still, four perturbations that real footage goes through: a frame of a 1-second
H.264 encode at CRF 20 (yuv420p, x264 on one thread, so the bytes do not depend on
scheduling), JPEG at quality 85, half size (bicubic), and a 2% zoom (1% cropped from each
side, scaled back, bicubic). A palette's steadiness on a still is the mean CIEDE2000 between
its palette of the still and its palette of each perturbed copy, the swatches matched one to
one (Hungarian, scipy), averaged over the four; lower is steadier. The table gives it on the
stills the default was tuned on and, apart, on the held-out stills and the clip's held-out
frames (bench/common.py: TUNED_STILLS, HELD_OUT_STILLS, CLIP_FRAME_TIMES), beside each
palette's closeness (mean CIEDE2000 from a pixel to its nearest swatch, QUALITY.md's scorer)
and the labelled accents it keeps (within CIEDE2000 10), so the three are read together.

Every palette of our CLI (the default, and every method in every space) and okolors.
Writes bench/STEADINESS_RESULTS.md and its section of QUALITY.md (bench/out/steadiness.quick.md
with --quick: two stills, three palettes).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image
from scipy.optimize import linear_sum_assignment
from skimage.color import deltaE_ciede2000, rgb2lab

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

PERTURBATIONS = ("h264 crf20", "jpeg 85", "half size", "zoom 2%")


def perturb(still: Path, out: Path) -> dict[str, Path]:
    """The four perturbed copies of a still (deterministic: fixed settings, one x264 thread)."""
    img = Image.open(still).convert("RGB")
    w, h = img.size
    paths = {}
    p = out / "h264.png"
    mp4 = out / "enc.mp4"
    even = f"crop={w - w % 2}:{h - h % 2}:0:0"  # yuv420p needs even sizes
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-loop", "1", "-i", str(still), "-t", "1",
                    "-r", "25", "-vf", even, "-c:v", "libx264", "-crf", "20",
                    "-pix_fmt", "yuv420p", "-threads", "1", str(mp4)], check=True)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(mp4), "-frames:v", "1", str(p)],
                   check=True)
    paths["h264 crf20"] = p
    p = out / "jpeg85.jpg"
    img.save(p, quality=85)
    paths["jpeg 85"] = p
    p = out / "half.png"
    img.resize((max(1, w // 2), max(1, h // 2)), Image.BICUBIC).save(p)
    paths["half size"] = p
    dx, dy = round(w * 0.01), round(h * 0.01)
    p = out / "zoom.png"
    img.crop((dx, dy, w - dx, h - dy)).resize((w, h), Image.BICUBIC).save(p)
    paths["zoom 2%"] = p
    assert tuple(paths) == PERTURBATIONS
    return paths


def palette(tool: common.Tool, still: Path, k: int) -> dict:
    res = subprocess.run(tool.command(still, k), capture_output=True, text=True, env=tool.env)
    if res.returncode != 0:
        sys.exit(f"{tool.label} failed on {still.name}: {res.stderr.strip()}")
    return json.loads(res.stdout)


def lab(doc: dict) -> np.ndarray:
    rgb = np.array([c["rgb"] for c in doc["colors"]], float) / 255.0
    return rgb2lab(rgb[None, :, :])[0]


def moved(a: dict, b: dict) -> float:
    """Mean CIEDE2000 between two palettes' swatches, matched one to one (Hungarian; with
    fewer swatches on one side, the extra ones of the other are left out)."""
    cost = deltaE_ciede2000(lab(a)[:, None, :], lab(b)[None, :, :])
    rows, cols = linear_sum_assignment(cost)
    return float(cost[rows, cols].mean())


def tools(quick: bool) -> list[common.Tool]:
    ours = [common.default_tool()]
    if quick:
        return ours + [common.ours_tool("kmeans", "rgb"), common.okolors_tool()]
    for method in common.METHODS:
        for space in common.SPACES:
            if (method, space) != ("accent", "lab"):  # the default, already there
                ours.append(common.ours_tool(method, space))
    return ours + [common.okolors_tool()]


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--k", type=int, default=8)
    ap.add_argument("--quick", action="store_true", help="two stills, three palettes")
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--only", help="comma-separated palette keys to run (e.g. 'ours default,"
                    "okolors'), printed and not published: for trying a change")
    args = ap.parse_args(argv)
    common.build(args.skip_build)
    data = common.data_dir()
    accents = data / "accents.json"
    started = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        stills = common.sample_stills(data)
        if args.quick:
            stills = [s for s in stills if s.name in ("Meridian.png", "El_Fuente.png")]
        else:
            stills += common.clip_frames(data, tmp)
        tuned = [s for s in stills if s.name in common.TUNED_STILLS]
        held = [s for s in stills if s not in tuned]
        perturbed = {}
        for s in stills:
            (tmp / s.stem).mkdir()
            perturbed[s] = perturb(s, tmp / s.stem)
        rows = []
        chosen = tools(args.quick)
        if args.only:
            keys = args.only.split(",")
            chosen = [t for t in chosen if t.key in keys]
            if len(chosen) != len(keys):
                sys.exit(f"--only: unknown keys among {keys}")
        for tool in chosen:
            steady: dict[Path, dict[str, float]] = {}
            files = {}
            for s in stills:
                base = palette(tool, s, args.k)
                files[s] = tmp / s.stem / (tool.key.replace(" ", "_") + ".json")
                files[s].write_text(json.dumps(base))
                steady[s] = {name: moved(base, palette(tool, p, args.k))
                             for name, p in perturbed[s].items()}
            scores = {s: common.score_palettes(s, accents, [files[s]])[0] for s in stills}

            def mean_steady(group: list[Path]) -> str:
                return f"{np.mean([np.mean(list(steady[s].values())) for s in group]):.2f}"

            def mean_error(group: list[Path]) -> str:
                return f"{np.mean([scores[s]['mean_de00'] for s in group]):.2f}"

            kept = sum(a["de00"] <= 10 for s in stills for a in scores[s]["accents"])
            labelled = sum(len(scores[s]["accents"]) for s in stills)
            rows.append([tool.label, mean_steady(tuned), mean_steady(held),
                         *(f"{np.mean([steady[s][n] for s in stills]):.2f}"
                           for n in PERTURBATIONS),
                         mean_error(tuned), mean_error(held), f"{kept} of {labelled}"])
            common.log(f"{tool.label}: {rows[-1][1:]}")
    info = common.machine_info()
    table = common.md_table(
        ["palette (k = %d)" % args.k, f"steadiness, tuned ({len(tuned)})",
         f"steadiness, held out ({len(held)})", *(f"{n} (all)" for n in PERTURBATIONS),
         "mean CIEDE2000, tuned", "mean CIEDE2000, held out", "accents kept (<= 10)"], rows)
    text = "\n".join([
        "Generated by `bench/steadiness.py`; rerun from the repository root with:",
        "",
        "```sh",
        "pip install -r bench/requirements.txt   # once",
        "COLOR_PALETTES_DATA=../shared/data/stills python3 bench/steadiness.py",
        "```",
        "",
        "<!-- BEGIN steadiness -->",
        f"## Steadiness: how far each palette moves when the still barely changes (k = {args.k})",
        "",
        f"- {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; commit {info['commit']}; "
        f"{common.ffmpeg_version()}; {time.time() - started:.0f} s",
        f"- tuned on: {', '.join(s.name for s in tuned)}; held out: "
        f"{', '.join(s.name for s in held)}",
        "",
        table,
        "",
        "How to read it: steadiness is the mean CIEDE2000 between a palette of the still and "
        "the palette of the same still after a perturbation (a frame of a 1-second H.264 encode "
        "at CRF 20, yuv420p; JPEG at quality 85; half size, bicubic; a 2% zoom), the swatches "
        "matched one to one (Hungarian), averaged over the four perturbations and the stills; "
        "lower is steadier (a just-noticeable difference is about 1-2). The perturbation "
        "columns average over every still. Closeness is QUALITY.md's mean CIEDE2000 from each "
        "pixel to its nearest swatch, on the unperturbed stills; accents are the labelled ones "
        "of accents.json (the sample stills only). The three columns are read together: a "
        "palette can be steady by keeping only broad colours and losing the accents.",
        "<!-- END steadiness -->",
    ]) + "\n"
    if args.only:
        print(table)
        return 0
    if args.quick:
        out = common.BENCH / "out" / "steadiness.quick.md"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
    else:
        common.fold_section(common.REPO / "QUALITY.md", common.BENCH / "STEADINESS_RESULTS.md",
                            "steadiness", text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
