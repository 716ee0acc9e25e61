#include "cli/check.h"

#include <filesystem>
#include <iostream>

#include "pipeline/session.h"

namespace convcheck::cli {

void AddCheckCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<CheckCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "check", "validate an ONNX model and compare a backend's outputs with stored outputs");
  cmd->add_option("model", options->model_path, "the .onnx file")->required();
  cmd->add_option("--data", options->data_dir,
                  "folder with test_data_set_N/{input,output}_K.pb (default: the model's folder)");
  cmd->add_option("--backend", options->backends, "comma list of backends (ort)");
  AddToleranceFlags(*cmd, options->tolerance);
  cmd->add_option("--timeout", options->timeout_s, "seconds allowed per stage")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--json", options->json_path, "write the result as JSON to FILE (- for stdout)");
  cmd->add_option("--ort-opt-level", options->ort_opt_level,
                  "ONNX Runtime graph optimization level")
      ->check(CLI::IsMember({"disabled", "basic", "extended", "all"}));
  cmd->add_option("--memory-limit", options->memory_limit_mb,
                  "MiB of resident memory a worker may use (0 = no limit)");
  cmd->callback([options, &exit_code]() { exit_code = RunCheck(*options, std::cout, std::cerr); });
}

int RunCheck(const CheckCommandOptions& options, std::ostream& out, std::ostream& err) {
  StatusOr<oracle::Tolerance> tolerance = ResolveTolerance(options.tolerance);
  if (!tolerance.ok()) return ReportError(err, tolerance.status());
  StatusOr<std::vector<std::string>> backends = pipeline::ParseBackendList(options.backends);
  if (!backends.ok()) return ReportError(err, backends.status());
  pipeline::SessionOptions session_options;
  session_options.memory_limit_mb = options.memory_limit_mb;
  StatusOr<std::unique_ptr<pipeline::Session>> session = pipeline::Session::Create(session_options);
  if (!session.ok()) return ReportError(err, session.status());
  if (Status ok = pipeline::CheckBackends(*backends, **session); !ok.ok()) {
    return ReportError(err, ok);
  }

  pipeline::CheckSpec spec;
  spec.model_path = options.model_path;
  spec.data_dir = options.data_dir.empty()
                      ? std::filesystem::path(options.model_path).parent_path().string()
                      : options.data_dir;
  if (spec.data_dir.empty()) spec.data_dir = ".";
  spec.backends = *backends;
  spec.backend_options.ort_opt_level = options.ort_opt_level;
  spec.tolerance = *tolerance;
  spec.timeout_s = options.timeout_s;
  StatusOr<pipeline::JobResult> result = pipeline::RunCheckJob(spec, **session);
  if (!result.ok()) return ReportError(err, result.status());

  ResultTable table(out);
  table.PrintHeader();
  table.PrintRow(*result);
  out << "tolerance: " << tolerance->profile << ": " << tolerance->Describe() << "\n";
  if (!options.json_path.empty()) {
    Status written = WriteJsonFile(options.json_path,
                                   {{"command", "check"}, {"jobs", {pipeline::ToJson(*result)}}});
    if (!written.ok()) return ReportError(err, written);
  }
  return result->verdict == oracle::Verdict::kPass ? kExitPass : kExitFailure;
}

}  // namespace convcheck::cli
