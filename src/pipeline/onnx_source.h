//===- pipeline/onnx_source.h - An ONNX model as a job's source -----------===//
//
// The ONNX-to-ONNX tools (onnxsim, onnxoptimizer, the version converter, ONNX Runtime's saved
// optimized model) take an ONNX model, not a framework's. Their source stage happens here, in
// C++: inputs are drawn for the model's graph inputs, and the reference outputs are the original
// model's on ref64 (the interpreter in float64, rounded back), the most exact engine we have. A
// model the generator wrote carries the value range of each input (metadata `convcheck:inputs`),
// so that its inputs stay where the generator kept every operator defined.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_PIPELINE_ONNX_SOURCE_H_
#define CONVCHECK_PIPELINE_ONNX_SOURCE_H_

#include <onnx/onnx_pb.h>

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "pipeline/job.h"

namespace convcheck::pipeline {

/// The metadata key under which the generator records input ranges: a JSON object
/// {"input name": [lo, hi], ...}.
inline constexpr const char* kInputRangesKey = "convcheck:inputs";

struct OnnxReference {
  std::vector<std::vector<Tensor>> inputs, expected;  // [set][tensor]
  std::vector<std::string> input_names, output_names;
};

/// Builds the reference of `model_path` for `spec`. A model that cannot be read, has inputs that
/// cannot be generated, or that ref64 cannot run is recorded on `result` as source_error (the
/// oracle is missing, not the tool wrong) and returns nullopt; a Status only when convcheck
/// itself cannot work.
StatusOr<std::optional<OnnxReference>> BuildOnnxReference(const JobSpec& spec,
                                                          const std::string& model_path,
                                                          workers::Session& session,
                                                          JobResult* result);

/// Input set `set` for the model's graph inputs: floats uniform in the recorded range (else
/// [-1, 1)), integers in it (else [0, 10)), booleans fair coins; unknown dimensions from
/// `input_shapes` (one per input) or 1. Deterministic in (seed, set).
StatusOr<std::vector<Tensor>> MakeOnnxInputs(const onnx::ModelProto& model, uint64_t seed, int set,
                                             const std::vector<Shape>& input_shapes);

}  // namespace convcheck::pipeline

#endif  // CONVCHECK_PIPELINE_ONNX_SOURCE_H_
