#!/usr/bin/env bash
# Installs dependencies, builds, and runs the default test suite: unit tests and the integration
# tests that drive the real torch.onnx and ONNX Runtime, and the ONNX conformance suite on the
# reference interpreter and ONNX Runtime. Slow tests: ctest -L slow; unreviewed kernel tests: -L wip.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
ctest --test-dir build --output-on-failure -L 'unit|integration|conformance' -j2 "$@"
