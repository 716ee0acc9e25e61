#!/usr/bin/env bash
# The main job on a self-contained setup: a campaign over a handful of torchvision models,
# converted with both of torch 2's exporters (torch.onnx.dynamo and torch.onnx.torchscript), and
# a handful of Keras applications converted with tf2onnx; each converted model runs on ONNX
# Runtime, OpenVINO and convcheck's own reference interpreter, is compared with its source
# framework, recorded in SQLite, and the campaign is reported with a converter comparison.
# Results: out/demo.sqlite (docs/campaign.md), out/report.{html,md,json,xml}, and one reproducer
# per unique failure under out/demo.sqlite.artifacts/failures/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
mkdir -p out
rm -rf out/demo.sqlite out/demo.sqlite-* out/demo.sqlite.artifacts
status=0
./build/tools/convcheck/convcheck campaign run \
  --suite torchvision:resnet18,mobilenet_v3_small,squeezenet1_1,efficientnet_b0,swin_v2_t \
  --suite keras:MobileNetV2,ResNet50,EfficientNetB0 \
  --converters torch.onnx.dynamo,torch.onnx.torchscript,tf2onnx \
  --backends ort,openvino,ref --jobs 2 --db out/demo.sqlite || status=$?
# Exit 1 only means a conversion failure was found, which is what convcheck is for.
[ "$status" -le 1 ]
./build/tools/convcheck/convcheck report out/demo.sqlite --html out/report.html \
  --md out/report.md --json out/report.json --junit out/report.xml
echo "results: out/demo.sqlite; report: out/report.html (also .md, .json, .xml)"
