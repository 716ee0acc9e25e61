#include <gtest/gtest.h>

#include <cstdint>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(OneHotTest, LastAxisWithNegativeAndOutOfRangeIndices) {
  // numpy: np.eye(3)[[0, -1]] with off=0, on=5; index 7 gives an all-off row
  KernelTester("OneHot", /*opset=*/11)
      .Input<int64_t>({3}, {0, -1, 7})
      .Input<float>({}, {3})
      .Input<int32_t>({2}, {0, 5})
      .ExpectOutput<int32_t>({3, 3}, {5, 0, 0, 0, 0, 5, 0, 0, 0})
      .Run();
}

TEST(OneHotTest, Opset10TreatsNegativeIndicesAsOutOfRange) {
  KernelTester("OneHot", /*opset=*/10)
      .Input<int64_t>({1}, {-1})
      .Input<int64_t>({1}, {2})
      .Input<float>({2}, {0, 1})
      .ExpectOutput<float>({1, 2}, {0, 0})
      .Run();
}

TEST(OneHotTest, AxisZero) {
  // numpy: np.eye(2)[[1, 0]].T
  KernelTester("OneHot", /*opset=*/11)
      .Attr("axis", int64_t{0})
      .Input<float>({2}, {1, 0})
      .Input<int64_t>({}, {2})
      .Input<float>({2}, {0, 1})
      .ExpectOutput<float>({2, 2}, {0, 1, 1, 0})
      .Run();
}

TEST(OneHotTest, RejectsBadDepthAndValues) {
  KernelTester("OneHot", /*opset=*/11)
      .Input<int64_t>({1}, {0})
      .Input<int64_t>({}, {0})
      .Input<float>({2}, {0, 1})
      .ExpectError(StatusCode::kInvalidArgument, "depth must be positive");
  KernelTester("OneHot", /*opset=*/11)
      .Input<int64_t>({1}, {0})
      .Input<int64_t>({}, {2})
      .Input<float>({3}, {0, 1, 2})
      .ExpectError(StatusCode::kInvalidArgument, "values must be [off_value, on_value]");
}

}  // namespace
}  // namespace convcheck::interp
