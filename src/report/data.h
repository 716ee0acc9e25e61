//===- report/data.h - What a report shows, read from a results database --===//
//
// The report is computed once from the SQLite file (opened read-only, so a report can run next
// to a live campaign) into plain structs; the HTML, Markdown, JSON and JUnit writers only format
// them. Keeping the numbers here means every format shows the same ones, and the tests can
// check them without parsing any output.
//
// The outcome classes follow the study (docs/study.md: converter crash, runtime load failure,
// mismatch, success), with the verdicts the study lumped together kept apart: invalid models,
// run-time failures after a successful load, and models that fail in PyTorch itself.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_REPORT_DATA_H_
#define CONVCHECK_REPORT_DATA_H_

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace convcheck::report {

/// The study's outcome classes, in table order. kNotRun is every job whose status is not
/// `done`; kOther a done job whose verdict this version does not know.
enum class Outcome {
  kNotRun,
  kConverterCrash,  // converter_crash, converter_timeout
  kInvalidModel,
  kLoadFailure,  // runtime_error while loading the model
  kRunFailure,   // runtime_error while running, runtime_crash, runtime_timeout
  kMismatch,     // incorrect_behavior
  kSourceError,  // the source fails in PyTorch: not a converter finding
  kSuccess,
  kOther,
};
inline constexpr int kNumOutcomes = 9;

/// Stable snake_case key (JSON): not_run, converter_crash, ...
std::string_view OutcomeKey(Outcome outcome);
/// Column title for the tables.
std::string_view OutcomeTitle(Outcome outcome);

/// The outcome of a job. `load_failure` tells whether a backend failed at `load` (for a
/// runtime_error job; the job's own `stage` is used when no backend row says so).
Outcome ClassifyOutcome(std::string_view status, std::string_view verdict, std::string_view stage,
                        bool load_failure);

/// A verdict counts as a failure of the conversion: not pass, not source_error, not unknown.
bool IsFailureVerdict(std::string_view verdict);
/// Order of verdicts in tables: pass first, then by pipeline stage; unknown names last.
int VerdictRank(std::string_view verdict);

/// One job, as JUnit and the outcome table need it (not the full result JSON).
struct JobRow {
  int64_t id = 0;
  std::string kind;  // convert | check
  std::string source;
  std::string source_kind;
  std::string family;
  std::string converter;
  std::optional<int64_t> opset;
  std::string options;  // Canonical converter options (converters/converter.h).
  std::string status;
  std::string verdict;  // "" when not run.
  std::string subtype;
  std::string stage;
  std::string error;
  std::string failing_op;
  std::string artifact_dir;
  std::optional<double> worst_ratio;
  std::optional<double> wall_s;
  Outcome outcome = Outcome::kNotRun;
};

/// A row of the outcome table: jobs of one converter on one kind of source.
struct OutcomeRow {
  std::string converter;  // "none (onnx)" for check jobs, which convert nothing.
  std::string source_kind;
  int64_t jobs = 0;
  std::array<int64_t, kNumOutcomes> counts{};
  int64_t count(Outcome outcome) const { return counts[static_cast<int>(outcome)]; }
  /// Jobs that ran: the denominator of the percentages.
  int64_t done() const { return jobs - count(Outcome::kNotRun); }
};

/// How many jobs (or backend results) ended in a verdict with these details.
struct VerdictCount {
  std::string backend;  // "" for job-level counts.
  std::string verdict;
  std::string subtype;
  std::string stage;  // Backend counts only: load | run for runtime_error.
  std::string code;   // Backend counts only: the engine's status code.
  int64_t count = 0;
};

/// A row of `failures`, with its representative job.
struct UniqueFailure {
  int64_t id = 0;
  std::string signature;
  std::string verdict;
  std::string subtype;
  std::string stage;
  std::string failing_op;
  std::string message;
  int64_t count = 0;
  std::optional<int64_t> first_job_id;
  std::string source;  // Of the representative job; "" when that job is gone.
  std::optional<int64_t> opset;
  std::string reproducer;
};

/// Bins of the worst error ratio (error / allowed error): exact zero, then decades up to 1, then
/// above 1, which is what fails the tolerance.
inline constexpr int kNumRatioBins = 7;
inline constexpr std::array<std::string_view, kNumRatioBins> kRatioBinLabels = {
    "0", "<1e-4", "1e-4..1e-3", "1e-3..1e-2", "1e-2..1e-1", "1e-1..1", ">1 (failing)"};
/// The bin of a ratio. Ratios <= 1 pass, so 1 itself is in "1e-1..1".
int RatioBin(double ratio);

struct RatioHistogram {
  std::string backend;  // "" for the per-job histogram.
  std::array<int64_t, kNumRatioBins> bins{};
  int64_t not_compared = 0;  // Done, but no output was compared (the job failed earlier).
  int64_t total() const;
};

struct OpRate {
  std::string op_type;
  int64_t jobs = 0;    // Done jobs whose converted model contains the op.
  int64_t failed = 0;  // Of those, jobs whose verdict is a failure.
  double rate() const { return jobs == 0 ? 0.0 : static_cast<double>(failed) / jobs; }
};

struct StageTime {
  std::string kind;  // wall | tool
  std::string stage;
  int64_t jobs = 0;
  double total_s = 0;
  double mean_s() const { return jobs == 0 ? 0.0 : total_s / jobs; }
};

struct TimeSummary {
  std::vector<StageTime> stages;  // wall first, then tool; each by total time, largest first.
  double wall_s = 0;              // Sum of jobs.wall_s over done jobs.
  double tool_s = 0;              // Export, inference, build and the engines' load and run.
  /// Share of the wall time spent outside the tools' own work (worker start-up, I/O, comparing,
  /// convcheck itself); 0 when no wall time was recorded.
  double outside_share() const;
};

/// True for the tool stages that count as the tools' own work (export, inference, build,
/// <backend>.load, <backend>.run); worker_start is overhead.
bool IsToolWorkStage(std::string_view stage);

/// Each source through several converters, side by side: the same model right through one
/// converter and wrong through another is the strongest bug report there is.
struct ConverterComparison {
  std::vector<std::string> converters;  // Columns, sorted.
  struct Row {
    std::string source;
    std::string source_kind;
    // Per column: the outcome of the source through that converter (over its opsets, the
    // first failure, else success), or kNotRun when it did not go through it.
    std::vector<Outcome> outcomes;
    bool agree = true;  // Every converter that ran it gave the same outcome class.
  };
  std::vector<Row> rows;  // Sources through two converters or more; disagreements first.
  /// Per pair of converters (a < b): sources through both, and how they split.
  struct Pair {
    std::string a, b;
    int64_t sources = 0, both_pass = 0, only_a_fails = 0, only_b_fails = 0, both_fail = 0;
  };
  std::vector<Pair> pairs;
  int64_t disagreements() const;
};

struct ReportData {
  std::string db_path;
  std::map<std::string, std::string> meta;  // The `meta` table as stored.
  int64_t planned = 0;
  std::map<std::string, int64_t> by_status;  // done, pending, running, error
  std::vector<JobRow> jobs;                  // By id.
  std::vector<OutcomeRow> outcomes;          // By converter, then source kind.
  OutcomeRow outcome_total;
  std::vector<VerdictCount> job_verdicts;
  std::vector<VerdictCount> backend_verdicts;
  std::vector<UniqueFailure> failures;  // By count, largest first.
  RatioHistogram job_ratios;
  std::vector<RatioHistogram> backend_ratios;  // By backend name.
  std::vector<OpRate> op_rates;                // The top ones, see LoadOptions.
  int64_t op_types = 0;                        // Distinct operator types seen.
  TimeSummary times;
  // Failed done jobs by who is at fault (jobs.blame; "not recorded" for files written before
  // convcheck recorded it), and passes against a degenerate reference (a constant output, or
  // the same for every input), which say little.
  std::map<std::string, int64_t> blame;
  int64_t degenerate_passes = 0;
  ConverterComparison comparison;

  int64_t status_count(const std::string& status) const;
};

struct LoadOptions {
  int top_ops = 40;  // Rows of the per-operator failure rates.
};

/// Reads a results database (read-only). NotFound for a missing file, DataLoss for a file that
/// is not SQLite, InvalidArgument for a database without convcheck's tables; every message
/// names the file.
StatusOr<ReportData> LoadReportData(const std::string& db_path, const LoadOptions& options = {});

}  // namespace convcheck::report

#endif  // CONVCHECK_REPORT_DATA_H_
