#include <gtest/gtest.h>

#include <cstdint>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(CumSumTest, Inclusive) {
  // numpy: np.cumsum([1, 2, 3, 4])
  KernelTester("CumSum", /*opset=*/14)
      .Input<float>({4}, {1, 2, 3, 4})
      .Input<int32_t>({}, {0})
      .ExpectOutput<float>({4}, {1, 3, 6, 10})
      .Run();
}

TEST(CumSumTest, ExclusiveReverse) {
  // numpy: np.cumsum([1, 2, 3][::-1])[::-1] - [1, 2, 3] == [5, 3, 0]
  KernelTester("CumSum", /*opset=*/14)
      .Attr("exclusive", int64_t{1})
      .Attr("reverse", int64_t{1})
      .Input<int64_t>({3}, {1, 2, 3})
      .Input<int64_t>({1}, {0})
      .ExpectOutput<int64_t>({3}, {5, 3, 0})
      .Run();
}

TEST(CumSumTest, NegativeAxis) {
  // numpy: np.cumsum([[1, 2], [3, 4]], axis=-1)
  KernelTester("CumSum", /*opset=*/11)
      .Input<double>({2, 2}, {1, 2, 3, 4})
      .Input<int64_t>({}, {-1})
      .ExpectOutput<double>({2, 2}, {1, 3, 3, 7})
      .Run();
}

TEST(CumSumTest, RejectsBadAxisAndType) {
  KernelTester("CumSum", /*opset=*/14)
      .Input<float>({2}, {1, 2})
      .Input<int64_t>({}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "axis 1 is out of range for rank 1");
  KernelTester("CumSum", /*opset=*/14)
      .Input<int8_t>({2}, {1, 2})
      .Input<int64_t>({}, {0})
      .ExpectError(StatusCode::kInvalidArgument, "input type int8 is not supported");
}

}  // namespace
}  // namespace convcheck::interp
