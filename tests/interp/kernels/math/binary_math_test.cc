#include <gtest/gtest.h>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(AddTest, BroadcastsARowOverAMatrix) {
  // numpy: np.array([[1, 2, 3], [4, 5, 6]]) + np.array([10, 20, 30])
  KernelTester("Add", /*opset=*/14)
      .Input<float>({2, 3}, {1, 2, 3, 4, 5, 6})
      .Input<float>({3}, {10, 20, 30})
      .ExpectOutput<float>({2, 3}, {11, 22, 33, 14, 25, 36})
      .Run();
}

TEST(AddTest, BroadcastsBothWays) {
  // numpy: np.array([[1], [2]]) + np.array([10, 20, 30])
  KernelTester("Add", /*opset=*/14)
      .Input<int64_t>({2, 1}, {1, 2})
      .Input<int64_t>({1, 3}, {10, 20, 30})
      .ExpectOutput<int64_t>({2, 3}, {11, 21, 31, 12, 22, 32})
      .Run();
}

TEST(AddTest, RejectsIncompatibleShapes) {
  KernelTester("Add", /*opset=*/14)
      .Input<float>({2, 3}, {0, 0, 0, 0, 0, 0})
      .Input<float>({2}, {0, 0})
      .ExpectError(StatusCode::kInvalidArgument, "[2,3] and [2] cannot be broadcast");
}

TEST(AddTest, RejectsMixedTypes) {
  KernelTester("Add", /*opset=*/14)
      .Input<float>({1}, {0})
      .Input<double>({1}, {0})
      .ExpectError(StatusCode::kInvalidArgument, "different types");
}

TEST(DivTest, IntegerDivisionTruncatesTowardZero) {
  // numpy: np.trunc(np.array([7, -7]) / 2)
  KernelTester("Div", /*opset=*/14)
      .Input<int32_t>({2}, {7, -7})
      .Input<int32_t>({1}, {2})
      .ExpectOutput<int32_t>({2}, {3, -3})
      .Run();
}

TEST(MulTest, Float16RoundsOnceOnStore) {
  // 0.1 in float16 is 0.0999755859375; squared and rounded to float16: 0.0099945068359375.
  KernelTester("Mul", /*opset=*/14)
      .Input(Tensor::FromVector<Float16>({1}, {Float16{FloatToHalfBits(0.1f)}}))
      .Input(Tensor::FromVector<Float16>({1}, {Float16{FloatToHalfBits(0.1f)}}))
      .ExpectOutput(Tensor::FromVector<Float16>({1}, {Float16{FloatToHalfBits(0.0099945068359375f)}}))
      .Run();
}

TEST(ModTest, IntegerModTakesTheDivisorSign) {
  // numpy: np.mod([-4, 7, 5, 4, -7, 8], [2, -3, 8, -2, 3, 5])
  KernelTester("Mod", /*opset=*/13)
      .Input<int32_t>({6}, {-4, 7, 5, 4, -7, 8})
      .Input<int32_t>({6}, {2, -3, 8, -2, 3, 5})
      .ExpectOutput<int32_t>({6}, {0, -2, 5, 0, 2, 3})
      .Run();
}

TEST(ModTest, FmodTakesTheDividendSign) {
  // numpy: np.fmod([-4, 7, 5, 4, -7, 8], [2, -3, 8, -2, 3, 5])
  KernelTester("Mod", /*opset=*/13)
      .Attr("fmod", int64_t{1})
      .Input<int64_t>({6}, {-4, 7, 5, 4, -7, 8})
      .Input<int64_t>({6}, {2, -3, 8, -2, 3, 5})
      .ExpectOutput<int64_t>({6}, {0, 1, 5, 0, -1, 3})
      .Run();
  // numpy: np.fmod(np.float32([-4.3, 7.2]), np.float32([2.1, -3.4]))
  KernelTester("Mod", /*opset=*/10)
      .Attr("fmod", int64_t{1})
      .Input<float>({2}, {-4.3f, 7.2f})
      .Input<float>({2}, {2.1f, -3.4f})
      .ExpectOutput<float>({2}, {-0.10000038f, 0.39999962f})
      .Run();
}

TEST(ModTest, EdgeCasesOfIntegerMod) {
  // Division by zero gives 0 (numpy); INT8_MIN % -1 is 0 without overflow; broadcast divisor.
  KernelTester("Mod", /*opset=*/13)
      .Input<int8_t>({3}, {5, -128, -7})
      .Input<int8_t>({3}, {0, -1, 4})
      .ExpectOutput<int8_t>({3}, {0, 0, 1})
      .Run();
  // numpy: np.mod(np.uint8([[4, 7, 5]]), np.uint8([3]))
  KernelTester("Mod", /*opset=*/13)
      .Input<uint8_t>({1, 3}, {4, 7, 5})
      .Input<uint8_t>({1}, {3})
      .ExpectOutput<uint8_t>({1, 3}, {1, 1, 2})
      .Run();
}

TEST(ModTest, FloatInputsRequireFmod) {
  KernelTester("Mod", /*opset=*/13)
      .Input<float>({1}, {1})
      .Input<float>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "requires fmod=1, got fmod=0");
  KernelTester("Mod", /*opset=*/13)
      .Attr("fmod", int64_t{2})
      .Input<int32_t>({1}, {1})
      .Input<int32_t>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "fmod must be 0 or 1, got 2");
}

TEST(BitShiftTest, ShiftsBothWays) {
  // numpy: np.left_shift(np.uint8([16, 4, 1]), [1, 2, 3]); np.right_shift(...)
  KernelTester("BitShift", /*opset=*/11)
      .Attr("direction", "LEFT")
      .Input<uint8_t>({3}, {16, 4, 1})
      .Input<uint8_t>({3}, {1, 2, 3})
      .ExpectOutput<uint8_t>({3}, {32, 16, 8})
      .Run();
  KernelTester("BitShift", /*opset=*/11)
      .Attr("direction", "RIGHT")
      .Input<uint64_t>({3}, {16, 4, 1})
      .Input<uint64_t>({1}, {2})
      .ExpectOutput<uint64_t>({3}, {4, 1, 0})
      .Run();
}

TEST(BitShiftTest, ShiftByWidthOrMoreGivesZero) {
  KernelTester("BitShift", /*opset=*/11)
      .Attr("direction", "LEFT")
      .Input<uint32_t>({2}, {1, 1})
      .Input<uint32_t>({2}, {31, 32})
      .ExpectOutput<uint32_t>({2}, {2147483648u, 0})
      .Run();
}

TEST(BitShiftTest, RejectsBadDirectionAndSignedTypes) {
  KernelTester("BitShift", /*opset=*/11)
      .Attr("direction", "UP")
      .Input<uint8_t>({1}, {1})
      .Input<uint8_t>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "direction must be \"LEFT\" or \"RIGHT\", got \"UP\"");
  KernelTester("BitShift", /*opset=*/11)
      .Attr("direction", "LEFT")
      .Input<int32_t>({1}, {1})
      .Input<int32_t>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "BitShift does not accept int32 inputs");
}

TEST(ExecutorTest, UnsupportedOperatorNamesTheNode) {
  KernelTester("NoSuchOp", /*opset=*/17)
      .Input<float>({1}, {0})
      .IgnoreOutput()
      .ExpectError(StatusCode::kUnimplemented,
                   "node 'node_under_test' (NoSuchOp, opset 17): operator NoSuchOp at opset 17 is "
                   "not supported");
}

TEST(ExecutorTest, InitializerInputsWork) {
  KernelTester("Sub", /*opset=*/14)
      .Input<float>({2}, {5, 6})
      .Input<float>({2}, {1, 2})
      .AsInitializer()
      .ExpectOutput<float>({2}, {4, 4})
      .Run();
}

TEST(ExecutorTest, PreciseModeComputesInFloat64AndRoundsBack) {
  // 1e8 + 1 - 1e8 in float32 loses the 1; in float64 it survives, and the output is float32.
  KernelTester("Add", /*opset=*/14)
      .Precise()
      .Input<float>({1}, {16777216.0f})
      .Input<float>({1}, {1.0f})
      .ExpectOutput<float>({1}, {16777216.0f})
      .Tolerance(0, 0)
      .Run();
}

}  // namespace
}  // namespace convcheck::interp
