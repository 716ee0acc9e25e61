#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(WhereTest, PicksElementwise) {
  // numpy: np.where([[1, 0], [1, 1]], [[1, 2], [3, 4]], [[9, 8], [7, 6]])
  KernelTester("Where", /*opset=*/9)
      .Input<bool>({2, 2}, {true, false, true, true})
      .Input<float>({2, 2}, {1, 2, 3, 4})
      .Input<float>({2, 2}, {9, 8, 7, 6})
      .ExpectOutput<float>({2, 2}, {1, 8, 3, 4})
      .Run();
}

TEST(WhereTest, BroadcastsAllThreeInputs) {
  // numpy: np.where(np.array([True, False]).reshape(2, 1), np.int64([1, 2, 3]), np.int64(0))
  KernelTester("Where", /*opset=*/16)
      .Input<bool>({2, 1}, {true, false})
      .Input<int64_t>({3}, {1, 2, 3})
      .Input(Tensor::Scalar<int64_t>(0))
      .ExpectOutput<int64_t>({2, 3}, {1, 2, 3, 0, 0, 0})
      .Run();
}

TEST(WhereTest, StringsAreSupported) {
  // numpy: np.where([True, False], ['a', 'b'], ['c'])
  KernelTester("Where", /*opset=*/9)
      .Input<bool>({2}, {true, false})
      .Input<std::string>({2}, {"a", "b"})
      .Input<std::string>({1}, {"c"})
      .ExpectOutput<std::string>({2}, {"a", "c"})
      .Run();
}

TEST(WhereTest, RejectsBadTypes) {
  KernelTester("Where", /*opset=*/9)
      .Input<int32_t>({1}, {1})
      .Input<float>({1}, {1})
      .Input<float>({1}, {2})
      .ExpectError(StatusCode::kInvalidArgument, "condition must be bool, got int32");
  KernelTester("Where", /*opset=*/9)
      .Input<bool>({1}, {true})
      .Input<float>({1}, {1})
      .Input<double>({1}, {2})
      .ExpectError(StatusCode::kInvalidArgument, "X and Y have different types");
  KernelTester("Where", /*opset=*/9)
      .Input<bool>({2}, {true, false})
      .Input<float>({3}, {1, 2, 3})
      .Input<float>({1}, {2})
      .ExpectError(StatusCode::kInvalidArgument, "cannot be broadcast");
}

}  // namespace
}  // namespace convcheck::interp
