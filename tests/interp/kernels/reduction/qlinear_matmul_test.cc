#include <gtest/gtest.h>

#include <cstdint>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(MatMulIntegerTest, SubtractsZeroPoints) {
  // numpy: (a - 12) @ b with a = [[11,7,3],[10,6,2],[9,5,1],[8,4,0]], b = [[1,4],[2,5],[3,6]]
  KernelTester("MatMulInteger", /*opset=*/10)
      .Input<uint8_t>({4, 3}, {11, 7, 3, 10, 6, 2, 9, 5, 1, 8, 4, 0})
      .Input<uint8_t>({3, 2}, {1, 4, 2, 5, 3, 6})
      .Input<uint8_t>({}, {12})
      .Input<uint8_t>({}, {0})
      .ExpectOutput<int32_t>({4, 2}, {-38, -83, -44, -98, -50, -113, -56, -128})
      .Run();
}

TEST(MatMulIntegerTest, PerRowZeroPointAndMixedSignedness) {
  // Row 0 uses zero point 1, row 1 zero point -1: [[0, 1]] and [[2, 3]] times [[1], [2]].
  KernelTester("MatMulInteger", /*opset=*/10)
      .Input<int8_t>({2, 2}, {1, 2, 1, 2})
      .Input<uint8_t>({2, 1}, {1, 2})
      .Input<int8_t>({2}, {1, -1})
      .ExpectOutput<int32_t>({2, 1}, {2, 8})
      .Run();
}

TEST(MatMulIntegerTest, RejectsFloatOperands) {
  KernelTester("MatMulInteger", /*opset=*/10)
      .Input<float>({1, 1}, {1})
      .Input<uint8_t>({1, 1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "A must be uint8 or int8, got float32");
}

TEST(QLinearMatMulTest, RequantizesLikeTheSpecExample) {
  // numpy: np.clip(np.rint(((a - 113) @ (b - 114)) * 0.0066 * 0.00705 / 0.0107) + 118, 0, 255)
  KernelTester("QLinearMatMul", /*opset=*/10)
      .Input<uint8_t>({2, 4}, {208, 236, 0, 238, 3, 214, 255, 29})
      .Input<float>({}, {0.0066f})
      .Input<uint8_t>({}, {113})
      .Input<uint8_t>({4, 3}, {152, 51, 244, 60, 26, 255, 0, 127, 246, 127, 254, 247})
      .Input<float>({}, {0.00705f})
      .Input<uint8_t>({}, {114})
      .Input<float>({}, {0.0107f})
      .Input<uint8_t>({}, {118})
      .ExpectOutput<uint8_t>({2, 3}, {168, 115, 255, 1, 66, 151})
      .Run();
}

TEST(QLinearMatMulTest, RejectsNonScalarOutputScale) {
  KernelTester("QLinearMatMul", /*opset=*/10)
      .Input<uint8_t>({1, 1}, {1})
      .Input<float>({}, {1})
      .Input<uint8_t>({}, {0})
      .Input<uint8_t>({1, 1}, {1})
      .Input<float>({}, {1})
      .Input<uint8_t>({}, {0})
      .Input<float>({2}, {1, 1})
      .Input<uint8_t>({}, {0})
      .ExpectError(StatusCode::kInvalidArgument, "y_scale and y_zero_point must be scalars");
}

}  // namespace
}  // namespace convcheck::interp
