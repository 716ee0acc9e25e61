//===- backends/ref_child.h - The reference interpreter in a forked child -===//
//
// The reference interpreter runs inside convcheck's own code, on untrusted models: a bug of ours
// on a hostile model (a crash, an endless Loop, a shape that asks for 1 TB) must become a
// recorded runtime_crash or runtime_timeout, never the end of a campaign. Every user of the
// interpreter on a model file (the ref and ref64 backends, `run`, `conformance`) goes through
// this one runner: it forks, loads the model with its weights under an address-space limit and a
// deadline, and runs the caller's body on the interpreter; the body's JSON report comes back
// through a pipe.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_BACKENDS_REF_CHILD_H_
#define CONVCHECK_BACKENDS_REF_CHILD_H_

#include <onnx/onnx_pb.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "core/status.h"
#include "interp/executor.h"

namespace convcheck::backends {

struct RefChildOptions {
  bool precise = false;  // ref64: float64 mode.
  double timeout_s = 300;
  int64_t memory_limit_mb = 16384;  // 0: none.
};

/// What the caller runs in the child. `before_create` (optional) sees the model before the
/// interpreter takes it (e.g. to read input files typed by the graph; the top-level initializers
/// are already decoded, their raw bytes are not in the proto); `run` drives the
/// interpreter and returns a report. A Status from either is a load or run failure.
struct RefChildBody {
  std::function<Status(const onnx::ModelProto&)> before_create;
  std::function<StatusOr<nlohmann::json>(interp::Interpreter&)> run;
};

struct RefChildResult {
  enum class Kind { kOk, kLoadError, kRunError, kCrashed, kTimeout };
  Kind kind = Kind::kOk;
  std::string code;       // kLoadError, kRunError: the status code name ("UNIMPLEMENTED").
  std::string message;    // One line for every kind but kOk.
  nlohmann::json report;  // kOk: what `run` returned.
  double load_s = 0;
  double run_s = 0;
};

RefChildResult RunRefChild(const std::string& model_path, const RefChildOptions& options,
                           const RefChildBody& body);

}  // namespace convcheck::backends

#endif  // CONVCHECK_BACKENDS_REF_CHILD_H_
