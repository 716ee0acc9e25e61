//===- analysis/association.h - Which operator patterns go with failures --===//
//
// `convcheck analyze` in library form. Every job of a campaign is a set of operator patterns
// (single operators and sequences of 2 and 3 operators along data edges, campaign/patterns.h)
// at two levels: the converted ONNX graph, and for generated sources the generator's own graph
// (PyTorch-level operators, which exist even when the converter crashed). For each converter,
// level, outcome class and pattern, the jobs that could have had that outcome are split by
// whether they contain the pattern and whether they had the outcome; the 2x2 table gives the
// odds ratio and Fisher's exact p, and Benjamini-Hochberg turns the p-values of every test of
// the analysis into q-values.
//
// "Could have had that outcome" is the population at risk: a mismatch is only possible for a
// model that loaded and ran, so mismatches are compared with passes, not with crashes; see
// OutcomeClassOf. The ONNX level has no converter crashes at all (no graph came out).
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_ANALYSIS_ASSOCIATION_H_
#define CONVCHECK_ANALYSIS_ASSOCIATION_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace convcheck::analysis {

/// The outcome classes the analysis relates patterns to, in pipeline order.
enum class OutcomeClass { kConverterCrash, kInvalidModel, kRuntimeFailure, kMismatch };
inline constexpr int kNumOutcomeClasses = 4;

/// converter_crash, invalid_model, runtime_failure, mismatch.
std::string_view OutcomeClassKey(OutcomeClass outcome);

/// Whether a job with this verdict belongs to the population at risk of `outcome`, and whether
/// it had it. Populations: converter crash - every verdict but source_error; invalid model -
/// jobs that produced a model; runtime failure - valid models; mismatch - models that ran
/// (pass or incorrect_behavior). An unknown verdict belongs to none.
struct AtRisk {
  bool at_risk = false;
  bool failed = false;
};
AtRisk OutcomeClassOf(OutcomeClass outcome, std::string_view verdict);

/// One test: a pattern against an outcome among one converter's jobs at one level.
struct PatternStat {
  std::string pattern;    // "Conv->Relu"
  std::string level;      // onnx | source
  int n = 1;              // Operators in the pattern.
  std::string converter;  // "none (onnx)" for check jobs.
  std::string outcome;    // OutcomeClassKey
  int64_t models_with = 0, failures_with = 0;
  int64_t models_without = 0, failures_without = 0;
  double odds_ratio = 1, ci_lo = 0, ci_hi = 0;
  bool or_corrected = false;  // 0.5 added to each cell (a zero cell).
  double p = 1, q = 1;
  // A failing job with the pattern (the smallest model among those whose failure group has a
  // reproducer, else the smallest), 0 when no job with the pattern failed.
  int64_t example_job = 0;
  std::string example_source;
  std::string reproducer;  // Its failure group's reproducer folder, or "".

  double rate_with() const;
  double rate_without() const;
};

/// The jobs behind one converter, level and outcome.
struct Population {
  std::string converter, level, outcome;
  int64_t models = 0, failures = 0;
  int64_t patterns_tested = 0;
};

struct AnalyzeOptions {
  int max_n = 3;           // Longest sequence, 1..3.
  int64_t min_models = 1;  // Patterns in fewer jobs of a population are not tested.
};

struct Analysis {
  std::string db_path;
  std::vector<PatternStat> patterns;  // By q, then p, then odds ratio (largest first).
  std::vector<Population> populations;
  int64_t tests = 0;  // The m of Benjamini-Hochberg.
  // What the store could not give and is therefore missing from the numbers, one line each
  // (a store written before job_patterns has no sequences; generated graphs gone from disk).
  std::vector<std::string> notes;
};

/// Reads the campaign (read-only) and tests every pattern. Errors as report::LoadReportData:
/// NotFound, DataLoss (not SQLite), InvalidArgument (not a campaign), naming the file.
StatusOr<Analysis> Analyze(const std::string& db_path, const AnalyzeOptions& options = {});

/// The patterns that go with failing most surely, per converter: for each converter, up to
/// `per_converter` tests with more failures than expected (odds ratio above 1), by q then p.
std::vector<const PatternStat*> TopPatterns(const Analysis& analysis, size_t per_converter);

}  // namespace convcheck::analysis

#endif  // CONVCHECK_ANALYSIS_ASSOCIATION_H_
