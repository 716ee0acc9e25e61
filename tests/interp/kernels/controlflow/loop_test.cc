#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "outer_scope_model.h"
#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;
using ::convcheck::testing::MakeGraph;
using ::convcheck::testing::MakeNode;
using testing_outer::FloatValue;
using testing_outer::RunNode;
using testing_outer::WithGraphAttr;

Value Bool(bool b) { return Value::FromTensor(Tensor::Scalar<bool>(b)); }
Value Int64(int64_t v) { return Value::FromTensor(Tensor::Scalar<int64_t>(v)); }

// Body (i, cond_in, x) -> (cond_out, x + step, x + step); `step` comes from the outer scope.
// cond_out is `cond_node`'s output.
onnx::GraphProto AccumulateBody(const onnx::NodeProto& cond_node) {
  return MakeGraph("body", {MakeNode("Add", {"x", "step"}, {"x_out"}),
                            MakeNode("Identity", {"x_out"}, {"scan"}), cond_node},
                   {{"i", DataType::kInt64}, {"cond_in", DataType::kBool}, {"x", DataType::kFloat32}},
                   {{"cond_out", DataType::kBool},
                    {"x_out", DataType::kFloat32},
                    {"scan", DataType::kFloat32}});
}

onnx::NodeProto LoopNode(const std::string& m, const std::string& cond,
                         const onnx::GraphProto& body) {
  return WithGraphAttr(MakeNode("Loop", {m, cond, "x0"}, {"x_final", "scans"}), "body", body);
}

TEST(LoopTest, TripCountAndCondWithScanOutputs) {
  // python: x = [0, 0]; scans = []; for i in range(3): x += [1, 2]; scans.append(x)
  onnx::NodeProto node =
      LoopNode("m", "cond", AccumulateBody(MakeNode("Identity", {"cond_in"}, {"cond_out"})));
  StatusOr<std::vector<Value>> out = RunNode(
      node, 13,
      {{"m", Int64(3)}, {"cond", Bool(true)}, {"x0", FloatValue({2}, {0, 0})},
       {"step", FloatValue({2}, {1, 2})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].tensor().DebugString(), "float32[2] {3, 6}");
  EXPECT_EQ((*out)[1].tensor().DebugString(), "float32[3,2] {1, 2, 2, 4, 3, 6}");
}

TEST(LoopTest, CondOnlyRunsUntilBodyReturnsFalse) {
  // python: x = 0; while True: x += 1; if not x < 3: break  -> 3 iterations
  onnx::NodeProto node = LoopNode("", "cond",
                                  AccumulateBody(MakeNode("Less", {"x_out", "limit"}, {"cond_out"})));
  StatusOr<std::vector<Value>> out = RunNode(
      node, 13,
      {{"cond", Bool(true)}, {"x0", FloatValue({}, {0})}, {"step", FloatValue({}, {1})},
       {"limit", FloatValue({}, {3})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].tensor().DebugString(), "float32[] {3}");
  EXPECT_EQ((*out)[1].tensor().DebugString(), "float32[3] {1, 2, 3}");
}

TEST(LoopTest, FalseInitialCondRunsNothing) {
  onnx::NodeProto node =
      LoopNode("m", "cond", AccumulateBody(MakeNode("Identity", {"cond_in"}, {"cond_out"})));
  StatusOr<std::vector<Value>> out = RunNode(
      node, 13,
      {{"m", Int64(5)}, {"cond", Bool(false)}, {"x0", FloatValue({2}, {7, 8})},
       {"step", FloatValue({2}, {1, 2})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].tensor().DebugString(), "float32[2] {7, 8}");
  // No iteration: the scan output has a leading 0 (element shape unknown to the body here).
  EXPECT_EQ((*out)[1].tensor().shape(), Shape{0});
}

TEST(LoopTest, TripCountOnlyIgnoresBodyCond) {
  // The spec: with M and no cond, "cond = ...; // ignored". The body returns false every time.
  onnx::NodeProto node =
      LoopNode("m", "", AccumulateBody(MakeNode("Not", {"cond_in"}, {"cond_out"})));
  StatusOr<std::vector<Value>> out = RunNode(
      node, 13,
      {{"m", Int64(2)}, {"x0", FloatValue({}, {0})}, {"step", FloatValue({}, {5})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].tensor().DebugString(), "float32[] {10}");
  EXPECT_EQ((*out)[1].tensor().DebugString(), "float32[2] {5, 10}");
}

TEST(LoopTest, SequenceAsLoopCarriedValue) {
  // As test_loop13_seq: each iteration appends x to the sequence.
  onnx::GraphProto body = MakeGraph(
      "body",
      {MakeNode("Identity", {"cond_in"}, {"cond_out"}),
       MakeNode("SequenceInsert", {"seq", "x"}, {"seq_out"})},
      {{"i", DataType::kInt64}, {"cond_in", DataType::kBool}, {"seq", DataType::kFloat32}},
      {{"cond_out", DataType::kBool}, {"seq_out", DataType::kFloat32}});
  onnx::NodeProto node =
      WithGraphAttr(MakeNode("Loop", {"m", "", "seq0"}, {"seq_final"}), "body", body);
  StatusOr<std::vector<Value>> out = RunNode(
      node, 13,
      {{"m", Int64(3)}, {"seq0", Value::FromSequence({}, DataType::kFloat32)},
       {"x", FloatValue({1}, {4})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_TRUE((*out)[0].is_sequence());
  EXPECT_EQ((*out)[0].sequence().size(), 3u);
}

TEST(LoopTest, ScanOutputsOfDifferentShapesAreAnError) {
  // The carried value grows by concatenation, and is also the scan output.
  onnx::NodeProto concat = MakeNode("Concat", {"x", "step"}, {"x_out"});
  onnx::AttributeProto* axis = concat.add_attribute();
  axis->set_name("axis");
  axis->set_type(onnx::AttributeProto::INT);
  axis->set_i(0);
  onnx::GraphProto body = MakeGraph(
      "body",
      {concat, MakeNode("Identity", {"x_out"}, {"scan"}),
       MakeNode("Identity", {"cond_in"}, {"cond_out"})},
      {{"i", DataType::kInt64}, {"cond_in", DataType::kBool}, {"x", DataType::kFloat32}},
      {{"cond_out", DataType::kBool}, {"x_out", DataType::kFloat32}, {"scan", DataType::kFloat32}});
  StatusOr<std::vector<Value>> out =
      RunNode(LoopNode("m", "", body), 13,
              {{"m", Int64(2)}, {"x0", FloatValue({1}, {0})}, {"step", FloatValue({1}, {1})}});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find(
                "scan output 0 is float32[3] in iteration 1 but float32[2] in iteration 0"),
            std::string::npos)
      << out.status().ToString();
}

TEST(LoopTest, RejectsBodyWithWrongInputCount) {
  onnx::GraphProto body = MakeGraph("body", {MakeNode("Identity", {"c"}, {"c_out"})},
                                    {{"c", DataType::kBool}}, {{"c_out", DataType::kBool}});
  KernelTester("Loop", 13)
      .Attr("body", body)
      .Input(Tensor::Scalar<int64_t>(1))
      .Input(Tensor::Scalar<bool>(true))
      .Input<float>({1}, {0})
      .IgnoreOutput()
      .ExpectError(StatusCode::kInvalidArgument, "body has 1 inputs, expected 3");
}

TEST(LoopTest, RejectsNonInt64TripCount) {
  KernelTester("Loop", 13)
      .Attr("body", AccumulateBody(MakeNode("Identity", {"cond_in"}, {"cond_out"})))
      .Input(Tensor::Scalar<int32_t>(1))
      .Input(Tensor::Scalar<bool>(true))
      .Input<float>({1}, {0})
      .IgnoreOutput()
      .IgnoreOutput()
      .ExpectError(StatusCode::kInvalidArgument, "M must be a single int64, got int32[]");
}

}  // namespace
}  // namespace convcheck::interp
