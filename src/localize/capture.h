//===- localize/capture.h - Every intermediate tensor of one engine's run --===//
//
// Localizing a failure needs the values inside the graph, not only its outputs. The reference
// interpreter hands them to an observer as it computes them (in its forked child, which writes
// each to disk at once and lets the executor release it). ONNX Runtime and OpenVINO cannot be
// observed, but a copy of the model that declares the intermediates as extra graph outputs
// makes them return them; the worker's `run` op fetches them in batches (`output_names`), so an
// engine never holds more than one batch beyond its own live set. Everything captured goes to
// .npy files, one per value and input set, and is read back one pair at a time by the
// comparison: memory stays bounded on big models whatever their number of intermediates.
//
// Declaring a value as a graph output stops an optimizer from fusing it away; an engine whose
// optimizer is at fault may therefore compute correctly while captured (see diff.h).
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_LOCALIZE_CAPTURE_H_
#define CONVCHECK_LOCALIZE_CAPTURE_H_

#include <onnx/onnx_pb.h>

#include <map>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "core/status.h"
#include "core/tensor.h"
#include "workers/session.h"

namespace convcheck::localize {

struct CaptureOptions {
  std::string backend = "ref64";  // ref, ref64, ort or openvino.
  backends::BackendOptions backend_options;
  double timeout_s = 300;
  int64_t batch = 200;  // Values fetched per engine run (ort, openvino).
  // When not empty, only these values are captured (plus the graph outputs); otherwise every
  // output of every top-level node.
  std::vector<std::string> only;
};

/// What one engine computed: for each input set, the .npy file of each captured value.
struct CapturedRun {
  oracle::Verdict failure = oracle::Verdict::kPass;  // runtime_* when the engine failed.
  std::string code;
  std::string message;
  std::vector<std::map<std::string, std::string>> files;  // [set] value name -> .npy path.
  std::vector<std::string> uncaptured;  // Values the engine would not return (e.g. sequences).
  int64_t engine_runs = 0;

  bool ok() const { return failure == oracle::Verdict::kPass; }
  /// The value `name` of set `set`, or NotFound when it was not captured.
  StatusOr<Tensor> Read(size_t set, const std::string& name) const;
};

/// Runs `model_path` (whose parsed form, weights not needed, is `model`) on the backend of
/// `options` for every input set, capturing intermediates under `dir`. A failure of the engine
/// is a CapturedRun with `failure` set; a Status is our own problem.
StatusOr<CapturedRun> CaptureValues(const std::string& model_path, const onnx::ModelProto& model,
                                    const std::vector<std::vector<Tensor>>& input_sets,
                                    const std::string& dir, const CaptureOptions& options,
                                    workers::Session& session);

/// The names of the top-level nodes' outputs that are not graph outputs and can be exposed
/// (not empty, not produced by a sequence or optional operator), in graph order.
std::vector<std::string> ExposableValues(const onnx::ModelProto& model);

/// A copy of `model` that also declares `names` as graph outputs, without types (ONNX Runtime
/// and OpenVINO infer them).
onnx::ModelProto WithExtraOutputs(const onnx::ModelProto& model,
                                  const std::vector<std::string>& names);

/// Input sets for a model: read from DIR/test_data_set_N (typed by the model's inputs), or,
/// when `data_dir` is empty, one deterministic set made up from the declared inputs (floats in
/// [-1, 1), integers 0, bools false; unknown dimensions are 1).
StatusOr<std::vector<std::vector<Tensor>>> ModelInputs(const onnx::ModelProto& model,
                                                       const std::string& data_dir);

}  // namespace convcheck::localize

#endif  // CONVCHECK_LOCALIZE_CAPTURE_H_
