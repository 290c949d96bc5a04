#!/usr/bin/env python3
"""Writes and shows tensor files for cnnc-run's lit tests.

usage:
  tensors.py save FILE DTYPE SHAPE VALUE...   FILE ends in .npy or .pb;
                                              SHAPE is 2x3 (or "scalar");
                                              a .pb file takes --name N
  tensors.py show FILE...                     prints "dtype shape: values"
  tensors.py testdata DIR NAME=FILE...        copies .npy files into an ONNX
                                              test_data_set folder as
                                              input_N.pb / output_N.pb
                                              (NAME input_N or output_N)
"""
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def parse_shape(text):
    return () if text == "scalar" else tuple(int(d) for d in text.split("x"))


def save(path, array, name=""):
    if path.endswith(".npy"):
        np.save(path, array)
    else:
        tensor = numpy_helper.from_array(array, name)
        with open(path, "wb") as f:
            f.write(tensor.SerializeToString())


def load(path):
    if path.endswith(".npy"):
        return np.load(path)
    tensor = onnx.TensorProto()
    with open(path, "rb") as f:
        tensor.ParseFromString(f.read())
    return numpy_helper.to_array(tensor)


def main():
    args = sys.argv[1:]
    if args[0] == "save":
        name = ""
        if "--name" in args:
            i = args.index("--name")
            name = args[i + 1]
            del args[i:i + 2]
        path, dtype, shape = args[1], args[2], parse_shape(args[3])
        exact = np.dtype(dtype).kind in "iub"  # big int64 values stay exact
        values = [int(v) if exact else float(v) for v in args[4:]]
        save(path, np.array(values, dtype=dtype).reshape(shape), name)
    elif args[0] == "show":
        for path in args[1:]:
            a = load(path)
            values = " ".join(f"{v:g}" if a.dtype.kind == "f" else str(v)
                              for v in a.flatten())
            print(f"{a.dtype} {list(a.shape)}: {values}")
    elif args[0] == "testdata":
        for spec in args[2:]:
            name, path = spec.split("=", 1)
            save(f"{args[1]}/{name}.pb", load(path))
    else:
        sys.exit(f"unknown command {args[0]}")


if __name__ == "__main__":
    main()
