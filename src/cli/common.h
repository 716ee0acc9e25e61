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
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "core/status.h"
#include "oracle/tolerance.h"
#include "pipeline/job.h"
#include "workers/session.h"

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
/// The profile, with --atol/--rtol overrides applied (the profile is then called "custom").
/// NaN, infinite and negative values are refused.
StatusOr<oracle::Tolerance> ResolveTolerance(const ToleranceFlags& flags);

/// The engines and how they run, the same flags for every command that runs models (convert,
/// check, run, campaign run, fuzz, reduce): --backend(s), --ort-opt-level, --threads,
/// --memory-limit (reaching every engine and worker), --timeout and the tolerance.
struct EngineFlags {
  std::string backends;  // Comma list; the command sets its default.
  std::string ort_opt_level = "all";
  int threads = 1;
  int64_t memory_limit_mb = 16384;
  double timeout_s = 300;
  ToleranceFlags tolerance;
};
/// The flags with a command's own defaults.
EngineFlags DefaultEngineFlags(std::string backends, int64_t memory_limit_mb = 16384,
                               double timeout_s = 300);
/// `backends_flag` is "--backend" or "--backends".
void AddEngineFlags(CLI::App& app, EngineFlags& flags, const std::string& backends_flag);

struct Engines {
  std::vector<std::string> backends;
  backends::BackendOptions backend_options;
  workers::SessionOptions session_options;
  oracle::Tolerance tolerance;
  double timeout_s = 300;
};
/// Checks every value (unknown backend, NaN or negative numbers...) before anything starts.
StatusOr<Engines> ResolveEngines(const EngineFlags& flags);
/// The flags that give these engines again (recorded commands).
std::vector<std::string> EngineArgs(const EngineFlags& flags, const std::string& backends_flag);

/// The converters and their options, shared by `convert`, `campaign run` and `fuzz`: the
/// converter list, the opsets, every converter's option flags (declared once in
/// src/converters/, registered from there) and --converter-option KEY=VALUE.
struct ConverterFlags {
  std::string converters;                      // Comma list; "" = each source's default converter.
  std::string opsets;                          // Comma list; "" = each converter's default opset.
  std::map<std::string, bool> option_flags;    // "--no-optimize" -> given.
  std::vector<std::string> converter_options;  // KEY=VALUE.
};
/// `converter_flag`: "--converter" (convert, fuzz) or "--converters" (campaign run; both names
/// are accepted everywhere).
void AddConverterFlags(CLI::App& app, ConverterFlags& flags);

struct Converters {
  std::vector<std::string> names;  // Canonical; empty = each source's default.
  std::vector<int> opsets;         // Empty = each converter's default.
  std::vector<std::pair<std::string, std::string>> options;  // key, value
};
StatusOr<Converters> ResolveConverters(const ConverterFlags& flags);
/// The flags that give these converters again (recorded commands).
std::vector<std::string> ConverterArgs(const ConverterFlags& flags);

/// Joins arguments into a shell command line, quoting where needed.
std::string ShellJoin(const std::vector<std::string>& args);

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
