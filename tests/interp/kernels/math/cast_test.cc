#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

int64_t Code(DataType dtype) { return static_cast<int64_t>(dtype); }

TEST(CastTest, FloatToIntTruncatesTowardZero) {
  // numpy: np.float32([1.9, -1.9, 0.5, nan]).astype(np.int32) -> [1, -1, 0, 0 (ours; numpy: min)]
  KernelTester("Cast", /*opset=*/13)
      .Attr("to", Code(DataType::kInt32))
      .Input<float>({4}, {1.9f, -1.9f, 0.5f, kNaN})
      .ExpectOutput<int32_t>({4}, {1, -1, 0, 0})
      .Run();
}

TEST(CastTest, FloatToNarrowIntWrapsLikeNumpy) {
  // numpy: np.float32([-1.5, 300.7]).astype(np.uint8) -> [255, 44]
  KernelTester("Cast", /*opset=*/13)
      .Attr("to", Code(DataType::kUint8))
      .Input<float>({2}, {-1.5f, 300.7f})
      .ExpectOutput<uint8_t>({2}, {255, 44})
      .Run();
}

TEST(CastTest, IntToIntWrapsAndBoolIsNonZero) {
  // numpy: np.int32([300, -1]).astype(np.int8) -> [44, -1]; np.float32([0, -2, nan]).astype(bool)
  KernelTester("Cast", /*opset=*/13)
      .Attr("to", Code(DataType::kInt8))
      .Input<int32_t>({2}, {300, -1})
      .ExpectOutput<int8_t>({2}, {44, -1})
      .Run();
  KernelTester("Cast", /*opset=*/13)
      .Attr("to", Code(DataType::kBool))
      .Input<float>({3}, {0, -2, kNaN})
      .ExpectOutput<bool>({3}, {false, true, true})
      .Run();
  KernelTester("Cast", /*opset=*/13)
      .Attr("to", Code(DataType::kFloat64))
      .Input<bool>({2}, {true, false})
      .ExpectOutput<double>({2}, {1, 0})
      .Run();
}

TEST(CastTest, DoubleToFloat16RoundsOnce) {
  // 1 + 2^-11 + 2^-40 in float16: just above the tie between 1 and 1 + 2^-10, so it rounds up;
  // going through float32 would first make it the exact tie and round to 1 (even).
  KernelTester("Cast", /*opset=*/13)
      .Attr("to", Code(DataType::kFloat16))
      .Input<double>({1}, {1.0 + 0x1p-11 + 0x1p-40})
      .ExpectOutput(Tensor::FromVector<Float16>({1}, {Float16{FloatToHalfBits(1.0f + 0x1p-10f)}}))
      .Tolerance(0, 0)
      .Run();
}

TEST(CastTest, FloatToBFloat16AndBack) {
  // numpy: bfloat16 keeps the top 16 bits, rounded to nearest even: 1 + 2^-8 + 2^-9 -> 1 + 2^-7
  KernelTester("Cast", /*opset=*/13)
      .Attr("to", Code(DataType::kBFloat16))
      .Input<float>({2}, {1.0f + 0x1p-8f + 0x1p-9f, kInf})
      .ExpectOutput(Tensor::FromVector<BFloat16>(
          {2}, {BFloat16{FloatToBFloat16Bits(1.0f + 0x1p-7f)}, BFloat16{0x7f80}}))
      .Run();
  KernelTester("Cast", /*opset=*/13)
      .Attr("to", Code(DataType::kFloat32))
      .Input(Tensor::FromVector<BFloat16>({1}, {BFloat16{0x3fc0}}))
      .ExpectOutput<float>({1}, {1.5f})
      .Run();
}

TEST(CastTest, FloatToStringUsesNumpyRepr) {
  // numpy: [str(np.float32(v)) for v in ...]
  KernelTester("Cast", /*opset=*/13)
      .Attr("to", Code(DataType::kString))
      .Input<float>({10}, {0.039187793f, 1.0f, 123456.0f, 1e16f, 1.5e17f, 1e-4f, 9.9e-5f, -0.5f,
                           kNaN, -kInf})
      .ExpectOutput<std::string>({10}, {"0.039187793", "1.0", "123456.0", "1e+16", "1.5e+17",
                                        "1e-04", "9.9e-05", "-0.5", "NaN", "-INF"})
      .Run();
}

TEST(CastTest, Float16AndIntegersToString) {
  // numpy: str(np.float16(65504)) == '65500.0'; str(np.float16(0.1)) == '0.1'
  KernelTester("Cast", /*opset=*/13)
      .Attr("to", Code(DataType::kString))
      .Input(Tensor::FromVector<Float16>(
          {2}, {Float16{FloatToHalfBits(65504.0f)}, Float16{FloatToHalfBits(0.1f)}}))
      .ExpectOutput<std::string>({2}, {"65500.0", "0.1"})
      .Run();
  KernelTester("Cast", /*opset=*/13)
      .Attr("to", Code(DataType::kString))
      .Input<int64_t>({2}, {-42, 9000000000LL})
      .ExpectOutput<std::string>({2}, {"-42", "9000000000"})
      .Run();
}

TEST(CastTest, StringToFloatParsesSpecialValues) {
  // The ONNX Cast test's strings; special literals are case-insensitive.
  KernelTester("Cast", /*opset=*/13)
      .Attr("to", Code(DataType::kFloat32))
      .Input<std::string>({7}, {"0.47892547", "1e-5", "1E8", "NaN", "INF", "+INF", "-inf"})
      .ExpectOutput<float>({7}, {0.47892547f, 1e-5f, 1e8f, kNaN, kInf, kInf, -kInf})
      .Run();
}

TEST(CastTest, StringToIntegerAndBool) {
  // "100.5" may become 100 (spec); plain integers parse exactly.
  KernelTester("Cast", /*opset=*/13)
      .Attr("to", Code(DataType::kInt64))
      .Input<std::string>({3}, {"9007199254740993", "-7", "100.5"})
      .ExpectOutput<int64_t>({3}, {9007199254740993LL, -7, 100})
      .Run();
  KernelTester("Cast", /*opset=*/13)
      .Attr("to", Code(DataType::kBool))
      .Input<std::string>({3}, {"True", "0", "2.5"})
      .ExpectOutput<bool>({3}, {true, false, true})
      .Run();
}

TEST(CastTest, StringThatIsNotANumberIsAnError) {
  KernelTester("Cast", /*opset=*/13)
      .Attr("to", Code(DataType::kFloat32))
      .Input<std::string>({1}, {"hello"})
      .ExpectError(StatusCode::kInvalidArgument, "cannot cast string \"hello\" to float32");
}

TEST(CastTest, RejectsMissingOrBadTarget) {
  KernelTester("Cast", /*opset=*/13)
      .Input<float>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "Cast needs the attribute 'to'");
  KernelTester("Cast", /*opset=*/13)
      .Attr("to", int64_t{99})
      .Input<float>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "'to' is 99, which is not a supported target");
}

TEST(CastTest, PreciseModeMapsFloatTargetsToFloat64) {
  // In float64 mode float32 is computed as float64, and the output is rounded back on the way
  // out, so the observable value is the float32 one.
  KernelTester("Cast", /*opset=*/13)
      .Precise()
      .Attr("to", Code(DataType::kFloat32))
      .Input<int32_t>({1}, {16777217})
      .ExpectOutput<float>({1}, {16777216.0f})
      .Run();
}

TEST(CastTest, EmptyTensor) {
  KernelTester("Cast", /*opset=*/13)
      .Attr("to", Code(DataType::kString))
      .Input<float>({0}, {})
      .ExpectOutput<std::string>({0}, {})
      .Run();
}

TEST(CastLikeTest, TakesTheTargetTypeFromTheSecondInput) {
  // numpy: np.float64([1.5, -2.5]).astype(np.int32)
  KernelTester("CastLike", /*opset=*/15)
      .Input<double>({2}, {1.5, -2.5})
      .Input<int32_t>({0}, {})
      .ExpectOutput<int32_t>({2}, {1, -2})
      .Run();
  KernelTester("CastLike", /*opset=*/15)
      .Input<float>({1}, {0.25f})
      .Input<std::string>({1}, {""})
      .ExpectOutput<std::string>({1}, {"0.25"})
      .Run();
}

TEST(CastLikeTest, NeedsTwoInputs) {
  KernelTester("CastLike", /*opset=*/15)
      .Input<double>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "has 1 inputs, expected 2");
}

}  // namespace
}  // namespace convcheck::interp
