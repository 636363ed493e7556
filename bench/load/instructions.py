#!/usr/bin/env python3
"""CPU instructions one load-test request costs the server, counted by callgrind.

Wall-clock throughput on a shared 2-core machine moves by several percent from run to run;
instruction counts do not (same binary, same input: same count). This runs each given
`color-palettes` binary under `valgrind --tool=callgrind`, POSTs the load test's still
(El_Fuente.png upscaled bicubically to 1400x740, as bench/load/run.py does) to
/api/palette N times, one at a time, and again with no request, and prints the
instructions per request (the difference over N). Give two binaries (say, the release
build of an older commit and of this one) to compare them in one run.

    apt-get install valgrind; pip install pillow
    cargo build --release --features server
    COLOR_PALETTES_DATA=../shared/data/stills python3 bench/load/instructions.py \
        target/release/color-palettes [OTHER_BINARY ...] [--requests 5]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 900


def upscaled_still(dest: Path) -> bytes:
    data = Path(os.environ.get("COLOR_PALETTES_DATA", ROOT / ".." / "shared" / "data" / "stills"))
    code = (
        "import sys; from PIL import Image; "
        "im = Image.open(sys.argv[1]).convert('RGB'); "
        "im.resize((1400, 740), Image.BICUBIC).save(sys.argv[2])"
    )
    subprocess.run([sys.executable, "-c", code, str(data / "El_Fuente.png"), str(dest)], check=True)
    return dest.read_bytes()


def instructions(binary: str, body: bytes, requests: int, out: Path, query: str) -> int:
    """Total instructions of one server run that answers `requests` POSTs, then stops."""
    server = subprocess.Popen(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", binary, "serve", "--addr", "127.0.0.1:0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        first = server.stdout.readline().strip() if server.stdout else ""
        if not first.startswith("listening on "):
            sys.exit(f"{binary}: unexpected first line {first!r}")
        url = first.removeprefix("listening on ") + "/api/palette" + (f"?{query}" if query else "")
        for _ in range(requests):
            request = urllib.request.Request(url, data=body, headers={"Content-Type": "image/png"}, method="POST")
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as reply:
                reply.read()
        server.send_signal(signal.SIGTERM)
        _, err = server.communicate(timeout=TIMEOUT_S)
    finally:
        if server.poll() is None:
            server.kill()
    found = re.search(r"Collected : (\d+)", err)
    if not found:
        sys.exit(f"{binary}: no callgrind total in its output:\n{err[-2000:]}")
    return int(found.group(1))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("binaries", nargs="+", help="color-palettes binaries built with --features server")
    p.add_argument("--requests", type=int, default=5, help="requests per run (default 5)")
    p.add_argument("--query", default="method=kmeans&space=rgb",
                   help="query for /api/palette, as in run.py (default 'method=kmeans&space=rgb')")
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        body = upscaled_still(Path(tmp) / "still.png")
        results = []
        for binary in a.binaries:
            idle = instructions(binary, body, 0, Path(tmp) / "idle.out", a.query)
            busy = instructions(binary, body, a.requests, Path(tmp) / "busy.out", a.query)
            per_request = (busy - idle) / a.requests
            results.append(per_request)
            print(f"{binary}: {per_request / 1e6:.1f} M instructions per request")
        for binary, per_request in zip(a.binaries[1:], results[1:]):
            print(f"{binary} / {a.binaries[0]}: {per_request / results[0]:.3f}")


if __name__ == "__main__":
    main()
