//===- cli/analyze.h - `convcheck analyze`: operator patterns against outcomes ===//
#ifndef CONVCHECK_CLI_ANALYZE_H_
#define CONVCHECK_CLI_ANALYZE_H_

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

#include "cli/common.h"

namespace convcheck::cli {

struct AnalyzeCommandOptions {
  std::string db_path;
  std::string html_path, md_path, json_path;
  int max_n = 3;
  int64_t min_models = 1;
  int top = 10;  // Patterns per converter in the tables and on the terminal.
};

void AddAnalyzeCommand(CLI::App& app, int& exit_code);
/// Exit code 0 when the analysis was written (whatever it found); kExitUsage with one line on
/// `err` for a missing or unreadable database or an output that cannot be written. Without
/// any output file, the top patterns go to `out`.
int RunAnalyze(const AnalyzeCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace convcheck::cli

#endif  // CONVCHECK_CLI_ANALYZE_H_
