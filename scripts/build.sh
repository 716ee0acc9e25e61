#!/usr/bin/env bash
# Installs dependencies (idempotent) and builds convcheck into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# ccache (installed by install-deps.sh) makes a fresh clone's build, CI's included, reuse what an
# earlier build of the same sources compiled.
# Paths are hashed relative to the checkout, so clones in different folders share the cache.
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
ninja -C build -j"$(nproc)"
