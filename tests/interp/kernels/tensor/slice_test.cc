#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

TEST(SliceTest, StartsEndsAxesSteps) {
  // numpy: np.arange(12).reshape(3, 4)[0:3:2, 1:4:2] == [[1, 3], [9, 11]]
  KernelTester("Slice", /*opset=*/13)
      .Input<int32_t>({3, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
      .Input<int64_t>({2}, {0, 1})
      .Input<int64_t>({2}, {3, 4})
      .Input<int64_t>({2}, {0, 1})
      .Input<int64_t>({2}, {2, 2})
      .ExpectOutput<int32_t>({2, 2}, {1, 3, 9, 11})
      .Run();
}

TEST(SliceTest, NegativeStepWalksBackwardsAndClamps) {
  // numpy: np.arange(5)[10:-100:-2] == [4, 2, 0]
  KernelTester("Slice", /*opset=*/13)
      .Input<float>({5}, {0, 1, 2, 3, 4})
      .Input<int64_t>({1}, {10})
      .Input<int64_t>({1}, {-100})
      .AbsentInput()
      .Input<int64_t>({1}, {-2})
      .ExpectOutput<float>({3}, {4, 2, 0})
      .Run();
}

TEST(SliceTest, ReverseWholeAxisWithIntMin) {
  // numpy: np.arange(3)[::-1]
  KernelTester("Slice", /*opset=*/13)
      .Input<float>({3}, {0, 1, 2})
      .Input<int64_t>({1}, {-1})
      .Input<int64_t>({1}, {kMin})
      .Input<int64_t>({1}, {0})
      .Input<int64_t>({1}, {-1})
      .ExpectOutput<float>({3}, {2, 1, 0})
      .Run();
}

TEST(SliceTest, EndBeyondDimensionIsClampedAndEmptyResultsAllowed) {
  // numpy: np.arange(4)[1:2**63-1] == [1, 2, 3]; np.arange(4)[3:1] == []
  KernelTester("Slice", /*opset=*/13)
      .Input<int64_t>({4}, {0, 1, 2, 3})
      .Input<int32_t>({1}, {1})
      .Input<int64_t>({1}, {kMax})
      .ExpectOutput<int64_t>({3}, {1, 2, 3})
      .Run();
  KernelTester("Slice", /*opset=*/13)
      .Input<int64_t>({4}, {0, 1, 2, 3})
      .Input<int64_t>({1}, {3})
      .Input<int64_t>({1}, {1})
      .ExpectOutput<int64_t>({0}, {})
      .Run();
}

TEST(SliceTest, Opset9TakesAttributes) {
  KernelTester("Slice", /*opset=*/9)
      .Attr("starts", std::vector<int64_t>{1})
      .Attr("ends", std::vector<int64_t>{-1})
      .Attr("axes", std::vector<int64_t>{1})
      .Input<float>({2, 3}, {0, 1, 2, 3, 4, 5})
      .ExpectOutput<float>({2, 1}, {1, 4})
      .Run();
}

TEST(SliceTest, RejectsZeroStep) {
  KernelTester("Slice", /*opset=*/13)
      .Input<float>({3}, {0, 1, 2})
      .Input<int64_t>({1}, {0})
      .Input<int64_t>({1}, {3})
      .Input<int64_t>({1}, {0})
      .Input<int64_t>({1}, {0})
      .ExpectError(StatusCode::kInvalidArgument, "steps [0] has a zero");
}

TEST(SliceTest, RejectsRepeatedAxisAndMismatchedLengths) {
  KernelTester("Slice", /*opset=*/13)
      .Input<float>({3}, {0, 1, 2})
      .Input<int64_t>({2}, {0, 0})
      .Input<int64_t>({2}, {3, 3})
      .Input<int64_t>({2}, {0, -1})
      .ExpectError(StatusCode::kInvalidArgument, "axes [0,-1] has a duplicate");
  KernelTester("Slice", /*opset=*/13)
      .Input<float>({3}, {0, 1, 2})
      .Input<int64_t>({2}, {0, 0})
      .Input<int64_t>({1}, {3})
      .ExpectError(StatusCode::kInvalidArgument, "starts has 2 entries but ends has 1");
}

}  // namespace
}  // namespace convcheck::interp
