#include "cli/check.h"

#include <filesystem>
#include <iostream>

#include "workers/session.h"

namespace convcheck::cli {

void AddCheckCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<CheckCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "check", "validate an ONNX model and compare a backend's outputs with stored outputs");
  cmd->add_option("model", options->model_path, "the .onnx file")->required();
  cmd->add_option("--data", options->data_dir,
                  "folder with test_data_set_N/{input,output}_K.pb (default: the model's folder)");
  AddEngineFlags(*cmd, options->engines, "--backend");
  cmd->add_option("--json", options->json_path, "write the result as JSON to FILE (- for stdout)");
  cmd->callback([options, &exit_code]() { exit_code = RunCheck(*options, std::cout, std::cerr); });
}

int RunCheck(const CheckCommandOptions& options, std::ostream& out, std::ostream& err) {
  StatusOr<Engines> engines = ResolveEngines(options.engines);
  if (!engines.ok()) return ReportError(err, engines.status());
  StatusOr<std::unique_ptr<workers::Session>> session =
      workers::Session::Create(engines->session_options);
  if (!session.ok()) return ReportError(err, session.status());
  if (Status ok = backends::CheckBackends(engines->backends, **session, engines->backend_options);
      !ok.ok()) {
    return ReportError(err, ok);
  }

  pipeline::CheckSpec spec;
  spec.model_path = options.model_path;
  spec.data_dir = options.data_dir.empty()
                      ? std::filesystem::path(options.model_path).parent_path().string()
                      : options.data_dir;
  if (spec.data_dir.empty()) spec.data_dir = ".";
  spec.backends = engines->backends;
  spec.backend_options = engines->backend_options;
  spec.tolerance = engines->tolerance;
  spec.timeout_s = engines->timeout_s;
  StatusOr<pipeline::JobResult> result = pipeline::RunCheckJob(spec, **session);
  if (!result.ok()) return ReportError(err, result.status());

  ResultTable table(out);
  table.PrintHeader();
  table.PrintRow(*result);
  out << "tolerance: " << engines->tolerance.profile << ": " << engines->tolerance.Describe()
      << "\n";
  if (!options.json_path.empty()) {
    Status written = WriteJsonFile(options.json_path,
                                   {{"command", "check"}, {"jobs", {pipeline::ToJson(*result)}}});
    if (!written.ok()) return ReportError(err, written);
  }
  return result->verdict == oracle::Verdict::kPass ? kExitPass : kExitFailure;
}

}  // namespace convcheck::cli
