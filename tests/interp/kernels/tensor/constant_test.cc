#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(ConstantTest, ValueTensor) {
  KernelTester("Constant", /*opset=*/13)
      .Attr("value", Tensor::FromVector<float>({2}, {1.5f, -2}))
      .ExpectOutput<float>({2}, {1.5f, -2})
      .Run();
}

TEST(ConstantTest, Opset12TypedAttributes) {
  KernelTester("Constant", /*opset=*/12)
      .Attr("value_ints", std::vector<int64_t>{1, 2})
      .ExpectOutput<int64_t>({2}, {1, 2})
      .Run();
  KernelTester("Constant", /*opset=*/12)
      .Attr("value_float", 0.25f)
      .ExpectOutput<float>({}, {0.25f})
      .Run();
  KernelTester("Constant", /*opset=*/12)
      .Attr("value_strings", std::vector<std::string>{"a", "b"})
      .ExpectOutput<std::string>({2}, {"a", "b"})
      .Run();
}

TEST(ConstantTest, Opset11RejectsTypedAttributes) {
  KernelTester("Constant", /*opset=*/11)
      .Attr("value_int", int64_t{3})
      .ExpectError(StatusCode::kInvalidArgument, "attribute value_int needs opset 12");
}

TEST(ConstantTest, RejectsZeroOrTwoValues) {
  KernelTester("Constant", /*opset=*/13)
      .IgnoreOutput()
      .ExpectError(StatusCode::kInvalidArgument, "exactly one value attribute, got 0");
  KernelTester("Constant", /*opset=*/13)
      .Attr("value_int", int64_t{3})
      .Attr("value_float", 1.0f)
      .ExpectError(StatusCode::kInvalidArgument, "exactly one value attribute, got 2");
}

TEST(ConstantTest, PreciseModeKeepsFloatValuesExact) {
  // 0.1f as float32 widened to float64 and rounded back is 0.1f again.
  KernelTester("Constant", /*opset=*/13)
      .Precise()
      .Attr("value", Tensor::FromVector<float>({1}, {0.1f}))
      .ExpectOutput<float>({1}, {0.1f})
      .Tolerance(0, 0)
      .Run();
}

TEST(ConstantOfShapeTest, FillsWithValue) {
  KernelTester("ConstantOfShape", /*opset=*/9)
      .Attr("value", Tensor::FromVector<int32_t>({1}, {7}))
      .Input<int64_t>({2}, {2, 1})
      .ExpectOutput<int32_t>({2, 1}, {7, 7})
      .Run();
}

TEST(ConstantOfShapeTest, DefaultsToFloatZeroAndEmptyShapeIsScalar) {
  KernelTester("ConstantOfShape", /*opset=*/9)
      .Input<int64_t>({0}, {})
      .ExpectOutput<float>({}, {0})
      .Run();
  KernelTester("ConstantOfShape", /*opset=*/9)
      .Input<int64_t>({1}, {0})
      .ExpectOutput<float>({0}, {})
      .Run();
}

TEST(ConstantOfShapeTest, RejectsNegativeDimAndMultiElementValue) {
  KernelTester("ConstantOfShape", /*opset=*/9)
      .Input<int64_t>({1}, {-1})
      .ExpectError(StatusCode::kInvalidArgument, "shape [-1] has a negative dimension");
  KernelTester("ConstantOfShape", /*opset=*/9)
      .Attr("value", Tensor::FromVector<int32_t>({2}, {7, 8}))
      .Input<int64_t>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "value must have one element, got 2");
}

TEST(EyeLikeTest, OffDiagonalWithDtype) {
  // numpy: np.eye(2, 3, k=1, dtype=np.int32)
  KernelTester("EyeLike", /*opset=*/9)
      .Attr("k", int64_t{1})
      .Attr("dtype", int64_t{6})
      .Input<float>({2, 3}, {0, 0, 0, 0, 0, 0})
      .ExpectOutput<int32_t>({2, 3}, {0, 1, 0, 0, 0, 1})
      .Run();
}

TEST(EyeLikeTest, DefaultsToInputTypeAndNegativeK) {
  // numpy: np.eye(3, 2, k=-1, dtype=bool)
  KernelTester("EyeLike", /*opset=*/9)
      .Attr("k", int64_t{-1})
      .Input<bool>({3, 2}, {false, false, false, false, false, false})
      .ExpectOutput<bool>({3, 2}, {false, false, true, false, false, true})
      .Run();
}

TEST(EyeLikeTest, RejectsNon2D) {
  KernelTester("EyeLike", /*opset=*/9)
      .Input<float>({2}, {0, 0})
      .ExpectError(StatusCode::kInvalidArgument, "input must be 2-D, got shape [2]");
}

TEST(RangeTest, FloatAndNegativeIntegerDelta) {
  // numpy: np.arange(1, 5, 1.5) == [1, 2.5, 4]; np.arange(10, 6, -3) == [10, 7]
  KernelTester("Range", /*opset=*/11)
      .Input<float>({}, {1})
      .Input<float>({}, {5})
      .Input<float>({}, {1.5f})
      .ExpectOutput<float>({3}, {1, 2.5f, 4})
      .Run();
  KernelTester("Range", /*opset=*/11)
      .Input<int32_t>({}, {10})
      .Input<int32_t>({}, {6})
      .Input<int32_t>({}, {-3})
      .ExpectOutput<int32_t>({2}, {10, 7})
      .Run();
}

TEST(RangeTest, EmptyWhenLimitIsBehind) {
  KernelTester("Range", /*opset=*/11)
      .Input<int64_t>({}, {5})
      .Input<int64_t>({}, {1})
      .Input<int64_t>({}, {1})
      .ExpectOutput<int64_t>({0}, {})
      .Run();
}

TEST(RangeTest, RejectsZeroDeltaAndMixedTypes) {
  KernelTester("Range", /*opset=*/11)
      .Input<int64_t>({}, {0})
      .Input<int64_t>({}, {1})
      .Input<int64_t>({}, {0})
      .ExpectError(StatusCode::kInvalidArgument, "delta must not be zero");
  KernelTester("Range", /*opset=*/11)
      .Input<int64_t>({}, {0})
      .Input<int32_t>({}, {1})
      .Input<int64_t>({}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "scalars of one type");
}

}  // namespace
}  // namespace convcheck::interp
