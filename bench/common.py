"""Shared helpers of the benchmark and quality drivers (Python 3.11 standard library only).

Finds the repository, the sample stills and the tools; builds the Rust programs; runs one
child process while measuring its wall time, CPU time and peak resident memory (through the
bench crate's small `measure` launcher, which reads getrusage(RUSAGE_CHILDREN) of its only
child: no /usr/bin/time needed).
"""
from __future__ import annotations

import dataclasses
import datetime
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
BENCH_CRATE = BENCH / "okolors-palette"
DEFAULT_DATA = "../shared/data/stills"  # relative to the repository, as CI lays it out

METHODS = ("kmeans", "agglomerative", "accent", "kmedians")
SPACES = ("rgb", "hsv", "lab")


def log(*args: object) -> None:
    print(*args, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Data


def data_dir() -> Path:
    """The sample stills: $COLOR_PALETTES_DATA, else ../shared/data/stills beside the repo.

    A relative path is taken relative to the current directory if it exists there, else
    relative to the repository root (where CI runs)."""
    raw = os.environ.get("COLOR_PALETTES_DATA") or DEFAULT_DATA
    path = Path(raw)
    if not path.is_absolute():
        path = Path.cwd() / raw if (Path.cwd() / raw).is_dir() else REPO / raw
    path = path.resolve()
    if not path.is_dir():
        sys.exit(f"sample stills not found at {path}: set COLOR_PALETTES_DATA")
    return path


def sample_stills(data: Path) -> list[Path]:
    stills = sorted(p for p in data.iterdir() if p.suffix.lower() in (".png", ".jpg", ".jpeg"))
    if not stills:
        sys.exit(f"no stills in {data}")
    return stills


# The guard against tuning to the samples (issue 12), fixed before any tuning: the default
# palette's choices (space, lightness weight, refinement) were measured on TUNED_STILLS only;
# HELD_OUT_STILLS and the clip's frames were never looked at while choosing.
TUNED_STILLS = ("Chimera.png", "Meridian.png", "Sintel_0016.png", "Sol_Levante.png")
HELD_OUT_STILLS = ("El_Fuente.png", "Sintel_0025.png", "Sparks.png")
# Frames of the Big Buck Bunny clip (../video/, see its SOURCES.md), held out too: the
# times (seconds) at which FFmpeg takes one frame each.
CLIP_NAME = "Big_Buck_Bunny_clip.mp4"
CLIP_SHA256 = "f25b31f155970c46300934bda4a76cd2f581acab45c49762832ffdfddbcf9fdd"
CLIP_FRAME_TIMES = (0.5, 2.5, 4.5)


def clip_frames(data: Path, dest_dir: Path) -> list[Path]:
    """The held-out frames of the sample clip, extracted with FFmpeg into dest_dir as PNG.

    The clip is looked for beside the stills ($COLOR_PALETTES_DATA/../video/); a missing
    clip, a wrong checksum or a missing ffmpeg stops the run with one line (apt-get install
    ffmpeg; the clip's SOURCES.md says where it comes from)."""
    import hashlib

    clip = (data / ".." / "video" / CLIP_NAME).resolve()
    if not clip.is_file():
        sys.exit(f"{clip} not found: the held-out frames come from it (see its SOURCES.md)")
    digest = hashlib.sha256(clip.read_bytes()).hexdigest()
    if digest != CLIP_SHA256:
        sys.exit(f"{clip}: sha256 {digest}, expected {CLIP_SHA256}")
    if shutil.which("ffmpeg") is None:
        sys.exit("ffmpeg is needed for the held-out frames: apt-get install -y ffmpeg")
    frames = []
    for t in CLIP_FRAME_TIMES:
        out = dest_dir / f"Big_Buck_Bunny_{t:.1f}s.png"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", f"{t}", "-i", str(clip),
                        "-frames:v", "1", str(out)], check=True)
        frames.append(out)
    return frames


def reference_scorer(data: Path) -> Path | None:
    """palette_score.py: $PALETTE_SCORE, else ../../tools/palette_score.py from the stills."""
    raw = os.environ.get("PALETTE_SCORE")
    path = Path(raw) if raw else data / ".." / ".." / "tools" / "palette_score.py"
    return path.resolve() if path.is_file() else None


def upscale(src: Path, size: tuple[int, int], dest_dir: Path, tag: str) -> Path:
    """A bicubic upscale of `src` to `size`, saved as PNG in dest_dir (made with Pillow, in a
    child process so the driver itself stays standard-library only)."""
    out = dest_dir / f"{src.stem}_{tag}.png"
    if not out.exists():
        code = (
            "import sys; from PIL import Image; "
            "im = Image.open(sys.argv[1]).convert('RGB'); "
            "im.resize((int(sys.argv[2]), int(sys.argv[3])), Image.BICUBIC)"
            ".save(sys.argv[4], compress_level=1)"
        )
        subprocess.run(
            [sys.executable, "-c", code, str(src), str(size[0]), str(size[1]), str(out)],
            check=True,
        )
    return out


# ---------------------------------------------------------------------------------------------
# Tools


def target_dir() -> Path:
    raw = os.environ.get("CARGO_TARGET_DIR")
    return Path(raw).resolve() if raw else REPO / "target"


def ours_binary() -> Path:
    return target_dir() / "release" / "color-palettes"


def bench_binary(name: str) -> Path:
    return BENCH_CRATE / "target" / "release" / name


def build(skip: bool) -> dict[str, str]:
    """Builds our CLI and the bench crate (okolors-palette, score-palette) in release mode.

    Returns a note per tool whose build failed (the tool then shows as n/a)."""
    notes: dict[str, str] = {}
    steps = [
        ("ours", ["cargo", "build", "--release", "--features", "cli"], REPO),
        (
            "bench",
            ["cargo", "build", "--release", "--manifest-path", str(BENCH_CRATE / "Cargo.toml")],
            REPO,
        ),
    ]
    for name, cmd, cwd in steps:
        if skip:
            continue
        log("$ " + " ".join(cmd))
        env = dict(os.environ)
        if name == "bench":
            # The bench crate keeps its own target dir (bench/okolors-palette/target).
            env.pop("CARGO_TARGET_DIR", None)
        proc = subprocess.run(cmd, cwd=cwd, env=env, stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
            log(tail)
            notes[name] = f"build failed: `{' '.join(cmd)}`"
    if not ours_binary().exists():
        notes.setdefault("ours", f"{ours_binary()} not built")
    for b in ("okolors-palette", "score-palette", "measure"):
        if not bench_binary(b).exists():
            sys.exit(f"{bench_binary(b)} is missing: cargo build --release "
                     f"--manifest-path bench/okolors-palette/Cargo.toml")
    return notes


def check_python_deps() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "import sklearn, PIL, numpy"], capture_output=True, text=True
    )
    if proc.returncode != 0:
        sys.exit("scikit-learn, Pillow and numpy are needed: "
                 "pip install -r bench/requirements.txt\n" + proc.stderr)


def sklearn_env() -> dict[str, str]:
    """Environment for the scikit-learn child: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (set on
    some machines for old OpenBLAS builds) slow a current numpy, so both are unset together."""
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    return env


@dataclasses.dataclass(frozen=True)
class Tool:
    """One palette program: `command(still, k)` gives the argv."""

    key: str  # e.g. "ours kmeans rgb", "okolors", "sklearn"
    label: str
    argv: tuple[str, ...]  # with {still} and {k} placeholders
    env: dict[str, str] | None = None

    def command(self, still: Path, k: int) -> list[str]:
        return [a.format(still=still, k=k) for a in self.argv]


def ours_tool(method: str, space: str) -> Tool:
    return Tool(
        key=f"ours {method} {space}",
        label=f"color-palettes {method} {space}",
        argv=(str(ours_binary()), "extract", "{still}", "-k", "{k}", "--method", method,
              "--space", space, "--format", "json"),
    )


def default_tool() -> Tool:
    """Our CLI with no method or space named: the library's default palette."""
    return Tool(
        key="ours default",
        label="color-palettes default",
        argv=(str(ours_binary()), "extract", "{still}", "-k", "{k}", "--format", "json"),
    )


def okolors_tool() -> Tool:
    return Tool(key="okolors", label="okolors (Oklab k-means)",
                argv=(str(bench_binary("okolors-palette")), "{still}", "{k}"))


def decode_tool() -> Tool:
    """A control, not a palette tool: decoding the still alone (image crate, as okolors-palette
    and our CLI load it)."""
    return Tool(key="decode only", label="decode the still only (image crate)",
                argv=(str(bench_binary("okolors-palette")), "--decode-only", "{still}"))


def sklearn_tool() -> Tool:
    return Tool(key="sklearn", label="scikit-learn KMeans (RGB, every pixel)",
                argv=(sys.executable, str(BENCH / "sklearn_palette.py"), "{still}", "{k}"),
                env=sklearn_env())


# ---------------------------------------------------------------------------------------------
# Running and measuring


@dataclasses.dataclass
class Run:
    ok: bool
    wall: float  # seconds
    cpu: float  # user + system seconds
    rss_mb: float  # peak resident set size, MiB
    stdout: str
    error: str  # first lines of stderr, or the reason of failure


def measure(cmd: list[str], env: dict[str, str] | None = None, timeout: float = 300.0) -> Run:
    """Runs cmd to completion through the `measure` launcher (bench crate): wall time, CPU time
    and peak RSS of that child alone.

    Why a launcher: Linux's ru_maxrss of a child also counts what it had before exec, i.e. the
    spawning process's memory; spawned straight from this Python driver (~20 MB), every tool
    would show at least the driver's RSS. The launcher is a ~2 MB Rust program."""
    launcher = bench_binary("measure")
    with tempfile.TemporaryDirectory() as tmp:
        stats_path = Path(tmp) / "stats.json"
        out_path, err_path = Path(tmp) / "out", Path(tmp) / "err"
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            try:
                proc = subprocess.Popen([str(launcher), str(stats_path), "--", *cmd],
                                        stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                        env=env, start_new_session=True)
            except OSError as e:
                return Run(False, 0.0, 0.0, 0.0, "", str(e))
            timed_out = False
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
        stdout = out_path.read_text(errors="replace")
        stderr = err_path.read_text(errors="replace").strip()
        try:
            stats = json.loads(stats_path.read_text())
        except (OSError, json.JSONDecodeError):
            stats = None
    if timed_out:
        return Run(False, float(timeout), 0.0, 0.0, stdout, f"timed out after {timeout:.0f} s")
    if stats is None:
        return Run(False, 0.0, 0.0, 0.0, stdout, stderr[-300:] or "launcher failed")
    wall = float(stats["wall_s"])
    cpu = float(stats["user_s"]) + float(stats["sys_s"])
    rss = float(stats["maxrss_kb"]) / 1024.0  # KiB on Linux -> MiB
    if stats["code"] != 0:
        first = " ".join(stderr.splitlines()[-3:])[:300] or f"exit {stats['code']}"
        return Run(False, wall, cpu, rss, stdout, first)
    return Run(True, wall, cpu, rss, stdout, "")


def check_palette_json(text: str, k: int) -> tuple[dict | None, list[str]]:
    """Parses a tool's output; returns the document and deviations from the agreed format
    {"k","method","space","colors":[{"hex","rgb","proportion"}]}."""
    problems: list[str] = []
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        return None, [f"output is not JSON: {e}"]
    if not isinstance(doc, dict) or not isinstance(doc.get("colors"), list):
        return None, ["no \"colors\" list"]
    for key in ("k", "method", "space"):
        if key not in doc:
            problems.append(f"missing \"{key}\"")
    colors = doc["colors"]
    if len(colors) != k:
        problems.append(f"{len(colors)} colours for k={k}")
    for c in colors:
        if not isinstance(c, dict) or not re.fullmatch(r"#[0-9a-f]{6}", str(c.get("hex", ""))):
            problems.append(f"bad colour entry {c!r}")
            break
        if "rgb" not in c or "proportion" not in c:
            problems.append("colour without \"rgb\" or \"proportion\"")
            break
    if colors and all(isinstance(c, dict) for c in colors):
        total = sum(float(c.get("proportion", 0)) for c in colors)
        if abs(total - 1.0) > 0.01:
            problems.append(f"proportions sum to {total:.3f}")
    return doc, problems


def score_palettes(still: Path, accents: Path, palettes: list[Path]) -> list[dict]:
    """Scores palette files of one still with the Rust quality module (score-palette)."""
    if not palettes:
        return []
    cmd = [str(bench_binary("score-palette")), str(still), "--accents", str(accents)]
    proc = subprocess.run(cmd + [str(p) for p in palettes], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"score-palette failed on {still.name}: {proc.stderr.strip()}")
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


# ---------------------------------------------------------------------------------------------
# Report helpers


def machine_info() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass

    def version(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
        except OSError:
            return "n/a"

    pyv = version([sys.executable, "-c",
                   "import sklearn, numpy, PIL; print(f'scikit-learn {sklearn.__version__}, "
                   "numpy {numpy.__version__}, Pillow {PIL.__version__}')"])
    okolors = "okolors ?"
    lock = BENCH_CRATE / "Cargo.lock"
    if lock.exists():
        m = re.search(r'name = "okolors"\nversion = "([^"]+)"', lock.read_text())
        if m:
            okolors = f"okolors {m.group(1)}"
    commit = version(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"]) or "no commit"
    dirty = version(["git", "-C", str(REPO), "status", "--porcelain"])
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "nproc": str(os.cpu_count()),
        "memory": mem,
        "os": f"{platform.system()} {platform.release()}",
        "rustc": version(["rustc", "--version"]),
        "python": f"Python {platform.python_version()}",
        "python_libs": pyv,
        "okolors": okolors,
        "commit": commit + (" + uncommitted changes" if dirty else ""),
    }


def md_table(header: list[str], rows: list[list[str]], align: str | None = None) -> str:
    align = align or ("l" + "r" * (len(header) - 1))
    sep = ["---:" if a == "r" else ":---:" if a == "c" else "---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(sep) + " |"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def rel(path: Path) -> str:
    try:
        return str(path.relative_to(REPO))
    except ValueError:
        return str(path)


def ffmpeg_version() -> str:
    try:
        out = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout
    except OSError:
        return "ffmpeg n/a"
    first = out.splitlines()[0] if out else "ffmpeg n/a"
    return " ".join(first.split()[:3])


def which(name: str) -> bool:
    return shutil.which(name) is not None


def fold_section(target: Path, results: Path, marker: str, text: str) -> None:
    """Writes `results` (a titled copy of `text`, which ends with `<!-- END marker -->`) and
    puts `text` into `target` (BENCHMARKS.md, QUALITY.md) under "From `results`", replacing
    the last copy there. benchmark.py and quality_report.py carry such sections over when
    they regenerate their file."""
    end_marker = f"<!-- END {marker} -->"
    assert text.rstrip().endswith(end_marker), "the section ends with its marker"
    results.write_text(f"# {marker.capitalize()} benchmark\n\n" + text)
    old = target.read_text()
    head = f"## From `{rel(results)}`"
    if head in old:
        start = old.index(head)
        end = old.index(end_marker, start) + len(end_marker)
        old = old[:start] + old[end:]
    target.write_text(old.rstrip("\n") + "\n\n" + head + "\n\n" + text)


def fold_into_benchmarks(results: Path, marker: str, text: str) -> None:
    """fold_section into BENCHMARKS.md."""
    fold_section(REPO / "BENCHMARKS.md", results, marker, text)
