// The TensorFlow emitter and the emitters' forms: which operators declare a TensorFlow form,
// models generated for TensorFlow draw only those, the TensorFlow source holds the same hashed
// weights, and WriteSource names what it wrote. (That TensorFlow and PyTorch compute the same
// outputs is checked by running both: tests/integration/fuzz_converters_test.cc.)

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "gen/catalog.h"
#include "gen/emit.h"
#include "gen/generator.h"

namespace convcheck::gen {
namespace {

namespace fs = std::filesystem;

TEST(TfEmitterTest, OperatorsDeclareWhetherTheyHaveATensorFlowForm) {
  std::set<std::string> with, without;
  for (const OpSpec& op : Catalog()) (op.tf ? with : without).insert(op.name);
  // Most of the catalog, across every family.
  EXPECT_GE(with.size(), 100u) << with.size();
  for (const char* name : {"relu", "conv2d", "softmax", "gather", "pad", "topk", "layer_norm"}) {
    EXPECT_TRUE(with.count(name)) << name;
  }
  // Transposed convolutions have no TensorFlow form written for them.
  EXPECT_TRUE(without.count("conv_transpose2d"));
}

TEST(TfEmitterTest, ModelsForTensorFlowDrawOnlyOperatorsWithATensorFlowForm) {
  GenOptions options;
  options.tensorflow = true;
  ASSERT_TRUE(ParseNodeRange("10..30", options).ok());
  std::set<std::string> drawn;
  for (uint64_t seed = 0; seed < 150; ++seed) {
    StatusOr<Graph> graph = Generate(seed, options);
    ASSERT_TRUE(graph.ok()) << graph.status().ToString();
    for (const Node& node : graph->nodes) {
      drawn.insert(node.op);
      EXPECT_TRUE(FindOp(node.op)->tf) << node.op;
    }
    StatusOr<std::string> source = EmitTensorFlow(*graph);
    ASSERT_TRUE(source.ok()) << "seed " << seed << ": " << source.status().ToString();
  }
  EXPECT_FALSE(drawn.count("conv_transpose2d"));
  EXPECT_GE(drawn.size(), 60u);
  // Only TensorFlow operators asked for, none of them with a form: a one-line error.
  options.include = {"conv_transpose1d", "conv_transpose2d", "conv_transpose3d"};
  EXPECT_EQ(SelectOps(options).status().code(), StatusCode::kInvalidArgument);
}

TEST(TfEmitterTest, AGraphWithAnOperatorWithoutTensorFlowFormIsRefused) {
  GenOptions options;
  options.include = {"conv_transpose2d"};
  StatusOr<Graph> graph = Generate(3, options);
  ASSERT_TRUE(graph.ok()) << graph.status().ToString();
  StatusOr<std::string> source = EmitTensorFlow(*graph);
  EXPECT_EQ(source.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(source.status().message().find("has no TensorFlow form"), std::string::npos)
      << source.status().message();
}

TEST(TfEmitterTest, TheTensorFlowSourceHoldsTheSameWeightsAsThePyTorchOne) {
  GenOptions options;
  options.tensorflow = true;
  options.include = {"linear", "relu"};
  StatusOr<Graph> graph = Generate(11, options);
  ASSERT_TRUE(graph.ok()) << graph.status().ToString();
  StatusOr<std::string> tf = EmitTensorFlow(*graph);
  StatusOr<std::string> torch = EmitPython(*graph);
  ASSERT_TRUE(tf.ok() && torch.ok());
  EXPECT_NE(tf->find("import tensorflow as tf"), std::string::npos);
  EXPECT_EQ(tf->find("import torch"), std::string::npos);
  // Every parameter is filled from the same fill seed and range in both.
  for (int v : graph->Params()) {
    const Value& value = graph->values[v];
    const std::string fill = PyList(value.info.shape) + ", " + std::to_string(value.fill) + ", ";
    EXPECT_NE(tf->find("_fill(" + fill), std::string::npos) << "v" << v << "\n" << *tf;
    EXPECT_NE(torch->find("_fill(" + fill), std::string::npos) << "v" << v;
  }
  // The hash is the PyTorch prelude's, in NumPy.
  EXPECT_NE(tf->find("* 2654435761 + (s * 40503 + 12345)) % 2147483648"), std::string::npos);
}

TEST(TfEmitterTest, WriteSourceNamesEachForm) {
  const std::string dir = ::testing::TempDir() + "/write_source_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  GenOptions options;
  options.tensorflow = true;
  StatusOr<Graph> graph = Generate(5, options);
  ASSERT_TRUE(graph.ok());
  const std::string stem = dir + "/gen-5";
  EXPECT_EQ(*WriteSource(*graph, stem, Emitter::kTorch), "python:" + stem + ".py");
  EXPECT_EQ(*WriteSource(*graph, stem, Emitter::kTensorFlow), "python:" + stem + "_tf.py");
  EXPECT_EQ(*WriteSource(*graph, stem, Emitter::kOnnx), "onnx:" + stem + ".onnx");
  for (const char* file : {".py", "_tf.py", ".onnx", ".json"}) {
    EXPECT_TRUE(fs::exists(stem + file)) << file;
  }
  // The ONNX model records its inputs' ranges for the ONNX source stage.
  StatusOr<onnx::ModelProto> model = EmitOnnx(*graph);
  ASSERT_TRUE(model.ok());
  ASSERT_EQ(model->metadata_props_size(), 1);
  EXPECT_EQ(model->metadata_props(0).key(), "convcheck:inputs");
  nlohmann::json ranges = nlohmann::json::parse(model->metadata_props(0).value());
  const ValueInfo& first = graph->values[graph->inputs[0]].info;
  EXPECT_EQ(ranges["v" + std::to_string(graph->inputs[0])][0].get<double>(), first.range.lo);
  EXPECT_EQ(ranges["v" + std::to_string(graph->inputs[0])][1].get<double>(), first.range.hi);
}

}  // namespace
}  // namespace convcheck::gen
