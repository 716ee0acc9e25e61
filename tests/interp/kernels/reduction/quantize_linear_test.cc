#include <gtest/gtest.h>

#include <cstdint>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(QuantizeLinearTest, RoundsHalfToEvenAndSaturates) {
  // numpy: np.clip(np.rint(x / 2) + 128, 0, 255) for x = [0, 2, 3, 1000, -254, -1000]
  KernelTester("QuantizeLinear", /*opset=*/13)
      .Input<float>({6}, {0, 2, 3, 1000, -254, -1000})
      .Input<float>({}, {2})
      .Input<uint8_t>({}, {128})
      .ExpectOutput<uint8_t>({6}, {128, 129, 130, 255, 1, 0})
      .Run();
}

TEST(QuantizeLinearTest, DefaultsToUint8WithZeroPointZero) {
  // numpy: np.rint([-1.5, -0.5, 0.5, 1.5, 2.5]) == [-2, -0, 0, 2, 2], then clipped to [0, 255].
  KernelTester("QuantizeLinear", /*opset=*/10)
      .Input<float>({5}, {-1.5f, -0.5f, 0.5f, 1.5f, 2.5f})
      .Input<float>({}, {1})
      .ExpectOutput<uint8_t>({5}, {0, 0, 0, 2, 2})
      .Run();
}

TEST(QuantizeLinearTest, PerAxisFromOpset13) {
  // Axis 1 of [1, 2, 2]: channel 0 scale 1 zp 0, channel 1 scale 2 zp -10.
  KernelTester("QuantizeLinear", /*opset=*/13)
      .Input<float>({1, 2, 2}, {1, -3, 4, 10})
      .Input<float>({2}, {1, 2})
      .Input<int8_t>({2}, {0, -10})
      .ExpectOutput<int8_t>({1, 2, 2}, {1, -3, -8, -5})
      .Run();
}

TEST(QuantizeLinearTest, RejectsPerAxisBeforeOpset13) {
  KernelTester("QuantizeLinear", /*opset=*/10)
      .Input<float>({1, 2}, {1, 2})
      .Input<float>({2}, {1, 2})
      .ExpectError(StatusCode::kInvalidArgument, "scale must be a scalar before opset 13");
}

TEST(QuantizeLinearTest, RejectsScaleOfWrongLength) {
  KernelTester("QuantizeLinear", /*opset=*/13)
      .Input<float>({1, 2}, {1, 2})
      .Input<float>({3}, {1, 2, 3})
      .ExpectError(StatusCode::kInvalidArgument, "scale has 3 elements but axis 1");
}

TEST(DequantizeLinearTest, SubtractsZeroPointAndScales) {
  // numpy: (x.astype(np.int32) - 128) * 0.5
  KernelTester("DequantizeLinear", /*opset=*/13)
      .Input<uint8_t>({3}, {0, 128, 255})
      .Input<float>({}, {0.5f})
      .Input<uint8_t>({}, {128})
      .ExpectOutput<float>({3}, {-64, 0, 63.5f})
      .Run();
}

TEST(DequantizeLinearTest, PerAxis) {
  KernelTester("DequantizeLinear", /*opset=*/13)
      .Attr("axis", int64_t{0})
      .Input<int8_t>({2, 2}, {1, 2, 3, 4})
      .Input<float>({2}, {1, 10})
      .Input<int8_t>({2}, {1, 0})
      .ExpectOutput<float>({2, 2}, {0, 1, 30, 40})
      .Run();
}

TEST(DequantizeLinearTest, RejectsZeroPointOfOtherType) {
  KernelTester("DequantizeLinear", /*opset=*/13)
      .Input<uint8_t>({1}, {1})
      .Input<float>({}, {1})
      .Input<int8_t>({}, {0})
      .ExpectError(StatusCode::kInvalidArgument, "x_zero_point is int8 but x is uint8");
}

TEST(DynamicQuantizeLinearTest, MatchesTheSpecFormula) {
  // The spec's numpy formula for x = [0, 2, -3, -2.5, 1.34, 0.5]: scale 0.019607844, zp 153.
  KernelTester("DynamicQuantizeLinear", /*opset=*/11)
      .Input<float>({6}, {0, 2, -3, -2.5f, 1.34f, 0.5f})
      .ExpectOutput<uint8_t>({6}, {153, 255, 0, 26, 221, 179})
      .ExpectOutput<float>({}, {0.019607844f})
      .ExpectOutput<uint8_t>({}, {153})
      .Run();
}

TEST(DynamicQuantizeLinearTest, AllZeroInputHasZeroScale) {
  KernelTester("DynamicQuantizeLinear", /*opset=*/11)
      .Input<float>({2}, {0, 0})
      .ExpectOutput<uint8_t>({2}, {0, 0})
      .ExpectOutput<float>({}, {0})
      .ExpectOutput<uint8_t>({}, {0})
      .Run();
}

}  // namespace
}  // namespace convcheck::interp
