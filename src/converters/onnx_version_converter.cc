//===- converters/onnx_version_converter.cc - onnx's opset converter ------===//
//
// `onnx.version_converter.convert_version(model, opset)` (onnx 1.23.2): rewrites a model for
// another opset of the default domain, node by node through its adapters. torch's dynamo
// exporter relies on it for every opset below 18, so its bugs reach users unseen. Fed with an
// ONNX model (the generator's directly written ONNX, opset 17); the job's opset is the target,
// up or down. The oracle is the original model on ref64.
//
//===----------------------------------------------------------------------===//
#include "converters/converter.h"

namespace convcheck::converters {

const ConverterDef& OnnxVersionConverterDef() {
  static const ConverterDef def = {
      .name = "onnx.version_converter",
      .env = "onnx",
      .framework = sources::Framework::kOnnx,
      .min_opset = 7,
      .max_opset = 23,
      .default_opset = 18,
      .options = {},
      .description = "onnx 1.23's version converter: the model rewritten for the target opset",
      .opset_note = "the target opset; onnx 1.23.2's adapters cover opsets 7 to 23",
  };
  return def;
}

}  // namespace convcheck::converters
