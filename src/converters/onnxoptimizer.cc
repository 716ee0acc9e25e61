//===- converters/onnxoptimizer.cc - onnxoptimizer ------------------------===//
//
// `onnxoptimizer.optimize(model, passes, fixed_point)` (onnxoptimizer 0.4.2) with its fuse and
// elimination passes, the set onnxsim also runs and the one the project documents as
// semantics-preserving. The tool keeps the model's opset, so the job's opset is not used.
//
//===----------------------------------------------------------------------===//
#include "converters/converter.h"

namespace convcheck::converters {

const ConverterDef& OnnxoptimizerDef() {
  static constexpr OptionDef kOptions[] = {
      {"fixed_point", OptionType::kBool, "false", "", "--fixed-point", "true",
       "repeat the passes until the graph stops changing (fixed_point=True)"},
  };
  static const ConverterDef def = {
      .name = "onnxoptimizer",
      .env = "onnx",
      .framework = sources::Framework::kOnnx,
      .min_opset = 0,
      .max_opset = 0,
      .default_opset = 0,
      .options = kOptions,
      .description = "onnxoptimizer 0.4.2, fuse and elimination passes",
      .opset_note = "it keeps the model's own opset: give no --opset",
  };
  return def;
}

}  // namespace convcheck::converters
