#include <gtest/gtest.h>

#include <cstdint>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(EinsumTest, ImplicitOutputIsMatMul) {
  // numpy: np.einsum('ij,jk', np.arange(6.).reshape(2, 3), np.arange(12.).reshape(3, 4))
  KernelTester("Einsum", /*opset=*/12)
      .Attr("equation", "ij,jk")
      .Input<float>({2, 3}, {0, 1, 2, 3, 4, 5})
      .Input<float>({3, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
      .ExpectOutput<float>({2, 4}, {20, 23, 26, 29, 56, 68, 80, 92})
      .Run();
}

TEST(EinsumTest, ImplicitOutputSortsLabels) {
  // numpy: np.einsum('ji', a) is a.T
  KernelTester("Einsum", /*opset=*/12)
      .Attr("equation", "ji")
      .Input<float>({2, 3}, {0, 1, 2, 3, 4, 5})
      .ExpectOutput<float>({3, 2}, {0, 3, 1, 4, 2, 5})
      .Run();
}

TEST(EinsumTest, InnerProductAndFullSum) {
  KernelTester("Einsum", /*opset=*/12)
      .Attr("equation", "i,i->")
      .Input<int32_t>({3}, {1, 2, 3})
      .Input<int32_t>({3}, {4, 5, 6})
      .ExpectOutput<int32_t>({}, {32})
      .Run();
  KernelTester("Einsum", /*opset=*/12)
      .Attr("equation", "ij -> ")
      .Input<double>({2, 3}, {0, 1, 2, 3, 4, 5})
      .ExpectOutput<double>({}, {15})
      .Run();
}

TEST(EinsumTest, BatchDiagonalWithEllipsis) {
  // numpy: np.einsum('...ii->...i', np.arange(18.).reshape(2, 3, 3))
  std::vector<float> x(18);
  for (int i = 0; i < 18; ++i) x[i] = static_cast<float>(i);
  KernelTester("Einsum", /*opset=*/12)
      .Attr("equation", "...ii->...i")
      .Input<float>({2, 3, 3}, x)
      .ExpectOutput<float>({2, 3}, {0, 4, 8, 9, 13, 17})
      .Run();
}

TEST(EinsumTest, EllipsisBroadcastsSizeOne) {
  // numpy: np.einsum('...i,...i->...', [[1, 2]], [[1, 1], [2, 2]]) == [3, 6]
  KernelTester("Einsum", /*opset=*/12)
      .Attr("equation", "...i,...i->...")
      .Input<float>({1, 2}, {1, 2})
      .Input<float>({2, 2}, {1, 1, 2, 2})
      .ExpectOutput<float>({2}, {3, 6})
      .Run();
}

TEST(EinsumTest, RejectsLabelSizeClash) {
  KernelTester("Einsum", /*opset=*/12)
      .Attr("equation", "ij,jk->ik")
      .Input<float>({2, 3}, {0, 0, 0, 0, 0, 0})
      .Input<float>({2, 2}, {0, 0, 0, 0})
      .ExpectError(StatusCode::kInvalidArgument, "label 'j' has sizes 3 and 2");
}

TEST(EinsumTest, RejectsTermOfWrongRank) {
  KernelTester("Einsum", /*opset=*/12)
      .Attr("equation", "ijk->i")
      .Input<float>({2, 3}, {0, 0, 0, 0, 0, 0})
      .ExpectError(StatusCode::kInvalidArgument, "does not match rank 2");
}

TEST(EinsumTest, RejectsUnknownOutputLabel) {
  KernelTester("Einsum", /*opset=*/12)
      .Attr("equation", "ij->k")
      .Input<float>({2, 3}, {0, 0, 0, 0, 0, 0})
      .ExpectError(StatusCode::kInvalidArgument, "output label 'k' does not appear");
}

}  // namespace
}  // namespace convcheck::interp
