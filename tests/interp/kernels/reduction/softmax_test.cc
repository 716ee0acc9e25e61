#include <gtest/gtest.h>

#include <cstdint>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(SoftmaxTest, NormalizesLastAxisByDefault) {
  // numpy: e = np.exp([0, 1, 2]); e / e.sum()
  KernelTester("Softmax", /*opset=*/13)
      .Input<float>({2, 3}, {0, 1, 2, 3, 4, 5})
      .ExpectOutput<float>({2, 3}, {0.09003057f, 0.24472847f, 0.66524096f, 0.09003057f,
                                    0.24472847f, 0.66524096f})
      .Run();
}

TEST(SoftmaxTest, LargeInputsDoNotOverflow) {
  KernelTester("Softmax", /*opset=*/13)
      .Input<float>({2}, {1000.0f, 1001.0f})
      .ExpectOutput<float>({2}, {0.26894142f, 0.73105858f})
      .Run();
}

// Opsets 1-12 flatten [1, 2, 2] to [1, 4] at axis 1; opset 13 normalizes only along axis 1.
TEST(SoftmaxTest, Opset12FlattensTrailingDimensions) {
  KernelTester("Softmax", /*opset=*/12)
      .Attr("axis", int64_t{1})
      .Input<float>({1, 2, 2}, {0, 0, 0, 0})
      .ExpectOutput<float>({1, 2, 2}, {0.25f, 0.25f, 0.25f, 0.25f})
      .Run();
}

TEST(SoftmaxTest, Opset13NormalizesOnlyTheGivenAxis) {
  KernelTester("Softmax", /*opset=*/13)
      .Attr("axis", int64_t{1})
      .Input<float>({1, 2, 2}, {0, 0, 0, 0})
      .ExpectOutput<float>({1, 2, 2}, {0.5f, 0.5f, 0.5f, 0.5f})
      .Run();
}

TEST(SoftmaxTest, RejectsAxisOutsideRank) {
  KernelTester("Softmax", /*opset=*/13)
      .Attr("axis", int64_t{2})
      .Input<float>({2, 3}, {0, 0, 0, 0, 0, 0})
      .ExpectError(StatusCode::kInvalidArgument, "axis 2 is out of range for rank 2");
}

TEST(SoftmaxTest, RejectsIntegerInput) {
  KernelTester("Softmax", /*opset=*/13)
      .Input<int64_t>({2}, {1, 2})
      .ExpectError(StatusCode::kInvalidArgument, "int64 is not supported");
}

TEST(SoftmaxTest, EmptyInputGivesEmptyOutput) {
  KernelTester("Softmax", /*opset=*/13)
      .Input<float>({0, 3}, {})
      .ExpectOutput<float>({0, 3}, {})
      .Run();
}

TEST(LogSoftmaxTest, IsXMinusLogSumExp) {
  // numpy: x - x.max() - np.log(np.exp(x - x.max()).sum()) for x = [0, 1, 2, 3]
  KernelTester("LogSoftmax", /*opset=*/13)
      .Input<double>({1, 4}, {0, 1, 2, 3})
      .ExpectOutput<double>({1, 4}, {-3.4401897, -2.4401897, -1.4401897, -0.4401897})
      .Tolerance(1e-7, 1e-6)
      .Run();
}

TEST(LogSoftmaxTest, Opset11FlattensAtDefaultAxisOne) {
  // [1, 2, 2] flattened to [1, 4]: each entry is log(1/4).
  KernelTester("LogSoftmax", /*opset=*/11)
      .Input<float>({1, 2, 2}, {0, 0, 0, 0})
      .ExpectOutput<float>({1, 2, 2}, {-1.3862944f, -1.3862944f, -1.3862944f, -1.3862944f})
      .Run();
}

TEST(HardmaxTest, FirstMaximumWins) {
  KernelTester("Hardmax", /*opset=*/13)
      .Input<float>({2, 3}, {3, 1, 3, 0, 2, 1})
      .ExpectOutput<float>({2, 3}, {1, 0, 0, 0, 1, 0})
      .Run();
}

TEST(HardmaxTest, Opset11FlattensAtAxis) {
  // Flattened to [1, 4]: one 1 over all four entries.
  KernelTester("Hardmax", /*opset=*/11)
      .Attr("axis", int64_t{1})
      .Input<float>({1, 2, 2}, {1, 2, 4, 3})
      .ExpectOutput<float>({1, 2, 2}, {0, 0, 1, 0})
      .Run();
}

}  // namespace
}  // namespace convcheck::interp
