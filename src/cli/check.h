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
  EngineFlags engines = DefaultEngineFlags("ort");
  std::string json_path;
};

void AddCheckCommand(CLI::App& app, int& exit_code);
int RunCheck(const CheckCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace convcheck::cli

#endif  // CONVCHECK_CLI_CHECK_H_
