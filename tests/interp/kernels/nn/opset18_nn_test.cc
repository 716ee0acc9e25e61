// nn kernels added or changed after opset 17. Expected values are worked by hand from the spec
// formulas (noted per test).

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(GroupNormalizationTest, Opset21ScalesPerChannel) {
  // One group over channels {0, 1} of [1,2,1,2] = {1,3 | 5,7}: mean 4, var 5.
  const float inv = 1.0f / std::sqrt(5.0f + 1e-5f);
  KernelTester("GroupNormalization", 21)
      .Attr("num_groups", int64_t{1})
      .Input<float>({1, 2, 1, 2}, {1, 3, 5, 7})
      .Input<float>({2}, {1, 2})
      .Input<float>({2}, {0, 1})
      .ExpectOutput<float>({1, 2, 1, 2}, {-3 * inv, -1 * inv, 2 * inv + 1, 6 * inv + 1})
      .Run();
}

TEST(GroupNormalizationTest, Opset18ScalesPerGroup) {
  // Two groups of one channel each: {1,3} -> {-1,1}, {5,9} -> {-1,1} (up to epsilon).
  KernelTester("GroupNormalization", 18)
      .Attr("num_groups", int64_t{2})
      .Attr("epsilon", 0.0f)
      .Input<float>({1, 2, 2}, {1, 3, 5, 9})
      .Input<float>({2}, {1, 2})
      .Input<float>({2}, {0, 0})
      .ExpectOutput<float>({1, 2, 2}, {-1, 1, -2, 2})
      .Run();
  // The per-group scale of opset 18 has num_groups entries, not C.
  KernelTester("GroupNormalization", 18)
      .Attr("num_groups", int64_t{1})
      .Input<float>({1, 2, 2}, {1, 3, 5, 9})
      .Input<float>({2}, {1, 2})
      .Input<float>({2}, {0, 0})
      .ExpectError(StatusCode::kInvalidArgument, "expected [1]");
  KernelTester("GroupNormalization", 21)
      .Attr("num_groups", int64_t{3})
      .Input<float>({1, 2, 2}, {1, 3, 5, 9})
      .Input<float>({2}, {1, 2})
      .Input<float>({2}, {0, 0})
      .ExpectError(StatusCode::kInvalidArgument, "does not divide the 2 channels");
}

TEST(RMSNormalizationTest, LastAxis) {
  // rms of {3, 4} is sqrt(12.5); epsilon 0.
  const float r = std::sqrt(12.5f);
  KernelTester("RMSNormalization", 23)
      .Attr("epsilon", 0.0f)
      .Input<float>({1, 2}, {3, 4})
      .Input<float>({2}, {1, 2})
      .ExpectOutput<float>({1, 2}, {3 / r, 8 / r})
      .Run();
  KernelTester("RMSNormalization", 22)
      .Input<float>({1, 2}, {3, 4})
      .Input<float>({2}, {1, 2})
      .ExpectError(StatusCode::kUnimplemented, "RMSNormalization at opset 22");
}

TEST(LpNormalizationTest, L1AndL2) {
  KernelTester("LpNormalization", 22)
      .Input<float>({2, 2}, {3, 4, 0, 0})
      .ExpectOutput<float>({2, 2}, {0.6f, 0.8f, 0, 0})
      .Run();
  KernelTester("LpNormalization", 1)
      .Attr("p", int64_t{1})
      .Attr("axis", int64_t{0})
      .Input<float>({2, 1}, {1, 3})
      .ExpectOutput<float>({2, 1}, {0.25f, 0.75f})
      .Run();
}

TEST(RotaryEmbeddingTest, RotatesHalves) {
  // X [1,1,1,4] (B,H,S,D), angle 90 degrees: cos 0, sin 1. x1 = {1,2}, x2 = {3,4}:
  // real = -x2 = {-3,-4}, imag = x1 = {1,2}.
  KernelTester("RotaryEmbedding", 23)
      .Input<float>({1, 1, 1, 4}, {1, 2, 3, 4})
      .Input<float>({1, 2}, {0, 0})
      .Input<float>({1, 2}, {1, 1})
      .Input<int64_t>({1, 1}, {0})
      .ExpectOutput<float>({1, 1, 1, 4}, {-3, -4, 1, 2})
      .Run();
  // Interleaved pairs (1,2), (3,4): real {-2,-4}, imag {1,3}.
  KernelTester("RotaryEmbedding", 23)
      .Attr("interleaved", int64_t{1})
      .Input<float>({1, 1, 1, 4}, {1, 2, 3, 4})
      .Input<float>({1, 2}, {0, 0})
      .Input<float>({1, 2}, {1, 1})
      .Input<int64_t>({1, 1}, {0})
      .ExpectOutput<float>({1, 1, 1, 4}, {-2, 1, -4, 3})
      .Run();
  KernelTester("RotaryEmbedding", 23)
      .Input<float>({1, 1, 1, 4}, {1, 2, 3, 4})
      .Input<float>({1, 2}, {0, 0})
      .Input<float>({1, 2}, {1, 1})
      .Input<int64_t>({1, 1}, {5})
      .ExpectError(StatusCode::kInvalidArgument, "position_ids[0,0] = 5");
}

TEST(AttentionTest, SoftmaxOverKeys) {
  // One query [1, 0] against keys [1, 0] and [0, 0] with scale 1: scores {1, 0}, weights
  // {e/(e+1), 1/(e+1)}; values {10, 20} give 10 e/(e+1) + 20/(e+1).
  const double e = std::exp(1.0);
  const float y = static_cast<float>((10 * e + 20) / (e + 1));
  KernelTester("Attention", 23)
      .Attr("scale", 1.0f)
      .Input<float>({1, 1, 1, 2}, {1, 0})
      .Input<float>({1, 1, 2, 2}, {1, 0, 0, 0})
      .Input<float>({1, 1, 2, 1}, {10, 20})
      .ExpectOutput<float>({1, 1, 1, 1}, {y})
      .Run();
}

TEST(AttentionTest, CausalMaskAndPresentKeys) {
  // Two queries, two keys, causal: query 0 sees key 0 only.
  KernelTester("Attention", 23)
      .Attr("is_causal", int64_t{1})
      .Input<float>({1, 1, 2, 1}, {1, 1})
      .Input<float>({1, 1, 2, 1}, {0, 0})
      .Input<float>({1, 1, 2, 1}, {10, 20})
      .AbsentInput()
      .AbsentInput()
      .AbsentInput()
      .ExpectOutput<float>({1, 1, 2, 1}, {10, 15})
      .Run();
  // A boolean mask hiding key 1, and a past key/value cache of one entry: present = past + new.
  KernelTester("Attention", 23)
      .Input<float>({1, 1, 1, 1}, {1})
      .Input<float>({1, 1, 1, 1}, {0})
      .Input<float>({1, 1, 1, 1}, {20})
      .Input<bool>({1, 2}, {true, false})
      .Input<float>({1, 1, 1, 1}, {0})
      .Input<float>({1, 1, 1, 1}, {10})
      .ExpectOutput<float>({1, 1, 1, 1}, {10})
      .ExpectOutput<float>({1, 1, 2, 1}, {0, 0})
      .ExpectOutput<float>({1, 1, 2, 1}, {10, 20})
      .Run();
}

TEST(AttentionTest, FullyMaskedRowIsZeroAndShapesAreChecked) {
  KernelTester("Attention", 23)
      .Input<float>({1, 1, 1, 1}, {1})
      .Input<float>({1, 1, 1, 1}, {0})
      .Input<float>({1, 1, 1, 1}, {20})
      .Input<bool>({1, 1}, {false})
      .ExpectOutput<float>({1, 1, 1, 1}, {0})
      .Run();
  KernelTester("Attention", 23)
      .Input<float>({1, 3, 1, 2}, {1, 1, 1, 1, 1, 1})
      .Input<float>({1, 2, 1, 2}, {1, 1, 1, 1})
      .Input<float>({1, 2, 1, 2}, {1, 1, 1, 1})
      .ExpectError(StatusCode::kInvalidArgument, "do not fit");
}

TEST(AttentionTest, NonpadLengthFrom24) {
  // Batch of one with two keys of which one is valid: the second key is masked.
  KernelTester("Attention", 24)
      .Input<float>({1, 1, 1, 1}, {1})
      .Input<float>({1, 1, 2, 1}, {0, 0})
      .Input<float>({1, 1, 2, 1}, {10, 20})
      .AbsentInput()
      .AbsentInput()
      .AbsentInput()
      .Input<int64_t>({1}, {1})
      .ExpectOutput<float>({1, 1, 1, 1}, {10})
      .Run();
}

TEST(Col2ImTest, SumsOverlappingBlocks) {
  // Image [1,3], block [1,2], stride 1: two blocks {a,b} at 0 and {c,d} at 1 -> {a, b+c, d}.
  KernelTester("Col2Im", 18)
      .Input<float>({1, 2, 2}, {1, 3, 2, 4})
      .Input<int64_t>({2}, {1, 3})
      .Input<int64_t>({2}, {1, 2})
      .ExpectOutput<float>({1, 1, 1, 3}, {1, 5, 4})
      .Run();
  KernelTester("Col2Im", 18)
      .Input<float>({1, 2, 3}, {1, 3, 2, 4, 5, 6})
      .Input<int64_t>({2}, {1, 3})
      .Input<int64_t>({2}, {1, 2})
      .ExpectError(StatusCode::kInvalidArgument, "expected [N, C * 2, 2]");
}

TEST(AffineGridTest, IdentityTheta) {
  // Identity theta on a 1x2 image without align_corners: x at -0.5 and 0.5, y 0.
  KernelTester("AffineGrid", 20)
      .Input<float>({1, 2, 3}, {1, 0, 0, 0, 1, 0})
      .Input<int64_t>({4}, {1, 1, 1, 2})
      .ExpectOutput<float>({1, 1, 2, 2}, {-0.5f, 0, 0.5f, 0})
      .Run();
}

TEST(DeformConvTest, ZeroOffsetIsConvolution) {
  // 1x1 kernel of weight 2 with zero offsets: y = 2 x + bias 1.
  KernelTester("DeformConv", 19)
      .Input<float>({1, 1, 1, 2}, {1, 2})
      .Input<float>({1, 1, 1, 1}, {2})
      .Input<float>({1, 2, 1, 2}, {0, 0, 0, 0})
      .Input<float>({1}, {1})
      .ExpectOutput<float>({1, 1, 1, 2}, {3, 5})
      .Run();
  // An offset of half a pixel to the right interpolates between the two inputs; past the
  // right edge reads 0 for the missing neighbour.
  KernelTester("DeformConv", 19)
      .Input<float>({1, 1, 1, 2}, {1, 2})
      .Input<float>({1, 1, 1, 1}, {1})
      .Input<float>({1, 2, 1, 2}, {0, 0, 0.5f, 0.5f})
      .ExpectOutput<float>({1, 1, 1, 2}, {1.5f, 1})
      .Run();
}

TEST(GridSampleTest, Opset20RenamesModesAndTakesVolumes) {
  // A 1x1x2 volume sampled at its two voxel centres (align_corners: x = -1 and 1).
  KernelTester("GridSample", 20)
      .Attr("align_corners", int64_t{1})
      .Input<float>({1, 1, 1, 1, 2}, {3, 7})
      .Input<float>({1, 1, 1, 2, 3}, {-1, 0, 0, 1, 0, 0})
      .ExpectOutput<float>({1, 1, 1, 1, 2}, {3, 7})
      .Run();
  KernelTester("GridSample", 16)
      .Attr("mode", "linear")
      .Input<float>({1, 1, 1, 2}, {3, 7})
      .Input<float>({1, 1, 1, 2}, {0, 0})
      .ExpectError(StatusCode::kInvalidArgument, "mode 'linear' is not bilinear");
  KernelTester("GridSample", 20)
      .Attr("mode", "bilinear")
      .Input<float>({1, 1, 1, 2}, {3, 7})
      .Input<float>({1, 1, 1, 2}, {0, 0})
      .ExpectError(StatusCode::kInvalidArgument, "mode 'bilinear' is not linear");
}

TEST(ResizeTest, Opset18AxesAndAspectPolicy) {
  // Only axis 1 of [1,2] resized to 4 (nearest, asymmetric): {a, a, b, b}.
  KernelTester("Resize", 18)
      .Attr("axes", std::vector<int64_t>{1})
      .Attr("coordinate_transformation_mode", "asymmetric")
      .Input<float>({1, 2}, {1, 2})
      .AbsentInput()
      .AbsentInput()
      .Input<int64_t>({1}, {4})
      .ExpectOutput<float>({1, 4}, {1, 1, 2, 2})
      .Run();
  // not_larger: sizes {4, 6} on [2, 2] gives scale min(2, 3) = 2, so [4, 4].
  KernelTester("Resize", 18)
      .Attr("keep_aspect_ratio_policy", "not_larger")
      .Input<float>({2, 2}, {1, 2, 3, 4})
      .AbsentInput()
      .AbsentInput()
      .Input<int64_t>({2}, {4, 6})
      .ExpectOutput<float>({4, 4}, {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4})
      .Run();
  KernelTester("Resize", 17)
      .Attr("axes", std::vector<int64_t>{1})
      .Input<float>({1, 2}, {1, 2})
      .AbsentInput()
      .AbsentInput()
      .Input<int64_t>({1}, {4})
      .ExpectError(StatusCode::kInvalidArgument, "has 1 entries but the input has rank 2");
}

TEST(ResizeTest, Opset18AntialiasAveragesWhenDownscaling) {
  // Linear, scale 0.5, half_pixel: output 0 sits at input 0.5 and the stretched triangle
  // (width 2) weighs inputs 0..1 by {0.25, 0.75, 0.75, 0.25} over indices -1..2 (clamped):
  // {1, 1, 2, 3} -> (0.25 + 0.75 + 1.5 + 0.75) / 2 = 1.625.
  KernelTester("Resize", 18)
      .Attr("mode", "linear")
      .Attr("antialias", int64_t{1})
      .Input<float>({4}, {1, 2, 3, 4})
      .AbsentInput()
      .Input<float>({1}, {0.5f})
      .ExpectOutput<float>({2}, {1.625f, 3.375f})
      .Run();
}

TEST(ResizeTest, Opset19HalfPixelSymmetric) {
  // in 2, scale 1.5 -> out 3; adjustment 3 / 3 = 1, so it equals half_pixel here: x_orig is
  // -1/6, 1/2 and 7/6, and round_prefer_floor picks inputs 0, 0, 1.
  KernelTester("Resize", 19)
      .Attr("coordinate_transformation_mode", "half_pixel_symmetric")
      .Input<float>({2}, {1, 2})
      .AbsentInput()
      .Input<float>({1}, {1.5f})
      .ExpectOutput<float>({3}, {1, 1, 2})
      .Run();
  // in 3, scale 0.6 -> out 1 (floor 1.8); adjustment 1 / 1.8, offset 1.5 (1 - 1/1.8) = 2/3;
  // x_orig(0) = 2/3 + 0.5 / 0.6 - 0.5 = 1: input 1.
  KernelTester("Resize", 19)
      .Attr("coordinate_transformation_mode", "half_pixel_symmetric")
      .Input<float>({3}, {1, 2, 3})
      .AbsentInput()
      .Input<float>({1}, {0.6f})
      .ExpectOutput<float>({1}, {2})
      .Run();
  KernelTester("Resize", 18)
      .Attr("coordinate_transformation_mode", "half_pixel_symmetric")
      .Input<float>({2}, {1, 2})
      .AbsentInput()
      .Input<float>({1}, {1.5f})
      .ExpectError(StatusCode::kInvalidArgument, "half_pixel_symmetric");
}

}  // namespace
}  // namespace convcheck::interp
