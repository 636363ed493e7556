#!/usr/bin/env python3
"""The tuning loop of issue 12: the default palette's mean CIEDE2000 against okolors', fast.

    python3 bench/default_vs_okolors.py [--seeds 0 1 2 3] [--held-out] [--no-build]

Runs `color-palettes extract STILL -k 8 --format json --seed S` (the default: no method or
space named) on the tuned stills of `common.TUNED_STILLS` (with `--held-out`: on the
held-out stills and clip frames instead; check those once, after choosing), scores every
palette with `score-palette` (src/quality.rs), and prints per still and seed the mean
CIEDE2000, okolors' (its defaults, k = 8) and the ratio of the means over the stills, as
QUALITY.md's verdict row computes it; then the mean ratio over the seeds. Seconds per run,
where QUALITY.md's report takes minutes. Environment variables pass through to our CLI, so
an experimental build can read its switches from them (see
`bench/notes/issue12-kmedians-experiments.patch`).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import common

K = 8


def mean_de00(still: Path, palette_json: str, tmp: Path, name: str) -> float:
    path = tmp / f"{name}.json"
    path.write_text(palette_json)
    proc = subprocess.run([str(common.bench_binary("score-palette")), str(still), str(path)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"score-palette failed on {still.name}: {proc.stderr.strip()}")
    return float(json.loads(proc.stdout.splitlines()[0])["mean_de00"])


def run(cmd: list[str]) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}: {proc.stderr.strip()}")
    return proc.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3])
    ap.add_argument("--held-out", action="store_true",
                    help="the held-out stills and clip frames (needs ffmpeg); look once")
    ap.add_argument("--no-build", action="store_true", help="use the binaries as they are")
    args = ap.parse_args()
    common.build(args.no_build)
    data = common.data_dir()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if args.held_out:
            stills = [data / s for s in common.HELD_OUT_STILLS] + common.clip_frames(data, tmp)
        else:
            stills = [data / s for s in common.TUNED_STILLS]
        okolors = {
            s: mean_de00(s, run([str(common.bench_binary("okolors-palette")), str(s), str(K)]),
                         tmp, f"okolors-{s.stem}")
            for s in stills
        }
        ok_mean = sum(okolors.values()) / len(stills)
        ratios = []
        for seed in args.seeds:
            ours = {}
            for s in stills:
                out = run([str(common.ours_binary()), "extract", str(s), "-k", str(K),
                           "--format", "json", "--seed", str(seed)])
                ours[s] = mean_de00(s, out, tmp, f"ours-{s.stem}-{seed}")
                print(f"seed {seed} {s.name}: {ours[s]:.4f} (okolors {okolors[s]:.4f})")
            mean = sum(ours.values()) / len(stills)
            ratios.append(mean / ok_mean)
            print(f"seed {seed}: default {mean:.4f}, okolors {ok_mean:.4f}, "
                  f"ratio {ratios[-1]:.4f}")
        print(f"ratio over seeds {' '.join(f'{r:.4f}' for r in ratios)}: "
              f"mean {sum(ratios) / len(ratios):.4f}")


if __name__ == "__main__":
    main()
