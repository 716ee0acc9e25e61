#!/bin/sh
# Makes the models convcheck_bench times, outside the repository (never committed):
#
#   bench/make_models.sh [OUT_DIR [NAME...]]
#
# OUT_DIR defaults to /tmp/convcheck_bench_models (convcheck_bench's --models-dir default) and
# NAME to the bench's five models. torchvision models are exported with Debian's torch 1.13
# (the exporter campaigns use), `bert` with the torch 2 environment (transformers 5). Override
# the interpreters with TORCH1_PYTHON and TORCH2_PYTHON. Models already made are kept.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-/tmp/convcheck_bench_models}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- resnet18 mobilenet_v3_small vit_b_32 efficientnet_b0 bert
torch1=${TORCH1_PYTHON:-/usr/bin/python3}
torch2=${TORCH2_PYTHON:-/opt/convcheck/discover/torch2/bin/python}
mkdir -p "$out"
for name in "$@"; do
  case $name in
    bert) python=$torch2 ;;
    *) python=$torch1 ;;
  esac
  if [ ! -x "$python" ]; then
    echo "make_models.sh: $python not found (needed for $name); set TORCH1_PYTHON/TORCH2_PYTHON" >&2
    exit 1
  fi
  "$python" "$here/make_models.py" "$out" "$name"
done
