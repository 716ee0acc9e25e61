#include "cli/convert.h"

#include <unistd.h>

#include <chrono>
#include <iostream>
#include <sstream>

#include "pipeline/session.h"

namespace convcheck::cli {

namespace {
// torch 1.13's torch.onnx exports these opsets.
constexpr int kMinOpset = 7;
constexpr int kMaxOpset = 17;

StatusOr<int64_t> ParseInt(const std::string& text, const std::string& what) {
  size_t used = 0;
  int64_t value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (...) {
    used = 0;
  }
  if (used == 0 || used != text.size()) {
    return InvalidArgument(what + " '" + text + "' is not an integer");
  }
  return value;
}
}  // namespace

StatusOr<std::vector<int>> ParseOpsets(const std::string& text) {
  std::vector<int> opsets;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    CC_ASSIGN_OR_RETURN(int64_t opset, ParseInt(item, "opset"));
    if (opset < kMinOpset || opset > kMaxOpset) {
      return InvalidArgument("opset " + std::to_string(opset) + " is out of range (torch.onnx " +
                             "exports opsets " + std::to_string(kMinOpset) + " to " +
                             std::to_string(kMaxOpset) + ")");
    }
    opsets.push_back(static_cast<int>(opset));
  }
  if (opsets.empty()) return InvalidArgument("no opset given");
  return opsets;
}

StatusOr<Shape> ParseShape(const std::string& text) {
  Shape shape;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    CC_ASSIGN_OR_RETURN(int64_t dim, ParseInt(item, "dimension in input shape '" + text + "':"));
    if (dim < 0) return InvalidArgument("input shape '" + text + "' has a negative dimension");
    shape.push_back(dim);
  }
  return shape;
}

void AddConvertCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ConvertCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "convert", "convert sources to ONNX, run them on the backends and compare with PyTorch");
  cmd->add_option("sources", options->sources,
                  "torchvision:NAME or python:FILE.py (make_model(), optional make_inputs())")
      ->required();
  cmd->add_option("--opset", options->opsets, "ONNX opset, or a comma list such as 13,17");
  cmd->add_option("--inputs", options->inputs, "input sets per job (seeded)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--seed", options->seed, "seed for weights and inputs");
  cmd->add_option("--backend", options->backends, "comma list of backends (ort)");
  AddToleranceFlags(*cmd, options->tolerance);
  cmd->add_option("--timeout", options->timeout_s, "seconds allowed per stage")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--keep", options->keep_dir,
                  "write each case to DIR/<case>/ in the ONNX backend-test layout");
  cmd->add_option("--json", options->json_path, "write results as JSON to FILE (- for stdout)");
  AddConverterFlags(*cmd, options->converter);
  cmd->add_option("--input-shape", options->input_shapes,
                  "shape of an input, e.g. 1,3,224,224 (repeat for several inputs)");
  cmd->add_option("--ort-opt-level", options->ort_opt_level,
                  "ONNX Runtime graph optimization level")
      ->check(CLI::IsMember({"disabled", "basic", "extended", "all"}));
  cmd->add_option("--memory-limit", options->memory_limit_mb,
                  "MiB of resident memory a worker may use (0 = no limit)");
  cmd->add_flag("--keep-scratch", options->keep_scratch,
                "keep the scratch directory and worker logs");
  cmd->callback([options, &exit_code]() { exit_code = RunConvert(*options, std::cout, std::cerr); });
}

int RunConvert(const ConvertCommandOptions& options, std::ostream& out, std::ostream& err) {
  auto start = std::chrono::steady_clock::now();
  // Everything that can be checked before a worker starts is checked first: a bad flag should
  // not cost a torch import.
  StatusOr<oracle::Tolerance> tolerance = ResolveTolerance(options.tolerance);
  if (!tolerance.ok()) return ReportError(err, tolerance.status());
  StatusOr<std::vector<int>> opsets = ParseOpsets(options.opsets);
  if (!opsets.ok()) return ReportError(err, opsets.status());
  StatusOr<std::vector<std::string>> backends = pipeline::ParseBackendList(options.backends);
  if (!backends.ok()) return ReportError(err, backends.status());
  std::vector<Shape> shapes;
  for (const auto& text : options.input_shapes) {
    StatusOr<Shape> shape = ParseShape(text);
    if (!shape.ok()) return ReportError(err, shape.status());
    shapes.push_back(*shape);
  }
  std::vector<std::string> sources;
  for (const auto& source : options.sources) {
    StatusOr<std::string> parsed = pipeline::ParseSource(source);
    if (!parsed.ok()) return ReportError(err, parsed.status());
    sources.push_back(*parsed);
  }

  pipeline::SessionOptions session_options;
  session_options.memory_limit_mb = options.memory_limit_mb;
  session_options.keep_scratch = options.keep_scratch;
  StatusOr<std::unique_ptr<pipeline::Session>> session = pipeline::Session::Create(session_options);
  if (!session.ok()) return ReportError(err, session.status());
  if (Status ok = pipeline::CheckBackends(*backends, **session); !ok.ok()) {
    return ReportError(err, ok);
  }

  const bool progress = isatty(STDERR_FILENO);
  ResultTable table(out);
  table.PrintHeader();
  RunSummary summary;
  nlohmann::json jobs = nlohmann::json::array();
  int total_jobs = static_cast<int>(sources.size() * opsets->size());
  int done = 0;
  for (const auto& source : sources) {
    for (int opset : *opsets) {
      pipeline::JobSpec spec;
      spec.source = source;
      spec.converter = options.converter.ToOptions(opset);
      spec.num_sets = options.inputs;
      spec.seed = options.seed;
      spec.input_shapes = shapes;
      spec.backends = *backends;
      spec.backend_options.ort_opt_level = options.ort_opt_level;
      spec.tolerance = *tolerance;
      spec.timeout_s = options.timeout_s;
      spec.keep_dir = options.keep_dir;
      if (progress) {
        err << "\r\033[K[" << done + 1 << "/" << total_jobs << "] " << source << " opset " << opset
            << " ..." << std::flush;
      }
      StatusOr<pipeline::JobResult> result = pipeline::RunConvertJob(spec, **session);
      (*session)->ReleaseDirs();
      if (progress) err << "\r\033[K" << std::flush;
      if (!result.ok()) {
        return ReportError(err, result.status().WithContext("job " + source + " opset " +
                                                            std::to_string(opset)));
      }
      table.PrintRow(*result);
      summary.Add(*result);
      jobs.push_back(pipeline::ToJson(*result));
      ++done;
    }
  }
  summary.wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out << "\n";
  summary.Print(out);
  out << "tolerance: " << tolerance->profile << ": " << tolerance->Describe() << "\n";

  if (!options.json_path.empty()) {
    nlohmann::json versions = (*session)->WorkerVersions();
    nlohmann::json doc = {{"command", "convert"},
                          {"versions", versions},
                          {"jobs", jobs},
                          {"summary", summary.ToJson()}};
    Status written = WriteJsonFile(options.json_path, doc);
    if (!written.ok()) return ReportError(err, written);
  }
  int failures = summary.jobs - (summary.verdicts.count("pass") ? summary.verdicts.at("pass") : 0);
  return failures == 0 ? kExitPass : kExitFailure;
}

}  // namespace convcheck::cli
