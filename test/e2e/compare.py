#!/usr/bin/env python3
"""Runs an end-to-end test program on an ONNX test data set and compares.

usage: compare.py TEST_DATA_SET PROGRAM

Writes input_0.pb's bytes to a raw file, runs PROGRAM IN.bin OUT.bin (see
run_model.c), and compares OUT.bin with output_0.pb element by element:
|actual - expected| <= 1e-4 + 1e-3 * |expected| (issue 4's end-to-end
tolerance). Prints the worst errors; exits 1 on a mismatch.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

ATOL, RTOL = 1e-4, 1e-3


def load(path):
    tensor = onnx.TensorProto()
    with open(path, "rb") as f:
        tensor.ParseFromString(f.read())
    return numpy_helper.to_array(tensor)


def main():
    data_set, program = sys.argv[1], sys.argv[2]
    x = load(os.path.join(data_set, "input_0.pb"))
    expected = load(os.path.join(data_set, "output_0.pb"))
    with tempfile.TemporaryDirectory() as tmp:
        raw_in, raw_out = os.path.join(tmp, "in.bin"), os.path.join(tmp, "out.bin")
        np.ascontiguousarray(x).tofile(raw_in)
        subprocess.run([program, raw_in, raw_out], check=True)
        actual = np.fromfile(raw_out, dtype=expected.dtype).reshape(expected.shape)
    error = np.abs(actual.astype(np.float64) - expected)
    bad = error > ATOL + RTOL * np.abs(expected)
    print(f"max abs error {error.max():.3g}, {int(bad.sum())} of {error.size} "
          f"elements outside {ATOL} + {RTOL} * |expected|")
    if bad.any():
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
