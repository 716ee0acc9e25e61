#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

const std::vector<float> kX = {1, 2, 3, 4, 5, 6};  // Shape [2, 3].

TEST(ReduceSumTest, Opset13TakesAxesAsInput) {
  // numpy: np.sum([[1, 2, 3], [4, 5, 6]], axis=1, keepdims=True)
  KernelTester("ReduceSum", /*opset=*/13)
      .Input<float>({2, 3}, kX)
      .Input<int64_t>({1}, {1})
      .ExpectOutput<float>({2, 1}, {6, 15})
      .Run();
}

TEST(ReduceSumTest, Opset11TakesAxesAsAttribute) {
  // numpy: np.sum(x, axis=0)
  KernelTester("ReduceSum", /*opset=*/11)
      .Attr("axes", std::vector<int64_t>{0})
      .Attr("keepdims", int64_t{0})
      .Input<float>({2, 3}, kX)
      .ExpectOutput<float>({3}, {5, 7, 9})
      .Run();
}

TEST(ReduceSumTest, AbsentAxesReduceEverything) {
  KernelTester("ReduceSum", /*opset=*/13)
      .Input<int64_t>({2, 3}, {1, 2, 3, 4, 5, 6})
      .ExpectOutput<int64_t>({1, 1}, {21})
      .Run();
}

TEST(ReduceSumTest, EmptyAxesWithNoopIsIdentity) {
  KernelTester("ReduceSum", /*opset=*/13)
      .Attr("noop_with_empty_axes", int64_t{1})
      .Input<float>({2, 3}, kX)
      .Input<int64_t>({0}, {})
      .ExpectOutput<float>({2, 3}, kX)
      .Run();
}

TEST(ReduceSumTest, EmptySetSumsToZero) {
  KernelTester("ReduceSum", /*opset=*/13)
      .Input<float>({2, 0}, {})
      .Input<int64_t>({1}, {1})
      .ExpectOutput<float>({2, 1}, {0, 0})
      .Run();
}

TEST(ReduceSumTest, RejectsDuplicateAxes) {
  KernelTester("ReduceSum", /*opset=*/13)
      .Input<float>({2, 3}, kX)
      .Input<int64_t>({2}, {1, -1})
      .ExpectError(StatusCode::kInvalidArgument, "axes contains axis 1 more than once");
}

TEST(ReduceSumTest, RejectsOutOfRangeAxis) {
  KernelTester("ReduceSum", /*opset=*/13)
      .Input<float>({2, 3}, kX)
      .Input<int64_t>({1}, {2})
      .ExpectError(StatusCode::kInvalidArgument, "axes entry 2 is out of range for rank 2");
}

TEST(ReduceMeanTest, NegativeAxis) {
  // numpy: np.mean(x, axis=-1)
  KernelTester("ReduceMean", /*opset=*/13)
      .Attr("axes", std::vector<int64_t>{-1})
      .Attr("keepdims", int64_t{0})
      .Input<float>({2, 3}, kX)
      .ExpectOutput<float>({2}, {2, 5})
      .Run();
}

TEST(ReduceMeanTest, IntegerMeanTruncates) {
  // numpy: np.mean([1, 2], axis=0).astype(np.int32) == 1
  KernelTester("ReduceMean", /*opset=*/13)
      .Input<int32_t>({2}, {1, 2})
      .ExpectOutput<int32_t>({1}, {1})
      .Run();
}

TEST(ReduceMaxTest, EmptySetIsMinusInfinityAndMinIsPlusInfinity) {
  const float inf = std::numeric_limits<float>::infinity();
  KernelTester("ReduceMax", /*opset=*/13)
      .Attr("axes", std::vector<int64_t>{1})
      .Input<float>({2, 0}, {})
      .ExpectOutput<float>({2, 1}, {-inf, -inf})
      .Run();
  KernelTester("ReduceMin", /*opset=*/13)
      .Attr("axes", std::vector<int64_t>{1})
      .Input<float>({2, 0}, {})
      .ExpectOutput<float>({2, 1}, {inf, inf})
      .Run();
}

TEST(ReduceMaxTest, PropagatesNaNAndHandlesInt8) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  KernelTester("ReduceMax", /*opset=*/13)
      .Input<float>({3}, {1, nan, 2})
      .ExpectOutput<float>({1}, {nan})
      .Run();
  KernelTester("ReduceMin", /*opset=*/13)
      .Attr("keepdims", int64_t{0})
      .Input<int8_t>({3}, {5, -7, 3})
      .ExpectOutput<int8_t>({}, {-7})
      .Run();
}

TEST(ReduceProdTest, ProductAlongAxis) {
  // numpy: np.prod(x, axis=1)
  KernelTester("ReduceProd", /*opset=*/13)
      .Attr("axes", std::vector<int64_t>{1})
      .Attr("keepdims", int64_t{0})
      .Input<float>({2, 3}, kX)
      .ExpectOutput<float>({2}, {6, 120})
      .Run();
}

TEST(ReduceL1Test, SumsAbsoluteValues) {
  KernelTester("ReduceL1", /*opset=*/13)
      .Input<float>({3}, {-1, 2, -3})
      .ExpectOutput<float>({1}, {6})
      .Run();
}

TEST(ReduceL2Test, EuclideanNorm) {
  // numpy: np.sqrt(np.sum(x * x, axis=0))
  KernelTester("ReduceL2", /*opset=*/13)
      .Attr("axes", std::vector<int64_t>{0})
      .Input<float>({2, 3}, kX)
      .ExpectOutput<float>({1, 3}, {4.1231055f, 5.3851647f, 6.708204f})
      .Run();
}

TEST(ReduceLogSumTest, LogOfSum) {
  // numpy: np.log(np.sum(x))
  KernelTester("ReduceLogSum", /*opset=*/13)
      .Attr("keepdims", int64_t{0})
      .Input<float>({2, 3}, kX)
      .ExpectOutput<float>({}, {3.0445225f})
      .Run();
}

TEST(ReduceLogSumExpTest, LargeInputsDoNotOverflow) {
  // numpy: np.log(np.sum(np.exp(x), axis=1)) for x; shifting by 1000 shifts the answer by 1000.
  KernelTester("ReduceLogSumExp", /*opset=*/13)
      .Attr("axes", std::vector<int64_t>{1})
      .Input<double>({2, 3}, {1, 2, 3, 1001, 1002, 1003})
      .ExpectOutput<double>({2, 1}, {3.40760596444438, 1003.40760596444438})
      .Run();
}

TEST(ReduceSumSquareTest, SumsSquares) {
  KernelTester("ReduceSumSquare", /*opset=*/13)
      .Attr("axes", std::vector<int64_t>{1})
      .Input<int64_t>({2, 2}, {1, 2, 3, 4})
      .ExpectOutput<int64_t>({2, 1}, {5, 25})
      .Run();
}

}  // namespace
}  // namespace convcheck::interp
