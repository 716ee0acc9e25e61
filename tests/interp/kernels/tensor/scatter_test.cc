#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(ScatterElementsTest, WritesAlongAxis) {
  // numpy: d = np.zeros((1, 5)); np.put_along_axis(d, [[1, 3]], [[1.1, 2.1]], axis=1)
  KernelTester("ScatterElements", /*opset=*/13)
      .Attr("axis", int64_t{1})
      .Input<float>({1, 5}, {1, 2, 3, 4, 5})
      .Input<int64_t>({1, 2}, {1, -2})
      .Input<float>({1, 2}, {1.1f, 2.1f})
      .ExpectOutput<float>({1, 5}, {1, 1.1f, 3, 2.1f, 5})
      .Run();
}

TEST(ScatterElementsTest, Opset16AddReductionAccumulatesDuplicates) {
  // numpy: d = np.array([1., 2, 3]); np.add.at(d, [0, 0, 2], [10, 20, 30]) -> [31, 2, 33]
  KernelTester("ScatterElements", /*opset=*/16)
      .Attr("reduction", "add")
      .Input<float>({3}, {1, 2, 3})
      .Input<int32_t>({3}, {0, 0, 2})
      .Input<float>({3}, {10, 20, 30})
      .ExpectOutput<float>({3}, {31, 2, 33})
      .Run();
}

TEST(ScatterElementsTest, Opset16MulReduction) {
  KernelTester("ScatterElements", /*opset=*/16)
      .Attr("reduction", "mul")
      .Input<int64_t>({2}, {3, 5})
      .Input<int64_t>({2}, {1, 1})
      .Input<int64_t>({2}, {2, 4})
      .ExpectOutput<int64_t>({2}, {3, 40})
      .Run();
}

TEST(ScatterElementsTest, Opset13NoReductionLastWriteWins) {
  KernelTester("ScatterElements", /*opset=*/13)
      .Input<std::string>({2}, {"a", "b"})
      .Input<int64_t>({2}, {0, 0})
      .Input<std::string>({2}, {"x", "y"})
      .ExpectOutput<std::string>({2}, {"y", "b"})
      .Run();
}

TEST(ScatterElementsTest, OutOfRangeIndexIsAComputeError) {
  KernelTester("ScatterElements", /*opset=*/13)
      .Input<float>({2}, {1, 2})
      .Input<int64_t>({1}, {2})
      .Input<float>({1}, {0})
      .ExpectError(StatusCode::kInvalidArgument,
                   "indices[0] = 2 is out of range for a dimension of size 2");
}

TEST(ScatterElementsTest, RejectsBadReductionAndShapes) {
  KernelTester("ScatterElements", /*opset=*/16)
      .Attr("reduction", "max")
      .Input<float>({2}, {1, 2})
      .Input<int64_t>({1}, {0})
      .Input<float>({1}, {0})
      .ExpectError(StatusCode::kInvalidArgument, "reduction 'max' is not one of none, add, mul");
  KernelTester("ScatterElements", /*opset=*/13)
      .Input<float>({2}, {1, 2})
      .Input<int64_t>({1}, {0})
      .Input<float>({2}, {0, 0})
      .ExpectError(StatusCode::kInvalidArgument, "differs from updates shape");
}

TEST(ScatterTest, Opset10IsScatterElements) {
  KernelTester("Scatter", /*opset=*/10)
      .Input<float>({2, 2}, {0, 0, 0, 0})
      .Input<int64_t>({1, 2}, {1, 0})
      .Input<float>({1, 2}, {5, 6})
      .ExpectOutput<float>({2, 2}, {0, 6, 5, 0})
      .Run();
}

TEST(ScatterNDTest, WritesSlices) {
  // numpy: d = np.zeros((2, 2)); d[1] = [7, 8]
  KernelTester("ScatterND", /*opset=*/13)
      .Input<float>({2, 2}, {0, 0, 0, 0})
      .Input<int64_t>({1, 1}, {1})
      .Input<float>({1, 2}, {7, 8})
      .ExpectOutput<float>({2, 2}, {0, 0, 7, 8})
      .Run();
}

TEST(ScatterNDTest, Opset16AddReduction) {
  // numpy: d = np.ones(3); np.add.at(d, [2, 2], [1, 1]) -> [1, 1, 3]
  KernelTester("ScatterND", /*opset=*/16)
      .Attr("reduction", "add")
      .Input<float>({3}, {1, 1, 1})
      .Input<int64_t>({2, 1}, {-1, 2})
      .Input<float>({2}, {1, 1})
      .ExpectOutput<float>({3}, {1, 1, 3})
      .Run();
}

TEST(ScatterNDTest, RejectsWrongUpdatesShapeAndBadIndex) {
  KernelTester("ScatterND", /*opset=*/13)
      .Input<float>({2, 2}, {0, 0, 0, 0})
      .Input<int64_t>({1, 1}, {1})
      .Input<float>({2}, {7, 8})
      .ExpectError(StatusCode::kInvalidArgument, "updates shape [2] should be [1,2]");
  KernelTester("ScatterND", /*opset=*/13)
      .Input<float>({2, 2}, {0, 0, 0, 0})
      .Input<int64_t>({1, 1}, {5})
      .Input<float>({1, 2}, {7, 8})
      .ExpectError(StatusCode::kInvalidArgument, "indices[0] = 5 is out of range");
}

}  // namespace
}  // namespace convcheck::interp
