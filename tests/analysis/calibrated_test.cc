#include "oracle/calibrated.h"

#include <gtest/gtest.h>

#include <cmath>

namespace convcheck::oracle {
namespace {

using Sets = std::vector<std::vector<Tensor>>;

Sets One(const std::vector<float>& values) {
  return {{Tensor::FromVector<float>({static_cast<int64_t>(values.size())}, values)}};
}

Tolerance Calibrated() {
  StatusOr<Tolerance> t = ToleranceProfile("calibrated");
  EXPECT_TRUE(t.ok());
  return *t;
}

TEST(RoundingAllowancesTest, LargestDifferenceTimesTheFactor) {
  const std::vector<double> a = RoundingAllowances(One({1, 2, -3}), One({1, 2.5f, -3.25f}), 8);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_DOUBLE_EQ(a[0], 8 * 0.5);
  // NaN on both sides is the same result; an overflow in one precision only says nothing.
  EXPECT_DOUBLE_EQ(RoundingAllowances(One({NAN, 1}), One({NAN, 1}), 8)[0], 0.0);
  EXPECT_DOUBLE_EQ(RoundingAllowances(One({INFINITY, 1}), One({3e38f, 1}), 8)[0], -1.0);
  EXPECT_DOUBLE_EQ(RoundingAllowances(One({1, 2}), One({1, 2, 3}), 8)[0], -1.0);
}

TEST(CalibratedProfileTest, IsTheDefaultRuleWithABudget) {
  Tolerance c = Calibrated();
  StatusOr<Tolerance> d = ToleranceProfile(kDefaultProfile);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(c.atol, d->atol);
  EXPECT_EQ(c.rtol, d->rtol);
  EXPECT_EQ(c.scale_atol, d->scale_atol);
  EXPECT_GT(c.budget_factor, 1);
  EXPECT_EQ(d->budget_factor, 0);
  EXPECT_NE(c.Describe().find("ref64"), std::string::npos);
}

// Expected [1, 100]: the rule allows 1e-7 + 1e-3 * 100 + 1e-4 * rms (70.7) = 0.107 on the
// second element, so 100.5 fails it; a budget of 1.0 (float32 rounding moved that output by
// 0.125 in ref against ref64, times 8) forgives it.
TEST(CompareCalibratedTest, WithinTheBudgetPassesWhenTheSourceDriftsToo) {
  const Sets expected = One({1, 100}), actual = One({1, 100.5f});
  const std::vector<double> allowance = {1.0};
  EXPECT_EQ(CompareOutputs(expected, actual, Calibrated()).subtype, kValueMismatch);
  // The converted model in float64 disagrees with the source as much: both drift, no fault.
  const Sets converted64 = One({1, 100.4f});
  Comparison c = CompareCalibrated(expected, actual, Calibrated(), allowance, &converted64);
  EXPECT_TRUE(c.pass()) << c.Summary();
  EXPECT_DOUBLE_EQ(c.outputs[0].rounding_allowed, 1.0);
  // Without float64 outputs nothing can be blamed: within the budget passes.
  EXPECT_TRUE(CompareCalibrated(expected, actual, Calibrated(), allowance, nullptr).pass());
}

TEST(CompareCalibratedTest, ExactInFloat64ButNotInFloat32IsAPrecisionFault) {
  const Sets expected = One({1, 100}), actual = One({1, 100.5f});
  const Sets converted64 = One({1, 100.00001f});  // Right in float64.
  Comparison c = CompareCalibrated(expected, actual, Calibrated(), {1.0}, &converted64);
  EXPECT_EQ(c.subtype, kPrecision);
  ASSERT_EQ(c.outputs.size(), 1u);
  EXPECT_EQ(c.outputs[0].subtype, kPrecision);
  EXPECT_GT(c.outputs[0].error_ratio, 1);  // The rule's ratio, which says how far off it is.
  EXPECT_EQ(c.failing_sets, 1);
}

TEST(CompareCalibratedTest, BeyondTheBudgetIsAMismatchWhateverFloat64Says) {
  const Sets expected = One({1, 100}), actual = One({1, 110});
  const Sets converted64 = One({1, 100});
  Comparison c = CompareCalibrated(expected, actual, Calibrated(), {1.0}, &converted64);
  EXPECT_EQ(c.subtype, kValueMismatch);
  // A real mismatch in one output outranks a precision fault in another.
  const Sets e2 = {{Tensor::FromVector<float>({2}, {1, 100}), Tensor::FromVector<float>({1}, {5})}};
  const Sets a2 = {
      {Tensor::FromVector<float>({2}, {1, 100.5f}), Tensor::FromVector<float>({1}, {9})}};
  const Sets c2 = {{Tensor::FromVector<float>({2}, {1, 100}), Tensor::FromVector<float>({1}, {5})}};
  Comparison both = CompareCalibrated(e2, a2, Calibrated(), {1.0, 0.0}, &c2);
  EXPECT_EQ(both.subtype, kValueMismatch);
  EXPECT_EQ(both.outputs[0].subtype, kPrecision);
  EXPECT_EQ(both.outputs[1].subtype, kValueMismatch);
}

TEST(CompareCalibratedTest, NeverFailsWhatTheRuleAlonePasses) {
  // Any allowance only adds to what passes: the calibrated profile cannot add a false alarm
  // over the default on the same outputs.
  const Sets expected = One({0.5f, -2, 1e-3f, 7}), actual = One({0.5001f, -2.0005f, 1e-3f, 7});
  ASSERT_TRUE(CompareOutputs(expected, actual, Calibrated()).pass());
  for (double allowance : {-1.0, 0.0, 1e-9, 1.0}) {
    EXPECT_TRUE(CompareCalibrated(expected, actual, Calibrated(), {allowance}, &expected).pass());
  }
  // No budget at all: exactly the rule.
  Comparison none = CompareCalibrated(One({1, 100}), One({1, 100.5f}), Calibrated(), {}, nullptr);
  EXPECT_EQ(none.subtype, kValueMismatch);
}

}  // namespace
}  // namespace convcheck::oracle
