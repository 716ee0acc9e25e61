//===- converters/onnxsim.cc - onnx-simplifier ----------------------------===//
//
// `onnxsim.simplify(model, check_n=0)` (onnxsim 0.8.1): constant folding and shape inference,
// then onnxoptimizer's fusion passes unless `optimization` is off. Its own check (running both
// models on ONNX Runtime with random inputs) is skipped: convcheck is the check. The tool keeps
// the model's opset, so the job's opset is not used.
//
//===----------------------------------------------------------------------===//
#include "converters/converter.h"

namespace convcheck::converters {

const ConverterDef& OnnxsimDef() {
  static constexpr OptionDef kOptions[] = {
      {"optimization", OptionType::kBool, "true", "", "--no-onnxsim-optimization", "false",
       "constant folding only (perform_optimization=False)"},
  };
  static const ConverterDef def = {
      .name = "onnxsim",
      .env = "onnx",
      .framework = sources::Framework::kOnnx,
      .min_opset = 0,
      .max_opset = 0,
      .default_opset = 0,
      .options = kOptions,
      .description = "onnx-simplifier 0.8.1 (onnxsim.simplify)",
      .opset_note = "it keeps the model's own opset: give no --opset",
  };
  return def;
}

}  // namespace convcheck::converters
