#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(LogicalTest, AndOrXorBroadcast) {
  // numpy: np.logical_and/or/xor([[T, F], [T, T]], [T, F])
  const std::vector<bool> a = {true, false, true, true};
  const std::vector<bool> b = {true, false};
  KernelTester("And", /*opset=*/7).Input<bool>({2, 2}, a).Input<bool>({2}, b)
      .ExpectOutput<bool>({2, 2}, {true, false, true, false}).Run();
  KernelTester("Or", /*opset=*/7).Input<bool>({2, 2}, a).Input<bool>({2}, b)
      .ExpectOutput<bool>({2, 2}, {true, false, true, true}).Run();
  KernelTester("Xor", /*opset=*/7).Input<bool>({2, 2}, a).Input<bool>({2}, b)
      .ExpectOutput<bool>({2, 2}, {false, false, false, true}).Run();
}

TEST(LogicalTest, AndRejectsNonBool) {
  KernelTester("And", /*opset=*/7).Input<int32_t>({1}, {1}).Input<int32_t>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "And does not accept int32 inputs");
}

TEST(ComparisonTest, ComparesWithBroadcasting) {
  // numpy: x = [[1, 2, 3], [4, 5, 6]], y = [2, 5, 6]; x > y, x >= y, x < y, x <= y, x == y
  const std::vector<int64_t> x = {1, 2, 3, 4, 5, 6};
  const std::vector<int64_t> y = {3, 5, 6};
  KernelTester("Greater", /*opset=*/13).Input<int64_t>({2, 3}, x).Input<int64_t>({3}, y)
      .ExpectOutput<bool>({2, 3}, {false, false, false, true, false, false}).Run();
  KernelTester("GreaterOrEqual", /*opset=*/16).Input<int64_t>({2, 3}, x).Input<int64_t>({3}, y)
      .ExpectOutput<bool>({2, 3}, {false, false, false, true, true, true}).Run();
  KernelTester("Less", /*opset=*/9).Input<int64_t>({2, 3}, x).Input<int64_t>({3}, y)
      .ExpectOutput<bool>({2, 3}, {true, true, true, false, false, false}).Run();
  KernelTester("LessOrEqual", /*opset=*/12).Input<int64_t>({2, 3}, x).Input<int64_t>({3}, y)
      .ExpectOutput<bool>({2, 3}, {true, true, true, false, true, true}).Run();
  KernelTester("Equal", /*opset=*/11).Input<int64_t>({2, 3}, x).Input<int64_t>({3}, y)
      .ExpectOutput<bool>({2, 3}, {false, false, false, false, true, true}).Run();
}

TEST(ComparisonTest, NaNComparesFalse) {
  // numpy: nan == nan, nan < 1, nan >= 1 are all False
  const float nan = std::numeric_limits<float>::quiet_NaN();
  KernelTester("Equal", /*opset=*/13).Input<float>({1}, {nan}).Input<float>({1}, {nan})
      .ExpectOutput<bool>({1}, {false}).Run();
  KernelTester("Less", /*opset=*/13).Input<float>({1}, {nan}).Input<float>({1}, {1})
      .ExpectOutput<bool>({1}, {false}).Run();
  KernelTester("GreaterOrEqual", /*opset=*/12).Input<float>({1}, {nan}).Input<float>({1}, {1})
      .ExpectOutput<bool>({1}, {false}).Run();
}

TEST(ComparisonTest, EqualAcceptsBoolButGreaterDoesNot) {
  // numpy: np.equal([True, False], [True, True])
  KernelTester("Equal", /*opset=*/13).Input<bool>({2}, {true, false}).Input<bool>({2}, {true, true})
      .ExpectOutput<bool>({2}, {true, false}).Run();
  KernelTester("Greater", /*opset=*/13).Input<bool>({1}, {true}).Input<bool>({1}, {true})
      .ExpectError(StatusCode::kInvalidArgument, "Greater does not accept bool inputs");
}

TEST(ComparisonTest, RejectsMixedTypes) {
  KernelTester("Less", /*opset=*/13).Input<float>({1}, {1}).Input<int32_t>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "different types: float32 and int32");
}

}  // namespace
}  // namespace convcheck::interp
