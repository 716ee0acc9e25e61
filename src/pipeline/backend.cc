#include "pipeline/backend.h"

#include <algorithm>
#include <sstream>

#include "core/npy.h"

namespace convcheck::pipeline {
namespace {

// ONNX Runtime through the Node worker: inputs and outputs cross as .npy files.
class OrtBackend final : public Backend {
 public:
  OrtBackend(Session& session, BackendOptions options)
      : session_(session), options_(std::move(options)) {}
  std::string_view name() const override { return "ort"; }

  StatusOr<BackendRun> Run(const std::string& model_path,
                           const std::vector<std::vector<Tensor>>& input_sets,
                           double timeout_s) override {
    CC_ASSIGN_OR_RETURN(workers::Worker * worker, session_.Node());
    CC_ASSIGN_OR_RETURN(std::string dir, session_.NewDir("ort"));
    BackendRun run;
    for (size_t set = 0; set < input_sets.size(); ++set) {
      std::string set_dir = dir + "/test_data_set_" + std::to_string(set);
      nlohmann::json inputs = nlohmann::json::array();
      for (size_t j = 0; j < input_sets[set].size(); ++j) {
        std::string path = dir + "/input_" + std::to_string(set) + "_" + std::to_string(j) + ".npy";
        CC_RETURN_IF_ERROR(WriteNpy(path, input_sets[set][j]));
        inputs.push_back(path);
      }
      nlohmann::json request = {{"op", "run"},          {"model", model_path},
                                {"inputs", inputs},     {"output_dir", set_dir},
                                {"opt_level", options_.ort_opt_level},
                                {"threads", options_.threads}};
      workers::Reply reply = worker->Call(request, timeout_s);
      if (reply.kind == workers::ReplyKind::kStartFailed) {
        return FailedPrecondition("onnx runtime worker: " + reply.detail);
      }
      if (reply.kind == workers::ReplyKind::kTimeout) {
        run.failure = oracle::Verdict::kRuntimeTimeout;
        run.message = "onnx runtime gave no answer within " + std::to_string(timeout_s) +
                      " s (input set " + std::to_string(set) + ")";
        return run;
      }
      if (reply.kind != workers::ReplyKind::kAnswered) {
        run.failure = oracle::Verdict::kRuntimeCrash;
        run.message = "onnx runtime worker " + reply.detail;
        return run;
      }
      const nlohmann::json& r = reply.response;
      if (!r.value("ok", false)) {
        const nlohmann::json& error = r.contains("error") ? r["error"] : nlohmann::json::object();
        run.failure = oracle::Verdict::kRuntimeError;
        run.stage = error.value("stage", "");
        run.code = error.value("code", "UNKNOWN");
        run.message = error.value("message", "onnx runtime failed without a message");
        return run;
      }
      if (r.contains("elapsed_s")) {
        run.load_s += r["elapsed_s"].value("load", 0.0);
        run.run_s += r["elapsed_s"].value("run", 0.0);
      }
      std::vector<Tensor> outputs;
      run.output_names.clear();
      for (const auto& out : r.value("outputs", nlohmann::json::array())) {
        CC_ASSIGN_OR_RETURN(Tensor t, ReadNpy(out.value("path", "")));
        outputs.push_back(std::move(t));
        run.output_names.push_back(out.value("name", ""));
      }
      run.outputs.push_back(std::move(outputs));
    }
    return run;
  }

 private:
  Session& session_;
  BackendOptions options_;
};

}  // namespace

StatusOr<std::unique_ptr<Backend>> MakeBackend(std::string_view name, Session& session,
                                               const BackendOptions& options) {
  if (name == "ort") return std::unique_ptr<Backend>(new OrtBackend(session, options));
  if (name == "ref") {
    return Unimplemented(
        "backend 'ref' (the C++ reference interpreter) is not implemented yet; use --backend ort");
  }
  return InvalidArgument("unknown backend '" + std::string(name) + "' (known: ort)");
}

StatusOr<std::vector<std::string>> ParseBackendList(std::string_view list) {
  std::vector<std::string> names;
  std::stringstream in{std::string(list)};
  std::string name;
  while (std::getline(in, name, ',')) {
    if (name.empty()) return InvalidArgument("empty backend name in '" + std::string(list) + "'");
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      return InvalidArgument("backend '" + name + "' is listed twice");
    }
    names.push_back(name);
  }
  if (names.empty()) return InvalidArgument("no backend given");
  return names;
}

}  // namespace convcheck::pipeline
