#include "cli/convert.h"

#include <unistd.h>

#include <chrono>
#include <iostream>
#include <sstream>

#include "sources/source.h"
#include "workers/session.h"

namespace convcheck::cli {

namespace {

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

// One job of the command, checked before anything starts.
struct PlannedConvert {
  std::string source;
  converters::ConverterSpec converter;
};

// Every (source, converter, opset) of the command, each checked: the source exists and parses,
// the converter converts its framework, the opset is in range, the options are the converter's.
StatusOr<std::vector<PlannedConvert>> PlanConverts(const ConvertCommandOptions& options,
                                                   const Converters& converters) {
  std::vector<PlannedConvert> jobs;
  for (const auto& text : options.sources) {
    CC_ASSIGN_OR_RETURN(sources::Source source, sources::ParseSource(text));
    std::vector<std::string> names = converters.names;
    if (names.empty()) names = {std::string(converters::DefaultConverterFor(source))};
    for (const auto& name : names) {
      CC_ASSIGN_OR_RETURN(converters::Resolved resolved, converters::Resolve(name, source));
      converters::OptionValues values(*resolved.def);
      for (const auto& [key, value] : converters.options) {
        CC_RETURN_IF_ERROR(values.Set(*resolved.def, key, value));
      }
      std::vector<int> opsets = converters.opsets;
      if (opsets.empty()) opsets = {resolved.def->default_opset};
      for (int opset : opsets) {
        CC_RETURN_IF_ERROR(converters::CheckOpset(resolved, opset));
        jobs.push_back({source.text, {resolved.name, opset, values}});
      }
    }
  }
  return jobs;
}

}  // namespace

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
      "convert", "convert sources to ONNX, run them on the backends and compare with the source");
  cmd->add_option("sources", options->sources, "sources: " + sources::KnownKinds())->required();
  AddConverterFlags(*cmd, options->converter);
  AddEngineFlags(*cmd, options->engines, "--backend");
  cmd->add_option("--inputs", options->inputs, "input sets per job (seeded)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--seed", options->seed, "seed for weights and inputs");
  cmd->add_option("--keep", options->keep_dir,
                  "write each case to DIR/<case>/ in the ONNX backend-test layout");
  cmd->add_option("--json", options->json_path, "write results as JSON to FILE (- for stdout)");
  cmd->add_option("--input-shape", options->input_shapes,
                  "shape of an input, e.g. 1,3,224,224 (repeat for several inputs)");
  cmd->add_flag("--keep-scratch", options->keep_scratch,
                "keep the scratch directory and worker logs");
  cmd->callback(
      [options, &exit_code]() { exit_code = RunConvert(*options, std::cout, std::cerr); });
}

int RunConvert(const ConvertCommandOptions& options, std::ostream& out, std::ostream& err) {
  auto start = std::chrono::steady_clock::now();
  // Everything that can be checked before a worker starts is checked first: a bad flag should
  // not cost a torch import.
  StatusOr<Engines> engines = ResolveEngines(options.engines);
  if (!engines.ok()) return ReportError(err, engines.status());
  StatusOr<Converters> converters = ResolveConverters(options.converter);
  if (!converters.ok()) return ReportError(err, converters.status());
  std::vector<Shape> shapes;
  for (const auto& text : options.input_shapes) {
    StatusOr<Shape> shape = ParseShape(text);
    if (!shape.ok()) return ReportError(err, shape.status());
    shapes.push_back(*shape);
  }
  StatusOr<std::vector<PlannedConvert>> jobs = PlanConverts(options, *converters);
  if (!jobs.ok()) return ReportError(err, jobs.status());

  workers::SessionOptions session_options = engines->session_options;
  session_options.keep_scratch = options.keep_scratch;
  StatusOr<std::unique_ptr<workers::Session>> session = workers::Session::Create(session_options);
  if (!session.ok()) return ReportError(err, session.status());
  if (Status ok = backends::CheckBackends(engines->backends, **session, engines->backend_options);
      !ok.ok()) {
    return ReportError(err, ok);
  }
  // A missing converter environment is a usage error before the first job, not an error in the
  // middle of the table.
  for (const auto& job : *jobs) {
    StatusOr<sources::Source> source = sources::ParseSource(job.source);
    StatusOr<converters::Resolved> resolved = converters::Resolve(job.converter.name, *source);
    StatusOr<workers::Worker*> worker = (*session)->Python(resolved->env);
    if (!worker.ok()) return ReportError(err, worker.status());
  }

  const bool progress = isatty(STDERR_FILENO);
  ResultTable table(out);
  table.PrintHeader();
  RunSummary summary;
  nlohmann::json records = nlohmann::json::array();
  const int total_jobs = static_cast<int>(jobs->size());
  int done = 0;
  for (const auto& job : *jobs) {
    pipeline::JobSpec spec;
    spec.source = job.source;
    spec.converter = job.converter;
    spec.num_sets = options.inputs;
    spec.seed = options.seed;
    spec.input_shapes = shapes;
    spec.backends = engines->backends;
    spec.backend_options = engines->backend_options;
    spec.tolerance = engines->tolerance;
    spec.timeout_s = engines->timeout_s;
    spec.keep_dir = options.keep_dir;
    const std::string what =
        job.source + " " + job.converter.name + " opset " + std::to_string(job.converter.opset);
    if (progress) {
      err << "\r\033[K[" << done + 1 << "/" << total_jobs << "] " << what << " ..." << std::flush;
    }
    StatusOr<pipeline::JobResult> result = pipeline::RunConvertJob(spec, **session);
    (*session)->ReleaseDirs();
    if (progress) err << "\r\033[K" << std::flush;
    if (!result.ok()) return ReportError(err, result.status().WithContext("job " + what));
    if (result->subtype == "framework_mismatch") {
      // The file's imports did not tell its framework; the worker found it out by building it.
      return ReportError(err, InvalidArgument(result->error));
    }
    table.PrintRow(*result);
    summary.Add(*result);
    records.push_back(pipeline::ToJson(*result));
    ++done;
  }
  summary.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out << "\n";
  summary.Print(out);
  out << "tolerance: " << engines->tolerance.profile << ": " << engines->tolerance.Describe()
      << "\n";

  if (!options.json_path.empty()) {
    nlohmann::json doc = {{"command", "convert"},
                          {"versions", (*session)->WorkerVersions()},
                          {"jobs", records},
                          {"summary", summary.ToJson()}};
    Status written = WriteJsonFile(options.json_path, doc);
    if (!written.ok()) return ReportError(err, written);
  }
  int failures = summary.jobs - (summary.verdicts.count("pass") ? summary.verdicts.at("pass") : 0);
  return failures == 0 ? kExitPass : kExitFailure;
}

}  // namespace convcheck::cli
