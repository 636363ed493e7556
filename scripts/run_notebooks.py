#!/usr/bin/env python3
"""Execute the notebooks for real (Jupyter + the evcxr Rust kernel) and check them.

    python3 scripts/run_notebooks.py            # execute every notebooks/*.ipynb, check, report
    python3 scripts/run_notebooks.py --write    # ... and save the outputs into the notebooks
    python3 scripts/run_notebooks.py notebooks/color-palettes.ipynb --timings

`--write` is how the committed outputs are made: it saves a notebook only when it passed.

Each notebook runs top to bottom in a fresh kernel of its own kind (its metadata's kernelspec:
`python3`, ipykernel, for the Python quickstart), the Rust ones in the `rust` kernel (evcxr_jupyter, started through
scripts/evcxr_kernel.sh), headless, in notebooks/ (so `:dep color-palettes = { path = ".." }`
finds the crate). A notebook passes when:

  * every code cell ran: no cell timed out (--timeout, default 30 min a cell: the first one
    compiles the crate), the kernel did not die, and no error stopped the run;
  * no output is an error (evcxr shows compile errors as one);
  * no cell wrote to stderr, where evcxr puts the error a `?` returned and panics (a cell
    tagged `allow-stderr` may);
  * every cell tagged `figure` produced an image/png;
  * the executed notebook is under --max-bytes (3 MB), so GitHub and nbviewer render it;
  * every image a `figure` cell shows is not blank (at least --min-colours distinct colours, and
    no one colour covers more than 98% of it), and every `#rrggbb` the cell prints is drawn in
    its image (a swatch: at least 50 pixels of exactly that colour);
  * without --write, against the committed notebook: each `figure` cell there has its image,
    and every cell shows again the kinds of output (text, image, value) it shows there, so a
    cell whose error message evcxr lost still fails; what a cell prints matches what it
    printed there: the same words, each number within 2% (or 2 units of its last printed digit)
    and each `#rrggbb` within 4 levels a channel; and each image is the committed one (same
    size, at most 1% of its pixels off by more than 24 levels), so a figure that shows another
    palette fails.

It prints a line per notebook (cells, wall time, first cell, slowest other cell, size), with
--timings every cell's wall time (--timings-json FILE writes them), and closes with
`N passed, N failed`, N counting notebooks; the exit status is 1 when any failed. The executed
copy of each notebook, and its kernel's log, are kept in target/notebooks/ for inspection.

Needs nbclient, nbformat, jupyter_client and ipykernel (requirements.txt) and the `rust` kernelspec
(postBuild registers it).
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import os
import struct
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
KERNEL = "rust"
MAX_BYTES = 3_000_000
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    p.add_argument("--write", action="store_true", help="save the executed outputs into the notebooks")
    p.add_argument("--timeout", type=int, default=1800,
                   help="seconds a single cell may take (the first compiles the crate; default 1800)")
    p.add_argument("--startup-timeout", type=int, default=300, help="seconds for the kernel to start")
    p.add_argument("--kernel", default=KERNEL, help=f"kernelspec name (default {KERNEL})")
    p.add_argument("--max-bytes", type=int, default=MAX_BYTES, help="largest notebook file allowed")
    p.add_argument("--timings", action="store_true", help="print every cell's wall time")
    p.add_argument("--timings-json", type=Path, help="write per-cell wall times as JSON")
    p.add_argument("--min-colours", type=int, default=8,
                   help="fewest distinct colours a figure may have before it counts as blank")
    return p.parse_args(argv)


def first_line(source: str) -> str:
    for line in source.splitlines():
        line = line.strip()
        if line and not line.startswith("//"):
            return line[:60]
    return ""


def kernel_of(nb, args: argparse.Namespace) -> str:
    """The notebook's own kernel (the Python quickstart's is `python3`), else --kernel."""
    return nb.metadata.get("kernelspec", {}).get("name") or args.kernel


def check_kernel(name: str) -> str | None:
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().find_kernel_specs()
    if name not in specs:
        return (f"no Jupyter kernel named {name!r} (found: {', '.join(sorted(specs)) or 'none'}); "
                "run `POSTBUILD_SKIP_WARM=1 bash postBuild`, which installs and registers it")
    # The kernelspec is per user and names the launcher of the checkout that last ran
    # postBuild; a checkout deleted since leaves it pointing at nothing.
    argv = json.loads((Path(specs[name]) / "kernel.json").read_text()).get("argv", [])
    if argv and "/" in argv[0] and not Path(argv[0]).exists():
        return (f"the {name!r} kernel starts {argv[0]}, which no longer exists (registered by "
                "another checkout); run `POSTBUILD_SKIP_WARM=1 bash postBuild` here to register this one")
    return None


def text_of(output: dict) -> str:
    if output.get("output_type") == "stream":
        text = output.get("text", "")
        return "".join(text) if isinstance(text, list) else text
    if output.get("output_type") == "error":
        return f"{output.get('ename', '')}: {output.get('evalue', '')}\n" + "\n".join(output.get("traceback", []))
    return ""


def has_png(cell: dict) -> bool:
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        png = data.get("image/png")
        if png:
            raw = "".join(png) if isinstance(png, list) else png
            try:
                if base64.b64decode(raw)[:8] == b"\x89PNG\r\n\x1a\n":
                    return True
            except ValueError:
                pass
    return False


# ---- Images: a small PNG decoder (8-bit greyscale/RGB/RGBA, not interlaced: what the crate's
# encoder writes), so the checks need nothing beyond the standard library.

def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGB bytes) of a PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if header is None:
        raise ValueError("no IHDR")
    width, height, depth, colour, _, _, interlace = header
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(colour)
    if depth != 8 or channels is None or interlace:
        raise ValueError(f"unsupported PNG (depth {depth}, colour type {colour}, interlace {interlace})")
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 2:  # up: the commonest filter, done without the per-byte branches below
            line = bytearray((x + y) & 255 for x, y in zip(line, previous))
        for i in range(stride) if kind not in (0, 2) else ():
            a = line[i - channels] if i >= channels else 0
            b = previous[i]
            c = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        previous = line
        if channels == 3:
            rows.append(bytes(line))
        else:  # to RGB: grey spread over three channels, alpha dropped
            rgb = bytearray()
            for x in range(width):
                px = line[x * channels:(x + 1) * channels]
                rgb += bytes(px[:1] * 3) if channels <= 2 else bytes(px[:3])
            rows.append(bytes(rgb))
    return width, height, rows


_DECODED: dict[str, tuple[int, int, list[bytes]]] = {}


def cell_images(cell: dict) -> list[tuple[int, int, list[bytes]]]:
    """The images a cell shows, decoded (each image once per run)."""
    images = []
    for output in cell.get("outputs", []):
        png = output.get("data", {}).get("image/png")
        if png:
            raw = "".join(png) if isinstance(png, list) else png
            if raw not in _DECODED:
                _DECODED[raw] = decode_png(base64.b64decode(raw))
            images.append(_DECODED[raw])
    return images


def colour_counts(image: tuple[int, int, list[bytes]]) -> dict[bytes, int]:
    counts: dict[bytes, int] = {}
    for row in image[2]:
        for x in range(0, len(row), 3):
            px = row[x:x + 3]
            counts[px] = counts.get(px, 0) + 1
    return counts


HEX = re.compile(r"#[0-9a-fA-F]{6}\b")


def figure_problems(where: str, cell: dict, min_colours: int) -> list[str]:
    """A `figure` cell's images: not blank, and drawing every colour the cell prints."""
    problems = []
    printed = {h.lower() for h in HEX.findall("".join(text_of(o) for o in cell.get("outputs", [])
                                                       if o.get("output_type") == "stream"))}
    try:
        images = cell_images(cell)
    except (ValueError, zlib.error) as e:
        return [f"{where}: its image cannot be decoded: {e}"]
    drawn: dict[bytes, int] = {}
    for image in images:
        counts = colour_counts(image)
        total = image[0] * image[1]
        if len(counts) < min_colours or max(counts.values()) > 0.98 * total:
            problems.append(f"{where}: its {image[0]}x{image[1]} image is blank "
                            f"({len(counts)} colours, the commonest on {max(counts.values()) / total:.0%})")
        for px, n in counts.items():
            drawn[px] = drawn.get(px, 0) + n
    if images:
        for code in sorted(printed):
            if drawn.get(bytes.fromhex(code[1:]), 0) < 50:
                problems.append(f"{where}: prints {code} but its image does not draw that colour")
    return problems


def image_difference(old, new) -> str | None:
    """Why `new` is not the committed image `old`, or None."""
    if (old[0], old[1]) != (new[0], new[1]):
        return f"the image is {new[0]}x{new[1]}, the committed one {old[0]}x{old[1]}"
    off = 0
    for a, b in zip(old[2], new[2]):
        if a != b:
            off += sum(1 for x in range(0, len(a), 3)
                       if max(abs(a[x] - b[x]), abs(a[x + 1] - b[x + 1]), abs(a[x + 2] - b[x + 2])) > 24)
    total = old[0] * old[1]
    if off > 0.01 * total:
        return f"{off / total:.1%} of the image differs from the committed one by more than 24 levels"
    return None


# ---- Printed text: words equal, numbers and colours within a tolerance.

TOKEN = re.compile(r"#[0-9a-fA-F]{6}\b|[-+]?\d+(?:\.\d+)?|\s+|.")


def tokens(text: str) -> list[str]:
    return [t for t in TOKEN.findall(ANSI.sub("", text)) if not t.isspace()]


def number_close(old: str, new: str) -> bool:
    a, b = float(old), float(new)
    decimals = len(old.split(".")[1]) if "." in old else 0
    return abs(a - b) <= max(0.02 * abs(a), 2 * 10 ** -decimals)


def colour_close(old: str, new: str) -> bool:
    a, b = bytes.fromhex(old[1:]), bytes.fromhex(new[1:])
    return all(abs(x - y) <= 4 for x, y in zip(a, b))


def text_difference(old: str, new: str) -> str | None:
    """Where `new` printed text stops matching the committed `old`, or None."""
    old_lines, new_lines = old.strip("\n").splitlines(), new.strip("\n").splitlines()
    if len(old_lines) != len(new_lines):
        return f"{len(new_lines)} lines printed, the committed notebook has {len(old_lines)}"
    for n, (a_line, b_line) in enumerate(zip(old_lines, new_lines), 1):
        a, b = tokens(a_line), tokens(b_line)
        same = len(a) == len(b)
        for x, y in zip(a, b) if same else []:
            if HEX.fullmatch(x) and HEX.fullmatch(y):
                same = colour_close(x, y)
            elif re.fullmatch(r"[-+]?\d+(?:\.\d+)?", x) and re.fullmatch(r"[-+]?\d+(?:\.\d+)?", y):
                same = number_close(x, y)
            else:
                same = x == y
            if not same:
                break
        if not same:
            return f"line {n} is {b_line.strip()!r}, the committed notebook has {a_line.strip()!r}"
    return None


def stdout_of(cell: dict) -> str:
    return "".join(text_of(o) for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")


def plain(text: str, limit: int = 2000) -> str:
    text = ANSI.sub("", text).strip()
    return text if len(text) <= limit else text[:limit] + " ..."


def output_kinds(cell: dict) -> set[str]:
    kinds = set()
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "stream":
            kinds.add(output.get("name", "stdout"))
        elif kind in ("execute_result", "display_data"):
            kinds.add("image" if "image/png" in output.get("data", {}) else "value")
        else:
            kinds.add(kind)
    return kinds


def cell_problems(index: int, cell: dict, min_colours: int = 8) -> list[str]:
    """What is wrong with one executed code cell."""
    where = f"cell {index} ({first_line(cell.source)!r})"
    problems = []
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "error":
            problems.append(f"{where}: error output: {plain(text_of(output))}")
        elif kind == "stream" and output.get("name") == "stderr" and text_of(output).strip():
            # evcxr prints the error a `?` returned, and panics, to stderr (no error output).
            if "allow-stderr" not in cell.get("metadata", {}).get("tags", []):
                problems.append(f"{where}: stderr: {plain(text_of(output))}")
    if "figure" in cell.get("metadata", {}).get("tags", []):
        if not has_png(cell):
            problems.append(f"{where}: tagged `figure` but produced no image/png")
        else:
            problems.extend(figure_problems(where, cell, min_colours))
    return problems


def comparison_problems(index: int, old: dict, new: dict) -> list[str]:
    """What differs between a cell's committed outputs (`old`) and this run's (`new`)."""
    where = f"cell {index} ({first_line(new.source)!r})"
    problems = []
    difference = text_difference(stdout_of(old), stdout_of(new))
    if difference:
        problems.append(f"{where}: printed output differs: {difference}")
    try:
        old_images, new_images = cell_images(old), cell_images(new)
    except (ValueError, zlib.error) as e:
        return problems + [f"{where}: an image cannot be decoded: {e}"]
    if len(old_images) != len(new_images):
        problems.append(f"{where}: {len(new_images)} images, the committed notebook has {len(old_images)}")
    for a, b in zip(old_images, new_images):
        difference = image_difference(a, b)
        if difference:
            problems.append(f"{where}: {difference}")
    return problems


def tidy(nb) -> None:
    """What Jupyter would show and save: one stream output per run of printed lines (evcxr
    sends every line on its own), and no per-run timestamps, so re-running a notebook changes
    only what its cells show."""
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
        cell.get("metadata", {}).pop("_parent_msg_id", None)
        merged = []
        for output in cell.get("outputs", []):
            last = merged[-1] if merged else None
            if (output.get("output_type") == "stream" and last is not None
                    and last.get("output_type") == "stream" and last.get("name") == output.get("name")):
                last["text"] = text_of(last) + text_of(output)
            else:
                merged.append(output)
        if cell.get("cell_type") == "code":
            cell["outputs"] = merged


def late_output_client():
    """An nbclient NotebookClient that also keeps a cell's late output.

    evcxr_jupyter forwards what a cell prints on a thread of its own, so a line (typically the
    message of an error returned with `?`, which evcxr prints to stderr) can reach the client
    after the cell reported it was done; plain nbclient then drops it. This client waits briefly
    after each cell for such lines and adds them to that cell.
    """
    import queue

    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionComplete

    class LateOutputClient(NotebookClient):
        LATE_SECONDS = 0.3

        async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
            cell = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
            parent = cell.get("metadata", {}).pop("_parent_msg_id", None)
            while parent and self.kc is not None:
                try:
                    msg = await self.kc.get_iopub_msg(timeout=self.LATE_SECONDS)
                except queue.Empty:
                    break
                if msg["parent_header"].get("msg_id") == parent:
                    try:
                        self.process_message(msg, cell, cell_index)
                    except CellExecutionComplete:
                        pass
            return cell

    return LateOutputClient


def run_one(path: Path, args: argparse.Namespace) -> tuple[bool, list[str], list[dict]]:
    import nbformat
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    LateOutputClient = late_output_client()

    problems: list[str] = []
    committed = nbformat.read(path, as_version=4)
    if not args.write:
        for i, cell in enumerate(committed.cells):
            if cell.cell_type == "code" and "figure" in cell.metadata.get("tags", []) and not has_png(cell):
                problems.append(f"committed copy: cell {i} ({first_line(cell.source)!r}) has no image: "
                                "refresh the outputs with `python3 scripts/run_notebooks.py --write`")
                break

    nb = nbformat.read(path, as_version=4)
    timings: list[dict] = []
    started: dict[int, float] = {}

    def on_cell_execute(cell, cell_index, **_):
        started[cell_index] = time.monotonic()

    def on_cell_executed(cell, cell_index, execute_reply=None, **_):
        if execute_reply:
            cell.metadata["_parent_msg_id"] = execute_reply["parent_header"].get("msg_id")
        timings.append({
            "cell": cell_index,
            "source": first_line(cell.source),
            "seconds": round(time.monotonic() - started.get(cell_index, time.monotonic()), 3),
            "tags": list(cell.metadata.get("tags", [])),
        })

    client = LateOutputClient(
        nb,
        kernel_name=kernel_of(nb, args),
        timeout=args.timeout,
        startup_timeout=args.startup_timeout,
        allow_errors=False,
        record_timing=False,
        coalesce_streams=True,
        resources={"metadata": {"path": str(path.parent)}},
        on_cell_execute=on_cell_execute,
        on_cell_executed=on_cell_executed,
    )
    # The kernel's own output (cargo's "Compiling ..." lines, evcxr's start-up notes) goes to a
    # log beside the executed copy rather than into the report.
    out_dir = ROOT / "target" / "notebooks"
    out_dir.mkdir(parents=True, exist_ok=True)
    kernel_log = out_dir / f"{path.stem}.kernel.log"
    t0 = time.monotonic()
    try:
        with open(kernel_log, "w", encoding="utf-8") as log:
            client.execute(stdout=log, stderr=log)
    except CellTimeoutError as e:
        problems.append(f"a cell timed out after {args.timeout} s: {str(e).strip()[:500]}")
    except DeadKernelError as e:
        problems.append(f"the kernel died: {e}")
    except CellExecutionError:
        pass  # reported below from the outputs, with the cell it came from
    except Exception as e:  # kernel failed to start, etc.
        problems.append(f"{type(e).__name__}: {e}")
    total = time.monotonic() - t0

    tidy(nb)
    ran = {t["cell"] for t in timings}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        if i not in ran:
            problems.append(f"cell {i} ({first_line(cell.source)!r}) and the cells after it did not run")
            break
        problems.extend(cell_problems(i, cell, args.min_colours))

    if not args.write and len(committed.cells) == len(nb.cells):
        # What the committed notebook shows must show up again: a cell that printed a table
        # and now prints nothing failed, even when evcxr lost the error message.
        for i, (old, new) in enumerate(zip(committed.cells, nb.cells)):
            if new.cell_type == "code" and i in ran:
                missing = output_kinds(old) & {"stdout", "image", "value"} - output_kinds(new)
                if missing:
                    problems.append(f"cell {i} ({first_line(new.source)!r}): the committed notebook shows "
                                    f"{' and '.join(sorted(missing))} here, this run produced none")
                else:
                    problems.extend(comparison_problems(i, old, new))

    text = nbformat.writes(nb) + "\n"
    size = len(text.encode())
    if size > args.max_bytes:
        problems.append(f"{size / 1e6:.2f} MB is over the {args.max_bytes / 1e6:.1f} MB limit "
                        "(display smaller stills)")
    # The executed copy is always kept for inspection (CI may upload it); target/ is ignored.
    executed = out_dir / path.name
    executed.write_text(text, encoding="utf-8")
    if problems:
        problems.append(f"the executed notebook is in {executed.relative_to(ROOT)}, "
                        f"the kernel's log in {kernel_log.relative_to(ROOT)}")
    elif args.write:
        path.write_text(text, encoding="utf-8")
    timings.append({"cell": "total", "seconds": round(total, 3), "bytes": size})
    return not problems, problems, timings


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    # The kernel's working directory is notebooks/: hand it absolute data paths.
    for var in ("COLOR_PALETTES_DATA", "COLOR_PALETTES_CACHE"):
        if os.environ.get(var):
            os.environ[var] = str(Path(os.environ[var]).resolve())
    # The main notebook first: on a fresh machine its first cell is the one that compiles.
    paths = [p.resolve() for p in args.notebooks] or sorted(
        NOTEBOOKS.glob("*.ipynb"), key=lambda p: (p.stem != "color-palettes", p.name))
    if not paths:
        print(f"no notebooks in {NOTEBOOKS}")
        print("0 passed, 1 failed")
        return 1

    try:
        import nbformat
        kernels = {kernel_of(nbformat.read(p, as_version=4), args) for p in paths}
        problem = next(filter(None, (check_kernel(k) for k in sorted(kernels))), None)
    except ImportError as e:
        problem = f"{e}: run `pip install -r requirements.txt`"
    if problem:
        print(f"FAIL setup: {problem}")
        print(f"0 passed, {len(paths)} failed")
        return 1

    passed = failed = 0
    report = {}
    for path in paths:
        rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print(f"running {rel} ...", flush=True)
        ok, problems, timings = run_one(path, args)
        total = timings[-1]
        report[str(rel)] = timings
        cells = [t for t in timings if t["cell"] != "total"]
        first = cells[0]["seconds"] if cells else 0.0
        rest = max((t["seconds"] for t in cells[1:]), default=0.0)
        summary = (f"{len(cells)} cells, {total['seconds']:.1f} s (first cell {first:.1f} s, "
                   f"slowest other {rest:.2f} s), {total['bytes'] / 1e6:.2f} MB")
        if args.timings:
            for t in cells:
                tags = f" [{', '.join(t['tags'])}]" if t["tags"] else ""
                print(f"    cell {t['cell']:>2} {t['seconds']:8.2f} s  {t['source']}{tags}")
        if ok:
            passed += 1
            written = ", outputs written" if args.write else ""
            print(f"PASS {rel}: {summary}{written}", flush=True)
        else:
            failed += 1
            print(f"FAIL {rel}: {summary}", flush=True)
            for p in problems:
                print("    " + p.replace("\n", "\n    "))
    if args.timings_json:
        args.timings_json.write_text(json.dumps(report, indent=1) + "\n")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
