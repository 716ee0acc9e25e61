#include "analysis/stats.h"

#include <gtest/gtest.h>

#include <cmath>

namespace convcheck::analysis {
namespace {

// Reference p-values: the hypergeometric sums done in exact rational arithmetic (Python's
// fractions and math.comb, summing every table no more probable than the observed one), which
// shares nothing with the log-gamma code under test. Two are textbook values: Fisher's lady
// tasting tea (3 1 / 1 3: 34/70) and Wikipedia's dieting example (1 9 / 11 3: 0.002759).
struct FisherCase {
  Table2x2 table;
  double p;
};

TEST(FisherExactTest, MatchesExactRationalSums) {
  const FisherCase cases[] = {
      {{3, 1, 1, 3}, 0.4857142857142857},       // 34/70
      {{8, 2, 1, 5}, 0.03496503496503497},      // R fisher.test agrees: 0.03497
      {{1, 9, 11, 3}, 0.0027594561852200836},   // Wikipedia, "Fisher's exact test"
      {{0, 10, 10, 0}, 1.082508822446903e-05},  // 2 / C(20, 10)
      {{12, 5, 30, 400}, 4.2975119621021594e-10},
      {{2, 0, 40, 958}, 0.0017237237237237237},  // 2 of 1000 jobs, both failing, 42 failures
  };
  for (const FisherCase& c : cases) {
    const double p = FisherExactTwoSided(c.table);
    EXPECT_NEAR(p, c.p, 1e-9 * c.p)
        << c.table.a << " " << c.table.b << " " << c.table.c << " " << c.table.d;
  }
}

TEST(FisherExactTest, SymmetricTablesAndDegenerateMarginsGiveOne) {
  // The observed table is the most probable one: every table counts.
  EXPECT_NEAR(FisherExactTwoSided({5, 95, 100, 1800}), 1.0, 1e-9);
  EXPECT_EQ(FisherExactTwoSided({7, 12, 0, 0}), 1.0);  // Nobody lacks the pattern.
  EXPECT_EQ(FisherExactTwoSided({0, 0, 0, 0}), 1.0);
  EXPECT_EQ(FisherExactTwoSided({0, 4, 0, 9}), 1.0);  // No failure at all.
}

TEST(FisherExactTest, TransposedAndMirroredTablesAgree) {
  const Table2x2 t{4, 7, 13, 2};
  const double p = FisherExactTwoSided(t);
  EXPECT_NEAR(FisherExactTwoSided({t.a, t.c, t.b, t.d}), p, 1e-12);
  EXPECT_NEAR(FisherExactTwoSided({t.c, t.d, t.a, t.b}), p, 1e-12);
  EXPECT_LT(p, 0.05);
}

TEST(OddsRatioTest, WoolfIntervalByHand) {
  // 8 2 / 1 5: OR = 40 / 2 = 20; se = sqrt(1/8 + 1/2 + 1 + 1/5) = 1.35185; 20 * exp(-+1.96 se).
  OddsRatio r = ComputeOddsRatio({8, 2, 1, 5});
  EXPECT_FALSE(r.corrected);
  EXPECT_NEAR(r.estimate, 20.0, 1e-9);
  EXPECT_NEAR(r.lo, 1.4161851393939529, 1e-9);
  EXPECT_NEAR(r.hi, 282.44894602634895, 1e-6);
  r = ComputeOddsRatio({12, 5, 30, 400});
  EXPECT_NEAR(r.estimate, 32.0, 1e-9);
  EXPECT_NEAR(r.lo, 10.574626807502966, 1e-9);
  EXPECT_NEAR(r.hi, 96.83556863429412, 1e-9);
}

TEST(OddsRatioTest, ZeroCellAddsOneHalfEverywhere) {
  // 2.5 * 958.5 / (0.5 * 40.5) = 118.33...
  OddsRatio r = ComputeOddsRatio({2, 0, 40, 958});
  EXPECT_TRUE(r.corrected);
  EXPECT_NEAR(r.estimate, 118.33333333333333, 1e-9);
  EXPECT_NEAR(r.lo, 5.589593934018562, 1e-9);
  EXPECT_NEAR(r.hi, 2505.151168952745, 1e-6);
  EXPECT_TRUE(std::isfinite(ComputeOddsRatio({0, 0, 3, 3}).estimate));
}

TEST(BenjaminiHochbergTest, StepUpWithMonotoneMinimum) {
  // Sorted: 0.005 0.01 0.03 0.04 (m = 4) -> 0.02 0.02 0.04 0.04, back in input order.
  const std::vector<double> q = BenjaminiHochberg({0.01, 0.04, 0.03, 0.005});
  ASSERT_EQ(q.size(), 4u);
  EXPECT_DOUBLE_EQ(q[0], 0.02);
  EXPECT_DOUBLE_EQ(q[1], 0.04);
  EXPECT_DOUBLE_EQ(q[2], 0.04);
  EXPECT_DOUBLE_EQ(q[3], 0.02);
  // A large p later in the order cannot raise an earlier q above the running minimum, and q is
  // capped at 1.
  const std::vector<double> capped = BenjaminiHochberg({0.9, 0.8, 0.001});
  EXPECT_DOUBLE_EQ(capped[2], 0.003);
  EXPECT_DOUBLE_EQ(capped[1], 0.9);
  EXPECT_DOUBLE_EQ(capped[0], 0.9);
  EXPECT_TRUE(BenjaminiHochberg({}).empty());
}

}  // namespace
}  // namespace convcheck::analysis
