#!/usr/bin/env bash
# Installs every Debian package cnnc needs to build and test; idempotent and
# quiet when everything is already there. Run as root (or with sudo available).
set -euo pipefail

packages=(
  build-essential cmake ninja-build
  llvm-19-dev llvm-19-tools clang-19
  libprotobuf-dev protobuf-compiler
  libonnx-dev libonnx-testdata python3-onnx python3-numpy
  libfmt-dev libgtest-dev
  python3-torch python3-torchvision
  libstb-dev zlib1g-dev dataset-fashion-mnist
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Sample pictures for the lesson's tools (cnnc-viz, cnnc-run --labels):
# darknet's data folder (dog.jpg, eagle.jpg, ..., ImageNet's class names).
# Only that folder is unpacked from the package, not the program and its
# OpenCV libraries. imagenet-labels.txt lists the 1000 ILSVRC classes in
# the order torchvision's models score them (sorted by WordNet id).
samples=/usr/local/share/cnnc/samples
if [ ! -f "$samples/imagenet-labels.txt" ]; then
  echo "setup: unpacking darknet's sample pictures into $samples"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  if ! (cd "$tmp" && apt-get download darknet >/dev/null 2>&1); then
    $SUDO apt-get update -qq
    (cd "$tmp" && apt-get download darknet >/dev/null)
  fi
  dpkg-deb -x "$tmp"/darknet_*.deb "$tmp/unpacked"
  data="$tmp/unpacked/usr/share/darknet/data"
  $SUDO mkdir -p "$samples"
  $SUDO cp "$data"/*.jpg "$samples/"
  paste -d' ' "$data/imagenet.labels.list" "$data/imagenet.shortnames.list" |
    awk 'NR <= 1000' | sort | cut -d' ' -f2- > "$tmp/imagenet-labels.txt"
  $SUDO cp "$tmp/imagenet-labels.txt" "$samples/"
fi
