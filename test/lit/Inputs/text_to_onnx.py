#!/usr/bin/env python3
"""Converts a model in ONNX's textual syntax to a binary .onnx file.

usage: text_to_onnx.py INPUT.onnxtxt OUTPUT.onnx

Used by lit tests so that test models are kept as text in git but the binary
import path is what gets tested.
"""
import sys

import onnx
import onnx.parser


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src) as f:
        model = onnx.parser.parse_model(f.read())
    onnx.save(model, dst)


if __name__ == "__main__":
    main()
