#!/usr/bin/env python3
"""The original pipeline, as a benchmark and quality baseline.

    python3 bench/sklearn_palette.py STILL K

Loads STILL with Pillow, scales RGB to 0..1, runs scikit-learn KMeans(n_clusters=K,
random_state=0) on every pixel, and prints the palette as JSON in color-palettes' format:
{"k":K,"method":"sklearn-kmeans","space":"rgb","colors":[{"hex":"#rrggbb","rgb":[r,g,b],
"proportion":0.31},...]}, colours by descending proportion (from KMeans's labels).
The imports are inside the timed process on purpose: the benchmark times the whole process.
"""
import json
import sys

import numpy as np
from PIL import Image
from sklearn.cluster import KMeans


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    path, k = sys.argv[1], int(sys.argv[2])
    img = np.asarray(Image.open(path).convert("RGB"), dtype=np.float64) / 255.0
    pixels = img.reshape(-1, 3)
    km = KMeans(n_clusters=k, random_state=0).fit(pixels)
    counts = np.bincount(km.labels_, minlength=k)
    rgb = np.clip(np.rint(km.cluster_centers_ * 255.0), 0, 255).astype(int)
    order = np.argsort(-counts, kind="stable")
    colors = [
        {
            "hex": "#{:02x}{:02x}{:02x}".format(*rgb[i]),
            "rgb": [int(v) for v in rgb[i]],
            "proportion": round(float(counts[i]) / len(pixels), 4),
        }
        for i in order
    ]
    doc = {"k": k, "method": "sklearn-kmeans", "space": "rgb", "colors": colors}
    print(json.dumps(doc, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
