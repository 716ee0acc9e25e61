#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(ReshapeTest, CopiesZeroAndInfersMinusOne) {
  // numpy: np.arange(6).reshape(2, 3) reshaped with [0, -1] -> shape (2, 3), same order
  KernelTester("Reshape", /*opset=*/13)
      .Input<float>({2, 3}, {0, 1, 2, 3, 4, 5})
      .Input<int64_t>({3}, {0, -1, 1})
      .ExpectOutput<float>({2, 3, 1}, {0, 1, 2, 3, 4, 5})
      .Run();
}

TEST(ReshapeTest, Opset14AllowZeroMakesZeroLiteral) {
  // numpy: np.zeros((0, 3)).reshape(3, 0)
  KernelTester("Reshape", /*opset=*/14)
      .Attr("allowzero", int64_t{1})
      .Input<float>({0, 3}, {})
      .Input<int64_t>({2}, {3, 0})
      .ExpectOutput<float>({3, 0}, {})
      .Run();
}

TEST(ReshapeTest, Opset13IgnoresAllowZeroAndCopiesTheDimension) {
  KernelTester("Reshape", /*opset=*/13)
      .Attr("allowzero", int64_t{1})
      .Input<int32_t>({2, 2}, {1, 2, 3, 4})
      .Input<int64_t>({2}, {0, 2})
      .ExpectOutput<int32_t>({2, 2}, {1, 2, 3, 4})
      .Run();
}

TEST(ReshapeTest, RejectsZeroAndMinusOneWithAllowZero) {
  KernelTester("Reshape", /*opset=*/14)
      .Attr("allowzero", int64_t{1})
      .Input<float>({0, 3}, {})
      .Input<int64_t>({2}, {0, -1})
      .ExpectError(StatusCode::kInvalidArgument, "both 0 and -1");
}

TEST(ReshapeTest, RejectsTwoMinusOnes) {
  KernelTester("Reshape", /*opset=*/14)
      .Input<float>({4}, {1, 2, 3, 4})
      .Input<int64_t>({2}, {-1, -1})
      .ExpectError(StatusCode::kInvalidArgument, "more than one -1");
}

TEST(ReshapeTest, RejectsWrongElementCount) {
  KernelTester("Reshape", /*opset=*/14)
      .Input<float>({4}, {1, 2, 3, 4})
      .Input<int64_t>({2}, {3, 2})
      .ExpectError(StatusCode::kInvalidArgument, "cannot reshape input [4] (4 elements) to [3,2]");
}

TEST(ReshapeTest, MovesStrings) {
  KernelTester("Reshape", /*opset=*/14)
      .Input<std::string>({2, 1}, {"a", "b"})
      .Input<int64_t>({1}, {-1})
      .ExpectOutput<std::string>({2}, {"a", "b"})
      .Run();
}

TEST(FlattenTest, NegativeAxisSplitsBeforeLastDimension) {
  // numpy: np.arange(24).reshape(2, 3, 4).reshape(6, 4)
  std::vector<float> v(24);
  for (int i = 0; i < 24; ++i) v[i] = static_cast<float>(i);
  KernelTester("Flatten", /*opset=*/13)
      .Attr("axis", int64_t{-1})
      .Input<float>({2, 3, 4}, v)
      .ExpectOutput<float>({6, 4}, v)
      .Run();
}

TEST(FlattenTest, AxisZeroAndAxisRank) {
  KernelTester("Flatten", /*opset=*/13)
      .Attr("axis", int64_t{0})
      .Input<int64_t>({2, 2}, {1, 2, 3, 4})
      .ExpectOutput<int64_t>({1, 4}, {1, 2, 3, 4})
      .Run();
  KernelTester("Flatten", /*opset=*/13)
      .Attr("axis", int64_t{2})
      .Input<int64_t>({2, 2}, {1, 2, 3, 4})
      .ExpectOutput<int64_t>({4, 1}, {1, 2, 3, 4})
      .Run();
}

TEST(FlattenTest, RejectsAxisOutOfRange) {
  KernelTester("Flatten", /*opset=*/13)
      .Attr("axis", int64_t{3})
      .Input<float>({2, 2}, {1, 2, 3, 4})
      .ExpectError(StatusCode::kInvalidArgument, "axis 3 is out of range");
  KernelTester("Flatten", /*opset=*/13)
      .Attr("axis", int64_t{-3})
      .Input<float>({2, 2}, {1, 2, 3, 4})
      .ExpectError(StatusCode::kInvalidArgument, "out of range");
}

TEST(SqueezeTest, Opset13TakesAxesInput) {
  KernelTester("Squeeze", /*opset=*/13)
      .Input<float>({1, 2, 1}, {1, 2})
      .Input<int64_t>({1}, {-1})
      .ExpectOutput<float>({1, 2}, {1, 2})
      .Run();
}

TEST(SqueezeTest, Opset11TakesAxesAttribute) {
  KernelTester("Squeeze", /*opset=*/11)
      .Attr("axes", std::vector<int64_t>{0})
      .Input<float>({1, 2, 1}, {1, 2})
      .ExpectOutput<float>({2, 1}, {1, 2})
      .Run();
}

TEST(SqueezeTest, WithoutAxesRemovesAllOnes) {
  KernelTester("Squeeze", /*opset=*/13)
      .Input<bool>({1, 2, 1}, {true, false})
      .ExpectOutput<bool>({2}, {true, false})
      .Run();
}

TEST(SqueezeTest, RejectsAxisWhoseSizeIsNotOne) {
  KernelTester("Squeeze", /*opset=*/13)
      .Input<float>({1, 2}, {1, 2})
      .Input<int64_t>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "cannot squeeze axis 1 of shape [1,2]");
}

TEST(UnsqueezeTest, Opset13AxesReferToOutputRank) {
  // numpy: np.expand_dims(np.ones((3,)), axis=(0, 2)).shape == (1, 3, 1)
  KernelTester("Unsqueeze", /*opset=*/13)
      .Input<float>({3}, {1, 2, 3})
      .Input<int64_t>({2}, {2, 0})
      .ExpectOutput<float>({1, 3, 1}, {1, 2, 3})
      .Run();
}

TEST(UnsqueezeTest, Opset11AxesAttributeWithNegativeAxis) {
  KernelTester("Unsqueeze", /*opset=*/11)
      .Attr("axes", std::vector<int64_t>{-1})
      .Input<float>({}, {5})
      .ExpectOutput<float>({1}, {5})
      .Run();
}

TEST(UnsqueezeTest, RejectsDuplicateAxes) {
  KernelTester("Unsqueeze", /*opset=*/13)
      .Input<float>({3}, {1, 2, 3})
      .Input<int64_t>({2}, {0, -3})
      .ExpectError(StatusCode::kInvalidArgument, "duplicate");
}

TEST(IdentityTest, PassesTensorsAndSequences) {
  KernelTester("Identity", /*opset=*/16)
      .Input<int8_t>({2}, {1, -1})
      .ExpectOutput<int8_t>({2}, {1, -1})
      .Run();
  Value seq = Value::FromSequence({Tensor::FromVector<float>({1}, {1})}, DataType::kFloat32);
  KernelTester("Identity", /*opset=*/16).Input(seq).ExpectOutput(seq).Run();
}

TEST(ShapeTest, Opset15ClampsStartAndEnd) {
  // numpy: np.array([2, 3, 4, 5])[-10:-1] == [2, 3, 4]
  KernelTester("Shape", /*opset=*/15)
      .Attr("start", int64_t{-10})
      .Attr("end", int64_t{-1})
      .Input(Tensor(DataType::kFloat32, {2, 3, 4, 5}))
      .ExpectOutput<int64_t>({3}, {2, 3, 4})
      .Run();
}

TEST(ShapeTest, Opset14IgnoresStart) {
  KernelTester("Shape", /*opset=*/14)
      .Attr("start", int64_t{1})
      .Input(Tensor(DataType::kFloat32, {2, 3}))
      .ExpectOutput<int64_t>({2}, {2, 3})
      .Run();
}

TEST(SizeTest, CountsElementsOfEmptyAndScalar) {
  KernelTester("Size", /*opset=*/13)
      .Input(Tensor(DataType::kFloat32, {2, 0, 3}))
      .ExpectOutput<int64_t>({}, {0})
      .Run();
  KernelTester("Size", /*opset=*/13)
      .Input<std::string>({}, {"x"})
      .ExpectOutput<int64_t>({}, {1})
      .Run();
}

}  // namespace
}  // namespace convcheck::interp
