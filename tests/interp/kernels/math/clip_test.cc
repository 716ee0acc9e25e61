#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(ClipTest, BoundsAsInputs) {
  // numpy: np.clip([-2, 0, 2], -1, 1)
  KernelTester("Clip", /*opset=*/13)
      .Input<float>({3}, {-2, 0, 2})
      .Input(Tensor::Scalar<float>(-1))
      .Input(Tensor::Scalar<float>(1))
      .ExpectOutput<float>({3}, {-1, 0, 1})
      .Run();
}

TEST(ClipTest, AbsentBoundsAreUnbounded) {
  // numpy: np.clip([-2, 0, 2], None, 1) and np.clip(x, -1, None)
  KernelTester("Clip", /*opset=*/11)
      .Input<float>({3}, {-2, 0, 2})
      .AbsentInput()
      .Input(Tensor::Scalar<float>(1))
      .ExpectOutput<float>({3}, {-2, 0, 1})
      .Run();
  KernelTester("Clip", /*opset=*/11)
      .Input<float>({3}, {-2, 0, 2})
      .Input(Tensor::Scalar<float>(-1))
      .ExpectOutput<float>({3}, {-1, 0, 2})
      .Run();
  KernelTester("Clip", /*opset=*/11)
      .Input<float>({2}, {-1e30f, 1e30f})
      .ExpectOutput<float>({2}, {-1e30f, 1e30f})
      .Run();
}

// Opsets 6-10 take the bounds as attributes; opset 11 moved them to inputs.
TEST(ClipTest, Opset10BoundsAreAttributes) {
  // numpy: np.clip([-2, 0, 2], -1, 1)
  KernelTester("Clip", /*opset=*/10)
      .Attr("min", -1.0f)
      .Attr("max", 1.0f)
      .Input<float>({3}, {-2, 0, 2})
      .ExpectOutput<float>({3}, {-1, 0, 1})
      .Run();
  KernelTester("Clip", /*opset=*/6)
      .Input<float>({2}, {-1e30f, 1e30f})
      .ExpectOutput<float>({2}, {-1e30f, 1e30f})
      .Run();
}

TEST(ClipTest, IntegersFromOpset12) {
  // numpy: np.clip(np.int8([-128, 5, 127]), -5, 100)
  KernelTester("Clip", /*opset=*/12)
      .Input<int8_t>({3}, {-128, 5, 127})
      .Input(Tensor::Scalar<int8_t>(-5))
      .Input(Tensor::Scalar<int8_t>(100))
      .ExpectOutput<int8_t>({3}, {-5, 5, 100})
      .Run();
  KernelTester("Clip", /*opset=*/11)
      .Input<int8_t>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "Clip does not accept int8 input at opset 11");
}

TEST(ClipTest, MinAboveMaxGivesMax) {
  // numpy: np.minimum(np.maximum([0, 5], 3), 1) -> [1, 1]
  KernelTester("Clip", /*opset=*/13)
      .Input<float>({2}, {0, 5})
      .Input(Tensor::Scalar<float>(3))
      .Input(Tensor::Scalar<float>(1))
      .ExpectOutput<float>({2}, {1, 1})
      .Run();
}

TEST(ClipTest, NaNStaysNaN) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  KernelTester("Clip", /*opset=*/13)
      .Input<float>({1}, {nan})
      .Input(Tensor::Scalar<float>(0))
      .Input(Tensor::Scalar<float>(1))
      .ExpectOutput<float>({1}, {nan})
      .Run();
}

TEST(ClipTest, RejectsBadBounds) {
  KernelTester("Clip", /*opset=*/13)
      .Input<float>({1}, {0})
      .Input<float>({2}, {0, 1})
      .ExpectError(StatusCode::kInvalidArgument, "Clip min must be a scalar, got shape [2]");
  KernelTester("Clip", /*opset=*/13)
      .Input<float>({1}, {0})
      .AbsentInput()
      .Input(Tensor::Scalar<double>(1))
      .ExpectError(StatusCode::kInvalidArgument, "Clip max has type float64 but input has float32");
}

}  // namespace
}  // namespace convcheck::interp
