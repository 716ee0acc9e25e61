#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(ConcatTest, JoinsAlongNegativeAxis) {
  // numpy: np.concatenate([[[1, 2]], [[3], [4]]... ]) -> here [[1,2],[3,4]] ++ [[5],[6]] on axis -1
  KernelTester("Concat", /*opset=*/13)
      .Attr("axis", int64_t{-1})
      .Input<float>({2, 2}, {1, 2, 3, 4})
      .Input<float>({2, 1}, {5, 6})
      .ExpectOutput<float>({2, 3}, {1, 2, 5, 3, 4, 6})
      .Run();
}

TEST(ConcatTest, AcceptsEmptyInputsAndStrings) {
  KernelTester("Concat", /*opset=*/13)
      .Attr("axis", int64_t{0})
      .Input<std::string>({1}, {"a"})
      .Input<std::string>({0}, {})
      .Input<std::string>({2}, {"b", "c"})
      .ExpectOutput<std::string>({3}, {"a", "b", "c"})
      .Run();
}

TEST(ConcatTest, RejectsMismatchedShapesAndTypes) {
  KernelTester("Concat", /*opset=*/13)
      .Attr("axis", int64_t{0})
      .Input<float>({1, 2}, {1, 2})
      .Input<float>({1, 3}, {1, 2, 3})
      .ExpectError(StatusCode::kInvalidArgument, "input 1 has shape [1,3] but input 0 has shape [1,2]");
  KernelTester("Concat", /*opset=*/13)
      .Attr("axis", int64_t{0})
      .Input<float>({1}, {1})
      .Input<double>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "input 1 is float64 but input 0 is float32");
  KernelTester("Concat", /*opset=*/13)
      .Input<float>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "axis attribute is required");
}

TEST(SplitTest, Opset13SplitInput) {
  // numpy: np.split(np.arange(6), [2]) -> [0, 1], [2, 3, 4, 5]
  KernelTester("Split", /*opset=*/13)
      .Input<int64_t>({6}, {0, 1, 2, 3, 4, 5})
      .Input<int64_t>({2}, {2, 4})
      .ExpectOutput<int64_t>({2}, {0, 1})
      .ExpectOutput<int64_t>({4}, {2, 3, 4, 5})
      .Run();
}

TEST(SplitTest, Opset12SplitAttributeAndZeroSizedPart) {
  KernelTester("Split", /*opset=*/12)
      .Attr("axis", int64_t{1})
      .Attr("split", std::vector<int64_t>{0, 2})
      .Input<float>({1, 2}, {7, 8})
      .ExpectOutput<float>({1, 0}, {})
      .ExpectOutput<float>({1, 2}, {7, 8})
      .Run();
}

TEST(SplitTest, DefaultIsEqualParts) {
  // numpy: np.split(np.arange(6).reshape(2, 3)... ) along axis 0 into 2 rows
  KernelTester("Split", /*opset=*/13)
      .Input<float>({2, 3}, {0, 1, 2, 3, 4, 5})
      .ExpectOutput<float>({1, 3}, {0, 1, 2})
      .ExpectOutput<float>({1, 3}, {3, 4, 5})
      .Run();
}

TEST(SplitTest, RejectsUnevenDefaultBeforeOpset18) {
  KernelTester("Split", /*opset=*/13)
      .Input<float>({3}, {0, 1, 2})
      .IgnoreOutput()
      .IgnoreOutput()
      .ExpectError(StatusCode::kInvalidArgument, "dimension 0 of size 3 cannot be split into 2");
}

TEST(SplitTest, RejectsBadSplitSums) {
  KernelTester("Split", /*opset=*/13)
      .Input<float>({3}, {0, 1, 2})
      .Input<int64_t>({2}, {1, 1})
      .IgnoreOutput()
      .IgnoreOutput()
      .ExpectError(StatusCode::kInvalidArgument, "split [1,1] sums to 2 but dimension 0 has size 3");
}

}  // namespace
}  // namespace convcheck::interp
