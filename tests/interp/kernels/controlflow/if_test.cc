#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "onnx/tensor_proto.h"
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

// A branch returning outer-scope value `name` through Identity.
onnx::GraphProto Forward(const std::string& graph, const std::string& name) {
  return MakeGraph(graph, {MakeNode("Identity", {name}, {graph + "_out"})}, {},
                   {{graph + "_out", DataType::kFloat32}});
}

onnx::NodeProto IfNode() {
  onnx::NodeProto node = MakeNode("If", {"cond"}, {"y"});
  node = WithGraphAttr(node, "then_branch", Forward("then", "a"));
  return WithGraphAttr(node, "else_branch", Forward("else", "b"));
}

TEST(IfTest, PicksTheBranchAndSeesOuterScope) {
  // The two branches return different shapes (allowed since opset 11).
  for (bool cond : {true, false}) {
    StatusOr<std::vector<Value>> out =
        RunNode(IfNode(), 11,
                {{"cond", Value::FromTensor(Tensor::Scalar<bool>(cond))},
                 {"a", FloatValue({2}, {1, 2})},
                 {"b", FloatValue({3}, {3, 4, 5})}});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ((*out)[0].tensor().shape(), (cond ? Shape{2} : Shape{3}));
    EXPECT_EQ((*out)[0].tensor().GetAsDouble(0), cond ? 1.0 : 3.0);
  }
}

TEST(IfTest, ReturnsSequencesAndOptionals) {
  // then: SequenceConstruct(a); else: Optional(a), as in test_if_seq / test_if_opt.
  onnx::GraphProto then_branch = MakeGraph(
      "then", {MakeNode("SequenceConstruct", {"a"}, {"s"})}, {}, {{"s", DataType::kFloat32}});
  onnx::GraphProto else_branch =
      MakeGraph("else", {MakeNode("Optional", {"a"}, {"o"})}, {}, {{"o", DataType::kFloat32}});
  onnx::NodeProto node = MakeNode("If", {"cond"}, {"y"});
  node = WithGraphAttr(WithGraphAttr(node, "then_branch", then_branch), "else_branch",
                       else_branch);
  StatusOr<std::vector<Value>> seq =
      RunNode(node, 16, {{"cond", Value::FromTensor(Tensor::Scalar<bool>(true))},
                         {"a", FloatValue({1}, {7})}});
  ASSERT_TRUE(seq.ok()) << seq.status().ToString();
  ASSERT_TRUE((*seq)[0].is_sequence());
  EXPECT_EQ((*seq)[0].sequence().size(), 1u);
  StatusOr<std::vector<Value>> opt =
      RunNode(node, 16, {{"cond", Value::FromTensor(Tensor::Scalar<bool>(false))},
                         {"a", FloatValue({1}, {7})}});
  ASSERT_TRUE(opt.ok()) << opt.status().ToString();
  ASSERT_TRUE((*opt)[0].is_optional());
  EXPECT_TRUE((*opt)[0].has_element());
}

TEST(IfTest, EmptyOptionalFromTypeAttribute) {
  // Optional() with a `type` attribute and no input, inside a branch.
  onnx::NodeProto optional = MakeNode("Optional", {}, {"o"});
  onnx::AttributeProto* type = optional.add_attribute();
  type->set_name("type");
  type->set_type(onnx::AttributeProto::TYPE_PROTO);
  type->mutable_tp()->mutable_tensor_type()->set_elem_type(1);
  onnx::GraphProto branch = MakeGraph("b", {optional}, {}, {{"o", DataType::kFloat32}});
  onnx::NodeProto node = MakeNode("If", {"cond"}, {"y"});
  node = WithGraphAttr(WithGraphAttr(node, "then_branch", branch), "else_branch", branch);
  StatusOr<std::vector<Value>> out =
      RunNode(node, 16, {{"cond", Value::FromTensor(Tensor::Scalar<bool>(true))}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_TRUE((*out)[0].is_optional());
  EXPECT_FALSE((*out)[0].has_element());
}

TEST(IfTest, RejectsNonBoolCond) {
  KernelTester("If", 11)
      .Attr("then_branch", Forward("then", "in_0"))
      .Attr("else_branch", Forward("else", "in_0"))
      .Input<float>({}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "cond must be a single bool, got float32[]");
}

TEST(IfTest, RejectsBranchWithWrongOutputCount) {
  KernelTester("If", 11)
      .Attr("then_branch", Forward("then", "in_0"))
      .Attr("else_branch", Forward("else", "in_0"))
      .Input(Tensor::Scalar<bool>(true))
      .IgnoreOutput()
      .IgnoreOutput()
      .ExpectError(StatusCode::kInvalidArgument, "then_branch has 1 outputs but the node has 2");
}

TEST(IfTest, RejectsMissingBranch) {
  KernelTester("If", 11)
      .Attr("then_branch", Forward("then", "in_0"))
      .Input(Tensor::Scalar<bool>(false))
      .ExpectError(StatusCode::kInvalidArgument, "attribute 'else_branch' is required");
}

}  // namespace
}  // namespace convcheck::interp
