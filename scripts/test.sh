#!/usr/bin/env bash
# Sets up the machine, builds cnnc, and runs every test: unit tests, lit tests
# (including real torchvision models exported at test time and run on the
# reference interpreter), the ONNX conformance suite (test/conformance), then
# all of them once more under AddressSanitizer + UndefinedBehaviorSanitizer.
# This is the command CI runs (.ci/run).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/setup.sh

echo "== build (RelWithDebInfo)"
scripts/build.sh "$root/build"
echo "== build (ASan + UBSan)"
scripts/build.sh "$root/build-asan" -DCNNC_SANITIZE=ON

# Any sanitizer report fails the run: halt_on_error plus a distinct exit code.
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=0:exitcode=86:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=86

status=0
echo "== tests"
(cd build && ctest --output-on-failure) || status=1
echo "== tests under ASan + UBSan"
(cd build-asan && ctest --output-on-failure) || status=1
exit $status
