//===- cli/fuzz.h - `convcheck fuzz`: generated models through a converter ===//
#ifndef CONVCHECK_CLI_FUZZ_H_
#define CONVCHECK_CLI_FUZZ_H_

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "cli/common.h"

namespace convcheck::cli {

struct FuzzCommandOptions {
  ConverterFlags converter;
  int64_t count = 0;
  std::string time;  // "30m", "90s", "1h", or seconds.
  std::string nodes = "5..30";
  uint64_t seed = 0;
  std::string db_path;
  int jobs = 1;
  // memory_limit_mb 0: a share of the machine's memory per lane.
  EngineFlags engines = DefaultEngineFlags("ort,ref", /*memory_limit_mb=*/0, /*timeout_s=*/60);
  std::vector<std::string> ops, exclude;
  int inputs = 2;
  std::string emit;  // "torch,tf,onnx"; "": what the converters take.
};

void AddFuzzCommand(CLI::App& app, int& exit_code);
int RunFuzz(const FuzzCommandOptions& options, std::ostream& out, std::ostream& err);

/// "30m" -> 1800, "90s" -> 90, "1h" -> 3600, "45" -> 45; an error for anything else.
StatusOr<double> ParseDuration(const std::string& text);

}  // namespace convcheck::cli

#endif  // CONVCHECK_CLI_FUZZ_H_
