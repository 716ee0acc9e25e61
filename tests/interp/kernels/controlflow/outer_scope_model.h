//===- tests/interp/kernels/controlflow/outer_scope_model.h - Models with extra graph inputs ===//
//
// KernelTester wires every graph input to the node under test. Control-flow tests also need
// graph inputs that only a subgraph reads (outer-scope values), so this helper builds a one-node
// model with extra graph inputs and runs it through the real interpreter.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_TESTS_INTERP_KERNELS_CONTROLFLOW_OUTER_SCOPE_MODEL_H_
#define CONVCHECK_TESTS_INTERP_KERNELS_CONTROLFLOW_OUTER_SCOPE_MODEL_H_

#include <onnx/onnx_pb.h>

#include <string>
#include <utility>
#include <vector>

#include "interp/executor.h"
#include "testing/kernel_tester.h"

namespace convcheck::interp::testing_outer {

/// Runs `node` (opset `opset`) in a graph whose inputs are `inputs` (name, value) and whose
/// outputs are the node's outputs.
inline StatusOr<std::vector<Value>> RunNode(const onnx::NodeProto& node, int opset,
                                            const std::vector<std::pair<std::string, Value>>& inputs) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  auto* op = model.add_opset_import();
  op->set_domain("");
  op->set_version(opset);
  onnx::GraphProto* graph = model.mutable_graph();
  graph->set_name("outer");
  std::vector<Value> values;
  for (const auto& [name, value] : inputs) {
    auto* vi = graph->add_input();
    vi->set_name(name);
    values.push_back(value);
  }
  for (const auto& out : node.output()) graph->add_output()->set_name(out);
  *graph->add_node() = node;
  CC_ASSIGN_OR_RETURN(std::unique_ptr<Interpreter> interp, Interpreter::Create(model));
  return interp->Run(values);
}

inline onnx::NodeProto WithGraphAttr(onnx::NodeProto node, const std::string& name,
                                     const onnx::GraphProto& graph) {
  onnx::AttributeProto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::GRAPH);
  *a->mutable_g() = graph;
  return node;
}

inline Value FloatValue(Shape shape, std::vector<float> values) {
  return Value::FromTensor(Tensor::FromVector<float>(std::move(shape), values));
}

}  // namespace convcheck::interp::testing_outer

#endif  // CONVCHECK_TESTS_INTERP_KERNELS_CONTROLFLOW_OUTER_SCOPE_MODEL_H_
