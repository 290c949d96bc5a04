#!/usr/bin/env bash
# Installs ONNX Runtime for Node (npm onnxruntime-node@1.30.0, the engine
# bench/compare measures cnnc against) into DIR/node_modules. The package
# ships its native library for linux-x64; --ignore-scripts skips its
# post-install step, which would only try to download extra (GPU) binaries.
# Idempotent: does nothing when that version is already there.
#   bench/setup-ort.sh [DIR]      (default: build/ort)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "${1:-$root/build/ort}"
dir=$(cd "${1:-$root/build/ort}" && pwd)
version=1.30.0
installed=$dir/node_modules/onnxruntime-node/package.json
if [ -f "$installed" ] && grep -q "\"version\": \"$version\"" "$installed"; then
  exit 0
fi
command -v npm >/dev/null || { echo "setup-ort.sh: error: npm not found (apt-get install npm)" >&2; exit 1; }
npm install --prefix "$dir" --ignore-scripts --no-audit --no-fund \
  --loglevel=error "onnxruntime-node@$version" >&2
node -e "require('$dir/node_modules/onnxruntime-node')" ||
  { echo "setup-ort.sh: error: onnxruntime-node does not load" >&2; exit 1; }
