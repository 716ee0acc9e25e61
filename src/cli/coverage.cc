#include "cli/coverage.h"

#include <cstdio>
#include <iostream>

#include "analysis/coverage.h"
#include "report/coverage.h"
#include "report/report.h"

namespace convcheck::cli {

void AddCoverageCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<CoverageCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "coverage",
      "how much of one corpus's operators and operator sequences another reaches (a campaign "
      "file, or generated models: gen:seed=S,count=N[,nodes=A..B][,ops=a+b])");
  cmd->add_option("--of", options->of, "the corpus to cover (a campaign file)")->required();
  cmd->add_option("--by", options->by,
                  "the corpus that covers it: a campaign file, or gen:... (then unguided and "
                  "guided generation are both measured, with curves)")
      ->required();
  cmd->add_option("--html", options->html_path, "write a page with the table and curves");
  cmd->add_option("--md", options->md_path, "write the tables as Markdown");
  cmd->add_option("--json", options->json_path, "write the numbers and curves as JSON");
  cmd->callback(
      [options, &exit_code]() { exit_code = RunCoverage(*options, std::cout, std::cerr); });
}

int RunCoverage(const CoverageCommandOptions& options, std::ostream& out, std::ostream& err) {
  StatusOr<analysis::Corpus> of = analysis::LoadCorpus(options.of);
  if (!of.ok()) return ReportError(err, of.status());
  report::CoverageResult result;
  result.of_name = of->name;
  result.of_notes = of->notes;
  const bool generated = options.by.rfind("gen:", 0) == 0;
  for (bool guided : generated ? std::vector<bool>{false, true} : std::vector<bool>{false}) {
    report::CoverageResult::By by;
    StatusOr<analysis::Corpus> corpus =
        analysis::LoadCorpus(options.by, &*of, guided, generated ? &by.curve : nullptr);
    if (!corpus.ok()) return ReportError(err, corpus.status());
    by.name = corpus->name;
    by.rows = analysis::Coverage(*of, *corpus);
    result.by.push_back(std::move(by));
  }
  if (!options.html_path.empty()) {
    Status s = report::WriteReportFile(options.html_path, report::RenderCoverageHtml(result));
    if (!s.ok()) return ReportError(err, s);
  }
  if (!options.md_path.empty()) {
    Status s = report::WriteReportFile(options.md_path, report::RenderCoverageMarkdown(result));
    if (!s.ok()) return ReportError(err, s);
  }
  if (!options.json_path.empty()) {
    Status s =
        report::WriteReportFile(options.json_path, report::CoverageJson(result).dump(2) + "\n");
    if (!s.ok()) return ReportError(err, s);
  }
  for (const std::string& note : result.of_notes) out << "note: " << note << "\n";
  for (const auto& by : result.by) {
    out << "by " << by.name << ":\n";
    for (const auto& r : by.rows) {
      char line[200];
      std::snprintf(line, sizeof(line),
                    "  %-28s n=%d  %lld/%lld distinct (%.1f%%), %.1f%% by models",
                    r.converter.c_str(), r.n, static_cast<long long>(r.covered),
                    static_cast<long long>(r.patterns), 100 * r.share(), 100 * r.weighted_share());
      out << line << "\n";
    }
  }
  for (const std::string* path : {&options.html_path, &options.md_path, &options.json_path}) {
    if (!path->empty()) out << "wrote " << *path << "\n";
  }
  return kExitPass;
}

}  // namespace convcheck::cli
