#include "cli/fuzz.h"

#include <iostream>
#include <regex>
#include <sstream>

#include "backends/backend.h"
#include "campaign/fuzz.h"
#include "campaign/runner.h"
#include "cli/campaign.h"
#include "report/data.h"

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

namespace {

// With several converters, the models they disagree on: the same model right through one
// converter and wrong through another is the strongest report there is (`convcheck report`
// lists them).
void PrintDisagreements(const std::string& db_path, std::ostream& out) {
  StatusOr<report::ReportData> data = report::LoadReportData(db_path);
  if (!data.ok() || data->comparison.converters.size() < 2) return;
  out << "converters disagree on " << data->comparison.disagreements() << " of "
      << data->comparison.rows.size() << " models";
  for (const auto& pair : data->comparison.pairs) {
    if (pair.only_a_fails + pair.only_b_fails == 0) continue;
    out << "; " << pair.a << " vs " << pair.b << ": only " << pair.a << " fails "
        << pair.only_a_fails << ", only " << pair.b << " fails " << pair.only_b_fails;
  }
  out << "\n";
}

}  // namespace

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
  AddEngineFlags(*cmd, options->engines, "--backends");
  cmd->add_option("--ops", options->ops, "only these operators or families (gen --list-ops)")
      ->delimiter(',');
  cmd->add_option("--exclude", options->exclude, "never these operators or families")
      ->delimiter(',');
  cmd->add_option("--inputs", options->inputs, "input sets per model")->check(CLI::Range(1, 100));
  cmd->add_option("--emit", options->emit,
                  "write each model as torch, tf and/or onnx (comma list; default: what the "
                  "converters take); with tf only operators TensorFlow can express are drawn");
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
  if (options.emit.empty()) {
    std::vector<std::string> names;
    std::stringstream list(options.converter.converters);
    std::string name;
    while (std::getline(list, name, ',')) {
      if (!name.empty()) names.push_back(name);
    }
    fuzz.emitters = campaign::EmittersFor(names);
  } else {
    StatusOr<std::vector<gen::Emitter>> emitters = campaign::ParseEmitters(options.emit);
    if (!emitters.ok()) return ReportError(err, emitters.status());
    fuzz.emitters = *emitters;
  }
  // One graph for every form: with TensorFlow among them, only what TensorFlow can express.
  fuzz.gen.tensorflow = std::find(fuzz.emitters.begin(), fuzz.emitters.end(),
                                  gen::Emitter::kTensorFlow) != fuzz.emitters.end();
  if (auto ops = gen::SelectOps(fuzz.gen); !ops.ok()) return ReportError(err, ops.status());
  StatusOr<campaign::RunOptions> run =
      MakeRunOptions(options.converter, options.engines, options.jobs, options.inputs, /*seed=*/0);
  if (!run.ok()) return ReportError(err, run.status());
  fuzz.seed = options.seed;
  fuzz.count = options.count;
  fuzz.batch = 2 * std::max(1, options.jobs);
  fuzz.plan = run->plan;  // No suites: the feeder plans.
  run->db_path = options.db_path;
  run->time_budget_s = time_budget_s;
  run->more_jobs = campaign::MakeFuzzFeeder(fuzz);
  std::vector<std::string> args = {"convcheck", "fuzz"};
  if (options.count > 0) {
    args.insert(args.end(), {"--count", std::to_string(options.count)});
  } else {
    args.insert(args.end(), {"--time", options.time});
  }
  args.insert(args.end(), {"--nodes", options.nodes, "--seed", std::to_string(options.seed), "--db",
                           options.db_path, "--jobs", std::to_string(options.jobs), "--inputs",
                           std::to_string(options.inputs)});
  for (const auto& op : options.ops) args.insert(args.end(), {"--ops", op});
  for (const auto& op : options.exclude) args.insert(args.end(), {"--exclude", op});
  if (!options.emit.empty()) args.insert(args.end(), {"--emit", options.emit});
  for (const auto& arg : ConverterArgs(options.converter)) args.push_back(arg);
  for (const auto& arg : EngineArgs(options.engines, "--backends")) args.push_back(arg);
  run->command_line = ShellJoin(args);
  out << "fuzz: " << campaign::FuzzSuite(fuzz) << ", converters "
      << (options.converter.converters.empty() ? "default" : options.converter.converters)
      << ", backends " << options.engines.backends << "\n";
  const int code = RunAndSummarize(*run, options.jobs, out, err);
  if (code == kExitPass || code == kExitFailure) PrintDisagreements(options.db_path, out);
  return code;
}

}  // namespace convcheck::cli
