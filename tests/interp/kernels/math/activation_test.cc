#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

TEST(ReluTest, ClampsNegativesAndKeepsNaN) {
  // numpy: np.maximum([-1, 0, 2, nan], 0)
  KernelTester("Relu", /*opset=*/13)
      .Input<float>({4}, {-1, 0, 2, kNaN})
      .ExpectOutput<float>({4}, {0, 0, 2, kNaN})
      .Run();
}

// Opset 14 added signed integers; opset 13 rejects them.
TEST(ReluTest, Opset14AcceptsIntegers) {
  // numpy: np.maximum(np.int32([-5, 7]), 0)
  KernelTester("Relu", /*opset=*/14)
      .Input<int32_t>({2}, {-5, 7})
      .ExpectOutput<int32_t>({2}, {0, 7})
      .Run();
}

TEST(ReluTest, Opset13RejectsIntegers) {
  KernelTester("Relu", /*opset=*/13)
      .Input<int32_t>({2}, {-5, 7})
      .ExpectError(StatusCode::kInvalidArgument, "int32 input only from opset 14");
}

TEST(LeakyReluTest, DefaultAndCustomAlpha) {
  // numpy: np.where(x < 0, 0.01 * x, x) and alpha 0.1
  KernelTester("LeakyRelu", /*opset=*/16)
      .Input<float>({3}, {-1, 0, 2})
      .ExpectOutput<float>({3}, {-0.01f, 0, 2})
      .Run();
  KernelTester("LeakyRelu", /*opset=*/6)
      .Attr("alpha", 0.1f)
      .Input<float>({2}, {-3, 3})
      .ExpectOutput<float>({2}, {-0.3f, 3})
      .Run();
}

TEST(EluTest, ExponentialBelowZero) {
  // numpy: np.where(x < 0, 2 * (np.exp(x) - 1), x) for x = [-1, 0, 1]
  KernelTester("Elu", /*opset=*/6)
      .Attr("alpha", 2.0f)
      .Input<float>({3}, {-1, 0, 1})
      .ExpectOutput<float>({3}, {-1.26424112f, 0, 1})
      .Run();
}

TEST(SeluTest, DefaultsMatchSchema) {
  // numpy: np.where(x > 0, g * x, g * (a * np.exp(x) - a)), a=1.67326319, g=1.05070102
  KernelTester("Selu", /*opset=*/6)
      .Input<float>({3}, {-1, 0, 1})
      .ExpectOutput<float>({3}, {-1.11133074f, 0, 1.05070102f})
      .Run();
}

TEST(CeluTest, MatchesFormula) {
  // numpy: np.maximum(0, x) + np.minimum(0, 2 * (np.exp(x / 2) - 1)) for x = [-2, 3]
  KernelTester("Celu", /*opset=*/12)
      .Attr("alpha", 2.0f)
      .Input<float>({2}, {-2, 3})
      .ExpectOutput<float>({2}, {-1.26424112f, 3})
      .Run();
}

TEST(CeluTest, RejectsZeroAlpha) {
  KernelTester("Celu", /*opset=*/12)
      .Attr("alpha", 0.0f)
      .Input<float>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "alpha must not be 0");
}

TEST(SigmoidTest, LargeMagnitudesDoNotOverflow) {
  // numpy: 1 / (1 + np.exp(-x)) for x = [-1000, 0, 2, 1000]
  KernelTester("Sigmoid", /*opset=*/13)
      .Input<float>({4}, {-1000, 0, 2, 1000})
      .ExpectOutput<float>({4}, {0, 0.5f, 0.88079708f, 1})
      .Run();
}

TEST(HardSigmoidTest, ClampsToUnitInterval) {
  // numpy: np.clip(0.5 * x + 0.6, 0, 1) for x = [-2, 0, 2]
  KernelTester("HardSigmoid", /*opset=*/6)
      .Attr("alpha", 0.5f)
      .Attr("beta", 0.6f)
      .Input<float>({3}, {-2, 0, 2})
      .ExpectOutput<float>({3}, {0, 0.6f, 1})
      .Run();
}

TEST(HardSwishTest, MatchesFormula) {
  // numpy: x * np.clip(x / 6 + 0.5, 0, 1) for x = [-4, -1, 0, 1, 4]
  KernelTester("HardSwish", /*opset=*/14)
      .Input<float>({5}, {-4, -1, 0, 1, 4})
      .ExpectOutput<float>({5}, {0, -0.33333333f, 0, 0.66666667f, 4})
      .Run();
}

TEST(SoftplusTest, StableForLargeInputs) {
  // numpy: np.log(np.exp(x) + 1) for x = [-1, 0, 1]; 100 for x = 100; ~0 for -100
  KernelTester("Softplus", /*opset=*/1)
      .Input<float>({5}, {-1, 0, 1, 100, -100})
      .ExpectOutput<float>({5}, {0.31326169f, 0.69314718f, 1.31326169f, 100, 3.7200760e-44f})
      .Run();
}

TEST(SoftsignTest, MatchesFormula) {
  // numpy: x / (1 + np.abs(x)) for x = [-1, 0, 3]
  KernelTester("Softsign", /*opset=*/1)
      .Input<float>({3}, {-1, 0, 3})
      .ExpectOutput<float>({3}, {-0.5f, 0, 0.75f})
      .Run();
}

TEST(ThresholdedReluTest, KeepsOnlyValuesAboveAlpha) {
  // numpy: np.where(x > 2, x, 0) for x = [1, 2, 3]
  KernelTester("ThresholdedRelu", /*opset=*/10)
      .Attr("alpha", 2.0f)
      .Input<float>({3}, {1, 2, 3})
      .ExpectOutput<float>({3}, {0, 0, 3})
      .Run();
}

TEST(ShrinkTest, SoftAndHardShrink) {
  // numpy: np.where(x < -1.5, x + 1.5, np.where(x > 1.5, x - 1.5, 0)) for x = -2..2
  KernelTester("Shrink", /*opset=*/9)
      .Attr("lambd", 1.5f)
      .Attr("bias", 1.5f)
      .Input<float>({5}, {-2, -1, 0, 1, 2})
      .ExpectOutput<float>({5}, {-0.5f, 0, 0, 0, 0.5f})
      .Run();
  // Integer input, default bias 0 and lambd 0.5: hard shrink keeps |x| > 0.5.
  KernelTester("Shrink", /*opset=*/9)
      .Input<int8_t>({3}, {-2, 0, 3})
      .ExpectOutput<int8_t>({3}, {-2, 0, 3})
      .Run();
}

TEST(PReluTest, SlopeBroadcastsPerChannel) {
  // numpy: np.where(x < 0, x * slope, x), x [1,2,2] and slope [2,1] broadcast over the last axis
  KernelTester("PRelu", /*opset=*/16)
      .Input<float>({1, 2, 2}, {-1, 1, -2, 2})
      .Input<float>({2, 1}, {0.5f, 0.25f})
      .ExpectOutput<float>({1, 2, 2}, {-0.5f, 1, -0.5f, 2})
      .Run();
}

TEST(PReluTest, IntegerTypesFromOpset9) {
  // numpy: np.where(x < 0, x * 3, x)
  KernelTester("PRelu", /*opset=*/9)
      .Input<int64_t>({2}, {-2, 5})
      .Input<int64_t>({1}, {3})
      .ExpectOutput<int64_t>({2}, {-6, 5})
      .Run();
  KernelTester("PRelu", /*opset=*/8)
      .Input<int64_t>({2}, {-2, 5})
      .Input<int64_t>({1}, {3})
      .ExpectError(StatusCode::kInvalidArgument, "only from opset 9");
}

TEST(PReluTest, RejectsSlopeThatWouldGrowTheOutput) {
  KernelTester("PRelu", /*opset=*/16)
      .Input<float>({2}, {1, 2})
      .Input<float>({3, 2}, {1, 1, 1, 1, 1, 1})
      .ExpectError(StatusCode::kInvalidArgument, "slope shape [3,2] does not broadcast to input");
}

TEST(PReluTest, RejectsMixedTypes) {
  KernelTester("PRelu", /*opset=*/16)
      .Input<float>({1}, {1})
      .Input<double>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "different types");
}

TEST(ActivationTest, PreciseModeComputesInFloat64) {
  // numpy: 1 / (1 + np.exp(-1)) in float64, rounded to float32 on output
  KernelTester("Sigmoid", /*opset=*/13)
      .Precise()
      .Input<float>({1}, {1})
      .ExpectOutput<float>({1}, {0.7310585786300049f})
      .Run();
}

}  // namespace
}  // namespace convcheck::interp
