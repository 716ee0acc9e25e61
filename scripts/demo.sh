#!/usr/bin/env bash
# The main job on a self-contained setup: a campaign over a handful of torchvision models,
# converted with torch.onnx at opsets 13 and 17, run on ONNX Runtime and on convcheck's own
# reference interpreter, compared with PyTorch, recorded in SQLite, then reported.
# Results: out/demo.sqlite (docs/campaign.md), out/report.{html,md,json,xml}, and one reproducer
# per unique failure under out/demo.sqlite.artifacts/failures/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
mkdir -p out
rm -rf out/demo.sqlite out/demo.sqlite-* out/demo.sqlite.artifacts
status=0
./build/tools/convcheck/convcheck campaign run \
  --suite torchvision:resnet18,mobilenet_v3_small,squeezenet1_1,shufflenet_v2_x0_5,efficientnet_b0,swin_v2_t \
  --opsets 13,17 --backends ort,ref --jobs 2 --db out/demo.sqlite || status=$?
# Exit 1 only means a conversion failure was found (swin_v2_t does not export in torch 1.13).
[ "$status" -le 1 ]
./build/tools/convcheck/convcheck report out/demo.sqlite --html out/report.html \
  --md out/report.md --json out/report.json --junit out/report.xml
echo "results: out/demo.sqlite; report: out/report.html (also .md, .json, .xml)"
