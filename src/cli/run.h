//===- cli/run.h - `convcheck run`: run one model on one backend -----------===//
#ifndef CONVCHECK_CLI_RUN_H_
#define CONVCHECK_CLI_RUN_H_

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

#include "cli/common.h"

namespace convcheck::cli {

struct RunCommandOptions {
  std::string model_path;
  std::string data_dir;  // Default: the model's folder.
  std::string dump_dir;  // ref: every node's outputs, as TensorProto files.
  std::string out_dir;   // Write the outputs in the backend-test layout.
  EngineFlags engines = DefaultEngineFlags("ref");
  std::string json_path;
};

void AddRunCommand(CLI::App& app, int& exit_code);
int RunRun(const RunCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace convcheck::cli

#endif  // CONVCHECK_CLI_RUN_H_
