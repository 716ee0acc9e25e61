#include <gtest/gtest.h>

#include <cstdint>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(ArgMaxTest, DefaultAxisZeroKeepsDims) {
  // numpy: np.argmax([[2, 1], [3, 10]], axis=0)[None]
  KernelTester("ArgMax", /*opset=*/13)
      .Input<float>({2, 2}, {2, 1, 3, 10})
      .ExpectOutput<int64_t>({1, 2}, {1, 1})
      .Run();
}

TEST(ArgMaxTest, TiesGoFirstUnlessSelectLastIndex) {
  KernelTester("ArgMax", /*opset=*/13)
      .Attr("axis", int64_t{-1})
      .Attr("keepdims", int64_t{0})
      .Input<int32_t>({2, 3}, {5, 5, 1, 0, 7, 7})
      .ExpectOutput<int64_t>({2}, {0, 1})
      .Run();
  KernelTester("ArgMax", /*opset=*/13)
      .Attr("axis", int64_t{-1})
      .Attr("keepdims", int64_t{0})
      .Attr("select_last_index", int64_t{1})
      .Input<int32_t>({2, 3}, {5, 5, 1, 0, 7, 7})
      .ExpectOutput<int64_t>({2}, {1, 2})
      .Run();
}

TEST(ArgMinTest, FindsSmallest) {
  // numpy: np.argmin([[2, 1], [3, 10]], axis=1)
  KernelTester("ArgMin", /*opset=*/13)
      .Attr("axis", int64_t{1})
      .Attr("keepdims", int64_t{0})
      .Input<double>({2, 2}, {2, 1, 3, 10})
      .ExpectOutput<int64_t>({2}, {1, 0})
      .Run();
}

TEST(ArgMaxTest, RejectsEmptyAxis) {
  KernelTester("ArgMax", /*opset=*/13)
      .Input<float>({0, 2}, {})
      .ExpectError(StatusCode::kInvalidArgument, "cannot reduce axis 0 of size 0");
}

TEST(ArgMaxTest, RejectsAxisOutOfRange) {
  KernelTester("ArgMax", /*opset=*/13)
      .Attr("axis", int64_t{2})
      .Input<float>({2, 2}, {0, 0, 0, 0})
      .ExpectError(StatusCode::kInvalidArgument, "axis 2 is out of range for rank 2");
}

}  // namespace
}  // namespace convcheck::interp
