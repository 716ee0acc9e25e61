#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(CompressTest, AlongAxisWithShortCondition) {
  // numpy: np.compress([False, True], [[1, 2], [3, 4], [5, 6]], axis=0) == [[3, 4]]
  KernelTester("Compress", /*opset=*/11)
      .Attr("axis", int64_t{0})
      .Input<float>({3, 2}, {1, 2, 3, 4, 5, 6})
      .Input<bool>({2}, {false, true})
      .ExpectOutput<float>({1, 2}, {3, 4})
      .Run();
}

TEST(CompressTest, WithoutAxisFlattens) {
  // numpy: np.compress([0, 1, 0, 1], [["a", "b"], ["c", "d"]]) == ["b", "d"]
  KernelTester("Compress", /*opset=*/11)
      .Input<std::string>({2, 2}, {"a", "b", "c", "d"})
      .Input<bool>({4}, {false, true, false, true})
      .ExpectOutput<std::string>({2}, {"b", "d"})
      .Run();
}

TEST(CompressTest, TrueBeyondAxisIsAnError) {
  KernelTester("Compress", /*opset=*/11)
      .Attr("axis", int64_t{-1})
      .Input<float>({1, 2}, {1, 2})
      .Input<bool>({3}, {true, false, true})
      .ExpectError(StatusCode::kInvalidArgument, "condition[2] is true but the axis has only 2");
}

TEST(CompressTest, RejectsNonBoolCondition) {
  KernelTester("Compress", /*opset=*/11)
      .Input<float>({2}, {1, 2})
      .Input<int64_t>({2}, {1, 0})
      .ExpectError(StatusCode::kInvalidArgument, "condition must be a 1-D bool tensor");
}

TEST(NonZeroTest, CoordinatesInRowMajorOrder) {
  // numpy: np.array(np.nonzero([[1, 0], [1, 1]])) == [[0, 1, 1], [0, 0, 1]]
  KernelTester("NonZero", /*opset=*/13)
      .Input<int32_t>({2, 2}, {1, 0, 1, 1})
      .ExpectOutput<int64_t>({2, 3}, {0, 1, 1, 0, 0, 1})
      .Run();
}

TEST(NonZeroTest, EmptyResultAndStrings) {
  KernelTester("NonZero", /*opset=*/13)
      .Input<float>({2}, {0, -0.0f})
      .ExpectOutput<int64_t>({1, 0}, {})
      .Run();
  KernelTester("NonZero", /*opset=*/13)
      .Input<std::string>({3}, {"", "x", ""})
      .ExpectOutput<int64_t>({1, 1}, {1})
      .Run();
}

}  // namespace
}  // namespace convcheck::interp
