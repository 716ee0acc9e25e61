#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(TransposeTest, DefaultReversesDimensions) {
  // numpy: np.arange(6).reshape(2, 3).T
  KernelTester("Transpose", /*opset=*/13)
      .Input<float>({2, 3}, {0, 1, 2, 3, 4, 5})
      .ExpectOutput<float>({3, 2}, {0, 3, 1, 4, 2, 5})
      .Run();
}

TEST(TransposeTest, PermutesThreeDimensions) {
  // numpy: np.arange(24).reshape(2, 3, 4).transpose(1, 2, 0).ravel()[:8] == [0,12,1,13,2,14,3,15]
  std::vector<int64_t> v(24);
  for (int i = 0; i < 24; ++i) v[i] = i;
  std::vector<int64_t> expected;
  for (int b = 0; b < 3; ++b)
    for (int c = 0; c < 4; ++c)
      for (int a = 0; a < 2; ++a) expected.push_back(a * 12 + b * 4 + c);
  KernelTester("Transpose", /*opset=*/13)
      .Attr("perm", std::vector<int64_t>{1, 2, 0})
      .Input<int64_t>({2, 3, 4}, v)
      .ExpectOutput<int64_t>({3, 4, 2}, expected)
      .Run();
}

TEST(TransposeTest, MovesStringsAndEmptyTensors) {
  KernelTester("Transpose", /*opset=*/13)
      .Input<std::string>({1, 2}, {"a", "b"})
      .ExpectOutput<std::string>({2, 1}, {"a", "b"})
      .Run();
  KernelTester("Transpose", /*opset=*/13)
      .Input(Tensor(DataType::kFloat32, {0, 2}))
      .ExpectOutput(Tensor(DataType::kFloat32, {2, 0}))
      .Run();
}

TEST(TransposeTest, RejectsNonPermutation) {
  KernelTester("Transpose", /*opset=*/13)
      .Attr("perm", std::vector<int64_t>{0, 0})
      .Input<float>({2, 2}, {0, 1, 2, 3})
      .ExpectError(StatusCode::kInvalidArgument, "perm [0,0] is not a permutation");
  KernelTester("Transpose", /*opset=*/13)
      .Attr("perm", std::vector<int64_t>{0})
      .Input<float>({2, 2}, {0, 1, 2, 3})
      .ExpectError(StatusCode::kInvalidArgument, "input rank is 2");
}

}  // namespace
}  // namespace convcheck::interp
