#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

constexpr const char* kTraining = "ai.onnx.preview.training";

// Expected values: the numpy update rules of onnx/backend/test/case/node/{adagrad,adam,
// momentum}.py evaluated in float64 with the same arguments.

TEST(AdagradTest, DecayedRateAndRegularization) {
  KernelTester("Adagrad", 1, kTraining)
      .Attr("norm_coefficient", 0.01f)
      .Attr("epsilon", 1e-6f)
      .Attr("decay_factor", 0.1f)
      .Input(Tensor::Scalar<float>(0.1f))
      .Input(Tensor::Scalar<int64_t>(1))
      .Input<float>({2}, {1, 2})
      .Input<float>({2}, {-1, 3})
      .Input<float>({2}, {2, 0.5f})
      .ExpectOutput<float>({2}, {1.0521347f, 1.91148486f})
      .ExpectOutput<float>({2}, {2.9801f, 9.6204f})
      .Run();
}

TEST(AdamTest, BiasCorrectionAfterFirstStep) {
  KernelTester("Adam", 1, kTraining)
      .Attr("norm_coefficient", 0.001f)
      .Attr("alpha", 0.95f)
      .Attr("beta", 0.1f)
      .Attr("epsilon", 1e-7f)
      .Input(Tensor::Scalar<float>(0.1f))
      .Input(Tensor::Scalar<int64_t>(2))
      .Input<float>({2}, {1.2f, 2.8f})
      .Input<float>({2}, {-0.94f, -2.5f})
      .Input<float>({2}, {1.7f, 3.6f})
      .Input<float>({2}, {0.1f, 0.1f})
      .ExpectOutput<float>({2}, {-0.58550394f, 1.3818385f})
      .ExpectOutput<float>({2}, {1.56806f, 3.29514f})
      .ExpectOutput<float>({2}, {0.8032109f, 5.62240706f})
      .Run();
}

TEST(AdamTest, NoBiasCorrectionAtStepZeroAndPostRegularization) {
  KernelTester("Adam", 1, kTraining)
      .Attr("norm_coefficient_post", 0.5f)
      .Input(Tensor::Scalar<double>(0.1))
      .Input(Tensor::Scalar<int64_t>(0))
      .Input<double>({1}, {1.2})
      .Input<double>({1}, {-0.94})
      .Input<double>({1}, {1.7})
      .Input<double>({1}, {0.1})
      .ExpectOutput<double>({1}, {0.37383357})
      .ExpectOutput<double>({1}, {1.436})
      .ExpectOutput<double>({1}, {0.1007836})
      .Run();
}

TEST(MomentumTest, StandardAtFirstStepUsesBetaOne) {
  KernelTester("Momentum", 1, kTraining)
      .Attr("norm_coefficient", 0.001f)
      .Attr("alpha", 0.95f)
      .Attr("beta", 0.1f)
      .Attr("mode", "standard")
      .Input(Tensor::Scalar<float>(0.1f))
      .Input(Tensor::Scalar<int64_t>(0))
      .Input<float>({2}, {1.2f, 2.8f})
      .Input<float>({2}, {-0.94f, -2.5f})
      .Input<float>({2}, {1.7f, 3.6f})
      .ExpectOutput<float>({2}, {1.13238f, 2.70772f})
      .ExpectOutput<float>({2}, {0.6762f, 0.9228f})
      .Run();
}

TEST(MomentumTest, Nesterov) {
  KernelTester("Momentum", 1, kTraining)
      .Attr("norm_coefficient", 0.001f)
      .Attr("alpha", 0.95f)
      .Attr("beta", 0.1f)
      .Attr("mode", "nesterov")
      .Input(Tensor::Scalar<float>(0.1f))
      .Input(Tensor::Scalar<int64_t>(3))
      .Input<float>({2}, {1.2f, 2.8f})
      .Input<float>({2}, {-0.94f, -2.5f})
      .Input<float>({2}, {1.7f, 3.6f})
      .ExpectOutput<float>({2}, {1.1493736f, 2.7485434f})
      .ExpectOutput<float>({2}, {1.52112f, 3.17028f})
      .Run();
}

TEST(MomentumTest, RejectsUnknownMode) {
  KernelTester("Momentum", 1, kTraining)
      .Attr("norm_coefficient", 0.0f)
      .Attr("alpha", 0.9f)
      .Attr("beta", 0.1f)
      .Attr("mode", "adaptive")
      .Input(Tensor::Scalar<float>(0.1f))
      .Input(Tensor::Scalar<int64_t>(0))
      .Input<float>({1}, {1})
      .Input<float>({1}, {1})
      .Input<float>({1}, {1})
      .IgnoreOutput()
      .IgnoreOutput()
      .ExpectError(StatusCode::kInvalidArgument, "mode is 'adaptive'");
}

TEST(AdagradTest, RejectsIncompleteGroups) {
  KernelTester("Adagrad", 1, kTraining)
      .Input(Tensor::Scalar<float>(0.1f))
      .Input(Tensor::Scalar<int64_t>(0))
      .Input<float>({1}, {1})
      .Input<float>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "3 tensors per optimized tensor");
}

TEST(AdagradTest, RejectsShapeMismatch) {
  KernelTester("Adagrad", 1, kTraining)
      .Input(Tensor::Scalar<float>(0.1f))
      .Input(Tensor::Scalar<int64_t>(0))
      .Input<float>({2}, {1, 2})
      .Input<float>({1}, {1})
      .Input<float>({2}, {1, 2})
      .IgnoreOutput()
      .IgnoreOutput()
      .ExpectError(StatusCode::kInvalidArgument, "input 3 is float32[1] but X input 0 is float32[2]");
}

}  // namespace
}  // namespace convcheck::interp
