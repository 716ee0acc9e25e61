#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(VariadicTest, SumOfThreeInputs) {
  // numpy: np.array([3, 0, 2]) + [1, 3, 4] + [2, 6, 6]
  KernelTester("Sum", /*opset=*/13)
      .Input<float>({3}, {3, 0, 2})
      .Input<float>({3}, {1, 3, 4})
      .Input<float>({3}, {2, 6, 6})
      .ExpectOutput<float>({3}, {6, 9, 12})
      .Run();
}

TEST(VariadicTest, OneInputIsCopied) {
  KernelTester("Max", /*opset=*/13)
      .Input<float>({2}, {3, -1})
      .ExpectOutput<float>({2}, {3, -1})
      .Run();
}

TEST(VariadicTest, BroadcastsAcrossAllInputs) {
  // numpy: np.mean([np.ones((2, 1)) * [[1], [2]], [10, 20], 0 * np.ones((1, 1))], ...) elementwise:
  // (x + y + z) / 3 with x [2,1] = [1, 2], y [2] = [10, 20], z [1,1] = [0]
  KernelTester("Mean", /*opset=*/13)
      .Input<double>({2, 1}, {1, 2})
      .Input<double>({2}, {10, 20})
      .Input<double>({1, 1}, {0})
      .ExpectOutput<double>({2, 2}, {11.0 / 3, 21.0 / 3, 12.0 / 3, 22.0 / 3})
      .Run();
}

// Opsets 6-7 had no broadcasting; opset 8 introduced it.
TEST(VariadicTest, Opset7RequiresEqualShapes) {
  KernelTester("Sum", /*opset=*/7)
      .Input<float>({2}, {1, 2})
      .Input<float>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "before opset 8 needs equal shapes");
  KernelTester("Sum", /*opset=*/8)
      .Input<float>({2}, {1, 2})
      .Input<float>({1}, {1})
      .ExpectOutput<float>({2}, {2, 3})
      .Run();
}

TEST(VariadicTest, MaxMinOfIntegersFromOpset12) {
  // numpy: np.maximum(np.int8([1, -5, 3]), [2, -7, 3]); np.minimum(...)
  KernelTester("Max", /*opset=*/12)
      .Input<int8_t>({3}, {1, -5, 3})
      .Input<int8_t>({3}, {2, -7, 3})
      .ExpectOutput<int8_t>({3}, {2, -5, 3})
      .Run();
  KernelTester("Min", /*opset=*/13)
      .Input<uint64_t>({3}, {1, 5, 3})
      .Input<uint64_t>({3}, {2, 7, 0})
      .ExpectOutput<uint64_t>({3}, {1, 5, 0})
      .Run();
  KernelTester("Max", /*opset=*/11)
      .Input<int8_t>({1}, {1})
      .Input<int8_t>({1}, {2})
      .ExpectError(StatusCode::kInvalidArgument, "Max does not accept int8 inputs at opset 11");
}

TEST(VariadicTest, MaxPropagatesNaN) {
  // numpy: np.maximum([nan, 1], [1, nan]) -> [nan, nan]
  const float nan = std::numeric_limits<float>::quiet_NaN();
  KernelTester("Max", /*opset=*/13)
      .Input<float>({2}, {nan, 1})
      .Input<float>({2}, {1, nan})
      .ExpectOutput<float>({2}, {nan, nan})
      .Run();
}

TEST(VariadicTest, RejectsIntegerSumAndMixedTypes) {
  KernelTester("Sum", /*opset=*/13)
      .Input<int32_t>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "Sum does not accept int32");
  KernelTester("Min", /*opset=*/13)
      .Input<float>({1}, {1})
      .Input<double>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "input 1 has type float64 but input 0 has float32");
}

TEST(VariadicTest, EmptyBroadcastResult) {
  KernelTester("Sum", /*opset=*/13)
      .Input<float>({0, 2}, {})
      .Input<float>({2}, {1, 2})
      .ExpectOutput<float>({0, 2}, {})
      .Run();
}

}  // namespace
}  // namespace convcheck::interp
