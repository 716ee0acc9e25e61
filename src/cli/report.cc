#include "cli/report.h"

#include <iostream>

namespace convcheck::cli {

void AddReportCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<report::ReportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "report", "turn a campaign's results database into HTML, Markdown, JSON and JUnit reports");
  cmd->add_option("db", options->db_path, "the results database (campaign run --db)")->required();
  cmd->add_option("--html", options->html_path, "write a self-contained HTML page to FILE");
  cmd->add_option("--md", options->md_path, "write the tables as Markdown to FILE");
  cmd->add_option("--json", options->json_path,
                  "write the numbers as JSON to FILE (docs/campaign.md, Reports)");
  cmd->add_option("--junit", options->junit_path, "write one JUnit test case per job to FILE");
  cmd->add_option("--top-ops", options->top_ops, "rows of the per-operator failure rates")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--top-patterns", options->top_patterns,
                  "rows per converter of the operator-pattern analysis (convcheck analyze)")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([options, &exit_code]() { exit_code = RunReport(*options, std::cout, std::cerr); });
}

int RunReport(const report::ReportOptions& options, std::ostream& out, std::ostream& err) {
  if (options.html_path.empty() && options.md_path.empty() && options.json_path.empty() &&
      options.junit_path.empty()) {
    return ReportError(err, InvalidArgument("no report requested: give at least one of --html, "
                                            "--md, --json, --junit"));
  }
  report::LoadOptions load;
  load.top_ops = options.top_ops;
  load.top_patterns = options.top_patterns;
  StatusOr<report::ReportData> data = report::LoadReportData(options.db_path, load);
  if (!data.ok()) return ReportError(err, data.status());
  Status written = report::WriteReports(options, *data);
  if (!written.ok()) return ReportError(err, written);
  out << "report: " << data->planned << " jobs (" << data->status_count("done") << " done), "
      << data->failures.size() << " unique failures\n";
  for (const std::string* path :
       {&options.html_path, &options.md_path, &options.json_path, &options.junit_path}) {
    if (!path->empty()) out << "wrote " << *path << "\n";
  }
  return kExitPass;
}

}  // namespace convcheck::cli
