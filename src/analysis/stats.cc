#include "analysis/stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace convcheck::analysis {

namespace {

double LogChoose(int64_t n, int64_t k) {
  return std::lgamma(static_cast<double>(n) + 1) - std::lgamma(static_cast<double>(k) + 1) -
         std::lgamma(static_cast<double>(n - k) + 1);
}

}  // namespace

double FisherExactTwoSided(const Table2x2& t) {
  if (t.a < 0 || t.b < 0 || t.c < 0 || t.d < 0) return 1;
  const int64_t row1 = t.a + t.b, col1 = t.a + t.c, n = t.a + t.b + t.c + t.d;
  if (n == 0) return 1;
  const int64_t lo = std::max<int64_t>(0, row1 + col1 - n), hi = std::min(row1, col1);
  if (lo == hi) return 1;
  // log P(X = x) for the count in cell a, x in [lo, hi]: C(row1, x) C(n - row1, col1 - x) /
  // C(n, col1).
  const double log_total = LogChoose(n, col1);
  auto log_p = [&](int64_t x) {
    return LogChoose(row1, x) + LogChoose(n - row1, col1 - x) - log_total;
  };
  const double observed = log_p(t.a);
  // Summed in the probability domain relative to the largest term, which keeps the sum exact
  // enough for tables of a few thousand jobs.
  double max_log = observed;
  std::vector<double> logs;
  logs.reserve(static_cast<size_t>(hi - lo + 1));
  for (int64_t x = lo; x <= hi; ++x) {
    const double l = log_p(x);
    if (l <= observed + std::log1p(1e-7)) {
      logs.push_back(l);
      max_log = std::max(max_log, l);
    }
  }
  double sum = 0;
  for (double l : logs) sum += std::exp(l - max_log);
  return std::min(1.0, std::exp(max_log) * sum);
}

OddsRatio ComputeOddsRatio(const Table2x2& t, double z) {
  OddsRatio result;
  double a = static_cast<double>(t.a), b = static_cast<double>(t.b), c = static_cast<double>(t.c),
         d = static_cast<double>(t.d);
  if (t.a == 0 || t.b == 0 || t.c == 0 || t.d == 0) {
    a += 0.5;
    b += 0.5;
    c += 0.5;
    d += 0.5;
    result.corrected = true;
  }
  const double log_or = std::log(a) + std::log(d) - std::log(b) - std::log(c);
  const double se = std::sqrt(1 / a + 1 / b + 1 / c + 1 / d);
  result.estimate = std::exp(log_or);
  result.lo = std::exp(log_or - z * se);
  result.hi = std::exp(log_or + z * se);
  return result;
}

std::vector<double> BenjaminiHochberg(const std::vector<double>& p) {
  const size_t m = p.size();
  std::vector<size_t> order(m);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t i, size_t j) { return p[i] < p[j]; });
  std::vector<double> q(m, 1.0);
  double running = 1.0;
  for (size_t rank = m; rank >= 1; --rank) {
    const size_t i = order[rank - 1];
    running = std::min(running, p[i] * static_cast<double>(m) / static_cast<double>(rank));
    q[i] = std::min(1.0, running);
  }
  return q;
}

}  // namespace convcheck::analysis
