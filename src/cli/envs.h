//===- cli/envs.h - `convcheck envs`: environments, converters, engines ---===//
#ifndef CONVCHECK_CLI_ENVS_H_
#define CONVCHECK_CLI_ENVS_H_

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

#include "cli/common.h"

namespace convcheck::cli {

struct EnvsCommandOptions {
  std::string json_path;
  bool check = false;  // Exit 2 when an environment is not ready.
};

void AddEnvsCommand(CLI::App& app, int& exit_code);
/// Lists each Python environment (folder, interpreter, key package versions, ready or why not),
/// each converter (environment, framework, opsets, options) and each engine.
int RunEnvs(const EnvsCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace convcheck::cli

#endif  // CONVCHECK_CLI_ENVS_H_
