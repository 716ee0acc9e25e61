//===- localize/onnx_reduce.h - Shrink any failing ONNX model -------------===//
//
// reduce.h shrinks convcheck's own generated graphs; this shrinks any ONNX model (a real
// model's export, a case someone sent) by delta debugging over its top-level nodes. A candidate
// keeps a subset of the nodes; a value a kept node reads but no kept node computes (a cut
// point) is fed with what the reference interpreter computed for it on the original inputs:
// as an initializer when it was a constant of the original graph (computed from initializers
// alone, so that an engine's constant folding and the fusions that need constants still
// happen), as a new graph input otherwise. Every value a kept node computes and no kept node
// reads becomes an output. A candidate is kept when it fails with the same signature:
//
//   runtime   the engine refuses, crashes or hangs: verdict, stage, status code and the
//             normalised message must stay;
//   mismatch  the engine's outputs disagree with ref64's beyond the tolerance;
//   invalid   ONNX's checker or shape inference rejects it: the check and the op type stay.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_LOCALIZE_ONNX_REDUCE_H_
#define CONVCHECK_LOCALIZE_ONNX_REDUCE_H_

#include <onnx/onnx_pb.h>

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "localize/capture.h"
#include "oracle/tolerance.h"

namespace convcheck::localize {

enum class OnnxFailureKind { kRuntime, kMismatch, kInvalid };
std::string_view OnnxFailureKindName(OnnxFailureKind kind);

/// A model with its weights and the inputs it is run on (bound to the graph inputs that are
/// not initializers, in order).
struct OnnxCase {
  onnx::ModelProto model;
  std::vector<std::vector<Tensor>> inputs;
};

struct OnnxReduceOptions {
  std::string backend = "ort";  // The engine under test; ref64 is the reference.
  backends::BackendOptions backend_options;
  oracle::Tolerance tolerance;
  double timeout_s = 60;
  int64_t max_tests = 300;
  std::string work_dir;
  std::function<void(const std::string&)> log;  // One line per accepted step; may be empty.
};

struct OnnxReduceResult {
  OnnxCase reduced;
  OnnxFailureKind kind = OnnxFailureKind::kRuntime;
  std::string signature;
  int64_t tests = 0;
  int64_t nodes_before = 0, nodes_after = 0;
  std::vector<std::vector<Tensor>> expected;  // ref64's outputs of the reduced case, if it ran.
  std::vector<std::string> output_names;
};

/// Values of the graph computed from initializers and constant nodes alone.
std::set<std::string> ConstantValues(const onnx::GraphProto& graph);

/// The case with only the nodes `keep` (indices into the top-level nodes, ascending), cut as
/// described above with the values of `captured` (a `ref` run of `base`). nullopt when a cut
/// value was not captured or nothing would be an output.
std::optional<OnnxCase> CutCase(const OnnxCase& base, const std::vector<int>& keep,
                                const CapturedRun& captured,
                                const std::set<std::string>& constants);

/// Reduces `base` (whose file is `model_path`). FailedPrecondition when it does not fail on
/// the engine to begin with.
StatusOr<OnnxReduceResult> ReduceOnnx(const std::string& model_path, const OnnxCase& base,
                                      const OnnxReduceOptions& options, workers::Session& session);

}  // namespace convcheck::localize

#endif  // CONVCHECK_LOCALIZE_ONNX_REDUCE_H_
