// Tensor kernels added or changed after opset 17: Pad 18 (axes) and 19 (wrap), Split 18
// (num_outputs), ScatterElements/ScatterND 18 (max, min), CenterCropPad, TensorScatter, BitCast,
// CumProd.

#include <gtest/gtest.h>

#include <cstdint>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(PadTest, Opset18AxesPadOnlyTheListedAxes) {
  KernelTester("Pad", 18)
      .Input<float>({2, 2}, {1, 2, 3, 4})
      .Input<int64_t>({2}, {1, 0})
      .AbsentInput()
      .Input<int64_t>({1}, {-1})
      .ExpectOutput<float>({2, 3}, {0, 1, 2, 0, 3, 4})
      .Run();
  KernelTester("Pad", 17)
      .Input<float>({2, 2}, {1, 2, 3, 4})
      .Input<int64_t>({2}, {1, 0})
      .AbsentInput()
      .Input<int64_t>({1}, {-1})
      .ExpectError(StatusCode::kInvalidArgument, "has 4 inputs");
  KernelTester("Pad", 18)
      .Input<float>({2, 2}, {1, 2, 3, 4})
      .Input<int64_t>({4}, {1, 0, 0, 0})
      .AbsentInput()
      .Input<int64_t>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "needs 2");
}

TEST(PadTest, Opset19WrapMode) {
  // numpy: np.pad([1, 2, 3], (2, 1), mode="wrap") = [2, 3, 1, 2, 3, 1]
  KernelTester("Pad", 19)
      .Attr("mode", "wrap")
      .Input<int32_t>({3}, {1, 2, 3})
      .Input<int64_t>({2}, {2, 1})
      .ExpectOutput<int32_t>({6}, {2, 3, 1, 2, 3, 1})
      .Run();
  KernelTester("Pad", 18)
      .Attr("mode", "wrap")
      .Input<int32_t>({3}, {1, 2, 3})
      .Input<int64_t>({2}, {2, 1})
      .ExpectError(StatusCode::kInvalidArgument, "mode 'wrap'");
}

TEST(SplitTest, Opset18NumOutputsCeilRule) {
  // 5 into 3: chunks of ceil(5 / 3) = 2, the last one 1.
  KernelTester("Split", 18)
      .Attr("num_outputs", int64_t{3})
      .Input<int32_t>({5}, {1, 2, 3, 4, 5})
      .ExpectOutput<int32_t>({2}, {1, 2})
      .ExpectOutput<int32_t>({2}, {3, 4})
      .ExpectOutput<int32_t>({1}, {5})
      .Run();
  KernelTester("Split", 18)
      .Attr("num_outputs", int64_t{2})
      .Input<int32_t>({2}, {1, 2})
      .Input<int64_t>({2}, {1, 1})
      .IgnoreOutput()
      .IgnoreOutput()
      .ExpectError(StatusCode::kInvalidArgument, "both given");
  KernelTester("Split", 17)
      .Input<int32_t>({5}, {1, 2, 3, 4, 5})
      .IgnoreOutput()
      .IgnoreOutput()
      .ExpectError(StatusCode::kInvalidArgument, "cannot be split into 2 equal parts");
}

TEST(ScatterTest, Opset18MaxAndMin) {
  KernelTester("ScatterElements", 18)
      .Attr("reduction", "max")
      .Input<float>({3}, {1, 5, 3})
      .Input<int64_t>({2}, {0, 1})
      .Input<float>({2}, {4, 2})
      .ExpectOutput<float>({3}, {4, 5, 3})
      .Run();
  KernelTester("ScatterND", 18)
      .Attr("reduction", "min")
      .Input<float>({3}, {1, 5, 3})
      .Input<int64_t>({2, 1}, {0, 1})
      .Input<float>({2}, {4, 2})
      .ExpectOutput<float>({3}, {1, 2, 3})
      .Run();
  KernelTester("ScatterND", 16)
      .Attr("reduction", "min")
      .Input<float>({3}, {1, 5, 3})
      .Input<int64_t>({2, 1}, {0, 1})
      .Input<float>({2}, {4, 2})
      .ExpectError(StatusCode::kInvalidArgument, "not one of none, add, mul");
}

TEST(CenterCropPadTest, CropsAndPadsAroundTheCentre) {
  // Crop 4 -> 2 starts at 1; pad 1 -> 4 puts 1 zero before and 2 after.
  KernelTester("CenterCropPad", 18)
      .Input<float>({4, 1}, {1, 2, 3, 4})
      .Input<int64_t>({2}, {2, 4})
      .ExpectOutput<float>({2, 4}, {0, 2, 0, 0, 0, 3, 0, 0})
      .Run();
}

TEST(TensorScatterTest, LinearAndCircular) {
  // Cache [1, 3, 1] (axis -2 = 1), update of 2 at write index 2: circular wraps to 0.
  KernelTester("TensorScatter", 24)
      .Attr("mode", "circular")
      .Input<float>({1, 3, 1}, {1, 2, 3})
      .Input<float>({1, 2, 1}, {8, 9})
      .Input<int64_t>({1}, {2})
      .ExpectOutput<float>({1, 3, 1}, {9, 2, 8})
      .Run();
  KernelTester("TensorScatter", 24)
      .Input<float>({1, 3, 1}, {1, 2, 3})
      .Input<float>({1, 2, 1}, {8, 9})
      .Input<int64_t>({1}, {2})
      .ExpectError(StatusCode::kInvalidArgument, "does not fit 2 updates");
}

TEST(BitCastTest, SameWidthOnly) {
  // 1.0f is 0x3F800000.
  KernelTester("BitCast", 26)
      .Attr("to", int64_t{6})
      .Input<float>({1}, {1.0f})
      .ExpectOutput<int32_t>({1}, {0x3F800000})
      .Run();
  KernelTester("BitCast", 26)
      .Attr("to", int64_t{7})
      .Input<float>({1}, {1.0f})
      .ExpectError(StatusCode::kInvalidArgument, "changes the bit width");
}

TEST(CumProdTest, ExclusiveAndReverse) {
  KernelTester("CumProd", 26)
      .Input<float>({3}, {1, 2, 3})
      .Input<int64_t>({}, {0})
      .ExpectOutput<float>({3}, {1, 2, 6})
      .Run();
  KernelTester("CumProd", 26)
      .Attr("exclusive", int64_t{1})
      .Attr("reverse", int64_t{1})
      .Input<int32_t>({3}, {1, 2, 3})
      .Input<int64_t>({}, {0})
      .ExpectOutput<int32_t>({3}, {6, 3, 1})
      .Run();
}

}  // namespace
}  // namespace convcheck::interp
