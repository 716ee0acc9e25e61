//===- backends/openvino.cc - OpenVINO's CPU plugin -----------------------===//
//
// A second production ONNX engine, independent of ONNX Runtime (its own ONNX frontend, graph
// transformations and kernels), so that when two engines of three disagree with the third the
// odd one out is a runtime bug. It runs in the Python worker of the `onnx` environment (the
// `run` op, workers/README.md), in float32 (no bf16 inference hint).
//
//===----------------------------------------------------------------------===//
#include "backends/backend.h"
#include "backends/worker_run.h"

namespace convcheck::backends {
namespace {

class OpenvinoBackend final : public Backend {
 public:
  OpenvinoBackend(workers::Session& session, BackendOptions options)
      : session_(session), options_(std::move(options)) {}
  std::string_view name() const override { return "openvino"; }

  StatusOr<BackendRun> Run(const std::string& model_path,
                           const std::vector<std::vector<Tensor>>& input_sets,
                           double timeout_s) override {
    CC_ASSIGN_OR_RETURN(workers::Worker * worker, session_.Python("onnx"));
    CC_ASSIGN_OR_RETURN(std::string dir, session_.NewDir("openvino"));
    return RunThroughWorker(*worker, "openvino", {{"threads", options_.threads}}, dir, model_path,
                            input_sets, timeout_s);
  }

 private:
  workers::Session& session_;
  BackendOptions options_;
};

}  // namespace

StatusOr<std::unique_ptr<Backend>> MakeOpenvinoBackend(workers::Session& session,
                                                       const BackendOptions& options) {
  CC_ASSIGN_OR_RETURN(workers::Worker * worker, session.Python("onnx"));
  (void)worker;
  return std::unique_ptr<Backend>(new OpenvinoBackend(session, options));
}

}  // namespace convcheck::backends
