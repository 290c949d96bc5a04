#!/usr/bin/env python3
"""Checks cnnc-bench --per-layer --json output against the model.

usage: check_bench_json.py BENCH.json MODEL.onnx

Every run lists each node once (their number is the JSON's node count),
with the ONNX name of a node of the model (or one a pass made from such a
name, as a Reorder's), shares that add up to 1, per-op totals that add up to
the per-node figures, and the times it was given to take. Prints a summary
for FileCheck and "ok"; exits 1 with the reason otherwise. Never looks at
how long anything took.
"""
import json
import sys

import onnx


def fail(why):
    print(f"error: {why}")
    sys.exit(1)


def main():
    bench = json.load(open(sys.argv[1]))
    names = {n.name for n in onnx.load(sys.argv[2]).graph.node}
    for run in bench["runs"]:
        if len(run["times_ms"]) != bench["iterations"]:
            fail(f"{len(run['times_ms'])} times for {bench['iterations']} runs")
        layers = run["layers"]
        if len(layers) != bench["nodes"]:
            fail(f"{len(layers)} layers for {bench['nodes']} nodes")
        for layer in layers:
            if not any(layer["name"].startswith(n) for n in names):
                fail(f"layer {layer['name']!r} is no node of the model")
        if sum(l["macs"] for l in layers) != bench["macs"]:
            fail("the layers' MACs do not add up to the model's")
        shares = sum(l["share"] for l in layers)
        if abs(shares - 1) > 1e-6:
            fail(f"shares sum to {shares}")
        for op in run["ops"]:
            mine = [l for l in layers if l["op"] == op["op"]]
            if op["nodes"] != len(mine) or op["macs"] != sum(l["macs"] for l in mine):
                fail(f"op {op['op']} does not sum its nodes")
        convs = run["convolutions"]
        print(f"{len(layers)} layers, {len(run['times_ms'])} timed runs, "
              f"shares sum to {shares:.3f}")
        print(f"convolutions: {convs['nodes']} nodes, {convs['macs']} MACs")
    print("ok")


if __name__ == "__main__":
    main()
