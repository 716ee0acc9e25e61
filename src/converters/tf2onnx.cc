//===- converters/tf2onnx.cc - tf2onnx 1.17 on TensorFlow 2.21 ------------===//
//
// tf2onnx converts a tf.function with an explicit input signature (`route` function, the
// default) or a SavedModel exported from the model (`route` saved_model); its `from_keras` entry
// point is broken on Keras 3 and is not used. It writes opsets 13 to 18 (its table of IR
// versions stops at 18).
//
//===----------------------------------------------------------------------===//
#include "converters/converter.h"

namespace convcheck::converters {

const ConverterDef& Tf2onnxDef() {
  static constexpr OptionDef kOptions[] = {
      {"route", OptionType::kChoice, "function", "function|saved_model", "--saved-model",
       "saved_model", "convert through a SavedModel instead of a tf.function"},
      {"dynamic_batch", OptionType::kBool, "false", "", "--dynamic-batch", "true",
       "export dimension 0 of every input and output as dynamic"},
  };
  static const ConverterDef def = {
      .name = "tf2onnx",
      .env = "tf2",
      .framework = sources::Framework::kTensorFlow,
      .min_opset = 13,
      .max_opset = 18,
      .default_opset = 15,
      .options = kOptions,
      .description = "tf2onnx 1.17 on TensorFlow 2.21 (Keras 3)",
      .opset_note = "tf2onnx 1.17 writes opsets up to 18",
  };
  return def;
}

}  // namespace convcheck::converters
