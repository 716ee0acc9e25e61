//===- cli/conformance.h - `convcheck conformance` ------------------------===//
#ifndef CONVCHECK_CLI_CONFORMANCE_H_
#define CONVCHECK_CLI_CONFORMANCE_H_

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>
#include <vector>

namespace convcheck::cli {

struct ConformanceCommandOptions {
  std::vector<std::string> dirs;  // Default: the four libonnx-testdata folders.
  std::string backend = "ref";
  std::string filter;
  std::string json_path;
  std::string skips_path;  // Default: the backend's committed skip list.
  double timeout_s = 60;
  int64_t memory_limit_mb = 4096;
  bool precise = false;
  bool verbose = false;
};

void AddConformanceCommand(CLI::App& app, int& exit_code);
int RunConformance(const ConformanceCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace convcheck::cli

#endif  // CONVCHECK_CLI_CONFORMANCE_H_
