#include "backends/ref_child.h"

#include <chrono>

#include "workers/isolate.h"

namespace convcheck::backends {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

nlohmann::json Failure(const char* stage, const Status& status) {
  return {{"ok", false},
          {"stage", stage},
          {"code", std::string(StatusCodeName(status.code()))},
          {"message", status.message()}};
}

// Runs in the child: everything that touches the model happens here.
nlohmann::json RunInChild(const std::string& model_path, const RefChildOptions& options,
                          const RefChildBody& body) {
  const auto start = std::chrono::steady_clock::now();
  // Mapped, each weight copied once (interp::Interpreter::LoadFile): loading with
  // LoadModelWithWeights copied the weights three times and took longer than running a model.
  StatusOr<interp::LoadedModel> model = interp::Interpreter::LoadFile(model_path);
  if (!model.ok()) return Failure("load", model.status());
  if (body.before_create) {
    Status ready = body.before_create(model->model);
    if (!ready.ok()) return Failure("load", ready);
  }
  interp::InterpreterOptions interp_options;
  interp_options.precise = options.precise;
  StatusOr<std::unique_ptr<interp::Interpreter>> interp =
      interp::Interpreter::Create(std::move(*model), interp_options);
  if (!interp.ok()) return Failure("load", interp.status());
  const double load_s = SecondsSince(start);
  const auto run_start = std::chrono::steady_clock::now();
  StatusOr<nlohmann::json> report = body.run(**interp);
  if (!report.ok()) return Failure("run", report.status());
  return {
      {"ok", true}, {"report", *report}, {"load_s", load_s}, {"run_s", SecondsSince(run_start)}};
}

std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

}  // namespace

RefChildResult RunRefChild(const std::string& model_path, const RefChildOptions& options,
                           const RefChildBody& body) {
  workers::IsolatedResult isolated = workers::RunIsolated(
      [&](int fd) {
        // Test double: a crash or hang of the interpreter on purpose (CONVCHECK_FAULT_INJECT_REF).
        workers::InjectFaultForTests("CONVCHECK_FAULT_INJECT_REF");
        nlohmann::json report = RunInChild(model_path, options, body);
        return workers::WriteAll(fd, report.dump()) ? 0 : 1;
      },
      options.timeout_s, options.memory_limit_mb);
  RefChildResult result;
  if (isolated.kind == workers::IsolatedResult::Kind::kTimeout) {
    result.kind = RefChildResult::Kind::kTimeout;
    result.message = "reference interpreter " + isolated.detail;
    return result;
  }
  nlohmann::json report = nlohmann::json::parse(isolated.output, nullptr, false);
  if (isolated.kind != workers::IsolatedResult::Kind::kOk || !report.is_object()) {
    result.kind = RefChildResult::Kind::kCrashed;
    result.message =
        "reference interpreter " +
        (isolated.detail.empty()
             ? "exited with status " + std::to_string(isolated.exit_code) + " without a report"
             : isolated.detail);
    return result;
  }
  if (!report.value("ok", false)) {
    result.kind = report.value("stage", "") == "load" ? RefChildResult::Kind::kLoadError
                                                      : RefChildResult::Kind::kRunError;
    result.code = report.value("code", "");
    result.message = OneLine(report.value("message", ""));
    return result;
  }
  result.report = report.value("report", nlohmann::json::object());
  result.load_s = report.value("load_s", 0.0);
  result.run_s = report.value("run_s", 0.0);
  return result;
}

}  // namespace convcheck::backends
