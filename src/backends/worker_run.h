//===- backends/worker_run.h - Engines behind a worker's `run` op ---------===//
//
// ONNX Runtime (Node worker) and OpenVINO (Python worker of the onnx environment) speak the same
// `run` op (workers/README.md): input .npy files in, output .npy files and timings out, or an
// error with a stage and a code. One function turns that exchange into a BackendRun, so both
// engines map a worker's timeout, death or refusal to verdicts the same way.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_BACKENDS_WORKER_RUN_H_
#define CONVCHECK_BACKENDS_WORKER_RUN_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "workers/worker.h"

namespace convcheck::backends {

/// Runs each input set through `worker`'s `run` op; `request` holds the engine-specific fields
/// (opt_level, threads). `engine` names the engine in messages ("onnx runtime", "openvino").
StatusOr<BackendRun> RunThroughWorker(workers::Worker& worker, const std::string& engine,
                                      const nlohmann::json& request, const std::string& scratch,
                                      const std::string& model_path,
                                      const std::vector<std::vector<Tensor>>& input_sets,
                                      double timeout_s);

}  // namespace convcheck::backends

#endif  // CONVCHECK_BACKENDS_WORKER_RUN_H_
