//===- pipeline/backend.h - An engine that runs ONNX models ---------------===//
//
// A backend takes a model file and input sets and returns outputs, or says how it failed in the
// vocabulary of verdicts: it refused the model (runtime_error, with the engine's own status
// code), it died (runtime_crash) or it hung (runtime_timeout). ONNX Runtime runs in the Node
// worker; the reference interpreter (`ref`, and `ref64` in float64 mode) in a forked child.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_PIPELINE_BACKEND_H_
#define CONVCHECK_PIPELINE_BACKEND_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "oracle/verdict.h"
#include "pipeline/session.h"

namespace convcheck::pipeline {

struct BackendRun {
  oracle::Verdict failure = oracle::Verdict::kPass;  // runtime_* when the engine failed.
  std::string stage;    // Where it failed: "load" or "run".
  std::string code;     // The engine's status code, e.g. "NOT_IMPLEMENTED".
  std::string message;  // One line.
  std::vector<std::vector<Tensor>> outputs;  // [set][output], when it did not fail.
  std::vector<std::string> output_names;
  double load_s = 0;  // Time inside the engine, as it reports it.
  double run_s = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string_view name() const = 0;
  /// Runs every input set. Problems of the engine are a BackendRun with `failure` set; a Status
  /// is returned only for our own environment (the worker cannot start, scratch I/O fails).
  virtual StatusOr<BackendRun> Run(const std::string& model_path,
                                   const std::vector<std::vector<Tensor>>& input_sets,
                                   double timeout_s) = 0;
};

struct BackendOptions {
  std::string ort_opt_level = "all";  // disabled | basic | extended | all
  int threads = 1;
  int64_t memory_limit_mb = 16384;    // ref: address-space limit of the child that runs it.
};

/// "ort" (ONNX Runtime), "ref" (the C++ reference interpreter) or "ref64" (the same in float64
/// mode); anything else is an InvalidArgument that lists the known names.
StatusOr<std::unique_ptr<Backend>> MakeBackend(std::string_view name, Session& session,
                                               const BackendOptions& options);

/// Makes each named backend once, so that an unknown or unimplemented one fails before any job
/// runs (and before a torch import).
Status CheckBackends(const std::vector<std::string>& names, Session& session);

/// Splits "ort,ref" into names, rejecting empty and duplicate entries.
StatusOr<std::vector<std::string>> ParseBackendList(std::string_view list);

}  // namespace convcheck::pipeline

#endif  // CONVCHECK_PIPELINE_BACKEND_H_
