//===- cli/reduce.h - `convcheck reduce`: shrink a failing generated model ===//
#ifndef CONVCHECK_CLI_REDUCE_H_
#define CONVCHECK_CLI_REDUCE_H_

#include <CLI/CLI.hpp>
#include <optional>
#include <ostream>
#include <string>

#include "cli/common.h"

namespace convcheck::cli {

struct ReduceCommandOptions {
  std::string case_path;  // A failure folder with graph.json (and job.json), or a graph .json.
  std::string out_dir;    // Default: CASE/reduced (or next to the .json).
  std::optional<int> opset;
  std::optional<std::string> backends;
  std::optional<std::string> converter;
  int64_t max_tests = 400;
  double timeout_s = 60;
  ToleranceFlags tolerance;
  std::string json_path;
  std::string data_dir;  // ONNX cases: the inputs (default: the case's own test_data_set_N).
};

void AddReduceCommand(CLI::App& app, int& exit_code);
/// Exit 0 with the reduced case written; kExitUsage when the case cannot be read or does not fail.
int RunReduce(const ReduceCommandOptions& options, std::ostream& out, std::ostream& err);
/// The same for an ONNX model that convcheck did not generate (reduce_onnx.cc): CASE is a .onnx
/// file or a folder with model.onnx (and test_data_set_N).
int RunReduceOnnx(const ReduceCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace convcheck::cli

#endif  // CONVCHECK_CLI_REDUCE_H_
