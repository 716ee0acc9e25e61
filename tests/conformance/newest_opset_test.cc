// A model written by our own code at IR version 10 and the newest opset both onnx 1.23 defines
// and ONNX Runtime 1.30 runs (kMaxOpset = 26), chaining operators of opsets 18 to 26
// (RMSNormalization-23, Gelu-20, Attention-24, RotaryEmbedding-23, GroupNormalization-21,
// Pad-19 wrap, CumProd-26): the reference interpreter and ONNX Runtime must agree.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "interp/registry.h"
#include "onnx/model.h"
#include "onnx/tensor_proto.h"
#include "oracle/compare.h"
#include "oracle/tolerance.h"
#include "workers/session.h"

namespace convcheck {
namespace {

namespace fs = std::filesystem;

onnx::NodeProto* AddNode(onnx::GraphProto* g, const std::string& op,
                         const std::vector<std::string>& in, const std::vector<std::string>& out) {
  onnx::NodeProto* n = g->add_node();
  n->set_op_type(op);
  for (const auto& s : in) n->add_input(s);
  for (const auto& s : out) n->add_output(s);
  return n;
}

void IntAttr(onnx::NodeProto* n, const std::string& name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

void StringAttr(onnx::NodeProto* n, const std::string& name, const std::string& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}

// Deterministic, varied values in [-1, 1).
Tensor Wave(Shape shape, double phase) {
  Tensor t(DataType::kFloat32, shape);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.SetFromDouble(i, std::sin(0.7 * i + phase));
  return t;
}

onnx::ModelProto NewestOpsetModel() {
  onnx::ModelProto model;
  model.set_ir_version(10);
  model.set_producer_name("convcheck-test");
  auto* import = model.add_opset_import();
  import->set_domain("");
  import->set_version(interp::kMaxOpset);
  onnx::GraphProto* g = model.mutable_graph();
  g->set_name("newest_opset");
  auto* in = g->add_input();
  in->set_name("x");
  in->mutable_type()->mutable_tensor_type()->set_elem_type(1);
  for (int64_t d : {1, 2, 3, 4}) {
    in->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
  }
  auto init = [&](const Tensor& t, const std::string& name) {
    *g->add_initializer() = onnxio::TensorToProto(t, name);
  };
  init(Wave({4}, 1.0), "rms_scale");
  init(Wave({3, 2}, 2.0), "cos");
  init(Wave({3, 2}, 3.0), "sin");
  init(Tensor::FromVector<int64_t>({1, 3}, {2, 0, 1}), "positions");
  init(Wave({2}, 4.0), "gn_scale");
  init(Wave({2}, 5.0), "gn_bias");
  init(Tensor::FromVector<int64_t>({2}, {1, 2}), "pads");
  init(Tensor::FromVector<int64_t>({1}, {3}), "pad_axes");
  init(Tensor::Scalar<int64_t>(3), "cum_axis");

  AddNode(g, "RMSNormalization", {"x", "rms_scale"}, {"rms"});
  AddNode(g, "Gelu", {"rms"}, {"gelu"});
  onnx::NodeProto* att = AddNode(g, "Attention", {"gelu", "x", "gelu"}, {"att"});
  IntAttr(att, "is_causal", 1);
  AddNode(g, "RotaryEmbedding", {"att", "cos", "sin", "positions"}, {"rope"});
  onnx::NodeProto* gn = AddNode(g, "GroupNormalization", {"rope", "gn_scale", "gn_bias"}, {"gn"});
  IntAttr(gn, "num_groups", 1);
  onnx::NodeProto* pad = AddNode(g, "Pad", {"gn", "pads", "", "pad_axes"}, {"pad"});
  StringAttr(pad, "mode", "wrap");
  AddNode(g, "CumProd", {"pad", "cum_axis"}, {"y"});
  auto* out = g->add_output();
  out->set_name("y");
  out->mutable_type()->mutable_tensor_type()->set_elem_type(1);
  return model;
}

TEST(NewestOpsetTest, ReferenceAndOnnxRuntimeAgreeOnAnIr10Model) {
  const fs::path dir = fs::temp_directory_path() / ("convcheck_newest_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "model.onnx").string();
  ASSERT_TRUE(onnxio::SaveModel(NewestOpsetModel(), path).ok());

  StatusOr<std::unique_ptr<workers::Session>> session =
      workers::Session::Create(workers::SessionOptions{});
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  const std::vector<std::vector<Tensor>> inputs = {{Wave({1, 2, 3, 4}, 0.0)}};
  std::vector<std::vector<Tensor>> outputs[2];
  const char* names[2] = {"ref", "ort"};
  for (int b = 0; b < 2; ++b) {
    StatusOr<std::unique_ptr<backends::Backend>> backend =
        backends::MakeBackend(names[b], **session, backends::BackendOptions{});
    ASSERT_TRUE(backend.ok()) << backend.status().ToString();
    StatusOr<backends::BackendRun> run = (*backend)->Run(path, inputs, 120);
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    ASSERT_EQ(run->failure, oracle::Verdict::kPass) << names[b] << ": " << run->message;
    outputs[b] = run->outputs;
  }
  // Pad wraps 1 + 2 columns onto the last axis: [1, 2, 3, 7].
  ASSERT_EQ(outputs[0][0][0].shape(), (Shape{1, 2, 3, 7}));
  double largest = 0;
  for (int64_t i = 0; i < outputs[0][0][0].num_elements(); ++i) {
    largest = std::max(largest, std::fabs(outputs[0][0][0].GetAsDouble(i)));
  }
  EXPECT_GT(largest, 1e-3);  // Not a degenerate all-zero result.
  const oracle::Comparison c =
      oracle::CompareOutputs(outputs[0], outputs[1], *oracle::ToleranceProfile("onnx-backend"));
  EXPECT_TRUE(c.pass()) << c.Summary();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace convcheck
