#!/usr/bin/env python3
"""Checks that a second kernel, opened while the first one holds its slot, starts warm.

scripts/evcxr_kernel.sh gives each `rust` kernel a build directory of its own
(target/evcxr/slotN); a slot never used before is seeded with a copy of a warm one (marked
`.warm` by postBuild's warm-up), so it need not compile the crate again. This script runs
after the notebooks (which built slot0): it first runs the cells below in slot0 (so slot0 is
fresh for exactly what the second kernel builds, whatever build directory it was copied
from), marks slot0 warm as the warm-up would, holds slot0's lock as a running kernel does,
empties the next slot, starts a kernel, runs the same cells, and checks that the kernel took
the next slot and used the copied crate (its compiled `color_palettes` library keeps
slot0's modification time: cargo did not rebuild it).

    python3 scripts/check_kernel_slots.py     # after scripts/run_notebooks.py
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
import time
from pathlib import Path

from jupyter_client.manager import start_new_kernel

ROOT = Path(__file__).resolve().parent.parent
BASE = Path(os.environ.get("COLOR_PALETTES_EVCXR_DIR", ROOT / "target" / "evcxr"))
TIMEOUT_S = 600
CELLS = [
    ':dep color-palettes = { path = ".." }',
    "use color_palettes::{PaletteOptions, Still};",
    'let still = Still::from_rgb(2, 1, &[[200, 30, 30], [30, 30, 200]])?;\n'
    'PaletteOptions::new().k(2).extract(&still)?.len()',
]


def crate_libraries(slot: Path) -> dict[str, float]:
    """Modification time of each compiled color_palettes library in a slot."""
    return {
        p.name: p.stat().st_mtime
        for p in (slot / "target").rglob("libcolor_palettes-*.rlib")
        if "incremental" not in p.parts
    }


def run(cell: str, client) -> str:
    """Runs a cell; what it printed and returned."""
    outputs: list = []
    reply = client.execute_interactive(cell, timeout=TIMEOUT_S, output_hook=outputs.append)
    if reply["content"]["status"] != "ok":
        sys.exit(f"FAIL: cell {cell!r}: {reply['content']}")
    return "".join(
        m["content"].get("data", {}).get("text/plain", "") + m["content"].get("text", "")
        for m in outputs
        if m["msg_type"] in ("execute_result", "stream")
    )


def run_kernel() -> tuple[list[str], float]:
    """Starts a kernel, runs CELLS; what each printed, and the seconds it all took."""
    started = time.monotonic()
    manager, client = start_new_kernel(kernel_name="rust", cwd=str(ROOT / "notebooks"))
    try:
        printed = [run(cell, client) for cell in CELLS]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return printed, time.monotonic() - started


def main() -> None:
    warm = BASE / "slot0"
    if not crate_libraries(warm):
        sys.exit(f"FAIL: {warm} has no compiled color_palettes: run scripts/run_notebooks.py first")
    second = BASE / "slot1"
    shutil.rmtree(second, ignore_errors=True)
    run_kernel()  # takes slot0, the first free one: the warm-up for exactly these cells
    (warm / ".warm").touch()
    with open(BASE / "slot0.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as slot0's kernel holds it
        printed, seconds = run_kernel()
    if "2" not in printed[-1]:
        sys.exit(f"FAIL: the palette cell printed {printed[-1]!r}, expected 2")
    copied, built = crate_libraries(warm), crate_libraries(second)
    if not built:
        sys.exit(f"FAIL: the kernel did not build in {second} (was slot0's lock ignored?)")
    rebuilt = [name for name, mtime in built.items() if copied.get(name) != mtime]
    if rebuilt:
        sys.exit(f"FAIL: {second} compiled color_palettes again instead of using slot0's copy: {rebuilt}")
    print(f"PASS: a second kernel took {second.name}, seeded from slot0, and ran a palette "
          f"without compiling the crate again ({seconds:.1f} s from start to the palette)")


if __name__ == "__main__":
    main()
