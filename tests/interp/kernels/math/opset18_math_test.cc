// Math kernels added or changed after opset 17: Bitwise*, Gelu, Mish, Swish, the opset-6
// broadcasting of Add/Sub/Mul/Div/Pow and PRelu, and Cast to the narrow types.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "core/small_float.h"
#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(BitwiseTest, AndOrXorNot) {
  // numpy: np.bitwise_and(np.int32([12, -1]), np.int32([10, 5])) etc.
  KernelTester("BitwiseAnd", 18)
      .Input<int32_t>({2}, {12, -1})
      .Input<int32_t>({2}, {10, 5})
      .ExpectOutput<int32_t>({2}, {8, 5})
      .Run();
  KernelTester("BitwiseOr", 18)
      .Input<uint8_t>({2}, {12, 1})
      .Input<uint8_t>({1}, {10})
      .ExpectOutput<uint8_t>({2}, {14, 11})
      .Run();
  KernelTester("BitwiseXor", 18)
      .Input<int64_t>({1}, {12})
      .Input<int64_t>({1}, {10})
      .ExpectOutput<int64_t>({1}, {6})
      .Run();
  KernelTester("BitwiseNot", 18)
      .Input<uint8_t>({2}, {0, 255})
      .ExpectOutput<uint8_t>({2}, {255, 0})
      .Run();
}

TEST(BitwiseTest, NotBeforeOpset18AndNotForFloats) {
  KernelTester("BitwiseAnd", 17)
      .Input<int32_t>({1}, {1})
      .Input<int32_t>({1}, {1})
      .ExpectError(StatusCode::kUnimplemented, "BitwiseAnd at opset 17");
  KernelTester("BitwiseNot", 18)
      .Input<float>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "BitwiseNot does not accept float32");
}

TEST(GeluTest, ExactAndTanh) {
  // 0.5 x (1 + erf(x / sqrt 2)) at x = 1: 0.8413447460685429; tanh form: 0.8411919906082768.
  KernelTester("Gelu", 20)
      .Input<float>({2}, {1, 0})
      .ExpectOutput<float>({2}, {0.84134475f, 0})
      .Run();
  KernelTester("Gelu", 20)
      .Attr("approximate", "tanh")
      .Input<float>({1}, {1})
      .ExpectOutput<float>({1}, {0.84119199f})
      .Run();
  KernelTester("Gelu", 20)
      .Attr("approximate", "fast")
      .Input<float>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "approximate is 'fast'");
  KernelTester("Gelu", 19)
      .Input<float>({1}, {1})
      .ExpectError(StatusCode::kUnimplemented, "Gelu at opset 19");
}

TEST(MishSwishTest, Values) {
  // mish(1) = tanh(log(1 + e)) = 0.8650983882673103; swish(1, alpha 2) = 1 / (1 + e^-2).
  KernelTester("Mish", 18).Input<float>({1}, {1}).ExpectOutput<float>({1}, {0.86509839f}).Run();
  KernelTester("Swish", 24)
      .Attr("alpha", 2.0f)
      .Input<float>({1}, {1})
      .ExpectOutput<float>({1}, {0.88079708f})
      .Run();
  KernelTester("Swish", 23)
      .Input<float>({1}, {1})
      .ExpectError(StatusCode::kUnimplemented, "Swish at opset 23");
}

TEST(LegacyBroadcastTest, AxisPlacesBInsideA) {
  // A [2,3] + B [3] at axis 1, as Caffe2 broadcasting did.
  KernelTester("Add", 6)
      .Attr("broadcast", int64_t{1})
      .Attr("axis", int64_t{1})
      .Input<float>({2, 3}, {1, 2, 3, 4, 5, 6})
      .Input<float>({3}, {10, 20, 30})
      .ExpectOutput<float>({2, 3}, {11, 22, 33, 14, 25, 36})
      .Run();
  // B [2] at axis 0 of A [2,3]: numpy-style broadcasting could not express this.
  KernelTester("Mul", 6)
      .Attr("broadcast", int64_t{1})
      .Attr("axis", int64_t{0})
      .Input<float>({2, 3}, {1, 2, 3, 4, 5, 6})
      .Input<float>({2}, {2, 3})
      .ExpectOutput<float>({2, 3}, {2, 4, 6, 12, 15, 18})
      .Run();
  KernelTester("Sub", 6)
      .Input<float>({2}, {1, 2})
      .Input<float>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "without broadcast needs equal shapes");
  KernelTester("Pow", 6)
      .Input<float>({2}, {2, 3})
      .Input<float>({2}, {3, 2})
      .ExpectOutput<float>({2}, {8, 9})
      .Run();
}

TEST(LegacyPReluTest, PerChannelSlope) {
  // X [1,2,2], slope [2] is one value per channel (axis 1) at opset 6.
  KernelTester("PRelu", 6)
      .Input<float>({1, 2, 2}, {-1, 1, -2, 2})
      .Input<float>({2}, {0.5f, 0.25f})
      .ExpectOutput<float>({1, 2, 2}, {-0.5f, 1, -0.5f, 2})
      .Run();
}

Tensor Narrow(DataType dtype, Shape shape, const std::vector<double>& values) {
  Tensor t(dtype, std::move(shape));
  for (size_t i = 0; i < values.size(); ++i) t.SetFromDouble(static_cast<int64_t>(i), values[i]);
  return t;
}

TEST(CastNarrowTest, Float8SaturatesUnlessAsked) {
  // E4M3FN: 1000 saturates to 448; with saturate=0 it is NaN. 0.3 rounds to 0.3125.
  KernelTester("Cast", 19)
      .Attr("to", int64_t{17})
      .Input<float>({2}, {1000, 0.3f})
      .ExpectOutput(Narrow(DataType::kFloat8E4M3FN, {2}, {448, 0.3125}))
      .Run();
  Tensor nan(DataType::kFloat8E4M3FN, {1});
  static_cast<uint8_t*>(nan.mutable_raw_data())[0] = 0x7F;
  KernelTester("Cast", 19)
      .Attr("to", int64_t{17})
      .Attr("saturate", int64_t{0})
      .Input<float>({1}, {1000})
      .ExpectOutput(nan)
      .Run();
}

TEST(CastNarrowTest, TypesOnlyFromTheirOpset) {
  KernelTester("Cast", 18)
      .Attr("to", int64_t{17})
      .Input<float>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "not a supported target type");
  KernelTester("Cast", 20)
      .Attr("to", int64_t{22})
      .Input<float>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "not a supported target type");
  KernelTester("Cast", 21)
      .Attr("to", int64_t{22})
      .Input<float>({3}, {-8, 7.9f, 9})
      .ExpectOutput(Narrow(DataType::kInt4, {3}, {-8, 7, 0}))
      .Run();
  KernelTester("CastLike", 21)
      .Input(Narrow(DataType::kUint4, {2}, {3, 15}))
      .Input<float>({1}, {0})
      .ExpectOutput<float>({2}, {3, 15})
      .Run();
}

TEST(CastNarrowTest, E8M0RoundModes) {
  KernelTester("Cast", 24)
      .Attr("to", int64_t{24})
      .Input<float>({2}, {3, 0.124f})
      .ExpectOutput(Narrow(DataType::kFloat8E8M0, {2}, {4, 0.125}))
      .Run();
  // 3 -> 2 rounding down; nearest takes 4 (ties up).
  Tensor down(DataType::kFloat8E8M0, {1});
  static_cast<uint8_t*>(down.mutable_raw_data())[0] = DoubleToSmallType(DataType::kFloat8E8M0, 2.0);
  KernelTester("Cast", 24)
      .Attr("to", int64_t{24})
      .Attr("round_mode", "down")
      .Input<float>({1}, {3})
      .ExpectOutput(down)
      .Run();
  KernelTester("Cast", 24)
      .Attr("to", int64_t{24})
      .Attr("round_mode", "sideways")
      .Input<float>({1}, {3})
      .ExpectError(StatusCode::kInvalidArgument, "round_mode is 'sideways'");
}

}  // namespace
}  // namespace convcheck::interp
