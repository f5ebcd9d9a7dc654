"""OpenCV reference for tests/engine/distort-reference.test.ts.

Usage: /usr/bin/python3 distort_opencv.py MANIFEST.json
The manifest is a list of cases {"input", "output", "shape": [n, h, w, c], "ksize", "sigma"}; each input is
raw uint8 NHWC bytes. Every image is blurred with cv2.GaussianBlur(img, (ksize, ksize), sigma, sigma,
borderType=cv2.BORDER_CONSTANT), once as uint8 (OpenCV's fixed-point path) written to OUTPUT.u8 and once
converted to float32 first (its floating-point path) written to OUTPUT.f32, both raw NHWC.
"""

import json
import sys

import cv2
import numpy as np


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    for case in cases:
        n, h, w, c = case["shape"]
        k = int(case["ksize"])
        sigma = float(case["sigma"])
        images = np.fromfile(case["input"], dtype=np.uint8).reshape(n, h, w, c)
        for dtype, suffix in ((np.uint8, ".u8"), (np.float32, ".f32")):
            out = np.empty(images.shape, dtype=dtype)
            for i in range(n):
                image = np.ascontiguousarray(images[i] if c == 3 else images[i, :, :, 0]).astype(dtype)
                blurred = cv2.GaussianBlur(
                    image, (k, k), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_CONSTANT
                )
                out[i] = blurred.reshape(h, w, c)
            out.tofile(case["output"] + suffix)
    print(f"opencv {cv2.__version__}: {len(cases)} cases")


if __name__ == "__main__":
    main()
