// Localization end to end. `convcheck diff` on pairs of a correct export and a copy of it with
// one node changed (an attribute, the operand order, the op type): the first divergent node
// must be the changed one, whatever the engine and whether the copy kept the value names or
// not; ORT's optimizer at fault. `convcheck reduce` on ONNX models convcheck did not generate:
// a runtime refusal, a runtime disagreeing with ref64, an invalid model.

#include <gtest/gtest.h>

#include <filesystem>

#include "core/tensor.h"
#include "onnx/data_set.h"
#include "onnx/model.h"
#include "onnx/tensor_proto.h"
#include "testing/cli_runner.h"

namespace convcheck {
namespace {

namespace fs = std::filesystem;
using testing::CliRun;
using testing::ReadJson;
using testing::RunConvcheck;
using testing::TempDir;

const std::string kCnn = std::string(CONVCHECK_TESTS_DIR) + "/data/localize/cnn";

onnx::ModelProto Cnn() {
  StatusOr<onnx::ModelProto> model = onnxio::LoadModel(kCnn + "/model.onnx");
  EXPECT_TRUE(model.ok()) << model.status().message();
  return *model;
}

onnx::NodeProto* NodeNamed(onnx::ModelProto& model, const std::string& name) {
  for (auto& node : *model.mutable_graph()->mutable_node()) {
    if (node.name() == name) return &node;
  }
  ADD_FAILURE() << "no node " << name;
  return nullptr;
}

// Runs diff A B with --json and returns the document.
nlohmann::json Diff(const TempDir& dir, const std::vector<std::string>& extra, CliRun* run) {
  std::vector<std::string> args = {"diff", dir.File("a.onnx")};
  args.insert(args.end(), extra.begin(), extra.end());
  args.insert(args.end(), {"--json", dir.File("diff.json")});
  *run = RunConvcheck(args);
  return ReadJson(dir.File("diff.json"));
}

void Save(const onnx::ModelProto& model, const std::string& path) {
  ASSERT_TRUE(onnxio::SaveModel(model, path).ok());
}

// Saves A and B, runs diff B against A on `backend` with the cnn's inputs and checks that a node
// diverges; returns the first divergent node's JSON.
nlohmann::json FirstDivergent(const TempDir& dir, const onnx::ModelProto& a,
                              const onnx::ModelProto& b, const std::string& backend, CliRun* run) {
  Save(a, dir.File("a.onnx"));
  Save(b, dir.File("b.onnx"));
  nlohmann::json doc = Diff(dir, {dir.File("b.onnx"), "--data", kCnn, "--backend", backend}, run);
  EXPECT_EQ(run->exit_code, 1) << run->out << run->err;
  EXPECT_TRUE(doc["first_divergent"].is_object()) << run->out << run->err;
  return doc;
}

TEST(LocalizeDiffTest, ChangedAttributeIsTheFirstDivergentNode) {
  TempDir dir;
  onnx::ModelProto a = Cnn(), b = Cnn();
  for (auto& attr : *NodeNamed(b, "node_max_pool2d")->mutable_attribute()) {
    if (attr.name() == "strides") {
      attr.clear_ints();
      attr.add_ints(1);
      attr.add_ints(1);
    }
  }
  CliRun run;
  nlohmann::json doc = FirstDivergent(dir, a, b, "ref", &run);
  EXPECT_EQ(doc["first_divergent"]["node"], "node_max_pool2d");
  EXPECT_EQ(doc["first_divergent"]["op_type"], "MaxPool");
  EXPECT_EQ(doc["first_divergent"]["output"], "max_pool2d");
  EXPECT_EQ(doc["first_divergent"]["subtype"], "shape_mismatch");
  EXPECT_EQ(doc["first_divergent"]["error_ratio"], "inf");
  EXPECT_NE(run.out.find("first divergent node: node_max_pool2d (MaxPool)"), std::string::npos);
}

// The op type changes and every value of the copy is renamed: the counterparts are found by
// their producers' positions, on ONNX Runtime (values exposed as extra graph outputs).
TEST(LocalizeDiffTest, ChangedOpTypeFoundWithRenamedValuesOnOrt) {
  TempDir dir;
  onnx::ModelProto a = Cnn(), b = Cnn();
  NodeNamed(b, "node_relu_1")->set_op_type("Sigmoid");
  std::map<std::string, std::string> renamed;
  for (auto& node : *b.mutable_graph()->mutable_node()) {
    for (auto& in : *node.mutable_input()) {
      if (renamed.count(in)) in = renamed[in];
    }
    for (auto& out : *node.mutable_output()) {
      if (out == b.graph().output(0).name()) continue;
      renamed[out] = "t" + std::to_string(renamed.size());
      out = renamed[out];
    }
  }
  CliRun run;
  nlohmann::json doc = FirstDivergent(dir, a, b, "ort", &run);
  EXPECT_EQ(doc["first_divergent"]["node"], "node_relu_1");
  EXPECT_EQ(doc["first_divergent"]["op_type"], "Sigmoid");
  EXPECT_EQ(doc["first_divergent"]["counterpart"], "relu_1");
  EXPECT_GT(doc["first_divergent"]["error_ratio"].get<double>(), 10);
  EXPECT_EQ(doc["unmatched"], 0);
  // The divergence runs down to the output.
  EXPECT_EQ(doc["path"].back()["node"], "node_linear");
}

// Two converters on one source: torch.onnx 1.13 and the dynamo exporter name every value
// differently and pick other operators for two of the eight nodes; every value still finds its
// counterpart, and a node changed in one export is the one named.
TEST(LocalizeDiffTest, TwoConvertersExportsAreMatchedNodeByNode) {
  TempDir dir;
  Save(Cnn(), dir.File("a.onnx"));
  StatusOr<onnx::ModelProto> other = onnxio::LoadModel(std::string(CONVCHECK_TESTS_DIR) +
                                                       "/data/localize/cnn_torch113/model.onnx");
  ASSERT_TRUE(other.ok());
  Save(*other, dir.File("b.onnx"));
  CliRun run;
  nlohmann::json doc = Diff(dir, {dir.File("b.onnx"), "--data", kCnn, "--backend", "ref"}, &run);
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(doc["compared"], 8);
  EXPECT_EQ(doc["unmatched"], 0);
  EXPECT_TRUE(doc["first_divergent"].is_null());

  for (auto& attr : *NodeNamed(*other, "/4/Conv")->mutable_attribute()) {
    if (attr.name() == "dilations") {
      attr.clear_ints();
      attr.add_ints(2);
      attr.add_ints(2);
    }
  }
  Save(*other, dir.File("b.onnx"));
  doc = Diff(dir, {dir.File("b.onnx"), "--data", kCnn, "--backend", "ref"}, &run);
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  ASSERT_TRUE(doc["first_divergent"].is_object()) << run.out << run.err;
  EXPECT_EQ(doc["first_divergent"]["node"], "/4/Conv");
  EXPECT_EQ(doc["first_divergent"]["counterpart"], "conv2d_1");
}

// x - c, scaled, then a MatMul: a small export with a non-commutative operator.
onnx::ModelProto Affine(bool swapped) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(17);
  onnx::GraphProto* g = model.mutable_graph();
  g->set_name("affine");
  auto declare = [](onnx::ValueInfoProto* v, const std::string& name, std::vector<int64_t> dims) {
    v->set_name(name);
    auto* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->mutable_shape()->add_dim()->set_dim_value(d);
  };
  declare(g->add_input(), "x", {2, 4});
  declare(g->add_output(), "y", {2, 3});
  *g->add_initializer() =
      onnxio::TensorToProto(Tensor::FromVector<float>({4}, {0.5f, -1.f, 2.f, 0.25f}), "centre");
  *g->add_initializer() = onnxio::TensorToProto(Tensor::FromVector<float>({1}, {1.5f}), "scale");
  std::vector<float> w(12);
  for (size_t i = 0; i < w.size(); ++i) w[i] = 0.1f * static_cast<float>(i) - 0.5f;
  *g->add_initializer() = onnxio::TensorToProto(Tensor::FromVector<float>({4, 3}, w), "w");
  auto node = [&](const std::string& name, const std::string& op, std::vector<std::string> in,
                  const std::string& out) {
    onnx::NodeProto* n = g->add_node();
    n->set_name(name);
    n->set_op_type(op);
    for (const auto& i : in) n->add_input(i);
    n->add_output(out);
  };
  node("scale_in", "Mul", {"x", "scale"}, "xs");
  if (swapped) {
    node("centre_sub", "Sub", {"centre", "xs"}, "xc");
  } else {
    node("centre_sub", "Sub", {"xs", "centre"}, "xc");
  }
  node("act", "Tanh", {"xc"}, "xt");
  node("project", "MatMul", {"xt", "w"}, "y");
  return model;
}

TEST(LocalizeDiffTest, SwappedOperandsAreTheFirstDivergentNode) {
  TempDir dir;
  Save(Affine(false), dir.File("a.onnx"));
  Save(Affine(true), dir.File("b.onnx"));
  onnxio::DataSet set;
  set.inputs = {Tensor::FromVector<float>({2, 4}, {1, 2, 3, 4, -1, -2, -3, -4})};
  set.input_names = {"x"};
  ASSERT_TRUE(onnxio::WriteDataSet(dir.File("data"), 0, set).ok());
  CliRun run;
  nlohmann::json doc =
      Diff(dir, {dir.File("b.onnx"), "--data", dir.File("data"), "--backend", "ref"}, &run);
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  ASSERT_TRUE(doc["first_divergent"].is_object()) << run.out << run.err;
  EXPECT_EQ(doc["first_divergent"]["node"], "centre_sub");
  EXPECT_EQ(doc["first_divergent"]["op_type"], "Sub");
  ASSERT_EQ(doc["path"].size(), 3u);
  EXPECT_EQ(doc["path"][2]["node"], "project");

  // Made-up inputs (no --data) find it as well.
  doc = Diff(dir, {dir.File("b.onnx"), "--backend", "ref"}, &run);
  EXPECT_EQ(doc["first_divergent"]["node"], "centre_sub") << run.out << run.err;
}

// A layer norm written out (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add) with
// the Sub's operands the other way round: mean - x. ONNX Runtime's LayerNormFusion (default
// optimization level) fuses it into LayerNormalization as if it were x - mean, flipping the
// sign; with optimizations disabled, or with any inner value exposed as a graph output (which
// stops the fusion), ORT computes it right.
onnx::ModelProto ReversedLayerNorm() {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(17);
  onnx::GraphProto* g = model.mutable_graph();
  g->set_name("reversed_layer_norm");
  for (auto [v, name] : {std::pair{g->add_input(), "x"}, std::pair{g->add_output(), "y"}}) {
    v->set_name(name);
    auto* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    t->mutable_shape()->add_dim()->set_dim_value(2);
    t->mutable_shape()->add_dim()->set_dim_value(8);
  }
  auto init = [&](const std::string& name, Shape shape, std::vector<float> v) {
    *g->add_initializer() = onnxio::TensorToProto(Tensor::FromVector<float>(shape, v), name);
  };
  std::vector<float> w0(8), gamma(8), beta(8);
  for (int i = 0; i < 8; ++i) {
    w0[i] = 0.5f + 0.2f * static_cast<float>(i);
    gamma[i] = 0.5f + 0.125f * static_cast<float>(i);
    beta[i] = -1.f + 0.25f * static_cast<float>(i);
  }
  init("w0", {8}, w0);
  init("two", {}, {2.f});
  init("eps", {}, {1e-5f});
  init("gamma", {8}, gamma);
  init("beta", {8}, beta);
  auto node = [&](const std::string& name, const std::string& op, std::vector<std::string> in,
                  const std::string& out) {
    onnx::NodeProto* n = g->add_node();
    n->set_name(name);
    n->set_op_type(op);
    for (const auto& i : in) n->add_input(i);
    n->add_output(out);
    if (op == "ReduceMean") {
      onnx::AttributeProto* axes = n->add_attribute();
      axes->set_name("axes");
      axes->set_type(onnx::AttributeProto::INTS);
      axes->add_ints(-1);
    }
  };
  node("pre_scale", "Mul", {"x", "w0"}, "xin");
  node("ln_mean", "ReduceMean", {"xin"}, "mu");
  node("ln_sub", "Sub", {"mu", "xin"}, "d");
  node("ln_pow", "Pow", {"d", "two"}, "p");
  node("ln_var", "ReduceMean", {"p"}, "v");
  node("ln_add_eps", "Add", {"v", "eps"}, "ve");
  node("ln_sqrt", "Sqrt", {"ve"}, "s");
  node("ln_div", "Div", {"d", "s"}, "n");
  node("ln_gamma", "Mul", {"n", "gamma"}, "ng");
  node("ln_beta", "Add", {"ng", "beta"}, "lo");
  node("post_tanh", "Tanh", {"lo"}, "y");
  return model;
}

TEST(LocalizeDiffTest, OrtOptimizerFaultIsLocalizedToTheRewrittenNode) {
  TempDir dir;
  Save(ReversedLayerNorm(), dir.File("a.onnx"));
  CliRun run;
  nlohmann::json doc = Diff(dir, {"--backend", "ort"}, &run);
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  ASSERT_TRUE(doc["first_divergent"].is_object()) << run.out << run.err;
  // The fused pattern's last node is the one whose value comes out wrong; exposing any value
  // inside the pattern stops the fusion, hence the search one value at a time.
  EXPECT_EQ(doc["first_divergent"]["node"], "ln_beta");
  EXPECT_EQ(doc["method"], "one_at_a_time");
  EXPECT_GT(doc["first_divergent"]["error_ratio"].get<double>(), 100);
  EXPECT_NE(run.out.find("optimizer"), std::string::npos) << run.out;
  // Without ORT's optimizer nothing diverges: the fault is the rewrite, not a kernel.
  doc = Diff(dir, {"--backend", "ort", "--ort-opt-level", "disabled"}, &run);
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(doc["first_divergent"].is_null());
  EXPECT_FALSE(doc["outputs_diverge"]);
}

TEST(LocalizeDiffTest, IdenticalModelsAndAnAgreeingEngineHaveNoDivergentNode) {
  TempDir dir;
  Save(Cnn(), dir.File("a.onnx"));
  Save(Cnn(), dir.File("b.onnx"));
  CliRun run;
  nlohmann::json doc = Diff(dir, {dir.File("b.onnx"), "--data", kCnn, "--backend", "ref"}, &run);
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(doc["first_divergent"].is_null());
  EXPECT_EQ(doc["compared"], 8);
  EXPECT_FALSE(doc["outputs_diverge"]);
  // One model: ONNX Runtime against ref64, value by value.
  doc = Diff(dir, {"--data", kCnn, "--backend", "ort"}, &run);
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(doc["backend_a"], "ref64");
  EXPECT_EQ(doc["backend_b"], "ort");
  EXPECT_TRUE(doc["first_divergent"].is_null());
  EXPECT_EQ(doc["compared"], 8);
}

TEST(LocalizeDiffTest, BadInputIsAOneLineUsageError) {
  TempDir dir;
  CliRun run = RunConvcheck({"diff", dir.File("missing.onnx"), "--backend", "ref"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("no such file"), std::string::npos) << run.err;
  Save(Cnn(), dir.File("a.onnx"));
  run = RunConvcheck({"diff", dir.File("a.onnx"), "--backend", "ort,ref"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("one backend"), std::string::npos) << run.err;
}

nlohmann::json Reduce(const std::vector<std::string>& args, const TempDir& dir, CliRun* run) {
  std::vector<std::string> all = {"reduce"};
  all.insert(all.end(), args.begin(), args.end());
  all.insert(all.end(), {"--json", dir.File("reduce.json")});
  *run = RunConvcheck(all);
  return ReadJson(dir.File("reduce.json"));
}

// docs/findings: ORT folds a Pad into MaxPool's pads and then refuses pads larger than the
// kernel. torch.onnx 1.13 computes the pads with 16 nodes, which ORT constant-folds; the cut
// values become initializers, so the reduced case keeps the fold and the refusal.
TEST(LocalizeReduceTest, OnnxModelRefusedByOrtKeepsTheRefusal) {
  TempDir dir;
  CliRun run = RunConvcheck(
      {"convert",
       "python:" + std::string(CONVCHECK_TESTS_DIR) + "/../docs/findings/ort_pad_maxpool_fusion.py",
       "--converter", "torch.onnx@1.13", "--backend", "ort", "--keep", dir.File("keep")});
  ASSERT_EQ(run.exit_code, 1) << run.out << run.err;
  std::string case_dir;
  for (const auto& entry : fs::directory_iterator(dir.File("keep"))) case_dir = entry.path();
  ASSERT_TRUE(fs::exists(case_dir + "/model.onnx")) << run.out << run.err;
  nlohmann::json doc = Reduce({case_dir, "--out", dir.File("reduced")}, dir, &run);
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(doc["kind"], "runtime");
  EXPECT_GE(doc["nodes_before"].get<int>(), 10);
  EXPECT_EQ(doc["nodes_after"], 2);
  EXPECT_EQ(doc["operators"], nlohmann::json({{"MaxPool", 1}, {"Pad", 1}}));
  EXPECT_NE(doc["signature"].get<std::string>().find(
                "runtime_error|load|UNKNOWN|Exception during "
                "initialization: PATH:N onnxruntime::PoolAttributes"),
            std::string::npos)
      << doc["signature"];
  // The reduced case stands alone: ORT still refuses it, and runs it without its optimizer.
  run = RunConvcheck({"run", dir.File("reduced/model.onnx"), "--backend", "ort"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE(run.out.find("Pad should be smaller than kernel"), std::string::npos) << run.out;
  run = RunConvcheck(
      {"run", dir.File("reduced/model.onnx"), "--backend", "ort", "--ort-opt-level", "disabled"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
}

TEST(LocalizeReduceTest, OnnxModelOnWhichOrtDisagreesShrinksToTheFusedPattern) {
  TempDir dir;
  Save(ReversedLayerNorm(), dir.File("ln.onnx"));
  CliRun run;
  nlohmann::json doc = Reduce({dir.File("ln.onnx"), "--out", dir.File("reduced")}, dir, &run);
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(doc["kind"], "mismatch");
  EXPECT_EQ(doc["signature"], "ort|incorrect_behavior|value_mismatch");
  EXPECT_EQ(doc["nodes_before"], 11);
  // The nine nodes of the layer norm; the Mul before and the Tanh after are gone.
  EXPECT_EQ(doc["nodes_after"], 9);
  EXPECT_FALSE(doc["operators"].contains("Tanh"));
  EXPECT_EQ(doc["operators"]["Mul"], 1);
  EXPECT_TRUE(fs::exists(dir.File("reduced/test_data_set_0/output_0.pb")));
  run = RunConvcheck({"run", dir.File("reduced/model.onnx"), "--backend", "ort"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
}

// ONNX Runtime runs a model whose declared intermediate shape is wrong (it merges leniently);
// ONNX's checker rejects it. The reduced model keeps the offending node.
TEST(LocalizeReduceTest, InvalidOnnxModelKeepsTheCheckersComplaint) {
  TempDir dir;
  onnx::ModelProto model = Affine(false);
  onnx::ValueInfoProto* wrong = model.mutable_graph()->add_value_info();
  wrong->set_name("xc");
  auto* t = wrong->mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnx::TensorProto::FLOAT);
  t->mutable_shape()->add_dim()->set_dim_value(3);
  t->mutable_shape()->add_dim()->set_dim_value(4);
  Save(model, dir.File("bad.onnx"));
  CliRun run;
  nlohmann::json doc = Reduce({dir.File("bad.onnx"), "--out", dir.File("reduced")}, dir, &run);
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(doc["kind"], "invalid");
  EXPECT_EQ(doc["signature"], "invalid_model|checker|Sub");
  EXPECT_LE(doc["nodes_after"].get<int>(), 2);
  EXPECT_EQ(doc["operators"]["Sub"], 1);
}

TEST(LocalizeReduceTest, OnnxModelThatDoesNotFailIsAUsageError) {
  TempDir dir;
  Save(Affine(false), dir.File("fine.onnx"));
  CliRun run = RunConvcheck({"reduce", dir.File("fine.onnx")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("does not fail on ort"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace convcheck
