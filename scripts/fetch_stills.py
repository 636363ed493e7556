#!/usr/bin/env python3
"""Make sure every sample still of data/stills.toml is on disk, downloading what is missing.

    python3 scripts/fetch_stills.py          # postBuild runs this

Looks where `color_palettes::data` looks: $COLOR_PALETTES_DATA, then the cache
($COLOR_PALETTES_CACHE, default data/cache/). A still found there with the right sha256 is
left alone, so with $COLOR_PALETTES_DATA set (as in CI) nothing touches the network. A missing
still is downloaded from its `url` into the cache and kept only if its sha256 matches.
Exit status 1 when a still could not be had. Standard library only.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tomllib
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def data_dir() -> Path | None:
    value = os.environ.get("COLOR_PALETTES_DATA")
    if not value:
        return None
    path = Path(value)
    # As src/data.rs: relative to the working directory, else to the crate root.
    return path if path.is_absolute() or path.is_dir() else ROOT / path


def main() -> int:
    catalogue = tomllib.loads((ROOT / "data" / "stills.toml").read_text())["still"]
    cache = Path(os.environ.get("COLOR_PALETTES_CACHE") or ROOT / "data" / "cache")
    where = data_dir()
    found, fetched, failed = [], [], []
    for still in catalogue:
        places = ([where / still["file"]] if where else []) + [cache / still["file"]]
        if any(p.is_file() and sha256(p) == still["sha256"] for p in places):
            found.append(still["name"])
            continue
        target = cache / still["file"]
        partial = target.with_suffix(".part")
        try:
            cache.mkdir(parents=True, exist_ok=True)
            with urllib.request.urlopen(still["url"], timeout=60) as response:
                partial.write_bytes(response.read())
            if sha256(partial) != still["sha256"]:
                raise ValueError(f"sha256 {sha256(partial)}, expected {still['sha256']}")
            partial.replace(target)
            fetched.append(still["name"])
        except Exception as e:  # network, HTTP or checksum: report and go on
            partial.unlink(missing_ok=True)
            failed.append(f"{still['name']} ({still['url']}): {e}")
    print(f"sample stills: {len(found)} present, {len(fetched)} downloaded into {cache}, {len(failed)} missing")
    for line in failed:
        print(f"  could not fetch {line}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
