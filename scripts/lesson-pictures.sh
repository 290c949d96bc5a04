#!/usr/bin/env bash
# Makes the pictures of README's "The lesson with cnnc" in docs/lesson/:
# the trained Fashion-MNIST model's filters and an ankle boot's feature maps
# (from examples/fashion-mnist/train.py's folder), and the classic kernels
# applied to darknet's dog.jpg (scripts/setup.sh unpacks it).
#
# usage: scripts/lesson-pictures.sh TRAINED_DIR [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
trained=$1
build=${2:-$root/build}
out=$root/docs/lesson
samples=/usr/local/share/cnnc/samples
viz=$build/tools/cnnc-viz
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$out"
"$viz" filters "$trained/fashion_mnist.onnx" -o "$tmp/filters" > /dev/null
cp "$tmp/filters/01-_features_features.0_Conv.png" "$out/filters-conv1.png"
"$viz" features "$trained/fashion_mnist.onnx" "$trained/test-0-ankle-boot.png" \
  -o "$tmp/features" > /dev/null
cp "$tmp/features/00-input.png" "$out/ankle-boot.png"
cp "$tmp/features/01-_features_features.0_Conv.png" "$out/features-conv1.png"
cp "$tmp/features/04-_features_features.5_MaxPool.png" "$out/features-pool2.png"
for k in identity edge1 edge2 edge3 sharpen box-blur gaussian-blur; do
  "$viz" filter "$samples/dog.jpg" --kernel "$k" --width 256 \
    -o "$out/dog-$k.png" > /dev/null
done
"$viz" filter "$samples/dog.jpg" --kernel edge3 --width 256 --relu \
  --pool max:2 -o "$out/dog-edge3-relu-maxpool.png" > /dev/null
ls -l "$out"
