#include "oracle/compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace convcheck::oracle {
namespace {

// Most structural first: that is the subtype a comparison reports when outputs fail differently.
int SubtypeRank(std::string_view subtype) {
  if (subtype == kOutputCountMismatch) return 6;
  if (subtype == kShapeMismatch) return 5;
  if (subtype == kDtypeMismatch) return 4;
  if (subtype == kNanInfMismatch) return 3;
  if (subtype == kValueMismatch) return 2;
  if (subtype == kPrecision) return 1;
  return 0;
}

void KeepWorstSubtype(std::string* current, std::string_view candidate) {
  if (SubtypeRank(candidate) > SubtypeRank(*current)) *current = std::string(candidate);
}

bool IsExact(DataType type) { return !IsFloatingPoint(type); }

bool Comparable(DataType type) {
  return type != DataType::kString && type != DataType::kUndefined &&
         type != DataType::kComplex64 && type != DataType::kComplex128;
}

// Root mean square of the finite elements of one output across the sets that have it.
double ExpectedRms(const std::vector<std::vector<Tensor>>& expected, size_t output) {
  double sum_sq = 0;
  int64_t count = 0;
  for (const auto& set : expected) {
    if (output >= set.size() || !Comparable(set[output].dtype())) continue;
    const Tensor& t = set[output];
    for (int64_t i = 0; i < t.num_elements(); ++i) {
      double v = t.GetAsDouble(i);
      if (std::isfinite(v)) {
        sum_sq += v * v;
        ++count;
      }
    }
  }
  return count ? std::sqrt(sum_sq / static_cast<double>(count)) : 0.0;
}

// Whether the reference output can show an error at all: an output that is the same number
// everywhere (a zero-initialised head, a saturated activation), or the same tensor for every
// input set, lets a wrong model pass. "" when it varies.
std::string Degenerate(const std::vector<std::vector<Tensor>>& expected, size_t output) {
  const Tensor* first = nullptr;
  bool constant = true, same_for_every_set = true;
  double value = 0;
  int64_t elements = 0;
  for (const auto& set : expected) {
    if (output >= set.size() || !Comparable(set[output].dtype()) || IsExact(set[output].dtype())) {
      return "";
    }
    const Tensor& t = set[output];
    if (first == nullptr) {
      first = &t;
      if (t.num_elements() > 0) value = t.GetAsDouble(0);
    } else if (t.shape() != first->shape()) {
      same_for_every_set = false;
    }
    for (int64_t i = 0; i < t.num_elements(); ++i) {
      double v = t.GetAsDouble(i);
      if (v != value) constant = false;
      if (same_for_every_set && &t != first && v != first->GetAsDouble(i)) {
        same_for_every_set = false;
      }
    }
    elements += t.num_elements();
  }
  if (elements < 2) return "";
  if (constant) return "constant";
  if (expected.size() > 1 && same_for_every_set) return "same_for_every_input";
  return "";
}

// Element-wise comparison of one output in one set, accumulated into `out`. Returns whether
// any element failed.
bool CompareElements(const Tensor& expected, const Tensor& actual, const Tolerance& tol,
                     int set_index, OutputComparison* out) {
  bool failed = false;
  // The first element with the largest ratio is the one reported; an infinite ratio (a NaN/Inf
  // on one side, any difference in an exact output) outranks every finite one.
  auto consider = [&](double ratio, int64_t i, double a, double b) {
    if (out->worst_set >= 0 && !(ratio > out->error_ratio)) return;
    out->error_ratio = ratio;
    out->worst_set = set_index;
    out->worst_index = i;
    out->expected_at_worst = b;
    out->actual_at_worst = a;
  };
  const int64_t n = expected.num_elements();
  for (int64_t i = 0; i < n; ++i) {
    const double b = expected.GetAsDouble(i);
    const double a = actual.GetAsDouble(i);
    out->nan_expected += std::isnan(b);
    out->nan_actual += std::isnan(a);
    out->inf_expected += std::isinf(b);
    out->inf_actual += std::isinf(a);
    if (!std::isfinite(a) || !std::isfinite(b)) {
      // NaN equals NaN; an infinity equals the same infinity; anything else is a mismatch.
      bool same = (std::isnan(a) && std::isnan(b)) || (std::isinf(a) && a == b);
      if (!same) {
        ++out->nan_inf_mismatches;
        ++out->mismatches;
        failed = true;
        consider(INFINITY, i, a, b);
      }
      continue;
    }
    const double abs_error = std::fabs(a - b);
    out->max_abs_error = std::max(out->max_abs_error, abs_error);
    if (b != 0) out->max_rel_error = std::max(out->max_rel_error, abs_error / std::fabs(b));
    double ratio;
    if (out->exact) {
      ratio = abs_error == 0 ? 0 : INFINITY;
    } else {
      const double allowed =
          std::max(out->allowed_atol + tol.rtol * std::fabs(b), out->rounding_allowed);
      ratio = allowed > 0 ? abs_error / allowed : (abs_error == 0 ? 0 : INFINITY);
    }
    if (ratio > 1) {
      ++out->mismatches;
      failed = true;
    }
    consider(ratio, i, a, b);
  }
  out->num_elements += n;
  return failed;
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3g", v);
  return buf;
}

// JSON has no NaN or Inf: write them as strings so that nothing is lost or turned into null.
nlohmann::json JsonNumber(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

}  // namespace

Comparison CompareOutputs(const std::vector<std::vector<Tensor>>& expected,
                          const std::vector<std::vector<Tensor>>& actual,
                          const Tolerance& tolerance, const std::vector<std::string>& names,
                          const std::vector<double>& rounding_allowed) {
  Comparison result;
  result.num_sets = static_cast<int>(expected.size());
  size_t num_outputs = 0;
  for (const auto& set : expected) num_outputs = std::max(num_outputs, set.size());
  size_t num_actual = 0;
  for (const auto& set : actual) num_actual = std::max(num_actual, set.size());
  result.expected_outputs = static_cast<int64_t>(num_outputs);
  result.actual_outputs = static_cast<int64_t>(num_actual);
  if (num_actual != num_outputs || actual.size() != expected.size()) {
    result.subtype = std::string(kOutputCountMismatch);
  }

  std::vector<bool> set_failed(expected.size(), false);
  for (size_t k = 0; k < num_outputs; ++k) {
    OutputComparison out;
    out.index = static_cast<int>(k);
    out.name = k < names.size() ? names[k] : "output_" + std::to_string(k);
    out.expected_rms = ExpectedRms(expected, k);
    out.degenerate = Degenerate(expected, k);
    out.allowed_atol = tolerance.atol + tolerance.scale_atol * out.expected_rms;
    if (k < rounding_allowed.size()) out.rounding_allowed = rounding_allowed[k];
    for (size_t s = 0; s < expected.size(); ++s) {
      if (k >= expected[s].size()) continue;
      const Tensor& b = expected[s][k];
      out.expected_dtype = b.dtype();
      out.expected_shape = b.shape();
      out.exact = IsExact(b.dtype());
      if (s >= actual.size() || k >= actual[s].size()) {
        KeepWorstSubtype(&out.subtype, kOutputCountMismatch);
        set_failed[s] = true;
        continue;
      }
      const Tensor& a = actual[s][k];
      out.actual_dtype = a.dtype();
      out.actual_shape = a.shape();
      if (a.shape() != b.shape()) {
        KeepWorstSubtype(&out.subtype, kShapeMismatch);
        set_failed[s] = true;
        continue;  // No element-wise meaning.
      }
      if (a.dtype() != b.dtype()) {
        KeepWorstSubtype(&out.subtype, kDtypeMismatch);
        set_failed[s] = true;
      }
      if (!Comparable(a.dtype()) || !Comparable(b.dtype())) {
        // Strings compare exactly, element by element.
        if (a.dtype() == DataType::kString && b.dtype() == DataType::kString &&
            a.strings() != b.strings()) {
          KeepWorstSubtype(&out.subtype, kValueMismatch);
          set_failed[s] = true;
        }
        continue;
      }
      const int64_t nan_inf_before = out.nan_inf_mismatches;
      if (CompareElements(b, a, tolerance, static_cast<int>(s), &out)) {
        set_failed[s] = true;
        KeepWorstSubtype(&out.subtype, out.nan_inf_mismatches > nan_inf_before ? kNanInfMismatch
                                                                               : kValueMismatch);
      }
    }
    if (out.num_elements > 0) {
      out.mismatch_fraction =
          static_cast<double>(out.mismatches) / static_cast<double>(out.num_elements);
    }
    KeepWorstSubtype(&result.subtype, out.subtype);
    result.outputs.push_back(std::move(out));
  }
  for (bool failed : set_failed) result.failing_sets += failed;
  return result;
}

const OutputComparison* Comparison::Worst() const {
  const OutputComparison* worst = nullptr;
  for (const auto& out : outputs) {
    if (!worst || (!out.pass() && worst->pass()) ||
        (out.pass() == worst->pass() && out.error_ratio > worst->error_ratio)) {
      worst = &out;
    }
  }
  return worst;
}

std::string Comparison::Summary() const {
  if (subtype == kOutputCountMismatch) {
    return std::string(kOutputCountMismatch) + ": expected " + std::to_string(expected_outputs) +
           " outputs, got " + std::to_string(actual_outputs);
  }
  const OutputComparison* worst = Worst();
  if (!worst) return "no outputs";
  std::string head = pass() ? "ok" : subtype;
  const OutputComparison& w = *worst;
  if (w.subtype == kShapeMismatch) {
    return head + ": " + w.name + " shape " + ShapeToString(w.actual_shape) + ", expected " +
           ShapeToString(w.expected_shape);
  }
  if (w.subtype == kDtypeMismatch) {
    return head + ": " + w.name + " dtype " + std::string(DataTypeName(w.actual_dtype)) +
           ", expected " + std::string(DataTypeName(w.expected_dtype));
  }
  if (w.subtype == kNanInfMismatch) {
    return head + ": " + w.name + " has " + std::to_string(w.nan_inf_mismatches) +
           " NaN/Inf elements on one side only (expected " + Number(w.expected_at_worst) +
           ", got " + Number(w.actual_at_worst) + ")";
  }
  std::string line = head + ": " + w.name + " max abs " + Number(w.max_abs_error) + ", ratio " +
                     Number(w.error_ratio);
  if (!w.pass()) {
    line += ", " + std::to_string(w.mismatches) + "/" + std::to_string(w.num_elements) +
            " elements off";
  }
  return line;
}

nlohmann::json ToJson(const OutputComparison& o) {
  nlohmann::json j = {
      {"index", o.index},
      {"name", o.name},
      {"pass", o.pass()},
      {"subtype", o.subtype},
      {"expected_dtype", DataTypeName(o.expected_dtype)},
      {"actual_dtype", DataTypeName(o.actual_dtype)},
      {"expected_shape", o.expected_shape},
      {"actual_shape", o.actual_shape},
      {"num_elements", o.num_elements},
      {"max_abs_error", JsonNumber(o.max_abs_error)},
      {"max_rel_error", JsonNumber(o.max_rel_error)},
      {"error_ratio", JsonNumber(o.error_ratio)},
      {"mismatches", o.mismatches},
      {"mismatch_fraction", o.mismatch_fraction},
      {"worst",
       {{"set", o.worst_set},
        {"index", o.worst_index},
        {"expected", JsonNumber(o.expected_at_worst)},
        {"actual", JsonNumber(o.actual_at_worst)}}},
      {"nan_inf",
       {{"nan_expected", o.nan_expected},
        {"nan_actual", o.nan_actual},
        {"inf_expected", o.inf_expected},
        {"inf_actual", o.inf_actual},
        {"one_sided", o.nan_inf_mismatches}}},
      {"expected_rms", JsonNumber(o.expected_rms)},
      {"degenerate", o.degenerate},
      {"allowed_atol", JsonNumber(o.allowed_atol)},
      {"exact", o.exact},
  };
  if (o.rounding_allowed >= 0) j["rounding_allowed"] = JsonNumber(o.rounding_allowed);
  return j;
}

nlohmann::json ToJson(const Comparison& c) {
  nlohmann::json outputs = nlohmann::json::array();
  for (const auto& o : c.outputs) outputs.push_back(ToJson(o));
  return {{"pass", c.pass()},
          {"subtype", c.subtype},
          {"num_sets", c.num_sets},
          {"failing_sets", c.failing_sets},
          {"expected_outputs", c.expected_outputs},
          {"actual_outputs", c.actual_outputs},
          {"outputs", outputs}};
}

}  // namespace convcheck::oracle
