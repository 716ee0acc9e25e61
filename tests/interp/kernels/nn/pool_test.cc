#include <gtest/gtest.h>

#include <cmath>
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

TEST(MaxPoolTest, TwoByTwoWithRowMajorIndices) {
  // x = np.arange(16).reshape(1, 1, 4, 4); x.reshape(2, 2, 2, 2).max(axis=(1, 3)).
  KernelTester("MaxPool", /*opset=*/12)
      .Attr("kernel_shape", std::vector<int64_t>{2, 2})
      .Attr("strides", std::vector<int64_t>{2, 2})
      .Input<float>({1, 1, 4, 4}, Iota(16))
      .ExpectOutput<float>({1, 1, 2, 2}, {5, 7, 13, 15})
      .ExpectOutput<int64_t>({1, 1, 2, 2}, {5, 7, 13, 15})
      .Run();
}

TEST(MaxPoolTest, ColumnMajorIndicesIncludeThePlaneOffset) {
  // Second plane of np.arange(32).reshape(1, 2, 4, 4): maxima at (h, w) = (1, 1), (1, 3),
  // (3, 1), (3, 3); column-major index h + w * 4 plus the plane offset 16.
  KernelTester("MaxPool", /*opset=*/12)
      .Attr("kernel_shape", std::vector<int64_t>{2, 2})
      .Attr("strides", std::vector<int64_t>{2, 2})
      .Attr("storage_order", int64_t{1})
      .Input<float>({1, 2, 4, 4}, Iota(32))
      .ExpectOutput<float>({1, 2, 2, 2}, {5, 7, 13, 15, 21, 23, 29, 31})
      .ExpectOutput<int64_t>({1, 2, 2, 2}, {5, 13, 7, 15, 21, 29, 23, 31})
      .Run();
}

TEST(MaxPoolTest, CeilModeAddsAPartialWindow) {
  // 4x4 input, kernel 3, stride 2: floor mode gives 1x1, ceil mode 2x2 (windows start 0, 2).
  KernelTester("MaxPool", /*opset=*/12)
      .Attr("kernel_shape", std::vector<int64_t>{3, 3})
      .Attr("strides", std::vector<int64_t>{2, 2})
      .Attr("ceil_mode", int64_t{1})
      .Input<float>({1, 1, 4, 4}, Iota(16))
      .ExpectOutput<float>({1, 1, 2, 2}, {10, 11, 14, 15})
      .Run();
}

TEST(MaxPoolTest, Dilations) {
  // Windows (0, 2), (1, 3), (2, 4) of [1, 5, 2, 8, 3].
  KernelTester("MaxPool", /*opset=*/12)
      .Attr("kernel_shape", std::vector<int64_t>{2})
      .Attr("dilations", std::vector<int64_t>{2})
      .Input<float>({1, 1, 5}, {1, 5, 2, 8, 3})
      .ExpectOutput<float>({1, 1, 3}, {2, 8, 3})
      .Run();
}

TEST(MaxPoolTest, Int8PaddingIsNeverSelected) {
  // Windows [pad, -5], [-5, -3], [-3, pad].
  KernelTester("MaxPool", /*opset=*/12)
      .Attr("kernel_shape", std::vector<int64_t>{2})
      .Attr("pads", std::vector<int64_t>{1, 1})
      .Input<int8_t>({1, 1, 2}, {-5, -3})
      .ExpectOutput<int8_t>({1, 1, 3}, {-5, -3, -3})
      .Run();
}

TEST(MaxPoolTest, NanPropagates) {
  KernelTester("MaxPool", /*opset=*/12)
      .Attr("kernel_shape", std::vector<int64_t>{2})
      .Input<float>({1, 1, 3}, {1, NAN, 2})
      .ExpectOutput<float>({1, 1, 2}, {NAN, NAN})
      .Run();
}

TEST(MaxPoolTest, RejectsBadStorageOrder) {
  KernelTester("MaxPool", /*opset=*/12)
      .Attr("kernel_shape", std::vector<int64_t>{2})
      .Attr("storage_order", int64_t{2})
      .Input<float>({1, 1, 3}, {1, 2, 3})
      .ExpectError(StatusCode::kInvalidArgument, "storage_order 2");
}

TEST(MaxPoolTest, RejectsMissingKernelShape) {
  KernelTester("MaxPool", /*opset=*/12)
      .Input<float>({1, 1, 3}, {1, 2, 3})
      .ExpectError(StatusCode::kInvalidArgument, "kernel_shape is required");
}

TEST(MaxPoolTest, RejectsInt32) {
  KernelTester("MaxPool", /*opset=*/12)
      .Attr("kernel_shape", std::vector<int64_t>{2})
      .Input<int32_t>({1, 1, 3}, {1, 2, 3})
      .ExpectError(StatusCode::kInvalidArgument, "does not accept int32");
}

TEST(AveragePoolTest, PaddingExcludedByDefault) {
  // Windows [pad, 1], [1, 2], [2, 3], [3, pad], averaging only real elements.
  KernelTester("AveragePool", /*opset=*/11)
      .Attr("kernel_shape", std::vector<int64_t>{2})
      .Attr("pads", std::vector<int64_t>{1, 1})
      .Input<float>({1, 1, 3}, {1, 2, 3})
      .ExpectOutput<float>({1, 1, 4}, {1, 1.5f, 2.5f, 3})
      .Run();
}

TEST(AveragePoolTest, CountIncludePadDividesByTheWholeWindow) {
  KernelTester("AveragePool", /*opset=*/11)
      .Attr("kernel_shape", std::vector<int64_t>{2})
      .Attr("pads", std::vector<int64_t>{1, 1})
      .Attr("count_include_pad", int64_t{1})
      .Input<float>({1, 1, 3}, {1, 2, 3})
      .ExpectOutput<float>({1, 1, 4}, {0.5f, 1.5f, 2.5f, 1.5f})
      .Run();
}

TEST(AveragePoolTest, SameUpperPadsAtTheEnd) {
  // 4 inputs, kernel 2, stride 1: one pad at the end; last window [4, pad] averages to 4.
  KernelTester("AveragePool", /*opset=*/11)
      .Attr("kernel_shape", std::vector<int64_t>{2})
      .Attr("auto_pad", "SAME_UPPER")
      .Input<float>({1, 1, 4}, {1, 2, 3, 4})
      .ExpectOutput<float>({1, 1, 4}, {1.5f, 2.5f, 3.5f, 4})
      .Run();
}

TEST(AveragePoolTest, SameLowerPadsAtTheBeginning) {
  KernelTester("AveragePool", /*opset=*/11)
      .Attr("kernel_shape", std::vector<int64_t>{2})
      .Attr("auto_pad", "SAME_LOWER")
      .Input<float>({1, 1, 4}, {1, 2, 3, 4})
      .ExpectOutput<float>({1, 1, 4}, {1, 1.5f, 2.5f, 3.5f})
      .Run();
}

TEST(AveragePoolTest, EmptyBatch) {
  KernelTester("AveragePool", /*opset=*/11)
      .Attr("kernel_shape", std::vector<int64_t>{2})
      .Input<float>({0, 1, 4}, {})
      .ExpectOutput<float>({0, 1, 3}, {})
      .Run();
}

TEST(AveragePoolTest, RejectsDilationsBeforeOpset19) {
  KernelTester("AveragePool", /*opset=*/11)
      .Attr("kernel_shape", std::vector<int64_t>{2})
      .Attr("dilations", std::vector<int64_t>{2})
      .Input<float>({1, 1, 4}, {1, 2, 3, 4})
      .ExpectError(StatusCode::kInvalidArgument, "no dilations attribute before opset 19");
}

TEST(LpPoolTest, EuclideanNormOfEachWindow) {
  // sqrt(3^2 + 4^2) = 5, sqrt(4^2 + 0^2) = 4.
  KernelTester("LpPool", /*opset=*/11)
      .Attr("kernel_shape", std::vector<int64_t>{2})
      .Input<float>({1, 1, 3}, {3, -4, 0})
      .ExpectOutput<float>({1, 1, 2}, {5, 4})
      .Run();
}

TEST(GlobalPoolTest, AverageMaxAndLp) {
  // x = np.arange(8).reshape(1, 2, 2, 2): per-channel mean, max and L2 norm.
  KernelTester("GlobalAveragePool", /*opset=*/1)
      .Input<float>({1, 2, 2, 2}, Iota(8))
      .ExpectOutput<float>({1, 2, 1, 1}, {1.5f, 5.5f})
      .Run();
  KernelTester("GlobalMaxPool", /*opset=*/1)
      .Input<float>({1, 2, 2, 2}, Iota(8))
      .ExpectOutput<float>({1, 2, 1, 1}, {3, 7})
      .Run();
  // np.sqrt([14, 126])
  KernelTester("GlobalLpPool", /*opset=*/2)
      .Input<float>({1, 2, 2, 2}, Iota(8))
      .ExpectOutput<float>({1, 2, 1, 1}, {3.7416574f, 11.224972f})
      .Run();
}

TEST(GlobalPoolTest, RejectsRankOne) {
  KernelTester("GlobalAveragePool", /*opset=*/1)
      .Input<float>({3}, {1, 2, 3})
      .ExpectError(StatusCode::kInvalidArgument, "rank at least 2");
}

TEST(MaxUnpoolTest, ScattersIntoTheDefaultShape) {
  // Inverse of the 2x2/stride 2 MaxPool above: values land at flat positions 5, 7, 13, 15.
  std::vector<float> expected(16, 0.0f);
  expected[5] = 1;
  expected[7] = 2;
  expected[13] = 3;
  expected[15] = 4;
  KernelTester("MaxUnpool", /*opset=*/11)
      .Attr("kernel_shape", std::vector<int64_t>{2, 2})
      .Attr("strides", std::vector<int64_t>{2, 2})
      .Input<float>({1, 1, 2, 2}, {1, 2, 3, 4})
      .Input<int64_t>({1, 1, 2, 2}, {5, 7, 13, 15})
      .ExpectOutput<float>({1, 1, 4, 4}, expected)
      .Run();
}

TEST(MaxUnpoolTest, OutputShapeInputKeepsTheIndexCoordinates) {
  // Indices are positions (1, 1), (1, 3), (3, 1), (3, 3) of the default 4x4 shape; in the 5x5
  // output those are flat positions 6, 8, 16, 18 (test_maxunpool_export_with_output_shape).
  std::vector<float> expected(25, 0.0f);
  expected[6] = 1;
  expected[8] = 2;
  expected[16] = 3;
  expected[18] = 4;
  KernelTester("MaxUnpool", /*opset=*/11)
      .Attr("kernel_shape", std::vector<int64_t>{2, 2})
      .Attr("strides", std::vector<int64_t>{2, 2})
      .Input<float>({1, 1, 2, 2}, {1, 2, 3, 4})
      .Input<int64_t>({1, 1, 2, 2}, {5, 7, 13, 15})
      .Input<int64_t>({4}, {1, 1, 5, 5})
      .ExpectOutput<float>({1, 1, 5, 5}, expected)
      .Run();
}

TEST(MaxUnpoolTest, RejectsIndexOutsideTheOutput) {
  KernelTester("MaxUnpool", /*opset=*/11)
      .Attr("kernel_shape", std::vector<int64_t>{2})
      .Attr("strides", std::vector<int64_t>{2})
      .Input<float>({1, 1, 1}, {1})
      .Input<int64_t>({1, 1, 1}, {2})
      .ExpectError(StatusCode::kInvalidArgument, "index 2 at position 0 is outside");
}

}  // namespace
}  // namespace convcheck::interp
