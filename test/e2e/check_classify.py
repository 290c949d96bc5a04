#!/usr/bin/env python3
"""Checks examples/classify against the reference interpreter.

usage: check_classify.py CLASSIFY CNNC_RUN MODEL WORKDIR

Writes three 28x28 PGM images, runs the classify application on them and
cnnc-run --interp on the same pixels, and checks that both pick the same
class with the same score (within 1e-4 + 1e-3 * |score|). Prints "ok".
"""
import os
import re
import subprocess
import sys

import numpy as np

CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
           "Shirt", "Sneaker", "Bag", "Ankle boot"]


def main():
    classify, cnnc_run, model, work = sys.argv[1:5]  # model input: "image"
    rng = np.random.default_rng(7)
    images = []
    for i in range(3):
        pixels = rng.integers(0, 256, size=(28, 28), dtype=np.uint8)
        path = os.path.join(work, f"image{i}.pgm")
        with open(path, "wb") as f:
            f.write(b"P5 28 28 255\n" + pixels.tobytes())
        images.append((path, pixels))
    out = subprocess.run([classify] + [p for p, _ in images], check=True,
                         capture_output=True, text=True).stdout.splitlines()
    for (path, pixels), line in zip(images, out):
        m = re.fullmatch(re.escape(path) + r": (.+) \(([0-9.]+)\)", line)
        if not m:
            sys.exit(f"unexpected output: {line}")
        npy = path + ".npy"
        np.save(npy, (pixels.astype(np.float32) / 255).reshape(1, 1, 28, 28))
        outdir = path + ".out"
        subprocess.run([cnnc_run, model, "--interp", "--input", f"image={npy}",
                        "-o", outdir], check=True)
        scores = np.load(os.path.join(outdir, os.listdir(outdir)[0])).flatten()
        best = int(scores.argmax())
        if m.group(1) != CLASSES[best] or \
                abs(float(m.group(2)) - scores[best]) > 1e-4 + 1e-3 * abs(scores[best]) + 5e-4:
            sys.exit(f"{line}: the interpreter says {CLASSES[best]} ({scores[best]:.3f})")
    print("ok")


if __name__ == "__main__":
    main()
