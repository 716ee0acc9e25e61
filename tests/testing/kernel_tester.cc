#include "testing/kernel_tester.h"

#include <gtest/gtest.h>

#include <cmath>

#include "interp/executor.h"
#include "onnx/tensor_proto.h"

namespace convcheck::testing {

using interp::Value;

KernelTester::KernelTester(std::string op_type, int opset, std::string domain)
    : op_type_(std::move(op_type)), domain_(std::move(domain)), opset_(opset) {
  node_.set_op_type(op_type_);
  node_.set_domain(domain_);
  node_.set_name("node_under_test");
}

namespace {
onnx::AttributeProto* NewAttr(onnx::NodeProto* node, const std::string& name,
                              onnx::AttributeProto::AttributeType type) {
  onnx::AttributeProto* a = node->add_attribute();
  a->set_name(name);
  a->set_type(type);
  return a;
}

void SetValueType(const Value& v, onnx::TypeProto* type) {
  if (v.is_tensor()) {
    type->mutable_tensor_type()->set_elem_type(static_cast<int>(v.tensor().dtype()));
  } else if (v.is_sequence()) {
    type->mutable_sequence_type()->mutable_elem_type()->mutable_tensor_type()->set_elem_type(
        static_cast<int>(v.sequence_elem_type()));
  } else if (v.has_element()) {
    SetValueType(v.element(), type->mutable_optional_type()->mutable_elem_type());
  } else {
    type->mutable_optional_type()->mutable_elem_type()->mutable_tensor_type()->set_elem_type(1);
  }
}

bool Close(double actual, double expected, double atol, double rtol) {
  if (std::isnan(expected)) return std::isnan(actual);
  if (std::isinf(expected)) return actual == expected;
  return std::fabs(actual - expected) <= atol + rtol * std::fabs(expected);
}

void ExpectTensorsMatch(const Tensor& actual, const Tensor& expected, double atol, double rtol,
                        const std::string& what) {
  ASSERT_EQ(actual.dtype(), expected.dtype()) << what << ": dtype " << DataTypeName(actual.dtype())
                                              << ", expected " << DataTypeName(expected.dtype());
  ASSERT_EQ(actual.shape(), expected.shape()) << what << ": shape " << ShapeToString(actual.shape())
                                              << ", expected " << ShapeToString(expected.shape());
  if (expected.dtype() == DataType::kString) {
    EXPECT_EQ(actual.strings(), expected.strings()) << what;
    return;
  }
  const bool exact = !IsFloatingPoint(expected.dtype());
  int reported = 0;
  for (int64_t i = 0; i < expected.num_elements(); ++i) {
    double a = actual.GetAsDouble(i), e = expected.GetAsDouble(i);
    // Exact types compare exactly, but a NaN of float8 (decoded exactly) still matches NaN.
    bool ok = exact ? (a == e || (std::isnan(a) && std::isnan(e))) : Close(a, e, atol, rtol);
    if (!ok && reported++ < 5) {
      ADD_FAILURE() << what << ": element " << i << " is " << a << ", expected " << e
                    << "\n  actual:   " << actual.DebugString(16)
                    << "\n  expected: " << expected.DebugString(16);
    }
  }
}

void ExpectValuesMatch(const Value& actual, const Value& expected, double atol, double rtol,
                       const std::string& what) {
  ASSERT_EQ(actual.kind(), expected.kind())
      << what << ": " << actual.Describe() << ", expected " << expected.Describe();
  if (expected.is_tensor()) {
    ExpectTensorsMatch(actual.tensor(), expected.tensor(), atol, rtol, what);
  } else if (expected.is_sequence()) {
    ASSERT_EQ(actual.sequence().size(), expected.sequence().size()) << what;
    for (size_t i = 0; i < expected.sequence().size(); ++i) {
      ExpectTensorsMatch(actual.sequence()[i], expected.sequence()[i], atol, rtol,
                         what + "[" + std::to_string(i) + "]");
    }
  } else {
    ASSERT_EQ(actual.has_element(), expected.has_element()) << what;
    if (expected.has_element()) {
      ExpectValuesMatch(actual.element(), expected.element(), atol, rtol, what);
    }
  }
}
}  // namespace

KernelTester& KernelTester::Attr(const std::string& name, int64_t value) {
  NewAttr(&node_, name, onnx::AttributeProto::INT)->set_i(value);
  return *this;
}
KernelTester& KernelTester::Attr(const std::string& name, float value) {
  NewAttr(&node_, name, onnx::AttributeProto::FLOAT)->set_f(value);
  return *this;
}
KernelTester& KernelTester::Attr(const std::string& name, const std::string& value) {
  NewAttr(&node_, name, onnx::AttributeProto::STRING)->set_s(value);
  return *this;
}
KernelTester& KernelTester::Attr(const std::string& name, const std::vector<int64_t>& values) {
  auto* a = NewAttr(&node_, name, onnx::AttributeProto::INTS);
  for (int64_t v : values) a->add_ints(v);
  return *this;
}
KernelTester& KernelTester::Attr(const std::string& name, const std::vector<float>& values) {
  auto* a = NewAttr(&node_, name, onnx::AttributeProto::FLOATS);
  for (float v : values) a->add_floats(v);
  return *this;
}
KernelTester& KernelTester::Attr(const std::string& name, const std::vector<std::string>& values) {
  auto* a = NewAttr(&node_, name, onnx::AttributeProto::STRINGS);
  for (const auto& v : values) a->add_strings(v);
  return *this;
}
KernelTester& KernelTester::Attr(const std::string& name, const Tensor& value) {
  *NewAttr(&node_, name, onnx::AttributeProto::TENSOR)->mutable_t() =
      onnxio::TensorToProto(value, name);
  return *this;
}
KernelTester& KernelTester::Attr(const std::string& name, const onnx::GraphProto& graph) {
  *NewAttr(&node_, name, onnx::AttributeProto::GRAPH)->mutable_g() = graph;
  return *this;
}

KernelTester& KernelTester::Input(Tensor tensor) {
  return Input(Value::FromTensor(std::move(tensor)));
}
KernelTester& KernelTester::Input(Value value) {
  inputs_.emplace_back(std::move(value));
  initializer_.push_back(false);
  return *this;
}
KernelTester& KernelTester::AbsentInput() {
  inputs_.emplace_back(std::nullopt);
  initializer_.push_back(false);
  return *this;
}
KernelTester& KernelTester::AsInitializer() {
  initializer_.back() = true;
  return *this;
}

KernelTester& KernelTester::ExpectOutput(Tensor tensor) {
  return ExpectOutput(Value::FromTensor(std::move(tensor)));
}
KernelTester& KernelTester::ExpectOutput(Value value) {
  outputs_.push_back({Expected::Kind::kCheck, std::move(value)});
  return *this;
}
KernelTester& KernelTester::IgnoreOutput() {
  outputs_.push_back({Expected::Kind::kIgnore, Value()});
  return *this;
}
KernelTester& KernelTester::AbsentOutput() {
  outputs_.push_back({Expected::Kind::kAbsent, Value()});
  return *this;
}
KernelTester& KernelTester::Tolerance(double atol, double rtol) {
  atol_ = atol;
  rtol_ = rtol;
  return *this;
}
KernelTester& KernelTester::FastKernels(bool fast) {
  fast_kernels_ = fast;
  return *this;
}

KernelTester& KernelTester::Threads(int threads) {
  threads_ = threads;
  return *this;
}

KernelTester& KernelTester::Precise(bool precise) {
  precise_ = precise;
  return *this;
}

onnx::ModelProto KernelTester::BuildModel() const {
  onnx::ModelProto model;
  model.set_ir_version(8);
  auto* op = model.add_opset_import();
  op->set_domain(domain_);
  op->set_version(opset_);
  if (!domain_.empty()) {
    auto* def = model.add_opset_import();
    def->set_domain("");
    def->set_version(17);
  }
  onnx::GraphProto* graph = model.mutable_graph();
  graph->set_name("kernel_test");
  onnx::NodeProto node = node_;
  for (size_t i = 0; i < inputs_.size(); ++i) {
    if (!inputs_[i]) {
      node.add_input("");
      continue;
    }
    std::string name = "in_" + std::to_string(i);
    node.add_input(name);
    if (initializer_[i]) {
      *graph->add_initializer() = onnxio::TensorToProto(inputs_[i]->tensor(), name);
    } else {
      auto* vi = graph->add_input();
      vi->set_name(name);
      SetValueType(*inputs_[i], vi->mutable_type());
    }
  }
  // A test that declares no outputs (an error test) still gets the node's first output.
  std::vector<Expected> outputs = outputs_;
  if (outputs.empty()) outputs.push_back({Expected::Kind::kIgnore, Value()});
  for (size_t k = 0; k < outputs.size(); ++k) {
    if (outputs[k].kind == Expected::Kind::kAbsent) {
      node.add_output("");
      continue;
    }
    std::string name = "out_" + std::to_string(k);
    node.add_output(name);
    auto* vi = graph->add_output();
    vi->set_name(name);
    if (outputs[k].kind == Expected::Kind::kCheck)
      SetValueType(outputs[k].value, vi->mutable_type());
  }
  *graph->add_node() = node;
  return model;
}

StatusOr<std::vector<Value>> KernelTester::Outputs() {
  onnx::ModelProto model = BuildModel();
  interp::InterpreterOptions options;
  options.precise = precise_;
  options.fast_kernels = fast_kernels_;
  options.threads = threads_;
  CC_ASSIGN_OR_RETURN(std::unique_ptr<interp::Interpreter> interp,
                      interp::Interpreter::Create(model, options));
  std::vector<Value> inputs;
  for (size_t i = 0; i < inputs_.size(); ++i) {
    if (inputs_[i] && !initializer_[i]) inputs.push_back(*inputs_[i]);
  }
  return interp->Run(inputs);
}

void KernelTester::Run() {
  StatusOr<std::vector<Value>> outputs = Outputs();
  ASSERT_TRUE(outputs.ok()) << op_type_ << ": " << outputs.status().ToString();
  size_t produced = 0;
  for (size_t k = 0; k < outputs_.size(); ++k) {
    if (outputs_[k].kind == Expected::Kind::kAbsent) continue;
    ASSERT_LT(produced, outputs->size());
    if (outputs_[k].kind == Expected::Kind::kCheck) {
      ExpectValuesMatch((*outputs)[produced], outputs_[k].value, atol_, rtol_,
                        op_type_ + " output " + std::to_string(k));
    }
    ++produced;
  }
}

void KernelTester::ExpectError(StatusCode code, const std::string& fragment) {
  StatusOr<std::vector<Value>> outputs = Outputs();
  ASSERT_FALSE(outputs.ok()) << op_type_ << ": expected an error containing '" << fragment << "'";
  EXPECT_EQ(outputs.status().code(), code) << outputs.status().ToString();
  EXPECT_NE(outputs.status().message().find(fragment), std::string::npos)
      << "message: " << outputs.status().message() << "\nexpected to contain: " << fragment;
}

onnx::NodeProto MakeNode(const std::string& op_type, const std::vector<std::string>& inputs,
                         const std::vector<std::string>& outputs) {
  onnx::NodeProto node;
  node.set_op_type(op_type);
  for (const auto& in : inputs) node.add_input(in);
  for (const auto& out : outputs) node.add_output(out);
  return node;
}

onnx::GraphProto MakeGraph(const std::string& name, const std::vector<onnx::NodeProto>& nodes,
                           const std::vector<std::pair<std::string, DataType>>& inputs,
                           const std::vector<std::pair<std::string, DataType>>& outputs) {
  onnx::GraphProto graph;
  graph.set_name(name);
  for (const auto& node : nodes) *graph.add_node() = node;
  for (const auto& [n, t] : inputs) {
    auto* vi = graph.add_input();
    vi->set_name(n);
    vi->mutable_type()->mutable_tensor_type()->set_elem_type(static_cast<int>(t));
  }
  for (const auto& [n, t] : outputs) {
    auto* vi = graph.add_output();
    vi->set_name(n);
    vi->mutable_type()->mutable_tensor_type()->set_elem_type(static_cast<int>(t));
  }
  return graph;
}

}  // namespace convcheck::testing
