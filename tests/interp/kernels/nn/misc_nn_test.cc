// Tests of dropout.cc, depth_to_space.cc, grid_sample.cc, roi_align.cc and
// non_max_suppression.cc.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
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

// --- Dropout

TEST(DropoutTest, InferenceIsIdentityWithAllTrueMask) {
  KernelTester("Dropout", /*opset=*/13)
      .Input<float>({3}, {1, 2, 3})
      .ExpectOutput<float>({3}, {1, 2, 3})
      .ExpectOutput<bool>({3}, {true, true, true})
      .Run();
}

TEST(DropoutTest, Opset7MaskHasTheInputType) {
  KernelTester("Dropout", /*opset=*/7)
      .Attr("ratio", 0.3f)
      .Input<float>({2}, {1, 2})
      .ExpectOutput<float>({2}, {1, 2})
      .ExpectOutput<float>({2}, {1, 1})
      .Run();
}

TEST(DropoutTest, TrainingWithZeroRatioIsIdentity) {
  KernelTester("Dropout", /*opset=*/13)
      .Input<float>({2}, {1, 2})
      .Input<float>({}, {0.0f})
      .Input<bool>({}, {true})
      .ExpectOutput<float>({2}, {1, 2})
      .ExpectOutput<bool>({2}, {true, true})
      .Run();
}

TEST(DropoutTest, TrainingKeepsScaledValuesWhereTheMaskIsTrue) {
  std::vector<float> x(200, 1.0f);
  auto outputs = KernelTester("Dropout", /*opset=*/13)
                     .Attr("seed", int64_t{7})
                     .Input<float>({200}, x)
                     .Input<float>({}, {0.75f})
                     .Input<bool>({}, {true})
                     .IgnoreOutput()
                     .IgnoreOutput()
                     .Outputs();
  ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
  const Tensor& y = (*outputs)[0].tensor();
  const Tensor& mask = (*outputs)[1].tensor();
  int kept = 0;
  for (int i = 0; i < 200; ++i) {
    const bool m = mask.Data<bool>()[i];
    kept += m;
    EXPECT_EQ(y.Data<float>()[i], m ? 4.0f : 0.0f) << "element " << i;
  }
  // Binomial(200, 0.25): mean 50, sd ~6; a fixed seed makes this deterministic anyway.
  EXPECT_GT(kept, 20);
  EXPECT_LT(kept, 80);
}

TEST(DropoutTest, RejectsRatioOfOne) {
  KernelTester("Dropout", /*opset=*/13)
      .Input<float>({2}, {1, 2})
      .Input<float>({}, {1.0f})
      .Input<bool>({}, {true})
      .IgnoreOutput()
      .ExpectError(StatusCode::kInvalidArgument, "is outside [0, 1)");
}

// --- DepthToSpace / SpaceToDepth (numpy reshape-transpose from the spec)

TEST(DepthToSpaceTest, DcrMode) {
  // x = np.arange(16).reshape(1, 8, 1, 2); x.reshape(1, 2, 2, 2, 1, 2)
  //      .transpose(0, 3, 4, 1, 5, 2).reshape(1, 2, 2, 4)
  KernelTester("DepthToSpace", /*opset=*/13)
      .Attr("blocksize", int64_t{2})
      .Input<float>({1, 8, 1, 2}, Iota(16))
      .ExpectOutput<float>({1, 2, 2, 4}, {0, 4, 1, 5, 8, 12, 9, 13, 2, 6, 3, 7, 10, 14, 11, 15})
      .Run();
}

TEST(DepthToSpaceTest, CrdMode) {
  // x.reshape(1, 2, 2, 2, 1, 2).transpose(0, 1, 4, 2, 5, 3).reshape(1, 2, 2, 4)
  KernelTester("DepthToSpace", /*opset=*/13)
      .Attr("blocksize", int64_t{2})
      .Attr("mode", "CRD")
      .Input<float>({1, 8, 1, 2}, Iota(16))
      .ExpectOutput<float>({1, 2, 2, 4}, {0, 2, 1, 3, 4, 6, 5, 7, 8, 10, 9, 11, 12, 14, 13, 15})
      .Run();
}

TEST(DepthToSpaceTest, MovesStrings) {
  KernelTester("DepthToSpace", /*opset=*/13)
      .Attr("blocksize", int64_t{2})
      .Input<std::string>({1, 4, 1, 1}, {"a", "b", "c", "d"})
      .ExpectOutput<std::string>({1, 1, 2, 2}, {"a", "b", "c", "d"})
      .Run();
}

TEST(DepthToSpaceTest, RejectsChannelsNotDivisible) {
  KernelTester("DepthToSpace", /*opset=*/13)
      .Attr("blocksize", int64_t{2})
      .Input<float>({1, 2, 1, 1}, {0, 1})
      .ExpectError(StatusCode::kInvalidArgument, "channels 2 are not divisible");
}

TEST(SpaceToDepthTest, GathersBlocksIntoChannels) {
  // y = np.arange(16).reshape(1, 1, 2, 2, 2, 2).transpose(0, 3, 5, 1, 2, 4).reshape(1, 4, 2, 2)
  KernelTester("SpaceToDepth", /*opset=*/13)
      .Attr("blocksize", int64_t{2})
      .Input<int32_t>({1, 1, 4, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
      .ExpectOutput<int32_t>({1, 4, 2, 2}, {0, 2, 8, 10, 1, 3, 9, 11, 4, 6, 12, 14, 5, 7, 13, 15})
      .Run();
}

TEST(SpaceToDepthTest, RejectsRank3) {
  KernelTester("SpaceToDepth", /*opset=*/13)
      .Attr("blocksize", int64_t{2})
      .Input<float>({1, 2, 2}, {0, 1, 2, 3})
      .ExpectError(StatusCode::kInvalidArgument, "expected rank 4");
}

// --- GridSample: X = [[1, 2], [3, 4]], grid points (-1, -1), (0, 0), (1, 1). Hand-derived:
// align_corners = 0 maps them to pixel coordinates -0.5, 0.5, 1.5.

Tensor GridX() { return Tensor::FromVector<float>({1, 1, 2, 2}, {1, 2, 3, 4}); }
Tensor Grid() { return Tensor::FromVector<float>({1, 1, 3, 2}, {-1, -1, 0, 0, 1, 1}); }

TEST(GridSampleTest, BilinearZerosPadding) {
  // Corners hang outside by half a pixel: 0.25 * 1, mean of all four, 0.25 * 4.
  KernelTester("GridSample", /*opset=*/16)
      .Input(GridX())
      .Input(Grid())
      .ExpectOutput<float>({1, 1, 1, 3}, {0.25f, 2.5f, 1.0f})
      .Run();
}

TEST(GridSampleTest, BilinearBorderAndReflectionClampToTheImage) {
  for (const char* padding : {"border", "reflection"}) {
    KernelTester("GridSample", /*opset=*/16)
        .Attr("padding_mode", padding)
        .Input(GridX())
        .Input(Grid())
        .ExpectOutput<float>({1, 1, 1, 3}, {1, 2.5f, 4})
        .Run();
  }
}

TEST(GridSampleTest, NearestRoundsHalfToEven) {
  // -0.5 -> 0, 0.5 -> 0, 1.5 -> 2 (outside, zero padding).
  KernelTester("GridSample", /*opset=*/16)
      .Attr("mode", "nearest")
      .Input(GridX())
      .Input(Grid())
      .ExpectOutput<float>({1, 1, 1, 3}, {1, 1, 0})
      .Run();
}

TEST(GridSampleTest, BicubicAlignCorners) {
  // Corners land on pixels; the centre uses Keys' weights at t = 0.5: 0.59375 for the two inner
  // taps, the outer taps read zero padding: 0.59375^2 * (1 + 2 + 3 + 4) = 3.525390625.
  KernelTester("GridSample", /*opset=*/16)
      .Attr("mode", "bicubic")
      .Attr("align_corners", int64_t{1})
      .Input(GridX())
      .Input(Grid())
      .ExpectOutput<float>({1, 1, 1, 3}, {1, 3.5253906f, 4})
      .Run();
}

TEST(GridSampleTest, RejectsGridWithoutPairs) {
  KernelTester("GridSample", /*opset=*/16)
      .Input(GridX())
      .Input<float>({1, 1, 1, 3}, {0, 0, 0})
      .ExpectError(StatusCode::kInvalidArgument, "expected [1,H_out,W_out,2]");
}

// --- RoiAlign on X = np.arange(16).reshape(1, 1, 4, 4), roi (x1, y1, x2, y2) = (0, 0, 3, 3).
// Bilinear interpolation of arange at (y, x) is 4 * y + x.

TEST(RoiAlignTest, Opset10HasNoHalfPixelShift) {
  // One sample at (1.5, 1.5): 7.5.
  KernelTester("RoiAlign", /*opset=*/10)
      .Attr("sampling_ratio", int64_t{1})
      .Input<float>({1, 1, 4, 4}, Iota(16))
      .Input<float>({1, 4}, {0, 0, 3, 3})
      .Input<int64_t>({1}, {0})
      .ExpectOutput<float>({1, 1, 1, 1}, {7.5f})
      .Run();
}

TEST(RoiAlignTest, Opset16ShiftsByHalfAPixel) {
  // Sample at (1.0, 1.0): 5.
  KernelTester("RoiAlign", /*opset=*/16)
      .Attr("sampling_ratio", int64_t{1})
      .Input<float>({1, 1, 4, 4}, Iota(16))
      .Input<float>({1, 4}, {0, 0, 3, 3})
      .Input<int64_t>({1}, {0})
      .ExpectOutput<float>({1, 1, 1, 1}, {5})
      .Run();
}

TEST(RoiAlignTest, TwoByTwoBins) {
  // Bins of 1.5 pixels starting at -0.5: samples at 0.25 and 1.75 -> 4y + x.
  KernelTester("RoiAlign", /*opset=*/16)
      .Attr("output_height", int64_t{2})
      .Attr("output_width", int64_t{2})
      .Attr("sampling_ratio", int64_t{1})
      .Input<float>({1, 1, 4, 4}, Iota(16))
      .Input<float>({1, 4}, {0, 0, 3, 3})
      .Input<int64_t>({1}, {0})
      .ExpectOutput<float>({1, 1, 2, 2}, {1.25f, 2.75f, 7.25f, 8.75f})
      .Run();
}

TEST(RoiAlignTest, RejectsBatchIndexOutOfRange) {
  KernelTester("RoiAlign", /*opset=*/16)
      .Input<float>({1, 1, 4, 4}, Iota(16))
      .Input<float>({1, 4}, {0, 0, 3, 3})
      .Input<int64_t>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "batch index 1 of roi 0 is outside [0, 1)");
}

// --- NonMaxSuppression: box 1 overlaps box 0 with IoU 0.9 / 1.1; box 2 is disjoint.

TEST(NonMaxSuppressionTest, SuppressesOverlapsAndHonoursScoreThreshold) {
  KernelTester("NonMaxSuppression", /*opset=*/11)
      .Input<float>({1, 3, 4}, {0, 0, 1, 1, 0, 0.1f, 1, 1.1f, 0, 2, 1, 3})
      .Input<float>({1, 1, 3}, {0.9f, 0.8f, 0.7f})
      .Input<int64_t>({1}, {3})
      .Input<float>({1}, {0.5f})
      .ExpectOutput<int64_t>({2, 3}, {0, 0, 0, 0, 0, 2})
      .Run();
  KernelTester("NonMaxSuppression", /*opset=*/11)
      .Input<float>({1, 3, 4}, {0, 0, 1, 1, 0, 0.1f, 1, 1.1f, 0, 2, 1, 3})
      .Input<float>({1, 1, 3}, {0.9f, 0.8f, 0.7f})
      .Input<int64_t>({1}, {3})
      .Input<float>({1}, {0.5f})
      .Input<float>({1}, {0.75f})
      .ExpectOutput<int64_t>({1, 3}, {0, 0, 0})
      .Run();
}

TEST(NonMaxSuppressionTest, CenterPointBoxesAndOutputLimit) {
  // The same boxes as centres: (0.5, 0.5, 1, 1), (0.6, 0.5, 1, 1), (2.5, 0.5, 1, 1); the limit of
  // one box per class keeps only the best, highest score first.
  KernelTester("NonMaxSuppression", /*opset=*/11)
      .Attr("center_point_box", int64_t{1})
      .Input<float>({1, 3, 4}, {0.5f, 0.5f, 1, 1, 0.6f, 0.5f, 1, 1, 2.5f, 0.5f, 1, 1})
      .Input<float>({1, 1, 3}, {0.1f, 0.8f, 0.7f})
      .Input<int64_t>({1}, {1})
      .ExpectOutput<int64_t>({1, 3}, {0, 0, 1})
      .Run();
}

TEST(NonMaxSuppressionTest, NoMaxOutputMeansNoBoxes) {
  KernelTester("NonMaxSuppression", /*opset=*/11)
      .Input<float>({1, 1, 4}, {0, 0, 1, 1})
      .Input<float>({1, 1, 1}, {0.9f})
      .ExpectOutput<int64_t>({0, 3}, {})
      .Run();
}

TEST(NonMaxSuppressionTest, RejectsScoresOfWrongShape) {
  KernelTester("NonMaxSuppression", /*opset=*/11)
      .Input<float>({1, 1, 4}, {0, 0, 1, 1})
      .Input<float>({1, 1, 2}, {0.9f, 0.1f})
      .ExpectError(StatusCode::kInvalidArgument, "expected [1,num_classes,1]");
}

}  // namespace
}  // namespace convcheck::interp
