//===- cli/convert.h - `convcheck convert`: convert and check sources ----===//
#ifndef CONVCHECK_CLI_CONVERT_H_
#define CONVCHECK_CLI_CONVERT_H_

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "cli/common.h"

namespace convcheck::cli {

struct ConvertCommandOptions {
  std::vector<std::string> sources;
  ConverterFlags converter;  // One job per source, converter and opset.
  EngineFlags engines = DefaultEngineFlags("ort");
  int inputs = 2;
  uint64_t seed = 0;
  std::string keep_dir;
  std::string json_path;
  std::vector<std::string> input_shapes;  // "1,3,224,224", one per model input.
  bool keep_scratch = false;
};

void AddConvertCommand(CLI::App& app, int& exit_code);
/// Runs the jobs; prints the table on `out` and one-line errors on `err`. Returns the exit code.
int RunConvert(const ConvertCommandOptions& options, std::ostream& out, std::ostream& err);

/// Parses "1,3,224,224" into a shape of non-negative dims.
StatusOr<Shape> ParseShape(const std::string& text);

}  // namespace convcheck::cli

#endif  // CONVCHECK_CLI_CONVERT_H_
