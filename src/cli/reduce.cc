#include "cli/reduce.h"

#include <filesystem>
#include <fstream>
#include <iostream>

#include "backends/backend.h"
#include "gen/emit.h"
#include "localize/reduce.h"

namespace convcheck::cli {

namespace fs = std::filesystem;

void AddReduceCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ReduceCommandOptions>();
  CLI::App* cmd =
      app.add_subcommand("reduce", "shrink a failing model while it fails the same way");
  cmd->add_option("case", options->case_path,
                  "a fuzz failure folder (graph.json, job.json), a generated gen-SEED.json, or "
                  "any ONNX model (a .onnx file, or a folder with model.onnx and "
                  "test_data_set_N)")
      ->required();
  cmd->add_option("--data", options->data_dir,
                  "ONNX models: folder with test_data_set_N/input_K.pb (default: the case's)");
  cmd->add_option("--out", options->out_dir, "where the reduced case goes (default CASE/reduced)");
  cmd->add_option("--opset", options->opset, "override the job's opset");
  cmd->add_option("--backends", options->backends, "override the job's backends");
  cmd->add_option("--converter", options->converter, "override the job's converter");
  cmd->add_option("--max-tests", options->max_tests, "stop after this many test runs")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--timeout", options->timeout_s, "seconds allowed per stage")
      ->check(CLI::PositiveNumber);
  AddToleranceFlags(*cmd, options->tolerance);
  cmd->add_option("--json", options->json_path, "write the outcome as JSON");
  cmd->callback([options, &exit_code]() { exit_code = RunReduce(*options, std::cout, std::cerr); });
}

int RunReduce(const ReduceCommandOptions& options, std::ostream& out, std::ostream& err) {
  // The case: a folder (a fuzz reproducer) or the graph file itself.
  std::string graph_path = options.case_path, job_path, default_out;
  std::error_code ec;
  const bool onnx_file = fs::path(options.case_path).extension() == ".onnx";
  const bool onnx_dir = fs::is_directory(options.case_path, ec) &&
                        !fs::exists(options.case_path + "/graph.json") &&
                        fs::exists(options.case_path + "/model.onnx");
  if (onnx_file || onnx_dir) return RunReduceOnnx(options, out, err);
  if (fs::is_directory(options.case_path, ec)) {
    graph_path = options.case_path + "/graph.json";
    job_path = options.case_path + "/job.json";
    default_out = options.case_path + "/reduced";
    if (!fs::exists(graph_path)) {
      return ReportError(err, InvalidArgument("case '" + options.case_path +
                                              "' has no graph.json (only generated models can "
                                              "be reduced)"));
    }
  } else if (fs::exists(options.case_path, ec)) {
    default_out = fs::path(options.case_path).replace_extension("").string() + "-reduced";
  } else {
    return ReportError(err, NotFound("case '" + options.case_path + "' does not exist"));
  }
  StatusOr<gen::Graph> graph = gen::LoadGraph(graph_path);
  if (!graph.ok()) return ReportError(err, graph.status());

  pipeline::JobSpec job;
  // A generated model without a job.json: the study-era converter, as `gen` files were made for.
  job.converter.name = "torch.onnx@1.13";
  job.converter.opset = 17;
  job.backends = {"ort", "ref"};
  std::string tolerance_profile, saved_source;
  if (!job_path.empty() && fs::exists(job_path)) {
    std::ifstream in(job_path);
    nlohmann::json saved = nlohmann::json::parse(in, nullptr, false);
    if (saved.is_object()) {
      job.converter.name =
          std::string(converters::CanonicalName(saved.value("converter", job.converter.name)));
      job.converter.opset = saved.value("opset", job.converter.opset);
      std::vector<std::pair<std::string, std::string>> items;
      // job.json before converters were data kept only constant_folding, at the top level.
      nlohmann::json saved_options = saved.value("options", nlohmann::json::object());
      if (!saved.contains("options") && saved.contains("constant_folding")) {
        saved_options = {{"constant_folding", saved.value("constant_folding", true)}};
      }
      for (const auto& [key, value] : saved_options.items()) {
        items.emplace_back(key, value.is_boolean()  ? (value.get<bool>() ? "true" : "false")
                                : value.is_string() ? value.get<std::string>()
                                                    : value.dump());
      }
      job.converter.options = converters::OptionValues::Unchecked(std::move(items));
      job.num_sets = saved.value("num_sets", job.num_sets);
      job.seed = saved.value("seed", job.seed);
      tolerance_profile = saved.value("tolerance", "");
      saved_source = saved.value("source", "");
      StatusOr<std::vector<std::string>> saved_backends =
          backends::ParseBackendList(saved.value("backends", "ort,ref"));
      if (saved_backends.ok()) job.backends = *saved_backends;
    }
  }
  if (options.opset) job.converter.opset = *options.opset;
  if (options.converter) {
    job.converter.name = std::string(converters::CanonicalName(*options.converter));
    job.converter.options = {};
  }
  if (options.backends) {
    StatusOr<std::vector<std::string>> backends = backends::ParseBackendList(*options.backends);
    if (!backends.ok()) return ReportError(err, backends.status());
    job.backends = *backends;
  }
  ToleranceFlags tolerance_flags = options.tolerance;
  if (!tolerance_profile.empty() && tolerance_profile != "custom" &&
      tolerance_flags.profile == std::string(oracle::kDefaultProfile)) {
    tolerance_flags.profile = tolerance_profile;
  }
  StatusOr<oracle::Tolerance> tolerance = ResolveTolerance(tolerance_flags);
  if (!tolerance.ok()) return ReportError(err, tolerance.status());
  job.tolerance = *tolerance;
  job.timeout_s = options.timeout_s;

  StatusOr<std::unique_ptr<workers::Session>> session = workers::Session::Create({});
  if (!session.ok()) return ReportError(err, session.status());
  if (Status ok = backends::CheckBackends(job.backends, **session); !ok.ok()) {
    return ReportError(err, ok);
  }

  // The form the model is written in for this converter: the campaign's source says it (a
  // fault-injection double takes any), else the converter's framework.
  gen::Emitter emitter = gen::Emitter::kTorch;
  const converters::ConverterDef* def = converters::FindConverterDef(job.converter.name);
  if (!options.converter && !saved_source.empty()) {
    if (saved_source.rfind("onnx:", 0) == 0) emitter = gen::Emitter::kOnnx;
    if (saved_source.size() > 6 &&
        saved_source.compare(saved_source.size() - 6, 6, "_tf.py") == 0) {
      emitter = gen::Emitter::kTensorFlow;
    }
  } else if (def != nullptr && def->framework == sources::Framework::kTensorFlow) {
    emitter = gen::Emitter::kTensorFlow;
  } else if (def != nullptr && def->framework == sources::Framework::kOnnx) {
    emitter = gen::Emitter::kOnnx;
  }

  // Absolute: candidates are python:PATH sources, which the worker wants absolute.
  const std::string out_dir =
      fs::absolute(options.out_dir.empty() ? default_out : options.out_dir).lexically_normal();
  localize::ReduceOptions reduce;
  reduce.job = job;
  reduce.work_dir = out_dir + "/work";
  reduce.emitter = emitter;
  reduce.max_tests = options.max_tests;
  reduce.log = [&err](const std::string& line) { err << "reduce: " << line << "\n"; };
  StatusOr<localize::ReduceResult> result = localize::Reduce(*graph, reduce, **session);
  if (!result.ok()) return ReportError(err, result.status());
  fs::remove_all(reduce.work_dir, ec);

  // The reduced model: its source, graph and ONNX written directly, and the failing conversion
  // in the backend-test layout (case/), replayable with `convcheck check`.
  Status written = gen::WriteCase(result->graph, out_dir + "/model", /*with_onnx=*/true);
  if (!written.ok()) return ReportError(err, written);
  StatusOr<std::string> final_source =
      gen::WriteSource(result->graph, fs::absolute(out_dir + "/model").string(), emitter);
  if (!final_source.ok()) return ReportError(err, final_source.status());
  pipeline::JobSpec final_job = job;
  final_job.source = *final_source;
  final_job.keep_dir = out_dir + "/keep";
  StatusOr<pipeline::JobResult> confirm = pipeline::RunConvertJob(final_job, **session);
  if (confirm.ok() && !confirm->kept_dir.empty()) {
    // The pipeline names the case folder after the job; here there is one, called case/.
    fs::remove_all(out_dir + "/case", ec);
    fs::rename(confirm->kept_dir, out_dir + "/case", ec);
  }
  fs::remove_all(out_dir + "/keep", ec);
  const bool same = confirm.ok() && localize::ReductionSignature(*confirm) == result->signature;
  out << "reduced " << result->nodes_before << " -> " << result->nodes_after << " nodes in "
      << result->tests << " tests; failure kept: " << result->signature << "\n";
  out << "operators:";
  for (const auto& [op, count] : result->graph.OpCounts()) out << " " << op << " x" << count;
  out << "\n"
      << (same ? "confirmed" : "NOT confirmed on a final run (flaky?)") << "; wrote " << out_dir
      << "/model.py, " << (emitter == gen::Emitter::kTensorFlow ? "model_tf.py, " : "")
      << "model.json, model.onnx and case/\n";
  if (!options.json_path.empty()) {
    nlohmann::json doc = {{"case", options.case_path},
                          {"signature", result->signature},
                          {"nodes_before", result->nodes_before},
                          {"nodes_after", result->nodes_after},
                          {"tests", result->tests},
                          {"confirmed", same},
                          {"operators", result->graph.OpCounts()},
                          {"out", out_dir},
                          {"result", pipeline::ToJson(result->result)}};
    Status ok = WriteJsonFile(options.json_path, doc);
    if (!ok.ok()) return ReportError(err, ok);
  }
  return kExitPass;
}

}  // namespace convcheck::cli
