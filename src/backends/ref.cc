//===- backends/ref.cc - The reference interpreter as an engine -----------===//
//
// `ref` runs a model in float32 as the ONNX specification says, plainly; `ref64` runs it in
// float64 and rounds the outputs back, an estimate of the exact result against which float32
// engines and converters are judged. Both run in a forked child (ref_child.h); outputs come
// back as .npy files.
//
//===----------------------------------------------------------------------===//
#include "backends/backend.h"
#include "backends/ref_child.h"
#include "core/npy.h"

namespace convcheck::backends {
namespace {

std::string OutputPath(const std::string& dir, size_t set, size_t k) {
  return dir + "/output_" + std::to_string(set) + "_" + std::to_string(k) + ".npy";
}

class RefBackend final : public Backend {
 public:
  RefBackend(workers::Session& session, BackendOptions options, bool precise)
      : session_(session), options_(std::move(options)), precise_(precise) {}
  std::string_view name() const override { return precise_ ? "ref64" : "ref"; }

  StatusOr<BackendRun> Run(const std::string& model_path,
                           const std::vector<std::vector<Tensor>>& input_sets,
                           double timeout_s) override {
    CC_ASSIGN_OR_RETURN(std::string dir, session_.NewDir(std::string(name())));
    RefChildBody body;
    body.run = [&](interp::Interpreter& interp) -> StatusOr<nlohmann::json> {
      for (size_t s = 0; s < input_sets.size(); ++s) {
        std::vector<interp::Value> inputs;
        for (const auto& t : input_sets[s]) inputs.push_back(interp::Value::FromTensor(t));
        CC_ASSIGN_OR_RETURN(std::vector<interp::Value> outputs, interp.Run(inputs));
        for (size_t k = 0; k < outputs.size(); ++k) {
          if (!outputs[k].is_tensor()) {
            return Unimplemented("output " + std::to_string(k) + " is a " + outputs[k].Describe() +
                                 "; only tensors are compared");
          }
          CC_RETURN_IF_ERROR(WriteNpy(OutputPath(dir, s, k), outputs[k].tensor()));
        }
      }
      return nlohmann::json{{"output_names", interp.output_names()}};
    };
    RefChildResult child =
        RunRefChild(model_path, {precise_, timeout_s, options_.memory_limit_mb}, body);
    BackendRun run;
    switch (child.kind) {
      case RefChildResult::Kind::kTimeout:
        run.failure = oracle::Verdict::kRuntimeTimeout;
        run.message = child.message;
        return run;
      case RefChildResult::Kind::kCrashed:
        run.failure = oracle::Verdict::kRuntimeCrash;
        run.message = child.message;
        return run;
      case RefChildResult::Kind::kLoadError:
      case RefChildResult::Kind::kRunError:
        run.failure = oracle::Verdict::kRuntimeError;
        run.stage = child.kind == RefChildResult::Kind::kLoadError ? "load" : "run";
        run.code = child.code;
        run.message = child.message;
        return run;
      case RefChildResult::Kind::kOk:
        break;
    }
    run.load_s = child.load_s;
    run.run_s = child.run_s;
    for (const auto& name : child.report.value("output_names", nlohmann::json::array())) {
      run.output_names.push_back(name.get<std::string>());
    }
    for (size_t s = 0; s < input_sets.size(); ++s) {
      std::vector<Tensor> outputs;
      for (size_t k = 0; k < run.output_names.size(); ++k) {
        CC_ASSIGN_OR_RETURN(Tensor t, ReadNpy(OutputPath(dir, s, k)));
        outputs.push_back(std::move(t));
      }
      run.outputs.push_back(std::move(outputs));
    }
    return run;
  }

 private:
  workers::Session& session_;
  BackendOptions options_;
  bool precise_;
};

}  // namespace

StatusOr<std::unique_ptr<Backend>> MakeRefBackend(workers::Session& session,
                                                  const BackendOptions& options) {
  return std::unique_ptr<Backend>(new RefBackend(session, options, /*precise=*/false));
}

StatusOr<std::unique_ptr<Backend>> MakeRef64Backend(workers::Session& session,
                                                    const BackendOptions& options) {
  return std::unique_ptr<Backend>(new RefBackend(session, options, /*precise=*/true));
}

}  // namespace convcheck::backends
