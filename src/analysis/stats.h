//===- analysis/stats.h - Association statistics for 2x2 tables -----------===//
//
// Does a pattern go with a failure? Each pattern gives a 2x2 table of jobs: with or without the
// pattern, failed or not. The odds ratio says how strongly, Fisher's exact test how surely
// (exact, because most patterns occur in a handful of models where a chi-square approximation
// is wrong), and the Benjamini-Hochberg procedure keeps the expected share of false discoveries
// among thousands of patterns tested at once below the level read off q.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_ANALYSIS_STATS_H_
#define CONVCHECK_ANALYSIS_STATS_H_

#include <cstdint>
#include <vector>

namespace convcheck::analysis {

/// A 2x2 table of counts:
///                 failed   not failed
///   with            a          b
///   without         c          d
struct Table2x2 {
  int64_t a = 0, b = 0, c = 0, d = 0;
};

/// Two-sided p-value of Fisher's exact test: the probability, under the hypergeometric law with
/// the table's margins fixed, of every table at most as probable as this one (with a relative
/// slack of 1e-7, so that tables equal in exact arithmetic count as equal). 1 for an empty
/// table or a degenerate margin.
double FisherExactTwoSided(const Table2x2& t);

struct OddsRatio {
  double estimate = 1;     // (a d) / (b c).
  double lo = 0, hi = 0;   // The confidence interval (Woolf's, on the log scale).
  bool corrected = false;  // 0.5 was added to every cell because one was zero (Haldane-Anscombe).
};

/// The odds ratio with a Woolf (log) confidence interval at `z` standard errors (1.96: 95%).
/// With a zero cell, 0.5 is added to each cell first, so the estimate and interval stay finite.
OddsRatio ComputeOddsRatio(const Table2x2& t, double z = 1.959963984540054);

/// Benjamini-Hochberg adjusted p-values (q), in the order of `p`: q_(i) = min over j >= i of
/// p_(j) m / j, capped at 1, with p sorted ascending.
std::vector<double> BenjaminiHochberg(const std::vector<double>& p);

}  // namespace convcheck::analysis

#endif  // CONVCHECK_ANALYSIS_STATS_H_
