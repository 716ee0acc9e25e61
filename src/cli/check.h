//===- cli/check.h - `convcheck check`: an existing model against stored outputs ===//
#ifndef CONVCHECK_CLI_CHECK_H_
#define CONVCHECK_CLI_CHECK_H_

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

#include "cli/common.h"

namespace convcheck::cli {

struct CheckCommandOptions {
  std::string model_path;
  std::string data_dir;  // Default: the model's own folder.
  std::string backends = "ort";
  ToleranceFlags tolerance;
  double timeout_s = 300;
  std::string json_path;
  std::string ort_opt_level = "all";
  int64_t memory_limit_mb = 16384;
};

void AddCheckCommand(CLI::App& app, int& exit_code);
int RunCheck(const CheckCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace convcheck::cli

#endif  // CONVCHECK_CLI_CHECK_H_
