//===- converters/torch_script.cc - torch 2's TorchScript exporter --------===//
//
// `torch.onnx.export(..., dynamo=False)` in torch 2.14: the TorchScript-based exporter,
// deprecated since torch 2.9 but still what many deployed pipelines call. It traces (or
// scripts) the module and runs a symbolic function per node; it writes opsets up to 20. Its
// options are the ones the torch 1.13 exporter had, so both converters share this table.
//
//===----------------------------------------------------------------------===//
#include "converters/converter.h"
#include "converters/torch_options.h"

namespace convcheck::converters {

std::span<const OptionDef> TorchScriptExporterOptions() {
  static constexpr OptionDef kOptions[] = {
      {"constant_folding", OptionType::kBool, "true", "", "--no-constant-folding", "false",
       "export with do_constant_folding=False"},
      {"dynamic_batch", OptionType::kBool, "false", "", "--dynamic-batch", "true",
       "export dimension 0 of every input and output as dynamic"},
      {"mode", OptionType::kChoice, "trace", "trace|script", "--script", "script",
       "export torch.jit.script(model) instead of tracing it"},
  };
  return kOptions;
}

const ConverterDef& TorchScriptDef() {
  static const ConverterDef def = {
      .name = "torch.onnx.torchscript",
      .env = "torch2",
      .framework = sources::Framework::kTorch,
      .min_opset = 7,
      .max_opset = 20,
      .default_opset = 17,
      .options = TorchScriptExporterOptions(),
      .description = "torch 2.14's torch.onnx.export(dynamo=False), the TorchScript exporter",
      .opset_note = "torch 2's TorchScript exporter stops at opset 20",
  };
  return def;
}

}  // namespace convcheck::converters
