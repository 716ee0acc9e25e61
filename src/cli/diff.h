//===- cli/diff.h - `convcheck diff`: the first node where two runs part --===//
#ifndef CONVCHECK_CLI_DIFF_H_
#define CONVCHECK_CLI_DIFF_H_

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

#include "cli/common.h"

namespace convcheck::cli {

struct DiffCommandOptions {
  std::string a_path;
  std::string b_path;    // Empty: A on --backend against A on --reference.
  std::string data_dir;  // Default: made-up inputs from the declared shapes.
  EngineFlags engines = DefaultEngineFlags("ref");
  std::string reference = "ref64";  // The engine A runs on when B is not given.
  int64_t batch = 200;
  std::string json_path;
  std::string keep_dir;  // Keep the captured tensors here.
};

void AddDiffCommand(CLI::App& app, int& exit_code);
/// kExitPass when nothing diverges, kExitFailure when a node does, kExitUsage on bad input.
int RunDiff(const DiffCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace convcheck::cli

#endif  // CONVCHECK_CLI_DIFF_H_
