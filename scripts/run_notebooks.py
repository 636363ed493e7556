#!/usr/bin/env python3
"""Execute the notebooks for real (Jupyter + the evcxr Rust kernel) and check them.

    python3 scripts/run_notebooks.py            # execute every notebooks/*.ipynb, check, report
    python3 scripts/run_notebooks.py --write    # ... and save the outputs into the notebooks
    python3 scripts/run_notebooks.py notebooks/color-palettes.ipynb --timings

`--write` is how the committed outputs are made: it saves a notebook only when it passed.

Each notebook runs top to bottom in a fresh `rust` kernel (evcxr_jupyter, started through
scripts/evcxr_kernel.sh), headless, in notebooks/ (so `:dep color-palettes = { path = ".." }`
finds the crate). A notebook passes when:

  * every code cell ran: no cell timed out (--timeout, default 30 min a cell: the first one
    compiles the crate), the kernel did not die, and no error stopped the run;
  * no output is an error (evcxr shows compile errors as one);
  * no cell wrote to stderr, where evcxr puts the error a `?` returned and panics (a cell
    tagged `allow-stderr` may);
  * every cell tagged `figure` produced an image/png;
  * the executed notebook is under --max-bytes (3 MB), so GitHub and nbviewer render it;
  * without --write, against the committed notebook: each `figure` cell there has its image,
    and every cell shows again the kinds of output (text, image, value) it shows there, so a
    cell whose error message evcxr lost still fails.

It prints a line per notebook (cells, wall time, first cell, slowest other cell, size), with
--timings every cell's wall time (--timings-json FILE writes them), and closes with
`N passed, N failed`, N counting notebooks; the exit status is 1 when any failed. The executed
copy of each notebook, and its kernel's log, are kept in target/notebooks/ for inspection.

Needs nbclient, nbformat and jupyter_client (requirements.txt) and the `rust` kernelspec
(postBuild registers it).
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import os
import sys
import time
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
    return p.parse_args(argv)


def first_line(source: str) -> str:
    for line in source.splitlines():
        line = line.strip()
        if line and not line.startswith("//"):
            return line[:60]
    return ""


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


def cell_problems(index: int, cell: dict) -> list[str]:
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
    if "figure" in cell.get("metadata", {}).get("tags", []) and not has_png(cell):
        problems.append(f"{where}: tagged `figure` but produced no image/png")
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
        kernel_name=args.kernel,
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
        problems.extend(cell_problems(i, cell))

    if not args.write and len(committed.cells) == len(nb.cells):
        # What the committed notebook shows must show up again: a cell that printed a table
        # and now prints nothing failed, even when evcxr lost the error message.
        for i, (old, new) in enumerate(zip(committed.cells, nb.cells)):
            if new.cell_type == "code" and i in ran:
                missing = output_kinds(old) & {"stdout", "image", "value"} - output_kinds(new)
                if missing:
                    problems.append(f"cell {i} ({first_line(new.source)!r}): the committed notebook shows "
                                    f"{' and '.join(sorted(missing))} here, this run produced none")

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
        problem = check_kernel(args.kernel)
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
