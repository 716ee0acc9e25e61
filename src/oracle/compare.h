//===- oracle/compare.h - Compare a backend's outputs with the reference --===//
//
// For each output, over all input sets: the error metrics a user needs to judge a difference
// (max absolute and relative error, the error ratio against the tolerance, how many elements
// fail), the NaN/Inf pattern, and the shape, dtype and output-count checks. A failing output gets
// one subtype of incorrect_behavior; the comparison's subtype is the most structural one found:
// output_count_mismatch, then shape_mismatch, dtype_mismatch, nan_inf_mismatch, value_mismatch.
//
// NaN against NaN is equal; NaN on one side only is a mismatch (the study's tf2onnx results
// counted NaN outputs as passes because NaN > tol is false). +Inf matches only +Inf.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_ORACLE_COMPARE_H_
#define CONVCHECK_ORACLE_COMPARE_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "oracle/tolerance.h"

namespace convcheck::oracle {

inline constexpr std::string_view kValueMismatch = "value_mismatch";
inline constexpr std::string_view kShapeMismatch = "shape_mismatch";
inline constexpr std::string_view kDtypeMismatch = "dtype_mismatch";
inline constexpr std::string_view kNanInfMismatch = "nan_inf_mismatch";
inline constexpr std::string_view kOutputCountMismatch = "output_count_mismatch";
// Calibrated profile only: wrong in float32 beyond the profile's numbers, right in float64
// (oracle/calibrated.h). Ranks below value_mismatch: a plain value error in another output
// is the stronger finding.
inline constexpr std::string_view kPrecision = "precision";

/// Metrics of one output, accumulated over every input set.
struct OutputComparison {
  int index = 0;
  std::string name;
  DataType expected_dtype = DataType::kUndefined;
  DataType actual_dtype = DataType::kUndefined;
  Shape expected_shape;
  Shape actual_shape;
  int64_t num_elements = 0;  // Elements compared, over all sets.
  double max_abs_error = 0;
  double max_rel_error = 0;  // |a-b|/|b| over elements with b != 0.
  double error_ratio = 0;    // max |a-b| / allowed; <= 1 passes. The factor the tolerance lacks.
  int64_t mismatches = 0;    // Elements outside the tolerance (NaN/Inf pattern included).
  double mismatch_fraction = 0;
  int worst_set = -1;        // Where error_ratio was reached.
  int64_t worst_index = -1;  // Flat element index within that set's tensor.
  double expected_at_worst = 0;
  double actual_at_worst = 0;
  int64_t nan_expected = 0, nan_actual = 0, inf_expected = 0, inf_actual = 0;
  int64_t nan_inf_mismatches = 0;  // Elements where NaN/Inf appears on one side only.
  double expected_rms = 0;         // RMS of the finite expected elements.
  double allowed_atol = 0;         // atol + scale_atol * expected_rms.
  // Calibrated profile: the absolute error float32 rounding alone may cause in this output
  // (budget_factor * max |ref - ref64|); an element passes within it too. -1: not calibrated.
  double rounding_allowed = -1;
  bool exact = false;   // Integer or bool output, compared exactly.
  std::string subtype;  // Empty when the output passes.
  // "constant" (one value everywhere) or "same_for_every_input": a reference that cannot show
  // most errors, so a pass on it says little. "" otherwise.
  std::string degenerate;

  bool pass() const { return subtype.empty(); }
};

struct Comparison {
  std::vector<OutputComparison> outputs;
  int64_t expected_outputs = 0;
  int64_t actual_outputs = 0;
  int failing_sets = 0;  // Input sets in which at least one output failed.
  int num_sets = 0;
  std::string subtype;  // Empty when everything passes.

  bool pass() const { return subtype.empty(); }
  /// The worst output by error ratio (or the first failing one), or nullptr if there is none.
  const OutputComparison* Worst() const;
  /// One line for tables and logs, e.g. "value_mismatch: output_0 max abs 0.031 (ratio 42x)".
  std::string Summary() const;
};

/// Compares `actual` (a backend) with `expected` (the reference), set by set. Both are indexed
/// [set][output]; `names` names the outputs (optional). A set missing on one side counts as an
/// output_count_mismatch.
/// `rounding_allowed` (optional, per output): an absolute error each element of that output may
/// have whatever the tolerance's rule says (the calibrated profile's budget).
Comparison CompareOutputs(const std::vector<std::vector<Tensor>>& expected,
                          const std::vector<std::vector<Tensor>>& actual,
                          const Tolerance& tolerance, const std::vector<std::string>& names = {},
                          const std::vector<double>& rounding_allowed = {});

nlohmann::json ToJson(const OutputComparison& output);
nlohmann::json ToJson(const Comparison& comparison);

}  // namespace convcheck::oracle

#endif  // CONVCHECK_ORACLE_COMPARE_H_
