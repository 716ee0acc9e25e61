#include "pipeline/backend.h"

#include <algorithm>
#include <chrono>
#include <sstream>

#include "core/npy.h"
#include "interp/executor.h"
#include "onnx/model.h"
#include "workers/isolate.h"

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

// The C++ reference interpreter, run in a forked child per model so that a crash or hang of ours
// on a hostile model is a runtime_crash or runtime_timeout, never the end of convcheck. The
// child writes outputs as .npy files and a one-line JSON report.
class RefBackend final : public Backend {
 public:
  RefBackend(Session& session, BackendOptions options, bool precise)
      : session_(session), options_(std::move(options)), precise_(precise) {}
  std::string_view name() const override { return precise_ ? "ref64" : "ref"; }

  StatusOr<BackendRun> Run(const std::string& model_path,
                           const std::vector<std::vector<Tensor>>& input_sets,
                           double timeout_s) override {
    CC_ASSIGN_OR_RETURN(std::string dir, session_.NewDir(std::string(name())));
    workers::IsolatedResult isolated = workers::RunIsolated(
        [&](int fd) {
          workers::InjectFaultForTests("CONVCHECK_FAULT_INJECT_REF");
          nlohmann::json report = RunInChild(model_path, input_sets, dir);
          return workers::WriteAll(fd, report.dump()) ? 0 : 1;
        },
        timeout_s, options_.memory_limit_mb);
    BackendRun run;
    if (isolated.kind == workers::IsolatedResult::Kind::kTimeout) {
      run.failure = oracle::Verdict::kRuntimeTimeout;
      run.message = "reference interpreter " + isolated.detail;
      return run;
    }
    nlohmann::json report = nlohmann::json::parse(isolated.output, nullptr, false);
    if (isolated.kind != workers::IsolatedResult::Kind::kOk || !report.is_object()) {
      run.failure = oracle::Verdict::kRuntimeCrash;
      run.message = "reference interpreter " +
                    (isolated.detail.empty() ? "exited without a report" : isolated.detail);
      return run;
    }
    if (!report.value("ok", false)) {
      run.failure = oracle::Verdict::kRuntimeError;
      run.stage = report.value("stage", "");
      run.code = report.value("code", "");
      run.message = report.value("message", "");
      return run;
    }
    run.load_s = report.value("load_s", 0.0);
    run.run_s = report.value("run_s", 0.0);
    for (const auto& name : report.value("output_names", nlohmann::json::array())) {
      run.output_names.push_back(name.get<std::string>());
    }
    const int num_outputs = static_cast<int>(run.output_names.size());
    for (size_t s = 0; s < input_sets.size(); ++s) {
      std::vector<Tensor> outputs;
      for (int k = 0; k < num_outputs; ++k) {
        CC_ASSIGN_OR_RETURN(Tensor t, ReadNpy(OutputPath(dir, s, k)));
        outputs.push_back(std::move(t));
      }
      run.outputs.push_back(std::move(outputs));
    }
    return run;
  }

 private:
  static std::string OutputPath(const std::string& dir, size_t set, int k) {
    return dir + "/output_" + std::to_string(set) + "_" + std::to_string(k) + ".npy";
  }

  nlohmann::json RunInChild(const std::string& model_path,
                            const std::vector<std::vector<Tensor>>& input_sets,
                            const std::string& dir) const {
    auto failure = [](const char* stage, const Status& status) {
      return nlohmann::json{{"ok", false},
                            {"stage", stage},
                            {"code", std::string(StatusCodeName(status.code()))},
                            {"message", status.message()}};
    };
    auto start = std::chrono::steady_clock::now();
    auto seconds = [](auto from) {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - from).count();
    };
    StatusOr<onnx::ModelProto> model = onnxio::LoadModelWithWeights(model_path);
    if (!model.ok()) return failure("load", model.status());
    interp::InterpreterOptions interp_options;
    interp_options.precise = precise_;
    StatusOr<std::unique_ptr<interp::Interpreter>> interp =
        interp::Interpreter::Create(std::move(*model), interp_options);
    if (!interp.ok()) return failure("load", interp.status());
    const double load_s = seconds(start);
    auto run_start = std::chrono::steady_clock::now();
    for (size_t s = 0; s < input_sets.size(); ++s) {
      std::vector<interp::Value> inputs;
      for (const auto& t : input_sets[s]) inputs.push_back(interp::Value::FromTensor(t));
      StatusOr<std::vector<interp::Value>> outputs = (*interp)->Run(inputs);
      if (!outputs.ok()) return failure("run", outputs.status());
      for (size_t k = 0; k < outputs->size(); ++k) {
        const interp::Value& v = (*outputs)[k];
        if (!v.is_tensor()) {
          return failure("run", Unimplemented("output " + std::to_string(k) + " is a " +
                                              v.Describe() + "; only tensors are compared"));
        }
        Status written = WriteNpy(OutputPath(dir, s, static_cast<int>(k)), v.tensor());
        if (!written.ok()) return failure("run", written);
      }
    }
    return {{"ok", true},
            {"output_names", (*interp)->output_names()},
            {"load_s", load_s},
            {"run_s", seconds(run_start)}};
  }

  Session& session_;
  BackendOptions options_;
  bool precise_;
};

}  // namespace

StatusOr<std::unique_ptr<Backend>> MakeBackend(std::string_view name, Session& session,
                                               const BackendOptions& options) {
  if (name == "ort") return std::unique_ptr<Backend>(new OrtBackend(session, options));
  if (name == "ref") return std::unique_ptr<Backend>(new RefBackend(session, options, false));
  if (name == "ref64") return std::unique_ptr<Backend>(new RefBackend(session, options, true));
  return InvalidArgument("unknown backend '" + std::string(name) + "' (known: ort, ref, ref64)");
}

Status CheckBackends(const std::vector<std::string>& names, Session& session) {
  for (const auto& name : names) {
    CC_ASSIGN_OR_RETURN(std::unique_ptr<Backend> backend, MakeBackend(name, session, {}));
    (void)backend;
  }
  return Status::Ok();
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
