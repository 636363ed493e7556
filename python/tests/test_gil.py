"""The GIL is released while a still is clustered: two threads, each running palettes of a
still on one core, finish in clearly less time than the same palettes one after the other."""

from __future__ import annotations

import os
import threading
import time

import numpy as np

import color_palettes as cp


def test_two_threads_run_two_palettes_at_once():
    if (os.cpu_count() or 1) < 2:
        raise AssertionError("the GIL test needs 2 cores (this machine has 1)")
    # Uniform noise: every colour cell is occupied, so each palette clusters for about a
    # tenth of a second on one core. Below a quarter megapixel, a palette keeps to one
    # thread anyway; threads=1 says so.
    still = np.random.default_rng(7).integers(0, 256, size=(400, 500, 3), dtype=np.uint8)
    options = dict(k=8, threads=1, crop=False)
    expected = cp.extract(still, **options)  # warm up (the first allocations)
    runs = 6
    results = []

    def palettes(n: int) -> None:
        for _ in range(n):
            results.append(cp.extract(still, **options) == expected)

    serial, parallel = [], []
    # The best of three rounds of each, so a moment's load from elsewhere does not decide.
    for _ in range(3):
        start = time.perf_counter()
        palettes(2 * runs)
        serial.append(time.perf_counter() - start)
        workers = [threading.Thread(target=palettes, args=(runs,)) for _ in range(2)]
        start = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        parallel.append(time.perf_counter() - start)
    assert results == [True] * (3 * 4 * runs), "every run gives the same palette"
    assert min(parallel) < 0.8 * min(serial), (
        f"two threads took {min(parallel):.2f} s, one after the other {min(serial):.2f} s: "
        "the GIL is not released while clustering"
    )
