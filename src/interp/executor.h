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
#include <unordered_set>
#include <vector>

#include "core/status.h"
#include "interp/kernel.h"
#include "interp/value.h"

namespace convcheck::interp {

struct InterpreterOptions {
  bool precise = false;
  /// Take the fast paths of kernels/fast/ where they apply (float32 Conv, MatMul, Gemm, ...);
  /// false runs the reference kernels only. See bench/README.md for what each path computes.
  bool fast_kernels = true;
  /// Threads the kernels may use (OpenBLAS's GEMM and the kernels that split their work); 1 runs
  /// everything on the calling thread. Results do not depend on it: work is split over output
  /// elements, never over a sum.
  int threads = 1;
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
  /// `decoded`: initializers already decoded (Interpreter::CreateFromFile), by name.
  static StatusOr<std::unique_ptr<GraphRunner>> Create(
      const onnx::GraphProto& graph, const std::map<std::string, int>& opsets, bool precise,
      std::unordered_map<std::string, Tensor> decoded = {});
  /// Runs the graph with `inputs` bound to its formal inputs in order, inside `outer` (may be
  /// null). Initializers fill inputs that are not given.
  StatusOr<std::vector<Value>> Run(const std::vector<Value>& inputs, const Scope* outer,
                                   const NodeObserver* observer);
  /// Runs a subgraph of a node of this graph; runners for subgraphs are made once and cached.
  StatusOr<std::vector<Value>> RunSubgraph(const onnx::GraphProto& graph,
                                           const std::vector<Value>& inputs);

  const onnx::GraphProto& graph() const { return graph_; }

  /// How kernels may run (InterpreterOptions); subgraph runners inherit it.
  void SetExecution(bool fast_kernels, fast::Parallel parallel) {
    fast_kernels_ = fast_kernels;
    parallel_ = parallel;
  }
  bool fast_kernels() const { return fast_kernels_; }
  fast::Parallel parallel() const { return parallel_; }
  /// Whether `value` is one of this graph's initializers.
  bool IsConstant(const Value* value) const { return constants_.count(value) > 0; }

 private:
  GraphRunner(const onnx::GraphProto& graph, std::map<std::string, int> opsets, bool precise)
      : graph_(graph), opsets_(std::move(opsets)), precise_(precise) {}
  Status Init();

  const onnx::GraphProto& graph_;
  std::map<std::string, int> opsets_;
  bool precise_;
  std::vector<int> order_;                               // Node indices in execution order.
  std::vector<std::unique_ptr<Kernel>> kernels_;         // By node index.
  std::vector<int> node_opset_;                          // By node index.
  std::vector<std::vector<std::string>> release_after_;  // By position in order_.
  std::unordered_map<std::string, Value> initializers_;
  std::map<const onnx::GraphProto*, std::unique_ptr<GraphRunner>> subgraphs_;
  const Scope* current_scope_ = nullptr;  // While Run is active: for subgraphs' outer scope.
  bool fast_kernels_ = false;
  fast::Parallel parallel_;
  std::unordered_set<const Value*> constants_;  // The values of initializers_.
};

/// A model read for the interpreter (Interpreter::LoadFile): the proto without the raw bytes of
/// its top-level initializers, which are already decoded into `decoded`, by name.
struct LoadedModel {
  onnx::ModelProto model;
  std::unordered_map<std::string, Tensor> decoded;
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
  /// Loads the model at `path` (and its external data) and creates the interpreter, copying the
  /// weights once, from the mapped file into the interpreter's tensors (onnx/mapped_model.h);
  /// the errors of LoadModelWithWeights, then of Create.
  static StatusOr<std::unique_ptr<Interpreter>> CreateFromFile(
      const std::string& path, const InterpreterOptions& options = {});
  /// CreateFromFile in two steps, for callers that look at the graph in between (input types):
  /// LoadFile maps the model and copies each weight once into a tensor; Create takes the result.
  static StatusOr<LoadedModel> LoadFile(const std::string& path);
  static StatusOr<std::unique_ptr<Interpreter>> Create(LoadedModel&& loaded,
                                                       const InterpreterOptions& options = {});
  /// Graph inputs that are not initializers, in order; then the graph outputs.
  const std::vector<std::string>& input_names() const { return input_names_; }
  const std::vector<std::string>& output_names() const { return output_names_; }

  /// Runs with one value per input name, in order.
  StatusOr<std::vector<Value>> Run(const std::vector<Value>& inputs,
                                   const NodeObserver* observer = nullptr);

 private:
  Interpreter() = default;
  static StatusOr<std::unique_ptr<Interpreter>> CreateWithDecoded(
      onnx::ModelProto&& model, const InterpreterOptions& options,
      std::unordered_map<std::string, Tensor> decoded);
  onnx::ModelProto model_;
  InterpreterOptions options_;
  std::shared_ptr<fast::ThreadPool> pool_;  // Null for one thread.
  std::unique_ptr<GraphRunner> runner_;
  std::vector<std::string> input_names_;
  std::vector<std::string> output_names_;
  std::vector<DataType> output_types_;  // Declared, for rounding back in precise mode.
};

/// Casts every element to `dtype` (numeric and bool; float16/bfloat16 rounded to nearest even).
Tensor CastTensor(const Tensor& tensor, DataType dtype);

}  // namespace convcheck::interp

#endif  // CONVCHECK_INTERP_EXECUTOR_H_
