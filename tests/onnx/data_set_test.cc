#include "onnx/data_set.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "onnx/model.h"
#include "onnx/tensor_proto.h"

namespace convcheck::onnxio {
namespace {

namespace fs = std::filesystem;

class DataSetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "convcheck_data_set_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

TEST_F(DataSetTest, WriteReadRoundTripWithNamesAndNumericOrder) {
  // Written out of order, and with indices whose string order differs from numeric order.
  for (int index : {10, 2, 0}) {
    DataSet set;
    for (int k = 0; k < 12; ++k) {
      set.inputs.push_back(Tensor::FromVector<int32_t>({1}, {index * 100 + k}));
      set.input_names.push_back("in" + std::to_string(k));
    }
    set.outputs.push_back(Tensor::FromVector<std::string>({1}, {"out" + std::to_string(index)}));
    set.output_names.push_back("y");
    ASSERT_TRUE(WriteDataSet(dir_.string(), index, set).ok());
  }
  StatusOr<std::vector<DataSet>> sets = ReadDataSets(dir_.string());
  ASSERT_TRUE(sets.ok()) << sets.status().ToString();
  ASSERT_EQ(sets->size(), 3u);
  const int expected_index[] = {0, 2, 10};
  for (size_t i = 0; i < 3; ++i) {
    const DataSet& set = (*sets)[i];
    ASSERT_EQ(set.inputs.size(), 12u);
    ASSERT_EQ(set.input_names.size(), 12u);
    for (int k = 0; k < 12; ++k) {
      // input_10.pb comes after input_9.pb, not after input_1.pb.
      EXPECT_EQ(set.inputs[k].Data<int32_t>()[0], expected_index[i] * 100 + k);
      EXPECT_EQ(set.input_names[k], "in" + std::to_string(k));
    }
    ASSERT_EQ(set.outputs.size(), 1u);
    EXPECT_EQ(set.outputs[0].strings()[0], "out" + std::to_string(expected_index[i]));
    EXPECT_EQ(set.output_names, (std::vector<std::string>{"y"}));
  }
}

TEST_F(DataSetTest, OutputsMayBeAbsentAndStaleFilesAreRemoved) {
  DataSet big;
  big.inputs = {Tensor(DataType::kFloat32, {2}), Tensor(DataType::kFloat32, {3})};
  big.outputs = {Tensor(DataType::kFloat32, {1})};
  ASSERT_TRUE(WriteDataSet(dir_.string(), 0, big).ok());
  DataSet small;
  small.inputs = {Tensor(DataType::kInt64, {1})};
  ASSERT_TRUE(WriteDataSet(dir_.string(), 0, small).ok());

  StatusOr<std::vector<DataSet>> sets = ReadDataSets(dir_.string());
  ASSERT_TRUE(sets.ok()) << sets.status().ToString();
  ASSERT_EQ(sets->size(), 1u);
  ASSERT_EQ((*sets)[0].inputs.size(), 1u);
  EXPECT_EQ((*sets)[0].inputs[0].dtype(), DataType::kInt64);
  EXPECT_EQ((*sets)[0].input_names, (std::vector<std::string>{""}));
  EXPECT_TRUE((*sets)[0].outputs.empty());
}

TEST_F(DataSetTest, Errors) {
  StatusOr<std::vector<DataSet>> sets = ReadDataSets((dir_ / "nope").string());
  ASSERT_FALSE(sets.ok());
  EXPECT_EQ(sets.status().code(), StatusCode::kNotFound);

  fs::create_directories(dir_ / "test_data_set_x");
  fs::create_directories(dir_ / "not_a_set_1");
  sets = ReadDataSets(dir_.string());
  ASSERT_FALSE(sets.ok());
  EXPECT_EQ(sets.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(sets.status().message(),
            "case directory '" + dir_.string() + "': no test_data_set_N directories");

  DataSet set;
  set.inputs = {Tensor(DataType::kFloat32, {1})};
  set.input_names = {"a", "b"};
  Status status = WriteDataSet(dir_.string(), 0, set);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("1 inputs but 2 input names"), std::string::npos);

  // A gap in the numbering is reported with the file that is missing.
  fs::create_directories(dir_ / "test_data_set_0");
  ASSERT_TRUE(
      WriteTensorPb((dir_ / "test_data_set_0" / "input_1.pb").string(), set.inputs[0], "a").ok());
  sets = ReadDataSets(dir_.string());
  ASSERT_FALSE(sets.ok());
  EXPECT_NE(sets.status().message().find("input_0.pb is missing"), std::string::npos)
      << sets.status().message();

  std::ofstream((dir_ / "test_data_set_0" / "input_0.pb").string()) << "\xff\xff garbage";
  sets = ReadDataSets(dir_.string());
  ASSERT_FALSE(sets.ok());
  EXPECT_NE(sets.status().message().find("input_0.pb': not a valid TensorProto"), std::string::npos)
      << sets.status().message();
}

TEST_F(DataSetTest, SequenceValuesAreUnimplemented) {
  // The ONNX tests store a sequence input as a SequenceProto in input_0.pb; only the model says
  // so.
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(13);
  onnx::GraphProto* graph = model.mutable_graph();
  onnx::NodeProto* node = graph->add_node();
  node->set_op_type("Identity");
  node->add_input("s");
  node->add_output("t");
  for (auto* value : {graph->add_input(), graph->add_output()}) {
    value->set_name(value == &graph->input(0) ? "s" : "t");
    value->mutable_type()
        ->mutable_sequence_type()
        ->mutable_elem_type()
        ->mutable_tensor_type()
        ->set_elem_type(onnx::TensorProto::FLOAT);
  }
  ASSERT_TRUE(SaveModel(model, (dir_ / "model.onnx").string()).ok());
  fs::create_directories(dir_ / "test_data_set_0");
  const std::string input = (dir_ / "test_data_set_0" / "input_0.pb").string();
  std::ofstream(input, std::ios::binary) << "\xff\xff not a tensor";

  StatusOr<std::vector<DataSet>> sets = ReadDataSets(dir_.string());
  ASSERT_FALSE(sets.ok());
  EXPECT_EQ(sets.status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(sets.status().message(),
            "tensor file '" + input +
                "': the model's input 0 is of type sequence, only tensor data is supported");
}

TEST(OnnxBackendDataTest, ReadsTestAbs) {
  const std::string case_dir = "/usr/share/libonnx-testdata/data/node/test_abs";
  if (!fs::exists(case_dir)) GTEST_SKIP() << case_dir << " is not installed";

  StatusOr<onnx::ModelProto> model = LoadModel(case_dir + "/model.onnx");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  std::optional<ValidationIssue> issue = ValidateModel(*model);
  EXPECT_FALSE(issue.has_value()) << issue->message;
  GraphSummary summary = Summarize(*model);
  ASSERT_EQ(summary.inputs.size(), 1u);
  EXPECT_EQ(summary.inputs[0].name, "x");
  EXPECT_EQ(summary.inputs[0].dims, (std::vector<int64_t>{3, 4, 5}));
  EXPECT_EQ(summary.op_counts, (std::map<std::string, int64_t>{{"Abs", 1}}));

  StatusOr<std::vector<DataSet>> sets = ReadDataSets(case_dir);
  ASSERT_TRUE(sets.ok()) << sets.status().ToString();
  ASSERT_GE(sets->size(), 1u);
  const DataSet& set = (*sets)[0];
  ASSERT_EQ(set.inputs.size(), 1u);
  ASSERT_EQ(set.outputs.size(), 1u);
  EXPECT_EQ(set.input_names[0], "x");
  EXPECT_EQ(set.output_names[0], "y");
  EXPECT_EQ(set.inputs[0].dtype(), DataType::kFloat32);
  EXPECT_EQ(set.inputs[0].shape(), (Shape{3, 4, 5}));
  for (int64_t i = 0; i < set.inputs[0].num_elements(); ++i) {
    EXPECT_EQ(std::abs(set.inputs[0].Data<float>()[i]), set.outputs[0].Data<float>()[i]);
  }
}

}  // namespace
}  // namespace convcheck::onnxio
