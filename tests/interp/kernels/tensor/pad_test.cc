#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(PadTest, ConstantModeWithValueInput) {
  // numpy: np.pad([[1, 2]], ((1, 0), (0, 1)), constant_values=9)
  KernelTester("Pad", /*opset=*/13)
      .Input<float>({1, 2}, {1, 2})
      .Input<int64_t>({4}, {1, 0, 0, 1})
      .Input<float>({}, {9})
      .ExpectOutput<float>({2, 3}, {9, 9, 9, 1, 2, 9})
      .Run();
}

TEST(PadTest, ReflectMode) {
  // numpy: np.pad([1, 2, 3], (2, 3), mode='reflect') == [3, 2, 1, 2, 3, 2, 1, 2]
  KernelTester("Pad", /*opset=*/13)
      .Attr("mode", "reflect")
      .Input<int32_t>({3}, {1, 2, 3})
      .Input<int64_t>({2}, {2, 3})
      .ExpectOutput<int32_t>({8}, {3, 2, 1, 2, 3, 2, 1, 2})
      .Run();
}

TEST(PadTest, EdgeModeWithStrings) {
  // numpy: np.pad(['a', 'b'], (1, 2), mode='edge')
  KernelTester("Pad", /*opset=*/13)
      .Attr("mode", "edge")
      .Input<std::string>({2}, {"a", "b"})
      .Input<int64_t>({2}, {1, 2})
      .ExpectOutput<std::string>({5}, {"a", "a", "b", "b", "b"})
      .Run();
}

TEST(PadTest, NegativePadsCrop) {
  KernelTester("Pad", /*opset=*/13)
      .Input<float>({4}, {1, 2, 3, 4})
      .Input<int64_t>({2}, {-1, 1})
      .ExpectOutput<float>({4}, {2, 3, 4, 0})
      .Run();
}

TEST(PadTest, Opset10TakesAttributes) {
  KernelTester("Pad", /*opset=*/10)
      .Attr("pads", std::vector<int64_t>{1, 1})
      .Attr("value", 1.5f)
      .Input<float>({1}, {7})
      .ExpectOutput<float>({3}, {1.5f, 7, 1.5f})
      .Run();
}

TEST(PadTest, RejectsBadPadsAndModes) {
  KernelTester("Pad", /*opset=*/13)
      .Input<float>({2}, {1, 2})
      .Input<int64_t>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "input rank is 1 (expected 2)");
  KernelTester("Pad", /*opset=*/13)
      .Attr("mode", "wrap")
      .Input<float>({2}, {1, 2})
      .Input<int64_t>({2}, {1, 1})
      .ExpectError(StatusCode::kInvalidArgument, "mode 'wrap'");
  KernelTester("Pad", /*opset=*/13)
      .Attr("mode", "edge")
      .Input(Tensor(DataType::kFloat32, {0}))
      .Input<int64_t>({2}, {1, 1})
      .ExpectError(StatusCode::kInvalidArgument, "cannot pad empty dimension 0 in edge mode");
}

}  // namespace
}  // namespace convcheck::interp
