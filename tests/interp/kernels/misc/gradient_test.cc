// Gradient (ai.onnx.preview.training 1): reverse-mode derivatives of the graph around the node.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "interp/executor.h"

namespace convcheck::interp {
namespace {

// a, b -> c = op1(a, b) -> d = op2(c, a); Gradient of d with respect to a and b.
onnx::ModelProto GradientModel(const std::string& op1, const std::string& op2) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  auto* def = model.add_opset_import();
  def->set_version(17);
  auto* training = model.add_opset_import();
  training->set_domain("ai.onnx.preview.training");
  training->set_version(1);
  auto* g = model.mutable_graph();
  auto node = [&](const std::string& op, std::vector<std::string> in, std::vector<std::string> out,
                  const std::string& domain = "") {
    auto* n = g->add_node();
    n->set_op_type(op);
    n->set_domain(domain);
    for (auto& s : in) n->add_input(s);
    for (auto& s : out) n->add_output(s);
    return n;
  };
  node(op1, {"a", "b"}, {"c"});
  node(op2, {"c", "a"}, {"d"});
  auto* grad = node("Gradient", {"a", "b"}, {"da", "db"}, "ai.onnx.preview.training");
  auto* xs = grad->add_attribute();
  xs->set_name("xs");
  xs->set_type(onnx::AttributeProto::STRINGS);
  xs->add_strings("a");
  xs->add_strings("b");
  auto* y = grad->add_attribute();
  y->set_name("y");
  y->set_type(onnx::AttributeProto::STRING);
  y->set_s("d");
  for (const char* name : {"a", "b"}) {
    auto* vi = g->add_input();
    vi->set_name(name);
    vi->mutable_type()->mutable_tensor_type()->set_elem_type(1);
  }
  for (const char* name : {"da", "db"}) {
    auto* vi = g->add_output();
    vi->set_name(name);
    vi->mutable_type()->mutable_tensor_type()->set_elem_type(1);
  }
  return model;
}

TEST(GradientTest, AddThenMul) {
  // d = (a + b) * a: dd/da = 2a + b = 7, dd/db = a = 2 at a = 2, b = 3.
  auto interp = Interpreter::Create(GradientModel("Add", "Mul"));
  ASSERT_TRUE(interp.ok()) << interp.status().ToString();
  auto out = (*interp)->Run(
      {Value::FromTensor(Tensor::Scalar<float>(2)), Value::FromTensor(Tensor::Scalar<float>(3))});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].tensor().GetAsDouble(0), 7);
  EXPECT_EQ((*out)[1].tensor().GetAsDouble(0), 2);
}

TEST(GradientTest, BroadcastOperandSumsItsGradient) {
  // c = a - b with a [2], b scalar; d = c / a. dd/db = sum(-1 / a) = -(1/2 + 1/4).
  auto interp = Interpreter::Create(GradientModel("Sub", "Div"));
  ASSERT_TRUE(interp.ok()) << interp.status().ToString();
  auto out = (*interp)->Run({Value::FromTensor(Tensor::FromVector<float>({2}, {2, 4})),
                             Value::FromTensor(Tensor::Scalar<float>(1))});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_DOUBLE_EQ((*out)[1].tensor().GetAsDouble(0), -0.75);
  // dd/da = d/da (1 - b / a) = b / a^2: {1/4, 1/16}.
  EXPECT_DOUBLE_EQ((*out)[0].tensor().GetAsDouble(0), 0.25);
  EXPECT_DOUBLE_EQ((*out)[0].tensor().GetAsDouble(1), 0.0625);
}

TEST(GradientTest, UnsupportedOperatorIsNamed) {
  auto interp = Interpreter::Create(GradientModel("Add", "Max"));
  ASSERT_TRUE(interp.ok()) << interp.status().ToString();
  auto out = (*interp)->Run(
      {Value::FromTensor(Tensor::Scalar<float>(2)), Value::FromTensor(Tensor::Scalar<float>(3))});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(out.status().message().find("Gradient through Max"), std::string::npos);
}

}  // namespace
}  // namespace convcheck::interp
