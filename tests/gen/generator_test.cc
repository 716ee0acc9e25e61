// The generator: determinism, the node range, operator selection, the graph file, the fills
// the two emitters share, and the emitters' output for a known graph.

#include "gen/generator.h"

#include <gtest/gtest.h>

#include <set>

#include "gen/emit.h"

namespace convcheck::gen {
namespace {

TEST(GeneratorTest, SameSeedSameGraphOtherSeedOtherGraph) {
  GenOptions options;
  StatusOr<Graph> a = Generate(7, options);
  StatusOr<Graph> b = Generate(7, options);
  StatusOr<Graph> c = Generate(8, options);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(ToJson(*a).dump(), ToJson(*b).dump());
  EXPECT_NE(ToJson(*a).dump(), ToJson(*c).dump());
}

TEST(GeneratorTest, NodeCountsStayInTheRangeAndEveryValueIsValid) {
  GenOptions options;
  ASSERT_TRUE(ParseNodeRange("5..12", options).ok());
  for (uint64_t seed = 0; seed < 200; ++seed) {
    StatusOr<Graph> graph = Generate(seed, options);
    ASSERT_TRUE(graph.ok()) << graph.status().ToString();
    EXPECT_GE(graph->nodes.size(), 5u) << "seed " << seed;
    EXPECT_LE(graph->nodes.size(), 12u) << "seed " << seed;
    EXPECT_FALSE(graph->outputs.empty());
    // Inferring again from scratch agrees: each node satisfies its operator's rule.
    Graph again = *graph;
    Status ok = Reinfer(again, options.limits);
    EXPECT_TRUE(ok.ok()) << "seed " << seed << ": " << ok.ToString();
    for (const auto& value : graph->values) {
      EXPECT_LE(value.info.NumElements(), options.limits.max_elements);
      if (value.info.dtype == DataType::kFloat32) {
        EXPECT_LE(value.info.Magnitude(), options.limits.max_magnitude);
      }
    }
  }
}

TEST(GeneratorTest, IncludeAndExcludeListsAreHonouredAndCheckedByName) {
  GenOptions options;
  options.include = {"relu", "add"};
  for (uint64_t seed = 0; seed < 20; ++seed) {
    StatusOr<Graph> graph = Generate(seed, options);
    ASSERT_TRUE(graph.ok());
    for (const auto& node : graph->nodes) EXPECT_TRUE(node.op == "relu" || node.op == "add");
  }
  options.include.clear();
  options.exclude = {"relu"};
  for (uint64_t seed = 0; seed < 20; ++seed) {
    StatusOr<Graph> graph = Generate(seed, options);
    ASSERT_TRUE(graph.ok());
    for (const auto& node : graph->nodes) EXPECT_NE(node.op, "relu");
  }
  options.exclude = {"no_such_op"};
  StatusOr<std::vector<const OpSpec*>> ops = SelectOps(options);
  ASSERT_FALSE(ops.ok());
  EXPECT_NE(ops.status().message().find("no_such_op"), std::string::npos);
}

TEST(GeneratorTest, NodeRangeParsing) {
  GenOptions options;
  EXPECT_TRUE(ParseNodeRange("12", options).ok());
  EXPECT_EQ(options.min_nodes, 12);
  EXPECT_EQ(options.max_nodes, 12);
  EXPECT_FALSE(ParseNodeRange("9..3", options).ok());
  EXPECT_FALSE(ParseNodeRange("0..3", options).ok());
  EXPECT_FALSE(ParseNodeRange("five", options).ok());
}

TEST(GraphTest, JsonRoundTripAndBrokenFilesAreRefused) {
  StatusOr<Graph> graph = Generate(3, GenOptions{});
  ASSERT_TRUE(graph.ok());
  StatusOr<Graph> back = GraphFromJson(ToJson(*graph));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(ToJson(*back).dump(), ToJson(*graph).dump());

  nlohmann::json broken = ToJson(*graph);
  broken["nodes"][0]["inputs"][0] = 100000;
  StatusOr<Graph> refused = GraphFromJson(broken);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("refers to value"), std::string::npos);
  EXPECT_FALSE(GraphFromJson(nlohmann::json{{"format", "other"}}).ok());
}

TEST(FillTest, FloatsStayInRangeAndIntsCoverTheirRange) {
  std::vector<float> floats = FillFloat(42, 10000, -0.5, 0.25);
  double lo = 1, hi = -1;
  for (float x : floats) {
    lo = std::min<double>(lo, x);
    hi = std::max<double>(hi, x);
  }
  EXPECT_GE(lo, -0.5);
  EXPECT_LE(hi, 0.25);
  EXPECT_LT(lo, -0.49);  // Spread over the range, not stuck.
  EXPECT_GT(hi, 0.24);
  std::vector<int64_t> ints = FillInt(42, 1000, 0, 3);
  std::set<int64_t> seen(ints.begin(), ints.end());
  EXPECT_EQ(seen, (std::set<int64_t>{0, 1, 2, 3}));
  EXPECT_NE(FillHash(1, 0), FillHash(2, 0));
}

TEST(EmitTest, PythonAndOnnxNameTheSameInputsOutputsAndWeights) {
  GenOptions options;
  options.include = {"relu", "add"};
  StatusOr<Graph> graph = Generate(11, options);
  ASSERT_TRUE(graph.ok());
  StatusOr<std::string> python = EmitPython(*graph);
  ASSERT_TRUE(python.ok());
  EXPECT_NE(python->find("def make_model():"), std::string::npos);
  EXPECT_NE(python->find("def make_inputs():"), std::string::npos);
  StatusOr<onnx::ModelProto> model = EmitOnnx(*graph);
  ASSERT_TRUE(model.ok());
  ASSERT_EQ(model->graph().input_size(), static_cast<int>(graph->inputs.size()));
  ASSERT_EQ(model->graph().output_size(), static_cast<int>(graph->outputs.size()));
  for (int i = 0; i < model->graph().output_size(); ++i) {
    EXPECT_NE(python->find(model->graph().output(i).name()), std::string::npos);
  }
  EXPECT_EQ(model->graph().node_size(), static_cast<int>(graph->nodes.size()));
  EXPECT_EQ(model->graph().initializer_size(), static_cast<int>(graph->Params().size()));
}

}  // namespace
}  // namespace convcheck::gen

namespace convcheck::gen {
namespace {

TEST(CatalogTest, EveryOperatorIsCompleteAndNamedOnce) {
  const std::set<std::string> families = {"elementwise", "activation", "compare", "cast", "reduce",
                                          "softmax",     "scan",       "linear",  "conv", "pool",
                                          "norm",        "resize",     "shape",   "index"};
  std::set<std::string> names;
  for (const auto& op : Catalog()) {
    EXPECT_TRUE(names.insert(op.name).second) << op.name << " is registered twice";
    EXPECT_TRUE(op.propose && op.infer && op.python && op.onnx) << op.name;
    EXPECT_TRUE(families.count(op.family)) << op.name << ": family " << op.family;
    EXPECT_FALSE(op.torch_name.empty()) << op.name;
    EXPECT_EQ(FindOp(op.name), &op);
  }
  EXPECT_EQ(FindOp("no_such_op"), nullptr);
}

// The coverage rule only works if every operator can be placed: 300 models of 5 to 30 nodes
// with coverage weighting use every one.
TEST(CatalogTest, EveryOperatorGetsPlaced) {
  GenOptions options;
  std::map<std::string, int64_t> seen;
  for (uint64_t seed = 0; seed < 300; ++seed) {
    StatusOr<Graph> graph = Generate(seed, options, &seen);
    ASSERT_TRUE(graph.ok()) << graph.status().ToString();
    for (const auto& [name, count] : graph->OpCounts()) seen[name] += count;
  }
  for (const auto& op : Catalog()) EXPECT_GT(seen[op.name], 0) << op.name << " was never placed";
}

}  // namespace
}  // namespace convcheck::gen
