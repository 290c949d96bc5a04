#!/usr/bin/env bash
# The main job on the bundled default model: set up, build, then import the
# small CNN shipped as ONNX text and print its IR and its summary.
#   scripts/quickstart.sh [MODEL]     (default: models/fashion_mnist_cnn.onnxtxt)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/setup.sh
scripts/build.sh "$root/build"
model=${1:-models/fashion_mnist_cnn.onnxtxt}
echo "== cnnc $model --emit=ir"
build/tools/cnnc "$model" --emit=ir
echo
echo "== cnnc $model --emit=summary"
build/tools/cnnc "$model" --emit=summary
