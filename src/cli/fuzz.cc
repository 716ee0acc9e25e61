#include "cli/fuzz.h"

#include <iostream>
#include <regex>

#include "campaign/fuzz.h"
#include "campaign/runner.h"
#include "cli/campaign.h"
#include "cli/convert.h"
#include "pipeline/backend.h"

namespace convcheck::cli {

StatusOr<double> ParseDuration(const std::string& text) {
  static const std::regex kDuration(R"((\d+(?:\.\d+)?)\s*([smh]?))");
  std::smatch match;
  if (!std::regex_match(text, match, kDuration)) {
    return InvalidArgument("--time '" + text + "': expected a duration such as 90s, 30m or 1h");
  }
  double value = std::stod(match[1]);
  const std::string unit = match[2];
  if (unit == "m") value *= 60;
  if (unit == "h") value *= 3600;
  if (value <= 0) return InvalidArgument("--time '" + text + "' must be positive");
  return value;
}

void AddFuzzCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<FuzzCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "fuzz", "generate random models, convert and check them, record into a results file");
  AddConverterFlags(*cmd, options->converter);
  auto* count = cmd->add_option("--count", options->count, "models to generate and check")
                    ->check(CLI::PositiveNumber);
  auto* time = cmd->add_option("--time", options->time,
                               "fuzz for this long (e.g. 10m, 90s, 1h); a rerun adds new models");
  count->excludes(time);
  cmd->add_option("--nodes", options->nodes, "nodes per model, MIN..MAX (default 5..30)");
  cmd->add_option("--seed", options->seed,
                  "campaign seed: model i is generated from "
                  "SEED*1000000+i");
  cmd->add_option("--db", options->db_path, "results file (created, or resumed)")->required();
  cmd->add_option("--jobs", options->jobs, "jobs run in parallel, each with its own workers")
      ->check(CLI::Range(1, 64));
  cmd->add_option("--opsets", options->opsets, "comma list of ONNX opsets (default 17)");
  cmd->add_option("--backends", options->backends, "comma list of backends (default ort,ref)");
  cmd->add_option("--ops", options->ops, "only these operators or families (gen --list-ops)")
      ->delimiter(',');
  cmd->add_option("--exclude", options->exclude, "never these operators or families")
      ->delimiter(',');
  cmd->add_option("--inputs", options->inputs, "input sets per model")->check(CLI::Range(1, 100));
  AddToleranceFlags(*cmd, options->tolerance);
  cmd->add_option("--timeout", options->timeout_s, "seconds allowed per stage (default 60)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--ort-opt-level", options->ort_opt_level, "ONNX Runtime optimization level")
      ->check(CLI::IsMember({"disabled", "basic", "extended", "all"}));
  cmd->add_option("--memory-limit", options->memory_limit_mb, "MiB per job's workers");
  cmd->callback([options, &exit_code]() { exit_code = RunFuzz(*options, std::cout, std::cerr); });
}

int RunFuzz(const FuzzCommandOptions& options, std::ostream& out, std::ostream& err) {
  if (options.count == 0 && options.time.empty()) {
    return ReportError(err, InvalidArgument("give --count N or --time DURATION"));
  }
  double time_budget_s = 0;
  if (!options.time.empty()) {
    StatusOr<double> parsed = ParseDuration(options.time);
    if (!parsed.ok()) return ReportError(err, parsed.status());
    time_budget_s = *parsed;
  }
  campaign::FuzzOptions fuzz;
  if (Status ok = gen::ParseNodeRange(options.nodes, fuzz.gen); !ok.ok()) {
    return ReportError(err, ok);
  }
  fuzz.gen.include = options.ops;
  fuzz.gen.exclude = options.exclude;
  if (auto ops = gen::SelectOps(fuzz.gen); !ops.ok()) return ReportError(err, ops.status());
  StatusOr<oracle::Tolerance> tolerance = ResolveTolerance(options.tolerance);
  if (!tolerance.ok()) return ReportError(err, tolerance.status());
  StatusOr<std::vector<int>> opsets = ParseOpsets(options.opsets);
  if (!opsets.ok()) return ReportError(err, opsets.status());
  StatusOr<std::vector<std::string>> backends = pipeline::ParseBackendList(options.backends);
  if (!backends.ok()) return ReportError(err, backends.status());
  {
    StatusOr<std::unique_ptr<pipeline::Session>> session = pipeline::Session::Create({});
    if (!session.ok()) return ReportError(err, session.status());
    if (Status ok = pipeline::CheckBackends(*backends, **session); !ok.ok()) {
      return ReportError(err, ok);
    }
  }

  fuzz.seed = options.seed;
  fuzz.count = options.count;
  fuzz.batch = 2 * std::max(1, options.jobs);
  fuzz.plan = MakePlanOptions(*opsets, *backends, options.converter, options.inputs,
                              /*seed=*/0, tolerance->profile);

  campaign::RunOptions run;
  run.plan = fuzz.plan;  // No suites: the feeder plans.
  run.db_path = options.db_path;
  run.lanes = options.jobs;
  run.tolerance = *tolerance;
  run.timeout_s = options.timeout_s;
  run.memory_limit_mb = options.memory_limit_mb > 0 ? options.memory_limit_mb
                                                    : campaign::DefaultLaneMemoryMb(options.jobs);
  run.backend_options.ort_opt_level = options.ort_opt_level;
  run.backend_options.memory_limit_mb = run.memory_limit_mb;
  run.time_budget_s = time_budget_s;
  run.more_jobs = campaign::MakeFuzzFeeder(fuzz);
  run.command_line = "convcheck fuzz --converter " + fuzz.plan.converter +
                     (options.count > 0 ? " --count " + std::to_string(options.count)
                                        : " --time " + options.time) +
                     " --nodes " + options.nodes + " --seed " + std::to_string(options.seed) +
                     " --db " + options.db_path + " --jobs " + std::to_string(options.jobs);
  out << "fuzz: " << campaign::FuzzSuite(fuzz) << ", opsets " << options.opsets << ", backends "
      << options.backends << "\n";
  return RunAndSummarize(run, options.jobs, out, err);
}

}  // namespace convcheck::cli
