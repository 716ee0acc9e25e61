#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(GatherTest, TakesRowsWithNegativeIndices) {
  // numpy: np.take([[1, 2], [3, 4], [5, 6]], [[-1], [0]], axis=0)
  KernelTester("Gather", /*opset=*/13)
      .Input<float>({3, 2}, {1, 2, 3, 4, 5, 6})
      .Input<int32_t>({2, 1}, {-1, 0})
      .ExpectOutput<float>({2, 1, 2}, {5, 6, 1, 2})
      .Run();
}

TEST(GatherTest, AxisOneWithScalarIndex) {
  // numpy: np.take(np.array([["a", "b"], ["c", "d"]]), 1, axis=1)
  KernelTester("Gather", /*opset=*/13)
      .Attr("axis", int64_t{1})
      .Input<std::string>({2, 2}, {"a", "b", "c", "d"})
      .Input<int64_t>({}, {1})
      .ExpectOutput<std::string>({2}, {"b", "d"})
      .Run();
}

TEST(GatherTest, OutOfRangeIndexIsAComputeError) {
  KernelTester("Gather", /*opset=*/13)
      .Input<float>({3}, {1, 2, 3})
      .Input<int64_t>({2}, {0, 3})
      .ExpectError(StatusCode::kInvalidArgument,
                   "indices[1] = 3 is out of range for a dimension of size 3");
}

TEST(GatherTest, RejectsFloatIndices) {
  KernelTester("Gather", /*opset=*/13)
      .Input<float>({3}, {1, 2, 3})
      .Input<float>({1}, {0})
      .ExpectError(StatusCode::kInvalidArgument, "indices must be int32 or int64, got float32");
}

TEST(GatherElementsTest, PicksAlongAxis) {
  // numpy: np.take_along_axis(np.array([[1, 2], [3, 4]]), np.array([[0, 0], [1, 0]]), axis=1)
  KernelTester("GatherElements", /*opset=*/13)
      .Attr("axis", int64_t{1})
      .Input<int32_t>({2, 2}, {1, 2, 3, 4})
      .Input<int64_t>({2, 2}, {0, 0, 1, 0})
      .ExpectOutput<int32_t>({2, 2}, {1, 1, 4, 3})
      .Run();
}

TEST(GatherElementsTest, SmallerIndicesAndNegativeValues) {
  // numpy: take_along_axis([[1,2,3],[4,5,6],[7,8,9]], [[-1,0,1]], axis=0) -> [[7, 2, 6]]
  KernelTester("GatherElements", /*opset=*/13)
      .Input<float>({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9})
      .Input<int64_t>({1, 3}, {-1, 0, 1})
      .ExpectOutput<float>({1, 3}, {7, 2, 6})
      .Run();
}

TEST(GatherElementsTest, OutOfRangeIndexIsAComputeError) {
  KernelTester("GatherElements", /*opset=*/13)
      .Input<float>({2}, {1, 2})
      .Input<int64_t>({1}, {-3})
      .ExpectError(StatusCode::kInvalidArgument, "indices[0] = -3 is out of range");
}

TEST(GatherElementsTest, RejectsRankMismatch) {
  KernelTester("GatherElements", /*opset=*/13)
      .Input<float>({2, 1}, {1, 2})
      .Input<int64_t>({1}, {0})
      .ExpectError(StatusCode::kInvalidArgument, "must have the same rank");
}

TEST(GatherNDTest, TuplesAddressLeadingDimensions) {
  // numpy: d = np.array([[0, 1], [2, 3]]); d[[0, 1], [0, 1]] and rows d[[1]]
  KernelTester("GatherND", /*opset=*/13)
      .Input<int32_t>({2, 2}, {0, 1, 2, 3})
      .Input<int64_t>({2, 2}, {0, 0, 1, 1})
      .ExpectOutput<int32_t>({2}, {0, 3})
      .Run();
  KernelTester("GatherND", /*opset=*/13)
      .Input<int32_t>({2, 2}, {0, 1, 2, 3})
      .Input<int64_t>({2, 1}, {1, 0})
      .ExpectOutput<int32_t>({2, 2}, {2, 3, 0, 1})
      .Run();
}

TEST(GatherNDTest, Opset12BatchDims) {
  // numpy: d = np.arange(8).reshape(2, 2, 2); [d[0][1], d[1][0]] == [[2, 3], [4, 5]]
  KernelTester("GatherND", /*opset=*/12)
      .Attr("batch_dims", int64_t{1})
      .Input<float>({2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7})
      .Input<int64_t>({2, 1}, {1, 0})
      .ExpectOutput<float>({2, 2}, {2, 3, 4, 5})
      .Run();
}

TEST(GatherNDTest, RejectsTupleLongerThanRankAndBadIndex) {
  KernelTester("GatherND", /*opset=*/13)
      .Input<float>({2}, {0, 1})
      .Input<int64_t>({1, 2}, {0, 0})
      .ExpectError(StatusCode::kInvalidArgument, "indices.shape[-1] = 2 must be in [1, 1]");
  KernelTester("GatherND", /*opset=*/13)
      .Input<float>({2}, {0, 1})
      .Input<int64_t>({1, 1}, {2})
      .ExpectError(StatusCode::kInvalidArgument, "indices[0] = 2 is out of range");
}

}  // namespace
}  // namespace convcheck::interp
