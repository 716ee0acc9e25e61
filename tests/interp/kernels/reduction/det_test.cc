#include <gtest/gtest.h>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(DetTest, TwoByTwo) {
  // numpy: np.linalg.det([[1, 2], [3, 4]]) == -2
  KernelTester("Det", /*opset=*/11)
      .Input<float>({2, 2}, {1, 2, 3, 4})
      .ExpectOutput<float>({}, {-2})
      .Run();
}

TEST(DetTest, BatchWithPivoting) {
  // numpy: np.linalg.det of diag(2, 3, 4) and of a row swap of the identity: [24, -1]
  KernelTester("Det", /*opset=*/11)
      .Input<double>({2, 3, 3}, {2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 1, 0, 1, 0, 0, 0, 0, 1})
      .ExpectOutput<double>({2}, {24, -1})
      .Run();
}

TEST(DetTest, SingularMatrixIsZero) {
  KernelTester("Det", /*opset=*/11)
      .Input<float>({2, 2}, {1, 2, 2, 4})
      .ExpectOutput<float>({}, {0})
      .Run();
}

TEST(DetTest, RejectsNonSquare) {
  KernelTester("Det", /*opset=*/11)
      .Input<float>({2, 3}, {0, 0, 0, 0, 0, 0})
      .ExpectError(StatusCode::kInvalidArgument, "input must be [*, M, M], got shape [2,3]");
}

}  // namespace
}  // namespace convcheck::interp
