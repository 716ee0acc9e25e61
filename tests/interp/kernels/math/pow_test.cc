#include <gtest/gtest.h>

#include <cstdint>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(PowTest, FloatsWithBroadcastExponent) {
  // numpy: np.power([[1, 2, 3], [4, 5, 6]], [1, 2, 3])
  KernelTester("Pow", /*opset=*/7)
      .Input<float>({2, 3}, {1, 2, 3, 4, 5, 6})
      .Input<float>({3}, {1, 2, 3})
      .ExpectOutput<float>({2, 3}, {1, 4, 27, 4, 25, 216})
      .Run();
}

TEST(PowTest, FractionalAndNegativeBase) {
  // numpy: np.power([4, -8, -8], [0.5, 1/3, 2]) -> [2, nan, 64]
  KernelTester("Pow", /*opset=*/13)
      .Input<double>({3}, {4, -8, -8})
      .Input<double>({3}, {0.5, 1.0 / 3.0, 2})
      .ExpectOutput<double>({3}, {2, NAN, 64})
      .Run();
}

// Opset 12 allows the exponent type to differ from the base type; opset 11 does not.
TEST(PowTest, Opset12MixesBaseAndExponentTypes) {
  // numpy: np.power(np.float32([1, 2, 3]), np.int64([4, 5, 6]))
  KernelTester("Pow", /*opset=*/12)
      .Input<float>({3}, {1, 2, 3})
      .Input<int64_t>({3}, {4, 5, 6})
      .ExpectOutput<float>({3}, {1, 32, 729})
      .Run();
  // numpy: np.power(np.int32([1, 2, 3]), np.float32([4, 5, 6])).astype(np.int32)
  KernelTester("Pow", /*opset=*/15)
      .Input<int32_t>({3}, {1, 2, 3})
      .Input<float>({3}, {4, 5, 6})
      .ExpectOutput<int32_t>({3}, {1, 32, 729})
      .Run();
}

TEST(PowTest, Opset11RejectsMixedTypes) {
  KernelTester("Pow", /*opset=*/11)
      .Input<float>({1}, {2})
      .Input<int64_t>({1}, {2})
      .ExpectError(StatusCode::kInvalidArgument, "before opset 12 needs one floating type");
}

TEST(PowTest, IntegerPowerIsExact) {
  // numpy: np.power(np.int64([3, -2, 2, 1, -1]), np.int64([39, 3, -1, -5, -3]))
  KernelTester("Pow", /*opset=*/13)
      .Input<int64_t>({5}, {3, -2, 2, 1, -1})
      .Input<int64_t>({5}, {39, 3, -1, -5, -3})
      .ExpectOutput<int64_t>({5}, {4052555153018976267LL, -8, 0, 1, -1})
      .Run();
}

TEST(PowTest, RejectsUnsupportedBaseType) {
  KernelTester("Pow", /*opset=*/15)
      .Input<uint8_t>({1}, {2})
      .Input<uint8_t>({1}, {2})
      .ExpectError(StatusCode::kInvalidArgument, "Pow does not accept uint8 base");
  KernelTester("Pow", /*opset=*/15)
      .Input<float>({1}, {2})
      .Input<bool>({1}, {true})
      .ExpectError(StatusCode::kInvalidArgument, "Pow does not accept bool exponent");
}

TEST(PowTest, RejectsIncompatibleShapes) {
  KernelTester("Pow", /*opset=*/15)
      .Input<float>({2}, {1, 2})
      .Input<float>({3}, {1, 2, 3})
      .ExpectError(StatusCode::kInvalidArgument, "cannot be broadcast");
}

}  // namespace
}  // namespace convcheck::interp
