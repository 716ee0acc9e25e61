//===- cli/coverage.h - `convcheck coverage`: one corpus's patterns reached by another ===//
#ifndef CONVCHECK_CLI_COVERAGE_H_
#define CONVCHECK_CLI_COVERAGE_H_

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

#include "cli/common.h"

namespace convcheck::cli {

struct CoverageCommandOptions {
  std::string of, by;
  std::string html_path, md_path, json_path;
};

void AddCoverageCommand(CLI::App& app, int& exit_code);
/// Exit code 0 when coverage was computed and written; kExitUsage with one line on `err` for a
/// corpus that is neither a readable campaign file nor gen:..., or an output that cannot be
/// written.
int RunCoverage(const CoverageCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace convcheck::cli

#endif  // CONVCHECK_CLI_COVERAGE_H_
