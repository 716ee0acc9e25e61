#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(ExpandTest, BroadcastsBothWays) {
  // numpy: np.array([[1], [2]]) * np.ones((2, 1, 3)) -> shape (2, 2, 3)
  KernelTester("Expand", /*opset=*/13)
      .Input<float>({2, 1}, {1, 2})
      .Input<int64_t>({3}, {2, 1, 3})
      .ExpectOutput<float>({2, 2, 3}, {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2})
      .Run();
}

TEST(ExpandTest, LowerRankShapeKeepsInputShape) {
  KernelTester("Expand", /*opset=*/13)
      .Input<std::string>({2, 1}, {"a", "b"})
      .Input<int64_t>({1}, {1})
      .ExpectOutput<std::string>({2, 1}, {"a", "b"})
      .Run();
}

TEST(ExpandTest, RejectsIncompatibleShape) {
  KernelTester("Expand", /*opset=*/13)
      .Input<float>({3}, {1, 2, 3})
      .Input<int64_t>({1}, {2})
      .ExpectError(StatusCode::kInvalidArgument, "cannot be broadcast");
}

TEST(TileTest, RepeatsEachDimension) {
  // numpy: np.tile([[1, 2], [3, 4]], (2, 1))
  KernelTester("Tile", /*opset=*/13)
      .Input<int32_t>({2, 2}, {1, 2, 3, 4})
      .Input<int64_t>({2}, {2, 1})
      .ExpectOutput<int32_t>({4, 2}, {1, 2, 3, 4, 1, 2, 3, 4})
      .Run();
  // numpy: np.tile([1, 2], 3)
  KernelTester("Tile", /*opset=*/13)
      .Input<bool>({2}, {true, false})
      .Input<int64_t>({1}, {3})
      .ExpectOutput<bool>({6}, {true, false, true, false, true, false})
      .Run();
}

TEST(TileTest, ZeroRepeatsGiveEmptyOutput) {
  KernelTester("Tile", /*opset=*/13)
      .Input<float>({2}, {1, 2})
      .Input<int64_t>({1}, {0})
      .ExpectOutput<float>({0}, {})
      .Run();
}

TEST(TileTest, RejectsWrongRepeatsLengthAndNegatives) {
  KernelTester("Tile", /*opset=*/13)
      .Input<float>({2}, {1, 2})
      .Input<int64_t>({2}, {1, 1})
      .ExpectError(StatusCode::kInvalidArgument, "one entry per input dimension (1)");
  KernelTester("Tile", /*opset=*/13)
      .Input<float>({2}, {1, 2})
      .Input<int64_t>({1}, {-1})
      .ExpectError(StatusCode::kInvalidArgument, "negative");
}

}  // namespace
}  // namespace convcheck::interp
