//===- converters/ort_optimizer.cc - ONNX Runtime's saved optimized model -===//
//
// ONNX Runtime 1.30 (Python) loads the model with `graph_optimization_level` basic or extended
// and `optimized_model_filepath` set, and saves the graph its optimizers produced: what
// deployments ship to skip the optimization at start-up. At the basic level the result is plain
// ONNX (constant folding, redundant node elimination, fusions into standard ops); the extended
// level adds com.microsoft operators (FusedConv, Gelu, ...), which only ONNX Runtime runs. The
// job's opset is not used: the tool keeps the model's own.
//
//===----------------------------------------------------------------------===//
#include "converters/converter.h"

namespace convcheck::converters {

const ConverterDef& OrtOptimizerDef() {
  static constexpr OptionDef kOptions[] = {
      {"level", OptionType::kChoice, "basic", "basic|extended", "", "extended",
       "graph_optimization_level of the saved model (extended adds com.microsoft operators)"},
  };
  static const ConverterDef def = {
      .name = "ort.optimizer",
      .env = "onnx",
      .framework = sources::Framework::kOnnx,
      .min_opset = 0,
      .max_opset = 0,
      .default_opset = 0,
      .options = kOptions,
      .description = "ONNX Runtime 1.30's optimized model (optimized_model_filepath)",
      .opset_note = "it keeps the model's own opset: give no --opset",
  };
  return def;
}

}  // namespace convcheck::converters
