#!/usr/bin/env bash
# Measures how long cnnc takes to import (parse, normalize, infer shapes,
# verify) and summarize each exported test model: the best of N runs, wall
# clock, with peak memory. Not a test: times are never asserted.
#   bench/import-time.sh [RUNS]      (default 5; models from build/models)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
cnnc=$root/build/tools/cnnc
models=$root/build/models
/usr/bin/python3 "$root/test/models/export_torchvision.py" "$models"
printf "%-16s %10s %12s %12s\n" model "size MB" "best s" "peak RSS MB"
for m in lenet alexnet vgg16 resnet50 mobilenet_v2 squeezenet1_1; do
  best=""
  rss=0
  for _ in $(seq "$runs"); do
    out=$( { /usr/bin/time -f "%e %M" "$cnnc" "$models/$m.onnx" --emit=summary >/dev/null; } 2>&1 )
    t=${out% *}
    kb=${out#* }
    if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
    rss=$kb
  done
  size=$(du -m "$models/$m.onnx" | cut -f1)
  printf "%-16s %10s %12s %12s\n" "$m" "$size" "$best" "$((rss / 1024))"
done
