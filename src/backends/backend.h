//===- backends/backend.h - An engine that runs ONNX models ---------------===//
//
// A backend takes a model file and input sets and returns outputs, or says how it failed in the
// vocabulary of verdicts: it refused the model (runtime_error, with the engine's own status
// code), it died (runtime_crash) or it hung (runtime_timeout). The engines are listed once in
// backends.def, one file each: ONNX Runtime (the Node worker), OpenVINO (the Python worker of
// the onnx environment), the reference interpreter (`ref`, and `ref64` in float64 mode, in a
// forked child). Every command passes engine options the same way (BackendOptions).
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_BACKENDS_BACKEND_H_
#define CONVCHECK_BACKENDS_BACKEND_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "oracle/verdict.h"
#include "workers/session.h"

namespace convcheck::backends {

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

/// Engine options, the same for every command. Each backend reads what concerns it.
struct BackendOptions {
  std::string ort_opt_level = "all";  // disabled | basic | extended | all
  int threads = 1;
  int64_t memory_limit_mb = 16384;  // Address space of the ref child; RSS of engine workers.
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string_view name() const = 0;
  /// Runs every input set, fed to the model's graph inputs (not initializers) in order.
  /// Problems of the engine are a BackendRun with `failure` set; a Status is returned only for
  /// our own environment (the worker cannot start, scratch I/O fails).
  virtual StatusOr<BackendRun> Run(const std::string& model_path,
                                   const std::vector<std::vector<Tensor>>& input_sets,
                                   double timeout_s) = 0;
};

/// Makes the backend called `name` (backends.def). InvalidArgument lists the known names;
/// FailedPrecondition names the install command when what it needs is not installed.
StatusOr<std::unique_ptr<Backend>> MakeBackend(std::string_view name, workers::Session& session,
                                               const BackendOptions& options);

/// Makes each named backend once, so that an unknown or uninstalled one fails before any job
/// runs (and before a torch import).
Status CheckBackends(const std::vector<std::string>& names, workers::Session& session,
                     const BackendOptions& options = {});

/// Splits "ort,ref" into names, rejecting empty, duplicate and unknown entries.
StatusOr<std::vector<std::string>> ParseBackendList(std::string_view list);

/// "ort, ref, ref64, openvino" for help texts.
std::string KnownBackends();

/// The factories of backends.def.
#define CC_BACKEND(id, name, factory, help)                                  \
  StatusOr<std::unique_ptr<Backend>> factory(workers::Session& session, \
                                             const BackendOptions& options);
#include "backends/backends.def"
#undef CC_BACKEND

}  // namespace convcheck::backends

#endif  // CONVCHECK_BACKENDS_BACKEND_H_
