#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

std::vector<float> Iota(int n) {
  std::vector<float> v(n);
  for (int i = 0; i < n; ++i) v[i] = static_cast<float>(i);
  return v;
}

TEST(MatMulTest, TwoByThreeTimesThreeByFour) {
  // numpy: np.arange(6).reshape(2, 3) @ np.arange(12).reshape(3, 4)
  KernelTester("MatMul", /*opset=*/13)
      .Input<float>({2, 3}, Iota(6))
      .Input<float>({3, 4}, Iota(12))
      .ExpectOutput<float>({2, 4}, {20, 23, 26, 29, 56, 68, 80, 92})
      .Run();
}

TEST(MatMulTest, BroadcastsBatchDimensions) {
  // numpy: np.arange(12).reshape(2, 2, 3) @ np.arange(12).reshape(3, 4)
  KernelTester("MatMul", /*opset=*/13)
      .Input<float>({2, 2, 3}, Iota(12))
      .Input<float>({3, 4}, Iota(12))
      .ExpectOutput<float>({2, 2, 4}, {20, 23, 26, 29, 56, 68, 80, 92, 92, 113, 134, 155, 128,
                                       158, 188, 218})
      .Run();
}

TEST(MatMulTest, VectorOperandsDropTheirDimension) {
  // numpy: np.array([1, 2, 3]) @ np.arange(12).reshape(3, 4); np.arange(6).reshape(2, 3) @ v
  KernelTester("MatMul", /*opset=*/13)
      .Input<float>({3}, {1, 2, 3})
      .Input<float>({3, 4}, Iota(12))
      .ExpectOutput<float>({4}, {32, 38, 44, 50})
      .Run();
  KernelTester("MatMul", /*opset=*/13)
      .Input<int64_t>({2, 3}, {0, 1, 2, 3, 4, 5})
      .Input<int64_t>({3}, {1, 2, 3})
      .ExpectOutput<int64_t>({2}, {8, 26})
      .Run();
}

TEST(MatMulTest, EmptyInnerDimensionGivesZeros) {
  KernelTester("MatMul", /*opset=*/13)
      .Input<float>({2, 0}, {})
      .Input<float>({0, 2}, {})
      .ExpectOutput<float>({2, 2}, {0, 0, 0, 0})
      .Run();
}

TEST(MatMulTest, RejectsInnerDimensionMismatch) {
  KernelTester("MatMul", /*opset=*/13)
      .Input<float>({2, 3}, Iota(6))
      .Input<float>({2, 3}, Iota(6))
      .ExpectError(StatusCode::kInvalidArgument, "inner dimensions differ");
}

TEST(MatMulTest, RejectsScalars) {
  KernelTester("MatMul", /*opset=*/13)
      .Input<float>({}, {1})
      .Input<float>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "rank >= 1");
}

TEST(GemmTest, AlphaBetaAndVectorBias) {
  // numpy: 0.5 * np.arange(6).reshape(2, 3) @ np.arange(12).reshape(3, 4) + 2 * [1, 2, 3, 4]
  KernelTester("Gemm", /*opset=*/13)
      .Attr("alpha", 0.5f)
      .Attr("beta", 2.0f)
      .Input<float>({2, 3}, Iota(6))
      .Input<float>({3, 4}, Iota(12))
      .Input<float>({4}, {1, 2, 3, 4})
      .ExpectOutput<float>({2, 4}, {12, 15.5, 19, 22.5, 30, 38, 46, 54})
      .Run();
}

TEST(GemmTest, TransposesBothOperands) {
  // A' = [[0, 1, 2], [3, 4, 5]] stored as [3, 2]; B' = arange(12).reshape(3, 4) stored as [4, 3].
  KernelTester("Gemm", /*opset=*/13)
      .Attr("transA", int64_t{1})
      .Attr("transB", int64_t{1})
      .Input<float>({3, 2}, {0, 3, 1, 4, 2, 5})
      .Input<float>({4, 3}, {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11})
      .ExpectOutput<float>({2, 4}, {20, 23, 26, 29, 56, 68, 80, 92})
      .Run();
}

TEST(GemmTest, COptionalFromOpset11ButRequiredBefore) {
  KernelTester("Gemm", /*opset=*/11)
      .Input<int32_t>({1, 2}, {1, 2})
      .Input<int32_t>({2, 1}, {3, 4})
      .ExpectOutput<int32_t>({1, 1}, {11})
      .Run();
  KernelTester("Gemm", /*opset=*/9)
      .Input<float>({1, 2}, {1, 2})
      .Input<float>({2, 1}, {3, 4})
      .ExpectError(StatusCode::kInvalidArgument, "has 2 inputs, expected 3");
}

TEST(GemmTest, RejectsCThatDoesNotBroadcast) {
  KernelTester("Gemm", /*opset=*/13)
      .Input<float>({2, 3}, Iota(6))
      .Input<float>({3, 4}, Iota(12))
      .Input<float>({3}, {1, 2, 3})
      .ExpectError(StatusCode::kInvalidArgument, "cannot be broadcast to [2,4]");
}

TEST(GemmTest, RejectsNon2DOperands) {
  KernelTester("Gemm", /*opset=*/13)
      .Input<float>({6}, Iota(6))
      .Input<float>({3, 4}, Iota(12))
      .ExpectError(StatusCode::kInvalidArgument, "A and B must be 2-D");
}

}  // namespace
}  // namespace convcheck::interp
