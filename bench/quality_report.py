#!/usr/bin/env python3
"""Palette quality over the sample stills, written to QUALITY.md.

    python3 bench/quality_report.py           # every still, method, space, k = 5 and 8 (~3 min)
    python3 bench/quality_report.py --quick   # 2 stills, k = 8; writes bench/out/QUALITY.quick.md

For every sample still and three held-out frames of the sample clip (extracted with FFmpeg),
every method (kmeans, agglomerative, accent, kmedians) and space (rgb, hsv, lab) of color-palettes and
its default palette (no method or space named), and k = 5 and k = 8: mean and
95th-percentile CIEDE2000 from each pixel to its nearest palette colour, the smallest
CIEDE2000 between two palette colours, and accent capture (CIEDE2000 <= 10 and <= 15)
against accents.json; beside the same figures for the original pipeline (scikit-learn KMeans
in RGB on every pixel) and okolors. Summaries are given separately for the stills the default
was tuned on and the held-out ones (common.TUNED_STILLS, common.HELD_OUT_STILLS). The figures come from the Rust
`quality` module (src/quality.rs, run as bench/score_palette.rs); this script only runs the
programs and writes the tables. Configurations our CLI does not support (yet) show as n/a.

It also runs the reference scorer palette_score.py ($PALETTE_SCORE, default
$COLOR_PALETTES_DATA/../../tools/palette_score.py) on the baseline palettes and reports how
far the Rust figures are from it (skip with --no-reference-check).
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import METHODS, SPACES, log, md_table  # noqa: E402

BASELINES = ("sklearn", "okolors")
# Accent capture thresholds (CIEDE2000 from the accent's median colour to the nearest swatch).
ACCENT_STRICT = 10.0
ACCENT_LOOSE = 15.0
# The target of issue 20: the default's mean CIEDE2000 at k = 8 over okolors', at most.
TARGET_RATIO = 1.0


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="2 stills, k = 8 only")
    p.add_argument("--out", type=Path,
                   help="report path (default QUALITY.md; quick: bench/out/QUALITY.quick.md)")
    p.add_argument("--no-build", action="store_true", help="use the binaries as they are")
    p.add_argument("--no-reference-check", action="store_true",
                   help="do not run palette_score.py for the agreement check")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per process")
    p.add_argument("--keep-temp", action="store_true",
                   help="keep the temporary directory (palettes, generated stills)")
    return p.parse_args()


def f2(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}"


def main() -> int:
    args = parse_args()
    out_path = args.out or (common.BENCH / "out" / "QUALITY.quick.md" if args.quick
                            else common.REPO / "QUALITY.md")
    data = common.data_dir()
    accents = data / "accents.json"
    common.check_python_deps()
    notes = common.build(args.no_build)
    samples = common.sample_stills(data)
    ks = (8,) if args.quick else (5, 8)
    if args.quick:
        samples = [s for s in samples if s.name in ("El_Fuente.png", "Sintel_0016.png")] or samples[:2]
    tmp = Path(tempfile.mkdtemp(prefix="color-palettes-quality-"))
    frames = [] if args.quick else common.clip_frames(data, tmp)
    stills = samples + frames
    held_out_names = set(common.HELD_OUT_STILLS) | {f.name for f in frames}
    tuned = [s for s in samples if s.name in common.TUNED_STILLS]
    held_out = [s for s in stills if s.name in held_out_names]
    unlisted = [s.name for s in samples if s.name not in common.TUNED_STILLS
                and s.name not in common.HELD_OUT_STILLS]
    if unlisted:
        sys.exit(f"stills in neither the tuned nor the held-out list: {unlisted}")

    tools: list[common.Tool] = []
    if "ours" not in notes:
        tools += [common.default_tool()]
        tools += [common.ours_tool(m, s) for m in METHODS for s in SPACES]
    tools += [common.okolors_tool(), common.sklearn_tool()]
    keys = (["ours default"] + [f"ours {m} {s}" for m in METHODS for s in SPACES]
            + list(BASELINES))
    failures: dict[str, str] = {}
    format_problems: dict[str, set[str]] = {}
    # scores[(key, still, k)] = the score-palette line
    scores: dict[tuple[str, str, int], dict] = {}
    files: dict[tuple[str, str, int], Path] = {}
    for still in stills:
        batch: list[tuple[tuple[str, str, int], Path]] = []
        for k in ks:
            for tool in tools:
                run = common.measure(tool.command(still, k), tool.env, args.timeout)
                if not run.ok:
                    log(f"n/a: {tool.key} on {still.name} k={k}: {run.error}")
                    failures.setdefault(tool.key, f"fails: {run.error}")
                    continue
                doc, problems = common.check_palette_json(run.stdout, k)
                if problems:
                    format_problems.setdefault(tool.key, set()).update(problems)
                if doc is None:
                    continue
                path = tmp / f"{still.stem}__k{k}__{tool.key.replace(' ', '-')}.json"
                path.write_text(json.dumps(doc))
                batch.append(((tool.key, still.name, k), path))
        log(f"{still.name}: scoring {len(batch)} palettes")
        lines = common.score_palettes(still, accents, [p for _, p in batch])
        for (key, path), line in zip(batch, lines):
            scores[key] = line
            files[key] = path

    reference = None if args.no_reference_check else reference_check(data, accents, stills,
                                                                        ks, scores, files)
    info = common.machine_info()
    n_accents = {s.name: 0 for s in stills}
    for (key, still, k), line in scores.items():
        n_accents[still] = len(line["accents"])

    def label(key: str) -> str:
        return {"sklearn": "scikit-learn k-means rgb (original)",
                "okolors": "okolors (Oklab k-means)",
                "ours default": "**default (accent lab)**"}.get(key, key.removeprefix("ours "))

    def captured(line: dict, limit: float) -> int:
        return sum(1 for a in line["accents"] if a["de00"] is not None and a["de00"] <= limit)

    # ---- summaries: mean over a set of stills
    header = ["method space"]
    for k in ks:
        header += [f"k={k} mean", f"k={k} p95", f"k={k} min pair",
                   f"k={k} accents <=10", f"k={k} accents <=15"]

    def mean_of(key: str, group: list[Path], k: int, field: str) -> float | None:
        got = [scores[(key, s.name, k)][field] for s in group if (key, s.name, k) in scores]
        got = [g for g in got if g is not None]
        return statistics.mean(got) if len(got) == len(group) and got else None

    def summary(group: list[Path]) -> str:
        total = sum(n_accents[s.name] for s in group)
        rows = []
        for key in keys:
            row = [label(key)]
            for k in ks:
                got = [scores[(key, s.name, k)] for s in group if (key, s.name, k) in scores]
                if len(got) < len(group):
                    row += ["n/a"] * 5
                    continue
                pairs = [g["min_pair_de00"] for g in got if g["min_pair_de00"] is not None]
                row += [f2(statistics.mean(g["mean_de00"] for g in got)),
                        f2(statistics.mean(g["p95_de00"] for g in got)),
                        f2(statistics.mean(pairs) if pairs else None)]
                row += ([f"{sum(captured(g, lim) for g in got)}/{total}"
                         for lim in (ACCENT_STRICT, ACCENT_LOOSE)] if total else ["–", "–"])
            rows.append(row)
        return md_table(header, rows)

    def still_table(still: Path) -> str:
        rows = []
        for key in keys:
            row = [label(key)]
            for k in ks:
                line = scores.get((key, still.name, k))
                if line is None:
                    row += ["n/a"] * 5
                    continue
                acc = line["accents"]
                distances = ", ".join("n/a" if a["de00"] is None else f"{a['de00']:.1f}"
                                      for a in acc)
                cells = (["–", "–"] if not acc else
                         [f"{captured(line, ACCENT_STRICT)}/{len(acc)} ({distances})",
                          f"{captured(line, ACCENT_LOOSE)}/{len(acc)}"])
                row += [f2(line["mean_de00"]), f2(line["p95_de00"]),
                        f2(line["min_pair_de00"])] + cells
            rows.append(row)
        return md_table(header, rows)

    # ---- the target: default / okolors, mean CIEDE2000 at k = 8, per set
    groups = [("sample stills (all 7)" if not args.quick else "sample stills", samples),
              ("tuned on", tuned), ("held out", held_out)]
    target_rows = []
    verdicts = []
    for name, group in groups:
        if not group or 8 not in ks:
            continue
        ours, theirs = mean_of("ours default", group, 8, "mean_de00"), mean_of("okolors", group, 8, "mean_de00")
        if ours is None or theirs is None:
            target_rows.append([name, str(len(group)), "n/a", "n/a", "n/a", "n/a"])
            continue
        ratio = ours / theirs
        ok = ratio <= TARGET_RATIO
        verdicts.append(ok)
        target_rows.append([name, str(len(group)), f2(ours), f2(theirs), f"{ratio:.3f}",
                            "**PASS**" if ok else "**FAIL**"])

    command = "python3 bench/quality_report.py" + (" --quick" if args.quick else "")
    ffmpeg = common.ffmpeg_version()
    lines = [
        "# Palette quality",
        "",
        *(["**Quick smoke-test run: not the reference figures.**", ""] if args.quick else []),
        "Generated by `bench/quality_report.py`; rerun from the repository root with:",
        "",
        "```sh",
        "pip install -r bench/requirements.txt   # once",
        "apt-get install -y ffmpeg               # once: the held-out frames of the sample clip",
        f"COLOR_PALETTES_DATA=../shared/data/stills {command}",
        "```",
        "",
        f"- date: {info['date']}; repository: {info['commit']}; {info['rustc']}; "
        f"{info['python_libs']}; {info['okolors']}; {ffmpeg}",
        "- figures from `src/quality.rs` (the definitions of `palette_score.py`, every pixel): "
        "**mean** and **p95** = mean and 95th percentile of the CIEDE2000 from each pixel to "
        "its nearest palette colour (lower is better); **min pair** = smallest CIEDE2000 "
        "between two palette colours (higher = more distinct colours); **accents <=10** and "
        "**<=15** = accents of accents.json captured (a palette colour within CIEDE2000 10, "
        "or 15, of the accent's median colour) / accents, with each accent's distance in "
        "brackets in the per-still tables",
        "- tools: `color-palettes extract STILL -k K --format json` (the **default**: no "
        "method or space named, i.e. the accent method in CIELAB) and with `--method M --space S`; "
        "`bench/sklearn_palette.py` (the original pipeline: scikit-learn `KMeans(n_clusters=K, "
        "random_state=0)` on every pixel, RGB); `bench/okolors-palette` (okolors 0.9 defaults)",
        f"- **tuned on** (the default's choices were measured on these only): "
        f"{', '.join(s.name for s in tuned)}",
        f"- **held out** (never looked at while choosing; fixed in `bench/common.py` before "
        f"tuning): {', '.join(s.name for s in held_out)}"
        + (f"; the `Big_Buck_Bunny_*` frames are taken from `../video/{common.CLIP_NAME}` "
           f"(sha256-checked, CC BY 3.0 Blender Foundation) at "
           f"{', '.join(f'{t} s' for t in common.CLIP_FRAME_TIMES)} with FFmpeg"
           if frames else ""),
        "- accents: " + ", ".join(f"{n} {c}" for n, c in n_accents.items() if c),
        "",
    ]
    if notes or failures or format_problems:
        lines += ["## Notes", ""]
        for k, v in notes.items():
            lines.append(f"- {k}: {v}")
        for k, v in failures.items():
            lines.append(f"- `{k}` n/a: {v}")
        for k, v in format_problems.items():
            lines.append(f"- `{k}` output deviates from the JSON format: {'; '.join(sorted(v))}")
        lines.append("")
    if target_rows:
        lines += [
            "## The default against okolors (k = 8, mean CIEDE2000; target <= "
            f"{TARGET_RATIO}x okolors)",
            "",
            md_table(["stills", "n", "default", "okolors", "default / okolors", "verdict"],
                     target_rows),
            "",
        ]
    for name, group in groups:
        if not group:
            continue
        lines += [
            f"## Summary, {name} (mean over {len(group)} stills; accents summed): "
            + ", ".join(s.name for s in group),
            "",
            summary(group),
            "",
        ]
    for still in stills:
        role = "held out" if still.name in held_out_names else "tuned on"
        lines += [f"## {still.name} ({role})", "", still_table(still), ""]
    if reference is not None:
        lines += ["## Agreement with palette_score.py", "", reference, ""]
    # bench/steadiness.py keeps its own command and results; QUALITY.md carries them too.
    steadiness = common.BENCH / "STEADINESS_RESULTS.md"
    if steadiness.exists() and not args.quick:
        body = steadiness.read_text().split("\n", 1)[1]  # without its own title
        lines += [f"## From `{common.rel(steadiness)}`", "", body.strip(), ""]
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text("\n".join(lines) + "\n")
    log(f"wrote {common.rel(out_path)}")
    if args.keep_temp:
        log(f"palettes kept in {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def reference_check(data: Path, accents: Path, stills: list[Path], ks: tuple[int, ...],
                    scores: dict, files: dict) -> str | None:
    """Runs palette_score.py on the baseline palettes; max |Rust - reference| per figure."""
    script = common.reference_scorer(data)
    if script is None:
        log("palette_score.py not found: agreement check skipped")
        return None
    try:
        import importlib.util
        if importlib.util.find_spec("skimage") is None:
            log("scikit-image missing: agreement check skipped")
            return None
    except ImportError:
        return None
    diffs: dict[str, list[float]] = {"mean_de00": [], "p95_de00": [], "min_pair_de00": [],
                                     "accent de00": []}
    recall_same = 0
    n = 0
    for still in stills:
        for k in ks:
            for key in BASELINES:
                if (key, still.name, k) not in scores:
                    continue
                proc = subprocess.run([sys.executable, str(script), str(still),
                                       str(files[(key, still.name, k)]), str(accents)],
                                      capture_output=True, text=True, env=common.sklearn_env())
                if proc.returncode != 0:
                    log(f"palette_score.py failed: {proc.stderr.strip()[-300:]}")
                    continue
                ref = json.loads(proc.stdout)
                ours = scores[(key, still.name, k)]
                n += 1
                for f in ("mean_de00", "p95_de00", "min_pair_de00"):
                    if ref[f] is not None and ours[f] is not None:
                        diffs[f].append(abs(ours[f] - ref[f]))
                for a in ours["accents"]:
                    r = ref.get("accents_de00", {}).get(a["name"])
                    if r is not None and a["de00"] is not None:
                        diffs["accent de00"].append(abs(a["de00"] - r))
                recall_same += ref.get("accent_recall") == "{}/{}".format(*ours["accent_recall"])
    if n == 0:
        return None
    rows = [[f, str(len(v)), f"{max(v):.3f}" if v else "n/a",
             f"{statistics.mean(v):.3f}" if v else "n/a"] for f, v in diffs.items()]
    return (
        f"`{script.name}` run on the {n} baseline palettes above (scikit-learn and okolors, "
        f"k = {', '.join(map(str, ks))}); absolute difference from the Rust figures. The "
        "reference rounds to 2 decimals (accents to 1) and computes mean and p95 on a random "
        "200 000-pixel subsample, so differences up to ~0.05 are expected. Accent recall "
        f"identical in {recall_same}/{n}.\n\n"
        + md_table(["figure", "values", "largest difference", "mean difference"], rows)
    )


if __name__ == "__main__":
    sys.exit(main())
