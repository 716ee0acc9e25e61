//===- cli/common.h - What the subcommands share -------------------------===//
//
// Exit codes, the tolerance and backend flags, the result table and the JSON file. Every
// subcommand is one file in cli/ with an options struct, an Add...Command that binds flags, and
// a Run... function free of CLI11 types so that tests can call it directly.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_CLI_COMMON_H_
#define CONVCHECK_CLI_COMMON_H_

#include <CLI/CLI.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/status.h"
#include "oracle/tolerance.h"
#include "pipeline/job.h"

namespace convcheck::cli {

inline constexpr int kExitPass = 0;     // Every job passed.
inline constexpr int kExitFailure = 1;  // At least one job found a failure.
inline constexpr int kExitUsage = 2;    // Bad usage, bad input or a broken environment.

struct ToleranceFlags {
  std::string profile = std::string(oracle::kDefaultProfile);
  std::optional<double> atol;
  std::optional<double> rtol;
};
void AddToleranceFlags(CLI::App& app, ToleranceFlags& flags);

/// The converter and its options, shared by `convert` and `campaign run`.
struct ConverterFlags {
  std::string converter = "torch.onnx";
  bool no_constant_folding = false;
  bool dynamic_batch = false;
  bool script = false;
  pipeline::ConverterOptions ToOptions(int opset) const;
};
void AddConverterFlags(CLI::App& app, ConverterFlags& flags);
/// The profile, with --atol/--rtol overrides applied (the profile is then called "custom").
StatusOr<oracle::Tolerance> ResolveTolerance(const ToleranceFlags& flags);

/// Prints "convcheck: error: <message>" as one line on `err` and returns kExitUsage.
int ReportError(std::ostream& err, const Status& status);

/// The result table: one row per job, printed as jobs finish.
class ResultTable {
 public:
  explicit ResultTable(std::ostream& out) : out_(out) {}
  void PrintHeader();
  void PrintRow(const pipeline::JobResult& result);

 private:
  std::ostream& out_;
};

/// Totals over jobs: counts per verdict and where the wall time went.
struct RunSummary {
  std::map<std::string, int> verdicts;
  int jobs = 0;
  double wall_s = 0;          // Whole command.
  double tool_s = 0;          // Inside torch (build, inference, export) and the engines.
  double worker_start_s = 0;  // Starting worker processes (importing torch, loading ORT).
  void Add(const pipeline::JobResult& result);
  /// convcheck's own share of the wall time: everything but tools and worker start-up.
  double OwnShare() const;
  void Print(std::ostream& out) const;
  nlohmann::json ToJson() const;
};

/// Writes `doc` to `path` (pretty-printed); "-" means stdout.
Status WriteJsonFile(const std::string& path, const nlohmann::json& doc);

}  // namespace convcheck::cli

#endif  // CONVCHECK_CLI_COMMON_H_
