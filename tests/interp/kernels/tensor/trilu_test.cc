#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(TriluTest, UpperByDefault) {
  // numpy: np.triu(np.arange(1, 7).reshape(2, 3))
  KernelTester("Trilu", /*opset=*/14)
      .Input<float>({2, 3}, {1, 2, 3, 4, 5, 6})
      .ExpectOutput<float>({2, 3}, {1, 2, 3, 0, 5, 6})
      .Run();
}

TEST(TriluTest, LowerWithNegativeKOnBatch) {
  // numpy: np.tril(x, -1) for two 2x2 matrices
  KernelTester("Trilu", /*opset=*/14)
      .Attr("upper", int64_t{0})
      .Input<int64_t>({2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8})
      .Input<int64_t>({}, {-1})
      .ExpectOutput<int64_t>({2, 2, 2}, {0, 0, 3, 0, 0, 0, 7, 0})
      .Run();
}

TEST(TriluTest, KOutsideMatrixAndStrings) {
  KernelTester("Trilu", /*opset=*/14)
      .Input<std::string>({1, 2}, {"a", "b"})
      .Input<int64_t>({}, {5})
      .ExpectOutput<std::string>({1, 2}, {"", ""})
      .Run();
}

TEST(TriluTest, RejectsRankOne) {
  KernelTester("Trilu", /*opset=*/14)
      .Input<float>({2}, {1, 2})
      .ExpectError(StatusCode::kInvalidArgument, "rank >= 2");
}

}  // namespace
}  // namespace convcheck::interp
