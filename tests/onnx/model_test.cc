#include "onnx/model.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "onnx/tensor_proto.h"

namespace convcheck::onnxio {
namespace {

namespace fs = std::filesystem;

void SetValueInfo(onnx::ValueInfoProto* info, const std::string& name,
                  std::initializer_list<int64_t> dims, int elem_type = onnx::TensorProto::FLOAT) {
  info->set_name(name);
  auto* tensor_type = info->mutable_type()->mutable_tensor_type();
  tensor_type->set_elem_type(elem_type);
  auto* shape = tensor_type->mutable_shape();
  for (int64_t dim : dims) shape->add_dim()->set_dim_value(dim);
}

onnx::NodeProto* AddNode(onnx::GraphProto* graph, const std::string& op_type,
                         const std::string& name, std::initializer_list<std::string> inputs,
                         std::initializer_list<std::string> outputs) {
  onnx::NodeProto* node = graph->add_node();
  node->set_op_type(op_type);
  node->set_name(name);
  for (const std::string& input : inputs) node->add_input(input);
  for (const std::string& output : outputs) node->add_output(output);
  return node;
}

onnx::ModelProto EmptyModel() {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("convcheck-test");
  model.set_producer_version("0.1");
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(13);
  model.mutable_graph()->set_name("g");
  return model;
}

// x[2,3] -> Relu -> y[2,3]
onnx::ModelProto ReluModel() {
  onnx::ModelProto model = EmptyModel();
  onnx::GraphProto* graph = model.mutable_graph();
  AddNode(graph, "Relu", "relu1", {"x"}, {"y"});
  SetValueInfo(graph->add_input(), "x", {2, 3});
  SetValueInfo(graph->add_output(), "y", {2, 3});
  return model;
}

class ModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "convcheck_model_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  void WriteBytes(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
  }

  fs::path dir_;
};

TEST_F(ModelTest, SaveLoadRoundTrip) {
  const onnx::ModelProto model = ReluModel();
  const std::string path = Path("relu.onnx");
  ASSERT_TRUE(SaveModel(model, path).ok());
  StatusOr<onnx::ModelProto> loaded = LoadModel(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->SerializeAsString(), model.SerializeAsString());
  EXPECT_FALSE(SaveModel(model, Path("missing_dir/m.onnx")).ok());
}

TEST_F(ModelTest, LoadErrors) {
  const std::string missing = Path("missing.onnx");
  StatusOr<onnx::ModelProto> model = LoadModel(missing);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(model.status().message(), "model '" + missing + "': no such file");

  model = LoadModel(dir_.string());
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().message(), "model '" + dir_.string() + "': is a directory");

  const std::string empty = Path("empty.onnx");
  WriteBytes(empty, "");
  model = LoadModel(empty);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().message(), "model '" + empty + "': file is empty");

  const std::string garbage = Path("garbage.onnx");
  WriteBytes(garbage, "\xff\xff\xff\xff\xff this is not protobuf");
  model = LoadModel(garbage);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(model.status().message(),
            "model '" + garbage +
                "': not a valid ONNX model (protobuf parse failed: truncated or corrupt file)");

  // Valid protobuf, but only the header fields of a model: what a file cut before its graph
  // looks like.
  onnx::ModelProto header_only = EmptyModel();
  header_only.clear_graph();
  const std::string no_graph = Path("no_graph.onnx");
  WriteBytes(no_graph, header_only.SerializeAsString());
  model = LoadModel(no_graph);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().message(), "model '" + no_graph + "': model has no graph");

  const std::string empty_graph = Path("empty_graph.onnx");
  WriteBytes(empty_graph, EmptyModel().SerializeAsString());
  model = LoadModel(empty_graph);
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("no nodes and no outputs"), std::string::npos);
}

// Every proper prefix of a real model must be rejected, by LoadModel or by ValidateModel:
// protobuf alone cannot tell a prefix that ends on a field boundary from a whole model.
void ExpectEveryTruncationRejected(const std::string& bytes, const std::string& path) {
  int rejected_by_load = 0;
  for (size_t length = 0; length < bytes.size(); ++length) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes.substr(0, length);
    StatusOr<onnx::ModelProto> model = LoadModel(path);
    if (!model.ok()) {
      ++rejected_by_load;
      EXPECT_NE(model.status().message().find("model '" + path + "': "), std::string::npos);
      continue;
    }
    EXPECT_TRUE(ValidateModel(*model).has_value()) << "prefix of " << length << " bytes passed";
  }
  // Most cuts land inside a length-delimited field and fail to parse.
  EXPECT_GT(rejected_by_load, static_cast<int>(bytes.size()) * 9 / 10);
}

TEST_F(ModelTest, TruncatedModelsAreRejected) {
  onnx::ModelProto model = ReluModel();
  auto* weight = model.mutable_graph()->add_initializer();
  *weight = TensorToProto(Tensor(DataType::kFloat32, {64}), "unused_weight");
  ExpectEveryTruncationRejected(model.SerializeAsString(), Path("cut.onnx"));

  const std::string real = "/usr/share/libonnx-testdata/data/node/test_abs/model.onnx";
  if (!fs::exists(real)) GTEST_SKIP() << real << " is not installed";
  std::ifstream in(real, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(bytes.empty());
  ExpectEveryTruncationRejected(bytes, Path("abs_cut.onnx"));
  std::ofstream(Path("abs_half.onnx"), std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  EXPECT_FALSE(LoadModel(Path("abs_half.onnx")).ok());
}

TEST_F(ModelTest, ValidModelPasses) {
  std::optional<ValidationIssue> issue = ValidateModel(ReluModel());
  EXPECT_FALSE(issue.has_value()) << issue->check << ": " << issue->message;
}

TEST_F(ModelTest, UndefinedInputFailsInChecker) {
  onnx::ModelProto model = ReluModel();
  model.mutable_graph()->mutable_node(0)->set_input(0, "not_defined");
  std::optional<ValidationIssue> issue = ValidateModel(model);
  ASSERT_TRUE(issue.has_value());
  EXPECT_EQ(issue->check, "checker");
  EXPECT_EQ(issue->node_name, "relu1");
  EXPECT_EQ(issue->op_type, "Relu");
  EXPECT_NE(issue->message.find("not_defined"), std::string::npos) << issue->message;
  EXPECT_EQ(issue->message.find('\n'), std::string::npos) << issue->message;
}

TEST_F(ModelTest, UnknownOpFailsInCheckerWithContext) {
  onnx::ModelProto model = ReluModel();
  model.mutable_graph()->mutable_node(0)->set_op_type("Reluu");
  std::optional<ValidationIssue> issue = ValidateModel(model);
  ASSERT_TRUE(issue.has_value());
  EXPECT_EQ(issue->check, "checker");
  EXPECT_EQ(issue->node_name, "relu1");
  EXPECT_EQ(issue->op_type, "Reluu");
  EXPECT_NE(issue->message.find("No Op registered for Reluu"), std::string::npos) << issue->message;
  EXPECT_EQ(issue->message.find('\n'), std::string::npos) << issue->message;
}

TEST_F(ModelTest, CheckerMessageWithoutNodeIdentifiesNothing) {
  onnx::ModelProto model = ReluModel();
  model.clear_ir_version();
  std::optional<ValidationIssue> issue = ValidateModel(model);
  ASSERT_TRUE(issue.has_value());
  EXPECT_EQ(issue->check, "checker");
  EXPECT_NE(issue->message.find("ir_version"), std::string::npos) << issue->message;
  EXPECT_EQ(issue->node_name, "");
  EXPECT_EQ(issue->op_type, "");
}

TEST_F(ModelTest, NewerIrVersionMessageGivesTheNumbers) {
  onnx::ModelProto model = ReluModel();
  model.set_ir_version(onnx::IR_VERSION + 1);
  std::optional<ValidationIssue> issue = ValidateModel(model);
  ASSERT_TRUE(issue.has_value());
  EXPECT_EQ(issue->check, "checker");
  EXPECT_NE(issue->message.find("model ir_version " + std::to_string(onnx::IR_VERSION + 1)),
            std::string::npos)
      << issue->message;
}

onnx::ModelProto AddModel(const std::string& node_name) {
  onnx::ModelProto model = EmptyModel();
  onnx::GraphProto* graph = model.mutable_graph();
  AddNode(graph, "Add", node_name, {"a", "b"}, {"y"});
  SetValueInfo(graph->add_input(), "a", {2, 3});
  SetValueInfo(graph->add_input(), "b", {4, 5});
  SetValueInfo(graph->add_output(), "y", {2, 3});
  return model;
}

TEST_F(ModelTest, ConflictingShapesFailStrictShapeInference) {
  std::optional<ValidationIssue> issue = ValidateModel(AddModel("add1"));
  ASSERT_TRUE(issue.has_value());
  EXPECT_EQ(issue->check, "shape_inference");
  EXPECT_EQ(issue->op_type, "Add");
  EXPECT_EQ(issue->node_name, "add1");
  EXPECT_NE(issue->message.find("Incompatible dimensions"), std::string::npos) << issue->message;
  EXPECT_EQ(issue->message.find('\n'), std::string::npos) << issue->message;

  // An unnamed node still gets its op type.
  issue = ValidateModel(AddModel(""));
  ASSERT_TRUE(issue.has_value());
  EXPECT_EQ(issue->op_type, "Add");
  EXPECT_EQ(issue->node_name, "");
}

TEST_F(ModelTest, DeclaredTypeConflictFailsShapeInference) {
  onnx::ModelProto model = ReluModel();
  model.mutable_graph()->mutable_output(0)->mutable_type()->mutable_tensor_type()->set_elem_type(
      onnx::TensorProto::INT32);
  std::optional<ValidationIssue> issue = ValidateModel(model);
  ASSERT_TRUE(issue.has_value());
  EXPECT_EQ(issue->check, "shape_inference");
  EXPECT_EQ(issue->node_name, "relu1");
  EXPECT_EQ(issue->op_type, "Relu");
}

TEST_F(ModelTest, Summarize) {
  onnx::ModelProto model = EmptyModel();
  auto* ms_opset = model.add_opset_import();
  ms_opset->set_domain("com.microsoft");
  ms_opset->set_version(1);
  onnx::GraphProto* graph = model.mutable_graph();
  // x[N,3] -> MatMul(w) -> Add(b) -> Relu -> If(then: Relu, else: Identity) -> y
  SetValueInfo(graph->add_input(), "x", {0, 3});
  graph->mutable_input(0)
      ->mutable_type()
      ->mutable_tensor_type()
      ->mutable_shape()
      ->mutable_dim(0)
      ->set_dim_param("N");
  SetValueInfo(graph->add_input(), "w", {3, 4});  // Listed as input too, as IR < 4 required.
  SetValueInfo(graph->add_input(), "cond", {}, onnx::TensorProto::BOOL);
  auto* unshaped = graph->add_input();
  unshaped->set_name("unshaped");
  unshaped->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::INT64);
  *graph->add_initializer() = TensorToProto(Tensor(DataType::kFloat32, {3, 4}), "w");
  *graph->add_initializer() = TensorToProto(Tensor(DataType::kFloat32, {4}), "b");
  AddNode(graph, "MatMul", "mm", {"x", "w"}, {"h"});
  AddNode(graph, "Add", "add", {"h", "b"}, {"h2"});
  AddNode(graph, "Relu", "relu", {"h2"}, {"h3"});
  onnx::NodeProto* if_node = AddNode(graph, "If", "if", {"cond"}, {"y"});
  auto* then_branch = if_node->add_attribute();
  then_branch->set_name("then_branch");
  then_branch->set_type(onnx::AttributeProto::GRAPH);
  AddNode(then_branch->mutable_g(), "Relu", "then_relu", {"h3"}, {"t"});
  auto* else_branch = if_node->add_attribute();
  else_branch->set_name("else_branch");
  else_branch->set_type(onnx::AttributeProto::GRAPH);
  AddNode(else_branch->mutable_g(), "Identity", "else_id", {"h3"}, {"e"});
  onnx::NodeProto* custom = AddNode(graph, "FusedGemm", "fg", {"x"}, {"z"});
  custom->set_domain("com.microsoft");
  SetValueInfo(graph->add_output(), "y", {0, 4});
  graph->mutable_output(0)
      ->mutable_type()
      ->mutable_tensor_type()
      ->mutable_shape()
      ->mutable_dim(0)
      ->clear_dim_value();

  const GraphSummary summary = Summarize(model);
  EXPECT_EQ(summary.opset, 13);
  EXPECT_EQ(summary.ir_version, 8);
  EXPECT_EQ(summary.producer, "convcheck-test 0.1");
  EXPECT_EQ(summary.num_nodes, 5);
  EXPECT_EQ(summary.op_counts, (std::map<std::string, int64_t>{{"Add", 1},
                                                               {"Identity", 1},
                                                               {"If", 1},
                                                               {"MatMul", 1},
                                                               {"Relu", 2},
                                                               {"com.microsoft:FusedGemm", 1}}));
  ASSERT_EQ(summary.inputs.size(), 3u);
  EXPECT_EQ(summary.inputs[0].name, "x");
  EXPECT_EQ(summary.inputs[0].dtype, DataType::kFloat32);
  EXPECT_EQ(summary.inputs[0].dims, (std::vector<int64_t>{-1, 3}));
  EXPECT_TRUE(summary.inputs[0].rank_known);
  EXPECT_EQ(summary.inputs[1].name, "cond");
  EXPECT_EQ(summary.inputs[1].dtype, DataType::kBool);
  EXPECT_TRUE(summary.inputs[1].dims.empty());
  EXPECT_TRUE(summary.inputs[1].rank_known);
  EXPECT_EQ(summary.inputs[2].name, "unshaped");
  EXPECT_EQ(summary.inputs[2].dtype, DataType::kInt64);
  EXPECT_FALSE(summary.inputs[2].rank_known);
  ASSERT_EQ(summary.outputs.size(), 1u);
  EXPECT_EQ(summary.outputs[0].dims, (std::vector<int64_t>{-1, 4}));

  onnx::ModelProto ai_onnx = ReluModel();
  ai_onnx.mutable_opset_import(0)->set_domain("ai.onnx");
  ai_onnx.mutable_opset_import(0)->set_version(17);
  EXPECT_EQ(Summarize(ai_onnx).opset, 17);
}

}  // namespace
}  // namespace convcheck::onnxio

namespace convcheck::onnxio {
namespace {

// Models over 2 GiB keep their weights in files next to the .onnx (torch.onnx does this for
// regnet_y_128gf): the checker and the interpreter must read them from there.
TEST(ExternalDataTest, ValidatesAndLoadsWeightsFromTheModelsFolder) {
  const std::string dir = std::string(CONVCHECK_TEST_DATA_DIR) + "/cases/external_data";
  StatusOr<onnx::ModelProto> model = LoadModel(dir + "/model.onnx");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  ASSERT_TRUE(HasExternalData(*model));
  EXPECT_FALSE(ValidateModel(*model, dir + "/model.onnx").has_value());
  ASSERT_TRUE(LoadExternalData(dir, &*model).ok());
  EXPECT_FALSE(HasExternalData(*model));
  StatusOr<Tensor> w = TensorFromProto(model->graph().initializer(0));
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->num_elements(), 12);
  EXPECT_FLOAT_EQ(static_cast<float>(w->GetAsDouble(11)), 1.1f);
}

TEST(ExternalDataTest, RefusesLocationsOutsideTheFolderAndMissingFiles) {
  onnx::ModelProto model;
  onnx::TensorProto* t = model.mutable_graph()->add_initializer();
  t->set_name("w");
  t->set_data_type(onnx::TensorProto::FLOAT);
  t->set_data_location(onnx::TensorProto::EXTERNAL);
  auto* entry = t->add_external_data();
  entry->set_key("location");
  entry->set_value("../../etc/passwd");
  Status outside = LoadExternalData("/tmp", &model);
  EXPECT_EQ(outside.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(outside.message().find("tensor 'w'"), std::string::npos);
  entry->set_value("no_such_weights.bin");
  EXPECT_EQ(LoadExternalData("/tmp", &model).code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace convcheck::onnxio
