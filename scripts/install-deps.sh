#!/usr/bin/env bash
# Installs everything convcheck needs on Debian 12, idempotently. Run as root.
# Debian packages first (toolchain, ONNX C++ library, torch 1.13 for the study-era converter,
# headless Chromium for the report's rendering test), then the npm package that carries ONNX
# Runtime for the Node worker, then the pinned Python environments of the converters and ONNX
# tools from PyPI (scripts/install-envs.sh; outside the checkout, reused by every clone).
set -euo pipefail
cd "$(dirname "$0")/.."

DEBS=(
  build-essential cmake ninja-build pkg-config git
  libonnx-dev libprotobuf-dev protobuf-compiler libonnx-testdata
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libcli11-dev libfmt-dev libsqlite3-dev libopenblas-dev
  python3 python3-torch python3-torchvision python3-onnx python3-numpy python3-venv ccache
  chromium fonts-liberation
  slurm-wlm munge
)

missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js: this image ships Node 20 with its own npm (nodesource); Debian's npm conflicts with it,
# so Debian's nodejs and npm are installed only where no node/npm is on PATH at all.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ONNX Runtime for the Node worker. --ignore-scripts: the package's install script tries to
# download CUDA parts, which this machine cannot reach; the CPU library ships in the tarball.
ORT_VERSION=1.30.0
if ! node -e "const v=require('./workers/node/node_modules/onnxruntime-node/package.json').version; process.exit(v==='$ORT_VERSION'?0:1)" 2>/dev/null; then
  echo "install-deps: installing onnxruntime-node@$ORT_VERSION" >&2
  (cd workers/node && npm install --no-audit --no-fund --ignore-scripts "onnxruntime-node@$ORT_VERSION" >/dev/null)
fi

bash scripts/install-envs.sh
