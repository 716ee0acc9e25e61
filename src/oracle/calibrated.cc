#include "oracle/calibrated.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace convcheck::oracle {

std::vector<double> RoundingAllowances(const std::vector<std::vector<Tensor>>& f32,
                                       const std::vector<std::vector<Tensor>>& f64, double factor) {
  size_t outputs = 0;
  for (const auto& set : f32) outputs = std::max(outputs, set.size());
  std::vector<double> allowances(outputs, 0.0);
  if (f32.size() != f64.size()) return std::vector<double>(outputs, -1.0);
  for (size_t k = 0; k < outputs; ++k) {
    double worst = 0;
    bool usable = true;
    for (size_t s = 0; s < f32.size() && usable; ++s) {
      if (k >= f32[s].size() || k >= f64[s].size()) {
        usable = false;
        break;
      }
      const Tensor& a = f32[s][k];
      const Tensor& b = f64[s][k];
      if (a.shape() != b.shape() || !IsFloatingPoint(a.dtype()) || !IsFloatingPoint(b.dtype())) {
        usable = false;
        break;
      }
      for (int64_t i = 0; i < a.num_elements(); ++i) {
        const double x = a.GetAsDouble(i), y = b.GetAsDouble(i);
        if (std::isfinite(x) && std::isfinite(y)) {
          worst = std::max(worst, std::fabs(x - y));
        } else if (!(std::isnan(x) && std::isnan(y)) && x != y) {
          // Overflow in one precision only: no budget says anything about that output.
          usable = false;
          break;
        }
      }
    }
    allowances[k] = usable ? factor * worst : -1.0;
  }
  return allowances;
}

Comparison CompareCalibrated(const std::vector<std::vector<Tensor>>& expected,
                             const std::vector<std::vector<Tensor>>& actual,
                             const Tolerance& tolerance, const std::vector<double>& allowances,
                             const std::vector<std::vector<Tensor>>* converted64,
                             const std::vector<std::string>& names) {
  Comparison by_rule = CompareOutputs(expected, actual, tolerance, names);
  if (allowances.empty()) return by_rule;
  Comparison calibrated = CompareOutputs(expected, actual, tolerance, names, allowances);
  std::optional<Comparison> exact;
  if (converted64 != nullptr) exact = CompareOutputs(expected, *converted64, tolerance, names);
  bool precision = false;
  for (size_t k = 0; k < calibrated.outputs.size(); ++k) {
    OutputComparison& out = calibrated.outputs[k];
    const bool forgiven =
        out.pass() && k < by_rule.outputs.size() && by_rule.outputs[k].subtype == kValueMismatch;
    const bool source_accurate = exact && k < exact->outputs.size() && exact->outputs[k].pass();
    if (forgiven && source_accurate) {
      // Keep the rule's numbers: they say how far off float32 is.
      const double allowed = out.rounding_allowed;
      out = by_rule.outputs[k];
      out.rounding_allowed = allowed;
      out.subtype = std::string(kPrecision);
      precision = true;
    }
  }
  // Any other failure is the stronger finding and keeps its subtype.
  if (precision && calibrated.subtype.empty()) {
    calibrated.subtype = std::string(kPrecision);
    calibrated.failing_sets = by_rule.failing_sets;
  }
  return calibrated;
}

}  // namespace convcheck::oracle
