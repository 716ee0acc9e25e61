//===- backends/ort.cc - ONNX Runtime through the Node worker -------------===//
//
// onnxruntime-node 1.30 on the CPU. Its only C API headers would have to come from elsewhere,
// so it runs in the Node worker (workers/node/ort_worker.js); tensors cross as .npy files.
// `ort_opt_level` chooses ORT's graph optimization level: a result that changes with it points
// at ORT's optimizer rather than its kernels.
//
//===----------------------------------------------------------------------===//
#include "backends/backend.h"
#include "backends/worker_run.h"

namespace convcheck::backends {
namespace {

class OrtBackend final : public Backend {
 public:
  OrtBackend(workers::Session& session, BackendOptions options)
      : session_(session), options_(std::move(options)) {}
  std::string_view name() const override { return "ort"; }

  StatusOr<BackendRun> Run(const std::string& model_path,
                           const std::vector<std::vector<Tensor>>& input_sets,
                           double timeout_s) override {
    CC_ASSIGN_OR_RETURN(workers::Worker * worker, session_.Node());
    CC_ASSIGN_OR_RETURN(std::string dir, session_.NewDir("ort"));
    return RunThroughWorker(*worker, "onnx runtime",
                            {{"opt_level", options_.ort_opt_level}, {"threads", options_.threads}},
                            dir, model_path, input_sets, timeout_s);
  }

 private:
  workers::Session& session_;
  BackendOptions options_;
};

}  // namespace

StatusOr<std::unique_ptr<Backend>> MakeOrtBackend(workers::Session& session,
                                                  const BackendOptions& options) {
  for (const char* level : {"disabled", "basic", "extended", "all"}) {
    if (options.ort_opt_level == level) {
      // The worker is started on first use; finding it now makes a missing install a usage
      // error before any job runs.
      CC_ASSIGN_OR_RETURN(workers::Worker * worker, session.Node());
      (void)worker;
      return std::unique_ptr<Backend>(new OrtBackend(session, options));
    }
  }
  return InvalidArgument("onnx runtime optimization level '" + options.ort_opt_level +
                         "' is not one of disabled, basic, extended, all");
}

}  // namespace convcheck::backends
