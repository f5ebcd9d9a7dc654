"""OpenCV/NumPy peer for the distortion benchmark: the same batch shapes and levels as bench/distort-bench.ts.

Prints one JSON line per case. Blur is cv2.GaussianBlur with the paper's kernel (4*sigma+1) and a zero border,
image by image; noise is NumPy's standard normal scaled and added in float32. Both include the conversion of the
uint8 batch to float32, as the engine's timing includes its upload.
"""
import json
import math
import sys
import time

import cv2
import numpy as np


def kernel_size(sigma):
    k = math.ceil(4 * sigma + 1)
    return k if k % 2 == 1 else k + 1


def run(case, seconds):
    n, h, w, c = case["batch"]
    kind, level = case["kind"], case["level"]
    rng = np.random.default_rng(7)
    batch = rng.integers(0, 256, size=(n, h, w, c), dtype=np.uint8)
    k = kernel_size(level)

    def once():
        x = batch.astype(np.float32)
        if kind == "blur":
            out = np.empty_like(x)
            for i in range(n):
                out[i] = cv2.GaussianBlur(x[i], (k, k), level, borderType=cv2.BORDER_CONSTANT).reshape(h, w, c)
        else:
            out = x + np.float32(level) * np.random.default_rng(1).standard_normal(x.shape, dtype=np.float32)
        return out

    once()
    images = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        once()
        images += n
    elapsed = time.perf_counter() - start
    return {
        "bench": "distort",
        "backend": "opencv",
        "kind": kind,
        "level": level,
        "shape": f"{h}x{w}x{c}",
        "batch": n,
        "img_s": round(images / elapsed),
        "threads": cv2.getNumThreads(),
        "opencv": cv2.__version__,
    }


def main():
    spec = json.loads(sys.argv[1])
    for case in spec["cases"]:
        print(json.dumps(run(case, spec["seconds"])), flush=True)


if __name__ == "__main__":
    main()
