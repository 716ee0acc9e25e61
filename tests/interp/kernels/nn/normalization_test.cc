#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

// x is [1, 2, 2, 2]: channel 0 = [1, 2, 3, 4], channel 1 = [-1, 0, 5, 9].
const std::vector<float> kX = {1, 2, 3, 4, -1, 0, 5, 9};

TEST(BatchNormalizationTest, InferenceUsesTheRunningStatistics) {
  // numpy: (x - mean[c]) / np.sqrt(var[c] + 1e-5) * scale[c] + B[c]
  KernelTester("BatchNormalization", /*opset=*/15)
      .Input<float>({1, 2, 2, 2}, kX)
      .Input<float>({2}, {1, 2})
      .Input<float>({2}, {0, 1})
      .Input<float>({2}, {2, 1})
      .Input<float>({2}, {1, 4})
      .ExpectOutput<float>({1, 2, 2, 2}, {-0.999995f, 0, 0.999995f, 1.99999f, -0.9999975f,
                                          1.2499977e-06f, 4.999995f, 8.99999f})
      .Run();
}

TEST(BatchNormalizationTest, TrainingModeUsesBatchStatisticsAndUpdatesRunningOnes) {
  // numpy: bm = x.mean((0, 2, 3)); bv = x.var((0, 2, 3)); y normalized with bm, bv;
  // running_mean = mean * 0.9 + bm * 0.1; running_var = var * 0.9 + bv * 0.1.
  KernelTester("BatchNormalization", /*opset=*/15)
      .Attr("training_mode", int64_t{1})
      .Input<float>({1, 2, 2, 2}, kX)
      .Input<float>({2}, {1, 2})
      .Input<float>({2}, {0, 1})
      .Input<float>({2}, {2, 1})
      .Input<float>({2}, {1, 4})
      .ExpectOutput<float>({1, 2, 2, 2}, {-1.3416355f, -0.4472118f, 0.4472118f, 1.3416355f,
                                          -1.1126566f, -0.6155609f, 1.8699174f, 3.8583f})
      .ExpectOutput<float>({2}, {2.05f, 1.225f})
      .ExpectOutput<float>({2}, {1.025f, 5.21875f})
      .Run();
}

TEST(BatchNormalizationTest, Opset15AllowsDifferentParameterTypes) {
  // Same as the inference case with scale/B in double; running stats stay float.
  KernelTester("BatchNormalization", /*opset=*/15)
      .Input<float>({1, 2, 1, 1}, {1, -1})
      .Input<double>({2}, {1, 2})
      .Input<double>({2}, {0, 1})
      .Input<float>({2}, {2, 1})
      .Input<float>({2}, {1, 4})
      .ExpectOutput<float>({1, 2, 1, 1}, {-0.999995f, -0.9999975f})
      .Run();
}

TEST(BatchNormalizationTest, Opset14RequiresOneParameterType) {
  KernelTester("BatchNormalization", /*opset=*/14)
      .Input<float>({1, 2, 1, 1}, {1, -1})
      .Input<double>({2}, {1, 2})
      .Input<double>({2}, {0, 1})
      .Input<float>({2}, {2, 1})
      .Input<float>({2}, {1, 4})
      .ExpectError(StatusCode::kInvalidArgument, "input 1 is float64 but X is float32");
}

TEST(BatchNormalizationTest, Opset7NonSpatialTakesPerElementParameters) {
  // spatial = 0: parameters have shape [C, H] = [1, 2]; y = (x - mean) / sqrt(var + eps).
  KernelTester("BatchNormalization", /*opset=*/7)
      .Attr("spatial", int64_t{0})
      .Attr("epsilon", 0.0f)
      .Input<float>({1, 1, 2}, {3, 3})
      .Input<float>({1, 2}, {1, 1})
      .Input<float>({1, 2}, {0, 0})
      .Input<float>({1, 2}, {1, 2})
      .Input<float>({1, 2}, {4, 1})
      .ExpectOutput<float>({1, 1, 2}, {1, 1})
      .Run();
}

TEST(BatchNormalizationTest, RejectsWrongParameterShape) {
  KernelTester("BatchNormalization", /*opset=*/15)
      .Input<float>({1, 2, 1, 1}, {1, -1})
      .Input<float>({3}, {1, 2, 3})
      .Input<float>({2}, {0, 1})
      .Input<float>({2}, {2, 1})
      .Input<float>({2}, {1, 4})
      .ExpectError(StatusCode::kInvalidArgument, "input 1 has shape [3], expected [2]");
}

TEST(InstanceNormalizationTest, NormalizesEachPlane) {
  // numpy: mu = x.mean((2, 3)); var = x.var((2, 3)); (x - mu) / sqrt(var + 1e-5) * s + b
  KernelTester("InstanceNormalization", /*opset=*/6)
      .Input<float>({1, 2, 2, 2}, kX)
      .Input<float>({2}, {1, 2})
      .Input<float>({2}, {0, 1})
      .ExpectOutput<float>({1, 2, 2, 2}, {-1.3416355f, -0.4472118f, 0.4472118f, 1.3416355f,
                                          -1.1126566f, -0.6155609f, 1.8699174f, 3.8583f})
      .Run();
}

TEST(InstanceNormalizationTest, RejectsScaleOfWrongLength) {
  KernelTester("InstanceNormalization", /*opset=*/6)
      .Input<float>({1, 2, 2, 2}, kX)
      .Input<float>({3}, {1, 2, 3})
      .Input<float>({2}, {0, 1})
      .ExpectError(StatusCode::kInvalidArgument, "expected float32[2]");
}

TEST(LayerNormalizationTest, LastAxisWithMeanAndInvStdDev) {
  // numpy: mu = x.mean(-1, keepdims=True); inv = 1 / np.sqrt(x.var(-1, keepdims=True) + 1e-5);
  // (x - mu) * inv * scale + B.
  KernelTester("LayerNormalization", /*opset=*/17)
      .Input<float>({2, 3}, {1, 2, 3, 2, 4, 8})
      .Input<float>({3}, {1, 0.5f, 2})
      .Input<float>({3}, {0, 0, 1})
      .ExpectOutput<float>({2, 3}, {-1.2247357f, 0, 3.4494715f, -1.0690441f, -0.1336305f, 3.6726103f})
      .ExpectOutput<float>({2, 1}, {2, 4.6666667f})
      .ExpectOutput<float>({2, 1}, {1.2247357f, 0.40089154f})
      .Run();
}

TEST(LayerNormalizationTest, AxisZeroBroadcastsScaleOverTheNormalizedShape) {
  // Normalizes all 6 elements; Scale [3] broadcasts to [2, 3]; no B.
  KernelTester("LayerNormalization", /*opset=*/17)
      .Attr("axis", int64_t{0})
      .Input<float>({2, 3}, {1, 2, 3, 2, 4, 8})
      .Input<float>({3}, {1, 0.5f, 2})
      .ExpectOutput<float>({2, 3}, {-1.0210539f, -0.29172972f, -0.29172972f, -0.58345944f,
                                    0.14586486f, 4.0842156f})
      .Run();
}

TEST(LayerNormalizationTest, RejectsAxisOutOfRange) {
  KernelTester("LayerNormalization", /*opset=*/17)
      .Attr("axis", int64_t{-3})
      .Input<float>({2, 3}, {1, 2, 3, 2, 4, 8})
      .Input<float>({3}, {1, 1, 1})
      .ExpectError(StatusCode::kInvalidArgument, "axis -3 is out of range for rank 2");
}

TEST(LayerNormalizationTest, RejectsScaleThatDoesNotBroadcast) {
  KernelTester("LayerNormalization", /*opset=*/17)
      .Input<float>({2, 3}, {1, 2, 3, 2, 4, 8})
      .Input<float>({2}, {1, 1})
      .ExpectError(StatusCode::kInvalidArgument, "does not broadcast to the normalized shape [3]");
}

TEST(LrnTest, SumsSquaresOverNeighbouringChannels) {
  // size 3: channel c sums c-1..c+1; x / (1 + 1e-4 / 3 * square_sum) ** 0.75.
  KernelTester("LRN", /*opset=*/13)
      .Attr("size", int64_t{3})
      .Input<float>({1, 3, 1, 1}, {1, 2, 3})
      .ExpectOutput<float>({1, 3, 1, 1}, {0.999875f, 1.9993002f, 2.9990253f})
      .Run();
}

TEST(LrnTest, EvenSizeLooksOneChannelFurtherAhead) {
  // size 2: channel c sums c..c+1 (floor((2-1)/2) = 0 before, ceil = 1 after).
  KernelTester("LRN", /*opset=*/13)
      .Attr("size", int64_t{2})
      .Attr("alpha", 0.1f)
      .Attr("beta", 0.5f)
      .Attr("bias", 2.0f)
      .Input<float>({1, 3, 1, 1}, {1, 2, 3})
      .ExpectOutput<float>({1, 3, 1, 1}, {0.6666667f, 1.2285903f, 1.9166297f})
      .Run();
}

TEST(LrnTest, RejectsMissingSize) {
  KernelTester("LRN", /*opset=*/13)
      .Input<float>({1, 3, 1, 1}, {1, 2, 3})
      .ExpectError(StatusCode::kInvalidArgument, "size is required");
}

TEST(MeanVarianceNormalizationTest, DefaultAxesArePerChannel) {
  // Channel 0 = [1, 3], channel 1 = [2, 6]; each becomes [-1, 1].
  KernelTester("MeanVarianceNormalization", /*opset=*/13)
      .Input<float>({1, 2, 1, 2}, {1, 3, 2, 6})
      .ExpectOutput<float>({1, 2, 1, 2}, {-1, 1, -1, 1})
      .Run();
}

TEST(MeanVarianceNormalizationTest, NegativeAxes) {
  // axes [-1] on [2, 2]: each row normalized.
  KernelTester("MeanVarianceNormalization", /*opset=*/13)
      .Attr("axes", std::vector<int64_t>{-1})
      .Input<float>({2, 2}, {0, 2, 5, 5})
      .ExpectOutput<float>({2, 2}, {-1, 1, 0, 0})
      .Run();
}

}  // namespace
}  // namespace convcheck::interp
