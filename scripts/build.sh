#!/usr/bin/env bash
# Configures and builds cnnc into a build directory.
#   scripts/build.sh [BUILD_DIR] [extra cmake args...]
# BUILD_DIR defaults to build/. Incremental: reruns only what changed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
shift || true
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCNNC_MODELS_DIR="$root/build/models" "$@" >/dev/null
ninja -C "$build" "-j$(nproc)" | grep -v '^\[' || true
test -x "$build/tools/cnnc" # the build above fails loudly; this guards the pipe
