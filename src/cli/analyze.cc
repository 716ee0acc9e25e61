#include "cli/analyze.h"

#include <cstdio>
#include <iostream>

#include "analysis/association.h"
#include "report/patterns.h"

namespace convcheck::cli {

void AddAnalyzeCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<AnalyzeCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "analyze",
      "relate operators and operator sequences of a campaign's models to its outcomes (odds "
      "ratio, Fisher's exact test, Benjamini-Hochberg q)");
  cmd->add_option("db", options->db_path, "the results database (campaign run --db)")->required();
  cmd->add_option("--html", options->html_path, "write a self-contained HTML page to FILE");
  cmd->add_option("--md", options->md_path, "write the tables as Markdown to FILE");
  cmd->add_option("--json", options->json_path, "write every test as JSON to FILE");
  cmd->add_option("--max-n", options->max_n, "longest operator sequence (1 to 3)")
      ->check(CLI::Range(1, 3));
  cmd->add_option("--min-models", options->min_models,
                  "test only patterns found in at least this many jobs of a population")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--top", options->top, "patterns per converter in the tables")
      ->check(CLI::NonNegativeNumber);
  cmd->callback(
      [options, &exit_code]() { exit_code = RunAnalyze(*options, std::cout, std::cerr); });
}

int RunAnalyze(const AnalyzeCommandOptions& options, std::ostream& out, std::ostream& err) {
  analysis::AnalyzeOptions analyze;
  analyze.max_n = options.max_n;
  analyze.min_models = options.min_models;
  StatusOr<analysis::Analysis> result = analysis::Analyze(options.db_path, analyze);
  if (!result.ok()) return ReportError(err, result.status());
  report::AnalysisOutputs outputs{options.html_path, options.md_path, options.json_path,
                                  static_cast<size_t>(options.top)};
  Status written = report::WriteAnalysis(*result, outputs);
  if (!written.ok()) return ReportError(err, written);
  out << "analyze: " << result->tests << " tests over " << result->populations.size()
      << " populations\n";
  for (const std::string& note : result->notes) out << "note: " << note << "\n";
  for (const analysis::PatternStat* s :
       analysis::TopPatterns(*result, static_cast<size_t>(options.top))) {
    char line[160];
    std::snprintf(
        line, sizeof(line), "%d/%d failed (%.3g%% vs %.3g%%), OR %.3g [%.3g, %.3g], p %.3g, q %.3g",
        static_cast<int>(s->failures_with), static_cast<int>(s->models_with), 100 * s->rate_with(),
        100 * s->rate_without(), s->odds_ratio, s->ci_lo, s->ci_hi, s->p, s->q);
    out << "  " << s->converter << " " << s->outcome << " " << s->level << " " << s->pattern << ": "
        << line << "\n";
  }
  for (const std::string* path : {&options.html_path, &options.md_path, &options.json_path}) {
    if (!path->empty()) out << "wrote " << *path << "\n";
  }
  return kExitPass;
}

}  // namespace convcheck::cli
