#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;
using ::convcheck::testing::MakeGraph;
using ::convcheck::testing::MakeNode;

Tensor F(Shape shape, std::vector<float> values) {
  return Tensor::FromVector<float>(std::move(shape), values);
}

// Body (sum, x) -> (sum + x, sum + x): a running sum and its history.
onnx::GraphProto SumBody() {
  return MakeGraph("body",
                   {MakeNode("Add", {"sum", "x"}, {"sum_out"}),
                    MakeNode("Identity", {"sum_out"}, {"scan_out"})},
                   {{"sum", DataType::kFloat32}, {"x", DataType::kFloat32}},
                   {{"sum_out", DataType::kFloat32}, {"scan_out", DataType::kFloat32}});
}

TEST(ScanTest, RunningSumForward) {
  // numpy: np.cumsum([[1, 2], [3, 4], [5, 6]], axis=0)
  KernelTester("Scan", 9)
      .Attr("body", SumBody())
      .Attr("num_scan_inputs", int64_t{1})
      .Input(F({2}, {0, 0}))
      .Input(F({3, 2}, {1, 2, 3, 4, 5, 6}))
      .ExpectOutput(F({2}, {9, 12}))
      .ExpectOutput(F({3, 2}, {1, 2, 4, 6, 9, 12}))
      .Run();
}

TEST(ScanTest, AxesAndDirections) {
  // x = [[1, 2, 3], [4, 5, 6]] scanned along axis 1 backwards: slices [3, 6], [2, 5], [1, 4];
  // running sums [3, 6], [5, 11], [6, 15]; prepended (output direction 1) and stacked along
  // output axis -1: [[6, 5, 3], [15, 11, 6]].
  KernelTester("Scan", 9)
      .Attr("body", SumBody())
      .Attr("num_scan_inputs", int64_t{1})
      .Attr("scan_input_axes", std::vector<int64_t>{-1})
      .Attr("scan_input_directions", std::vector<int64_t>{1})
      .Attr("scan_output_axes", std::vector<int64_t>{-1})
      .Attr("scan_output_directions", std::vector<int64_t>{1})
      .Input(F({2}, {0, 0}))
      .Input(F({2, 3}, {1, 2, 3, 4, 5, 6}))
      .ExpectOutput(F({2}, {6, 15}))
      .ExpectOutput(F({2, 3}, {6, 5, 3, 15, 11, 6}))
      .Run();
}

TEST(ScanTest, RejectsScanInputsOfDifferentLengths) {
  onnx::GraphProto body = MakeGraph(
      "body", {MakeNode("Add", {"a", "b"}, {"c"})},
      {{"a", DataType::kFloat32}, {"b", DataType::kFloat32}}, {{"c", DataType::kFloat32}});
  KernelTester("Scan", 9)
      .Attr("body", body)
      .Attr("num_scan_inputs", int64_t{2})
      .Input(F({2}, {0, 0}))
      .Input(F({3}, {0, 0, 0}))
      .IgnoreOutput()
      .ExpectError(StatusCode::kInvalidArgument, "scan input 1 has length 3 along axis 0 but scan input 0 has 2");
}

TEST(ScanTest, RejectsWrongNumberOfAxes) {
  KernelTester("Scan", 9)
      .Attr("body", SumBody())
      .Attr("num_scan_inputs", int64_t{1})
      .Attr("scan_input_axes", std::vector<int64_t>{0, 1})
      .Input(F({2}, {0, 0}))
      .Input(F({3, 2}, {1, 2, 3, 4, 5, 6}))
      .IgnoreOutput()
      .IgnoreOutput()
      .ExpectError(StatusCode::kInvalidArgument, "scan_input_axes has 2 entries, expected 1");
}

TEST(ScanTest, RequiresNumScanInputs) {
  KernelTester("Scan", 9)
      .Attr("body", SumBody())
      .Input(F({2}, {0, 0}))
      .Input(F({3, 2}, {1, 2, 3, 4, 5, 6}))
      .IgnoreOutput()
      .IgnoreOutput()
      .ExpectError(StatusCode::kInvalidArgument, "attribute 'num_scan_inputs' is required");
}

TEST(ScanTest, Opset8HasBatchAxis) {
  // As test_scan_sum: batch 1, no sequence_lens.
  KernelTester("Scan", 8)
      .Attr("body", SumBody())
      .Attr("num_scan_inputs", int64_t{1})
      .AbsentInput()
      .Input(F({1, 2}, {0, 0}))
      .Input(F({1, 3, 2}, {1, 2, 3, 4, 5, 6}))
      .ExpectOutput(F({1, 2}, {9, 12}))
      .ExpectOutput(F({1, 3, 2}, {1, 2, 4, 6, 9, 12}))
      .Run();
}

TEST(ScanTest, Opset8SequenceLensPadWithZeros) {
  // Batch entry 0 uses 1 of 2 steps; entry 1 uses both and runs backwards.
  KernelTester("Scan", 8)
      .Attr("body", SumBody())
      .Attr("num_scan_inputs", int64_t{1})
      .Attr("directions", std::vector<int64_t>{1})
      .Input<int64_t>({2}, {1, 2})
      .Input(F({2, 1}, {0, 0}))
      .Input(F({2, 2, 1}, {1, 2, 3, 4}))
      .ExpectOutput(F({2, 1}, {1, 7}))
      .ExpectOutput(F({2, 2, 1}, {1, 0, 4, 7}))
      .Run();
}

TEST(ScanTest, Opset8RejectsSequenceLenBeyondMax) {
  KernelTester("Scan", 8)
      .Attr("body", SumBody())
      .Attr("num_scan_inputs", int64_t{1})
      .Input<int64_t>({1}, {3})
      .Input(F({1, 1}, {0}))
      .Input(F({1, 2, 1}, {1, 2}))
      .IgnoreOutput()
      .IgnoreOutput()
      .ExpectError(StatusCode::kInvalidArgument, "sequence_lens[0] is 3, outside [0, 2]");
}

}  // namespace
}  // namespace convcheck::interp
