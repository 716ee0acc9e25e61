//===- interp/kernel.h - The kernel interface and its context -------------===//
//
// One Kernel instance per graph node. For every execution of the node the executor calls
// Prepare, then Compute, with the same context:
//  - Prepare validates arity, attributes, dtypes and shapes, stores per-node geometry in the
//    kernel, and declares the outputs (SetOutput). Every check that depends on the model lives
//    here and returns a Status. Input values are available too, because ONNX shapes can depend
//    on them (Reshape's `shape`, Slice's `starts`), so Prepare runs per execution.
//  - Compute is const: it reads the geometry Prepare stored and fills the outputs. It returns
//    errors only for data-dependent problems (an out-of-range Gather index). An op whose output
//    shape depends on computed values (NonZero, Unique, Loop) sets whole outputs here instead.
//
// The executor prefixes every error with the node: "node 'conv_3' (Conv, opset 17): ...".
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_INTERP_KERNEL_H_
#define CONVCHECK_INTERP_KERNEL_H_

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "interp/kernels/fast/parallel.h"
#include "interp/value.h"

namespace convcheck::interp {

class GraphRunner;

class KernelContext {
 public:
  KernelContext(const onnx::NodeProto& node, int opset, const std::vector<const Value*>& inputs,
                GraphRunner* runner, bool precise);

  // --- The node.
  const onnx::NodeProto& node() const { return node_; }
  const std::string& op_type() const { return node_.op_type(); }
  /// The opset of the node's domain in the model.
  int opset() const { return opset_; }

  // --- Inputs, as written in the node: an optional input left out has an empty name.
  int num_inputs() const { return static_cast<int>(inputs_.size()); }
  /// Whether input `i` exists and is not an omitted optional input.
  bool has_input(int i) const { return i < num_inputs() && inputs_[i] != nullptr; }
  const Value& input_value(int i) const;  // CC_CHECKs has_input(i).
  /// The tensor of input `i`; CC_CHECKs that it is a tensor (check with RequireTensor first).
  const Tensor& input(int i) const;
  /// InvalidArgument unless input `i` exists and is a tensor.
  Status RequireTensor(int i) const;
  /// InvalidArgument unless the node has between min and max inputs and at most max_outputs.
  Status ExpectArity(int min_inputs, int max_inputs, int min_outputs, int max_outputs) const;

  // --- Attributes (absent attributes give the default).
  bool has_attr(std::string_view name) const { return attr(name) != nullptr; }
  const onnx::AttributeProto* attr(std::string_view name) const;
  int64_t attr_int(std::string_view name, int64_t default_value) const;
  float attr_float(std::string_view name, float default_value) const;
  std::string attr_string(std::string_view name, std::string default_value) const;
  std::vector<int64_t> attr_ints(std::string_view name,
                                 std::vector<int64_t> default_value = {}) const;
  std::vector<float> attr_floats(std::string_view name,
                                 std::vector<float> default_value = {}) const;
  std::vector<std::string> attr_strings(std::string_view name) const;
  /// A TENSOR attribute decoded; NotFound if absent.
  StatusOr<Tensor> attr_tensor(std::string_view name) const;
  /// A GRAPH attribute, or nullptr.
  const onnx::GraphProto* attr_graph(std::string_view name) const;

  // --- Outputs.
  int num_outputs() const { return node_.output_size(); }
  /// Whether output `i` is wanted (exists and has a name).
  bool has_output(int i) const { return i < num_outputs() && !node_.output(i).empty(); }
  /// Declares output `i` as a zero-filled tensor and returns it for Compute to fill.
  Tensor& SetOutput(int i, DataType dtype, Shape shape);
  /// The tensor declared by SetOutput.
  Tensor& output(int i);
  /// Sets a whole output value (sequences, optionals, data-dependent shapes).
  void SetOutputValue(int i, Value value);
  void SetOutputTensor(int i, Tensor tensor) {
    SetOutputValue(i, Value::FromTensor(std::move(tensor)));
  }
  std::vector<Value>& outputs() { return outputs_; }

  /// The graph the node belongs to (Gradient differentiates the nodes around it).
  const onnx::GraphProto& graph() const;

  // --- Subgraphs (If, Loop, Scan, SequenceMap): outer-scope names stay visible inside.
  StatusOr<std::vector<Value>> RunSubgraph(const onnx::GraphProto& graph,
                                           const std::vector<Value>& inputs);

  // --- Float64 mode: float16/bfloat16/float32 are computed as float64. Kernels that take a
  // dtype from an attribute (Cast, ConstantOfShape, EyeLike, Random*) map it through here.
  bool precise() const { return precise_; }
  DataType ComputeType(DataType declared) const;

  // --- Fast paths (kernels/fast/, house style 8.2): whether a kernel may take one, the threads
  // it may split its work over, and whether an input is a constant of the model (an
  // initializer of this graph), whose packed form a kernel may keep from one run to the next.
  bool fast_kernels() const;
  fast::Parallel parallel() const;
  bool input_is_constant(int i) const;

 private:
  const onnx::NodeProto& node_;
  int opset_;
  const std::vector<const Value*>& inputs_;
  GraphRunner* runner_;
  bool precise_;
  std::vector<Value> outputs_;
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual Status Prepare(KernelContext& ctx) = 0;
  virtual Status Compute(KernelContext& ctx) const = 0;
};

}  // namespace convcheck::interp

#endif  // CONVCHECK_INTERP_KERNEL_H_
