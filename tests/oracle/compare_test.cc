#include "oracle/compare.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace convcheck::oracle {
namespace {

constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

Tolerance Profile(const char* name) { return *ToleranceProfile(name); }

// One set, one output.
Comparison CompareOne(const Tensor& expected, const Tensor& actual, const Tolerance& tol) {
  return CompareOutputs({{expected}}, {{actual}}, tol);
}

TEST(CompareTest, IdenticalOutputsPass) {
  Tensor t = Tensor::FromVector<float>({2, 2}, {1, -2, 3, 0});
  Comparison c = CompareOne(t, t, Profile("study-text"));
  EXPECT_TRUE(c.pass());
  ASSERT_EQ(c.outputs.size(), 1u);
  EXPECT_EQ(c.outputs[0].max_abs_error, 0);
  EXPECT_EQ(c.outputs[0].num_elements, 4);
}

TEST(CompareTest, TorchVerifierRuleIsAbsPlusRelative) {
  // |a-b| <= 1e-7 + 1e-3*|b|: 1000 may be off by 1.0000001, 1 by 0.0010001.
  Tensor b = Tensor::FromVector<double>({2}, {1000.0, 1.0});
  Tensor inside = Tensor::FromVector<double>({2}, {1000.99, 1.0009});
  Tensor outside = Tensor::FromVector<double>({2}, {1000.0, 1.0012});
  EXPECT_TRUE(CompareOne(b, inside, Profile("torch-verifier")).pass());
  Comparison c = CompareOne(b, outside, Profile("torch-verifier"));
  EXPECT_FALSE(c.pass());
  EXPECT_EQ(c.subtype, kValueMismatch);
  EXPECT_EQ(c.outputs[0].mismatches, 1);
  EXPECT_EQ(c.outputs[0].worst_index, 1);
  EXPECT_NEAR(c.outputs[0].max_abs_error, 0.0012, 1e-12);
  EXPECT_NEAR(c.outputs[0].error_ratio, 0.0012 / (1e-7 + 1e-3), 1e-6);
}

TEST(CompareTest, DefaultProfileScalesTheAbsoluteFloorWithTheOutput) {
  // Near-zero elements of a large output: a difference of 1e-3 next to values of 1e3 is float
  // noise for the default profile but a failure for the fixed-atol torch rule.
  Tensor b = Tensor::FromVector<float>({4}, {1000, -1000, 1000, 0});
  Tensor a = Tensor::FromVector<float>({4}, {1000, -1000, 1000, 0.001f});
  EXPECT_TRUE(CompareOne(b, a, Profile("convcheck")).pass());
  EXPECT_FALSE(CompareOne(b, a, Profile("torch-verifier")).pass());
  // The same relative size on a tiny output is just as harmless: no fixed atol could say that.
  Tensor small_b = Tensor::FromVector<float>({4}, {1e-6f, -1e-6f, 1e-6f, 0});
  Tensor small_a = Tensor::FromVector<float>({4}, {1e-6f, -1e-6f, 1e-6f, 1e-12f});
  EXPECT_TRUE(CompareOne(small_b, small_a, Profile("convcheck")).pass());
  // But a real error of 10% on one element fails.
  Tensor wrong = Tensor::FromVector<float>({4}, {1100, -1000, 1000, 0});
  EXPECT_FALSE(CompareOne(b, wrong, Profile("convcheck")).pass());
}

TEST(CompareTest, NanOnBothSidesIsEqualNanOnOneSideIsAMismatch) {
  Tensor b = Tensor::FromVector<float>({3}, {kNan, 1, 2});
  EXPECT_TRUE(CompareOne(b, Tensor::FromVector<float>({3}, {kNan, 1, 2}), Profile("nnsmith")).pass());
  Comparison c = CompareOne(b, Tensor::FromVector<float>({3}, {0, 1, kNan}), Profile("nnsmith"));
  EXPECT_FALSE(c.pass());
  EXPECT_EQ(c.subtype, kNanInfMismatch);
  EXPECT_EQ(c.outputs[0].nan_inf_mismatches, 2);
  EXPECT_EQ(c.outputs[0].nan_expected, 1);
  EXPECT_EQ(c.outputs[0].nan_actual, 1);
  EXPECT_TRUE(std::isinf(c.outputs[0].error_ratio));
}

TEST(CompareTest, InfinityMatchesOnlyTheSameInfinity) {
  Tensor b = Tensor::FromVector<float>({2}, {kInf, -kInf});
  EXPECT_TRUE(CompareOne(b, b, Profile("convcheck")).pass());
  Comparison c = CompareOne(b, Tensor::FromVector<float>({2}, {kInf, kInf}), Profile("convcheck"));
  EXPECT_EQ(c.subtype, kNanInfMismatch);
  EXPECT_EQ(c.outputs[0].worst_index, 1);
}

TEST(CompareTest, ShapeMismatchIsReportedWithoutElementComparison) {
  Tensor b = Tensor::FromVector<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor a = Tensor::FromVector<float>({3, 2}, {1, 2, 3, 4, 5, 6});
  Comparison c = CompareOne(b, a, Profile("convcheck"));
  EXPECT_EQ(c.subtype, kShapeMismatch);
  EXPECT_EQ(c.outputs[0].actual_shape, (Shape{3, 2}));
  EXPECT_NE(c.Summary().find("[3,2]"), std::string::npos) << c.Summary();
}

TEST(CompareTest, DtypeMismatchOutranksValues) {
  Tensor b = Tensor::FromVector<float>({2}, {1, 2});
  Tensor a = Tensor::FromVector<double>({2}, {1, 5});
  Comparison c = CompareOne(b, a, Profile("convcheck"));
  EXPECT_EQ(c.subtype, kDtypeMismatch);
  EXPECT_EQ(c.outputs[0].actual_dtype, DataType::kFloat64);
}

TEST(CompareTest, IntegerOutputsCompareExactlyWhateverTheProfile) {
  Tensor b = Tensor::FromVector<int64_t>({3}, {1, 2, 1000000});
  Tensor a = Tensor::FromVector<int64_t>({3}, {1, 2, 1000001});
  Comparison c = CompareOne(b, a, Profile("nnsmith"));  // Would allow 1e4 on floats.
  EXPECT_EQ(c.subtype, kValueMismatch);
  EXPECT_TRUE(c.outputs[0].exact);
  Tensor yes = Tensor::FromVector<bool>({2}, {true, false});
  EXPECT_FALSE(CompareOne(yes, Tensor::FromVector<bool>({2}, {true, true}), Profile("nnsmith")).pass());
}

TEST(CompareTest, OutputCountMismatchIsTheMostStructural) {
  Tensor t = Tensor::FromVector<float>({1}, {1});
  Comparison c = CompareOutputs({{t, t}}, {{t}}, Profile("convcheck"));
  EXPECT_EQ(c.subtype, kOutputCountMismatch);
  EXPECT_EQ(c.expected_outputs, 2);
  EXPECT_EQ(c.actual_outputs, 1);
}

TEST(CompareTest, MetricsAccumulateOverInputSetsAndCountFailingSets) {
  Tensor b0 = Tensor::FromVector<float>({2}, {1, 1});
  Tensor b1 = Tensor::FromVector<float>({2}, {2, 2});
  Tensor a1 = Tensor::FromVector<float>({2}, {2, 3});  // Only set 1 is off.
  Comparison c = CompareOutputs({{b0}, {b1}}, {{b0}, {a1}}, Profile("torch-verifier"), {"logits"});
  EXPECT_EQ(c.subtype, kValueMismatch);
  EXPECT_EQ(c.num_sets, 2);
  EXPECT_EQ(c.failing_sets, 1);
  EXPECT_EQ(c.outputs[0].name, "logits");
  EXPECT_EQ(c.outputs[0].num_elements, 4);
  EXPECT_EQ(c.outputs[0].worst_set, 1);
  EXPECT_EQ(c.outputs[0].worst_index, 1);
  EXPECT_DOUBLE_EQ(c.outputs[0].mismatch_fraction, 0.25);
  EXPECT_DOUBLE_EQ(c.outputs[0].expected_at_worst, 2);
  EXPECT_DOUBLE_EQ(c.outputs[0].actual_at_worst, 3);
}

TEST(CompareTest, MaxRelativeErrorIgnoresZeroReferenceElements) {
  Tensor b = Tensor::FromVector<float>({2}, {0, 2});
  Tensor a = Tensor::FromVector<float>({2}, {1e-9f, 2.002f});
  Comparison c = CompareOne(b, a, Profile("convcheck"));
  EXPECT_NEAR(c.outputs[0].max_rel_error, 0.001, 1e-6);
}

TEST(CompareTest, JsonKeepsNonFiniteNumbersAsStrings) {
  Tensor b = Tensor::FromVector<float>({1}, {1});
  Comparison c = CompareOne(b, Tensor::FromVector<float>({1}, {kNan}), Profile("convcheck"));
  nlohmann::json j = ToJson(c);
  EXPECT_EQ(j["outputs"][0]["error_ratio"], "inf");
  EXPECT_EQ(j["outputs"][0]["worst"]["actual"], "nan");
  EXPECT_EQ(j["subtype"], "nan_inf_mismatch");
}

}  // namespace
}  // namespace convcheck::oracle

namespace convcheck::oracle {
namespace {

TEST(CompareTest, FlagsReferencesThatCannotShowErrors) {
  auto compare = [](std::vector<std::vector<Tensor>> expected) {
    return CompareOutputs(expected, expected, *ToleranceProfile("convcheck"), {"out"})
        .outputs[0]
        .degenerate;
  };
  Tensor zeros = Tensor::FromVector<float>({3}, {0, 0, 0});
  Tensor varied = Tensor::FromVector<float>({3}, {0.5f, -1, 2});
  Tensor other = Tensor::FromVector<float>({3}, {0.25f, 1, 2});
  EXPECT_EQ(compare({{zeros}, {zeros}}), "constant");
  EXPECT_EQ(compare({{varied}, {varied}}), "same_for_every_input");
  EXPECT_EQ(compare({{varied}, {other}}), "");
  EXPECT_EQ(compare({{varied}}), "") << "one set says nothing about input dependence";
  Tensor ints = Tensor::FromVector<int64_t>({3}, {1, 1, 1});
  EXPECT_EQ(compare({{ints}, {ints}}), "") << "exact outputs (argmax, shapes) are not flagged";
}

}  // namespace
}  // namespace convcheck::oracle
