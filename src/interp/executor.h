//===- interp/executor.h - The reference interpreter's executor -----------===//
//
// Runs an ONNX model node by node in graph order (the checker guarantees a topological order;
// the executor re-sorts when a graph does not have one). Each intermediate value is released
// after its last use, including uses inside subgraphs, so peak memory follows the live set
// rather than the whole graph. An observer can capture every node's outputs (localization,
// --dump-intermediates).
//
// Float64 mode (`precise`): float16, bfloat16 and float32 inputs, initializers and constants are
// computed in float64 and the graph outputs are rounded back to their declared types: an
// estimate of the exact result, against which float32 engines can be judged.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_INTERP_EXECUTOR_H_
#define CONVCHECK_INTERP_EXECUTOR_H_

#include <onnx/onnx_pb.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "interp/kernel.h"
#include "interp/value.h"

namespace convcheck::interp {

struct InterpreterOptions {
  bool precise = false;
};

/// Called after each node of the main graph ran: its outputs, in node output order.
using NodeObserver = std::function<void(const onnx::NodeProto& node, const std::vector<Value>&)>;

/// The values visible while a graph runs: its own, then its enclosing graphs'.
class Scope {
 public:
  /// `constants` (initializers) are searched after the scope's own values, before `parent`.
  explicit Scope(const Scope* parent,
                 const std::unordered_map<std::string, Value>* constants = nullptr)
      : parent_(parent), constants_(constants) {}
  const Value* Find(const std::string& name) const;
  void Set(const std::string& name, Value value) { values_[name] = std::move(value); }
  void Erase(const std::string& name) { values_.erase(name); }

 private:
  const Scope* parent_;
  const std::unordered_map<std::string, Value>* constants_;
  std::unordered_map<std::string, Value> values_;
};

/// Runs one graph (the main graph or a subgraph), with kernels made once per node.
class GraphRunner {
 public:
  /// Fails with the node and the reason when a node has no kernel.
  static StatusOr<std::unique_ptr<GraphRunner>> Create(const onnx::GraphProto& graph,
                                                       const std::map<std::string, int>& opsets,
                                                       bool precise);
  /// Runs the graph with `inputs` bound to its formal inputs in order, inside `outer` (may be
  /// null). Initializers fill inputs that are not given.
  StatusOr<std::vector<Value>> Run(const std::vector<Value>& inputs, const Scope* outer,
                                   const NodeObserver* observer);
  /// Runs a subgraph of a node of this graph; runners for subgraphs are made once and cached.
  StatusOr<std::vector<Value>> RunSubgraph(const onnx::GraphProto& graph,
                                           const std::vector<Value>& inputs);

  const onnx::GraphProto& graph() const { return graph_; }

 private:
  GraphRunner(const onnx::GraphProto& graph, std::map<std::string, int> opsets, bool precise)
      : graph_(graph), opsets_(std::move(opsets)), precise_(precise) {}
  Status Init();

  const onnx::GraphProto& graph_;
  std::map<std::string, int> opsets_;
  bool precise_;
  std::vector<int> order_;                        // Node indices in execution order.
  std::vector<std::unique_ptr<Kernel>> kernels_;  // By node index.
  std::vector<int> node_opset_;                   // By node index.
  std::vector<std::vector<std::string>> release_after_;  // By position in order_.
  std::unordered_map<std::string, Value> initializers_;
  std::map<const onnx::GraphProto*, std::unique_ptr<GraphRunner>> subgraphs_;
  const Scope* current_scope_ = nullptr;  // While Run is active: for subgraphs' outer scope.
};

class Interpreter {
 public:
  /// Takes a copy of the model. Fails for an unsupported operator or an unreadable initializer.
  static StatusOr<std::unique_ptr<Interpreter>> Create(const onnx::ModelProto& model,
                                                       const InterpreterOptions& options = {});
  /// The same without the copy: for large models (a ViT's weights are 350 MB) the caller's
  /// model is moved in, so that it is not held twice.
  static StatusOr<std::unique_ptr<Interpreter>> Create(onnx::ModelProto&& model,
                                                       const InterpreterOptions& options = {});
  /// Graph inputs that are not initializers, in order; then the graph outputs.
  const std::vector<std::string>& input_names() const { return input_names_; }
  const std::vector<std::string>& output_names() const { return output_names_; }

  /// Runs with one value per input name, in order.
  StatusOr<std::vector<Value>> Run(const std::vector<Value>& inputs,
                                   const NodeObserver* observer = nullptr);

 private:
  Interpreter() = default;
  onnx::ModelProto model_;
  InterpreterOptions options_;
  std::unique_ptr<GraphRunner> runner_;
  std::vector<std::string> input_names_;
  std::vector<std::string> output_names_;
  std::vector<DataType> output_types_;  // Declared, for rounding back in precise mode.
};

/// Casts every element to `dtype` (numeric and bool; float16/bfloat16 rounded to nearest even).
Tensor CastTensor(const Tensor& tensor, DataType dtype);

}  // namespace convcheck::interp

#endif  // CONVCHECK_INTERP_EXECUTOR_H_
