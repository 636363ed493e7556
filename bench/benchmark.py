#!/usr/bin/env python3
"""Times k=8 palettes of the sample stills for every method and space of color-palettes, side
by side in one run with the original pipeline (scikit-learn KMeans on every pixel) and okolors,
with peak memory, and writes BENCHMARKS.md (timings, ratios with PASS/FAIL against the
targets, and the quality table).

    python3 bench/benchmark.py            # full run (~5-8 min on 2 cores), writes BENCHMARKS.md
    python3 bench/benchmark.py --quick    # smoke test: 1 repetition, 2 stills, no big stills;
                                          # writes bench/out/BENCHMARKS.quick.md

Every figure is for the whole process (start, load, palette, JSON out), as the user runs it.
Repetitions are interleaved (each repetition runs every tool on every still, tool order
rotating) so that machine noise hits every tool alike; the report gives the median wall time
and the largest peak RSS over the repetitions. Needs: cargo, Python 3.11 with
bench/requirements.txt installed; the stills in $COLOR_PALETTES_DATA (default
../shared/data/stills relative to the repository).
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import METHODS, SPACES, log, md_table  # noqa: E402

TARGET_OKOLORS = 1.0  # k-means time / okolors time, at most
TARGET_SKLEARN = 50.0  # scikit-learn time / k-means time, at least
TARGET_AGGLO_S = 0.5  # agglomerative, seconds, under
TARGET_AGGLO_MB = 300.0  # agglomerative, peak RSS MB (10^6 bytes), under
TARGET_BIG_S = 1.5  # 24 MP still, seconds, under (k-means, agglomerative, the default)
TARGET_DEFAULT_OKOLORS = 1.0  # the default palette (k-medians lab) time / okolors, at most
TARGET_AGGLO_OKOLORS = 1.0  # agglomerative time / okolors time, at most (issue 12)
TARGET_QUALITY = 1.05  # mean dE00 ratio to the baseline, at most


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true",
                   help="smoke test: 1 repetition, 2 sample stills, no generated stills")
    p.add_argument("--reps", type=int,
                   help="repetitions per tool and still (default 9; quick 1). A Rust tool's run "
                        "takes ~20-40 ms, which this shared 2-core machine swings by +-15%% from "
                        "run to run, so its median needs more samples than scikit-learn's")
    p.add_argument("--sklearn-reps", type=int, default=3,
                   help="scikit-learn repetitions per still, at most --reps (default 3)")
    p.add_argument("--k", type=int, default=8)
    p.add_argument("--out", type=Path, help="report path (default BENCHMARKS.md; quick: "
                   "bench/out/BENCHMARKS.quick.md)")
    p.add_argument("--no-build", action="store_true", help="use the binaries as they are")
    p.add_argument("--no-big", action="store_true", help="skip the generated ~24 MP still")
    p.add_argument("--big-size", default="6000x4000", help="size of the generated big still")
    p.add_argument("--upscale-from", default="El_Fuente.png",
                   help="sample still to upscale into the ~1 MP and ~24 MP stills")
    p.add_argument("--big-reps", type=int, default=3,
                   help="repetitions on the 24 MP still, at most --reps (default 3)")
    p.add_argument("--sklearn-big-reps", type=int, default=1,
                   help="scikit-learn repetitions on the 24 MP still (~50 s and ~3 GB each)")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per process")
    p.add_argument("--keep-temp", action="store_true",
                   help="keep the temporary directory (palettes, generated stills)")
    return p.parse_args()


def fmt_s(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def mb(run_rss_mib: float) -> float:
    return run_rss_mib * 1024 * 1024 / 1e6


def main() -> int:
    args = parse_args()
    reps = args.reps or (1 if args.quick else 9)
    sk_reps = min(args.sklearn_reps, reps)
    big_reps = min(args.big_reps, reps)
    sk_big_reps = min(args.sklearn_big_reps, sk_reps, big_reps)
    load_start = loadavg()
    out_path = args.out or (common.BENCH / "out" / "BENCHMARKS.quick.md" if args.quick
                            else common.REPO / "BENCHMARKS.md")
    data = common.data_dir()
    accents = data / "accents.json"
    common.check_python_deps()
    notes = common.build(args.no_build)

    samples = common.sample_stills(data)
    if args.quick:
        samples = [s for s in samples if s.name in ("Chimera.png", "Sintel_0016.png")] or samples[:2]
    tmp = Path(tempfile.mkdtemp(prefix="color-palettes-bench-"))
    generated: list[Path] = []
    big: Path | None = None
    if not args.quick:
        src = data / args.upscale_from
        log(f"generating upscaled stills from {src.name} in {tmp}")
        generated.append(common.upscale(src, (1400, 740), tmp, "1400x740"))
        if not args.no_big:
            w, h = (int(v) for v in args.big_size.lower().split("x"))
            big = common.upscale(src, (w, h), tmp, f"{w}x{h}")
            generated.append(big)
    stills = samples + generated
    small = samples + [g for g in generated if g != big]  # the "~1 MP" class of the targets

    tools: list[common.Tool] = []
    if "ours" not in notes:
        tools += [common.ours_tool(m, s) for m in METHODS for s in SPACES]
        tools += [common.default_tool()]
    tools += [common.okolors_tool(), common.sklearn_tool(), common.decode_tool()]
    ours_keys = [f"ours {m} {s}" for m in METHODS for s in SPACES] + ["ours default"]

    # Warm-up (file cache, dynamic loader) and probe: a config that fails here is n/a.
    unsupported: dict[str, str] = {}
    for tool in tools:
        run = common.measure(tool.command(samples[0], args.k), tool.env, args.timeout)
        if not run.ok:
            unsupported[tool.key] = run.error
            log(f"n/a: {tool.key}: {run.error}")
    tools = [t for t in tools if t.key not in unsupported]

    runs: dict[tuple[str, str], list[common.Run]] = {}
    palettes: dict[tuple[str, str], Path] = {}
    format_problems: dict[str, set[str]] = {}
    (tmp / "palettes").mkdir()
    for rep in range(reps):
        for still in stills:
            if still == big and rep >= big_reps:
                continue
            shift = (rep + stills.index(still)) % len(tools)
            for tool in tools[shift:] + tools[:shift]:
                if tool.key == "sklearn" and rep >= (sk_big_reps if still == big else sk_reps):
                    continue
                run = common.measure(tool.command(still, args.k), tool.env, args.timeout)
                log(f"rep {rep + 1}/{reps} {still.name:24} {tool.key:26} "
                    f"{run.wall:8.3f} s {mb(run.rss_mb):8.1f} MB {'' if run.ok else run.error}")
                runs.setdefault((tool.key, still.name), []).append(run)
                if run.ok and tool.key != "decode only" and (tool.key, still.name) not in palettes:
                    doc, problems = common.check_palette_json(run.stdout, args.k)
                    if problems:
                        format_problems.setdefault(tool.key, set()).update(problems)
                    if doc is not None:
                        path = tmp / "palettes" / f"{still.stem}__{tool.key.replace(' ', '-')}.json"
                        path.write_text(json.dumps(doc))
                        palettes[(tool.key, still.name)] = path

    # Python start-up and the pipeline's imports alone: the fixed part of scikit-learn's time.
    import_runs = [common.measure([sys.executable, "-c", "import numpy, PIL.Image, sklearn.cluster"],
                                  common.sklearn_env(), args.timeout) for _ in range(sk_reps)]
    import_s = statistics.median(r.wall for r in import_runs)

    def med_wall(key: str, still: Path) -> float | None:
        ok = [r.wall for r in runs.get((key, still.name), []) if r.ok]
        return statistics.median(ok) if ok else None

    def med_cpu(key: str, still: Path) -> float | None:
        ok = [r.cpu for r in runs.get((key, still.name), []) if r.ok]
        return statistics.median(ok) if ok else None

    def max_mb(key: str, still: Path) -> float | None:
        ok = [mb(r.rss_mb) for r in runs.get((key, still.name), []) if r.ok]
        return max(ok) if ok else None

    # ---- quality (sample stills only), scored by the Rust quality module
    quality_rows = []
    pairs = [("ours kmeans rgb", "sklearn"), ("ours kmeans lab", "okolors")]
    q: dict[tuple[str, str], float] = {}
    for still in samples:
        files = [palettes[(k, still.name)] for k in {k for p in pairs for k in p}
                 if (k, still.name) in palettes]
        for line in common.score_palettes(still, accents, files):
            key = Path(line["palette"]).stem.split("__", 1)[1].replace("-", " ")
            q[(key, still.name)] = line["mean_de00"]

    def qcell(key: str, still: str) -> str:
        v = q.get((key, still))
        return "n/a" if v is None else f"{v:.2f}"

    verdicts: list[tuple[str, bool | None]] = []
    for ours, base in pairs:
        ratios = []
        for still in samples:
            a, b = q.get((ours, still.name)), q.get((base, still.name))
            r = a / b if a is not None and b else None
            if r is not None:
                ratios.append(r)
            quality_rows.append([still.name, ours, qcell(ours, still.name), base,
                                 qcell(base, still.name),
                                 "n/a" if r is None else f"{r:.3f}",
                                 "n/a" if r is None else ("ok" if r <= TARGET_QUALITY else "over")])
        a_vals = [q[(ours, s.name)] for s in samples if (ours, s.name) in q]
        b_vals = [q[(base, s.name)] for s in samples if (base, s.name) in q]
        if len(a_vals) == len(samples) and len(b_vals) == len(samples):
            ratio = statistics.mean(a_vals) / statistics.mean(b_vals)
            verdict = ratio <= TARGET_QUALITY
            quality_rows.append([f"**mean over {len(samples)} stills**", ours,
                                 f"**{statistics.mean(a_vals):.2f}**", base,
                                 f"**{statistics.mean(b_vals):.2f}**", f"**{ratio:.3f}**",
                                 f"**{'PASS' if verdict else 'FAIL'}**"])
        else:
            verdict = None
            quality_rows.append([f"**mean over {len(samples)} stills**", ours, "n/a", base,
                                 "n/a", "n/a", "**n/a**"])
        verdicts.append((f"quality: {ours} <= {TARGET_QUALITY}x {base}", verdict))

    # ---- targets
    target_rows = []

    def verdict_cell(ok: bool | None) -> str:
        return "n/a" if ok is None else ("**PASS**" if ok else "**FAIL**")

    def worst(values: list[tuple[float, str]], largest: bool) -> tuple[float, str] | None:
        if not values:
            return None
        return max(values) if largest else min(values)

    small_desc = f"stills <= ~1 MP ({len(small)})"
    timing = {"wall": med_wall, "cpu": med_cpu}

    def time_target(name: str, over: list[Path], over_desc: str, value, largest: bool,
                    passes, fmt) -> None:
        """One target row: worst case by wall time (the verdict) and by CPU time (for
        information: robust to a busy machine, blind to multi-threading)."""
        cells = {}
        ok = None
        for kind, get in timing.items():
            vals = [(v, s.name) for s in over if (v := value(get, s)) is not None]
            wv = worst(vals, largest)
            cells[kind] = "n/a" if wv is None else f"{fmt(wv[0])} ({wv[1]})"
            if kind == "wall":
                ok = None if wv is None or len(vals) < len(over) else passes(wv[0])
        target_rows.append([name, over_desc, cells["wall"], verdict_cell(ok), cells["cpu"]])
        verdicts.append((name, ok))

    def ratio(a: float | None, b: float | None) -> float | None:
        return None if a is None or not b else a / b

    for space in SPACES:
        key = f"ours kmeans {space}"
        time_target(f"k-means {space}: time / okolors <= {TARGET_OKOLORS:g}", small, small_desc,
                    lambda get, s, key=key: ratio(get(key, s), get("okolors", s)), True,
                    lambda v: v <= TARGET_OKOLORS, lambda v: f"{v:.2f}")
    for space in SPACES:
        key = f"ours kmeans {space}"
        time_target(f"k-means {space}: scikit-learn time / ours >= {TARGET_SKLEARN:g}", small,
                    small_desc, lambda get, s, key=key: ratio(get("sklearn", s), get(key, s)),
                    False, lambda v: v >= TARGET_SKLEARN, lambda v: f"{v:.1f}x")
    for space in SPACES:
        key = f"ours agglomerative {space}"
        time_target(f"agglomerative {space}: time < {TARGET_AGGLO_S:g} s", small, small_desc,
                    lambda get, s, key=key: get(key, s), True,
                    lambda v: v < TARGET_AGGLO_S, lambda v: f"{v:.3f} s")
        vals = [(m, s.name) for s in small if (m := max_mb(key, s)) is not None]
        wv = worst(vals, largest=True)
        ok = None if wv is None or len(vals) < len(small) else wv[0] < TARGET_AGGLO_MB
        name = f"agglomerative {space}: peak RSS < {TARGET_AGGLO_MB:g} MB"
        target_rows.append([name, small_desc,
                            "n/a" if wv is None else f"{wv[0]:.0f} MB ({wv[1]})",
                            verdict_cell(ok), "–"])
        verdicts.append((name, ok))
    time_target(f"default (accent lab): time / okolors <= {TARGET_DEFAULT_OKOLORS:g}", small,
                small_desc, lambda get, s: ratio(get("ours default", s), get("okolors", s)),
                True, lambda v: v <= TARGET_DEFAULT_OKOLORS, lambda v: f"{v:.2f}")
    for space in SPACES:
        key = f"ours agglomerative {space}"
        time_target(f"agglomerative {space}: time / okolors <= {TARGET_AGGLO_OKOLORS:g}", small,
                    small_desc, lambda get, s, key=key: ratio(get(key, s), get("okolors", s)),
                    True, lambda v: v <= TARGET_AGGLO_OKOLORS, lambda v: f"{v:.2f}")
    if big is not None:
        key = "ours default"
        time_target(f"default (accent lab): time < {TARGET_BIG_S:g} s", [big], big.name,
                    lambda get, s, key=key: get(key, s), True,
                    lambda v: v < TARGET_BIG_S, lambda v: f"{v:.3f} s")
        for method in ("kmeans", "agglomerative"):
            for space in SPACES:
                key = f"ours {method} {space}"
                time_target(f"{method} {space}: time < {TARGET_BIG_S:g} s", [big], big.name,
                            lambda get, s, key=key: get(key, s), True,
                            lambda v: v < TARGET_BIG_S, lambda v: f"{v:.3f} s")

    # ---- report
    load_end = loadavg()
    info = common.machine_info()
    all_keys = ours_keys + ["okolors", "sklearn", "decode only"]
    still_cols = [s.name for s in stills]

    def matrix(cell) -> str:
        rows = [[key] + [cell(key, s) for s in stills] for key in all_keys]
        return md_table(["tool"] + still_cols, rows)

    def wall_cell(key: str, s: Path) -> str:
        if key in unsupported:
            return "n/a"
        return fmt_s(med_wall(key, s))

    def cpu_cell(key: str, s: Path) -> str:
        if key in unsupported:
            return "n/a"
        return fmt_s(med_cpu(key, s))

    def mem_cell(key: str, s: Path) -> str:
        m = None if key in unsupported else max_mb(key, s)
        return "n/a" if m is None else f"{m:.0f}"

    def okolors_ratio(key: str, s: Path) -> str:
        a, b = med_wall(key, s), med_wall("okolors", s)
        return "n/a" if a is None or not b else f"{a / b:.2f}"

    def sklearn_ratio(key: str, s: Path) -> str:
        a, b = med_wall(key, s), med_wall("sklearn", s)
        return "n/a" if not a or b is None else f"{b / a:.0f}x"

    def ratio_matrix(cell) -> str:
        rows = [[key] + [cell(key, s) for s in stills] for key in ours_keys]
        return md_table(["tool"] + still_cols, rows)

    command = " ".join(["python3 bench/benchmark.py"]
                       + [shlex.quote(a) for a in sys.argv[1:] if a != "--no-build"])
    sizes = {s.name: s for s in stills}
    dims = {}
    for name, path in sizes.items():
        dims[name] = png_size(path)

    lines = [
        "# Benchmarks",
        "",
        *(["**Quick smoke-test run: not the reference figures.**", ""] if args.quick else []),
        "Generated by `bench/benchmark.py`; rerun from the repository root with:",
        "",
        "```sh",
        "pip install -r bench/requirements.txt   # once",
        f"COLOR_PALETTES_DATA=../shared/data/stills {command}",
        "```",
        "",
        f"- date: {info['date']}; repository: {info['commit']}",
        f"- machine: {info['cpu']}, nproc {info['nproc']}, {info['memory']} RAM, {info['os']}; "
        f"load average (1 min) {load_start} at the start, {load_end} at the end",
        f"- {info['rustc']}; {info['python']} ({info['python_libs']}); {info['okolors']}",
        f"- k = {args.k}; {reps} interleaved repetition{'s' if reps != 1 else ''} per tool and still "
        f"(on the big still {big_reps}; scikit-learn: {sk_reps}, on the big still {sk_big_reps}); "
        "wall time is the median, peak RSS the largest, CPU time (user + system) the median",
        "- every figure is the whole process: start-up, decoding the PNG, the palette, JSON out "
        "(for scikit-learn also the Python start-up and imports, which alone take "
        f"{import_s:.2f} s here: `python3 -c 'import numpy, PIL.Image, sklearn.cluster'`)",
        "- tools: `target/release/color-palettes extract STILL -k 8 --method M --space S "
        "--format json` (built with `cargo build --release --features cli`); "
        "`bench/okolors-palette` (okolors as a library, its defaults: single-threaded, "
        "lightness weight 0.325, sampling factor 0.5; proportions by nearest centre); "
        "`bench/sklearn_palette.py` (Pillow, `KMeans(n_clusters=8, random_state=0)` on every "
        "pixel scaled to 0..1, OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset)",
        "- stills: " + ", ".join(f"{n} ({dims[n]})" for n in still_cols)
        + (f"; the `{Path(args.upscale_from).stem}_WxH` stills are bicubic upscales of "
           f"{args.upscale_from}, made by the command in a temporary directory"
           if generated else ""),
        "- `decode only` is a control, not a palette: `okolors-palette --decode-only STILL` "
        "decodes the still with the image crate and exits (the floor for any Rust tool)",
        "- machine noise: other builds may run concurrently on this 2-core machine (a load "
        "average above nproc means they did); compare tools within one run (the ratios), not "
        "across runs",
        "",
    ]
    busy = [v for v in (load_start, load_end)
            if v.replace(".", "", 1).isdigit() and float(v) > (os.cpu_count() or 1)]
    if busy:
        lines += [f"> **Warning:** the load average ({load_start} at the start, {load_end} at the "
                  f"end) exceeded the {os.cpu_count()} cores: other work shared the CPU, so the "
                  "absolute times (and the targets in seconds) are pessimistic; the ratios, from "
                  "interleaved runs, are the more reliable figures.", ""]
    failed_runs = any(not r.ok for rs in runs.values() for r in rs)
    if notes or unsupported or format_problems or failed_runs:
        lines += ["## Notes", ""]
        for k, v in notes.items():
            lines.append(f"- {k}: {v}")
        for k, v in unsupported.items():
            lines.append(f"- `{k}` is n/a: {v}")
        for k, v in format_problems.items():
            lines.append(f"- `{k}` output deviates from the JSON format: {'; '.join(sorted(v))}")
        for (k, s), rs in runs.items():
            errors = sorted({r.error for r in rs if not r.ok})
            if errors:
                lines.append(f"- `{k}` failed on {s} ({len(errors)}/{len(rs)} runs): "
                             + "; ".join(errors))
        lines.append("")
    n_pass = sum(1 for _, v in verdicts if v)
    n_fail = sum(1 for _, v in verdicts if v is False)
    n_na = sum(1 for _, v in verdicts if v is None)
    lines += [
        "## Targets",
        "",
        f"{n_pass} PASS, {n_fail} FAIL, {n_na} n/a. Each row is the worst case over the stills "
        "named. \"~1 MP still\" targets are checked on every sample still and on the ~1 MP "
        "upscale. Verdicts use the whole process's wall time, as the targets do; the last "
        "column gives the same figure from CPU time (user + system), which a busy machine "
        "disturbs less but which counts every core a multi-threaded tool uses.",
        "",
        md_table(["target", "over", "worst (wall time)", "verdict", "same by CPU time"],
                 target_rows, "llrcr"),
        "",
        "## Quality",
        "",
        "Mean CIEDE2000 from each pixel to its nearest palette colour (k = 8, every pixel of "
        "the sample stills), scored by `src/quality.rs` (through `score-palette`), from the "
        "palettes of the first repetition. Target: over the sample stills, at most "
        f"{TARGET_QUALITY}x the baseline (the verdict uses the mean over the stills; per-still "
        "rows are for information).",
        "",
        md_table(["still", "ours", "mean dE00", "baseline", "mean dE00", "ratio", "<= 1.05"],
                 quality_rows, "llrlrrc"),
        "",
        "## Wall time (s, median)",
        "",
        matrix(wall_cell),
        "",
        "## Peak RSS (MB, largest)",
        "",
        matrix(mem_cell),
        "",
        "## CPU time (s, user + system, median)",
        "",
        "CPU time above wall time means the tool used more than one core.",
        "",
        matrix(cpu_cell),
        "",
        "## Ratios",
        "",
        "Time relative to okolors (ours / okolors; below 1 is faster than okolors):",
        "",
        ratio_matrix(okolors_ratio),
        "",
        "Speed-up over the scikit-learn pipeline (scikit-learn / ours):",
        "",
        ratio_matrix(sklearn_ratio),
        "",
    ]
    # The other benchmarks keep their own commands and results; BENCHMARKS.md carries them too,
    # so one file has every figure: the notebook timings and the server's load test.
    for extra in (common.REPO / "notebooks" / "TIMINGS.md", common.BENCH / "load" / "RESULTS.md",
                  common.BENCH / "FILM_RESULTS.md", common.BENCH / "SKIM_RESULTS.md",
                  common.BENCH / "PYTHON_RESULTS.md"):
        if extra.exists() and not args.quick:
            body = extra.read_text().split("\n", 1)[1]  # without its own title
            lines += [f"## From `{extra.relative_to(common.REPO)}`", "", body.strip(), ""]
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text("\n".join(l for l in lines if l is not None) + "\n")
    raw = {f"{k} | {s}": [r.__dict__ | {"stdout": None} for r in v] for (k, s), v in runs.items()}
    raw_path = common.BENCH / "out" / ("benchmark-quick.json" if args.quick else "benchmark.json")
    raw_path.parent.mkdir(parents=True, exist_ok=True)
    raw_path.write_text(json.dumps({"info": info, "runs": raw, "quality": {
        f"{k} | {s}": v for (k, s), v in q.items()}}, indent=1))
    log(f"wrote {common.rel(out_path)} and {common.rel(raw_path)}")
    if args.keep_temp:
        log(f"palettes and generated stills kept in {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    for name, v in verdicts:
        log(f"  {'n/a ' if v is None else 'PASS' if v else 'FAIL'}  {name}")
    return 0


def loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def png_size(path: Path) -> str:
    """Width x height from a PNG header (standard library only)."""
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        w, h = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
        return f"{w}x{h}, {w * h / 1e6:.2f} MP"
    return "?"


if __name__ == "__main__":
    sys.exit(main())
