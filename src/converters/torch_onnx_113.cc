//===- converters/torch_onnx_113.cc - torch 1.13's torch.onnx.export ------===//
//
// The exporter of the study's era (Debian's torch 1.13): the first converter convcheck checked,
// kept so that the study's results and docs/findings can be reproduced. The bare name
// `torch.onnx` of older stores and reproducers means this one.
//
//===----------------------------------------------------------------------===//
#include "converters/converter.h"
#include "converters/torch_options.h"

namespace convcheck::converters {

const ConverterDef& TorchOnnx113Def() {
  static const ConverterDef def = {
      .name = "torch.onnx@1.13",
      .env = "torch1.13",
      .framework = sources::Framework::kTorch,
      .min_opset = 7,
      .max_opset = 17,
      .default_opset = 17,
      .options = TorchScriptExporterOptions(),
      .description = "torch 1.13's torch.onnx.export (Debian), the study's era",
      .opset_note = "torch 1.13 exports opsets 7 to 17",
  };
  return def;
}

}  // namespace convcheck::converters
