//===- converters/torch_dynamo.cc - torch 2's torch.export-based exporter -===//
//
// `torch.onnx.export(..., dynamo=True)`, the default since torch 2.9: torch.export captures the
// model, onnxscript's torchlib translates each FX node, and onnxscript's optimizer cleans the
// graph (`optimize`). It writes opset 18 and up natively; a lower opset is exported at 18 and
// down-converted by the ONNX version converter, as torch itself does, which the job records. No
// fallback to the TorchScript exporter: a job must test the converter it names.
//
//===----------------------------------------------------------------------===//
#include "converters/converter.h"

namespace convcheck::converters {

const ConverterDef& TorchDynamoDef() {
  static constexpr OptionDef kOptions[] = {
      {"optimize", OptionType::kBool, "true", "", "--no-optimize", "false",
       "skip onnxscript's graph optimizer (optimize=False)"},
      {"dynamic_batch", OptionType::kBool, "false", "", "--dynamic-batch", "true",
       "export dimension 0 of every input and output as dynamic"},
  };
  static const ConverterDef def = {
      .name = "torch.onnx.dynamo",
      .env = "torch2",
      .framework = sources::Framework::kTorch,
      .min_opset = 7,
      .max_opset = 23,
      .default_opset = 18,
      .options = kOptions,
      .description = "torch 2.14's torch.onnx.export(dynamo=True), the torch.export exporter",
      .opset_note = "the dynamo exporter writes opset 18 and up and down-converts lower ones",
  };
  return def;
}

}  // namespace convcheck::converters
