// QuantizeLinear / DequantizeLinear from opset 19: new types, blocks, output_dtype.

#include <gtest/gtest.h>

#include <cstdint>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

Tensor Narrow(DataType dtype, Shape shape, const std::vector<double>& values) {
  Tensor t(dtype, std::move(shape));
  for (size_t i = 0; i < values.size(); ++i) t.SetFromDouble(static_cast<int64_t>(i), values[i]);
  return t;
}

TEST(QuantizeLinear19Test, Int4SaturatesAndRoundsHalfToEven) {
  // x / 2 = {2.5, -20, 7}: round half to even gives 2; -20 saturates to -8; 7 stays 7.
  KernelTester("QuantizeLinear", 21)
      .Input<float>({3}, {5, -40, 14})
      .Input<float>({}, {2})
      .Input(Narrow(DataType::kInt4, {}, {0}))
      .ExpectOutput(Narrow(DataType::kInt4, {3}, {2, -8, 7}))
      .Run();
  KernelTester("QuantizeLinear", 19)
      .Input<float>({3}, {5, -40, 14})
      .Input<float>({}, {2})
      .Input(Narrow(DataType::kInt4, {}, {0}))
      .ExpectError(StatusCode::kInvalidArgument, "cannot quantize to int4 at opset 19");
}

TEST(QuantizeLinear19Test, BlockedScales) {
  // x [1,4], axis 1, block 2: scales {1, 10} for elements {0,1} and {2,3}.
  KernelTester("QuantizeLinear", 21)
      .Attr("axis", int64_t{1})
      .Attr("block_size", int64_t{2})
      .Input<float>({1, 4}, {1, 2, 30, 40})
      .Input<float>({1, 2}, {1, 10})
      .Input<int8_t>({1, 2}, {0, 0})
      .ExpectOutput<int8_t>({1, 4}, {1, 2, 3, 4})
      .Run();
  KernelTester("DequantizeLinear", 21)
      .Attr("axis", int64_t{1})
      .Attr("block_size", int64_t{2})
      .Input<int8_t>({1, 4}, {1, 2, 3, 4})
      .Input<float>({1, 2}, {1, 10})
      .ExpectOutput<float>({1, 4}, {1, 2, 30, 40})
      .Run();
  KernelTester("DequantizeLinear", 21)
      .Attr("axis", int64_t{1})
      .Attr("block_size", int64_t{3})
      .Input<int8_t>({1, 4}, {1, 2, 3, 4})
      .Input<float>({1, 3}, {1, 10, 1})
      .ExpectError(StatusCode::kInvalidArgument, "expected [1,2] for block_size 3");
}

TEST(QuantizeLinear19Test, Float8AndOutputDtype) {
  // To E4M3FN without a zero point, via output_dtype: 1000 saturates to 448.
  KernelTester("QuantizeLinear", 21)
      .Attr("output_dtype", int64_t{17})
      .Input<float>({2}, {1000, 1})
      .Input<float>({}, {1})
      .ExpectOutput(Narrow(DataType::kFloat8E4M3FN, {2}, {448, 1}))
      .Run();
  KernelTester("DequantizeLinear", 19)
      .Input(Narrow(DataType::kFloat8E5M2, {1}, {0.5}))
      .Input<float>({}, {4})
      .ExpectOutput<float>({1}, {2})
      .Run();
}

}  // namespace
}  // namespace convcheck::interp
