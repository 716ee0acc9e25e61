// Inputs for an ONNX source: drawn in the ranges the generator recorded, deterministic per seed
// and input set, unknown dimensions from the given shapes.

#include "pipeline/onnx_source.h"

#include <gtest/gtest.h>

#include "gen/emit.h"
#include "gen/generator.h"

namespace convcheck::pipeline {
namespace {

onnx::ModelProto OneInput(const std::string& name, onnx::TensorProto_DataType type,
                          std::vector<int64_t> dims) {
  onnx::ModelProto model;
  auto* input = model.mutable_graph()->add_input();
  input->set_name(name);
  auto* tensor = input->mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(type);
  for (int64_t d : dims) {
    auto* dim = tensor->mutable_shape()->add_dim();
    if (d >= 0) {
      dim->set_dim_value(d);
    } else {
      dim->set_dim_param("batch");
    }
  }
  return model;
}

TEST(OnnxSourceTest, InputsStayInTheRangesTheGeneratorRecorded) {
  gen::GenOptions options;
  options.include = {"log", "relu", "add"};
  for (uint64_t seed = 0; seed < 20; ++seed) {
    StatusOr<gen::Graph> graph = gen::Generate(seed, options);
    ASSERT_TRUE(graph.ok());
    StatusOr<onnx::ModelProto> model = gen::EmitOnnx(*graph);
    ASSERT_TRUE(model.ok());
    StatusOr<std::vector<Tensor>> inputs = MakeOnnxInputs(*model, 1, 0, {});
    ASSERT_TRUE(inputs.ok()) << inputs.status().ToString();
    ASSERT_EQ(inputs->size(), graph->inputs.size());
    for (size_t j = 0; j < inputs->size(); ++j) {
      const gen::ValueInfo& info = graph->values[graph->inputs[j]].info;
      const Tensor& t = (*inputs)[j];
      EXPECT_EQ(t.shape(), info.shape);
      for (int64_t i = 0; i < t.num_elements(); ++i) {
        const float x = t.Data<float>()[i];
        EXPECT_GE(x, info.range.lo) << "seed " << seed;
        EXPECT_LE(x, info.range.hi) << "seed " << seed;
      }
    }
  }
}

TEST(OnnxSourceTest, SetsDifferAndRepeat) {
  onnx::ModelProto model = OneInput("x", onnx::TensorProto::FLOAT, {2, 3});
  StatusOr<std::vector<Tensor>> a = MakeOnnxInputs(model, 7, 0, {});
  StatusOr<std::vector<Tensor>> again = MakeOnnxInputs(model, 7, 0, {});
  StatusOr<std::vector<Tensor>> b = MakeOnnxInputs(model, 7, 1, {});
  ASSERT_TRUE(a.ok() && again.ok() && b.ok());
  const float* x = (*a)[0].Data<float>();
  EXPECT_EQ(std::vector<float>(x, x + 6),
            std::vector<float>((*again)[0].Data<float>(), (*again)[0].Data<float>() + 6));
  EXPECT_NE(std::vector<float>(x, x + 6),
            std::vector<float>((*b)[0].Data<float>(), (*b)[0].Data<float>() + 6));
  // Without a recorded range: [-1, 1).
  for (int i = 0; i < 6; ++i) {
    EXPECT_GE(x[i], -1.0f);
    EXPECT_LT(x[i], 1.0f);
  }
}

TEST(OnnxSourceTest, UnknownDimensionsComeFromTheGivenShapesOrAreOne) {
  onnx::ModelProto model = OneInput("ids", onnx::TensorProto::INT64, {-1, 4});
  StatusOr<std::vector<Tensor>> one = MakeOnnxInputs(model, 0, 0, {});
  ASSERT_TRUE(one.ok());
  EXPECT_EQ((*one)[0].shape(), (Shape{1, 4}));
  StatusOr<std::vector<Tensor>> three = MakeOnnxInputs(model, 0, 0, {{3, 4}});
  ASSERT_TRUE(three.ok());
  EXPECT_EQ((*three)[0].shape(), (Shape{3, 4}));
  for (int64_t i = 0; i < 12; ++i) {
    EXPECT_GE((*three)[0].Data<int64_t>()[i], 0);
    EXPECT_LE((*three)[0].Data<int64_t>()[i], 9);
  }
}

TEST(OnnxSourceTest, InputsOfOtherTypesAreRefusedWithTheirName) {
  onnx::ModelProto model = OneInput("text", onnx::TensorProto::STRING, {2});
  StatusOr<std::vector<Tensor>> inputs = MakeOnnxInputs(model, 0, 0, {});
  EXPECT_EQ(inputs.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(inputs.status().message().find("input 'text'"), std::string::npos)
      << inputs.status().message();
}

}  // namespace
}  // namespace convcheck::pipeline
