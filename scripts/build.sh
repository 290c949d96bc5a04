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
# Hide ninja's progress lines. grep exits 1 when it filters out every line,
# which is not an error; ninja's own exit status fails the script (pipefail).
ninja -C "$build" "-j$(nproc)" | { grep -v '^\[' || true; }
