#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

TEST(UnaryMathTest, TrigonometryMatchesNumpy) {
  // numpy: np.sin/np.cos/np.tan/np.arctan of [0, 0.5, -1]
  const std::vector<float> x = {0.0f, 0.5f, -1.0f};
  KernelTester("Sin", /*opset=*/7).Input<float>({3}, x)
      .ExpectOutput<float>({3}, {0.0f, 0.47942554f, -0.84147098f}).Run();
  KernelTester("Cos", /*opset=*/7).Input<float>({3}, x)
      .ExpectOutput<float>({3}, {1.0f, 0.87758256f, 0.54030231f}).Run();
  KernelTester("Tan", /*opset=*/7).Input<float>({3}, x)
      .ExpectOutput<float>({3}, {0.0f, 0.54630249f, -1.55740772f}).Run();
  KernelTester("Atan", /*opset=*/7).Input<float>({3}, x)
      .ExpectOutput<float>({3}, {0.0f, 0.46364761f, -0.78539816f}).Run();
  // numpy: np.arcsin/np.arccos([-0.5, 0.5])
  KernelTester("Asin", /*opset=*/7).Input<double>({2}, {-0.5, 0.5})
      .ExpectOutput<double>({2}, {-0.5235987755982989, 0.5235987755982989}).Run();
  KernelTester("Acos", /*opset=*/7).Input<double>({2}, {-0.5, 0.5})
      .ExpectOutput<double>({2}, {2.0943951023931957, 1.0471975511965979}).Run();
}

TEST(UnaryMathTest, HyperbolicFunctionsMatchNumpy) {
  // numpy: np.sinh/np.cosh/np.tanh([-1, 1]); np.arcsinh([1]); np.arccosh([2]); np.arctanh([0.5])
  KernelTester("Sinh", /*opset=*/9).Input<float>({2}, {-1, 1})
      .ExpectOutput<float>({2}, {-1.17520119f, 1.17520119f}).Run();
  KernelTester("Cosh", /*opset=*/9).Input<float>({2}, {-1, 1})
      .ExpectOutput<float>({2}, {1.54308063f, 1.54308063f}).Run();
  KernelTester("Tanh", /*opset=*/13).Input<float>({2}, {-1, 1})
      .ExpectOutput<float>({2}, {-0.76159416f, 0.76159416f}).Run();
  KernelTester("Asinh", /*opset=*/9).Input<float>({1}, {1})
      .ExpectOutput<float>({1}, {0.88137359f}).Run();
  KernelTester("Acosh", /*opset=*/9).Input<float>({1}, {2})
      .ExpectOutput<float>({1}, {1.31695790f}).Run();
  KernelTester("Atanh", /*opset=*/9).Input<float>({1}, {0.5f})
      .ExpectOutput<float>({1}, {0.54930614f}).Run();
}

TEST(UnaryMathTest, ExpLogSqrtReciprocal) {
  // numpy: np.exp([0, 1]); np.log([1, np.e]); np.sqrt([4, -1]); 1 / np.array([4, 0])
  KernelTester("Exp", /*opset=*/13).Input<float>({2}, {0, 1})
      .ExpectOutput<float>({2}, {1.0f, 2.71828183f}).Run();
  KernelTester("Log", /*opset=*/13).Input<float>({3}, {1, 2.71828183f, 0})
      .ExpectOutput<float>({3}, {0.0f, 1.0f, -kInf}).Run();
  KernelTester("Sqrt", /*opset=*/13).Input<float>({2}, {4, -1})
      .ExpectOutput<float>({2}, {2.0f, kNaN}).Run();
  KernelTester("Reciprocal", /*opset=*/13).Input<float>({2}, {4, 0})
      .ExpectOutput<float>({2}, {0.25f, kInf}).Run();
}

TEST(UnaryMathTest, Erf) {
  // numpy/scipy: scipy.special.erf([0, 0.5, -2]); integers truncate: erf(1) = 0.84 -> 0
  KernelTester("Erf", /*opset=*/13).Input<float>({3}, {0, 0.5f, -2})
      .ExpectOutput<float>({3}, {0.0f, 0.52049988f, -0.99532227f}).Run();
  KernelTester("Erf", /*opset=*/13).Input<int32_t>({2}, {1, 10})
      .ExpectOutput<int32_t>({2}, {0, 1}).Run();
}

TEST(UnaryMathTest, CeilFloorOfNegativeHalves) {
  // numpy: np.ceil/np.floor([-1.5, 1.2, -0.0])
  KernelTester("Ceil", /*opset=*/13).Input<float>({3}, {-1.5f, 1.2f, kInf})
      .ExpectOutput<float>({3}, {-1.0f, 2.0f, kInf}).Run();
  KernelTester("Floor", /*opset=*/13).Input<float>({3}, {-1.5f, 1.2f, kNaN})
      .ExpectOutput<float>({3}, {-2.0f, 1.0f, kNaN}).Run();
}

TEST(UnaryMathTest, RoundBreaksTiesToEven) {
  // numpy: np.round([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, -2.6, 2.50001])
  KernelTester("Round", /*opset=*/11)
      .Input<float>({8}, {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.4f, -2.6f, 2.50001f})
      .ExpectOutput<float>({8}, {0.0f, 2.0f, 2.0f, -0.0f, -2.0f, 2.0f, -3.0f, 3.0f})
      .Run();
}

TEST(UnaryMathTest, AbsAndNegWrapAtTheIntegerMinimum) {
  // numpy: np.abs(np.int8([-128, -3, 4])) -> [-128, 3, 4]; np.negative(np.int8([-128, 5]))
  KernelTester("Abs", /*opset=*/13).Input<int8_t>({3}, {-128, -3, 4})
      .ExpectOutput<int8_t>({3}, {-128, 3, 4}).Run();
  KernelTester("Neg", /*opset=*/13).Input<int8_t>({2}, {-128, 5})
      .ExpectOutput<int8_t>({2}, {-128, -5}).Run();
  KernelTester("Abs", /*opset=*/13).Input<uint16_t>({2}, {0, 65535})
      .ExpectOutput<uint16_t>({2}, {0, 65535}).Run();
  KernelTester("Neg", /*opset=*/13).Input<double>({2}, {1.5, -0.0})
      .ExpectOutput<double>({2}, {-1.5, 0.0}).Run();
}

TEST(UnaryMathTest, NegRejectsUnsigned) {
  KernelTester("Neg", /*opset=*/13).Input<uint8_t>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "Neg does not accept uint8 input");
}

TEST(UnaryMathTest, SignOfNumbersZeroAndNaN) {
  // numpy: np.sign([-2.5, 0, 3, nan]); np.sign(np.uint8([0, 7]))
  KernelTester("Sign", /*opset=*/13).Input<float>({4}, {-2.5f, 0.0f, 3.0f, kNaN})
      .ExpectOutput<float>({4}, {-1.0f, 0.0f, 1.0f, kNaN}).Run();
  KernelTester("Sign", /*opset=*/13).Input<uint8_t>({2}, {0, 7})
      .ExpectOutput<uint8_t>({2}, {0, 1}).Run();
  KernelTester("Sign", /*opset=*/13).Input<int64_t>({3}, {-9, 0, 9})
      .ExpectOutput<int64_t>({3}, {-1, 0, 1}).Run();
}

TEST(UnaryMathTest, IsNaNAndIsInfGiveBool) {
  // numpy: np.isnan([1, nan, inf]); np.isinf([1, nan, inf, -inf])
  KernelTester("IsNaN", /*opset=*/13).Input<float>({3}, {1, kNaN, kInf})
      .ExpectOutput<bool>({3}, {false, true, false}).Run();
  KernelTester("IsInf", /*opset=*/10).Input<double>({4}, {1, NAN, INFINITY, -INFINITY})
      .ExpectOutput<bool>({4}, {false, false, true, true}).Run();
}

TEST(UnaryMathTest, IsInfDetectsOneSideWhenAsked) {
  // numpy: np.isneginf / np.isposinf([inf, -inf])
  KernelTester("IsInf", /*opset=*/10).Attr("detect_positive", int64_t{0})
      .Input<float>({2}, {kInf, -kInf}).ExpectOutput<bool>({2}, {false, true}).Run();
  KernelTester("IsInf", /*opset=*/10).Attr("detect_negative", int64_t{0})
      .Input<float>({2}, {kInf, -kInf}).ExpectOutput<bool>({2}, {true, false}).Run();
}

TEST(UnaryMathTest, NotNegatesBools) {
  // numpy: np.logical_not([True, False])
  KernelTester("Not", /*opset=*/1).Input<bool>({2}, {true, false})
      .ExpectOutput<bool>({2}, {false, true}).Run();
}

TEST(UnaryMathTest, RejectsTypesOutsideTheSpec) {
  KernelTester("Exp", /*opset=*/13).Input<int32_t>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "Exp does not accept int32 input");
  KernelTester("Not", /*opset=*/1).Input<float>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "Not does not accept float32 input");
  KernelTester("Abs", /*opset=*/13).Input<std::string>({1}, {"a"})
      .ExpectError(StatusCode::kInvalidArgument, "Abs does not accept string input");
}

TEST(UnaryMathTest, EmptyTensorGivesEmptyOutput) {
  KernelTester("Exp", /*opset=*/13).Input<float>({0, 3}, {})
      .ExpectOutput<float>({0, 3}, {}).Run();
}

TEST(UnaryMathTest, Float16ResultsRoundOnce) {
  // numpy: np.exp(np.float16(1)) == np.float16(2.719)
  KernelTester("Exp", /*opset=*/13)
      .Input(Tensor::FromVector<Float16>({1}, {Float16{FloatToHalfBits(1.0f)}}))
      .ExpectOutput(Tensor::FromVector<Float16>({1}, {Float16{FloatToHalfBits(2.71875f)}}))
      .Tolerance(0, 0)
      .Run();
}

TEST(UnaryMathTest, BFloat16IsAccepted) {
  // numpy: np.sqrt(4.0) in bfloat16 is exact
  KernelTester("Sqrt", /*opset=*/13)
      .Input(Tensor::FromVector<BFloat16>({1}, {BFloat16{FloatToBFloat16Bits(4.0f)}}))
      .ExpectOutput(Tensor::FromVector<BFloat16>({1}, {BFloat16{FloatToBFloat16Bits(2.0f)}}))
      .Run();
}

}  // namespace
}  // namespace convcheck::interp
