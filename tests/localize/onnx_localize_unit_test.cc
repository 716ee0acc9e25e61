// Localization of ONNX models without engines: matching values of two graphs, constants,
// exposing intermediates, and cutting a model down to a subset of its nodes.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "core/npy.h"
#include "localize/diff.h"
#include "localize/onnx_reduce.h"
#include "onnx/tensor_proto.h"

namespace convcheck::localize {
namespace {

namespace fs = std::filesystem;

struct Builder {
  onnx::ModelProto model;
  Builder() {
    model.set_ir_version(8);
    model.add_opset_import()->set_version(17);
  }
  onnx::GraphProto* g() { return model.mutable_graph(); }
  Builder& Input(const std::string& name) {
    auto* v = g()->add_input();
    v->set_name(name);
    v->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
    return *this;
  }
  Builder& Output(const std::string& name) {
    g()->add_output()->set_name(name);
    return *this;
  }
  Builder& Init(const std::string& name, float value) {
    *g()->add_initializer() = onnxio::TensorToProto(Tensor::FromVector<float>({1}, {value}), name);
    return *this;
  }
  Builder& Node(const std::string& name, const std::string& op, std::vector<std::string> in,
                std::vector<std::string> out) {
    onnx::NodeProto* n = g()->add_node();
    n->set_name(name);
    n->set_op_type(op);
    for (const auto& i : in) n->add_input(i);
    for (const auto& o : out) n->add_output(o);
    return *this;
  }
};

// x -> Mul(x, s) -> Sub(., c) -> Tanh -> y, with a Constant feeding a Shape chain on the side.
Builder Chain(bool swapped, const std::string& prefix = "") {
  Builder b;
  b.Input("x").Output("y").Init("s", 2.f).Init("c", 0.5f);
  b.Node("scale", "Mul", {"x", "s"}, {prefix + "xs"});
  if (swapped) {
    b.Node("centre", "Sub", {"c", prefix + "xs"}, {prefix + "xc"});
  } else {
    b.Node("centre", "Sub", {prefix + "xs", "c"}, {prefix + "xc"});
  }
  b.Node("act", "Tanh", {prefix + "xc"}, {"y"});
  return b;
}

TEST(MatchValuesTest, SameNamesMatchByName) {
  Builder a = Chain(false), b = Chain(true);
  auto m = MatchValues(a.model, b.model);
  EXPECT_EQ(m["xs"].a, "xs");
  EXPECT_EQ(m["xs"].by, "name");
  EXPECT_EQ(m["xc"].a, "xc");
  EXPECT_EQ(m["x"].by, "name");
}

TEST(MatchValuesTest, RenamedValuesMatchByProducerWhateverTheOperandOrder) {
  Builder a = Chain(false), b = Chain(true, "b_");
  auto m = MatchValues(a.model, b.model);
  EXPECT_EQ(m["b_xs"].a, "xs");
  EXPECT_EQ(m["b_xs"].by, "producer");
  // The Sub reads c and xs the other way round: still the same producer.
  EXPECT_EQ(m["b_xc"].a, "xc");
  EXPECT_EQ(m["b_xc"].by, "producer");
}

TEST(MatchValuesTest, ChangedOpTypeMatchesTheNodeReadingTheSameValues) {
  Builder a = Chain(false), b = Chain(false, "b_");
  b.g()->mutable_node(1)->set_op_type("Add");
  auto m = MatchValues(a.model, b.model);
  EXPECT_EQ(m["b_xc"].a, "xc");
  // Inputs renamed too: matched by position.
  Builder c = Chain(false);
  c.g()->mutable_input(0)->set_name("z");
  c.g()->mutable_node(0)->set_input(0, "z");
  m = MatchValues(a.model, c.model);
  EXPECT_EQ(m["z"].a, "x");
  EXPECT_EQ(m["z"].by, "input");
}

TEST(MatchValuesTest, UnrelatedNodesStayUnmatched) {
  Builder a = Chain(false), b;
  // Add(x, x) reads x twice where A's Mul reads it once; a Relu has no rank in A.
  b.Input("x")
      .Output("q")
      .Node("other", "Add", {"x", "x"}, {"q0"})
      .Node("o2", "Relu", {"q0"}, {"q"});
  auto m = MatchValues(a.model, b.model);
  EXPECT_EQ(m.count("q0"), 0u);
  EXPECT_EQ(m.count("q"), 0u);
}

TEST(ConstantValuesTest, FollowsInitializersAndConstantNodesOnly) {
  Builder b = Chain(false);
  b.Node("k", "Constant", {}, {"k0"}).Node("ks", "Shape", {"k0"}, {"k1"});
  b.Node("mixed", "Add", {"k1", "x"}, {"m"});
  std::set<std::string> c = ConstantValues(b.model.graph());
  EXPECT_TRUE(c.count("s"));
  EXPECT_TRUE(c.count("k0"));
  EXPECT_TRUE(c.count("k1"));
  EXPECT_FALSE(c.count("m"));
  EXPECT_FALSE(c.count("xs"));
  // An initializer that is also a graph input can be fed: not a constant.
  b.Input("s");
  EXPECT_FALSE(ConstantValues(b.model.graph()).count("s"));
}

TEST(ExposeTest, IntermediatesBecomeOutputsWithoutTypes) {
  Builder b = Chain(false);
  b.Node("seq", "SequenceConstruct", {"x"}, {"sq"});
  std::vector<std::string> names = ExposableValues(b.model);
  EXPECT_EQ(names, (std::vector<std::string>{"xs", "xc"}));  // Not y (an output), not sq.
  onnx::ModelProto exposed = WithExtraOutputs(b.model, names);
  ASSERT_EQ(exposed.graph().output_size(), 3);
  EXPECT_EQ(exposed.graph().output(2).name(), "xc");
  EXPECT_FALSE(exposed.graph().output(2).has_type());
}

class CutCaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/convcheck-cut-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    fs::create_directories(dir_ + "/set_0");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Capture(const std::string& name, const Tensor& t) {
    const std::string path = dir_ + "/set_0/" + name + ".npy";
    ASSERT_TRUE(WriteNpy(path, t).ok());
    captured_.files.resize(1);
    captured_.files[0][name] = path;
  }
  std::string dir_;
  CapturedRun captured_;
};

TEST_F(CutCaseTest, CutValuesBecomeInputsOrInitializersAndLooseEndsOutputs) {
  Builder b = Chain(false);
  b.Node("k", "Constant", {}, {"k0"}).Node("kneg", "Neg", {"k0"}, {"k1"});
  b.Node("use", "Add", {"y", "k1"}, {"z"});
  b.g()->mutable_output(0)->set_name("z");
  OnnxCase base{b.model, {{Tensor::FromVector<float>({2}, {1, 2})}}};
  Capture("xs", Tensor::FromVector<float>({2}, {2, 4}));
  Capture("xc", Tensor::FromVector<float>({2}, {1.5f, 3.5f}));
  Capture("y", Tensor::FromVector<float>({2}, {0.9f, 0.99f}));
  Capture("k1", Tensor::FromVector<float>({1}, {-1}));
  const std::set<std::string> constants = ConstantValues(base.model.graph());

  // Keep the Sub and the final Add: xs is cut (an input), k1 (a constant) an initializer.
  std::optional<OnnxCase> cut = CutCase(base, {1, 5}, captured_, constants);
  ASSERT_TRUE(cut.has_value());
  const onnx::GraphProto& g = cut->model.graph();
  ASSERT_EQ(g.node_size(), 2);
  ASSERT_EQ(g.input_size(), 2);  // xs, then y (both cut); x is no longer read.
  EXPECT_EQ(g.input(0).name(), "xs");
  EXPECT_EQ(g.input(0).type().tensor_type().shape().dim(0).dim_value(), 2);
  EXPECT_EQ(g.input(1).name(), "y");
  ASSERT_EQ(cut->inputs[0].size(), 2u);
  EXPECT_FLOAT_EQ(cut->inputs[0][0].Data<float>()[1], 4.f);
  bool k1_initializer = false;
  for (const auto& init : g.initializer()) k1_initializer |= init.name() == "k1";
  EXPECT_TRUE(k1_initializer);
  // z (an original output) and xc (read by no kept node) are the outputs.
  ASSERT_EQ(g.output_size(), 2);
  EXPECT_EQ(g.output(0).name(), "z");
  EXPECT_EQ(g.output(1).name(), "xc");

  // A cut value that was not captured makes no candidate.
  EXPECT_FALSE(CutCase(base, {2}, CapturedRun{}, constants).has_value());
}

}  // namespace
}  // namespace convcheck::localize
