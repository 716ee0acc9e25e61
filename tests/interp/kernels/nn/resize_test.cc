#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

// Expected values come from the numpy reference in onnx/backend/test/case/node/resize.py:
//   interpolate_nd(x, <coeffs>, scale_factors=... | output_size=..., **attributes)

TEST(ResizeTest, NearestUpsampleWithScales) {
  // interpolate_nd(x, nearest_coeffs, scale_factors=[1, 1, 2, 3])
  KernelTester("Resize", /*opset=*/13)
      .Input<float>({1, 1, 2, 2}, {1, 2, 3, 4})
      .AbsentInput()
      .Input<float>({4}, {1, 1, 2, 3})
      .ExpectOutput<float>({1, 1, 4, 6}, {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2,
                                          3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4})
      .Run();
}

TEST(ResizeTest, NearestDownsampleUsesFlooredOutputSize) {
  // floor(4 * 0.6) = 2 outputs; half_pixel maps them to 0.33 and 2.0.
  KernelTester("Resize", /*opset=*/13)
      .Input<float>({1, 1, 4}, {1, 2, 3, 4})
      .AbsentInput()
      .Input<float>({3}, {1, 1, 0.6f})
      .ExpectOutput<float>({1, 1, 2}, {1, 3})
      .Run();
}

TEST(ResizeTest, LinearHalfPixel) {
  // interpolate_nd(x, linear_coeffs, scale_factors=[1, 1, 2, 2])
  KernelTester("Resize", /*opset=*/13)
      .Attr("mode", "linear")
      .Input<float>({1, 1, 2, 2}, {1, 2, 3, 4})
      .AbsentInput()
      .Input<float>({4}, {1, 1, 2, 2})
      .ExpectOutput<float>({1, 1, 4, 4}, {1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f,
                                          2.75f, 3.25f, 3.5f, 3, 3.25f, 3.75f, 4})
      .Run();
}

TEST(ResizeTest, LinearAlignCorners) {
  KernelTester("Resize", /*opset=*/13)
      .Attr("mode", "linear")
      .Attr("coordinate_transformation_mode", "align_corners")
      .Input<float>({1, 1, 2, 2}, {1, 2, 3, 4})
      .AbsentInput()
      .Input<float>({4}, {1, 1, 2, 2})
      .ExpectOutput<float>({1, 1, 4, 4},
                           {1, 1.3333334f, 1.6666666f, 2, 1.6666666f, 2, 2.3333333f, 2.6666667f,
                            2.3333333f, 2.6666667f, 3, 3.3333333f, 3, 3.3333333f, 3.6666667f, 4})
      .Run();
}

TEST(ResizeTest, CubicHalfPixel) {
  // interpolate_nd(x, cubic_coeffs, scale_factors=[1, 1, 2])
  KernelTester("Resize", /*opset=*/13)
      .Attr("mode", "cubic")
      .Input<float>({1, 1, 4}, {1, 2, 3, 4})
      .AbsentInput()
      .Input<float>({3}, {1, 1, 2})
      .ExpectOutput<float>({1, 1, 8}, {0.89453125f, 1.19140625f, 1.66796875f, 2.296875f,
                                       2.703125f, 3.33203125f, 3.80859375f, 4.10546875f})
      .Run();
}

TEST(ResizeTest, CubicExcludeOutsideRenormalizes) {
  // interpolate_nd(x, lambda r: cubic_coeffs(r, A=-0.5), ..., exclude_outside=True)
  KernelTester("Resize", /*opset=*/13)
      .Attr("mode", "cubic")
      .Attr("cubic_coeff_a", -0.5f)
      .Attr("exclude_outside", int64_t{1})
      .Input<float>({1, 1, 4}, {1, 2, 3, 4})
      .AbsentInput()
      .Input<float>({3}, {1, 1, 2})
      .ExpectOutput<float>({1, 1, 8}, {0.9117647f, 1.1678832f, 1.7099236f, 2.25f, 2.75f,
                                       3.2900763f, 3.832117f, 4.0882354f})
      .Run();
}

TEST(ResizeTest, SizesWithNearestCeil) {
  // output_size 3 of 4 (scale 0.75): half_pixel maps to 0.17, 1.5, 2.83; ceil gives 1, 2, 3.
  KernelTester("Resize", /*opset=*/13)
      .Attr("nearest_mode", "ceil")
      .Input<float>({1, 1, 4}, {1, 2, 3, 4})
      .AbsentInput()
      .AbsentInput()
      .Input<int64_t>({3}, {1, 1, 3})
      .ExpectOutput<float>({1, 1, 3}, {2, 3, 4})
      .Run();
}

TEST(ResizeTest, AsymmetricRoundPreferCeil) {
  // x / 2 = 0, 0.5, 1, 1.5, ...: halves round up.
  KernelTester("Resize", /*opset=*/13)
      .Attr("coordinate_transformation_mode", "asymmetric")
      .Attr("nearest_mode", "round_prefer_ceil")
      .Input<float>({1, 1, 4}, {1, 2, 3, 4})
      .AbsentInput()
      .AbsentInput()
      .Input<int64_t>({3}, {1, 1, 8})
      .ExpectOutput<float>({1, 1, 8}, {1, 2, 2, 3, 3, 4, 4, 4})
      .Run();
}

TEST(ResizeTest, TfCropAndResizeExtrapolates) {
  // roi crops [0.4, 1.2] of the last axis: x_original = 1.2, 2.4, 3.6 (> 3: extrapolated).
  KernelTester("Resize", /*opset=*/13)
      .Attr("mode", "linear")
      .Attr("coordinate_transformation_mode", "tf_crop_and_resize")
      .Attr("extrapolation_value", 10.0f)
      .Input<float>({1, 1, 4}, {1, 2, 3, 4})
      .Input<float>({6}, {0, 0, 0.4f, 1, 1, 1.2f})
      .AbsentInput()
      .Input<int64_t>({3}, {1, 1, 3})
      .ExpectOutput<float>({1, 1, 3}, {2.2f, 3.4f, 10})
      .Run();
}

TEST(ResizeTest, Opset11TakesEmptyScalesWithSizes) {
  KernelTester("Resize", /*opset=*/11)
      .Input<float>({1, 1, 2}, {1, 2})
      .Input<float>({0}, {})
      .Input<float>({0}, {})
      .Input<int64_t>({3}, {1, 1, 4})
      .ExpectOutput<float>({1, 1, 4}, {1, 1, 2, 2})
      .Run();
}

TEST(ResizeTest, Opset10IsAsymmetricWithFloor) {
  // Resize-10: x_original = x / 1.5 -> 0, 0.67, 1.33 -> floor 0, 0, 1.
  KernelTester("Resize", /*opset=*/10)
      .Input<float>({1, 1, 2}, {1, 2})
      .Input<float>({3}, {1, 1, 1.5f})
      .ExpectOutput<float>({1, 1, 3}, {1, 1, 2})
      .Run();
}

TEST(ResizeTest, NearestCopiesIntegersExactly) {
  KernelTester("Resize", /*opset=*/13)
      .Input<int64_t>({2}, {9007199254740993, -1})
      .AbsentInput()
      .Input<float>({1}, {2})
      .ExpectOutput<int64_t>({4}, {9007199254740993, 9007199254740993, -1, -1})
      .Run();
}

TEST(ResizeTest, LinearOnUint8RoundsToNearest) {
  // half_pixel x2 of [0, 255]: 0, 63.75, 191.25, 255 -> 0, 64, 191, 255.
  KernelTester("Resize", /*opset=*/13)
      .Attr("mode", "linear")
      .Input<uint8_t>({2}, {0, 255})
      .AbsentInput()
      .Input<float>({1}, {2})
      .ExpectOutput<uint8_t>({4}, {0, 64, 191, 255})
      .Run();
}

TEST(ResizeTest, RejectsScalesAndSizesTogether) {
  KernelTester("Resize", /*opset=*/13)
      .Input<float>({2}, {1, 2})
      .AbsentInput()
      .Input<float>({1}, {2})
      .Input<int64_t>({1}, {4})
      .ExpectError(StatusCode::kInvalidArgument, "only one of scales and sizes");
}

TEST(ResizeTest, RejectsScalesOfWrongLength) {
  KernelTester("Resize", /*opset=*/13)
      .Input<float>({1, 2}, {1, 2})
      .AbsentInput()
      .Input<float>({1}, {2})
      .ExpectError(StatusCode::kInvalidArgument, "scales has 1 entries but the input has rank 2");
}

TEST(ResizeTest, RejectsUnknownCoordinateMode) {
  KernelTester("Resize", /*opset=*/13)
      .Attr("coordinate_transformation_mode", "center")
      .Input<float>({2}, {1, 2})
      .AbsentInput()
      .Input<float>({1}, {2})
      .ExpectError(StatusCode::kInvalidArgument, "coordinate_transformation_mode 'center'");
}

TEST(UpsampleTest, Opset7ScalesAttribute) {
  // np.repeat(np.repeat(x, 2, axis=2), 3, axis=3)[..., :] for [[1, 2]].
  KernelTester("Upsample", /*opset=*/7)
      .Attr("scales", std::vector<float>{1, 1, 2, 3})
      .Input<float>({1, 1, 1, 2}, {1, 2})
      .ExpectOutput<float>({1, 1, 2, 6}, {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2})
      .Run();
}

TEST(UpsampleTest, Opset9LinearIsAsymmetric) {
  // x_original = x / 2: 0, 0.5, 1, 1.5 (clamped to 1) -> 1, 2, 3, 3.
  KernelTester("Upsample", /*opset=*/9)
      .Attr("mode", "linear")
      .Input<float>({2}, {1, 3})
      .Input<float>({1}, {2})
      .ExpectOutput<float>({4}, {1, 2, 3, 3})
      .Run();
}

TEST(UpsampleTest, RejectsDownsampling) {
  KernelTester("Upsample", /*opset=*/9)
      .Input<float>({2}, {1, 3})
      .Input<float>({1}, {0.5f})
      .ExpectError(StatusCode::kInvalidArgument, "must be at least 1");
}

}  // namespace
}  // namespace convcheck::interp
