#!/usr/bin/env python3
"""Seeds a new evcxr build slot with a copy of a warm one: `seed_slot.py WARM_SLOT NEW_SLOT`.

scripts/evcxr_kernel.sh calls this for a slot that has never built. A plain copy of a cargo
build directory is not fresh at its new path: cargo records absolute paths (each build
script's OUT_DIR, which crates such as serde read through `env!`, and where their outputs
are), finds them changed and rebuilds almost everything. So the copy rewrites the warm
slot's path to the new one in cargo's small bookkeeping files (dep-info, fingerprints,
build-script outputs). Both paths have the same length (slot0 and slot1 differ in one
digit), so cargo's length-prefixed binary dep-info stays well formed; when the lengths
differ, nothing is seeded and the kernel compiles as it would have.

The copy goes to NEW_SLOT/target.seeding and is renamed to NEW_SLOT/target at the end, so
an interrupted copy never leaves half a build behind. Incremental-compilation caches are
left out (evcxr's own crate is rebuilt for every cell anyway).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

# cargo's bookkeeping files are small; compiled libraries (large) are copied as they are.
REWRITE_MAX_BYTES = 4_000_000


def seed(warm: Path, new: Path) -> str:
    old_path, new_path = os.fsencode(warm.resolve()), os.fsencode(new.resolve())
    if len(old_path) != len(new_path):
        return f"not seeded: {warm} and {new} differ in length"
    source, staging, final = warm / "target", new / "target.seeding", new / "target"
    if final.exists() or not source.is_dir():
        return "not seeded: nothing to do"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(source, staging, symlinks=True, ignore=shutil.ignore_patterns("incremental"))
    rewritten = 0
    for root, _, files in os.walk(staging):
        for name in files:
            path = Path(root, name)
            if path.is_symlink() or path.stat().st_size > REWRITE_MAX_BYTES:
                continue
            data = path.read_bytes()
            if old_path in data:
                stat = path.stat()
                path.write_bytes(data.replace(old_path, new_path))
                # cargo compares modification times: keep the warm slot's.
                os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
                rewritten += 1
    staging.rename(final)
    return f"seeded {new} from {warm} ({rewritten} bookkeeping files rewritten)"


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    try:
        print(seed(Path(sys.argv[1]), Path(sys.argv[2])), file=sys.stderr)
    except OSError as e:
        shutil.rmtree(Path(sys.argv[2]) / "target.seeding", ignore_errors=True)
        print(f"not seeded: {e}", file=sys.stderr)
