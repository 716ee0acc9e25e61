//===- cli/conformance.h - `convcheck conformance` ------------------------===//
#ifndef CONVCHECK_CLI_CONFORMANCE_H_
#define CONVCHECK_CLI_CONFORMANCE_H_

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>
#include <vector>

namespace convcheck::cli {

struct ConformanceCommandOptions {
  std::vector<std::string> dirs;  // Default: both suites (conformance::DefaultSuites).
  std::string backend = "ref";    // ref, ref64, ort, a comma-separated list or "all".
  std::string filter;
  std::string json_path;
  std::string skips_path;  // Default: the committed list of each suite and backend.
  double timeout_s = 60;
  int64_t memory_limit_mb = 4096;
  bool precise = false;  // ref means ref64.
  bool verbose = false;
};

void AddConformanceCommand(CLI::App& app, int& exit_code);
int RunConformance(const ConformanceCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace convcheck::cli

#endif  // CONVCHECK_CLI_CONFORMANCE_H_
