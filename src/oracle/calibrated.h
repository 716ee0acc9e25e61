//===- oracle/calibrated.h - The calibrated tolerance and precision faults --===//
//
// A fixed tolerance cannot know how much float32 rounding moves a given graph's outputs: a
// deep or ill-conditioned graph drifts far past 1e-3 on perfectly correct engines, a shallow
// one stays within 1e-6 of the exact result. The calibrated profile measures it instead: the
// converted model runs in float32 (`ref`) and in float64 (`ref64`), and their largest
// difference per output, times the profile's budget factor, is an error any element may have
// on top of the profile's rule. An error beyond both is a mismatch.
//
// An error within the budget but beyond the rule is float32 rounding - but whose? When the
// converted model in float64 matches the source's float32 outputs under the rule, the source
// computes that output accurately in float32 and the converted graph does not: the lowering is
// numerically unstable (a softmax without max subtraction, a variance as E[x^2] - E[x]^2).
// That output fails with subtype `precision`, and the converter is to blame. Otherwise the
// source drifts as much, and the output passes.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_ORACLE_CALIBRATED_H_
#define CONVCHECK_ORACLE_CALIBRATED_H_

#include <vector>

#include "core/tensor.h"
#include "oracle/compare.h"
#include "oracle/tolerance.h"

namespace convcheck::oracle {

/// Per output: `factor` times max |f32 - f64| over input sets and finite elements. -1 for an
/// output that cannot be measured (missing on a side, shapes differ, not floating point, a
/// NaN/Inf on one side only): it is judged by the rule alone.
std::vector<double> RoundingAllowances(const std::vector<std::vector<Tensor>>& f32,
                                       const std::vector<std::vector<Tensor>>& f64, double factor);

/// `actual` against `expected` under the calibrated rule (see above). `converted64`: the
/// converted model's outputs in float64 (rounded back), or nullptr when unavailable (then no
/// output is called a precision fault: an error within the budget passes).
Comparison CompareCalibrated(const std::vector<std::vector<Tensor>>& expected,
                             const std::vector<std::vector<Tensor>>& actual,
                             const Tolerance& tolerance, const std::vector<double>& allowances,
                             const std::vector<std::vector<Tensor>>* converted64,
                             const std::vector<std::string>& names = {});

}  // namespace convcheck::oracle

#endif  // CONVCHECK_ORACLE_CALIBRATED_H_
