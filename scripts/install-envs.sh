#!/usr/bin/env bash
# Creates convcheck's Python environments (workers/envs/*) idempotently, outside the checkout:
# ${CONVCHECK_ENVS:-/opt/convcheck/envs}/NAME-HASH/, HASH = first 12 hex digits of the SHA-256 of
# the environment's pin file. An environment whose folder has .ready is reused as it is; one
# without (an interrupted install) is made again. Several GB for torch2: progress is printed.
# Usage: scripts/install-envs.sh [NAME...]   (default: every environment)
set -euo pipefail
cd "$(dirname "$0")/.."

ROOT="${CONVCHECK_ENVS:-/opt/convcheck/envs}"
mkdir -p "$ROOT"

env_hash() { sha256sum "$1" | cut -c1-12; }

# versions.json: every installed distribution, so that `convcheck envs` needs no import.
write_versions() {
  local python="$1" dir="$2"
  "$python" - "$dir/versions.json" <<'PY'
import importlib.metadata as md, json, platform, sys
versions = {"python": platform.python_version()}
for dist in md.distributions():
    name = (dist.metadata["Name"] or "").lower().replace("-", "_")
    if name:
        versions[name] = dist.version
with open(sys.argv[1], "w") as f:
    json.dump(versions, f, indent=1, sort_keys=True)
PY
}

install_system_env() {  # torch1.13: Debian's interpreter and packages (install-deps.sh apt part).
  local name="$1" pins="workers/envs/$1/debian.txt"
  local dir="$ROOT/$name-$(env_hash "$pins")"
  [ -f "$dir/.ready" ] && { echo "install-envs: $name ready ($dir)" >&2; return; }
  rm -rf "$dir" && mkdir -p "$dir/bin"
  ln -s /usr/bin/python3 "$dir/bin/python"
  write_versions /usr/bin/python3 "$dir"
  touch "$dir/.ready"
  echo "install-envs: $name ready ($dir)" >&2
}

install_venv() {
  local name="$1" pins="workers/envs/$1/requirements.txt"
  local dir="$ROOT/$name-$(env_hash "$pins")"
  if [ -f "$dir/.ready" ]; then
    echo "install-envs: $name ready ($dir)" >&2
    return
  fi
  local count size
  count=$(grep -cvE '^\s*(#|$)' "$pins")
  size=$(case "$name" in torch2) echo "about 6 GB";; tf2) echo "about 2.5 GB";; *) echo "about 0.5 GB";; esac)
  echo "install-envs: $name: installing $count pinned packages ($size) into $dir" >&2
  local free_gb
  free_gb=$(df -BG --output=avail "$ROOT" | tail -1 | tr -dc 0-9)
  if [ "${free_gb:-0}" -lt 10 ]; then
    echo "install-envs: warning: only ${free_gb} GB free under $ROOT" >&2
  fi
  rm -rf "$dir"
  /usr/bin/python3 -m venv "$dir"
  "$dir/bin/python" -m pip install --disable-pip-version-check --no-input --upgrade pip \
    2>&1 | sed -u "s/^/install-envs: $name: /" >&2
  # pip prints one line per package collected and downloaded (with its size): the progress of a
  # multi-GB install on a terminal-less CI log too.
  "$dir/bin/python" -m pip install --disable-pip-version-check --no-input --progress-bar off \
    -r "$pins" 2>&1 | sed -u "s/^/install-envs: $name: /" >&2
  write_versions "$dir/bin/python" "$dir"
  touch "$dir/.ready"
  echo "install-envs: $name ready ($dir)" >&2
}

# The onnx package's node backend tests (the conformance suite of its version): the wheel ships
# their generators, not the data, so they are written once next to the environments.
install_onnx_node_tests() {
  local dir python version
  dir="$ROOT/onnx-$(env_hash workers/envs/onnx/requirements.txt)"
  python="$dir/bin/python"
  [ -f "$dir/.ready" ] || return 0
  version=$("$python" -c 'import onnx; print(onnx.__version__)')
  if [ ! -f "$ROOT/onnx-node-tests/$version/node/.stamp" ]; then
    echo "install-envs: writing onnx $version's node tests into $ROOT/onnx-node-tests/$version/node" >&2
  fi
  "$python" workers/python/onnx_node_tests.py --out "$ROOT/onnx-node-tests/$version/node" >&2
}

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for d in workers/envs/*/; do names+=("$(basename "$d")"); done
fi
for name in "${names[@]}"; do
  if [ -f "workers/envs/$name/debian.txt" ]; then
    install_system_env "$name"
  elif [ -f "workers/envs/$name/requirements.txt" ]; then
    install_venv "$name"
  else
    echo "install-envs: unknown environment '$name' (no workers/envs/$name/)" >&2
    exit 2
  fi
done
# An if, not `[ ] && f`: a false test as the loop's last command would be the script's status.
for name in "${names[@]}"; do
  if [ "$name" = onnx ]; then install_onnx_node_tests; fi
done
