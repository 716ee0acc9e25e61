//===- cli/gen.h - `convcheck gen`: random models as python source and ONNX ===//
#ifndef CONVCHECK_CLI_GEN_H_
#define CONVCHECK_CLI_GEN_H_

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "cli/common.h"

namespace convcheck::cli {

struct GenCommandOptions {
  uint64_t seed = 0;
  int64_t count = 1;
  std::string nodes = "5..30";
  std::vector<std::string> ops, exclude;
  std::string out_dir;  // Where gen-<seed>.py/.json(/.onnx) go; none: generate only.
  bool onnx = false;
  bool tf = false;  // Also gen-<seed>_tf.py; only operators with a TensorFlow form.
  bool list_ops = false;
  int64_t coverage = 0;   // The study's rule: per size, until every op appeared and N models.
  std::string json_path;  // Summary as JSON.
  // A campaign file: favour the operators whose ONNX form appears in its patterns that the
  // models generated so far do not hold yet (analysis/coverage.h).
  std::string target_coverage;
};

void AddGenCommand(CLI::App& app, int& exit_code);
int RunGen(const GenCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace convcheck::cli

#endif  // CONVCHECK_CLI_GEN_H_
