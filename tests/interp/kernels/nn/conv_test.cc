#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

std::vector<float> Iota(int n) {
  std::vector<float> v(n);
  for (int i = 0; i < n; ++i) v[i] = static_cast<float>(i);
  return v;
}

// Expected values below come from a direct numpy convolution (sum over padded windows):
//   xp = np.pad(x, pads); y[n, m, o] = sum(xp[n, group, window(o)] * w[m]) + b[m]

TEST(ConvTest, PadsKeepTheSpatialSize) {
  // x = np.arange(25).reshape(1, 1, 5, 5), w = np.ones((1, 1, 3, 3)), pads 1.
  KernelTester("Conv", /*opset=*/11)
      .Attr("pads", std::vector<int64_t>{1, 1, 1, 1})
      .Input<float>({1, 1, 5, 5}, Iota(25))
      .Input<float>({1, 1, 3, 3}, std::vector<float>(9, 1.0f))
      .ExpectOutput<float>({1, 1, 5, 5}, {12, 21,  27,  33,  24,  33, 54,  63,  72,
                                          51, 63, 99,  108, 117, 81, 93, 144, 153,
                                          162, 111, 72, 111, 117, 123, 84})
      .Run();
}

TEST(ConvTest, StridesAndAsymmetricPads) {
  // Same x and w; strides 2, pads [1, 0, 1, 0] (begin only).
  KernelTester("Conv", /*opset=*/11)
      .Attr("strides", std::vector<int64_t>{2, 2})
      .Attr("pads", std::vector<int64_t>{1, 0, 1, 0})
      .Input<float>({1, 1, 5, 5}, Iota(25))
      .Input<float>({1, 1, 3, 3}, std::vector<float>(9, 1.0f))
      .ExpectOutput<float>({1, 1, 3, 2}, {21, 33, 99, 117, 111, 123})
      .Run();
}

TEST(ConvTest, DepthwiseWithBias) {
  // x = np.arange(18).reshape(1, 2, 3, 3), group 2, pads 1, b = [1, -1].
  KernelTester("Conv", /*opset=*/11)
      .Attr("group", int64_t{2})
      .Attr("pads", std::vector<int64_t>{1, 1, 1, 1})
      .Input<float>({1, 2, 3, 3}, Iota(18))
      .Input<float>({2, 1, 3, 3}, {1, 0, -1, 2, 0, 1, 0, 1, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1})
      .Input<float>({2}, {1, -1})
      .ExpectOutput<float>({1, 2, 3, 3},
                           {5, 7, 8, 10, 17, 18, 4, 19, 19, 24, 38, 26, 49, 77, 53, 24, 38, 26})
      .Run();
}

TEST(ConvTest, PointwiseGroupedConvUsesTheDirectPath) {
  // 1x1 kernel, stride 1, no pads: y[m] = w[m] * x[m // 2] + b[m].
  KernelTester("Conv", /*opset=*/11)
      .Attr("group", int64_t{2})
      .Input<float>({1, 2, 2, 2}, Iota(8))
      .Input<float>({4, 1, 1, 1}, {1, 2, 3, 4})
      .Input<float>({4}, {0, 1, 0, 1})
      .ExpectOutput<float>({1, 4, 2, 2}, {0, 1, 2, 3, 1, 3, 5, 7, 12, 15, 18, 21, 17, 21, 25, 29})
      .Run();
}

TEST(ConvTest, DilatedOneDimensional) {
  // x = np.arange(7), w = [1, -1, 2], dilation 2: y[i] = x[i] - x[i+2] + 2 * x[i+4].
  KernelTester("Conv", /*opset=*/11)
      .Attr("dilations", std::vector<int64_t>{2})
      .Input<float>({1, 1, 7}, Iota(7))
      .Input<float>({1, 1, 3}, {1, -1, 2})
      .ExpectOutput<float>({1, 1, 3}, {6, 8, 10})
      .Run();
}

TEST(ConvTest, ThreeDimensionalInDouble) {
  // x = np.arange(27).reshape(1, 1, 3, 3, 3); w[0] = ones(2, 2, 2), w[1] = -w[0].
  std::vector<double> x(27);
  for (int i = 0; i < 27; ++i) x[i] = i;
  std::vector<double> w(16, 1.0);
  for (int i = 8; i < 16; ++i) w[i] = -1.0;
  KernelTester("Conv", /*opset=*/11)
      .Input<double>({1, 1, 3, 3, 3}, x)
      .Input<double>({2, 1, 2, 2, 2}, w)
      .ExpectOutput<double>({1, 2, 2, 2, 2}, {52, 60, 76, 84, 124, 132, 148, 156, -52, -60, -76,
                                              -84, -124, -132, -148, -156})
      .Run();
}

// With an odd total padding of 1, SAME_UPPER pads at the end and SAME_LOWER at the beginning.
TEST(ConvTest, SameUpperPadsAtTheEnd) {
  // numpy: np.convolve-style correlation of [0, 1, 2, 3, 0] with [1, 10].
  KernelTester("Conv", /*opset=*/11)
      .Attr("auto_pad", "SAME_UPPER")
      .Input<float>({1, 1, 4}, Iota(4))
      .Input<float>({1, 1, 2}, {1, 10})
      .ExpectOutput<float>({1, 1, 4}, {10, 21, 32, 3})
      .Run();
}

TEST(ConvTest, SameLowerPadsAtTheBeginning) {
  // Correlation of [0, 0, 1, 2, 3] with [1, 10].
  KernelTester("Conv", /*opset=*/11)
      .Attr("auto_pad", "SAME_LOWER")
      .Input<float>({1, 1, 4}, Iota(4))
      .Input<float>({1, 1, 2}, {1, 10})
      .ExpectOutput<float>({1, 1, 4}, {0, 10, 21, 32})
      .Run();
}

TEST(ConvTest, EmptyBatchGivesEmptyOutput) {
  KernelTester("Conv", /*opset=*/11)
      .Input<float>({0, 1, 3, 3}, {})
      .Input<float>({2, 1, 2, 2}, std::vector<float>(8, 1.0f))
      .ExpectOutput<float>({0, 2, 2, 2}, {})
      .Run();
}

TEST(ConvTest, RejectsChannelMismatch) {
  KernelTester("Conv", /*opset=*/11)
      .Input<float>({1, 3, 3, 3}, std::vector<float>(27, 0.0f))
      .Input<float>({1, 2, 1, 1}, {1, 1})
      .ExpectError(StatusCode::kInvalidArgument, "dimension 1 must be C/group = 3");
}

TEST(ConvTest, RejectsGroupNotDividingChannels) {
  KernelTester("Conv", /*opset=*/11)
      .Attr("group", int64_t{2})
      .Input<float>({1, 3, 3, 3}, std::vector<float>(27, 0.0f))
      .Input<float>({2, 1, 1, 1}, {1, 1})
      .ExpectError(StatusCode::kInvalidArgument, "group 2 must divide the 3 input channels");
}

TEST(ConvTest, RejectsKernelShapeDisagreeingWithWeights) {
  KernelTester("Conv", /*opset=*/11)
      .Attr("kernel_shape", std::vector<int64_t>{3, 3})
      .Input<float>({1, 1, 3, 3}, std::vector<float>(9, 0.0f))
      .Input<float>({1, 1, 2, 2}, {1, 1, 1, 1})
      .ExpectError(StatusCode::kInvalidArgument, "does not match the weight's spatial shape [2,2]");
}

TEST(ConvTest, RejectsUnknownAutoPad) {
  KernelTester("Conv", /*opset=*/11)
      .Attr("auto_pad", "SAME")
      .Input<float>({1, 1, 3, 3}, std::vector<float>(9, 0.0f))
      .Input<float>({1, 1, 2, 2}, {1, 1, 1, 1})
      .ExpectError(StatusCode::kInvalidArgument, "auto_pad 'SAME' is not one of");
}

TEST(ConvTest, RejectsKernelLargerThanPaddedInput) {
  KernelTester("Conv", /*opset=*/11)
      .Input<float>({1, 1, 2, 2}, {0, 0, 0, 0})
      .Input<float>({1, 1, 3, 3}, std::vector<float>(9, 0.0f))
      .ExpectError(StatusCode::kInvalidArgument, "is smaller than the dilated kernel 3");
}

TEST(ConvTest, RejectsInputWithoutSpatialDims) {
  KernelTester("Conv", /*opset=*/11)
      .Input<float>({1, 2}, {0, 0})
      .Input<float>({1, 2}, {0, 0})
      .ExpectError(StatusCode::kUnimplemented, "only 1 to 3 spatial dimensions");
}

TEST(ConvTest, RejectsWrongBiasShape) {
  KernelTester("Conv", /*opset=*/11)
      .Input<float>({1, 1, 2, 2}, {0, 0, 0, 0})
      .Input<float>({1, 1, 1, 1}, {1})
      .Input<float>({2}, {0, 0})
      .ExpectError(StatusCode::kInvalidArgument, "expected float32[1]");
}

TEST(ConvIntegerTest, SubtractsZeroPointsAndPadsWithThem) {
  // numpy: conv(x - 1, w - 0, pads 1) in int32 with x = [[2, 3], [4, 5]] (uint8), w = ones(2, 2).
  // (x - 1) = [[1, 2], [3, 4]]; padded 2x2 window sums over a 3x3 output.
  KernelTester("ConvInteger", /*opset=*/10)
      .Attr("pads", std::vector<int64_t>{1, 1, 1, 1})
      .Input<uint8_t>({1, 1, 2, 2}, {2, 3, 4, 5})
      .Input<uint8_t>({1, 1, 2, 2}, {1, 1, 1, 1})
      .Input<uint8_t>({}, {1})
      .ExpectOutput<int32_t>({1, 1, 3, 3}, {1, 3, 2, 4, 10, 6, 3, 7, 4})
      .Run();
}

TEST(ConvIntegerTest, PerChannelWeightZeroPoint) {
  // y[m] = sum(x * (w[m] - w_zp[m])): x = [1, 2], w[0] = [3, 3] zp 1, w[1] = [-1, 1] zp -1.
  KernelTester("ConvInteger", /*opset=*/10)
      .Input<int8_t>({1, 2, 1}, {1, 2})
      .Input<int8_t>({2, 2, 1}, {3, 3, -1, 1})
      .AbsentInput()
      .Input<int8_t>({2}, {1, -1})
      .ExpectOutput<int32_t>({1, 2, 1}, {6, 4})
      .Run();
}

TEST(QLinearConvTest, RequantizesWithRoundingHalfToEvenAndSaturation) {
  // acc = (x - 2) * (w - 0) with w = 1: [-2, -1, 0, 1, 250]; y = round(acc * 1 * 1 / 2) + 10:
  // -1 + 10 = 9, round(-0.5) = -0 -> 10, 10, round(0.5) = 0 -> 10, 125 + 10 = 135; the last
  // value then exceeds int8 and saturates at 127.
  KernelTester("QLinearConv", /*opset=*/10)
      .Input<uint8_t>({1, 1, 5}, {0, 1, 2, 3, 252})
      .Input<float>({}, {1.0f})
      .Input<uint8_t>({}, {2})
      .Input<uint8_t>({1, 1, 1}, {1})
      .Input<float>({}, {1.0f})
      .Input<uint8_t>({}, {0})
      .Input<float>({}, {2.0f})
      .Input<int8_t>({}, {10})
      .ExpectOutput<int8_t>({1, 1, 5}, {9, 10, 10, 10, 127})
      .Run();
}

TEST(QLinearConvTest, AddsInt32Bias) {
  // acc = 3 * 4 + 5 = 17; y = round(17 * 0.5 * 1 / 1) + 0 = round(8.5) = 8 (half to even).
  KernelTester("QLinearConv", /*opset=*/10)
      .Input<uint8_t>({1, 1, 1}, {3})
      .Input<float>({}, {0.5f})
      .Input<uint8_t>({}, {0})
      .Input<uint8_t>({1, 1, 1}, {4})
      .Input<float>({1}, {1.0f})
      .Input<uint8_t>({1}, {0})
      .Input<float>({}, {1.0f})
      .Input<uint8_t>({}, {0})
      .Input<int32_t>({1}, {5})
      .ExpectOutput<uint8_t>({1, 1, 1}, {8})
      .Run();
}

TEST(QLinearConvTest, RejectsFloatInput) {
  KernelTester("QLinearConv", /*opset=*/10)
      .Input<float>({1, 1, 1}, {3})
      .Input<float>({}, {0.5f})
      .Input<float>({}, {0})
      .Input<uint8_t>({1, 1, 1}, {4})
      .Input<float>({}, {1.0f})
      .Input<uint8_t>({}, {0})
      .Input<float>({}, {1.0f})
      .Input<uint8_t>({}, {0})
      .ExpectError(StatusCode::kInvalidArgument, "int8 or uint8");
}

// ConvTranspose expected values come from a numpy scatter:
//   y[n, g*mg + m, i*stride + k*dilation] += x[n, c, i] * w[c, m, k], then pads are cropped.

TEST(ConvTransposeTest, ScattersEachInputThroughTheKernel) {
  // x = np.arange(9).reshape(1, 1, 3, 3); w[0, 0] = ones, w[0, 1] = 2 * ones.
  std::vector<float> w(18, 1.0f);
  for (int i = 9; i < 18; ++i) w[i] = 2.0f;
  KernelTester("ConvTranspose", /*opset=*/11)
      .Input<float>({1, 1, 3, 3}, Iota(9))
      .Input<float>({1, 2, 3, 3}, w)
      .ExpectOutput<float>({1, 2, 5, 5},
                           {0,  1,  3,  3,  2,  3,  8,  15, 12, 7,  9,  21, 36, 27, 15, 9,  20,
                            33, 24, 13, 6,  13, 21, 15, 8,  0,  2,  6,  6,  4,  6,  16, 30, 24,
                            14, 18, 42, 72, 54, 30, 18, 40, 66, 48, 26, 12, 26, 42, 30, 16})
      .Run();
}

TEST(ConvTransposeTest, StridePadsAndOutputPadding) {
  // x = [0, 1, 2], w = [1, 2], stride 2: full output [0, 0, 1, 2, 2, 4] plus one output_padding
  // zero, then pads [1, 0] crop the first element.
  KernelTester("ConvTranspose", /*opset=*/11)
      .Attr("strides", std::vector<int64_t>{2})
      .Attr("pads", std::vector<int64_t>{1, 0})
      .Attr("output_padding", std::vector<int64_t>{1})
      .Input<float>({1, 1, 3}, Iota(3))
      .Input<float>({1, 1, 2}, {1, 2})
      .ExpectOutput<float>({1, 1, 6}, {0, 1, 2, 2, 4, 0})
      .Run();
}

TEST(ConvTransposeTest, OutputShapeChoosesThePads) {
  // Full output has 6 entries [0, 0, 1, 2, 2, 4]; output_shape 5 gives total padding 1, which
  // NOTSET puts at the beginning (total - total / 2).
  KernelTester("ConvTranspose", /*opset=*/11)
      .Attr("strides", std::vector<int64_t>{2})
      .Attr("output_shape", std::vector<int64_t>{5})
      .Input<float>({1, 1, 3}, Iota(3))
      .Input<float>({1, 1, 2}, {1, 2})
      .ExpectOutput<float>({1, 1, 5}, {0, 1, 2, 2, 4})
      .Run();
}

TEST(ConvTransposeTest, OutputShapeBeyondTheFullSizeAppendsZeros) {
  // Full output [0, 0, 1, 2, 2, 4]; output_shape 8 adds two zeros at the end, no shift.
  KernelTester("ConvTranspose", /*opset=*/11)
      .Attr("strides", std::vector<int64_t>{2})
      .Attr("output_shape", std::vector<int64_t>{8})
      .Input<float>({1, 1, 3}, Iota(3))
      .Input<float>({1, 1, 2}, {1, 2})
      .ExpectOutput<float>({1, 1, 8}, {0, 0, 1, 2, 2, 4, 0, 0})
      .Run();
}

TEST(ConvTransposeTest, SameUpperKeepsTheBeginning) {
  // x = [0, 1, 2], w = [1, 1, 1], stride 2: the full output [0, 0, 1, 1, 3, 2, 2] has 7 entries;
  // SAME_UPPER asks for 3 * 2 = 6 and crops the odd one at the end.
  KernelTester("ConvTranspose", /*opset=*/11)
      .Attr("strides", std::vector<int64_t>{2})
      .Attr("auto_pad", "SAME_UPPER")
      .Input<float>({1, 1, 3}, Iota(3))
      .Input<float>({1, 1, 3}, {1, 1, 1})
      .ExpectOutput<float>({1, 1, 6}, {0, 0, 1, 1, 3, 2})
      .Run();
}

TEST(ConvTransposeTest, GroupsAndDilation) {
  // x = [[0, 1], [2, 3]] in two groups, w[0] = [1, 1], w[1] = [2, 2], dilation 2.
  KernelTester("ConvTranspose", /*opset=*/11)
      .Attr("group", int64_t{2})
      .Attr("dilations", std::vector<int64_t>{2})
      .Input<float>({1, 2, 2}, Iota(4))
      .Input<float>({2, 1, 2}, {1, 1, 2, 2})
      .ExpectOutput<float>({1, 2, 4}, {0, 1, 0, 1, 4, 6, 4, 6})
      .Run();
}

TEST(ConvTransposeTest, AddsBias) {
  KernelTester("ConvTranspose", /*opset=*/11)
      .Input<float>({1, 1, 2}, {1, 2})
      .Input<float>({1, 1, 1}, {3})
      .Input<float>({1}, {0.5f})
      .ExpectOutput<float>({1, 1, 2}, {3.5f, 6.5f})
      .Run();
}

TEST(ConvTransposeTest, RejectsWeightChannelMismatch) {
  KernelTester("ConvTranspose", /*opset=*/11)
      .Input<float>({1, 2, 2}, Iota(4))
      .Input<float>({1, 1, 2}, {1, 1})
      .ExpectError(StatusCode::kInvalidArgument, "must equal the 2 input channels");
}

TEST(ConvTransposeTest, RejectsOutputShapeOfWrongLength) {
  KernelTester("ConvTranspose", /*opset=*/11)
      .Attr("output_shape", std::vector<int64_t>{4, 4})
      .Input<float>({1, 1, 2}, {1, 2})
      .Input<float>({1, 1, 1}, {3})
      .ExpectError(StatusCode::kInvalidArgument, "does not have 1 spatial entries");
}

}  // namespace
}  // namespace convcheck::interp
