#include <gtest/gtest.h>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(AddTest, BroadcastsARowOverAMatrix) {
  // numpy: np.array([[1, 2, 3], [4, 5, 6]]) + np.array([10, 20, 30])
  KernelTester("Add", /*opset=*/14)
      .Input<float>({2, 3}, {1, 2, 3, 4, 5, 6})
      .Input<float>({3}, {10, 20, 30})
      .ExpectOutput<float>({2, 3}, {11, 22, 33, 14, 25, 36})
      .Run();
}

TEST(AddTest, BroadcastsBothWays) {
  // numpy: np.array([[1], [2]]) + np.array([10, 20, 30])
  KernelTester("Add", /*opset=*/14)
      .Input<int64_t>({2, 1}, {1, 2})
      .Input<int64_t>({1, 3}, {10, 20, 30})
      .ExpectOutput<int64_t>({2, 3}, {11, 21, 31, 12, 22, 32})
      .Run();
}

TEST(AddTest, RejectsIncompatibleShapes) {
  KernelTester("Add", /*opset=*/14)
      .Input<float>({2, 3}, {0, 0, 0, 0, 0, 0})
      .Input<float>({2}, {0, 0})
      .ExpectError(StatusCode::kInvalidArgument, "[2,3] and [2] cannot be broadcast");
}

TEST(AddTest, RejectsMixedTypes) {
  KernelTester("Add", /*opset=*/14)
      .Input<float>({1}, {0})
      .Input<double>({1}, {0})
      .ExpectError(StatusCode::kInvalidArgument, "different types");
}

TEST(DivTest, IntegerDivisionTruncatesTowardZero) {
  // numpy: np.trunc(np.array([7, -7]) / 2)
  KernelTester("Div", /*opset=*/14)
      .Input<int32_t>({2}, {7, -7})
      .Input<int32_t>({1}, {2})
      .ExpectOutput<int32_t>({2}, {3, -3})
      .Run();
}

TEST(MulTest, Float16RoundsOnceOnStore) {
  // 0.1 in float16 is 0.0999755859375; squared and rounded to float16: 0.0099945068359375.
  KernelTester("Mul", /*opset=*/14)
      .Input(Tensor::FromVector<Float16>({1}, {Float16{FloatToHalfBits(0.1f)}}))
      .Input(Tensor::FromVector<Float16>({1}, {Float16{FloatToHalfBits(0.1f)}}))
      .ExpectOutput(Tensor::FromVector<Float16>({1}, {Float16{FloatToHalfBits(0.0099945068359375f)}}))
      .Run();
}

TEST(ExecutorTest, UnsupportedOperatorNamesTheNode) {
  KernelTester("NoSuchOp", /*opset=*/17)
      .Input<float>({1}, {0})
      .IgnoreOutput()
      .ExpectError(StatusCode::kUnimplemented,
                   "node 'node_under_test' (NoSuchOp, opset 17): operator NoSuchOp at opset 17 is "
                   "not supported");
}

TEST(ExecutorTest, InitializerInputsWork) {
  KernelTester("Sub", /*opset=*/14)
      .Input<float>({2}, {5, 6})
      .Input<float>({2}, {1, 2})
      .AsInitializer()
      .ExpectOutput<float>({2}, {4, 4})
      .Run();
}

TEST(ExecutorTest, PreciseModeComputesInFloat64AndRoundsBack) {
  // 1e8 + 1 - 1e8 in float32 loses the 1; in float64 it survives, and the output is float32.
  KernelTester("Add", /*opset=*/14)
      .Precise()
      .Input<float>({1}, {16777216.0f})
      .Input<float>({1}, {1.0f})
      .ExpectOutput<float>({1}, {16777216.0f})
      .Tolerance(0, 0)
      .Run();
}

}  // namespace
}  // namespace convcheck::interp
