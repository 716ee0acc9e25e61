#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(TopKTest, LargestWithTiesTakingLowerIndexFirst) {
  // numpy: x = [3, 1, 3, 2]; stable argsort of -x -> [0, 2, 3, 1]
  KernelTester("TopK", /*opset=*/11)
      .Input<float>({4}, {3, 1, 3, 2})
      .Input<int64_t>({1}, {3})
      .ExpectOutput<float>({3}, {3, 3, 2})
      .ExpectOutput<int64_t>({3}, {0, 2, 3})
      .Run();
}

TEST(TopKTest, Opset11SmallestAlongAxisZero) {
  // numpy: np.sort([[4, 1], [2, 3]], axis=0)[:1] == [[2, 1]]
  KernelTester("TopK", /*opset=*/11)
      .Attr("axis", int64_t{0})
      .Attr("largest", int64_t{0})
      .Input<int32_t>({2, 2}, {4, 1, 2, 3})
      .Input<int64_t>({1}, {1})
      .ExpectOutput<int32_t>({1, 2}, {2, 1})
      .ExpectOutput<int64_t>({1, 2}, {1, 0})
      .Run();
}

TEST(TopKTest, Opset1TakesKAttribute) {
  KernelTester("TopK", /*opset=*/1)
      .Attr("k", int64_t{1})
      .Input<double>({1, 3}, {1, 5, 2})
      .ExpectOutput<double>({1, 1}, {5})
      .ExpectOutput<int64_t>({1, 1}, {1})
      .Run();
}

TEST(TopKTest, NaNIsLargest) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  KernelTester("TopK", /*opset=*/11)
      .Input<float>({3}, {1, nan, 2})
      .Input<int64_t>({1}, {2})
      .ExpectOutput<float>({2}, {nan, 2})
      .ExpectOutput<int64_t>({2}, {1, 2})
      .Run();
}

TEST(TopKTest, RejectsKLargerThanAxis) {
  KernelTester("TopK", /*opset=*/11)
      .Input<float>({2}, {1, 2})
      .Input<int64_t>({1}, {3})
      .IgnoreOutput()
      .IgnoreOutput()
      .ExpectError(StatusCode::kInvalidArgument, "k 3 is out of range for axis 0 of size 2");
}

}  // namespace
}  // namespace convcheck::interp
